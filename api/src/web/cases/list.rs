//! The case list page: the manager filters of SPEC.md, the cases of the
//! officer's area (overdue first) and paging, from `hoso_service::cases`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hoso_domain::case::CaseStatus;
use hoso_domain::child::CircumstanceGroup;
use hoso_domain::common::{Code, HarmType, RiskLevel};
use hoso_domain::places;
use hoso_service::cases::{self, ListRequest};
use hoso_service::Area;

use super::{case_headers, case_rows, group_label, opt};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::{label, Lang};
use crate::web::html::{esc, select, table};
use crate::web::{error_page, html, layout, tr, Officer};

const PAGE: i64 = 50;

/// `GET /cases`: the list with filters and paging, overdue first.
pub async fn list(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match list_inner(&state, &o, &ctx, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&o, e),
    }
}

/// The list request of the page's filters. Codes that are not the domain's
/// are dropped (a stale link), not refused.
fn list_request(q: &HashMap<String, String>, limit: i64, offset: i64) -> ListRequest {
    let num = |k: &str| opt(q, k).and_then(|v| v.parse::<u32>().ok());
    ListRequest {
        province: num("province"),
        commune: num("commune"),
        status: opt(q, "status").filter(|s| CaseStatus::parse(s).is_some()),
        risk: opt(q, "risk").filter(|s| RiskLevel::parse_code(s).is_some()),
        harm_type: opt(q, "harm_type").filter(|s| HarmType::parse_code(s).is_some()),
        group: opt(q, "group").filter(|g| CircumstanceGroup::parse(g).is_some()),
        worker: opt(q, "worker"),
        overdue: opt(q, "overdue").is_some(),
        limit: Some(limit),
        offset: Some(offset),
    }
}

async fn list_inner(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let lang = o.ctx.lang;
    let page_no = opt(q, "page")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let req = list_request(q, PAGE, (page_no - 1) * PAGE);
    let (status, risk, harm, group) = (
        req.status.clone(),
        req.risk.clone(),
        req.harm_type.clone(),
        req.group.clone(),
    );
    let page = cases::list_fresh(&state.svc, &o.me, ctx, &req).await?;

    // Filter form.
    let opts = |codes: &[&str]| -> Vec<(String, String)> {
        codes
            .iter()
            .map(|c| (c.to_string(), label(lang, c)))
            .collect()
    };
    let all = tr(lang, "Tất cả", "All");
    let mut place = String::new();
    match o.me.area() {
        Area::Country => {
            let provinces: Vec<(String, String)> = places::current()
                .provinces
                .iter()
                .map(|p| (p.code.to_string(), p.name.clone()))
                .collect();
            place.push_str(&format!(
                "<label>{}{}</label>",
                label(lang, "h.province"),
                select(
                    "province",
                    &provinces,
                    opt(q, "province").as_deref(),
                    Some(all)
                )
            ));
            if let Some(p) = req.province {
                place.push_str(&commune_select(lang, p, opt(q, "commune").as_deref()));
            }
        }
        Area::Province(province) => {
            place.push_str(&commune_select(
                lang,
                province,
                opt(q, "commune").as_deref(),
            ));
        }
        Area::Commune { .. } => {}
    }
    let groups: Vec<(String, String)> = CircumstanceGroup::ALL
        .iter()
        .map(|g| (g.code().to_string(), group_label(lang, g.code())))
        .collect();
    let filters = format!(
        "<form method=\"get\" action=\"/cases\" class=\"filters card\">{place}\
         <label>{}{}</label><label>{}{}</label><label>{}{}</label><label>{}{}</label>\
         <label>{}<input name=\"worker\" value=\"{}\" size=\"10\"></label>\
         <label class=\"check\"><input type=\"checkbox\" name=\"overdue\" value=\"1\"{}> {}</label>\
         <div class=\"actions\"><button class=\"primary\">{}</button> <a href=\"/cases\">{}</a></div></form>",
        label(lang, "h.status"),
        select("status", &opts(&statuses()), status.as_deref(), Some(all)),
        label(lang, "h.risk"),
        select("risk", &opts(&RiskLevel::codes()), risk.as_deref(), Some(all)),
        label(lang, "h.harm"),
        select("harm_type", &opts(&HarmType::codes()), harm.as_deref(), Some(all)),
        tr(lang, "Nhóm hoàn cảnh", "Group"),
        select("group", &groups, group.as_deref(), Some(all)),
        label(lang, "h.worker"),
        esc(&opt(q, "worker").unwrap_or_default()),
        if req.overdue { " checked" } else { "" },
        tr(lang, "Chỉ hồ sơ quá hạn", "Overdue only"),
        tr(lang, "Lọc", "Filter"),
        tr(lang, "Bỏ lọc", "Clear"),
    );
    let headers = case_headers(lang);
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows = case_rows(lang, &page.items);
    let tbl = if rows.is_empty() {
        format!(
            "<p class=\"empty\">{}</p>",
            tr(lang, "Không có hồ sơ nào phù hợp.", "No matching case.")
        )
    } else {
        table(&hdr, &rows, "cases")
    };
    // Paging links keep the filters.
    let pages = (page.total + PAGE - 1) / PAGE;
    let link = |n: i64| {
        let mut pairs: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| *k != "page" && *k != "lang")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.sort();
        pairs.push(("page".into(), n.to_string()));
        format!(
            "/cases?{}",
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        )
    };
    let mut pager = String::new();
    if pages > 1 {
        pager.push_str("<nav class=\"pager\">");
        if page_no > 1 {
            pager.push_str(&format!(
                "<a href=\"{}\">‹ {}</a>",
                esc(&link(page_no - 1)),
                tr(lang, "Trước", "Previous")
            ));
        }
        pager.push_str(&format!(" <span>{page_no} / {pages}</span> "));
        if page_no < pages {
            pager.push_str(&format!(
                "<a href=\"{}\">{} ›</a>",
                esc(&link(page_no + 1)),
                tr(lang, "Sau", "Next")
            ));
        }
        pager.push_str("</nav>");
    }
    let xlsx_href = {
        let pairs: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| *k != "page" && *k != "lang")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        format!(
            "/cases.xlsx?{}",
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        )
    };
    let new_links = if hoso_domain::case::CaseActionKind::RecordIntake
        .allowed_roles()
        .contains(&o.me.role())
    {
        format!(
            "<a class=\"button primary\" id=\"new-case\" href=\"/cases/new\">{}</a> \
             <a class=\"button\" id=\"new-child\" href=\"/children/new\">{}</a> ",
            tr(lang, "Tiếp nhận thông tin mới", "New intake"),
            tr(lang, "Đăng ký trẻ em", "Register a child"),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<div class=\"title-row\"><h1>{}</h1><div>{new_links}<a class=\"button\" id=\"cases-xlsx\" href=\"{}\" download>⬇ Excel</a></div></div>\
         {filters}<p class=\"muted\">{}: <b>{}</b> · {}</p>{tbl}{pager}",
        tr(lang, "Danh sách hồ sơ", "Case list"),
        esc(&xlsx_href),
        label(lang, "w.total"),
        page.total,
        tr(
            lang,
            "hồ sơ quá hạn xếp trước, rồi theo hạn tiếp theo",
            "overdue first, then by next deadline"
        ),
    );
    Ok(html(
        &o.ctx,
        StatusCode::OK,
        layout(
            &o.ctx,
            Some(&o.me),
            "/cases",
            tr(lang, "Hồ sơ", "Cases"),
            &body,
        ),
    ))
}

fn commune_select(lang: Lang, province: u32, chosen: Option<&str>) -> String {
    let communes: Vec<(String, String)> = places::current()
        .province(province)
        .map(|p| {
            p.wards
                .iter()
                .map(|w| (w.code.to_string(), w.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "<label>{}{}</label>",
        tr(lang, "Xã/phường", "Commune"),
        select(
            "commune",
            &communes,
            chosen,
            Some(tr(lang, "Tất cả", "All"))
        )
    )
}

/// The steps a case can be in (not "not opened"), highest risk first elsewhere.
pub fn statuses() -> Vec<&'static str> {
    CaseStatus::ALL
        .iter()
        .filter(|s| **s != CaseStatus::NotOpened)
        .map(|s| s.as_str())
        .collect()
}

/// Most rows in one workbook.
const MAX_XLSX_ROWS: i64 = 20_000;

/// `GET /cases.xlsx?…`: the case list with the page's filters as a workbook.
pub async fn xlsx(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match xlsx_inner(&state, &o, &ctx, &q).await {
        Ok(bytes) => crate::web::stats::xlsx_response("hoso-danh-sach-ho-so.xlsx", bytes),
        Err(e) => error_page(&o, e),
    }
}

async fn xlsx_inner(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    q: &HashMap<String, String>,
) -> Result<Vec<u8>, ApiError> {
    use crate::xlsx::{Cell, Sheet};
    let lang = o.ctx.lang;
    let mut items = Vec::new();
    let mut offset = 0;
    loop {
        let req = list_request(q, cases::MAX_PAGE, offset);
        let page = if offset == 0 {
            cases::list_fresh(&state.svc, &o.me, ctx, &req).await?
        } else {
            cases::list(&state.svc, &o.me, ctx, &req).await?
        };
        let n = page.items.len() as i64;
        items.extend(page.items);
        offset += n;
        if n < cases::MAX_PAGE || offset >= page.total || offset >= MAX_XLSX_ROWS {
            break;
        }
    }
    let now = hoso_service::now();
    let title = format!(
        "{} — {} — {} {}",
        tr(lang, "Danh sách hồ sơ", "Case list"),
        crate::web::stats::area_name(&o.me, lang),
        tr(lang, "tại thời điểm", "as of"),
        crate::labels::when(now, lang)
    );
    let headers = [
        label(lang, "h.case"),
        label(lang, "h.child"),
        tr(lang, "Xã, phường", "Commune").to_string(),
        label(lang, "h.province"),
        label(lang, "h.status"),
        label(lang, "h.risk"),
        tr(lang, "Cấp độ bảo vệ", "Protection level").to_string(),
        label(lang, "h.harm"),
        tr(lang, "Nguồn tin", "Source").to_string(),
        label(lang, "h.worker"),
        label(lang, "w.opened"),
        label(lang, "w.closed"),
        label(lang, "h.next"),
        tr(lang, "Hạn chót", "Due").to_string(),
        label(lang, "h.overdue"),
        tr(lang, "Số sự kiện", "Events").to_string(),
    ];
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut s = Sheet::new(lang, tr(lang, "Hồ sơ", "Cases"), &title, &hdr);
    let filters: Vec<String> = [
        ("status", label(lang, "h.status")),
        ("risk", label(lang, "h.risk")),
        ("harm_type", label(lang, "h.harm")),
        ("group", tr(lang, "Nhóm hoàn cảnh", "Group").to_string()),
        ("worker", label(lang, "h.worker")),
    ]
    .iter()
    .filter_map(|(k, name)| {
        opt(q, k).map(|v| {
            let value = match *k {
                "group" => group_label(lang, &v),
                "worker" => v,
                _ => label(lang, &v),
            };
            format!("{name}: {value}")
        })
    })
    .collect();
    if !filters.is_empty() {
        s.notes.push(format!(
            "{}: {}",
            tr(lang, "Lọc theo", "Filtered by"),
            filters.join("; ")
        ));
    }
    if opt(q, "overdue").is_some() {
        s.notes
            .push(tr(lang, "Chỉ hồ sơ quá hạn", "Overdue only").to_string());
    }
    let t = |x: &Option<String>| {
        x.as_deref()
            .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
            .map(|v| Cell::DateTime(v.with_timezone(&chrono::Utc)))
            .unwrap_or(Cell::Empty)
    };
    for r in &items {
        s.rows.push(vec![
            Cell::text(r.case_id.clone()),
            Cell::text(r.child_name.clone().unwrap_or_default()),
            Cell::text(super::commune_name(
                r.province,
                r.commune,
                r.structure.as_deref(),
            )),
            Cell::text(
                r.province
                    .map(crate::labels::province_name)
                    .unwrap_or_default(),
            ),
            Cell::text(label(lang, &r.status)),
            Cell::opt(r.overall_risk.as_deref(), |x| Cell::text(label(lang, x))),
            Cell::opt(r.protection_level.as_deref(), |x| {
                Cell::text(label(lang, x))
            }),
            Cell::text(
                r.harm_types
                    .iter()
                    .map(|h| label(lang, h))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Cell::opt(r.source.as_deref(), |x| Cell::text(label(lang, x))),
            Cell::opt(r.responsible_worker.clone(), Cell::Text),
            t(&r.opened_at),
            t(&r.closed_at),
            Cell::opt(r.next_deadline_kind.as_deref(), |x| {
                Cell::text(label(lang, x))
            }),
            t(&r.next_deadline_at),
            Cell::Bool(r.overdue),
            Cell::Int(r.events),
        ]);
    }
    crate::xlsx::workbook(&s).map_err(|e| ApiError::internal(e.to_string()))
}
