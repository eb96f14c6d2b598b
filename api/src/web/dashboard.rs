//! The dashboard of the officer's area: open cases by step and risk, overdue
//! legal deadlines first, cases opened and closed per month.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Months};
use hoso_domain::case::CaseStatus;
use hoso_domain::common::{Code, RiskLevel};
use hoso_projections::read::PeriodKind;
use hoso_service::cases::{self, ListRequest};
use hoso_service::now;

use super::cases::{case_headers, case_rows};
use super::html::{column_chart, esc, table, Series};
use super::stats::{area_name, area_stats};
use super::{error_page, html, layout, tr, Officer};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::label;

/// The last `n` months, oldest first, as `2026-03`.
pub fn last_months(n: u32) -> Vec<String> {
    let today = hoso_domain::calendar::local_date(now());
    let first = today.with_day(1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|i| first.checked_sub_months(Months::new(i)))
        .map(|d| format!("{:04}-{:02}", d.year(), d.month()))
        .collect()
}

pub async fn page(State(state): State<AppState>, o: Officer, ctx: ReadContext) -> Response {
    match inner(&state, &o, &ctx).await {
        Ok(r) => r,
        Err(e) => error_page(&o, e),
    }
}

async fn inner(state: &AppState, o: &Officer, ctx: &ReadContext) -> Result<Response, ApiError> {
    let lang = o.ctx.lang;
    // Every case of the area by step and risk: one grouped query.
    let counts = cases::counts(&state.svc, &o.me).await?;
    let open: Vec<_> = counts
        .iter()
        .filter(|c| c.status != CaseStatus::Closed.as_str())
        .collect();
    let open_total: i64 = open.iter().map(|c| c.cases).sum();
    let overdue: i64 = open.iter().map(|c| c.overdue).sum();
    // Step × risk, highest risk first, then not yet assessed.
    let mut risk_cols: Vec<&str> = RiskLevel::codes().into_iter().rev().collect();
    risk_cols.push("");
    let mut rows = Vec::new();
    let mut col_totals = vec![0i64; risk_cols.len()];
    for st in CaseStatus::ALL
        .iter()
        .filter(|s| !matches!(s, CaseStatus::Closed | CaseStatus::NotOpened))
        .map(|s| s.as_str())
    {
        let mut cells = vec![format!(
            "<a href=\"/cases?status={st}\">{}</a>",
            esc(&label(lang, st))
        )];
        let mut total = 0;
        for (i, r) in risk_cols.iter().enumerate() {
            let n: i64 = open
                .iter()
                .filter(|c| c.status == st && c.overall_risk.as_deref().unwrap_or("") == *r)
                .map(|c| c.cases)
                .sum();
            col_totals[i] += n;
            total += n;
            cells.push(if n == 0 {
                "<span class=\"muted\">·</span>".into()
            } else if r.is_empty() {
                n.to_string()
            } else {
                format!("<a href=\"/cases?status={st}&amp;risk={r}\">{n}</a>")
            });
        }
        if total > 0 {
            cells.push(format!("<b>{total}</b>"));
            rows.push(cells);
        }
    }
    let mut foot = vec![format!("<b>{}</b>", esc(&label(lang, "w.total")))];
    foot.extend(col_totals.iter().map(|n| format!("<b>{n}</b>")));
    foot.push(format!("<b>{open_total}</b>"));
    rows.push(foot);
    let mut heads: Vec<String> = vec![label(lang, "h.status")];
    heads.extend(
        risk_cols
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| label(lang, r)),
    );
    heads.push(tr(lang, "Chưa đánh giá", "Not assessed").into());
    heads.push(label(lang, "w.total"));
    let hdr: Vec<&str> = heads.iter().map(String::as_str).collect();
    let matrix = table(&hdr, &rows, "matrix");

    // Overdue first: the case list's own order.
    // An inspector reads lists with a reason: the dashboard shows counts only.
    let first = if o.me.sight().needs_reason() && ctx.reason.is_none() {
        hoso_projections::read::Page {
            total: 0,
            items: Vec::new(),
        }
    } else {
        cases::list(
            &state.svc,
            &o.me,
            ctx,
            &ListRequest {
                overdue: true,
                limit: Some(10),
                ..ListRequest::default()
            },
        )
        .await?
    };
    let items: Vec<_> = first
        .items
        .into_iter()
        .filter(|r| r.status != "closed")
        .collect();
    let ch = case_headers(lang);
    let ch: Vec<&str> = ch.iter().map(String::as_str).collect();
    let overdue_tbl = if items.is_empty() {
        format!(
            "<p class=\"empty ok\">✓ {}</p>",
            tr(lang, "Không có hồ sơ quá hạn.", "No overdue case.")
        )
    } else {
        table(&ch, &case_rows(lang, &items), "cases")
    };

    // Opened and closed per month, last 12 months.
    let months = last_months(12);
    let stats = if o.me.sight().reads_statistics() {
        area_stats(
            state,
            &o.me,
            None,
            PeriodKind::Month,
            months.first().cloned(),
            months.last().cloned(),
            false,
        )
        .await?
    } else {
        Vec::new()
    };
    let per = |metric: &str| -> Vec<i64> {
        months
            .iter()
            .map(|m| {
                stats
                    .iter()
                    .filter(|r| r.metric == metric && &r.period == m)
                    .map(|r| r.count)
                    .sum()
            })
            .collect()
    };
    let opened = per("cases_opened");
    let closed = per("cases_closed");
    let chart = column_chart(
        tr(
            lang,
            "Hồ sơ tiếp nhận và kết thúc theo tháng",
            "Cases opened and closed per month",
        ),
        &months
            .iter()
            .map(|m| month_label(m, lang))
            .collect::<Vec<_>>(),
        &[
            Series {
                name: label(lang, "cases_opened"),
                class: "s0",
                values: opened.clone(),
            },
            Series {
                name: label(lang, "cases_closed"),
                class: "s1",
                values: closed.clone(),
            },
        ],
    );
    let kpi = |n: String, what: &str, cls: &str, href: &str| {
        format!(
            "<a class=\"kpi {cls}\" href=\"{href}\"><b>{n}</b><span>{}</span></a>",
            esc(what)
        )
    };
    let body = format!(
        "<div class=\"title-row\"><h1>{}</h1><p class=\"muted\">{}: <b>{}</b></p></div>\
         <div class=\"kpis\">{}{}{}{}</div>\
         <section class=\"card\"><h2>{}</h2>{overdue_tbl}<p><a href=\"/cases?overdue=1\">{} ›</a></p></section>\
         <div class=\"cols\"><section class=\"card\"><h2>{}</h2>{matrix}</section>\
         <section class=\"card\"><h2>{}</h2>{chart}</section></div>",
        tr(lang, "Tổng quan", "Dashboard"),
        tr(lang, "Địa bàn", "Area"),
        esc(&area_name(&o.me, lang)),
        kpi(open_total.to_string(), tr(lang, "Hồ sơ đang xử lý", "Open cases"), "", "/cases"),
        kpi(overdue.to_string(), tr(lang, "Hồ sơ quá hạn", "Overdue cases"), if overdue > 0 { "warn" } else { "" }, "/cases?overdue=1"),
        kpi(opened.last().copied().unwrap_or(0).to_string(), tr(lang, "Tiếp nhận tháng này", "Opened this month"), "", "/stats"),
        kpi(closed.last().copied().unwrap_or(0).to_string(), tr(lang, "Kết thúc tháng này", "Closed this month"), "", "/stats"),
        tr(lang, "Quá hạn theo luật (xử lý trước)", "Overdue legal deadlines (first)"),
        tr(lang, "Tất cả hồ sơ quá hạn", "All overdue cases"),
        tr(lang, "Hồ sơ đang xử lý theo bước và mức nguy cơ", "Open cases by step and risk"),
        tr(lang, "Tiếp nhận và kết thúc theo tháng", "Opened and closed per month"),
    );
    Ok(html(
        &o.ctx,
        StatusCode::OK,
        layout(
            &o.ctx,
            Some(&o.me),
            "/",
            tr(lang, "Tổng quan", "Dashboard"),
            &body,
        ),
    ))
}

/// `2026-03` → `tháng 03/2026` (vi) or `03/2026` (en).
pub fn month_label(m: &str, lang: crate::labels::Lang) -> String {
    super::inputs::month_label(m, lang)
}
