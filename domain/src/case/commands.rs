//! Commands of the `Case` aggregate: who asks (`Actor`), when (`at`), and what
//! (`CaseAction`). The HTTP API deserializes these from JSON, e.g.
//! `{"actor": {...}, "at": "2025-09-01T08:00:00Z", "action": {"type": "record_fact_check", "confirmed": true, "findings": "..."}}`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{Actor, CommuneRef, HarmType, ProtectionLevel, RiskLevel, Role};

use super::types::*;

/// One request to change a case. The case id is the aggregate id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseCommand {
    pub actor: Actor,
    /// When the action happened; every event carries it. Never read from a clock.
    pub at: DateTime<Utc>,
    pub action: CaseAction,
}

/// What the actor asks for, one variant per legal step or record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseAction {
    /// Step 1: tiếp nhận thông tin (Mẫu số 01).
    RecordIntake(Intake),
    /// Step 2: kiểm tra tính xác thực.
    RecordFactCheck(FactCheck),
    /// Step 3: đánh giá nguy cơ ban đầu (Mẫu số 02).
    AssessInitialRisk(InitialAssessment),
    /// Step 3a: can thiệp khẩn cấp / tạm thời cách ly.
    OrderEmergencyMeasures(EmergencyOrder),
    /// Step 4: đánh giá nguy cơ cụ thể (Mẫu số 03) with needs-meeting minutes.
    AssessSpecificRisk(SpecificAssessment),
    /// Step 5: kế hoạch hỗ trợ, can thiệp (Mẫu số 04).
    DraftPlan(PlanDraft),
    /// Step 6: phê duyệt kế hoạch (Mẫu số 05).
    ApprovePlan(PlanApproval),
    /// Step 6, refused: the chairman sends the plan back for redrafting.
    SendBackPlan(PlanSendBack),
    /// Step 7: a service delivered under the plan.
    RecordService(ServiceDelivery),
    /// Step 7: chuyển gửi, to or from another agency.
    RecordReferral(Referral),
    /// Step 8: rà soát, đánh giá (Mẫu số 06).
    RecordReview(Review),
    /// Step 9: kết thúc.
    CloseCase(Closure),
    ReopenCase(Reopening),
    /// Move the case to another commune.
    TransferCase(Transfer),
    ReassignWorker(Reassignment),
    AddNote(Note),
    AddAttachment(Attachment),
    LinkCase(CaseLink),
    /// A correction points at an earlier event; nothing is ever edited.
    CorrectEvent(Correction),
}

/// Which action a `CaseAction` is, without its fields: its `type` tag, the
/// event it records, who may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseActionKind {
    RecordIntake,
    RecordFactCheck,
    AssessInitialRisk,
    OrderEmergencyMeasures,
    AssessSpecificRisk,
    DraftPlan,
    ApprovePlan,
    SendBackPlan,
    RecordService,
    RecordReferral,
    RecordReview,
    CloseCase,
    ReopenCase,
    TransferCase,
    ReassignWorker,
    AddNote,
    AddAttachment,
    LinkCase,
    CorrectEvent,
}

crate::codes!(CaseActionKind {
    RecordIntake => "record_intake",
    RecordFactCheck => "record_fact_check",
    AssessInitialRisk => "assess_initial_risk",
    OrderEmergencyMeasures => "order_emergency_measures",
    AssessSpecificRisk => "assess_specific_risk",
    DraftPlan => "draft_plan",
    ApprovePlan => "approve_plan",
    SendBackPlan => "send_back_plan",
    RecordService => "record_service",
    RecordReferral => "record_referral",
    RecordReview => "record_review",
    CloseCase => "close_case",
    ReopenCase => "reopen_case",
    TransferCase => "transfer_case",
    ReassignWorker => "reassign_worker",
    AddNote => "add_note",
    AddAttachment => "add_attachment",
    LinkCase => "link_case",
    CorrectEvent => "correct_event",
});

impl CaseActionKind {
    /// The action in words, for error messages ("a collaborator may not ...").
    pub fn describe(self) -> &'static str {
        use CaseActionKind as K;
        match self {
            K::RecordIntake => "record an intake",
            K::RecordFactCheck => "record a fact check",
            K::AssessInitialRisk => "assess the initial risk",
            K::OrderEmergencyMeasures => "order emergency measures",
            K::AssessSpecificRisk => "assess the specific risk",
            K::DraftPlan => "draft a plan",
            K::ApprovePlan => "approve a plan",
            K::SendBackPlan => "send back a plan",
            K::RecordService => "record a service",
            K::RecordReferral => "record a referral",
            K::RecordReview => "record a review",
            K::CloseCase => "close the case",
            K::ReopenCase => "reopen the case",
            K::TransferCase => "transfer the case",
            K::ReassignWorker => "reassign the responsible worker",
            K::AddNote => "add a note",
            K::AddAttachment => "add an attachment",
            K::LinkCase => "link a case",
            K::CorrectEvent => "correct an event",
        }
    }

    /// The event type the action records when it succeeds.
    pub fn event_type(self) -> &'static str {
        use CaseActionKind as K;
        match self {
            K::RecordIntake => "IntakeRecorded",
            K::RecordFactCheck => "FactChecked",
            K::AssessInitialRisk => "InitialRiskAssessed",
            K::OrderEmergencyMeasures => "EmergencyMeasuresOrdered",
            K::AssessSpecificRisk => "SpecificRiskAssessed",
            K::DraftPlan => "PlanDrafted",
            K::ApprovePlan => "PlanApproved",
            K::SendBackPlan => "PlanSentBack",
            K::RecordService => "ServiceRecorded",
            K::RecordReferral => "ReferralRecorded",
            K::RecordReview => "ReviewRecorded",
            K::CloseCase => "CaseClosed",
            K::ReopenCase => "CaseReopened",
            K::TransferCase => "CaseTransferred",
            K::ReassignWorker => "WorkerReassigned",
            K::AddNote => "NoteAdded",
            K::AddAttachment => "AttachmentAdded",
            K::LinkCase => "CaseLinked",
            K::CorrectEvent => "EventCorrected",
        }
    }

    /// The roles that may ever do this action. Everyone else gets `NotAuthorised`.
    pub fn allowed_roles(self) -> &'static [Role] {
        use CaseActionKind as K;
        use Role::*;
        match self {
            K::RecordIntake => &[
                HotlineOperator,
                System,
                CommuneWorker,
                CommuneChairman,
                Collaborator,
            ],
            K::RecordFactCheck | K::LinkCase | K::CorrectEvent => &[CommuneWorker, CommuneChairman],
            K::AssessInitialRisk
            | K::AssessSpecificRisk
            | K::DraftPlan
            | K::RecordService
            | K::RecordReview => &[CommuneWorker],
            K::RecordReferral => &[CommuneWorker, HotlineOperator],
            K::OrderEmergencyMeasures
            | K::ApprovePlan
            | K::SendBackPlan
            | K::CloseCase
            | K::ReopenCase => &[CommuneChairman],
            K::TransferCase | K::ReassignWorker => &[CommuneChairman, ProvincialManager],
            K::AddNote | K::AddAttachment => &[
                Collaborator,
                CommuneWorker,
                CommuneChairman,
                HotlineOperator,
                System,
            ],
        }
    }
}

impl CaseAction {
    pub fn kind(&self) -> CaseActionKind {
        use CaseActionKind as K;
        match self {
            CaseAction::RecordIntake(_) => K::RecordIntake,
            CaseAction::RecordFactCheck(_) => K::RecordFactCheck,
            CaseAction::AssessInitialRisk(_) => K::AssessInitialRisk,
            CaseAction::OrderEmergencyMeasures(_) => K::OrderEmergencyMeasures,
            CaseAction::AssessSpecificRisk(_) => K::AssessSpecificRisk,
            CaseAction::DraftPlan(_) => K::DraftPlan,
            CaseAction::ApprovePlan(_) => K::ApprovePlan,
            CaseAction::SendBackPlan(_) => K::SendBackPlan,
            CaseAction::RecordService(_) => K::RecordService,
            CaseAction::RecordReferral(_) => K::RecordReferral,
            CaseAction::RecordReview(_) => K::RecordReview,
            CaseAction::CloseCase(_) => K::CloseCase,
            CaseAction::ReopenCase(_) => K::ReopenCase,
            CaseAction::TransferCase(_) => K::TransferCase,
            CaseAction::ReassignWorker(_) => K::ReassignWorker,
            CaseAction::AddNote(_) => K::AddNote,
            CaseAction::AddAttachment(_) => K::AddAttachment,
            CaseAction::LinkCase(_) => K::LinkCase,
            CaseAction::CorrectEvent(_) => K::CorrectEvent,
        }
    }

    /// The action in words, for error messages ("a collaborator may not ...").
    pub fn describe(&self) -> &'static str {
        self.kind().describe()
    }
}

/// Tiếp nhận thông tin (Mẫu số 01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Intake {
    /// Id of the `Child` aggregate.
    pub child_id: String,
    /// The child must be under 16 when the report is received (Law Art. 1).
    pub date_of_birth: NaiveDate,
    /// Must be a real commune of its structure.
    pub commune: CommuneRef,
    pub source: IntakeSource,
    /// Required when `source` is `other`; optional detail otherwise.
    #[serde(default)]
    pub source_description: Option<String>,
    /// `None`: anonymous report (báo tin nặc danh).
    #[serde(default)]
    pub reporter: Option<Reporter>,
    /// What happened; must not be empty.
    pub description: String,
    /// At least one, no duplicates.
    pub harm_types: Vec<HarmType>,
    /// When the report was received; not after the command time. Deadlines count from it.
    pub received_at: DateTime<Utc>,
    /// Officer id of the responsible commune worker, if already known.
    #[serde(default)]
    pub responsible_worker: Option<String>,
}

/// Kiểm tra tính xác thực.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FactCheck {
    /// Whether the report was confirmed.
    pub confirmed: bool,
    /// Must not be empty.
    pub findings: String,
}

/// Đánh giá nguy cơ ban đầu (Mẫu số 02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InitialAssessment {
    pub factors: RiskFactors,
    pub overall: RiskLevel,
    /// Whether emergency measures are needed (life, health or dignity in serious danger).
    pub emergency_needed: bool,
    pub protection_level: ProtectionLevel,
    #[serde(default)]
    pub notes: String,
}

/// Quyết định can thiệp khẩn cấp / tạm thời cách ly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmergencyOrder {
    /// At least one, no duplicates.
    pub measures: Vec<EmergencyMeasure>,
    /// Free text; required when `measures` contains `other`.
    #[serde(default)]
    pub details: String,
    /// Number/reference of the chairman's decision; must not be empty.
    pub decision_ref: String,
}

/// Đánh giá nguy cơ cụ thể (Mẫu số 03) and the needs meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecificAssessment {
    pub factors: RiskFactors,
    pub overall: RiskLevel,
    pub protection_level: ProtectionLevel,
    /// The child's needs (nhu cầu); at least one, none empty.
    pub needs: Vec<String>,
    pub minutes: NeedsMeetingMinutes,
}

/// Kế hoạch hỗ trợ, can thiệp (Mẫu số 04). The version number is assigned by the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanDraft {
    /// At least one, none empty.
    pub objectives: Vec<String>,
    #[serde(default)]
    pub services: Vec<PlannedService>,
    /// Planned review (rà soát) date; not before the day of drafting.
    pub review_date: NaiveDate,
}

/// Phê duyệt kế hoạch (Mẫu số 05).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanApproval {
    /// Must be the version awaiting approval.
    pub plan_version: u32,
    /// Number/reference of the approval decision; must not be empty.
    pub decision_ref: String,
}

/// The chairman does not approve and sends the plan back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanSendBack {
    pub plan_version: u32,
    /// Must not be empty.
    pub reason: String,
}

/// A service delivered to the child or family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceDelivery {
    pub kind: ServiceKind,
    /// Must not be empty.
    pub provider: String,
    /// Not after the command time nor before the report was received.
    pub delivered_at: DateTime<Utc>,
    #[serde(default)]
    pub notes: String,
}

/// Chuyển gửi.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub direction: ReferralDirection,
    /// The other agency; must not be empty.
    pub agency: String,
    /// Must not be empty.
    pub reason: String,
}

/// Rà soát, đánh giá (Mẫu số 06).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub outcome: ReviewOutcome,
    /// At least one.
    pub participants: Vec<String>,
    /// Must not be empty.
    pub summary: String,
}

/// Kết thúc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub reason: CloseReason,
    /// Number/reference of the closing decision; must not be empty.
    pub decision_ref: String,
    /// Required when `reason` is `other`.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reopening {
    /// Must not be empty.
    pub reason: String,
}

/// Chuyển hồ sơ to another commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// A real commune, different from the current one.
    pub to: CommuneRef,
    /// Must not be empty.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reassignment {
    /// Officer id of the new responsible worker; must not be empty.
    pub to_officer: String,
    /// Must not be empty.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub kind: NoteKind,
    /// Must not be empty.
    pub text: String,
}

/// A file stored elsewhere by its SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// 64 lowercase hex characters.
    pub sha256: String,
    /// More than zero.
    pub size_bytes: u64,
    /// A MIME type such as `application/pdf`.
    pub media_type: String,
    /// Must not be empty.
    pub file_name: String,
    #[serde(default)]
    pub description: String,
}

/// Links a case about a sibling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseLink {
    /// Must not be empty and not already linked.
    pub other_case_id: String,
    pub relation: CaseRelation,
}

/// Đính chính: a new event that points at an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// Sequence number of the corrected event (the first event is 1).
    pub corrects_sequence: u64,
    /// Must not be empty.
    pub reason: String,
    /// The correct value(s), in words; must not be empty.
    pub correction: String,
}
