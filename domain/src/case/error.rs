//! `CaseError`: one variant per rule of the `Case` aggregate, with English messages.

use crate::common::{HarmType, Role, Unit};

use super::aggregate::CaseStatus;

/// Why a case command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("case not found: no intake has been recorded for it")]
    NotFound,
    #[error("the case has already been opened by an intake")]
    AlreadyOpened,
    /// The role may never do this action (inspectors, admins, ...).
    #[error("a {} may not {action}", .role.as_str())]
    NotAuthorised { role: Role, action: &'static str },
    /// The role may do this, but not for a case of this commune.
    #[error("an officer of {} may not act on a case of commune {commune}", .unit.code())]
    OutsideUnit { unit: Unit, commune: u32 },
    #[error("the case is closed; only notes, attachments, corrections and reopening are allowed")]
    CaseClosed,
    /// The action is not allowed in the current step of the process.
    #[error("cannot {action} while the case is {}", .status.as_str())]
    WrongStep {
        action: &'static str,
        status: CaseStatus,
    },
    #[error("the action time is earlier than the time the report was received")]
    BeforeReceipt,
    #[error("the report cannot have been received after the intake was recorded")]
    ReceivedAfterRecording,
    #[error("missing required field: {0}")]
    MissingField(&'static str),
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error("harm type {0:?} is listed twice")]
    DuplicateHarmType(HarmType),
    #[error("commune {commune} of province {province} does not exist in that structure")]
    UnknownCommune { province: u32, commune: u32 },
    #[error("the child was 16 or older when the report was received; the Law on Children covers persons under 16")]
    ChildTooOld,
    #[error("the child's date of birth is after the report was received")]
    ChildNotYetBorn,
    #[error("the report has not been confirmed by a fact check")]
    FactNotConfirmed,
    #[error("plan version {given} is not the plan awaiting approval (version {expected})")]
    WrongPlanVersion { expected: u32, given: u32 },
    #[error("no approved plan is in force")]
    NoApprovedPlan,
    #[error("the case can be closed only after a review found the child safe and stable under the last approved plan")]
    NoStableReview,
    #[error("the case can be closed as unfounded only after a fact check that did not confirm the report")]
    NotUnfounded,
    #[error("the child has not turned 16")]
    ChildNotYet16,
    /// The case's date of birth is gone (the child's personal data was erased),
    /// so whether the child has turned 16 cannot be known.
    #[error("the child's date of birth is not known (their personal data was erased), so the case cannot be closed because the child turned 16")]
    BirthDateUnknown,
    #[error("the case is not closed")]
    NotClosed,
    #[error("the case is already in that commune")]
    SameCommune,
    #[error("that officer is already the responsible worker")]
    SameWorker,
    #[error("the case is already linked to case {0}")]
    AlreadyLinked(String),
    #[error("event {sequence} does not exist: the case has {last} events")]
    NoSuchEvent { sequence: u64, last: u64 },
}
