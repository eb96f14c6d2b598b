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
use std::sync::{Arc, Mutex};
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

/// Clones share one cache: the commands' framework holds one, and reads of
/// the current state (`state`) another.
pub struct CachedStore<A: Aggregate>(Arc<Shared<A>>);

struct Shared<A: Aggregate> {
    ledger: Ledger,
    inner: PersistedEventStore<Ledger, A>,
    cache: Mutex<Cache<A>>,
    /// `erased_subjects` counted, and when.
    counted: Mutex<Option<(i64, Instant)>>,
}

impl<A: Aggregate> Clone for CachedStore<A> {
    fn clone(&self) -> Self {
        CachedStore(self.0.clone())
    }
}

impl<A: Aggregate> CachedStore<A> {
    pub fn new(ledger: Ledger) -> CachedStore<A> {
        CachedStore(Arc::new(Shared {
            inner: PersistedEventStore::new_event_store(ledger.clone()),
            ledger,
            cache: Mutex::new(Cache {
                erasures: (-1, 0),
                entries: HashMap::new(),
            }),
            counted: Mutex::new(None),
        }))
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
    /// The aggregate as stored now: the kept entry brought forward by the
    /// events after it (one read, usually of none), kept for the next
    /// command or read. What a command would be decided on.
    pub async fn state(&self, aggregate_id: &str) -> Result<A, AggregateError<A::Error>> {
        let context = self.load_aggregate(aggregate_id).await?;
        let sequence = context.inner.current_sequence;
        let aggregate = context.inner.aggregate;
        if sequence > 0 {
            self.put(aggregate_id, aggregate.clone(), sequence, context.erasures);
        }
        Ok(aggregate)
    }

    /// `state` of each of `ids`, asking the store once for all their last
    /// sequences: an entry kept at that sequence is used as it is; the others
    /// (not kept, or behind) are loaded one by one.
    pub async fn states(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, A>, AggregateError<A::Error>> {
        let erasures = self.erasures().await?;
        let last = self
            .0
            .ledger
            .last_sequences(A::TYPE, ids)
            .await
            .map_err(|e| AggregateError::DatabaseConnectionError(Box::new(e)))?;
        let mut out = HashMap::with_capacity(ids.len());
        for id in ids {
            if out.contains_key(id) {
                continue;
            }
            let stored = last.get(id).copied().unwrap_or(0).max(0) as usize;
            let state = match self.take(id, erasures) {
                Some((a, kept)) if kept == stored => a,
                _ if stored == 0 => A::default(),
                _ => self.state(id).await?,
            };
            out.insert(id.clone(), state);
        }
        Ok(out)
    }

    /// The entry for `id`, when the erasures counted match the cache's.
    fn take(&self, id: &str, erasures: Epoch) -> Option<(A, usize)> {
        let mut cache = self.0.cache.lock().ok()?;
        if cache.erasures != erasures {
            cache.entries.clear();
            cache.erasures = erasures;
            return None;
        }
        cache.entries.get(id).cloned()
    }

    fn put(&self, id: &str, state: A, sequence: usize, erasures: Epoch) {
        if let Ok(mut cache) = self.0.cache.lock() {
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
        if let Ok(mut cache) = self.0.cache.lock() {
            cache.entries.remove(id);
        }
    }

    async fn erasures(&self) -> Result<Epoch, AggregateError<A::Error>> {
        let Some(keys) = self.0.ledger.keys() else {
            return Ok((0, 0));
        };
        let here = keys.erased_here();
        if let Ok(c) = self.0.counted.lock() {
            if let Some((n, at)) = *c {
                if at.elapsed() < RECOUNT {
                    return Ok((n, here));
                }
            }
        }
        let n = one_int(
            self.0.ledger.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM erased_subjects",
            &[],
        )
        .await
        .map_err(|e| AggregateError::DatabaseConnectionError(Box::new(e)))?;
        if let Ok(mut c) = self.0.counted.lock() {
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
        self.0.inner.load_events(aggregate_id).await
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
            .0
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
        match self.0.inner.commit(events, context.inner, metadata).await {
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
