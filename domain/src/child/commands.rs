//! What an actor asks about a child.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::common::Actor;

// ---------------------------------------------------------------------------
// Commands

/// One request about a child. The child id is the aggregate id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildCommand {
    pub actor: Actor,
    /// When the action happened; every event carries it. Never read from a clock.
    pub at: DateTime<Utc>,
    pub action: ChildAction,
}

/// What the actor asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChildAction {
    /// Lập hồ sơ trẻ em: the first record of the child.
    RegisterChild(Registration),
    /// Correct or update identity and address; at least one field.
    UpdateChildDetails(DetailsUpdate),
    ChangeHouseholdStatus(HouseholdStatusChange),
    /// The child enters a special-circumstance group.
    AddSpecialCircumstance(CircumstanceStart),
    /// The child leaves a special-circumstance group.
    EndSpecialCircumstance(CircumstanceEnd),
    /// A likely duplicate checked: the other record is another child.
    ConfirmDistinct(DistinctConfirmation),
    /// A likely duplicate checked: this record is the same child as another.
    MarkDuplicate(DuplicateMark),
    /// Xóa dữ liệu cá nhân: records the decision to erase the child's personal
    /// data (the storage layer then destroys the child's data key). National
    /// admins only; afterwards every command on the child is refused.
    EraseChildData(Erasure),
}

impl ChildAction {
    /// The action in words, for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ChildAction::RegisterChild(_) => "register a child",
            ChildAction::UpdateChildDetails(_) => "update a child's details",
            ChildAction::ChangeHouseholdStatus(_) => "change a household status",
            ChildAction::AddSpecialCircumstance(_) => "add a special circumstance",
            ChildAction::EndSpecialCircumstance(_) => "end a special circumstance",
            ChildAction::ConfirmDistinct(_) => "confirm that two records are different children",
            ChildAction::MarkDuplicate(_) => "mark a record as a duplicate",
            ChildAction::EraseChildData(_) => "erase a child's personal data",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Họ và tên; must not be empty.
    pub full_name: String,
    /// Must not be after the command date; the child must be under 16 then.
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    /// Dân tộc, e.g. "Kinh", "Tày", "H'Mông"; must not be empty.
    pub ethnicity: String,
    /// Số định danh cá nhân (CCCD): 12 digits, if known.
    #[serde(default)]
    pub personal_id: Option<String>,
    pub address: Address,
    #[serde(default)]
    pub household_status: HouseholdStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DetailsUpdate {
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub personal_id: Option<String>,
    /// A new address; the actor must belong to the child's current commune.
    #[serde(default)]
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HouseholdStatusChange {
    pub status: HouseholdStatus,
    /// E.g. the commune's yearly poor-household review decision.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CircumstanceStart {
    pub group: CircumstanceGroup,
    /// First day in the group: not before birth, not after the command date.
    pub since: NaiveDate,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CircumstanceEnd {
    pub group: CircumstanceGroup,
    /// Last day in the group (inclusive): not before `since`, not after the command date.
    pub until: NaiveDate,
    /// Must not be empty.
    pub reason: String,
}
