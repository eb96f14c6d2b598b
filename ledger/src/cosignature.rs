//! Witness cosignatures of the log's checkpoints, stored append-only in the
//! `cosignatures` table (migrations `0004_cosignatures.sql`), and the
//! cosigned note: a checkpoint's signed note with its cosignature lines
//! appended, which is what clients check for a quorum (`crate::witnessed`).
//!
//! Only lines that verified with the witness's key over the checkpoint's body
//! are stored (the witness client checks them first); each is kept byte for
//! byte.

use sqlx::Row;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::note::Verified;
use crate::store::{Db, Ledger};

/// One stored cosignature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCosignature {
    pub id: i64,
    pub checkpoint_id: i64,
    pub tree_size: u64,
    pub witness_name: String,
    /// 8 hex digits.
    pub key_id: String,
    /// The cosignature's timestamp (POSIX seconds).
    pub cosigned_at: u64,
    /// The signature line, with its newline.
    pub line: String,
    pub received_at: String,
}

const COLUMNS: &str =
    "id, checkpoint_id, tree_size, witness_name, key_id, cosigned_at, line, received_at";

fn of_row<R>(row: &R) -> Result<StoredCosignature, CheckpointError>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let id: i64 = row.try_get("id")?;
    let size: i64 = row.try_get("tree_size")?;
    let at: i64 = row.try_get("cosigned_at")?;
    Ok(StoredCosignature {
        id,
        checkpoint_id: row.try_get("checkpoint_id")?,
        tree_size: u64::try_from(size).map_err(|_| CheckpointError::Malformed(id))?,
        witness_name: row.try_get("witness_name")?,
        key_id: row.try_get("key_id")?,
        cosigned_at: u64::try_from(at).map_err(|_| CheckpointError::Malformed(id))?,
        line: row.try_get("line")?,
        received_at: row.try_get("received_at")?,
    })
}

/// Stores a verified cosignature of checkpoint `cp`; `false` when the same
/// line was stored already.
pub async fn store(
    ledger: &Ledger,
    cp: &Checkpoint,
    cosig: &Verified,
    received_at: &str,
) -> Result<bool, CheckpointError> {
    let line = cosig.line.to_line();
    let at = cosig.timestamp.unwrap_or(0).min(i64::MAX as u64) as i64;
    let cols = "checkpoint_id, tree_size, witness_name, key_id, cosigned_at, line, received_at";
    let sql = format!(
        "INSERT INTO cosignatures ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (checkpoint_id, line) DO NOTHING"
    );
    let done = on_pool!(ledger.db(), p => sqlx::query(&sql)
        .bind(cp.id)
        .bind(cp.tree_size as i64)
        .bind(&cosig.line.name)
        .bind(cosig.line.key_id_hex())
        .bind(at)
        .bind(&line)
        .bind(received_at)
        .execute(p)
        .await?
        .rows_affected());
    Ok(done == 1)
}

/// `filter` uses `$1, $2, …` for `binds` (SQLite understands them too).
async fn query(
    ledger: &Ledger,
    filter: &str,
    binds: &[&str],
) -> Result<Vec<StoredCosignature>, CheckpointError> {
    let sql = format!("SELECT {COLUMNS} FROM cosignatures {filter}");
    on_pool!(ledger.db(), p => {
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(p).await?.iter().map(of_row).collect()
    })
}

/// Every stored cosignature, oldest first.
pub async fn all(ledger: &Ledger) -> Result<Vec<StoredCosignature>, CheckpointError> {
    query(ledger, "ORDER BY id", &[]).await
}

/// The newest checkpoint that any witness cosigned, with its cosignatures
/// (oldest first); `None` before the first cosignature.
pub async fn newest_cosigned(
    ledger: &Ledger,
) -> Result<Option<(Checkpoint, Vec<StoredCosignature>)>, CheckpointError> {
    let newest = query(ledger, "ORDER BY checkpoint_id DESC, id DESC LIMIT 1", &[]).await?;
    let Some(c) = newest.into_iter().next() else {
        return Ok(None);
    };
    let cp = crate::checkpoint::by_id(ledger, c.checkpoint_id)
        .await?
        .ok_or(CheckpointError::Malformed(c.checkpoint_id))?;
    Ok(Some((cp, of_checkpoint(ledger, c.checkpoint_id).await?)))
}

/// The cosignatures of checkpoint `#checkpoint_id`, oldest first.
pub async fn of_checkpoint(
    ledger: &Ledger,
    checkpoint_id: i64,
) -> Result<Vec<StoredCosignature>, CheckpointError> {
    let id = checkpoint_id.to_string();
    query(
        ledger,
        "WHERE checkpoint_id = CAST($1 AS BIGINT) ORDER BY id",
        &[&id],
    )
    .await
}

/// The stored cosignature of the largest tree by this witness key.
pub async fn latest_of_witness(
    ledger: &Ledger,
    witness_name: &str,
    key_id_hex: &str,
) -> Result<Option<StoredCosignature>, CheckpointError> {
    Ok(query(
        ledger,
        "WHERE witness_name = $1 AND key_id = $2 ORDER BY tree_size DESC, id DESC LIMIT 1",
        &[witness_name, key_id_hex],
    )
    .await?
    .into_iter()
    .next())
}

/// The checkpoint's signed note with the stored cosignature lines appended
/// (one per witness key: the newest line of each).
pub async fn cosigned_note(ledger: &Ledger, cp: &Checkpoint) -> Result<String, CheckpointError> {
    let mut note = cp.note.clone();
    let mut seen: Vec<(String, String)> = Vec::new();
    for c in of_checkpoint(ledger, cp.id).await?.into_iter().rev() {
        let k = (c.witness_name.clone(), c.key_id.clone());
        if !seen.contains(&k) && !note.contains(&c.line) {
            seen.push(k);
            note.push_str(&c.line);
        }
    }
    Ok(note)
}
