//! Domain rules tried through the real command path (cqrs-es over the ledger) on
//! both backends, and two commands racing on one case.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use chrono::{DateTime, Duration, TimeZone, Utc};
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{AggregateError, EventStore};
use hoso_domain::case::*;
use hoso_domain::common::{Actor, CommuneRef, HarmType, ProtectionLevel, RiskLevel, Role, Unit};
use hoso_domain::places;
use hoso_ledger::Ledger;
use hoso_service::app::{metadata, App, LOCAL};
use hoso_tests::{both_backends, TestDb};

fn commune() -> CommuneRef {
    let p = places::current().province(42).expect("Hà Tĩnh");
    CommuneRef::current(42, p.wards[0].code)
}

fn other_commune() -> CommuneRef {
    let p = places::current().province(42).expect("Hà Tĩnh");
    CommuneRef::current(42, p.wards[1].code)
}

fn person(id: &str, role: Role, c: CommuneRef) -> Actor {
    Actor {
        officer_id: id.into(),
        role,
        unit: Unit::Commune {
            province: c.province,
            commune: c.commune,
        },
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn cmd(actor: &Actor, hours: i64, action: CaseAction) -> CaseCommand {
    CaseCommand {
        actor: actor.clone(),
        at: t0() + Duration::hours(hours),
        action,
    }
}

fn factors() -> RiskFactors {
    RiskFactors {
        severity_of_harm: RiskLevel::Medium,
        abuser_access: RiskLevel::Low,
        care_environment_obstacles: RiskLevel::Medium,
        child_capacity: RiskLevel::Medium,
    }
}

/// Drives case `id` to an approved plan, asserting every step is accepted.
async fn to_approved_plan(app: &App, id: &str, worker: &Actor, chairman: &Actor) {
    let steps = vec![
        cmd(
            worker,
            0,
            CaseAction::RecordIntake(Intake {
                child_id: format!("child-{id}"),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(2016, 5, 1).unwrap(),
                commune: commune(),
                source: IntakeSource::School,
                source_description: None,
                reporter: None,
                description: "Trẻ có vết bầm, giáo viên báo tin.".into(),
                harm_types: vec![HarmType::Violence],
                received_at: t0(),
                responsible_worker: Some(worker.officer_id.clone()),
            }),
        ),
        cmd(
            worker,
            2,
            CaseAction::RecordFactCheck(FactCheck {
                confirmed: true,
                findings: "Đã xác minh.".into(),
            }),
        ),
        cmd(
            worker,
            4,
            CaseAction::AssessInitialRisk(InitialAssessment {
                factors: factors(),
                overall: RiskLevel::Medium,
                emergency_needed: false,
                protection_level: ProtectionLevel::Intervention,
                notes: String::new(),
            }),
        ),
        cmd(
            worker,
            30,
            CaseAction::AssessSpecificRisk(SpecificAssessment {
                factors: factors(),
                overall: RiskLevel::Medium,
                protection_level: ProtectionLevel::Intervention,
                needs: vec!["Hỗ trợ tâm lý".into()],
                minutes: NeedsMeetingMinutes {
                    held_at: t0() + Duration::hours(29),
                    participants: vec!["cán bộ xã".into(), "mẹ của trẻ".into()],
                    summary: "Họp xác định nhu cầu.".into(),
                },
            }),
        ),
        cmd(
            worker,
            50,
            CaseAction::DraftPlan(PlanDraft {
                objectives: vec!["Trẻ an toàn".into()],
                services: vec![],
                review_date: (t0() + Duration::days(30)).date_naive(),
            }),
        ),
        cmd(
            chairman,
            70,
            CaseAction::ApprovePlan(PlanApproval {
                plan_version: 1,
                decision_ref: "12/QĐ-UBND".into(),
            }),
        ),
    ];
    for c in steps {
        let at = c.at;
        app.case(id, c, at, LOCAL).await.expect("step accepted");
    }
}

fn user_error(r: Result<(), AggregateError<CaseError>>) -> CaseError {
    match r {
        Err(AggregateError::UserError(e)) => e,
        other => panic!("expected a domain error, got {other:?}"),
    }
}

both_backends!(rules_hold_through_the_store, |db: TestDb| async move {
    let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
    let c = commune();
    let worker = person("cb-1", Role::CommuneWorker, c);
    let chairman = person("ct-1", Role::CommuneChairman, c);
    let stranger = person("cb-9", Role::CommuneWorker, other_commune());
    to_approved_plan(&app, "HS-1", &worker, &chairman).await;

    // A worker cannot approve a plan (nor can one of another commune act at all).
    let r = app
        .case(
            "HS-1",
            cmd(
                &worker,
                81,
                CaseAction::ApprovePlan(PlanApproval {
                    plan_version: 1,
                    decision_ref: "x".into(),
                }),
            ),
            t0(),
            LOCAL,
        )
        .await;
    assert!(matches!(user_error(r), CaseError::NotAuthorised { .. }));
    let r = app
        .case(
            "HS-1",
            cmd(
                &stranger,
                81,
                CaseAction::AddNote(Note {
                    kind: NoteKind::Note,
                    text: "x".into(),
                }),
            ),
            t0(),
            LOCAL,
        )
        .await;
    assert!(matches!(user_error(r), CaseError::OutsideUnit { .. }));

    // A case cannot close before a review.
    let close = || {
        cmd(
            &chairman,
            90,
            CaseAction::CloseCase(Closure {
                reason: CloseReason::SafeAndStable,
                decision_ref: "20/QĐ-UBND".into(),
                note: String::new(),
            }),
        )
    };
    let r = app.case("HS-1", close(), t0(), LOCAL).await;
    assert_eq!(user_error(r), CaseError::NoStableReview);
    let review = cmd(
        &worker,
        85,
        CaseAction::RecordReview(Review {
            outcome: ReviewOutcome::SafeAndStable,
            participants: vec!["cán bộ xã".into()],
            summary: "Trẻ an toàn, ổn định.".into(),
        }),
    );
    app.case("HS-1", review, t0(), LOCAL).await.unwrap();
    // Only the chairman closes.
    let mut by_worker = close();
    by_worker.actor = worker.clone();
    assert!(matches!(
        user_error(app.case("HS-1", by_worker, t0(), LOCAL).await),
        CaseError::NotAuthorised { .. }
    ));
    app.case("HS-1", close(), t0(), LOCAL).await.unwrap();
    let state: Case = app.load("HS-1").await.unwrap();
    assert_eq!(state.status, CaseStatus::Closed);
    // Rejected commands stored nothing.
    let events = app.ledger.events_of("Case", "HS-1", 0).await.unwrap();
    assert_eq!(events.len(), 8);
    // The actor of every event is in its metadata, and the chain is intact.
    let meta: serde_json::Value = serde_json::from_str(&events[5].metadata).unwrap();
    assert_eq!(meta["actor_id"], "ct-1");
    assert_eq!(meta["role"], "commune_chairman");
    assert!(hoso_ledger::verify::verify(&app.ledger)
        .await
        .unwrap()
        .is_intact());
    db.drop_db().await;
});

both_backends!(
    two_commands_on_one_case_one_wins_one_conflicts,
    |db: TestDb| async move {
        let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        let c = commune();
        let worker = person("cb-1", Role::CommuneWorker, c);
        let chairman = person("ct-1", Role::CommuneChairman, c);
        to_approved_plan(&app, "HS-2", &worker, &chairman).await;
        // Both commands load the case at the same version before either commits.
        let store: PersistedEventStore<Ledger, Case> =
            PersistedEventStore::new_event_store(app.ledger.clone());
        let mut first = store.load_aggregate("HS-2").await.unwrap();
        let mut second = store.load_aggregate("HS-2").await.unwrap();
        let note = |text: &str| {
            cmd(
                &worker,
                100,
                CaseAction::AddNote(Note {
                    kind: NoteKind::Note,
                    text: text.into(),
                }),
            )
        };
        let e1 = first_events(&mut first, note("first")).await;
        let e2 = first_events(&mut second, note("second")).await;
        let meta = metadata(&worker, LOCAL, t0());
        store.commit(e1, first, meta.clone()).await.unwrap();
        let lost = store.commit(e2, second, meta).await;
        assert!(
            matches!(lost, Err(AggregateError::AggregateConflict)),
            "{lost:?}"
        );
        let events = app.ledger.events_of("Case", "HS-2", 0).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.sequence).collect::<Vec<_>>(),
            (1..=7).collect::<Vec<_>>()
        );
        let last = app.ledger.open_event(&events[6]).await.unwrap().payload;
        assert!(last.to_string().contains("first"), "{last}");
        assert!(hoso_ledger::verify::verify(&app.ledger)
            .await
            .unwrap()
            .is_intact());

        // And racing through the framework: every command either lands or conflicts.
        let mut handles = Vec::new();
        for i in 0..8 {
            let app_url = db.url.clone();
            let kek = db.kek_path();
            let worker = worker.clone();
            handles.push(tokio::spawn(async move {
                let app = App::open_with(&app_url, &kek).await.unwrap();
                let c = cmd(
                    &worker,
                    200 + i,
                    CaseAction::AddNote(Note {
                        kind: NoteKind::Note,
                        text: format!("race {i}"),
                    }),
                );
                app.case("HS-2", c, t0(), LOCAL).await
            }));
        }
        let mut won = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(()) => won += 1,
                Err(AggregateError::AggregateConflict) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        let events = app.ledger.events_of("Case", "HS-2", 0).await.unwrap();
        assert_eq!(events.len(), 7 + won);
        assert!(won >= 1);
        assert!(hoso_ledger::verify::verify(&app.ledger)
            .await
            .unwrap()
            .is_intact());
        db.drop_db().await;
    }
);

async fn first_events(
    ctx: &mut cqrs_es::persist::EventStoreAggregateContext<Case>,
    c: CaseCommand,
) -> Vec<CaseEvent> {
    use cqrs_es::{Aggregate, AggregateContext};
    let sink = cqrs_es::event_sink::EventSink::default();
    ctx.aggregate().handle(c, &(), &sink).await.unwrap();
    sink.collect().await
}

both_backends!(
    cached_aggregates_are_brought_forward_never_used_stale,
    |db: TestDb| async move {
        // Two services on one store, as two processes would be: each keeps
        // the aggregates it last used (hoso_ledger::cached).
        let a = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        let b = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        let c = commune();
        let worker = person("cb-1", Role::CommuneWorker, c);
        let chairman = person("ct-1", Role::CommuneChairman, c);
        to_approved_plan(&a, "HS-3", &worker, &chairman).await;
        let note = |hours: i64, text: &str| {
            cmd(
                &worker,
                hours,
                CaseAction::AddNote(Note {
                    kind: NoteKind::Note,
                    text: text.into(),
                }),
            )
        };
        // A's cache holds the case at 6 events; B adds the 7th and 8th.
        b.case("HS-3", note(100, "b1"), t0(), LOCAL).await.unwrap();
        b.case("HS-3", note(101, "b2"), t0(), LOCAL).await.unwrap();
        // A is not refused (its entry is brought forward) and chains onto B's.
        a.case("HS-3", note(102, "a1"), t0(), LOCAL).await.unwrap();
        let events = a.ledger.events_of("Case", "HS-3", 0).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.sequence).collect::<Vec<_>>(),
            (1..=9).collect::<Vec<_>>()
        );
        // A stale entry would have tried sequence 7 and been refused as a
        // conflict. Now A races itself: the loser's entry is dropped, and the
        // next command after it lands.
        let (x, y) = tokio::join!(
            a.case("HS-3", note(103, "a2"), t0(), LOCAL),
            b.case("HS-3", note(103, "b3"), t0(), LOCAL)
        );
        assert!(x.is_ok() || y.is_ok(), "{x:?} {y:?}");
        a.case("HS-3", note(104, "a3"), t0(), LOCAL).await.unwrap();
        b.case("HS-3", note(105, "b4"), t0(), LOCAL).await.unwrap();
        let n = a.ledger.events_of("Case", "HS-3", 0).await.unwrap().len();
        assert_eq!(n, 9 + [&x, &y].iter().filter(|r| r.is_ok()).count() + 2);
        assert!(hoso_ledger::verify::verify(&a.ledger)
            .await
            .unwrap()
            .is_intact());
    }
);
