//! Events of the `Case` aggregate: the facts stored in the ledger, hashed as
//! canonical JSON (so no floats). Each serializes as an object with a snake_case
//! `"type"` tag; `event_type()` is the variant name, e.g. `IntakeRecorded`.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::calendar::Deadlines;
use crate::common::{CommuneRef, HarmType, ProtectionLevel, RiskLevel};

use super::types::*;

/// Something that happened to a case. Every event carries `at`, the time of the
/// action; the actor is in the event metadata.
///
/// Every personal field (see [`crate::privacy`]) has `#[serde(default)]`: once
/// the child's data key is destroyed the storage layer hands over the event
/// without its personal part, and it still deserializes (empty texts and lists,
/// `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEvent {
    /// Tiếp nhận thông tin (Mẫu số 01). Opens the case.
    IntakeRecorded {
        at: DateTime<Utc>,
        child_id: String,
        /// Always `Some` when recorded; `None` once erased. Serializes as the
        /// date itself, as when it was a plain `NaiveDate`.
        #[serde(default)]
        date_of_birth: Option<NaiveDate>,
        commune: CommuneRef,
        source: IntakeSource,
        #[serde(default)]
        source_description: Option<String>,
        /// `None`: anonymous.
        reporter: Option<Reporter>,
        #[serde(default)]
        description: String,
        harm_types: Vec<HarmType>,
        received_at: DateTime<Utc>,
        responsible_worker: Option<String>,
        /// Legal deadlines computed at intake from `received_at`.
        deadlines: Deadlines,
    },
    /// Kiểm tra tính xác thực.
    FactChecked {
        at: DateTime<Utc>,
        confirmed: bool,
        #[serde(default)]
        findings: String,
    },
    /// Đánh giá nguy cơ ban đầu (Mẫu số 02).
    InitialRiskAssessed {
        at: DateTime<Utc>,
        factors: RiskFactors,
        overall: RiskLevel,
        emergency_needed: bool,
        protection_level: ProtectionLevel,
        #[serde(default)]
        notes: String,
    },
    /// Can thiệp khẩn cấp / tạm thời cách ly.
    EmergencyMeasuresOrdered {
        at: DateTime<Utc>,
        measures: Vec<EmergencyMeasure>,
        #[serde(default)]
        details: String,
        decision_ref: String,
    },
    /// Đánh giá nguy cơ cụ thể (Mẫu số 03) with the needs-meeting minutes.
    SpecificRiskAssessed {
        at: DateTime<Utc>,
        factors: RiskFactors,
        overall: RiskLevel,
        protection_level: ProtectionLevel,
        #[serde(default)]
        needs: Vec<String>,
        minutes: NeedsMeetingMinutes,
    },
    /// Kế hoạch hỗ trợ, can thiệp (Mẫu số 04), version 1, 2, ...
    PlanDrafted {
        at: DateTime<Utc>,
        version: u32,
        #[serde(default)]
        objectives: Vec<String>,
        services: Vec<PlannedService>,
        review_date: NaiveDate,
    },
    /// Phê duyệt kế hoạch (Mẫu số 05).
    PlanApproved {
        at: DateTime<Utc>,
        version: u32,
        decision_ref: String,
    },
    /// The chairman sent the plan back for redrafting.
    PlanSentBack {
        at: DateTime<Utc>,
        version: u32,
        #[serde(default)]
        reason: String,
    },
    /// A service delivered under the plan.
    ServiceRecorded {
        at: DateTime<Utc>,
        kind: ServiceKind,
        #[serde(default)]
        provider: String,
        delivered_at: DateTime<Utc>,
        #[serde(default)]
        notes: String,
    },
    /// Chuyển gửi.
    ReferralRecorded {
        at: DateTime<Utc>,
        direction: ReferralDirection,
        agency: String,
        #[serde(default)]
        reason: String,
    },
    /// Rà soát, đánh giá (Mẫu số 06).
    ReviewRecorded {
        at: DateTime<Utc>,
        outcome: ReviewOutcome,
        #[serde(default)]
        participants: Vec<String>,
        #[serde(default)]
        summary: String,
    },
    /// Kết thúc.
    CaseClosed {
        at: DateTime<Utc>,
        reason: CloseReason,
        decision_ref: String,
        #[serde(default)]
        note: String,
    },
    CaseReopened {
        at: DateTime<Utc>,
        #[serde(default)]
        reason: String,
    },
    /// The case moved to another commune; the responsible worker is cleared.
    CaseTransferred {
        at: DateTime<Utc>,
        from: CommuneRef,
        to: CommuneRef,
        #[serde(default)]
        reason: String,
    },
    WorkerReassigned {
        at: DateTime<Utc>,
        from: Option<String>,
        to: String,
        #[serde(default)]
        reason: String,
    },
    NoteAdded {
        at: DateTime<Utc>,
        kind: NoteKind,
        #[serde(default)]
        text: String,
    },
    AttachmentAdded {
        at: DateTime<Utc>,
        sha256: String,
        size_bytes: u64,
        media_type: String,
        #[serde(default)]
        file_name: String,
        #[serde(default)]
        description: String,
    },
    CaseLinked {
        at: DateTime<Utc>,
        other_case_id: String,
        relation: CaseRelation,
    },
    /// Đính chính: corrects the event with sequence `corrects_sequence`.
    EventCorrected {
        at: DateTime<Utc>,
        corrects_sequence: u64,
        #[serde(default)]
        reason: String,
        #[serde(default)]
        correction: String,
    },
}

impl CaseEvent {
    /// The variant name, e.g. `IntakeRecorded`.
    pub fn name(&self) -> &'static str {
        match self {
            CaseEvent::IntakeRecorded { .. } => "IntakeRecorded",
            CaseEvent::FactChecked { .. } => "FactChecked",
            CaseEvent::InitialRiskAssessed { .. } => "InitialRiskAssessed",
            CaseEvent::EmergencyMeasuresOrdered { .. } => "EmergencyMeasuresOrdered",
            CaseEvent::SpecificRiskAssessed { .. } => "SpecificRiskAssessed",
            CaseEvent::PlanDrafted { .. } => "PlanDrafted",
            CaseEvent::PlanApproved { .. } => "PlanApproved",
            CaseEvent::PlanSentBack { .. } => "PlanSentBack",
            CaseEvent::ServiceRecorded { .. } => "ServiceRecorded",
            CaseEvent::ReferralRecorded { .. } => "ReferralRecorded",
            CaseEvent::ReviewRecorded { .. } => "ReviewRecorded",
            CaseEvent::CaseClosed { .. } => "CaseClosed",
            CaseEvent::CaseReopened { .. } => "CaseReopened",
            CaseEvent::CaseTransferred { .. } => "CaseTransferred",
            CaseEvent::WorkerReassigned { .. } => "WorkerReassigned",
            CaseEvent::NoteAdded { .. } => "NoteAdded",
            CaseEvent::AttachmentAdded { .. } => "AttachmentAdded",
            CaseEvent::CaseLinked { .. } => "CaseLinked",
            CaseEvent::EventCorrected { .. } => "EventCorrected",
        }
    }

    /// When the action happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            CaseEvent::IntakeRecorded { at, .. }
            | CaseEvent::FactChecked { at, .. }
            | CaseEvent::InitialRiskAssessed { at, .. }
            | CaseEvent::EmergencyMeasuresOrdered { at, .. }
            | CaseEvent::SpecificRiskAssessed { at, .. }
            | CaseEvent::PlanDrafted { at, .. }
            | CaseEvent::PlanApproved { at, .. }
            | CaseEvent::PlanSentBack { at, .. }
            | CaseEvent::ServiceRecorded { at, .. }
            | CaseEvent::ReferralRecorded { at, .. }
            | CaseEvent::ReviewRecorded { at, .. }
            | CaseEvent::CaseClosed { at, .. }
            | CaseEvent::CaseReopened { at, .. }
            | CaseEvent::CaseTransferred { at, .. }
            | CaseEvent::WorkerReassigned { at, .. }
            | CaseEvent::NoteAdded { at, .. }
            | CaseEvent::AttachmentAdded { at, .. }
            | CaseEvent::CaseLinked { at, .. }
            | CaseEvent::EventCorrected { at, .. } => *at,
        }
    }
}

impl DomainEvent for CaseEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}
