//! The log's read API (c2sp.org/tlog-tiles) under `/log/`, for monitors and
//! witnesses, without an account: the newest checkpoint with its
//! cosignatures, hash tiles, entry bundles (each entry is a 32-byte event
//! hash), and RFC 9162 consistency and inclusion proofs. It publishes hashes
//! only, never a payload; what it reveals is how many events the log holds
//! and when they were added (docs/transparency.md). `hoso serve --log-api off`
//! turns it off.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hoso_ledger::tiles::{proof_text, resource, TreeCache};
use hoso_ledger::Ledger;
use serde::Deserialize;

/// What the log API needs.
#[derive(Clone)]
pub struct LogApi {
    pub ledger: Ledger,
    pub cache: Arc<TreeCache>,
}

pub const PREFIX: &str = "/log";

pub fn router(api: LogApi) -> Router {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/tile/{*rest}", get(tile))
        .route("/log/proof/consistency", get(consistency))
        .route("/log/proof/inclusion", get(inclusion))
        .with_state(api)
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %e, "log read API");
    text(StatusCode::NOT_FOUND, format!("{e}\n"))
}

async fn serve(api: &LogApi, path: &str) -> Response {
    match resource(&api.ledger, &api.cache, path).await {
        Ok(Some(t)) => {
            let cache = if t.immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            let mut r = (StatusCode::OK, t.bytes).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(t.content_type),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            r
        }
        Ok(None) => text(StatusCode::NOT_FOUND, "not found\n".into()),
        Err(e) => failed(e),
    }
}

async fn checkpoint(State(api): State<LogApi>) -> Response {
    serve(&api, "checkpoint").await
}

async fn tile(State(api): State<LogApi>, Path(rest): Path<String>) -> Response {
    serve(&api, &format!("tile/{rest}")).await
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    old: u64,
    new: u64,
}

/// `?old=N&new=M`: the consistency proof between the trees of sizes N and M,
/// one base64 hash per line (as in c2sp.org/tlog-witness requests).
async fn consistency(State(api): State<LogApi>, Query(q): Query<ConsistencyQuery>) -> Response {
    match api.cache.consistency_proof(&api.ledger, q.old, q.new).await {
        Ok(p) => text(StatusCode::OK, proof_text(&p)),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
struct InclusionQuery {
    /// The event's position (leaf index + 1).
    position: u64,
    size: u64,
}

/// `?position=P&size=S`: the inclusion proof of the event at position P in
/// the tree of size S, one base64 hash per line.
async fn inclusion(State(api): State<LogApi>, Query(q): Query<InclusionQuery>) -> Response {
    match api
        .cache
        .inclusion_proof(&api.ledger, q.position, q.size)
        .await
    {
        Ok(p) => text(StatusCode::OK, proof_text(&p)),
        Err(e) => failed(e),
    }
}
