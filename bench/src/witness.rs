//! `hoso bench witness`: how long after a command is acknowledged its event is
//! in a checkpoint cosigned by every witness, with the service as `hoso serve`
//! runs it (a checkpoint each second while the log grows, witnesses asked as
//! soon as it is signed) and two witnesses on 127.0.0.1, under a steady write
//! load over HTTP. Then one witness is stopped for a while and started again
//! from its state file: how long until it has caught up by itself. Afterwards
//! the store must verify with a quorum of both witnesses.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hoso_ledger::checkpoint::Signer;
use hoso_ledger::{cosignature, Ledger};
use hoso_witness::{state, Witness, WitnessEndpoint};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::append::Scratch;
use crate::http::{intake_body, staffed, Staffed};

const WITNESSES: usize = 2;

/// A witness serving on 127.0.0.1 from its state file.
struct RunningWitness {
    endpoint: WitnessEndpoint,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

async fn start_witness(state_file: &Path, listen: &str) -> anyhow::Result<RunningWitness> {
    let key = state::load_key(&state::default_key_path(state_file))?;
    let witness = Arc::new(Witness::open(state_file, key)?);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let url = format!("http://{}/w", listener.local_addr()?);
    let endpoint = WitnessEndpoint::parse(&format!("{}={url}", witness.verifier()))
        .map_err(anyhow::Error::msg)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(hoso_witness::cli::serve(listener, witness, "/w", async {
        let _ = stopped.await;
    }));
    Ok(RunningWitness {
        endpoint,
        stop,
        task,
    })
}

impl RunningWitness {
    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await?
    }
}

/// The smallest tree size that every witness has cosigned.
async fn cosigned_by_all(ledger: &Ledger, witnesses: &[WitnessEndpoint]) -> anyhow::Result<u64> {
    let mut least = u64::MAX;
    for w in witnesses {
        let size = cosignature::latest_of_witness(ledger, w.name(), &w.verifier.key_id_hex())
            .await?
            .map_or(0, |c| c.tree_size);
        least = least.min(size);
    }
    Ok(least)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn witness(url: &str, seconds: u64, rate: u32, down: u64) -> anyhow::Result<()> {
    let (scratch, scratch_url) = Scratch::create(url).await?;
    let dir = std::env::temp_dir().join(format!("hoso_bench_witness_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run(&scratch_url, &dir, seconds, rate, down).await;
    let _ = std::fs::remove_dir_all(&dir);
    scratch.cleanup().await?;
    result
}

async fn run(url: &str, dir: &Path, seconds: u64, rate: u32, down: u64) -> anyhow::Result<()> {
    let Staffed {
        ledger,
        token,
        commune,
        ..
    } = staffed(url).await?;
    let backend = ledger.backend();
    let seed: [u8; 32] = rand::random();
    let log_key = Signer::from_seed(&seed);
    let mut states: Vec<PathBuf> = Vec::new();
    let mut running = Vec::new();
    for i in 0..WITNESSES {
        let state_file = dir.join(format!("witness-{i}.json"));
        state::init(
            &state_file,
            &state::default_key_path(&state_file),
            &format!("bench-witness-{i}.example"),
        )?;
        state::add_log(&state_file, &log_key.verifier().to_string())?;
        running.push(start_witness(&state_file, "127.0.0.1:0").await?);
        states.push(state_file);
    }
    let endpoints: Vec<WitnessEndpoint> = running.iter().map(|w| w.endpoint.clone()).collect();
    let verifiers: Vec<_> = endpoints.iter().map(|w| w.verifier.clone()).collect();
    let config = hoso_api::server::Config {
        signer: Some(Signer::from_seed(&seed)),
        checkpoint_every: Some(Duration::from_secs(1)),
        witnesses: endpoints.clone(),
        ..hoso_api::server::Config::local()
    };
    let server = hoso_api::server::start(ledger.clone(), config).await?;
    let base = format!("{}/api/v1", server.url());
    let http = reqwest::Client::new();
    let intake = intake_body(&http, &base, &token, commune).await?;
    let case: Value = http
        .post(format!("{base}/cases"))
        .bearer_auth(&token)
        .json(&intake)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let case_id = case["case_id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no case id in {case}"))?
        .to_string();

    // The watcher: when did every witness first cosign a tree of each size?
    let (watch_stop, mut watch_stopped) = oneshot::channel::<()>();
    let watcher = {
        let (ledger, endpoints) = (ledger.clone(), endpoints.clone());
        tokio::spawn(async move {
            let mut seen: Vec<(Instant, u64)> = Vec::new();
            loop {
                let size = cosigned_by_all(&ledger, &endpoints).await?;
                if seen.last().is_none_or(|&(_, s)| size > s) {
                    seen.push((Instant::now(), size));
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                    _ = &mut watch_stopped => return Ok::<_, anyhow::Error>(seen),
                }
            }
        })
    };

    // Steady load: one note every 1/rate seconds, each acknowledged before
    // the next (the head after the answer is at least the note's position).
    let note = |text: &str| json!({"type": "add_note", "kind": "note", "text": text});
    let mut acked: Vec<(Instant, u64)> = Vec::new();
    let every = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        tick.tick().await;
        http.post(format!("{base}/cases/{case_id}/actions"))
            .bearer_auth(&token)
            .json(&note("Ghi chú."))
            .send()
            .await?
            .error_for_status()?;
        let head = u64::try_from(ledger.head().await?)?;
        acked.push((Instant::now(), head));
    }
    let last = acked.last().map_or(0, |a| a.1);
    let waited = Instant::now();
    while cosigned_by_all(&ledger, &endpoints).await? < last {
        anyhow::ensure!(
            waited.elapsed() < Duration::from_secs(60),
            "the witnesses did not cosign the last note within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = watch_stop.send(());
    let seen = watcher.await??;
    let mut delays: Vec<f64> = acked
        .iter()
        .filter_map(|&(at, pos)| {
            seen.iter()
                .find(|&&(_, size)| size >= pos)
                .map(|&(t, _)| t.saturating_duration_since(at).as_secs_f64() * 1000.0)
        })
        .collect();
    anyhow::ensure!(
        delays.len() == acked.len(),
        "some acknowledged notes were never seen cosigned"
    );
    delays.sort_by(f64::total_cmp);
    println!(
        "bench=witness backend={backend} witnesses={WITNESSES} rate={rate} commands={} \
         commit_to_cosigned_p50_ms={:.0} p90_ms={:.0} p99_ms={:.0} max_ms={:.0}",
        delays.len(),
        percentile(&delays, 0.50),
        percentile(&delays, 0.90),
        percentile(&delays, 0.99),
        delays.last().copied().unwrap_or(f64::NAN),
    );

    // One witness down for `down` seconds while notes keep coming, then
    // started again on the same address from its state file.
    let stopped = running.remove(1);
    let addr = stopped
        .endpoint
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/w")
        .to_string();
    stopped.stop().await?;
    let down_until = Instant::now() + Duration::from_secs(down);
    while Instant::now() < down_until {
        tick.tick().await;
        http.post(format!("{base}/cases/{case_id}/actions"))
            .bearer_auth(&token)
            .json(&note("Ghi chú khi một bên chứng kiến ngừng."))
            .send()
            .await?
            .error_for_status()?;
    }
    let health: Value = http
        .get(format!("{}/health", server.url()))
        .send()
        .await?
        .json()
        .await?;
    let behind = health["witnesses"]
        .as_array()
        .map(|ws| ws.iter().filter(|w| !w["behind_since"].is_null()).count())
        .unwrap_or(0);
    let head = u64::try_from(ledger.head().await?)?;
    let restarted_at = Instant::now();
    let restarted = start_witness(&states[1], &addr).await?;
    while cosigned_by_all(&ledger, &endpoints).await? < head {
        anyhow::ensure!(
            restarted_at.elapsed() < Duration::from_secs(600),
            "the restarted witness did not catch up within 600 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "bench=witness-restart backend={backend} down_s={down} behind_on_health={behind} \
         caught_up_ms={:.0} size={head}",
        restarted_at.elapsed().as_secs_f64() * 1000.0
    );

    server.shutdown().await?;
    restarted.stop().await?;
    for w in running {
        w.stop().await?;
    }
    let report = hoso_ledger::verify::verify_with(&ledger, Some(log_key.verifier()), &[]).await?;
    anyhow::ensure!(report.is_intact(), "verify failed: {:?}", report.first());
    let cache = hoso_ledger::tiles::TreeCache::new();
    let quorum = hoso_ledger::witnessed::verify_witnessed(
        &ledger,
        &cache,
        log_key.verifier(),
        &verifiers,
        WITNESSES,
        &[],
    )
    .await?;
    anyhow::ensure!(
        quorum.newest_mismatch.is_none() && quorum.newest_matching.is_some(),
        "no cosigned checkpoint that the log matches"
    );
    println!(
        "bench=witness check: verify intact over {} events; the newest checkpoint verifies with a quorum of {WITNESSES}",
        report.events
    );
    ledger.db().close().await;
    Ok(())
}
