-- Attachment files (service/src/files.rs), content-addressed: a file is kept
-- once under the SHA-256 of its bytes, which the case's AttachmentAdded event
-- names (and hashes into the chain). A row is never changed: the same digest
-- is the same bytes, and every read recomputes the digest before serving.
CREATE TABLE files (
    sha256      text   PRIMARY KEY, -- 64 lowercase hex characters
    size_bytes  bigint NOT NULL,
    media_type  text   NOT NULL,    -- as first stored
    content     bytea  NOT NULL,
    stored_at   text   NOT NULL
);
CREATE TRIGGER files_no_update BEFORE UPDATE ON files
    FOR EACH ROW EXECUTE FUNCTION hoso_reject_change();
ALTER TABLE files ENABLE ALWAYS TRIGGER files_no_update;
