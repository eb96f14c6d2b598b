//! What an officer's record accepts: registration, assignment changes, deactivation, trainings.

use super::*;

/// One request about an officer. The officer id is the aggregate id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficerCommand {
    pub actor: Actor,
    /// When the action happened; every event carries it. Never read from a clock.
    pub at: DateTime<Utc>,
    pub action: OfficerAction,
}

/// What the actor asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OfficerAction {
    RegisterOfficer(OfficerRegistration),
    /// A new role and/or unit from a date (điều động, phân công).
    ChangeAssignment(AssignmentChange),
    Deactivate(Deactivation),
    Reactivate(Reactivation),
    /// Tập huấn attended.
    RecordTraining(Training),
    /// Xóa dữ liệu cá nhân of a deactivated officer (the storage layer then
    /// destroys the officer's data key). National admins only; afterwards
    /// every command on the officer is refused.
    EraseOfficerData(Erasure),
    /// An API token for a system account (role `system`), never for a
    /// person: admins only.
    IssueApiToken(ApiTokenIssue),
    /// An API token withdrawn before it expires: admins only.
    RevokeApiToken(ApiTokenRevocation),
    /// The officer's password withdrawn by an admin: the account cannot sign
    /// in until its owner sets a new password with the activation code.
    ResetPassword(PasswordReset),
    /// The officer sets their own password (a change with the current one,
    /// or the first one with an activation code). Only the officer.
    SetPassword(PasswordSetting),
}

impl OfficerAction {
    /// The action in words, for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            OfficerAction::RegisterOfficer(_) => "register an officer",
            OfficerAction::ChangeAssignment(_) => "change an officer's assignment",
            OfficerAction::Deactivate(_) => "deactivate an officer",
            OfficerAction::Reactivate(_) => "reactivate an officer",
            OfficerAction::RecordTraining(_) => "record a training",
            OfficerAction::EraseOfficerData(_) => "erase an officer's personal data",
            OfficerAction::IssueApiToken(_) => "issue an API token",
            OfficerAction::RevokeApiToken(_) => "revoke an API token",
            OfficerAction::ResetPassword(_) => "reset an officer's password",
            OfficerAction::SetPassword(_) => "set an officer's password",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfficerRegistration {
    /// Họ và tên; must not be empty.
    pub full_name: String,
    pub role: Role,
    /// Must match the role's level and exist in the 2025 structure.
    pub unit: Unit,
    /// First day in service.
    pub active_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignmentChange {
    pub role: Role,
    pub unit: Unit,
    /// First day of the new assignment: not before the last change.
    pub from: NaiveDate,
    /// E.g. the transfer decision; must not be empty.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Deactivation {
    /// First day out of service: not before the last change.
    pub from: NaiveDate,
    /// Must not be empty.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reactivation {
    /// First day back in service, with the assignment held before: not before
    /// the deactivation.
    pub from: NaiveDate,
}

/// Tập huấn: one training attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// Not after the date of the action.
    pub date: NaiveDate,
    /// Đơn vị tổ chức; must not be empty.
    pub organiser: String,
    /// At least one, none empty.
    pub topics: Vec<String>,
    /// Hours of training, if known; not zero.
    #[serde(default)]
    pub hours: Option<u32>,
}

/// Longest validity of an API token.
pub const MAX_API_TOKEN_DAYS: i64 = 365;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiTokenIssue {
    /// The token's public id (16 hex digits of its hash); not the token.
    pub token_id: String,
    /// What uses it (e.g. "tổng đài 111, máy chủ chuyển cuộc gọi"); not empty.
    pub label: String,
    /// After the action, at most `MAX_API_TOKEN_DAYS` later.
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiTokenRevocation {
    /// A token issued to this account and not revoked yet.
    pub token_id: String,
    /// Must not be empty.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// E.g. "forgotten, asked in person on 2026-12-01"; must not be empty.
    pub reason: String,
}

/// How an officer's own password was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PasswordHow {
    /// Changed, with the current password.
    Changed,
    /// Set with the activation code of a reset (or of a new account).
    Activated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordSetting {
    /// The officer whose password it is: must be the actor.
    pub officer_id: String,
    pub how: PasswordHow,
}

// ---------------------------------------------------------------------------
// Events
