//! Every statement on the service's own tables (migrations `0003_accounts`):
//! accounts with their password hashes, bearer tokens (only their SHA-256),
//! and idempotency records. None of these is ground truth about cases: the
//! officer behind an account (role, unit, active) is always read from the
//! Officer aggregate in the event store.

use chrono::{DateTime, Utc};
use hoso_ledger::sql::{exec, rows, ts, Val};
use hoso_ledger::Db;

type Result<T> = std::result::Result<T, sqlx::Error>;

pub async fn password_hash(db: &Db, officer_id: &str) -> Result<Option<String>> {
    rows(
        db,
        "SELECT password_hash FROM accounts WHERE officer_id = ?",
        &[officer_id.into()],
    )
    .await?
    .first()
    .map(|r| r.text("password_hash"))
    .transpose()
}

pub async fn put_password(db: &Db, officer_id: &str, phc: &str, at: DateTime<Utc>) -> Result<()> {
    let t = ts(at);
    exec(
        db,
        "INSERT INTO accounts (officer_id, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (officer_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at, \
         activation_hash = NULL, activation_expires = NULL",
        &[officer_id.into(), phc.into(), t.clone().into(), t.into()],
    )
    .await?;
    Ok(())
}

pub async fn account_ids(db: &Db) -> Result<Vec<String>> {
    rows(
        db,
        "SELECT officer_id FROM accounts ORDER BY officer_id",
        &[],
    )
    .await?
    .iter()
    .map(|r| r.text("officer_id"))
    .collect()
}

pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub officer_id: &'a str,
    pub kind: &'a str,
    pub label: &'a str,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

pub async fn insert_token(db: &Db, t: &NewToken<'_>) -> Result<()> {
    exec(
        db,
        "INSERT INTO auth_tokens (token_hash, officer_id, kind, label, created_at, expires_at, revoked_at) \
         VALUES (?, ?, ?, ?, ?, ?, NULL)",
        &[
            t.token_hash.into(),
            t.officer_id.into(),
            t.kind.into(),
            t.label.into(),
            ts(t.created).into(),
            ts(t.expires).into(),
        ],
    )
    .await?;
    Ok(())
}

/// The value of `accounts.password_hash` of an account without a password
/// (after an admin's reset): no PHC string, so nothing verifies against it.
pub const NO_PASSWORD: &str = "!";

/// Withdraws the password and leaves an activation code (its hash) valid
/// until `expires`.
pub async fn withdraw_password(
    db: &Db,
    officer_id: &str,
    activation_hash: &str,
    expires: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<()> {
    let t = ts(at);
    exec(
        db,
        "INSERT INTO accounts (officer_id, password_hash, created_at, updated_at, activation_hash, activation_expires) \
         VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (officer_id) DO UPDATE SET password_hash = excluded.password_hash, \
         updated_at = excluded.updated_at, activation_hash = excluded.activation_hash, \
         activation_expires = excluded.activation_expires",
        &[
            officer_id.into(),
            NO_PASSWORD.into(),
            t.clone().into(),
            t.into(),
            activation_hash.into(),
            ts(expires).into(),
        ],
    )
    .await?;
    Ok(())
}

/// The activation code's hash of an account, while it is valid at `now`.
pub async fn activation_hash(
    db: &Db,
    officer_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    rows(
        db,
        "SELECT activation_hash FROM accounts WHERE officer_id = ? \
         AND activation_hash IS NOT NULL AND activation_expires > ?",
        &[officer_id.into(), ts(now).into()],
    )
    .await?
    .first()
    .map(|r| r.text("activation_hash"))
    .transpose()
}

/// A token as its owner sees it: never the token, nor its whole hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// The first 16 hex digits of the token's SHA-256.
    pub token_id: String,
    pub kind: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

/// The public id of a token hash.
pub fn token_id(token_hash: &str) -> String {
    token_hash.chars().take(16).collect()
}

/// The officer and kind (`session`, `api`) of a token that is neither
/// revoked nor expired at `now`.
pub async fn token_officer(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>> {
    rows(
        db,
        "SELECT officer_id, kind FROM auth_tokens WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
        &[token_hash.into(), ts(now).into()],
    )
    .await?
    .first()
    .map(|r| Ok((r.text("officer_id")?, r.text("kind")?)))
    .transpose()
}

pub async fn revoke_token(db: &Db, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
    exec(
        db,
        "UPDATE auth_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        &[ts(at).into(), token_hash.into()],
    )
    .await?;
    Ok(())
}

/// Revokes every token of the officer not revoked yet; how many.
pub async fn revoke_all(db: &Db, officer_id: &str, at: DateTime<Utc>) -> Result<u64> {
    exec(
        db,
        "UPDATE auth_tokens SET revoked_at = ? WHERE officer_id = ? AND revoked_at IS NULL",
        &[ts(at).into(), officer_id.into()],
    )
    .await
}

/// Revokes the officer's token with this public id; `false` when there is
/// none not revoked yet.
pub async fn revoke_by_id(
    db: &Db,
    officer_id: &str,
    token_id: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = exec(
        db,
        "UPDATE auth_tokens SET revoked_at = ? WHERE officer_id = ? \
         AND substr(token_hash, 1, 16) = ? AND revoked_at IS NULL",
        &[ts(at).into(), officer_id.into(), token_id.into()],
    )
    .await?;
    Ok(n > 0)
}

/// The officer's tokens that have not expired by `now`, newest first.
pub async fn tokens_of(db: &Db, officer_id: &str, now: DateTime<Utc>) -> Result<Vec<TokenRow>> {
    rows(
        db,
        "SELECT token_hash, kind, label, created_at, expires_at, revoked_at FROM auth_tokens \
         WHERE officer_id = ? AND expires_at > ? ORDER BY created_at DESC, token_hash",
        &[officer_id.into(), ts(now).into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(TokenRow {
            token_id: token_id(&r.text("token_hash")?),
            kind: r.text("kind")?,
            label: r.text("label")?,
            created_at: r.text("created_at")?,
            expires_at: r.text("expires_at")?,
            revoked_at: r.opt_text("revoked_at")?,
        })
    })
    .collect()
}

/// Claims `(officer, key)` for a request; `false` when it was claimed before.
pub async fn claim_key(
    db: &Db,
    officer_id: &str,
    key: &str,
    request_hash: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = exec(
        db,
        "INSERT INTO idempotency (officer_id, key, request_hash, status, response, created_at) \
         VALUES (?, ?, ?, NULL, NULL, ?) ON CONFLICT (officer_id, key) DO NOTHING",
        &[
            officer_id.into(),
            key.into(),
            request_hash.into(),
            ts(at).into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// A claimed key: the request it was claimed for, and the answer once known.
pub struct Claimed {
    pub request_hash: String,
    pub answer: Option<(i64, String)>,
}

pub async fn claimed_key(db: &Db, officer_id: &str, key: &str) -> Result<Option<Claimed>> {
    let found = rows(
        db,
        "SELECT request_hash, status, response FROM idempotency WHERE officer_id = ? AND key = ?",
        &[officer_id.into(), key.into()],
    )
    .await?;
    let Some(r) = found.first() else {
        return Ok(None);
    };
    let answer = match (r.opt_int("status")?, r.opt_text("response")?) {
        (Some(s), Some(body)) => Some((s, body)),
        _ => None,
    };
    Ok(Some(Claimed {
        request_hash: r.text("request_hash")?,
        answer,
    }))
}

pub async fn answer_key(
    db: &Db,
    officer_id: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<()> {
    exec(
        db,
        "UPDATE idempotency SET status = ?, response = ? WHERE officer_id = ? AND key = ?",
        &[
            Val::Int(status.into()),
            body.into(),
            officer_id.into(),
            key.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn release_key(db: &Db, officer_id: &str, key: &str) -> Result<()> {
    exec(
        db,
        "DELETE FROM idempotency WHERE officer_id = ? AND key = ?",
        &[officer_id.into(), key.into()],
    )
    .await?;
    Ok(())
}

/// Deletes idempotency records made before `before` and tokens that expired
/// before `expired_before`; how many of each.
pub async fn prune(
    db: &Db,
    before: DateTime<Utc>,
    expired_before: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let keys = exec(
        db,
        "DELETE FROM idempotency WHERE created_at < ? AND status IS NOT NULL",
        &[ts(before).into()],
    )
    .await?;
    let tokens = exec(
        db,
        "DELETE FROM auth_tokens WHERE expires_at < ?",
        &[ts(expired_before).into()],
    )
    .await?;
    Ok((keys, tokens))
}
