//! Wiring: one `App` holds the ledger and a cqrs-es framework per aggregate, and
//! executes commands with the actor and recorded-at time as event metadata.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use cqrs_es::{Aggregate, AggregateError, CqrsFramework};
use hoso_domain::case::{Case, CaseCommand};
use hoso_domain::child::{Child, ChildCommand};
use hoso_domain::common::Actor;
use hoso_domain::officer::{Officer, OfficerCommand};
use hoso_ledger::cached::CachedStore;
use hoso_ledger::Ledger;

/// Aggregates kept in memory between commands (`hoso_ledger::cached`): a
/// command on a long case reads only the events it has not seen.
type Framework<A> = CqrsFramework<A, CachedStore<A>>;

/// Failures of the application layer that are not a domain rule.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Ledger(#[from] hoso_ledger::LedgerError),
    #[error(transparent)]
    Open(#[from] crate::privacy::OpenError),
    #[error("the store was opened without data keys: open it with `App::open` or `privacy::open_ledger`, so that personal data is sealed")]
    NotSealed,
    #[error("stored event at position {position} does not decode: {source}")]
    Payload {
        position: i64,
        source: serde_json::Error,
    },
}

/// The default database when neither `--database-url` nor `DATABASE_URL` is given.
pub const DEFAULT_DATABASE: &str = "sqlite://hoso.db";

pub struct App {
    pub ledger: Ledger,
    cases: Framework<Case>,
    children: Framework<Child>,
    officers: Framework<Officer>,
    /// The commands' caches, shared with reads of the current state.
    case_store: CachedStore<Case>,
    child_store: CachedStore<Child>,
}

fn framework<A>(store: &CachedStore<A>) -> Framework<A>
where
    A: Aggregate<Services = ()> + Clone,
{
    CqrsFramework::new(store.clone(), vec![], ())
}

/// How the actor of a command run on the server's own command line (`hoso
/// demo`, `hoso admin`, `hoso erase`, …) authenticated: by access to the
/// server itself.
pub const LOCAL: &str = "local";

/// Metadata stored (and hashed) with every event: who acted, in what role and
/// unit, how they authenticated (`auth`: `session:<token id>`,
/// `api:<token id>`, `activation` or `local`), and when the system recorded it.
pub fn metadata(actor: &Actor, auth: &str, recorded_at: DateTime<Utc>) -> HashMap<String, String> {
    HashMap::from([
        ("actor_id".to_string(), actor.officer_id.clone()),
        ("auth".to_string(), auth.to_string()),
        ("role".to_string(), actor.role.as_str().to_string()),
        ("unit".to_string(), actor.unit.code()),
        (
            "recorded_at".to_string(),
            recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        ),
    ])
}

impl App {
    /// Opens the store with the key-encryption key beside it (or `HOSO_KEK`).
    pub async fn open(database_url: &str) -> Result<App, AppError> {
        App::open_with(database_url, &crate::privacy::kek_path(None, database_url)).await
    }

    /// Opens the store with the key-encryption key at `kek`.
    pub async fn open_with(database_url: &str, kek: &std::path::Path) -> Result<App, AppError> {
        App::new(crate::privacy::open_ledger(database_url, kek).await?)
    }

    /// Commands over `ledger`, which must seal personal data.
    pub fn new(ledger: Ledger) -> Result<App, AppError> {
        if !ledger.seals() {
            return Err(AppError::NotSealed);
        }
        let case_store = CachedStore::new(ledger.clone());
        let child_store = CachedStore::new(ledger.clone());
        Ok(App {
            cases: framework(&case_store),
            children: framework(&child_store),
            officers: framework(&CachedStore::new(ledger.clone())),
            case_store,
            child_store,
            ledger,
        })
    }

    /// The current state of an aggregate, replayed from its events alone.
    pub async fn load<A: Aggregate>(&self, id: &str) -> Result<A, AppError> {
        let mut aggregate = A::default();
        for e in self.ledger.events_of(A::TYPE, id, 0).await? {
            let opened = self.ledger.open_event(&e).await?;
            let event: A::Event =
                serde_json::from_value(opened.payload).map_err(|source| AppError::Payload {
                    position: e.position,
                    source,
                })?;
            aggregate.apply(event);
        }
        Ok(aggregate)
    }

    /// A case as stored now, as a command on it would see it: from the
    /// commands' cache, brought forward by the events after it.
    pub async fn current_case(
        &self,
        id: &str,
    ) -> Result<Case, AggregateError<<Case as Aggregate>::Error>> {
        self.case_store.state(id).await
    }

    /// Children's records as stored now (as `current_case`), their last
    /// sequences asked for in one query.
    pub async fn current_children(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, Child>, AggregateError<<Child as Aggregate>::Error>> {
        self.child_store.states(ids).await
    }

    pub async fn case(
        &self,
        id: &str,
        cmd: CaseCommand,
        recorded_at: DateTime<Utc>,
        auth: &str,
    ) -> Result<(), AggregateError<<Case as Aggregate>::Error>> {
        let meta = metadata(&cmd.actor, auth, recorded_at);
        self.cases.execute_with_metadata(id, cmd, meta).await
    }

    pub async fn child(
        &self,
        id: &str,
        cmd: ChildCommand,
        recorded_at: DateTime<Utc>,
        auth: &str,
    ) -> Result<(), AggregateError<<Child as Aggregate>::Error>> {
        let meta = metadata(&cmd.actor, auth, recorded_at);
        self.children.execute_with_metadata(id, cmd, meta).await
    }

    pub async fn officer(
        &self,
        id: &str,
        cmd: OfficerCommand,
        recorded_at: DateTime<Utc>,
        auth: &str,
    ) -> Result<(), AggregateError<<Officer as Aggregate>::Error>> {
        let meta = metadata(&cmd.actor, auth, recorded_at);
        self.officers.execute_with_metadata(id, cmd, meta).await
    }
}
