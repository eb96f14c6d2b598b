//! Records beside the steps: transfer, reassignment, notes, attachments, linked
//! cases and corrections.

use super::*;

fn transfer(to: CommuneRef) -> CaseAction {
    CaseAction::TransferCase(Transfer {
        to,
        reason: "Gia đình chuyển nơi ở".into(),
    })
}

#[test]
fn chairman_transfers_to_another_commune_and_worker_is_cleared() {
    let event = CaseEvent::CaseTransferred {
        at: hours(T_LATER),
        from: song_tri(),
        to: hai_ninh(),
        reason: "Gia đình chuyển nơi ở".into(),
    };
    expect_event(
        h_approved(),
        cmd(chairman(), T_LATER, transfer(hai_ninh())),
        event.clone(),
    );
    let mut h = h_approved();
    h.push(event);
    let case = state(&h);
    assert_eq!(case.commune, Some(hai_ninh()));
    assert_eq!(case.responsible_worker, None);
    // The new commune now acts on it; the old one no longer can.
    assert!(run(
        h.clone(),
        cmd(worker_of_hai_ninh(), T_LATER, note("Tiếp nhận hồ sơ"))
    )
    .is_ok());
    expect_error(
        h,
        cmd(worker(), T_LATER, note("x")),
        CaseError::OutsideUnit {
            unit: commune_unit(HT, SONG_TRI),
            commune: HAI_NINH,
        },
    );
}

#[test]
fn provincial_manager_transfers_across_provinces_within_their_coverage() {
    assert!(run(
        h_approved(),
        cmd(provincial(HT), T_LATER, transfer(anh_son()))
    )
    .is_ok());
    expect_error(
        h_approved(),
        cmd(provincial(NA), T_LATER, transfer(anh_son())),
        CaseError::OutsideUnit {
            unit: Unit::Province { province: NA },
            commune: SONG_TRI,
        },
    );
}

#[test]
fn transfer_rules() {
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, transfer(song_tri())),
        CaseError::SameCommune,
    );
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, transfer(CommuneRef::current(HT, 1))),
        CaseError::UnknownCommune {
            province: HT,
            commune: 1,
        },
    );
    let no_reason = CaseAction::TransferCase(Transfer {
        to: hai_ninh(),
        reason: String::new(),
    });
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, no_reason),
        CaseError::MissingField("reason"),
    );
    expect_error(
        h_approved(),
        cmd(chairman_of_hai_ninh(), T_LATER, transfer(hai_ninh())),
        CaseError::OutsideUnit {
            unit: commune_unit(HT, HAI_NINH),
            commune: SONG_TRI,
        },
    );
}

fn reassign(to: &str) -> CaseAction {
    CaseAction::ReassignWorker(Reassignment {
        to_officer: to.into(),
        reason: "Phân công lại".into(),
    })
}

#[test]
fn reassign_responsible_worker() {
    let event = CaseEvent::WorkerReassigned {
        at: hours(T_LATER),
        from: Some("w-songtri".into()),
        to: "w-2".into(),
        reason: "Phân công lại".into(),
    };
    expect_event(
        h_approved(),
        cmd(chairman(), T_LATER, reassign("w-2")),
        event.clone(),
    );
    let mut h = h_approved();
    h.push(event);
    assert_eq!(state(&h).responsible_worker.as_deref(), Some("w-2"));
    assert!(run(h_approved(), cmd(provincial(HT), T_LATER, reassign("w-3"))).is_ok());
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, reassign("w-songtri")),
        CaseError::SameWorker,
    );
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, reassign("")),
        CaseError::MissingField("to_officer"),
    );
}

#[test]
fn notes_and_follow_up_visits_also_on_closed_cases() {
    let visit = CaseAction::AddNote(Note {
        kind: NoteKind::FollowUpVisit,
        text: "Thăm gia đình, trẻ đi học đều".into(),
    });
    expect_event(
        h_closed(),
        cmd(collaborator(), T_LATER, visit),
        CaseEvent::NoteAdded {
            at: hours(T_LATER),
            kind: NoteKind::FollowUpVisit,
            text: "Thăm gia đình, trẻ đi học đều".into(),
        },
    );
    assert!(run(
        h_received(),
        cmd(hotline(), T_FACT, note("Gọi lại người báo tin"))
    )
    .is_ok());
    expect_error(
        h_received(),
        cmd(worker(), T_FACT, note(" ")),
        CaseError::MissingField("text"),
    );
    let mut h = h_received();
    h.push(CaseEvent::NoteAdded {
        at: hours(T_FACT),
        kind: NoteKind::Note,
        text: "x".into(),
    });
    assert_eq!(state(&h).notes_count, 1);
}

#[test]
fn attachments_also_on_closed_cases() {
    let a = attachment();
    let event = CaseEvent::AttachmentAdded {
        at: hours(T_LATER),
        sha256: a.sha256.clone(),
        size_bytes: a.size_bytes,
        media_type: a.media_type.clone(),
        file_name: a.file_name.clone(),
        description: a.description.clone(),
    };
    expect_event(
        h_closed(),
        cmd(worker(), T_LATER, CaseAction::AddAttachment(a)),
        event.clone(),
    );
    let mut h = h_closed();
    h.push(event);
    let case = state(&h);
    assert_eq!(case.attachments.len(), 1);
    assert_eq!(case.attachments[0].sha256, SHA);
    assert_eq!(case.attachments[0].at, hours(T_LATER));
}

#[test]
fn attachment_field_rules() {
    type Edit = fn(&mut Attachment);
    let bad_sha = invalid("sha256", "must be 64 lowercase hexadecimal characters");
    let table: Vec<(Edit, CaseError)> = vec![
        (|a| a.sha256 = a.sha256.to_uppercase(), bad_sha.clone()),
        (|a| a.sha256.truncate(63), bad_sha.clone()),
        (|a| a.sha256 = "g".repeat(64), bad_sha),
        (
            |a| a.size_bytes = 0,
            invalid("size_bytes", "must be more than zero"),
        ),
        (
            |a| a.media_type.clear(),
            CaseError::MissingField("media_type"),
        ),
        (
            |a| a.media_type = "pdf".into(),
            invalid("media_type", "must look like type/subtype"),
        ),
        (
            |a| a.file_name.clear(),
            CaseError::MissingField("file_name"),
        ),
    ];
    for (edit, err) in table {
        let mut a = attachment();
        edit(&mut a);
        expect_error(
            h_received(),
            cmd(worker(), T_FACT, CaseAction::AddAttachment(a)),
            err,
        );
    }
}

fn link(id: &str) -> CaseAction {
    CaseAction::LinkCase(CaseLink {
        other_case_id: id.into(),
        relation: CaseRelation::Sibling,
    })
}

#[test]
fn link_sibling_case_once() {
    let event = CaseEvent::CaseLinked {
        at: hours(T_FACT),
        other_case_id: "case-2".into(),
        relation: CaseRelation::Sibling,
    };
    expect_event(
        h_received(),
        cmd(worker(), T_FACT, link("case-2")),
        event.clone(),
    );
    let mut h = h_received();
    h.push(event);
    assert_eq!(state(&h).linked_cases, vec!["case-2".to_string()]);
    expect_error(
        h,
        cmd(worker(), T_FACT, link("case-2")),
        CaseError::AlreadyLinked("case-2".into()),
    );
    expect_error(
        h_received(),
        cmd(worker(), T_FACT, link("")),
        CaseError::MissingField("other_case_id"),
    );
}

#[test]
fn correction_points_at_an_existing_event() {
    let n = h_approved().len() as u64;
    expect_event(
        h_approved(),
        cmd(worker(), T_LATER, correction(n)),
        CaseEvent::EventCorrected {
            at: hours(T_LATER),
            corrects_sequence: n,
            reason: "Ghi sai ngày sinh".into(),
            correction: "date_of_birth = 2015-03-11".into(),
        },
    );
    assert!(run(h_received(), cmd(chairman(), T_FACT, correction(1))).is_ok());
    // Corrections are records, not process steps: allowed on closed cases too.
    assert!(run(h_closed(), cmd(worker(), T_LATER, correction(2))).is_ok());
}

#[test]
fn correction_of_a_nonexistent_event_is_rejected() {
    let n = h_approved().len() as u64;
    for seq in [0, n + 1, 1000] {
        expect_error(
            h_approved(),
            cmd(worker(), T_LATER, correction(seq)),
            CaseError::NoSuchEvent {
                sequence: seq,
                last: n,
            },
        );
    }
    let no_reason = CaseAction::CorrectEvent(Correction {
        corrects_sequence: 1,
        reason: String::new(),
        correction: "x".into(),
    });
    expect_error(
        h_received(),
        cmd(worker(), T_FACT, no_reason),
        CaseError::MissingField("reason"),
    );
    let no_value = CaseAction::CorrectEvent(Correction {
        corrects_sequence: 1,
        reason: "x".into(),
        correction: String::new(),
    });
    expect_error(
        h_received(),
        cmd(worker(), T_FACT, no_value),
        CaseError::MissingField("correction"),
    );
}

#[test]
fn events_applied_counts_every_event() {
    let mut h = h_closed();
    h.push(CaseEvent::EventCorrected {
        at: hours(T_LATER),
        corrects_sequence: 1,
        reason: "r".into(),
        correction: "c".into(),
    });
    let case = state(&h);
    assert_eq!(case.events_applied, h.len() as u64);
    assert_eq!(case.corrections_count, 1);
}
