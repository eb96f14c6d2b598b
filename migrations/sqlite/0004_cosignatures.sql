-- Witness cosignatures of the log's checkpoints: see migrations/postgres/0004_cosignatures.sql.
CREATE TABLE cosignatures (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id),
    tree_size     INTEGER NOT NULL CHECK (tree_size >= 0),
    witness_name  TEXT    NOT NULL,
    key_id        TEXT    NOT NULL,
    cosigned_at   INTEGER NOT NULL CHECK (cosigned_at >= 0),
    line          TEXT    NOT NULL,
    received_at   TEXT    NOT NULL,
    UNIQUE (checkpoint_id, line)
);
CREATE INDEX cosignatures_by_witness ON cosignatures (witness_name, key_id, tree_size);

CREATE TRIGGER cosignatures_no_update BEFORE UPDATE ON cosignatures
BEGIN
    SELECT RAISE(ABORT, 'hoso: UPDATE on cosignatures is not allowed: cosignatures are append-only');
END;

CREATE TRIGGER cosignatures_no_delete BEFORE DELETE ON cosignatures
BEGIN
    SELECT RAISE(ABORT, 'hoso: DELETE on cosignatures is not allowed: cosignatures are append-only');
END;
