-- Sign-in for the HTTP API (api/src/http/auth.rs): officer accounts with an
-- argon2id password hash, bearer tokens stored only as SHA-256 hashes with an
-- expiry, and the results of commands sent with an Idempotency-Key.
-- None of these is ground truth about cases: the officer itself (role, unit,
-- active) is always read from the Officer aggregate in the event store.
CREATE TABLE accounts (
    officer_id    text   PRIMARY KEY,
    password_hash text   NOT NULL, -- PHC string, argon2id
    created_at    text   NOT NULL,
    updated_at    text   NOT NULL
);

CREATE TABLE auth_tokens (
    token_hash  text   PRIMARY KEY, -- hex SHA-256 of the token; the token itself is never stored
    officer_id  text   NOT NULL,
    kind        text   NOT NULL CHECK (kind IN ('session', 'api')),
    label       text   NOT NULL,
    created_at  text   NOT NULL,
    expires_at  text   NOT NULL,
    revoked_at  text
);
CREATE INDEX auth_tokens_officer ON auth_tokens (officer_id);

CREATE TABLE idempotency (
    officer_id   text   NOT NULL,
    key          text   NOT NULL,
    request_hash text   NOT NULL, -- hex SHA-256 of method, path and body
    status       bigint,          -- NULL while the first request is in flight
    response     text,
    created_at   text   NOT NULL,
    PRIMARY KEY (officer_id, key)
);
