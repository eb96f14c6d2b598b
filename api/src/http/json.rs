//! `ApiJson<T>` and `ApiQuery<T>`: extractors that answer bad input with
//! problem+json naming the field (serde_path_to_error), instead of axum's plain
//! text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use hoso_service::{Error, FieldError};

use super::error::ApiError;

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

/// What serde says it found, as a test on JSON values: `string "yes"`,
/// `integer `5``, `boolean `true``, `floating point `1.5``, `null`, `map`,
/// `sequence`, or an unknown variant's name.
/// A test on one JSON value.
type Matcher = Box<dyn Fn(&serde_json::Value) -> bool>;

fn unexpected_matcher(message: &str) -> Option<Matcher> {
    use serde_json::Value;
    let found = if let Some(rest) = message.strip_prefix("unknown variant `") {
        let name = rest.split('`').next()?.to_string();
        return Some(Box::new(move |v: &Value| v.as_str() == Some(name.as_str())));
    } else {
        message
            .strip_prefix("invalid type: ")
            .or_else(|| message.strip_prefix("invalid value: "))?
            .split(", expected")
            .next()?
    };
    let quoted = |prefix: &str, open: char, close: char| -> Option<String> {
        let rest = found.strip_prefix(prefix)?.trim_start();
        let rest = rest.strip_prefix(open)?;
        Some(rest[..rest.rfind(close)?].to_string())
    };
    if let Some(text) = quoted("string", '"', '"') {
        return Some(Box::new(move |v: &Value| v.as_str() == Some(text.as_str())));
    }
    if let Some(n) = quoted("integer", '`', '`') {
        return Some(Box::new(move |v: &Value| {
            v.is_number() && *v.to_string() == *n
        }));
    }
    if let Some(b) = quoted("boolean", '`', '`') {
        return Some(Box::new(move |v: &Value| {
            v.as_bool().map(|x| x.to_string()) == Some(b.clone())
        }));
    }
    if let Some(f) = quoted("floating point", '`', '`') {
        let f: f64 = f.parse().ok()?;
        return Some(Box::new(move |v: &Value| {
            v.as_f64() == Some(f) && !v.is_i64() && !v.is_u64()
        }));
    }
    match found {
        "null" | "unit value" => Some(Box::new(|v: &Value| v.is_null())),
        "map" => Some(Box::new(|v: &Value| v.is_object())),
        "sequence" => Some(Box::new(|v: &Value| v.is_array())),
        _ => None,
    }
}

/// The path of the only value in the document that the error message names,
/// if there is exactly one (never the document itself).
fn locate_unexpected(bytes: &[u8], message: &str) -> Option<String> {
    fn walk(
        v: &serde_json::Value,
        path: String,
        test: &dyn Fn(&serde_json::Value) -> bool,
        out: &mut Vec<String>,
    ) {
        if !path.is_empty() && test(v) {
            out.push(path.clone());
        }
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(x, p, test, out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{path}[{i}]"), test, out);
                }
            }
            _ => {}
        }
    }
    let test = unexpected_matcher(message)?;
    let doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let mut found = Vec::new();
    walk(&doc, String::new(), test.as_ref(), &mut found);
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
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
                        // Inside internally tagged enums serde loses the path: find
                        // the one value the message complains about.
                        locate_unexpected(bytes, &message).unwrap_or_else(|| "body".to_string())
                    } else {
                        field
                    };
                    ApiError::Service(Error::Invalid {
                        detail: format!("{field}: {message}"),
                        errors: vec![FieldError::new(field, message)],
                    })
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
                ApiError::Service(Error::Invalid {
                    detail: format!("query parameter {field}: {message}"),
                    errors: vec![FieldError::new(field, message)],
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoso_domain::case::CaseAction;

    fn field_of(body: &str) -> String {
        match parse_json::<CaseAction>(body.as_bytes()) {
            Err(ApiError::Service(Error::Invalid { errors, .. })) => errors[0].field.clone(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_types_inside_tagged_actions_name_their_field() {
        assert_eq!(
            field_of(r#"{"type":"record_fact_check","confirmed":"yes","findings":"x"}"#),
            "confirmed"
        );
        assert_eq!(
            field_of(r#"{"type":"record_fact_check","confirmed":true,"findings":5}"#),
            "findings"
        );
        assert_eq!(
            field_of(r#"{"type":"record_fact_chek","confirmed":true}"#),
            "type"
        );
        assert_eq!(
            field_of(r#"{"type":"record_fact_check","confirmed":true,"findings":"x","actor":{}}"#),
            "actor"
        );
    }
}
