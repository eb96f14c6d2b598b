-- See migrations/postgres/0005_sealed.sql.
ALTER TABLE events ADD COLUMN format INTEGER NOT NULL DEFAULT 1 CHECK (format IN (1, 2));
ALTER TABLE events ADD COLUMN sealed TEXT CHECK (sealed IS NULL OR format = 2);

CREATE TABLE data_keys (
    subject    TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL,
    kek_id     TEXT NOT NULL,
    wrapped    BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE erased_subjects (
    subject   TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL
);
CREATE TRIGGER erased_subjects_no_update BEFORE UPDATE ON erased_subjects
BEGIN
    SELECT RAISE(ABORT, 'hoso: erased_subjects is append-only');
END;
CREATE TRIGGER erased_subjects_no_delete BEFORE DELETE ON erased_subjects
BEGIN
    SELECT RAISE(ABORT, 'hoso: erased_subjects is append-only');
END;

CREATE TABLE kek_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    kek_id      TEXT    NOT NULL,
    check_value BLOB    NOT NULL
);
