//! Intake (tiếp nhận thông tin, Mẫu số 01): happy paths, who may record it, and
//! field validation.

use super::*;

fn record(actor: Actor, i: Intake) -> CaseCommand {
    cmd(actor, T_INTAKE, CaseAction::RecordIntake(i))
}

#[test]
fn hotline_records_intake_with_deadlines() {
    expect_event(vec![], record(hotline(), intake()), ev_intake());
}

#[test]
fn intake_state_is_received_with_deadlines_from_received_at() {
    let case = state(&h_received());
    assert_eq!(case.status, CaseStatus::Received);
    assert_eq!(case.child_id.as_deref(), Some("child-1"));
    assert_eq!(case.commune, Some(song_tri()));
    assert_eq!(case.source, Some(IntakeSource::Hotline111));
    assert_eq!(case.harm_types, vec![HarmType::Violence, HarmType::Neglect]);
    assert_eq!(case.received_at, Some(t0()));
    assert_eq!(case.deadlines, Some(calendar::deadlines(t0())));
    assert_eq!(case.responsible_worker.as_deref(), Some("w-songtri"));
    assert_eq!(case.events_applied, 1);
}

#[test]
fn commune_roles_of_the_commune_record_intake() {
    for a in [worker(), chairman(), collaborator()] {
        assert_eq!(run(vec![], record(a, intake())), Ok(vec![ev_intake()]));
    }
}

#[test]
fn anonymous_intake_from_other_source() {
    let mut i = intake();
    i.reporter = None;
    i.source = IntakeSource::Other;
    i.source_description = Some("Tin nhắn trên mạng xã hội".to_string());
    let events = run(vec![], record(worker(), i)).expect("accepted");
    match &events[0] {
        CaseEvent::IntakeRecorded {
            reporter, source, ..
        } => {
            assert_eq!(*reporter, None);
            assert_eq!(*source, IntakeSource::Other);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn intake_in_nghe_an_by_its_chairman() {
    let mut i = intake();
    i.commune = anh_son();
    assert!(run(vec![], record(chairman_of_anh_son(), i)).is_ok());
}

#[test]
fn intake_on_an_opened_case_is_rejected() {
    expect_error(
        h_received(),
        record(hotline(), intake()),
        CaseError::AlreadyOpened,
    );
}

#[test]
fn intake_roles() {
    for (a, err) in [
        (
            inspector(),
            CaseError::NotAuthorised {
                role: Role::Inspector,
                action: "record an intake",
            },
        ),
        (
            admin(),
            CaseError::NotAuthorised {
                role: Role::Admin,
                action: "record an intake",
            },
        ),
        (
            provincial(HT),
            CaseError::NotAuthorised {
                role: Role::ProvincialManager,
                action: "record an intake",
            },
        ),
        (
            worker_of_hai_ninh(),
            CaseError::OutsideUnit {
                unit: commune_unit(HT, HAI_NINH),
                commune: SONG_TRI,
            },
        ),
        (
            chairman_of_anh_son(),
            CaseError::OutsideUnit {
                unit: commune_unit(NA, ANH_SON),
                commune: SONG_TRI,
            },
        ),
    ] {
        expect_error(vec![], record(a, intake()), err);
    }
}

#[test]
fn intake_field_rules() {
    type Edit = fn(&mut Intake);
    let table: Vec<(Edit, CaseError)> = vec![
        (
            |i| i.child_id = " ".into(),
            CaseError::MissingField("child_id"),
        ),
        (
            |i| i.description = String::new(),
            CaseError::MissingField("description"),
        ),
        (
            |i| i.harm_types = vec![],
            CaseError::MissingField("harm_types"),
        ),
        (
            |i| i.harm_types = vec![HarmType::Violence, HarmType::Violence],
            CaseError::DuplicateHarmType(HarmType::Violence),
        ),
        // 16th birthday the day before the report: too old.
        (
            |i| i.date_of_birth = date(2009, 8, 31),
            CaseError::ChildTooOld,
        ),
        // 16th birthday on the day of the report (Vietnam date): too old.
        (
            |i| i.date_of_birth = date(2009, 9, 1),
            CaseError::ChildTooOld,
        ),
        (
            |i| i.date_of_birth = date(2025, 9, 2),
            CaseError::ChildNotYetBorn,
        ),
        (
            |i| {
                i.source = IntakeSource::Other;
                i.source_description = None;
            },
            CaseError::MissingField("source_description"),
        ),
        (
            |i| {
                if let Some(r) = i.reporter.as_mut() {
                    r.name = String::new();
                }
            },
            CaseError::MissingField("reporter.name"),
        ),
        (
            |i| i.received_at = hours(T_INTAKE + 1),
            CaseError::ReceivedAfterRecording,
        ),
        (
            |i| i.responsible_worker = Some(String::new()),
            CaseError::MissingField("responsible_worker"),
        ),
        (
            |i| i.commune = CommuneRef::current(HT, 99_999),
            CaseError::UnknownCommune {
                province: HT,
                commune: 99_999,
            },
        ),
        (
            // Sông Trí exists, but not in Nghệ An.
            |i| i.commune = CommuneRef::current(NA, SONG_TRI),
            CaseError::UnknownCommune {
                province: NA,
                commune: SONG_TRI,
            },
        ),
    ];
    for (edit, err) in table {
        let mut i = intake();
        edit(&mut i);
        expect_error(vec![], record(hotline(), i), err);
    }
}

#[test]
fn child_one_day_before_16th_birthday_is_accepted() {
    let mut i = intake();
    i.date_of_birth = date(2009, 9, 2);
    assert!(run(vec![], record(hotline(), i)).is_ok());
}

#[test]
fn every_other_command_on_an_unopened_case_is_not_found() {
    for action in [
        fact_check(true),
        note("x"),
        reopen(),
        correction(1),
        close(CloseReason::ChildTurned16),
    ] {
        expect_error(vec![], cmd(chairman(), T_FACT, action), CaseError::NotFound);
    }
}

#[test]
fn command_before_receipt_is_rejected() {
    expect_error(
        h_received(),
        cmd(worker(), -1, fact_check(true)),
        CaseError::BeforeReceipt,
    );
}
