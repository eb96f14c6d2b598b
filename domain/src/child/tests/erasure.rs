//! Given/when/then tests of the erasure of a child's personal data
//! (`EraseChildData` → `PersonalDataErased`).

use super::*;
use crate::privacy::Erasure;

fn national_admin() -> Actor {
    actor(Role::Admin, Unit::National)
}

fn erasure() -> Erasure {
    Erasure {
        reason: "Yêu cầu của người giám hộ".to_string(),
        decision_ref: "QĐ 7/QĐ-XDL".to_string(),
    }
}

fn erase(by: Actor, e: Erasure) -> ChildCommand {
    cmd(by, at(2025, 9, 20), ChildAction::EraseChildData(e))
}

fn erased() -> ChildEvent {
    ChildEvent::PersonalDataErased {
        at: at(2025, 9, 20),
        reason: "Yêu cầu của người giám hộ".to_string(),
        decision_ref: "QĐ 7/QĐ-XDL".to_string(),
    }
}

#[test]
fn a_national_admin_erases_a_childs_personal_data() {
    Fx::with(())
        .given(vec![registered()])
        .when(erase(national_admin(), erasure()))
        .then_expect_events(vec![erased()]);
    // Reason and decision are trimmed.
    Fx::with(())
        .given(vec![registered()])
        .when(erase(
            national_admin(),
            Erasure {
                reason: "  Yêu cầu của người giám hộ ".to_string(),
                decision_ref: " QĐ 7/QĐ-XDL".to_string(),
            },
        ))
        .then_expect_events(vec![erased()]);
}

#[test]
fn only_a_national_admin_may_erase() {
    for a in [
        worker(),
        in_commune(Role::CommuneChairman, hoan_kiem()),
        in_commune(Role::Collaborator, hoan_kiem()),
        actor(Role::HotlineOperator, Unit::National),
        actor(Role::ProvincialManager, Unit::Province { province: 1 }),
        actor(Role::Inspector, Unit::National),
        actor(Role::Admin, Unit::Province { province: 1 }),
    ] {
        let role = a.role;
        Fx::with(())
            .given(vec![registered()])
            .when(erase(a, erasure()))
            .then_expect_error(ChildError::NotAuthorised {
                role,
                action: "erase a child's personal data",
            });
    }
}

#[test]
fn erasure_needs_a_reason_and_a_decision() {
    let mut e = erasure();
    e.reason = " ".to_string();
    Fx::with(())
        .given(vec![registered()])
        .when(erase(national_admin(), e))
        .then_expect_error(ChildError::MissingField("reason"));
    let mut e = erasure();
    e.decision_ref = String::new();
    Fx::with(())
        .given(vec![registered()])
        .when(erase(national_admin(), e))
        .then_expect_error(ChildError::MissingField("decision_ref"));
}

#[test]
fn an_unregistered_child_cannot_be_erased() {
    Fx::with(())
        .given_no_previous_events()
        .when(erase(national_admin(), erasure()))
        .then_expect_error(ChildError::NotRegistered);
}

#[test]
fn an_erased_child_refuses_every_command() {
    let given = || vec![registered(), erased()];
    let later = at(2025, 9, 25);
    for (by, action) in [
        (worker(), ChildAction::RegisterChild(registration())),
        (
            worker(),
            ChildAction::UpdateChildDetails(DetailsUpdate {
                full_name: Some("Nguyễn Văn Bình".to_string()),
                ..DetailsUpdate::default()
            }),
        ),
        (
            worker(),
            ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
                status: HouseholdStatus::Poor,
                reason: String::new(),
            }),
        ),
        (
            worker(),
            ChildAction::AddSpecialCircumstance(CircumstanceStart {
                group: CircumstanceGroup::D,
                since: d(2025, 9, 1),
                note: String::new(),
            }),
        ),
        (
            worker(),
            ChildAction::EndSpecialCircumstance(CircumstanceEnd {
                group: CircumstanceGroup::D,
                until: d(2025, 9, 1),
                reason: "x".to_string(),
            }),
        ),
        (national_admin(), ChildAction::EraseChildData(erasure())),
    ] {
        Fx::with(())
            .given(given())
            .when(cmd(by, later, action))
            .then_expect_error(ChildError::Erased);
    }
    // Authorisation comes first: a role that may never act is refused as before.
    Fx::with(())
        .given(given())
        .when(cmd(
            actor(Role::Inspector, Unit::National),
            later,
            ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
                status: HouseholdStatus::Poor,
                reason: String::new(),
            }),
        ))
        .then_expect_error(ChildError::NotAuthorised {
            role: Role::Inspector,
            action: "change a household status",
        });
}

#[test]
fn erasure_clears_the_personal_fields_and_keeps_the_public_ones() {
    let mut child = Child::default();
    for e in [
        registered(),
        ChildEvent::HouseholdStatusChanged {
            at: at(2025, 9, 2),
            status: HouseholdStatus::Poor,
            reason: "rà soát".to_string(),
        },
        ChildEvent::SpecialCircumstanceAdded {
            at: at(2025, 9, 3),
            group: CircumstanceGroup::D,
            since: d(2025, 1, 1),
            note: "khuyết tật vận động".to_string(),
        },
        ChildEvent::SpecialCircumstanceEnded {
            at: at(2025, 9, 4),
            group: CircumstanceGroup::D,
            until: d(2025, 6, 1),
            reason: "đã phục hồi".to_string(),
        },
        erased(),
    ] {
        child.apply(e);
    }
    assert!(child.erased && child.registered);
    assert_eq!(child.full_name, "");
    assert_eq!(child.date_of_birth, None);
    assert_eq!(child.ethnicity, "");
    assert_eq!(child.personal_id, None);
    let address = child.address.clone().unwrap();
    assert_eq!(address.detail, "");
    assert_eq!(address.commune, hoan_kiem());
    assert_eq!(child.sex, Some(Sex::Male));
    assert_eq!(child.household_status, HouseholdStatus::Poor);
    assert_eq!(child.circumstances.len(), 1);
    let p = &child.circumstances[0];
    assert_eq!((p.since, p.until), (d(2025, 1, 1), Some(d(2025, 6, 1))));
    assert_eq!(p.note, "");
    assert_eq!(p.end_reason.as_deref(), Some(""));
    assert_eq!(child.groups_on(d(2025, 3, 1)), vec![CircumstanceGroup::D]);
    assert!(duplicates::Candidate::from_child(&child).is_none());
}

/// Events read without their personal part (the key was destroyed) rebuild a
/// record on which commands still work.
#[test]
fn a_record_without_its_personal_parts_still_takes_commands() {
    let stripped = ChildEvent::ChildRegistered {
        at: at(2025, 9, 1),
        full_name: String::new(),
        date_of_birth: None,
        sex: Sex::Male,
        ethnicity: String::new(),
        personal_id: None,
        address: Address {
            commune: hoan_kiem(),
            detail: String::new(),
        },
        household_status: HouseholdStatus::Normal,
    };
    let json = serde_json::json!({
        "type": "child_registered", "at": "2025-09-01T03:00:00Z", "sex": "male",
        "address": {"commune": {"structure": "2025", "province": 1, "commune": 70}},
        "household_status": "normal"
    });
    assert_eq!(
        serde_json::from_value::<ChildEvent>(json).unwrap(),
        stripped
    );
    Fx::with(())
        .given(vec![stripped])
        .when(add(CircumstanceGroup::D, d(2010, 1, 1)))
        .then_expect_events(vec![ChildEvent::SpecialCircumstanceAdded {
            at: at(2025, 9, 10),
            group: CircumstanceGroup::D,
            since: d(2010, 1, 1),
            note: String::new(),
        }]);
}

#[test]
fn erasure_commands_and_events_in_json() {
    let c: ChildCommand = serde_json::from_str(
        r#"{"actor": {"officer_id": "adm", "role": "admin", "unit": {"level": "national"}},
            "at": "2025-09-20T03:00:00Z",
            "action": {"type": "erase_child_data", "reason": "r", "decision_ref": "QĐ 1"}}"#,
    )
    .unwrap();
    assert!(matches!(c.action, ChildAction::EraseChildData(ref e) if e.decision_ref == "QĐ 1"));
    let json = serde_json::to_value(erased()).unwrap();
    assert_eq!(json["type"], "personal_data_erased");
    assert_eq!(erased().event_type(), "PersonalDataErased");
    assert_eq!(
        serde_json::from_value::<ChildEvent>(json).unwrap(),
        erased()
    );
}
