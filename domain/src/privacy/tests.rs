//! The classification table against the events themselves: every field of every
//! event is classified, the table names no field that does not exist, every
//! event deserializes without its personal part, old payloads still read the
//! same, and `docs/personal-data.md` shows the same table.
//!
//! One file on purpose (over 600 lines): it walks every event type once, and the per-type cases belong next to the walk that checks them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use cqrs_es::DomainEvent;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::*;
use crate::access::{AccessEvent, RecordRead};
use crate::calendar;
use crate::case::*;
use crate::child::{Address, ChildEvent, CircumstanceGroup, HouseholdStatus, Sex};
use crate::common::{CommuneRef, HarmType, ProtectionLevel, RiskLevel, Role, Structure, Unit};
use crate::officer::OfficerEvent;

const DOCS: &str = include_str!("../../../docs/personal-data.md");

fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, h, 0, 0).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A pre-2025 commune, so that `district` is present too.
fn old_commune() -> CommuneRef {
    CommuneRef {
        structure: Structure::Pre2025,
        province: 42,
        district: Some(436),
        commune: 18754,
    }
}

fn s(x: &str) -> String {
    x.to_string()
}

fn factors() -> RiskFactors {
    RiskFactors {
        severity_of_harm: RiskLevel::High,
        abuser_access: RiskLevel::Medium,
        care_environment_obstacles: RiskLevel::Low,
        child_capacity: RiskLevel::High,
    }
}

fn address() -> Address {
    Address {
        commune: old_commune(),
        detail: s("Số 5 Hàng Bạc"),
    }
}

/// One of every `CaseEvent` variant, every optional field filled, every list
/// non-empty.
fn case_samples() -> Vec<CaseEvent> {
    let all = vec![
        CaseEvent::IntakeRecorded {
            at: t(1),
            child_id: s("TE-1"),
            date_of_birth: Some(d(2015, 3, 10)),
            commune: old_commune(),
            source: IntakeSource::Other,
            source_description: Some(s("Người bán hàng ở chợ")),
            reporter: Some(Reporter {
                name: s("Nguyễn Văn An"),
                phone: Some(s("0912345678")),
                relation: s("hàng xóm"),
            }),
            description: s("Trẻ bị đánh"),
            harm_types: vec![HarmType::Violence, HarmType::Neglect],
            received_at: t(0),
            responsible_worker: Some(s("w-1")),
            deadlines: calendar::deadlines(t(0)),
        },
        CaseEvent::FactChecked {
            at: t(2),
            confirmed: true,
            findings: s("Xác minh tại gia đình"),
        },
        CaseEvent::InitialRiskAssessed {
            at: t(3),
            factors: factors(),
            overall: RiskLevel::High,
            emergency_needed: true,
            protection_level: ProtectionLevel::Intervention,
            notes: s("Trẻ có vết bầm"),
        },
        CaseEvent::EmergencyMeasuresOrdered {
            at: t(4),
            measures: vec![
                EmergencyMeasure::TemporarySeparation,
                EmergencyMeasure::Other,
            ],
            details: s("Ở nhà bà ngoại"),
            decision_ref: s("QĐ 12/QĐ-UBND"),
        },
        CaseEvent::SpecificRiskAssessed {
            at: t(5),
            factors: factors(),
            overall: RiskLevel::Medium,
            protection_level: ProtectionLevel::Support,
            needs: vec![s("tư vấn tâm lý")],
            minutes: NeedsMeetingMinutes {
                held_at: t(4),
                participants: vec![s("mẹ của trẻ")],
                summary: s("Xác định nhu cầu"),
            },
        },
        CaseEvent::PlanDrafted {
            at: t(6),
            version: 1,
            objectives: vec![s("Trẻ an toàn")],
            services: vec![PlannedService {
                kind: ServiceKind::Psychological,
                provider: s("Bà Lê Thị Hoa, tư vấn viên"),
                due: Some(d(2025, 9, 30)),
            }],
            review_date: d(2025, 12, 1),
        },
        CaseEvent::PlanApproved {
            at: t(7),
            version: 1,
            decision_ref: s("QĐ 15/QĐ-UBND"),
        },
        CaseEvent::PlanSentBack {
            at: t(7),
            version: 1,
            reason: s("Thiếu dịch vụ y tế"),
        },
        CaseEvent::ServiceRecorded {
            at: t(8),
            kind: ServiceKind::Healthcare,
            provider: s("Bác sĩ Trần"),
            delivered_at: t(8),
            notes: s("Khám lần đầu"),
        },
        CaseEvent::ReferralRecorded {
            at: t(8),
            direction: ReferralDirection::To,
            agency: s("Bệnh viện đa khoa tỉnh"),
            reason: s("Khám sức khỏe"),
        },
        CaseEvent::ReviewRecorded {
            at: t(9),
            outcome: ReviewOutcome::SafeAndStable,
            participants: vec![s("giáo viên chủ nhiệm")],
            summary: s("Trẻ ổn định"),
        },
        CaseEvent::CaseClosed {
            at: t(10),
            reason: CloseReason::Other,
            decision_ref: s("QĐ 30/QĐ-UBND"),
            note: s("Gia đình chuyển đi"),
        },
        CaseEvent::CaseReopened {
            at: t(11),
            reason: s("Có báo cáo mới"),
        },
        CaseEvent::CaseTransferred {
            at: t(12),
            from: old_commune(),
            to: old_commune(),
            reason: s("Gia đình chuyển nhà"),
        },
        CaseEvent::WorkerReassigned {
            at: t(12),
            from: Some(s("w-1")),
            to: s("w-2"),
            reason: s("Nghỉ phép"),
        },
        CaseEvent::NoteAdded {
            at: t(13),
            kind: NoteKind::FollowUpVisit,
            text: s("Thăm nhà"),
        },
        CaseEvent::AttachmentAdded {
            at: t(13),
            sha256: "ab".repeat(32),
            size_bytes: 2048,
            media_type: s("application/pdf"),
            file_name: s("nguyen-van-an.pdf"),
            description: s("Ảnh vết thương"),
        },
        CaseEvent::CaseLinked {
            at: t(14),
            other_case_id: s("HS-2"),
            relation: CaseRelation::Sibling,
        },
        CaseEvent::EventCorrected {
            at: t(14),
            corrects_sequence: 1,
            reason: s("Ghi sai"),
            correction: s("Ngày sinh là 11/3"),
        },
    ];
    // A new variant fails to compile here: add a sample above and a row to
    // the table (and to docs/personal-data.md).
    for e in &all {
        match e {
            CaseEvent::IntakeRecorded { .. }
            | CaseEvent::FactChecked { .. }
            | CaseEvent::InitialRiskAssessed { .. }
            | CaseEvent::EmergencyMeasuresOrdered { .. }
            | CaseEvent::SpecificRiskAssessed { .. }
            | CaseEvent::PlanDrafted { .. }
            | CaseEvent::PlanApproved { .. }
            | CaseEvent::PlanSentBack { .. }
            | CaseEvent::ServiceRecorded { .. }
            | CaseEvent::ReferralRecorded { .. }
            | CaseEvent::ReviewRecorded { .. }
            | CaseEvent::CaseClosed { .. }
            | CaseEvent::CaseReopened { .. }
            | CaseEvent::CaseTransferred { .. }
            | CaseEvent::WorkerReassigned { .. }
            | CaseEvent::NoteAdded { .. }
            | CaseEvent::AttachmentAdded { .. }
            | CaseEvent::CaseLinked { .. }
            | CaseEvent::EventCorrected { .. } => {}
        }
    }
    all
}

fn child_samples() -> Vec<ChildEvent> {
    let all = vec![
        ChildEvent::ChildRegistered {
            at: t(1),
            full_name: s("Nguyễn Văn An"),
            date_of_birth: Some(d(2015, 6, 1)),
            sex: Sex::Male,
            ethnicity: s("Tày"),
            personal_id: Some(s("001215012345")),
            address: address(),
            household_status: HouseholdStatus::Poor,
        },
        ChildEvent::ChildDetailsUpdated {
            at: t(2),
            full_name: Some(s("Nguyễn Văn Ân")),
            ethnicity: Some(s("Kinh")),
            personal_id: Some(s("001215012346")),
            address: Some(address()),
        },
        ChildEvent::HouseholdStatusChanged {
            at: t(3),
            status: HouseholdStatus::NearPoor,
            reason: s("Rà soát hộ nghèo 2025"),
        },
        ChildEvent::SpecialCircumstanceAdded {
            at: t(4),
            group: CircumstanceGroup::D,
            since: d(2020, 1, 1),
            note: s("Khuyết tật vận động"),
        },
        ChildEvent::SpecialCircumstanceEnded {
            at: t(5),
            group: CircumstanceGroup::D,
            until: d(2025, 1, 1),
            reason: s("Đã phục hồi"),
        },
        ChildEvent::PersonalDataErased {
            at: t(6),
            reason: s("Yêu cầu của người giám hộ"),
            decision_ref: s("QĐ 1/QĐ-XDL"),
        },
        ChildEvent::ConfirmedDistinct {
            at: t(7),
            other_child_id: s("TE-000000000002"),
            note: s("Khác cha mẹ"),
        },
        ChildEvent::MarkedDuplicate {
            at: t(8),
            of_child_id: s("TE-000000000001"),
            reason: s("Cùng cha mẹ, cùng địa chỉ"),
        },
    ];
    for e in &all {
        match e {
            ChildEvent::ChildRegistered { .. }
            | ChildEvent::ChildDetailsUpdated { .. }
            | ChildEvent::HouseholdStatusChanged { .. }
            | ChildEvent::SpecialCircumstanceAdded { .. }
            | ChildEvent::SpecialCircumstanceEnded { .. }
            | ChildEvent::PersonalDataErased { .. }
            | ChildEvent::ConfirmedDistinct { .. }
            | ChildEvent::MarkedDuplicate { .. } => {}
        }
    }
    all
}

fn officer_samples() -> Vec<OfficerEvent> {
    let unit = Unit::Commune {
        province: 1,
        commune: 70,
    };
    let all = vec![
        OfficerEvent::OfficerRegistered {
            at: t(1),
            full_name: s("Trần Thị Lan"),
            role: Role::CommuneWorker,
            unit,
            active_from: d(2025, 7, 1),
        },
        OfficerEvent::AssignmentChanged {
            at: t(2),
            role: Role::CommuneChairman,
            unit,
            from: d(2025, 8, 1),
            reason: s("QĐ điều động"),
        },
        OfficerEvent::OfficerDeactivated {
            at: t(3),
            from: d(2025, 9, 1),
            reason: s("Nghỉ thai sản"),
        },
        OfficerEvent::OfficerReactivated {
            at: t(4),
            from: d(2025, 10, 1),
        },
        OfficerEvent::TrainingRecorded {
            at: t(5),
            date: d(2025, 9, 1),
            organiser: s("Cục Trẻ em"),
            topics: vec![s("Quản lý trường hợp")],
            hours: Some(8),
        },
        OfficerEvent::OfficerPersonalDataErased {
            at: t(6),
            reason: s("Hết thời hạn lưu trữ"),
            decision_ref: s("QĐ 2/QĐ-XDL"),
        },
        OfficerEvent::ApiTokenIssued {
            at: t(7),
            token_id: s("0123456789abcdef"),
            label: s("Tổng đài 111"),
            expires_at: t(8),
        },
        OfficerEvent::ApiTokenRevoked {
            at: t(8),
            token_id: s("0123456789abcdef"),
            reason: s("Máy chủ tổng đài thay mới"),
        },
        OfficerEvent::PasswordReset {
            at: t(9),
            reason: s("Quên mật khẩu, đề nghị trực tiếp"),
        },
        OfficerEvent::PasswordSet {
            at: t(10),
            how: crate::officer::PasswordHow::Activated,
        },
    ];
    for e in &all {
        match e {
            OfficerEvent::OfficerRegistered { .. }
            | OfficerEvent::AssignmentChanged { .. }
            | OfficerEvent::OfficerDeactivated { .. }
            | OfficerEvent::OfficerReactivated { .. }
            | OfficerEvent::TrainingRecorded { .. }
            | OfficerEvent::OfficerPersonalDataErased { .. }
            | OfficerEvent::ApiTokenIssued { .. }
            | OfficerEvent::ApiTokenRevoked { .. }
            | OfficerEvent::PasswordReset { .. }
            | OfficerEvent::PasswordSet { .. } => {}
        }
    }
    all
}

fn access_samples() -> Vec<AccessEvent> {
    let all = vec![
        AccessEvent::RecordRead(RecordRead {
            at: t(1),
            subject_type: s("Case"),
            subject_id: s("HS-1"),
            subject_unit: Some(s("commune:42:18070")),
            what: s("case_list"),
            query: Some(s("status=received")),
            results: Some(3),
            reason: Some(s("Rà soát hồ sơ")),
            client_ip: Some(s("203.0.113.7")),
            request_id: Some(s("req-1")),
        }),
        AccessEvent::SignIn(crate::access::SignIn {
            at: t(2),
            outcome: crate::access::SignInOutcome::WrongPassword,
            method: s("password"),
            client_ip: Some(s("203.0.113.8")),
            request_id: Some(s("req-2")),
        }),
        AccessEvent::SessionEnded(crate::access::SessionEnded {
            at: t(3),
            token_id: s("0123456789abcdef"),
            how: s("signed_out"),
        }),
    ];
    for e in &all {
        match e {
            AccessEvent::RecordRead(_) | AccessEvent::SignIn(_) | AccessEvent::SessionEnded(_) => {}
        }
    }
    all
}

/// Every sample as (aggregate type, event type, payload).
fn samples() -> Vec<(&'static str, String, Value)> {
    fn json<T: serde::Serialize>(e: &T) -> Value {
        serde_json::to_value(e).unwrap()
    }
    let mut all = Vec::new();
    for e in case_samples() {
        all.push((CASE, e.event_type(), json(&e)));
    }
    for e in child_samples() {
        all.push((CHILD, e.event_type(), json(&e)));
    }
    for e in officer_samples() {
        all.push((OFFICER, e.event_type(), json(&e)));
    }
    for e in access_samples() {
        all.push((ACCESS, e.event_type().to_string(), json(&e)));
    }
    all
}

/// The payload deserialized as the event type of its aggregate, re-serialized.
fn reread(aggregate_type: &str, payload: &Value) -> Result<Value, String> {
    fn go<T: DeserializeOwned + serde::Serialize>(v: &Value) -> Result<Value, String> {
        let e: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
        Ok(serde_json::to_value(e).unwrap())
    }
    match aggregate_type {
        CASE => go::<CaseEvent>(payload),
        CHILD => go::<ChildEvent>(payload),
        OFFICER => go::<OfficerEvent>(payload),
        ACCESS => go::<AccessEvent>(payload),
        other => Err(format!("no event type for aggregate {other}")),
    }
}

#[test]
fn every_field_of_every_event_is_classified() {
    let mut unclassified = Vec::new();
    for (agg, ty, payload) in samples() {
        assert!(
            event_fields(agg, &ty).is_some(),
            "{agg} {ty} is not in privacy::EVENTS"
        );
        for path in leaf_paths(&payload) {
            if classify(agg, &ty, &path).is_none() {
                unclassified.push(format!("{agg} {ty} {path}"));
            }
        }
    }
    assert!(
        unclassified.is_empty(),
        "fields missing from privacy::EVENTS (classify each as public or personal):\n{}",
        unclassified.join("\n")
    );
}

#[test]
fn every_path_of_the_table_exists_in_an_event() {
    let mut leaves: BTreeMap<(&str, String), BTreeSet<String>> = BTreeMap::new();
    for (agg, ty, payload) in samples() {
        leaves
            .entry((agg, ty))
            .or_default()
            .extend(leaf_paths(&payload));
    }
    let mut seen = BTreeSet::new();
    for e in EVENTS {
        assert!(
            seen.insert((e.aggregate_type, e.event_type)),
            "{} {} is twice in the table",
            e.aggregate_type,
            e.event_type
        );
        let Some(paths) = leaves.get(&(e.aggregate_type, e.event_type.to_string())) else {
            panic!(
                "{} {} is in the table but no such event exists (or it has no sample)",
                e.aggregate_type, e.event_type
            );
        };
        for p in e.public.iter().chain(e.personal) {
            assert!(
                paths.contains(*p),
                "{} {} has no field {p} (stale entry in privacy::EVENTS)",
                e.aggregate_type,
                e.event_type
            );
            assert!(!ENVELOPE.contains(p), "{p} is always public");
        }
        for p in e.personal {
            assert!(
                !e.public.contains(p),
                "{} {} lists {p} as both public and personal",
                e.aggregate_type,
                e.event_type
            );
        }
    }
    for (agg, _) in leaves.keys() {
        assert!(
            subject_rule(agg).is_some(),
            "{agg} has no data subject rule"
        );
    }
}

#[test]
fn free_texts_and_identities_are_personal() {
    // Field names that are free text or identify a person wherever they occur,
    // except where the field is a code or must stay readable after erasure.
    let personal_names = [
        "full_name",
        "name",
        "date_of_birth",
        "ethnicity",
        "personal_id",
        "detail",
        "phone",
        "description",
        "source_description",
        "findings",
        "notes",
        "note",
        "details",
        "needs",
        "objectives",
        "reason",
        "summary",
        "text",
        "correction",
        "participants",
        "provider",
        "file_name",
        "client_ip",
    ];
    let public_by_design = [
        // A `CloseReason` code.
        ("CaseClosed", "reason"),
        // The erasure itself must stay readable once the key is gone.
        ("PersonalDataErased", "reason"),
        ("OfficerPersonalDataErased", "reason"),
    ];
    for e in EVENTS {
        for p in e.public {
            let last = p.rsplit(['.', ']']).next().unwrap_or(p);
            if personal_names.contains(&last) {
                assert!(
                    public_by_design.contains(&(e.event_type, *p)),
                    "{} {p} is public but looks personal",
                    e.event_type
                );
            }
        }
    }
}

#[test]
fn every_event_deserializes_without_its_personal_part() {
    for (agg, ty, payload) in samples() {
        let (public, personal) = split(agg, &ty, &payload).unwrap();
        // An object whose fields are all personal stays as `{}` (a reporter
        // without name, phone and relation is still not anonymous).
        let emptied = |p: &str| {
            let e = event_fields(agg, &ty).unwrap();
            let prefix = format!("{p}.");
            e.personal.iter().any(|q| q.starts_with(&prefix))
        };
        for p in leaf_paths(&public).into_iter().filter(|p| !emptied(p)) {
            assert_eq!(
                classify(agg, &ty, &p),
                Some(Class::Public),
                "{agg} {ty}: {p} left in the public part"
            );
        }
        for p in leaf_paths(&personal) {
            assert_eq!(
                classify(agg, &ty, &p),
                Some(Class::Personal),
                "{agg} {ty}: {p} in the personal part"
            );
        }
        let back = reread(agg, &public)
            .unwrap_or_else(|e| panic!("{agg} {ty} without its personal part: {e}\n{public}"));
        // Nothing public is lost: the re-read event has the same public part.
        let (again, _) = split(agg, &ty, &back).unwrap();
        assert_eq!(again, public, "{agg} {ty}");
    }
}

#[test]
fn split_and_merge_give_the_payload_back() {
    for (agg, ty, payload) in samples() {
        let (mut public, personal) = split(agg, &ty, &payload).unwrap();
        let personal_count = leaf_paths(&personal).len();
        assert_eq!(
            personal_count,
            personal_paths(agg, &ty).unwrap().len(),
            "{agg} {ty}: every personal path of the sample is in the personal part"
        );
        merge(&mut public, personal);
        assert_eq!(public, payload, "{agg} {ty}");
    }
    // Arrays of objects split element by element.
    let v = json!({"type": "plan_drafted", "services": [
        {"kind": "healthcare", "provider": "A", "due": null},
        {"kind": "legal_aid", "provider": "B", "due": "2025-10-01"}]});
    let (public, personal) = split(CASE, "PlanDrafted", &v).unwrap();
    assert_eq!(
        personal,
        json!({"services": [{"provider": "A"}, {"provider": "B"}]})
    );
    assert_eq!(
        public["services"][1],
        json!({"kind": "legal_aid", "due": "2025-10-01"})
    );
    // An anonymous report has no reporter to split.
    let anon = json!({"reporter": null, "description": "x"});
    let (public, personal) = split(CASE, "IntakeRecorded", &anon).unwrap();
    assert_eq!(public, json!({"reporter": null}));
    assert_eq!(personal, json!({"description": "x"}));
    assert!(split(CASE, "NoSuchEvent", &anon).is_none());
}

/// Payloads as stored before `date_of_birth` became optional and personal
/// fields got defaults: they read as before and serialize to the very same
/// JSON, so their hashes do not change.
#[test]
fn payloads_stored_before_still_read_the_same() {
    let intake = json!({
        "type": "intake_recorded",
        "at": "2025-09-01T02:00:00Z",
        "child_id": "TE-1",
        "date_of_birth": "2015-03-10",
        "commune": {"structure": "2025", "province": 42, "commune": 18754},
        "source": "hotline_111",
        "source_description": null,
        "reporter": {"name": "Nguyễn Văn An", "phone": "0912345678", "relation": "neighbour"},
        "description": "Hàng xóm nghe thấy trẻ bị đánh",
        "harm_types": ["violence"],
        "received_at": "2025-09-01T01:00:00Z",
        "responsible_worker": null,
        "deadlines": {
            "emergency": "2025-09-01T13:00:00Z",
            "plan": "2025-09-08T17:00:00Z",
            "approval": "2025-09-10T17:00:00Z"
        }
    });
    let e: CaseEvent = serde_json::from_value(intake.clone()).unwrap();
    let CaseEvent::IntakeRecorded { date_of_birth, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*date_of_birth, Some(d(2015, 3, 10)));
    // The same JSON value, so the same canonical (RFC 8785) payload and hash.
    assert_eq!(serde_json::to_value(&e).unwrap(), intake);

    let registered = json!({
        "type": "child_registered",
        "at": "2025-09-01T03:00:00Z",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "2015-06-01",
        "sex": "male",
        "ethnicity": "Kinh",
        "personal_id": "001215012345",
        "address": {"commune": {"structure": "2025", "province": 1, "commune": 70},
                    "detail": "Số 5 Hàng Bạc"},
        "household_status": "normal"
    });
    let e: ChildEvent = serde_json::from_value(registered.clone()).unwrap();
    let ChildEvent::ChildRegistered { date_of_birth, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*date_of_birth, Some(d(2015, 6, 1)));
    assert_eq!(serde_json::to_value(&e).unwrap(), registered);
}

#[test]
fn an_erased_history_replays_into_aggregates() {
    use cqrs_es::Aggregate;
    let stripped = |agg: &str, v: &Value| {
        let ty = v["type"].as_str().unwrap().to_string();
        let name = EVENTS
            .iter()
            .find(|e| e.aggregate_type == agg && snake(e.event_type) == ty)
            .unwrap()
            .event_type;
        split(agg, name, v).unwrap().0
    };
    let mut case = Case::default();
    for e in case_samples() {
        let v = stripped(CASE, &serde_json::to_value(&e).unwrap());
        case.apply(serde_json::from_value(v).unwrap());
    }
    assert_eq!(case.child_id.as_deref(), Some("TE-1"));
    assert_eq!(case.date_of_birth, None);
    assert_eq!(case.harm_types, vec![HarmType::Violence, HarmType::Neglect]);
    assert_eq!(case.attachments[0].file_name, "");
    assert_eq!(case.attachments[0].size_bytes, 2048);

    let mut child = Child::default();
    for e in child_samples() {
        let v = stripped(CHILD, &serde_json::to_value(&e).unwrap());
        child.apply(serde_json::from_value(v).unwrap());
    }
    assert!(child.registered && child.erased);
    assert_eq!(child.full_name, "");
    assert_eq!(child.date_of_birth, None);
    assert_eq!(child.commune(), Some(old_commune()));
    assert_eq!(child.household_status, HouseholdStatus::NearPoor);

    let mut officer = Officer::default();
    for e in officer_samples() {
        let v = stripped(OFFICER, &serde_json::to_value(&e).unwrap());
        officer.apply(serde_json::from_value(v).unwrap());
    }
    assert!(officer.erased);
    assert_eq!(officer.full_name, "");
    assert_eq!(officer.role(), Some(Role::CommuneChairman));
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (n, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if n > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn subjects_and_key_names() {
    assert_eq!(
        subject("Child", "TE-1", None),
        Some(Subject::Child(s("TE-1")))
    );
    assert_eq!(
        subject("Officer", "w-1", None),
        Some(Subject::Officer(s("w-1")))
    );
    // The access log is about the reading officer.
    assert_eq!(
        subject("AccessLog", "w-1", None),
        Some(Subject::Officer(s("w-1")))
    );
    // A case is about its child, named in its intake.
    assert_eq!(subject("Case", "HS-1", None), None);
    let intake = serde_json::to_value(&case_samples()[0]).unwrap();
    let child = case_child_id("IntakeRecorded", &intake);
    assert_eq!(child, Some("TE-1"));
    assert_eq!(case_child_id("FactChecked", &intake), None);
    assert_eq!(
        classify(CASE, CASE_CHILD_ID.0, CASE_CHILD_ID.1),
        Some(Class::Public)
    );
    assert_eq!(
        subject("Case", "HS-1", child),
        Some(Subject::Child(s("TE-1")))
    );
    assert_eq!(subject("Nothing", "x", None), None);
    assert_eq!(subject("Child", "", None), None);

    for subj in [Subject::Child(s("TE-1")), Subject::Officer(s("w:1"))] {
        assert_eq!(
            Subject::parse_key_name(&subj.key_name()),
            Some(subj.clone())
        );
    }
    assert_eq!(Subject::Child(s("TE-1")).key_name(), "Child:TE-1");
    assert_eq!(Subject::Officer(s("w-1")).key_name(), "Officer:w-1");
    assert_eq!(Subject::parse_key_name("Case:HS-1"), None);
    assert_eq!(Subject::parse_key_name("Child:"), None);
}

#[test]
fn classify_and_personal_paths() {
    assert_eq!(
        classify(CASE, "IntakeRecorded", "type"),
        Some(Class::Public)
    );
    assert_eq!(classify(CASE, "IntakeRecorded", "at"), Some(Class::Public));
    assert_eq!(
        classify(CASE, "IntakeRecorded", "date_of_birth"),
        Some(Class::Personal)
    );
    assert_eq!(
        classify(CASE, "PlanDrafted", "services[].provider"),
        Some(Class::Personal)
    );
    assert_eq!(
        classify(CASE, "PlanDrafted", "services[].kind"),
        Some(Class::Public)
    );
    assert_eq!(classify(CASE, "IntakeRecorded", "nothing"), None);
    assert_eq!(classify(CASE, "Nothing", "at"), None);
    assert_eq!(classify(CHILD, "IntakeRecorded", "at"), None);
    assert_eq!(personal_paths(CASE, "PlanApproved"), Some(&[][..]));
    assert_eq!(personal_paths(CHILD, "PersonalDataErased"), Some(&[][..]));
    assert_eq!(
        personal_paths(ACCESS, "RecordRead"),
        Some(&["reason", "client_ip", "query"][..])
    );
    assert_eq!(personal_paths(CASE, "Nothing"), None);
}

/// `docs/personal-data.md` has one table row per (aggregate, event type,
/// path) of the table, with the same class and a reason, and no other rows.
#[test]
fn the_docs_show_the_table() {
    let mut documented: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for line in DOCS.lines() {
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`').to_string())
            .collect();
        let [agg, ty, path, class, why] = cells.as_slice() else {
            continue;
        };
        if class != "public" && class != "personal" {
            continue;
        }
        assert!(!why.is_empty(), "{line}: say why");
        let old = documented.insert((agg.clone(), ty.clone(), path.clone()), class.clone());
        assert!(old.is_none(), "{line}: listed twice");
    }
    let mut expected = BTreeMap::new();
    for e in EVENTS {
        for (paths, class) in [(e.public, Class::Public), (e.personal, Class::Personal)] {
            for p in paths {
                expected.insert(
                    (s(e.aggregate_type), s(e.event_type), s(p)),
                    s(class.as_str()),
                );
            }
        }
    }
    let missing: Vec<_> = expected
        .iter()
        .filter(|(k, v)| documented.get(*k) != Some(v))
        .collect();
    assert!(
        missing.is_empty(),
        "rows missing or wrong in docs/personal-data.md: {missing:?}"
    );
    let extra: Vec<_> = documented
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    assert!(
        extra.is_empty(),
        "rows of docs/personal-data.md not in the table: {extra:?}"
    );
}
