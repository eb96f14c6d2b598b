//! Verification with witnesses (`hoso verify --witness VKEY… --quorum K`):
//! a checkpoint is accepted only when the log's signature and the
//! cosignatures of at least K distinct given witnesses verify on it; every
//! accepted checkpoint is then compared with the log as it is now. The newest
//! accepted checkpoint that the log no longer matches is named: history was
//! rewritten (or cut off) after witnesses saw it, and neither the operator nor
//! a database writer can forge the witnesses' signatures to hide that.
//!
//! Candidates are the stored checkpoints with their stored cosignatures
//! (`crate::cosignature::cosigned_note`) and cosigned notes kept outside the
//! database (an export's checkpoint, a monitor's copy): a rewritten store may
//! have dropped its cosignatures, the copies outside still name the old root.

use std::fmt;

use crate::checkpoint::{self, NoteVerifier};
use crate::merkle::Hash;
use crate::note::{quorum, CheckpointText, Note, Verifier};
use crate::store::Ledger;
use crate::tiles::{ProofError, TreeCache};

/// A checkpoint with a quorum of cosignatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessedCheckpoint {
    /// `#7` for a stored checkpoint, `given 2` for one given outside.
    pub label: String,
    pub size: u64,
    pub root: Hash,
    /// Names of the witnesses whose cosignatures verified.
    pub witnesses: Vec<String>,
    /// The newest of their cosignature times (POSIX seconds).
    pub cosigned_at: u64,
}

/// How the log differs from a witnessed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The root over the first `size` events is another one.
    RootDiffers { found: Hash },
    /// The log has fewer events than the witnesses saw.
    CutOff { log_size: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessReport {
    pub quorum: usize,
    pub log_size: u64,
    /// Checkpoints with a quorum, by size.
    pub accepted: Vec<WitnessedCheckpoint>,
    /// Checkpoints without one, and why (not a failure by itself: the newest
    /// checkpoint is usually not cosigned yet).
    pub unwitnessed: Vec<(String, String)>,
    /// The newest accepted checkpoint the log still matches.
    pub newest_matching: Option<WitnessedCheckpoint>,
    /// The newest accepted checkpoint the log no longer matches.
    pub newest_mismatch: Option<(WitnessedCheckpoint, Mismatch)>,
}

impl WitnessReport {
    /// At least one checkpoint has a quorum and the log matches all of them.
    pub fn is_ok(&self) -> bool {
        self.newest_mismatch.is_none() && !self.accepted.is_empty()
    }
}

impl fmt::Display for WitnessReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.newest_mismatch {
            Some((c, m)) => {
                write!(
                    f,
                    "checkpoint {} ({} events), cosigned by {} of the given witnesses ({}), no longer matches the log: ",
                    c.label,
                    c.size,
                    c.witnesses.len(),
                    c.witnesses.join(", ")
                )?;
                match m {
                    Mismatch::RootDiffers { .. } => write!(
                        f,
                        "the root over its first {} events differs: history was rewritten after the witnesses saw it",
                        c.size
                    )?,
                    Mismatch::CutOff { log_size } => write!(
                        f,
                        "the log has only {log_size} events: events were removed after the witnesses saw them"
                    )?,
                }
                if let Some(g) = &self.newest_matching {
                    write!(f, " (it still matches checkpoint {} of {} events)", g.label, g.size)?;
                }
                Ok(())
            }
            None => match &self.newest_matching {
                Some(g) => write!(
                    f,
                    "the log matches checkpoint {} ({} events), cosigned by {} of {} required witnesses ({})",
                    g.label,
                    g.size,
                    g.witnesses.len(),
                    self.quorum,
                    g.witnesses.join(", ")
                ),
                None => write!(
                    f,
                    "no checkpoint has cosignatures of {} of the given witnesses",
                    self.quorum
                ),
            },
        }
    }
}

/// Checks one cosigned note: the log's signature, the checkpoint body, the
/// quorum. `Err(reason)` when it is not accepted.
pub fn accept(
    note: &str,
    log_key: &NoteVerifier,
    witnesses: &[Verifier],
    k: usize,
    label: &str,
) -> Result<WitnessedCheckpoint, String> {
    let n = Note::parse(note).map_err(|e| e.to_string())?;
    let log = Verifier::from(log_key);
    n.verify(std::slice::from_ref(&log))
        .map_err(|e| format!("log signature: {e}"))?;
    let cp = CheckpointText::parse(&n.text).map_err(|e| e.to_string())?;
    if cp.origin != log_key.name {
        return Err(format!(
            "origin {} is not the log's {}",
            cp.origin, log_key.name
        ));
    }
    let q = quorum(&n, witnesses, k).map_err(|e| e.to_string())?;
    Ok(WitnessedCheckpoint {
        label: label.to_string(),
        size: cp.size,
        root: cp.root,
        witnesses: q.iter().map(|v| v.verifier.name().to_string()).collect(),
        cosigned_at: q.iter().filter_map(|v| v.timestamp).max().unwrap_or(0),
    })
}

/// Verification with witnesses over the stored checkpoints and `outside`
/// cosigned notes. `witnesses` are cosignature/v1 keys; `k` ≥ 1.
pub async fn verify_witnessed(
    ledger: &Ledger,
    cache: &TreeCache,
    log_key: &NoteVerifier,
    witnesses: &[Verifier],
    k: usize,
    outside: &[String],
) -> Result<WitnessReport, ProofError> {
    let k = k.max(1);
    let mut candidates: Vec<(String, String)> = Vec::new();
    for c in checkpoint::load_all(ledger).await? {
        let note = crate::cosignature::cosigned_note(ledger, &c).await?;
        candidates.push((format!("#{}", c.id), note));
    }
    for (i, n) in outside.iter().enumerate() {
        let label = if outside.len() == 1 {
            "given".to_string()
        } else {
            format!("given {}", i + 1)
        };
        candidates.push((label, n.clone()));
    }
    let mut accepted = Vec::new();
    let mut unwitnessed = Vec::new();
    for (label, note) in candidates {
        match accept(&note, log_key, witnesses, k, &label) {
            Ok(w) => accepted.push(w),
            Err(why) => unwitnessed.push((label, why)),
        }
    }
    accepted.sort_by_key(|w| w.size);
    cache.sync(ledger, None).await?;
    let head = ledger.head().await.map_err(|e| ProofError::Log(e.into()))?;
    let log_size = u64::try_from(head).unwrap_or(0);
    let mut newest_matching = None;
    let mut newest_mismatch = None;
    for w in &accepted {
        let m = if w.size > log_size {
            Some(Mismatch::CutOff { log_size })
        } else {
            let found = cache.root(ledger, w.size).await?;
            (found != w.root).then_some(Mismatch::RootDiffers { found })
        };
        match m {
            Some(m) => newest_mismatch = Some((w.clone(), m)),
            None => newest_matching = Some(w.clone()),
        }
    }
    Ok(WitnessReport {
        quorum: k,
        log_size,
        accepted,
        unwitnessed,
        newest_matching,
        newest_mismatch,
    })
}
