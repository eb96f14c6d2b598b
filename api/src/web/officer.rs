//! One officer's page: their actions over a period, legal deadline steps met
//! and missed, and the trainings they attended. An officer sees their own;
//! managers and inspectors those of their area (the API's rule).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hoso_projections::Projection;
use hoso_service::officers;
use serde_json::Value;

use super::html::{esc, parse_local, table, when_text};
use super::{error_page, html, layout, tr, Officer};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::label;

const MAX_ROWS: usize = 500;

pub async fn page(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match inner(&state, &o, &ctx, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&o, e),
    }
}

async fn inner(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let lang = o.ctx.lang;
    let get = |k: &str| {
        q.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let id = get("id").unwrap_or_else(|| o.me.actor.officer_id.clone());
    let from_s = get("from");
    let to_s = get("to");
    // A date range: from the start of `from` to the end of `to` (Vietnam time).
    let from = from_s
        .as_deref()
        .and_then(|d| parse_local(&format!("{d}T00:00")));
    let to = to_s.as_deref().and_then(parse_local);
    hoso_service::refresh(state.svc.ledger(), Projection::OfficerHistory)
        .await
        .map_err(hoso_service::Error::from)?;
    let h = officers::history(&state.svc, &o.me, ctx, &id, from, to).await?;
    let picker = format!(
        "<form method=\"get\" action=\"/officer\" class=\"filters card\">\
         <label>{}<input name=\"id\" value=\"{}\" size=\"12\"></label>\
         <label>{}<input type=\"date\" name=\"from\" value=\"{}\"></label>\
         <label>{}<input type=\"date\" name=\"to\" value=\"{}\"></label>\
         <div class=\"actions\"><button class=\"primary\">{}</button></div></form>",
        tr(lang, "Mã cán bộ", "Officer id"),
        esc(&id),
        tr(lang, "Từ ngày", "From"),
        esc(from_s.as_deref().unwrap_or("")),
        tr(lang, "Đến ngày", "To"),
        esc(to_s.as_deref().unwrap_or("")),
        tr(lang, "Xem", "Show"),
    );
    let kpi = |n: String, what: &str, cls: &str| {
        format!(
            "<div class=\"kpi {cls}\"><b>{n}</b><span>{}</span></div>",
            esc(what)
        )
    };
    let kpis = format!(
        "<div class=\"kpis\">{}{}{}{}</div>",
        kpi(h.events.len().to_string(), &label(lang, "w.actions"), ""),
        kpi(
            h.cases_handled.to_string(),
            &label(lang, "w.cases_handled"),
            ""
        ),
        kpi(
            h.deadlines_met.to_string(),
            &label(lang, "w.deadlines_met"),
            "good"
        ),
        kpi(
            h.deadlines_missed.to_string(),
            &label(lang, "w.deadlines_missed"),
            if h.deadlines_missed > 0 { "warn" } else { "" }
        ),
    );
    let unit = super::stats::unit_code_name(h.unit.as_deref().unwrap_or(""), lang);
    let facts = format!(
        "<dl class=\"facts\"><dt>{}</dt><dd><b>{}</b> <small class=\"muted\">{}</small></dd>\
         <dt>{}</dt><dd>{}</dd><dt>{}</dt><dd class=\"mono\">{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        tr(lang, "Cán bộ", "Officer"),
        esc(h.full_name.as_deref().unwrap_or("")),
        esc(&h.officer_id),
        label(lang, "h.role"),
        esc(&label(lang, h.role.as_deref().unwrap_or(""))),
        tr(lang, "Đơn vị", "Unit"),
        esc(&unit),
        tr(lang, "Đang hoạt động", "Active"),
        label(lang, if h.active { "w.yes" } else { "w.no" }),
    );
    // Trainings.
    let trainings: Vec<Vec<String>> = h.state["trainings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            vec![
                esc(t["date"].as_str().unwrap_or("")),
                esc(t["organiser"].as_str().unwrap_or("")),
                esc(&t["topics"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")),
                t["hours"]
                    .as_u64()
                    .map(|h| h.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let trainings = if trainings.is_empty() {
        format!("<p class=\"empty\">{}</p>", esc(&label(lang, "w.none")))
    } else {
        table(
            &[
                tr(lang, "Ngày", "Date"),
                tr(lang, "Đơn vị tổ chức", "Organiser"),
                tr(lang, "Nội dung", "Topics"),
                tr(lang, "Số giờ", "Hours"),
            ],
            &trainings,
            "",
        )
    };
    // Actions, newest first.
    let rows: Vec<Vec<String>> = h
        .events
        .iter()
        .rev()
        .take(MAX_ROWS)
        .map(|e| {
            let record = if e.aggregate_type == "Case" {
                format!("<a href=\"/cases/{0}\">{0}</a>", esc(&e.aggregate_id))
            } else {
                esc(&e.aggregate_id)
            };
            vec![
                esc(&when_text(Some(&e.recorded_at), lang)),
                esc(&label(lang, &e.aggregate_type)),
                record,
                esc(&label(lang, &e.event_type)),
                esc(&label(lang, &e.role)),
            ]
        })
        .collect();
    let more = if h.events.len() > MAX_ROWS {
        format!(
            "<p class=\"muted\">{} {MAX_ROWS} / {}</p>",
            tr(lang, "Hiển thị", "Showing"),
            h.events.len()
        )
    } else {
        String::new()
    };
    let actions = if rows.is_empty() {
        format!("<p class=\"empty\">{}</p>", esc(&label(lang, "w.none")))
    } else {
        table(
            &[
                &label(lang, "h.recorded"),
                tr(lang, "Loại hồ sơ", "Record type"),
                &label(lang, "h.record"),
                &label(lang, "h.what"),
                &label(lang, "h.role"),
            ],
            &rows,
            "",
        )
    };
    let body = format!(
        "<h1>{}</h1>{picker}<div class=\"cols\"><section class=\"card\">{facts}</section><section>{kpis}</section></div>\
         <section class=\"card\"><h2>{}</h2>{trainings}</section>\
         <section class=\"card\"><h2>{}</h2>{actions}{more}</section>",
        tr(lang, "Hoạt động của cán bộ", "Officer history"),
        esc(&label(lang, "w.trainings")),
        esc(&label(lang, "w.actions")),
    );
    Ok(html(
        &o.ctx,
        StatusCode::OK,
        layout(
            &o.ctx,
            Some(&o.me),
            "/officer",
            tr(lang, "Cán bộ", "Officer"),
            &body,
        ),
    ))
}
