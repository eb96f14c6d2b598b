//! Statements on the API's own tables (accounts, tokens, idempotency) on either
//! backend, with the projections' dialect-neutral `?` placeholders and values.

use hoso_ledger::Db;
pub use hoso_projections::sql::{rows, ts, Val};

use super::error::ApiError;

fn bind<'q, DB>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    params: &'q [Val],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for p in params {
        q = match p {
            Val::Null => q.bind(None::<i64>),
            Val::Int(i) => q.bind(*i),
            Val::Text(t) => q.bind(t.as_str()),
        };
    }
    q
}

/// Runs one statement; the number of rows it changed.
pub async fn exec(db: &Db, sql: &str, params: &[Val]) -> Result<u64, ApiError> {
    Ok(match db {
        Db::Postgres(p) => {
            let sql = hoso_projections::sql::to_pg(sql);
            bind(sqlx::query(&sql).persistent(false), params)
                .execute(p)
                .await?
                .rows_affected()
        }
        Db::Sqlite(p) => bind(sqlx::query(sql), params)
            .execute(p)
            .await?
            .rows_affected(),
    })
}

/// Reads rows.
pub async fn select(db: &Db, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, ApiError> {
    Ok(rows(db, sql, params).await?)
}
