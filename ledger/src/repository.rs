//! cqrs-es's `PersistedEventRepository` over the ledger, so `CqrsFramework` loads
//! and commits aggregates through the hash-chained store.

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use serde_json::Value;

use crate::encoding::canonical_json;
use crate::error::LedgerError;
use crate::record::{NewEvent, StoredEvent};
use crate::store::Ledger;

/// Events read per page when streaming.
const PAGE: i64 = 1000;

impl From<LedgerError> for PersistenceError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Conflict { .. } => PersistenceError::OptimisticLockError,
            LedgerError::Database(e) => PersistenceError::ConnectionError(Box::new(e)),
            LedgerError::Json(e) => PersistenceError::DeserializationError(Box::new(e)),
            other => PersistenceError::UnknownError(Box::new(other)),
        }
    }
}

/// The event as cqrs-es wants it back: the payload with its personal fields
/// opened (or left out when the subject's data key is destroyed).
pub async fn serialized(ledger: &Ledger, e: &StoredEvent) -> Result<SerializedEvent, LedgerError> {
    Ok(SerializedEvent {
        aggregate_id: e.aggregate_id.clone(),
        sequence: e.sequence.max(0) as usize,
        aggregate_type: e.aggregate_type.clone(),
        event_type: e.event_type.clone(),
        event_version: e.event_version.clone(),
        payload: ledger.open_event(e).await?.payload,
        metadata: serde_json::from_str(&e.metadata)?,
    })
}

async fn all_serialized(
    ledger: &Ledger,
    events: &[StoredEvent],
) -> Result<Vec<SerializedEvent>, LedgerError> {
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        out.push(serialized(ledger, e).await?);
    }
    Ok(out)
}

fn new_event(e: &SerializedEvent) -> Result<NewEvent, LedgerError> {
    Ok(NewEvent {
        aggregate_type: e.aggregate_type.clone(),
        aggregate_id: e.aggregate_id.clone(),
        sequence: e.sequence as u64,
        event_type: e.event_type.clone(),
        event_version: e.event_version.clone(),
        payload: canonical_json(&e.payload)?,
        metadata: canonical_json(&e.metadata)?,
    })
}

#[derive(Debug, thiserror::Error)]
#[error("hoso's ledger keeps no snapshots: use PersistedEventStore::new_event_store")]
struct SnapshotsNotKept;

impl PersistedEventRepository for Ledger {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.get_last_events::<A>(aggregate_id, 0).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let events = self
            .events_of(A::TYPE, aggregate_id, last_sequence as i64)
            .await?;
        Ok(all_serialized(self, &events).await?)
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        _aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        Ok(None)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            return Err(PersistenceError::UnknownError(Box::new(SnapshotsNotKept)));
        }
        let events = events
            .iter()
            .map(new_event)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.append(events).await?)
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        let events = self.events_of(A::TYPE, aggregate_id, 0).await?;
        let (mut feed, stream) = ReplayStream::new(PAGE as usize);
        let ledger = self.clone();
        tokio::spawn(async move {
            for e in &events {
                let item = serialized(&ledger, e).await.map_err(Into::into);
                if feed.push(item).await.is_err() {
                    return;
                }
            }
        });
        Ok(stream)
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        let (mut feed, stream) = ReplayStream::new(PAGE as usize);
        let ledger = self.clone();
        tokio::spawn(async move {
            let mut after = 0;
            loop {
                let page = match ledger.read_after(after, PAGE).await {
                    Ok(page) => page,
                    Err(e) => {
                        let _ = feed.push(Err(e.into())).await;
                        return;
                    }
                };
                let Some(last) = page.last() else { return };
                after = last.position;
                for e in page.iter().filter(|e| e.aggregate_type == A::TYPE) {
                    let item = serialized(&ledger, e).await.map_err(Into::into);
                    if feed.push(item).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(stream)
    }
}
