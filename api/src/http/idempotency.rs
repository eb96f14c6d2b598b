//! `Idempotency-Key` for commands over HTTP: the header's key and the parsed
//! body go to `hoso_service::idempotency`, which runs the command at most once;
//! a replayed answer carries `Idempotent-Replayed: true`.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
pub use hoso_service::idempotency::fingerprint;
use hoso_service::idempotency::{self, Answer, Outcome};
use hoso_service::Error;
use serde::Serialize;

use super::auth::CurrentOfficer;
use super::error::{problem_response, ApiError};
use super::AppState;

pub const HEADER: &str = "idempotency-key";

/// A successful answer with its status.
pub fn ok<T: Serialize>(status: StatusCode, body: &T) -> Result<Answer, Error> {
    Answer::new(status.as_u16(), body)
}

/// The answer kept for a refusal: the problem document.
pub fn encode(e: &Error) -> Answer {
    let (status, body) = ApiError::Service(e.clone()).problem();
    Answer {
        status: status.as_u16(),
        body,
    }
}

fn respond(answer: &Answer, replayed: bool) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = if status.is_success() {
        (status, axum::Json(answer.body.clone())).into_response()
    } else {
        problem_response(status, &answer.body)
    };
    if replayed {
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    r
}

/// Runs `command` at most once per (officer, `Idempotency-Key`);
/// `fingerprint` (`idempotency::fingerprint(route, &body)`) identifies the
/// request for the same-request check.
pub async fn once<F, Fut>(
    state: &AppState,
    me: &CurrentOfficer,
    headers: &HeaderMap,
    fingerprint: Result<String, Error>,
    command: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Answer, Error>>,
{
    let run = async {
        let key = match headers.get(HEADER) {
            None => None,
            Some(v) => Some(v.to_str().map_err(|_| {
                Error::invalid("Idempotency-Key", "1 to 200 visible ASCII characters")
            })?),
        };
        let fingerprint = fingerprint?;
        idempotency::once(&state.svc, me, key, &fingerprint, encode, command).await
    };
    match run.await {
        Ok(Outcome::Fresh(Ok(answer))) => respond(&answer, false),
        Ok(Outcome::Fresh(Err(e))) | Err(e) => ApiError::Service(e).into_response(),
        Ok(Outcome::Replayed(answer)) => respond(&answer, true),
    }
}
