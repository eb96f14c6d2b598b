//! The integrity page, for inspectors (and managers, admins): the latest signed
//! checkpoint, the last verification of the whole store, verifying one case
//! (its hash chain recomputed, each event's inclusion in the latest signed
//! checkpoint), and compliance export downloads (the API's export handler).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use hoso_domain::common::Role;
use hoso_ledger::checkpoint::Checkpoint;
use hoso_ledger::cosignature::StoredCosignature;
use hoso_service::integrity::{self, CaseCheck, Inclusion};
use hoso_witness::WitnessStatus;
use serde::Deserialize;

use super::html::{esc, when};
use super::{error_page, html, layout, tr, Officer};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::exports::{export_bundle, ExportParams};
use crate::http::json::ApiQuery;
use crate::http::AppState;
use crate::labels::Lang;

pub async fn page(State(state): State<AppState>, o: Officer) -> Response {
    match render(&state, &o, None, "").await {
        Ok(p) => html(&o.ctx, StatusCode::OK, p),
        Err(e) => error_page(&o, e),
    }
}

async fn render(
    state: &AppState,
    o: &Officer,
    case_result: Option<String>,
    case_id: &str,
) -> Result<String, ApiError> {
    let lang = o.ctx.lang;
    let status = integrity::status(&state.svc, &o.me).await?;
    let head = status.head;
    let cp = match &status.latest {
        None => format!(
            "<p class=\"empty\">{}</p>",
            tr(
                lang,
                "Chưa có điểm kiểm tra (checkpoint) nào được ký.",
                "No signed checkpoint yet."
            )
        ),
        Some(c) => {
            let sig = match status.signature_valid {
                Some(true) => format!(
                    "<span class=\"badge ok\">✓ {}</span>",
                    tr(lang, "Chữ ký hợp lệ", "Signature valid")
                ),
                Some(false) => format!(
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
    let last = match status.last_run.map(|r| (r.at, r.by, r.intact, r.text)) {
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
             <label>{}{}</label><label>{}{}</label>\
             <div class=\"actions\"><button class=\"primary\">⬇ {}</button></div></form></section>",
            tr(lang, "Tải gói dữ liệu cho thanh tra", "Compliance export"),
            tr(
                lang,
                "Gói .tar gồm các sự kiện, bằng chứng Merkle, điểm kiểm tra đã ký, bản kê khai đã ký và các tệp CSV; bên thứ ba kiểm tra được mà không cần kết nối (định dạng mô tả trong tài liệu docs/export-format.md của hệ thống).",
                "A .tar of events, Merkle proofs, the signed checkpoint, a signed manifest and CSV files, verifiable offline by a third party (docs/export-format.md)."
            ),
            tr(lang, "Mã hồ sơ", "Case id"),
            tr(lang, "Mã cán bộ", "Officer id"),
            tr(lang, "Địa bàn", "Place"),
            tr(lang, "Từ ngày", "From"),
            super::inputs::input(lang, "export-from", "from", "", super::inputs::DATE_PATTERN, ""),
            tr(lang, "Đến ngày", "To"),
            super::inputs::input(lang, "export-to", "to", "", super::inputs::DATE_PATTERN, ""),
            tr(lang, "Tải xuống", "Download"),
        )
    } else {
        String::new()
    };
    let configured = state
        .witnesses
        .as_ref()
        .map(hoso_witness::StatusHandle::get)
        .unwrap_or_default();
    let witnesses = witnesses_card(lang, status.cosigned.as_ref(), &configured);
    let body = format!(
        "<h1>{}</h1><div class=\"cols\"><section class=\"card\"><h2>{}</h2>{cp}</section>\
         <section class=\"card\"><h2>{}</h2>{last}\
         <form method=\"post\" action=\"/integrity/verify-all\"><button>{}</button></form></section></div>\
         <section class=\"card\" id=\"verify-case\"><h2>{}</h2>\
         <form method=\"post\" action=\"/integrity/verify-case\" class=\"filters\">\
         <label>{}<input name=\"case\" value=\"{}\" required size=\"20\"></label>\
         <div class=\"actions\"><button class=\"primary\">{}</button></div></form>{}</section>{witnesses}{export}",
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

/// The witnesses: each one this server asks (up to date, or behind since
/// when and why), and the newest checkpoint they cosigned with each
/// cosignature's witness, key and time.
fn witnesses_card(
    lang: Lang,
    cosigned: Option<&(Checkpoint, Vec<StoredCosignature>)>,
    configured: &[WitnessStatus],
) -> String {
    let at = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .map(|t| when(t.with_timezone(&Utc), lang))
            .unwrap_or_else(|_| t.to_string())
    };
    let asked = if configured.is_empty() {
        format!(
            "<p class=\"muted\">{}</p>",
            tr(
                lang,
                "Máy chủ này không gửi điểm kiểm tra cho bên chứng kiến nào (hoso serve --witness).",
                "This server asks no witness to cosign (hoso serve --witness)."
            )
        )
    } else {
        let rows: String = configured
            .iter()
            .map(|w| {
                let state = match &w.behind_since {
                    None => format!(
                        "<span class=\"badge ok\">✓ {}</span>",
                        tr(lang, "Đã đồng ký mới nhất", "Up to date")
                    ),
                    Some(since) => format!(
                        "<span class=\"badge late\">{} {}</span> <span class=\"muted\">{}</span>",
                        tr(lang, "Chậm từ", "Behind since"),
                        esc(&at(since)),
                        esc(w.last_error.as_deref().unwrap_or_default()),
                    ),
                };
                format!(
                    "<tr><td class=\"mono wrap\">{}</td><td>{}</td><td>{}</td><td>{state}</td></tr>",
                    esc(&w.name),
                    w.last_cosigned_size
                        .map_or_else(|| "—".to_string(), |n| n.to_string()),
                    esc(&w.last_cosigned_at.as_deref().map(at).unwrap_or_else(|| "—".into())),
                )
            })
            .collect();
        format!(
            "<table id=\"witness-status\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\
             <tbody>{rows}</tbody></table>",
            tr(lang, "Bên chứng kiến", "Witness"),
            tr(lang, "Số sự kiện đã đồng ký", "Cosigned size"),
            tr(lang, "Lúc", "At"),
            tr(lang, "Trạng thái", "Status"),
        )
    };
    let newest = match cosigned {
        None => format!(
            "<p class=\"empty\">{}</p>",
            tr(
                lang,
                "Chưa có điểm kiểm tra nào được bên chứng kiến đồng ký.",
                "No checkpoint cosigned by a witness yet."
            )
        ),
        Some((cp, sigs)) => {
            let rows: String = sigs
                .iter()
                .map(|c| {
                    let t = DateTime::<Utc>::from_timestamp(
                        i64::try_from(c.cosigned_at).unwrap_or(i64::MAX),
                        0,
                    )
                    .map(|t| when(t, lang))
                    .unwrap_or_else(|| c.cosigned_at.to_string());
                    format!(
                        "<tr><td class=\"mono wrap\">{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                        esc(&c.witness_name),
                        esc(&c.key_id),
                        esc(&t)
                    )
                })
                .collect();
            format!(
                "<p>{} #{} · {} {}</p><table id=\"cosignatures\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\
                 <tbody>{rows}</tbody></table>",
                tr(lang, "Điểm kiểm tra đồng ký mới nhất", "Newest cosigned checkpoint"),
                cp.id,
                cp.tree_size,
                tr(lang, "sự kiện", "events"),
                tr(lang, "Bên chứng kiến", "Witness"),
                tr(lang, "Mã khóa", "Key id"),
                tr(lang, "Thời điểm đồng ký (theo bên chứng kiến)", "Cosigned at (witness time)"),
            )
        }
    };
    format!(
        "<section class=\"card\" id=\"witnesses\"><h2>{}</h2><p class=\"muted\">{}</p>{asked}{newest}</section>",
        tr(lang, "Bên chứng kiến độc lập", "Witnesses"),
        tr(
            lang,
            "Bên chứng kiến (thanh tra tỉnh, bộ, tòa án) giữ điểm kiểm tra mới nhất đã thấy và chỉ đồng ký khi lịch sử không bị viết lại; xem docs/transparency.md.",
            "Witnesses (a provincial inspectorate, the ministry, a court) keep the newest checkpoint they saw and cosign only when history was not rewritten; see docs/transparency.md."
        ),
    )
}

/// `POST /integrity/verify-all`: `hoso verify` from the page.
pub async fn verify_all(State(state): State<AppState>, o: Officer) -> Response {
    match integrity::verify_all(&state.svc, &o.me).await {
        Ok(_) => Redirect::to("/integrity").into_response(),
        Err(e) => error_page(&o, e.into()),
    }
}

#[derive(Deserialize)]
pub struct CaseForm {
    case: String,
}

/// One case's chain and its inclusion in the latest signed checkpoint.
fn case_result(lang: Lang, c: &CaseCheck) -> String {
    let inclusion = match c.inclusion {
        Inclusion::Checked {
            checkpoint,
            included,
            pending,
        } => format!(
            "{} {included} · {} #{checkpoint} ({pending} {})",
            tr(
                lang,
                "Có trong điểm kiểm tra đã ký:",
                "Included in the signed checkpoint:"
            ),
            tr(lang, "điểm kiểm tra", "checkpoint"),
            tr(
                lang,
                "sự kiện mới hơn, chờ điểm kiểm tra sau",
                "newer events await the next checkpoint"
            ),
        ),
        Inclusion::NoCheckpoint => tr(
            lang,
            "Chưa có điểm kiểm tra đã ký.",
            "No signed checkpoint yet.",
        )
        .into(),
    };
    let ok = c.problems.is_empty();
    let head = if ok {
        format!(
            "<span class=\"badge ok\">✓ {}</span> {} {}",
            tr(lang, "Nguyên vẹn", "Intact"),
            c.events,
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
            c.problems
                .iter()
                .map(|p| format!("<li>{}</li>", esc(p)))
                .collect::<String>()
        )
    };
    format!(
        "<div class=\"result {}\" id=\"case-result\"><p>{head}</p><p>{}</p><p class=\"muted\">{} <span class=\"mono wrap\">{}</span></p></div>",
        if ok { "good" } else { "bad" },
        esc(&inclusion),
        tr(lang, "Mã băm cuối:", "Last hash:"),
        esc(&c.last_hash)
    )
}

/// `POST /integrity/verify-case`.
pub async fn verify_case(
    State(state): State<AppState>,
    o: Officer,
    Form(f): Form<CaseForm>,
) -> Response {
    let id = f.case.trim().to_string();
    let result = async {
        let check = integrity::verify_case(&state.svc, &o.me, &id).await?;
        render(&state, &o, Some(case_result(o.ctx.lang, &check)), &id).await
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
    // Dates as typed (`dd/mm/yyyy`) become the API's `yyyy-mm-dd`.
    let day = |k: &str| {
        get(k).map(|v| match super::inputs::parse_date(&v) {
            Some(d) => d.to_string(),
            None => v,
        })
    };
    let params = ExportParams {
        case: get("case"),
        officer: get("officer"),
        place: get("place"),
        from: day("from"),
        to: day("to"),
        reason: get("reason"),
        personal: get("personal").map(|v| v == "1" || v == "true"),
    };
    match export_bundle(State(state), o.me.clone(), ctx, ApiQuery(params)).await {
        Ok(r) => r,
        Err(e) => error_page(&o, e),
    }
}
