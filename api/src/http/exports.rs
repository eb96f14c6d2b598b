//! Compliance exports over HTTP, for inspectors: the same signed bundle as
//! `hoso export` (docs/export-format.md), plus statistics and officer-history
//! CSVs, sent as one tar archive (`hoso_service::export::for_officer` decides
//! what may be exported).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hoso_service::export::{self, ExportRequest};
use serde::Deserialize;

use super::access::ReadContext;
use super::auth::CurrentOfficer;
use super::error::ApiError;
use super::json::ApiQuery;
use super::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
    /// `true` adds the personal fields in clear (`personal.jsonl`); needs
    /// `reason`, which then also goes into the signed manifest. Default: a
    /// redacted bundle (public fields and ciphertext only).
    pub personal: Option<bool>,
}

impl From<ExportParams> for ExportRequest {
    fn from(p: ExportParams) -> Self {
        ExportRequest {
            case: p.case,
            officer: p.officer,
            place: p.place,
            from: p.from,
            to: p.to,
            personal_reason: if p.personal.unwrap_or(false) {
                Some(p.reason.unwrap_or_default())
            } else {
                None
            },
        }
    }
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
    // The bounds are compared with recorded times: only times and dates.
    for (field, v) in [("from", &p.from), ("to", &p.to)] {
        if let Some(t) = v {
            if hoso_projections::history::parse_time(t).is_err() {
                return Err(ApiError::invalid(
                    field,
                    format!("invalid time `{t}`: use RFC 3339, e.g. 2026-03-02T09:00:00+07:00, or a date"),
                ));
            }
        }
    }
    let req = ExportRequest::from(p);
    let dir = private_dir()?;
    let tar_path = dir.join("bundle.tar");
    let result = async {
        let bundle = dir.join("bundle");
        export::for_officer(&state.svc, &me, &ctx, &req, &bundle).await?;
        // The archive goes to a file beside the bundle (not into memory) and
        // is sent from there.
        let (from, to) = (bundle.clone(), tar_path.clone());
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let file = std::fs::File::create(&to)?;
            let mut archive = tar::Builder::new(std::io::BufWriter::new(file));
            archive.append_dir_all("bundle", &from)?;
            archive
                .into_inner()?
                .into_inner()
                .map_err(|e| e.into_error())?
                .sync_all()
        })
        .await
        .map_err(|e| ApiError::internal(format!("tar: {e}")))?
        .map_err(|e| ApiError::internal(format!("tar: {e}")))?;
        tokio::fs::File::open(&tar_path)
            .await
            .map_err(|e| ApiError::internal(format!("tar: {e}")))
    }
    .await;
    // Removed at once: the open file is read to its end, then gone (the
    // bundle never outlives the request on disk).
    let _ = std::fs::remove_dir_all(&dir);
    let file = result?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"hoso-export-{}.tar\"",
                    req.subject().replace([':', '"'], "-")
                ),
            ),
        ],
        axum::body::Body::from_stream(chunks(file)),
    )
        .into_response())
}

/// A new directory only this process's user can enter (0700), under the
/// system's temporary directory.
fn private_dir() -> Result<std::path::PathBuf, ApiError> {
    let dir = std::env::temp_dir().join(format!("hoso-export-{}", uuid::Uuid::new_v4()));
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(&dir)
        .map_err(|e| ApiError::internal(format!("export directory {}: {e}", dir.display())))?;
    Ok(dir)
}

/// The file's bytes in chunks of 64 KiB, for a streamed body.
fn chunks(
    file: tokio::fs::File,
) -> impl futures::Stream<Item = std::io::Result<axum::body::Bytes>> + Send {
    futures::stream::try_unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((axum::body::Bytes::from(buf), file)))
    })
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/exports", get(export_bundle))
}
