//! Legal deadlines: the next one due and the ones missed, at chosen times. Times
//! are placed relative to `calendar::deadlines`, so the tests hold for any
//! holiday calendar.

use super::*;

fn d() -> calendar::Deadlines {
    calendar::deadlines(t0())
}

/// The same event, happening at `t`.
fn at(event: CaseEvent, t: DateTime<Utc>) -> CaseEvent {
    let mut v = serde_json::to_value(&event).expect("serializes");
    v["at"] = serde_json::to_value(t).expect("serializes");
    serde_json::from_value(v).expect("deserializes")
}

fn minutes_from(t: DateTime<Utc>, m: i64) -> DateTime<Utc> {
    t + Duration::minutes(m)
}

#[test]
fn standard_history_meets_every_deadline() {
    assert!(hours(T_EMERGENCY) <= d().emergency);
    assert!(hours(T_DRAFT) <= d().plan);
    assert!(hours(T_APPROVE) <= d().approval);
    assert_eq!(
        state(&h_approved()).missed_deadlines(hours(T_LATER)),
        vec![]
    );
    assert_eq!(state(&h_closed()).missed_deadlines(hours(T_LATER)), vec![]);
}

#[test]
fn next_deadline_follows_the_process() {
    type Next = Option<(DeadlineKind, DateTime<Utc>)>;
    let table: Vec<(Vec<CaseEvent>, Next)> = vec![
        (vec![], None),
        (h_received(), Some((DeadlineKind::Emergency, d().emergency))),
        (
            h_fact_checked(),
            Some((DeadlineKind::Emergency, d().emergency)),
        ),
        (h_initial(), Some((DeadlineKind::Plan, d().plan))),
        (h_specific(), Some((DeadlineKind::Plan, d().plan))),
        (h_drafted(), Some((DeadlineKind::Approval, d().approval))),
        (h_sent_back(), Some((DeadlineKind::Approval, d().approval))),
        (h_approved(), None),
        (h_closed(), None),
    ];
    for (h, expected) in table {
        assert_eq!(
            state(&h).next_deadline(),
            expected,
            "after {} events",
            h.len()
        );
    }
}

#[test]
fn emergency_needed_is_met_only_by_an_emergency_order() {
    let mut h = h_fact_checked();
    h.push(ev_initial(true));
    let case = state(&h);
    assert_eq!(
        case.next_deadline(),
        Some((DeadlineKind::Emergency, d().emergency))
    );
    assert_eq!(
        case.missed_deadlines(minutes_from(d().emergency, -1)),
        vec![]
    );
    assert_eq!(
        case.missed_deadlines(minutes_from(d().emergency, 1)),
        vec![DeadlineKind::Emergency]
    );
}

#[test]
fn no_emergency_needed_is_met_by_the_initial_assessment() {
    let mut h = h_fact_checked();
    h.push(ev_initial(false));
    let case = state(&h);
    assert_eq!(case.next_deadline(), Some((DeadlineKind::Plan, d().plan)));
    assert_eq!(case.missed_deadlines(minutes_from(d().plan, -1)), vec![]);
    assert_eq!(
        case.missed_deadlines(minutes_from(d().plan, 1)),
        vec![DeadlineKind::Plan]
    );
}

#[test]
fn late_steps_are_missed_even_when_done() {
    let h = vec![
        ev_intake(),
        ev_fact(true),
        at(ev_initial(true), minutes_from(d().emergency, -30)),
        at(ev_emergency(0), minutes_from(d().emergency, 1)),
        at(ev_specific(), minutes_from(d().emergency, 2)),
        at(ev_draft(1, 0), minutes_from(d().plan, 1)),
        at(ev_approved(1, 0), minutes_from(d().approval, 1)),
    ];
    let case = state(&h);
    assert_eq!(case.next_deadline(), None);
    assert_eq!(
        case.missed_deadlines(minutes_from(d().approval, 60)),
        vec![
            DeadlineKind::Emergency,
            DeadlineKind::Plan,
            DeadlineKind::Approval
        ]
    );
}

#[test]
fn steps_exactly_at_the_deadline_are_met() {
    let h = vec![
        ev_intake(),
        ev_fact(true),
        at(ev_initial(false), d().emergency),
        at(ev_specific(), d().emergency),
        at(ev_draft(1, 0), d().plan),
        at(ev_approved(1, 0), d().approval),
    ];
    assert_eq!(
        state(&h).missed_deadlines(minutes_from(d().approval, 60)),
        vec![]
    );
}

#[test]
fn open_case_misses_deadlines_as_time_passes() {
    let case = state(&h_received());
    let table = [
        (minutes_from(d().emergency, -1), vec![]),
        (
            minutes_from(d().emergency, 1),
            vec![DeadlineKind::Emergency],
        ),
        (
            minutes_from(d().plan, 1),
            vec![DeadlineKind::Emergency, DeadlineKind::Plan],
        ),
        (
            minutes_from(d().approval, 1),
            vec![
                DeadlineKind::Emergency,
                DeadlineKind::Plan,
                DeadlineKind::Approval,
            ],
        ),
    ];
    for (now, expected) in table {
        assert_eq!(case.missed_deadlines(now), expected, "at {now}");
    }
}

#[test]
fn closed_unfounded_case_has_no_deadlines() {
    let mut h = h_unconfirmed();
    h.push(at(
        ev_closed(CloseReason::Unfounded, 0),
        minutes_from(d().emergency, 60),
    ));
    let case = state(&h);
    assert_eq!(case.next_deadline(), None);
    assert_eq!(
        case.missed_deadlines(minutes_from(d().approval, 60)),
        vec![]
    );
}

#[test]
fn not_opened_case_has_no_deadlines() {
    let case = Case::default();
    assert_eq!(case.next_deadline(), None);
    assert_eq!(case.missed_deadlines(t0()), vec![]);
}
