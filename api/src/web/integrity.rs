//! The integrity page, for inspectors (and managers, admins): the latest signed
//! checkpoint, the last verification of the whole store, verifying one case
//! (its hash chain recomputed, each event's inclusion in the latest signed
//! checkpoint), and compliance export downloads (the API's export handler).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use hoso_domain::case::Case;
use hoso_domain::common::Role;
use hoso_ledger::checkpoint::{self, Checkpoint};
use hoso_ledger::{encoding, merkle};
use serde::Deserialize;

use super::html::{esc, when};
use super::{error_page, html, layout, tr, Officer};
use crate::http::access::ReadContext;
use crate::http::cases::visible_case;
use crate::http::error::ApiError;
use crate::http::exports::{export_bundle, ExportParams};
use crate::http::json::ApiQuery;
use crate::http::{now, AppState};
use crate::labels::Lang;

/// The last whole-store verification run from this page (in this process).
struct LastRun {
    at: DateTime<Utc>,
    by: String,
    intact: bool,
    text: String,
}

static LAST: Mutex<Option<LastRun>> = Mutex::new(None);

/// Largest log for which one case's inclusion proofs are computed on a page
/// request (the tree is built in memory).
const MAX_TREE: u64 = 2_000_000;

fn allowed(o: &Officer) -> Result<(), ApiError> {
    if matches!(
        o.me.role(),
        Role::Inspector | Role::Admin | Role::ProvincialManager
    ) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            tr(
                o.ctx.lang,
                "Trang này dành cho thanh tra và cán bộ quản lý.",
                "This page is for inspectors and managers.",
            )
            .into(),
        ))
    }
}

pub async fn page(State(state): State<AppState>, o: Officer) -> Response {
    if let Err(e) = allowed(&o) {
        return error_page(&o, e);
    }
    match render(&state, &o, None, "").await {
        Ok(p) => html(&o.ctx, StatusCode::OK, p),
        Err(e) => error_page(&o, e),
    }
}

fn cp_error(e: checkpoint::CheckpointError) -> ApiError {
    ApiError::Internal(e.to_string())
}

async fn render(
    state: &AppState,
    o: &Officer,
    case_result: Option<String>,
    case_id: &str,
) -> Result<String, ApiError> {
    let lang = o.ctx.lang;
    let ledger = &state.app.ledger;
    let latest = checkpoint::latest(ledger).await.map_err(cp_error)?;
    let head = ledger.head().await?;
    let cp = match &latest {
        None => format!(
            "<p class=\"empty\">{}</p>",
            tr(
                lang,
                "Chưa có điểm kiểm tra (checkpoint) nào được ký.",
                "No signed checkpoint yet."
            )
        ),
        Some(c) => {
            let sig = match &state.signer {
                Some(s) if s.verifier().open_note(&c.note).is_some() => format!(
                    "<span class=\"badge ok\">✓ {}</span>",
                    tr(lang, "Chữ ký hợp lệ", "Signature valid")
                ),
                Some(_) => format!(
                    "<span class=\"badge late\">✗ {}</span>",
                    tr(
                        lang,
                        "Chữ ký không khớp khóa của máy chủ",
                        "Signature does not match the server key"
                    )
                ),
                None => format!(
                    "<span class=\"muted\">{}</span>",
                    tr(
                        lang,
                        "chưa kiểm tra chữ ký (máy chủ không có khóa)",
                        "signature not checked (no key on this server)"
                    )
                ),
            };
            let issued = DateTime::parse_from_rfc3339(&c.issued_at)
                .map(|t| when(t.with_timezone(&Utc), lang))
                .unwrap_or_else(|_| c.issued_at.clone());
            format!(
                "<dl class=\"facts\"><dt>{}</dt><dd>#{} {sig}</dd><dt>{}</dt><dd>{}</dd>\
                 <dt>{}</dt><dd>{} / {head}</dd><dt>{}</dt><dd class=\"mono wrap\">{}</dd>\
                 <dt>{}</dt><dd class=\"mono\">{}</dd></dl>\
                 <details><summary>{}</summary><pre class=\"note\">{}</pre></details>",
                tr(lang, "Điểm kiểm tra", "Checkpoint"),
                c.id,
                tr(lang, "Thời điểm ký", "Signed at"),
                esc(&issued),
                tr(
                    lang,
                    "Số sự kiện đã ký / hiện có",
                    "Events signed / now in the log"
                ),
                c.tree_size,
                tr(lang, "Gốc cây Merkle", "Merkle root"),
                hex::encode(c.root),
                tr(lang, "Mã khóa", "Key id"),
                esc(&c.key_id),
                tr(
                    lang,
                    "Văn bản đã ký (lưu một bản ở nơi khác)",
                    "Signed note (keep a copy elsewhere)"
                ),
                esc(&c.note),
            )
        }
    };
    let last = match LAST.lock().ok().as_ref().and_then(|l| {
        l.as_ref()
            .map(|r| (r.at, r.by.clone(), r.intact, r.text.clone()))
    }) {
        None => format!(
            "<p class=\"muted\">{}</p>",
            tr(
                lang,
                "Chưa kiểm tra toàn bộ kể từ khi máy chủ khởi động.",
                "Not verified since the server started."
            )
        ),
        Some((at, by, intact, text)) => format!(
            "<p><span class=\"badge {}\">{}</span> {} · {}</p><p class=\"mono wrap\">{}</p>",
            if intact { "ok" } else { "late" },
            if intact {
                tr(lang, "✓ Nguyên vẹn", "✓ Intact")
            } else {
                tr(lang, "✗ Phát hiện sai lệch", "✗ Broken")
            },
            esc(&when(at, lang)),
            esc(&by),
            esc(&text)
        ),
    };
    let export = if matches!(o.me.role(), Role::Inspector | Role::Admin) {
        format!(
            "<section class=\"card\"><h2>{}</h2><p class=\"muted\">{}</p>\
             <form method=\"get\" action=\"/integrity/export\" class=\"filters\">\
             <label>{}<input name=\"case\" size=\"18\"></label>\
             <label>{}<input name=\"officer\" size=\"10\"></label>\
             <label>{}<input name=\"place\" placeholder=\"province:42\" size=\"16\"></label>\
             <label>{}<input type=\"date\" name=\"from\"></label><label>{}<input type=\"date\" name=\"to\"></label>\
             <div class=\"actions\"><button class=\"primary\">⬇ {}</button></div></form></section>",
            tr(lang, "Tải gói dữ liệu cho thanh tra", "Compliance export"),
            tr(
                lang,
                "Gói .tar gồm các sự kiện, bằng chứng Merkle, điểm kiểm tra đã ký, bản kê khai đã ký và các tệp CSV; bên thứ ba kiểm tra được mà không cần kết nối (docs/export-format.md).",
                "A .tar of events, Merkle proofs, the signed checkpoint, a signed manifest and CSV files, verifiable offline by a third party (docs/export-format.md)."
            ),
            tr(lang, "Mã hồ sơ", "Case id"),
            tr(lang, "Mã cán bộ", "Officer id"),
            tr(lang, "Địa bàn", "Place"),
            tr(lang, "Từ ngày", "From"),
            tr(lang, "Đến ngày", "To"),
            tr(lang, "Tải xuống", "Download"),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{}</h1><div class=\"cols\"><section class=\"card\"><h2>{}</h2>{cp}</section>\
         <section class=\"card\"><h2>{}</h2>{last}\
         <form method=\"post\" action=\"/integrity/verify-all\"><button>{}</button></form></section></div>\
         <section class=\"card\" id=\"verify-case\"><h2>{}</h2>\
         <form method=\"post\" action=\"/integrity/verify-case\" class=\"filters\">\
         <label>{}<input name=\"case\" value=\"{}\" required size=\"20\"></label>\
         <div class=\"actions\"><button class=\"primary\">{}</button></div></form>{}</section>{export}",
        tr(lang, "Toàn vẹn dữ liệu", "Integrity"),
        tr(lang, "Điểm kiểm tra mới nhất", "Latest signed checkpoint"),
        tr(lang, "Kiểm tra toàn bộ gần nhất", "Last full verification"),
        tr(lang, "Kiểm tra toàn bộ ngay", "Verify everything now"),
        tr(lang, "Kiểm tra một hồ sơ", "Verify one case"),
        tr(lang, "Mã hồ sơ", "Case id"),
        esc(case_id),
        tr(lang, "Kiểm tra", "Verify"),
        case_result.unwrap_or_default(),
    );
    Ok(layout(
        &o.ctx,
        Some(&o.me),
        "/integrity",
        tr(lang, "Toàn vẹn dữ liệu", "Integrity"),
        &body,
    ))
}

/// `POST /integrity/verify-all`: `hoso verify` from the page.
pub async fn verify_all(State(state): State<AppState>, o: Officer) -> Response {
    if let Err(e) = allowed(&o) {
        return error_page(&o, e);
    }
    let key = state.signer.as_ref().map(|s| s.verifier().clone());
    match hoso_ledger::verify::verify_with(&state.app.ledger, key.as_ref(), &[]).await {
        Ok(report) => {
            let intact = report.first().is_none();
            let text = match report.first() {
                Some(f) => format!("BROKEN: {f}"),
                None => format!(
                    "intact: {} events, {} aggregates, {:.3} s",
                    report.events, report.aggregates, report.seconds
                ),
            };
            if let Ok(mut l) = LAST.lock() {
                *l = Some(LastRun {
                    at: now(),
                    by: o.me.actor.officer_id.clone(),
                    intact,
                    text,
                });
            }
            Redirect::to("/integrity").into_response()
        }
        Err(e) => error_page(&o, ApiError::from(e)),
    }
}

#[derive(Deserialize)]
pub struct CaseForm {
    case: String,
}

/// One case's chain and its inclusion in the latest signed checkpoint.
async fn check_case(state: &AppState, lang: Lang, id: &str) -> Result<(bool, String), ApiError> {
    let ledger = &state.app.ledger;
    let events = ledger.events_of(Case::TYPE, id, 0).await?;
    let mut prev = [0u8; 32];
    let mut problems = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if e.sequence != i as i64 + 1 {
            problems.push(format!("sequence {}: expected {}", e.sequence, i + 1));
        }
        if e.prev_hash[..] != prev[..] {
            problems.push(format!(
                "sequence {}: link to the previous event broken",
                e.sequence
            ));
        }
        let h = encoding::event_hash(&prev, &e.record());
        if h[..] != e.hash[..] {
            problems.push(format!(
                "sequence {}: hash does not match its content",
                e.sequence
            ));
        }
        if e.hash.len() == 32 {
            prev.copy_from_slice(&e.hash);
        }
    }
    let latest: Option<Checkpoint> = checkpoint::latest(ledger).await.map_err(cp_error)?;
    let mut included = 0;
    let mut pending = 0;
    let inclusion: String;
    match latest {
        Some(c) if c.tree_size <= MAX_TREE => {
            let tree = hoso_ledger::log::tree(ledger, c.tree_size)
                .await
                .map_err(cp_error)?;
            for e in &events {
                let index = (e.position - 1) as u64;
                if index >= c.tree_size {
                    pending += 1;
                    continue;
                }
                let leaf = merkle::leaf_hash(&e.hash);
                let ok = tree.inclusion_proof(index, c.tree_size).is_some_and(|p| {
                    merkle::verify_inclusion(index, c.tree_size, &leaf, &p, &c.root)
                });
                if ok {
                    included += 1;
                } else {
                    problems.push(format!(
                        "position {}: not included in checkpoint #{}",
                        e.position, c.id
                    ));
                }
            }
            inclusion = format!(
                "{} {included} · {} #{} ({} {})",
                tr(
                    lang,
                    "Có trong điểm kiểm tra đã ký:",
                    "Included in the signed checkpoint:"
                ),
                tr(lang, "điểm kiểm tra", "checkpoint"),
                c.id,
                pending,
                tr(
                    lang,
                    "sự kiện mới hơn, chờ điểm kiểm tra sau",
                    "newer events await the next checkpoint"
                ),
            );
        }
        Some(_) => {
            inclusion = tr(
                lang,
                "Nhật ký quá lớn để tính bằng chứng tại đây; dùng `hoso verify`.",
                "Log too large for proofs here; use `hoso verify`.",
            )
            .into()
        }
        None => {
            inclusion = tr(
                lang,
                "Chưa có điểm kiểm tra đã ký.",
                "No signed checkpoint yet.",
            )
            .into()
        }
    }
    let ok = problems.is_empty();
    let head = if ok {
        format!(
            "<span class=\"badge ok\">✓ {}</span> {} {}",
            tr(lang, "Nguyên vẹn", "Intact"),
            events.len(),
            tr(
                lang,
                "sự kiện, chuỗi băm được tính lại khớp hoàn toàn.",
                "events; the recomputed hash chain matches."
            )
        )
    } else {
        format!(
            "<span class=\"badge late\">✗ {}</span><ul>{}</ul>",
            tr(lang, "Phát hiện sai lệch", "Broken"),
            problems
                .iter()
                .map(|p| format!("<li>{}</li>", esc(p)))
                .collect::<String>()
        )
    };
    let last_hash = events
        .last()
        .map(|e| hex::encode(&e.hash))
        .unwrap_or_default();
    Ok((
        ok,
        format!(
            "<div class=\"result {}\" id=\"case-result\"><p>{head}</p><p>{}</p><p class=\"muted\">{} <span class=\"mono wrap\">{}</span></p></div>",
            if ok { "good" } else { "bad" },
            esc(&inclusion),
            tr(lang, "Mã băm cuối:", "Last hash:"),
            esc(&last_hash)
        ),
    ))
}

/// `POST /integrity/verify-case`.
pub async fn verify_case(
    State(state): State<AppState>,
    o: Officer,
    Form(f): Form<CaseForm>,
) -> Response {
    if let Err(e) = allowed(&o) {
        return error_page(&o, e);
    }
    let id = f.case.trim().to_string();
    let result = async {
        visible_case(&state, &o.me, &id).await?;
        let (_, html_result) = check_case(&state, o.ctx.lang, &id).await?;
        render(&state, &o, Some(html_result), &id).await
    }
    .await;
    match result {
        Ok(p) => html(&o.ctx, StatusCode::OK, p),
        Err(e) => error_page(&o, e),
    }
}

/// `GET /integrity/export?case=…`: the API's compliance export, as a download.
pub async fn export(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| {
        q.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let params = ExportParams {
        case: get("case"),
        officer: get("officer"),
        place: get("place"),
        from: get("from"),
        to: get("to"),
        reason: get("reason"),
    };
    match export_bundle(State(state), o.me.clone(), ctx, ApiQuery(params)).await {
        Ok(r) => r,
        Err(e) => error_page(&o, e),
    }
}
