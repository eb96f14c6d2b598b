//! A case whose child's personal data was erased: its events come back without
//! their personal part (see `crate::privacy`), and the case goes on with what is
//! public. Commands, never sealed, still name a missing nested field.

use serde_json::json;

use super::*;
use crate::privacy;

/// The events as the storage layer hands them over once the child's key is
/// destroyed: personal paths removed, then deserialized.
fn without_personal_parts(events: Vec<CaseEvent>) -> Vec<CaseEvent> {
    use cqrs_es::DomainEvent;
    events
        .into_iter()
        .map(|e| {
            let payload = serde_json::to_value(&e).unwrap();
            let (public, _) = privacy::split("Case", &e.event_type(), &payload).unwrap();
            serde_json::from_value(public).unwrap()
        })
        .collect()
}

#[test]
fn an_erased_birth_date_is_none_in_the_case() {
    let case = state(&without_personal_parts(h_closed()));
    assert_eq!(case.date_of_birth, None);
    assert_eq!(case.child_id.as_deref(), Some("child-1"));
    assert_eq!(case.status, CaseStatus::Closed);
    assert_eq!(case.harm_types, state(&h_closed()).harm_types);
    assert_eq!(case.deadlines, state(&h_closed()).deadlines);
}

#[test]
fn closing_as_turned_16_needs_a_known_birth_date() {
    expect_error(
        without_personal_parts(h_approved()),
        cmd(chairman(), T_LATER, close(CloseReason::ChildTurned16)),
        CaseError::BirthDateUnknown,
    );
    // Other closings do not need it.
    expect_event(
        without_personal_parts(h_stable()),
        cmd(chairman(), T_CLOSE, close(CloseReason::SafeAndStable)),
        ev_closed(CloseReason::SafeAndStable, T_CLOSE),
    );
}

#[test]
fn a_case_without_its_personal_parts_takes_commands() {
    expect_event(
        without_personal_parts(h_approved()),
        cmd(
            worker(),
            T_APPROVE + 48,
            CaseAction::RecordService(service()),
        ),
        CaseEvent::ServiceRecorded {
            at: hours(T_APPROVE + 48),
            kind: ServiceKind::Psychological,
            provider: "Trung tâm công tác xã hội tỉnh".to_string(),
            delivered_at: hours(T_APPROVE + 24),
            notes: "Buổi tư vấn đầu tiên".to_string(),
        },
    );
    // The anonymous-or-not of the report stays: an erased reporter is empty.
    let case = without_personal_parts(h_received());
    let CaseEvent::IntakeRecorded { reporter, .. } = &case[0] else {
        panic!("{case:?}")
    };
    assert_eq!(
        reporter,
        &Some(Reporter {
            name: String::new(),
            phone: None,
            relation: String::new(),
        })
    );
}

/// The nested types shared with events tolerate a missing personal field, so
/// a command without one deserializes and the domain names the field.
#[test]
fn commands_missing_a_nested_personal_field_are_refused_by_name() {
    let run_json = |given: Vec<CaseEvent>, at_hours: i64, action: serde_json::Value| {
        let c = json!({
            "actor": serde_json::to_value(worker()).unwrap(),
            "at": hours(at_hours),
            "action": action,
        });
        let mut command: CaseCommand = serde_json::from_value(c).expect("deserializes");
        if let CaseAction::RecordIntake(_) = command.action {
            command.actor = hotline();
        }
        run(given, command)
    };

    let mut intake = serde_json::to_value(CaseAction::RecordIntake(intake())).unwrap();
    intake["reporter"] = json!({"phone": "0912345678"});
    assert_eq!(
        run_json(vec![], T_INTAKE, intake),
        Err(CaseError::MissingField("reporter.name"))
    );

    for (field, error) in [
        ("participants", "minutes.participants"),
        ("summary", "minutes.summary"),
    ] {
        let mut a =
            serde_json::to_value(CaseAction::AssessSpecificRisk(specific_assessment())).unwrap();
        a["minutes"].as_object_mut().unwrap().remove(field);
        assert_eq!(
            run_json(h_initial(), T_SPECIFIC, a),
            Err(CaseError::MissingField(error))
        );
    }

    let mut p = serde_json::to_value(CaseAction::DraftPlan(plan_draft())).unwrap();
    p["services"][0].as_object_mut().unwrap().remove("provider");
    assert_eq!(
        run_json(h_specific(), T_DRAFT, p),
        Err(CaseError::MissingField("services.provider"))
    );
}
