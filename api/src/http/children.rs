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

/// `distinct_from`: the likely duplicates the officer checked and found to be
/// other children (comma-separated record ids, from an earlier 409 answer).
#[derive(Debug, Default, serde::Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// Comma-separated child ids the officer confirms are another child.
    #[serde(default)]
    pub distinct_from: Option<String>,
}

/// Lập hồ sơ trẻ em: registers a child with a server-assigned id, after the
/// same likely-duplicate check as the page: when registered children the
/// officer may read look like the same child, nothing is recorded and the
/// answer is `409` with them in `candidates`; register again with
/// `?distinct_from=ID,ID` naming every one of them to record a new child
/// (each confirmation is then an event of the new record).
#[utoipa::path(post, path = "/api/v1/children", tag = "children", security(("bearer" = [])),
    request_body = Registration,
    params(RegisterQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 201, body = ChildCommandResult),
        (status = 409, description = "likely duplicates to check first (problem+json with `candidates`)", body = super::error::Problem),
        (status = 422, body = super::error::Problem)))]
pub async fn register(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<RegisterQuery>,
    ApiJson(reg): ApiJson<Registration>,
) -> Response {
    let distinct_from: Vec<String> = q
        .distinct_from
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let fp = fingerprint("POST /children", &(&reg, &distinct_from));
    idempotency::once(&state, &me, &headers, fp, || async {
        use hoso_service::duplicates::{register, Decision, Registered};
        let decision = if distinct_from.is_empty() {
            Decision::Check
        } else {
            Decision::NewChild { distinct_from }
        };
        match register(&state.svc, &me, &ctx, reg, decision).await? {
            Registered::Child(id) => ok(StatusCode::CREATED, &ChildCommandResult { child_id: id }),
            Registered::Candidates(found) => {
                let body = serde_json::json!({
                    "type": "urn:hoso:problem:likely-duplicate",
                    "title": "Likely the same child as a registered record",
                    "status": 409,
                    "detail": "registered children look like this one: continue with one of them, \
                               or register again with distinct_from naming every candidate",
                    "candidates": found.iter().map(candidate).collect::<Vec<_>>(),
                });
                Ok(hoso_service::idempotency::Answer { status: 409, body })
            }
        }
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
        // A decision about a likely duplicate checks the other record too.
        hoso_service::duplicates::decide(&state.svc, &me, &id, action).await?;
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

/// A registered child shown as a likely duplicate: what is needed to
/// recognise the child, nothing more.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChildCandidate {
    pub child_id: String,
    pub full_name: String,
    pub date_of_birth: chrono::NaiveDate,
    /// `commune:42:18754` (2025 structure) or `pre2025:…` as stored.
    #[schema(value_type = Object)]
    pub commune: Value,
    /// Most likely first: 0–100.
    pub score: u32,
    /// exact, same_letters, reordered or close.
    pub name_similarity: String,
    /// Letters that differ when the similarity is `close`.
    pub name_edits: Option<u32>,
    pub birth_days_apart: u32,
    /// same_commune, same_district or same_province.
    pub place_proximity: String,
}

fn candidate(l: &hoso_service::duplicates::Likely) -> ChildCandidate {
    use hoso_domain::child::duplicates::{NameSimilarity as N, PlaceProximity as P};
    let (name_similarity, name_edits) = match l.found.name {
        N::Exact => ("exact", None),
        N::SameLetters => ("same_letters", None),
        N::Reordered => ("reordered", None),
        N::Close { edits } => ("close", Some(edits as u32)),
    };
    ChildCandidate {
        child_id: l.child_id.clone(),
        full_name: l.full_name.clone(),
        date_of_birth: l.date_of_birth,
        commune: serde_json::to_value(l.commune).unwrap_or(Value::Null),
        score: l.found.score(),
        name_similarity: name_similarity.into(),
        name_edits,
        birth_days_apart: l.found.birth_days_apart,
        place_proximity: match l.found.place {
            P::SameCommune => "same_commune",
            P::SameDistrict => "same_district",
            P::SameProvince => "same_province",
        }
        .into(),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Candidates {
    /// Most likely first; empty when none.
    pub candidates: Vec<ChildCandidate>,
}

/// The registered children likely to be the one of this registration (same or
/// neighbouring commune, similar name, date of birth at most 7 days apart),
/// before registering it. Nothing is recorded.
#[utoipa::path(post, path = "/api/v1/children/candidates", tag = "children", security(("bearer" = [])),
    request_body = Registration,
    responses((status = 200, body = Candidates)))]
pub async fn candidates(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    ApiJson(reg): ApiJson<Registration>,
) -> Result<Json<Candidates>, ApiError> {
    let found = hoso_service::duplicates::candidates(&state.svc, &me, &ctx, &reg).await?;
    Ok(Json(Candidates {
        candidates: found.iter().map(candidate).collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicatePair {
    pub first: ChildCandidate,
    pub second: ChildCandidate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicateReport {
    /// Most likely first; pairs already decided are left out.
    pub pairs: Vec<DuplicatePair>,
}

/// Likely duplicates already registered in the officer's area, for the
/// provincial manager (and a national admin); decide with `confirm_distinct`
/// or `mark_duplicate` on `/children/{id}/actions`. The read is logged.
#[utoipa::path(get, path = "/api/v1/children/duplicates", tag = "children", security(("bearer" = [])),
    params(ReasonQuery),
    responses((status = 200, body = DuplicateReport)))]
pub async fn duplicates(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    ApiQuery(_q): ApiQuery<ReasonQuery>,
) -> Result<Json<DuplicateReport>, ApiError> {
    let pairs = hoso_service::duplicates::report(&state.svc, &me, &ctx).await?;
    Ok(Json(DuplicateReport {
        pairs: pairs
            .iter()
            .map(|p| DuplicatePair {
                first: candidate(&p.first),
                second: candidate(&p.second),
            })
            .collect(),
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
        .route("/children/candidates", post(candidates))
        .route("/children/duplicates", get(duplicates))
        .route("/children/{id}", get(view))
        .route("/children/{id}/actions", post(act))
}
