//! The HTTP service. For now: `/health`, which also proves the store answers.

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hoso_ledger::Ledger;
use serde_json::{json, Value};

pub fn router(ledger: Ledger) -> Router {
    Router::new()
        .route("/health", get(health))
        .with_state(ledger)
}

async fn health(State(ledger): State<Ledger>) -> (StatusCode, Json<Value>) {
    match ledger.head().await {
        Ok(events) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "backend": ledger.backend(), "events": events})),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "backend": ledger.backend()})),
            )
        }
    }
}

pub async fn serve(ledger: Ledger, listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    // Projections catch up from their checkpoints, then follow new events.
    tokio::spawn(hoso_projections::runner::follow(ledger.clone()));
    tracing::info!(%addr, backend = ledger.backend(), "hoso is listening");
    println!(
        "hoso is listening on http://{addr} ({} store)",
        ledger.backend()
    );
    axum::serve(listener, router(ledger))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
