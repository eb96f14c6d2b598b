//! Authentication: officer accounts (argon2id passwords), bearer tokens that
//! expire (sign-in sessions) and API tokens for systems such as the Hotline 111
//! switchboard. Tokens are 32 random bytes (OsRng), base64url; only their
//! SHA-256 is stored. The officer behind a token is read from the Officer
//! aggregate on every request: registered and active, with the current role
//! and unit, or the token is refused.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::officer::Officer;
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::db::{exec, select, ts};
use super::error::ApiError;
use super::json::ApiJson;
use super::{now, AppState};

/// How long a sign-in session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// The signed-in officer, with their current role and unit (from the Officer
/// record, never from the request body).
#[derive(Debug, Clone)]
pub struct CurrentOfficer {
    pub actor: Actor,
    pub full_name: String,
    /// Hex SHA-256 of the bearer token used.
    pub token_hash: String,
}

impl CurrentOfficer {
    pub fn role(&self) -> Role {
        self.actor.role
    }

    pub fn require(&self, roles: &[Role], what: &str) -> Result<(), ApiError> {
        if roles.contains(&self.actor.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
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
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// argon2id with the crate's default (OWASP) parameters, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs argon2 off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))
}

pub fn check_password_rules(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(ApiError::invalid(
            "password",
            format!("the password must have at least {MIN_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// Sets (or replaces) the officer's password.
pub async fn set_password(
    state: &AppState,
    officer_id: &str,
    password: &str,
) -> Result<(), ApiError> {
    check_password_rules(password)?;
    let pw = password.to_string();
    let phc = blocking(move || hash_password(&pw)).await??;
    let t = ts(now());
    exec(
        state.db(),
        "INSERT INTO accounts (officer_id, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (officer_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
        &[officer_id.into(), phc.into(), t.clone().into(), t.into()],
    )
    .await?;
    Ok(())
}

/// Stores the hash of a new token and returns the token (shown once).
pub async fn issue_token(
    state: &AppState,
    officer_id: &str,
    kind: &str,
    label: &str,
    valid_for: Duration,
) -> Result<(String, DateTime<Utc>), ApiError> {
    let token = new_token();
    let created = now();
    let expires = created + valid_for;
    exec(
        state.db(),
        "INSERT INTO auth_tokens (token_hash, officer_id, kind, label, created_at, expires_at, revoked_at) \
         VALUES (?, ?, ?, ?, ?, ?, NULL)",
        &[
            sha256_hex(token.as_bytes()).into(),
            officer_id.into(),
            kind.into(),
            label.into(),
            ts(created).into(),
            ts(expires).into(),
        ],
    )
    .await?;
    Ok((token, expires))
}

/// The officer's current actor, if registered and active now.
pub async fn current_actor(
    state: &AppState,
    officer_id: &str,
) -> Result<Option<(Actor, String)>, ApiError> {
    let officer: Officer = state.app.load(officer_id).await?;
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

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequestParts<AppState> for CurrentOfficer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthenticated = || {
            ApiError::Unauthenticated(
                "sign in first: Authorization: Bearer <token> from POST /api/v1/auth/login".into(),
            )
        };
        let token = bearer(parts).ok_or_else(unauthenticated)?;
        let token_hash = sha256_hex(token.as_bytes());
        let found = select(
            state.db(),
            "SELECT officer_id FROM auth_tokens WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
            &[token_hash.clone().into(), ts(now()).into()],
        )
        .await?;
        let officer_id = found
            .first()
            .and_then(|r| r[0].as_str().map(str::to_string))
            .ok_or_else(|| {
                ApiError::Unauthenticated("the token is unknown, expired or signed out".into())
            })?;
        let (actor, full_name) = current_actor(state, &officer_id).await?.ok_or_else(|| {
            ApiError::Unauthenticated("the officer is not registered or not active".into())
        })?;
        Ok(CurrentOfficer {
            actor,
            full_name,
            token_hash,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub officer_id: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Who is signed in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub officer_id: String,
    pub full_name: String,
    /// collaborator, commune_worker, commune_chairman, hotline_operator,
    /// provincial_manager, inspector, admin
    pub role: String,
    /// `national`, `province:42`, `commune:42:18070`
    pub unit: String,
}

/// A hash to verify against when the officer has no account, so that a wrong
/// id takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password at all").unwrap_or_default())
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = super::error::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let wrong = || ApiError::Unauthenticated("officer id or password is wrong".into());
    let found = select(
        state.db(),
        "SELECT password_hash FROM accounts WHERE officer_id = ?",
        &[req.officer_id.as_str().into()],
    )
    .await?;
    let phc = found
        .first()
        .and_then(|r| r[0].as_str().map(str::to_string));
    let known = phc.is_some();
    let phc = phc.unwrap_or_else(|| dummy_hash().to_string());
    let pw = req.password.clone();
    let ok = blocking(move || verify_password(&pw, &phc)).await?;
    if !ok || !known {
        tracing::info!(officer = %req.officer_id, "sign-in refused");
        return Err(wrong());
    }
    if current_actor(&state, &req.officer_id).await?.is_none() {
        return Err(wrong());
    }
    let (token, expires_at) = issue_token(
        &state,
        &req.officer_id,
        "session",
        "sign-in",
        Duration::hours(SESSION_HOURS),
    )
    .await?;
    tracing::info!(officer = %req.officer_id, "signed in");
    Ok(Json(TokenResponse { token, expires_at }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token no longer works")))]
pub async fn logout(
    State(state): State<AppState>,
    me: CurrentOfficer,
) -> Result<StatusCode, ApiError> {
    exec(
        state.db(),
        "UPDATE auth_tokens SET revoked_at = ? WHERE token_hash = ?",
        &[ts(now()).into(), me.token_hash.into()],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = super::error::Problem)))]
pub async fn me(me: CurrentOfficer) -> Json<Me> {
    Json(Me {
        officer_id: me.actor.officer_id.clone(),
        full_name: me.full_name.clone(),
        role: me.actor.role.as_str().to_string(),
        unit: me.actor.unit.code(),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenRequest {
    /// The officer (often a system account, e.g. a Hotline 111 operator
    /// account for the switchboard) the token acts as.
    pub officer_id: String,
    /// What the token is for, e.g. `switchboard`.
    pub label: String,
    /// Days until it expires (1 to 730; default 365).
    #[serde(default)]
    pub days: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", security(("bearer" = [])),
    request_body = ApiTokenRequest,
    responses((status = 201, body = TokenResponse), (status = 403, body = super::error::Problem)))]
pub async fn create_api_token(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ApiJson(req): ApiJson<ApiTokenRequest>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    me.require(&[Role::Admin], "issue API tokens")?;
    let days = req.days.unwrap_or(365);
    if !(1..=730).contains(&days) {
        return Err(ApiError::invalid("days", "from 1 to 730 days"));
    }
    if req.label.trim().is_empty() {
        return Err(ApiError::invalid("label", "must not be empty"));
    }
    if current_actor(&state, &req.officer_id).await?.is_none() {
        return Err(ApiError::invalid(
            "officer_id",
            "no registered, active officer with this id",
        ));
    }
    let (token, expires_at) = issue_token(
        &state,
        &req.officer_id,
        "api",
        &req.label,
        Duration::days(days),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse { token, expires_at }),
    ))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/tokens", post(create_api_token))
}

/// True when some account belongs to a registered, active admin.
pub async fn admin_exists(state: &AppState) -> Result<bool, ApiError> {
    for r in select(state.db(), "SELECT officer_id FROM accounts", &[]).await? {
        if let Some(id) = r[0].as_str() {
            if let Some((a, _)) = current_actor(state, id).await? {
                if a.role == Role::Admin && a.unit == Unit::National {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}
