//! Every event variant and the commands round-trip through serde_json, with the
//! expected tags and names.

use cqrs_es::DomainEvent;

use super::*;

fn every_event() -> Vec<CaseEvent> {
    let mut events = h_closed();
    events.push(ev_sent_back(1, T_DRAFT + 2));
    events.push(ev_reopened(T_LATER));
    events.extend([
        CaseEvent::ServiceRecorded {
            at: hours(T_LATER),
            kind: ServiceKind::LegalAid,
            provider: "Trung tâm trợ giúp pháp lý".into(),
            delivered_at: hours(T_LATER),
            notes: String::new(),
        },
        CaseEvent::ReferralRecorded {
            at: hours(T_LATER),
            direction: ReferralDirection::From,
            agency: "Tổng đài 111".into(),
            reason: "Chuyển gửi về xã".into(),
        },
        CaseEvent::CaseTransferred {
            at: hours(T_LATER),
            from: song_tri(),
            to: anh_son(),
            reason: "r".into(),
        },
        CaseEvent::WorkerReassigned {
            at: hours(T_LATER),
            from: None,
            to: "w-2".into(),
            reason: "r".into(),
        },
        CaseEvent::NoteAdded {
            at: hours(T_LATER),
            kind: NoteKind::FollowUpVisit,
            text: "t".into(),
        },
        CaseEvent::AttachmentAdded {
            at: hours(T_LATER),
            sha256: SHA.into(),
            size_bytes: 1,
            media_type: "image/jpeg".into(),
            file_name: "a.jpg".into(),
            description: String::new(),
        },
        CaseEvent::CaseLinked {
            at: hours(T_LATER),
            other_case_id: "case-2".into(),
            relation: CaseRelation::Sibling,
        },
        CaseEvent::EventCorrected {
            at: hours(T_LATER),
            corrects_sequence: 3,
            reason: "r".into(),
            correction: "c".into(),
        },
    ]);
    events
}

#[test]
fn every_event_variant_round_trips() {
    let events = every_event();
    let mut names: Vec<String> = events.iter().map(|e| e.event_type()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 19, "every variant is covered: {names:?}");
    for e in events {
        let json = serde_json::to_string(&e).expect("serializes");
        assert!(
            !has_float(&serde_json::from_str(&json).expect("json")),
            "{json}"
        );
        let back: CaseEvent = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, e, "{json}");
        assert_eq!(e.event_version(), "1");
    }
}

fn has_float(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(a) => a.iter().any(has_float),
        serde_json::Value::Object(o) => o.values().any(has_float),
        _ => false,
    }
}

#[test]
fn event_json_shape() {
    let v = serde_json::to_value(ev_intake()).expect("serializes");
    assert_eq!(v["type"], "intake_recorded");
    assert_eq!(v["source"], "hotline_111");
    assert_eq!(v["harm_types"], serde_json::json!(["violence", "neglect"]));
    assert_eq!(v["commune"]["structure"], "2025");
    assert_eq!(ev_intake().event_type(), "IntakeRecorded");
    let closed = serde_json::to_value(ev_closed(CloseReason::ChildTurned16, 1)).expect("ok");
    assert_eq!(closed["reason"], "child_turned_16");
    assert_eq!(closed["type"], "case_closed");
}

#[test]
fn commands_round_trip_and_reject_unknown_fields() {
    let c = cmd(hotline(), T_INTAKE, CaseAction::RecordIntake(intake()));
    let json = serde_json::to_value(&c).expect("serializes");
    assert_eq!(json["action"]["type"], "record_intake");
    let back: CaseCommand = serde_json::from_value(json.clone()).expect("deserializes");
    assert_eq!(back, c);

    let mut extra = json;
    extra["action"]["unexpected"] = serde_json::json!(1);
    assert!(serde_json::from_value::<CaseCommand>(extra).is_err());

    let from_api = serde_json::json!({
        "actor": {"officer_id": "w-songtri", "role": "commune_worker",
                  "unit": {"level": "commune", "province": 42, "commune": 18754}},
        "at": "2025-09-01T03:00:00Z",
        "action": {"type": "record_fact_check", "confirmed": true, "findings": "ok"}
    });
    let parsed: CaseCommand = serde_json::from_value(from_api).expect("deserializes");
    assert_eq!(parsed.actor, worker());
    assert_eq!(parsed.action, fact_check(true).with_findings("ok"));
}

trait WithFindings {
    fn with_findings(self, f: &str) -> Self;
}

impl WithFindings for CaseAction {
    fn with_findings(self, f: &str) -> Self {
        match self {
            CaseAction::RecordFactCheck(mut c) => {
                c.findings = f.to_string();
                CaseAction::RecordFactCheck(c)
            }
            other => other,
        }
    }
}

#[test]
fn state_round_trips() {
    let case = state(&h_closed());
    let json = serde_json::to_string(&case).expect("serializes");
    let back: Case = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, case);
    assert_eq!(
        serde_json::to_value(CaseStatus::PlanSentBack).expect("ok"),
        "plan_sent_back"
    );
    for s in CaseStatus::ALL {
        assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).expect("ok"), s.as_str());
    }
    for s in IntakeSource::ALL {
        assert_eq!(serde_json::to_value(s).expect("ok"), s.as_str());
    }
}
