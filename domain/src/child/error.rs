//! The child rules that refuse a command.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::common::{Role, Unit};

// ---------------------------------------------------------------------------
// Errors

/// Why a child command was refused: one variant per rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("the child has not been registered")]
    NotRegistered,
    #[error("the child is already registered")]
    AlreadyRegistered,
    /// The role may never do this action.
    #[error("a {} may not {action}", .role.as_str())]
    NotAuthorised { role: Role, action: &'static str },
    /// The role may do this, but not for a child of this commune.
    #[error("an officer of {} may not act on a child of commune {commune}", .unit.code())]
    OutsideUnit { unit: Unit, commune: u32 },
    #[error("the action time is earlier than the child's last recorded event ({last})")]
    BeforeLastEvent { last: DateTime<Utc> },
    #[error("missing required field: {0}")]
    MissingField(&'static str),
    #[error("the personal identification number must have exactly 12 digits")]
    InvalidPersonalId,
    #[error("commune {commune} of province {province} does not exist in that structure")]
    UnknownCommune { province: u32, commune: u32 },
    #[error("the date of birth is after the registration date")]
    BornAfterRegistration,
    #[error(
        "the person was 16 or older at registration; the Law on Children covers persons under 16"
    )]
    ChildTooOld,
    #[error("the update names no field to change")]
    NothingToUpdate,
    #[error("the update changes nothing: every given field already has that value")]
    NoChange,
    #[error("the household status is already {0:?}")]
    SameHouseholdStatus(HouseholdStatus),
    #[error("group {} is already active", .0.code())]
    GroupAlreadyActive(CircumstanceGroup),
    #[error("group {} is not active", .0.code())]
    GroupNotActive(CircumstanceGroup),
    #[error("group {} ended on {ended}; a new period must start after that", .group.code())]
    OverlapsEarlierPeriod {
        group: CircumstanceGroup,
        ended: NaiveDate,
    },
    #[error("the end date {until} is before the start date {since}")]
    EndBeforeStart { since: NaiveDate, until: NaiveDate },
    #[error("{field} is after the date of the action")]
    DateInFuture { field: &'static str },
    #[error("{field} is before the child's date of birth")]
    BeforeBirth { field: &'static str },
    #[error("group n requires a poor or near-poor household (Law Art. 10 n)")]
    GroupNRequiresPoorHousehold,
    #[error("the record was already confirmed to be another child than {0}")]
    AlreadyDistinct(String),
    #[error("the record is already marked as a duplicate of {0}")]
    AlreadyDuplicate(String),
    #[error("the child's personal data has been erased; the record takes no more changes")]
    Erased,
}
