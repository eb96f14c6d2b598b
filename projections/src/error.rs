use thiserror::Error;

/// Everything that can go wrong building or reading a projection.
#[derive(Debug, Error)]
pub enum ProjectionError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Ledger(#[from] hoso_ledger::LedgerError),
    #[error("event at position {position} ({event_type}) does not decode: {source}")]
    Decode {
        position: i64,
        event_type: String,
        source: serde_json::Error,
    },
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unknown projection `{0}`: use case_view, statistics, officer_history or access_log")]
    Unknown(String),
    #[error("event at position {position}: {reason}")]
    Malformed { position: i64, reason: String },
    #[error("projection `{0}` has no checkpoint row: its tables were not set up")]
    NoCheckpoint(String),
    #[error("invalid time `{0}`: use RFC 3339, e.g. 2026-03-02T09:00:00+07:00")]
    Time(String),
}
