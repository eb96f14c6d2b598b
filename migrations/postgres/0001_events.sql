-- The event store: one append-only table for all aggregates, hash-chained per
-- aggregate (see docs/event-hash.md), with a gap-free global position assigned
-- in commit order (see docs/global-order.md).
CREATE TABLE events (
    position       bigint PRIMARY KEY CHECK (position >= 1),
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    sequence       bigint NOT NULL CHECK (sequence >= 1),
    event_type     text   NOT NULL,
    event_version  text   NOT NULL,
    payload        text   NOT NULL, -- RFC 8785 canonical JSON, exactly the hashed bytes
    metadata       text   NOT NULL, -- RFC 8785 canonical JSON, exactly the hashed bytes
    prev_hash      bytea  NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash           bytea  NOT NULL CHECK (octet_length(hash) = 32),
    CONSTRAINT events_aggregate_sequence UNIQUE (aggregate_type, aggregate_id, sequence)
);

-- One row: the last assigned position. Every append locks it (SELECT … FOR UPDATE)
-- until commit, so positions are assigned in commit order with no gaps.
CREATE TABLE event_head (
    id            integer PRIMARY KEY CHECK (id = 1),
    last_position bigint  NOT NULL CHECK (last_position >= 0)
);
INSERT INTO event_head (id, last_position) VALUES (1, 0);

CREATE FUNCTION hoso_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hoso: % on % is not allowed: the event store is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION hoso_reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION hoso_reject_change();
CREATE TRIGGER event_head_no_delete BEFORE DELETE ON event_head
    FOR EACH ROW EXECUTE FUNCTION hoso_reject_change();
CREATE TRIGGER event_head_no_truncate BEFORE TRUNCATE ON event_head
    FOR EACH STATEMENT EXECUTE FUNCTION hoso_reject_change();

-- ALWAYS: the guards also fire with session_replication_role = replica. Only an
-- owner's explicit ALTER TABLE … DISABLE TRIGGER lifts them; hashes detect the rest.
ALTER TABLE events ENABLE ALWAYS TRIGGER events_append_only;
ALTER TABLE events ENABLE ALWAYS TRIGGER events_no_truncate;
ALTER TABLE event_head ENABLE ALWAYS TRIGGER event_head_no_delete;
ALTER TABLE event_head ENABLE ALWAYS TRIGGER event_head_no_truncate;
