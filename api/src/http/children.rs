//! Child routes: register a child (`POST /children`, server-assigned id), later
//! changes (`POST /children/{id}/actions`, a `ChildAction`), and the child's
//! record. A child is visible to officers whose area holds the child's commune.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use hoso_domain::child::{ChildAction, Registration};
use hoso_service::children;
use serde::Serialize;
use serde_json::Value;

use super::access::ReadContext;
use super::auth::CurrentOfficer;
use super::cases::ReasonQuery;
use super::error::ApiError;
use super::idempotency::{self, fingerprint, ok};
use super::json::{ApiJson, ApiQuery};
use super::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChildCommandResult {
    pub child_id: String,
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
    let fp = fingerprint("POST /children", &reg);
    idempotency::once(&state, &me, &headers, fp, || async {
        let id = children::register(&state.svc, &me, reg).await?;
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
    let fp = fingerprint(&format!("POST /children/{id}/actions"), &action);
    idempotency::once(&state, &me, &headers, fp, || async {
        children::act(&state.svc, &me, &id, action).await?;
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
    let child = children::view(&state.svc, &me, &ctx, &id).await?;
    Ok(Json(ChildRecord {
        child_id: id,
        active_groups: child
            .active_groups()
            .iter()
            .map(|g| g.code().to_string())
            .collect(),
        state: serde_json::to_value(&child).map_err(|e| ApiError::internal(e.to_string()))?,
    }))
}

/// Xóa dữ liệu cá nhân: erases the child's personal data for good (a national
/// admin, with a reason and the decision ordering it). The record and every
/// case of the child keep every step with who and when; names, birth date,
/// address and narratives are gone wherever they were copied.
#[utoipa::path(post, path = "/api/v1/children/{id}/erasure", tag = "children", security(("bearer" = [])),
    request_body = hoso_domain::privacy::Erasure,
    params(("id" = String, Path, description = "child id")),
    responses((status = 204, description = "erased"), (status = 403, body = super::error::Problem),
        (status = 404, body = super::error::Problem), (status = 409, body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn erase(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    Path(id): Path<String>,
    ApiJson(order): ApiJson<hoso_domain::privacy::Erasure>,
) -> Result<StatusCode, ApiError> {
    hoso_service::privacy::erase_child(&state.svc, &me, &ctx, &id, order).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/children/{id}/erasure", post(erase))
        .route("/children", post(register))
        .route("/children/{id}", get(view))
        .route("/children/{id}/actions", post(act))
}
