//! Accounts and sign-in: officer accounts with argon2id passwords, bearer
//! tokens that expire (sign-in sessions) and API tokens for systems such as the
//! Hotline 111 switchboard. Tokens are 32 random bytes (OsRng), base64url; only
//! their SHA-256 is stored. The officer behind a token is read from the Officer
//! aggregate on every request: registered and active, with the current role
//! and unit, or the token is refused.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::officer::Officer;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use hoso_domain::officer::{
    ApiTokenIssue, ApiTokenRevocation, OfficerAction, PasswordHow, PasswordReset, PasswordSetting,
    MAX_API_TOKEN_DAYS,
};

use crate::store::{self, NewToken};
pub use crate::store::{token_id, TokenRow};
use crate::{ids, now, Area, Error, Service};

/// How long a sign-in session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// The signed-in officer, with their current role and unit (from the Officer
/// record, never from a request body).
#[derive(Debug, Clone)]
pub struct Me {
    pub actor: Actor,
    pub full_name: String,
    /// Hex SHA-256 of the bearer token used.
    pub token_hash: String,
    /// How this officer authenticated, as event metadata says it:
    /// `session:<token id>`, `api:<token id>` or `local` (`app::LOCAL`).
    pub auth: String,
}

impl Me {
    /// An officer acting through the server's own command line.
    pub fn local(actor: Actor, full_name: String) -> Me {
        Me {
            actor,
            full_name,
            token_hash: String::new(),
            auth: crate::app::LOCAL.to_string(),
        }
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }

    pub fn area(&self) -> Area {
        Area::of(&self.actor.unit)
    }

    /// What this officer may read (need-to-know by role and area).
    pub fn sight(&self) -> crate::Sight {
        crate::Sight::of(self)
    }

    pub fn require(&self, roles: &[Role], what: &str) -> Result<(), Error> {
        if roles.contains(&self.actor.role) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "a {} may not {what}",
                self.actor.role.as_str()
            )))
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// 32 random bytes from the OS, base64url without padding.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// argon2id with the crate's default (OWASP) parameters, as a PHC string.
fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing: {e}")))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs argon2 off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("blocking task: {e}")))
}

pub fn check_password_rules(password: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::invalid(
            "password",
            format!("the password must have at least {MIN_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// Stores the first password of an account registered with one on the
/// server's command line (`officers::create`, which refuses one for a
/// system account); later changes go through `change_own_password`,
/// `reset_password` and `activate`.
pub(crate) async fn first_password(
    svc: &Service,
    officer_id: &str,
    password: &str,
) -> Result<(), Error> {
    store_password(svc, officer_id, password).await
}

async fn store_password(svc: &Service, officer_id: &str, password: &str) -> Result<(), Error> {
    check_password_rules(password)?;
    let pw = password.to_string();
    let phc = blocking(move || hash_password(&pw)).await??;
    store::put_password(svc.db(), officer_id, &phc, now()).await?;
    Ok(())
}

/// Stores the hash of a new token and returns the token (shown once).
async fn issue_token(
    svc: &Service,
    officer_id: &str,
    kind: &str,
    label: &str,
    valid_for: Duration,
) -> Result<(String, DateTime<Utc>), Error> {
    let token = new_token();
    let created = now();
    let expires = created + valid_for;
    store::insert_token(
        svc.db(),
        &NewToken {
            token_hash: &sha256_hex(token.as_bytes()),
            officer_id,
            kind,
            label,
            created,
            expires,
        },
    )
    .await?;
    Ok((token, expires))
}

/// The officer's current actor and full name, if registered and active now.
pub async fn current_actor(
    svc: &Service,
    officer_id: &str,
) -> Result<Option<(Actor, String)>, Error> {
    let officer: Officer = svc.app.load(officer_id).await?;
    let today = hoso_domain::calendar::local_date(now());
    if !officer.registered || !officer.active || !officer.is_active_on(today) {
        return Ok(None);
    }
    let (Some(role), Some(unit)) = (officer.role(), officer.unit()) else {
        return Ok(None);
    };
    Ok(Some((
        Actor {
            officer_id: officer_id.to_string(),
            role,
            unit,
        },
        officer.full_name,
    )))
}

/// The officer behind a bearer token.
pub async fn authenticate(svc: &Service, token: &str) -> Result<Me, Error> {
    let token_hash = sha256_hex(token.as_bytes());
    let (officer_id, kind) = store::token_officer(svc.db(), &token_hash, now())
        .await?
        .ok_or_else(|| {
            Error::Unauthenticated("the token is unknown, expired or signed out".into())
        })?;
    let (actor, full_name) = current_actor(svc, &officer_id).await?.ok_or_else(|| {
        Error::Unauthenticated("the officer is not registered or not active".into())
    })?;
    let auth = format!("{kind}:{}", store::token_id(&token_hash));
    Ok(Me {
        actor,
        full_name,
        token_hash,
        auth,
    })
}

/// A hash to verify against when the officer has no account, so that a wrong
/// id takes as long as a wrong password.
fn dummy_hash() -> Result<&'static str, Error> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let h = hash_password("not a real password at all")?;
    Ok(DUMMY.get_or_init(|| h))
}

/// Signs in: a session token for the officer, or `Unauthenticated` for a wrong
/// id or password (the same answer, in the same time).
pub async fn login(
    svc: &Service,
    officer_id: &str,
    password: &str,
    ctx: &crate::access::ReadContext,
) -> Result<(String, DateTime<Utc>), Error> {
    use hoso_domain::access::SignInOutcome;
    let wrong = || Error::Unauthenticated("officer id or password is wrong".into());
    let started = std::time::Instant::now();
    let ip = ctx.client_ip.as_deref();
    let wait = svc.throttle.wait(officer_id, ip, started);
    if !wait.is_zero() {
        tracing::info!("sign-in throttled");
        return Err(Error::TooMany {
            retry_after: wait.as_secs().max(1),
        });
    }
    let phc = store::password_hash(svc.db(), officer_id).await?;
    let known = phc.is_some();
    let phc = match phc {
        Some(p) => p,
        None => dummy_hash()?.to_string(),
    };
    let pw = password.to_string();
    let ok = blocking(move || verify_password(&pw, &phc)).await?;
    if !known {
        tracing::info!("sign-in refused: no such account");
        svc.throttle.failed(officer_id, ip, started);
        return Err(wrong());
    }
    // Every sign-in to a known account is in its access chain, with the
    // officer's role and unit (current, or last held when inactive).
    let current = current_actor(svc, officer_id).await?;
    let actor = match &current {
        Some((a, _)) => Some(a.clone()),
        None => {
            let o: Officer = svc.app.load(officer_id).await?;
            o.role().zip(o.unit()).map(|(role, unit)| Actor {
                officer_id: officer_id.to_string(),
                role,
                unit,
            })
        }
    };
    if !ok || current.is_none() {
        tracing::info!(officer = %officer_id, "sign-in refused");
        svc.throttle.failed(officer_id, ip, started);
        if let Some(a) = &actor {
            let outcome = if ok {
                SignInOutcome::NotActive
            } else {
                SignInOutcome::WrongPassword
            };
            crate::access::record_sign_in(svc, a, "password", ctx, outcome).await?;
        }
        return Err(wrong());
    }
    let session = issue_token(
        svc,
        officer_id,
        "session",
        "sign-in",
        Duration::hours(SESSION_HOURS),
    )
    .await?;
    svc.throttle.succeeded(officer_id);
    if let Some(a) = &actor {
        let auth = format!(
            "session:{}",
            store::token_id(&sha256_hex(session.0.as_bytes()))
        );
        crate::access::record_sign_in(svc, a, &auth, ctx, SignInOutcome::Ok).await?;
    }
    tracing::info!(officer = %officer_id, "signed in");
    Ok(session)
}

/// Revokes the token the officer signed in with.
pub async fn logout(svc: &Service, me: &Me) -> Result<(), Error> {
    store::revoke_token(svc.db(), &me.token_hash, now()).await?;
    crate::access::record_session_end(svc, me, &store::token_id(&me.token_hash), "signed_out")
        .await?;
    Ok(())
}

/// An admin lifts an account's sign-in lock (`throttle`); `true` when it
/// was locked.
pub async fn lift_lock(svc: &Service, me: &Me, officer_id: &str) -> Result<bool, Error> {
    ids::check("officer_id", officer_id)?;
    me.require(&[Role::Admin], "lift sign-in locks")?;
    let lifted = svc.throttle.lift(officer_id);
    tracing::info!(officer = %officer_id, by = %me.actor.officer_id, lifted, "sign-in lock lifted");
    Ok(lifted)
}

/// How long an `Idempotency-Key` is remembered: a client retries within
/// minutes, a week is ample.
pub const KEEP_KEYS: Duration = Duration::days(7);
/// How long an expired or revoked-and-expired token stays listed.
pub const KEEP_EXPIRED_TOKENS: Duration = Duration::days(30);

/// Forgets idempotency keys older than `KEEP_KEYS` and tokens expired more
/// than `KEEP_EXPIRED_TOKENS` ago, so that those tables stay the size of
/// current work. `hoso serve` runs it every hour.
pub async fn prune(svc: &Service) -> Result<(u64, u64), Error> {
    let at = now();
    let done = store::prune(svc.db(), at - KEEP_KEYS, at - KEEP_EXPIRED_TOKENS).await?;
    if done != (0, 0) {
        tracing::info!(
            keys = done.0,
            tokens = done.1,
            "pruned idempotency keys and old tokens"
        );
    }
    Ok(done)
}

/// Runs `prune` every `every` until the store closes.
pub fn spawn_pruning(svc: Service, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if svc.db().is_closed() {
                return;
            }
            if let Err(e) = prune(&svc).await {
                tracing::warn!(error = %e, "pruning failed; next time");
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// How long an activation code of a reset works.
pub const ACTIVATION_HOURS: i64 = 72;

/// A new API token.
pub struct IssuedToken {
    pub token: String,
    pub token_id: String,
    pub expires_at: DateTime<Utc>,
}

/// An API token for a system account (role `system`), issued by an admin
/// and recorded in the account's chain (`ApiTokenIssued`). People never get
/// one: they sign in with their own password.
pub async fn create_api_token(
    svc: &Service,
    me: &Me,
    officer_id: &str,
    label: &str,
    days: i64,
) -> Result<IssuedToken, Error> {
    me.require(&[Role::Admin], "issue API tokens")?;
    if !(1..=MAX_API_TOKEN_DAYS).contains(&days) {
        return Err(Error::invalid(
            "days",
            format!("from 1 to {MAX_API_TOKEN_DAYS} days"),
        ));
    }
    if label.trim().is_empty() {
        return Err(Error::invalid("label", "must not be empty"));
    }
    if current_actor(svc, officer_id).await?.is_none() {
        return Err(Error::invalid(
            "officer_id",
            "no registered, active officer with this id",
        ));
    }
    let token = new_token();
    let token_hash = sha256_hex(token.as_bytes());
    let token_id = store::token_id(&token_hash);
    let created = now();
    let expires = created + Duration::days(days);
    crate::officers::execute(
        svc,
        me,
        officer_id,
        OfficerAction::IssueApiToken(ApiTokenIssue {
            token_id: token_id.clone(),
            label: label.trim().to_string(),
            expires_at: expires,
        }),
    )
    .await?;
    store::insert_token(
        svc.db(),
        &NewToken {
            token_hash: &token_hash,
            officer_id,
            kind: "api",
            label: label.trim(),
            created,
            expires,
        },
    )
    .await?;
    Ok(IssuedToken {
        token,
        token_id,
        expires_at: expires,
    })
}

/// Whose tokens `me` may list and revoke: their own; an admin also those of
/// system accounts (never a person's).
async fn may_manage_tokens(svc: &Service, me: &Me, officer_id: &str) -> Result<(), Error> {
    if me.actor.officer_id == officer_id {
        return Ok(());
    }
    me.require(&[Role::Admin], "manage another officer's tokens")?;
    match current_actor(svc, officer_id).await? {
        Some((a, _)) if a.role == Role::System => Ok(()),
        Some(_) => Err(Error::Forbidden(
            "an admin manages the tokens of system accounts only".into(),
        )),
        None => Err(Error::not_found("officer")),
    }
}

/// The officer's sessions and API tokens that have not expired, newest first.
pub async fn tokens(svc: &Service, me: &Me, officer_id: &str) -> Result<Vec<TokenRow>, Error> {
    ids::check("officer_id", officer_id)?;
    may_manage_tokens(svc, me, officer_id).await?;
    Ok(store::tokens_of(svc.db(), officer_id, now()).await?)
}

/// Revokes one of the officer's tokens by its public id. An API token's
/// revocation is an event of the account's chain (admins only, with a
/// reason); a session is just ended.
pub async fn revoke(
    svc: &Service,
    me: &Me,
    officer_id: &str,
    token_id: &str,
    reason: Option<&str>,
) -> Result<(), Error> {
    ids::check("officer_id", officer_id)?;
    may_manage_tokens(svc, me, officer_id).await?;
    let at = now();
    let row = store::tokens_of(svc.db(), officer_id, at)
        .await?
        .into_iter()
        .find(|t| t.token_id == token_id && t.revoked_at.is_none())
        .ok_or_else(|| Error::not_found("token"))?;
    if row.kind == "api" {
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| Error::invalid("reason", "say why the API token is revoked"))?;
        crate::officers::execute(
            svc,
            me,
            officer_id,
            OfficerAction::RevokeApiToken(ApiTokenRevocation {
                token_id: token_id.to_string(),
                reason: reason.to_string(),
            }),
        )
        .await?;
    }
    store::revoke_by_id(svc.db(), officer_id, token_id, at).await?;
    if row.kind != "api" {
        crate::access::record_session_end(svc, me, token_id, "revoked").await?;
    }
    Ok(())
}

/// The signed-in officer changes their own password with the current one;
/// every session and token of the account ends (sign in again).
pub async fn change_own_password(
    svc: &Service,
    me: &Me,
    current: &str,
    new: &str,
) -> Result<(), Error> {
    check_password_rules(new)?;
    let id = me.actor.officer_id.clone();
    let phc = store::password_hash(svc.db(), &id)
        .await?
        .unwrap_or_else(|| store::NO_PASSWORD.to_string());
    let pw = current.to_string();
    if !blocking(move || verify_password(&pw, &phc)).await? {
        return Err(Error::invalid(
            "current_password",
            "the current password is wrong",
        ));
    }
    crate::officers::execute(
        svc,
        me,
        &id,
        OfficerAction::SetPassword(PasswordSetting {
            officer_id: id.clone(),
            how: PasswordHow::Changed,
        }),
    )
    .await?;
    store_password(svc, &id, new).await?;
    store::revoke_all(svc.db(), &id, now()).await?;
    tracing::info!(officer = %id, "password changed; every session and token revoked");
    Ok(())
}

/// An admin withdraws an officer's password (`PasswordReset` in the chain):
/// every session and token ends and nobody can sign in as the officer until
/// its owner sets a new password with the returned activation code (shown
/// once; valid `ACTIVATION_HOURS`). The admin hands it over in person.
pub async fn reset_password(
    svc: &Service,
    me: &Me,
    officer_id: &str,
    reason: &str,
) -> Result<(String, DateTime<Utc>), Error> {
    ids::check("officer_id", officer_id)?;
    me.require(&[Role::Admin], "reset passwords")?;
    if me.actor.officer_id == officer_id {
        return Err(Error::invalid(
            "officer_id",
            "change your own password with your current one",
        ));
    }
    if current_actor(svc, officer_id).await?.is_none() {
        return Err(Error::not_found("officer"));
    }
    crate::officers::execute(
        svc,
        me,
        officer_id,
        OfficerAction::ResetPassword(PasswordReset {
            reason: reason.to_string(),
        }),
    )
    .await?;
    let code = new_token();
    let at = now();
    let expires = at + Duration::hours(ACTIVATION_HOURS);
    store::withdraw_password(
        svc.db(),
        officer_id,
        &sha256_hex(code.as_bytes()),
        expires,
        at,
    )
    .await?;
    store::revoke_all(svc.db(), officer_id, at).await?;
    tracing::info!(officer = %officer_id, by = %me.actor.officer_id, "password reset");
    Ok((code, expires))
}

/// The owner sets a new password with the activation code of a reset
/// (`PasswordSet { how: activated }`, the officer as actor, `auth:
/// activation`). A wrong or expired code is refused like a wrong password.
pub async fn activate(svc: &Service, officer_id: &str, code: &str, new: &str) -> Result<(), Error> {
    let wrong = || Error::Unauthenticated("the activation code is wrong or expired".into());
    check_password_rules(new)?;
    let Some(expected) = store::activation_hash(svc.db(), officer_id, now()).await? else {
        return Err(wrong());
    };
    if sha256_hex(code.as_bytes()) != expected {
        return Err(wrong());
    }
    let (actor, full_name) = current_actor(svc, officer_id).await?.ok_or_else(wrong)?;
    let me = Me {
        actor,
        full_name,
        token_hash: String::new(),
        auth: "activation".into(),
    };
    crate::officers::execute(
        svc,
        &me,
        officer_id,
        OfficerAction::SetPassword(PasswordSetting {
            officer_id: officer_id.to_string(),
            how: PasswordHow::Activated,
        }),
    )
    .await?;
    store_password(svc, officer_id, new).await?;
    store::revoke_all(svc.db(), officer_id, now()).await?;
    tracing::info!(officer = %officer_id, "password set with an activation code");
    Ok(())
}

/// True when some account belongs to a registered, active national admin.
pub async fn admin_exists(svc: &Service) -> Result<bool, Error> {
    for id in store::account_ids(svc.db()).await? {
        if let Some((a, _)) = current_actor(svc, &id).await? {
            if a.role == Role::Admin && a.unit == Unit::National {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// What `hoso serve` prints when nobody can sign in yet.
pub async fn first_start_hint(svc: &Service) -> Option<String> {
    match admin_exists(svc).await {
        Ok(true) => None,
        Ok(false) => Some(
            "No administrator account exists yet. Create the first one (the password is read from standard input):\n  \
             hoso admin create-officer --id admin-1 --name \"Họ và tên\" --role admin --unit national"
                .to_string(),
        ),
        Err(e) => Some(format!("could not check for an administrator: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_real_argon2_hash_that_matches_nothing() {
        let h = dummy_hash().unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!verify_password("", h));
        assert!(!verify_password("not a real password", h));
    }
}
