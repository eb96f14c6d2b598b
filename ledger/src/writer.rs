//! The one writer of the event table in this process: takes what is queued
//! (up to `MAX_BATCH` commands), locks the one-row `event_head` table, checks
//! each command's expected sequence against its aggregate's last event,
//! inserts, moves the head and commits: one transaction and one disk flush for
//! many commands. Because the head row stays locked until commit, positions
//! are handed out in commit order and without gaps, also across processes
//! sharing one database (see docs/global-order.md).

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::{PgPool, SqlitePool};
use tokio::sync::{mpsc, oneshot, watch};

use crate::error::LedgerError;
use crate::keys::NewKey;
use crate::record::NewEvent;
use crate::store::{ChainHeads, Db, Key};

/// Most commands committed in one transaction.
pub(crate) const MAX_BATCH: usize = 256;

/// An event with its chain hashes computed, waiting for a position.
#[derive(Debug, Clone)]
pub(crate) struct Chained {
    /// The event with its public payload (personal fields sealed away).
    pub(crate) event: NewEvent,
    /// The sealed part (format 2), if the event has personal fields.
    pub(crate) sealed: Option<String>,
    pub(crate) prev_hash: [u8; 32],
    pub(crate) hash: [u8; 32],
}

pub(crate) struct AppendRequest {
    pub(crate) events: Vec<Chained>,
    /// Data keys made for these events and not stored yet: stored in the
    /// same transaction.
    pub(crate) keys: Vec<NewKey>,
    pub(crate) reply: oneshot::Sender<Result<(), LedgerError>>,
}

pub(crate) async fn run_writer(
    db: Db,
    mut rx: mpsc::Receiver<AppendRequest>,
    heads: Arc<ChainHeads>,
    appended: watch::Sender<i64>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let mut outcomes = plan(&batch);
        let accepted: Vec<&AppendRequest> = batch
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.is_ok())
            .map(|(r, _)| r)
            .collect();
        let mut results = match insert(&db, &accepted).await {
            Ok(Some(last)) => {
                appended.send_replace(last);
                accepted.iter().map(|_| Ok(())).collect()
            }
            Ok(None) => accepted.iter().map(|_| Ok(())).collect(),
            Err(e) if accepted.len() == 1 => vec![Err(conflict_or(&accepted[0].events)(e))],
            Err(e) => {
                // One command may have spoiled the batch (most often: another
                // process took its sequence first). Commit each on its own so
                // the others are not lost and the loser gets its conflict.
                tracing::debug!(error = %e, size = accepted.len(), "batch append failed; retrying one by one");
                let mut v = Vec::with_capacity(accepted.len());
                for c in &accepted {
                    v.push(match insert(&db, &[c]).await {
                        Ok(last) => {
                            if let Some(last) = last {
                                appended.send_replace(last);
                            }
                            Ok(())
                        }
                        Err(e) => Err(conflict_or(&c.events)(e)),
                    });
                }
                v
            }
        }
        .into_iter();
        for o in outcomes.iter_mut().filter(|o| o.is_ok()) {
            *o = results.next().unwrap_or(Err(LedgerError::WriterStopped));
        }
        for (req, outcome) in batch.into_iter().zip(outcomes) {
            if outcome.is_ok() {
                if let Some(last) = req.events.last() {
                    heads.put(
                        (
                            last.event.aggregate_type.clone(),
                            last.event.aggregate_id.clone(),
                        ),
                        last.event.sequence,
                        last.hash,
                    );
                }
            }
            // The command's caller may have gone away; its events are stored anyway.
            let _ = req.reply.send(outcome);
        }
    }
}

/// A unique violation means another command took the sequence: a conflict;
/// so is a data key that another process stored first (tried again, the
/// command seals with that key).
fn conflict_or(command: &[Chained]) -> impl Fn(LedgerError) -> LedgerError + '_ {
    move |e| {
        let taken = match &e {
            LedgerError::KeyTaken(_) => true,
            LedgerError::Database(d) => is_unique_violation(d),
            _ => false,
        };
        if !taken {
            return e;
        }
        let first = command.first().map(|c| &c.event);
        LedgerError::Conflict {
            aggregate_type: first.map(|e| e.aggregate_type.clone()).unwrap_or_default(),
            aggregate_id: first.map(|e| e.aggregate_id.clone()).unwrap_or_default(),
            sequence: first.map(|e| e.sequence).unwrap_or_default(),
        }
    }
}

/// Commands of one batch on the same aggregate must chain onto each other;
/// a second command expecting the same sequence is a conflict.
fn plan(batch: &[AppendRequest]) -> Vec<Result<(), LedgerError>> {
    let mut in_batch: HashMap<Key, (u64, [u8; 32])> = HashMap::new();
    batch
        .iter()
        .map(|req| {
            let (Some(first), Some(last)) = (req.events.first(), req.events.last()) else {
                return Ok(());
            };
            let key = (
                first.event.aggregate_type.clone(),
                first.event.aggregate_id.clone(),
            );
            if let Some(&(seq, hash)) = in_batch.get(&key) {
                if first.event.sequence != seq + 1 || first.prev_hash != hash {
                    return Err(LedgerError::Conflict {
                        aggregate_type: key.0,
                        aggregate_id: key.1,
                        sequence: first.event.sequence,
                    });
                }
            }
            in_batch.insert(key, (last.event.sequence, last.hash));
            Ok(())
        })
        .collect()
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Inserts the commands' events in one transaction, numbering them after the
/// head; all or nothing. Returns the last position taken.
async fn insert(db: &Db, requests: &[&AppendRequest]) -> Result<Option<i64>, LedgerError> {
    let commands: Vec<&[Chained]> = requests.iter().map(|r| r.events.as_slice()).collect();
    if commands.iter().all(|c| c.is_empty()) {
        return Ok(None);
    }
    // One row per subject (commands of one batch may share a new key).
    let mut keys: Vec<&NewKey> = Vec::new();
    for k in requests.iter().flat_map(|r| r.keys.iter()) {
        if !keys
            .iter()
            .any(|n| n.subject == k.subject && n.key_id == k.key_id)
        {
            keys.push(k);
        }
    }
    match db {
        Db::Postgres(p) => insert_pg(p, &commands, &keys).await,
        Db::Sqlite(p) => insert_sqlite(p, &commands, &keys).await,
    }
}

/// Stores a new data key unless the subject was erased, then checks that
/// the subject's stored key is this one: another process may have stored its
/// own first (`KeyTaken`), or erased the subject meanwhile.
const INSERT_KEY: &str = "INSERT INTO data_keys (subject, key_id, kek_id, wrapped, created_at) \
    SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM erased_subjects WHERE subject = $1) \
    ON CONFLICT (subject) DO NOTHING";
const STORED_KEY: &str = "SELECT key_id FROM data_keys WHERE subject = $1";

/// Stores each new key and checks it (`check_key`), on a PostgreSQL
/// transaction or a SQLite connection inside `BEGIN IMMEDIATE`.
macro_rules! store_keys {
    ($conn:expr, $keys:expr) => {
        for k in $keys {
            sqlx::query(INSERT_KEY)
                .bind(&k.subject)
                .bind(&k.key_id)
                .bind(&k.kek_id)
                .bind(&k.wrapped)
                .bind(&k.created_at)
                .execute($conn)
                .await?;
            let stored: Option<String> = sqlx::query_scalar(STORED_KEY)
                .bind(&k.subject)
                .fetch_optional($conn)
                .await?;
            check_key(k, stored)?;
        }
    };
}

fn check_key(k: &NewKey, stored: Option<String>) -> Result<(), LedgerError> {
    match stored {
        Some(id) if id == k.key_id => Ok(()),
        Some(_) => Err(LedgerError::KeyTaken(k.subject.clone())),
        None => Err(LedgerError::Key(crate::keys::KeyError::Erased(
            k.subject.clone(),
        ))),
    }
}

/// One statement, so one round trip and its own transaction: move the head (its
/// row lock is held until the statement commits, which orders positions by
/// commit), insert every event numbered after the old head, and notify followers.
const INSERT_PG: &str = "\
WITH head AS (\
    UPDATE event_head SET last_position = last_position + $1 WHERE id = 1 \
    RETURNING last_position - $1 AS base\
), inserted AS (\
    INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, \
                        event_version, payload, metadata, prev_hash, hash, format, sealed) \
    SELECT head.base + u.ord, u.t, u.i, u.s, u.et, u.ev, u.p, u.m, u.ph, u.h, $11, u.sd \
    FROM head, UNNEST($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], \
                      $7::text[], $8::text[], $9::bytea[], $10::bytea[], $12::text[]) \
         WITH ORDINALITY AS u(t, i, s, et, ev, p, m, ph, h, sd, ord) \
    RETURNING 1\
) \
SELECT head.base + $1, pg_notify('hoso_events', (head.base + $1)::text)::text FROM head";

async fn insert_pg(
    pool: &PgPool,
    commands: &[&[Chained]],
    keys: &[&NewKey],
) -> Result<Option<i64>, LedgerError> {
    let n: usize = commands.iter().map(|c| c.len()).sum();
    let mut a_types = Vec::with_capacity(n);
    let mut a_ids = Vec::with_capacity(n);
    let mut seqs = Vec::with_capacity(n);
    let mut e_types = Vec::with_capacity(n);
    let mut e_versions = Vec::with_capacity(n);
    let mut payloads = Vec::with_capacity(n);
    let mut metas = Vec::with_capacity(n);
    let mut prevs = Vec::with_capacity(n);
    let mut hashes = Vec::with_capacity(n);
    let mut sealed = Vec::with_capacity(n);
    for c in commands.iter().flat_map(|c| c.iter()) {
        a_types.push(c.event.aggregate_type.as_str());
        a_ids.push(c.event.aggregate_id.as_str());
        seqs.push(c.event.sequence as i64);
        e_types.push(c.event.event_type.as_str());
        e_versions.push(c.event.event_version.as_str());
        payloads.push(c.event.payload.as_str());
        metas.push(c.event.metadata.as_str());
        prevs.push(&c.prev_hash[..]);
        hashes.push(&c.hash[..]);
        sealed.push(c.sealed.as_deref());
    }
    let events = sqlx::query_scalar(INSERT_PG)
        .bind(n as i64)
        .bind(&a_types)
        .bind(&a_ids)
        .bind(&seqs)
        .bind(&e_types)
        .bind(&e_versions)
        .bind(&payloads)
        .bind(&metas)
        .bind(&prevs)
        .bind(&hashes)
        .bind(crate::store::FORMAT)
        .bind(&sealed);
    if keys.is_empty() {
        let last: i64 = events.fetch_one(pool).await?;
        return Ok(Some(last));
    }
    // New data keys go in the events' transaction: stored exactly when the
    // events they seal are.
    let mut tx = pool.begin().await?;
    store_keys!(&mut *tx, keys);
    let last: i64 = events.fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(last))
}

async fn insert_sqlite(
    pool: &SqlitePool,
    commands: &[&[Chained]],
    keys: &[&NewKey],
) -> Result<Option<i64>, LedgerError> {
    let mut conn = pool.acquire().await?;
    // IMMEDIATE: take the database's write lock before reading the head.
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let result = async {
        store_keys!(&mut *conn, keys);
        let mut position: i64 =
            sqlx::query_scalar("SELECT last_position FROM event_head WHERE id = 1")
                .fetch_one(&mut *conn)
                .await?;
        for c in commands.iter().flat_map(|c| c.iter()) {
            position += 1;
            sqlx::query(
                "INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, \
                 event_version, payload, metadata, prev_hash, hash, format, sealed) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .bind(position)
            .bind(&c.event.aggregate_type)
            .bind(&c.event.aggregate_id)
            .bind(c.event.sequence as i64)
            .bind(&c.event.event_type)
            .bind(&c.event.event_version)
            .bind(&c.event.payload)
            .bind(&c.event.metadata)
            .bind(&c.prev_hash[..])
            .bind(&c.hash[..])
            .bind(crate::store::FORMAT)
            .bind(c.sealed.as_deref())
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("UPDATE event_head SET last_position = ?1 WHERE id = 1")
            .bind(position)
            .execute(&mut *conn)
            .await?;
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        Ok::<_, LedgerError>(position)
    }
    .await;
    let position = match result {
        Ok(p) => p,
        Err(e) => {
            // The connection goes back to the pool: it must not keep the transaction.
            if let Err(rb) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
                tracing::error!(error = %rb, "rollback failed; closing the connection");
                let _ = conn.detach();
            }
            return Err(e);
        }
    };
    Ok(Some(position))
}
