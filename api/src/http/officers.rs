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
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::officer::{Officer, OfficerAction, OfficerCommand, OfficerRegistration};
use hoso_projections::history::parse_time;
use hoso_projections::read;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::{self, ReadContext};
use super::auth::{self, CurrentOfficer};
use super::cases::check_id;
use super::error::{aggregate_error, officer_error, ApiError};
use super::idempotency::{self, ok};
use super::json::{ApiJson, ApiQuery};
use super::{now, AppState};

/// Registers an officer; their account gets `password` when one is given.
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
    /// At least 10 characters; without it the officer cannot sign in yet.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfficerCommandResult {
    pub officer_id: String,
}

fn new_officer_id() -> String {
    let n: u32 = rand::rngs::OsRng.gen();
    format!("CB-{n:08X}")
}

/// Registers the officer as `actor` and sets the password: shared by the HTTP
/// route and `hoso admin create-officer`.
pub async fn create(state: &AppState, actor: &Actor, new: NewOfficer) -> Result<String, ApiError> {
    let id = new.id.clone().unwrap_or_else(new_officer_id);
    check_id("id", &id)?;
    if let Some(p) = &new.password {
        auth::check_password_rules(p)?;
    }
    let at = now();
    let cmd = OfficerCommand {
        actor: actor.clone(),
        at,
        action: OfficerAction::RegisterOfficer(OfficerRegistration {
            full_name: new.full_name.clone(),
            role: new.role,
            unit: new.unit,
            active_from: new
                .active_from
                .unwrap_or_else(|| hoso_domain::calendar::local_date(at)),
        }),
    };
    state
        .app
        .officer(&id, cmd, at)
        .await
        .map_err(|e| aggregate_error(e, officer_error))?;
    if let Some(p) = &new.password {
        auth::set_password(state, &id, p).await?;
    }
    Ok(id)
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
    let mut hashed = new.clone();
    hashed.password = hashed.password.map(|p| auth::sha256_hex(p.as_bytes()));
    let request = format!(
        "POST /officers {}",
        serde_json::to_string(&hashed).unwrap_or_default()
    );
    idempotency::once(&state, &me, &headers, &request, || async {
        let id = create(&state, &me.actor, new).await?;
        ok(
            StatusCode::CREATED,
            &OfficerCommandResult { officer_id: id },
        )
    })
    .await
}

/// An officer record the signed-in officer may see: themselves; admins and
/// national inspectors everyone; provincial managers and inspectors the
/// officers of their province.
pub(crate) async fn visible_officer(
    state: &AppState,
    me: &CurrentOfficer,
    id: &str,
) -> Result<Officer, ApiError> {
    check_id("id", id)?;
    let officer: Officer = state.app.load(id).await?;
    let Some(unit) = officer.unit().filter(|_| officer.registered) else {
        return Err(ApiError::not_found("officer"));
    };
    let own = me.actor.officer_id == id;
    let reader = matches!(
        me.role(),
        Role::Admin | Role::Inspector | Role::ProvincialManager
    );
    let in_area = match me.actor.unit {
        Unit::National => true,
        Unit::Province { province } => unit.province() == Some(province),
        Unit::Commune { .. } => false,
    };
    if own || (reader && in_area) {
        Ok(officer)
    } else {
        Err(ApiError::not_found("officer"))
    }
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
    let request = format!(
        "POST /officers/{id}/actions {}",
        serde_json::to_string(&action).unwrap_or_default()
    );
    idempotency::once(&state, &me, &headers, &request, || async {
        if matches!(action, OfficerAction::RegisterOfficer(_)) {
            return Err(ApiError::invalid(
                "type",
                "register an officer with POST /api/v1/officers",
            ));
        }
        visible_officer(&state, &me, &id).await?;
        let at = now();
        let cmd = OfficerCommand {
            actor: me.actor.clone(),
            at,
            action,
        };
        state
            .app
            .officer(&id, cmd, at)
            .await
            .map_err(|e| aggregate_error(e, officer_error))?;
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
    /// At least 10 characters.
    pub password: String,
}

/// Sets an officer's password: an admin for anyone, an officer for themselves.
#[utoipa::path(put, path = "/api/v1/officers/{id}/password", tag = "officers", security(("bearer" = [])),
    request_body = PasswordChange,
    params(("id" = String, Path, description = "officer id")),
    responses((status = 204, description = "set"), (status = 404, body = super::error::Problem)))]
pub async fn set_password(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    if me.actor.officer_id != id {
        me.require(&[Role::Admin], "set another officer's password")?;
    }
    if auth::current_actor(&state, &id).await?.is_none() {
        return Err(ApiError::not_found("officer"));
    }
    auth::set_password(&state, &id, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    visible_officer(&state, &me, &id).await?;
    let Some(h) = read::officer_history(state.db(), &id, from, to).await? else {
        return Err(ApiError::NotFound(
            "no history for this officer yet (the projection follows the store within moments)"
                .into(),
        ));
    };
    access::record(&state, &me, &ctx, "Officer", &id, "officer_history").await?;
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
        .route("/officers/{id}/history", get(history))
}
