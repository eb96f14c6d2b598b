use thiserror::Error;

/// Everything that can go wrong at the ledger's boundary.
#[derive(Debug, Error)]
pub enum LedgerError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("event is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "database URL `{0}` is not understood: use postgres://… or a SQLite file path / sqlite://…"
    )]
    Url(String),
    #[error("another command changed this aggregate first (sequence {sequence} of {aggregate_type} {aggregate_id} is taken)")]
    Conflict {
        aggregate_type: String,
        aggregate_id: String,
        sequence: u64,
    },
    #[error("the append writer has stopped")]
    WriterStopped,
    #[error("another process stored the data key of {0} first")]
    KeyTaken(String),
    #[error("stored event at position {position} is malformed: {reason}")]
    Malformed { position: i64, reason: String },
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),
    #[error("event type {aggregate_type}/{event_type} is not classified as public or personal: it cannot be stored")]
    Unclassified {
        aggregate_type: String,
        event_type: String,
    },
    #[error("whose personal data {aggregate_type} {aggregate_id} holds is unknown (no `{field}` in its first event)")]
    NoSubject {
        aggregate_type: String,
        aggregate_id: String,
        field: &'static str,
    },
    #[error("this ledger was opened without data keys, so sealed events cannot be read")]
    NoKeys,
    #[error("this ledger was opened without data keys: open it through the service (or, for data without personal fields, with `without_privacy`)")]
    PrivacyUnset,
}
