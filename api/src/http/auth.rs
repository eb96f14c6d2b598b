//! Sign-in over HTTP: the bearer-token extractor (`CurrentOfficer`) and the
//! routes to sign in and out, say who is signed in, and issue API tokens. The
//! accounts and tokens themselves are `hoso_service::accounts`.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hoso_service::{accounts, Error, Me};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::json::{ApiJson, ApiQuery};
use super::AppState;

/// The signed-in officer of a request, from its `Authorization: Bearer` token.
#[derive(Debug, Clone)]
pub struct CurrentOfficer(pub Me);

impl std::ops::Deref for CurrentOfficer {
    type Target = Me;
    fn deref(&self) -> &Me {
        &self.0
    }
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
        let token = bearer(parts).ok_or_else(|| {
            Error::Unauthenticated(
                "sign in first: Authorization: Bearer <token> from POST /api/v1/auth/login".into(),
            )
        })?;
        Ok(CurrentOfficer(
            accounts::authenticate(&state.svc, token).await?,
        ))
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
pub struct MeResponse {
    pub officer_id: String,
    pub full_name: String,
    /// collaborator, commune_worker, commune_chairman, hotline_operator,
    /// provincial_manager, inspector, admin, system
    pub role: String,
    /// `national`, `province:42`, `commune:42:18070`
    pub unit: String,
}

/// Signs in. After five failed sign-ins in a row for an account (twenty from
/// one address), each further attempt waits (1 s, 2 s, 4 s, … up to 15
/// minutes): 429 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = super::error::Problem),
        (status = 429, body = super::error::Problem,
            headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn login(
    State(state): State<AppState>,
    ctx: super::access::ReadContext,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (token, expires_at) =
        accounts::login(&state.svc, &req.officer_id, &req.password, &ctx).await?;
    Ok(Json(TokenResponse { token, expires_at }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token no longer works")))]
pub async fn logout(
    State(state): State<AppState>,
    me: CurrentOfficer,
) -> Result<StatusCode, ApiError> {
    accounts::logout(&state.svc, &me).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = super::error::Problem)))]
pub async fn me(me: CurrentOfficer) -> Json<MeResponse> {
    Json(MeResponse {
        officer_id: me.actor.officer_id.clone(),
        full_name: me.full_name.clone(),
        role: me.actor.role.as_str().to_string(),
        unit: me.actor.unit.code(),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenRequest {
    /// A system account (role `system`, e.g. the Hotline 111 switchboard):
    /// people never get API tokens, they sign in with their own password.
    pub officer_id: String,
    /// What the token is for, e.g. `switchboard`.
    #[schema(min_length = 1)]
    pub label: String,
    /// Days until it expires (1 to 365; default 365).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    pub days: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiTokenResponse {
    /// Send as `Authorization: Bearer <token>`; shown once.
    pub token: String,
    /// The token's public id, for listing and revoking it.
    pub token_id: String,
    pub expires_at: DateTime<Utc>,
}

/// Issues an API token to a system account (admins only); recorded in the
/// account's chain as `ApiTokenIssued`.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", security(("bearer" = [])),
    request_body = ApiTokenRequest,
    responses((status = 201, body = ApiTokenResponse), (status = 403, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn create_api_token(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ApiJson(req): ApiJson<ApiTokenRequest>,
) -> Result<(StatusCode, Json<ApiTokenResponse>), ApiError> {
    let issued = accounts::create_api_token(
        &state.svc,
        &me,
        &req.officer_id,
        &req.label,
        req.days.unwrap_or(365),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ApiTokenResponse {
            token: issued.token,
            token_id: issued.token_id,
            expires_at: issued.expires_at,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TokensQuery {
    /// Whose tokens (default: yours). An admin may name a system account.
    pub officer_id: Option<String>,
}

/// A session or API token, never the token itself.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub token_id: String,
    /// `session` (a sign-in) or `api`.
    pub kind: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    /// The token of this request.
    pub current: bool,
}

/// The sessions and API tokens of an account that have not expired.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", security(("bearer" = [])),
    params(TokensQuery),
    responses((status = 200, body = [TokenInfo]), (status = 403, body = super::error::Problem),
        (status = 404, body = super::error::Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ApiQuery(q): ApiQuery<TokensQuery>,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    let id = q.officer_id.unwrap_or_else(|| me.actor.officer_id.clone());
    let current = accounts::token_id(&me.token_hash);
    let rows = accounts::tokens(&state.svc, &me, &id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| TokenInfo {
                current: t.token_id == current && id == me.actor.officer_id,
                token_id: t.token_id,
                kind: t.kind,
                label: t.label,
                created_at: t.created_at,
                expires_at: t.expires_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Whose token (default: yours).
    #[serde(default)]
    pub officer_id: Option<String>,
    /// Required for an API token (recorded in the account's chain).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Revokes one session or API token by its id.
#[utoipa::path(post, path = "/api/v1/tokens/{token_id}/revoke", tag = "auth", security(("bearer" = [])),
    request_body = RevokeRequest,
    params(("token_id" = String, Path, description = "the token's public id")),
    responses((status = 204, description = "revoked"), (status = 404, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(token_id): Path<String>,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> Result<StatusCode, ApiError> {
    let id = req
        .officer_id
        .unwrap_or_else(|| me.actor.officer_id.clone());
    accounts::revoke(&state.svc, &me, &id, &token_id, req.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationRequest {
    pub officer_id: String,
    /// The code an admin's reset gave (valid 72 hours).
    pub activation_code: String,
    /// The new password: at least 10 characters.
    pub password: String,
}

/// The owner of a reset account sets a new password with the activation
/// code; then they sign in as usual.
#[utoipa::path(post, path = "/api/v1/auth/activate", tag = "auth", request_body = ActivationRequest,
    responses((status = 204, description = "password set; sign in"),
        (status = 401, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
pub async fn activate(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ActivationRequest>,
) -> Result<StatusCode, ApiError> {
    accounts::activate(
        &state.svc,
        &req.officer_id,
        &req.activation_code,
        &req.password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/activate", post(activate))
        .route("/me", get(me))
        .route("/tokens", post(create_api_token).get(list_tokens))
        .route("/tokens/{token_id}/revoke", post(revoke_token))
}
