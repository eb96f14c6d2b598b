//! One case's page: the child, the state, the legal deadlines, the whole
//! timeline as it stood at any moment (the as-of picker), and the step forms.
//! Each section is its own function; the data comes from `hoso_service::cases`.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use hoso_domain::case::{Case, DeadlineKind};
use hoso_domain::child::Child;
use hoso_domain::common::{Code, Role};
use hoso_domain::places;
use hoso_projections::history::CaseAsOf;
use hoso_service::{cases, now};
use serde_json::Value;

use super::forms::{field_label, forms_html, Failed, FormData, COMMUNES, EVENTS, OFFICERS};
use super::{group_label, opt, risk_badge, status_badge};
use crate::forms::FormKind;
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::{label, Lang};
use crate::web::html::{esc, parse_local, table, when};
use crate::web::inputs::{self, DATETIME_PATTERN};
use crate::web::{error_page, html, layout, tr, Officer};

/// What the case page's address may say besides the moment.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// The step just recorded (`?done=record_fact_check`).
    pub done: Option<String>,
    /// The province whose communes the transfer form offers.
    pub transfer_province: Option<u32>,
}

mod summary;
mod timeline;

use summary::*;
use timeline::*;

fn dl(rows: &[(String, String)]) -> String {
    let mut out = String::from("<dl class=\"facts\">");
    for (k, v) in rows {
        out.push_str(&format!("<dt>{}</dt><dd>{v}</dd>", esc(k)));
    }
    out.push_str("</dl>");
    out
}

/// The whole case page as it stood at `as_of` (now when `None`), with the
/// step forms when it is now; reading it is logged like the API's reads.
pub(super) async fn render_case(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    id: &str,
    as_of: Option<DateTime<Utc>>,
    failed: Option<&Failed>,
    q: &CaseQuery,
) -> Result<String, ApiError> {
    let lang = o.ctx.lang;
    let c = cases::timeline(&state.svc, &o.me, ctx, id, as_of).await?;
    let s = &c.state;
    let moment = as_of.unwrap_or_else(now);
    let child = match cases::child_of_case(&state.svc, &o.me, id).await? {
        Some((cid, child)) => child_section(lang, &cid, &child, moment),
        None => String::new(),
    };
    let names = hoso_service::officers::names(
        &state.svc,
        c.timeline
            .iter()
            .filter_map(|e| e.meta.as_ref().map(|m| m.actor_id.clone())),
    )
    .await?;
    let done = q
        .done
        .as_deref()
        .and_then(hoso_domain::case::CaseActionKind::parse_code)
        .map(|k| {
            format!(
                "<div class=\"success\" role=\"status\">✓ {}: {}</div>",
                tr(lang, "Đã ghi nhận", "Recorded"),
                esc(&label(lang, k.event_type()))
            )
        })
        .unwrap_or_default();
    let forms = if as_of.is_none() {
        let data = form_data(state, lang, s, &c, q).await?;
        forms_html(lang, o, id, s, failed, &data)
    } else {
        String::new()
    };
    let documents = documents_section(lang, id, &c);
    let attachments = attachments_section(lang, id, s);
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
        "<div class=\"title-row\"><h1>{} <span class=\"mono\">{}</span></h1><div>{export}</div></div>{}{done}{}\
         <div class=\"cols\"><section class=\"card\"><h2>{}</h2>{child}</section>\
         <section class=\"card\"><h2>{}</h2>{}{}</section></div>\
         {documents}{attachments}{forms}{}",
        esc(&label(lang, "h.record")),
        esc(id),
        as_of_banner(lang, as_of),
        as_of_picker(lang, id, as_of),
        tr(lang, "Trẻ em", "Child"),
        tr(lang, "Tình trạng hồ sơ", "Case state"),
        dl(&state_rows(lang, s)),
        deadlines_section(lang, s, moment),
        timeline_section(lang, id, &c, &names),
    );
    Ok(layout(
        &o.ctx,
        Some(&o.me),
        "/cases",
        &format!("{} {id}", label(lang, "h.record")),
        &body,
    ))
}

/// The child as registered now (identity), with the groups on that date.
fn child_section(lang: Lang, child_id: &str, child: &Child, moment: DateTime<Utc>) -> String {
    let name = if child.erased {
        format!("<span class=\"muted\">{}</span>", super::erased(lang))
    } else {
        format!("<b>{}</b>", esc(&child.full_name))
    };
    let mut rows = vec![(
        label(lang, "h.child"),
        format!("{name} <small class=\"muted\">{}</small>", esc(child_id)),
    )];
    if let Some(d) = child.date_of_birth {
        rows.push((
            tr(lang, "Ngày sinh", "Date of birth").into(),
            esc(&date(d, lang)),
        ));
    }
    if let Some(sex) = child.sex {
        rows.push((
            tr(lang, "Giới tính", "Sex").into(),
            esc(&label(lang, sex.code())),
        ));
    }
    if !child.ethnicity.is_empty() {
        rows.push((
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
        rows.push((tr(lang, "Địa chỉ", "Address").into(), esc(&addr)));
    }
    rows.push((
        tr(lang, "Hộ gia đình", "Household").into(),
        esc(&label(lang, child.household_status.code())),
    ));
    let groups = child.groups_on(hoso_domain::calendar::local_date(moment));
    if !groups.is_empty() {
        rows.push((
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
    dl(&rows)
}

fn date(d: chrono::NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Vi => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// The case's state: step, risk, protection level, harm, source, place, worker.
fn state_rows(lang: Lang, s: &Case) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            label(lang, "h.status"),
            status_badge(lang, s.status.as_str()),
        ),
        (
            label(lang, "h.risk"),
            risk_badge(lang, s.overall_risk.map(|r| r.code())),
        ),
        (
            tr(lang, "Cấp độ bảo vệ", "Protection level").into(),
            esc(&s
                .protection_level
                .map(|p| label(lang, p.code()))
                .unwrap_or_else(|| "—".into())),
        ),
        (
            label(lang, "h.harm"),
            esc(&s
                .harm_types
                .iter()
                .map(|h| label(lang, h.code()))
                .collect::<Vec<_>>()
                .join(", ")),
        ),
        (
            tr(lang, "Nguồn tin", "Source").into(),
            esc(&s.source.map(|x| label(lang, x.code())).unwrap_or_default()),
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
        rows.push((label(lang, "w.closed"), esc(&when(t, lang))));
    }
    rows
}

/// The three legal deadlines: due, done, met or missed as of `moment`.
fn deadlines_section(lang: Lang, s: &Case, moment: DateTime<Utc>) -> String {
    let Some(d) = s.deadlines else {
        return String::new();
    };
    let missed = s.missed_deadlines(moment);
    let rows: Vec<Vec<String>> = [
        (DeadlineKind::Emergency, d.emergency),
        (DeadlineKind::Plan, d.plan),
        (DeadlineKind::Approval, d.approval),
    ]
    .into_iter()
    .map(|(k, due)| {
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
            esc(&label(lang, k.as_str())),
            esc(&when(due, lang)),
            esc(&done.map(|t| when(t, lang)).unwrap_or_else(|| "—".into())),
            flag,
        ]
    })
    .collect();
    format!(
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
    )
}

/// The forms an event is printed on (the form of its step), as the case
/// stood after it.
fn forms_of_event(event_type: &str, state: &Case) -> Vec<FormKind> {
    let kinds: &[FormKind] = match event_type {
        "IntakeRecorded" => &[FormKind::Intake01],
        "FactChecked" | "InitialRiskAssessed" | "EmergencyMeasuresOrdered" => {
            &[FormKind::InitialAssessment02]
        }
        "SpecificRiskAssessed" => &[FormKind::SpecificAssessment03, FormKind::Minutes],
        "PlanDrafted" | "PlanSentBack" => &[FormKind::Plan04],
        "PlanApproved" => &[FormKind::Plan04, FormKind::Approval05],
        "ReviewRecorded" => &[FormKind::Review06],
        _ => &[],
    };
    let available = crate::forms::available(state);
    kinds
        .iter()
        .copied()
        .filter(|k| available.contains(k))
        .collect()
}

/// The address of a form as the case stood at `as_of` (now when `None`).
pub fn form_href(case_id: &str, kind: FormKind, as_of: Option<DateTime<Utc>>) -> String {
    let base = format!("/cases/{}/forms/{}", esc(case_id), kind.code());
    match as_of {
        Some(t) => format!(
            "{base}?as_of={}",
            form_urlencoded::byte_serialize(
                t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                    .as_bytes()
            )
            .collect::<String>()
        ),
        None => base,
    }
}

fn form_link(lang: Lang, case_id: &str, kind: FormKind, as_of: Option<DateTime<Utc>>) -> String {
    format!(
        "<a class=\"form-link\" href=\"{}\" target=\"_blank\" rel=\"noopener\">{} {}</a>",
        form_href(case_id, kind, as_of),
        tr(lang, "In", "Print"),
        esc(&match lang {
            Lang::Vi => kind.number().to_string(),
            Lang::En => format!("{} ({})", kind.number(), kind.title_en()),
        })
    )
}

/// The official forms of the case as it stands at the page's moment.
fn documents_section(lang: Lang, case_id: &str, c: &CaseAsOf) -> String {
    let kinds = crate::forms::available(&c.state);
    if kinds.is_empty() {
        return String::new();
    }
    let items: String = kinds
        .iter()
        .map(|k| {
            format!(
                "<li>{} — {}</li>",
                form_link(lang, case_id, *k, c.as_of),
                esc(match lang {
                    Lang::Vi => k.title_vi(),
                    Lang::En => k.title_en(),
                })
            )
        })
        .collect();
    format!(
        "<section class=\"card\" id=\"documents\"><h2>{}</h2><p class=\"muted\">{}</p><ul class=\"forms\">{items}</ul></section>",
        tr(lang, "Biểu mẫu (Nghị định 56/2017/NĐ-CP)", "Official forms (Decree 56/2017)"),
        tr(
            lang,
            "Mở biểu mẫu rồi dùng chức năng In của trình duyệt (hoặc Lưu thành PDF), khổ A4. Mỗi bước trong diễn biến có biểu mẫu đúng như lúc ghi nhận.",
            "Open a form and use the browser's Print (or Save as PDF), A4. Each step in the timeline links its form as recorded then."
        ),
    )
}

/// The files attached to the case, with their SHA-256.
fn attachments_section(lang: Lang, case_id: &str, s: &Case) -> String {
    if s.attachments.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = s
        .attachments
        .iter()
        .map(|a| {
            vec![
                format!(
                    "<a href=\"/cases/{}/attachments/{}\">{}</a>",
                    esc(case_id),
                    esc(&a.sha256),
                    esc(&a.file_name)
                ),
                esc(&a.description),
                esc(&crate::web::attachments::size_text(a.size_bytes)),
                esc(&when(a.at, lang)),
                format!("<span class=\"mono wrap\">{}</span>", esc(&a.sha256)),
            ]
        })
        .collect();
    format!(
        "<section class=\"card\" id=\"attachments\"><h2>{}</h2>{}</section>",
        tr(lang, "Tài liệu đính kèm", "Attachments"),
        table(
            &[
                tr(lang, "Tệp", "File"),
                tr(lang, "Mô tả", "Description"),
                tr(lang, "Dung lượng", "Size"),
                tr(lang, "Ngày đính kèm", "Attached"),
                "SHA-256",
            ],
            &rows,
            "attachments"
        )
    )
}

/// Options and defaults of the step forms: the commune's officers (for a
/// reassignment), the communes of a province (for a transfer), the events
/// (for a correction).
async fn form_data(
    state: &AppState,
    lang: Lang,
    s: &Case,
    c: &CaseAsOf,
    q: &CaseQuery,
) -> Result<FormData, ApiError> {
    let event_label = |e: &hoso_projections::history::TimelineEntry| {
        format!(
            "{} · {} · {}",
            e.sequence,
            label(lang, &e.event_type),
            e.at.map(|t| when(t, lang)).unwrap_or_default()
        )
    };
    let mut data = FormData::default();
    let events: Vec<(String, String)> = c
        .timeline
        .iter()
        .map(|e| (e.sequence.to_string(), event_label(e)))
        .collect();
    data.options.insert(EVENTS, events);
    let case_province = s.commune.and_then(|r| places::rolled_up_province(&r));
    let province = q
        .transfer_province
        .filter(|p| places::current().province(*p).is_some())
        .or(case_province)
        .unwrap_or(1);
    data.transfer_province = province;
    let communes: Vec<(String, String)> = places::current()
        .province(province)
        .map(|p| {
            p.wards
                .iter()
                .map(|w| (w.code.to_string(), w.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    data.options.insert(COMMUNES, communes);
    let mut officers = Vec::new();
    if let Some(unit) = s.commune.and_then(|r| r.as_unit()) {
        for (id, name) in hoso_service::staff::commune_workers(&state.svc, &unit).await? {
            let shown = format!("{name} ({id})");
            officers.push((id, shown));
        }
    }
    data.options.insert(OFFICERS, officers);
    Ok(data)
}

/// The as-of picker: the case as it stood at a chosen moment (a text input,
/// `dd/mm/yyyy hh:mm[:ss]`, Vietnam time).
fn as_of_picker(lang: Lang, id: &str, as_of: Option<DateTime<Utc>>) -> String {
    format!(
        "<form method=\"get\" action=\"/cases/{}\" class=\"asof card\" id=\"asof\">\
         <label for=\"as_of\">{}</label>{}\
         <button type=\"submit\">{}</button>{}</form>",
        esc(id),
        esc(&label(lang, "w.as_of")),
        inputs::input(
            lang,
            "as_of",
            "as_of",
            &as_of.map(inputs::datetime_seconds_text).unwrap_or_default(),
            DATETIME_PATTERN,
            " required"
        ),
        tr(lang, "Xem", "Show"),
        if as_of.is_some() {
            format!(
                " <a href=\"/cases/{}\">{}</a>",
                esc(id),
                tr(lang, "Về hiện tại", "Back to now")
            )
        } else {
            String::new()
        }
    )
}

fn as_of_banner(lang: Lang, as_of: Option<DateTime<Utc>>) -> String {
    let Some(t) = as_of else {
        return String::new();
    };
    format!(
        "<div class=\"asof-banner\" id=\"asof-banner\">{} <b>{}</b> ({})</div>",
        esc(&label(lang, "w.as_of")),
        esc(&inputs::datetime_seconds_text(t)),
        tr(
            lang,
            "giờ Việt Nam; chỉ gồm các sự kiện đã ghi nhận đến lúc đó",
            "Vietnam time; only events recorded by then"
        )
    )
}

/// `GET /cases/{id}[?as_of=…]`.
pub async fn page(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = o.ctx.lang;
    let _ = lang;
    let as_of = match opt(&q, "as_of") {
        None => None,
        Some(t) => match parse_local(&t) {
            Some(t) => Some(t),
            None => {
                return error_page(&o, ApiError::invalid("as_of", "use dd/mm/yyyy hh:mm"));
            }
        },
    };
    let cq = CaseQuery {
        done: opt(&q, "done"),
        transfer_province: opt(&q, "transfer_province").and_then(|p| p.parse().ok()),
    };
    match render_case(&state, &o, &ctx, &id, as_of, None, &cq).await {
        Ok(p) => html(&o.ctx, StatusCode::OK, p),
        Err(e) => error_page(&o, e),
    }
}
