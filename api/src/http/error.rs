//! `ApiError`: every failure of a request, answered as RFC 9457 problem+json
//! (`type`, `title`, `status`, `detail`, and `errors: [{field, message}]` where
//! a field is to blame). The mapping from domain errors to status codes lives
//! here and nowhere else.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cqrs_es::AggregateError;
use hoso_domain::case::CaseError;
use hoso_domain::child::ChildError;
use hoso_domain::officer::OfficerError;
use serde::Serialize;
use serde_json::{json, Value};

/// One field to blame: a dotted path into the request (`minutes.held_at`,
/// `harm_types[0]`) or a query parameter, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// An RFC 9457 problem document as sent (for the OpenAPI document).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:hoso:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all, or a query string does not parse (400).
    #[error("{detail}")]
    Malformed {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Well-formed but invalid: unknown or missing fields, wrong types, a rule
    /// about a value (422).
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    /// Also what an officer gets for a record outside their unit.
    #[error("{0}")]
    NotFound(String),
    /// The record is not in a state that allows this (409).
    #[error("{0}")]
    Conflict(String),
    /// Another command changed the record first; retry (409).
    #[error("{0}")]
    Concurrent(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Our fault; the detail is logged, not sent.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::Invalid {
            detail: message.clone(),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::NotFound(format!("{what} not found"))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::Concurrent(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::Malformed { .. } => ("malformed-request", "The request could not be read"),
            ApiError::Invalid { .. } => ("validation", "The request is not valid"),
            ApiError::Unauthenticated(_) => ("unauthenticated", "Sign-in required"),
            ApiError::Forbidden(_) => ("forbidden", "Not allowed for your role"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::Conflict(_) => ("wrong-state", "Not possible in the record's current state"),
            ApiError::Concurrent(_) => ("concurrent-change", "Changed by another request first"),
            ApiError::TooLarge(_) => ("too-large", "Request body too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Send application/json")
            }
            ApiError::Internal(_) => ("internal", "Internal error"),
        }
    }

    /// The status and problem document, also stored for idempotent replays.
    pub fn problem(&self) -> (StatusCode, Value) {
        let status = self.status();
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            ApiError::Internal(_) => {
                "the server failed; the request id in the logs tells more".to_string()
            }
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Malformed { errors, .. } | ApiError::Invalid { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        let mut body = json!({
            "type": format!("urn:hoso:problem:{slug}"),
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        });
        if !errors.is_empty() {
            body["errors"] = json!(errors);
        }
        (status, body)
    }
}

/// A JSON answer with the problem+json content type.
pub fn problem_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = %e, "request failed");
        }
        let (status, body) = self.problem();
        let mut r = problem_response(status, &body);
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

impl From<crate::app::AppError> for ApiError {
    fn from(e: crate::app::AppError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<hoso_ledger::LedgerError> for ApiError {
    fn from(e: hoso_ledger::LedgerError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<hoso_projections::ProjectionError> for ApiError {
    fn from(e: hoso_projections::ProjectionError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Errors of cqrs-es around a domain error.
pub fn aggregate_error<E>(e: AggregateError<E>, domain: impl FnOnce(E) -> ApiError) -> ApiError
where
    E: std::error::Error,
{
    match e {
        AggregateError::UserError(e) => domain(e),
        AggregateError::AggregateConflict => ApiError::Concurrent(
            "another command changed this record at the same time; read it again and retry".into(),
        ),
        other => ApiError::Internal(other.to_string()),
    }
}

/// A case rule refused the command. The caller has already checked that the
/// case is visible to the officer, so `OutsideUnit` and `NotAuthorised` leak
/// nothing and are 403.
pub fn case_error(e: CaseError) -> ApiError {
    use CaseError as E;
    let msg = e.to_string();
    let field = match &e {
        E::NotFound => return ApiError::NotFound(msg),
        E::NotAuthorised { .. } | E::OutsideUnit { .. } => return ApiError::Forbidden(msg),
        E::AlreadyOpened
        | E::CaseClosed
        | E::WrongStep { .. }
        | E::FactNotConfirmed
        | E::NoApprovedPlan
        | E::NoStableReview
        | E::NotUnfounded
        | E::ChildNotYet16
        | E::NotClosed => return ApiError::Conflict(msg),
        E::MissingField(f) => *f,
        E::Invalid { field, .. } => *field,
        E::BeforeReceipt | E::ReceivedAfterRecording => "received_at",
        E::DuplicateHarmType(_) => "harm_types",
        E::UnknownCommune { .. } => "commune",
        E::ChildTooOld | E::ChildNotYetBorn => "date_of_birth",
        E::WrongPlanVersion { .. } => "plan_version",
        E::SameCommune => "to",
        E::SameWorker => "to_officer",
        E::AlreadyLinked(_) => "other_case_id",
        E::NoSuchEvent { .. } => "corrects_sequence",
    };
    ApiError::invalid(field, msg)
}

pub fn child_error(e: ChildError) -> ApiError {
    use ChildError as E;
    let msg = e.to_string();
    let field = match &e {
        E::NotRegistered => return ApiError::NotFound(msg),
        E::NotAuthorised { .. } | E::OutsideUnit { .. } => return ApiError::Forbidden(msg),
        E::AlreadyRegistered
        | E::SameHouseholdStatus(_)
        | E::GroupAlreadyActive(_)
        | E::GroupNotActive(_)
        | E::NoChange
        | E::NothingToUpdate => return ApiError::Conflict(msg),
        E::BeforeLastEvent { .. } => "at",
        E::MissingField(f) => *f,
        E::InvalidPersonalId => "personal_id",
        E::UnknownCommune { .. } => "address.commune",
        E::BornAfterRegistration | E::ChildTooOld => "date_of_birth",
        E::OverlapsEarlierPeriod { .. } => "since",
        E::EndBeforeStart { .. } => "until",
        E::DateInFuture { field } | E::BeforeBirth { field } => *field,
        E::GroupNRequiresPoorHousehold => "group",
    };
    ApiError::invalid(field, msg)
}

pub fn officer_error(e: OfficerError) -> ApiError {
    use OfficerError as E;
    let msg = e.to_string();
    let field = match &e {
        E::NotRegistered => return ApiError::NotFound(msg),
        E::NotAuthorised { .. } | E::OutsideUnit { .. } => return ApiError::Forbidden(msg),
        E::AlreadyRegistered | E::Deactivated | E::NotDeactivated | E::SameAssignment => {
            return ApiError::Conflict(msg)
        }
        E::BeforeLastEvent { .. } => "at",
        E::MissingField(f) => *f,
        E::WrongUnitLevel { .. } | E::UnknownProvince(_) | E::UnknownCommune { .. } => "unit",
        E::DateBeforeLastChange { .. } => "from",
        E::TrainingInFuture => "date",
        E::ZeroHours => "hours",
    };
    ApiError::invalid(field, msg)
}
