//! Sign-in over HTTP: the bearer-token extractor (`CurrentOfficer`) and the
//! routes to sign in and out, say who is signed in, and issue API tokens. The
//! accounts and tokens themselves are `hoso_service::accounts`.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hoso_service::{accounts, Error, Me};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::json::ApiJson;
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
    /// provincial_manager, inspector, admin
    pub role: String,
    /// `national`, `province:42`, `commune:42:18070`
    pub unit: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = super::error::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (token, expires_at) = accounts::login(&state.svc, &req.officer_id, &req.password).await?;
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
    let (token, expires_at) = accounts::create_api_token(
        &state.svc,
        &me,
        &req.officer_id,
        &req.label,
        req.days.unwrap_or(365),
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
