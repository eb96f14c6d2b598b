//! The access log over HTTP: `ReadContext` takes why and from where a read is
//! made from the request (`X-Access-Reason` header or `reason` query parameter,
//! the client address, the request id), and `GET /api/v1/access-log` lists the
//! reads for inspectors (`hoso_service::access`).
//!
//! The client address is the connection's peer, unless the peer is one of the
//! configured trusted proxies (`hoso serve --trusted-proxy`): then it is read
//! from the configured header only (`X-Forwarded-For` by default: the nearest
//! address that is not itself a trusted proxy). A header from anyone else is
//! ignored, so a client cannot choose the address the log keeps.

use std::net::{IpAddr, SocketAddr};

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

/// `%XX` escapes of UTF-8 decoded; anything else as it is.
fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| v.to_string())
}

/// Which proxies may say who the client is, and in which header.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    pub proxies: Vec<IpAddr>,
    /// Lower-case header name; `x-forwarded-for` when not given.
    pub header: Option<String>,
}

impl TrustedProxies {
    /// The client's address for a request that came from `peer`.
    pub fn client(&self, peer: Option<IpAddr>, headers: &axum::http::HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.proxies.contains(&peer) {
            return Some(peer);
        }
        let name = self.header.as_deref().unwrap_or("x-forwarded-for");
        // Every value of the header, in order, as one comma-separated list:
        // each proxy appends the address it saw.
        let listed: Vec<IpAddr> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().parse::<IpAddr>())
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        // From the nearest: the first address that is not a trusted proxy.
        listed
            .iter()
            .rev()
            .find(|a| !self.proxies.contains(a))
            .or(listed.first())
            .copied()
            .or(Some(peer))
    }
}

impl FromRequestParts<AppState> for ReadContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Vietnamese in a header: raw UTF-8, or percent-encoded UTF-8.
        let header_reason = parts
            .headers
            .get(REASON_HEADER)
            .and_then(|v| String::from_utf8(v.as_bytes().to_vec()).ok())
            .map(|v| {
                if v.contains('%') {
                    percent_decode(&v)
                } else {
                    v
                }
            });
        let query_reason = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "reason")
            .map(|(_, v)| v.into_owned());
        // The limit holds for every reason sent, spaces included (as documented),
        // also for a `reason` parameter that the header takes precedence over.
        let too_long = |r: &Option<String>| {
            r.as_deref()
                .is_some_and(|r| r.chars().count() > access::MAX_REASON)
        };
        if too_long(&header_reason) || too_long(&query_reason) {
            return Err(ApiError::invalid(
                "reason",
                format!("at most {} characters", access::MAX_REASON),
            ));
        }
        let given = header_reason
            .or(query_reason)
            .or_else(|| crate::web::reason_cookie(&parts.headers));
        if too_long(&given) {
            return Err(ApiError::invalid(
                "reason",
                format!("at most {} characters", access::MAX_REASON),
            ));
        }
        let reason = access::ReadContext::reason(given.as_deref())?;
        Ok(ReadContext(access::ReadContext {
            reason,
            client_ip: state
                .proxies
                .client(
                    parts
                        .extensions
                        .get::<ConnectInfo<SocketAddr>>()
                        .map(|c| c.0.ip()),
                    &parts.headers,
                )
                .map(|ip| ip.to_string()),
            request_id: parts
                .headers
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    /// Only reads by this officer.
    pub officer: Option<String>,
    /// Only reads of this record (case, child or officer id).
    pub subject: Option<String>,
    /// At most 500; default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Why you read the log (or the `X-Access-Reason` header); required.
    pub reason: Option<String>,
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
    /// The unit of the record read (`commune:42:18070`), when the read named it.
    pub subject_unit: Option<String>,
    /// e.g. `case_view`, `case_timeline`, `child`, `officer_history`, `case_list`.
    pub what: Option<String>,
    /// Lists and searches: what was asked.
    pub query: Option<String>,
    /// Lists and searches: how many records matched.
    pub results: Option<i64>,
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
    ctx: ReadContext,
    ApiQuery(q): ApiQuery<AccessQuery>,
) -> Result<Json<AccessPage>, ApiError> {
    let rows = access::list(
        &state.svc,
        &me,
        &ctx,
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
            subject_unit: r.subject_unit,
            what: Some(r.what),
            query: r.query,
            results: r.results,
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_peer_is_the_client_unless_it_is_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let forged = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(
            none.client(Some(ip("198.51.100.4")), &forged),
            Some(ip("198.51.100.4"))
        );
        let proxy = TrustedProxies {
            proxies: vec![ip("10.0.0.1")],
            header: None,
        };
        // A client that is not the proxy cannot choose its address.
        assert_eq!(
            proxy.client(Some(ip("198.51.100.4")), &forged),
            Some(ip("198.51.100.4"))
        );
        // Through the proxy: the address the proxy saw, not what the client wrote.
        let through = headers("x-forwarded-for", &["203.0.113.9, 198.51.100.4"]);
        assert_eq!(
            proxy.client(Some(ip("10.0.0.1")), &through),
            Some(ip("198.51.100.4"))
        );
        // Without the header the proxy itself.
        assert_eq!(
            proxy.client(Some(ip("10.0.0.1")), &HeaderMap::new()),
            Some(ip("10.0.0.1"))
        );
        // Garbage in the header: the proxy itself, never a made-up address.
        let garbage = headers("x-forwarded-for", &["evil, 198.51.100.4"]);
        assert_eq!(
            proxy.client(Some(ip("10.0.0.1")), &garbage),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn a_reason_header_may_be_utf8_or_percent_encoded() {
        assert_eq!(
            percent_decode("Thanh%20tra%20%C4%91%E1%BB%8Bnh%20k%E1%BB%B3"),
            "Thanh tra định kỳ"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%FF"), "%FF");
    }

    #[test]
    fn only_the_configured_header_counts() {
        let proxy = TrustedProxies {
            proxies: vec![ip("10.0.0.1"), ip("10.0.0.2")],
            header: Some("x-real-ip".into()),
        };
        let xff = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(
            proxy.client(Some(ip("10.0.0.1")), &xff),
            Some(ip("10.0.0.1"))
        );
        let real = headers("x-real-ip", &["198.51.100.7"]);
        assert_eq!(
            proxy.client(Some(ip("10.0.0.2")), &real),
            Some(ip("198.51.100.7"))
        );
        // Two trusted proxies in a row: the first address before them.
        let chain = TrustedProxies {
            proxies: vec![ip("10.0.0.1"), ip("10.0.0.2")],
            header: None,
        };
        let h = headers("x-forwarded-for", &["198.51.100.7, 10.0.0.2"]);
        assert_eq!(
            chain.client(Some(ip("10.0.0.1")), &h),
            Some(ip("198.51.100.7"))
        );
    }
}
