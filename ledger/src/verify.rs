//! Recomputes every hash chain and checks the global order.
//!
//! What it detects from the events alone: an altered event (its hash no longer
//! matches its bytes), a removed event (a sequence or position gap), events
//! reordered (sequences out of order or a broken `prev_hash` link) and an event
//! inserted between two others (the next event's `prev_hash` no longer links).
//! Cutting off the newest events, removing a whole case or re-hashing the whole
//! store is found against the signed checkpoints of the Merkle log (`crate::log`).

use std::collections::HashMap;
use std::fmt;
use std::time::Instant;

use crate::encoding::{event_hash, GENESIS};
use crate::error::LedgerError;
use crate::record::StoredEvent;
use crate::store::Ledger;

/// Findings kept beyond the first; the rest are counted.
const MAX_FINDINGS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The stored hash is not the hash of the stored bytes.
    HashMismatch,
    /// `prev_hash` is not the hash of the aggregate's previous event.
    BrokenLink { previous_sequence: i64 },
    /// A sequence number was skipped: an event is missing (or moved later).
    SequenceGap { expected: i64 },
    /// A sequence number at or below one already seen: reordered or duplicated.
    SequenceOutOfOrder { after: i64 },
    /// A global position was skipped: an event is missing.
    PositionGap { expected: i64 },
    /// The head row disagrees with the last event.
    HeadMismatch { head: i64, last_position: i64 },
    /// A signed checkpoint of the Merkle log disagrees with the log or the key:
    /// cut-off, removal, rewriting, or an altered checkpoint (see `crate::log`).
    Checkpoint(crate::log::LogFinding),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::HashMismatch => write!(
                f,
                "stored hash does not match the event's bytes: the event was altered"
            ),
            Problem::BrokenLink { previous_sequence } => write!(
                f,
                "prev_hash does not match the hash of sequence {previous_sequence}: an event was inserted, replaced or reordered before this one"
            ),
            Problem::SequenceGap { expected } => write!(
                f,
                "sequence {expected} is missing here: an event was removed or reordered"
            ),
            Problem::SequenceOutOfOrder { after } => write!(
                f,
                "comes after sequence {after} in the global order: events were reordered or duplicated"
            ),
            Problem::PositionGap { expected } => write!(
                f,
                "global position {expected} is missing: an event was removed"
            ),
            Problem::HeadMismatch {
                head,
                last_position,
            } => write!(
                f,
                "the store's head says {head} events were appended, the last event found is at position {last_position}"
            ),
            Problem::Checkpoint(finding) => write!(f, "{finding}"),
        }
    }
}

/// One place where the store is not what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub position: Option<i64>,
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub sequence: Option<i64>,
    pub problem: Problem,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(t), Some(id), Some(seq)) =
            (&self.aggregate_type, &self.aggregate_id, self.sequence)
        {
            write!(f, "{t} {id} sequence {seq}")?;
            if let Some(p) = self.position {
                write!(f, " (position {p})")?;
            }
            write!(f, ": {}", self.problem)
        } else {
            write!(f, "{}", self.problem)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub events: u64,
    pub aggregates: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub findings: Vec<Finding>,
    /// Findings beyond `MAX_FINDINGS`.
    pub more_findings: u64,
}

impl Report {
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }

    /// The finding to name first: the earliest one tied to an aggregate, else the
    /// earliest of all.
    pub fn first(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.aggregate_id.is_some())
            .or(self.findings.first())
    }
}

/// Walks the events in global order, checking as it goes.
#[derive(Default)]
pub struct Verifier {
    /// `type \0 id` → (last sequence, last hash).
    chains: HashMap<String, (i64, [u8; 32])>,
    /// The key being looked up, reused from event to event.
    key: String,
    last_position: i64,
    events: u64,
    bytes: u64,
    findings: Vec<Finding>,
    more: u64,
    /// The Merkle log against its signed checkpoints.
    log: crate::log::Audit,
}

impl Verifier {
    fn note(&mut self, e: Option<&StoredEvent>, problem: Problem) {
        if self.findings.len() >= MAX_FINDINGS {
            self.more += 1;
            return;
        }
        self.findings.push(Finding {
            position: e.map(|e| e.position),
            aggregate_type: e.map(|e| e.aggregate_type.clone()),
            aggregate_id: e.map(|e| e.aggregate_id.clone()),
            sequence: e.map(|e| e.sequence),
            problem,
        });
    }

    pub fn check(&mut self, e: &StoredEvent) {
        self.events += 1;
        self.log.push(e);
        self.bytes += (e.payload.len() + e.metadata.len()) as u64;
        if e.position > self.last_position + 1 {
            self.note(
                None,
                Problem::PositionGap {
                    expected: self.last_position + 1,
                },
            );
        }
        self.last_position = self.last_position.max(e.position);

        let mut prev = [0u8; 32];
        if e.prev_hash.len() == 32 {
            prev.copy_from_slice(&e.prev_hash);
        }
        let recomputed = event_hash(&prev, &e.record());
        self.key.clear();
        self.key.push_str(&e.aggregate_type);
        self.key.push('\0');
        self.key.push_str(&e.aggregate_id);
        let (last_seq, last_hash) = self
            .chains
            .get(self.key.as_str())
            .copied()
            .unwrap_or((0, GENESIS));
        if e.prev_hash.len() != 32 || recomputed[..] != e.hash[..] {
            self.note(Some(e), Problem::HashMismatch);
        } else if e.sequence == last_seq + 1 {
            if prev != last_hash {
                self.note(
                    Some(e),
                    Problem::BrokenLink {
                        previous_sequence: last_seq,
                    },
                );
            }
        } else if e.sequence > last_seq + 1 {
            self.note(
                Some(e),
                Problem::SequenceGap {
                    expected: last_seq + 1,
                },
            );
        } else {
            self.note(Some(e), Problem::SequenceOutOfOrder { after: last_seq });
        }
        if e.sequence > last_seq {
            let mut h = [0u8; 32];
            if e.hash.len() == 32 {
                h.copy_from_slice(&e.hash);
            }
            match self.chains.get_mut(self.key.as_str()) {
                Some(entry) => *entry = (e.sequence, h),
                None => {
                    self.chains.insert(self.key.clone(), (e.sequence, h));
                }
            }
        }
    }

    pub fn finish(mut self, head: i64, seconds: f64) -> Report {
        if head != self.last_position {
            self.note(
                None,
                Problem::HeadMismatch {
                    head,
                    last_position: self.last_position,
                },
            );
        }
        for finding in std::mem::take(&mut self.log).finish() {
            self.note(None, Problem::Checkpoint(finding));
        }
        Report {
            events: self.events,
            aggregates: self.chains.len() as u64,
            bytes: self.bytes,
            seconds,
            findings: self.findings,
            more_findings: self.more,
        }
    }
}

/// Verifies the whole store: the chains, the global order, and the log against
/// the stored checkpoints' roots (signatures unchecked: no key is given).
pub async fn verify(ledger: &Ledger) -> Result<Report, LedgerError> {
    verify_with(ledger, None, &[]).await
}

/// `verify`, also checking every checkpoint's signature with `key`, and the log
/// against checkpoints kept outside the store (`outside`: signed notes).
pub async fn verify_with(
    ledger: &Ledger,
    key: Option<&crate::checkpoint::NoteVerifier>,
    outside: &[String],
) -> Result<Report, LedgerError> {
    let started = Instant::now();
    let head = ledger.head().await?;
    let checkpoints = crate::checkpoint::load_all(ledger)
        .await
        .map_err(|e| match e {
            crate::checkpoint::CheckpointError::Ledger(l) => l,
            crate::checkpoint::CheckpointError::Database(d) => LedgerError::Database(d),
            other => LedgerError::Malformed {
                position: 0,
                reason: other.to_string(),
            },
        })?;
    let mut v = Verifier {
        log: crate::log::Audit::new(&checkpoints, key, outside),
        ..Verifier::default()
    };
    // Read ahead of the checking, side by side (`Ledger::pages`): the
    // database's sending and our hashing overlap.
    let mut pages = ledger.pages(0, None);
    while let Some(page) = pages.recv().await {
        for e in &page? {
            v.check(e);
        }
    }
    Ok(v.finish(head, started.elapsed().as_secs_f64()))
}
