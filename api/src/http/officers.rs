//! Officer routes: register an officer (admin; optionally with a password so
//! they can sign in), later changes (`POST /officers/{id}/actions`, an
//! `OfficerAction`), setting a password, and one officer's history (everything
//! they did, for inspectors).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use hoso_domain::common::{Role, Unit};
use hoso_domain::officer::OfficerAction;
use hoso_projections::history::parse_time;
use hoso_service::accounts::sha256_hex;
use hoso_service::{accounts, officers};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::ReadContext;
use super::auth::CurrentOfficer;
use super::error::ApiError;
use super::idempotency::{self, fingerprint, ok};
use super::json::{ApiJson, ApiQuery};
use super::AppState;

/// Registers an officer. An admin never sets a password: the officer sets
/// their own with an activation code (`POST /api/v1/officers/{id}/password-reset`
/// gives one; `POST /api/v1/auth/activate` uses it).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficer {
    /// Officer id (letters, digits, - _ . :); assigned by the server when absent.
    #[serde(default)]
    pub id: Option<String>,
    pub full_name: String,
    pub role: Role,
    pub unit: Unit,
    /// First day in service; default today.
    #[serde(default)]
    pub active_from: Option<NaiveDate>,
    /// Refused (422): nobody sets another officer's password; see above.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfficerCommandResult {
    pub officer_id: String,
}

impl From<NewOfficer> for officers::NewOfficer {
    fn from(n: NewOfficer) -> Self {
        officers::NewOfficer {
            id: n.id,
            full_name: n.full_name,
            role: n.role,
            unit: n.unit,
            active_from: n.active_from,
            password: n.password,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/officers", tag = "officers", security(("bearer" = [])),
    request_body = NewOfficer,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 201, body = OfficerCommandResult), (status = 403, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn register(
    State(state): State<AppState>,
    me: CurrentOfficer,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewOfficer>,
) -> Response {
    // The fingerprint keeps no password, only its hash.
    let mut hashed = new.clone();
    hashed.password = hashed.password.map(|p| sha256_hex(p.as_bytes()));
    let fp = fingerprint("POST /officers", &hashed);
    idempotency::once(&state, &me, &headers, fp, || async {
        let id = officers::register(&state.svc, &me, new.into()).await?;
        ok(
            StatusCode::CREATED,
            &OfficerCommandResult { officer_id: id },
        )
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/officers/{id}/actions", tag = "officers", security(("bearer" = [])),
    request_body = OfficerAction,
    params(("id" = String, Path, description = "officer id"),
        ("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 200, body = OfficerCommandResult), (status = 404, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn act(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(action): ApiJson<OfficerAction>,
) -> Response {
    let fp = fingerprint(&format!("POST /officers/{id}/actions"), &action);
    idempotency::once(&state, &me, &headers, fp, || async {
        officers::act(&state.svc, &me, &id, action).await?;
        ok(
            StatusCode::OK,
            &OfficerCommandResult {
                officer_id: id.clone(),
            },
        )
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// Your password now.
    pub current_password: String,
    /// The new one: at least 10 characters.
    pub password: String,
}

/// Changes your own password (`id` is you), with the current one; every
/// session and API token of the account ends. An admin cannot set another
/// officer's password: see `password-reset`.
#[utoipa::path(put, path = "/api/v1/officers/{id}/password", tag = "officers", security(("bearer" = [])),
    request_body = PasswordChange,
    params(("id" = String, Path, description = "your officer id")),
    responses((status = 204, description = "set; sign in again"), (status = 403, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn set_password(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    if id != me.actor.officer_id {
        return Err(hoso_service::Error::Forbidden(
            "only the officer changes their password; an admin resets it (POST /api/v1/officers/{id}/password-reset)".into(),
        )
        .into());
    }
    accounts::change_own_password(&state.svc, &me, &req.current_password, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// Why (recorded, sealed, in the officer's chain).
    #[schema(min_length = 1)]
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetResponse {
    /// Hand it to the officer in person; with it they set a new password
    /// (POST /api/v1/auth/activate). Shown once.
    pub activation_code: String,
    pub expires_at: DateTime<Utc>,
}

/// An admin withdraws an officer's password: the account cannot sign in
/// until its owner sets a new one with the activation code; every session
/// and token ends. Recorded as `PasswordReset`.
#[utoipa::path(post, path = "/api/v1/officers/{id}/password-reset", tag = "officers", security(("bearer" = [])),
    request_body = ResetRequest,
    params(("id" = String, Path, description = "officer id")),
    responses((status = 200, body = ResetResponse), (status = 403, body = super::error::Problem),
        (status = 404, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ResetRequest>,
) -> Result<Json<ResetResponse>, ApiError> {
    let (activation_code, expires_at) =
        accounts::reset_password(&state.svc, &me, &id, &req.reason).await?;
    Ok(Json(ResetResponse {
        activation_code,
        expires_at,
    }))
}

/// An admin lifts the officer's sign-in lock after failed sign-ins (the
/// account may be checked again at once).
#[utoipa::path(delete, path = "/api/v1/officers/{id}/sign-in-lock", tag = "officers", security(("bearer" = [])),
    params(("id" = String, Path, description = "officer id")),
    responses((status = 204, description = "lifted (or there was none)"),
        (status = 403, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
pub async fn lift_lock(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::lift_lock(&state.svc, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Recorded from (RFC 3339 or a date).
    pub from: Option<String>,
    /// Recorded until.
    pub to: Option<String>,
    /// Why you read this record (or the `X-Access-Reason` header).
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfficerAct {
    pub position: i64,
    pub role: String,
    pub unit: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub at: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfficerHistory {
    pub officer_id: String,
    pub full_name: Option<String>,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub active: bool,
    pub cases_handled: i64,
    pub deadlines_met: i64,
    pub deadlines_missed: i64,
    /// Assignments, inactive periods and trainings.
    #[schema(value_type = Object)]
    pub state: Value,
    /// Every event the officer caused, in global order (reads are in the access log).
    pub events: Vec<OfficerAct>,
}

fn time_param(field: &str, v: &Option<String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    v.as_deref()
        .map(|t| parse_time(t).map_err(|e| ApiError::invalid(field, e.to_string())))
        .transpose()
}

#[utoipa::path(get, path = "/api/v1/officers/{id}/history", tag = "officers", security(("bearer" = [])),
    params(("id" = String, Path, description = "officer id"), HistoryQuery),
    responses((status = 200, body = OfficerHistory), (status = 404, body = super::error::Problem)))]
pub async fn history(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<OfficerHistory>, ApiError> {
    let from = time_param("from", &q.from)?;
    let to = time_param("to", &q.to)?;
    let h = officers::history(&state.svc, &me, &ctx, &id, from, to).await?;
    Ok(Json(OfficerHistory {
        officer_id: h.officer_id,
        full_name: h.full_name,
        role: h.role,
        unit: h.unit,
        active: h.active,
        cases_handled: h.cases_handled,
        deadlines_met: h.deadlines_met,
        deadlines_missed: h.deadlines_missed,
        state: h.state,
        events: h
            .events
            .into_iter()
            .map(|e| OfficerAct {
                position: e.position,
                role: e.role,
                unit: e.unit,
                aggregate_type: e.aggregate_type,
                aggregate_id: e.aggregate_id,
                sequence: e.sequence,
                event_type: e.event_type,
                at: e.at,
                recorded_at: e.recorded_at,
            })
            .collect(),
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/officers", post(register))
        .route("/officers/{id}/actions", post(act))
        .route("/officers/{id}/password", put(set_password))
        .route("/officers/{id}/password-reset", post(reset_password))
        .route(
            "/officers/{id}/sign-in-lock",
            axum::routing::delete(lift_lock),
        )
        .route("/officers/{id}/history", get(history))
}
