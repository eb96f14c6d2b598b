//! `hoso bench http`: commands per second and latency over real HTTP. Starts
//! the service on 127.0.0.1:0 over a scratch database, signs in officers,
//! and drives it with `clients` concurrent reqwest clients, each opening its own
//! case and then adding notes to it, for at most `commands` commands or
//! `seconds` seconds per run. Afterwards every acknowledged command must be in
//! the store and `verify` must pass.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::places;
use serde_json::{json, Value};

use hoso_service::officers::{create, NewOfficer};
use hoso_service::{accounts, App, Service};

use crate::append::Scratch;

/// The bench officers' password (scratch stores only).
const BENCH_PASSWORD: &str = "mật-khẩu-đo-hiệu-năng";

/// Commands per case before a client opens the next one.
const CASE_LENGTH: usize = 20;

/// One line of figures.
#[derive(Debug, Clone)]
pub struct HttpRun {
    pub clients: usize,
    pub commands: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn http(
    url: &str,
    clients: &[usize],
    commands: usize,
    seconds: u64,
) -> anyhow::Result<Vec<HttpRun>> {
    let (scratch, scratch_url) = Scratch::create(url).await?;
    let result = run(&scratch_url, clients, commands, seconds).await;
    scratch.cleanup().await?;
    result
}

async fn run(
    url: &str,
    clients: &[usize],
    commands: usize,
    seconds: u64,
) -> anyhow::Result<Vec<HttpRun>> {
    let Staffed {
        ledger,
        token,
        commune,
        ..
    } = staffed(url).await?;
    let backend = ledger.backend();
    let server = hoso_api::server::start(ledger.clone(), hoso_api::server::Config::local()).await?;
    let base = format!("{}/api/v1", server.url());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let intake = intake_body(&http, &base, &token, commune).await?;
    let mut runs = Vec::new();
    let mut acknowledged: Vec<(String, usize)> = Vec::new();
    let rss_start = rss_kib();
    // Resident size every 30 s while the load runs: flat memory shows as a
    // plateau after the first minutes (caches filled), not a steady climb.
    let samples = Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let sampler = {
        let samples = samples.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(30));
            loop {
                every.tick().await;
                if let (Some(v), Ok(mut s)) = (rss_kib(), samples.lock()) {
                    s.push(v);
                }
            }
        })
    };
    for &c in clients {
        let issued = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..c {
            let (http, base, token, intake, issued) = (
                http.clone(),
                base.clone(),
                token.clone(),
                intake.clone(),
                issued.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut case_id: Option<String> = None;
                let mut notes = 0usize;
                let mut done = Vec::new();
                while issued.fetch_add(1, Ordering::Relaxed) < commands && Instant::now() < deadline
                {
                    // A new case every CASE_LENGTH commands, as in real work.
                    if notes + 1 >= CASE_LENGTH {
                        if let Some(id) = case_id.take() {
                            done.push((id, notes));
                        }
                        notes = 0;
                    }
                    let t = Instant::now();
                    let (path, body) = match &case_id {
                        None => (format!("{base}/cases"), intake.clone()),
                        Some(id) => (
                            format!("{base}/cases/{id}/actions"),
                            json!({"type": "add_note", "kind": "note", "text": "Ghi chú."}),
                        ),
                    };
                    let resp = http
                        .post(path)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await?;
                    let ok = resp.status().is_success();
                    let v: Value = resp.json().await.unwrap_or(Value::Null);
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    if !ok {
                        anyhow::bail!("command refused: {v}");
                    }
                    match &case_id {
                        None => case_id = v["case_id"].as_str().map(str::to_string),
                        Some(_) => notes += 1,
                    }
                }
                if let Some(id) = case_id {
                    done.push((id, notes));
                }
                Ok::<_, anyhow::Error>((latencies, done))
            }));
        }
        let mut latencies = Vec::new();
        for t in tasks {
            let (l, done) = t.await??;
            latencies.extend(l);
            acknowledged.extend(done);
        }
        let secs = started.elapsed().as_secs_f64();
        latencies.sort_by(f64::total_cmp);
        let run = HttpRun {
            clients: c,
            commands: latencies.len(),
            seconds: secs,
            p50_ms: percentile(&latencies, 0.50),
            p99_ms: percentile(&latencies, 0.99),
        };
        println!(
            "bench=http backend={backend} clients={} commands={} seconds={:.2} commands_per_s={:.0} p50_ms={:.1} p99_ms={:.1}",
            run.clients,
            run.commands,
            run.seconds,
            run.commands as f64 / run.seconds.max(1e-9),
            run.p50_ms,
            run.p99_ms
        );
        runs.push(run);
    }
    // A soak (`--seconds 600`) shows flat memory: the service runs in this
    // process, so its resident size is ours (measured after the load, before
    // the checks below, which read the whole log).
    sampler.abort();
    let sampled = samples
        .lock()
        .map(|s| s.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    println!(
        "bench=http memory: rss_start_kib={} rss_end_kib={} rss_every_30s_kib={sampled}",
        rss_start.map_or_else(|| "?".into(), |v| v.to_string()),
        rss_kib().map_or_else(|| "?".into(), |v| v.to_string()),
    );
    // Every acknowledged command is in the store, and the chains verify.
    for (id, notes) in &acknowledged {
        let stored = ledger.events_of("Case", id, 0).await?.len();
        if stored != notes + 1 {
            anyhow::bail!(
                "case {id}: {} commands acknowledged, {stored} events stored",
                notes + 1
            );
        }
    }
    let report = hoso_ledger::verify::verify(&ledger).await?;
    if !report.is_intact() {
        anyhow::bail!("verify failed after the run: {:?}", report.findings);
    }
    println!(
        "bench=http check: {} acknowledged commands all stored; verify intact over {} events",
        acknowledged.iter().map(|(_, n)| n + 1).sum::<usize>(),
        report.events
    );
    server.shutdown().await?;
    Ok(runs)
}

/// This process's resident set size (Linux `/proc/self/status`, `VmRSS`).
fn rss_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A scratch store opened with its data keys, an admin and a commune worker
/// of province 42, and a session of the worker (12 hours).
pub struct Staffed {
    pub ledger: hoso_ledger::Ledger,
    /// The commune worker's session.
    pub token: String,
    /// A provincial manager's session (reads every case of province 42).
    pub manager_token: String,
    pub commune: u32,
}

pub async fn staffed(url: &str) -> anyhow::Result<Staffed> {
    let kek = std::env::temp_dir().join(format!("hoso_bench_kek_{}.key", std::process::id()));
    let app = App::open_with(url, &kek).await?;
    let ledger = app.ledger.clone();
    let svc = Service::new(app);
    let e = |e: hoso_service::Error| anyhow::anyhow!("{e}");
    let admin = Actor {
        officer_id: "bench-admin".into(),
        role: Role::Admin,
        unit: Unit::National,
    };
    let province = places::current()
        .province(42)
        .ok_or_else(|| anyhow::anyhow!("province 42 missing from the place list"))?;
    let commune = province.wards[0].code;
    for (id, role, unit) in [
        ("bench-admin", Role::Admin, Unit::National),
        (
            "bench-worker",
            Role::CommuneWorker,
            Unit::Commune {
                province: 42,
                commune,
            },
        ),
        (
            "bench-manager",
            Role::ProvincialManager,
            Unit::Province { province: 42 },
        ),
    ] {
        let new = NewOfficer {
            id: Some(id.into()),
            full_name: id.into(),
            role,
            unit,
            active_from: None,
            password: Some(BENCH_PASSWORD.into()),
        };
        create(&svc, &admin, new).await.map_err(e)?;
    }
    let ctx = hoso_service::access::ReadContext::default();
    let (token, _) = accounts::login(&svc, "bench-worker", BENCH_PASSWORD, &ctx)
        .await
        .map_err(e)?;
    let (manager_token, _) = accounts::login(&svc, "bench-manager", BENCH_PASSWORD, &ctx)
        .await
        .map_err(e)?;
    Ok(Staffed {
        ledger,
        token,
        manager_token,
        commune,
    })
}

/// Registers a child over HTTP and returns the body of an intake about it,
/// to open cases with.
pub async fn intake_body(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    commune: u32,
) -> anyhow::Result<Value> {
    intake_of_child(http, base, token, commune, 0).await
}

/// `intake_body` for the `n`th of several children (each a name and a date of
/// birth of its own: registering the same child twice is refused).
pub async fn intake_of_child(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    commune: u32,
    n: u32,
) -> anyhow::Result<Value> {
    let commune_ref = json!({"structure": "2025", "province": 42, "commune": commune});
    // Births 10 days apart: never a likely duplicate of one another.
    let born = chrono::NaiveDate::from_ymd_opt(2012, 1, 1)
        .filter(|_| n > 0)
        .or(chrono::NaiveDate::from_ymd_opt(2016, 5, 1))
        .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(n) * 10)))
        .ok_or_else(|| anyhow::anyhow!("date of birth out of range"))?
        .to_string();
    let name = if n == 0 {
        "Trẻ thử".to_string()
    } else {
        format!("Trẻ thử số {n}")
    };
    let r: Value = http
        .post(format!("{base}/children"))
        .bearer_auth(token)
        .json(
            &json!({"full_name": name, "date_of_birth": born, "sex": "female",
            "ethnicity": "Kinh", "address": {"commune": commune_ref}}),
        )
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let child = r["child_id"].as_str().unwrap_or_default().to_string();
    Ok(
        json!({"child_id": child, "date_of_birth": born, "commune": commune_ref,
        "source": "school", "description": "Bench.", "harm_types": ["neglect"],
        "received_at": Utc::now().to_rfc3339()}),
    )
}
