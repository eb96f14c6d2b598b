//! What an officer's record remembers.

use super::*;

/// Something that happened to an officer's record. Every event carries `at`, the
/// time of the action; the actor is in the event metadata.
///
/// Every personal field (see [`crate::privacy`]) has `#[serde(default)]`, so an
/// event whose personal part was erased still deserializes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OfficerEvent {
    OfficerRegistered {
        at: DateTime<Utc>,
        #[serde(default)]
        full_name: String,
        role: Role,
        unit: Unit,
        active_from: NaiveDate,
    },
    AssignmentChanged {
        at: DateTime<Utc>,
        role: Role,
        unit: Unit,
        from: NaiveDate,
        #[serde(default)]
        reason: String,
    },
    OfficerDeactivated {
        at: DateTime<Utc>,
        from: NaiveDate,
        #[serde(default)]
        reason: String,
    },
    OfficerReactivated {
        at: DateTime<Utc>,
        from: NaiveDate,
    },
    TrainingRecorded {
        at: DateTime<Utc>,
        date: NaiveDate,
        organiser: String,
        topics: Vec<String>,
        hours: Option<u32>,
    },
    /// The officer's personal data was erased by the decision `decision_ref`.
    OfficerPersonalDataErased {
        at: DateTime<Utc>,
        reason: String,
        decision_ref: String,
    },
    /// An API token was issued to this system account (by the actor).
    ApiTokenIssued {
        at: DateTime<Utc>,
        token_id: String,
        label: String,
        expires_at: DateTime<Utc>,
    },
    ApiTokenRevoked {
        at: DateTime<Utc>,
        token_id: String,
        #[serde(default)]
        reason: String,
    },
    /// An admin withdrew the password: no sign-in until the owner sets one.
    PasswordReset {
        at: DateTime<Utc>,
        #[serde(default)]
        reason: String,
    },
    /// The officer set their own password.
    PasswordSet {
        at: DateTime<Utc>,
        how: PasswordHow,
    },
}

impl OfficerEvent {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            OfficerEvent::OfficerRegistered { at, .. }
            | OfficerEvent::AssignmentChanged { at, .. }
            | OfficerEvent::OfficerDeactivated { at, .. }
            | OfficerEvent::OfficerReactivated { at, .. }
            | OfficerEvent::TrainingRecorded { at, .. }
            | OfficerEvent::OfficerPersonalDataErased { at, .. }
            | OfficerEvent::ApiTokenIssued { at, .. }
            | OfficerEvent::ApiTokenRevoked { at, .. }
            | OfficerEvent::PasswordReset { at, .. }
            | OfficerEvent::PasswordSet { at, .. } => *at,
        }
    }
}

impl DomainEvent for OfficerEvent {
    fn event_type(&self) -> String {
        match self {
            OfficerEvent::OfficerRegistered { .. } => "OfficerRegistered",
            OfficerEvent::AssignmentChanged { .. } => "AssignmentChanged",
            OfficerEvent::OfficerDeactivated { .. } => "OfficerDeactivated",
            OfficerEvent::OfficerReactivated { .. } => "OfficerReactivated",
            OfficerEvent::TrainingRecorded { .. } => "TrainingRecorded",
            OfficerEvent::OfficerPersonalDataErased { .. } => "OfficerPersonalDataErased",
            OfficerEvent::ApiTokenIssued { .. } => "ApiTokenIssued",
            OfficerEvent::ApiTokenRevoked { .. } => "ApiTokenRevoked",
            OfficerEvent::PasswordReset { .. } => "PasswordReset",
            OfficerEvent::PasswordSet { .. } => "PasswordSet",
        }
        .to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

// ---------------------------------------------------------------------------
// Errors
