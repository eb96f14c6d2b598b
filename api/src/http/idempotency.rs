//! `Idempotency-Key` for commands: the first request with a key claims it
//! (a row keyed by officer and key, with the hash of the request); a retry with
//! the same key and the same request gets the stored answer and writes nothing;
//! the same key with another request is 422; a retry while the first is still
//! running is 409. Answers of 5xx are not kept, so such a request may be retried.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::auth::{sha256_hex, CurrentOfficer};
use super::db::{exec, select, ts};
use super::error::{problem_response, ApiError};
use super::{now, AppState};

pub const HEADER: &str = "idempotency-key";

/// The outcome of a command: a status and a JSON body.
pub type Outcome = Result<(StatusCode, Value), ApiError>;

pub fn ok<T: Serialize>(status: StatusCode, body: &T) -> Outcome {
    serde_json::to_value(body)
        .map(|v| (status, v))
        .map_err(|e| ApiError::Internal(format!("response JSON: {e}")))
}

fn respond(status: StatusCode, body: &Value, replayed: bool) -> Response {
    let mut r = if status.is_success() {
        (status, axum::Json(body.clone())).into_response()
    } else {
        problem_response(status, body)
    };
    if replayed {
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    r
}

fn to_response(outcome: Outcome) -> Response {
    match outcome {
        Ok((status, body)) => respond(status, &body, false),
        Err(e) => e.into_response(),
    }
}

/// Runs `command` at most once per (officer, key). `request` identifies the
/// request (method, path, parsed body) for the mismatch check.
pub async fn once<F, Fut>(
    state: &AppState,
    me: &CurrentOfficer,
    headers: &HeaderMap,
    request: &str,
    command: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let Some(key) = headers.get(HEADER) else {
        return to_response(command().await);
    };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 200 => k.to_string(),
        _ => {
            return ApiError::invalid("Idempotency-Key", "1 to 200 visible ASCII characters")
                .into_response()
        }
    };
    match claim(state, me, &key, request, command).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn claim<F, Fut>(
    state: &AppState,
    me: &CurrentOfficer,
    key: &str,
    request: &str,
    command: F,
) -> Result<Response, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let officer = me.actor.officer_id.as_str();
    let request_hash = sha256_hex(request.as_bytes());
    let claimed = exec(
        state.db(),
        "INSERT INTO idempotency (officer_id, key, request_hash, status, response, created_at) \
         VALUES (?, ?, ?, NULL, NULL, ?) ON CONFLICT (officer_id, key) DO NOTHING",
        &[
            officer.into(),
            key.into(),
            request_hash.clone().into(),
            ts(now()).into(),
        ],
    )
    .await?;
    if claimed == 0 {
        let found = select(
            state.db(),
            "SELECT request_hash, status, response FROM idempotency WHERE officer_id = ? AND key = ?",
            &[officer.into(), key.into()],
        )
        .await?;
        let Some(row) = found.first() else {
            return Err(ApiError::Concurrent(
                "the idempotency key was just released; retry".into(),
            ));
        };
        if row[0].text() != request_hash {
            return Err(ApiError::invalid(
                "Idempotency-Key",
                "this key was already used with a different request",
            ));
        }
        let (Some(status), Some(body)) = (row[1].as_i64(), row[2].as_str()) else {
            return Err(ApiError::Concurrent(
                "a request with this idempotency key is still being processed; retry later".into(),
            ));
        };
        let status = u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        return Ok(respond(status, &body, true));
    }
    let outcome = command().await;
    let (status, body) = match &outcome {
        Ok((s, b)) => (*s, b.clone()),
        Err(e) => e.problem(),
    };
    if status.is_server_error() {
        exec(
            state.db(),
            "DELETE FROM idempotency WHERE officer_id = ? AND key = ?",
            &[officer.into(), key.into()],
        )
        .await?;
    } else {
        exec(
            state.db(),
            "UPDATE idempotency SET status = ?, response = ? WHERE officer_id = ? AND key = ?",
            &[
                i64::from(status.as_u16()).into(),
                body.to_string().into(),
                officer.into(),
                key.into(),
            ],
        )
        .await?;
    }
    Ok(to_response(outcome))
}
