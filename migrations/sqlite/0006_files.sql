-- Attachment files: see migrations/postgres/0006_files.sql.
CREATE TABLE files (
    sha256      TEXT    PRIMARY KEY,
    size_bytes  INTEGER NOT NULL,
    media_type  TEXT    NOT NULL,
    content     BLOB    NOT NULL,
    stored_at   TEXT    NOT NULL
);
CREATE TRIGGER files_no_update BEFORE UPDATE ON files
BEGIN
    SELECT RAISE(ABORT, 'hoso: UPDATE on files is not allowed: stored files never change');
END;
