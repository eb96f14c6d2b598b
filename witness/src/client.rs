//! The log's side of c2sp.org/tlog-witness: submitting checkpoints to
//! witnesses, checking and storing their cosignatures, and the background
//! loop that keeps every configured witness up to date.
//!
//! Why here and not in the ledger: the ledger owns the data (checkpoints,
//! the `cosignatures` table, proofs from stored state) and knows nothing of
//! the network; the client needs an HTTP stack (reqwest with rustls) and a
//! retry policy, which belong with the protocol's other half. It uses only
//! the ledger's public functions (`tiles::TreeCache::consistency_proof`,
//! `cosignature::store`), so the ledger stays the only writer of its tables.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use hoso_ledger::checkpoint::{self, Checkpoint, CheckpointError};
use hoso_ledger::cosignature;
use hoso_ledger::note::{Note, NoteError, SignatureLine, Verified, Verifier};
use hoso_ledger::tiles::{proof_text, ProofError, TreeCache};
use hoso_ledger::Ledger;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A witness as the log knows it: its submission prefix and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessEndpoint {
    /// The submission prefix, without a trailing slash
    /// (`https://witness.example/w1`); requests go to `<url>/add-checkpoint`.
    pub url: String,
    /// Its cosignature/v1 key.
    pub verifier: Verifier,
}

impl WitnessEndpoint {
    /// Parses `VKEY=URL` or `VKEY@URL`
    /// (`witness.example/w1+1a2b3c4d+BAbc…=https://witness.example/w1`).
    /// The key may be a type 0x04 or 0x01 verifier key (see
    /// `Verifier::parse_cosigner`). Base64 may end in `=`, so the separator
    /// is the `=` or `@` right before `http://` or `https://`.
    pub fn parse(spec: &str) -> Result<WitnessEndpoint, String> {
        let spec = spec.trim();
        let last_plus = spec.rfind('+').ok_or("expected VKEY=URL")?;
        let tail = &spec[last_plus..];
        let at = ["=http://", "=https://", "@http://", "@https://"]
            .iter()
            .filter_map(|sep| tail.find(sep))
            .min()
            .map(|i| i + last_plus)
            .ok_or("expected VKEY=URL with an http:// or https:// URL")?;
        let verifier = Verifier::parse_cosigner(&spec[..at]).map_err(|e| e.to_string())?;
        let url = spec[at + 1..].trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "witness URL {url:?} must start with http:// or https://"
            ));
        }
        Ok(WitnessEndpoint { url, verifier })
    }

    pub fn name(&self) -> &str {
        self.verifier.name()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("witness unreachable: {0}")]
    Http(#[from] reqwest::Error),
    #[error("witness answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("witness refuses: it cosigned another tree of {size} events (a fork: this log's history differs from what the witness saw)")]
    Conflict { size: u64 },
    #[error("witness has cosigned {witness} events, more than this checkpoint's {ours}: this log went back or was replaced")]
    WitnessAhead { witness: u64, ours: u64 },
    #[error("witness refused the consistency proof from {old} to {new} events (422): this log's history differs from what the witness saw")]
    Inconsistent { old: u64, new: u64 },
    #[error("witness answered without a valid cosignature of its key: {0}")]
    NoCosignature(String),
    #[error("log: {0}")]
    Proof(#[from] ProofError),
    #[error("log: {0}")]
    Log(#[from] CheckpointError),
}

/// Sends `cp` to the witness with the consistency proof from `known_old` (the
/// size it last cosigned, 0 when unknown), re-sending from the size a 409
/// names; verifies the cosignatures of the witness's key in the answer and
/// stores them. Returns them.
pub async fn submit(
    http: &reqwest::Client,
    ledger: &Ledger,
    cache: &TreeCache,
    witness: &WitnessEndpoint,
    cp: &Checkpoint,
    known_old: Option<u64>,
) -> Result<Vec<Verified>, SubmitError> {
    let mut old = known_old.unwrap_or(0);
    let mut tried: Vec<u64> = Vec::new();
    let body_text = match Note::parse(&cp.note) {
        Ok(n) => n.text,
        Err(e) => {
            return Err(SubmitError::NoCosignature(format!(
                "our own note does not parse: {e}"
            )))
        }
    };
    loop {
        if old > cp.tree_size {
            return Err(SubmitError::WitnessAhead {
                witness: old,
                ours: cp.tree_size,
            });
        }
        tried.push(old);
        let proof = cache.consistency_proof(ledger, old, cp.tree_size).await?;
        let body = format!("old {old}\n{}\n{}", proof_text(&proof), cp.note);
        let resp = http
            .post(format!("{}/add-checkpoint", witness.url))
            .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(body)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await?;
        match status {
            200 => return accept(ledger, witness, cp, &body_text, &text).await,
            409 if ctype.starts_with(crate::server::SIZE_CONTENT_TYPE) => {
                let size: u64 = text
                    .strip_suffix('\n')
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| SubmitError::Status {
                        status,
                        body: text.chars().take(200).collect(),
                    })?;
                if size == old || tried.contains(&size) {
                    return Err(SubmitError::Conflict { size });
                }
                old = size;
            }
            409 => return Err(SubmitError::Conflict { size: old }),
            422 => {
                return Err(SubmitError::Inconsistent {
                    old,
                    new: cp.tree_size,
                })
            }
            _ => {
                return Err(SubmitError::Status {
                    status,
                    body: text.chars().take(200).collect(),
                })
            }
        }
    }
}

/// Checks a 200 answer: signature lines, of which those of the witness's key
/// must verify over the checkpoint body; stores them.
async fn accept(
    ledger: &Ledger,
    witness: &WitnessEndpoint,
    cp: &Checkpoint,
    body: &str,
    answer: &str,
) -> Result<Vec<Verified>, SubmitError> {
    let lines = answer
        .strip_suffix('\n')
        .ok_or_else(|| SubmitError::NoCosignature("the answer does not end in a newline".into()))?;
    let mut sigs = Vec::new();
    for l in lines.split('\n') {
        sigs.push(
            SignatureLine::parse(l)
                .map_err(|e: NoteError| SubmitError::NoCosignature(e.to_string()))?,
        );
    }
    let note = Note {
        text: body.to_string(),
        signatures: sigs,
    };
    let ok = note
        .verify(std::slice::from_ref(&witness.verifier))
        .map_err(|e| SubmitError::NoCosignature(e.to_string()))?;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for v in &ok {
        cosignature::store(ledger, cp, v, &now).await?;
    }
    Ok(ok)
}

// ---------------------------------------------------------------------------
// The background loop

/// What /health and the integrity page show of one witness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WitnessStatus {
    pub name: String,
    pub url: String,
    /// Size of the largest checkpoint this witness cosigned (stored).
    pub last_cosigned_size: Option<u64>,
    /// When that cosignature arrived (RFC 3339).
    pub last_cosigned_at: Option<String>,
    /// Since when the witness lags behind the newest checkpoint (RFC 3339);
    /// `None` while it is up to date.
    pub behind_since: Option<String>,
    pub last_error: Option<String>,
    pub last_attempt: Option<String>,
    /// Consecutive failures (the back-off grows with them).
    pub failures: u32,
}

#[derive(Debug, Clone)]
pub struct WitnessingConfig {
    /// How often to look for a new checkpoint.
    pub poll: Duration,
    /// First retry delay after a failure; doubles up to `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl Default for WitnessingConfig {
    fn default() -> Self {
        WitnessingConfig {
            poll: Duration::from_secs(2),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            timeout: Duration::from_secs(20),
        }
    }
}

/// The running loop: one task per witness.
pub struct Witnessing {
    status: Arc<RwLock<Vec<WitnessStatus>>>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Witnessing {
    /// A snapshot of every witness's status, in configuration order.
    pub fn status(&self) -> Vec<WitnessStatus> {
        self.status.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// A handle for /health and the integrity page (cheap to clone).
    pub fn status_handle(&self) -> StatusHandle {
        StatusHandle(self.status.clone())
    }

    /// Stops the tasks and waits for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Read access to the witnesses' status.
#[derive(Clone)]
pub struct StatusHandle(Arc<RwLock<Vec<WitnessStatus>>>);

impl StatusHandle {
    pub fn get(&self) -> Vec<WitnessStatus> {
        self.0.read().map(|s| s.clone()).unwrap_or_default()
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Follows new checkpoints and gets each cosigned by every witness, retrying
/// a witness that is down with exponential back-off. Needs a tokio runtime.
pub fn spawn_witnessing(
    ledger: Ledger,
    cache: Arc<TreeCache>,
    witnesses: Vec<WitnessEndpoint>,
    config: WitnessingConfig,
) -> Witnessing {
    let status = Arc::new(RwLock::new(
        witnesses
            .iter()
            .map(|w| WitnessStatus {
                name: w.name().to_string(),
                url: w.url.clone(),
                ..WitnessStatus::default()
            })
            .collect::<Vec<_>>(),
    ));
    let (stop, stopped) = watch::channel(false);
    let http = reqwest::Client::builder()
        .timeout(config.timeout)
        .build()
        .unwrap_or_default();
    let tasks = witnesses
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            tokio::spawn(follow(
                i,
                w,
                ledger.clone(),
                cache.clone(),
                http.clone(),
                config.clone(),
                status.clone(),
                stopped.clone(),
            ))
        })
        .collect();
    Witnessing {
        status,
        stop,
        tasks,
    }
}

#[allow(clippy::too_many_arguments)]
async fn follow(
    i: usize,
    w: WitnessEndpoint,
    ledger: Ledger,
    cache: Arc<TreeCache>,
    http: reqwest::Client,
    config: WitnessingConfig,
    status: Arc<RwLock<Vec<WitnessStatus>>>,
    mut stopped: watch::Receiver<bool>,
) {
    let update = |f: &dyn Fn(&mut WitnessStatus)| {
        if let Ok(mut s) = status.write() {
            if let Some(s) = s.get_mut(i) {
                f(s);
            }
        }
    };
    let mut known: Option<u64> = None;
    let mut backoff = config.min_backoff;
    loop {
        if *stopped.borrow() || ledger.db().is_closed() {
            return;
        }
        let mut wait = config.poll;
        match step(&http, &ledger, &cache, &w, &mut known).await {
            Ok(Step::UpToDate { size, at }) => {
                backoff = config.min_backoff;
                update(&|s| {
                    s.last_cosigned_size = Some(size);
                    if at.is_some() {
                        s.last_cosigned_at.clone_from(&at);
                    }
                    s.behind_since = None;
                    s.last_error = None;
                    s.failures = 0;
                });
            }
            Ok(Step::NothingYet) => {}
            Err((behind_from, e)) => {
                let msg = e.to_string();
                tracing::warn!(witness = %w.name(), error = %msg, "witness did not cosign");
                wait = backoff;
                backoff = (backoff * 2).min(config.max_backoff);
                update(&|s| {
                    s.last_error = Some(msg.clone());
                    s.failures += 1;
                    if s.behind_since.is_none() {
                        s.behind_since = Some(behind_from.clone());
                    }
                    if known.is_some() {
                        s.last_cosigned_size = known;
                    }
                });
            }
        }
        update(&|s| s.last_attempt = Some(now()));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => return,
        }
    }
}

enum Step {
    UpToDate { size: u64, at: Option<String> },
    NothingYet,
}

/// One round: the newest checkpoint to this witness if it has not cosigned
/// it yet.
async fn step(
    http: &reqwest::Client,
    ledger: &Ledger,
    cache: &TreeCache,
    w: &WitnessEndpoint,
    known: &mut Option<u64>,
) -> Result<Step, (String, SubmitError)> {
    let started = now();
    let fail = |e: SubmitError| (started.clone(), e);
    if known.is_none() {
        let stored = cosignature::latest_of_witness(ledger, w.name(), &w.verifier.key_id_hex())
            .await
            .map_err(|e| fail(e.into()))?;
        *known = stored.map(|c| c.tree_size);
    }
    let Some(cp) = checkpoint::latest(ledger)
        .await
        .map_err(|e| fail(e.into()))?
    else {
        return Ok(Step::NothingYet);
    };
    if known.is_some_and(|k| k >= cp.tree_size) {
        return Ok(Step::UpToDate {
            size: known.unwrap_or(0),
            at: None,
        });
    }
    submit(http, ledger, cache, w, &cp, *known)
        .await
        .map_err(fail)?;
    *known = Some(cp.tree_size);
    Ok(Step::UpToDate {
        size: cp.tree_size,
        at: Some(now()),
    })
}
