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
use chrono::{DateTime, Datelike, Utc};
use hoso_domain::case::{Case, CaseAction, CaseCommand, CaseStatus, Intake};
use hoso_domain::child::Child;
use hoso_domain::common::{Actor, CommuneRef, HarmType, RiskLevel, Unit};
use hoso_domain::places;
use hoso_projections::history::{case_as_of, parse_time};
use hoso_projections::read::{self, CaseFilter, CaseRow};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::{self, ReadContext};
use super::auth::CurrentOfficer;
use super::error::{aggregate_error, case_error, ApiError};
use super::idempotency::{self, ok};
use super::json::{ApiJson, ApiQuery};
use super::{now, AppState};

/// Whether a record of this commune is in the officer's area.
pub fn can_see(actor: &Actor, commune: &CommuneRef) -> bool {
    match actor.unit {
        Unit::National => true,
        Unit::Province { province } => places::rolled_up_province(commune) == Some(province),
        Unit::Commune { .. } => actor.is_in_commune(commune),
    }
}

pub fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            "1 to 100 characters: letters, digits, - _ . :",
        ))
    }
}

/// `HS-2026-1A2B3C4D`.
fn new_case_id() -> String {
    let n: u32 = rand::rngs::OsRng.gen();
    format!("HS-{}-{n:08X}", now().year())
}

/// The case if it exists and the officer may see it; 404 otherwise.
pub async fn visible_case(
    state: &AppState,
    me: &CurrentOfficer,
    id: &str,
) -> Result<Case, ApiError> {
    check_id("id", id)?;
    let case: Case = state.app.load(id).await?;
    match case.commune {
        Some(c) if case.is_opened() && can_see(&me.actor, &c) => Ok(case),
        _ => Err(ApiError::not_found("case")),
    }
}

/// What a case command answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseCommandResult {
    pub case_id: String,
    /// The case's step after the command.
    pub status: String,
    /// Events the case has now.
    pub events: u64,
}

async fn execute(
    state: &AppState,
    me: &CurrentOfficer,
    id: &str,
    action: CaseAction,
) -> Result<CaseCommandResult, ApiError> {
    let at = now();
    let cmd = CaseCommand {
        actor: me.actor.clone(),
        at,
        action,
    };
    state
        .app
        .case(id, cmd, at)
        .await
        .map_err(|e| aggregate_error(e, case_error))?;
    let case: Case = state.app.load(id).await?;
    Ok(CaseCommandResult {
        case_id: id.to_string(),
        status: case.status.as_str().to_string(),
        events: case.events_applied,
    })
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
    let request = format!(
        "POST /cases {}",
        serde_json::to_string(&intake).unwrap_or_default()
    );
    idempotency::once(&state, &me, &headers, &request, || async {
        check_id("child_id", &intake.child_id)?;
        let child: Child = state.app.load(&intake.child_id).await?;
        if !child.registered {
            return Err(ApiError::invalid(
                "child_id",
                "no registered child has this id: register the child first (POST /api/v1/children)",
            ));
        }
        let id = new_case_id();
        let r = execute(&state, &me, &id, CaseAction::RecordIntake(intake)).await?;
        ok(StatusCode::CREATED, &r)
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
    let request = format!(
        "POST /cases/{id}/actions {}",
        serde_json::to_string(&action).unwrap_or_default()
    );
    idempotency::once(&state, &me, &headers, &request, || async {
        if matches!(action, CaseAction::RecordIntake(_)) {
            return Err(ApiError::invalid(
                "type",
                "an intake opens a new case: POST /api/v1/cases",
            ));
        }
        visible_case(&state, &me, &id).await?;
        let r = execute(&state, &me, &id, action).await?;
        ok(StatusCode::OK, &r)
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    /// Why you read (also `X-Access-Reason`); not needed for the list.
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

fn check_enum<T: serde::de::DeserializeOwned>(
    field: &str,
    value: &Option<String>,
) -> Result<(), ApiError> {
    if let Some(v) = value {
        serde_json::from_value::<T>(Value::String(v.clone()))
            .map_err(|e| ApiError::invalid(field, e.to_string()))?;
    }
    Ok(())
}

/// The case list of the officer's area, overdue first. Served from the case
/// view projection, which follows the store within moments.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    params(ListQuery), responses((status = 200, body = CasePage), (status = 422, body = super::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    if let Some(s) = &q.status {
        if CaseStatus::parse(s).is_none() {
            return Err(ApiError::invalid("status", format!("unknown status `{s}`")));
        }
    }
    check_enum::<RiskLevel>("risk", &q.risk)?;
    check_enum::<HarmType>("harm_type", &q.harm_type)?;
    if let Some(g) = &q.group {
        if hoso_domain::child::CircumstanceGroup::parse(g).is_none() {
            return Err(ApiError::invalid("group", format!("unknown group `{g}`")));
        }
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "from 1 to 200"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid("offset", "not negative"));
    }
    let mut f = CaseFilter {
        province: q.province,
        commune: q.commune,
        status: q.status.clone(),
        risk: q.risk.clone(),
        harm_type: q.harm_type.clone(),
        group: q.group.clone(),
        worker: q.worker.clone(),
        overdue: q.overdue.unwrap_or(false),
        limit,
        offset,
    };
    let empty = || {
        Json(CasePage {
            total: 0,
            limit,
            offset,
            items: Vec::new(),
        })
    };
    // The officer's area narrows every filter.
    let commune_unit = match me.actor.unit {
        Unit::National => None,
        Unit::Province { province } => {
            if f.province.is_some_and(|p| p != province) {
                return Ok(empty());
            }
            f.province = Some(province);
            None
        }
        Unit::Commune { province, commune } => {
            if f.province.is_some_and(|p| p != province) || f.commune.is_some_and(|c| c != commune)
            {
                return Ok(empty());
            }
            f.province = Some(province);
            f.commune = Some(commune);
            Some(())
        }
    };
    let page = read::list_cases(state.db(), &f, now()).await?;
    let mut total = page.total;
    let items: Vec<CaseSummary> = page
        .items
        .into_iter()
        .filter(|r| {
            // A pre-2025 commune may share the code of today's commune.
            let keep = commune_unit.is_none() || r.structure.as_deref() == Some("2025");
            if !keep {
                total -= 1;
            }
            keep
        })
        .map(CaseSummary::from)
        .collect();
    Ok(Json(CasePage {
        total,
        limit,
        offset,
        items,
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

fn name_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    let case = visible_case(&state, &me, &id).await?;
    access::record(&state, &me, &ctx, "Case", &id, "case_view").await?;
    let t = now();
    let summary = read::case_view(state.db(), &id, t)
        .await?
        .map(CaseSummary::from);
    Ok(Json(CaseDetail {
        case_id: id,
        status: case.status.as_str().to_string(),
        next_deadline: case.next_deadline().map(|(k, due)| DeadlineDue {
            kind: name_of(&k),
            due,
        }),
        missed_deadlines: case.missed_deadlines(t).iter().map(name_of).collect(),
        state: serde_json::to_value(&case).map_err(|e| ApiError::Internal(e.to_string()))?,
        summary,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    /// The event as stored (and hashed).
    #[schema(value_type = Object)]
    pub data: Value,
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
    visible_case(&state, &me, &id).await?;
    let Some(c) = case_as_of(&state.app.ledger, &id, as_of).await? else {
        return Err(ApiError::NotFound(
            "no event of this case was recorded by then".into(),
        ));
    };
    let what = if as_of.is_some() {
        "case_as_of"
    } else {
        "case_timeline"
    };
    access::record(&state, &me, &ctx, "Case", &id, what).await?;
    let events = c
        .timeline
        .into_iter()
        .map(|e| TimelineEntry {
            position: e.position,
            sequence: e.sequence,
            event_type: e.event_type,
            at: e.at,
            actor_id: e.meta.as_ref().map(|m| m.actor_id.clone()),
            role: e.meta.as_ref().map(|m| m.role.clone()),
            unit: e.meta.as_ref().map(|m| m.unit.clone()),
            recorded_at: e.meta.as_ref().map(|m| m.recorded_at),
            data: serde_json::from_str(&e.payload).unwrap_or(Value::Null),
            hash: e.hash,
        })
        .collect();
    Ok(Json(Timeline {
        case_id: id,
        as_of,
        status: c.state.status.as_str().to_string(),
        state: serde_json::to_value(&c.state).map_err(|e| ApiError::Internal(e.to_string()))?,
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
