//! Why an officer command is refused, and the one rule for which unit a role may be assigned to.

use super::*;

/// Why an officer command was refused: one variant per rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficerError {
    #[error("the officer has not been registered")]
    NotRegistered,
    #[error("the officer is already registered")]
    AlreadyRegistered,
    /// The role may never do this action.
    #[error("a {} may not {action}", .role.as_str())]
    NotAuthorised { role: Role, action: &'static str },
    /// A provincial manager acting for an officer outside their province.
    #[error("an officer of {} may not act on an officer of {}", .unit.code(), .officer_unit.code())]
    OutsideUnit { unit: Unit, officer_unit: Unit },
    #[error("the action time is earlier than the officer's last recorded event ({last})")]
    BeforeLastEvent { last: DateTime<Utc> },
    #[error("missing required field: {0}")]
    MissingField(&'static str),
    /// The unit is not of the level the role needs.
    #[error("a {} needs a {needs} unit, not {}", .role.as_str(), .unit.code())]
    WrongUnitLevel {
        role: Role,
        unit: Unit,
        needs: &'static str,
    },
    #[error("province {0} does not exist in the 2025 structure")]
    UnknownProvince(u32),
    #[error("commune {commune} of province {province} does not exist in the 2025 structure")]
    UnknownCommune { province: u32, commune: u32 },
    #[error("the officer already has that role and unit")]
    SameAssignment,
    #[error("the officer is deactivated; only reactivation is possible")]
    Deactivated,
    #[error("the officer is active")]
    NotDeactivated,
    #[error("{from} is before the last change, which took effect on {last}")]
    DateBeforeLastChange { from: NaiveDate, last: NaiveDate },
    #[error("the training date is after the date of the action")]
    TrainingInFuture,
    #[error("training hours must be more than zero")]
    ZeroHours,
    #[error("the officer's personal data has been erased; the record takes no more changes")]
    Erased,
    /// API tokens are for system accounts; people sign in with a password.
    #[error("API tokens are only for system accounts (role system); a {} signs in with their own password", .0.as_str())]
    TokenForPerson(Role),
    #[error("a system account has no password; it uses API tokens")]
    SystemHasNoPassword,
    #[error("an API token must expire after it is issued and within {MAX_API_TOKEN_DAYS} days")]
    TokenExpiry,
    #[error("no API token {0} was issued to this account")]
    UnknownToken(String),
    #[error("the API token {0} is revoked already")]
    TokenRevoked(String),
    #[error("the token id {0} was issued before")]
    TokenIdTaken(String),
    /// Only the officer sets their own password.
    #[error("only the officer may set their own password")]
    NotYourPassword,
}

/// Checks that a role's unit is of the right level and exists in the 2025 list.
pub fn check_assignment(role: Role, unit: Unit) -> Result<(), OfficerError> {
    let wrong = |needs| OfficerError::WrongUnitLevel { role, unit, needs };
    let dir = places::current();
    match (role, unit) {
        (
            Role::Collaborator | Role::CommuneWorker | Role::CommuneChairman,
            Unit::Commune { province, commune },
        ) => match dir.commune_ref(commune) {
            Some(r) if r.province == province => Ok(()),
            _ => Err(OfficerError::UnknownCommune { province, commune }),
        },
        (Role::Collaborator | Role::CommuneWorker | Role::CommuneChairman, _) => {
            Err(wrong("commune"))
        }
        (Role::ProvincialManager | Role::Inspector, Unit::Province { province }) => {
            match dir.province(province) {
                Some(_) => Ok(()),
                None => Err(OfficerError::UnknownProvince(province)),
            }
        }
        (Role::ProvincialManager, _) => Err(wrong("province")),
        (Role::Inspector, Unit::National) => Ok(()),
        (Role::Inspector, _) => Err(wrong("province or national")),
        (Role::HotlineOperator | Role::Admin | Role::System, Unit::National) => Ok(()),
        (Role::HotlineOperator | Role::Admin | Role::System, _) => Err(wrong("national")),
    }
}

// ---------------------------------------------------------------------------
// Aggregate
