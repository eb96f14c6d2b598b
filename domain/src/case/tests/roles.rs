//! Who may do what: for every action, every role in the right unit is either
//! allowed or gets `NotAuthorised`, and commune roles of another commune get
//! `OutsideUnit`. The expected roles are written out here, not taken from the code.

use super::*;

use Role::*;

/// (history the action is valid on, action, time, roles allowed).
fn table() -> Vec<(Vec<CaseEvent>, CaseAction, i64, Vec<Role>)> {
    let transfer = CaseAction::TransferCase(Transfer {
        to: hai_ninh(),
        reason: "Gia đình chuyển nơi ở".into(),
    });
    let reassign = CaseAction::ReassignWorker(Reassignment {
        to_officer: "w-2".into(),
        reason: "Nghỉ thai sản".into(),
    });
    let link = CaseAction::LinkCase(CaseLink {
        other_case_id: "case-2".into(),
        relation: CaseRelation::Sibling,
    });
    vec![
        (
            h_received(),
            fact_check(true),
            T_FACT,
            vec![CommuneWorker, CommuneChairman],
        ),
        (
            h_fact_checked(),
            initial_assessment(true),
            T_INITIAL,
            vec![CommuneWorker],
        ),
        (
            h_initial(),
            CaseAction::OrderEmergencyMeasures(emergency_order()),
            T_EMERGENCY,
            vec![CommuneChairman],
        ),
        (
            h_initial(),
            CaseAction::AssessSpecificRisk(specific_assessment()),
            T_SPECIFIC,
            vec![CommuneWorker],
        ),
        (
            h_specific(),
            CaseAction::DraftPlan(plan_draft()),
            T_DRAFT,
            vec![CommuneWorker],
        ),
        (h_drafted(), approve(1), T_APPROVE, vec![CommuneChairman]),
        (h_drafted(), send_back(1), T_APPROVE, vec![CommuneChairman]),
        (
            h_approved(),
            CaseAction::RecordService(service()),
            T_LATER,
            vec![CommuneWorker],
        ),
        (
            h_approved(),
            CaseAction::RecordReferral(referral()),
            T_LATER,
            vec![CommuneWorker, HotlineOperator],
        ),
        (
            h_approved(),
            review(ReviewOutcome::SafeAndStable),
            T_REVIEW,
            vec![CommuneWorker],
        ),
        (
            h_stable(),
            close(CloseReason::SafeAndStable),
            T_CLOSE,
            vec![CommuneChairman],
        ),
        (h_closed(), reopen(), T_LATER, vec![CommuneChairman]),
        (
            h_approved(),
            transfer,
            T_LATER,
            vec![CommuneChairman, ProvincialManager],
        ),
        (
            h_approved(),
            reassign,
            T_LATER,
            vec![CommuneChairman, ProvincialManager],
        ),
        (
            h_approved(),
            note("Thăm gia đình"),
            T_LATER,
            vec![
                Collaborator,
                CommuneWorker,
                CommuneChairman,
                HotlineOperator,
                System,
            ],
        ),
        (
            h_approved(),
            CaseAction::AddAttachment(attachment()),
            T_LATER,
            vec![
                Collaborator,
                CommuneWorker,
                CommuneChairman,
                HotlineOperator,
                System,
            ],
        ),
        (
            h_approved(),
            link,
            T_LATER,
            vec![CommuneWorker, CommuneChairman],
        ),
        (
            h_approved(),
            correction(1),
            T_LATER,
            vec![CommuneWorker, CommuneChairman],
        ),
    ]
}

#[test]
fn every_action_by_every_role() {
    for (history, action, at, allowed) in table() {
        for role in Role::ALL {
            let result = run(
                history.clone(),
                cmd(actor_with_role(role), at, action.clone()),
            );
            if allowed.contains(&role) {
                assert!(
                    result.is_ok(),
                    "{role:?} should be allowed to {}: {result:?}",
                    action.describe()
                );
            } else {
                assert_eq!(
                    result,
                    Err(CaseError::NotAuthorised {
                        role,
                        action: action.describe()
                    }),
                    "{role:?} / {}",
                    action.describe()
                );
            }
        }
    }
}

#[test]
fn commune_roles_of_another_commune_are_outside_their_unit() {
    for (history, action, at, allowed) in table() {
        for role in allowed {
            let other = match role {
                Collaborator | CommuneWorker | CommuneChairman => {
                    actor("x", role, commune_unit(HT, HAI_NINH))
                }
                ProvincialManager => provincial(NA),
                HotlineOperator | System | Inspector | Admin => continue,
            };
            let unit = other.unit;
            assert_eq!(
                run(history.clone(), cmd(other, at, action.clone())),
                Err(CaseError::OutsideUnit {
                    unit,
                    commune: SONG_TRI
                }),
                "{role:?} / {}",
                action.describe()
            );
        }
    }
}

#[test]
fn worker_cannot_approve_a_plan() {
    expect_error(
        h_drafted(),
        cmd(worker(), T_APPROVE, approve(1)),
        CaseError::NotAuthorised {
            role: CommuneWorker,
            action: "approve a plan",
        },
    );
}

#[test]
fn collaborator_cannot_assess() {
    expect_error(
        h_fact_checked(),
        cmd(collaborator(), T_INITIAL, initial_assessment(false)),
        CaseError::NotAuthorised {
            role: Collaborator,
            action: "assess the initial risk",
        },
    );
}

#[test]
fn inspector_cannot_act_even_with_a_note() {
    expect_error(
        h_approved(),
        cmd(inspector(), T_LATER, note("x")),
        CaseError::NotAuthorised {
            role: Inspector,
            action: "add a note",
        },
    );
}

#[test]
fn worker_of_another_commune_is_rejected() {
    expect_error(
        h_received(),
        cmd(worker_of_hai_ninh(), T_FACT, fact_check(true)),
        CaseError::OutsideUnit {
            unit: commune_unit(HT, HAI_NINH),
            commune: SONG_TRI,
        },
    );
}

#[test]
fn error_messages_are_clear() {
    assert_eq!(
        CaseError::NotAuthorised {
            role: CommuneWorker,
            action: "approve a plan"
        }
        .to_string(),
        "a commune_worker may not approve a plan"
    );
    assert_eq!(
        wrong_step("draft a plan", CaseStatus::InitiallyAssessed).to_string(),
        "cannot draft a plan while the case is initially_assessed"
    );
    assert_eq!(
        CaseError::OutsideUnit {
            unit: commune_unit(HT, HAI_NINH),
            commune: SONG_TRI
        }
        .to_string(),
        "an officer of commune:42:18781 may not act on a case of commune 18754"
    );
    TestFramework::<Case>::with(())
        .given(h_drafted())
        .when(cmd(chairman(), T_APPROVE, approve(3)))
        .then_expect_error_message("plan version 3 is not the plan awaiting approval (version 1)");
}
