//! The legal process step by step (Decree 56/2017 chapter III): happy paths,
//! illegal transitions and field rules of each step.
//!
//! One file on purpose (over 600 lines): the steps of chapter III in their legal order, so a reader checks the process against the decree in one pass.

use super::*;

// ---------- 2 fact check ----------

#[test]
fn fact_check_by_worker_or_chairman() {
    expect_event(
        h_received(),
        cmd(worker(), T_FACT, fact_check(true)),
        ev_fact(true),
    );
    expect_event(
        h_received(),
        cmd(chairman(), T_FACT, fact_check(false)),
        ev_fact(false),
    );
    let case = state(&h_unconfirmed());
    assert_eq!(case.status, CaseStatus::FactChecked);
    assert_eq!(case.fact_confirmed, Some(false));
}

#[test]
fn fact_check_may_be_redone_before_assessment_but_not_after() {
    assert!(run(h_unconfirmed(), cmd(worker(), T_FACT, fact_check(true))).is_ok());
    expect_error(
        h_initial(),
        cmd(worker(), T_FACT, fact_check(true)),
        wrong_step("record a fact check", CaseStatus::InitiallyAssessed),
    );
}

#[test]
fn fact_check_needs_findings() {
    let action = CaseAction::RecordFactCheck(FactCheck {
        confirmed: true,
        findings: "  ".to_string(),
    });
    expect_error(
        h_received(),
        cmd(worker(), T_FACT, action),
        CaseError::MissingField("findings"),
    );
}

// ---------- 3 initial risk assessment ----------

#[test]
fn initial_assessment_after_confirmed_fact_check() {
    expect_event(
        h_fact_checked(),
        cmd(worker(), T_INITIAL, initial_assessment(true)),
        ev_initial(true),
    );
    let mut h = h_fact_checked();
    h.push(ev_initial(true));
    let case = state(&h);
    assert_eq!(case.status, CaseStatus::InitiallyAssessed);
    assert_eq!(case.overall_risk, Some(RiskLevel::High));
    assert_eq!(case.protection_level, Some(ProtectionLevel::Intervention));
    assert_eq!(case.emergency_needed, Some(true));
    assert_eq!(case.initial_assessed_at, Some(hours(T_INITIAL)));
}

#[test]
fn initial_assessment_needs_a_confirmed_fact_check() {
    expect_error(
        h_unconfirmed(),
        cmd(worker(), T_INITIAL, initial_assessment(false)),
        CaseError::FactNotConfirmed,
    );
    expect_error(
        h_received(),
        cmd(worker(), T_INITIAL, initial_assessment(false)),
        wrong_step("assess the initial risk", CaseStatus::Received),
    );
}

// ---------- 3a emergency measures ----------

#[test]
fn chairman_orders_emergency_measures_after_initial_assessment() {
    let mut h = h_fact_checked();
    h.push(ev_initial(true));
    expect_event(
        h,
        cmd(
            chairman(),
            T_EMERGENCY,
            CaseAction::OrderEmergencyMeasures(emergency_order()),
        ),
        ev_emergency(T_EMERGENCY),
    );
    assert_eq!(
        state(&h_initial()).emergency_ordered_at,
        Some(hours(T_EMERGENCY))
    );
}

#[test]
fn emergency_measures_later_in_the_process_are_allowed() {
    assert!(run(
        h_approved(),
        cmd(
            chairman(),
            T_LATER,
            CaseAction::OrderEmergencyMeasures(emergency_order())
        )
    )
    .is_ok());
}

#[test]
fn emergency_measures_before_initial_assessment_or_on_closed_case() {
    expect_error(
        h_fact_checked(),
        cmd(
            chairman(),
            T_INITIAL,
            CaseAction::OrderEmergencyMeasures(emergency_order()),
        ),
        wrong_step("order emergency measures", CaseStatus::FactChecked),
    );
    expect_error(
        h_closed(),
        cmd(
            chairman(),
            T_LATER,
            CaseAction::OrderEmergencyMeasures(emergency_order()),
        ),
        CaseError::CaseClosed,
    );
}

#[test]
fn emergency_order_field_rules() {
    type Edit = fn(&mut EmergencyOrder);
    let table: Vec<(Edit, CaseError)> = vec![
        (|o| o.measures.clear(), CaseError::MissingField("measures")),
        (
            |o| o.measures = vec![EmergencyMeasure::SafeShelter, EmergencyMeasure::SafeShelter],
            invalid("measures", "lists a measure twice"),
        ),
        (
            |o| o.measures = vec![EmergencyMeasure::Other],
            CaseError::MissingField("details"),
        ),
        (
            |o| o.decision_ref.clear(),
            CaseError::MissingField("decision_ref"),
        ),
    ];
    for (edit, err) in table {
        let mut o = emergency_order();
        edit(&mut o);
        expect_error(
            h_initial(),
            cmd(
                chairman(),
                T_EMERGENCY,
                CaseAction::OrderEmergencyMeasures(o),
            ),
            err,
        );
    }
}

// ---------- 4 specific assessment ----------

#[test]
fn specific_assessment_after_initial() {
    expect_event(
        h_initial(),
        cmd(
            worker(),
            T_SPECIFIC,
            CaseAction::AssessSpecificRisk(specific_assessment()),
        ),
        ev_specific(),
    );
    let case = state(&h_specific());
    assert_eq!(case.status, CaseStatus::SpecificallyAssessed);
    assert_eq!(case.overall_risk, Some(RiskLevel::Medium));
}

#[test]
fn specific_assessment_before_initial_is_wrong_step() {
    expect_error(
        h_fact_checked(),
        cmd(
            worker(),
            T_SPECIFIC,
            CaseAction::AssessSpecificRisk(specific_assessment()),
        ),
        wrong_step("assess the specific risk", CaseStatus::FactChecked),
    );
}

#[test]
fn specific_assessment_field_rules() {
    type Edit = fn(&mut SpecificAssessment);
    let table: Vec<(Edit, CaseError)> = vec![
        (|a| a.needs.clear(), CaseError::MissingField("needs")),
        (
            |a| a.needs = vec![String::new()],
            invalid("needs", "contains an empty entry"),
        ),
        (
            |a| a.minutes.participants.clear(),
            CaseError::MissingField("minutes.participants"),
        ),
        (
            |a| a.minutes.summary.clear(),
            CaseError::MissingField("minutes.summary"),
        ),
        (
            |a| a.minutes.held_at = hours(T_SPECIFIC + 1),
            invalid("minutes.held_at", "is after the action time"),
        ),
    ];
    for (edit, err) in table {
        let mut a = specific_assessment();
        edit(&mut a);
        expect_error(
            h_initial(),
            cmd(worker(), T_SPECIFIC, CaseAction::AssessSpecificRisk(a)),
            err,
        );
    }
}

// ---------- 5 plan ----------

#[test]
fn plan_drafted_after_specific_assessment_gets_version_1() {
    expect_event(
        h_specific(),
        cmd(worker(), T_DRAFT, CaseAction::DraftPlan(plan_draft())),
        ev_draft(1, T_DRAFT),
    );
    let case = state(&h_drafted());
    assert_eq!(case.status, CaseStatus::PlanDrafted);
    assert_eq!(case.plan_version, 1);
    assert_eq!(case.plan_drafted_at, Some(hours(T_DRAFT)));
}

#[test]
fn plan_cannot_be_drafted_before_specific_assessment() {
    expect_error(
        h_initial(),
        cmd(worker(), T_DRAFT, CaseAction::DraftPlan(plan_draft())),
        wrong_step("draft a plan", CaseStatus::InitiallyAssessed),
    );
    expect_error(
        h_approved(),
        cmd(worker(), T_LATER, CaseAction::DraftPlan(plan_draft())),
        wrong_step("draft a plan", CaseStatus::PlanApproved),
    );
}

#[test]
fn plan_redrafted_after_send_back_gets_version_2() {
    expect_event(
        h_sent_back(),
        cmd(worker(), T_DRAFT + 5, CaseAction::DraftPlan(plan_draft())),
        ev_draft(2, T_DRAFT + 5),
    );
    assert_eq!(state(&h_sent_back()).status, CaseStatus::PlanSentBack);
}

#[test]
fn new_plan_after_review_needing_it() {
    let case = state(&h_needs_new_plan());
    assert_eq!(case.status, CaseStatus::NeedsNewPlan);
    assert_eq!(case.last_review_outcome, Some(ReviewOutcome::NeedsNewPlan));
    expect_event(
        h_needs_new_plan(),
        cmd(worker(), T_REVIEW + 1, CaseAction::DraftPlan(plan_draft())),
        ev_draft(2, T_REVIEW + 1),
    );
}

#[test]
fn plan_field_rules() {
    type Edit = fn(&mut PlanDraft);
    let table: Vec<(Edit, CaseError)> = vec![
        (
            |p| p.objectives.clear(),
            CaseError::MissingField("objectives"),
        ),
        (
            |p| p.objectives = vec![" ".into()],
            invalid("objectives", "contains an empty entry"),
        ),
        (
            |p| p.services[0].provider.clear(),
            CaseError::MissingField("services.provider"),
        ),
        (
            |p| p.review_date = date(2025, 9, 2),
            invalid("review_date", "is before the day the plan is drafted"),
        ),
    ];
    for (edit, err) in table {
        let mut p = plan_draft();
        edit(&mut p);
        expect_error(
            h_specific(),
            cmd(worker(), T_DRAFT, CaseAction::DraftPlan(p)),
            err,
        );
    }
}

// ---------- 6 approval ----------

#[test]
fn chairman_approves_the_drafted_plan() {
    expect_event(
        h_drafted(),
        cmd(chairman(), T_APPROVE, approve(1)),
        ev_approved(1, T_APPROVE),
    );
    let case = state(&h_approved());
    assert_eq!(case.status, CaseStatus::PlanApproved);
    assert_eq!(case.approved_plan_version, Some(1));
    assert_eq!(case.plan_approved_at, Some(hours(T_APPROVE)));
}

#[test]
fn chairman_sends_back_the_drafted_plan() {
    expect_event(
        h_drafted(),
        cmd(chairman(), T_DRAFT + 2, send_back(1)),
        ev_sent_back(1, T_DRAFT + 2),
    );
    let empty = CaseAction::SendBackPlan(PlanSendBack {
        plan_version: 1,
        reason: String::new(),
    });
    expect_error(
        h_drafted(),
        cmd(chairman(), T_APPROVE, empty),
        CaseError::MissingField("reason"),
    );
}

#[test]
fn approval_needs_a_plan_awaiting_approval_with_that_version() {
    expect_error(
        h_specific(),
        cmd(chairman(), T_APPROVE, approve(1)),
        wrong_step("approve a plan", CaseStatus::SpecificallyAssessed),
    );
    expect_error(
        h_sent_back(),
        cmd(chairman(), T_APPROVE, approve(1)),
        wrong_step("approve a plan", CaseStatus::PlanSentBack),
    );
    expect_error(
        h_approved(),
        cmd(chairman(), T_APPROVE, approve(1)),
        wrong_step("approve a plan", CaseStatus::PlanApproved),
    );
    expect_error(
        h_drafted(),
        cmd(chairman(), T_APPROVE, approve(2)),
        CaseError::WrongPlanVersion {
            expected: 1,
            given: 2,
        },
    );
    let no_ref = CaseAction::ApprovePlan(PlanApproval {
        plan_version: 1,
        decision_ref: String::new(),
    });
    expect_error(
        h_drafted(),
        cmd(chairman(), T_APPROVE, no_ref),
        CaseError::MissingField("decision_ref"),
    );
}

// ---------- 7 services and referrals ----------

#[test]
fn services_under_an_approved_plan() {
    let at = T_APPROVE + 25;
    let s = service();
    expect_event(
        h_approved(),
        cmd(worker(), at, CaseAction::RecordService(s.clone())),
        CaseEvent::ServiceRecorded {
            at: hours(at),
            kind: s.kind,
            provider: s.provider,
            delivered_at: s.delivered_at,
            notes: s.notes,
        },
    );
    // The old plan stays in force while a new one is drafted.
    assert!(run(
        h_needs_new_plan(),
        cmd(worker(), T_LATER, CaseAction::RecordService(service()))
    )
    .is_ok());
}

#[test]
fn services_need_an_approved_plan() {
    expect_error(
        h_drafted(),
        cmd(worker(), T_APPROVE, CaseAction::RecordService(service())),
        CaseError::NoApprovedPlan,
    );
    expect_error(
        h_reopened(),
        cmd(worker(), T_LATER, CaseAction::RecordService(service())),
        CaseError::NoApprovedPlan,
    );
    expect_error(
        h_closed(),
        cmd(worker(), T_LATER, CaseAction::RecordService(service())),
        CaseError::CaseClosed,
    );
}

#[test]
fn service_field_rules() {
    type Edit = fn(&mut ServiceDelivery);
    let table: Vec<(Edit, CaseError)> = vec![
        (|s| s.provider.clear(), CaseError::MissingField("provider")),
        (
            |s| s.delivered_at = hours(T_LATER + 1),
            invalid("delivered_at", "is after the action time"),
        ),
        (
            |s| s.delivered_at = hours(-1),
            invalid("delivered_at", "is before the report was received"),
        ),
    ];
    for (edit, err) in table {
        let mut s = service();
        edit(&mut s);
        expect_error(
            h_approved(),
            cmd(worker(), T_LATER, CaseAction::RecordService(s)),
            err,
        );
    }
}

#[test]
fn referrals_from_intake_on_by_worker_or_hotline() {
    let r = referral();
    expect_event(
        h_received(),
        cmd(hotline(), T_FACT, CaseAction::RecordReferral(r.clone())),
        CaseEvent::ReferralRecorded {
            at: hours(T_FACT),
            direction: r.direction,
            agency: r.agency,
            reason: r.reason,
        },
    );
    assert!(run(
        h_approved(),
        cmd(worker(), T_LATER, CaseAction::RecordReferral(referral()))
    )
    .is_ok());
    let mut empty = referral();
    empty.agency.clear();
    expect_error(
        h_approved(),
        cmd(worker(), T_LATER, CaseAction::RecordReferral(empty)),
        CaseError::MissingField("agency"),
    );
    let mut no_reason = referral();
    no_reason.reason.clear();
    expect_error(
        h_approved(),
        cmd(worker(), T_LATER, CaseAction::RecordReferral(no_reason)),
        CaseError::MissingField("reason"),
    );
}

// ---------- 8 review ----------

#[test]
fn review_after_approval() {
    expect_event(
        h_approved(),
        cmd(worker(), T_REVIEW, review(ReviewOutcome::SafeAndStable)),
        ev_review(ReviewOutcome::SafeAndStable, T_REVIEW),
    );
    let case = state(&h_stable());
    assert_eq!(case.status, CaseStatus::ReviewedStable);
    assert_eq!(case.reviews_count, 1);
    // A later review may still find a new plan is needed.
    assert!(run(
        h_stable(),
        cmd(worker(), T_LATER, review(ReviewOutcome::NeedsNewPlan))
    )
    .is_ok());
}

#[test]
fn review_needs_an_approved_plan() {
    expect_error(
        h_drafted(),
        cmd(worker(), T_REVIEW, review(ReviewOutcome::SafeAndStable)),
        CaseError::NoApprovedPlan,
    );
    expect_error(
        h_needs_new_plan(),
        cmd(worker(), T_LATER, review(ReviewOutcome::SafeAndStable)),
        wrong_step("record a review", CaseStatus::NeedsNewPlan),
    );
}

#[test]
fn review_field_rules() {
    let empty = CaseAction::RecordReview(Review {
        outcome: ReviewOutcome::SafeAndStable,
        participants: vec![],
        summary: "x".into(),
    });
    expect_error(
        h_approved(),
        cmd(worker(), T_REVIEW, empty),
        CaseError::MissingField("participants"),
    );
    let no_summary = CaseAction::RecordReview(Review {
        outcome: ReviewOutcome::SafeAndStable,
        participants: vec!["a".into()],
        summary: String::new(),
    });
    expect_error(
        h_approved(),
        cmd(worker(), T_REVIEW, no_summary),
        CaseError::MissingField("summary"),
    );
}

// ---------- 9 close and reopen ----------

#[test]
fn chairman_closes_after_stable_review() {
    expect_event(
        h_stable(),
        cmd(chairman(), T_CLOSE, close(CloseReason::SafeAndStable)),
        ev_closed(CloseReason::SafeAndStable, T_CLOSE),
    );
    let case = state(&h_closed());
    assert_eq!(case.status, CaseStatus::Closed);
    assert_eq!(case.closed_at, Some(hours(T_CLOSE)));
    assert_eq!(case.close_reason, Some(CloseReason::SafeAndStable));
}

#[test]
fn cannot_close_before_a_stable_review() {
    for h in [
        h_approved(),
        h_drafted(),
        h_needs_new_plan(),
        h_fact_checked(),
    ] {
        expect_error(
            h,
            cmd(chairman(), T_LATER, close(CloseReason::SafeAndStable)),
            CaseError::NoStableReview,
        );
    }
    // A new plan approved after the stable review needs its own review.
    let mut h = h_stable();
    h.push(ev_review(ReviewOutcome::NeedsNewPlan, T_REVIEW + 1));
    h.push(ev_draft(2, T_REVIEW + 2));
    h.push(ev_approved(2, T_REVIEW + 3));
    expect_error(
        h,
        cmd(chairman(), T_LATER, close(CloseReason::SafeAndStable)),
        CaseError::NoStableReview,
    );
}

#[test]
fn close_other_needs_stable_review_and_note() {
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, close(CloseReason::Other)),
        CaseError::NoStableReview,
    );
    expect_error(
        h_stable(),
        cmd(chairman(), T_LATER, close(CloseReason::Other)),
        CaseError::MissingField("note"),
    );
    let with_note = CaseAction::CloseCase(Closure {
        reason: CloseReason::Other,
        decision_ref: "QĐ 31".into(),
        note: "Gia đình chuyển ra nước ngoài".into(),
    });
    assert!(run(h_stable(), cmd(chairman(), T_LATER, with_note)).is_ok());
}

#[test]
fn close_as_unfounded_only_after_unconfirmed_fact_check() {
    expect_event(
        h_unconfirmed(),
        cmd(chairman(), T_FACT + 1, close(CloseReason::Unfounded)),
        ev_closed(CloseReason::Unfounded, T_FACT + 1),
    );
    expect_error(
        h_fact_checked(),
        cmd(chairman(), T_FACT + 1, close(CloseReason::Unfounded)),
        CaseError::NotUnfounded,
    );
    expect_error(
        h_received(),
        cmd(chairman(), T_FACT + 1, close(CloseReason::Unfounded)),
        CaseError::NotUnfounded,
    );
}

#[test]
fn close_when_child_turned_16() {
    // A child born on 10 September 2009, reported at 15, turns 16 during the case.
    let mut given = vec![ev_intake()];
    if let CaseEvent::IntakeRecorded { date_of_birth, .. } = &mut given[0] {
        *date_of_birth = Some(date(2009, 9, 10));
    }
    // 10 September 2025 in Vietnam begins at 17:00 UTC on the 9th.
    let birthday = Utc
        .with_ymd_and_hms(2025, 9, 9, 17, 0, 0)
        .single()
        .expect("time");
    let at_hours = (birthday - t0()).num_hours();
    expect_event(
        given.clone(),
        cmd(chairman(), at_hours, close(CloseReason::ChildTurned16)),
        ev_closed(CloseReason::ChildTurned16, at_hours),
    );
    expect_error(
        given,
        cmd(chairman(), at_hours - 1, close(CloseReason::ChildTurned16)),
        CaseError::ChildNotYet16,
    );
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, close(CloseReason::ChildTurned16)),
        CaseError::ChildNotYet16,
    );
}

#[test]
fn close_needs_decision_ref_and_cannot_repeat() {
    let no_ref = CaseAction::CloseCase(Closure {
        reason: CloseReason::SafeAndStable,
        decision_ref: String::new(),
        note: String::new(),
    });
    expect_error(
        h_stable(),
        cmd(chairman(), T_CLOSE, no_ref),
        CaseError::MissingField("decision_ref"),
    );
    expect_error(
        h_closed(),
        cmd(chairman(), T_LATER, close(CloseReason::SafeAndStable)),
        CaseError::CaseClosed,
    );
}

#[test]
fn reopen_a_closed_case() {
    expect_event(
        h_closed(),
        cmd(chairman(), T_CLOSE + 24, reopen()),
        ev_reopened(T_CLOSE + 24),
    );
    let case = state(&h_reopened());
    assert_eq!(case.status, CaseStatus::Reopened);
    assert_eq!(case.closed_at, None);
    assert_eq!(case.approved_plan_version, None);
    assert_eq!(case.reopened_count, 1);
    assert_eq!(case.plan_version, 1);
    expect_error(
        h_approved(),
        cmd(chairman(), T_LATER, reopen()),
        CaseError::NotClosed,
    );
    let empty = CaseAction::ReopenCase(Reopening { reason: " ".into() });
    expect_error(
        h_closed(),
        cmd(chairman(), T_LATER, empty),
        CaseError::MissingField("reason"),
    );
}

#[test]
fn after_reopening_specific_assessment_or_new_plan() {
    expect_event(
        h_reopened(),
        cmd(worker(), T_LATER, CaseAction::DraftPlan(plan_draft())),
        ev_draft(2, T_LATER),
    );
    let mut a = specific_assessment();
    a.minutes.held_at = hours(T_LATER);
    assert!(run(
        h_reopened(),
        cmd(worker(), T_LATER, CaseAction::AssessSpecificRisk(a))
    )
    .is_ok());
    expect_error(
        h_reopened(),
        cmd(chairman(), T_LATER, close(CloseReason::SafeAndStable)),
        CaseError::NoStableReview,
    );
}

#[test]
fn reopened_unfounded_case_starts_with_a_new_fact_check() {
    let mut h = h_unconfirmed();
    h.push(ev_closed(CloseReason::Unfounded, T_FACT + 1));
    h.push(ev_reopened(T_FACT + 10));
    assert!(run(h.clone(), cmd(worker(), T_FACT + 11, fact_check(true))).is_ok());
    expect_error(
        h,
        cmd(worker(), T_FACT + 11, CaseAction::DraftPlan(plan_draft())),
        wrong_step("draft a plan", CaseStatus::Reopened),
    );
}

#[test]
fn closed_case_refuses_process_steps() {
    for (actor, action) in [
        (worker(), fact_check(true)),
        (worker(), CaseAction::DraftPlan(plan_draft())),
        (worker(), review(ReviewOutcome::SafeAndStable)),
        (worker(), CaseAction::RecordReferral(referral())),
        (chairman(), approve(1)),
        (
            chairman(),
            CaseAction::TransferCase(Transfer {
                to: hai_ninh(),
                reason: "x".into(),
            }),
        ),
        (
            chairman(),
            CaseAction::ReassignWorker(Reassignment {
                to_officer: "w-2".into(),
                reason: "x".into(),
            }),
        ),
        (
            worker(),
            CaseAction::LinkCase(CaseLink {
                other_case_id: "case-2".into(),
                relation: CaseRelation::Sibling,
            }),
        ),
    ] {
        expect_error(
            h_closed(),
            cmd(actor, T_LATER, action),
            CaseError::CaseClosed,
        );
    }
}

#[test]
fn full_history_state() {
    let case = state(&h_closed());
    assert_eq!(case.events_applied, h_closed().len() as u64);
    assert_eq!(case.last_event_at, Some(hours(T_CLOSE)));
    assert_eq!(case.last_review_outcome, Some(ReviewOutcome::SafeAndStable));
    assert_eq!(case.emergency_ordered_at, Some(hours(T_EMERGENCY)));
    assert_eq!(case.specific_assessed_at, Some(hours(T_SPECIFIC)));
}
