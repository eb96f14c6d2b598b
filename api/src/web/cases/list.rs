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

async fn list_inner(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let lang = o.ctx.lang;
    let num = |k: &str| opt(q, k).and_then(|v| v.parse::<u32>().ok());
    let page_no = opt(q, "page")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    // Codes that are not the domain's are dropped (a stale link), not refused.
    let status = opt(q, "status").filter(|s| CaseStatus::parse(s).is_some());
    let risk = opt(q, "risk").filter(|s| RiskLevel::parse_code(s).is_some());
    let harm = opt(q, "harm_type").filter(|s| HarmType::parse_code(s).is_some());
    let group = opt(q, "group").filter(|g| CircumstanceGroup::parse(g).is_some());
    let req = ListRequest {
        province: num("province"),
        commune: num("commune"),
        status: status.clone(),
        risk: risk.clone(),
        harm_type: harm.clone(),
        group: group.clone(),
        worker: opt(q, "worker"),
        overdue: opt(q, "overdue").is_some(),
        limit: Some(PAGE),
        offset: Some((page_no - 1) * PAGE),
    };
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
    let body = format!(
        "<h1>{}</h1>{filters}<p class=\"muted\">{}: <b>{}</b> · {}</p>{tbl}{pager}",
        tr(lang, "Danh sách hồ sơ", "Case list"),
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
