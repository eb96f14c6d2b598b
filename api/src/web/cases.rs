//! The case list (manager filters of SPEC.md) and one case's page: the child,
//! the state, the legal deadlines, the whole timeline as it stood at any moment
//! (the as-of picker), and forms for the steps the officer's role may record.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use hoso_domain::case::{Case, CaseAction, CaseCommand, CaseStatus, DeadlineKind};
use hoso_domain::child::{Child, CircumstanceGroup};
use hoso_domain::common::{Role, Unit};
use hoso_domain::places;
use hoso_projections::history::case_as_of;
use hoso_projections::read::{self, CaseFilter, CaseRow, Page};
use serde_json::{Map, Value};

use super::html::{esc, local_input, parse_local, select, table, when, when_text};
use super::{error_page, html, layout, tr, Officer};
use crate::http::access::{self, ReadContext};
use crate::http::auth::CurrentOfficer;
use crate::http::cases::visible_case;
use crate::http::error::{aggregate_error, case_error, ApiError};
use crate::http::json::parse_json;
use crate::http::{now, AppState};
use crate::labels::{label, Lang};

pub const STATUSES: [&str; 11] = [
    "received",
    "fact_checked",
    "initially_assessed",
    "specifically_assessed",
    "plan_drafted",
    "plan_sent_back",
    "plan_approved",
    "reviewed_stable",
    "needs_new_plan",
    "closed",
    "reopened",
];
pub const RISKS: [&str; 3] = ["high", "medium", "low"];
pub const HARMS: [&str; 7] = [
    "violence",
    "exploitation",
    "sexual_abuse",
    "trafficking",
    "abandonment",
    "neglect",
    "other",
];

/// The label of a special-circumstance group: `a · Trẻ em mồ côi…`.
pub fn group_label(lang: Lang, code: &str) -> String {
    match CircumstanceGroup::parse(code) {
        Some(g) => {
            let name = match lang {
                Lang::Vi => g.label_vi(),
                Lang::En => g.label_en(),
            };
            match g.legal_letter() {
                Some(l) => format!("{l} · {name}"),
                None => name.to_string(),
            }
        }
        None => code.to_string(),
    }
}

/// A commune's name (today's or a pre-2025 one), or its code.
pub fn commune_name(
    province: Option<i64>,
    commune: Option<i64>,
    structure: Option<&str>,
) -> String {
    let (Some(p), Some(c)) = (province, commune) else {
        return String::new();
    };
    if structure == Some("2025") {
        if let (Ok(p), Ok(c)) = (u32::try_from(p), u32::try_from(c)) {
            if let Some(w) = places::current()
                .province(p)
                .and_then(|pr| pr.wards.iter().find(|w| w.code == c))
            {
                return w.name.clone();
            }
        }
    }
    format!("{c}")
}

pub use crate::labels::province_name;

/// Narrows a case filter to the officer's area, as the API's case list does.
/// `None`: the filter asks for another area (nothing to show).
pub fn narrow(me: &CurrentOfficer, f: &mut CaseFilter) -> Option<bool> {
    match me.actor.unit {
        Unit::National => Some(false),
        Unit::Province { province } => {
            if f.province.is_some_and(|p| p != province) {
                return None;
            }
            f.province = Some(province);
            Some(false)
        }
        Unit::Commune { province, commune } => {
            if f.province.is_some_and(|p| p != province) || f.commune.is_some_and(|c| c != commune)
            {
                return None;
            }
            f.province = Some(province);
            f.commune = Some(commune);
            Some(true)
        }
    }
}

/// The case list of the officer's area (a commune officer: today's commune
/// only, not an old commune that had the same code).
pub async fn visible_cases(
    state: &AppState,
    me: &CurrentOfficer,
    mut f: CaseFilter,
) -> Result<Page<CaseRow>, ApiError> {
    let Some(commune_only) = narrow(me, &mut f) else {
        return Ok(Page {
            total: 0,
            items: Vec::new(),
        });
    };
    let mut page = read::list_cases(state.db(), &f, now()).await?;
    if commune_only {
        let before = page.items.len();
        page.items
            .retain(|r| r.structure.as_deref() == Some("2025"));
        page.total -= (before - page.items.len()) as i64;
    }
    Ok(page)
}

fn opt(q: &HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn status_badge(lang: Lang, status: &str) -> String {
    format!(
        "<span class=\"badge st-{}\">{}</span>",
        esc(status),
        esc(&label(lang, status))
    )
}

pub fn risk_badge(lang: Lang, risk: Option<&str>) -> String {
    match risk {
        Some(r) => format!(
            "<span class=\"badge risk-{}\">{}</span>",
            esc(r),
            esc(&label(lang, r))
        ),
        None => "<span class=\"muted\">—</span>".into(),
    }
}

/// Rows of the case table.
pub fn case_rows(lang: Lang, items: &[CaseRow]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|r| {
            let overdue = if r.overdue {
                format!(
                    "<span class=\"badge late\">⚠ {}</span>",
                    tr(lang, "Quá hạn", "Overdue")
                )
            } else {
                String::new()
            };
            let next = match (&r.next_deadline_kind, &r.next_deadline_at) {
                (Some(k), Some(t)) => format!(
                    "{}<br><small>{}</small>",
                    esc(&label(lang, k)),
                    esc(&when_text(Some(t), lang))
                ),
                _ => "<span class=\"muted\">—</span>".into(),
            };
            vec![
                format!("<a href=\"/cases/{0}\">{0}</a>", esc(&r.case_id)),
                esc(r.child_name.as_deref().unwrap_or("")),
                esc(&commune_name(r.province, r.commune, r.structure.as_deref())),
                status_badge(lang, &r.status),
                risk_badge(lang, r.overall_risk.as_deref()),
                esc(&r
                    .harm_types
                    .iter()
                    .map(|h| label(lang, h))
                    .collect::<Vec<_>>()
                    .join(", ")),
                esc(r.responsible_worker.as_deref().unwrap_or("")),
                format!("{next} {overdue}"),
            ]
        })
        .collect()
}

pub fn case_headers(lang: Lang) -> Vec<String> {
    [
        "h.case", "h.child", "h.place", "h.status", "h.risk", "h.harm", "h.worker", "h.next",
    ]
    .iter()
    .map(|h| label(lang, h))
    .collect()
}

const PAGE: i64 = 50;

/// `GET /cases`: the list with filters and paging, overdue first.
pub async fn list(
    State(state): State<AppState>,
    o: Officer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match list_inner(&state, &o, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&o, e),
    }
}

async fn list_inner(
    state: &AppState,
    o: &Officer,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let lang = o.ctx.lang;
    let num = |k: &str| opt(q, k).and_then(|v| v.parse::<u32>().ok());
    let page_no = opt(q, "page")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let status = opt(q, "status").filter(|s| CaseStatus::parse(s).is_some());
    let risk = opt(q, "risk").filter(|s| RISKS.contains(&s.as_str()));
    let harm = opt(q, "harm_type").filter(|s| HARMS.contains(&s.as_str()));
    let group = opt(q, "group").filter(|g| CircumstanceGroup::parse(g).is_some());
    let f = CaseFilter {
        province: num("province"),
        commune: num("commune"),
        status: status.clone(),
        risk: risk.clone(),
        harm_type: harm.clone(),
        group: group.clone(),
        worker: opt(q, "worker"),
        overdue: opt(q, "overdue").is_some(),
        limit: PAGE,
        offset: (page_no - 1) * PAGE,
    };
    crate::report::refresh(&state.app.ledger, hoso_projections::Projection::CaseView).await?;
    let page = visible_cases(state, &o.me, f.clone()).await?;

    // Filter form.
    let opts = |codes: &[&str]| -> Vec<(String, String)> {
        codes
            .iter()
            .map(|c| (c.to_string(), label(lang, c)))
            .collect()
    };
    let all = tr(lang, "Tất cả", "All");
    let mut place = String::new();
    match o.me.actor.unit {
        Unit::National => {
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
            if let Some(p) = f.province {
                place.push_str(&commune_select(lang, p, opt(q, "commune").as_deref()));
            }
        }
        Unit::Province { province } => {
            place.push_str(&commune_select(
                lang,
                province,
                opt(q, "commune").as_deref(),
            ));
        }
        Unit::Commune { .. } => {}
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
        select("status", &opts(&STATUSES), status.as_deref(), Some(all)),
        label(lang, "h.risk"),
        select("risk", &opts(&RISKS), risk.as_deref(), Some(all)),
        label(lang, "h.harm"),
        select("harm_type", &opts(&HARMS), harm.as_deref(), Some(all)),
        tr(lang, "Nhóm hoàn cảnh", "Group"),
        select("group", &groups, group.as_deref(), Some(all)),
        label(lang, "h.worker"),
        esc(&opt(q, "worker").unwrap_or_default()),
        if f.overdue { " checked" } else { "" },
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

// ---------------------------------------------------------------------------
// Forms

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Area,
    /// One item per line → a JSON array of strings.
    Lines,
    Bool,
    /// datetime-local, Vietnam time.
    DateTime,
    Date,
    Int,
    Choice(&'static [&'static str]),
    /// Checkboxes → a JSON array of codes.
    Multi(&'static [&'static str]),
}

struct Field {
    /// Path in the action's JSON: `factors.severity_of_harm`, `services.0.kind`.
    name: &'static str,
    kind: Kind,
    required: bool,
}

const fn f(name: &'static str, kind: Kind, required: bool) -> Field {
    Field {
        name,
        kind,
        required,
    }
}

struct FormSpec {
    /// The action's `type`.
    kind: &'static str,
    event: &'static str,
    /// Who may record it (the domain's `allowed_roles`; the aggregate checks again).
    roles: &'static [Role],
    fields: &'static [Field],
}

const LMH: &[&str] = &["high", "medium", "low"];
const LEVELS: &[&str] = &["prevention", "support", "intervention"];
const MEASURES: &[&str] = &[
    "temporary_separation",
    "safe_shelter",
    "temporary_alternative_care",
    "medical_care",
    "psychological_support",
    "other",
];
const SERVICES: &[&str] = &[
    "healthcare",
    "psychological",
    "legal_aid",
    "education",
    "alternative_care",
    "social_assistance",
    "family_support",
    "reintegration",
    "other",
];
const W: &[Role] = &[Role::CommuneWorker];
const WC: &[Role] = &[Role::CommuneWorker, Role::CommuneChairman];
const C: &[Role] = &[Role::CommuneChairman];

const FORMS: &[FormSpec] = &[
    FormSpec {
        kind: "record_fact_check",
        event: "FactChecked",
        roles: WC,
        fields: &[
            f("confirmed", Kind::Bool, true),
            f("findings", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: "assess_initial_risk",
        event: "InitialRiskAssessed",
        roles: W,
        fields: &[
            f("factors.severity_of_harm", Kind::Choice(LMH), true),
            f("factors.abuser_access", Kind::Choice(LMH), true),
            f(
                "factors.care_environment_obstacles",
                Kind::Choice(LMH),
                true,
            ),
            f("factors.child_capacity", Kind::Choice(LMH), true),
            f("overall", Kind::Choice(LMH), true),
            f("emergency_needed", Kind::Bool, true),
            f("protection_level", Kind::Choice(LEVELS), true),
            f("notes", Kind::Area, false),
        ],
    },
    FormSpec {
        kind: "order_emergency_measures",
        event: "EmergencyMeasuresOrdered",
        roles: C,
        fields: &[
            f("measures", Kind::Multi(MEASURES), true),
            f("details", Kind::Area, false),
            f("decision_ref", Kind::Text, true),
        ],
    },
    FormSpec {
        kind: "assess_specific_risk",
        event: "SpecificRiskAssessed",
        roles: W,
        fields: &[
            f("factors.severity_of_harm", Kind::Choice(LMH), true),
            f("factors.abuser_access", Kind::Choice(LMH), true),
            f(
                "factors.care_environment_obstacles",
                Kind::Choice(LMH),
                true,
            ),
            f("factors.child_capacity", Kind::Choice(LMH), true),
            f("overall", Kind::Choice(LMH), true),
            f("protection_level", Kind::Choice(LEVELS), true),
            f("needs", Kind::Lines, true),
            f("minutes.held_at", Kind::DateTime, true),
            f("minutes.participants", Kind::Lines, true),
            f("minutes.summary", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: "draft_plan",
        event: "PlanDrafted",
        roles: W,
        fields: &[
            f("objectives", Kind::Lines, true),
            f("services.0.kind", Kind::Choice(SERVICES), false),
            f("services.0.provider", Kind::Text, false),
            f("review_date", Kind::Date, true),
        ],
    },
    FormSpec {
        kind: "approve_plan",
        event: "PlanApproved",
        roles: C,
        fields: &[
            f("plan_version", Kind::Int, true),
            f("decision_ref", Kind::Text, true),
        ],
    },
    FormSpec {
        kind: "send_back_plan",
        event: "PlanSentBack",
        roles: C,
        fields: &[
            f("plan_version", Kind::Int, true),
            f("reason", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: "record_service",
        event: "ServiceRecorded",
        roles: W,
        fields: &[
            f("kind", Kind::Choice(SERVICES), true),
            f("provider", Kind::Text, true),
            f("delivered_at", Kind::DateTime, true),
            f("notes", Kind::Area, false),
        ],
    },
    FormSpec {
        kind: "record_review",
        event: "ReviewRecorded",
        roles: W,
        fields: &[
            f(
                "outcome",
                Kind::Choice(&["safe_and_stable", "needs_new_plan"]),
                true,
            ),
            f("participants", Kind::Lines, true),
            f("summary", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: "close_case",
        event: "CaseClosed",
        roles: C,
        fields: &[
            f(
                "reason",
                Kind::Choice(&["safe_and_stable", "unfounded", "child_turned_16", "other"]),
                true,
            ),
            f("decision_ref", Kind::Text, true),
            f("note", Kind::Area, false),
        ],
    },
    FormSpec {
        kind: "reopen_case",
        event: "CaseReopened",
        roles: C,
        fields: &[f("reason", Kind::Area, true)],
    },
    FormSpec {
        kind: "record_referral",
        event: "ReferralRecorded",
        roles: &[Role::CommuneWorker, Role::HotlineOperator],
        fields: &[
            f("direction", Kind::Choice(&["to", "from"]), true),
            f("agency", Kind::Text, true),
            f("reason", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: "add_note",
        event: "NoteAdded",
        roles: &[
            Role::Collaborator,
            Role::CommuneWorker,
            Role::CommuneChairman,
            Role::HotlineOperator,
        ],
        fields: &[
            f("kind", Kind::Choice(&["note", "follow_up_visit"]), true),
            f("text", Kind::Area, true),
        ],
    },
];

/// Field names people read.
fn field_label(lang: Lang, name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    let (vi, en) = match name {
        "services.0.kind" => ("Dịch vụ dự kiến", "Planned service"),
        "services.0.provider" => ("Đơn vị cung cấp dịch vụ", "Service provider"),
        "minutes.held_at" => ("Thời gian họp", "Meeting held at"),
        "minutes.participants" => (
            "Thành phần tham dự (mỗi dòng một người)",
            "Participants (one per line)",
        ),
        "minutes.summary" => ("Nội dung biên bản họp", "Minutes"),
        _ => match last {
            "confirmed" => ("Thông tin được xác thực?", "Confirmed?"),
            "factors" => ("Các yếu tố nguy cơ", "Risk factors"),
            "minutes" => ("Biên bản họp", "Meeting minutes"),
            "services" => ("Dịch vụ", "Services"),
            "findings" => ("Kết quả kiểm tra", "Findings"),
            "severity_of_harm" => ("Mức độ tổn hại", "Severity of harm"),
            "abuser_access" => ("Khả năng tiếp cận của người gây hại", "Abuser's access"),
            "care_environment_obstacles" => (
                "Trở ngại trong môi trường chăm sóc",
                "Care environment obstacles",
            ),
            "child_capacity" => ("Khả năng tự bảo vệ, phục hồi của trẻ", "Child's capacity"),
            "overall" => ("Mức nguy cơ chung", "Overall risk"),
            "emergency_needed" => ("Cần can thiệp khẩn cấp?", "Emergency needed?"),
            "protection_level" => ("Cấp độ bảo vệ", "Protection level"),
            "notes" | "note" => ("Ghi chú", "Notes"),
            "measures" => ("Biện pháp", "Measures"),
            "details" => ("Chi tiết", "Details"),
            "decision_ref" => ("Số quyết định", "Decision number"),
            "needs" => (
                "Nhu cầu của trẻ (mỗi dòng một nhu cầu)",
                "Needs (one per line)",
            ),
            "objectives" => (
                "Mục tiêu (mỗi dòng một mục tiêu)",
                "Objectives (one per line)",
            ),
            "review_date" => ("Ngày rà soát", "Review date"),
            "plan_version" => ("Phiên bản kế hoạch", "Plan version"),
            "reason" => ("Lý do", "Reason"),
            "kind" => ("Loại", "Kind"),
            "provider" => ("Đơn vị cung cấp", "Provider"),
            "delivered_at" => ("Thời gian cung cấp", "Delivered at"),
            "outcome" => ("Kết quả rà soát", "Outcome"),
            "participants" => (
                "Người tham gia (mỗi dòng một người)",
                "Participants (one per line)",
            ),
            "summary" => ("Tóm tắt", "Summary"),
            "direction" => ("Chiều chuyển gửi", "Direction"),
            "agency" => ("Cơ quan, tổ chức", "Agency"),
            "text" => ("Nội dung", "Text"),
            "description" => ("Mô tả", "Description"),
            "source" => ("Nguồn tin", "Source"),
            "harm_types" => ("Hình thức xâm hại", "Harm types"),
            "received_at" => ("Thời điểm tiếp nhận", "Received at"),
            "responsible_worker" => ("Cán bộ phụ trách", "Responsible worker"),
            "corrects_sequence" => ("Sự kiện được đính chính", "Corrected event"),
            "correction" => ("Nội dung đính chính", "Correction"),
            "to_officer" => ("Cán bộ mới", "New worker"),
            _ => return name.to_string(),
        },
    };
    tr(lang, vi, en).to_string()
}

/// The forms to offer first for a step, in order (the others are folded).
fn next_steps(case: &Case) -> &'static [&'static str] {
    use CaseStatus as S;
    match case.status {
        S::Received => &["record_fact_check"],
        S::FactChecked => &["assess_initial_risk"],
        S::InitiallyAssessed
            if case.emergency_needed == Some(true) && case.emergency_ordered_at.is_none() =>
        {
            &["order_emergency_measures", "assess_specific_risk"]
        }
        S::InitiallyAssessed => &["assess_specific_risk"],
        S::SpecificallyAssessed | S::PlanSentBack | S::NeedsNewPlan | S::Reopened => {
            &["draft_plan"]
        }
        S::PlanDrafted => &["approve_plan", "send_back_plan"],
        S::PlanApproved => &["record_service", "record_review"],
        S::ReviewedStable => &["close_case"],
        S::Closed => &["reopen_case"],
        _ => &[],
    }
}

/// Defaults that save typing (the plan version to approve, times now).
fn default_value(case: &Case, field: &Field) -> String {
    match field.kind {
        Kind::Int if field.name == "plan_version" => case.plan_version.to_string(),
        Kind::DateTime => local_input(now()),
        _ => String::new(),
    }
}

fn render_field(
    lang: Lang,
    spec: &FormSpec,
    field: &Field,
    values: &HashMap<String, Vec<String>>,
    case: &Case,
    bad: &[String],
) -> String {
    let id = format!("{}-{}", spec.kind, field.name.replace('.', "-"));
    let name = esc(field.name);
    let given = values.get(field.name);
    let first = given
        .and_then(|v| v.first().cloned())
        .unwrap_or_else(|| default_value(case, field));
    let req = if field.required { " required" } else { "" };
    let input = match field.kind {
        Kind::Text => format!(
            "<input id=\"{id}\" name=\"{name}\" value=\"{}\"{req}>",
            esc(&first)
        ),
        Kind::Area | Kind::Lines => format!(
            "<textarea id=\"{id}\" name=\"{name}\" rows=\"3\"{req}>{}</textarea>",
            esc(&first)
        ),
        Kind::Int => format!(
            "<input id=\"{id}\" name=\"{name}\" type=\"number\" min=\"0\" value=\"{}\"{req}>",
            esc(&first)
        ),
        Kind::DateTime => format!(
            "<input id=\"{id}\" name=\"{name}\" type=\"datetime-local\" value=\"{}\"{req}>",
            esc(&first)
        ),
        Kind::Date => format!(
            "<input id=\"{id}\" name=\"{name}\" type=\"date\" value=\"{}\"{req}>",
            esc(&first)
        ),
        Kind::Bool => {
            let opts = vec![
                ("true".to_string(), label(lang, "w.yes")),
                ("false".to_string(), label(lang, "w.no")),
            ];
            select_field(&id, field.name, &opts, &first, !field.required, lang)
        }
        Kind::Choice(codes) => {
            let opts: Vec<(String, String)> = codes
                .iter()
                .map(|c| (c.to_string(), label(lang, c)))
                .collect();
            select_field(&id, field.name, &opts, &first, !field.required, lang)
        }
        Kind::Multi(codes) => {
            let chosen: Vec<String> = given.cloned().unwrap_or_default();
            let boxes: String = codes
                .iter()
                .map(|c| {
                    let on = if chosen.iter().any(|x| x == c) { " checked" } else { "" };
                    format!(
                        "<label class=\"check\"><input type=\"checkbox\" name=\"{name}\" value=\"{}\"{on}> {}</label>",
                        esc(c),
                        esc(&label(lang, c))
                    )
                })
                .collect();
            format!("<div class=\"checks\">{boxes}</div>")
        }
    };
    let cls = if bad.iter().any(|b| {
        b == field.name
            || b.starts_with(&format!("{}.", field.name))
            || b.starts_with(&format!("{}[", field.name))
    }) {
        " class=\"bad\""
    } else {
        ""
    };
    if matches!(field.kind, Kind::Multi(_)) {
        format!(
            "<fieldset{cls}><legend>{}</legend>{input}</fieldset>",
            esc(&field_label(lang, field.name))
        )
    } else {
        format!(
            "<label for=\"{id}\"{cls}>{}{input}</label>",
            esc(&field_label(lang, field.name))
        )
    }
}

fn select_field(
    id: &str,
    name: &str,
    opts: &[(String, String)],
    chosen: &str,
    optional: bool,
    lang: Lang,
) -> String {
    let mut out = format!("<select id=\"{id}\" name=\"{}\">", esc(name));
    if optional || chosen.is_empty() {
        out.push_str(&format!(
            "<option value=\"\">{}</option>",
            tr(lang, "— chọn —", "— choose —")
        ));
    }
    for (v, l) in opts {
        let sel = if v == chosen { " selected" } else { "" };
        out.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            esc(v),
            esc(l)
        ));
    }
    out.push_str("</select>");
    out
}

/// A failed submission, shown again with the API's messages.
struct Failed {
    kind: String,
    values: HashMap<String, Vec<String>>,
    problem: Value,
}

fn forms_html(
    lang: Lang,
    o: &Officer,
    case_id: &str,
    case: &Case,
    failed: Option<&Failed>,
) -> String {
    let role = o.me.role();
    let mine: Vec<&FormSpec> = FORMS.iter().filter(|s| s.roles.contains(&role)).collect();
    if mine.is_empty() {
        return String::new();
    }
    let first = next_steps(case);
    let mut ordered: Vec<&FormSpec> = first
        .iter()
        .filter_map(|k| mine.iter().find(|s| s.kind == *k).copied())
        .collect();
    for s in &mine {
        if !ordered.iter().any(|x| x.kind == s.kind) {
            ordered.push(s);
        }
    }
    let empty = HashMap::new();
    let mut out = format!(
        "<section class=\"card\" id=\"forms\"><h2>{}</h2><p class=\"muted\">{}</p>",
        tr(lang, "Ghi nhận bước tiếp theo", "Record the next step"),
        tr(
            lang,
            "Mỗi lần ghi nhận là một sự kiện mới trong hồ sơ, mang tên và vai trò của bạn; không thể sửa hoặc xóa.",
            "Each entry is a new event on the case, in your name and role; it cannot be edited or removed."
        )
    );
    for s in ordered {
        let this_failed = failed.filter(|f| f.kind == s.kind);
        let open = this_failed.is_some() || (failed.is_none() && first.first() == Some(&s.kind));
        let values = this_failed.map(|f| &f.values).unwrap_or(&empty);
        let mut bad = Vec::new();
        let mut errors = String::new();
        if let Some(f) = this_failed {
            let detail = f.problem["detail"].as_str().unwrap_or("");
            let mut items = String::new();
            for e in f.problem["errors"].as_array().into_iter().flatten() {
                let field = e["field"].as_str().unwrap_or("");
                bad.push(field.to_string());
                items.push_str(&format!(
                    "<li><b>{}</b>: {}</li>",
                    esc(&field_label(lang, field)),
                    esc(e["message"].as_str().unwrap_or(""))
                ));
            }
            errors = if items.is_empty() {
                format!(
                    "<div class=\"errors\" role=\"alert\"><b>{}</b> {}</div>",
                    tr(lang, "Chưa ghi nhận được:", "Not recorded:"),
                    esc(detail)
                )
            } else {
                format!(
                    "<div class=\"errors\" role=\"alert\"><b>{}</b><ul>{items}</ul></div>",
                    tr(lang, "Chưa ghi nhận được:", "Not recorded:")
                )
            };
        }
        let fields: String = s
            .fields
            .iter()
            .map(|fl| render_field(lang, s, fl, values, case, &bad))
            .collect();
        out.push_str(&format!(
            "<details class=\"form\" id=\"form-{kind}\"{open}><summary>{}</summary>{errors}\
             <form method=\"post\" action=\"/cases/{}/act\" class=\"grid-form\">\
             <input type=\"hidden\" name=\"type\" value=\"{kind}\">\
             <input type=\"hidden\" name=\"form_key\" value=\"{form_key}\">{fields}\
             <div class=\"actions\"><button type=\"submit\" class=\"primary\">{}</button></div></form></details>",
            esc(&label(lang, s.event)),
            esc(case_id),
            tr(lang, "Ghi nhận", "Record"),
            kind = s.kind,
            form_key = uuid::Uuid::new_v4(),
            open = if open { " open" } else { "" },
        ));
    }
    out.push_str("</section>");
    out
}

/// Sets `path` (dotted, numeric segments are array indexes) in `root`.
fn put(root: &mut Value, path: &str, v: Value) {
    let mut cur = root;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        if let Ok(n) = seg.parse::<usize>() {
            if !cur.is_array() {
                *cur = Value::Array(Vec::new());
            }
            let arr = cur.as_array_mut().expect("array");
            while arr.len() <= n {
                arr.push(Value::Object(Map::new()));
            }
            if last {
                arr[n] = v;
                return;
            }
            cur = &mut arr[n];
        } else {
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            let obj = cur.as_object_mut().expect("object");
            if last {
                obj.insert(seg.to_string(), v);
                return;
            }
            cur = obj
                .entry(seg.to_string())
                .or_insert(Value::Object(Map::new()));
        }
    }
}

/// The action's JSON from the form: empty optional fields are left out, so
/// the API's own messages name what is missing.
fn action_json(spec: &FormSpec, values: &HashMap<String, Vec<String>>) -> Value {
    let mut root = serde_json::json!({"type": spec.kind});
    for field in spec.fields {
        let all = values.get(field.name).cloned().unwrap_or_default();
        let first = all
            .first()
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let v = match field.kind {
            Kind::Multi(_) => Some(Value::Array(all.into_iter().map(Value::String).collect())),
            Kind::Lines => {
                let items: Vec<Value> = first
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| Value::String(l.to_string()))
                    .collect();
                (!items.is_empty() || field.required).then_some(Value::Array(items))
            }
            _ if first.is_empty() => None,
            Kind::Bool => Some(Value::Bool(first == "true")),
            Kind::Int => Some(
                first
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or(Value::String(first)),
            ),
            Kind::DateTime => Some(Value::String(
                parse_local(&first).map(|t| t.to_rfc3339()).unwrap_or(first),
            )),
            _ => Some(Value::String(first)),
        };
        if let Some(v) = v {
            put(&mut root, field.name, v);
        }
    }
    // A planned service without its kind and provider is no service.
    if let Some(services) = root.get_mut("services").and_then(Value::as_array_mut) {
        services.retain(|s| s.as_object().is_some_and(|o| !o.is_empty()));
    }
    root
}

/// `POST /cases/{id}/act`: one step, through the same path as the API.
pub async fn act(
    State(state): State<AppState>,
    o: Officer,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(&body) {
        values
            .entry(k.into_owned())
            .or_default()
            .push(v.into_owned());
    }
    let kind = values
        .get("type")
        .and_then(|v| v.first().cloned())
        .unwrap_or_default();
    let Some(spec) = FORMS.iter().find(|s| s.kind == kind) else {
        return error_page(&o, ApiError::invalid("type", "unknown form"));
    };
    if let Err(e) = visible_case(&state, &o.me, &id).await {
        return error_page(&o, e);
    }
    // Each rendered form carries a fresh key: a second submission of the same
    // form (a double click, a reload) records nothing twice.
    let form_key = values
        .get("form_key")
        .and_then(|v| v.first())
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .map(|k| format!("web-form:{k}"));
    if let Some(key) = &form_key {
        let claimed = crate::http::db::exec(
            state.db(),
            "INSERT INTO idempotency (officer_id, key, request_hash, status, response, created_at) \
             VALUES (?, ?, ?, 200, '{}', ?) ON CONFLICT (officer_id, key) DO NOTHING",
            &[
                o.me.actor.officer_id.as_str().into(),
                key.as_str().into(),
                id.as_str().into(),
                crate::http::db::ts(now()).into(),
            ],
        )
        .await;
        match claimed {
            Ok(0) => return Redirect::to(&format!("/cases/{}#timeline", esc(&id))).into_response(),
            Ok(_) => {}
            Err(e) => return error_page(&o, e),
        }
    }
    let json = action_json(spec, &values);
    let result = async {
        let bytes = serde_json::to_vec(&json).map_err(|e| ApiError::Internal(e.to_string()))?;
        let action: CaseAction = parse_json(&bytes)?;
        let at = now();
        state
            .app
            .case(
                &id,
                CaseCommand {
                    actor: o.me.actor.clone(),
                    at,
                    action,
                },
                at,
            )
            .await
            .map_err(|e| aggregate_error(e, case_error))
    }
    .await;
    match result {
        Ok(()) => {
            Redirect::to(&format!("/cases/{}?done={kind}#timeline", esc(&id))).into_response()
        }
        Err(e) => {
            // Refused: the same form may be corrected and sent again.
            if let Some(key) = &form_key {
                let _ = crate::http::db::exec(
                    state.db(),
                    "DELETE FROM idempotency WHERE officer_id = ? AND key = ?",
                    &[o.me.actor.officer_id.as_str().into(), key.as_str().into()],
                )
                .await;
            }
            if let ApiError::Internal(e) = e {
                return error_page(&o, ApiError::Internal(e));
            }
            let (status, problem) = e.problem();
            let failed = Failed {
                kind,
                values,
                problem,
            };
            match render_case(&state, &o, &id, None, Some(&failed), None).await {
                Ok(page) => html(&o.ctx, status, page),
                Err(e) => error_page(&o, e),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The case page

/// A short account of an event's data: its plain fields, labelled.
fn summary(lang: Lang, payload: &str) -> String {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(payload) else {
        return String::new();
    };
    let mut parts = Vec::new();
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(label(lang, s)),
            Value::Bool(b) => Some(label(lang, if *b { "w.yes" } else { "w.no" })),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(a) => {
                let items: Vec<String> = a
                    .iter()
                    .filter_map(|x| match x {
                        Value::String(s) => Some(label(lang, s)),
                        Value::Object(o) => o
                            .get("kind")
                            .and_then(Value::as_str)
                            .map(|k| label(lang, k)),
                        _ => None,
                    })
                    .collect();
                (!items.is_empty()).then(|| items.join(", "))
            }
            _ => None,
        }
    };
    for (k, v) in &map {
        if matches!(
            k.as_str(),
            "type" | "at" | "child_id" | "date_of_birth" | "commune" | "deadlines" | "received_at"
        ) {
            continue;
        }
        if let Value::Object(inner) = v {
            for (k2, v2) in inner {
                if let Some(t) = text(v2) {
                    parts.push(format!(
                        "<span class=\"kv\"><i>{}:</i> {}</span>",
                        esc(field_label(lang, k2).trim_end_matches('?')),
                        esc(&clip(&t))
                    ));
                }
            }
            continue;
        }
        if let Some(t) = text(v) {
            if !t.is_empty() {
                parts.push(format!(
                    "<span class=\"kv\"><i>{}:</i> {}</span>",
                    esc(field_label(lang, k).trim_end_matches('?')),
                    esc(&clip(&t))
                ));
            }
        }
    }
    parts.join(" ")
}

fn clip(s: &str) -> String {
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s.to_string()
    }
}

fn dl(rows: &[(String, String)]) -> String {
    let mut out = String::from("<dl class=\"facts\">");
    for (k, v) in rows {
        out.push_str(&format!("<dt>{}</dt><dd>{v}</dd>", esc(k)));
    }
    out.push_str("</dl>");
    out
}

async fn render_case(
    state: &AppState,
    o: &Officer,
    id: &str,
    as_of: Option<DateTime<Utc>>,
    failed: Option<&Failed>,
    done: Option<&str>,
) -> Result<String, ApiError> {
    let lang = o.ctx.lang;
    let Some(c) = case_as_of(&state.app.ledger, id, as_of).await? else {
        return Err(ApiError::NotFound(
            tr(
                lang,
                "Chưa có sự kiện nào của hồ sơ này được ghi nhận vào thời điểm đó.",
                "No event of this case was recorded by then.",
            )
            .into(),
        ));
    };
    let s = &c.state;
    let moment = as_of.unwrap_or_else(now);
    // The child as registered now (identity), with groups on that date.
    let mut child_rows = Vec::new();
    if let Some(cid) = &s.child_id {
        let child: Child = state.app.load(cid).await?;
        if child.registered {
            child_rows.push((
                label(lang, "h.child"),
                format!(
                    "<b>{}</b> <small class=\"muted\">{}</small>",
                    esc(&child.full_name),
                    esc(cid)
                ),
            ));
            if let Some(d) = child.date_of_birth {
                let f = match lang {
                    Lang::Vi => d.format("%d/%m/%Y").to_string(),
                    Lang::En => d.format("%Y-%m-%d").to_string(),
                };
                child_rows.push((tr(lang, "Ngày sinh", "Date of birth").into(), esc(&f)));
            }
            if let Some(sex) = child.sex {
                let code = serde_json::to_value(sex)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                child_rows.push((
                    tr(lang, "Giới tính", "Sex").into(),
                    esc(&label(lang, &code)),
                ));
            }
            if !child.ethnicity.is_empty() {
                child_rows.push((
                    tr(lang, "Dân tộc", "Ethnicity").into(),
                    esc(&child.ethnicity),
                ));
            }
            if let Some(a) = &child.address {
                let place = places::label(&a.commune);
                let addr = if a.detail.is_empty() {
                    place
                } else {
                    format!("{}, {place}", a.detail)
                };
                child_rows.push((tr(lang, "Địa chỉ", "Address").into(), esc(&addr)));
            }
            let hh = serde_json::to_value(child.household_status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            child_rows.push((
                tr(lang, "Hộ gia đình", "Household").into(),
                esc(&label(lang, &hh)),
            ));
            let groups = child.groups_on(hoso_domain::calendar::local_date(moment));
            if !groups.is_empty() {
                child_rows.push((
                    tr(lang, "Hoàn cảnh đặc biệt", "Special circumstances").into(),
                    groups
                        .iter()
                        .map(|g| {
                            format!(
                                "<span class=\"tag\">{}</span>",
                                esc(&group_label(lang, g.code()))
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" "),
                ));
            }
        }
    }
    let code_of = |v: serde_json::Result<Value>| {
        v.ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let mut state_rows = vec![
        (
            label(lang, "h.status"),
            status_badge(lang, s.status.as_str()),
        ),
        (
            label(lang, "h.risk"),
            risk_badge(
                lang,
                s.overall_risk
                    .map(|r| code_of(serde_json::to_value(r)))
                    .as_deref(),
            ),
        ),
        (
            tr(lang, "Cấp độ bảo vệ", "Protection level").into(),
            esc(&s
                .protection_level
                .map(|p| label(lang, &code_of(serde_json::to_value(p))))
                .unwrap_or_else(|| "—".into())),
        ),
        (
            label(lang, "h.harm"),
            esc(&s
                .harm_types
                .iter()
                .map(|h| label(lang, &code_of(serde_json::to_value(h))))
                .collect::<Vec<_>>()
                .join(", ")),
        ),
        (
            tr(lang, "Nguồn tin", "Source").into(),
            esc(&s
                .source
                .map(|x| label(lang, &code_of(serde_json::to_value(x))))
                .unwrap_or_default()),
        ),
        (
            label(lang, "h.place"),
            esc(&s.commune.map(|r| places::label(&r)).unwrap_or_default()),
        ),
        (
            label(lang, "h.worker"),
            esc(s.responsible_worker.as_deref().unwrap_or("—")),
        ),
        (
            label(lang, "w.opened"),
            esc(&s.received_at.map(|t| when(t, lang)).unwrap_or_default()),
        ),
    ];
    if let Some(t) = s.closed_at {
        state_rows.push((label(lang, "w.closed"), esc(&when(t, lang))));
    }
    // Deadlines.
    let mut deadlines = String::new();
    if let Some(d) = s.deadlines {
        let missed = s.missed_deadlines(moment);
        let rows: Vec<Vec<String>> = [
            (DeadlineKind::Emergency, "emergency", d.emergency),
            (DeadlineKind::Plan, "plan", d.plan),
            (DeadlineKind::Approval, "approval", d.approval),
        ]
        .into_iter()
        .map(|(k, name, due)| {
            let done = s.deadline_done_at(k);
            let flag = if missed.contains(&k) {
                format!(
                    "<span class=\"badge late\">⚠ {}</span>",
                    esc(&label(lang, "w.missed"))
                )
            } else if done.is_some() {
                format!(
                    "<span class=\"badge ok\">✓ {}</span>",
                    esc(&label(lang, "met"))
                )
            } else {
                String::new()
            };
            vec![
                esc(&label(lang, name)),
                esc(&when(due, lang)),
                esc(&done.map(|t| when(t, lang)).unwrap_or_else(|| "—".into())),
                flag,
            ]
        })
        .collect();
        deadlines = format!(
            "<h3>{}</h3>{}",
            esc(&label(lang, "w.deadlines")),
            table(
                &[
                    tr(lang, "Thời hạn", "Deadline"),
                    tr(lang, "Hạn chót", "Due"),
                    tr(lang, "Đã thực hiện", "Done"),
                    "",
                ],
                &rows,
                "deadlines"
            )
        );
    }
    // Timeline: who by name, as registered now.
    let mut names: HashMap<String, String> = HashMap::new();
    for e in &c.timeline {
        if let Some(m) = &e.meta {
            if !names.contains_key(&m.actor_id) {
                let off: hoso_domain::officer::Officer = state.app.load(&m.actor_id).await?;
                names.insert(m.actor_id.clone(), off.full_name);
            }
        }
    }
    let who = |id: &str| match names.get(id).filter(|n| !n.is_empty()) {
        Some(n) => format!("{}<br><small class=\"muted\">{}</small>", esc(n), esc(id)),
        None => esc(id),
    };
    let t_rows: Vec<Vec<String>> = c
        .timeline
        .iter()
        .map(|e| {
            let m = e.meta.as_ref();
            vec![
                e.sequence.to_string(),
                format!(
                    "{}<br><small class=\"muted\">{} {}</small>",
                    esc(&e.at.map(|t| when(t, lang)).unwrap_or_default()),
                    esc(&label(lang, "h.recorded")),
                    esc(&m.map(|m| when(m.recorded_at, lang)).unwrap_or_default())
                ),
                m.map(|m| who(&m.actor_id)).unwrap_or_default(),
                esc(&m.map(|m| label(lang, &m.role)).unwrap_or_default()),
                format!(
                    "<b>{}</b><div class=\"sum\">{}</div>",
                    esc(&label(lang, &e.event_type)),
                    summary(lang, &e.payload)
                ),
            ]
        })
        .collect();
    let t_headers = ["h.seq", "h.when", "h.who", "h.role", "h.what"].map(|h| label(lang, h));
    let t_hdr: Vec<&str> = t_headers.iter().map(String::as_str).collect();
    let later = if c.later_events > 0 {
        format!(
            "<p class=\"notice\">{} {}</p>",
            c.later_events,
            esc(&label(lang, "w.later"))
        )
    } else {
        String::new()
    };
    // As-of picker.
    let picker = format!(
        "<form method=\"get\" action=\"/cases/{}\" class=\"asof card\" id=\"asof\">\
         <label for=\"as_of\">{}</label>\
         <input type=\"datetime-local\" id=\"as_of\" name=\"as_of\" step=\"1\" value=\"{}\" required>\
         <button type=\"submit\">{}</button>{}</form>",
        esc(id),
        esc(&label(lang, "w.as_of")),
        esc(&as_of.map(|t| t.with_timezone(&super::html::vn()).format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_default()),
        tr(lang, "Xem", "Show"),
        if as_of.is_some() {
            format!(" <a href=\"/cases/{}\">{}</a>", esc(id), tr(lang, "Về hiện tại", "Back to now"))
        } else {
            String::new()
        }
    );
    let banner = match as_of {
        Some(t) => format!(
            "<div class=\"asof-banner\" id=\"asof-banner\">{} <b>{}</b> ({})</div>",
            esc(&label(lang, "w.as_of")),
            esc(&t
                .with_timezone(&super::html::vn())
                .format(match lang {
                    Lang::Vi => "%d/%m/%Y %H:%M:%S",
                    Lang::En => "%Y-%m-%d %H:%M:%S",
                })
                .to_string()),
            tr(
                lang,
                "giờ Việt Nam; chỉ gồm các sự kiện đã ghi nhận đến lúc đó",
                "Vietnam time; only events recorded by then"
            )
        ),
        None => String::new(),
    };
    let done = done
        .and_then(|k| FORMS.iter().find(|f| f.kind == k))
        .map(|f| {
            format!(
                "<div class=\"success\" role=\"status\">✓ {}: {}</div>",
                tr(lang, "Đã ghi nhận", "Recorded"),
                esc(&label(lang, f.event))
            )
        })
        .unwrap_or_default();
    let forms = if as_of.is_none() {
        forms_html(lang, o, id, s, failed)
    } else {
        String::new()
    };
    let export = if matches!(o.me.role(), Role::Inspector | Role::Admin) {
        format!(
            " <a class=\"button\" href=\"/integrity/export?case={}\">{}</a>",
            esc(id),
            tr(lang, "Tải gói xuất dữ liệu", "Download export bundle")
        )
    } else {
        String::new()
    };
    let body = format!(
        "<div class=\"title-row\"><h1>{} <span class=\"mono\">{}</span></h1><div>{export}</div></div>{banner}{done}{picker}\
         <div class=\"cols\"><section class=\"card\"><h2>{}</h2>{}</section>\
         <section class=\"card\"><h2>{}</h2>{}{deadlines}</section></div>\
         {forms}\
         <section class=\"card\" id=\"timeline\"><h2>{} <small class=\"muted\">({} {})</small></h2>{}{later}</section>",
        esc(&label(lang, "h.record")),
        esc(id),
        tr(lang, "Trẻ em", "Child"),
        dl(&child_rows),
        tr(lang, "Tình trạng hồ sơ", "Case state"),
        dl(&state_rows),
        esc(&label(lang, "w.timeline")),
        c.timeline.len(),
        tr(lang, "sự kiện", "events"),
        table(&t_hdr, &t_rows, "timeline"),
    );
    Ok(layout(
        &o.ctx,
        Some(&o.me),
        "/cases",
        &format!("{} {id}", label(lang, "h.record")),
        &body,
    ))
}

/// `GET /cases/{id}[?as_of=…]`: recorded in the access log like the API's reads.
pub async fn page(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = o.ctx.lang;
    let as_of = match opt(&q, "as_of") {
        None => None,
        Some(t) => match parse_local(&t) {
            Some(t) => Some(t),
            None => {
                return error_page(
                    &o,
                    ApiError::invalid(
                        "as_of",
                        tr(lang, "Thời điểm không hợp lệ.", "Not a valid time."),
                    ),
                )
            }
        },
    };
    let result = async {
        visible_case(&state, &o.me, &id).await?;
        let what = if as_of.is_some() {
            "case_as_of"
        } else {
            "case_view"
        };
        access::record(&state, &o.me, &ctx, "Case", &id, what).await?;
        render_case(&state, &o, &id, as_of, None, opt(&q, "done").as_deref()).await
    }
    .await;
    match result {
        Ok(p) => html(&o.ctx, StatusCode::OK, p),
        Err(e) => error_page(&o, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_the_api_json() {
        let spec = FORMS.iter().find(|s| s.kind == "draft_plan").unwrap();
        let mut v = HashMap::new();
        v.insert(
            "objectives".to_string(),
            vec!["Trẻ an toàn\n\nĐi học lại".to_string()],
        );
        v.insert(
            "services.0.kind".to_string(),
            vec!["psychological".to_string()],
        );
        v.insert(
            "services.0.provider".to_string(),
            vec!["Trung tâm CTXH".to_string()],
        );
        v.insert("review_date".to_string(), vec!["2026-04-01".to_string()]);
        let j = action_json(spec, &v);
        assert_eq!(
            j,
            serde_json::json!({"type": "draft_plan", "objectives": ["Trẻ an toàn", "Đi học lại"],
                "services": [{"kind": "psychological", "provider": "Trung tâm CTXH"}], "review_date": "2026-04-01"})
        );
        let a: CaseAction = parse_json(&serde_json::to_vec(&j).unwrap()).unwrap();
        assert!(matches!(a, CaseAction::DraftPlan(_)));
        // A missing field is named by the API's own message.
        let spec = FORMS
            .iter()
            .find(|s| s.kind == "record_fact_check")
            .unwrap();
        let j = action_json(spec, &HashMap::new());
        let e = parse_json::<CaseAction>(&serde_json::to_vec(&j).unwrap()).unwrap_err();
        assert!(e.to_string().contains("confirmed"), "{e}");
    }
}
