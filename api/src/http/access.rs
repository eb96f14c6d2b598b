//! The access log over HTTP: `ReadContext` takes why and from where a read is
//! made from the request (`X-Access-Reason` header or `reason` query parameter,
//! the client address, the request id), and `GET /api/v1/access-log` lists the
//! reads for inspectors and admins (`hoso_service::access`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hoso_service::access::{self, AccessQuery as Query};
use serde::{Deserialize, Serialize};

use super::auth::CurrentOfficer;
use super::error::ApiError;
use super::json::ApiQuery;
use super::{AppState, REQUEST_ID};

const REASON_HEADER: &str = "x-access-reason";

/// Why and from where a read is made; taken from the request, not the body.
#[derive(Debug, Clone, Default)]
pub struct ReadContext(pub access::ReadContext);

impl std::ops::Deref for ReadContext {
    type Target = access::ReadContext;
    fn deref(&self) -> &access::ReadContext {
        &self.0
    }
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
        let reason = access::ReadContext::reason(header_reason.or(query_reason).as_deref())?;
        Ok(ReadContext(access::ReadContext {
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
        }))
    }
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
    /// `Case`, `Child`, `Officer` or `Export`.
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
    let rows = access::list(
        &state.svc,
        &me,
        Query {
            officer: q.officer,
            subject: q.subject,
            limit: q.limit,
            offset: q.offset,
        },
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|r| AccessEntry {
            position: r.position,
            officer_id: r.officer_id,
            sequence: r.sequence,
            role: Some(r.role),
            unit: Some(r.unit),
            recorded_at: r.recorded_at.parse().ok(),
            subject_type: Some(r.subject_type),
            subject_id: Some(r.subject_id),
            what: Some(r.what),
            reason: r.reason,
            client_ip: r.client_ip,
            request_id: r.request_id,
        })
        .collect();
    Ok(Json(AccessPage { items }))
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/access-log", get(list))
}
