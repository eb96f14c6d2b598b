//! `hoso bench append`: events/s for appends through cqrs-es at several
//! concurrencies, on the selected backend, in a scratch database that is dropped
//! afterwards; on PostgreSQL also plain cqrs-es + postgres-es on the same
//! workload, as the baseline the hash chain must not fall behind.

use std::sync::Arc;
use std::time::Instant;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, CqrsFramework, DomainEvent, EventStore};
use hoso_ledger::cached::CachedStore;
use hoso_ledger::{Db, Ledger};
use postgres_es::PostgresEventRepository;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};

/// Commands per aggregate: a case sees about this many actions.
const EVENTS_PER_AGGREGATE: usize = 10;

/// A case-note-like aggregate: the workload measures the store, not the rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Notebook {
    notes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NotebookEvent {
    NoteAdded { n: u64, text: String, at: String },
}

impl DomainEvent for NotebookEvent {
    fn event_type(&self) -> String {
        "NoteAdded".into()
    }
    fn event_version(&self) -> String {
        "1".into()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("never")]
pub struct Never;

impl Aggregate for Notebook {
    const TYPE: &'static str = "BenchNotebook";
    type Command = String;
    type Event = NotebookEvent;
    type Error = Never;
    type Services = ();

    async fn handle(&mut self, text: String, _: &(), sink: &EventSink<Self>) -> Result<(), Never> {
        let n = self.notes + 1;
        let event = NotebookEvent::NoteAdded {
            n,
            text,
            at: "2026-11-23T08:00:00.000000Z".into(),
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: NotebookEvent) {
        let NotebookEvent::NoteAdded { n, .. } = event;
        self.notes = n;
    }
}

/// The notebook's note text is personal, sealed with one data key per
/// notebook, as a case's narratives are with its child's key: the hoso line
/// measures appends with sealing.
struct NotebookPrivacy;

impl hoso_ledger::seal::Classifier for NotebookPrivacy {
    fn split(
        &self,
        aggregate_type: &str,
        _event_type: &str,
        payload: &serde_json::Value,
    ) -> Option<(serde_json::Value, serde_json::Value)> {
        if aggregate_type != Notebook::TYPE {
            return None;
        }
        let mut public = payload.clone();
        let text = public
            .get_mut("NoteAdded")?
            .as_object_mut()?
            .remove("text")?;
        Some((public, serde_json::json!({"NoteAdded": {"text": text}})))
    }

    fn merge(&self, public: &mut serde_json::Value, personal: serde_json::Value) {
        if let (Some(p), Some(text)) = (
            public.get_mut("NoteAdded").and_then(|v| v.as_object_mut()),
            personal.get("NoteAdded").and_then(|v| v.get("text")),
        ) {
            p.insert("text".into(), text.clone());
        }
    }

    fn subject(&self, aggregate_type: &str) -> Option<hoso_ledger::seal::SubjectRule> {
        (aggregate_type == Notebook::TYPE)
            .then_some(hoso_ledger::seal::SubjectRule::Own("Notebook"))
    }
}

const NOTE: &str = "Cán bộ xã đã đến thăm gia đình, trẻ đang đi học đều, sức khỏe ổn định; \
người chăm sóc cam kết không để trẻ tiếp xúc với người có nguy cơ gây hại. Hẹn rà soát lại sau hai tuần.";

/// One measured run.
pub struct Run {
    pub label: &'static str,
    pub backend: String,
    pub concurrency: usize,
    pub events: usize,
    pub seconds: f64,
}

impl Run {
    pub fn line(&self) -> String {
        format!(
            "bench={} backend={} concurrency={} events={} seconds={:.2} events_per_s={:.0}",
            self.label,
            self.backend,
            self.concurrency,
            self.events,
            self.seconds,
            self.events as f64 / self.seconds.max(1e-9)
        )
    }
}

async fn drive<S>(
    cqrs: Arc<CqrsFramework<Notebook, S>>,
    run_id: &str,
    concurrency: usize,
    events: usize,
) -> anyhow::Result<f64>
where
    S: EventStore<Notebook> + 'static,
    S::AC: Send,
{
    let aggregates = events.div_ceil(EVENTS_PER_AGGREGATE);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let cqrs = cqrs.clone();
        let run_id = run_id.to_string();
        tasks.push(tokio::spawn(async move {
            for a in (w..aggregates).step_by(concurrency) {
                let id = format!("{run_id}-{a}");
                for _ in 0..EVENTS_PER_AGGREGATE {
                    cqrs.execute(&id, NOTE.to_string()).await?;
                }
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Events already in the long case before it is measured.
const LONG_CASE: usize = 500;
/// Commands measured on each case, one writer.
const MEASURED: usize = 200;

/// Commands/s on a fresh case and on one that already has `LONG_CASE`
/// events, one writer: whether a command's cost grows with its case.
async fn long_case<S>(
    cqrs: Arc<CqrsFramework<Notebook, S>>,
    run_id: &str,
) -> anyhow::Result<(f64, f64)>
where
    S: EventStore<Notebook> + 'static,
    S::AC: Send,
{
    let long = format!("{run_id}-long");
    for _ in 0..LONG_CASE {
        cqrs.execute(&long, NOTE.to_string()).await?;
    }
    let mut rates = [0.0; 2];
    for (i, id) in [format!("{run_id}-fresh"), long].iter().enumerate() {
        let started = Instant::now();
        for _ in 0..MEASURED {
            cqrs.execute(id, NOTE.to_string()).await?;
        }
        rates[i] = MEASURED as f64 / started.elapsed().as_secs_f64().max(1e-9);
    }
    Ok((rates[0], rates[1]))
}

fn long_case_line(label: &str, backend: &str, (fresh, long): (f64, f64)) -> String {
    format!(
        "bench={label} backend={backend} fresh_commands_per_s={fresh:.0} at_{LONG_CASE}_events_commands_per_s={long:.0} ratio={:.2}",
        long / fresh.max(1e-9)
    )
}

/// A scratch database beside the one named by `url`, dropped by `cleanup`.
pub enum Scratch {
    Postgres {
        admin: Box<PgConnectOptions>,
        name: String,
    },
    Sqlite {
        path: std::path::PathBuf,
    },
}

impl Scratch {
    pub async fn create(url: &str) -> anyhow::Result<(Scratch, String)> {
        let tag = format!("{}_{}", std::process::id(), rand::random::<u32>());
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let admin: PgConnectOptions = url.parse()?;
            let name = format!("hoso_bench_{tag}");
            let mut conn = admin.connect().await?;
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            conn.close().await?;
            let scratch_url = admin.clone().database(&name).to_url_lossy().to_string();
            Ok((
                Scratch::Postgres {
                    admin: Box::new(admin),
                    name,
                },
                scratch_url,
            ))
        } else {
            let path = std::env::temp_dir().join(format!("hoso_bench_{tag}.db"));
            let url = format!("sqlite://{}", path.display());
            Ok((Scratch::Sqlite { path }, url))
        }
    }

    /// Drops the scratch database, unless `HOSO_BENCH_KEEP` is set (to look
    /// at it afterwards: its name is printed).
    pub async fn cleanup(self) -> anyhow::Result<()> {
        if std::env::var_os("HOSO_BENCH_KEEP").is_some() {
            match &self {
                Scratch::Postgres { name, .. } => eprintln!("hoso-bench: kept database {name}"),
                Scratch::Sqlite { path } => eprintln!("hoso-bench: kept {}", path.display()),
            }
            return Ok(());
        }
        match self {
            Scratch::Postgres { admin, name } => {
                let mut conn = admin.connect().await?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await?;
                conn.close().await?;
            }
            Scratch::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
        }
        Ok(())
    }
}

/// Runs the append benchmark and prints one line per run.
pub async fn append(
    url: &str,
    concurrencies: &[usize],
    events: usize,
    baseline: bool,
) -> anyhow::Result<Vec<Run>> {
    let (scratch, scratch_url) = Scratch::create(url).await?;
    let kek = std::env::temp_dir().join(format!("hoso_bench_kek_{}.key", std::process::id()));
    let result = async {
        let plain = Ledger::open(&scratch_url).await?;
        let keys = hoso_ledger::keys::Keys::open(
            plain.db(),
            Some(hoso_ledger::keys::Kek::from_bytes(rand::random())),
            &kek,
        )
        .await?;
        let ledger = plain.clone().with_privacy(keys, Arc::new(NotebookPrivacy));
        let backend = ledger.backend().to_string();
        let mut runs = Vec::new();
        // Sealed (the note text under its notebook's data key), then the same
        // workload unsealed: the price of sealing, in the same run.
        // As the service runs (aggregates cached, `hoso_ledger::cached`),
        // sealed (the note text under its notebook's data key) and unsealed:
        // the price of sealing, in the same run.
        for (label, store) in [("append", ledger.clone()), ("append-unsealed", plain.without_privacy())] {
            let cqrs = Arc::new(CqrsFramework::new(CachedStore::<Notebook>::new(store), vec![], ()));
            for (i, &c) in concurrencies.iter().enumerate() {
                let seconds = drive(cqrs.clone(), &format!("{label}{i}"), c, events).await?;
                let events = events.div_ceil(EVENTS_PER_AGGREGATE) * EVENTS_PER_AGGREGATE;
                let run = Run { label, backend: backend.clone(), concurrency: c, events, seconds };
                println!("{}", run.line());
                runs.push(run);
            }
            if label == "append" {
                let rates = long_case(cqrs.clone(), label).await?;
                println!("{}", long_case_line("append-long-case", &backend, rates));
            }
        }
        if baseline {
            if let Db::Postgres(pool) = ledger.db() {
                pool.execute(
                    "CREATE TABLE baseline_events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
                     sequence bigint CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL, \
                     event_version text NOT NULL, payload json NOT NULL, metadata json NOT NULL, \
                     PRIMARY KEY (aggregate_type, aggregate_id, sequence)); \
                     CREATE TABLE baseline_snapshots (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
                     last_sequence bigint NOT NULL, current_snapshot bigint NOT NULL, payload json NOT NULL, \
                     PRIMARY KEY (aggregate_type, aggregate_id, last_sequence));",
                )
                .await?;
                let repo = PostgresEventRepository::new(pool.clone())
                    .with_tables("baseline_events", "baseline_snapshots");
                let plain = Arc::new(CqrsFramework::new(
                    PersistedEventStore::<_, Notebook>::new_event_store(repo),
                    vec![],
                    (),
                ));
                for (i, &c) in concurrencies.iter().enumerate() {
                    let seconds = drive(plain.clone(), &format!("plain{i}"), c, events).await?;
                    let events = events.div_ceil(EVENTS_PER_AGGREGATE) * EVENTS_PER_AGGREGATE;
                    let run = Run { label: "append-baseline", backend: "postgres-es".into(), concurrency: c, events, seconds };
                    println!("{}", run.line());
                    // hoso over the baseline at this concurrency, same workload.
                    if let Some(hoso) = runs.iter().find(|r| r.label == "append" && r.concurrency == c) {
                        println!(
                            "bench=append-ratio backend=postgres concurrency={c} hoso_over_cqrs_es={:.2}",
                            seconds / hoso.seconds.max(1e-9)
                        );
                    }
                    runs.push(run);
                }
                let rates = long_case(plain.clone(), "plain").await?;
                println!("{}", long_case_line("append-long-case-baseline", "postgres-es", rates));
            }
        }
        let report = hoso_ledger::verify::verify(&ledger).await?;
        anyhow::ensure!(report.is_intact(), "benchmark store failed verification: {:?}", report.first());
        ledger.db().close().await;
        Ok::<_, anyhow::Error>(runs)
    }
    .await;
    scratch.cleanup().await?;
    result
}
