//! The area rule pushed into the queries: a commune officer's case list holds
//! today's commune only (not an old, pre-2025 commune with the same code), with
//! exact pages and totals; a provincial officer sees both, old records rolled up.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use chrono::{Duration, Utc};
use hoso_domain::case::{Intake, IntakeSource};
use hoso_domain::child::{Address, Registration, Sex};
use hoso_domain::common::{Actor, CommuneRef, HarmType, Role, Structure, Unit};
use hoso_domain::places;
use hoso_projections::Projection;
use hoso_service::cases::{self, ListRequest};
use hoso_service::{children, App, Me, Service};
use hoso_tests::{both_backends, TestDb};

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

/// A commune of Hà Tĩnh whose code is also a pre-2025 commune of Hà Tĩnh.
fn shared_code() -> (CommuneRef, CommuneRef) {
    let today = places::current().province(42).expect("Hà Tĩnh");
    let old = places::pre_2025().province(42).expect("old Hà Tĩnh");
    for w in &today.wards {
        for d in &old.districts {
            if d.wards.iter().any(|o| o.code == w.code) {
                let old_ref = CommuneRef {
                    structure: Structure::Pre2025,
                    province: 42,
                    district: Some(d.code),
                    commune: w.code,
                };
                return (CommuneRef::current(42, w.code), old_ref);
            }
        }
    }
    panic!("no shared commune code in Hà Tĩnh");
}

fn intake(child_id: &str, commune: CommuneRef) -> Intake {
    Intake {
        child_id: child_id.into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(2016, 5, 1).expect("date"),
        commune,
        source: IntakeSource::School,
        source_description: None,
        reporter: None,
        description: "Giáo viên báo tin.".into(),
        harm_types: vec![HarmType::Neglect],
        received_at: Utc::now() - Duration::hours(1),
        responsible_worker: None,
    }
}

both_backends!(
    commune_lists_have_exact_pages_and_totals,
    |db: TestDb| async move {
        let svc = Service::new(App::open_with(&db.url, &db.kek_path()).await.unwrap());
        let (today, old) = shared_code();
        let unit = Unit::Commune {
            province: 42,
            commune: today.commune,
        };
        let worker = me("cb-1", Role::CommuneWorker, unit);
        let hotline = me("tv-111", Role::HotlineOperator, Unit::National);
        let province = me(
            "so-42",
            Role::ProvincialManager,
            Unit::Province { province: 42 },
        );
        // Registered by the Hotline 111 operator, who then takes in every
        // intake about the child (an officer names only children they read).
        let child = children::register(
            &svc,
            &hotline,
            Registration {
                full_name: "Nguyễn Văn An".into(),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(2016, 5, 1).unwrap(),
                sex: Sex::Male,
                ethnicity: "Kinh".into(),
                personal_id: None,
                address: Address {
                    commune: today,
                    detail: String::new(),
                },
                household_status: Default::default(),
            },
        )
        .await
        .unwrap();
        for _ in 0..15 {
            cases::intake(&svc, &hotline, intake(&child, today))
                .await
                .unwrap();
        }
        for _ in 0..12 {
            cases::intake(&svc, &hotline, intake(&child, old))
                .await
                .unwrap();
        }
        hoso_service::refresh(svc.ledger(), Projection::CaseView)
            .await
            .unwrap();
        let page = |offset| ListRequest {
            limit: Some(10),
            offset: Some(offset),
            ..ListRequest::default()
        };
        let first = cases::list(&svc, &worker, &Default::default(), &page(0))
            .await
            .unwrap();
        let second = cases::list(&svc, &worker, &Default::default(), &page(10))
            .await
            .unwrap();
        assert_eq!((first.total, first.items.len()), (15, 10));
        assert_eq!((second.total, second.items.len()), (15, 5));
        assert!(first
            .items
            .iter()
            .chain(&second.items)
            .all(|r| r.structure.as_deref() == Some("2025")));
        // Asking for the old commune's code in another structure shows nothing.
        let all = cases::list(&svc, &province, &Default::default(), &page(0))
            .await
            .unwrap();
        assert_eq!(all.total, 27);
        let counts = cases::counts(&svc, &worker).await.unwrap();
        assert_eq!(counts.iter().map(|c| c.cases).sum::<i64>(), 15);
        svc.db().close().await;
        db.drop_db().await;
    }
);
