//! `hoso bench rebuild` and `hoso bench lag`: how fast the projections rebuild
//! from the store (events/s, beside a plain cqrs-es `QueryReplay` of the same
//! case events), and how long a committed command takes to become visible in
//! the case view under a steady write load (median, p99, max). Both run in a
//! scratch database beside the selected one, dropped afterwards.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use cqrs_es::persist::{GenericQuery, PersistenceError, QueryReplay, ViewContext, ViewRepository};
use cqrs_es::{Aggregate, EventEnvelope, View};
use hoso_domain::case::{Case, CaseAction, CaseCommand, Intake, IntakeSource, Note, NoteKind};
use hoso_domain::common::{Actor, CommuneRef, HarmType, Role, Unit};
use hoso_domain::places;
use hoso_ledger::sql::{one_int, rows, Val};
use hoso_ledger::{Db, Ledger, NewEvent, StoredEvent};
use hoso_projections::runner::{self, Projection, Target};
use postgres_es::PostgresViewRepository;
use serde::{Deserialize, Serialize};
use sqlx::Executor;
use tokio::task::{JoinHandle, JoinSet};

use crate::append::Scratch;
use hoso_service::App;

/// Appends in flight while filling.
const FILL_TASKS: usize = 64;
/// Sample cases loaded through the real command path before replicating.
const DEMO_CASES: usize = 60;
/// Events read per page.
const PAGE: i64 = 10_000;

fn rate(n: f64, s: f64) -> f64 {
    n / s.max(1e-9)
}

/// Aborts a background task when dropped, so an early error stops it too.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    /// Aborts the task and waits until it has stopped (and released its
    /// connections).
    async fn stop(mut self) {
        self.0.abort();
        let _ = (&mut self.0).await;
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `SELECT COUNT(*) AS n …`.
async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(one_int(db, sql, &[]).await?)
}

/// Every event of the store, in position order.
async fn read_all(ledger: &Ledger) -> anyhow::Result<Vec<StoredEvent>> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = ledger.read_after(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        all.extend(page);
    }
    Ok(all)
}

/// Fills the store with at least `target` events: the demo's sample data once
/// through the real command path, then copies of its aggregates under new ids
/// (`-r1`, `-r2`, …, payloads unchanged, hashes recomputed by the ledger), one
/// `append` per aggregate, `FILL_TASKS` in flight. Returns the events stored.
async fn fill(app: &App, target: usize, backend: &str) -> anyhow::Result<i64> {
    let started = Instant::now();
    let summary = hoso_demo::load(app, DEMO_CASES, 1111).await?;
    let demo_seconds = started.elapsed().as_secs_f64();
    let original = read_all(&app.ledger).await?;
    let base = original.len();
    anyhow::ensure!(base > 0, "the demo stored no events");
    // One group per aggregate, in the order the aggregates first appear.
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut groups: Vec<Vec<StoredEvent>> = Vec::new();
    for e in original {
        let key = (e.aggregate_type.clone(), e.aggregate_id.clone());
        let i = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(e);
    }
    for g in &mut groups {
        g.sort_by_key(|e| e.sequence);
    }
    let replicas = target.saturating_sub(base).div_ceil(base);
    let items = replicas * groups.len();
    let copy_started = Instant::now();
    let len = groups.len();
    copy_aggregates(&app.ledger, groups, items, move |i, id| {
        format!("{id}-r{}", i / len + 1)
    })
    .await?;
    let copy_seconds = copy_started.elapsed().as_secs_f64();
    let events = app.ledger.head().await?;
    println!(
        "bench=fill backend={backend} demo_cases={DEMO_CASES} demo_events={} demo_seconds={demo_seconds:.2} \
         copies={replicas} events={events} copy_seconds={copy_seconds:.2} copy_events_per_s={:.0} seconds={:.2}",
        summary.events,
        rate((events - base as i64) as f64, copy_seconds),
        started.elapsed().as_secs_f64()
    );
    Ok(events)
}

/// Stores `items` copies of the groups of events (round robin: copy `i` is
/// of group `i % groups.len()`, its aggregate renamed `rename(i, id)`;
/// payloads unchanged, hashes recomputed by the ledger), one `append` per
/// copy, `FILL_TASKS` in flight.
pub(crate) async fn copy_aggregates(
    ledger: &Ledger,
    groups: Vec<Vec<StoredEvent>>,
    items: usize,
    rename: impl Fn(usize, &str) -> String + Send + Sync + 'static,
) -> anyhow::Result<()> {
    let groups = Arc::new(groups);
    let rename = Arc::new(rename);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..FILL_TASKS {
        let (ledger, groups, next, rename) =
            (ledger.clone(), groups.clone(), next.clone(), rename.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items {
                    return Ok::<(), anyhow::Error>(());
                }
                let batch = groups[i % groups.len()]
                    .iter()
                    .map(|e| NewEvent {
                        aggregate_type: e.aggregate_type.clone(),
                        aggregate_id: rename(i, &e.aggregate_id),
                        sequence: e.sequence.max(0) as u64,
                        event_type: e.event_type.clone(),
                        event_version: e.event_version.clone(),
                        payload: e.payload.clone(),
                        metadata: e.metadata.clone(),
                    })
                    .collect();
                ledger.append(batch).await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok(())
}

/// The baseline's view: the case aggregate itself, folded with its own `apply`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CaseState(Case);

impl View<Case> for CaseState {
    fn update(&mut self, event: &EventEnvelope<Case>) {
        self.0.apply(event.payload.clone());
    }
}

/// Views kept in memory, for the SQLite baseline (postgres-es has no SQLite
/// view repository).
#[derive(Default)]
pub struct MemoryViews {
    views: Mutex<HashMap<String, (i64, CaseState)>>,
}

impl MemoryViews {
    fn len(&self) -> usize {
        self.views.lock().map(|v| v.len()).unwrap_or(0)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("memory view lock poisoned")]
struct Poisoned;

fn poisoned<T>(_: T) -> PersistenceError {
    PersistenceError::UnknownError(Box::new(Poisoned))
}

impl ViewRepository<CaseState, Case> for MemoryViews {
    async fn load(&self, view_id: &str) -> Result<Option<CaseState>, PersistenceError> {
        let views = self.views.lock().map_err(poisoned)?;
        Ok(views.get(view_id).map(|(_, v)| v.clone()))
    }

    async fn load_with_context(
        &self,
        view_id: &str,
    ) -> Result<Option<(CaseState, ViewContext)>, PersistenceError> {
        let views = self.views.lock().map_err(poisoned)?;
        Ok(views
            .get(view_id)
            .map(|(version, v)| (v.clone(), ViewContext::new(view_id.to_string(), *version))))
    }

    async fn update_view(
        &self,
        view: CaseState,
        context: ViewContext,
    ) -> Result<(), PersistenceError> {
        let mut views = self.views.lock().map_err(poisoned)?;
        let current = views
            .get(&context.view_instance_id)
            .map(|(v, _)| *v)
            .unwrap_or(0);
        if current != context.version {
            return Err(PersistenceError::OptimisticLockError);
        }
        views.insert(context.view_instance_id, (context.version + 1, view));
        Ok(())
    }
}

/// `QueryReplay::replay_all` of every case event into `repo`; seconds and the
/// number of errors the query or the replay reported.
async fn replay<R>(ledger: &Ledger, repo: Arc<R>) -> anyhow::Result<(f64, u64)>
where
    R: ViewRepository<CaseState, Case> + 'static,
{
    let errors = Arc::new(AtomicU64::new(0));
    let mut query = GenericQuery::<R, CaseState, Case>::new(repo);
    let e = errors.clone();
    query.use_error_handler(Box::new(move |_| {
        e.fetch_add(1, Ordering::Relaxed);
    }));
    let mut replay = QueryReplay::new(ledger.clone(), query);
    let e = errors.clone();
    replay.use_error_handler(Box::new(move |_| {
        e.fetch_add(1, Ordering::Relaxed);
    }));
    let started = Instant::now();
    replay
        .replay_all()
        .await
        .map_err(|e| anyhow::anyhow!("cqrs-es replay: {e}"))?;
    Ok((
        started.elapsed().as_secs_f64(),
        errors.load(Ordering::Relaxed),
    ))
}

/// Fills a scratch store with about `events` events, rebuilds every projection
/// and replays the case events through plain cqrs-es; one line per run.
pub async fn rebuild(url: &str, events: usize, baseline: bool) -> anyhow::Result<()> {
    let (scratch, scratch_url) = Scratch::create(url).await?;
    let result = async {
        let kek = std::env::temp_dir().join(format!("hoso_bench_kek_{}.key", std::process::id()));
        let app = App::open_with(&scratch_url, &kek).await?;
        let ledger = app.ledger.clone();
        let backend = ledger.backend().to_string();
        fill(&app, events, &backend).await?;
        for p in Projection::ALL {
            let r = runner::rebuild(&ledger, p).await?;
            println!(
                "bench=rebuild backend={backend} projection={} events={} seconds={:.2} events_per_s={:.0}",
                p.name(),
                r.events,
                r.seconds,
                rate(r.events as f64, r.seconds)
            );
        }
        // Together: one read of the log folded into each (what `hoso rebuild` does).
        for (label, set) in [
            (
                "three",
                &[Projection::CaseView, Projection::Statistics, Projection::OfficerHistory][..],
            ),
            ("all", &Projection::ALL[..]),
        ] {
            let r = runner::rebuild_all(&ledger, set).await?;
            println!(
                "bench=rebuild backend={backend} projection={label} events={} seconds={:.2} events_per_s={:.0}",
                r.events,
                r.seconds,
                rate(r.events as f64, r.seconds)
            );
        }

        if !baseline {
            ledger.db().close().await;
            return Ok(());
        }
        let db = ledger.db();
        let case_events = count(db, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM events WHERE aggregate_type = 'Case'").await?;
        let cases = count(
            db,
            "SELECT CAST(COUNT(DISTINCT aggregate_id) AS BIGINT) AS n FROM events WHERE aggregate_type = 'Case'",
        )
        .await?;
        let (label, seconds, errors, views) = match db {
            Db::Postgres(pool) => {
                pool.execute(
                    "CREATE TABLE baseline_case_view (view_id text PRIMARY KEY, \
                     version bigint CHECK (version >= 0) NOT NULL, payload json NOT NULL)",
                )
                .await?;
                let repo = Arc::new(PostgresViewRepository::<CaseState, Case>::new(
                    "baseline_case_view",
                    pool.clone(),
                ));
                let (seconds, errors) = replay(&ledger, repo).await?;
                let views = count(db, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM baseline_case_view").await?;
                ("postgres", seconds, errors, views)
            }
            Db::Sqlite(_) => {
                let repo = Arc::new(MemoryViews::default());
                let (seconds, errors) = replay(&ledger, repo.clone()).await?;
                ("sqlite-memory-views", seconds, errors, repo.len() as i64)
            }
        };
        anyhow::ensure!(errors == 0, "the cqrs-es baseline reported {errors} errors");
        anyhow::ensure!(views == cases, "the cqrs-es baseline built {views} views for {cases} cases");
        println!(
            "bench=rebuild-baseline backend={label} projection=case_view_cqrs_es events={case_events} seconds={seconds:.2} events_per_s={:.0}",
            rate(case_events as f64, seconds)
        );
        ledger.db().close().await;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    scratch.cleanup().await?;
    result
}

/// A command acknowledged, waiting to be seen in the case view.
struct Pending {
    case_id: String,
    position: i64,
    acked: Instant,
}

/// Shared state of the lag run.
struct Load {
    app: App,
    worker: Actor,
    commune: CommuneRef,
    /// Cases no command is working on, with their last sequence.
    idle: Mutex<VecDeque<(String, i64)>>,
    pending: Mutex<Vec<Pending>>,
    delays: Mutex<Vec<Duration>>,
    /// Per projection (in `Projection::ALL` order): acknowledged positions
    /// its checkpoint has not reached yet, and the delays measured.
    behind: Mutex<Vec<Vec<(i64, Instant)>>>,
    follower_delays: Mutex<Vec<Vec<Duration>>>,
    opened: AtomicUsize,
}

#[derive(Debug, thiserror::Error)]
#[error("bench lock poisoned")]
struct LockPoisoned;

fn lock<T>(m: &Mutex<T>) -> anyhow::Result<std::sync::MutexGuard<'_, T>> {
    m.lock().map_err(|_| LockPoisoned.into())
}

/// New cases among the commands: one in four, or whenever too few are idle.
const MIN_IDLE: usize = 20;

impl Load {
    /// One command (a new case, or a note on an idle one); records when it was
    /// acknowledged and the position of its event.
    async fn command(&self, n: usize) -> anyhow::Result<()> {
        let now = Utc::now();
        let picked = {
            let mut idle = lock(&self.idle)?;
            if n.is_multiple_of(4) || idle.len() < MIN_IDLE {
                None
            } else {
                idle.pop_front()
            }
        };
        let (case_id, sequence, action) = match picked {
            Some((id, seq)) => (
                id,
                seq + 1,
                CaseAction::AddNote(Note {
                    kind: NoteKind::FollowUpVisit,
                    text: format!("Thăm gia đình lần {seq}: trẻ đi học đều, ăn uống bình thường."),
                }),
            ),
            None => {
                let k = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
                (
                    format!("LAG-{k:06}"),
                    1,
                    CaseAction::RecordIntake(Intake {
                        child_id: format!("TE-LAG-{k:06}"),
                        date_of_birth: NaiveDate::from_ymd_opt(2016, 5, 1).unwrap_or_default(),
                        commune: self.commune,
                        source: IntakeSource::School,
                        source_description: None,
                        reporter: None,
                        description: "Trẻ có vết bầm, giáo viên báo tin.".into(),
                        harm_types: vec![HarmType::Violence],
                        received_at: now - chrono::Duration::hours(1),
                        responsible_worker: Some(self.worker.officer_id.clone()),
                    }),
                )
            }
        };
        let cmd = CaseCommand {
            actor: self.worker.clone(),
            at: now,
            action,
        };
        self.app
            .case(&case_id, cmd, now, hoso_service::app::LOCAL)
            .await
            .map_err(|e| anyhow::anyhow!("bench case {case_id}: {e}"))?;
        let acked = Instant::now();
        let stored = self
            .app
            .ledger
            .events_of("Case", &case_id, sequence - 1)
            .await?;
        let position = stored.first().map(|e| e.position).ok_or_else(|| {
            anyhow::anyhow!("case {case_id}: acknowledged event {sequence} not found")
        })?;
        lock(&self.pending)?.push(Pending {
            case_id: case_id.clone(),
            position,
            acked,
        });
        for list in lock(&self.behind)?.iter_mut() {
            list.push((position, acked));
        }
        lock(&self.idle)?.push_back((case_id, sequence));
        Ok(())
    }

    /// Checks every projection's checkpoint against the acknowledged positions once.
    async fn poll_followers(&self) -> anyhow::Result<()> {
        let mut at = Vec::new();
        for p in Projection::ALL {
            at.push(runner::checkpoint(self.app.ledger.db(), &Target::live(p)).await?);
        }
        let now = Instant::now();
        let mut behind = lock(&self.behind)?;
        let mut delays = lock(&self.follower_delays)?;
        for ((list, delays), reached) in behind.iter_mut().zip(delays.iter_mut()).zip(at) {
            list.retain(|&(position, acked)| {
                if position <= reached {
                    delays.push(now.saturating_duration_since(acked));
                    false
                } else {
                    true
                }
            });
        }
        Ok(())
    }

    /// Checks every pending command against the case view once.
    async fn poll(&self) -> anyhow::Result<()> {
        self.poll_followers().await?;
        let ids: Vec<String> = {
            let pending = lock(&self.pending)?;
            if pending.is_empty() {
                return Ok(());
            }
            let mut ids: Vec<String> = pending.iter().map(|p| p.case_id.clone()).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let mut seen: HashMap<String, i64> = HashMap::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let params: Vec<Val> = chunk.iter().map(|id| Val::Text(id.clone())).collect();
            let found = rows(
                self.app.ledger.db(),
                &format!("SELECT case_id, position FROM pv_case WHERE case_id IN ({marks})"),
                &params,
            )
            .await?;
            for r in found {
                seen.insert(r.text("case_id")?, r.int("position")?);
            }
        }
        let visible = Instant::now();
        let mut pending = lock(&self.pending)?;
        let mut delays = lock(&self.delays)?;
        pending.retain(|p| {
            if seen.get(&p.case_id).is_some_and(|&pos| pos >= p.position) {
                delays.push(visible.saturating_duration_since(p.acked));
                false
            } else {
                true
            }
        });
        Ok(())
    }
}

/// Checks the pending commands against the case view every millisecond.
async fn poll_forever(load: Arc<Load>) -> anyhow::Result<()> {
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        load.poll().await?;
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Waits until every live projection has applied everything stored so far.
pub(crate) async fn caught_up(ledger: &Ledger, within: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    let head = ledger.head().await?;
    for p in Projection::ALL {
        let live = Target::live(p);
        // The table may not exist yet while the follower starts.
        while runner::checkpoint(ledger.db(), &live).await.unwrap_or(0) < head {
            anyhow::ensure!(
                started.elapsed() < within,
                "projection {} did not reach position {head} within {within:?}",
                p.name()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    Ok(())
}

/// Delay from acknowledged command to visible in the case view, with the
/// follower running in this process and `rate` commands per second for
/// `seconds` seconds.
pub async fn lag(url: &str, seconds: u64, rate_per_s: u32) -> anyhow::Result<()> {
    anyhow::ensure!(rate_per_s > 0, "--rate must be positive");
    let (scratch, scratch_url) = Scratch::create(url).await?;
    let result = async {
        let kek = std::env::temp_dir().join(format!("hoso_bench_kek_{}.key", std::process::id()));
        let app = App::open_with(&scratch_url, &kek).await?;
        let ledger = app.ledger.clone();
        let backend = ledger.backend().to_string();
        let summary = hoso_demo::load(&app, DEMO_CASES, 2222).await?;
        let follow = AbortOnDrop(tokio::spawn(runner::follow(ledger.clone())));
        caught_up(&ledger, Duration::from_secs(120)).await?;
        let Some(province) = places::current().province(42) else {
            anyhow::bail!("province 42 missing from the place list");
        };
        let Some(ward) = province.wards.first() else {
            anyhow::bail!("province 42 has no communes in the place list");
        };
        let commune = CommuneRef::current(42, ward.code);
        let worker = Actor {
            officer_id: "cb-bench-lag".into(),
            role: Role::CommuneWorker,
            unit: Unit::Commune {
                province: commune.province,
                commune: commune.commune,
            },
        };
        let load = Arc::new(Load {
            app,
            worker,
            commune,
            idle: Mutex::new(VecDeque::new()),
            pending: Mutex::new(Vec::new()),
            delays: Mutex::new(Vec::new()),
            behind: Mutex::new(vec![Vec::new(); Projection::ALL.len()]),
            follower_delays: Mutex::new(vec![Vec::new(); Projection::ALL.len()]),
            opened: AtomicUsize::new(0),
        });
        let mut poller = {
            let load = load.clone();
            AbortOnDrop(tokio::spawn(poll_forever(load)))
        };
        let mut commands = JoinSet::new();
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate_per_s)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let started = Instant::now();
        let until = started + Duration::from_secs(seconds);
        let mut sent = 0usize;
        loop {
            tick.tick().await;
            if Instant::now() >= until {
                break;
            }
            let load = load.clone();
            commands.spawn(async move { load.command(sent).await });
            sent += 1;
            // Reap finished commands as we go, failing early.
            while let Some(r) = commands.try_join_next() {
                r??;
            }
        }
        while let Some(r) = commands.join_next().await {
            r??;
        }
        let load_seconds = started.elapsed().as_secs_f64();
        // Everything acknowledged: wait for the view to show it all.
        let drain = Instant::now();
        loop {
            if poller.0.is_finished() {
                (&mut poller.0).await??;
                anyhow::bail!("the case-view poller stopped");
            }
            if lock(&load.pending)?.is_empty() && lock(&load.behind)?.iter().all(Vec::is_empty) {
                break;
            }
            anyhow::ensure!(
                drain.elapsed() < Duration::from_secs(120),
                "{} commands still not visible in the case view after 120 s",
                lock(&load.pending)?.len()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        poller.stop().await;
        let mut delays = std::mem::take(&mut *lock(&load.delays)?);
        delays.sort();
        anyhow::ensure!(!delays.is_empty(), "no command was measured");
        let pick = |q: f64| delays[((delays.len() - 1) as f64 * q).round() as usize];
        println!(
            "bench=lag backend={backend} rate={rate_per_s} seconds={seconds} commands={} achieved_rate={:.0} \
             new_cases={} base_events={} median_ms={:.1} p99_ms={:.1} max_ms={:.1}",
            delays.len(),
            delays.len() as f64 / load_seconds.max(1e-9),
            load.opened.load(Ordering::Relaxed),
            summary.events,
            ms(pick(0.5)),
            ms(pick(0.99)),
            ms(pick(1.0)),
        );
        // Each projection on its own: commit → its checkpoint covers the event.
        let followers = std::mem::take(&mut *lock(&load.follower_delays)?);
        for (p, mut d) in Projection::ALL.into_iter().zip(followers) {
            d.sort();
            if d.is_empty() {
                continue;
            }
            let pick = |q: f64| d[((d.len() - 1) as f64 * q).round() as usize];
            println!(
                "bench=lag backend={backend} projection={} rate={rate_per_s} commands={} median_ms={:.1} p99_ms={:.1} max_ms={:.1}",
                p.name(),
                d.len(),
                ms(pick(0.5)),
                ms(pick(0.99)),
                ms(pick(1.0)),
            );
        }
        // The follower first: it holds pool connections and a listener.
        follow.stop().await;
        ledger.db().close().await;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    scratch.cleanup().await?;
    result
}
