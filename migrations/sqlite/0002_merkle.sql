-- Signed checkpoints of the Merkle log: see migrations/postgres/0002_merkle.sql.
CREATE TABLE checkpoints (
    id            INTEGER PRIMARY KEY CHECK (id >= 1),
    tree_size     INTEGER NOT NULL CHECK (tree_size >= 0),
    root_hash     BLOB    NOT NULL CHECK (length(root_hash) = 32),
    issued_at     TEXT    NOT NULL,
    key_id        TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    compact_range BLOB    NOT NULL CHECK (length(compact_range) % 32 = 0)
);

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'hoso: UPDATE on checkpoints is not allowed: checkpoints are append-only');
END;

CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'hoso: DELETE on checkpoints is not allowed: checkpoints are append-only');
END;
