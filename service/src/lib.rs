//! The service layer of hoso: every use case that the web pages, the JSON API
//! and the command line offer, written once. A face (HTTP handler, page,
//! subcommand) parses its input, calls one function here with the signed-in
//! officer (`Me`) and renders what comes back.
//!
//! What lives here and nowhere else: who may see a record and which of its
//! fields (`area` for places, `sight` for roles), turning a
//! request into a domain command with the actor and the time (`cases`,
//! `children`, `officers`), retry-safe commands (`idempotency`), the access
//! log (`access`), accounts and tokens (`accounts`), compliance exports
//! (`export`), the checkpoint signing key (`signing`), attachment files in a
//! content-addressed store (`files`, `attachments`), what official forms are
//! printed from (`documents`) and likely duplicate children (`duplicates`).
//!
//! Architecture invariant: no HTTP, no HTML, no command-line parsing. The
//! only SQL here is on the service's own tables (`store`): accounts, tokens
//! and idempotency records (and `files`: the attachment store); the event table belongs to the ledger and the
//! read models to the projections.

pub mod access;
pub mod accounts;
pub mod app;
pub mod area;
pub mod attachments;
pub mod cases;
pub mod children;
pub mod documents;
pub mod duplicates;
pub mod error;
pub mod export;
pub mod files;
pub mod health;
pub mod idempotency;
pub mod ids;
pub mod integrity;
pub mod officers;
pub mod privacy;
pub mod retention;
pub mod sight;
pub mod signing;
pub mod staff;
pub mod stats;
mod store;
pub mod throttle;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use accounts::Me;
pub use app::App;
pub use area::Area;
pub use error::{Error, FieldError, Rule, RuleKind};
pub use sight::Sight;

/// Everything a use case needs; cheap to clone.
#[derive(Clone)]
pub struct Service {
    pub app: Arc<App>,
    /// Signs the checkpoint an export is proven against; `None` when the
    /// service runs without a key (exports are then refused).
    pub signer: Option<Arc<hoso_ledger::checkpoint::Signer>>,
    /// The Merkle tree as stored (`hoso_ledger::tiles`), shared by the log's
    /// read API, the witnesses and the integrity checks: proofs without
    /// rebuilding the tree.
    pub tree: Arc<hoso_ledger::tiles::TreeCache>,
    /// One verification at a time in this process (`integrity`).
    pub(crate) verifying: Arc<tokio::sync::Semaphore>,
    /// Failed sign-ins by account and address (`throttle`).
    pub throttle: Arc<throttle::Throttle>,
}

impl Service {
    pub fn new(app: App) -> Service {
        Service {
            app: Arc::new(app),
            signer: None,
            tree: Arc::new(hoso_ledger::tiles::TreeCache::new()),
            verifying: Arc::new(tokio::sync::Semaphore::new(1)),
            throttle: Arc::new(throttle::Throttle::default()),
        }
    }

    pub fn with_signer(mut self, signer: hoso_ledger::checkpoint::Signer) -> Service {
        self.signer = Some(Arc::new(signer));
        self
    }

    pub fn ledger(&self) -> &hoso_ledger::Ledger {
        &self.app.ledger
    }

    pub fn db(&self) -> &hoso_ledger::Db {
        self.app.ledger.db()
    }
}

/// The server clock: the only source of `at` and `recorded_at` for commands
/// that come in through the service.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Brings a projection up to date with the store before a read that must see
/// everything committed so far (the command line, exports, the access log).
pub async fn refresh(
    ledger: &hoso_ledger::Ledger,
    p: hoso_projections::Projection,
) -> Result<(), hoso_projections::ProjectionError> {
    let t = hoso_projections::Target::live(p);
    hoso_projections::runner::ensure(ledger.db(), &t).await?;
    hoso_projections::runner::catch_up(ledger, &t, None).await?;
    Ok(())
}
