//! The access log (nhật ký truy cập): who read which record, when, why and
//! from where (Law on Children, Art. 21: children's records are private, so
//! every read is kept). Each reading officer has one chain of `AccessLog`
//! events; there is no aggregate to decide anything, the service appends a
//! `RecordRead` for every read it serves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The aggregate type of access-log chains (one per reading officer).
pub const AGGREGATE_TYPE: &str = "AccessLog";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccessEvent {
    RecordRead(RecordRead),
    /// A sign-in to a known account, successful or refused.
    SignIn(SignIn),
    /// A session of the officer ended before it expired: signed out, or
    /// revoked from the account page or `POST /tokens/{id}/revoke`.
    SessionEnded(SessionEnded),
}

impl AccessEvent {
    pub fn event_type(&self) -> &'static str {
        match self {
            AccessEvent::RecordRead(_) => "RecordRead",
            AccessEvent::SignIn(_) => "SignIn",
            AccessEvent::SessionEnded(_) => "SessionEnded",
        }
    }
}

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInOutcome {
    /// A session was issued.
    Ok,
    /// The password did not match (or the account has none: after a reset).
    WrongPassword,
    /// The account exists but its officer is not registered or not active.
    NotActive,
}

impl SignInOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInOutcome::Ok => "ok",
            SignInOutcome::WrongPassword => "wrong_password",
            SignInOutcome::NotActive => "not_active",
        }
    }
}

/// A sign-in to an account that exists (attempts on ids without an account
/// are only counted in the server log), in the account's own access chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub at: DateTime<Utc>,
    pub outcome: SignInOutcome,
    /// `password` (the pages and `POST /api/v1/auth/login`).
    pub method: String,
    #[serde(default)]
    pub client_ip: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
}

/// A session that ended early, by its public id (16 hex digits of the
/// token's hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionEnded {
    pub at: DateTime<Utc>,
    pub token_id: String,
    /// `signed_out` or `revoked`.
    pub how: String,
}

/// One read: what was asked for, when, why (the reason the reader gave) and
/// from where (client address, request id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRead {
    pub at: DateTime<Utc>,
    /// `Case`, `Child`, `Officer`, `Export`, `CaseList`, …
    pub subject_type: String,
    pub subject_id: String,
    /// The unit the record belongs to (`commune:42:18070`, `province:42`,
    /// `national`) when it was read, so that the reads of an area's records
    /// can be listed for that area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_unit: Option<String>,
    /// e.g. `case_view`, `case_timeline`, `child`, `officer_history`, `case_list`.
    pub what: String,
    /// For lists and searches: what was asked (the filters, as a query string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// For lists and searches: how many records matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<u64>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub client_ip: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
}
