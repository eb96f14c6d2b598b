//! One officer's page: their actions over a period, legal deadline steps met
//! and missed, and the trainings they attended. An officer sees their own;
//! managers and inspectors those of their area (the API's rule).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hoso_projections::read::OfficerHistory;
use hoso_projections::Projection;
use hoso_service::officers;
use serde_json::Value;

use super::html::{esc, table, when_text};
use super::inputs::{self, date_text, parse_date, DATE_PATTERN};
use super::{error_page, html, layout, tr, Officer};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::label;

const MAX_ROWS: usize = 500;

/// `2025-03-01` → `01/03/2025`.
fn training_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(date_text)
        .unwrap_or_else(|_| iso.to_string())
}

/// The history the page (and its workbook) shows: the officer (default: the
/// signed-in one) over the dates given (`dd/mm/yyyy`, whole days).
async fn history(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    q: &HashMap<String, String>,
) -> Result<(String, String, String, OfficerHistory), ApiError> {
    let get = |k: &str| {
        q.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let id = get("id").unwrap_or_else(|| o.me.actor.officer_id.clone());
    let day = |k: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        match get(k) {
            None => Ok(None),
            Some(s) => parse_date(&s)
                .map(Some)
                .ok_or_else(|| ApiError::invalid(k, "use dd/mm/yyyy")),
        }
    };
    let from_d = day("from")?;
    let to_d = day("to")?;
    // A date range: from the start of `from` to the end of `to` (Vietnam time).
    let from = from_d.map(hoso_domain::calendar::start_of_local_day);
    let to = to_d.map(hoso_domain::calendar::end_of_local_day);
    hoso_service::refresh(state.svc.ledger(), Projection::OfficerHistory)
        .await
        .map_err(hoso_service::Error::from)?;
    let h = officers::history(&state.svc, &o.me, ctx, &id, from, to).await?;
    Ok((
        id,
        from_d.map(date_text).unwrap_or_default(),
        to_d.map(date_text).unwrap_or_default(),
        h,
    ))
}

/// `GET /officer.xlsx?id=…&from=…&to=…`: the officer's actions and trainings
/// as a workbook.
pub async fn xlsx(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    use crate::xlsx::{Cell, Sheet};
    let lang = o.ctx.lang;
    let result = async {
        let (id, from_s, to_s, h) = history(&state, &o, &ctx, &q).await?;
        let period = match (from_s.as_str(), to_s.as_str()) {
            ("", "") => tr(lang, "toàn bộ thời gian", "all time").to_string(),
            (f, "") => format!("{} {f}", tr(lang, "từ ngày", "from")),
            ("", t) => format!("{} {t}", tr(lang, "đến ngày", "until")),
            (f, t) => format!(
                "{} {f} {} {t}",
                tr(lang, "từ ngày", "from"),
                tr(lang, "đến ngày", "to")
            ),
        };
        let who = format!("{} ({id})", h.full_name.clone().unwrap_or_default());
        let unit = super::stats::unit_code_name(h.unit.as_deref().unwrap_or(""), lang);
        let title = format!(
            "{} — {who} — {unit} — {period}",
            tr(lang, "Hoạt động của cán bộ", "Officer history")
        );
        let mut acts = Sheet::new(
            lang,
            tr(lang, "Hoạt động", "Actions"),
            &title,
            &[
                &label(lang, "h.recorded"),
                &label(lang, "h.when"),
                tr(lang, "Loại hồ sơ", "Record type"),
                &label(lang, "h.record"),
                tr(lang, "STT sự kiện", "Event number"),
                &label(lang, "h.what"),
                &label(lang, "h.role"),
                tr(lang, "Đơn vị", "Unit"),
            ],
        );
        acts.notes.push(format!(
            "{}: {} · {}: {} · {}: {}",
            label(lang, "w.cases_handled"),
            h.cases_handled,
            label(lang, "w.deadlines_met"),
            h.deadlines_met,
            label(lang, "w.deadlines_missed"),
            h.deadlines_missed
        ));
        let time = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| Cell::DateTime(t.with_timezone(&chrono::Utc)))
                .unwrap_or_else(|_| Cell::text(s))
        };
        for e in &h.events {
            acts.rows.push(vec![
                time(&e.recorded_at),
                e.at.as_deref().map(time).unwrap_or(Cell::Empty),
                Cell::text(label(lang, &e.aggregate_type)),
                Cell::text(e.aggregate_id.clone()),
                Cell::Int(e.sequence),
                Cell::text(label(lang, &e.event_type)),
                Cell::text(label(lang, &e.role)),
                Cell::text(super::stats::unit_code_name(&e.unit, lang)),
            ]);
        }
        let mut trainings = Sheet::new(
            lang,
            tr(lang, "Tập huấn", "Trainings"),
            &title,
            &[
                tr(lang, "Ngày", "Date"),
                tr(lang, "Đơn vị tổ chức", "Organiser"),
                tr(lang, "Nội dung", "Topics"),
                tr(lang, "Số giờ", "Hours"),
            ],
        );
        for t in h.state["trainings"].as_array().into_iter().flatten() {
            trainings.rows.push(vec![
                t["date"]
                    .as_str()
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .map(Cell::Date)
                    .unwrap_or(Cell::Empty),
                Cell::text(t["organiser"].as_str().unwrap_or("")),
                Cell::text(
                    t["topics"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                t["hours"].as_i64().map(Cell::Int).unwrap_or(Cell::Empty),
            ]);
        }
        crate::xlsx::workbook_of(&[acts, trainings]).map_err(|e| ApiError::internal(e.to_string()))
    }
    .await;
    match result {
        Ok(bytes) => super::stats::xlsx_response("hoso-hoat-dong-can-bo.xlsx", bytes),
        Err(e) => error_page(&o, e),
    }
}

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
    let (id, from_s, to_s, h) = history(state, o, ctx, q).await?;
    let xlsx_href = format!(
        "/officer.xlsx?id={}&from={}&to={}",
        form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(from_s.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(to_s.as_bytes()).collect::<String>(),
    );
    let picker = format!(
        "<form method=\"get\" action=\"/officer\" class=\"filters card\">\
         <label>{}<input name=\"id\" value=\"{}\" size=\"12\"></label>\
         <label>{}{}</label><label>{}{}</label>\
         <div class=\"actions\"><button class=\"primary\">{}</button> \
         <a class=\"button\" id=\"officer-xlsx\" href=\"{}\" download>⬇ Excel</a></div></form>",
        tr(lang, "Mã cán bộ", "Officer id"),
        esc(&id),
        tr(lang, "Từ ngày", "From"),
        inputs::input(lang, "from", "from", &from_s, DATE_PATTERN, ""),
        tr(lang, "Đến ngày", "To"),
        inputs::input(lang, "to", "to", &to_s, DATE_PATTERN, ""),
        tr(lang, "Xem", "Show"),
        esc(&xlsx_href),
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
                esc(&training_date(t["date"].as_str().unwrap_or(""))),
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
