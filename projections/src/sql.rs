//! A small dialect-neutral layer over PostgreSQL and SQLite, so each projection
//! is written once. SQL is written with `?` placeholders (translated to `$n` for
//! PostgreSQL) and uses only what both understand: TEXT and BIGINT columns,
//! `INSERT … ON CONFLICT … DO UPDATE`, and `excluded.col`. Times are stored as
//! fixed-width RFC 3339 UTC text, which sorts like time.

use chrono::{DateTime, SecondsFormat, Utc};
use hoso_ledger::Db;
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Row, Sqlite, Transaction};

use crate::error::ProjectionError;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl Val {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            Val::Text(t) => t.parse().ok(),
            Val::Null => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn text(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Int(i) => i.to_string(),
            Val::Text(t) => t.clone(),
        }
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Self {
        Val::Int(v.into())
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(v.into())
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Val::Null)
    }
}
impl From<DateTime<Utc>> for Val {
    fn from(v: DateTime<Utc>) -> Self {
        Val::Text(ts(v))
    }
}

/// The stored form of a time: `2026-03-02T02:00:00.000000Z`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `?` → `$1, $2, …` for PostgreSQL. Statements here carry no literal `?`.
pub fn to_pg(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

fn decode_row<R>(row: &R) -> Vec<Val>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    (0..row.len())
        .map(|i| {
            if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                return v.map(Val::Int).unwrap_or(Val::Null);
            }
            if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                return v.map(Val::Text).unwrap_or(Val::Null);
            }
            Val::Null
        })
        .collect()
}

// On PostgreSQL the statements are not cached (`persistent(false)`): a cached
// statement keeps the parameter types of its first use, and the same text may
// next be bound with a NULL (sent as int8, which PostgreSQL assigns to text or
// bigint columns alike) where it had text before.
macro_rules! bind_all {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                Val::Null => q.bind(None::<i64>),
                Val::Int(i) => q.bind(*i),
                Val::Text(t) => q.bind(t.as_str()),
            };
        }
        q
    }};
}

/// One write transaction on either backend. SQLite takes the database's write
/// lock at the start (`BEGIN IMMEDIATE`).
pub enum Tx {
    Pg(Transaction<'static, Postgres>),
    Lite(PoolConnection<Sqlite>),
}

impl Tx {
    pub async fn begin(db: &Db) -> Result<Tx, ProjectionError> {
        match db {
            Db::Postgres(p) => Ok(Tx::Pg(p.begin().await?)),
            Db::Sqlite(p) => {
                let mut c = p.acquire().await?;
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *c).await?;
                Ok(Tx::Lite(c))
            }
        }
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Tx::Pg(_))
    }

    pub async fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, ProjectionError> {
        match self {
            Tx::Pg(tx) => {
                let sql = to_pg(sql);
                let q = bind_all!(sqlx::query(&sql).persistent(false), params);
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
            Tx::Lite(c) => {
                let q = bind_all!(sqlx::query(sql), params);
                Ok(q.execute(&mut **c).await?.rows_affected())
            }
        }
    }

    pub async fn rows(
        &mut self,
        sql: &str,
        params: &[Val],
    ) -> Result<Vec<Vec<Val>>, ProjectionError> {
        match self {
            Tx::Pg(tx) => {
                let sql = to_pg(sql);
                let q = bind_all!(sqlx::query(&sql).persistent(false), params);
                Ok(q.fetch_all(&mut **tx)
                    .await?
                    .iter()
                    .map(decode_row)
                    .collect())
            }
            Tx::Lite(c) => {
                let q = bind_all!(sqlx::query(sql), params);
                Ok(q.fetch_all(&mut **c)
                    .await?
                    .iter()
                    .map(decode_row)
                    .collect())
            }
        }
    }

    pub async fn commit(self) -> Result<(), ProjectionError> {
        match self {
            Tx::Pg(tx) => tx.commit().await?,
            Tx::Lite(mut c) => {
                if let Err(e) = sqlx::query("COMMIT").execute(&mut *c).await {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *c).await;
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), ProjectionError> {
        match self {
            Tx::Pg(tx) => tx.rollback().await?,
            Tx::Lite(mut c) => {
                sqlx::query("ROLLBACK").execute(&mut *c).await?;
            }
        }
        Ok(())
    }
}

/// Reads outside a transaction.
pub async fn rows(db: &Db, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, ProjectionError> {
    match db {
        Db::Postgres(p) => {
            let sql = to_pg(sql);
            let q = bind_all!(sqlx::query(&sql).persistent(false), params);
            Ok(q.fetch_all(p).await?.iter().map(decode_row).collect())
        }
        Db::Sqlite(p) => {
            let q = bind_all!(sqlx::query(sql), params);
            Ok(q.fetch_all(p).await?.iter().map(decode_row).collect())
        }
    }
}

/// Most parameters in one statement (SQLite allows 32 766).
const MAX_PARAMS: usize = 30_000;

/// Writes `rows` with multi-row `INSERT … ON CONFLICT (key) DO UPDATE SET …`.
/// `update` is the SET list, e.g. `count = t.count + excluded.count`.
pub async fn upsert(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    key: &[&str],
    update: &str,
    rows: &[Vec<Val>],
) -> Result<(), ProjectionError> {
    if rows.is_empty() {
        return Ok(());
    }
    let per = (MAX_PARAMS / columns.len()).max(1);
    let row_marks = format!("({})", vec!["?"; columns.len()].join(", "));
    for chunk in rows.chunks(per) {
        let values = vec![row_marks.as_str(); chunk.len()].join(", ");
        let conflict = if update.is_empty() {
            "DO NOTHING".to_string()
        } else {
            format!("DO UPDATE SET {update}")
        };
        let sql = format!(
            "INSERT INTO {table} AS t ({}) VALUES {values} ON CONFLICT ({}) {conflict}",
            columns.join(", "),
            key.join(", ")
        );
        let params: Vec<Val> = chunk.iter().flatten().cloned().collect();
        tx.exec(&sql, &params).await?;
    }
    Ok(())
}
