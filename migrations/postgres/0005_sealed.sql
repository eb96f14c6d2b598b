-- Format 2 of the stored record (docs/event-hash.md): `payload` holds the public
-- fields; `sealed` the personal part, encrypted with the data key of the person
-- the event is about (docs/personal-data.md). Events written before stay
-- format 1 and keep verifying as they are.
ALTER TABLE events ADD COLUMN format bigint NOT NULL DEFAULT 1 CHECK (format IN (1, 2));
ALTER TABLE events ADD COLUMN sealed text; -- RFC 8785 canonical JSON, exactly the hashed bytes
ALTER TABLE events ADD CONSTRAINT events_sealed_format CHECK (sealed IS NULL OR format = 2);

-- One data key per data subject (`Child:<id>`, `Officer:<id>`), wrapped by the
-- key-encryption key, which is never in the database. The one table where a
-- row may be destroyed: that erases the subject's sealed data everywhere.
CREATE TABLE data_keys (
    subject    text   PRIMARY KEY,
    key_id     text   NOT NULL,
    kek_id     text   NOT NULL,
    wrapped    bytea  NOT NULL, -- nonce (24) ‖ XChaCha20-Poly1305 ciphertext and tag
    created_at text   NOT NULL
);

-- Subjects whose data key was destroyed: no new key is made for them.
CREATE TABLE erased_subjects (
    subject   text PRIMARY KEY,
    erased_at text NOT NULL
);
CREATE TRIGGER erased_subjects_append_only BEFORE UPDATE OR DELETE ON erased_subjects
    FOR EACH ROW EXECUTE FUNCTION hoso_reject_change();
ALTER TABLE erased_subjects ENABLE ALWAYS TRIGGER erased_subjects_append_only;

-- A value sealed under the key-encryption key: a missing or wrong KEK is refused
-- at start-up, before anything is written.
CREATE TABLE kek_check (
    id          integer PRIMARY KEY CHECK (id = 1),
    kek_id      text    NOT NULL,
    check_value bytea   NOT NULL
);
