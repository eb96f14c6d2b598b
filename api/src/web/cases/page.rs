//! One case's page: the child, the state, the legal deadlines, the whole
//! timeline as it stood at any moment (the as-of picker), and the step forms.
//! Each section is its own function; the data comes from `hoso_service::cases`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use hoso_domain::case::{Case, DeadlineKind};
use hoso_domain::child::Child;
use hoso_domain::common::{Code, Role};
use hoso_domain::places;
use hoso_projections::history::{CaseAsOf, TimelineEntry};
use hoso_service::{cases, now};
use serde_json::Value;

use super::forms::{field_label, forms_html, Failed, FORMS};
use super::{group_label, opt, risk_badge, status_badge};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::{label, Lang};
use crate::web::html::{esc, parse_local, table, vn, when};
use crate::web::{error_page, html, layout, tr, Officer};

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

/// The whole case page as it stood at `as_of` (now when `None`), with the
/// step forms when it is now; reading it is logged like the API's reads.
pub(super) async fn render_case(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    id: &str,
    as_of: Option<DateTime<Utc>>,
    failed: Option<&Failed>,
    done: Option<&str>,
) -> Result<String, ApiError> {
    let lang = o.ctx.lang;
    let c = cases::timeline(&state.svc, &o.me, ctx, id, as_of).await?;
    let s = &c.state;
    let moment = as_of.unwrap_or_else(now);
    let child = match &s.child_id {
        Some(cid) => child_section(state, lang, cid, moment).await?,
        None => String::new(),
    };
    let names = actor_names(state, &c.timeline).await?;
    let done = done
        .and_then(|k| FORMS.iter().find(|f| f.kind.code() == k))
        .map(|f| {
            format!(
                "<div class=\"success\" role=\"status\">✓ {}: {}</div>",
                tr(lang, "Đã ghi nhận", "Recorded"),
                esc(&label(lang, f.kind.event_type()))
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
        "<div class=\"title-row\"><h1>{} <span class=\"mono\">{}</span></h1><div>{export}</div></div>{}{done}{}\
         <div class=\"cols\"><section class=\"card\"><h2>{}</h2>{child}</section>\
         <section class=\"card\"><h2>{}</h2>{}{}</section></div>\
         {forms}{}",
        esc(&label(lang, "h.record")),
        esc(id),
        as_of_banner(lang, as_of),
        as_of_picker(lang, id, as_of),
        tr(lang, "Trẻ em", "Child"),
        tr(lang, "Tình trạng hồ sơ", "Case state"),
        dl(&state_rows(lang, s)),
        deadlines_section(lang, s, moment),
        timeline_section(lang, &c, &names),
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
async fn child_section(
    state: &AppState,
    lang: Lang,
    child_id: &str,
    moment: DateTime<Utc>,
) -> Result<String, ApiError> {
    let child: Child = state
        .svc
        .app
        .load(child_id)
        .await
        .map_err(hoso_service::Error::from)?;
    if !child.registered {
        return Ok(String::new());
    }
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
    Ok(dl(&rows))
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

/// Who recorded the events, by name as registered now.
async fn actor_names(
    state: &AppState,
    timeline: &[TimelineEntry],
) -> Result<HashMap<String, String>, ApiError> {
    let mut names: HashMap<String, String> = HashMap::new();
    for e in timeline {
        if let Some(m) = &e.meta {
            if !names.contains_key(&m.actor_id) {
                let off: hoso_domain::officer::Officer = state
                    .svc
                    .app
                    .load(&m.actor_id)
                    .await
                    .map_err(hoso_service::Error::from)?;
                names.insert(m.actor_id.clone(), off.full_name);
            }
        }
    }
    Ok(names)
}

/// Every event up to the moment: when, who, in what role, what.
fn timeline_section(lang: Lang, c: &CaseAsOf, names: &HashMap<String, String>) -> String {
    let who = |id: &str| match names.get(id).filter(|n| !n.is_empty()) {
        Some(n) => format!("{}<br><small class=\"muted\">{}</small>", esc(n), esc(id)),
        None => esc(id),
    };
    let rows: Vec<Vec<String>> = c
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
    let headers = ["h.seq", "h.when", "h.who", "h.role", "h.what"].map(|h| label(lang, h));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let later = if c.later_events > 0 {
        format!(
            "<p class=\"notice\">{} {}</p>",
            c.later_events,
            esc(&label(lang, "w.later"))
        )
    } else {
        String::new()
    };
    format!(
        "<section class=\"card\" id=\"timeline\"><h2>{} <small class=\"muted\">({} {})</small></h2>{}{later}</section>",
        esc(&label(lang, "w.timeline")),
        c.timeline.len(),
        tr(lang, "sự kiện", "events"),
        table(&hdr, &rows, "timeline"),
    )
}

/// The as-of picker: the case as it stood at a chosen moment.
fn as_of_picker(lang: Lang, id: &str, as_of: Option<DateTime<Utc>>) -> String {
    format!(
        "<form method=\"get\" action=\"/cases/{}\" class=\"asof card\" id=\"asof\">\
         <label for=\"as_of\">{}</label>\
         <input type=\"datetime-local\" id=\"as_of\" name=\"as_of\" step=\"1\" value=\"{}\" required>\
         <button type=\"submit\">{}</button>{}</form>",
        esc(id),
        esc(&label(lang, "w.as_of")),
        esc(&as_of
            .map(|t| t.with_timezone(&vn()).format("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_default()),
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
        esc(&t
            .with_timezone(&vn())
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
    match render_case(
        &state,
        &o,
        &ctx,
        &id,
        as_of,
        None,
        opt(&q, "done").as_deref(),
    )
    .await
    {
        Ok(p) => html(&o.ctx, StatusCode::OK, p),
        Err(e) => error_page(&o, e),
    }
}
