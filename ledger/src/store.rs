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

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Row, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::encoding::{event_hash, RecordRef, GENESIS};
use crate::error::LedgerError;
use crate::record::{NewEvent, StoredEvent};

/// Most commands committed in one transaction.
const MAX_BATCH: usize = 256;
/// Capacity of the queue in front of the writer.
const QUEUE: usize = 4096;

/// The database behind the ledger.
#[derive(Clone, Debug)]
pub enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

impl Db {
    /// Connects to `url`: `postgres://…` or `postgresql://…` selects PostgreSQL;
    /// `sqlite:…` or a plain file path selects SQLite (file created on first use).
    pub async fn connect(url: &str) -> Result<Db, LedgerError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(|_| LedgerError::Url(url.into()))?;
            let pool = PgPoolOptions::new()
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
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
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

struct AppendRequest {
    events: Vec<NewEvent>,
    reply: oneshot::Sender<Result<(), LedgerError>>,
}

/// Handle on the event store; cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    db: Db,
    writer: mpsc::Sender<AppendRequest>,
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
        tokio::spawn(run_writer(db.clone(), rx));
        Ledger { db, writer: tx }
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
        if events.is_empty() {
            return Ok(());
        }
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(AppendRequest { events, reply })
            .await
            .map_err(|_| LedgerError::WriterStopped)?;
        answer.await.map_err(|_| LedgerError::WriterStopped)?
    }

    /// Every event of one aggregate, in sequence order.
    pub async fn events_of(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        after_sequence: i64,
    ) -> Result<Vec<StoredEvent>, LedgerError> {
        const SQL_PG: &str = "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 ORDER BY sequence";
        const SQL_LITE: &str = "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash FROM events WHERE aggregate_type = ?1 AND aggregate_id = ?2 AND sequence > ?3 ORDER BY sequence";
        match &self.db {
            Db::Postgres(p) => sqlx::query(SQL_PG)
                .bind(aggregate_type)
                .bind(aggregate_id)
                .bind(after_sequence)
                .fetch_all(p)
                .await?
                .iter()
                .map(stored_event)
                .collect(),
            Db::Sqlite(p) => sqlx::query(SQL_LITE)
                .bind(aggregate_type)
                .bind(aggregate_id)
                .bind(after_sequence)
                .fetch_all(p)
                .await?
                .iter()
                .map(stored_event)
                .collect(),
        }
    }

    /// Up to `limit` events with position greater than `after`, in position order.
    /// A reader that keeps the last position it saw and asks again never misses
    /// an event: positions are assigned in commit order.
    pub async fn read_after(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, LedgerError> {
        const SQL_PG: &str = "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash FROM events WHERE position > $1 ORDER BY position LIMIT $2";
        const SQL_LITE: &str = "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash FROM events WHERE position > ?1 ORDER BY position LIMIT ?2";
        match &self.db {
            Db::Postgres(p) => sqlx::query(SQL_PG)
                .bind(after)
                .bind(limit)
                .fetch_all(p)
                .await?
                .iter()
                .map(stored_event)
                .collect(),
            Db::Sqlite(p) => sqlx::query(SQL_LITE)
                .bind(after)
                .bind(limit)
                .fetch_all(p)
                .await?
                .iter()
                .map(stored_event)
                .collect(),
        }
    }

    /// The last position handed out.
    pub async fn head(&self) -> Result<i64, LedgerError> {
        const SQL: &str = "SELECT last_position FROM event_head WHERE id = 1";
        let head: i64 = match &self.db {
            Db::Postgres(p) => sqlx::query_scalar(SQL).fetch_one(p).await?,
            Db::Sqlite(p) => sqlx::query_scalar(SQL).fetch_one(p).await?,
        };
        Ok(head)
    }
}

fn stored_event<R>(row: &R) -> Result<StoredEvent, LedgerError>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
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
    })
}

async fn run_writer(db: Db, mut rx: mpsc::Receiver<AppendRequest>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let commands: Vec<&[NewEvent]> = batch.iter().map(|r| r.events.as_slice()).collect();
        let outcomes = match append_batch(&db, &commands).await {
            Ok(outcomes) => outcomes,
            Err(e) if commands.len() == 1 => vec![Err(e)],
            Err(e) => {
                // One command may have spoiled the batch (say, a value the database
                // refuses): commit each on its own so the others are not lost.
                tracing::warn!(error = %e, size = commands.len(), "batch append failed; retrying one by one");
                let mut outcomes = Vec::with_capacity(commands.len());
                for c in &commands {
                    outcomes.push(match append_batch(&db, &[c]).await {
                        Ok(mut v) => v.pop().unwrap_or(Ok(())),
                        Err(e) => Err(e),
                    });
                }
                outcomes
            }
        };
        for (req, outcome) in batch.into_iter().zip(outcomes) {
            // The command's caller may have gone away; its events are stored anyway.
            let _ = req.reply.send(outcome);
        }
    }
}

type Key = (String, String);

/// A row ready to insert.
struct Row2 {
    position: i64,
    event: NewEvent,
    prev_hash: [u8; 32],
    hash: [u8; 32],
}

/// Checks each command against the chain heads and chains its events. Returns the
/// rows to insert and each command's outcome.
fn plan(
    commands: &[&[NewEvent]],
    heads: &mut HashMap<Key, (u64, [u8; 32])>,
    mut position: i64,
) -> (Vec<Row2>, Vec<Result<(), LedgerError>>) {
    let mut rows = Vec::new();
    let mut outcomes = Vec::with_capacity(commands.len());
    for events in commands {
        let Some(first) = events.first() else {
            outcomes.push(Ok(()));
            continue;
        };
        let key = (first.aggregate_type.clone(), first.aggregate_id.clone());
        let (last_seq, last_hash) = heads.get(&key).copied().unwrap_or((0, GENESIS));
        let consistent = events.iter().enumerate().all(|(i, e)| {
            e.aggregate_type == key.0 && e.aggregate_id == key.1 && e.sequence == last_seq + 1 + i as u64
        });
        if !consistent {
            outcomes.push(Err(LedgerError::Conflict {
                aggregate_type: key.0,
                aggregate_id: key.1,
                sequence: first.sequence,
            }));
            continue;
        }
        let mut prev = last_hash;
        for e in events.iter() {
            position += 1;
            let hash = event_hash(
                &prev,
                &RecordRef {
                    aggregate_type: &e.aggregate_type,
                    aggregate_id: &e.aggregate_id,
                    sequence: e.sequence,
                    event_type: &e.event_type,
                    event_version: &e.event_version,
                    payload: &e.payload,
                    metadata: &e.metadata,
                },
            );
            rows.push(Row2 {
                position,
                event: e.clone(),
                prev_hash: prev,
                hash,
            });
            prev = hash;
        }
        let last = events.last().map(|e| e.sequence).unwrap_or(last_seq);
        heads.insert(key, (last, prev));
        outcomes.push(Ok(()));
    }
    (rows, outcomes)
}

fn distinct_keys(commands: &[&[NewEvent]]) -> Vec<Key> {
    let mut keys: Vec<Key> = commands
        .iter()
        .filter_map(|c| c.first())
        .map(|e| (e.aggregate_type.clone(), e.aggregate_id.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn to_hash(bytes: Vec<u8>) -> [u8; 32] {
    let mut h = [0u8; 32];
    if bytes.len() == 32 {
        h.copy_from_slice(&bytes);
    }
    h
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

async fn append_batch(
    db: &Db,
    commands: &[&[NewEvent]],
) -> Result<Vec<Result<(), LedgerError>>, LedgerError> {
    let result = match db {
        Db::Postgres(p) => append_batch_pg(p, commands).await,
        Db::Sqlite(p) => append_batch_sqlite(p, commands).await,
    };
    match result {
        // Only a writer that bypassed the head lock can get here; report it as the
        // conflict it is.
        Err(LedgerError::Database(e)) if is_unique_violation(&e) && commands.len() == 1 => {
            let first = commands.first().and_then(|c| c.first());
            Ok(vec![Err(LedgerError::Conflict {
                aggregate_type: first.map(|e| e.aggregate_type.clone()).unwrap_or_default(),
                aggregate_id: first.map(|e| e.aggregate_id.clone()).unwrap_or_default(),
                sequence: first.map(|e| e.sequence).unwrap_or_default(),
            })])
        }
        other => other,
    }
}

async fn append_batch_pg(
    pool: &PgPool,
    commands: &[&[NewEvent]],
) -> Result<Vec<Result<(), LedgerError>>, LedgerError> {
    let mut tx = pool.begin().await?;
    let head: i64 = sqlx::query_scalar("SELECT last_position FROM event_head WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut *tx)
        .await?;
    let keys = distinct_keys(commands);
    let (types, ids): (Vec<String>, Vec<String>) = keys.into_iter().unzip();
    let found = sqlx::query(
        "SELECT k.t, k.i, e.sequence, e.hash \
         FROM UNNEST($1::text[], $2::text[]) AS k(t, i) \
         JOIN LATERAL (SELECT sequence, hash FROM events \
                       WHERE aggregate_type = k.t AND aggregate_id = k.i \
                       ORDER BY sequence DESC LIMIT 1) e ON true",
    )
    .bind(&types)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut heads = HashMap::new();
    for r in found {
        let seq: i64 = r.try_get(2)?;
        heads.insert(
            (r.try_get(0)?, r.try_get(1)?),
            (seq as u64, to_hash(r.try_get(3)?)),
        );
    }
    let (rows, outcomes) = plan(commands, &mut heads, head);
    if let Some(last) = rows.last() {
        let last_position = last.position;
        let mut positions = Vec::with_capacity(rows.len());
        let mut a_types = Vec::with_capacity(rows.len());
        let mut a_ids = Vec::with_capacity(rows.len());
        let mut seqs = Vec::with_capacity(rows.len());
        let mut e_types = Vec::with_capacity(rows.len());
        let mut e_versions = Vec::with_capacity(rows.len());
        let mut payloads = Vec::with_capacity(rows.len());
        let mut metas = Vec::with_capacity(rows.len());
        let mut prevs = Vec::with_capacity(rows.len());
        let mut hashes = Vec::with_capacity(rows.len());
        for r in rows {
            positions.push(r.position);
            a_types.push(r.event.aggregate_type);
            a_ids.push(r.event.aggregate_id);
            seqs.push(r.event.sequence as i64);
            e_types.push(r.event.event_type);
            e_versions.push(r.event.event_version);
            payloads.push(r.event.payload);
            metas.push(r.event.metadata);
            prevs.push(r.prev_hash.to_vec());
            hashes.push(r.hash.to_vec());
        }
        sqlx::query(
            "INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, \
             event_version, payload, metadata, prev_hash, hash) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::bytea[], $10::bytea[])",
        )
        .bind(&positions)
        .bind(&a_types)
        .bind(&a_ids)
        .bind(&seqs)
        .bind(&e_types)
        .bind(&e_versions)
        .bind(&payloads)
        .bind(&metas)
        .bind(&prevs)
        .bind(&hashes)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE event_head SET last_position = $1 WHERE id = 1")
            .bind(last_position)
            .execute(&mut *tx)
            .await?;
        sqlx::query("SELECT pg_notify('hoso_events', $1)")
            .bind(last_position.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn append_batch_sqlite(
    pool: &SqlitePool,
    commands: &[&[NewEvent]],
) -> Result<Vec<Result<(), LedgerError>>, LedgerError> {
    let mut conn = pool.acquire().await?;
    // IMMEDIATE: take the write lock before reading the heads, so nobody can move
    // them between our read and our write.
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let result = async {
        let head: i64 = sqlx::query_scalar("SELECT last_position FROM event_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        let mut heads = HashMap::new();
        for (t, i) in distinct_keys(commands) {
            let found = sqlx::query(
                "SELECT sequence, hash FROM events WHERE aggregate_type = ?1 AND aggregate_id = ?2 \
                 ORDER BY sequence DESC LIMIT 1",
            )
            .bind(&t)
            .bind(&i)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(r) = found {
                let seq: i64 = r.try_get(0)?;
                heads.insert((t, i), (seq as u64, to_hash(r.try_get(1)?)));
            }
        }
        let (rows, outcomes) = plan(commands, &mut heads, head);
        if let Some(last) = rows.last() {
            let last_position = last.position;
            for r in &rows {
                sqlx::query(
                    "INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, \
                     event_version, payload, metadata, prev_hash, hash) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .bind(r.position)
                .bind(&r.event.aggregate_type)
                .bind(&r.event.aggregate_id)
                .bind(r.event.sequence as i64)
                .bind(&r.event.event_type)
                .bind(&r.event.event_version)
                .bind(&r.event.payload)
                .bind(&r.event.metadata)
                .bind(&r.prev_hash[..])
                .bind(&r.hash[..])
                .execute(&mut *conn)
                .await?;
            }
            sqlx::query("UPDATE event_head SET last_position = ?1 WHERE id = 1")
                .bind(last_position)
                .execute(&mut *conn)
                .await?;
        }
        Ok::<_, LedgerError>(outcomes)
    }
    .await;
    match result {
        Ok(outcomes) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(outcomes)
        }
        Err(e) => {
            // The connection returns to the pool; it must not keep the transaction.
            if let Err(rb) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
                tracing::error!(error = %rb, "rollback failed; closing connection");
                let _ = conn.detach();
            }
            Err(e)
        }
    }
}
