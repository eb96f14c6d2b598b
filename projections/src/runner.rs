//! Follows the store's global position and keeps each projection up to date.
//!
//! Each batch is one transaction: lock the projection's checkpoint row, read
//! the events after it, apply them, move the checkpoint, commit. A crash loses
//! the whole batch or nothing, so no event is ever applied twice or skipped,
//! and two runners of one projection (say `hoso serve` and `hoso rebuild
//! --check`) take turns instead of racing.

use std::sync::Arc;
use std::time::Duration;

use hoso_ledger::{Db, Ledger};
use sqlx::postgres::PgListener;

use crate::error::ProjectionError;
use crate::event::Decoded;
use crate::{access, case_view, officers, stats};
use hoso_ledger::sql::{rows, Row, Tx, Val};

/// Events per transaction, unless `HOSO_PROJECTION_BATCH` says otherwise.
pub const BATCH: i64 = 2000;

fn batch() -> i64 {
    static B: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *B.get_or_init(|| {
        std::env::var("HOSO_PROJECTION_BATCH")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|b: &i64| *b > 0)
            .unwrap_or(BATCH)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    CaseView,
    Statistics,
    OfficerHistory,
    AccessLog,
}

impl Projection {
    pub const ALL: [Projection; 4] = [
        Projection::CaseView,
        Projection::Statistics,
        Projection::OfficerHistory,
        Projection::AccessLog,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Projection::CaseView => "case_view",
            Projection::Statistics => "statistics",
            Projection::OfficerHistory => "officer_history",
            Projection::AccessLog => "access_log",
        }
    }

    pub fn parse(name: &str) -> Result<Projection, ProjectionError> {
        Projection::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| ProjectionError::Unknown(name.to_string()))
    }

    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Projection::CaseView => case_view::TABLES,
            Projection::Statistics => stats::TABLES,
            Projection::OfficerHistory => officers::TABLES,
            Projection::AccessLog => access::TABLES,
        }
    }

    fn ddl(self) -> &'static [&'static str] {
        match self {
            Projection::CaseView => case_view::DDL,
            Projection::Statistics => stats::DDL,
            Projection::OfficerHistory => officers::DDL,
            Projection::AccessLog => access::DDL,
        }
    }
}

/// A projection's state while folding events (`case_view::Fold`, …). When
/// following the log, one per batch: the stored states of the batch's
/// aggregates are loaded, the events applied, the changed rows written in the
/// transaction that moves the checkpoint. When rebuilding (`bulk`), one for
/// the whole log: states stay in memory and rows are written in bulk.
enum Fold {
    CaseView(case_view::Fold),
    Statistics(stats::Fold),
    OfficerHistory(officers::Fold),
    AccessLog(access::Fold),
}

impl Fold {
    fn new(p: Projection) -> Fold {
        match p {
            Projection::CaseView => Fold::CaseView(Default::default()),
            Projection::Statistics => Fold::Statistics(Default::default()),
            Projection::OfficerHistory => Fold::OfficerHistory(Default::default()),
            Projection::AccessLog => Fold::AccessLog(Default::default()),
        }
    }

    /// Loads the stored states of the events' aggregates that are not held.
    async fn load(
        &mut self,
        tx: &mut Tx,
        s: &str,
        events: &[Decoded],
    ) -> Result<(), ProjectionError> {
        match self {
            Fold::CaseView(f) => f.load(tx, s, events).await,
            Fold::Statistics(f) => f.load(tx, s, events).await,
            Fold::OfficerHistory(f) => f.load(tx, s, events).await,
            Fold::AccessLog(_) => Ok(()),
        }
    }

    fn apply(&mut self, events: &[Decoded]) -> Result<(), ProjectionError> {
        match self {
            Fold::CaseView(f) => f.apply(events),
            Fold::Statistics(f) => f.apply(events),
            Fold::OfficerHistory(f) => f.apply(events),
            Fold::AccessLog(f) => f.apply(events)?,
        }
        Ok(())
    }

    /// Rows of the append-only kind waiting (one per event).
    fn appended(&self) -> usize {
        match self {
            Fold::OfficerHistory(f) => f.appended(),
            Fold::AccessLog(f) => f.pending(),
            Fold::CaseView(_) | Fold::Statistics(_) => 0,
        }
    }

    /// Writes the append-only rows only; the states wait.
    async fn flush_appended(&mut self, tx: &mut Tx, s: &str) -> Result<(), ProjectionError> {
        match self {
            Fold::OfficerHistory(f) => f.flush_appended(tx, s).await,
            Fold::AccessLog(f) => f.flush(tx, s).await,
            Fold::CaseView(_) | Fold::Statistics(_) => Ok(()),
        }
    }

    /// States held in memory.
    fn held(&self) -> usize {
        match self {
            Fold::CaseView(f) => f.held(),
            Fold::Statistics(f) => f.held(),
            Fold::OfficerHistory(f) => f.held(),
            Fold::AccessLog(_) => 0,
        }
    }

    /// Drops the states held; they are loaded again when next needed.
    fn forget(&mut self) {
        match self {
            Fold::CaseView(f) => f.forget(),
            Fold::Statistics(f) => f.forget(),
            Fold::OfficerHistory(f) => f.forget(),
            Fold::AccessLog(_) => {}
        }
    }

    /// Writes the rows changed since the last flush.
    async fn flush(&mut self, tx: &mut Tx, s: &str) -> Result<(), ProjectionError> {
        match self {
            Fold::CaseView(f) => f.flush(tx, s).await,
            Fold::Statistics(f) => f.flush(tx, s).await,
            Fold::OfficerHistory(f) => f.flush(tx, s).await,
            Fold::AccessLog(f) => f.flush(tx, s).await,
        }
    }
}

/// Where a projection's tables live: the live ones (`suffix` empty) or a copy
/// being rebuilt or checked beside them.
#[derive(Debug, Clone)]
pub struct Target {
    pub projection: Projection,
    pub suffix: String,
}

impl Target {
    pub fn live(projection: Projection) -> Target {
        Target {
            projection,
            suffix: String::new(),
        }
    }

    fn checkpoint_name(&self) -> String {
        format!("{}{}", self.projection.name(), self.suffix)
    }
}

async fn exec_all(db: &Db, statements: &[String]) -> Result<(), ProjectionError> {
    let mut tx = Tx::begin(db).await?;
    for s in statements {
        tx.exec(s, &[]).await?;
    }
    Ok(tx.commit().await?)
}

/// Creates the checkpoint table and the target's tables if missing.
///
/// A projection's tables follow its DDL: when the stored fingerprint of the
/// live tables' DDL differs from this code's (the read model changed), the
/// live tables are dropped and built again from the first event.
pub async fn ensure(db: &Db, t: &Target) -> Result<(), ProjectionError> {
    ensure_with(db, t, true).await
}

/// `ensure`, with the secondary indexes or without them (a target filled in
/// bulk gets them after: `create_indexes`).
async fn ensure_with(db: &Db, t: &Target, indexes: bool) -> Result<(), ProjectionError> {
    exec_all(
        db,
        &["CREATE TABLE IF NOT EXISTS projection_schema (name TEXT PRIMARY KEY, ddl_sha256 TEXT NOT NULL)"
            .to_string()],
    )
    .await?;
    let fingerprint = ddl_fingerprint(t.projection);
    let stored = rows(
        db,
        "SELECT ddl_sha256 FROM projection_schema WHERE name = ?",
        &[Val::Text(t.checkpoint_name())],
    )
    .await?;
    let stored = match stored.first() {
        Some(r) => Some(r.text("ddl_sha256")?),
        None => None,
    };
    if stored.as_deref() != Some(fingerprint.as_str()) {
        if stored.is_some() {
            tracing::warn!(
                projection = t.projection.name(),
                "the read model changed: its tables are built again from the first event"
            );
        }
        drop_target(db, t).await?;
        let mut tx = Tx::begin(db).await?;
        tx.exec(
            "INSERT INTO projection_schema (name, ddl_sha256) VALUES (?, ?) \
             ON CONFLICT (name) DO UPDATE SET ddl_sha256 = excluded.ddl_sha256",
            &[Val::Text(t.checkpoint_name()), Val::Text(fingerprint)],
        )
        .await?;
        tx.commit().await?;
    }
    create(db, t, indexes).await
}

fn is_index(ddl: &str) -> bool {
    ddl.trim_start().starts_with("CREATE INDEX")
}

/// The target's DDL statements, named for it.
fn ddl_of(t: &Target, which: impl Fn(&str) -> bool) -> Vec<String> {
    t.projection
        .ddl()
        .iter()
        .filter(|d| which(d))
        .map(|d| d.replace("{s}", &t.suffix).replace("{g}", &t.suffix))
        .collect()
}

/// On PostgreSQL, `VACUUM ANALYZE` of tables just filled in bulk: the
/// planner gets their statistics and counts their visibility map (index-only
/// scans) at once, not when autovacuum next comes by. SQLite needs neither.
pub async fn settle(db: &Db, t: &Target) -> Result<(), ProjectionError> {
    if let Db::Postgres(_) = db {
        for table in t.projection.tables() {
            hoso_ledger::sql::exec(db, &format!("VACUUM ANALYZE {table}{}", t.suffix), &[]).await?;
        }
    }
    Ok(())
}

/// Builds the secondary indexes of a target filled without them.
async fn create_indexes(db: &Db, t: &Target) -> Result<(), ProjectionError> {
    exec_all(db, &ddl_of(t, is_index)).await
}

/// SHA-256 of a projection's DDL, as stored beside its tables.
fn ddl_fingerprint(p: Projection) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for d in p.ddl() {
        h.update(d.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

async fn create(db: &Db, t: &Target, indexes: bool) -> Result<(), ProjectionError> {
    let mut statements = vec![
        "CREATE TABLE IF NOT EXISTS projection_checkpoint (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            .to_string(),
    ];
    statements.extend(ddl_of(t, |d| indexes || !is_index(d)));
    statements.push(format!(
        "INSERT INTO projection_checkpoint (name, position) VALUES ('{}', 0) ON CONFLICT (name) DO NOTHING",
        t.checkpoint_name()
    ));
    exec_all(db, &statements).await
}

/// The position a target has applied up to.
pub async fn checkpoint(db: &Db, t: &Target) -> Result<i64, ProjectionError> {
    let r = rows(
        db,
        "SELECT position FROM projection_checkpoint WHERE name = ?",
        &[Val::Text(t.checkpoint_name())],
    )
    .await?;
    checkpoint_of(&r, &t.checkpoint_name())
}

/// The checkpoint row that `ensure` created; its absence is a fault, not zero.
fn checkpoint_of(r: &[Row], name: &str) -> Result<i64, ProjectionError> {
    match r.first() {
        Some(row) => Ok(row.int("position")?),
        None => Err(ProjectionError::NoCheckpoint(name.to_string())),
    }
}

async fn lock_checkpoint(tx: &mut Tx, name: &str) -> Result<i64, ProjectionError> {
    let sql = if tx.is_pg() {
        "SELECT position FROM projection_checkpoint WHERE name = ? FOR UPDATE"
    } else {
        "SELECT position FROM projection_checkpoint WHERE name = ?"
    };
    let r = tx.rows(sql, &[Val::Text(name.to_string())]).await?;
    checkpoint_of(&r, name)
}

/// Applies one batch (up to `BATCH` events, not beyond `until`); returns how many.
pub async fn step(
    ledger: &Ledger,
    t: &Target,
    until: Option<i64>,
) -> Result<usize, ProjectionError> {
    Ok(step_once(ledger, t, until).await?.events)
}

/// What one batch did: events applied, the checkpoint after it, and
/// whether the store may hold more (the batch was full).
struct Stepped {
    events: usize,
    at: i64,
    more: bool,
}

async fn step_once(
    ledger: &Ledger,
    t: &Target,
    until: Option<i64>,
) -> Result<Stepped, ProjectionError> {
    let mut tx = Tx::begin(ledger.db()).await?;
    let from = lock_checkpoint(&mut tx, &t.checkpoint_name()).await?;
    let none = |at| Stepped {
        events: 0,
        at,
        more: false,
    };
    let limit = match until {
        Some(u) if u <= from => {
            tx.rollback().await?;
            return Ok(none(from));
        }
        Some(u) => (u - from).min(batch()),
        None => batch(),
    };
    let stored = ledger.read_after(from, limit).await?;
    let Some(last) = stored.last().map(|e| e.position) else {
        tx.rollback().await?;
        return Ok(none(from));
    };
    let events = stored
        .iter()
        .map(Decoded::from_stored)
        .collect::<Result<Vec<_>, _>>()?;
    let mut fold = Fold::new(t.projection);
    fold.load(&mut tx, &t.suffix, &events).await?;
    fold.apply(&events)?;
    fold.flush(&mut tx, &t.suffix).await?;
    tx.exec(
        "UPDATE projection_checkpoint SET position = ? WHERE name = ?",
        &[Val::Int(last), Val::Text(t.checkpoint_name())],
    )
    .await?;
    tx.commit().await?;
    Ok(Stepped {
        events: events.len(),
        at: last,
        more: events.len() as i64 == limit && until.is_none_or(|u| last < u),
    })
}

/// Applies batches until the target has reached `until` (or the store's head).
pub async fn catch_up(
    ledger: &Ledger,
    t: &Target,
    until: Option<i64>,
) -> Result<u64, ProjectionError> {
    Ok(catch_up_at(ledger, t, until).await?.0)
}

/// `catch_up`, also saying the checkpoint reached. A batch shorter than the
/// batch size read the store to its head then: no empty transaction after it.
async fn catch_up_at(
    ledger: &Ledger,
    t: &Target,
    until: Option<i64>,
) -> Result<(u64, i64), ProjectionError> {
    let mut total = 0;
    loop {
        let s = step_once(ledger, t, until).await?;
        total += s.events as u64;
        if !s.more {
            return Ok((total, s.at));
        }
    }
}

/// Keeps every live projection up to date, forever. On PostgreSQL one
/// follower per projection, each in a task of its own (`follow_these`), so
/// that a slow one (officer history) never holds back another (the case view
/// managers read); on SQLite, with its single writer, one follower for all.
/// Dropping or aborting this future stops them all.
pub async fn follow(ledger: Ledger) {
    // The tables first, one projection after the other: concurrent
    // `CREATE TABLE IF NOT EXISTS` of the shared checkpoint table collide on
    // PostgreSQL.
    for p in Projection::ALL {
        let t = Target::live(p);
        while let Err(e) = ensure(ledger.db(), &t).await {
            tracing::error!(error = %e, projection = p.name(), "cannot create projection tables; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }
    let targets: Vec<Target> = Projection::ALL.into_iter().map(Target::live).collect();
    let mut followers = tokio::task::JoinSet::new();
    match ledger.db() {
        // PostgreSQL takes the projections' transactions side by side.
        Db::Postgres(_) => {
            for t in targets {
                followers.spawn(follow_these(ledger.clone(), vec![t]));
            }
        }
        // SQLite has one writer: side-by-side write transactions would only
        // refuse each other (SQLITE_BUSY); one follower takes them in turn.
        Db::Sqlite(_) => {
            followers.spawn(follow_these(ledger.clone(), targets));
        }
    }
    while followers.join_next().await.is_some() {}
}

/// Keeps the given live projections up to date, one after the other:
/// catches up, then waits for this
/// process's appends (in-process signal) or other processes' (PostgreSQL
/// `LISTEN hoso_events`), with a slow timer only as a safety net. Each batch
/// is one transaction with the projection's checkpoint, so stopping it at
/// any moment loses or repeats nothing.
async fn follow_these(ledger: Ledger, targets: Vec<Target>) {
    let name = targets
        .iter()
        .map(|t| t.projection.name())
        .collect::<Vec<_>>()
        .join(",");
    let mut local = ledger.subscribe();
    let mut listener = match ledger.db() {
        Db::Postgres(pool) => match PgListener::connect_with(pool).await {
            Ok(mut l) => match l.listen("hoso_events").await {
                Ok(()) => Some(l),
                Err(e) => {
                    tracing::warn!(error = %e, projection = %name, "LISTEN failed; following by timer");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, projection = %name, "no listener connection; following by timer");
                None
            }
        },
        Db::Sqlite(_) => None,
    };
    let mut failures: u32 = 0;
    // The position every target is known to have reached, and the highest
    // position known committed (this process's appends, other processes'
    // notifications, whose payload is the head after their commit): a
    // wake-up for events already applied takes no transaction.
    let mut applied: Option<i64> = None;
    let mut known: i64 = 0;
    let mut timer = true;
    loop {
        if ledger.db().is_closed() {
            return;
        }
        // Marked seen before reading, so that an append during the catch-up
        // wakes us again rather than being missed; notifications already
        // received are covered by this catch-up too.
        known = known.max(*local.borrow_and_update());
        if let Some(l) = listener.as_mut() {
            while let Some(n) = l.next_buffered() {
                match notified_head(&n) {
                    Some(head) => known = known.max(head),
                    None => timer = true,
                }
            }
        }
        if timer || applied.is_none_or(|a| known > a) {
            let mut failed = false;
            let mut reached = i64::MAX;
            for t in &targets {
                match catch_up_at(&ledger, t, None).await {
                    Ok((_, at)) => reached = reached.min(at),
                    Err(e) => {
                        failed = true;
                        tracing::error!(error = %e, projection = t.projection.name(), "projection step failed; will retry");
                    }
                }
            }
            if failed {
                applied = None;
                // Back off (up to 30 s) instead of hammering a database in trouble.
                failures = failures.saturating_add(1);
                let wait = Duration::from_millis(250u64.saturating_mul(1 << failures.min(7)));
                tokio::time::sleep(wait.min(Duration::from_secs(30))).await;
                continue;
            }
            failures = 0;
            applied = Some(reached);
        }
        let remote = async {
            match listener.as_mut() {
                Some(l) => match l.recv().await {
                    Ok(n) => notified_head(&n),
                    Err(e) => {
                        // The listener reconnects on its next use; do not spin meanwhile.
                        tracing::warn!(error = %e, projection = %name, "LISTEN connection lost");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        // Notifications may have been lost: look again.
                        None
                    }
                },
                None => std::future::pending::<Option<i64>>().await,
            }
        };
        timer = false;
        tokio::select! {
            _ = local.changed() => {}
            head = remote => match head {
                Some(head) => known = known.max(head),
                None => timer = true,
            },
            _ = tokio::time::sleep(Duration::from_secs(5)) => timer = true,
        }
    }
}

/// The head a `hoso_events` notification announces (the writer sends the
/// last position of its commit); `None` for one that does not parse, which
/// asks for a look.
fn notified_head(n: &sqlx::postgres::PgNotification) -> Option<i64> {
    n.payload().parse().ok()
}

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    pub events: u64,
    pub position: i64,
    pub seconds: f64,
}

fn fresh_suffix(kind: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("__{kind}{}", nanos % 1_000_000_000_000)
}

async fn drop_target(db: &Db, t: &Target) -> Result<(), ProjectionError> {
    let mut statements: Vec<String> = t
        .projection
        .tables()
        .iter()
        .map(|table| format!("DROP TABLE IF EXISTS {table}{}", t.suffix))
        .collect();
    statements.push(
        "CREATE TABLE IF NOT EXISTS projection_checkpoint (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            .to_string(),
    );
    statements.push(format!(
        "DELETE FROM projection_checkpoint WHERE name = '{}'",
        t.checkpoint_name()
    ));
    if !t.suffix.is_empty() {
        statements.push(format!(
            "DELETE FROM projection_schema WHERE name = '{}'",
            t.checkpoint_name()
        ));
    }
    exec_all(db, &statements).await
}

/// While rebuilding, rows of events are written once this many wait, and the
/// states held are written and dropped once this many are held: memory stays
/// bounded whatever the store's size.
const FLUSH_ROWS: usize = 50_000;
const HOLD: usize = 500_000;

/// Decodes the pages of events after `after` (up to `until`) into `out`,
/// read ahead of the folding (`Ledger::pages`).
async fn read_pages(
    ledger: Ledger,
    after: i64,
    until: Option<i64>,
    out: tokio::sync::mpsc::Sender<Result<Vec<Decoded>, ProjectionError>>,
) {
    let mut pages = ledger.pages(after, until);
    while let Some(page) = pages.recv().await {
        let decoded = match page {
            Ok(page) => page.iter().map(Decoded::from_stored).collect(),
            Err(e) => Err(e.into()),
        };
        if out.send(decoded).await.is_err() {
            return;
        }
    }
}

/// Folds the events after the targets' checkpoint (the same for all) up to
/// `until` (or the head) into every target in one read of the log, states in
/// memory, rows written in bulk; then each target's last rows and its
/// checkpoint in one transaction. Only for targets of this run's own
/// (rebuild, check): rows are written ahead of the checkpoint, which a crash
/// leaves behind in tables nobody resumes. Returns (events, position).
async fn bulk(
    ledger: &Ledger,
    targets: &[Target],
    until: Option<i64>,
) -> Result<(u64, i64), ProjectionError> {
    let db = ledger.db();
    let mut start = None;
    for t in targets {
        let c = checkpoint(db, t).await?;
        if start.is_some_and(|s| s != c) {
            return Err(ProjectionError::Malformed {
                position: c,
                reason: "targets rebuilt together must start at one checkpoint".into(),
            });
        }
        start = Some(c);
    }
    let start = start.unwrap_or(0);
    // One reader for all; each target folds (and waits for its writes) in a
    // task of its own, so one's writing overlaps another's folding.
    let (send, mut pages) = tokio::sync::mpsc::channel(2);
    let reader = AbortOnDrop(tokio::spawn(read_pages(ledger.clone(), start, until, send)));
    let mut folders = Vec::with_capacity(targets.len());
    let mut feeds = Vec::with_capacity(targets.len());
    // SQLite has one writer: the folders queue for it here rather than
    // refuse each other (SQLITE_BUSY) and retry.
    let gate = match db {
        Db::Sqlite(_) => Some(Arc::new(tokio::sync::Mutex::new(()))),
        Db::Postgres(_) => None,
    };
    for t in targets {
        let (feed, pages) = tokio::sync::mpsc::channel::<Arc<Vec<Decoded>>>(2);
        feeds.push(feed);
        folders.push(AbortOnDrop(tokio::spawn(fold_one(
            ledger.clone(),
            t.clone(),
            start,
            pages,
            gate.clone(),
        ))));
    }
    let mut events = 0u64;
    let mut position = start;
    while let Some(page) = pages.recv().await {
        let page = Arc::new(page?);
        let Some(last) = page.last().map(|e| e.position) else {
            continue;
        };
        for feed in &feeds {
            // A folder that stopped has its error waiting below.
            if feed.send(page.clone()).await.is_err() {
                break;
            }
        }
        events += page.len() as u64;
        position = last;
    }
    drop(reader);
    drop(feeds);
    for mut f in folders {
        match (&mut f.0).await {
            Ok(r) => r?,
            Err(e) => {
                return Err(ProjectionError::Malformed {
                    position,
                    reason: format!("a rebuild task stopped: {e}"),
                })
            }
        }
    }
    Ok((events, position))
}

/// Aborts a task when dropped (an early error stops the others).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One target's part of `bulk`: folds every page, writes in bulk, and ends
/// with its last rows and its checkpoint at the last page's position.
async fn fold_one(
    ledger: Ledger,
    t: Target,
    start: i64,
    mut pages: tokio::sync::mpsc::Receiver<Arc<Vec<Decoded>>>,
    gate: Option<Arc<tokio::sync::Mutex<()>>>,
) -> Result<(), ProjectionError> {
    let db = ledger.db();
    let turn = || async {
        match &gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        }
    };
    let mut fold = Fold::new(t.projection);
    let mut spilled = false;
    let mut position = start;
    // Where the time goes: waiting for pages, folding, writing.
    let (mut waited, mut folding, mut writing) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    loop {
        let t0 = std::time::Instant::now();
        let Some(page) = pages.recv().await else {
            break;
        };
        waited += t0.elapsed();
        let Some(last) = page.last().map(|e| e.position) else {
            continue;
        };
        if spilled {
            let mut tx = Tx::begin(db).await?;
            fold.load(&mut tx, &t.suffix, &page).await?;
            tx.rollback().await?;
        }
        let t1 = std::time::Instant::now();
        fold.apply(&page)?;
        folding += t1.elapsed();
        // Rows of events go out as they come; states stay in memory until
        // the end, or until `HOLD` of them are held (then written, dropped,
        // and loaded again when next needed).
        let t2 = std::time::Instant::now();
        if fold.held() >= HOLD {
            let _turn = turn().await;
            let mut tx = Tx::begin(db).await?;
            fold.flush(&mut tx, &t.suffix).await?;
            tx.commit().await?;
            fold.forget();
            spilled = true;
        } else if fold.appended() >= FLUSH_ROWS {
            let _turn = turn().await;
            let mut tx = Tx::begin(db).await?;
            fold.flush_appended(&mut tx, &t.suffix).await?;
            tx.commit().await?;
        }
        writing += t2.elapsed();
        position = last;
    }
    let t2 = std::time::Instant::now();
    let _turn = turn().await;
    let mut tx = Tx::begin(db).await?;
    if lock_checkpoint(&mut tx, &t.checkpoint_name()).await? != start {
        return Err(ProjectionError::Malformed {
            position: start,
            reason: format!("{} moved while it was rebuilt", t.checkpoint_name()),
        });
    }
    fold.flush(&mut tx, &t.suffix).await?;
    tx.exec(
        "UPDATE projection_checkpoint SET position = ? WHERE name = ?",
        &[Val::Int(position), Val::Text(t.checkpoint_name())],
    )
    .await?;
    tx.commit().await?;
    writing += t2.elapsed();
    tracing::info!(
        projection = t.projection.name(),
        waiting_for_pages_s = waited.as_secs_f64(),
        folding_s = folding.as_secs_f64(),
        writing_s = writing.as_secs_f64(),
        "bulk fold"
    );
    Ok(())
}

/// Rebuilds a projection from the first event into new tables beside the live
/// ones, which stay readable (and followed) until the new ones have caught up;
/// then swaps them in one transaction.
pub async fn rebuild(ledger: &Ledger, projection: Projection) -> Result<Rebuilt, ProjectionError> {
    rebuild_all(ledger, &[projection]).await
}

/// Rebuilds several projections in one read of the log (`bulk`), each into
/// new tables beside its live ones; then swaps them all in one transaction.
pub async fn rebuild_all(
    ledger: &Ledger,
    projections: &[Projection],
) -> Result<Rebuilt, ProjectionError> {
    let started = std::time::Instant::now();
    // One order for the checkpoint locks, whoever asks.
    let projections: Vec<Projection> = Projection::ALL
        .into_iter()
        .filter(|p| projections.contains(p))
        .collect();
    let suffix = fresh_suffix("next");
    let mut nexts = Vec::with_capacity(projections.len());
    for p in &projections {
        ensure(ledger.db(), &Target::live(*p)).await?;
        let next = Target {
            projection: *p,
            suffix: suffix.clone(),
        };
        // Indexes after the bulk of the rows: built once, not row by row.
        ensure_with(ledger.db(), &next, false).await?;
        nexts.push(next);
    }
    let (mut events, mut position) = bulk(ledger, &nexts, None).await?;
    for next in &nexts {
        create_indexes(ledger.db(), next).await?;
        settle(ledger.db(), next).await?;
    }
    let mut tx = Tx::begin(ledger.db()).await?;
    // Holding the live checkpoints: the live runners wait while we swap.
    for p in &projections {
        lock_checkpoint(&mut tx, &Target::live(*p).checkpoint_name()).await?;
    }
    for next in &nexts {
        lock_checkpoint(&mut tx, &next.checkpoint_name()).await?;
    }
    // Whatever arrived meanwhile, within this transaction.
    loop {
        let stored = ledger.read_after(position, batch()).await?;
        let Some(last) = stored.last().map(|e| e.position) else {
            break;
        };
        let decoded = stored
            .iter()
            .map(Decoded::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        for next in &nexts {
            let mut fold = Fold::new(next.projection);
            fold.load(&mut tx, &next.suffix, &decoded).await?;
            fold.apply(&decoded)?;
            fold.flush(&mut tx, &next.suffix).await?;
        }
        events += decoded.len() as u64;
        position = last;
    }
    for next in &nexts {
        let live = Target::live(next.projection);
        for table in next.projection.tables() {
            tx.exec(&format!("DROP TABLE IF EXISTS {table}"), &[])
                .await?;
            tx.exec(
                &format!("ALTER TABLE {table}{} RENAME TO {table}", next.suffix),
                &[],
            )
            .await?;
        }
        tx.exec(
            "UPDATE projection_checkpoint SET position = ? WHERE name = ?",
            &[Val::Int(position), Val::Text(live.checkpoint_name())],
        )
        .await?;
        for table in ["projection_checkpoint", "projection_schema"] {
            tx.exec(
                &format!("DELETE FROM {table} WHERE name = ?"),
                &[Val::Text(next.checkpoint_name())],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Rebuilt {
        events,
        position,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A difference between the live tables and a fresh rebuild.
#[derive(Debug, Clone)]
pub struct Difference {
    pub table: String,
    pub only_live: Vec<Vec<Val>>,
    pub only_rebuilt: Vec<Vec<Val>>,
}

async fn table_rows(tx: &mut Tx, table: &str) -> Result<Vec<Vec<Val>>, ProjectionError> {
    let mut r: Vec<Vec<Val>> = tx
        .rows(&format!("SELECT * FROM {table}"), &[])
        .await?
        .iter()
        .map(|row| row.values().to_vec())
        .collect();
    r.sort();
    Ok(r)
}

/// Builds the projection afresh up to the live checkpoint and compares every
/// table row by row. Returns the position compared at and the differences
/// (empty when equal).
pub async fn check(
    ledger: &Ledger,
    projection: Projection,
) -> Result<(i64, Vec<Difference>), ProjectionError> {
    let live = Target::live(projection);
    ensure(ledger.db(), &live).await?;
    let fresh = Target {
        projection,
        suffix: fresh_suffix("check"),
    };
    // Compared row by row, never queried: no secondary indexes.
    ensure_with(ledger.db(), &fresh, false).await?;
    let result = async {
        // The bulk of the log as a rebuild folds it; then batch by batch, as
        // the live runner does, until both stand at one position.
        let at = checkpoint(ledger.db(), &live).await?;
        bulk(ledger, std::slice::from_ref(&fresh), Some(at)).await?;
        loop {
            let at = checkpoint(ledger.db(), &live).await?;
            catch_up(ledger, &fresh, Some(at)).await?;
            let mut tx = Tx::begin(ledger.db()).await?;
            if lock_checkpoint(&mut tx, &live.checkpoint_name()).await? != at {
                // The live projection moved on meanwhile: follow it and retry.
                tx.rollback().await?;
                continue;
            }
            let mut diffs = Vec::new();
            for table in projection.tables() {
                let a = table_rows(&mut tx, table).await?;
                let b = table_rows(&mut tx, &format!("{table}{}", fresh.suffix)).await?;
                if a != b {
                    let only_live: Vec<_> = a
                        .iter()
                        .filter(|r| b.binary_search(r).is_err())
                        .cloned()
                        .collect();
                    let only_rebuilt: Vec<_> = b
                        .iter()
                        .filter(|r| a.binary_search(r).is_err())
                        .cloned()
                        .collect();
                    diffs.push(Difference {
                        table: table.to_string(),
                        only_live,
                        only_rebuilt,
                    });
                }
            }
            tx.rollback().await?;
            return Ok::<_, ProjectionError>((at, diffs));
        }
    }
    .await;
    drop_target(ledger.db(), &fresh).await?;
    result
}
