//! The Merkle log over all events, and its check in `hoso verify`.
//!
//! Sequencer: the writer already assigns positions 1, 2, 3, … in commit order
//! with no gaps (docs/global-order.md), so the log index of an event is its
//! position − 1 and an event is in the log as soon as it commits. What the log
//! adds is tree state: `integrate` extends a compact range (stored with each
//! checkpoint) with the hashes of the events committed since, so issuing a
//! checkpoint reads only the new events.

use crate::checkpoint::{Body, Checkpoint, CheckpointError, NoteVerifier};
use crate::merkle::{leaf_hash, CompactRange, Hash, Tree};
use crate::record::StoredEvent;
use crate::store::{Db, Ledger};

const PAGE: i64 = 50_000;

/// `(position, event hash)` for positions after `after`, up to `limit`.
pub async fn hashes_after(
    ledger: &Ledger,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, Vec<u8>)>, CheckpointError> {
    const SQL: &str =
        "SELECT position, hash FROM events WHERE position > $1 ORDER BY position LIMIT $2";
    Ok(on_pool!(ledger.db(), p => {
        sqlx::query_as(SQL)
            .bind(after)
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}

/// Extends `range` with every committed event after its size.
pub async fn integrate(ledger: &Ledger, range: &mut CompactRange) -> Result<(), CheckpointError> {
    loop {
        let after = range.size() as i64;
        let page = hashes_after(ledger, after, PAGE).await?;
        if page.is_empty() {
            return Ok(());
        }
        for (position, hash) in page {
            let expected = range.size() as i64 + 1;
            if position != expected {
                return Err(CheckpointError::Gap {
                    expected,
                    found: position,
                });
            }
            range.push(leaf_hash(&hash));
        }
    }
}

/// The whole tree of the first `size` events, in memory (for proofs).
pub async fn tree(ledger: &Ledger, size: u64) -> Result<Tree, CheckpointError> {
    let mut leaves = Vec::with_capacity(size as usize);
    while (leaves.len() as u64) < size {
        let limit = (size - leaves.len() as u64).min(PAGE as u64) as i64;
        let page = hashes_after(ledger, leaves.len() as i64, limit).await?;
        if page.is_empty() {
            break;
        }
        for (position, hash) in page {
            let expected = leaves.len() as i64 + 1;
            if position != expected {
                return Err(CheckpointError::Gap {
                    expected,
                    found: position,
                });
            }
            leaves.push(leaf_hash(&hash));
        }
    }
    Ok(Tree::from_leaf_hashes(leaves))
}

/// What `hoso verify` finds wrong with the log and its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogProblem {
    /// The signed note does not verify with the given public key.
    SignatureInvalid,
    /// The note's body is not a checkpoint, or disagrees with the stored columns.
    Altered { reason: String },
    /// The log is shorter than the signed tree size.
    CutOff { signed: u64, found: u64 },
    /// The root over the first `size` events differs from the signed one.
    RootMismatch {
        size: u64,
        /// Size of the newest earlier checkpoint that still matches.
        good_until: Option<u64>,
    },
    /// The stored tree state (compact range) differs from the recomputed one.
    StateMismatch,
    /// A checkpoint signs a smaller tree than an earlier one.
    Backwards { previous: u64 },
}

/// A problem of one checkpoint (`label`: `#7`, or `outside` for one given on
/// the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFinding {
    pub label: String,
    pub problem: LogProblem,
}

/// Checks the log against checkpoints while `verify` streams the events.
#[derive(Default)]
pub struct Audit {
    range: CompactRange,
    /// (label, signed size, signed root, stored tree state), by size.
    pending: Vec<(String, u64, Hash, Option<CompactRange>)>,
    next: usize,
    good_until: Option<u64>,
    findings: Vec<LogFinding>,
}

impl Audit {
    /// Checks what can be checked before the walk (signatures, note against
    /// columns, order) and prepares the root comparisons.
    pub fn new(
        checkpoints: &[Checkpoint],
        key: Option<&NoteVerifier>,
        outside: &[String],
    ) -> Audit {
        let mut a = Audit::default();
        let mut previous: Option<u64> = None;
        for c in checkpoints {
            let label = format!("#{}", c.id);
            let body = match key {
                Some(k) => match k.open_note(&c.note) {
                    Some(b) => Some(b),
                    None => {
                        a.note(&label, LogProblem::SignatureInvalid);
                        None
                    }
                },
                None => c.note.rfind("\n\n").map(|i| &c.note[..i + 1]),
            };
            if let Some(body) = body {
                match Body::parse(body) {
                    None => a.note(
                        &label,
                        LogProblem::Altered {
                            reason: "its note is not a checkpoint".into(),
                        },
                    ),
                    Some(b) if b.tree_size != c.tree_size || b.root != c.root => a.note(
                        &label,
                        LogProblem::Altered {
                            reason: format!(
                                "stored size {} and root {} differ from the signed size {} and root {}",
                                c.tree_size,
                                hex::encode(&c.root[..8]),
                                b.tree_size,
                                hex::encode(&b.root[..8])
                            ),
                        },
                    ),
                    Some(b) => {
                        if let Some(p) = previous.filter(|p| *p > b.tree_size) {
                            a.note(&label, LogProblem::Backwards { previous: p });
                        }
                        previous = Some(b.tree_size);
                        if c.compact_range.is_none() {
                            a.note(&label, LogProblem::StateMismatch);
                        }
                        a.pending
                            .push((label, b.tree_size, b.root, c.compact_range.clone()));
                    }
                }
            }
        }
        for (i, note) in outside.iter().enumerate() {
            let label = if outside.len() == 1 {
                "given".to_string()
            } else {
                format!("given {}", i + 1)
            };
            let body = key.and_then(|k| k.open_note(note));
            match body.and_then(Body::parse) {
                Some(b) => a.pending.push((label, b.tree_size, b.root, None)),
                None => a.note(&label, LogProblem::SignatureInvalid),
            }
        }
        a.pending.sort_by_key(|p| p.1);
        a.settle();
        a
    }

    fn note(&mut self, label: &str, problem: LogProblem) {
        self.findings.push(LogFinding {
            label: label.to_string(),
            problem,
        });
    }

    /// Compares every checkpoint whose size has been reached.
    fn settle(&mut self) {
        while let Some((label, size, root, state)) = self.pending.get(self.next).cloned() {
            if size != self.range.size() {
                break;
            }
            self.next += 1;
            if self.range.root() != root {
                let good_until = self.good_until;
                self.note(&label, LogProblem::RootMismatch { size, good_until });
            } else {
                self.good_until = Some(size);
                if state.is_some_and(|s| s != self.range) {
                    self.note(&label, LogProblem::StateMismatch);
                }
            }
        }
    }

    /// The next event in position order.
    pub fn push(&mut self, e: &StoredEvent) {
        self.range.push(leaf_hash(&e.hash));
        if self
            .pending
            .get(self.next)
            .is_some_and(|p| p.1 == self.range.size())
        {
            self.settle();
        }
    }

    /// After the last event: checkpoints beyond the log's end were cut off.
    pub fn finish(mut self) -> Vec<LogFinding> {
        let found = self.range.size();
        let rest: Vec<_> = self.pending.drain(self.next..).collect();
        for (label, signed, _, _) in rest {
            self.note(&label, LogProblem::CutOff { signed, found });
        }
        self.findings
    }
}

impl std::fmt::Display for LogFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.label;
        match &self.problem {
            LogProblem::SignatureInvalid => write!(
                f,
                "checkpoint {c} signature invalid: it was altered or not signed by this key"
            ),
            LogProblem::Altered { reason } => write!(f, "checkpoint {c} was altered: {reason}"),
            LogProblem::CutOff { signed, found } => write!(
                f,
                "log has {found} events but checkpoint {c} signed {signed}: newest events were cut off or events removed"
            ),
            LogProblem::RootMismatch { size, good_until } => {
                write!(
                    f,
                    "root over the first {size} events does not match checkpoint {c}: history was rewritten"
                )?;
                match good_until {
                    Some(g) => write!(
                        f,
                        " (events were changed, removed or inserted between positions {} and {size})",
                        g + 1
                    ),
                    None => write!(f, " (at or before position {size})"),
                }
            }
            LogProblem::StateMismatch => write!(
                f,
                "checkpoint {c}: the stored tree state does not match the events (altered)"
            ),
            LogProblem::Backwards { previous } => write!(
                f,
                "checkpoint {c} signs a smaller tree than an earlier checkpoint ({previous} events): the log went backwards"
            ),
        }
    }
}
