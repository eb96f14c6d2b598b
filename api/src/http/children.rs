//! Child routes: register a child (`POST /children`, server-assigned id), later
//! changes (`POST /children/{id}/actions`, a `ChildAction`), and the child's
//! record. A child is visible to officers whose area holds the child's commune.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hoso_domain::child::{Child, ChildAction, ChildCommand, Registration};
use rand::Rng;
use serde::Serialize;
use serde_json::Value;

use super::access::{self, ReadContext};
use super::auth::CurrentOfficer;
use super::cases::{can_see, check_id, ReasonQuery};
use super::error::{aggregate_error, child_error, ApiError};
use super::idempotency::{self, ok};
use super::json::{ApiJson, ApiQuery};
use super::{now, AppState};

/// `TE-1A2B3C4D5E6F`.
fn new_child_id() -> String {
    let n: u64 = rand::rngs::OsRng.gen();
    format!("TE-{:012X}", n & 0xFFFF_FFFF_FFFF)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChildCommandResult {
    pub child_id: String,
}

async fn execute(
    state: &AppState,
    me: &CurrentOfficer,
    id: &str,
    action: ChildAction,
) -> Result<(), ApiError> {
    let at = now();
    let cmd = ChildCommand {
        actor: me.actor.clone(),
        at,
        action,
    };
    state
        .app
        .child(id, cmd, at)
        .await
        .map_err(|e| aggregate_error(e, child_error))
}

async fn visible_child(state: &AppState, me: &CurrentOfficer, id: &str) -> Result<Child, ApiError> {
    check_id("id", id)?;
    let child: Child = state.app.load(id).await?;
    match child.commune() {
        Some(c) if child.registered && can_see(&me.actor, &c) => Ok(child),
        _ => Err(ApiError::not_found("child")),
    }
}

/// Lập hồ sơ trẻ em: registers a child with a server-assigned id.
#[utoipa::path(post, path = "/api/v1/children", tag = "children", security(("bearer" = [])),
    request_body = Registration,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 201, body = ChildCommandResult), (status = 422, body = super::error::Problem)))]
pub async fn register(
    State(state): State<AppState>,
    me: CurrentOfficer,
    headers: HeaderMap,
    ApiJson(reg): ApiJson<Registration>,
) -> Response {
    let request = format!(
        "POST /children {}",
        serde_json::to_string(&reg).unwrap_or_default()
    );
    idempotency::once(&state, &me, &headers, &request, || async {
        let id = new_child_id();
        execute(&state, &me, &id, ChildAction::RegisterChild(reg)).await?;
        ok(StatusCode::CREATED, &ChildCommandResult { child_id: id })
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/children/{id}/actions", tag = "children", security(("bearer" = [])),
    request_body = ChildAction,
    params(("id" = String, Path, description = "child id"),
        ("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 200, body = ChildCommandResult), (status = 404, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn act(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(action): ApiJson<ChildAction>,
) -> Response {
    let request = format!(
        "POST /children/{id}/actions {}",
        serde_json::to_string(&action).unwrap_or_default()
    );
    idempotency::once(&state, &me, &headers, &request, || async {
        if matches!(action, ChildAction::RegisterChild(_)) {
            return Err(ApiError::invalid(
                "type",
                "register a child with POST /api/v1/children",
            ));
        }
        visible_child(&state, &me, &id).await?;
        execute(&state, &me, &id, action).await?;
        ok(
            StatusCode::OK,
            &ChildCommandResult {
                child_id: id.clone(),
            },
        )
    })
    .await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChildRecord {
    pub child_id: String,
    /// The `Child` state folded from its events.
    #[schema(value_type = Object)]
    pub state: Value,
    /// Special-circumstance groups active now.
    pub active_groups: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/children/{id}", tag = "children", security(("bearer" = [])),
    params(("id" = String, Path, description = "child id"), ReasonQuery),
    responses((status = 200, body = ChildRecord), (status = 404, body = super::error::Problem)))]
pub async fn view(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    Path(id): Path<String>,
    ApiQuery(_q): ApiQuery<ReasonQuery>,
) -> Result<Json<ChildRecord>, ApiError> {
    let child = visible_child(&state, &me, &id).await?;
    access::record(&state, &me, &ctx, "Child", &id, "child").await?;
    Ok(Json(ChildRecord {
        child_id: id,
        active_groups: child
            .active_groups()
            .iter()
            .map(|g| g.code().to_string())
            .collect(),
        state: serde_json::to_value(&child).map_err(|e| ApiError::Internal(e.to_string()))?,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/children", post(register))
        .route("/children/{id}", get(view))
        .route("/children/{id}/actions", post(act))
}
