//! The witness: c2sp.org/tlog-witness `POST <prefix>/add-checkpoint`.
//!
//! Request body: `old <size>\n`, 0–63 lines of base64 hashes (the RFC 6962
//! §2.1.2 consistency proof from `old` to the checkpoint's size; none when
//! `old` is 0), an empty line, then the log-signed checkpoint note. Answers,
//! in the order the specification checks them:
//! - 400: the body is malformed (also a proof given with `old 0`);
//! - 404: the checkpoint's origin is not a trusted log;
//! - 403: no signature of a trusted key of that log verifies;
//! - 400: `old` is larger than the checkpoint's size;
//! - 409 `text/x.tlog.size`, body `<size>\n`: `old` is not the size this
//!   witness last cosigned for the origin (0 if none), or it is and equals
//!   the checkpoint's size but the roots differ;
//! - 422: the consistency proof does not verify;
//! - 200: the new state is stored durably, then the body is one cosignature
//!   line `— <witness name> base64(key id ‖ timestamp ‖ signature)\n`.
//!
//! The check of `old` and the durable update happen under one lock, so two
//! concurrent requests cannot roll the state back. When the proof does not
//! verify or another root is offered for the cosigned size, the whole
//! request (log-signed: evidence of a fork) is kept in `S.evidence/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hoso_ledger::merkle::{empty_root, verify_consistency, Hash};
use hoso_ledger::note::{CheckpointText, Note, NoteSigner, Verifier};
use hoso_ledger::tiles::MAX_PROOF_LINES;
use tokio::sync::Mutex;

use crate::state::{sibling, State, StateError, StateLock};

/// Largest request body accepted.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;
/// The content type of a 409's body.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// An answer to add-checkpoint, before it becomes HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    fn text(status: u16, body: impl Into<String>) -> Answer {
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }

    fn conflict(size: u64) -> Answer {
        Answer {
            status: 409,
            content_type: SIZE_CONTENT_TYPE,
            body: format!("{size}\n"),
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, self.content_type)],
            self.body,
        )
            .into_response()
    }
}

/// A parsed add-checkpoint request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, as sent.
    pub checkpoint: String,
}

fn decimal(s: &str) -> Option<u64> {
    let ok =
        s == "0" || (!s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| s.parse().ok()).flatten()
}

impl AddCheckpoint {
    /// Parses a request body exactly as the specification writes it.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, &'static str> {
        let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8")?;
        let (first, mut rest) = text.split_once('\n').ok_or("no old size line")?;
        let old = first
            .strip_prefix("old ")
            .and_then(decimal)
            .ok_or("the first line must be `old <size>` in decimal without leading zeros")?;
        let mut proof = Vec::new();
        loop {
            let (line, after) = rest
                .split_once('\n')
                .ok_or("no empty line before the checkpoint")?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err("more than 63 consistency proof lines");
            }
            let h: Hash = B64
                .decode(line)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or("a consistency proof line is not a base64 32-byte hash")?;
            proof.push(h);
        }
        if old == 0 && !proof.is_empty() {
            return Err("the proof must be empty when the old size is 0");
        }
        Ok(AddCheckpoint {
            old,
            proof,
            checkpoint: rest.to_string(),
        })
    }

    /// The body again.
    pub fn to_body(&self) -> String {
        let mut s = format!("old {}\n", self.old);
        for h in &self.proof {
            s.push_str(&B64.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }
}

/// A running witness: its key, its state file (locked) and the state.
pub struct Witness {
    signer: NoteSigner,
    state_path: PathBuf,
    evidence_dir: PathBuf,
    state: Mutex<State>,
    _lock: StateLock,
    clock: Box<dyn Fn() -> u64 + Send + Sync>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Witness {
    /// Opens the state file (taking its lock) with `signer` as the key.
    pub fn open(state_path: &Path, signer: NoteSigner) -> Result<Witness, StateError> {
        let lock = StateLock::acquire(state_path)?;
        let state = State::load(state_path)?;
        Ok(Witness {
            signer,
            state_path: state_path.to_path_buf(),
            evidence_dir: sibling(state_path, ".evidence"),
            state: Mutex::new(state),
            _lock: lock,
            clock: Box::new(now_secs),
        })
    }

    /// Replaces the clock (POSIX seconds) of cosignature timestamps; tests.
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Witness {
        self.clock = Box::new(clock);
        self
    }

    pub fn verifier(&self) -> &Verifier {
        self.signer.verifier()
    }

    pub fn evidence_dir(&self) -> &Path {
        &self.evidence_dir
    }

    /// The latest cosigned (size, root) of an origin.
    pub async fn latest(&self, origin: &str) -> Option<(u64, Option<Hash>)> {
        let s = self.state.lock().await;
        s.logs.get(origin).map(|l| {
            let root = l
                .root
                .as_deref()
                .and_then(|r| B64.decode(r).ok())
                .and_then(|v| v.try_into().ok());
            (l.size, root)
        })
    }

    fn keep_evidence(&self, kind: &str, origin: &str, body: &[u8]) {
        let safe: String = origin
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let name = format!("{}.{:09}-{kind}-{safe}.txt", t.as_secs(), t.subsec_nanos());
        let path = self.evidence_dir.join(name);
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.evidence_dir)?;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            std::io::Write::write_all(&mut f, body)?;
            f.sync_all()
        };
        match write() {
            Ok(()) => {
                tracing::warn!(origin, kind, path = %path.display(), "kept the request as evidence of a fork")
            }
            Err(e) => tracing::error!(origin, kind, error = %e, "could not keep the evidence"),
        }
    }

    /// Handles one add-checkpoint request body.
    pub async fn add_checkpoint(&self, body: &[u8]) -> Answer {
        let req = match AddCheckpoint::parse(body) {
            Ok(r) => r,
            Err(why) => return Answer::text(400, format!("{why}\n")),
        };
        let note = match Note::parse(&req.checkpoint) {
            Ok(n) => n,
            Err(e) => return Answer::text(400, format!("{e}\n")),
        };
        let cp = match CheckpointText::parse(&note.text) {
            Ok(c) => c,
            Err(e) => return Answer::text(400, format!("{e}\n")),
        };
        // One request at a time from here to the durable update.
        let mut state = self.state.lock().await;
        let Some(log) = state.logs.get(&cp.origin) else {
            return Answer::text(404, "unknown log origin\n");
        };
        let keys: Vec<Verifier> = log
            .keys
            .iter()
            .filter_map(|k| Verifier::parse(k).ok())
            .collect();
        if note.verify(&keys).is_err() {
            return Answer::text(403, "no signature of a trusted key of this log verifies\n");
        }
        if req.old > cp.size {
            return Answer::text(400, "the old size is larger than the checkpoint's\n");
        }
        if req.old != log.size {
            return Answer::conflict(log.size);
        }
        let stored_root: Hash = match &log.root {
            Some(r) => match B64.decode(r).ok().and_then(|v| v.try_into().ok()) {
                Some(h) => h,
                None => return Answer::text(500, "the witness state is damaged\n"),
            },
            None => empty_root(),
        };
        if req.old == cp.size {
            // Same size: the same root, or a fork. (With nothing cosigned yet
            // and size 0, the root must be the empty tree's.)
            let known = log.root.is_some() || cp.size == 0;
            if known && cp.root != stored_root {
                let size = log.size;
                self.keep_evidence("conflicting-root", &cp.origin, body);
                return Answer::conflict(size);
            }
        } else if !verify_consistency(req.old, cp.size, &stored_root, &cp.root, &req.proof) {
            self.keep_evidence("inconsistent", &cp.origin, body);
            return Answer::text(422, "the consistency proof does not verify\n");
        }
        // Persist before answering.
        let mut next = state.clone();
        if let Some(l) = next.logs.get_mut(&cp.origin) {
            l.size = cp.size;
            l.root = Some(B64.encode(cp.root));
            l.checkpoint = Some(note.text.clone());
            l.updated_at = Some(now_rfc3339());
        }
        if let Err(e) = next.save(&self.state_path) {
            tracing::error!(error = %e, "could not store the witness state");
            return Answer::text(500, "the witness could not store its state\n");
        }
        *state = next;
        drop(state);
        let line = self.signer.cosign(&note.text, (self.clock)());
        tracing::info!(origin = %cp.origin, size = cp.size, "cosigned");
        Answer::text(200, line.to_line())
    }
}

/// The witness's routes: `POST /add-checkpoint` (nest it under the
/// submission prefix).
pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(witness)
}

async fn add_checkpoint(AxumState(w): AxumState<Arc<Witness>>, body: Bytes) -> Answer {
    w.add_checkpoint(&body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_parse_exactly() {
        let proof = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n";
        let cp = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        let body = format!("old 20852014\n{proof}\n{cp}");
        let r = AddCheckpoint::parse(body.as_bytes()).unwrap();
        assert_eq!(
            (r.old, r.proof.len(), r.checkpoint.as_str()),
            (20852014, 2, cp)
        );
        assert_eq!(r.to_body(), body);
        let r = AddCheckpoint::parse(format!("old 0\n\n{cp}").as_bytes()).unwrap();
        assert!(r.proof.is_empty());
        let line = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
        for bad in [
            format!("old 01\n\n{cp}"),
            format!("old -1\n\n{cp}"),
            format!("old  1\n\n{cp}"),
            format!("Old 1\n\n{cp}"),
            format!("old 1\n{cp}"),
            format!("old 0\n{line}\n{cp}"),
            format!("old 5\nnot base64\n\n{cp}"),
            format!("old 5\nAAAA\n\n{cp}"),
            format!("old 5\n{}\n{cp}", line.repeat(64)),
            "old 5".to_string(),
        ] {
            assert!(AddCheckpoint::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert_eq!(
            AddCheckpoint::parse(format!("old 5\n{}\n{cp}", line.repeat(63)).as_bytes())
                .unwrap()
                .proof
                .len(),
            63
        );
    }
}
