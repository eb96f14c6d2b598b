//! Given/when/then tests of the erasure of an officer's personal data
//! (`EraseOfficerData` → `OfficerPersonalDataErased`).

use super::*;
use crate::privacy::Erasure;

fn erasure() -> Erasure {
    Erasure {
        reason: "Hết thời hạn lưu trữ".to_string(),
        decision_ref: "QĐ 9/QĐ-XDL".to_string(),
    }
}

fn erase(by: Actor, e: Erasure) -> OfficerCommand {
    cmd(by, at(2026, 1, 10), OfficerAction::EraseOfficerData(e))
}

fn erased() -> OfficerEvent {
    OfficerEvent::OfficerPersonalDataErased {
        at: at(2026, 1, 10),
        reason: "Hết thời hạn lưu trữ".to_string(),
        decision_ref: "QĐ 9/QĐ-XDL".to_string(),
    }
}

fn out_of_service() -> Vec<OfficerEvent> {
    vec![registered(), deactivated(d(2025, 10, 1))]
}

#[test]
fn a_national_admin_erases_a_deactivated_officer() {
    Fx::with(())
        .given(out_of_service())
        .when(erase(admin(), erasure()))
        .then_expect_events(vec![erased()]);
}

#[test]
fn an_officer_in_service_is_not_erased() {
    Fx::with(())
        .given(vec![registered()])
        .when(erase(admin(), erasure()))
        .then_expect_error(OfficerError::NotDeactivated);
}

#[test]
fn only_a_national_admin_erases_an_officer() {
    for a in [
        manager(1),
        actor(Role::Inspector, Unit::National),
        actor(Role::CommuneWorker, HOAN_KIEM),
        actor(Role::Admin, HA_NOI),
    ] {
        let role = a.role;
        Fx::with(())
            .given(out_of_service())
            .when(erase(a, erasure()))
            .then_expect_error(OfficerError::NotAuthorised {
                role,
                action: "erase an officer's personal data",
            });
    }
}

#[test]
fn officer_erasure_needs_a_reason_and_a_decision() {
    let mut e = erasure();
    e.reason = String::new();
    Fx::with(())
        .given(out_of_service())
        .when(erase(admin(), e))
        .then_expect_error(OfficerError::MissingField("reason"));
    let mut e = erasure();
    e.decision_ref = "  ".to_string();
    Fx::with(())
        .given(out_of_service())
        .when(erase(admin(), e))
        .then_expect_error(OfficerError::MissingField("decision_ref"));
    Fx::with(())
        .given_no_previous_events()
        .when(erase(admin(), erasure()))
        .then_expect_error(OfficerError::NotRegistered);
}

#[test]
fn an_erased_officer_refuses_every_command() {
    let mut given = out_of_service();
    given.push(erased());
    for c in [
        register(Role::CommuneWorker, HOAN_KIEM),
        reactivate(d(2026, 2, 1)),
        erase(admin(), erasure()),
    ] {
        Fx::with(())
            .given(given.clone())
            .when(c)
            .then_expect_error(OfficerError::Erased);
    }
}

#[test]
fn officer_erasure_clears_the_name_and_reasons() {
    let mut o = Officer::default();
    for e in [
        registered(),
        changed(Role::CommuneChairman, HOAN_KIEM, d(2025, 9, 1)),
        deactivated(d(2025, 10, 1)),
        erased(),
    ] {
        o.apply(e);
    }
    assert!(o.erased && o.registered && !o.active);
    assert_eq!(o.full_name, "");
    assert!(o.assignments.iter().all(|a| a.reason.is_empty()));
    assert!(o.inactive_periods.iter().all(|p| p.reason.is_empty()));
    assert_eq!(
        o.assignment_on(d(2025, 9, 15)),
        Some((Role::CommuneChairman, HOAN_KIEM))
    );
    let json = serde_json::to_value(erased()).unwrap();
    assert_eq!(json["type"], "officer_personal_data_erased");
    assert_eq!(erased().event_type(), "OfficerPersonalDataErased");
}
