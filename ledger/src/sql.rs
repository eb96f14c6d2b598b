//! A small dialect-neutral layer over PostgreSQL and SQLite, so every statement
//! outside the event table's hot path (projections, the service's own tables)
//! is written once. SQL is written with `?` placeholders (translated to `$n` for
//! PostgreSQL) and uses only what both understand: TEXT and BIGINT columns,
//! `INSERT … ON CONFLICT … DO UPDATE`, and `excluded.col`. Times are stored as
//! fixed-width RFC 3339 UTC text, which sorts like time. Rows are read by
//! column name (`row.int("position")`); a missing column or a value of the
//! wrong type is an error, never a default.
//!
//! Architecture invariant: no statement here names `events`, `checkpoints` or
//! `event_head`; the ledger's own modules hold those.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::pool::PoolConnection;
use sqlx::{Column, Postgres, Sqlite, Transaction};

use crate::store::Db;

type Result<T> = std::result::Result<T, sqlx::Error>;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Val {
    /// The value as display text (empty for NULL), e.g. for comparing rows.
    pub fn display(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Int(i) => i.to_string(),
            Val::Text(t) => t.clone(),
            Val::Bytes(b) => hex::encode(b),
        }
    }
}

/// One row of a result, read by column name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Val>,
}

fn decode_error(column: &str, expected: &str, found: &Val) -> sqlx::Error {
    sqlx::Error::Decode(format!("column `{column}`: expected {expected}, found {found:?}").into())
}

impl Row {
    /// The value of `column`; an error when the result has no such column.
    pub fn get(&self, column: &str) -> Result<&Val> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| sqlx::Error::ColumnNotFound(column.to_string()))
    }

    pub fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        match self.get(column)? {
            Val::Null => Ok(None),
            Val::Int(i) => Ok(Some(*i)),
            other => Err(decode_error(column, "an integer", other)),
        }
    }

    pub fn int(&self, column: &str) -> Result<i64> {
        self.opt_int(column)?
            .ok_or_else(|| decode_error(column, "an integer", &Val::Null))
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>> {
        match self.get(column)? {
            Val::Null => Ok(None),
            Val::Text(t) => Ok(Some(t.clone())),
            other => Err(decode_error(column, "text", other)),
        }
    }

    pub fn text(&self, column: &str) -> Result<String> {
        self.opt_text(column)?
            .ok_or_else(|| decode_error(column, "text", &Val::Null))
    }

    pub fn bytes(&self, column: &str) -> Result<Vec<u8>> {
        match self.get(column)? {
            Val::Bytes(b) => Ok(b.clone()),
            other => Err(decode_error(column, "bytes", other)),
        }
    }

    /// Every value in column order (for comparing whole tables).
    pub fn values(&self) -> &[Val] {
        &self.values
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

fn decode_rows<R>(rows: &[R]) -> Result<Vec<Row>>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<Vec<u8>>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    rows.iter()
        .map(|row| {
            let values = (0..row.len())
                .map(|i| {
                    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                        return Ok(v.map(Val::Int).unwrap_or(Val::Null));
                    }
                    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                        return Ok(v.map(Val::Text).unwrap_or(Val::Null));
                    }
                    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
                        return Ok(v.map(Val::Bytes).unwrap_or(Val::Null));
                    }
                    Err(sqlx::Error::Decode(
                        format!(
                            "column `{}` is not an integer, text or bytes",
                            columns.get(i).map(String::as_str).unwrap_or("?")
                        )
                        .into(),
                    ))
                })
                .collect::<Result<Vec<Val>>>()?;
            Ok(Row {
                columns: columns.clone(),
                values,
            })
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
                Val::Bytes(b) => q.bind(b.as_slice()),
            };
        }
        q
    }};
}

/// One write transaction on either backend. SQLite takes the database's write
/// lock at the start (`BEGIN IMMEDIATE`).
pub enum Tx {
    Pg(Transaction<'static, Postgres>),
    Lite(LiteTx),
}

/// A pooled SQLite connection inside `BEGIN IMMEDIATE`. Dropped before
/// `COMMIT` or `ROLLBACK` (an error, a cancelled request), the connection is
/// closed rather than returned to the pool, which rolls the transaction back
/// and releases the write lock: a pooled connection never keeps a lock.
pub struct LiteTx {
    c: PoolConnection<Sqlite>,
    done: bool,
}

impl Drop for LiteTx {
    fn drop(&mut self) {
        if !self.done {
            self.c.close_on_drop();
        }
    }
}

impl Tx {
    pub async fn begin(db: &Db) -> Result<Tx> {
        match db {
            Db::Postgres(p) => Ok(Tx::Pg(p.begin().await?)),
            Db::Sqlite(p) => {
                let mut c = p.acquire().await?;
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *c).await?;
                Ok(Tx::Lite(LiteTx { c, done: false }))
            }
        }
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Tx::Pg(_))
    }

    pub async fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        match self {
            Tx::Pg(tx) => {
                let sql = to_pg(sql);
                let q = bind_all!(sqlx::query(&sql).persistent(false), params);
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
            Tx::Lite(t) => {
                let q = bind_all!(sqlx::query(sql), params);
                Ok(q.execute(&mut *t.c).await?.rows_affected())
            }
        }
    }

    /// `exec` with the parameters of several rows, in order.
    pub async fn exec_rows(&mut self, sql: &str, rows: &[Vec<Val>]) -> Result<u64> {
        match self {
            Tx::Pg(tx) => {
                let sql = to_pg(sql);
                let q = bind_all!(sqlx::query(&sql).persistent(false), rows.iter().flatten());
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
            Tx::Lite(t) => {
                let q = bind_all!(sqlx::query(sql), rows.iter().flatten());
                Ok(q.execute(&mut *t.c).await?.rows_affected())
            }
        }
    }

    pub async fn rows(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
        match self {
            Tx::Pg(tx) => {
                let sql = to_pg(sql);
                let q = bind_all!(sqlx::query(&sql).persistent(false), params);
                decode_rows(&q.fetch_all(&mut **tx).await?)
            }
            Tx::Lite(t) => {
                let q = bind_all!(sqlx::query(sql), params);
                decode_rows(&q.fetch_all(&mut *t.c).await?)
            }
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Pg(tx) => tx.commit().await?,
            Tx::Lite(mut t) => {
                if let Err(e) = sqlx::query("COMMIT").execute(&mut *t.c).await {
                    if sqlx::query("ROLLBACK").execute(&mut *t.c).await.is_ok() {
                        t.done = true;
                    }
                    return Err(e);
                }
                t.done = true;
            }
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Pg(tx) => tx.rollback().await?,
            Tx::Lite(mut t) => {
                sqlx::query("ROLLBACK").execute(&mut *t.c).await?;
                t.done = true;
            }
        }
        Ok(())
    }
}

/// Reads outside a transaction.
pub async fn rows(db: &Db, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
    match db {
        Db::Postgres(p) => {
            let sql = to_pg(sql);
            let q = bind_all!(sqlx::query(&sql).persistent(false), params);
            decode_rows(&q.fetch_all(p).await?)
        }
        Db::Sqlite(p) => {
            let q = bind_all!(sqlx::query(sql), params);
            decode_rows(&q.fetch_all(p).await?)
        }
    }
}

/// The integer column `n` of the one row a statement returns, such as
/// `SELECT CAST(COUNT(*) AS BIGINT) AS n FROM …`; an error when there is no row.
pub async fn one_int(db: &Db, sql: &str, params: &[Val]) -> Result<i64> {
    rows(db, sql, params)
        .await?
        .first()
        .ok_or(sqlx::Error::RowNotFound)?
        .int("n")
}

/// Runs one statement outside a transaction; the number of rows it changed.
pub async fn exec(db: &Db, sql: &str, params: &[Val]) -> Result<u64> {
    match db {
        Db::Postgres(p) => {
            let sql = to_pg(sql);
            let q = bind_all!(sqlx::query(&sql).persistent(false), params);
            Ok(q.execute(p).await?.rows_affected())
        }
        Db::Sqlite(p) => {
            let q = bind_all!(sqlx::query(sql), params);
            Ok(q.execute(p).await?.rows_affected())
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
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let conflict = if update.is_empty() {
        "DO NOTHING".to_string()
    } else {
        format!("DO UPDATE SET {update}")
    };
    if let Tx::Pg(pg) = tx {
        if rows.len() >= COPY_FROM {
            return copy_upsert(pg, table, columns, key, &conflict, rows).await;
        }
    }
    let per = (MAX_PARAMS / columns.len()).max(1);
    let row_marks = format!("({})", vec!["?"; columns.len()].join(", "));
    for chunk in rows.chunks(per) {
        let values = vec![row_marks.as_str(); chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO {table} AS t ({}) VALUES {values} ON CONFLICT ({}) {conflict}",
            columns.join(", "),
            key.join(", ")
        );
        tx.exec_rows(&sql, chunk).await?;
    }
    Ok(())
}

/// Inserts rows that are new by construction (a projection's row per event,
/// keyed by position): a duplicate is an error, never skipped. PostgreSQL
/// streams `COPY` straight into the table from `COPY_FROM` rows on.
pub async fn append_rows(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if let Tx::Pg(pg) = tx {
        if rows.len() >= COPY_FROM {
            let mut copy = pg
                .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
                .await?;
            if let Err(e) = copy.send(copy_data(rows)).await {
                let _ = copy.abort("send failed").await;
                return Err(e);
            }
            copy.finish().await?;
            return Ok(());
        }
    }
    let per = (MAX_PARAMS / columns.len()).max(1);
    let row_marks = format!("({})", vec!["?"; columns.len()].join(", "));
    for chunk in rows.chunks(per) {
        let values = vec![row_marks.as_str(); chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {values}",
            columns.join(", ")
        );
        tx.exec_rows(&sql, chunk).await?;
    }
    Ok(())
}

/// Rows in `COPY`'s text format.
fn copy_data(rows: &[Vec<Val>]) -> Vec<u8> {
    let mut data = Vec::with_capacity(rows.len() * 64);
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                data.push(b'\t');
            }
            copy_text(&mut data, v);
        }
        data.push(b'\n');
    }
    data
}

/// From this many rows on, `upsert` on PostgreSQL streams them with `COPY`
/// (several times faster than bound parameters) into a temporary table and
/// merges that with one `INSERT … SELECT … ON CONFLICT`.
const COPY_FROM: usize = 200;

async fn copy_upsert(
    tx: &mut Transaction<'static, Postgres>,
    table: &str,
    columns: &[&str],
    key: &[&str],
    conflict: &str,
    rows: &[Vec<Val>],
) -> Result<()> {
    use sqlx::Executor;
    let started = std::time::Instant::now();
    let stage = format!("hoso_stage_{table}");
    let columns = columns.join(", ");
    (&mut **tx)
        .execute(format!("CREATE TEMPORARY TABLE {stage} (LIKE {table}) ON COMMIT DROP").as_str())
        .await?;
    let data = copy_data(rows);
    let mut copy = tx
        .copy_in_raw(&format!("COPY {stage} ({columns}) FROM STDIN"))
        .await?;
    if let Err(e) = copy.send(data).await {
        let _ = copy.abort("send failed").await;
        return Err(e);
    }
    copy.finish().await?;
    let copied = started.elapsed();
    (&mut **tx)
        .execute(
            format!(
                "INSERT INTO {table} AS t ({columns}) SELECT {columns} FROM {stage} ON CONFLICT ({}) {conflict}",
                key.join(", ")
            )
            .as_str(),
        )
        .await?;
    (&mut **tx)
        .execute(format!("DROP TABLE {stage}").as_str())
        .await?;
    tracing::debug!(
        table,
        rows = rows.len(),
        copy_s = copied.as_secs_f64(),
        merge_s = (started.elapsed() - copied).as_secs_f64(),
        "bulk upsert"
    );
    Ok(())
}

/// One value in `COPY`'s text format.
fn copy_text(out: &mut Vec<u8>, v: &Val) {
    match v {
        Val::Null => out.extend_from_slice(b"\\N"),
        Val::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Val::Text(t) => {
            for b in t.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    _ => out.push(b),
                }
            }
        }
        Val::Bytes(b) => {
            out.extend_from_slice(b"\\\\x");
            out.extend_from_slice(hex::encode(b).as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_the_text_format_reserves() {
        let mut out = Vec::new();
        for v in [
            Val::Null,
            Val::Int(-42),
            Val::Text("a\tb\nc\rd\\e ✓".into()),
            Val::Bytes(vec![0, 255]),
        ] {
            copy_text(&mut out, &v);
            out.push(b'|');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\\N|-42|a\\tb\\nc\\rd\\\\e ✓|\\\\x00ff|"
        );
    }
}
