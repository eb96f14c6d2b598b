//! Value types of case work used by both commands and events: intake sources,
//! reporters, risk factors, emergency measures, planned services, outcomes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::common::RiskLevel;

/// Where the report came from (nguồn thông tin, Mẫu số 01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntakeSource {
    /// Tổng đài điện thoại quốc gia bảo vệ trẻ em 111.
    #[serde(rename = "hotline_111")]
    Hotline111,
    /// Công an.
    Police,
    /// Nhà trường.
    School,
    /// Cơ sở y tế.
    HealthFacility,
    /// Hàng xóm, người thân.
    NeighbourOrRelative,
    /// Trẻ em tự báo tin.
    ChildSelf,
    /// Another source, described in `source_description` (required then).
    Other,
}

impl IntakeSource {
    pub const ALL: [IntakeSource; 7] = [
        IntakeSource::Hotline111,
        IntakeSource::Police,
        IntakeSource::School,
        IntakeSource::HealthFacility,
        IntakeSource::NeighbourOrRelative,
        IntakeSource::ChildSelf,
        IntakeSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntakeSource::Hotline111 => "hotline_111",
            IntakeSource::Police => "police",
            IntakeSource::School => "school",
            IntakeSource::HealthFacility => "health_facility",
            IntakeSource::NeighbourOrRelative => "neighbour_or_relative",
            IntakeSource::ChildSelf => "child_self",
            IntakeSource::Other => "other",
        }
    }
}

/// The person who reported (người báo tin). An anonymous report has no reporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    /// Must not be empty. (`default`: absent once erased; a command without
    /// it is refused as `MissingField("reporter.name")`.)
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Relation to the child (e.g. "neighbour", "teacher"); may be empty.
    #[serde(default)]
    pub relation: String,
}

/// The four risk factors of the assessment forms (Mẫu số 02, 03), each rated
/// Cao / Trung bình / Thấp as a *risk* (so a child with little capacity to protect
/// themselves rates `high` on `child_capacity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskFactors {
    /// Mức độ nghiêm trọng của tổn hại.
    pub severity_of_harm: RiskLevel,
    /// Khả năng người gây tổn hại tiếp cận trẻ em.
    pub abuser_access: RiskLevel,
    /// Trở ngại đối với sự an toàn trong môi trường chăm sóc.
    pub care_environment_obstacles: RiskLevel,
    /// Khả năng tự bảo vệ và phục hồi của trẻ em.
    pub child_capacity: RiskLevel,
}

/// Emergency protection measures (can thiệp khẩn cấp, Law Art. 50; Decree 56).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmergencyMeasure {
    /// Tạm thời cách ly trẻ em khỏi môi trường, người gây tổn hại.
    TemporarySeparation,
    /// Bố trí nơi tạm trú an toàn.
    SafeShelter,
    /// Chăm sóc thay thế tạm thời.
    TemporaryAlternativeCare,
    /// Chăm sóc y tế khẩn cấp.
    MedicalCare,
    /// Trị liệu tâm lý.
    PsychologicalSupport,
    /// Another measure, described in `details` (required then).
    Other,
}

/// Kinds of support and intervention services (dịch vụ hỗ trợ, can thiệp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Chăm sóc y tế.
    Healthcare,
    /// Tư vấn, trị liệu tâm lý.
    Psychological,
    /// Trợ giúp pháp lý.
    LegalAid,
    /// Hỗ trợ giáo dục, học nghề.
    Education,
    /// Chăm sóc thay thế.
    AlternativeCare,
    /// Trợ giúp xã hội (cash or in-kind assistance).
    SocialAssistance,
    /// Hỗ trợ gia đình, kỹ năng làm cha mẹ.
    FamilySupport,
    /// Đoàn tụ gia đình, hòa nhập cộng đồng.
    Reintegration,
    Other,
}

/// One service planned in a support/intervention plan (Mẫu số 04).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlannedService {
    pub kind: ServiceKind,
    /// Who provides it (agency or person); must not be empty. (`default`:
    /// absent once erased; a command without it is refused as
    /// `MissingField("services.provider")`.)
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub due: Option<NaiveDate>,
}

/// Minutes of the needs meeting (biên bản họp xác định nhu cầu) that go with the
/// specific risk assessment (Mẫu số 03).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NeedsMeetingMinutes {
    /// Not after the command time.
    pub held_at: DateTime<Utc>,
    /// At least one. (`default`, like `summary`: absent once erased; a
    /// command without it is refused as `MissingField("minutes.participants")`.)
    #[serde(default)]
    pub participants: Vec<String>,
    /// Must not be empty.
    #[serde(default)]
    pub summary: String,
}

/// Direction of a referral (chuyển gửi).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralDirection {
    /// Referred by this commune to another agency.
    To,
    /// Referred to this commune by another agency (Hotline 111, police, ...).
    From,
}

/// Outcome of a review (rà soát, đánh giá, Mẫu số 06).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The child is safe and stable: the chairman may close the case.
    SafeAndStable,
    /// A new plan is needed (back to step 5).
    NeedsNewPlan,
}

/// Why a case was closed (kết thúc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// After a review with outcome `safe_and_stable`.
    SafeAndStable,
    /// The fact check did not confirm the report.
    Unfounded,
    /// The child is 16 or older and no longer a child under the law.
    #[serde(rename = "child_turned_16")]
    ChildTurned16,
    /// Any other reason, explained in `note`; like `safe_and_stable`, needs a
    /// stable review first.
    Other,
}

/// A plain note or a record of a follow-up visit (thăm nom, theo dõi), which
/// collaborators may record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Note,
    FollowUpVisit,
}

/// How another case is related to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseRelation {
    /// A case about a sibling (anh chị em ruột) of the child.
    Sibling,
}

/// A file attached to the case, stored by its SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttachmentInfo {
    pub sha256: String,
    pub size_bytes: u64,
    pub media_type: String,
    pub file_name: String,
    pub description: String,
    pub at: DateTime<Utc>,
}

crate::codes!(EmergencyMeasure {
    TemporarySeparation => "temporary_separation",
    SafeShelter => "safe_shelter",
    TemporaryAlternativeCare => "temporary_alternative_care",
    MedicalCare => "medical_care",
    PsychologicalSupport => "psychological_support",
    Other => "other",
});
crate::codes!(ServiceKind {
    Healthcare => "healthcare",
    Psychological => "psychological",
    LegalAid => "legal_aid",
    Education => "education",
    AlternativeCare => "alternative_care",
    SocialAssistance => "social_assistance",
    FamilySupport => "family_support",
    Reintegration => "reintegration",
    Other => "other",
});
crate::codes!(ReferralDirection { To => "to", From => "from" });
crate::codes!(ReviewOutcome {
    SafeAndStable => "safe_and_stable",
    NeedsNewPlan => "needs_new_plan",
});
crate::codes!(CloseReason {
    SafeAndStable => "safe_and_stable",
    Unfounded => "unfounded",
    ChildTurned16 => "child_turned_16",
    Other => "other",
});
crate::codes!(NoteKind { Note => "note", FollowUpVisit => "follow_up_visit" });
crate::codes!(CaseRelation { Sibling => "sibling" });

impl crate::common::Code for IntakeSource {
    const ALL: &'static [IntakeSource] = &IntakeSource::ALL;
    fn code(self) -> &'static str {
        self.as_str()
    }
}
