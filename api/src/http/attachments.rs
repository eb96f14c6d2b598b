//! Attachment files over HTTP: `POST /cases/{id}/attachments` takes the file
//! itself as the body (its media type as `Content-Type`, its name in
//! `X-File-Name`), stores it in the content-addressed store and records
//! `add_attachment` with the digest, size and type computed from the bytes
//! (`hoso_service::attachments::upload`); `GET …/attachments/{sha256}` serves
//! a case's file after checking it against the digest the case recorded.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hoso_service::attachments::{self, Upload};
use hoso_service::files;

use super::access::ReadContext;
use super::auth::CurrentOfficer;
use super::cases::CaseCommandResult;
use super::error::ApiError;
use super::idempotency::{self, fingerprint, ok};
use super::AppState;

pub const FILE_NAME: &str = "x-file-name";
pub const DESCRIPTION: &str = "x-description";

/// A header's text, percent-decoded (so UTF-8 names travel in ASCII headers).
fn header_text(headers: &HeaderMap, name: &str) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(name) else {
        return Ok(None);
    };
    let raw = v
        .to_str()
        .map_err(|_| ApiError::invalid(name, "use percent-encoded UTF-8"))?;
    let bytes: Vec<u8> = percent_decode(raw);
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ApiError::invalid(name, "use percent-encoded UTF-8"))
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Attaches a file to a case: the body is the file.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "cases", security(("bearer" = [])),
    request_body(description = "The file itself: PDF, JPEG, PNG, plain text, Word (.docx) or Excel (.xlsx), at most 10 MiB; its type in Content-Type.",
        content(
            (Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"),
            (Vec<u8> = "text/plain"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    params(("id" = String, Path, description = "case id"),
        ("X-File-Name" = String, Header, description = "the file's name, percent-encoded UTF-8 (e.g. Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf)"),
        ("X-Description" = Option<String>, Header, description = "what the file is, percent-encoded UTF-8"),
        ("Idempotency-Key" = Option<String>, Header, description = "retry-safe key")),
    responses((status = 200, body = CaseCommandResult)))]
pub async fn upload(
    State(state): State<AppState>,
    me: CurrentOfficer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let read = async {
        let media_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if !files::allowed(&media_type) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "files of type `{}` are not accepted",
                files::essence(&media_type)
            )));
        }
        let bytes = body.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(format!(
                    "the file is larger than {} MiB",
                    files::MAX_BYTES / (1024 * 1024)
                ))
            } else {
                ApiError::Malformed {
                    detail: format!("the body could not be read: {e}"),
                    errors: Vec::new(),
                }
            }
        })?;
        let file_name = header_text(&headers, FILE_NAME)?
            .filter(|n| !attachments::clean_name(n).is_empty())
            .ok_or_else(|| ApiError::invalid("X-File-Name", "must not be empty"))?;
        let description = header_text(&headers, DESCRIPTION)?.unwrap_or_default();
        Ok(Upload {
            file_name,
            media_type,
            bytes: bytes.to_vec(),
            description,
        })
    };
    let up = match read.await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let fp = fingerprint(
        &format!("POST /cases/{id}/attachments"),
        &serde_json::json!({
            "sha256": files::digest(&up.bytes),
            "media_type": files::essence(&up.media_type),
            "file_name": up.file_name,
            "description": up.description,
        }),
    );
    idempotency::once(&state, &me, &headers, fp, || async {
        let r = attachments::upload(&state.svc, &me, &id, up).await?;
        ok(StatusCode::OK, &CaseCommandResult::from(r))
    })
    .await
}

/// One file of a case, checked against the SHA-256 the case recorded; the
/// read is logged.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{sha256}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"),
        ("sha256" = String, Path, description = "the file's SHA-256, 64 lowercase hex characters"),
        super::cases::ReasonQuery),
    responses((status = 200, description = "The file, with the media type it was stored with",
        content_type = "application/octet-stream", body = Vec<u8>,
        headers(("Content-Disposition" = String, description = "attachment; filename*=UTF-8''…"),
            ("X-Content-Sha256" = String, description = "the digest the bytes were checked against")))))]
pub async fn download(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ctx: ReadContext,
    Path((id, sha)): Path<(String, String)>,
    super::json::ApiQuery(_q): super::json::ApiQuery<super::cases::ReasonQuery>,
) -> Result<Response, ApiError> {
    let d = attachments::download(&state.svc, &me, &ctx, &id, &sha).await?;
    Ok(crate::web::file_response(d))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/attachments",
            post(upload).layer(DefaultBodyLimit::max(files::MAX_BYTES)),
        )
        .route("/cases/{id}/attachments/{sha256}", get(download))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_travel_percent_encoded() {
        assert_eq!(
            String::from_utf8(percent_decode("Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf")).unwrap(),
            "Quyết định.pdf"
        );
        assert_eq!(percent_decode("a%2"), b"a%2");
        assert_eq!(percent_decode("100%"), b"100%");
    }
}
