//! Given/when/then tests of the `Officer` aggregate: one per rule, plus serde.
//!
//! One file on purpose (over 600 lines): one short given/when/then test per rule of the aggregate.

use chrono::{NaiveDate, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use super::*;

mod accounts;
mod erasure;

type Fx = TestFramework<Officer>;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, 3, 0, 0).unwrap()
}

fn actor(role: Role, unit: Unit) -> Actor {
    Actor {
        officer_id: format!("{}-1", role.as_str()),
        role,
        unit,
    }
}

fn admin() -> Actor {
    actor(Role::Admin, Unit::National)
}

fn manager(province: u32) -> Actor {
    actor(Role::ProvincialManager, Unit::Province { province })
}

/// Phường Hoàn Kiếm, Hà Nội.
const HOAN_KIEM: Unit = Unit::Commune {
    province: 1,
    commune: 70,
};
/// Phường Cửa Nam, Hà Nội.
const CUA_NAM: Unit = Unit::Commune {
    province: 1,
    commune: 73,
};
const HA_NOI: Unit = Unit::Province { province: 1 };

fn cmd(actor: Actor, when: DateTime<Utc>, action: OfficerAction) -> OfficerCommand {
    OfficerCommand {
        actor,
        at: when,
        action,
    }
}

fn register(role: Role, unit: Unit) -> OfficerCommand {
    cmd(
        admin(),
        at(2025, 8, 1),
        OfficerAction::RegisterOfficer(OfficerRegistration {
            full_name: "Trần Thị Lan".to_string(),
            role,
            unit,
            active_from: d(2025, 8, 1),
        }),
    )
}

fn registered() -> OfficerEvent {
    OfficerEvent::OfficerRegistered {
        at: at(2025, 8, 1),
        full_name: "Trần Thị Lan".to_string(),
        role: Role::CommuneWorker,
        unit: HOAN_KIEM,
        active_from: d(2025, 8, 1),
    }
}

fn changed(role: Role, unit: Unit, from: NaiveDate) -> OfficerEvent {
    OfficerEvent::AssignmentChanged {
        at: at(2025, 9, 1),
        role,
        unit,
        from,
        reason: "Quyết định điều động".to_string(),
    }
}

fn deactivated(from: NaiveDate) -> OfficerEvent {
    OfficerEvent::OfficerDeactivated {
        at: at(2025, 10, 1),
        from,
        reason: "nghỉ thai sản".to_string(),
    }
}

fn reactivated(from: NaiveDate) -> OfficerEvent {
    OfficerEvent::OfficerReactivated {
        at: at(2025, 11, 1),
        from,
    }
}

fn change(role: Role, unit: Unit, from: NaiveDate) -> OfficerCommand {
    cmd(
        admin(),
        at(2025, 12, 1),
        OfficerAction::ChangeAssignment(AssignmentChange {
            role,
            unit,
            from,
            reason: "Quyết định điều động".to_string(),
        }),
    )
}

fn deactivate(from: NaiveDate, reason: &str) -> OfficerCommand {
    cmd(
        admin(),
        at(2025, 12, 1),
        OfficerAction::Deactivate(Deactivation {
            from,
            reason: reason.to_string(),
        }),
    )
}

fn reactivate(from: NaiveDate) -> OfficerCommand {
    cmd(
        admin(),
        at(2025, 12, 1),
        OfficerAction::Reactivate(Reactivation { from }),
    )
}

fn training() -> Training {
    Training {
        date: d(2025, 11, 20),
        organiser: "Sở Y tế Hà Nội".to_string(),
        topics: vec![
            "Quy trình hỗ trợ, can thiệp".to_string(),
            "Đánh giá nguy cơ".to_string(),
        ],
        hours: Some(16),
    }
}

fn record_training(by: Actor, t: Training) -> OfficerCommand {
    cmd(by, at(2025, 12, 1), OfficerAction::RecordTraining(t))
}

fn trained() -> OfficerEvent {
    let t = training();
    OfficerEvent::TrainingRecorded {
        at: at(2025, 12, 1),
        date: t.date,
        organiser: t.organiser,
        topics: t.topics,
        hours: t.hours,
    }
}

// --- registration -----------------------------------------------------------

#[test]
fn admin_registers_an_officer() {
    Fx::with(())
        .given_no_previous_events()
        .when(register(Role::CommuneWorker, HOAN_KIEM))
        .then_expect_events(vec![registered()]);
}

#[test]
fn only_an_admin_registers() {
    for a in [
        manager(1),
        actor(Role::CommuneChairman, HOAN_KIEM),
        actor(Role::CommuneWorker, HOAN_KIEM),
        actor(Role::Inspector, Unit::National),
        actor(Role::HotlineOperator, Unit::National),
        actor(Role::Collaborator, HOAN_KIEM),
    ] {
        let role = a.role;
        let mut c = register(Role::CommuneWorker, HOAN_KIEM);
        c.actor = a;
        Fx::with(())
            .given_no_previous_events()
            .when(c)
            .then_expect_error(OfficerError::NotAuthorised {
                role,
                action: "register an officer",
            });
    }
}

#[test]
fn an_officer_is_registered_once() {
    Fx::with(())
        .given(vec![registered()])
        .when(register(Role::CommuneWorker, HOAN_KIEM))
        .then_expect_error(OfficerError::AlreadyRegistered);
}

#[test]
fn registration_needs_a_name() {
    let mut c = register(Role::CommuneWorker, HOAN_KIEM);
    if let OfficerAction::RegisterOfficer(r) = &mut c.action {
        r.full_name = " ".to_string();
    }
    Fx::with(())
        .given_no_previous_events()
        .when(c)
        .then_expect_error(OfficerError::MissingField("full_name"));
}

#[test]
fn every_role_registers_with_its_unit_level() {
    for (role, unit) in [
        (Role::Collaborator, HOAN_KIEM),
        (Role::CommuneWorker, HOAN_KIEM),
        (Role::CommuneChairman, CUA_NAM),
        (Role::ProvincialManager, HA_NOI),
        (Role::Inspector, HA_NOI),
        (Role::Inspector, Unit::National),
        (Role::HotlineOperator, Unit::National),
        (Role::Admin, Unit::National),
    ] {
        assert_eq!(check_assignment(role, unit), Ok(()), "{role:?} {unit:?}");
        assert!(Fx::with(())
            .given_no_previous_events()
            .when(register(role, unit))
            .inspect_result()
            .is_ok());
    }
}

#[test]
fn roles_refuse_units_of_the_wrong_level() {
    let cases = [
        (Role::CommuneWorker, HA_NOI, "commune"),
        (Role::CommuneChairman, Unit::National, "commune"),
        (Role::Collaborator, HA_NOI, "commune"),
        (Role::ProvincialManager, HOAN_KIEM, "province"),
        (Role::ProvincialManager, Unit::National, "province"),
        (Role::Inspector, HOAN_KIEM, "province or national"),
        (Role::HotlineOperator, HA_NOI, "national"),
        (Role::Admin, HOAN_KIEM, "national"),
    ];
    for (role, unit, needs) in cases {
        Fx::with(())
            .given_no_previous_events()
            .when(register(role, unit))
            .then_expect_error(OfficerError::WrongUnitLevel { role, unit, needs });
    }
}

#[test]
fn units_must_exist_in_the_2025_structure() {
    // Commune 70 is in province 1, not 42; province 2 no longer exists.
    Fx::with(())
        .given_no_previous_events()
        .when(register(
            Role::CommuneWorker,
            Unit::Commune {
                province: 42,
                commune: 70,
            },
        ))
        .then_expect_error(OfficerError::UnknownCommune {
            province: 42,
            commune: 70,
        });
    Fx::with(())
        .given_no_previous_events()
        .when(register(
            Role::CommuneWorker,
            Unit::Commune {
                province: 1,
                commune: 999_999,
            },
        ))
        .then_expect_error(OfficerError::UnknownCommune {
            province: 1,
            commune: 999_999,
        });
    for role in [Role::ProvincialManager, Role::Inspector] {
        Fx::with(())
            .given_no_previous_events()
            .when(register(role, Unit::Province { province: 2 }))
            .then_expect_error(OfficerError::UnknownProvince(2));
    }
}

// --- assignment -----------------------------------------------------------------

#[test]
fn admin_changes_an_assignment() {
    Fx::with(())
        .given(vec![registered()])
        .when(change(Role::CommuneChairman, CUA_NAM, d(2025, 12, 1)))
        .then_expect_events(vec![OfficerEvent::AssignmentChanged {
            at: at(2025, 12, 1),
            role: Role::CommuneChairman,
            unit: CUA_NAM,
            from: d(2025, 12, 1),
            reason: "Quyết định điều động".to_string(),
        }]);
}

#[test]
fn only_an_admin_changes_assignments() {
    let mut c = change(Role::CommuneChairman, HOAN_KIEM, d(2025, 12, 1));
    c.actor = manager(1);
    Fx::with(())
        .given(vec![registered()])
        .when(c)
        .then_expect_error(OfficerError::NotAuthorised {
            role: Role::ProvincialManager,
            action: "change an officer's assignment",
        });
}

#[test]
fn assignment_change_is_validated() {
    Fx::with(())
        .given(vec![registered()])
        .when(change(Role::ProvincialManager, HOAN_KIEM, d(2025, 12, 1)))
        .then_expect_error(OfficerError::WrongUnitLevel {
            role: Role::ProvincialManager,
            unit: HOAN_KIEM,
            needs: "province",
        });
    Fx::with(())
        .given(vec![registered()])
        .when(change(Role::CommuneWorker, HOAN_KIEM, d(2025, 12, 1)))
        .then_expect_error(OfficerError::SameAssignment);
    let mut c = change(Role::CommuneChairman, HOAN_KIEM, d(2025, 12, 1));
    if let OfficerAction::ChangeAssignment(a) = &mut c.action {
        a.reason = String::new();
    }
    Fx::with(())
        .given(vec![registered()])
        .when(c)
        .then_expect_error(OfficerError::MissingField("reason"));
}

#[test]
fn changes_do_not_go_back_in_time() {
    Fx::with(())
        .given(vec![registered()])
        .when(change(Role::CommuneChairman, HOAN_KIEM, d(2025, 7, 31)))
        .then_expect_error(OfficerError::DateBeforeLastChange {
            from: d(2025, 7, 31),
            last: d(2025, 8, 1),
        });
    Fx::with(())
        .given(vec![
            registered(),
            changed(Role::CommuneChairman, HOAN_KIEM, d(2025, 9, 15)),
        ])
        .when(deactivate(d(2025, 9, 14), "nghỉ hưu"))
        .then_expect_error(OfficerError::DateBeforeLastChange {
            from: d(2025, 9, 14),
            last: d(2025, 9, 15),
        });
    // The same day as the last change is allowed.
    assert!(Fx::with(())
        .given(vec![registered()])
        .when(change(Role::CommuneChairman, HOAN_KIEM, d(2025, 8, 1)))
        .inspect_result()
        .is_ok());
}

#[test]
fn action_time_does_not_go_backwards() {
    let mut c = change(Role::CommuneChairman, HOAN_KIEM, d(2025, 9, 1));
    c.at = at(2025, 7, 1);
    Fx::with(())
        .given(vec![registered()])
        .when(c)
        .then_expect_error(OfficerError::BeforeLastEvent {
            last: at(2025, 8, 1),
        });
}

#[test]
fn commands_need_a_registered_officer() {
    for c in [
        change(Role::CommuneChairman, HOAN_KIEM, d(2025, 9, 1)),
        deactivate(d(2025, 9, 1), "x"),
        reactivate(d(2025, 9, 1)),
        record_training(admin(), training()),
    ] {
        Fx::with(())
            .given_no_previous_events()
            .when(c)
            .then_expect_error(OfficerError::NotRegistered);
    }
}

// --- activity ---------------------------------------------------------------------

#[test]
fn admin_deactivates_and_reactivates() {
    Fx::with(())
        .given(vec![registered()])
        .when(deactivate(d(2025, 10, 1), " nghỉ thai sản "))
        .then_expect_events(vec![OfficerEvent::OfficerDeactivated {
            at: at(2025, 12, 1),
            from: d(2025, 10, 1),
            reason: "nghỉ thai sản".to_string(),
        }]);
    Fx::with(())
        .given(vec![registered(), deactivated(d(2025, 10, 1))])
        .when(reactivate(d(2026, 4, 1)))
        .then_expect_events(vec![OfficerEvent::OfficerReactivated {
            at: at(2025, 12, 1),
            from: d(2026, 4, 1),
        }]);
}

#[test]
fn deactivation_needs_a_reason_and_an_admin() {
    Fx::with(())
        .given(vec![registered()])
        .when(deactivate(d(2025, 10, 1), ""))
        .then_expect_error(OfficerError::MissingField("reason"));
    let mut c = deactivate(d(2025, 10, 1), "x");
    c.actor = actor(Role::CommuneChairman, HOAN_KIEM);
    Fx::with(())
        .given(vec![registered()])
        .when(c)
        .then_expect_error(OfficerError::NotAuthorised {
            role: Role::CommuneChairman,
            action: "deactivate an officer",
        });
    let mut c = reactivate(d(2025, 10, 1));
    c.actor = manager(1);
    Fx::with(())
        .given(vec![registered(), deactivated(d(2025, 10, 1))])
        .when(c)
        .then_expect_error(OfficerError::NotAuthorised {
            role: Role::ProvincialManager,
            action: "reactivate an officer",
        });
}

#[test]
fn a_deactivated_officer_can_only_be_reactivated() {
    let history = vec![registered(), deactivated(d(2025, 10, 1))];
    for c in [
        change(Role::CommuneChairman, HOAN_KIEM, d(2025, 11, 1)),
        deactivate(d(2025, 11, 1), "x"),
        record_training(admin(), training()),
        record_training(manager(1), training()),
    ] {
        Fx::with(())
            .given(history.clone())
            .when(c)
            .then_expect_error(OfficerError::Deactivated);
    }
}

#[test]
fn only_a_deactivated_officer_is_reactivated() {
    Fx::with(())
        .given(vec![registered()])
        .when(reactivate(d(2025, 10, 1)))
        .then_expect_error(OfficerError::NotDeactivated);
    Fx::with(())
        .given(vec![registered(), deactivated(d(2025, 10, 1))])
        .when(reactivate(d(2025, 9, 30)))
        .then_expect_error(OfficerError::DateBeforeLastChange {
            from: d(2025, 9, 30),
            last: d(2025, 10, 1),
        });
    // After reactivation, changes may not start before it.
    Fx::with(())
        .given(vec![
            registered(),
            deactivated(d(2025, 10, 1)),
            reactivated(d(2025, 11, 1)),
        ])
        .when(change(Role::CommuneChairman, HOAN_KIEM, d(2025, 10, 15)))
        .then_expect_error(OfficerError::DateBeforeLastChange {
            from: d(2025, 10, 15),
            last: d(2025, 11, 1),
        });
}

// --- trainings -------------------------------------------------------------------

#[test]
fn admin_or_provincial_manager_records_a_training() {
    for by in [admin(), manager(1)] {
        Fx::with(())
            .given(vec![registered()])
            .when(record_training(by, training()))
            .then_expect_events(vec![trained()]);
    }
}

#[test]
fn a_manager_of_another_province_may_not_record_trainings() {
    Fx::with(())
        .given(vec![registered()])
        .when(record_training(manager(4), training()))
        .then_expect_error(OfficerError::OutsideUnit {
            unit: Unit::Province { province: 4 },
            officer_unit: HOAN_KIEM,
        });
    // National officers belong to no province.
    let hotline = OfficerEvent::OfficerRegistered {
        at: at(2025, 8, 1),
        full_name: "Lê Văn Minh".to_string(),
        role: Role::HotlineOperator,
        unit: Unit::National,
        active_from: d(2025, 8, 1),
    };
    Fx::with(())
        .given(vec![hotline])
        .when(record_training(manager(1), training()))
        .then_expect_error(OfficerError::OutsideUnit {
            unit: HA_NOI,
            officer_unit: Unit::National,
        });
}

#[test]
fn other_roles_may_not_record_trainings() {
    for a in [
        actor(Role::CommuneChairman, HOAN_KIEM),
        actor(Role::CommuneWorker, HOAN_KIEM),
        actor(Role::Inspector, HA_NOI),
        actor(Role::HotlineOperator, Unit::National),
    ] {
        let role = a.role;
        Fx::with(())
            .given(vec![registered()])
            .when(record_training(a, training()))
            .then_expect_error(OfficerError::NotAuthorised {
                role,
                action: "record a training",
            });
    }
}

#[test]
fn a_training_is_validated() {
    let mut t = training();
    t.organiser = " ".to_string();
    Fx::with(())
        .given(vec![registered()])
        .when(record_training(admin(), t))
        .then_expect_error(OfficerError::MissingField("organiser"));
    let mut t = training();
    t.topics = vec![];
    Fx::with(())
        .given(vec![registered()])
        .when(record_training(admin(), t))
        .then_expect_error(OfficerError::MissingField("topics"));
    let mut t = training();
    t.topics.push("  ".to_string());
    Fx::with(())
        .given(vec![registered()])
        .when(record_training(admin(), t))
        .then_expect_error(OfficerError::MissingField("topics"));
    let mut t = training();
    t.hours = Some(0);
    Fx::with(())
        .given(vec![registered()])
        .when(record_training(admin(), t))
        .then_expect_error(OfficerError::ZeroHours);
    let mut t = training();
    t.date = d(2025, 12, 2);
    Fx::with(())
        .given(vec![registered()])
        .when(record_training(admin(), t))
        .then_expect_error(OfficerError::TrainingInFuture);
    let mut t = training();
    t.hours = None;
    assert!(Fx::with(())
        .given(vec![registered()])
        .when(record_training(admin(), t))
        .inspect_result()
        .is_ok());
}

// --- state ----------------------------------------------------------------------

fn state(events: Vec<OfficerEvent>) -> Officer {
    let mut o = Officer::default();
    for e in events {
        o.apply(e);
    }
    o
}

#[test]
fn assignments_over_time() {
    let o = state(vec![
        registered(),
        changed(Role::CommuneChairman, CUA_NAM, d(2025, 9, 15)),
        deactivated(d(2025, 10, 1)),
        reactivated(d(2025, 11, 1)),
        changed(Role::ProvincialManager, HA_NOI, d(2026, 1, 1)),
        trained(),
    ]);
    assert_eq!(o.assignment_on(d(2025, 7, 31)), None);
    assert_eq!(
        o.assignment_on(d(2025, 8, 1)),
        Some((Role::CommuneWorker, HOAN_KIEM))
    );
    assert_eq!(
        o.assignment_on(d(2025, 9, 14)),
        Some((Role::CommuneWorker, HOAN_KIEM))
    );
    assert_eq!(
        o.assignment_on(d(2025, 9, 15)),
        Some((Role::CommuneChairman, CUA_NAM))
    );
    assert_eq!(o.assignment_on(d(2025, 10, 1)), None);
    assert_eq!(o.assignment_on(d(2025, 10, 31)), None);
    assert_eq!(
        o.assignment_on(d(2025, 11, 1)),
        Some((Role::CommuneChairman, CUA_NAM))
    );
    assert_eq!(
        o.assignment_on(d(2026, 5, 1)),
        Some((Role::ProvincialManager, HA_NOI))
    );
    assert!(o.active);
    assert_eq!(o.role(), Some(Role::ProvincialManager));
    assert_eq!(o.unit(), Some(HA_NOI));
    assert_eq!(o.assignments.len(), 3);
    assert_eq!(o.assignments[0].to, Some(d(2025, 9, 15)));
    assert_eq!(o.inactive_periods[0].to, Some(d(2025, 11, 1)));
    assert_eq!(o.last_change(), Some(d(2026, 1, 1)));
    assert_eq!(o.trainings_between(d(2025, 1, 1), d(2025, 12, 31)).len(), 1);
    assert!(o
        .trainings_between(d(2025, 11, 21), d(2025, 12, 31))
        .is_empty());
    assert!(!o.is_active_on(d(2025, 10, 15)));
    assert!(o.is_active_on(d(2025, 8, 1)));
}

#[test]
fn a_deactivated_officer_has_no_assignment() {
    let o = state(vec![registered(), deactivated(d(2025, 10, 1))]);
    assert!(!o.active);
    assert_eq!(o.assignment_on(d(2030, 1, 1)), None);
    assert_eq!(
        o.assignment_on(d(2025, 9, 30)),
        Some((Role::CommuneWorker, HOAN_KIEM))
    );
    assert_eq!(o.last_change(), Some(d(2025, 10, 1)));
}

// --- serde ----------------------------------------------------------------------

#[test]
fn every_event_round_trips_through_json() {
    let events = vec![
        registered(),
        changed(Role::Inspector, Unit::National, d(2025, 9, 1)),
        deactivated(d(2025, 10, 1)),
        reactivated(d(2025, 11, 1)),
        trained(),
    ];
    let mut types = Vec::new();
    for e in events {
        let json = serde_json::to_value(&e).unwrap();
        let back: OfficerEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        assert_eq!(e.event_version(), "1");
        types.push(e.event_type());
    }
    assert_eq!(
        types,
        vec![
            "OfficerRegistered",
            "AssignmentChanged",
            "OfficerDeactivated",
            "OfficerReactivated",
            "TrainingRecorded"
        ]
    );
    let json = serde_json::to_value(trained()).unwrap();
    assert_eq!(json["type"], "training_recorded");
    assert_eq!(json["hours"], 16);
}

#[test]
fn commands_parse_from_json_and_refuse_unknown_fields() {
    let json = r#"{
        "actor": {"officer_id": "admin-1", "role": "admin", "unit": {"level": "national"}},
        "at": "2025-12-01T03:00:00Z",
        "action": {"type": "change_assignment", "role": "commune_chairman",
                   "unit": {"level": "commune", "province": 1, "commune": 73},
                   "from": "2025-12-01", "reason": "Quyết định điều động"}
    }"#;
    let c: OfficerCommand = serde_json::from_str(json).unwrap();
    assert_eq!(c, change(Role::CommuneChairman, CUA_NAM, d(2025, 12, 1)));
    let round: OfficerCommand = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
    assert_eq!(round, c);
    let bad = json.replace("\"reason\"", "\"until\": \"2026-01-01\", \"reason\"");
    assert!(serde_json::from_str::<OfficerCommand>(&bad).is_err());
}
