-- The event store: see migrations/postgres/0001_events.sql for the meaning of each
-- column; the two schemas hold the same bytes.
CREATE TABLE events (
    position       INTEGER PRIMARY KEY CHECK (position >= 1),
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    sequence       INTEGER NOT NULL CHECK (sequence >= 1),
    event_type     TEXT    NOT NULL,
    event_version  TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    prev_hash      BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash           BLOB    NOT NULL CHECK (length(hash) = 32),
    CONSTRAINT events_aggregate_sequence UNIQUE (aggregate_type, aggregate_id, sequence)
);

CREATE TABLE event_head (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_position INTEGER NOT NULL CHECK (last_position >= 0)
);
INSERT INTO event_head (id, last_position) VALUES (1, 0);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'hoso: UPDATE on events is not allowed: the event store is append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'hoso: DELETE on events is not allowed: the event store is append-only');
END;

CREATE TRIGGER event_head_no_delete BEFORE DELETE ON event_head
BEGIN
    SELECT RAISE(ABORT, 'hoso: DELETE on event_head is not allowed');
END;
