//! `ApiError`: every failure of a request, answered as RFC 9457 problem+json
//! (`type`, `title`, `status`, `detail`, and `errors: [{field, message}]` where
//! a field is to blame). The mapping from the service's errors (and the domain
//! rules inside them) to HTTP statuses lives here and nowhere else.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hoso_service::{Error, FieldError, RuleKind};
use serde::Serialize;
use serde_json::{json, Value};

/// Seconds a client should wait before retrying when the database is away.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// One field to blame, as documented (the same shape as the service's).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
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
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all, or could not be read (400).
    #[error("{detail}")]
    Malformed {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error(transparent)]
    Service(#[from] Error),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Service(Error::invalid(field, message))
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::Service(Error::not_found(what))
    }

    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::Service(Error::Internal(detail.into()))
    }

    pub fn is_internal(&self) -> bool {
        matches!(self, ApiError::Service(Error::Internal(_)))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed { .. } => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Service(e) => match e {
                Error::Rule(r) => match r.kind() {
                    RuleKind::NotFound => StatusCode::NOT_FOUND,
                    RuleKind::Forbidden => StatusCode::FORBIDDEN,
                    RuleKind::Conflict => StatusCode::CONFLICT,
                    RuleKind::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                },
                Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
                Error::Forbidden(_) => StatusCode::FORBIDDEN,
                Error::NotFound(_) => StatusCode::NOT_FOUND,
                Error::Conflict(_) | Error::Concurrent(_) => StatusCode::CONFLICT,
                Error::Unavailable(_) | Error::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
                Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
                Error::Full(_) => StatusCode::INSUFFICIENT_STORAGE,
                Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::Malformed { .. } => ("malformed-request", "The request could not be read"),
            ApiError::TooLarge(_) => ("too-large", "Request body too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Send application/json")
            }
            ApiError::Service(e) => match e {
                Error::Rule(r) => match r.kind() {
                    RuleKind::NotFound => ("not-found", "Not found"),
                    RuleKind::Forbidden => ("forbidden", "Not allowed for your role"),
                    RuleKind::Conflict => {
                        ("wrong-state", "Not possible in the record's current state")
                    }
                    RuleKind::Invalid(_) => ("validation", "The request is not valid"),
                },
                Error::Invalid { .. } => ("validation", "The request is not valid"),
                Error::Unauthenticated(_) => ("unauthenticated", "Sign-in required"),
                Error::Forbidden(_) => ("forbidden", "Not allowed for your role"),
                Error::NotFound(_) => ("not-found", "Not found"),
                Error::Conflict(_) => ("wrong-state", "Not possible in the record's current state"),
                Error::Concurrent(_) => ("concurrent-change", "Changed by another request first"),
                Error::Unavailable(_) => ("unavailable", "The database is not reachable; retry"),
                Error::Busy(_) => ("busy", "Another verification is running; retry"),
                Error::TooMany { .. } => ("too-many-attempts", "Too many failed sign-ins"),
                Error::Full(_) => (
                    "storage-full",
                    "The store's disk is full; nothing was recorded",
                ),
                Error::Internal(_) => ("internal", "Internal error"),
            },
        }
    }

    /// The fields to blame.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            ApiError::Malformed { errors, .. }
            | ApiError::Service(Error::Invalid { errors, .. }) => errors.clone(),
            ApiError::Service(Error::Rule(r)) => match r.kind() {
                RuleKind::Invalid(field) => vec![FieldError::new(field, r.to_string())],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The status and problem document, also stored for idempotent replays.
    pub fn problem(&self) -> (StatusCode, Value) {
        let status = self.status();
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            ApiError::Service(Error::Internal(_)) => {
                "the server failed; the request id in the logs tells more".to_string()
            }
            ApiError::Service(Error::Unavailable(_)) => format!(
                "the database cannot be reached right now; nothing was changed; retry in {RETRY_AFTER_SECONDS} seconds"
            ),
            ApiError::Service(Error::Full(_)) => format!(
                "the database has no space left; nothing of this request was stored; tell the administrator and retry in {RETRY_AFTER_SECONDS} seconds"
            ),
            other => other.to_string(),
        };
        let errors = self.field_errors();
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
    if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::INSUFFICIENT_STORAGE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Service(Error::Internal(e)) => tracing::error!(error = %e, "request failed"),
            ApiError::Service(Error::Unavailable(e)) => {
                tracing::warn!(error = %e, "database unavailable")
            }
            ApiError::Service(Error::Full(e)) => {
                tracing::error!(error = %e, "the database is out of space")
            }
            _ => {}
        }
        let (status, body) = self.problem();
        let mut r = problem_response(status, &body);
        if let ApiError::Service(Error::TooMany { retry_after }) = &self {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        r
    }
}
