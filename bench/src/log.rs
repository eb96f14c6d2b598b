//! `hoso bench verify` and `hoso bench export`: throughput of `hoso verify` (with
//! the Merkle log against a signed checkpoint) and of a full export, over
//! synthetic events appended straight through `Ledger::append` into a scratch
//! database; beside `sha256sum` over the same payload and metadata bytes, the
//! physical limit of hashing them.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use hoso_ledger::checkpoint::Signer;
use hoso_ledger::{Ledger, NewEvent};

use crate::append::Scratch;

const PER_AGGREGATE: usize = 10;
const TASKS: usize = 64;

const TEXT: &str = "Cán bộ xã đã đến thăm gia đình, trẻ đang đi học đều, sức khỏe ổn định; \
người chăm sóc cam kết không để trẻ tiếp xúc với người có nguy cơ gây hại. Hẹn rà soát lại sau hai tuần.";

/// Appends `events` synthetic events (aggregates of 10) and returns seconds.
pub async fn populate(ledger: &Ledger, events: usize) -> anyhow::Result<f64> {
    let aggregates = events.div_ceil(PER_AGGREGATE);
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let ledger = ledger.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let a = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if a >= aggregates {
                    return Ok::<(), anyhow::Error>(());
                }
                let batch = (1..=PER_AGGREGATE as u64)
                    .map(|s| NewEvent {
                        aggregate_type: "BenchNotebook".into(),
                        aggregate_id: format!("bench-{a:07}"),
                        sequence: s,
                        event_type: "NoteAdded".into(),
                        event_version: "1".into(),
                        payload: format!(r#"{{"n":{s},"text":"{TEXT}"}}"#),
                        metadata: format!(
                            r#"{{"actor_id":"o-{}","recorded_at":"2026-11-23T08:00:{:02}.000000Z","role":"commune_worker","unit":"commune:42:18070"}}"#,
                            a % 97,
                            s
                        ),
                    })
                    .collect();
                ledger.append(batch).await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed().as_secs_f64())
}

fn rate(n: f64, s: f64) -> f64 {
    n / s.max(1e-9)
}

/// `sha256sum` over `bytes` written to a file; seconds, or None if unavailable.
fn sha256sum(bytes: &[u8]) -> anyhow::Result<Option<f64>> {
    let path = std::env::temp_dir().join(format!("hoso_bench_{}.bytes", std::process::id()));
    std::fs::File::create(&path)?.write_all(bytes)?;
    // Warm the page cache, as the database's pages are after population.
    let _ = std::fs::read(&path)?;
    let started = Instant::now();
    let out = std::process::Command::new("sha256sum").arg(&path).output();
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    Ok(out.ok().filter(|o| o.status.success()).map(|_| seconds))
}

/// A populated scratch store: the scratch database, its URL, a plain ledger
/// over it, a signer and the backend's name.
struct Populated {
    scratch: Scratch,
    url: String,
    ledger: Ledger,
    signer: Signer,
    backend: String,
}

async fn scratch_with(url: &str, events: usize) -> anyhow::Result<Populated> {
    let (scratch, scratch_url) = Scratch::create(url).await?;
    // Synthetic notebooks hold no personal data: stored as given.
    let ledger = Ledger::open(&scratch_url).await?.without_privacy();
    let backend = ledger.backend().to_string();
    let seconds = populate(&ledger, events).await?;
    let n = events.div_ceil(PER_AGGREGATE) * PER_AGGREGATE;
    println!(
        "bench=populate backend={backend} events={n} seconds={seconds:.2} events_per_s={:.0}",
        rate(n as f64, seconds)
    );
    let signer = Signer::from_seed(&rand::random::<[u8; 32]>());
    let started = Instant::now();
    hoso_service::signing::issue_now(&ledger, &signer, false).await?;
    println!(
        "bench=checkpoint backend={backend} events={n} seconds={:.2}",
        started.elapsed().as_secs_f64()
    );
    Ok(Populated {
        scratch,
        url: scratch_url,
        ledger,
        signer,
        backend,
    })
}

/// Verify throughput over `events` events.
pub async fn verify(url: &str, events: usize) -> anyhow::Result<()> {
    let Populated {
        scratch,
        url: _,
        ledger,
        signer,
        backend,
    } = scratch_with(url, events).await?;
    let result = async {
        let report =
            hoso_ledger::verify::verify_with(&ledger, Some(signer.verifier()), &[]).await?;
        anyhow::ensure!(report.is_intact(), "bench store broken: {:?}", report.first());
        println!(
            "bench=verify backend={backend} events={} seconds={:.2} events_per_s={:.0} mb_per_s={:.1}",
            report.events,
            report.seconds,
            rate(report.events as f64, report.seconds),
            rate(report.bytes as f64 / 1e6, report.seconds)
        );
        // The same payload and metadata bytes, hashed once by sha256sum.
        let mut bytes = Vec::with_capacity(report.bytes as usize);
        let mut after = 0;
        loop {
            let page = ledger.read_after(after, 50_000).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            for e in &page {
                bytes.extend_from_slice(e.payload.as_bytes());
                bytes.extend_from_slice(e.metadata.as_bytes());
            }
        }
        // The limit: SHA-256 in this process over the same bytes, in pages
        // of the events' size (what verify hashes, without reading them).
        {
            use sha2::{Digest, Sha256};
            let started = Instant::now();
            let mut sink = 0u8;
            for chunk in bytes.chunks(4096) {
                sink ^= Sha256::digest(chunk)[0];
            }
            let s = started.elapsed().as_secs_f64();
            println!(
                "bench=sha256-in-process bytes={} seconds={s:.3} mb_per_s={:.1} check={sink}",
                bytes.len(),
                rate(bytes.len() as f64 / 1e6, s)
            );
        }
        if let Some(s) = sha256sum(&bytes)? {
            println!(
                "bench=sha256sum bytes={} seconds={s:.2} mb_per_s={:.1}",
                bytes.len(),
                rate(bytes.len() as f64 / 1e6, s)
            );
        }
        ledger.db().close().await;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    scratch.cleanup().await?;
    result
}

/// Export throughput: every event, with proofs, into a temporary directory;
/// then the offline verification of that bundle.
pub async fn export(url: &str, events: usize) -> anyhow::Result<()> {
    let Populated {
        scratch,
        url,
        ledger,
        signer,
        backend,
    } = scratch_with(url, events).await?;
    let dir = std::env::temp_dir().join(format!("hoso_bench_export_{}", std::process::id()));
    let kek = std::env::temp_dir().join(format!("hoso_bench_kek_{}.key", std::process::id()));
    let result = async {
        let app = hoso_service::App::open_with(&url, &kek).await?;
        let started = Instant::now();
        let s = hoso_service::export::export(&app, &signer, &Default::default(), &dir, vec![], None)
            .await?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "bench=export backend={backend} events={} seconds={seconds:.2} events_per_s={:.0} mb={:.0}",
            s.events,
            rate(s.events as f64, seconds),
            s.bytes as f64 / 1e6
        );
        let started = Instant::now();
        let v = hoso_service::export::verify_bundle(&dir, signer.verifier())?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "bench=verify-export events={} seconds={seconds:.2} events_per_s={:.0}",
            v.events,
            rate(v.events as f64, seconds)
        );
        ledger.db().close().await;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    scratch.cleanup().await?;
    result
}
