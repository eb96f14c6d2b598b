//! Starting the service: the one path by which `hoso serve` and every test
//! bring up HTTP. `start` creates the projections' tables, follows the store
//! with them, issues checkpoints while the log grows, and serves `/health`,
//! the web pages and the JSON API on the listener until `shutdown` or drop.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use hoso_ledger::checkpoint::Signer;
use hoso_ledger::Ledger;
use hoso_service::{App, Service};
use hoso_witness::{spawn_witnessing, WitnessEndpoint, Witnessing, WitnessingConfig};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::http::AppState;
use crate::log::LogApi;

/// How to run the service.
pub struct Config {
    pub listen: SocketAddr,
    /// Signs checkpoints and exports; without it exports are refused.
    pub signer: Option<Signer>,
    /// Issue a checkpoint this often while the log grows (with a signer).
    pub checkpoint_every: Option<Duration>,
    /// Witnesses that cosign every new checkpoint (c2sp.org/tlog-witness).
    pub witnesses: Vec<WitnessEndpoint>,
    /// Serve the log's read API (tlog-tiles) under `/log/`.
    pub log_api: bool,
    /// Proxies whose header says the client's address.
    pub proxies: crate::http::access::TrustedProxies,
    /// The URL people reach the site at (`--public-url`); when it is https,
    /// cookies are `Secure` and answers carry HSTS (`crate::headers`).
    pub public_url: Option<String>,
    /// Serve HTTPS with this configuration (`crate::tls::load`) instead of
    /// plain HTTP; cookies are then `Secure` and answers carry HSTS.
    pub tls: Option<crate::tls::TlsConfig>,
}

impl Config {
    /// 127.0.0.1 on a free port, no key: what most tests need.
    pub fn local() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            signer: None,
            checkpoint_every: None,
            witnesses: Vec::new(),
            log_api: true,
            proxies: Default::default(),
            public_url: None,
            tls: None,
        }
    }
}

/// The whole router: `/health`, the pages at `/`, the API at `/api/v1` and,
/// when given, the log's read API at `/log/`.
pub fn router(state: AppState, log: Option<LogApi>) -> Router {
    let https = state.https;
    let health = Router::new()
        .route("/health", get(health))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .with_state(state.clone());
    let mut app = health
        .merge(crate::web::router(state.clone()))
        .merge(crate::http::router(state));
    if let Some(log) = log {
        app = app.merge(crate::log::router(log));
    }
    crate::http::traced(crate::headers::secured(app, https))
}

async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let ledger = state.svc.ledger();
    let witnesses = state
        .witnesses
        .as_ref()
        .map(|w| serde_json::to_value(w.get()).unwrap_or(Value::Null))
        .unwrap_or_else(|| json!([]));
    match ledger.head().await {
        Ok(events) => (
            StatusCode::OK,
            Json(
                json!({"status": "ok", "backend": ledger.backend(), "events": events,
                        "witnesses": witnesses}),
            ),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "backend": ledger.backend(),
                            "witnesses": witnesses})),
            )
        }
    }
}

/// `/health/live`: the process answers (for a supervisor's liveness probe;
/// never touches the database, so an outage does not get it restarted).
async fn live() -> (StatusCode, Json<Value>) {
    (StatusCode::OK, Json(json!({"status": "live"})))
}

/// `/health/ready`: 200 when the store answers and every follower of the
/// log (each projection; the checkpoints, when this server signs them) holds
/// back no event older than `hoso_service::health::MAX_LAG`; 503 otherwise,
/// e.g. while the database is down or a projection is stuck, saying which
/// (for a load balancer's readiness probe).
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let ledger = state.svc.ledger();
    match hoso_service::health::readiness(&state.svc, state.checkpointing, chrono::Utc::now()).await
    {
        Ok(r) => {
            let status = if r.ready { "ready" } else { "lagging" };
            let code = if r.ready {
                StatusCode::OK
            } else {
                tracing::warn!(?r, "not ready: a follower of the log is behind");
                StatusCode::SERVICE_UNAVAILABLE
            };
            (
                code,
                Json(
                    json!({"status": status, "backend": ledger.backend(), "events": r.events,
                            "projections": r.projections, "checkpoint": r.checkpoint}),
                ),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "backend": ledger.backend()})),
            )
        }
    }
}

/// A running service.
pub struct Server {
    pub addr: SocketAddr,
    /// `http`, or `https` when serving TLS.
    pub scheme: &'static str,
    pub svc: Service,
    serving: Option<JoinHandle<std::io::Result<()>>>,
    stop: Option<oneshot::Sender<()>>,
    background: Vec<JoinHandle<()>>,
    witnessing: Option<Witnessing>,
}

/// Starts serving `ledger` (opened with its data keys:
/// `hoso_service::privacy::open_ledger`) as `config` says.
pub async fn start(ledger: Ledger, config: Config) -> std::io::Result<Server> {
    let app = App::new(ledger.clone()).map_err(std::io::Error::other)?;
    hoso_service::privacy::finish_erasures(&ledger)
        .await
        .map_err(std::io::Error::other)?;
    for p in hoso_projections::Projection::ALL {
        let t = hoso_projections::Target::live(p);
        hoso_projections::runner::ensure(ledger.db(), &t)
            .await
            .map_err(std::io::Error::other)?;
    }
    let mut svc = Service::new(app);
    if let Some(signer) = config.signer {
        svc = svc.with_signer(signer);
    }
    let checkpointing = svc.signer.is_some() && config.checkpoint_every.is_some();
    let mut background = vec![tokio::spawn(hoso_projections::runner::follow(
        ledger.clone(),
    ))];
    if let (Some(signer), Some(every)) = (svc.signer.clone(), config.checkpoint_every) {
        background.push(hoso_service::signing::spawn_checkpointer(
            ledger.clone(),
            signer,
            every,
        ));
    }
    background.push(hoso_service::accounts::spawn_pruning(
        svc.clone(),
        Duration::from_secs(3600),
    ));
    let cache = svc.tree.clone();
    let witnessing = (!config.witnesses.is_empty()).then(|| {
        spawn_witnessing(
            ledger.clone(),
            cache.clone(),
            config.witnesses,
            WitnessingConfig {
                poll: Duration::from_millis(250),
                ..WitnessingConfig::default()
            },
        )
    });
    let mut state = AppState::new(svc.clone());
    state.proxies = std::sync::Arc::new(config.proxies.clone());
    state.https = crate::headers::Https(
        config.tls.is_some() || crate::headers::Https::of(config.public_url.as_deref()).0,
    );
    state.witnesses = witnessing.as_ref().map(Witnessing::status_handle);
    state.checkpointing = checkpointing;
    let log = config.log_api.then(|| LogApi {
        ledger: ledger.clone(),
        cache,
    });
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state, log);
    let until_stopped = async {
        let _ = stopped.await;
    };
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let serving = match config.tls {
        None => tokio::spawn(
            axum::serve(listener, service)
                .with_graceful_shutdown(until_stopped)
                .into_future(),
        ),
        Some(tls) => {
            use axum::serve::ListenerExt;
            // tap_io: so that ConnectInfo<SocketAddr> is the peer's address.
            let listener = crate::tls::TlsListener::new(listener, tls)?.tap_io(|_| ());
            tokio::spawn(
                axum::serve(listener, service)
                    .with_graceful_shutdown(until_stopped)
                    .into_future(),
            )
        }
    };
    tracing::info!(%addr, scheme, backend = ledger.backend(), "hoso is listening");
    Ok(Server {
        addr,
        scheme,
        svc,
        serving: Some(serving),
        stop: Some(stop),
        background,
        witnessing,
    })
}

impl Server {
    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Stops accepting, lets the requests in flight finish, then stops the
    /// background tasks.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = match self.serving.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        };
        for t in self.background.drain(..) {
            t.abort();
        }
        if let Some(w) = self.witnessing.take() {
            w.stop().await;
        }
        result
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(t) = self.serving.take() {
            t.abort();
        }
        for t in self.background.drain(..) {
            t.abort();
        }
    }
}
