//! Rows of the event table as the rest of hoso sees them.

use crate::encoding::RecordRef;

/// One event as stored, with its place in the global order and in its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Global, gap-free, assigned in commit order (1, 2, 3, …).
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// Per aggregate, 1, 2, 3, …
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// Canonical JSON (RFC 8785): exactly the hashed bytes.
    pub payload: String,
    /// Canonical JSON (RFC 8785): exactly the hashed bytes.
    pub metadata: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    /// 1: written before sealed personal data; 2: `payload` holds the public
    /// fields and `sealed` the encrypted personal part (docs/event-hash.md).
    pub format: i64,
    /// Format 2: canonical JSON of the sealed part, `None` when the event has
    /// no personal field.
    pub sealed: Option<String>,
}

impl StoredEvent {
    pub fn record(&self) -> RecordRef<'_> {
        RecordRef {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence.max(0) as u64,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: &self.payload,
            metadata: &self.metadata,
            format: u8::try_from(self.format).unwrap_or(u8::MAX),
            sealed: self.sealed.as_deref().unwrap_or(""),
        }
    }
}

/// An event on its way in: canonical JSON of the whole payload (personal
/// fields included: the ledger seals them), hashes not yet.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: u64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
}
