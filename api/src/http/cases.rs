//! Case routes: intake (`POST /cases`, the server assigns the id), every other
//! step (`POST /cases/{id}/actions`, a `CaseAction` tagged by `type`), the case
//! list with filters and paging, one case, and its timeline as of any moment.
//!
//! An officer sees the cases of their own unit only (commune, province — old
//! pre-2025 records rolled up — or national); any other case is 404, so its
//! existence does not leak.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hoso_domain::case::{CaseAction, Intake};
use hoso_projections::history::parse_time;
use hoso_projections::read::CaseRow;
use hoso_service::cases::{self, ListRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::ReadContext;
use super::auth::CurrentOfficer;
use super::error::ApiError;
use super::idempotency::{self, fingerprint, ok};
use super::json::{ApiJson, ApiQuery};
use super::AppState;

/// What a case command answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseCommandResult {
    pub case_id: String,
    /// The case's step after the command.
    pub status: String,
    /// Events the case has now.
    pub events: u64,
}

impl From<cases::CaseResult> for CaseCommandResult {
    fn from(r: cases::CaseResult) -> Self {
        CaseCommandResult {
            case_id: r.case_id,
            status: r.status.as_str().to_string(),
            events: r.events,
        }
    }
}

/// Step 1, tiếp nhận thông tin: opens a new case with a server-assigned id.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    request_body = Intake,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 201, body = CaseCommandResult), (status = 422, body = super::error::Problem),
        (status = 403, body = super::error::Problem)))]
pub async fn intake(
    State(state): State<AppState>,
    me: CurrentOfficer,
    headers: HeaderMap,
    ApiJson(intake): ApiJson<Intake>,
) -> Response {
    let fp = fingerprint("POST /cases", &intake);
    idempotency::once(&state, &me, &headers, fp, || async {
        let r = cases::intake(&state.svc, &me, intake).await?;
        ok(StatusCode::CREATED, &CaseCommandResult::from(r))
    })
    .await
}

/// Every later step: the body is one `CaseAction`, tagged by `type`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", security(("bearer" = [])),
    request_body = CaseAction,
    params(("id" = String, Path, description = "case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 200, body = CaseCommandResult), (status = 404, body = super::error::Problem),
        (status = 403, body = super::error::Problem), (status = 409, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn act(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(action): ApiJson<CaseAction>,
) -> Response {
    let fp = fingerprint(&format!("POST /cases/{id}/actions"), &action);
    idempotency::once(&state, &me, &headers, fp, || async {
        let r = cases::act(&state.svc, &me, &id, action).await?;
        ok(StatusCode::OK, &CaseCommandResult::from(r))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Today's province code (old records roll up).
    pub province: Option<u32>,
    pub commune: Option<u32>,
    /// received, fact_checked, initially_assessed, specifically_assessed,
    /// plan_drafted, plan_sent_back, plan_approved, reviewed_stable,
    /// needs_new_plan, closed, reopened
    pub status: Option<String>,
    /// low, medium, high
    pub risk: Option<String>,
    /// violence, exploitation, sexual_abuse, trafficking, abandonment, neglect, other
    pub harm_type: Option<String>,
    /// Special-circumstance group code of the child (a … o, dd, at_risk, …).
    pub group: Option<String>,
    /// Responsible worker's officer id.
    pub worker: Option<String>,
    /// Only cases with a missed legal deadline.
    pub overdue: Option<bool>,
    /// 1 to 200; default 50.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Why you read (also `X-Access-Reason`); inspectors must give one.
    pub reason: Option<String>,
}

/// One row of the case list (from the case view projection).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub case_id: String,
    pub child_id: Option<String>,
    pub child_name: Option<String>,
    pub province: Option<i64>,
    pub commune: Option<i64>,
    pub structure: Option<String>,
    pub status: String,
    pub protection_level: Option<String>,
    pub overall_risk: Option<String>,
    pub harm_types: Vec<String>,
    pub source: Option<String>,
    pub responsible_worker: Option<String>,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    pub next_deadline_kind: Option<String>,
    pub next_deadline_at: Option<String>,
    pub overdue: bool,
    pub last_event_type: String,
    pub last_event_at: Option<String>,
    pub last_actor: Option<String>,
    pub events: i64,
}

impl From<CaseRow> for CaseSummary {
    fn from(r: CaseRow) -> Self {
        CaseSummary {
            case_id: r.case_id,
            child_id: r.child_id,
            child_name: r.child_name,
            province: r.province,
            commune: r.commune,
            structure: r.structure,
            status: r.status,
            protection_level: r.protection_level,
            overall_risk: r.overall_risk,
            harm_types: r.harm_types,
            source: r.source,
            responsible_worker: r.responsible_worker,
            opened_at: r.opened_at,
            closed_at: r.closed_at,
            next_deadline_kind: r.next_deadline_kind,
            next_deadline_at: r.next_deadline_at,
            overdue: r.overdue,
            last_event_type: r.last_event_type,
            last_event_at: r.last_event_at,
            last_actor: r.last_actor,
            events: r.events,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasePage {
    /// Matching cases in the officer's area.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub items: Vec<CaseSummary>,
}

/// The case list of the officer's area, overdue first. Served from the case
/// view projection, which follows the store within moments.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    params(ListQuery), responses((status = 200, body = CasePage), (status = 422, body = super::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    let req = ListRequest {
        province: q.province,
        commune: q.commune,
        status: q.status,
        risk: q.risk,
        harm_type: q.harm_type,
        group: q.group,
        worker: q.worker,
        overdue: q.overdue.unwrap_or(false),
        limit: q.limit,
        offset: q.offset,
    };
    let f = req.filter()?;
    let page = cases::list(&state.svc, &me, &ctx, &req).await?;
    Ok(Json(CasePage {
        total: page.total,
        limit: f.limit,
        offset: f.offset,
        items: page.items.into_iter().map(CaseSummary::from).collect(),
    }))
}

/// One case now: its state rebuilt from its events, and its row in the case view.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    pub case_id: String,
    pub status: String,
    /// The `Case` state folded from every event (the domain's own `apply`).
    #[schema(value_type = Object)]
    pub state: Value,
    /// emergency, plan or approval, with its due time.
    pub next_deadline: Option<DeadlineDue>,
    /// Legal deadlines missed as of now.
    pub missed_deadlines: Vec<String>,
    /// The case view row (null for a moment after the case was opened).
    pub summary: Option<CaseSummary>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadlineDue {
    pub kind: String,
    pub due: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReasonQuery {
    /// Why you read this record (or the `X-Access-Reason` header); kept in the access log.
    pub reason: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ReasonQuery),
    responses((status = 200, body = CaseDetail), (status = 404, body = super::error::Problem)))]
pub async fn view(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    Path(id): Path<String>,
    ApiQuery(_q): ApiQuery<ReasonQuery>,
) -> Result<Json<CaseDetail>, ApiError> {
    let c = cases::view(&state.svc, &me, &ctx, &id).await?;
    Ok(Json(CaseDetail {
        case_id: c.case_id,
        status: c.case.status.as_str().to_string(),
        next_deadline: c.case.next_deadline().map(|(k, due)| DeadlineDue {
            kind: k.as_str().to_string(),
            due,
        }),
        missed_deadlines: c
            .case
            .missed_deadlines(c.at)
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        state: serde_json::to_value(&c.case).map_err(|e| ApiError::internal(e.to_string()))?,
        summary: c.row.map(CaseSummary::from),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// RFC 3339 time or a date (end of that day, Vietnam time): the case as it
    /// stood then, from the events recorded by then. Default: now.
    pub as_of: Option<String>,
    /// Why you read this record (or the `X-Access-Reason` header).
    pub reason: Option<String>,
}

/// One event: who did what, in what role and unit, when.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub position: i64,
    pub sequence: i64,
    pub event_type: String,
    /// When the action happened.
    pub at: Option<DateTime<Utc>>,
    pub actor_id: Option<String>,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
    /// The event's data: its public fields with the personal ones opened,
    /// less the fields your role may not read (`withheld`).
    #[schema(value_type = Object)]
    pub data: Value,
    /// Fields left out for your role (docs/access.md), e.g. `reporter`: the
    /// report named a reporter, whose identity only the commune's worker and
    /// chairman read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
    /// Hex SHA-256 chain hash.
    pub hash: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Timeline {
    pub case_id: String,
    pub as_of: Option<DateTime<Utc>>,
    pub status: String,
    /// The `Case` state as it stood at `as_of`.
    #[schema(value_type = Object)]
    pub state: Value,
    pub events: Vec<TimelineEntry>,
    /// Events recorded after `as_of` (not shown).
    pub later_events: usize,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/timeline", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), TimelineQuery),
    responses((status = 200, body = Timeline), (status = 404, body = super::error::Problem)))]
pub async fn timeline(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<Timeline>, ApiError> {
    let as_of = q
        .as_of
        .as_deref()
        .map(|t| parse_time(t).map_err(|e| ApiError::invalid("as_of", e.to_string())))
        .transpose()?;
    let c = cases::timeline(&state.svc, &me, &ctx, &id, as_of).await?;
    let events = c
        .timeline
        .into_iter()
        .map(|e| {
            let data = serde_json::from_str(&e.payload).map_err(|err| {
                ApiError::internal(format!(
                    "stored event {} does not decode: {err}",
                    e.position
                ))
            })?;
            Ok(TimelineEntry {
                position: e.position,
                sequence: e.sequence,
                event_type: e.event_type,
                at: e.at,
                actor_id: e.meta.as_ref().map(|m| m.actor_id.clone()),
                role: e.meta.as_ref().map(|m| m.role.clone()),
                unit: e.meta.as_ref().map(|m| m.unit.clone()),
                recorded_at: e.meta.as_ref().map(|m| m.recorded_at),
                data,
                withheld: e.withheld,
                hash: e.hash,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(Timeline {
        case_id: id,
        as_of,
        status: c.state.status.as_str().to_string(),
        state: serde_json::to_value(&c.state).map_err(|e| ApiError::internal(e.to_string()))?,
        events,
        later_events: c.later_events,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", post(intake).get(list))
        .route("/cases/{id}", get(view))
        .route("/cases/{id}/actions", post(act))
        .route("/cases/{id}/timeline", get(timeline))
}
