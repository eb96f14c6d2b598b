//! `Error`: every way a use case can fail, in words a face can show. The HTTP
//! edge maps each variant to a status and an RFC 9457 problem document; the
//! pages show the same words; the command line prints them.
//!
//! A domain rule that refuses a command stays a domain error (`Rule`), so the
//! faces can say it in the officer's language; `Rule::kind` says whether it
//! is about a field, the record's state, the officer's role or a missing record.

use cqrs_es::AggregateError;
use hoso_domain::case::CaseError;
use hoso_domain::child::ChildError;
use hoso_domain::officer::OfficerError;

/// One field to blame: a dotted path into the request (`minutes.held_at`,
/// `harm_types[0]`) or a query parameter, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A domain rule refused the command.
    #[error("{0}")]
    Rule(Rule),
    /// Well-formed but invalid input (a field, a parameter).
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthenticated(String),
    /// The officer's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Also what an officer gets for a record outside their area, so that its
    /// existence does not leak.
    #[error("{0}")]
    NotFound(String),
    /// The record is not in a state that allows this.
    #[error("{0}")]
    Conflict(String),
    /// Another command changed the record first; read again and retry.
    #[error("{0}")]
    Concurrent(String),
    /// The database cannot be reached now; the same request may be retried.
    #[error("{0}")]
    Unavailable(String),
    /// The store's disk (or PostgreSQL's) is full: the transaction was rolled
    /// back whole, nothing of the request was stored; retry once space is
    /// freed. Reads still work.
    #[error("{0}")]
    Full(String),
    /// A heavy task of which one runs at a time (a verification) is running;
    /// the same request may be retried shortly.
    #[error("{0}")]
    Busy(String),
    /// Too many failed sign-ins for this account or address: retry after
    /// `retry_after` seconds.
    #[error("too many failed sign-ins; retry in {retry_after} seconds")]
    TooMany { retry_after: u64 },
    /// Our fault; the detail is logged, not shown.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        let message = message.into();
        Error::Invalid {
            detail: message.clone(),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn not_found(what: &str) -> Error {
        Error::NotFound(format!("{what} not found"))
    }
}

/// A refusal by one of the aggregates.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Rule {
    #[error(transparent)]
    Case(CaseError),
    #[error(transparent)]
    Child(ChildError),
    #[error(transparent)]
    Officer(OfficerError),
}

/// What a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// The record does not exist (for this officer).
    NotFound,
    /// The officer's role or unit may not do this on a record they can see.
    Forbidden,
    /// The record's state does not allow it.
    Conflict,
    /// A value is wrong; the field to blame.
    Invalid(&'static str),
}

impl Rule {
    /// The callers have already checked that the record is visible to the
    /// officer, so `OutsideUnit` and `NotAuthorised` leak nothing.
    pub fn kind(&self) -> RuleKind {
        match self {
            Rule::Case(e) => case_kind(e),
            Rule::Child(e) => child_kind(e),
            Rule::Officer(e) => officer_kind(e),
        }
    }
}

fn case_kind(e: &CaseError) -> RuleKind {
    use CaseError as E;
    use RuleKind::*;
    match e {
        E::NotFound => NotFound,
        E::NotAuthorised { .. } | E::OutsideUnit { .. } => Forbidden,
        E::AlreadyOpened
        | E::CaseClosed
        | E::WrongStep { .. }
        | E::FactNotConfirmed
        | E::NoApprovedPlan
        | E::NoStableReview
        | E::NotUnfounded
        | E::ChildNotYet16
        | E::BirthDateUnknown
        | E::NotClosed => Conflict,
        E::MissingField(f) => Invalid(f),
        E::Invalid { field, .. } => Invalid(field),
        E::BeforeReceipt | E::ReceivedAfterRecording => Invalid("received_at"),
        E::DuplicateHarmType(_) => Invalid("harm_types"),
        E::UnknownCommune { .. } => Invalid("commune"),
        E::ChildTooOld | E::ChildNotYetBorn => Invalid("date_of_birth"),
        E::WrongPlanVersion { .. } => Invalid("plan_version"),
        E::SameCommune => Invalid("to"),
        E::SameWorker => Invalid("to_officer"),
        E::AlreadyLinked(_) => Invalid("other_case_id"),
        E::NoSuchEvent { .. } => Invalid("corrects_sequence"),
    }
}

fn child_kind(e: &ChildError) -> RuleKind {
    use ChildError as E;
    use RuleKind::*;
    match e {
        E::NotRegistered => NotFound,
        E::NotAuthorised { .. } | E::OutsideUnit { .. } => Forbidden,
        E::AlreadyRegistered
        | E::SameHouseholdStatus(_)
        | E::GroupAlreadyActive(_)
        | E::GroupNotActive(_)
        | E::NoChange
        | E::NothingToUpdate
        | E::AlreadyDistinct(_)
        | E::AlreadyDuplicate(_)
        | E::Erased => Conflict,
        E::BeforeLastEvent { .. } => Invalid("at"),
        E::MissingField(f) => Invalid(f),
        E::InvalidPersonalId => Invalid("personal_id"),
        E::UnknownCommune { .. } => Invalid("address.commune"),
        E::BornAfterRegistration | E::ChildTooOld => Invalid("date_of_birth"),
        E::OverlapsEarlierPeriod { .. } => Invalid("since"),
        E::EndBeforeStart { .. } => Invalid("until"),
        E::DateInFuture { field } | E::BeforeBirth { field } => Invalid(field),
        E::GroupNRequiresPoorHousehold => Invalid("group"),
    }
}

fn officer_kind(e: &OfficerError) -> RuleKind {
    use OfficerError as E;
    use RuleKind::*;
    match e {
        E::NotRegistered => NotFound,
        E::NotAuthorised { .. } | E::OutsideUnit { .. } => Forbidden,
        E::AlreadyRegistered
        | E::Deactivated
        | E::NotDeactivated
        | E::SameAssignment
        | E::Erased => Conflict,
        E::BeforeLastEvent { .. } => Invalid("at"),
        E::MissingField(f) => Invalid(f),
        E::WrongUnitLevel { .. } | E::UnknownProvince(_) | E::UnknownCommune { .. } => {
            Invalid("unit")
        }
        E::DateBeforeLastChange { .. } => Invalid("from"),
        E::TrainingInFuture => Invalid("date"),
        E::ZeroHours => Invalid("hours"),
        E::TokenForPerson(_) => Invalid("officer_id"),
        E::SystemHasNoPassword => Invalid("officer_id"),
        E::TokenExpiry => Invalid("days"),
        E::UnknownToken(_) => NotFound,
        E::TokenRevoked(_) | E::TokenIdTaken(_) => Conflict,
        E::NotYourPassword => Forbidden,
    }
}

/// Errors of cqrs-es around a domain error.
pub fn aggregate<E>(e: AggregateError<E>, rule: impl FnOnce(E) -> Rule) -> Error
where
    E: std::error::Error,
{
    match e {
        AggregateError::UserError(e) => Error::Rule(rule(e)),
        AggregateError::AggregateConflict => Error::Concurrent(
            "another command changed this record at the same time; read it again and retry".into(),
        ),
        AggregateError::DatabaseConnectionError(e)
            if e.downcast_ref::<sqlx::Error>().is_some_and(is_full) =>
        {
            Error::Full(e.to_string())
        }
        AggregateError::DatabaseConnectionError(e) => Error::Unavailable(e.to_string()),
        AggregateError::UnexpectedError(e) if erased(e.as_ref()) => Error::Conflict(
            "the personal data of this record's person was erased: nothing more can be recorded about them".into(),
        ),
        other => Error::Internal(other.to_string()),
    }
}

/// Whether the store refused an event because its person's data key was
/// destroyed.
fn erased(e: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    matches!(
        e.downcast_ref::<hoso_ledger::LedgerError>(),
        Some(hoso_ledger::LedgerError::Key(
            hoso_ledger::keys::KeyError::Erased(_)
        ))
    )
}

/// Whether a database error means "no space left": SQLite's SQLITE_FULL
/// (13), PostgreSQL's disk_full (53100), or the file system's ENOSPC.
pub fn is_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c == "13" || c == "53100"),
        _ => false,
    }
}

/// Whether a database error means "not reachable now" rather than a fault.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            // PostgreSQL: 08xxx connection exceptions, 57P01-03 shutdown/cannot
            // connect now, 53xxx insufficient resources.
            c.starts_with("08") || c.starts_with("57P") || c.starts_with("53")
        }),
        _ => false,
    }
}

fn storage(e: &sqlx::Error, text: String) -> Error {
    if is_full(e) {
        Error::Full(text)
    } else if is_unavailable(e) {
        Error::Unavailable(text)
    } else {
        Error::Internal(text)
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        let text = e.to_string();
        storage(&e, text)
    }
}

impl From<hoso_ledger::LedgerError> for Error {
    fn from(e: hoso_ledger::LedgerError) -> Self {
        match &e {
            hoso_ledger::LedgerError::Database(d) => storage(d, e.to_string()),
            _ => Error::Internal(e.to_string()),
        }
    }
}

impl From<hoso_projections::ProjectionError> for Error {
    fn from(e: hoso_projections::ProjectionError) -> Self {
        use hoso_projections::ProjectionError as P;
        match e {
            P::Database(d) => d.into(),
            P::Ledger(l) => l.into(),
            P::Time(t) => Error::invalid(
                "time",
                format!(
                    "invalid time `{t}`: use RFC 3339, e.g. 2026-03-02T09:00:00+07:00, or a date"
                ),
            ),
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<hoso_ledger::checkpoint::CheckpointError> for Error {
    fn from(e: hoso_ledger::checkpoint::CheckpointError) -> Self {
        use hoso_ledger::checkpoint::CheckpointError as C;
        match e {
            C::Ledger(l) => l.into(),
            C::Database(d) => d.into(),
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<crate::app::AppError> for Error {
    fn from(e: crate::app::AppError) -> Self {
        match e {
            crate::app::AppError::Ledger(l) => l.into(),
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<crate::export::ExportError> for Error {
    fn from(e: crate::export::ExportError) -> Self {
        use crate::export::ExportError as X;
        match e {
            X::Ledger(l) => l.into(),
            X::Checkpoint(c) => c.into(),
            X::App(a) => a.into(),
            X::Place(p) => Error::invalid(
                "place",
                format!(
                    "`{p}` is not understood: use province:<code> or commune:<province>:<code>"
                ),
            ),
            other => Error::Internal(other.to_string()),
        }
    }
}
