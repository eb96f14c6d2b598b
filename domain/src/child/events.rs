//! What happened to a child's record.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::*;

// ---------------------------------------------------------------------------
// Events

/// Something that happened to a child's record. Every event carries `at`, the
/// time of the action; the actor is in the event metadata.
///
/// Every personal field (see [`crate::privacy`]) has `#[serde(default)]`, so an
/// event whose personal part was erased still deserializes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChildEvent {
    ChildRegistered {
        at: DateTime<Utc>,
        #[serde(default)]
        full_name: String,
        /// Always `Some` when recorded; `None` once erased. Serializes as the
        /// date itself, as when it was a plain `NaiveDate`.
        #[serde(default)]
        date_of_birth: Option<NaiveDate>,
        sex: Sex,
        #[serde(default)]
        ethnicity: String,
        #[serde(default)]
        personal_id: Option<String>,
        address: Address,
        household_status: HouseholdStatus,
    },
    /// Only the changed fields are `Some`.
    ChildDetailsUpdated {
        at: DateTime<Utc>,
        #[serde(default)]
        full_name: Option<String>,
        #[serde(default)]
        ethnicity: Option<String>,
        #[serde(default)]
        personal_id: Option<String>,
        address: Option<Address>,
    },
    HouseholdStatusChanged {
        at: DateTime<Utc>,
        status: HouseholdStatus,
        #[serde(default)]
        reason: String,
    },
    SpecialCircumstanceAdded {
        at: DateTime<Utc>,
        group: CircumstanceGroup,
        since: NaiveDate,
        #[serde(default)]
        note: String,
    },
    SpecialCircumstanceEnded {
        at: DateTime<Utc>,
        group: CircumstanceGroup,
        until: NaiveDate,
        #[serde(default)]
        reason: String,
    },
    /// Xác nhận là trẻ em khác: not the same child as `other_child_id`.
    ConfirmedDistinct {
        at: DateTime<Utc>,
        other_child_id: String,
        #[serde(default)]
        note: String,
    },
    /// Trùng hồ sơ: the same child as `of_child_id`, the record kept.
    MarkedDuplicate {
        at: DateTime<Utc>,
        of_child_id: String,
        #[serde(default)]
        reason: String,
    },
    /// The child's personal data was erased by the decision `decision_ref`.
    /// Public: the history keeps who erased (metadata), when and why.
    PersonalDataErased {
        at: DateTime<Utc>,
        reason: String,
        decision_ref: String,
    },
}

impl ChildEvent {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            ChildEvent::ChildRegistered { at, .. }
            | ChildEvent::ChildDetailsUpdated { at, .. }
            | ChildEvent::HouseholdStatusChanged { at, .. }
            | ChildEvent::SpecialCircumstanceAdded { at, .. }
            | ChildEvent::SpecialCircumstanceEnded { at, .. }
            | ChildEvent::ConfirmedDistinct { at, .. }
            | ChildEvent::MarkedDuplicate { at, .. }
            | ChildEvent::PersonalDataErased { at, .. } => *at,
        }
    }
}

impl DomainEvent for ChildEvent {
    fn event_type(&self) -> String {
        match self {
            ChildEvent::ChildRegistered { .. } => "ChildRegistered",
            ChildEvent::ChildDetailsUpdated { .. } => "ChildDetailsUpdated",
            ChildEvent::HouseholdStatusChanged { .. } => "HouseholdStatusChanged",
            ChildEvent::SpecialCircumstanceAdded { .. } => "SpecialCircumstanceAdded",
            ChildEvent::SpecialCircumstanceEnded { .. } => "SpecialCircumstanceEnded",
            ChildEvent::ConfirmedDistinct { .. } => "ConfirmedDistinct",
            ChildEvent::MarkedDuplicate { .. } => "MarkedDuplicate",
            ChildEvent::PersonalDataErased { .. } => "PersonalDataErased",
        }
        .to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}
