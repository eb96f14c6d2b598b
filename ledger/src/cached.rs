//! cqrs-es's event store with the aggregates it last loaded or committed kept
//! in memory, so that a command on a long case reads only the events it has
//! not seen (usually none) instead of the whole case.
//!
//! Invalidation rule: an entry is a state and the sequence it was folded up
//! to. Every load still asks the store for the events after that sequence and
//! applies them, so an entry is never used stale, only brought forward; a
//! commit whose sequence was taken meanwhile (another writer, another process)
//! fails the unique (aggregate, sequence) check and drops the entry. Entries
//! hold personal fields opened with data keys, so an erasure drops them all:
//! one made by this process at once, one made by another process (a new row
//! of `erased_subjects`, which only grows, counted at most `RECOUNT` apart)
//! within a second: sooner than this process forgets a data key (5 s).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cqrs_es::persist::{
    EventStoreAggregateContext, PersistedEventRepository, PersistedEventStore, SerializedEvent,
};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore};

use crate::sql::one_int;
use crate::store::Ledger;

/// Entries kept before the cache starts over.
const LIMIT: usize = 20_000;
/// `erased_subjects` is counted again after this long.
const RECOUNT: Duration = Duration::from_secs(1);

/// Erasures as last seen: (rows of `erased_subjects`, erasures by this
/// process). Entries made under another value are not used.
type Epoch = (i64, u64);

struct Cache<A> {
    /// The erasures when the entries were made.
    erasures: Epoch,
    entries: HashMap<String, (A, usize)>,
}

pub struct CachedStore<A: Aggregate> {
    ledger: Ledger,
    inner: PersistedEventStore<Ledger, A>,
    cache: Mutex<Cache<A>>,
    /// `erased_subjects` counted, and when.
    counted: Mutex<Option<(i64, Instant)>>,
}

impl<A: Aggregate> CachedStore<A> {
    pub fn new(ledger: Ledger) -> CachedStore<A> {
        CachedStore {
            inner: PersistedEventStore::new_event_store(ledger.clone()),
            ledger,
            cache: Mutex::new(Cache {
                erasures: (-1, 0),
                entries: HashMap::new(),
            }),
            counted: Mutex::new(None),
        }
    }
}

fn envelope<A: Aggregate>(e: SerializedEvent) -> Result<EventEnvelope<A>, serde_json::Error> {
    Ok(EventEnvelope {
        aggregate_id: e.aggregate_id,
        sequence: e.sequence,
        payload: serde_json::from_value(e.payload)?,
        metadata: serde_json::from_value(e.metadata)?,
    })
}

impl<A> CachedStore<A>
where
    A: Aggregate + Clone,
{
    /// The entry for `id`, when the erasures counted match the cache's.
    fn take(&self, id: &str, erasures: Epoch) -> Option<(A, usize)> {
        let mut cache = self.cache.lock().ok()?;
        if cache.erasures != erasures {
            cache.entries.clear();
            cache.erasures = erasures;
            return None;
        }
        cache.entries.get(id).cloned()
    }

    fn put(&self, id: &str, state: A, sequence: usize, erasures: Epoch) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.erasures != erasures {
                return;
            }
            if cache.entries.len() >= LIMIT {
                cache.entries.clear();
            }
            cache.entries.insert(id.to_string(), (state, sequence));
        }
    }

    fn forget(&self, id: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.entries.remove(id);
        }
    }

    async fn erasures(&self) -> Result<Epoch, AggregateError<A::Error>> {
        let Some(keys) = self.ledger.keys() else {
            return Ok((0, 0));
        };
        let here = keys.erased_here();
        if let Ok(c) = self.counted.lock() {
            if let Some((n, at)) = *c {
                if at.elapsed() < RECOUNT {
                    return Ok((n, here));
                }
            }
        }
        let n = one_int(
            self.ledger.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM erased_subjects",
            &[],
        )
        .await
        .map_err(|e| AggregateError::DatabaseConnectionError(Box::new(e)))?;
        if let Ok(mut c) = self.counted.lock() {
            *c = Some((n, Instant::now()));
        }
        Ok((n, here))
    }
}

/// The context carries the erasure count its state was opened under.
pub struct CachedContext<A: Aggregate> {
    inner: EventStoreAggregateContext<A>,
    erasures: Epoch,
}

impl<A: Aggregate> cqrs_es::AggregateContext<A> for CachedContext<A> {
    fn aggregate(&mut self) -> &mut A {
        &mut self.inner.aggregate
    }
}

impl<A> EventStore<A> for CachedStore<A>
where
    A: Aggregate + Clone,
{
    type AC = CachedContext<A>;

    async fn load_events(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        self.inner.load_events(aggregate_id).await
    }

    async fn load_aggregate(
        &self,
        aggregate_id: &str,
    ) -> Result<CachedContext<A>, AggregateError<A::Error>> {
        let erasures = self.erasures().await?;
        let (mut aggregate, mut sequence) = self
            .take(aggregate_id, erasures)
            .unwrap_or_else(|| (A::default(), 0));
        let newer = self
            .ledger
            .get_last_events::<A>(aggregate_id, sequence)
            .await?;
        for e in newer {
            let e =
                envelope::<A>(e).map_err(|e| AggregateError::DeserializationError(Box::new(e)))?;
            sequence = e.sequence;
            aggregate.apply(e.payload);
        }
        Ok(CachedContext {
            inner: EventStoreAggregateContext {
                aggregate_id: aggregate_id.to_string(),
                aggregate,
                current_sequence: sequence,
                current_snapshot: None,
            },
            erasures,
        })
    }

    async fn commit(
        &self,
        events: Vec<A::Event>,
        context: CachedContext<A>,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        let id = context.inner.aggregate_id.clone();
        let erasures = context.erasures;
        let mut after = context.inner.aggregate.clone();
        let sequence = context.inner.current_sequence + events.len();
        for e in &events {
            after.apply(e.clone());
        }
        match self.inner.commit(events, context.inner, metadata).await {
            Ok(committed) => {
                self.put(&id, after, sequence, erasures);
                Ok(committed)
            }
            Err(e) => {
                self.forget(&id);
                Err(e)
            }
        }
    }
}
