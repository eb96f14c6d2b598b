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
         ON CONFLICT (officer_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
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

/// The officer of a token that is neither revoked nor expired at `now`.
pub async fn token_officer(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    rows(
        db,
        "SELECT officer_id FROM auth_tokens WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
        &[token_hash.into(), ts(now).into()],
    )
    .await?
    .first()
    .map(|r| r.text("officer_id"))
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
