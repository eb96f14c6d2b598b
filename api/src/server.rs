//! The HTTP service: `/health`, which also proves the store answers, and the
//! JSON API under `/api/v1` (`crate::http`).

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hoso_ledger::Ledger;
use serde_json::{json, Value};

pub fn router(ledger: Ledger) -> Router {
    router_with_signer(ledger, None)
}

/// The whole service; with a signer, inspectors can download exports.
pub fn router_with_signer(
    ledger: Ledger,
    signer: Option<hoso_ledger::checkpoint::Signer>,
) -> Router {
    let mut api = crate::http::AppState::new(crate::app::App::new(ledger.clone()));
    if let Some(signer) = signer {
        api = api.with_signer(signer);
    }
    Router::new()
        .route("/health", get(health))
        .with_state(ledger)
        .merge(crate::web::router(api.clone()))
        .merge(crate::http::router(api))
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

pub async fn serve(
    ledger: Ledger,
    listen: SocketAddr,
    signer: Option<hoso_ledger::checkpoint::Signer>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    // Projections catch up from their checkpoints, then follow new events.
    tokio::spawn(hoso_projections::runner::follow(ledger.clone()));
    tracing::info!(%addr, backend = ledger.backend(), "hoso is listening");
    println!(
        "hoso is listening on http://{addr} ({} store)",
        ledger.backend()
    );
    let state = crate::http::AppState::new(crate::app::App::new(ledger.clone()));
    if let Some(hint) = crate::http::admin::first_start_hint(&state).await {
        // Not println!: stdout may be a closed pipe, which must not stop the server.
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "{hint}");
        tracing::warn!("no administrator account yet: see `hoso admin create-officer --help`");
    }
    axum::serve(
        listener,
        router_with_signer(ledger, signer).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
