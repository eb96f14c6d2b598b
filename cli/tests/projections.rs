//! Projections on both backends: they agree with a recomputation from events,
//! survive SIGKILL mid-backlog, miss nothing under concurrent writers, and the
//! as-of view equals the state after each event.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use cqrs_es::Aggregate;
use hoso_domain::case::{Case, CaseEvent};
use hoso_ledger::Ledger;
use hoso_projections::history::case_as_of;
use hoso_projections::read::{self, CaseFilter, PeriodKind, StatsQuery};
use hoso_projections::runner::{self, catch_up, checkpoint, ensure, Target};
use hoso_projections::Projection;
use hoso_service::App;
use hoso_tests::{both_backends, TestDb};

async fn live_up_to_date(ledger: &Ledger) {
    for p in Projection::ALL {
        let t = Target::live(p);
        ensure(ledger.db(), &t).await.unwrap();
        catch_up(ledger, &t, None).await.unwrap();
    }
}

async fn assert_equal_to_fresh_rebuild(ledger: &Ledger) {
    for p in Projection::ALL {
        let (at, diffs) = runner::check(ledger, p).await.unwrap();
        assert_eq!(
            at,
            ledger.head().await.unwrap(),
            "{} is caught up",
            p.name()
        );
        assert!(
            diffs.is_empty(),
            "{} differs from a fresh rebuild: {diffs:?}",
            p.name()
        );
    }
}

both_backends!(
    projections_agree_with_a_recomputation_from_events,
    |db: TestDb| async move {
        let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        hoso_demo::load(&app, 28, 5).await.unwrap();
        let ledger = app.ledger.clone();
        live_up_to_date(&ledger).await;
        assert_equal_to_fresh_rebuild(&ledger).await;

        let all = ledger.read_after(0, 1_000_000).await.unwrap();
        let case_ids: Vec<String> = {
            let mut v: Vec<_> = all
                .iter()
                .filter(|e| e.aggregate_type == "Case")
                .map(|e| e.aggregate_id.clone())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        // Case view: every case, with the status and event count of its own events.
        let now = Utc::now();
        let page = read::list_cases(
            ledger.db(),
            &CaseFilter {
                limit: 1000,
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(page.total as usize, case_ids.len());
        // The list's order: overdue first, then by next deadline (none
        // last), newest opened, id; and its pages put together are the list.
        let mut expected = page.items.clone();
        expected.sort_by(|a, b| {
            (
                !a.overdue,
                a.next_deadline_at.is_none(),
                &a.next_deadline_at,
            )
                .cmp(&(
                    !b.overdue,
                    b.next_deadline_at.is_none(),
                    &b.next_deadline_at,
                ))
                .then_with(|| b.opened_at.cmp(&a.opened_at))
                .then_with(|| a.case_id.cmp(&b.case_id))
        });
        assert_eq!(page.items, expected);
        assert!(page.items.iter().any(|c| c.overdue) && page.items.iter().any(|c| !c.overdue));
        let mut paged = Vec::new();
        for offset in (0..page.items.len()).step_by(5) {
            let p = read::list_cases(
                ledger.db(),
                &CaseFilter {
                    limit: 5,
                    offset: offset as i64,
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
            assert_eq!(p.total, page.total);
            paged.extend(p.items);
        }
        assert_eq!(paged, page.items);
        // A page past the end is empty, however far (schemathesis sent i64::MAX).
        let far = read::list_cases(
            ledger.db(),
            &CaseFilter {
                limit: 1,
                offset: i64::MAX,
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        assert!(far.items.is_empty());
        let mut overdue = 0;
        for id in &case_ids {
            let state: Case = app.load(id).await.unwrap();
            let row = read::case_view(ledger.db(), id, now)
                .await
                .unwrap()
                .expect("row");
            assert_eq!(row.status, state.status.as_str(), "{id}");
            assert_eq!(row.events as u64, state.events_applied, "{id}");
            assert_eq!(row.overdue, !state.missed_deadlines(now).is_empty(), "{id}");
            overdue += usize::from(row.overdue);
        }
        let filtered = read::list_cases(
            ledger.db(),
            &CaseFilter {
                overdue: true,
                limit: 1000,
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(filtered.total as usize, overdue);
        assert!(filtered.items.iter().all(|c| c.overdue));
        // Statistics: cases opened per year = intakes; steps = case events.
        let q = |metric: &str| StatsQuery {
            metric: Some(metric.into()),
            province: None,
            commune: None,
            structure: None,
            district: None,
            period: PeriodKind::Year,
            from: None,
            to: None,
            by_commune: false,
        };
        let sum = |rows: Vec<read::StatRow>| rows.iter().map(|r| r.count).sum::<i64>();
        let intakes = all
            .iter()
            .filter(|e| e.event_type == "IntakeRecorded")
            .count() as i64;
        assert_eq!(
            sum(read::statistics(ledger.db(), &q("cases_opened"))
                .await
                .unwrap()),
            intakes
        );
        let case_events = all.iter().filter(|e| e.aggregate_type == "Case").count() as i64;
        assert_eq!(
            sum(read::statistics(ledger.db(), &q("step")).await.unwrap()),
            case_events
        );
        // Officer history: every event of every officer.
        let mut by_actor: HashMap<String, usize> = HashMap::new();
        for e in &all {
            let m: serde_json::Value = serde_json::from_str(&e.metadata).unwrap();
            *by_actor
                .entry(m["actor_id"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        for (actor, n) in by_actor {
            let h = read::officer_history(ledger.db(), &actor, None, None, None)
                .await
                .unwrap()
                .expect("officer");
            assert_eq!(h.events.len(), n, "{actor}");
        }
        db.drop_db().await;
    }
);

both_backends!(
    the_case_as_of_each_event_equals_the_state_after_it,
    |db: TestDb| async move {
        let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        hoso_demo::load(&app, 14, 9).await.unwrap();
        let ledger = app.ledger.clone();
        let all = ledger.read_after(0, 1_000_000).await.unwrap();
        let mut ids: Vec<String> = all
            .iter()
            .filter(|e| e.aggregate_type == "Case")
            .map(|e| e.aggregate_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let mut checked = 0;
        for id in &ids {
            let events = ledger.events_of("Case", id, 0).await.unwrap();
            let mut expected = Case::default();
            for (k, e) in events.iter().enumerate() {
                // The case as it stood, personal fields opened as an inspector sees them.
                let opened = ledger.open_event(e).await.unwrap().payload;
                let ev: CaseEvent = serde_json::from_value(opened).unwrap();
                expected.apply(ev);
                let meta: serde_json::Value = serde_json::from_str(&e.metadata).unwrap();
                let at =
                    chrono::DateTime::parse_from_rfc3339(meta["recorded_at"].as_str().unwrap())
                        .unwrap()
                        .with_timezone(&Utc);
                let got = case_as_of(&ledger, id, Some(at))
                    .await
                    .unwrap()
                    .expect("case exists then");
                assert_eq!(got.timeline.len(), k + 1, "{id} as of event {}", k + 1);
                assert_eq!(
                    serde_json::to_value(&got.state).unwrap(),
                    serde_json::to_value(&expected).unwrap(),
                    "{id} as of event {}",
                    k + 1
                );
                checked += 1;
            }
            // Before the first event the case did not exist.
            let first: serde_json::Value = serde_json::from_str(&events[0].metadata).unwrap();
            let before =
                chrono::DateTime::parse_from_rfc3339(first["recorded_at"].as_str().unwrap())
                    .unwrap()
                    .with_timezone(&Utc)
                    - chrono::Duration::seconds(1);
            assert!(case_as_of(&ledger, id, Some(before))
                .await
                .unwrap()
                .is_none());
        }
        assert!(checked > 50);
        db.drop_db().await;
    }
);

both_backends!(
    no_projection_misses_an_event_under_concurrent_writers,
    |db: TestDb| async move {
        let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        hoso_demo::load(&app, 14, 3).await.unwrap();
        let follower = Ledger::open(&db.url).await.unwrap();
        let follow = tokio::spawn(runner::follow(follower.clone()));
        // Several processes' worth of writers (own ledgers, so their transactions
        // commit in any order) replay the demo again under new ids.
        let mut writers = Vec::new();
        for seed in 20..24u64 {
            let url = db.url.clone();
            let kek = db.kek_path();
            writers.push(tokio::spawn(async move {
                let app = App::open_with(&url, &kek).await.unwrap();
                hoso_demo::load(&app, 7, seed).await.unwrap();
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        let head = follower.head().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut done = true;
            for p in Projection::ALL {
                done &= checkpoint(follower.db(), &Target::live(p)).await.unwrap() >= head;
            }
            if done {
                break;
            }
            assert!(Instant::now() < deadline, "projections did not catch up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        follow.abort();
        assert_equal_to_fresh_rebuild(&follower).await;
        // Every case has all of its events in the view.
        let all = follower.read_after(0, 1_000_000).await.unwrap();
        let mut counts: HashMap<String, i64> = HashMap::new();
        for e in all.iter().filter(|e| e.aggregate_type == "Case") {
            *counts.entry(e.aggregate_id.clone()).or_default() += 1;
        }
        for (id, n) in counts {
            let row = read::case_view(follower.db(), &id, Utc::now())
                .await
                .unwrap()
                .expect("row");
            assert_eq!(row.events, n, "{id}");
        }
        db.drop_db().await;
    }
);

/// `hoso` for `db`: the checkpoint key and the KEK in temporary files.
fn hoso_for(db: &TestDb) -> Command {
    let mut c = hoso();
    c.env("HOSO_KEK_FILE", db.kek_path());
    c
}

fn hoso() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hoso"));
    // The checkpoint key goes to a temporary file, not into the source tree.
    c.env(
        "HOSO_SIGNING_KEY",
        std::env::temp_dir().join(format!("hoso_projections_test_{}.key", std::process::id())),
    );
    c
}

both_backends!(
    sigkill_while_projecting_a_backlog_then_restart,
    |db: TestDb| async move {
        let out = hoso_for(&db)
            .args(["--database-url", &db.url, "demo", "--cases", "150"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ledger = Ledger::open(&db.url).await.unwrap();
        let head = ledger.head().await.unwrap();
        let serve = || {
            hoso_for(&db)
                .args([
                    "--database-url",
                    &db.url,
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                ])
                .env("HOSO_PROJECTION_BATCH", "7")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let positions = |ledger: Ledger| async move {
            let mut v = Vec::new();
            for p in Projection::ALL {
                v.push(checkpoint(ledger.db(), &Target::live(p)).await.unwrap_or(0));
            }
            v
        };
        let mut child = serve();
        // Kill it in the middle of the backlog.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let p = positions(ledger.clone()).await;
            if p.iter().any(|x| *x > 0) {
                break;
            }
            assert!(Instant::now() < deadline, "serve never started projecting");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let at_kill = positions(ledger.clone()).await;
        assert!(
            at_kill.iter().any(|x| *x < head),
            "killed before the backlog was done: {at_kill:?} of {head}"
        );
        let mut child = serve();
        let deadline = Instant::now() + Duration::from_secs(120);
        while positions(ledger.clone()).await.iter().any(|x| *x < head) {
            assert!(Instant::now() < deadline, "did not catch up after restart");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // Equal to a clean rebuild: nothing applied twice, nothing skipped.
        let out = hoso_for(&db)
            .args(["--database-url", &db.url, "rebuild", "--check"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert_eq!(
            text.matches("equal to a fresh rebuild").count(),
            Projection::ALL.len(),
            "{text}"
        );
        ledger.db().close().await;
        db.drop_db().await;
    }
);
