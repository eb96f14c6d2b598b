//! Attachments on the case page: a file upload (multipart, at most
//! `hoso_service::files::MAX_BYTES`, the accepted types only), recorded
//! through `hoso_service::attachments::upload` with the SHA-256 of the bytes;
//! and the download of an attachment, served only after the store's bytes
//! were checked against the digest the case recorded.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hoso_domain::case::CaseActionKind;
use hoso_domain::common::Code;
use hoso_service::attachments::{self, Upload};
use hoso_service::idempotency::{self, Outcome};
use hoso_service::{files, Error};

use super::cases::refused;
use super::fields::Values;
use super::html::esc;
use super::words::Said;
use super::{error_page, tr, Officer};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::idempotency::encode;
use crate::http::AppState;
use crate::labels::Lang;

/// `12 KB`, `3,4 MB`.
pub fn size_text(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// The upload form, folded under the step forms.
pub fn upload_form(lang: Lang, case_id: &str, failed: Option<&Said>) -> String {
    let accept: Vec<String> = files::ALLOWED
        .iter()
        .flat_map(|(t, e, _)| [t.to_string(), format!(".{e}")])
        .collect();
    let kinds: Vec<&str> = files::ALLOWED.iter().map(|(_, _, vi)| *vi).collect();
    let errors = failed
        .map(|s| super::fields::errors_box(lang, s))
        .unwrap_or_default();
    format!(
        "<details class=\"form\" id=\"form-add_attachment\"{open}><summary>{}</summary>{errors}\
         <form method=\"post\" action=\"/cases/{}/attachments\" enctype=\"multipart/form-data\" class=\"grid-form\">\
         <input type=\"hidden\" name=\"form_key\" value=\"{}\">\
         <label for=\"add_attachment-file\">{}<input type=\"file\" id=\"add_attachment-file\" name=\"file\" accept=\"{}\" required></label>\
         <label for=\"add_attachment-description\">{}<textarea id=\"add_attachment-description\" name=\"description\" rows=\"2\"></textarea></label>\
         <p class=\"muted\">{} {}</p>\
         <div class=\"actions\"><button type=\"submit\" class=\"primary\">{}</button></div></form></details>",
        tr(lang, "Đính kèm tài liệu", "Attach a document"),
        esc(case_id),
        uuid::Uuid::new_v4(),
        tr(lang, "Tệp", "File"),
        esc(&accept.join(",")),
        tr(lang, "Mô tả", "Description"),
        match lang {
            Lang::Vi => format!(
                "Tối đa {} MB; nhận {}.",
                files::MAX_BYTES / (1024 * 1024),
                kinds.join(", ")
            ),
            Lang::En => format!(
                "At most {} MB: PDF, JPEG/PNG images, text, Word, Excel.",
                files::MAX_BYTES / (1024 * 1024)
            ),
        },
        tr(
            lang,
            "Mã SHA-256 của tệp được ghi vào hồ sơ; khi tải về, tệp được kiểm tra lại với mã này.",
            "The file's SHA-256 is recorded on the case; a download is checked against it."
        ),
        tr(lang, "Tải lên và ghi nhận", "Upload and record"),
        open = if failed.is_some() { " open" } else { "" },
    )
}

struct Form {
    upload: Upload,
    form_key: Option<String>,
}

async fn read_form(mut m: Multipart) -> Result<Form, ApiError> {
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut description = String::new();
    let mut form_key = None;
    let too_large = || {
        ApiError::TooLarge(format!(
            "the file is larger than {} MiB",
            files::MAX_BYTES / (1024 * 1024)
        ))
    };
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => {
                return Err(ApiError::Malformed {
                    detail: format!("the form could not be read: {e}"),
                    errors: Vec::new(),
                })
            }
        };
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let declared = field.content_type().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        ApiError::Malformed {
                            detail: format!("the file could not be read: {e}"),
                            errors: Vec::new(),
                        }
                    }
                })?;
                if bytes.len() > files::MAX_BYTES {
                    return Err(too_large());
                }
                file = Some((name, declared, bytes.to_vec()));
            }
            "description" => description = field.text().await.unwrap_or_default(),
            "form_key" => {
                let k = field.text().await.unwrap_or_default();
                if !k.is_empty() && k.len() <= 64 {
                    form_key = Some(format!("web-upload:{k}"));
                }
            }
            _ => {}
        }
    }
    let Some((file_name, declared, bytes)) =
        file.filter(|(n, _, b)| !n.is_empty() || !b.is_empty())
    else {
        return Err(ApiError::invalid("file", "choose a file"));
    };
    // Browsers often send a generic type; the file name's then says it.
    let media_type = if files::allowed(&declared) {
        files::essence(&declared)
    } else {
        files::media_type_of_name(&file_name)
            .map(str::to_string)
            .unwrap_or_else(|| files::essence(&declared))
    };
    Ok(Form {
        upload: Upload {
            file_name,
            media_type,
            bytes,
            description,
        },
        form_key,
    })
}

/// `POST /cases/{id}/attachments`.
pub async fn upload(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Path(id): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let kind = CaseActionKind::AddAttachment.code().to_string();
    let read = match form {
        Ok(m) => read_form(m).await,
        Err(e) => Err(ApiError::Malformed {
            detail: e.body_text(),
            errors: Vec::new(),
        }),
    };
    let Form { upload, form_key } = match read {
        Ok(f) => f,
        Err(e) => return refused(&state, &o, &ctx, &id, kind, Values::new(), e).await,
    };
    let fingerprint = idempotency::fingerprint(
        &format!("web POST /cases/{id}/attachments"),
        &serde_json::json!({
            "sha256": files::digest(&upload.bytes),
            "file_name": upload.file_name,
            "description": upload.description,
        }),
    );
    let outcome = async {
        idempotency::once(
            &state.svc,
            &o.me,
            form_key.as_deref(),
            &fingerprint?,
            encode,
            || async {
                attachments::upload(&state.svc, &o.me, &id, upload).await?;
                idempotency::Answer::new(200, &serde_json::json!({}))
            },
        )
        .await
    }
    .await;
    match outcome {
        Ok(Outcome::Fresh(Ok(_))) => {
            Redirect::to(&format!("/cases/{}?done={kind}#attachments", esc(&id))).into_response()
        }
        Ok(Outcome::Replayed(a)) if a.status < 300 => {
            Redirect::to(&format!("/cases/{}#attachments", esc(&id))).into_response()
        }
        Ok(Outcome::Replayed(_)) => Redirect::to(&format!("/cases/{}", esc(&id))).into_response(),
        Ok(Outcome::Fresh(Err(e))) | Err(e) => {
            refused(
                &state,
                &o,
                &ctx,
                &id,
                kind,
                Values::new(),
                ApiError::Service(e),
            )
            .await
        }
    }
}

/// `filename="…"` for ASCII names, `filename*=UTF-8''…` for the rest.
pub fn disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A file as a download: its stored type, never sniffed, never shown inline.
pub fn file_response(d: attachments::Download) -> Response {
    let mut r = (StatusCode::OK, d.bytes).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&d.info.media_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition(&d.info.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&d.info.sha256) {
        h.insert("x-content-sha256", v);
    }
    r
}

/// `GET /cases/{id}/attachments/{sha256}`.
pub async fn download(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Path((id, sha)): Path<(String, String)>,
) -> Response {
    match attachments::download(&state.svc, &o.me, &ctx, &id, &sha).await {
        Ok(d) => file_response(d),
        Err(e @ Error::Internal(_)) => error_page(&o, ApiError::Service(e)),
        Err(e) => error_page(&o, ApiError::Service(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_file_names() {
        assert_eq!(size_text(900), "900 B");
        assert_eq!(size_text(12_000), "12 KB");
        assert_eq!(size_text(3_565_158), "3,4 MB");
        assert_eq!(
            disposition("Quyết định.pdf"),
            "attachment; filename=\"Quy_t __nh.pdf\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf"
        );
    }
}
