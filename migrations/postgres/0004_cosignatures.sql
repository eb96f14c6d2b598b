-- Witness cosignatures of the log's checkpoints (c2sp.org/tlog-cosignature),
-- as returned by witnesses to add-checkpoint (c2sp.org/tlog-witness; see
-- docs/transparency.md). Each row is one verified signature line, kept byte
-- for byte: appended after the checkpoint's note it makes the cosigned note
-- that clients check for a quorum. Append-only like `checkpoints`.
CREATE TABLE cosignatures (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checkpoint_id bigint NOT NULL REFERENCES checkpoints (id),
    tree_size     bigint NOT NULL CHECK (tree_size >= 0),   -- the cosigned size
    witness_name  text   NOT NULL,                          -- the line's key name
    key_id        text   NOT NULL,                          -- 8 hex digits
    cosigned_at   bigint NOT NULL CHECK (cosigned_at >= 0), -- the cosignature's POSIX time
    line          text   NOT NULL,                          -- the signature line, with its newline
    received_at   text   NOT NULL,                          -- RFC 3339 UTC
    UNIQUE (checkpoint_id, line)
);
CREATE INDEX cosignatures_by_witness ON cosignatures (witness_name, key_id, tree_size);

CREATE TRIGGER cosignatures_append_only BEFORE UPDATE OR DELETE ON cosignatures
    FOR EACH ROW EXECUTE FUNCTION hoso_reject_change();
CREATE TRIGGER cosignatures_no_truncate BEFORE TRUNCATE ON cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION hoso_reject_change();
ALTER TABLE cosignatures ENABLE ALWAYS TRIGGER cosignatures_append_only;
ALTER TABLE cosignatures ENABLE ALWAYS TRIGGER cosignatures_no_truncate;
