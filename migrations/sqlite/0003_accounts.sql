-- Sign-in for the HTTP API: see migrations/postgres/0003_accounts.sql.
CREATE TABLE accounts (
    officer_id    TEXT    PRIMARY KEY,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE auth_tokens (
    token_hash  TEXT    PRIMARY KEY,
    officer_id  TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('session', 'api')),
    label       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX auth_tokens_officer ON auth_tokens (officer_id);

CREATE TABLE idempotency (
    officer_id   TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER,
    response     TEXT,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (officer_id, key)
);
