//! Given/when/then tests of the `Child` aggregate: one per rule, plus serde.
//!
//! One file on purpose (over 600 lines): one short given/when/then test per rule of the aggregate, read top to bottom like the rule list in SPEC.md.

use chrono::{NaiveDate, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};

use super::*;
use crate::common::Structure;

mod erasure;

type Fx = TestFramework<Child>;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// 10:00 local time (03:00 UTC) on that day.
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

/// Phường Hoàn Kiếm, Hà Nội.
fn hoan_kiem() -> CommuneRef {
    CommuneRef::current(1, 70)
}

/// Phường Cửa Nam, Hà Nội.
fn cua_nam() -> CommuneRef {
    CommuneRef::current(1, 73)
}

fn in_commune(role: Role, c: CommuneRef) -> Actor {
    actor(role, c.as_unit().unwrap())
}

fn worker() -> Actor {
    in_commune(Role::CommuneWorker, hoan_kiem())
}

fn cmd(actor: Actor, when: DateTime<Utc>, action: ChildAction) -> ChildCommand {
    ChildCommand {
        actor,
        at: when,
        action,
    }
}

fn registration() -> Registration {
    Registration {
        full_name: "Nguyễn Văn An".to_string(),
        date_of_birth: d(2015, 6, 1),
        sex: Sex::Male,
        ethnicity: "Kinh".to_string(),
        personal_id: Some("001215012345".to_string()),
        address: Address {
            commune: hoan_kiem(),
            detail: "Số 5 Hàng Bạc".to_string(),
        },
        household_status: HouseholdStatus::Normal,
    }
}

fn registered() -> ChildEvent {
    ChildEvent::ChildRegistered {
        at: at(2025, 9, 1),
        full_name: "Nguyễn Văn An".to_string(),
        date_of_birth: Some(d(2015, 6, 1)),
        sex: Sex::Male,
        ethnicity: "Kinh".to_string(),
        personal_id: Some("001215012345".to_string()),
        address: Address {
            commune: hoan_kiem(),
            detail: "Số 5 Hàng Bạc".to_string(),
        },
        household_status: HouseholdStatus::Normal,
    }
}

fn register(actor: Actor, r: Registration) -> ChildCommand {
    cmd(actor, at(2025, 9, 1), ChildAction::RegisterChild(r))
}

fn added(group: CircumstanceGroup, since: NaiveDate) -> ChildEvent {
    ChildEvent::SpecialCircumstanceAdded {
        at: at(2025, 9, 2),
        group,
        since,
        note: String::new(),
    }
}

fn ended(group: CircumstanceGroup, until: NaiveDate) -> ChildEvent {
    ChildEvent::SpecialCircumstanceEnded {
        at: at(2025, 9, 3),
        group,
        until,
        reason: "đã ổn định".to_string(),
    }
}

fn add(group: CircumstanceGroup, since: NaiveDate) -> ChildCommand {
    cmd(
        worker(),
        at(2025, 9, 10),
        ChildAction::AddSpecialCircumstance(CircumstanceStart {
            group,
            since,
            note: String::new(),
        }),
    )
}

fn end(group: CircumstanceGroup, until: NaiveDate, reason: &str) -> ChildCommand {
    cmd(
        worker(),
        at(2025, 9, 10),
        ChildAction::EndSpecialCircumstance(CircumstanceEnd {
            group,
            until,
            reason: reason.to_string(),
        }),
    )
}

fn update(u: DetailsUpdate) -> ChildCommand {
    cmd(
        worker(),
        at(2025, 9, 10),
        ChildAction::UpdateChildDetails(u),
    )
}

// --- registration -----------------------------------------------------------

#[test]
fn commune_worker_registers_a_child() {
    Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), registration()))
        .then_expect_events(vec![registered()]);
}

#[test]
fn chairman_collaborator_and_hotline_may_register() {
    for a in [
        in_commune(Role::CommuneChairman, hoan_kiem()),
        in_commune(Role::Collaborator, hoan_kiem()),
        actor(Role::HotlineOperator, Unit::National),
    ] {
        Fx::with(())
            .given_no_previous_events()
            .when(register(a, registration()))
            .then_expect_events(vec![registered()]);
    }
}

#[test]
fn registration_trims_names() {
    let mut r = registration();
    r.full_name = "  Nguyễn Văn An ".to_string();
    r.ethnicity = " Kinh".to_string();
    r.address.detail = "Số 5 Hàng Bạc  ".to_string();
    Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), r))
        .then_expect_events(vec![registered()]);
}

#[test]
fn hotline_may_register_with_pre_2025_codes() {
    let old = CommuneRef {
        structure: Structure::Pre2025,
        province: 1,
        district: Some(1),
        commune: 1,
    };
    let mut r = registration();
    r.address.commune = old;
    r.personal_id = None;
    let events = Fx::with(())
        .given_no_previous_events()
        .when(cmd(
            actor(Role::HotlineOperator, Unit::National),
            at(2025, 6, 1),
            ChildAction::RegisterChild(r),
        ))
        .inspect_result()
        .unwrap();
    assert!(
        matches!(&events[0], ChildEvent::ChildRegistered { address, personal_id: None, .. } if address.commune == old)
    );
}

#[test]
fn commune_roles_of_another_commune_may_not_register() {
    for role in [
        Role::CommuneWorker,
        Role::CommuneChairman,
        Role::Collaborator,
    ] {
        Fx::with(())
            .given_no_previous_events()
            .when(register(in_commune(role, cua_nam()), registration()))
            .then_expect_error(ChildError::OutsideUnit {
                unit: cua_nam().as_unit().unwrap(),
                commune: 70,
            });
    }
}

#[test]
fn hotline_operator_outside_the_national_unit_may_not_register() {
    Fx::with(())
        .given_no_previous_events()
        .when(register(
            actor(Role::HotlineOperator, Unit::Province { province: 1 }),
            registration(),
        ))
        .then_expect_error(ChildError::OutsideUnit {
            unit: Unit::Province { province: 1 },
            commune: 70,
        });
}

#[test]
fn managers_inspectors_and_admins_may_not_register() {
    for a in [
        actor(Role::ProvincialManager, Unit::Province { province: 1 }),
        actor(Role::Inspector, Unit::National),
        actor(Role::Admin, Unit::National),
    ] {
        let role = a.role;
        Fx::with(())
            .given_no_previous_events()
            .when(register(a, registration()))
            .then_expect_error(ChildError::NotAuthorised {
                role,
                action: "register a child",
            });
    }
}

#[test]
fn a_child_is_registered_once() {
    Fx::with(())
        .given(vec![registered()])
        .when(register(worker(), registration()))
        .then_expect_error(ChildError::AlreadyRegistered);
}

#[test]
fn name_and_ethnicity_are_required() {
    let mut r = registration();
    r.full_name = "  ".to_string();
    Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), r))
        .then_expect_error(ChildError::MissingField("full_name"));
    let mut r = registration();
    r.ethnicity = String::new();
    Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), r))
        .then_expect_error(ChildError::MissingField("ethnicity"));
}

#[test]
fn personal_id_has_twelve_digits() {
    for bad in [
        "00121501234",
        "0012150123456",
        "00121501234x",
        "001 15012345",
    ] {
        let mut r = registration();
        r.personal_id = Some(bad.to_string());
        Fx::with(())
            .given_no_previous_events()
            .when(register(worker(), r))
            .then_expect_error(ChildError::InvalidPersonalId);
    }
}

#[test]
fn address_must_be_a_real_commune() {
    // Commune 70 is in province 1, not 42.
    let mut r = registration();
    r.address.commune = CommuneRef::current(42, 70);
    Fx::with(())
        .given_no_previous_events()
        .when(register(actor(Role::HotlineOperator, Unit::National), r))
        .then_expect_error(ChildError::UnknownCommune {
            province: 42,
            commune: 70,
        });
    let mut r = registration();
    r.address.commune = CommuneRef::current(1, 999_999);
    Fx::with(())
        .given_no_previous_events()
        .when(register(actor(Role::HotlineOperator, Unit::National), r))
        .then_expect_error(ChildError::UnknownCommune {
            province: 1,
            commune: 999_999,
        });
}

#[test]
fn date_of_birth_must_not_be_after_registration() {
    let mut r = registration();
    r.date_of_birth = d(2025, 9, 2);
    Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), r))
        .then_expect_error(ChildError::BornAfterRegistration);
    // A newborn registered on its day of birth is fine.
    let mut r = registration();
    r.date_of_birth = d(2025, 9, 1);
    assert!(Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), r))
        .inspect_result()
        .is_ok());
}

#[test]
fn birth_date_is_compared_with_the_local_date() {
    // 2025-08-31 18:00 UTC is already 1 September in Vietnam.
    let mut r = registration();
    r.date_of_birth = d(2025, 9, 1);
    let late = Utc.with_ymd_and_hms(2025, 8, 31, 18, 0, 0).unwrap();
    assert!(Fx::with(())
        .given_no_previous_events()
        .when(cmd(worker(), late, ChildAction::RegisterChild(r)))
        .inspect_result()
        .is_ok());
}

#[test]
fn a_child_is_under_sixteen() {
    let mut r = registration();
    r.date_of_birth = d(2009, 9, 1); // 16 on the day of registration
    Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), r))
        .then_expect_error(ChildError::ChildTooOld);
    let mut r = registration();
    r.date_of_birth = d(2009, 9, 2); // 16 tomorrow
    assert!(Fx::with(())
        .given_no_previous_events()
        .when(register(worker(), r))
        .inspect_result()
        .is_ok());
}

// --- details ----------------------------------------------------------------

#[test]
fn details_update_records_only_changed_fields() {
    Fx::with(())
        .given(vec![registered()])
        .when(update(DetailsUpdate {
            full_name: Some("Nguyễn Văn Bình".to_string()),
            ethnicity: Some("Kinh".to_string()),
            personal_id: None,
            address: None,
        }))
        .then_expect_events(vec![ChildEvent::ChildDetailsUpdated {
            at: at(2025, 9, 10),
            full_name: Some("Nguyễn Văn Bình".to_string()),
            ethnicity: None,
            personal_id: None,
            address: None,
        }]);
}

#[test]
fn address_moves_to_another_commune() {
    let new = Address {
        commune: cua_nam(),
        detail: "Ngõ 12".to_string(),
    };
    let moved = ChildEvent::ChildDetailsUpdated {
        at: at(2025, 9, 10),
        full_name: None,
        ethnicity: None,
        personal_id: None,
        address: Some(new.clone()),
    };
    Fx::with(())
        .given(vec![registered()])
        .when(update(DetailsUpdate {
            address: Some(new),
            ..DetailsUpdate::default()
        }))
        .then_expect_events(vec![moved.clone()]);
    // Afterwards the new commune keeps the record, the old one no longer may.
    let hh = |a: Actor| {
        cmd(
            a,
            at(2025, 9, 11),
            ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
                status: HouseholdStatus::Poor,
                reason: String::new(),
            }),
        )
    };
    Fx::with(())
        .given(vec![registered(), moved.clone()])
        .when(hh(worker()))
        .then_expect_error(ChildError::OutsideUnit {
            unit: hoan_kiem().as_unit().unwrap(),
            commune: 73,
        });
    assert!(Fx::with(())
        .given(vec![registered(), moved])
        .when(hh(in_commune(Role::CommuneWorker, cua_nam())))
        .inspect_result()
        .is_ok());
}

#[test]
fn empty_update_is_refused() {
    Fx::with(())
        .given(vec![registered()])
        .when(update(DetailsUpdate::default()))
        .then_expect_error(ChildError::NothingToUpdate);
}

#[test]
fn update_that_changes_nothing_is_refused() {
    Fx::with(())
        .given(vec![registered()])
        .when(update(DetailsUpdate {
            full_name: Some(" Nguyễn Văn An".to_string()),
            personal_id: Some("001215012345".to_string()),
            ..DetailsUpdate::default()
        }))
        .then_expect_error(ChildError::NoChange);
}

#[test]
fn update_validates_its_fields() {
    Fx::with(())
        .given(vec![registered()])
        .when(update(DetailsUpdate {
            full_name: Some(" ".to_string()),
            ..DetailsUpdate::default()
        }))
        .then_expect_error(ChildError::MissingField("full_name"));
    Fx::with(())
        .given(vec![registered()])
        .when(update(DetailsUpdate {
            personal_id: Some("12345".to_string()),
            ..DetailsUpdate::default()
        }))
        .then_expect_error(ChildError::InvalidPersonalId);
    Fx::with(())
        .given(vec![registered()])
        .when(update(DetailsUpdate {
            address: Some(Address {
                commune: CommuneRef::current(4, 70),
                detail: String::new(),
            }),
            ..DetailsUpdate::default()
        }))
        .then_expect_error(ChildError::UnknownCommune {
            province: 4,
            commune: 70,
        });
}

#[test]
fn only_the_commune_worker_and_chairman_keep_the_record() {
    let u = || DetailsUpdate {
        ethnicity: Some("Tày".to_string()),
        ..DetailsUpdate::default()
    };
    assert!(Fx::with(())
        .given(vec![registered()])
        .when(cmd(
            in_commune(Role::CommuneChairman, hoan_kiem()),
            at(2025, 9, 10),
            ChildAction::UpdateChildDetails(u()),
        ))
        .inspect_result()
        .is_ok());
    for a in [
        in_commune(Role::Collaborator, hoan_kiem()),
        actor(Role::HotlineOperator, Unit::National),
        actor(Role::ProvincialManager, Unit::Province { province: 1 }),
        actor(Role::Inspector, Unit::National),
        actor(Role::Admin, Unit::National),
    ] {
        let role = a.role;
        Fx::with(())
            .given(vec![registered()])
            .when(cmd(
                a,
                at(2025, 9, 10),
                ChildAction::UpdateChildDetails(u()),
            ))
            .then_expect_error(ChildError::NotAuthorised {
                role,
                action: "update a child's details",
            });
    }
    Fx::with(())
        .given(vec![registered()])
        .when(cmd(
            in_commune(Role::CommuneChairman, cua_nam()),
            at(2025, 9, 10),
            ChildAction::UpdateChildDetails(u()),
        ))
        .then_expect_error(ChildError::OutsideUnit {
            unit: cua_nam().as_unit().unwrap(),
            commune: 70,
        });
}

#[test]
fn commands_need_a_registered_child() {
    Fx::with(())
        .given_no_previous_events()
        .when(add(CircumstanceGroup::A, d(2025, 9, 1)))
        .then_expect_error(ChildError::NotRegistered);
    Fx::with(())
        .given_no_previous_events()
        .when(update(DetailsUpdate {
            full_name: Some("X".to_string()),
            ..DetailsUpdate::default()
        }))
        .then_expect_error(ChildError::NotRegistered);
}

#[test]
fn time_does_not_go_backwards() {
    Fx::with(())
        .given(vec![registered()])
        .when(cmd(
            worker(),
            at(2025, 8, 31),
            ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
                status: HouseholdStatus::Poor,
                reason: String::new(),
            }),
        ))
        .then_expect_error(ChildError::BeforeLastEvent {
            last: at(2025, 9, 1),
        });
}

// --- household ---------------------------------------------------------------

#[test]
fn household_status_changes() {
    Fx::with(())
        .given(vec![registered()])
        .when(cmd(
            worker(),
            at(2025, 9, 10),
            ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
                status: HouseholdStatus::NearPoor,
                reason: " Quyết định rà soát hộ nghèo 2025 ".to_string(),
            }),
        ))
        .then_expect_events(vec![ChildEvent::HouseholdStatusChanged {
            at: at(2025, 9, 10),
            status: HouseholdStatus::NearPoor,
            reason: "Quyết định rà soát hộ nghèo 2025".to_string(),
        }]);
}

#[test]
fn household_status_must_change() {
    Fx::with(())
        .given(vec![registered()])
        .when(cmd(
            worker(),
            at(2025, 9, 10),
            ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
                status: HouseholdStatus::Normal,
                reason: String::new(),
            }),
        ))
        .then_expect_error(ChildError::SameHouseholdStatus(HouseholdStatus::Normal));
}

// --- special circumstances ----------------------------------------------------

#[test]
fn a_group_is_added() {
    Fx::with(())
        .given(vec![registered()])
        .when(cmd(
            worker(),
            at(2025, 9, 10),
            ChildAction::AddSpecialCircumstance(CircumstanceStart {
                group: CircumstanceGroup::Dd,
                since: d(2025, 8, 1),
                note: "xét nghiệm".to_string(),
            }),
        ))
        .then_expect_events(vec![ChildEvent::SpecialCircumstanceAdded {
            at: at(2025, 9, 10),
            group: CircumstanceGroup::Dd,
            since: d(2025, 8, 1),
            note: "xét nghiệm".to_string(),
        }]);
}

#[test]
fn an_active_group_is_not_added_again() {
    Fx::with(())
        .given(vec![
            registered(),
            added(CircumstanceGroup::D, d(2020, 1, 1)),
        ])
        .when(add(CircumstanceGroup::D, d(2025, 9, 1)))
        .then_expect_error(ChildError::GroupAlreadyActive(CircumstanceGroup::D));
}

#[test]
fn a_group_starts_between_birth_and_the_action() {
    Fx::with(())
        .given(vec![registered()])
        .when(add(CircumstanceGroup::D, d(2025, 9, 11)))
        .then_expect_error(ChildError::DateInFuture { field: "since" });
    Fx::with(())
        .given(vec![registered()])
        .when(add(CircumstanceGroup::D, d(2015, 5, 31)))
        .then_expect_error(ChildError::BeforeBirth { field: "since" });
}

#[test]
fn group_n_needs_a_poor_or_near_poor_household() {
    Fx::with(())
        .given(vec![registered()])
        .when(add(CircumstanceGroup::N, d(2025, 9, 1)))
        .then_expect_error(ChildError::GroupNRequiresPoorHousehold);
    let poor = ChildEvent::HouseholdStatusChanged {
        at: at(2025, 9, 2),
        status: HouseholdStatus::Poor,
        reason: String::new(),
    };
    Fx::with(())
        .given(vec![registered(), poor])
        .when(add(CircumstanceGroup::N, d(2025, 9, 1)))
        .then_expect_events(vec![ChildEvent::SpecialCircumstanceAdded {
            at: at(2025, 9, 10),
            group: CircumstanceGroup::N,
            since: d(2025, 9, 1),
            note: String::new(),
        }]);
}

#[test]
fn a_group_ends() {
    Fx::with(())
        .given(vec![
            registered(),
            added(CircumstanceGroup::K, d(2025, 1, 1)),
        ])
        .when(end(CircumstanceGroup::K, d(2025, 9, 5), " đã ổn định "))
        .then_expect_events(vec![ChildEvent::SpecialCircumstanceEnded {
            at: at(2025, 9, 10),
            group: CircumstanceGroup::K,
            until: d(2025, 9, 5),
            reason: "đã ổn định".to_string(),
        }]);
}

#[test]
fn only_an_active_group_ends() {
    Fx::with(())
        .given(vec![registered()])
        .when(end(CircumstanceGroup::K, d(2025, 9, 5), "x"))
        .then_expect_error(ChildError::GroupNotActive(CircumstanceGroup::K));
    Fx::with(())
        .given(vec![
            registered(),
            added(CircumstanceGroup::K, d(2025, 1, 1)),
            ended(CircumstanceGroup::K, d(2025, 2, 1)),
        ])
        .when(end(CircumstanceGroup::K, d(2025, 9, 5), "x"))
        .then_expect_error(ChildError::GroupNotActive(CircumstanceGroup::K));
}

#[test]
fn a_group_does_not_end_before_it_starts() {
    Fx::with(())
        .given(vec![
            registered(),
            added(CircumstanceGroup::K, d(2025, 3, 1)),
        ])
        .when(end(CircumstanceGroup::K, d(2025, 2, 28), "x"))
        .then_expect_error(ChildError::EndBeforeStart {
            since: d(2025, 3, 1),
            until: d(2025, 2, 28),
        });
    // Ending on the first day is a one-day period.
    assert!(Fx::with(())
        .given(vec![
            registered(),
            added(CircumstanceGroup::K, d(2025, 3, 1))
        ])
        .when(end(CircumstanceGroup::K, d(2025, 3, 1), "x"))
        .inspect_result()
        .is_ok());
}

#[test]
fn a_group_does_not_end_in_the_future_or_without_a_reason() {
    Fx::with(())
        .given(vec![
            registered(),
            added(CircumstanceGroup::K, d(2025, 3, 1)),
        ])
        .when(end(CircumstanceGroup::K, d(2025, 9, 11), "x"))
        .then_expect_error(ChildError::DateInFuture { field: "until" });
    Fx::with(())
        .given(vec![
            registered(),
            added(CircumstanceGroup::K, d(2025, 3, 1)),
        ])
        .when(end(CircumstanceGroup::K, d(2025, 9, 1), " "))
        .then_expect_error(ChildError::MissingField("reason"));
}

#[test]
fn a_group_may_start_again_after_it_ended() {
    let history = vec![
        registered(),
        added(CircumstanceGroup::I, d(2025, 1, 1)),
        ended(CircumstanceGroup::I, d(2025, 3, 31)),
    ];
    Fx::with(())
        .given(history.clone())
        .when(add(CircumstanceGroup::I, d(2025, 3, 31)))
        .then_expect_error(ChildError::OverlapsEarlierPeriod {
            group: CircumstanceGroup::I,
            ended: d(2025, 3, 31),
        });
    Fx::with(())
        .given(history)
        .when(add(CircumstanceGroup::I, d(2025, 4, 1)))
        .then_expect_events(vec![added_at_10(CircumstanceGroup::I, d(2025, 4, 1))]);
}

fn added_at_10(group: CircumstanceGroup, since: NaiveDate) -> ChildEvent {
    ChildEvent::SpecialCircumstanceAdded {
        at: at(2025, 9, 10),
        group,
        since,
        note: String::new(),
    }
}

// --- state ---------------------------------------------------------------------

fn state(events: Vec<ChildEvent>) -> Child {
    let mut c = Child::default();
    for e in events {
        c.apply(e);
    }
    c
}

#[test]
fn groups_over_time() {
    let c = state(vec![
        registered(),
        added(CircumstanceGroup::I, d(2025, 1, 1)),
        added(CircumstanceGroup::A, d(2024, 6, 1)),
        ended(CircumstanceGroup::I, d(2025, 3, 31)),
        added(CircumstanceGroup::I, d(2025, 6, 1)),
        added(CircumstanceGroup::SchoolViolence, d(2025, 2, 1)),
        ended(CircumstanceGroup::SchoolViolence, d(2025, 2, 1)),
    ]);
    use CircumstanceGroup::*;
    assert_eq!(c.groups_on(d(2024, 5, 31)), vec![]);
    assert_eq!(c.groups_on(d(2025, 2, 1)), vec![A, I, SchoolViolence]);
    assert_eq!(c.groups_on(d(2025, 3, 31)), vec![A, I]);
    assert_eq!(c.groups_on(d(2025, 4, 1)), vec![A]);
    assert_eq!(c.groups_on(d(2025, 7, 1)), vec![A, I]);
    assert_eq!(c.active_groups(), vec![A, I]);
    assert_eq!(c.periods_of(I).count(), 2);
    let first = c.periods_of(I).next().unwrap();
    assert_eq!(first.until, Some(d(2025, 3, 31)));
    assert_eq!(first.end_reason.as_deref(), Some("đã ổn định"));
}

#[test]
fn identity_address_and_household_over_time() {
    let c = state(vec![
        registered(),
        ChildEvent::ChildDetailsUpdated {
            at: at(2025, 9, 5),
            full_name: None,
            ethnicity: Some("Mường".to_string()),
            personal_id: None,
            address: Some(Address {
                commune: cua_nam(),
                detail: String::new(),
            }),
        },
        ChildEvent::HouseholdStatusChanged {
            at: at(2025, 9, 6),
            status: HouseholdStatus::Poor,
            reason: String::new(),
        },
    ]);
    assert!(c.registered);
    assert_eq!(c.registered_at, Some(at(2025, 9, 1)));
    assert_eq!(c.last_event_at, Some(at(2025, 9, 6)));
    assert_eq!(c.full_name, "Nguyễn Văn An");
    assert_eq!(c.ethnicity, "Mường");
    assert_eq!(c.personal_id.as_deref(), Some("001215012345"));
    assert_eq!(c.commune(), Some(cua_nam()));
    assert_eq!(c.household_status, HouseholdStatus::Poor);
    assert_eq!(
        c.household_status_at(at(2025, 9, 5)),
        Some(HouseholdStatus::Normal)
    );
    assert_eq!(
        c.household_status_at(at(2025, 9, 6)),
        Some(HouseholdStatus::Poor)
    );
    assert_eq!(c.household_status_at(at(2025, 8, 1)), None);
    assert_eq!(c.age_on(d(2025, 5, 31)), Some(9));
    assert_eq!(c.age_on(d(2025, 6, 1)), Some(10));
}

#[test]
fn age_counts_completed_years() {
    assert_eq!(age_on(d(2012, 2, 29), d(2028, 2, 28)), 15);
    assert_eq!(age_on(d(2012, 2, 29), d(2028, 2, 29)), 16);
    assert_eq!(age_on(d(2012, 2, 29), d(2027, 3, 1)), 15);
    assert_eq!(age_on(d(2012, 2, 29), d(2027, 2, 28)), 14);
    assert_eq!(age_on(d(2030, 1, 1), d(2025, 1, 1)), 0);
}

// --- groups and serde ----------------------------------------------------------

#[test]
fn group_codes_are_the_legal_letters() {
    let codes: Vec<&str> = CircumstanceGroup::ALL.iter().map(|g| g.code()).collect();
    assert_eq!(
        codes,
        vec![
            "a",
            "b",
            "c",
            "d",
            "dd",
            "e",
            "g",
            "h",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "at_risk",
            "injury_drowning",
            "school_violence"
        ]
    );
    for g in CircumstanceGroup::ALL {
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            format!("\"{}\"", g.code())
        );
        assert_eq!(CircumstanceGroup::parse(g.code()), Some(g));
        assert!(!g.label_vi().is_empty() && !g.label_en().is_empty());
    }
    assert_eq!(CircumstanceGroup::Dd.legal_letter(), Some("đ"));
    assert_eq!(CircumstanceGroup::AtRisk.legal_letter(), None);
    assert_eq!(
        CircumstanceGroup::ALL
            .iter()
            .filter(|g| g.is_legal_group())
            .count(),
        14
    );
}

#[test]
fn every_event_round_trips_through_json() {
    let events = vec![
        registered(),
        ChildEvent::ChildDetailsUpdated {
            at: at(2025, 9, 5),
            full_name: Some("Lò Thị Hoa".to_string()),
            ethnicity: Some("Thái".to_string()),
            personal_id: Some("011215000001".to_string()),
            address: Some(Address {
                commune: cua_nam(),
                detail: "Bản Mòng".to_string(),
            }),
        },
        ChildEvent::HouseholdStatusChanged {
            at: at(2025, 9, 6),
            status: HouseholdStatus::NearPoor,
            reason: "rà soát".to_string(),
        },
        added(CircumstanceGroup::Dd, d(2025, 1, 1)),
        ended(CircumstanceGroup::Dd, d(2025, 2, 1)),
    ];
    let mut types = Vec::new();
    for e in events {
        let json = serde_json::to_value(&e).unwrap();
        let back: ChildEvent = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, e);
        assert_eq!(e.event_version(), "1");
        types.push(e.event_type());
        // The tag is the snake_case variant name.
        assert!(json["type"].as_str().unwrap().contains('_'));
    }
    assert_eq!(
        types,
        vec![
            "ChildRegistered",
            "ChildDetailsUpdated",
            "HouseholdStatusChanged",
            "SpecialCircumstanceAdded",
            "SpecialCircumstanceEnded"
        ]
    );
}

#[test]
fn commands_parse_from_json_and_refuse_unknown_fields() {
    let json = r#"{
        "actor": {"officer_id": "w1", "role": "commune_worker",
                  "unit": {"level": "commune", "province": 1, "commune": 70}},
        "at": "2025-09-10T03:00:00Z",
        "action": {"type": "add_special_circumstance", "group": "dd", "since": "2025-08-01"}
    }"#;
    let c: ChildCommand = serde_json::from_str(json).unwrap();
    assert_eq!(
        c.action,
        ChildAction::AddSpecialCircumstance(CircumstanceStart {
            group: CircumstanceGroup::Dd,
            since: d(2025, 8, 1),
            note: String::new(),
        })
    );
    let round: ChildCommand = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
    assert_eq!(round, c);
    let bad = json.replace("\"since\"", "\"colour\": 1, \"since\"");
    assert!(serde_json::from_str::<ChildCommand>(&bad).is_err());
    let mut ev = serde_json::to_value(registered()).unwrap();
    ev["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<ChildEvent>(ev).is_err());
}
