//! Compliance exports over HTTP, for inspectors: the same signed bundle as
//! `hoso export` (docs/export-format.md), plus statistics and officer-history
//! CSVs, sent as one tar archive. Inspectors export only within their area.

use std::path::PathBuf;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hoso_domain::common::{Role, Unit};
use serde::Deserialize;

use super::access::{self, ReadContext};
use super::auth::CurrentOfficer;
use super::cases::{check_id, visible_case};
use super::error::ApiError;
use super::json::ApiQuery;
use super::officers::visible_officer;
use super::AppState;
use crate::export::{self, Selection};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// Events of one case.
    pub case: Option<String>,
    /// Events recorded by one officer (and the officer's own record).
    pub officer: Option<String>,
    /// Cases of a unit: `province:42` or `commune:42:18070`.
    pub place: Option<String>,
    /// Recorded at or after (RFC 3339 UTC or a date).
    pub from: Option<String>,
    /// Recorded before.
    pub to: Option<String>,
    /// Why the export is made (kept in the access log).
    pub reason: Option<String>,
}

/// The province a unit code lies in, if it is a real unit code.
fn unit_province(code: &str) -> Option<Option<u32>> {
    Unit::parse_code(code).map(|u| u.province())
}

#[utoipa::path(get, path = "/api/v1/exports", tag = "exports", security(("bearer" = [])),
    params(ExportParams),
    responses((status = 200, description = "A tar archive of the bundle", content_type = "application/x-tar"),
              (status = 403, body = super::error::Problem), (status = 404, body = super::error::Problem),
              (status = 422, body = super::error::Problem)))]
pub async fn export_bundle(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    me.require(
        &[Role::Inspector, Role::Admin],
        "download compliance exports",
    )?;
    let signer = state
        .signer
        .clone()
        .ok_or_else(|| ApiError::Internal("this server has no checkpoint signing key".into()))?;
    // Stay inside the inspector's area: a provincial inspector names a case,
    // an officer or a place of their province.
    let area = me.actor.unit.province();
    if let Some(id) = &p.case {
        visible_case(&state, &me, id).await?;
    }
    if let Some(id) = &p.officer {
        visible_officer(&state, &me, id).await?;
    }
    if let Some(place) = &p.place {
        match unit_province(place) {
            None => return Err(ApiError::invalid("place", "use province:P or commune:P:C")),
            Some(pr) if area.is_some() && pr != area => return Err(ApiError::not_found("place")),
            Some(_) => {}
        }
    }
    if area.is_some() && p.case.is_none() && p.officer.is_none() && p.place.is_none() {
        return Err(ApiError::invalid(
            "place",
            "name a case, an officer or a place in your province",
        ));
    }
    for (field, v) in [("case", &p.case), ("officer", &p.officer)] {
        if let Some(v) = v {
            check_id(field, v)?;
        }
    }
    let sel = Selection {
        case: p.case.clone(),
        officer: p.officer.clone(),
        place: p.place.clone(),
        from: p.from.clone(),
        to: p.to.clone(),
    };
    // Spreadsheets from the projections, for the same area.
    let province = p
        .place
        .as_deref()
        .and_then(unit_province)
        .flatten()
        .or(area);
    let extra = export::projection_csvs(&state.app.ledger, province, p.officer.as_deref())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let dir: PathBuf = std::env::temp_dir().join(format!("hoso-export-{}", uuid::Uuid::new_v4()));
    let result = async {
        let summary = export::export(&state.app, &signer, &sel, &dir, extra)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut archive = tar::Builder::new(Vec::new());
        archive
            .append_dir_all("bundle", &dir)
            .map_err(|e| ApiError::Internal(format!("tar: {e}")))?;
        let bytes = archive
            .into_inner()
            .map_err(|e| ApiError::Internal(format!("tar: {e}")))?;
        Ok::<_, ApiError>((summary, bytes))
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let (_summary, bytes) = result?;
    let subject = p
        .case
        .clone()
        .or(p.officer.clone())
        .or(p.place.clone())
        .unwrap_or_else(|| "all".into());
    access::record(&state, &me, &ctx, "Export", &subject, "compliance export").await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"hoso-export-{}.tar\"",
                    subject.replace([':', '"'], "-")
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/exports", get(export_bundle))
}
