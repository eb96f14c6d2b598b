//! Where the checkpoint signing key lives, and issuing checkpoints: on demand,
//! on a schedule in `hoso serve`, and after `hoso demo`.
//!
//! The key file is `--key PATH` / `HOSO_SIGNING_KEY` if given, else
//! `hoso-signing.key` beside the SQLite file, else (PostgreSQL) in the working
//! directory. It is created at first use with mode 0600; the private key is
//! never printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use hoso_ledger::checkpoint::{self, Checkpoint, CheckpointError, Signer};
use hoso_ledger::Ledger;

/// File name of the key when no path is given.
pub const KEY_FILE: &str = "hoso-signing.key";

/// The key path for a database URL when none is given.
pub fn default_key_path(database_url: &str) -> PathBuf {
    beside_database(database_url, KEY_FILE)
}

/// `name` beside the SQLite file of `database_url`, else (PostgreSQL, or a
/// file in the working directory) in the working directory.
pub fn beside_database(database_url: &str, name: &str) -> PathBuf {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        return PathBuf::from(name);
    }
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .unwrap_or(database_url);
    let file = file.split('?').next().unwrap_or(file);
    match Path::new(file).parent() {
        Some(dir) if !dir.as_os_str().is_empty() && file != ":memory:" => dir.join(name),
        _ => PathBuf::from(name),
    }
}

/// `explicit` if given, else the default for the database.
pub fn key_path(explicit: Option<&Path>, database_url: &str) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_key_path(database_url))
}

/// Now, as checkpoints write it (RFC 3339, UTC, seconds, `Z`).
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Signs and stores a checkpoint of everything committed so far, now
/// (`checkpoint::issue`: the log's own key only, a lost race retried).
pub async fn issue_now(
    ledger: &Ledger,
    signer: &Signer,
    only_if_grown: bool,
) -> Result<Option<Checkpoint>, CheckpointError> {
    checkpoint::issue(ledger, signer, &now(), only_if_grown).await
}

/// Issues a checkpoint every `every` while the log grows. Errors are logged and
/// retried at the next tick (for instance when another process took the id).
pub fn spawn_checkpointer(
    ledger: Ledger,
    signer: std::sync::Arc<Signer>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match issue_now(&ledger, &signer, true).await {
                Ok(Some(c)) => {
                    tracing::info!(id = c.id, tree_size = c.tree_size, "checkpoint issued")
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "checkpoint not issued"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_beside_the_sqlite_file_or_in_the_working_directory() {
        assert_eq!(
            default_key_path("sqlite:///tmp/x/hoso.db"),
            PathBuf::from("/tmp/x/hoso-signing.key")
        );
        assert_eq!(
            default_key_path("sqlite://hoso.db"),
            PathBuf::from(KEY_FILE)
        );
        assert_eq!(
            default_key_path("data/hoso.db"),
            PathBuf::from("data/hoso-signing.key")
        );
        assert_eq!(
            default_key_path("postgres://u@h/db"),
            PathBuf::from(KEY_FILE)
        );
    }

    /// The background checkpointer and an export issue at the same moment:
    /// both get a checkpoint, none an error.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn racing_issuers_both_get_a_checkpoint() {
        let Some(db) = hoso_tests::TestDb::new(hoso_tests::Backend::Sqlite).await else {
            return;
        };
        let ledger = Ledger::open(&db.url).await.expect("ledger");
        let signer = std::sync::Arc::new(Signer::from_seed(&[9; 32]));
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (l, s) = (ledger.clone(), signer.clone());
                tokio::spawn(async move { issue_now(&l, &s, false).await })
            })
            .collect();
        let mut ids = Vec::new();
        for t in tasks {
            let c = t
                .await
                .expect("joined")
                .expect("issued")
                .expect("a checkpoint");
            ids.push(c.id);
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 6, "{ids:?}");
        db.drop_db().await;
    }
}
