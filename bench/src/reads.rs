//! `hoso bench reads`: how long the reads officers wait on take over real
//! HTTP, one request at a time, the access-log write of each read included.
//!
//! - `as_of`: a case of 200 events as it stood half-way (the commune worker
//!   who holds it), and `now`: the same case now;
//! - `list`, `list_overdue`, `dashboard` and `stats`: a provincial manager's
//!   case list (first page), overdue list, dashboard page and statistics for
//!   a province holding `cases` cases.
//!
//! The store is filled with copies of small cases of 120 children, opened
//! through the real command path (new ids, payloads unchanged, hashes by the ledger),
//! then the service's own followers bring the projections up to date before
//! anything is timed.

use std::time::{Duration, Instant};

use chrono::Utc;
use hoso_projections::runner::{Projection, Target};
use serde_json::{json, Value};

use crate::append::Scratch;
use crate::http::{intake_body, intake_of_child, percentile, staffed, Staffed};
use crate::projections::{caught_up, copy_aggregates};

/// Events of the long case read as of a moment.
const LONG_CASE: usize = 200;
/// Cases opened through the real command path and copied, each of its own
/// child: more than a page of the list.
const TEMPLATES: usize = 120;

pub async fn reads(url: &str, cases: usize, requests: usize) -> anyhow::Result<()> {
    let (scratch, scratch_url) = Scratch::create(url).await?;
    let result = run(&scratch_url, cases, requests).await;
    scratch.cleanup().await?;
    result
}

/// p50, p99 and max of `requests` GETs of `path`, one at a time, after a few
/// unmeasured ones (connections opened, caches warm).
async fn time_get(
    http: &reqwest::Client,
    url: &str,
    auth: Auth<'_>,
    requests: usize,
) -> anyhow::Result<(f64, f64, f64)> {
    let mut ms = Vec::with_capacity(requests);
    for i in 0..requests + 5 {
        let t = Instant::now();
        let req = match auth {
            Auth::Bearer(token) => http.get(url).bearer_auth(token),
            Auth::Cookie(token) => http
                .get(url)
                .header(reqwest::header::COOKIE, format!("hoso_session={token}")),
        };
        let resp = req.send().await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        let took = t.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(
            status.is_success(),
            "GET {url}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        if i >= 5 {
            ms.push(took);
        }
    }
    ms.sort_by(f64::total_cmp);
    Ok((
        percentile(&ms, 0.50),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(0.0),
    ))
}

#[derive(Clone, Copy)]
enum Auth<'a> {
    Bearer(&'a str),
    Cookie(&'a str),
}

async fn post(
    http: &reqwest::Client,
    url: String,
    token: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let resp = http.post(&url).bearer_auth(token).json(body).send().await?;
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    anyhow::ensure!(status.is_success(), "POST {url}: {status} {v}");
    Ok(v)
}

fn note(text: &str) -> Value {
    json!({"type": "add_note", "kind": "note", "text": text})
}

async fn run(url: &str, cases: usize, requests: usize) -> anyhow::Result<()> {
    let Staffed {
        ledger,
        token,
        manager_token,
        commune,
    } = staffed(url).await?;
    let backend = ledger.backend();
    let server = hoso_api::server::start(ledger.clone(), hoso_api::server::Config::local()).await?;
    let base = format!("{}/api/v1", server.url());
    let http = reqwest::Client::new();
    let intake = intake_body(&http, &base, &token, commune).await?;

    // Small cases to copy, each of a child of its own (a page of the list
    // shows as many children as cases): opened; opened with a note; opened
    // with three notes.
    // All received at one moment, so that their deadlines tie and the list
    // orders them by id: the copies' ids interleave the templates.
    let received = json!(Utc::now().to_rfc3339());
    let mut templates = Vec::new();
    for t in 0..TEMPLATES {
        let mut intake = intake_of_child(&http, &base, &token, commune, t as u32 + 1).await?;
        intake["received_at"] = received.clone();
        let v = post(&http, format!("{base}/cases"), &token, &intake).await?;
        let id = v["case_id"].as_str().unwrap_or_default().to_string();
        for n in 0..[0, 1, 3][t % 3] {
            post(
                &http,
                format!("{base}/cases/{id}/actions"),
                &token,
                &note(&format!("Ghi chú {n}.")),
            )
            .await?;
        }
        templates.push(ledger.events_of("Case", &id, 0).await?);
    }
    let filled = Instant::now();
    copy_aggregates(
        &ledger,
        templates,
        cases.saturating_sub(TEMPLATES),
        |i, id| format!("c{i:07}-{id}"),
    )
    .await?;
    let fill_seconds = filled.elapsed().as_secs_f64();

    // The long case, with a moment half-way through.
    let v = post(&http, format!("{base}/cases"), &token, &intake).await?;
    let long = v["case_id"].as_str().unwrap_or_default().to_string();
    let mut half = Utc::now();
    for n in 1..LONG_CASE {
        post(
            &http,
            format!("{base}/cases/{long}/actions"),
            &token,
            &note(&format!("Lần thăm {n}.")),
        )
        .await?;
        if n == LONG_CASE / 2 {
            half = Utc::now();
        }
    }
    let stored = ledger.events_of("Case", &long, 0).await?.len();
    anyhow::ensure!(stored == LONG_CASE, "the long case holds {stored} events");
    let followed = Instant::now();
    caught_up(&ledger, Duration::from_secs(1800)).await?;
    // The case view as a running store has it (autovacuum comes by within a
    // minute of so many rows): statistics for the planner, visibility for
    // index-only counts.
    hoso_projections::runner::settle(ledger.db(), &Target::live(Projection::CaseView)).await?;
    println!(
        "bench=reads-fill backend={backend} cases={cases} events={} fill_seconds={fill_seconds:.1} follow_seconds={:.1}",
        ledger.head().await?,
        followed.elapsed().as_secs_f64()
    );

    let as_of = urlencode(&half.to_rfc3339());
    let site = server.url();
    let reads: [(&str, String, Auth); 6] = [
        (
            "as_of",
            format!("{base}/cases/{long}/timeline?as_of={as_of}"),
            Auth::Bearer(&token),
        ),
        ("now", format!("{base}/cases/{long}"), Auth::Bearer(&token)),
        (
            "list",
            format!("{base}/cases?province=42"),
            Auth::Bearer(&manager_token),
        ),
        (
            "list_overdue",
            format!("{base}/cases?province=42&overdue=true"),
            Auth::Bearer(&manager_token),
        ),
        (
            "dashboard",
            format!("{site}/"),
            Auth::Cookie(&manager_token),
        ),
        (
            "stats",
            format!("{base}/stats?province=42"),
            Auth::Bearer(&manager_token),
        ),
    ];
    for (what, url, auth) in reads {
        let (p50, p99, max) = time_get(&http, &url, auth, requests).await?;
        let size = if what == "as_of" || what == "now" {
            format!("case_events={LONG_CASE}")
        } else {
            format!("province_cases={cases}")
        };
        println!(
            "bench=reads backend={backend} read={what} {size} requests={requests} p50_ms={p50:.2} p99_ms={p99:.2} max_ms={max:.2}"
        );
    }
    server.shutdown().await?;
    Ok(())
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
