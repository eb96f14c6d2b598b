//! Statistics of the officer's area: bars per month, per commune, per harm
//! type and per special-circumstance group, each with its table and a CSV
//! download (UTF-8 with BOM, so Excel shows Vietnamese).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hoso_domain::common::Unit;
use hoso_domain::common::{Code, HarmType};
use hoso_projections::read::{PeriodKind, StatRow, StatsQuery};
use hoso_projections::Projection;
use hoso_service::stats;

use super::cases::{commune_name, group_label};
use super::dashboard::{last_months, month_label};
use super::html::{bar_list, column_chart, esc, table, Series};
use super::inputs::{self, month_text, parse_month, MONTH_PATTERN};
use super::{error_page, html, layout, tr, Officer};
use crate::http::auth::CurrentOfficer;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::province_name;
use crate::labels::{label, Lang};

/// Statistics rows of the officer's area (`hoso_service::stats`).
pub async fn area_stats(
    state: &AppState,
    me: &CurrentOfficer,
    metric: Option<&str>,
    period: PeriodKind,
    from: Option<String>,
    to: Option<String>,
    by_commune: bool,
) -> Result<Vec<StatRow>, ApiError> {
    let q = StatsQuery {
        metric: metric.map(str::to_string),
        province: None,
        commune: None,
        structure: None,
        district: None,
        period,
        from,
        to,
        by_commune,
    };
    Ok(stats::query(&state.svc, me, q).await?)
}

/// The officer's area in words.
pub fn area_name(me: &CurrentOfficer, lang: Lang) -> String {
    unit_name(me.actor.unit, lang)
}

/// A unit code (`commune:42:18070`) in words, or the code when it is none.
pub fn unit_code_name(code: &str, lang: Lang) -> String {
    Unit::parse_code(code)
        .map(|u| unit_name(u, lang))
        .unwrap_or_else(|| code.to_string())
}

fn unit_name(unit: Unit, lang: Lang) -> String {
    match unit {
        Unit::National => tr(lang, "Toàn quốc", "Whole country").into(),
        Unit::Province { province } => province_name(province.into()),
        Unit::Commune { province, commune } => format!(
            "{}, {}",
            commune_name(Some(province.into()), Some(commune.into()), Some("2025")),
            province_name(province.into())
        ),
    }
}

/// A period of months: `from` and `to` as `2026-01`.
pub(super) struct Period {
    from: String,
    to: String,
    months: Vec<String>,
}

fn period(q: &HashMap<String, String>) -> Period {
    let def = last_months(12);
    let from = q
        .get("from")
        .and_then(|s| parse_month(s))
        .unwrap_or_else(|| def[0].clone());
    let to = q
        .get("to")
        .and_then(|s| parse_month(s))
        .unwrap_or_else(|| def[def.len() - 1].clone());
    let (from, to) = if from <= to { (from, to) } else { (to, from) };
    let mut months = Vec::new();
    let (mut y, mut m): (i32, u32) = (
        from[..4].parse().unwrap_or(2025),
        from[5..].parse().unwrap_or(1),
    );
    loop {
        let s = format!("{y:04}-{m:02}");
        if s > to || months.len() > 240 {
            break;
        }
        months.push(s);
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    Period { from, to, months }
}

/// One chart's data: category code, category label, values per series.
struct Data {
    series: Vec<String>,
    rows: Vec<(String, String, Vec<i64>)>,
}

async fn data(
    state: &AppState,
    me: &CurrentOfficer,
    lang: Lang,
    chart: &str,
    p: &Period,
) -> Result<Data, ApiError> {
    let month = |metric: &'static str| {
        area_stats(
            state,
            me,
            Some(metric),
            PeriodKind::Month,
            Some(p.from.clone()),
            Some(p.to.clone()),
            false,
        )
    };
    Ok(match chart {
        "month" => {
            let opened = month("cases_opened").await?;
            let closed = month("cases_closed").await?;
            let sum = |rows: &[StatRow], m: &str| {
                rows.iter()
                    .filter(|r| r.period == m)
                    .map(|r| r.count)
                    .sum::<i64>()
            };
            Data {
                series: vec![label(lang, "cases_opened"), label(lang, "cases_closed")],
                rows: p
                    .months
                    .iter()
                    .map(|m| {
                        (
                            m.clone(),
                            month_label(m, lang),
                            vec![sum(&opened, m), sum(&closed, m)],
                        )
                    })
                    .collect(),
            }
        }
        "commune" => {
            let rows = area_stats(
                state,
                me,
                Some("cases_opened"),
                PeriodKind::Month,
                Some(p.from.clone()),
                Some(p.to.clone()),
                true,
            )
            .await?;
            let mut by: BTreeMap<(i64, Option<i64>, Option<String>), i64> = BTreeMap::new();
            for r in rows {
                *by.entry((r.province, r.commune, r.structure.clone()))
                    .or_default() += r.count;
            }
            let mut v: Vec<(String, String, Vec<i64>)> = by
                .into_iter()
                .map(|((p, c, s), n)| {
                    let name = commune_name(Some(p), c, s.as_deref());
                    let name = if s.as_deref() == Some("pre2025") {
                        format!("{name} ({})", tr(lang, "trước 2025", "before 2025"))
                    } else {
                        name
                    };
                    (
                        format!("{p}:{}", c.map(|c| c.to_string()).unwrap_or_default()),
                        format!("{name}, {}", province_name(p)),
                        vec![n],
                    )
                })
                .collect();
            v.sort_by(|a, b| b.2[0].cmp(&a.2[0]).then(a.1.cmp(&b.1)));
            Data {
                series: vec![label(lang, "cases_opened")],
                rows: v,
            }
        }
        "harm" => {
            let rows = month("opened_by_harm").await?;
            Data {
                series: vec![label(lang, "opened_by_harm")],
                rows: HarmType::codes()
                    .iter()
                    .map(|h| {
                        let n = rows.iter().filter(|r| r.key == *h).map(|r| r.count).sum();
                        (h.to_string(), label(lang, h), vec![n])
                    })
                    .collect(),
            }
        }
        _ => {
            let rows = area_stats(
                state,
                me,
                Some("children_group"),
                PeriodKind::Now,
                None,
                None,
                false,
            )
            .await?;
            Data {
                series: vec![label(lang, "children_group")],
                rows: hoso_domain::child::CircumstanceGroup::ALL
                    .iter()
                    .map(|g| {
                        let n = rows
                            .iter()
                            .filter(|r| r.key == g.code())
                            .map(|r| r.count)
                            .sum();
                        (g.code().to_string(), group_label(lang, g.code()), vec![n])
                    })
                    .collect(),
            }
        }
    })
}

const CHARTS: [&str; 4] = ["month", "commune", "harm", "group"];

fn chart_title(lang: Lang, chart: &str) -> &'static str {
    match chart {
        "month" => tr(
            lang,
            "Hồ sơ tiếp nhận và kết thúc theo tháng",
            "Cases opened and closed per month",
        ),
        "commune" => tr(
            lang,
            "Hồ sơ tiếp nhận theo xã/phường",
            "Cases opened per commune",
        ),
        "harm" => tr(
            lang,
            "Hồ sơ tiếp nhận theo hình thức xâm hại",
            "Cases opened by harm type",
        ),
        _ => tr(
            lang,
            "Trẻ em theo nhóm hoàn cảnh đặc biệt (hiện tại)",
            "Children by special-circumstance group (now)",
        ),
    }
}

fn first_header(lang: Lang, chart: &str) -> &'static str {
    match chart {
        "month" => tr(lang, "Tháng", "Month"),
        "commune" => tr(lang, "Xã/phường", "Commune"),
        "harm" => tr(lang, "Hình thức xâm hại", "Harm type"),
        _ => tr(lang, "Nhóm", "Group"),
    }
}

pub async fn page(
    State(state): State<AppState>,
    o: Officer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match inner(&state, &o, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&o, e),
    }
}

async fn inner(
    state: &AppState,
    o: &Officer,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let lang = o.ctx.lang;
    hoso_service::refresh(state.svc.ledger(), Projection::Statistics)
        .await
        .map_err(hoso_service::Error::from)?;
    let p = period(q);
    let mut sections = String::new();
    for chart in CHARTS {
        let d = data(state, &o.me, lang, chart, &p).await?;
        let graphic = if chart == "month" {
            column_chart(
                chart_title(lang, chart),
                &d.rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
                &d.series
                    .iter()
                    .enumerate()
                    .map(|(i, s)| Series {
                        name: s.clone(),
                        class: if i == 0 { "s0" } else { "s1" },
                        values: d.rows.iter().map(|r| r.2[i]).collect(),
                    })
                    .collect::<Vec<_>>(),
            )
        } else {
            let items: Vec<(String, i64)> = d
                .rows
                .iter()
                .filter(|r| chart != "commune" || r.2[0] > 0)
                .take(25)
                .map(|r| (r.1.clone(), r.2[0]))
                .collect();
            if items.is_empty() {
                format!("<p class=\"empty\">{}</p>", esc(&label(lang, "w.none")))
            } else {
                bar_list(&items, if chart == "group" { "s2" } else { "s0" })
            }
        };
        let mut headers = vec![first_header(lang, chart).to_string()];
        headers.extend(d.series.iter().cloned());
        let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut rows: Vec<Vec<String>> = d
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![esc(&r.1)];
                cells.extend(r.2.iter().map(|n| n.to_string()));
                cells
            })
            .collect();
        let mut total = vec![format!("<b>{}</b>", esc(&label(lang, "w.total")))];
        for i in 0..d.series.len() {
            total.push(format!(
                "<b>{}</b>",
                d.rows.iter().map(|r| r.2[i]).sum::<i64>()
            ));
        }
        rows.push(total);
        let csv_href = format!(
            "/stats.csv?chart={chart}&amp;from={}&amp;to={}",
            esc(&p.from),
            esc(&p.to)
        );
        sections.push_str(&format!(
            "<section class=\"card chart-card\" id=\"chart-{chart}\"><div class=\"title-row\"><h2>{}</h2>\
             <a class=\"button csv\" href=\"{csv_href}\" download>⬇ CSV</a></div>{graphic}\
             <details class=\"tbl\" open><summary>{}</summary>{}</details></section>",
            esc(chart_title(lang, chart)),
            tr(lang, "Bảng số liệu", "Table"),
            table(&hdr, &rows, "num"),
        ));
    }
    let body = format!(
        "<div class=\"title-row\"><h1>{}</h1><p class=\"muted\">{}: <b>{}</b></p></div>\
         <form method=\"get\" action=\"/stats\" class=\"filters card\">\
         <label>{}{}</label><label>{}{}</label>\
         <div class=\"actions\"><button class=\"primary\">{}</button> \
         <a class=\"button\" id=\"stats-xlsx\" href=\"{}\" download>⬇ Excel</a></div></form>\
         <div class=\"charts\">{sections}</div>",
        tr(lang, "Thống kê", "Statistics"),
        tr(lang, "Địa bàn", "Area"),
        esc(&area_name(&o.me, lang)),
        tr(lang, "Từ tháng", "From month"),
        inputs::input(
            lang,
            "from",
            "from",
            &month_text(&p.from),
            MONTH_PATTERN,
            ""
        ),
        tr(lang, "Đến tháng", "To month"),
        inputs::input(lang, "to", "to", &month_text(&p.to), MONTH_PATTERN, ""),
        tr(lang, "Xem", "Show"),
        esc(&format!(
            "/stats.xlsx?from={}&to={}",
            month_text(&p.from),
            month_text(&p.to)
        )),
    );
    Ok(html(
        &o.ctx,
        StatusCode::OK,
        layout(
            &o.ctx,
            Some(&o.me),
            "/stats",
            tr(lang, "Thống kê", "Statistics"),
            &body,
        ),
    ))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `GET /stats.csv?chart=month|commune|harm|group`: the table under a chart.
pub async fn csv(
    State(state): State<AppState>,
    o: Officer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = o.ctx.lang;
    let chart = q.get("chart").map(String::as_str).unwrap_or("month");
    if !CHARTS.contains(&chart) {
        return error_page(
            &o,
            ApiError::invalid("chart", "month, commune, harm or group"),
        );
    }
    let p = period(&q);
    let result = async {
        hoso_service::refresh(state.svc.ledger(), Projection::Statistics)
            .await
            .map_err(hoso_service::Error::from)?;
        data(&state, &o.me, lang, chart, &p).await
    }
    .await;
    let d = match result {
        Ok(d) => d,
        Err(e) => return error_page(&o, e),
    };
    let mut out = String::from("\u{feff}");
    let mut header = vec![
        tr(lang, "Mã", "Code").to_string(),
        first_header(lang, chart).to_string(),
    ];
    header.extend(d.series.iter().cloned());
    out.push_str(
        &header
            .iter()
            .map(|h| csv_field(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for (code, name, values) in &d.rows {
        let mut cells = vec![csv_field(code), csv_field(name)];
        cells.extend(values.iter().map(|v| v.to_string()));
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    let name = if chart == "group" {
        "hoso-thong-ke-group.csv".to_string()
    } else {
        format!("hoso-thong-ke-{chart}-{}-{}.csv", p.from, p.to)
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        out,
    )
        .into_response()
}

fn ym(s: &str) -> (i32, u32) {
    let (y, m) = s.split_once('-').unwrap_or(("2025", "1"));
    (y.parse().unwrap_or(2025), m.parse().unwrap_or(1))
}

/// The four tables of the statistics page as sheets: a title row with the
/// area and the period, typed cells, Vietnamese headers.
async fn sheets(
    state: &AppState,
    me: &CurrentOfficer,
    lang: Lang,
    p: &Period,
) -> Result<Vec<crate::xlsx::Sheet>, ApiError> {
    use crate::xlsx::{period_title, Cell, Sheet};
    let area = area_name(me, lang);
    let exported = format!(
        "{}: hoso · {} {}",
        tr(lang, "Nguồn", "Source"),
        tr(lang, "xuất lúc", "exported"),
        crate::labels::when(hoso_service::now(), lang)
    );
    let mut out = Vec::new();
    for chart in CHARTS {
        let d = data(state, me, lang, chart, p).await?;
        let title = if chart == "group" {
            format!(
                "{} — {area} — {}",
                chart_title(lang, chart),
                crate::labels::when(hoso_service::now(), lang)
            )
        } else {
            period_title(
                lang,
                chart_title(lang, chart),
                &area,
                ym(&p.from),
                ym(&p.to),
            )
        };
        let mut headers = vec![
            tr(lang, "Mã", "Code").to_string(),
            first_header(lang, chart).to_string(),
        ];
        headers.extend(d.series.iter().cloned());
        let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut s = Sheet::new(lang, first_header(lang, chart), &title, &hdr);
        s.notes.push(exported.clone());
        for (code, name, values) in &d.rows {
            let mut row = vec![Cell::text(code.clone()), Cell::text(name.clone())];
            row.extend(values.iter().map(|v| Cell::Int(*v)));
            s.rows.push(row);
        }
        let mut total = vec![Cell::Empty, Cell::text(label(lang, "w.total"))];
        for i in 0..d.series.len() {
            total.push(Cell::Int(d.rows.iter().map(|r| r.2[i]).sum()));
        }
        s.rows.push(total);
        out.push(s);
    }
    Ok(out)
}

/// `GET /stats.xlsx?from=01/2026&to=06/2026`: the statistics as a workbook.
pub async fn xlsx(
    State(state): State<AppState>,
    o: Officer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = o.ctx.lang;
    let p = period(&q);
    let result = async {
        hoso_service::refresh(state.svc.ledger(), Projection::Statistics)
            .await
            .map_err(hoso_service::Error::from)?;
        let sheets = sheets(&state, &o.me, lang, &p).await?;
        crate::xlsx::workbook_of(&sheets).map_err(|e| ApiError::internal(e.to_string()))
    }
    .await;
    match result {
        Ok(bytes) => xlsx_response(&format!("hoso-thong-ke-{}-{}.xlsx", p.from, p.to), bytes),
        Err(e) => error_page(&o, e),
    }
}

/// A workbook as a download.
pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}
