//! The official forms as pages (`GET /cases/{id}/forms/mau-01?as_of=…`): the
//! form of `crate::forms`, filled from `hoso_service::documents::form_source`
//! (the case and the child as they stood at the moment, under the case's
//! visibility rule, the read logged). A whole A4 document with its stylesheet
//! at `/assets/forms.css`; printing it (or "Save as PDF") gives the form.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hoso_service::documents;

use super::cases::opt;
use super::html::parse_local;
use super::{error_page, Officer};
use crate::forms::{self, CaseRecord, FormKind};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::AppState;

/// The document of one form, or `None` when the case has no data for it then.
pub async fn form_document(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    id: &str,
    kind: FormKind,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Option<String>, ApiError> {
    let src = documents::form_source(&state.svc, &o.me, ctx, id, as_of, kind.code()).await?;
    let mut record = CaseRecord::from_as_of(&src.case)
        .map_err(|e| ApiError::internal(format!("a stored event does not decode: {e}")))?;
    if let Some(child) = src.child {
        record = record.with_child(child);
    }
    for (officer, name) in &src.officer_names {
        record = record.with_officer_name(officer, name);
    }
    Ok(forms::render(kind, &record))
}

/// `GET /cases/{id}/forms/{code}[?as_of=…]`.
pub async fn page(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Path((id, code)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(kind) = FormKind::parse(&code) else {
        return error_page(&o, ApiError::not_found("form"));
    };
    let as_of = match opt(&q, "as_of") {
        None => None,
        Some(t) => match parse_local(&t) {
            Some(t) => Some(t),
            None => return error_page(&o, ApiError::invalid("as_of", "use dd/mm/yyyy hh:mm")),
        },
    };
    match form_document(&state, &o, &ctx, &id, kind, as_of).await {
        Ok(Some(doc)) => {
            let mut r = (StatusCode::OK, doc).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Ok(None) => error_page(
            &o,
            ApiError::Service(hoso_service::Error::NotFound(
                "no data for this form yet".into(),
            )),
        ),
        Err(e) => error_page(&o, e),
    }
}

/// `GET /assets/forms.css`.
pub async fn css() -> Response {
    super::asset("text/css; charset=utf-8", forms::FORM_CSS)
}
