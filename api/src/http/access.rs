//! The access log: every read of a case, a child or an officer's history is
//! recorded — who, what, when, why (`X-Access-Reason` header or `reason` query
//! parameter), from where (client address) — as an event of aggregate type
//! `AccessLog` in the event store itself, one chain per reading officer. So the
//! records are append-only, hash-chained, in the global order and covered by
//! `hoso verify` like every other event. Inspectors and admins read them with
//! `GET /api/v1/access-log`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hoso_domain::common::{Role, Unit};
use hoso_ledger::{LedgerError, NewEvent};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::auth::CurrentOfficer;
use super::db::{select, Val};
use super::error::ApiError;
use super::json::ApiQuery;
use super::{now, AppState, REQUEST_ID};

pub const AGGREGATE_TYPE: &str = "AccessLog";
const EVENT_TYPE: &str = "RecordRead";
const REASON_HEADER: &str = "x-access-reason";
const MAX_REASON: usize = 500;

/// Why and from where a read is made; taken from the request, not the body.
#[derive(Debug, Clone, Default)]
pub struct ReadContext {
    pub reason: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ReadContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let header_reason = parts
            .headers
            .get(REASON_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let query_reason = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "reason")
            .map(|(_, v)| v.into_owned());
        let reason = header_reason
            .or(query_reason)
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_REASON)
        {
            return Err(ApiError::invalid(
                "reason",
                format!("at most {MAX_REASON} characters"),
            ));
        }
        Ok(ReadContext {
            reason,
            client_ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
            request_id: parts
                .headers
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}

/// Appends one access record to the reading officer's chain; retried when
/// another read by the same officer took the sequence first.
pub async fn record(
    state: &AppState,
    me: &CurrentOfficer,
    ctx: &ReadContext,
    subject_type: &str,
    subject_id: &str,
    what: &str,
) -> Result<(), ApiError> {
    let at = now();
    let payload = json!({
        "type": "record_read",
        "at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "subject_type": subject_type,
        "subject_id": subject_id,
        "what": what,
        "reason": ctx.reason,
        "client_ip": ctx.client_ip,
        "request_id": ctx.request_id,
    });
    let canonical = |v: &Value| {
        hoso_ledger::encoding::canonical_json(v)
            .map_err(|e| ApiError::Internal(format!("canonical JSON: {e}")))
    };
    let payload = canonical(&payload)?;
    let metadata = canonical(&json!(crate::app::metadata(&me.actor, at)))?;
    let officer = me.actor.officer_id.as_str();
    for _ in 0..8 {
        let last = select(
            state.db(),
            "SELECT CAST(COALESCE(MAX(sequence), 0) AS BIGINT) FROM events WHERE aggregate_type = ? AND aggregate_id = ?",
            &[AGGREGATE_TYPE.into(), officer.into()],
        )
        .await?
        .first()
        .and_then(|r| r[0].as_i64())
        .unwrap_or(0);
        let event = NewEvent {
            aggregate_type: AGGREGATE_TYPE.to_string(),
            aggregate_id: officer.to_string(),
            sequence: last as u64 + 1,
            event_type: EVENT_TYPE.to_string(),
            event_version: "1".to_string(),
            payload: payload.clone(),
            metadata: metadata.clone(),
        };
        match state.app.ledger.append(vec![event]).await {
            Ok(()) => return Ok(()),
            Err(LedgerError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Internal(
        "the access record could not be appended".into(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    /// Only reads by this officer.
    pub officer: Option<String>,
    /// Only reads of this record (case, child or officer id).
    pub subject: Option<String>,
    /// At most 500; default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// One read, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessEntry {
    pub position: i64,
    pub officer_id: String,
    pub sequence: i64,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
    /// `Case`, `Child` or `Officer`.
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    /// e.g. `case_view`, `case_timeline`, `child`, `officer_history`.
    pub what: Option<String>,
    pub reason: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessPage {
    pub items: Vec<AccessEntry>,
}

#[utoipa::path(get, path = "/api/v1/access-log", tag = "access log", security(("bearer" = [])),
    params(AccessQuery),
    responses((status = 200, body = AccessPage), (status = 403, body = super::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ApiQuery(q): ApiQuery<AccessQuery>,
) -> Result<Json<AccessPage>, ApiError> {
    me.require(&[Role::Inspector, Role::Admin], "read the access log")?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("limit", "from 1 to 500"));
    }
    let offset = q.offset.unwrap_or(0).max(0);
    let mut sql = "SELECT position, aggregate_id, sequence, payload, metadata FROM events WHERE aggregate_type = ?".to_string();
    let mut params: Vec<Val> = vec![AGGREGATE_TYPE.into()];
    if let Some(o) = &q.officer {
        sql.push_str(" AND aggregate_id = ?");
        params.push(o.as_str().into());
    }
    if let Some(s) = &q.subject {
        // Canonical JSON: the member is written exactly like this.
        sql.push_str(" AND payload LIKE ?");
        params.push(Val::Text(format!(
            "%\"subject_id\":{}%",
            Value::String(s.clone())
        )));
    }
    // A provincial inspector sees the reads made by officers of their province.
    if let Unit::Province { province } = me.actor.unit {
        sql.push_str(" AND (metadata LIKE ? OR metadata LIKE ?)");
        params.push(Val::Text(format!("%\"unit\":\"province:{province}\"%")));
        params.push(Val::Text(format!("%\"unit\":\"commune:{province}:%")));
    }
    sql.push_str(" ORDER BY position DESC LIMIT ? OFFSET ?");
    params.push(limit.into());
    params.push(offset.into());
    let items = select(state.db(), &sql, &params)
        .await?
        .iter()
        .map(|r| {
            let p: Value = serde_json::from_str(&r[3].text()).unwrap_or(Value::Null);
            let m: Value = serde_json::from_str(&r[4].text()).unwrap_or(Value::Null);
            let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            AccessEntry {
                position: r[0].as_i64().unwrap_or(0),
                officer_id: r[1].text(),
                sequence: r[2].as_i64().unwrap_or(0),
                role: s(&m, "role"),
                unit: s(&m, "unit"),
                recorded_at: s(&m, "recorded_at").and_then(|t| t.parse().ok()),
                subject_type: s(&p, "subject_type"),
                subject_id: s(&p, "subject_id"),
                what: s(&p, "what"),
                reason: s(&p, "reason"),
                client_ip: s(&p, "client_ip"),
                request_id: s(&p, "request_id"),
            }
        })
        .collect();
    Ok(Json(AccessPage { items }))
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/access-log", get(list))
}
