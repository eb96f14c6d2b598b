//! Need-to-know (docs/access.md): one test per row of the table, on both
//! backends, through the service functions that the API and the pages call.
//!
//! Places: communes A and B of Hà Tĩnh (42), commune L of Lạng Sơn (20).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use chrono::{Duration, NaiveDate, Utc};
use hoso_domain::case::{CaseAction, CaseLink, CaseRelation, Intake, IntakeSource, Reporter};
use hoso_domain::child::{Address, Registration, Sex};
use hoso_domain::common::{Actor, CommuneRef, HarmType, Role, Unit};
use hoso_domain::officer::{AssignmentChange, OfficerAction};
use hoso_domain::places;
use hoso_projections::Projection;
use hoso_service::access::{AccessQuery, ReadContext};
use hoso_service::cases::{self, ListRequest};
use hoso_service::export::{for_officer, ExportRequest};
use hoso_service::officers::{self, NewOfficer};
use hoso_service::{children, stats, App, Error, Me, Service};
use hoso_tests::{both_backends, TestDb};

struct Places {
    a: CommuneRef,
    b: CommuneRef,
    l: CommuneRef,
}

fn places() -> Places {
    let ht = places::current().province(42).expect("Hà Tĩnh");
    let ls = places::current().province(20).expect("Lạng Sơn");
    Places {
        a: CommuneRef::current(42, ht.wards[0].code),
        b: CommuneRef::current(42, ht.wards[1].code),
        l: CommuneRef::current(20, ls.wards[0].code),
    }
}

fn commune(c: &CommuneRef) -> Unit {
    Unit::Commune {
        province: c.province,
        commune: c.commune,
    }
}

fn me(id: &str, role: Role, unit: Unit) -> Me {
    Me::local(
        Actor {
            officer_id: id.into(),
            role,
            unit,
        },
        id.into(),
    )
}

fn any_stats() -> hoso_projections::read::StatsQuery {
    hoso_projections::read::StatsQuery {
        metric: None,
        province: None,
        commune: None,
        structure: None,
        district: None,
        period: hoso_projections::read::PeriodKind::Month,
        from: None,
        to: None,
        by_commune: false,
    }
}

fn no_reason() -> ReadContext {
    ReadContext::default()
}

fn reason() -> ReadContext {
    ReadContext {
        reason: Some("Thanh tra theo Quyết định 12/QĐ-TTr".into()),
        ..ReadContext::default()
    }
}

fn registration(name: &str, c: &CommuneRef) -> Registration {
    Registration {
        full_name: name.into(),
        date_of_birth: NaiveDate::from_ymd_opt(2016, 5, 1).unwrap(),
        sex: Sex::Female,
        ethnicity: "Kinh".into(),
        personal_id: None,
        address: Address {
            commune: *c,
            detail: "Thôn 3".into(),
        },
        household_status: Default::default(),
    }
}

fn intake(child_id: &str, c: &CommuneRef) -> Intake {
    Intake {
        child_id: child_id.into(),
        date_of_birth: NaiveDate::from_ymd_opt(2016, 5, 1).unwrap(),
        commune: *c,
        source: IntakeSource::NeighbourOrRelative,
        source_description: None,
        reporter: Some(Reporter {
            name: "Trần Thị Báo".into(),
            phone: Some("0912345678".into()),
            relation: "hàng xóm".into(),
        }),
        description: "Hàng xóm báo tin.".into(),
        harm_types: vec![HarmType::Violence],
        received_at: Utc::now() - Duration::hours(1),
        responsible_worker: None,
    }
}

/// Everyone of the table, and one case in each commune (A's by its worker,
/// L's by a Hotline 111 operator for a child the operator registered).
struct World {
    svc: Service,
    p: Places,
    worker_a: Me,
    chairman_a: Me,
    collaborator_a: Me,
    worker_b: Me,
    hotline: Me,
    hotline_2: Me,
    manager_42: Me,
    inspector_42: Me,
    inspector_vn: Me,
    admin: Me,
    child_a: String,
    child_l: String,
    case_a: String,
    case_l: String,
}

async fn world(db: &TestDb) -> World {
    let svc = Service::new(App::open_with(&db.url, &db.kek_path()).await.unwrap());
    let p = places();
    let worker_a = me("cb-a", Role::CommuneWorker, commune(&p.a));
    let hotline = me("tv-1", Role::HotlineOperator, Unit::National);
    let child_a = children::register(&svc, &worker_a, registration("Lê Thị A", &p.a))
        .await
        .unwrap();
    let case_a = cases::intake(&svc, &worker_a, intake(&child_a, &p.a))
        .await
        .unwrap()
        .case_id;
    let child_l = children::register(&svc, &hotline, registration("Hoàng Văn L", &p.l))
        .await
        .unwrap();
    let case_l = cases::intake(&svc, &hotline, intake(&child_l, &p.l))
        .await
        .unwrap()
        .case_id;
    World {
        chairman_a: me("ct-a", Role::CommuneChairman, commune(&p.a)),
        collaborator_a: me("ctv-a", Role::Collaborator, commune(&p.a)),
        worker_b: me("cb-b", Role::CommuneWorker, commune(&p.b)),
        hotline_2: me("tv-2", Role::HotlineOperator, Unit::National),
        manager_42: me(
            "so-42",
            Role::ProvincialManager,
            Unit::Province { province: 42 },
        ),
        inspector_42: me("tt-42", Role::Inspector, Unit::Province { province: 42 }),
        inspector_vn: me("tt-vn", Role::Inspector, Unit::National),
        admin: me("qt-1", Role::Admin, Unit::National),
        svc,
        p,
        worker_a,
        hotline,
        child_a,
        child_l,
        case_a,
        case_l,
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, Error>) {
    assert!(matches!(r, Err(Error::NotFound(_))), "{r:?}");
}

fn invalid<T: std::fmt::Debug>(r: Result<T, Error>, field: &str) {
    match r {
        Err(Error::Invalid { errors, .. }) => assert_eq!(errors[0].field, field),
        other => panic!("expected 422 on {field}: {other:?}"),
    }
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, Error>) {
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
}

/// Whether the intake in a timeline shows who reported.
async fn sees_reporter(w: &World, who: &Me, ctx: &ReadContext, case: &str) -> bool {
    let t = cases::timeline(&w.svc, who, ctx, case, None).await.unwrap();
    let intake = &t.timeline[0];
    assert_eq!(intake.event_type, "IntakeRecorded");
    let shown = intake.payload.contains("Trần Thị Báo") || intake.payload.contains("0912345678");
    assert_eq!(shown, intake.withheld.is_empty(), "{intake:?}");
    shown
}

async fn list_total(w: &World, who: &Me, ctx: &ReadContext) -> i64 {
    cases::list_fresh(&w.svc, who, ctx, &ListRequest::default())
        .await
        .unwrap()
        .total
}

async fn done(w: World, db: TestDb) {
    w.svc.db().close().await;
    db.drop_db().await;
}

both_backends!(
    collaborator_reads_the_commune_without_the_reporter,
    |db: TestDb| async move {
        let w = world(&db).await;
        let c = &w.collaborator_a;
        assert!(!sees_reporter(&w, c, &no_reason(), &w.case_a).await);
        assert_eq!(list_total(&w, c, &no_reason()).await, 1);
        children::view(&w.svc, c, &no_reason(), &w.child_a)
            .await
            .unwrap();
        not_found(cases::view(&w.svc, c, &no_reason(), &w.case_l).await);
        not_found(children::view(&w.svc, c, &no_reason(), &w.child_l).await);
        forbidden(stats::query_fresh(&w.svc, c, any_stats()).await);
        forbidden(
            hoso_service::access::list(&w.svc, c, &no_reason(), AccessQuery::default()).await,
        );
        done(w, db).await;
    }
);

both_backends!(
    commune_worker_and_chairman_read_the_reporter,
    |db: TestDb| async move {
        let w = world(&db).await;
        assert!(sees_reporter(&w, &w.worker_a, &no_reason(), &w.case_a).await);
        assert!(sees_reporter(&w, &w.chairman_a, &no_reason(), &w.case_a).await);
        // Another commune of the same province: nothing.
        not_found(cases::view(&w.svc, &w.worker_b, &no_reason(), &w.case_a).await);
        assert_eq!(list_total(&w, &w.worker_b, &no_reason()).await, 0);
        stats::query_fresh(&w.svc, &w.worker_a, any_stats())
            .await
            .unwrap();
        done(w, db).await;
    }
);

both_backends!(
    a_reference_to_another_areas_record_is_refused,
    |db: TestDb| async move {
        let w = world(&db).await;
        // The Hà Tĩnh worker names the Lạng Sơn child in an intake.
        invalid(
            cases::intake(&w.svc, &w.worker_a, intake(&w.child_l, &w.p.a)).await,
            "child_id",
        );
        // ... or links the Lạng Sơn case.
        let link = CaseAction::LinkCase(CaseLink {
            other_case_id: w.case_l.clone(),
            relation: CaseRelation::Sibling,
        });
        invalid(
            cases::act(&w.svc, &w.worker_a, &w.case_a, link).await,
            "other_case_id",
        );
        // ... or makes an unknown officer responsible.
        let mut i = intake(&w.child_a, &w.p.a);
        i.responsible_worker = Some("cb-l".into());
        invalid(
            cases::intake(&w.svc, &w.worker_a, i).await,
            "responsible_worker",
        );
        done(w, db).await;
    }
);

both_backends!(
    hotline_reads_only_the_cases_it_took_in,
    |db: TestDb| async move {
        let w = world(&db).await;
        // Its own intake, in any province, without the reporter.
        assert!(!sees_reporter(&w, &w.hotline, &no_reason(), &w.case_l).await);
        children::view(&w.svc, &w.hotline, &no_reason(), &w.child_l)
            .await
            .unwrap();
        assert_eq!(list_total(&w, &w.hotline, &no_reason()).await, 1);
        // Not the commune's case, not its child, not another operator's intake.
        not_found(cases::view(&w.svc, &w.hotline, &no_reason(), &w.case_a).await);
        not_found(children::view(&w.svc, &w.hotline, &no_reason(), &w.child_a).await);
        invalid(
            cases::intake(&w.svc, &w.hotline, intake(&w.child_a, &w.p.a)).await,
            "child_id",
        );
        not_found(cases::view(&w.svc, &w.hotline_2, &no_reason(), &w.case_l).await);
        assert_eq!(list_total(&w, &w.hotline_2, &no_reason()).await, 0);
        forbidden(stats::query_fresh(&w.svc, &w.hotline, any_stats()).await);
        done(w, db).await;
    }
);

both_backends!(
    provincial_manager_reads_the_province_without_the_reporter,
    |db: TestDb| async move {
        let w = world(&db).await;
        let m = &w.manager_42;
        assert!(!sees_reporter(&w, m, &no_reason(), &w.case_a).await);
        assert_eq!(list_total(&w, m, &no_reason()).await, 1);
        not_found(cases::view(&w.svc, m, &no_reason(), &w.case_l).await);
        not_found(children::view(&w.svc, m, &no_reason(), &w.child_l).await);
        stats::query_fresh(&w.svc, m, any_stats()).await.unwrap();
        forbidden(
            hoso_service::access::list(&w.svc, m, &no_reason(), AccessQuery::default()).await,
        );
        done(w, db).await;
    }
);

both_backends!(
    inspector_reads_the_area_with_a_reason,
    |db: TestDb| async move {
        let w = world(&db).await;
        let i = &w.inspector_42;
        invalid(
            cases::view(&w.svc, i, &no_reason(), &w.case_a).await,
            "reason",
        );
        invalid(
            cases::timeline(&w.svc, i, &no_reason(), &w.case_a, None).await,
            "reason",
        );
        invalid(
            cases::list_fresh(&w.svc, i, &no_reason(), &ListRequest::default()).await,
            "reason",
        );
        invalid(
            children::view(&w.svc, i, &no_reason(), &w.child_a).await,
            "reason",
        );
        assert!(!sees_reporter(&w, i, &reason(), &w.case_a).await);
        assert_eq!(list_total(&w, i, &reason()).await, 1);
        not_found(cases::view(&w.svc, i, &reason(), &w.case_l).await);
        // The access log: reads of the province's records, whoever made them
        // (the worker's, not the Hotline 111 operator's read of the Lạng Sơn case).
        cases::view(&w.svc, &w.worker_a, &no_reason(), &w.case_a)
            .await
            .unwrap();
        cases::view(&w.svc, &w.hotline, &no_reason(), &w.case_l)
            .await
            .unwrap();
        invalid(
            hoso_service::access::list(&w.svc, i, &no_reason(), AccessQuery::default()).await,
            "reason",
        );
        let log = hoso_service::access::list(&w.svc, i, &reason(), AccessQuery::default())
            .await
            .unwrap();
        assert!(log
            .iter()
            .any(|r| r.subject_id == w.case_a && r.officer_id == "cb-a"));
        assert!(log.iter().all(|r| r.subject_id != w.case_l), "{log:?}");
        // Lists are logged with what was asked and how many matched.
        assert!(log
            .iter()
            .any(|r| r.what == "case_list" && r.officer_id == "tt-42" && r.results == Some(1)));
        // The national inspector reads both.
        assert_eq!(list_total(&w, &w.inspector_vn, &reason()).await, 2);
        done(w, db).await;
    }
);

both_backends!(admin_reads_no_case_content, |db: TestDb| async move {
    let w = world(&db).await;
    let a = &w.admin;
    not_found(cases::view(&w.svc, a, &no_reason(), &w.case_a).await);
    not_found(cases::timeline(&w.svc, a, &no_reason(), &w.case_l, None).await);
    not_found(children::view(&w.svc, a, &no_reason(), &w.child_a).await);
    assert_eq!(list_total(&w, a, &no_reason()).await, 0);
    forbidden(stats::query_fresh(&w.svc, a, any_stats()).await);
    forbidden(hoso_service::access::list(&w.svc, a, &no_reason(), AccessQuery::default()).await);
    let dir = tempfile::tempdir().unwrap();
    forbidden(
        for_officer(
            &w.svc,
            a,
            &reason(),
            &ExportRequest::default(),
            &dir.path().join("x"),
        )
        .await,
    );
    done(w, db).await;
});

both_backends!(
    a_transferred_officers_history_stays_in_each_area,
    |db: TestDb| async move {
        let w = world(&db).await;
        let admin = &w.admin;
        // A Lạng Sơn worker records on the Lạng Sơn case, then moves to Hà Tĩnh.
        let worker_l = me("cb-l", Role::CommuneWorker, commune(&w.p.l));
        for (id, role, unit) in [
            ("cb-l", Role::CommuneWorker, commune(&w.p.l)),
            ("tt-42", Role::Inspector, Unit::Province { province: 42 }),
        ] {
            officers::create(
                &w.svc,
                &admin.actor,
                NewOfficer {
                    id: Some(id.into()),
                    full_name: id.into(),
                    role,
                    unit,
                    active_from: Some(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()),
                    password: None,
                },
            )
            .await
            .unwrap();
        }
        let note = CaseAction::AddNote(hoso_domain::case::Note {
            kind: hoso_domain::case::NoteKind::FollowUpVisit,
            text: "Thăm gia đình".into(),
        });
        cases::act(&w.svc, &worker_l, &w.case_l, note.clone())
            .await
            .unwrap();
        let today = hoso_domain::calendar::local_date(Utc::now());
        officers::act(
            &w.svc,
            admin,
            "cb-l",
            OfficerAction::ChangeAssignment(AssignmentChange {
                role: Role::CommuneWorker,
                unit: commune(&w.p.a),
                from: today,
                reason: "Quyết định điều động".into(),
            }),
        )
        .await
        .unwrap();
        let moved = me("cb-l", Role::CommuneWorker, commune(&w.p.a));
        cases::act(&w.svc, &moved, &w.case_a, note).await.unwrap();
        for p in [Projection::CaseView, Projection::OfficerHistory] {
            hoso_service::refresh(w.svc.ledger(), p).await.unwrap();
        }
        let h = officers::history(&w.svc, &w.inspector_42, &reason(), "cb-l", None, None)
            .await
            .unwrap();
        assert!(h.events.iter().any(|e| e.aggregate_id == w.case_a));
        assert!(
            h.events.iter().all(|e| e.aggregate_id != w.case_l),
            "{:?}",
            h.events
        );
        assert_eq!(h.cases_handled, 1);
        // The export of the officer by the Hà Tĩnh inspector: Hà Tĩnh's records only.
        let dir = tempfile::tempdir().unwrap();
        let signer =
            hoso_ledger::checkpoint::Signer::load_or_generate(&dir.path().join("signing.key"))
                .unwrap();
        let svc = w.svc.clone().with_signer(signer);
        let out = dir.path().join("bundle");
        let req = ExportRequest {
            officer: Some("cb-l".into()),
            ..ExportRequest::default()
        };
        for_officer(&svc, &w.inspector_42, &reason(), &req, &out)
            .await
            .unwrap();
        let events = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
        assert!(events.contains(&w.case_a));
        assert!(!events.contains(&w.case_l), "{events}");
        let history = std::fs::read_to_string(out.join("officer-history.csv")).unwrap();
        assert!(!history.contains(&w.case_l), "{history}");
        done(w, db).await;
    }
);
