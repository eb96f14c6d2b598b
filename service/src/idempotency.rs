//! Retry-safe commands: the first request with a key claims it (a row keyed by
//! officer and key, with the hash of the request); a retry with the same key and
//! the same request gets the stored answer and writes nothing; the same key with
//! another request is refused; a retry while the first is still running is
//! `Concurrent`. Answers that say "our fault" or "try again later" (5xx) are not
//! kept, so such a request may be retried.
//!
//! The JSON API takes the key from the `Idempotency-Key` header, the web pages
//! from the one-time key each rendered form carries: both come here.

use serde::Serialize;
use serde_json::Value;

use crate::accounts::sha256_hex;
use crate::{now, store, Error, Me, Service};

/// What a command answered: a status and a JSON body (a problem document when
/// it was refused), as the face that runs it encodes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn new<T: Serialize>(status: u16, body: &T) -> Result<Answer, Error> {
        serde_json::to_value(body)
            .map(|body| Answer { status, body })
            .map_err(|e| Error::Internal(format!("answer JSON: {e}")))
    }
}

pub enum Outcome {
    /// The command ran now.
    Fresh(Result<Answer, Error>),
    /// An earlier request with the same key and body ran it; this is its answer.
    Replayed(Answer),
}

/// Identifies a request (route and parsed body) for the same-request check.
pub fn fingerprint<T: Serialize>(route: &str, body: &T) -> Result<String, Error> {
    let json = serde_json::to_string(body)
        .map_err(|e| Error::Internal(format!("request fingerprint: {e}")))?;
    Ok(sha256_hex(format!("{route} {json}").as_bytes()))
}

/// Checks a key as a client sent it.
pub fn check_key(key: &str) -> Result<(), Error> {
    if !key.is_empty() && key.len() <= 200 && key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        Ok(())
    } else {
        Err(Error::invalid(
            "Idempotency-Key",
            "1 to 200 visible ASCII characters",
        ))
    }
}

/// Runs `command` at most once per (officer, key); without a key, just runs
/// it. `encode` turns a refusal into the answer to keep (the face's problem
/// document) so that a retry gets the same answer.
pub async fn once<F, Fut>(
    svc: &Service,
    me: &Me,
    key: Option<&str>,
    fingerprint: &str,
    encode: impl Fn(&Error) -> Answer,
    command: F,
) -> Result<Outcome, Error>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Answer, Error>>,
{
    let Some(key) = key else {
        return Ok(Outcome::Fresh(command().await));
    };
    check_key(key)?;
    let officer = me.actor.officer_id.as_str();
    let db = svc.db();
    if !store::claim_key(db, officer, key, fingerprint, now()).await? {
        let Some(claimed) = store::claimed_key(db, officer, key).await? else {
            return Err(Error::Concurrent(
                "the idempotency key was just released; retry".into(),
            ));
        };
        if claimed.request_hash != fingerprint {
            return Err(Error::invalid(
                "Idempotency-Key",
                "this key was already used with a different request",
            ));
        }
        let Some((status, body)) = claimed.answer else {
            return Err(Error::Concurrent(
                "a request with this idempotency key is still being processed; retry later".into(),
            ));
        };
        let status = u16::try_from(status)
            .map_err(|_| Error::Internal(format!("stored status {status} for key {key}")))?;
        let body: Value = serde_json::from_str(&body)
            .map_err(|e| Error::Internal(format!("stored answer for key {key}: {e}")))?;
        return Ok(Outcome::Replayed(Answer { status, body }));
    }
    let outcome = command().await;
    let answer = match &outcome {
        Ok(a) => a.clone(),
        Err(e) => encode(e),
    };
    if answer.status >= 500 {
        store::release_key(db, officer, key).await?;
    } else {
        store::answer_key(db, officer, key, answer.status, &answer.body.to_string()).await?;
    }
    Ok(Outcome::Fresh(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_does_not_serialize_is_an_error_not_one_shared_fingerprint() {
        let mut bad = std::collections::HashMap::new();
        bad.insert((1, 2), "keys that are not strings");
        assert!(matches!(
            fingerprint("POST /cases", &bad),
            Err(Error::Internal(_))
        ));
        let a = fingerprint("POST /cases", &serde_json::json!({"a": 1})).unwrap();
        let b = fingerprint("POST /cases", &serde_json::json!({"a": 2})).unwrap();
        let c = fingerprint("POST /children", &serde_json::json!({"a": 1})).unwrap();
        assert!(a != b && a != c && b != c);
    }

    #[test]
    fn keys_are_visible_ascii() {
        assert!(check_key("k-1").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("with space").is_err());
        assert!(check_key(&"x".repeat(201)).is_err());
    }
}
