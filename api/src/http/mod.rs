//! The JSON API (`/api/v1`): axum routes over the service layer, the bearer
//! token extractor, problem+json errors, OpenAPI. Only this module knows the
//! JSON shapes of requests and answers; each handler parses, calls one
//! `hoso_service` function and encodes what it returns.
//!
//! Architecture invariant: the actor of every command is the signed-in officer
//! as the Officer aggregate has them now (`auth::CurrentOfficer`); nothing in a
//! request body names the actor or the time.

pub mod access;
pub mod attachments;
pub mod auth;
pub mod cases;
pub mod children;
pub mod error;
pub mod exports;
pub mod idempotency;
pub mod json;
pub mod officers;
pub mod openapi;
pub mod stats;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use hoso_service::Service;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Shared state of every handler and page; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub svc: Service,
    /// The witnesses' status, when the log asks witnesses to cosign.
    pub witnesses: Option<hoso_witness::StatusHandle>,
    /// The public URL is https (`crate::headers`).
    pub https: crate::headers::Https,
    /// Who may tell the client's address (`access::TrustedProxies`).
    pub proxies: std::sync::Arc<access::TrustedProxies>,
    /// A checkpoint is signed whenever the log grows, so readiness expects
    /// a recent one (`hoso_service::health`).
    pub checkpointing: bool,
}

impl AppState {
    pub fn new(svc: Service) -> AppState {
        AppState {
            svc,
            witnesses: None,
            https: Default::default(),
            proxies: Default::default(),
            checkpointing: false,
        }
    }
}

pub const REQUEST_ID: &str = "x-request-id";

/// `/api/v1/...` with the body limit and problem+json for unknown routes.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::routes())
        .merge(cases::routes())
        .merge(attachments::routes())
        .merge(children::routes())
        .merge(officers::routes())
        .merge(stats::routes())
        .merge(access::routes())
        .merge(exports::routes())
        .merge(openapi::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api/v1", api)
        .with_state(state)
        .layer(DefaultBodyLimit::max(json::BODY_LIMIT))
}

/// Request ids (generated or echoed) and one log line per answer, around the
/// whole service.
pub fn traced(router: Router) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID);
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_response(
                    |res: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
                        tracing::info!(status = res.status().as_u16(), ms = latency.as_millis() as u64, "answered");
                    },
                ),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn method_not_allowed() -> axum::response::Response {
    let (_, mut body) = error::ApiError::not_found("route").problem();
    body["type"] = "urn:hoso:problem:method-not-allowed".into();
    body["title"] = "Method not allowed".into();
    body["status"] = 405.into();
    body["detail"] = "this route does not take that method; see /api/v1/openapi.json".into();
    error::problem_response(axum::http::StatusCode::METHOD_NOT_ALLOWED, &body)
}

async fn not_found() -> error::ApiError {
    error::ApiError::Service(hoso_service::Error::NotFound(
        "no such route; see /api/v1/openapi.json".into(),
    ))
}
