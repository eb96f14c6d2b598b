//! `ApiJson<T>` and `ApiQuery<T>`: extractors that answer bad input with
//! problem+json naming the field (serde_path_to_error), instead of axum's plain
//! text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{ApiError, FieldError};

/// Largest request body accepted (413 above).
pub const BODY_LIMIT: usize = 256 * 1024;

/// A JSON body, deserialized with the path of any failing field.
pub struct ApiJson<T>(pub T);

fn is_json(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "the body must be JSON with Content-Type: application/json (got `{content_type}`)"
            )));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(format!("the body is larger than {} KiB", BODY_LIMIT / 1024))
            } else {
                ApiError::Malformed {
                    detail: format!("the body could not be read: {e}"),
                    errors: Vec::new(),
                }
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// `unknown field `actor`, expected …` → `actor`: serde names the field in
/// backticks when the path cannot (inside internally tagged enums).
fn field_in_message(message: &str) -> Option<String> {
    for prefix in ["unknown field `", "missing field `", "duplicate field `"] {
        if let Some(rest) = message.split(prefix).nth(1) {
            return rest.split('`').next().map(str::to_string);
        }
    }
    None
}

fn join_path(path: &str, field: Option<String>) -> String {
    let path = if path == "." { "" } else { path };
    match field {
        Some(f) if path.is_empty() => f,
        Some(f) if !path.ends_with(&f) => format!("{path}.{f}"),
        _ => path.to_string(),
    }
}

/// Parses a JSON document into `T`, naming the failing field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = inner.to_string();
            return Err(match inner.classify() {
                serde_json::error::Category::Data => {
                    let field = join_path(&path, field_in_message(&message));
                    let field = if field.is_empty() {
                        "body".to_string()
                    } else {
                        field
                    };
                    ApiError::Invalid {
                        detail: format!("{field}: {message}"),
                        errors: vec![FieldError::new(field, message)],
                    }
                }
                _ => ApiError::Malformed {
                    detail: format!("the body is not valid JSON: {message}"),
                    errors: vec![FieldError::new("body", message)],
                },
            });
        }
    };
    de.end().map_err(|e| ApiError::Malformed {
        detail: format!("the body is not valid JSON: {e}"),
        errors: vec![FieldError::new("body", e.to_string())],
    })?;
    Ok(value)
}

/// Query parameters, with field-level problems.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                let field = join_path(&path, field_in_message(&message));
                ApiError::Invalid {
                    detail: format!("query parameter {field}: {message}"),
                    errors: vec![FieldError::new(field, message)],
                }
            })
    }
}
