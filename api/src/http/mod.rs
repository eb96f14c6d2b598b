//! The HTTP API (`/api/v1`): axum routes over `App`, authentication, problem+json
//! errors, OpenAPI. Only this module knows HTTP and JSON request shapes.

pub mod auth;

use std::sync::Arc;

use crate::app::App;

/// Shared state of every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
}
