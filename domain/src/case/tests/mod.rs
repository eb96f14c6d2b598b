//! Given/when/then tests of the `Case` aggregate, with shared fixtures: actors of
//! real communes (Hà Tĩnh 42, Nghệ An 40), command payloads, and the event history
//! of a case up to each step of the process.

mod deadlines;
mod erasure;
mod intake;
mod process;
mod records;
mod roles;
mod serde_roundtrip;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use cqrs_es::test::TestFramework;

use crate::calendar;
use crate::common::{Actor, CommuneRef, HarmType, ProtectionLevel, RiskLevel, Role, Unit};

use super::*;

// ---------- places ----------

/// Phường Sông Trí, Hà Tĩnh: the case's commune.
pub const HT: u32 = 42;
pub const SONG_TRI: u32 = 18754;
/// Phường Hải Ninh, Hà Tĩnh: another commune of the same province.
pub const HAI_NINH: u32 = 18781;
/// Xã Anh Sơn, Nghệ An.
pub const NA: u32 = 40;
pub const ANH_SON: u32 = 17329;

pub fn song_tri() -> CommuneRef {
    CommuneRef::current(HT, SONG_TRI)
}
pub fn hai_ninh() -> CommuneRef {
    CommuneRef::current(HT, HAI_NINH)
}
pub fn anh_son() -> CommuneRef {
    CommuneRef::current(NA, ANH_SON)
}

// ---------- actors ----------

pub fn actor(id: &str, role: Role, unit: Unit) -> Actor {
    Actor {
        officer_id: id.to_string(),
        role,
        unit,
    }
}
pub fn commune_unit(province: u32, commune: u32) -> Unit {
    Unit::Commune { province, commune }
}
pub fn worker() -> Actor {
    actor("w-songtri", Role::CommuneWorker, commune_unit(HT, SONG_TRI))
}
pub fn chairman() -> Actor {
    actor(
        "c-songtri",
        Role::CommuneChairman,
        commune_unit(HT, SONG_TRI),
    )
}
pub fn collaborator() -> Actor {
    actor(
        "ctv-songtri",
        Role::Collaborator,
        commune_unit(HT, SONG_TRI),
    )
}
pub fn hotline() -> Actor {
    actor("h-111", Role::HotlineOperator, Unit::National)
}
pub fn provincial(province: u32) -> Actor {
    actor(
        "p-mgr",
        Role::ProvincialManager,
        Unit::Province { province },
    )
}
pub fn inspector() -> Actor {
    actor("insp", Role::Inspector, Unit::Province { province: HT })
}
pub fn admin() -> Actor {
    actor("adm", Role::Admin, Unit::National)
}
pub fn worker_of_hai_ninh() -> Actor {
    actor("w-haininh", Role::CommuneWorker, commune_unit(HT, HAI_NINH))
}
pub fn chairman_of_hai_ninh() -> Actor {
    actor(
        "c-haininh",
        Role::CommuneChairman,
        commune_unit(HT, HAI_NINH),
    )
}
pub fn chairman_of_anh_son() -> Actor {
    actor("c-anhson", Role::CommuneChairman, commune_unit(NA, ANH_SON))
}

/// An actor of each role, in the unit that would be right for a Sông Trí case.
pub fn actor_with_role(role: Role) -> Actor {
    match role {
        Role::Collaborator => collaborator(),
        Role::CommuneWorker => worker(),
        Role::CommuneChairman => chairman(),
        Role::HotlineOperator => hotline(),
        Role::ProvincialManager => provincial(HT),
        Role::Inspector => inspector(),
        Role::Admin => admin(),
        Role::System => actor("switchboard-111", Role::System, Unit::National),
    }
}

// ---------- times ----------

/// Monday 1 September 2025, 08:00 in Vietnam: the report is received.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, 1, 0, 0)
        .single()
        .expect("valid time")
}
pub fn hours(h: i64) -> DateTime<Utc> {
    t0() + Duration::hours(h)
}
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}
/// Times of the steps in the standard history.
pub const T_INTAKE: i64 = 1;
pub const T_FACT: i64 = 2;
pub const T_INITIAL: i64 = 4;
pub const T_EMERGENCY: i64 = 6;
pub const T_SPECIFIC: i64 = 24;
pub const T_DRAFT: i64 = 48;
pub const T_APPROVE: i64 = 72;
pub const T_REVIEW: i64 = 24 * 30;
pub const T_CLOSE: i64 = 24 * 31;
/// A time after all of the standard history.
pub const T_LATER: i64 = 24 * 40;

// ---------- commands ----------

pub fn cmd(actor: Actor, at_hours: i64, action: CaseAction) -> CaseCommand {
    CaseCommand {
        actor,
        at: hours(at_hours),
        action,
    }
}

pub fn intake() -> Intake {
    Intake {
        child_id: "child-1".to_string(),
        date_of_birth: date(2015, 3, 10),
        commune: song_tri(),
        source: IntakeSource::Hotline111,
        source_description: None,
        reporter: Some(Reporter {
            name: "Nguyễn Văn An".to_string(),
            phone: Some("0912345678".to_string()),
            relation: "neighbour".to_string(),
        }),
        description: "Hàng xóm nghe thấy trẻ bị đánh nhiều lần".to_string(),
        harm_types: vec![HarmType::Violence, HarmType::Neglect],
        received_at: t0(),
        responsible_worker: Some("w-songtri".to_string()),
    }
}
pub fn fact_check(confirmed: bool) -> CaseAction {
    CaseAction::RecordFactCheck(FactCheck {
        confirmed,
        findings: "Xác minh tại gia đình".to_string(),
    })
}
pub fn factors(level: RiskLevel) -> RiskFactors {
    RiskFactors {
        severity_of_harm: level,
        abuser_access: level,
        care_environment_obstacles: level,
        child_capacity: level,
    }
}
pub fn initial_assessment(emergency_needed: bool) -> CaseAction {
    CaseAction::AssessInitialRisk(InitialAssessment {
        factors: factors(RiskLevel::High),
        overall: RiskLevel::High,
        emergency_needed,
        protection_level: ProtectionLevel::Intervention,
        notes: "Trẻ có vết bầm".to_string(),
    })
}
pub fn emergency_order() -> EmergencyOrder {
    EmergencyOrder {
        measures: vec![
            EmergencyMeasure::TemporarySeparation,
            EmergencyMeasure::MedicalCare,
        ],
        details: String::new(),
        decision_ref: "QĐ 12/QĐ-UBND".to_string(),
    }
}
pub fn minutes() -> NeedsMeetingMinutes {
    NeedsMeetingMinutes {
        held_at: hours(T_SPECIFIC - 2),
        participants: vec!["w-songtri".to_string(), "mẹ của trẻ".to_string()],
        summary: "Xác định nhu cầu y tế và tâm lý".to_string(),
    }
}
pub fn specific_assessment() -> SpecificAssessment {
    SpecificAssessment {
        factors: factors(RiskLevel::Medium),
        overall: RiskLevel::Medium,
        protection_level: ProtectionLevel::Intervention,
        needs: vec!["tư vấn tâm lý".to_string()],
        minutes: minutes(),
    }
}
pub fn plan_draft() -> PlanDraft {
    PlanDraft {
        objectives: vec!["Trẻ được an toàn tại gia đình".to_string()],
        services: vec![PlannedService {
            kind: ServiceKind::Psychological,
            provider: "Trung tâm công tác xã hội tỉnh".to_string(),
            due: Some(date(2025, 9, 30)),
        }],
        review_date: date(2025, 12, 1),
    }
}
pub fn approve(version: u32) -> CaseAction {
    CaseAction::ApprovePlan(PlanApproval {
        plan_version: version,
        decision_ref: "QĐ 15/QĐ-UBND".to_string(),
    })
}
pub fn send_back(version: u32) -> CaseAction {
    CaseAction::SendBackPlan(PlanSendBack {
        plan_version: version,
        reason: "Thiếu dịch vụ y tế".to_string(),
    })
}
pub fn service() -> ServiceDelivery {
    ServiceDelivery {
        kind: ServiceKind::Psychological,
        provider: "Trung tâm công tác xã hội tỉnh".to_string(),
        delivered_at: hours(T_APPROVE + 24),
        notes: "Buổi tư vấn đầu tiên".to_string(),
    }
}
pub fn referral() -> Referral {
    Referral {
        direction: ReferralDirection::To,
        agency: "Bệnh viện đa khoa tỉnh".to_string(),
        reason: "Khám sức khỏe".to_string(),
    }
}
pub fn review(outcome: ReviewOutcome) -> CaseAction {
    CaseAction::RecordReview(Review {
        outcome,
        participants: vec!["w-songtri".to_string(), "giáo viên chủ nhiệm".to_string()],
        summary: "Trẻ ổn định".to_string(),
    })
}
pub fn close(reason: CloseReason) -> CaseAction {
    CaseAction::CloseCase(Closure {
        reason,
        decision_ref: "QĐ 30/QĐ-UBND".to_string(),
        note: String::new(),
    })
}
pub fn reopen() -> CaseAction {
    CaseAction::ReopenCase(Reopening {
        reason: "Có báo cáo mới".to_string(),
    })
}
pub fn note(text: &str) -> CaseAction {
    CaseAction::AddNote(Note {
        kind: NoteKind::Note,
        text: text.to_string(),
    })
}
pub const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
pub fn attachment() -> Attachment {
    Attachment {
        sha256: SHA.to_string(),
        size_bytes: 2048,
        media_type: "application/pdf".to_string(),
        file_name: "mau-01.pdf".to_string(),
        description: "Mẫu số 01 đã ký".to_string(),
    }
}
pub fn correction(seq: u64) -> CaseAction {
    CaseAction::CorrectEvent(Correction {
        corrects_sequence: seq,
        reason: "Ghi sai ngày sinh".to_string(),
        correction: "date_of_birth = 2015-03-11".to_string(),
    })
}

// ---------- events: the standard history up to each step ----------

pub fn ev_intake() -> CaseEvent {
    let i = intake();
    CaseEvent::IntakeRecorded {
        at: hours(T_INTAKE),
        child_id: i.child_id,
        date_of_birth: Some(i.date_of_birth),
        commune: i.commune,
        source: i.source,
        source_description: i.source_description,
        reporter: i.reporter,
        description: i.description,
        harm_types: i.harm_types,
        received_at: i.received_at,
        responsible_worker: i.responsible_worker,
        deadlines: calendar::deadlines(t0()),
    }
}
pub fn ev_fact(confirmed: bool) -> CaseEvent {
    CaseEvent::FactChecked {
        at: hours(T_FACT),
        confirmed,
        findings: "Xác minh tại gia đình".to_string(),
    }
}
pub fn ev_initial(emergency_needed: bool) -> CaseEvent {
    CaseEvent::InitialRiskAssessed {
        at: hours(T_INITIAL),
        factors: factors(RiskLevel::High),
        overall: RiskLevel::High,
        emergency_needed,
        protection_level: ProtectionLevel::Intervention,
        notes: "Trẻ có vết bầm".to_string(),
    }
}
pub fn ev_emergency(at_hours: i64) -> CaseEvent {
    let o = emergency_order();
    CaseEvent::EmergencyMeasuresOrdered {
        at: hours(at_hours),
        measures: o.measures,
        details: o.details,
        decision_ref: o.decision_ref,
    }
}
pub fn ev_specific() -> CaseEvent {
    let a = specific_assessment();
    CaseEvent::SpecificRiskAssessed {
        at: hours(T_SPECIFIC),
        factors: a.factors,
        overall: a.overall,
        protection_level: a.protection_level,
        needs: a.needs,
        minutes: a.minutes,
    }
}
pub fn ev_draft(version: u32, at_hours: i64) -> CaseEvent {
    let p = plan_draft();
    CaseEvent::PlanDrafted {
        at: hours(at_hours),
        version,
        objectives: p.objectives,
        services: p.services,
        review_date: p.review_date,
    }
}
pub fn ev_approved(version: u32, at_hours: i64) -> CaseEvent {
    CaseEvent::PlanApproved {
        at: hours(at_hours),
        version,
        decision_ref: "QĐ 15/QĐ-UBND".to_string(),
    }
}
pub fn ev_sent_back(version: u32, at_hours: i64) -> CaseEvent {
    CaseEvent::PlanSentBack {
        at: hours(at_hours),
        version,
        reason: "Thiếu dịch vụ y tế".to_string(),
    }
}
pub fn ev_review(outcome: ReviewOutcome, at_hours: i64) -> CaseEvent {
    CaseEvent::ReviewRecorded {
        at: hours(at_hours),
        outcome,
        participants: vec!["w-songtri".to_string(), "giáo viên chủ nhiệm".to_string()],
        summary: "Trẻ ổn định".to_string(),
    }
}
pub fn ev_closed(reason: CloseReason, at_hours: i64) -> CaseEvent {
    CaseEvent::CaseClosed {
        at: hours(at_hours),
        reason,
        decision_ref: "QĐ 30/QĐ-UBND".to_string(),
        note: String::new(),
    }
}
pub fn ev_reopened(at_hours: i64) -> CaseEvent {
    CaseEvent::CaseReopened {
        at: hours(at_hours),
        reason: "Có báo cáo mới".to_string(),
    }
}

pub fn h_received() -> Vec<CaseEvent> {
    vec![ev_intake()]
}
pub fn h_fact_checked() -> Vec<CaseEvent> {
    let mut h = h_received();
    h.push(ev_fact(true));
    h
}
pub fn h_unconfirmed() -> Vec<CaseEvent> {
    let mut h = h_received();
    h.push(ev_fact(false));
    h
}
/// Initially assessed with emergency needed, and the emergency ordered.
pub fn h_initial() -> Vec<CaseEvent> {
    let mut h = h_fact_checked();
    h.push(ev_initial(true));
    h.push(ev_emergency(T_EMERGENCY));
    h
}
pub fn h_specific() -> Vec<CaseEvent> {
    let mut h = h_initial();
    h.push(ev_specific());
    h
}
pub fn h_drafted() -> Vec<CaseEvent> {
    let mut h = h_specific();
    h.push(ev_draft(1, T_DRAFT));
    h
}
pub fn h_sent_back() -> Vec<CaseEvent> {
    let mut h = h_drafted();
    h.push(ev_sent_back(1, T_DRAFT + 2));
    h
}
pub fn h_approved() -> Vec<CaseEvent> {
    let mut h = h_drafted();
    h.push(ev_approved(1, T_APPROVE));
    h
}
pub fn h_stable() -> Vec<CaseEvent> {
    let mut h = h_approved();
    h.push(ev_review(ReviewOutcome::SafeAndStable, T_REVIEW));
    h
}
pub fn h_needs_new_plan() -> Vec<CaseEvent> {
    let mut h = h_approved();
    h.push(ev_review(ReviewOutcome::NeedsNewPlan, T_REVIEW));
    h
}
pub fn h_closed() -> Vec<CaseEvent> {
    let mut h = h_stable();
    h.push(ev_closed(CloseReason::SafeAndStable, T_CLOSE));
    h
}
pub fn h_reopened() -> Vec<CaseEvent> {
    let mut h = h_closed();
    h.push(ev_reopened(T_CLOSE + 24));
    h
}

// ---------- running ----------

/// The state after a history.
pub fn state(events: &[CaseEvent]) -> Case {
    let mut case = Case::default();
    for e in events {
        cqrs_es::Aggregate::apply(&mut case, e.clone());
    }
    case
}

pub fn run(given: Vec<CaseEvent>, command: CaseCommand) -> Result<Vec<CaseEvent>, CaseError> {
    TestFramework::<Case>::with(())
        .given(given)
        .when(command)
        .inspect_result()
}

pub fn expect_event(given: Vec<CaseEvent>, command: CaseCommand, event: CaseEvent) {
    TestFramework::<Case>::with(())
        .given(given)
        .when(command)
        .then_expect_events(vec![event]);
}

pub fn expect_error(given: Vec<CaseEvent>, command: CaseCommand, error: CaseError) {
    TestFramework::<Case>::with(())
        .given(given)
        .when(command)
        .then_expect_error(error);
}

pub fn invalid(field: &'static str, reason: &'static str) -> CaseError {
    CaseError::Invalid { field, reason }
}

pub fn wrong_step(action: &'static str, status: CaseStatus) -> CaseError {
    CaseError::WrongStep { action, status }
}
