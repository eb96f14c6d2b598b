//! Integrity for people: the latest signed checkpoint, verifying the whole
//! store, and verifying one case (its chain recomputed, each event's inclusion
//! in the latest signed checkpoint). Inspectors, admins and provincial
//! managers only.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use hoso_domain::case::Case;
use hoso_domain::common::Role;
use hoso_ledger::checkpoint::{self, Checkpoint};
use hoso_ledger::cosignature::{self, StoredCosignature};
use hoso_ledger::{encoding, merkle};

use crate::{cases, now, Error, Me, Service};

const READERS: &[Role] = &[Role::Inspector, Role::Admin, Role::ProvincialManager];

/// The one verification of this process, or `Busy`.
fn slot(svc: &Service) -> Result<tokio::sync::OwnedSemaphorePermit, Error> {
    svc.verifying.clone().try_acquire_owned().map_err(|_| {
        Error::Busy("another verification is running in this server; retry in a few seconds".into())
    })
}

/// The newest checkpoint, whether this service's key signed it, and the log's size.
pub struct Status {
    pub latest: Option<Checkpoint>,
    /// `None`: the service has no key to check with.
    pub signature_valid: Option<bool>,
    pub head: i64,
    pub last_run: Option<LastRun>,
    /// The newest checkpoint that witnesses cosigned, with the cosignatures.
    pub cosigned: Option<(Checkpoint, Vec<StoredCosignature>)>,
}

/// The last whole-store verification run in this process.
#[derive(Debug, Clone)]
pub struct LastRun {
    pub at: DateTime<Utc>,
    pub by: String,
    pub intact: bool,
    pub text: String,
}

static LAST: Mutex<Option<LastRun>> = Mutex::new(None);

pub async fn status(svc: &Service, me: &Me) -> Result<Status, Error> {
    me.require(READERS, "see the integrity of the store")?;
    let latest = checkpoint::latest(svc.ledger()).await?;
    let signature_valid = match (&svc.signer, &latest) {
        (Some(s), Some(c)) => Some(s.verifier().open_note(&c.note).is_some()),
        _ => None,
    };
    Ok(Status {
        latest,
        signature_valid,
        head: svc.ledger().head().await?,
        last_run: LAST.lock().ok().and_then(|l| l.clone()),
        cosigned: cosignature::newest_cosigned(svc.ledger()).await?,
    })
}

/// `hoso verify` on behalf of an officer; the outcome is kept for the page.
pub async fn verify_all(svc: &Service, me: &Me) -> Result<LastRun, Error> {
    me.require(READERS, "verify the store")?;
    let _slot = slot(svc)?;
    let key = svc.signer.as_ref().map(|s| s.verifier().clone());
    let report = hoso_ledger::verify::verify_with(svc.ledger(), key.as_ref(), &[]).await?;
    let run = LastRun {
        at: now(),
        by: me.actor.officer_id.clone(),
        intact: report.first().is_none(),
        text: match report.first() {
            Some(f) => format!("BROKEN: {f}"),
            None => format!(
                "intact: {} events, {} aggregates, {:.3} s",
                report.events, report.aggregates, report.seconds
            ),
        },
    };
    if let Ok(mut l) = LAST.lock() {
        *l = Some(run.clone());
    }
    Ok(run)
}

/// What verifying one case found.
pub struct CaseCheck {
    pub events: usize,
    /// Empty when intact.
    pub problems: Vec<String>,
    pub inclusion: Inclusion,
    /// Hex hash of the newest event.
    pub last_hash: String,
}

pub enum Inclusion {
    NoCheckpoint,
    Checked {
        checkpoint: i64,
        included: usize,
        /// Newer events that await the next checkpoint.
        pending: usize,
    },
}

pub async fn verify_case(svc: &Service, me: &Me, id: &str) -> Result<CaseCheck, Error> {
    me.require(READERS, "verify a case")?;
    cases::visible_case(svc, me, id).await?;
    let _slot = slot(svc)?;
    let ledger = svc.ledger();
    let events = ledger.events_of(Case::TYPE, id, 0).await?;
    let mut prev = encoding::GENESIS;
    let mut problems = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if e.sequence != i as i64 + 1 {
            problems.push(format!("sequence {}: expected {}", e.sequence, i + 1));
        }
        if e.prev_hash[..] != prev[..] {
            problems.push(format!(
                "sequence {}: link to the previous event broken",
                e.sequence
            ));
        }
        let h = encoding::event_hash(&prev, &e.record());
        if h[..] != e.hash[..] {
            problems.push(format!(
                "sequence {}: hash does not match its content",
                e.sequence
            ));
        }
        match <[u8; 32]>::try_from(e.hash.as_slice()) {
            Ok(h) => prev = h,
            Err(_) => problems.push(format!("sequence {}: hash is not 32 bytes", e.sequence)),
        }
    }
    let inclusion = match checkpoint::latest(ledger).await? {
        None => Inclusion::NoCheckpoint,
        Some(c) => {
            // Proofs from the stored tree (the cache follows the log), not a
            // tree rebuilt from every event.
            let tree = &svc.tree;
            let (mut included, mut pending) = (0, 0);
            for e in &events {
                let index = (e.position - 1) as u64;
                if index >= c.tree_size {
                    pending += 1;
                    continue;
                }
                let leaf = merkle::leaf_hash(&e.hash);
                let proof = tree
                    .inclusion_proof(ledger, e.position as u64, c.tree_size)
                    .await
                    .ok();
                let ok = proof.is_some_and(|p| {
                    merkle::verify_inclusion(index, c.tree_size, &leaf, &p, &c.root)
                });
                if ok {
                    included += 1;
                } else {
                    problems.push(format!(
                        "position {}: not included in checkpoint #{}",
                        e.position, c.id
                    ));
                }
            }
            Inclusion::Checked {
                checkpoint: c.id,
                included,
                pending,
            }
        }
    };
    Ok(CaseCheck {
        events: events.len(),
        problems,
        inclusion,
        last_hash: events
            .last()
            .map(|e| hex::encode(&e.hash))
            .unwrap_or_default(),
    })
}
