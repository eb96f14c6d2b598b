//! The event store: opening either backend, appending through one batching writer,
//! and reading back.
//!
//! Appends from every command go to one writer task per process. The writer takes
//! what is queued (up to `MAX_BATCH` commands), locks the one-row `event_head`
//! table, checks each command's expected sequence against its aggregate's last
//! event, chains the hashes, inserts, moves the head and commits: one transaction
//! and one disk flush for many commands. Because the head row stays locked until
//! commit, positions are handed out in commit order and without gaps, also across
//! processes sharing one database (see docs/global-order.md).
//!
//! One file on purpose (over 600 lines): it is the one place that writes the `events` table (the batching writer, its transaction and the checkpoint written with the rows), and splitting it would spread that invariant over several files.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Row, SqlitePool};
use tokio::sync::{mpsc, oneshot, watch};

use crate::encoding::{canonical_json, event_hash, RecordRef, GENESIS};
use crate::error::LedgerError;
use crate::keys::{Keys, NewKey};
use crate::record::{NewEvent, StoredEvent};
use crate::seal::{self, Classifier, Identity, Opened, Sealing, SubjectRule};
use crate::writer::{run_writer, AppendRequest, Chained};

/// Events per page when reading the whole log (`Ledger::pages`).
const PAGE: i64 = 10_000;
/// Pages read side by side.
const READERS: usize = 2;

/// Aborts a reader when the reading ends early.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Capacity of the queue in front of the writer.
const QUEUE: usize = 4096;

/// The database behind the ledger.
#[derive(Clone, Debug)]
pub enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// A pooled connection idle this long is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Pings a pooled connection only when it has been idle `PING_AFTER_IDLE`
/// (sqlx pings before every acquire by default: a round trip more for every
/// query). A connection broken while in use (the database restarted) fails
/// its query, is dropped by the pool, and the request answers 503; one idle
/// a while is checked before use, so after an outage the pool renews itself.
fn ping_if_idle<DB: sqlx::Database>(
    opts: sqlx::pool::PoolOptions<DB>,
) -> sqlx::pool::PoolOptions<DB> {
    opts.test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

impl Db {
    /// Connects to `url`: `postgres://…` or `postgresql://…` selects PostgreSQL;
    /// `sqlite:…` or a plain file path selects SQLite (file created on first use).
    pub async fn connect(url: &str) -> Result<Db, LedgerError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(|_| LedgerError::Url(url.into()))?;
            let pool = ping_if_idle(PgPoolOptions::new())
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        if url.contains("://") && !url.starts_with("sqlite:") {
            return Err(LedgerError::Url(url.into()));
        }
        let opts = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url).map_err(|_| LedgerError::Url(url.into()))?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            // Freed pages are zeroed, so erased data does not linger in the file.
            .pragma("secure_delete", "on");
        let pool = ping_if_idle(SqlitePoolOptions::new())
            .max_connections(8)
            .connect_with(opts)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Postgres(_) => "postgres",
            Db::Sqlite(_) => "sqlite",
        }
    }

    /// True once `close` was called: followers stop then.
    pub fn is_closed(&self) -> bool {
        match self {
            Db::Postgres(p) => p.is_closed(),
            Db::Sqlite(p) => p.is_closed(),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Postgres(p) => p.close().await,
            Db::Sqlite(p) => p.close().await,
        }
    }

    /// Applies the migrations of `migrations/<backend>/`.
    pub async fn migrate(&self) -> Result<(), LedgerError> {
        match self {
            Db::Postgres(p) => sqlx::migrate!("../migrations/postgres").run(p).await?,
            Db::Sqlite(p) => sqlx::migrate!("../migrations/sqlite").run(p).await?,
        }
        Ok(())
    }
}

/// Last known (sequence, hash) of recently used aggregates. Stored events never
/// change, so an entry is never wrong, only possibly behind; the unique
/// (aggregate, sequence) constraint settles any race.
#[derive(Default)]
pub(crate) struct ChainHeads {
    map: Mutex<HashMap<Key, (u64, [u8; 32])>>,
}

/// Entries kept before the cache starts over.
const CACHE_LIMIT: usize = 100_000;

impl ChainHeads {
    pub(crate) fn get(&self, key: &Key, sequence: u64) -> Option<[u8; 32]> {
        let map = self.map.lock().ok()?;
        match map.get(key) {
            Some(&(seq, hash)) if seq == sequence => Some(hash),
            _ => None,
        }
    }

    /// The last sequence kept for the chain.
    pub(crate) fn last(&self, key: &Key) -> Option<u64> {
        self.map.lock().ok()?.get(key).map(|&(seq, _)| seq)
    }

    pub(crate) fn put(&self, key: Key, sequence: u64, hash: [u8; 32]) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CACHE_LIMIT {
                map.clear();
            }
            let entry = map.entry(key).or_insert((sequence, hash));
            if entry.0 <= sequence {
                *entry = (sequence, hash);
            }
        }
    }
}

/// The format every new event is written in (docs/event-hash.md).
pub const FORMAT: i64 = 2;

/// Sealing of personal data: the data keys and which fields are personal.
struct Privacy {
    keys: Keys,
    classifier: Arc<dyn Classifier>,
    /// Subjects of aggregates sealed by a field of their first event.
    subjects: Mutex<HashMap<Key, String>>,
}

/// Handle on the event store; cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    db: Db,
    writer: mpsc::Sender<AppendRequest>,
    heads: Arc<ChainHeads>,
    appended: watch::Receiver<i64>,
    privacy: Mode,
}

/// What a ledger does with personal data in the events it appends.
#[derive(Clone)]
enum Mode {
    /// Not decided: appends are refused, so that no code path stores
    /// personal data in clear by forgetting the keys.
    Unset,
    /// Events hold no personal data and are stored as given (benchmarks and
    /// tests of the store itself).
    Plain,
    Sealed(Arc<Privacy>),
}

impl Ledger {
    /// Connects, migrates and starts the writer. Needs a tokio runtime.
    pub async fn open(url: &str) -> Result<Ledger, LedgerError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(Ledger::with_db(db))
    }

    /// A ledger over an already migrated database.
    pub fn with_db(db: Db) -> Ledger {
        let (tx, rx) = mpsc::channel(QUEUE);
        let heads = Arc::new(ChainHeads::default());
        let (appended_tx, appended) = watch::channel(0);
        tokio::spawn(run_writer(db.clone(), rx, heads.clone(), appended_tx));
        Ledger {
            db,
            writer: tx,
            heads,
            appended,
            privacy: Mode::Unset,
        }
    }

    /// This ledger, storing events as given: only for data that holds no
    /// personal field (benchmarks, tests of the store).
    pub fn without_privacy(mut self) -> Ledger {
        self.privacy = Mode::Plain;
        self
    }

    /// True when personal fields are sealed.
    pub fn seals(&self) -> bool {
        matches!(self.privacy, Mode::Sealed(_))
    }

    /// This ledger, sealing the personal fields that `classifier` names with
    /// the data keys of `keys`. Without it events are stored as given (for
    /// aggregates that hold no personal data: benchmarks, tests).
    pub fn with_privacy(mut self, keys: Keys, classifier: Arc<dyn Classifier>) -> Ledger {
        self.privacy = Mode::Sealed(Arc::new(Privacy {
            keys,
            classifier,
            subjects: Mutex::new(HashMap::new()),
        }));
        self
    }

    /// The data keys, when this ledger seals personal data.
    pub fn keys(&self) -> Option<&Keys> {
        match &self.privacy {
            Mode::Sealed(p) => Some(&p.keys),
            _ => None,
        }
    }

    /// The subject whose key seals this aggregate's events, if any.
    async fn subject_of(
        &self,
        p: &Privacy,
        e: &NewEvent,
        payload: &serde_json::Value,
    ) -> Result<Option<String>, LedgerError> {
        let Some(rule) = p.classifier.subject(&e.aggregate_type) else {
            return Ok(None);
        };
        match rule {
            SubjectRule::Own(prefix) => Ok(Some(format!("{prefix}:{}", e.aggregate_id))),
            SubjectRule::FirstEventField { field, prefix } => {
                let key = (e.aggregate_type.clone(), e.aggregate_id.clone());
                if let Some(s) = p.subjects.lock().ok().and_then(|m| m.get(&key).cloned()) {
                    return Ok(Some(s));
                }
                let value = if e.sequence == 1 {
                    payload
                        .get(field)
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                } else {
                    const SQL: &str = "SELECT payload FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = 1";
                    let first: Option<String> = on_pool!(&self.db, pool => {
                        sqlx::query_scalar(SQL)
                            .bind(&e.aggregate_type)
                            .bind(&e.aggregate_id)
                            .fetch_optional(pool)
                            .await?
                    });
                    first
                        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                        .and_then(|v| v.get(field).and_then(|f| f.as_str()).map(str::to_string))
                };
                let Some(value) = value else {
                    return Err(LedgerError::NoSubject {
                        aggregate_type: e.aggregate_type.clone(),
                        aggregate_id: e.aggregate_id.clone(),
                        field,
                    });
                };
                let subject = format!("{prefix}:{value}");
                if let Ok(mut m) = p.subjects.lock() {
                    if m.len() > 100_000 {
                        m.clear();
                    }
                    m.insert(key, subject.clone());
                }
                Ok(Some(subject))
            }
        }
    }

    /// The public payload and the sealed part of one event.
    /// The public payload and the sealed part, and the data key's row when
    /// the key is new (stored by the writer with the events).
    async fn seal(
        &self,
        e: &NewEvent,
    ) -> Result<(String, Option<String>, Option<NewKey>), LedgerError> {
        let p = match &self.privacy {
            Mode::Sealed(p) => p,
            Mode::Plain => return Ok((e.payload.clone(), None, None)),
            Mode::Unset => return Err(LedgerError::PrivacyUnset),
        };
        let payload: serde_json::Value = serde_json::from_str(&e.payload)?;
        let (public, personal) = p
            .classifier
            .split(&e.aggregate_type, &e.event_type, &payload)
            .ok_or_else(|| LedgerError::Unclassified {
                aggregate_type: e.aggregate_type.clone(),
                event_type: e.event_type.clone(),
            })?;
        if seal::is_empty(&personal) {
            return Ok((canonical_json(&public)?, None, None));
        }
        let Some(subject) = self.subject_of(p, e, &payload).await? else {
            return Err(LedgerError::NoSubject {
                aggregate_type: e.aggregate_type.clone(),
                aggregate_id: e.aggregate_id.clone(),
                field: "",
            });
        };
        let (key, new_key) = p.keys.for_sealing(&self.db, &subject).await?;
        let id = Identity {
            aggregate_type: &e.aggregate_type,
            aggregate_id: &e.aggregate_id,
            sequence: e.sequence,
            event_type: &e.event_type,
            event_version: &e.event_version,
        };
        let sealed = seal::envelope(&key, &id, &subject, &personal)?;
        Ok((canonical_json(&public)?, Some(sealed), new_key))
    }

    /// An event's payload for reading: the public fields, with the personal
    /// ones merged back when the subject's data key still exists.
    pub async fn open_event(&self, e: &StoredEvent) -> Result<Opened, LedgerError> {
        let mut payload: serde_json::Value = serde_json::from_str(&e.payload)?;
        let (personal, sealing) = self.open_personal(e).await?;
        if let (Some(personal), Mode::Sealed(p)) = (personal, &self.privacy) {
            p.classifier.merge(&mut payload, personal);
        }
        Ok(Opened { payload, sealing })
    }

    /// An event's personal part alone, opened: `None` when it has none
    /// (`Clear`) or its subject's data key is destroyed (`Erased`).
    pub async fn open_personal(
        &self,
        e: &StoredEvent,
    ) -> Result<(Option<serde_json::Value>, Sealing), LedgerError> {
        let Some(text) = &e.sealed else {
            return Ok((None, Sealing::Clear));
        };
        let broken = || LedgerError::Malformed {
            position: e.position,
            reason: "the sealed part does not open with its subject's data key".into(),
        };
        let env = seal::parse_envelope(text).ok_or_else(broken)?;
        let Mode::Sealed(p) = &self.privacy else {
            return Err(LedgerError::NoKeys);
        };
        let Some(key) = p.keys.for_opening(&self.db, &env.subject).await? else {
            return Ok((None, Sealing::Erased));
        };
        let id = Identity {
            aggregate_type: &e.aggregate_type,
            aggregate_id: &e.aggregate_id,
            sequence: e.sequence.max(0) as u64,
            event_type: &e.event_type,
            event_version: &e.event_version,
        };
        let personal = seal::open_envelope(&key, &id, &env).ok_or_else(broken)?;
        Ok((Some(personal), Sealing::Opened))
    }

    /// Changes to the last position this process appended: followers in the
    /// same process wake on it instead of polling. (Other processes' appends
    /// arrive on PostgreSQL's `hoso_events` channel.)
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.appended.clone()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn backend(&self) -> &'static str {
        self.db.backend()
    }

    /// Appends the events of one command atomically. They must be consecutive
    /// sequences of one aggregate, starting right after its last stored event;
    /// otherwise `LedgerError::Conflict` and nothing is stored.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<(), LedgerError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        let key = (first.aggregate_type.clone(), first.aggregate_id.clone());
        let conflict = || LedgerError::Conflict {
            aggregate_type: key.0.clone(),
            aggregate_id: key.1.clone(),
            sequence: first.sequence,
        };
        let consecutive = events.iter().enumerate().all(|(i, e)| {
            e.aggregate_type == key.0
                && e.aggregate_id == key.1
                && e.sequence == first.sequence + i as u64
        });
        if !consecutive || first.sequence == 0 {
            return Err(conflict());
        }
        let mut prev = if first.sequence == 1 {
            GENESIS
        } else if let Some(h) = self.heads.get(&key, first.sequence - 1) {
            h
        } else {
            self.hash_of(&key.0, &key.1, first.sequence - 1)
                .await?
                .ok_or_else(conflict)?
        };
        let mut chained = Vec::with_capacity(events.len());
        let mut keys: Vec<NewKey> = Vec::new();
        for mut event in events {
            let (public, sealed, new_key) = self.seal(&event).await?;
            if let Some(k) = new_key {
                if !keys.iter().any(|n| n.subject == k.subject) {
                    keys.push(k);
                }
            }
            event.payload = public;
            let hash = event_hash(&prev, &record_of(&event, sealed.as_deref()));
            chained.push(Chained {
                event,
                sealed,
                prev_hash: prev,
                hash,
            });
            prev = hash;
        }
        let (reply, answer) = oneshot::channel();
        let sent = self
            .writer
            .send(AppendRequest {
                events: chained,
                keys: keys.clone(),
                reply,
            })
            .await
            .map_err(|_| LedgerError::WriterStopped);
        let outcome = match sent {
            Ok(()) => answer.await.map_err(|_| LedgerError::WriterStopped)?,
            Err(e) => Err(e),
        };
        if let (Mode::Sealed(p), false) = (&self.privacy, keys.is_empty()) {
            match &outcome {
                Ok(()) => p.keys.stored(&keys),
                // Not stored, or not known to be (the writer stopped): read
                // the subject's key again next time.
                Err(_) => p.keys.not_stored(&keys),
            }
        }
        outcome
    }

    /// The stored hash of one event, if it exists.
    async fn hash_of(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: u64,
    ) -> Result<Option<[u8; 32]>, LedgerError> {
        const SQL: &str = "SELECT position, hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3";
        let found: Option<(i64, Vec<u8>)> = on_pool!(&self.db, p => {
            sqlx::query_as(SQL)
                .bind(aggregate_type)
                .bind(aggregate_id)
                .bind(sequence as i64)
                .fetch_optional(p)
                .await?
        });
        found.map(|(position, h)| to_hash(position, h)).transpose()
    }

    /// Every event of one aggregate after `after_sequence`, in sequence order.
    pub async fn events_of(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        after_sequence: i64,
    ) -> Result<Vec<StoredEvent>, LedgerError> {
        const SQL: &str = "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash, format, sealed FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 ORDER BY sequence";
        let events: Vec<StoredEvent> = on_pool!(&self.db, p => {
            sqlx::query(SQL)
                .bind(aggregate_type)
                .bind(aggregate_id)
                .bind(after_sequence)
                .fetch_all(p)
                .await?
                .iter()
                .map(stored_event)
                .collect::<Result<_, _>>()?
        });
        if let Some(last) = events.last() {
            // What a command just loaded is what it will chain onto.
            self.heads.put(
                (last.aggregate_type.clone(), last.aggregate_id.clone()),
                last.sequence as u64,
                to_hash(last.position, last.hash.clone())?,
            );
        }
        Ok(events)
    }

    /// The metadata of an aggregate's first event (`None` before it has one):
    /// who opened the record, in what role and unit.
    pub async fn first_metadata(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Option<String>, LedgerError> {
        const SQL: &str = "SELECT metadata FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = 1";
        Ok(on_pool!(&self.db, p => {
            sqlx::query_scalar(SQL)
                .bind(aggregate_type)
                .bind(aggregate_id)
                .fetch_optional(p)
                .await?
        }))
    }

    /// The last sequence of one aggregate (0 when it has no event yet).
    pub async fn last_sequence(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<i64, LedgerError> {
        const SQL: &str = "SELECT CAST(COALESCE(MAX(sequence), 0) AS BIGINT) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2";
        Ok(on_pool!(&self.db, p => {
            sqlx::query_scalar(SQL)
                .bind(aggregate_type)
                .bind(aggregate_id)
                .fetch_one(p)
                .await?
        }))
    }

    /// The last sequence of the chain as this process last wrote or read
    /// it, without asking the store. Another process may have appended since:
    /// an append chained on it is then refused as a conflict, and the caller
    /// asks the store (`last_sequence`).
    pub fn known_last_sequence(&self, aggregate_type: &str, aggregate_id: &str) -> Option<i64> {
        self.heads
            .last(&(aggregate_type.to_string(), aggregate_id.to_string()))
            .map(|s| s as i64)
    }

    /// The last sequence of each of these aggregates (absent: none stored),
    /// in one query.
    pub async fn last_sequences(
        &self,
        aggregate_type: &str,
        aggregate_ids: &[String],
    ) -> Result<HashMap<String, i64>, LedgerError> {
        let mut out = HashMap::with_capacity(aggregate_ids.len());
        for chunk in aggregate_ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT aggregate_id, CAST(MAX(sequence) AS BIGINT) FROM events \
                 WHERE aggregate_type = $1 AND aggregate_id IN ({}) GROUP BY aggregate_id",
                marks.join(", ")
            );
            let found: Vec<(String, i64)> = on_pool!(&self.db, p => {
                let mut q = sqlx::query_as(&sql).bind(aggregate_type);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(p).await?
            });
            out.extend(found);
        }
        Ok(out)
    }

    /// Up to `limit` events with position greater than `after`, in position order.
    /// A reader that keeps the last position it saw and asks again never misses
    /// an event: positions are assigned in commit order.
    pub async fn read_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, LedgerError> {
        const SQL: &str = "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash, format, sealed FROM events WHERE position > $1 ORDER BY position LIMIT $2";
        on_pool!(&self.db, p => {
            sqlx::query(SQL)
                .bind(after)
                .bind(limit)
                .fetch_all(p)
                .await?
                .iter()
                .map(stored_event)
                .collect()
        })
    }

    /// The highest position stored (0 when none), whatever the head row says.
    pub async fn last_position(&self) -> Result<i64, LedgerError> {
        const SQL: &str = "SELECT CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM events";
        Ok(on_pool!(&self.db, p => {
            sqlx::query_scalar::<_, i64>(SQL).fetch_one(p).await?
        }))
    }

    /// Every event after `after` (up to `until` when given), in position
    /// order, a page at a time, read ahead of the consumer: up to the last
    /// stored position by `READERS` readers side by side (page k by reader
    /// k mod `READERS`, on connections of their own), then by one reader to
    /// the end, so a row past that position (or past the head) is read too.
    /// Dropping the receiver stops the reading.
    pub fn pages(
        &self,
        after: i64,
        until: Option<i64>,
    ) -> mpsc::Receiver<Result<Vec<StoredEvent>, LedgerError>> {
        let (out, pages) = mpsc::channel(READERS);
        let ledger = self.clone();
        tokio::spawn(async move {
            if let Err(e) = ledger.send_pages(after, until, &out).await {
                let _ = out.send(Err(e)).await;
            }
        });
        pages
    }

    async fn send_pages(
        &self,
        after: i64,
        until: Option<i64>,
        out: &mpsc::Sender<Result<Vec<StoredEvent>, LedgerError>>,
    ) -> Result<(), LedgerError> {
        let last = self.last_position().await?;
        let bound = until.map_or(last, |u| u.min(last));
        let mut readers = Vec::with_capacity(READERS);
        for k in 0..READERS as i64 {
            let (send, pages) = mpsc::channel(1);
            let ledger = self.clone();
            let task = tokio::spawn(async move {
                let mut from = after + k * PAGE;
                while from < bound {
                    let page = ledger.read_between(from, (from + PAGE).min(bound)).await;
                    if send.send(page).await.is_err() {
                        return;
                    }
                    from += READERS as i64 * PAGE;
                }
            });
            readers.push((pages, AbortOnDrop(task)));
        }
        let mut covered = after;
        'ranges: while covered < bound {
            for (pages, _) in readers.iter_mut() {
                if covered >= bound {
                    break 'ranges;
                }
                let Some(page) = pages.recv().await else {
                    break 'ranges;
                };
                let page = page?;
                covered = (covered + PAGE).min(bound);
                if !page.is_empty() && out.send(Ok(page)).await.is_err() {
                    return Ok(());
                }
            }
        }
        drop(readers);
        let mut from = covered;
        loop {
            let limit = match until {
                Some(u) if u <= from => return Ok(()),
                Some(u) => (u - from).min(PAGE),
                None => PAGE,
            };
            let page = self.read_after(from, limit).await?;
            let Some(last) = page.last().map(|e| e.position) else {
                return Ok(());
            };
            from = last;
            if out.send(Ok(page)).await.is_err() {
                return Ok(());
            }
        }
    }

    /// The events with `after < position <= through`, in position order.
    pub async fn read_between(
        &self,
        after: i64,
        through: i64,
    ) -> Result<Vec<StoredEvent>, LedgerError> {
        const SQL: &str = "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash, format, sealed FROM events WHERE position > $1 AND position <= $2 ORDER BY position";
        // sqlx hands SQLite's rows over one by one between threads, which
        // costs more than reading them: the page comes as one JSON text
        // instead (exactly the stored text, hashes in hex).
        const SQLITE: &str = "SELECT CAST(json_group_array(json_array(position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, hex(prev_hash), hex(hash), format, sealed)) AS TEXT) FROM (SELECT * FROM events WHERE position > ?1 AND position <= ?2 ORDER BY position)";
        if let Db::Sqlite(p) = &self.db {
            let page: String = sqlx::query_scalar(SQLITE)
                .bind(after)
                .bind(through)
                .fetch_one(p)
                .await?;
            return from_json_page(&page);
        }
        on_pool!(&self.db, p => {
            sqlx::query(SQL)
                .bind(after)
                .bind(through)
                .fetch_all(p)
                .await?
                .iter()
                .map(stored_event)
                .collect()
        })
    }

    /// The events at the given positions, in position order (missing ones are
    /// left out).
    pub async fn events_at(&self, positions: &[i64]) -> Result<Vec<StoredEvent>, LedgerError> {
        let mut out = Vec::with_capacity(positions.len());
        for chunk in positions.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash, format, sealed FROM events WHERE position IN ({}) ORDER BY position",
                marks.join(", ")
            );
            let page: Vec<StoredEvent> = on_pool!(&self.db, p => {
                let mut q = sqlx::query(&sql);
                for position in chunk {
                    q = q.bind(*position);
                }
                q.fetch_all(p)
                    .await?
                    .iter()
                    .map(stored_event)
                    .collect::<Result<_, _>>()?
            });
            out.extend(page);
        }
        out.sort_by_key(|e| e.position);
        Ok(out)
    }

    /// The ids of the aggregates of `aggregate_type` that have an event of
    /// `event_type`.
    pub async fn aggregates_with_event(
        &self,
        aggregate_type: &str,
        event_type: &str,
    ) -> Result<Vec<String>, LedgerError> {
        const SQL: &str = "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = $1 AND event_type = $2 ORDER BY aggregate_id";
        Ok(on_pool!(&self.db, p => {
            sqlx::query_scalar(SQL)
                .bind(aggregate_type)
                .bind(event_type)
                .fetch_all(p)
                .await?
        }))
    }

    /// SQLite: a consistent copy of the whole store (events, checkpoints,
    /// cosignatures, wrapped data keys, projections, accounts, files) into
    /// `path`, which must not exist, taken while the service runs
    /// (`VACUUM INTO`: one read transaction). PostgreSQL stores are backed up
    /// with `pg_dump`.
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<(), LedgerError> {
        let Db::Sqlite(pool) = self.db() else {
            return Err(LedgerError::Url(
                "hoso backup copies the embedded (SQLite) store; back up PostgreSQL with pg_dump"
                    .into(),
            ));
        };
        if path.exists() {
            return Err(LedgerError::Url(format!(
                "{} exists already: give a new file",
                path.display()
            )));
        }
        let target = path.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO ?1")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// The last position handed out.
    pub async fn head(&self) -> Result<i64, LedgerError> {
        const SQL: &str = "SELECT last_position FROM event_head WHERE id = 1";
        Ok(on_pool!(&self.db, p => sqlx::query_scalar(SQL).fetch_one(p).await?))
    }
}

fn stored_event<R>(row: &R) -> Result<StoredEvent, LedgerError>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredEvent {
        position: row.try_get("position")?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        format: row.try_get("format")?,
        sealed: row.try_get("sealed")?,
    })
}

/// Columns of `events` as `read_between` gets them from SQLite.
type JsonRow = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
);

fn from_json_page(page: &str) -> Result<Vec<StoredEvent>, LedgerError> {
    let rows: Vec<JsonRow> = serde_json::from_str(page)?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        position,
        aggregate_type,
        aggregate_id,
        sequence,
        event_type,
        event_version,
        payload,
        metadata,
        prev_hash,
        hash,
        format,
        sealed,
    ) in rows
    {
        let bytes = |h: &str| {
            hex::decode(h).map_err(|e| LedgerError::Malformed {
                position,
                reason: format!("stored hash is not bytes: {e}"),
            })
        };
        out.push(StoredEvent {
            position,
            prev_hash: bytes(&prev_hash)?,
            hash: bytes(&hash)?,
            aggregate_type,
            aggregate_id,
            sequence,
            event_type,
            event_version,
            payload,
            metadata,
            format,
            sealed,
        });
    }
    // json_group_array keeps the subquery's order; sorted again all the same.
    out.sort_by_key(|e| e.position);
    Ok(out)
}

fn record_of<'a>(e: &'a NewEvent, sealed: Option<&'a str>) -> RecordRef<'a> {
    RecordRef {
        aggregate_type: &e.aggregate_type,
        aggregate_id: &e.aggregate_id,
        sequence: e.sequence,
        event_type: &e.event_type,
        event_version: &e.event_version,
        payload: &e.payload,
        metadata: &e.metadata,
        format: FORMAT as u8,
        sealed: sealed.unwrap_or(""),
    }
}

pub(crate) type Key = (String, String);

/// A stored hash; anything but 32 bytes is a malformed row, never zeros.
fn to_hash(position: i64, bytes: Vec<u8>) -> Result<[u8; 32], LedgerError> {
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| LedgerError::Malformed {
            position,
            reason: format!("hash has {} bytes, not 32", b.len()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_of_the_wrong_length_is_an_error_not_zeros() {
        assert_eq!(to_hash(1, vec![7; 32]).unwrap(), [7; 32]);
        let e = to_hash(5, vec![7; 31]).unwrap_err();
        assert!(
            matches!(e, LedgerError::Malformed { position: 5, .. }),
            "{e}"
        );
        assert!(to_hash(6, Vec::new()).is_err());
    }
}
