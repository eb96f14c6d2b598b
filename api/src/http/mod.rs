//! The HTTP API (`/api/v1`): axum routes over `App`, authentication, problem+json
//! errors, OpenAPI. Only this module knows HTTP and JSON request shapes.
//!
//! Architecture invariant: the actor of every command is the signed-in officer
//! as the Officer aggregate has them now (`auth::CurrentOfficer`); nothing in a
//! request body names the actor or the time.

pub mod access;
pub mod admin;
pub mod auth;
pub mod bench;
pub mod cases;
pub mod children;
pub mod db;
pub mod error;
pub mod exports;
pub mod idempotency;
pub mod json;
pub mod officers;
pub mod openapi;
pub mod reads;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use chrono::{DateTime, Utc};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::app::App;

/// Shared state of every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Signs the checkpoint an export is proven against; `None` when the
    /// server was started without a key (exports then answer 500).
    pub signer: Option<Arc<hoso_ledger::checkpoint::Signer>>,
}

impl AppState {
    pub fn new(app: App) -> AppState {
        AppState {
            app: Arc::new(app),
            signer: None,
        }
    }

    pub fn with_signer(mut self, signer: hoso_ledger::checkpoint::Signer) -> AppState {
        self.signer = Some(Arc::new(signer));
        self
    }

    pub fn db(&self) -> &hoso_ledger::Db {
        self.app.ledger.db()
    }
}

/// The server clock: the only source of `at` and `recorded_at` for HTTP commands.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub const REQUEST_ID: &str = "x-request-id";

/// `/api/v1/...` with request ids, tracing, the body limit and problem+json
/// for unknown routes.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID);
    let api = Router::new()
        .merge(auth::routes())
        .merge(cases::routes())
        .merge(children::routes())
        .merge(officers::routes())
        .merge(reads::routes())
        .merge(access::routes())
        .merge(exports::routes())
        .merge(openapi::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api/v1", api)
        .with_state(state)
        .layer(DefaultBodyLimit::max(json::BODY_LIMIT))
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
    let (_, mut body) = error::ApiError::NotFound(String::new()).problem();
    body["type"] = "urn:hoso:problem:method-not-allowed".into();
    body["title"] = "Method not allowed".into();
    body["status"] = 405.into();
    body["detail"] = "this route does not take that method; see /api/v1/openapi.json".into();
    error::problem_response(axum::http::StatusCode::METHOD_NOT_ALLOWED, &body)
}

/// Serves the whole service (`/health` and `/api/v1`) on `listener` with
/// client addresses, with the projections created and followed, until the task
/// is dropped. For tests and `bench http`.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    ledger: hoso_ledger::Ledger,
) -> std::io::Result<()> {
    serve_on_with(listener, ledger, None).await
}

/// `serve_on` with a checkpoint signer, so exports can be downloaded.
pub async fn serve_on_with(
    listener: tokio::net::TcpListener,
    ledger: hoso_ledger::Ledger,
    signer: Option<hoso_ledger::checkpoint::Signer>,
) -> std::io::Result<()> {
    for p in hoso_projections::Projection::ALL {
        let t = hoso_projections::Target::live(p);
        hoso_projections::runner::ensure(ledger.db(), &t)
            .await
            .map_err(std::io::Error::other)?;
    }
    // The follower stops with the server, also when the serving task is aborted.
    struct AbortOnDrop(tokio::task::JoinHandle<()>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let _follower = AbortOnDrop(tokio::spawn(hoso_projections::runner::follow(
        ledger.clone(),
    )));
    axum::serve(
        listener,
        crate::server::router_with_signer(ledger, signer)
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}

async fn not_found() -> error::ApiError {
    error::ApiError::NotFound("no such route; see /api/v1/openapi.json".into())
}
