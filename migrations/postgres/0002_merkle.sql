-- Signed checkpoints of the Merkle log over all events (see docs/ledger.md and
-- docs/export-format.md). Leaf i of the log is the event at position i + 1, so
-- the log needs no table of its own: a checkpoint names a prefix of `events`.
-- Append-only like `events`; each row also keeps the tree state at its size
-- (the compact range) so the next checkpoint only reads the events after it.
CREATE TABLE checkpoints (
    id            bigint PRIMARY KEY CHECK (id >= 1),           -- 1, 2, 3, …
    tree_size     bigint NOT NULL CHECK (tree_size >= 0),
    root_hash     bytea  NOT NULL CHECK (octet_length(root_hash) = 32),
    issued_at     text   NOT NULL,                              -- RFC 3339 UTC
    key_id        text   NOT NULL,                              -- 8 hex digits
    note          text   NOT NULL,                              -- the signed note, byte for byte
    compact_range bytea  NOT NULL CHECK (octet_length(compact_range) % 32 = 0)
);

CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION hoso_reject_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION hoso_reject_change();
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_append_only;
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_no_truncate;
