//! Authentication: officer accounts (argon2id passwords), bearer tokens that
//! expire (sign-in sessions) and API tokens for systems. STUB: interface only,
//! being written.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use hoso_domain::common::Actor;

use super::AppState;

/// The signed-in officer, with their current role and unit (from the Officer
/// record, never from the request body).
#[derive(Debug, Clone)]
pub struct CurrentOfficer {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for CurrentOfficer {
    type Rejection = StatusCode;

    async fn from_request_parts(_parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Err(StatusCode::UNAUTHORIZED)
    }
}
