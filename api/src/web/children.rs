//! Children on the pages: registration (lập hồ sơ trẻ em) with the
//! likely-duplicate check first (`hoso_service::duplicates::register`), the
//! child's record, and the report of likely duplicates already registered for
//! the provincial manager, who decides pair by pair. Forms become the API's
//! `Registration` / `ChildAction` JSON and go through the API's parser.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hoso_domain::child::duplicates::{Match, NameSimilarity, PlaceProximity};
use hoso_domain::child::{
    Child, ChildAction, DistinctConfirmation, DuplicateMark, HouseholdStatus, Registration, Sex,
};
use hoso_domain::common::{Code, CommuneRef, Role, Unit};
use hoso_domain::places;
use hoso_service::duplicates::{self, Decision, Likely, Registered};
use hoso_service::idempotency::{self, Outcome};
use hoso_service::{children, Error};

use super::cases::{group_label, opt};
use super::fields::{self, errors_box, f, parse_form, Draw, Field, Kind, Options, Values};
use super::html::{esc, table};
use super::inputs::date_text;
use super::words::{say, say_problem, Said};
use super::{error_page, html, layout, tr, Officer};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::idempotency::encode;
use crate::http::json::parse_json;
use crate::http::AppState;
use crate::labels::{label, Lang};

pub const COMMUNES: &str = "communes";

const REGISTRATION: &[Field] = &[
    f("full_name", Kind::Text, true),
    f("date_of_birth", Kind::Date, true),
    f("sex", Kind::Choice(Sex::codes), true),
    f("ethnicity", Kind::Text, true),
    f("personal_id", Kind::Text, false),
    f(
        "address.commune.structure",
        Kind::Hidden { number: false },
        true,
    ),
    f(
        "address.commune.province",
        Kind::Hidden { number: true },
        true,
    ),
    f(
        "address.commune.commune",
        Kind::Pick {
            options: COMMUNES,
            number: true,
        },
        true,
    ),
    f("address.detail", Kind::Text, false),
    f(
        "household_status",
        Kind::Choice(HouseholdStatus::codes),
        false,
    ),
];

/// The communes of a province, by name, as options.
pub fn commune_options(province: u32) -> Vec<(String, String)> {
    places::current()
        .province(province)
        .map(|p| {
            p.wards
                .iter()
                .map(|w| (w.code.to_string(), w.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The province a form's commune list shows: the one asked for, else the
/// officer's own, else Hà Nội.
pub fn form_province(o: &Officer, asked: Option<u32>) -> u32 {
    asked
        .filter(|p| places::current().province(*p).is_some())
        .or(o.me.actor.unit.province())
        .unwrap_or(1)
}

/// The officer's own commune, when they belong to one.
pub fn own_commune(o: &Officer) -> Option<u32> {
    match o.me.actor.unit {
        Unit::Commune { commune, .. } => Some(commune),
        _ => None,
    }
}

/// A GET form that reloads `action` with another province's communes
/// (`keep`: the query parameters to carry over).
pub fn province_switch(lang: Lang, action: &str, chosen: u32, keep: &[(&str, String)]) -> String {
    let provinces: String = places::current()
        .provinces
        .iter()
        .map(|p| {
            let sel = if p.code == chosen { " selected" } else { "" };
            format!(
                "<option value=\"{}\"{sel}>{}</option>",
                p.code,
                esc(&p.name)
            )
        })
        .collect();
    let hidden: String = keep
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    format!(
        "<form method=\"get\" action=\"{}\" class=\"filters card inline-form\" id=\"province-switch\">{hidden}\
         <label>{}<select name=\"province\">{provinces}</select></label>\
         <div class=\"actions\"><button type=\"submit\">{}</button></div></form>",
        esc(action),
        tr(lang, "Tỉnh, thành phố", "Province"),
        tr(lang, "Đổi tỉnh", "Change province"),
    )
}

/// Why two records look alike, in words.
pub fn why(lang: Lang, m: &Match) -> String {
    let name = match m.name {
        NameSimilarity::Exact => tr(lang, "trùng họ tên", "same name").to_string(),
        NameSimilarity::SameLetters => tr(
            lang,
            "cùng họ tên khi bỏ dấu",
            "same name without diacritics",
        )
        .to_string(),
        NameSimilarity::Reordered => tr(
            lang,
            "cùng các chữ của họ tên, khác thứ tự",
            "same words in another order",
        )
        .to_string(),
        NameSimilarity::Close { edits } => match lang {
            Lang::Vi => format!("họ tên gần giống (khác {edits} ký tự)"),
            Lang::En => format!("similar name ({edits} letters differ)"),
        },
    };
    let days = match (lang, m.birth_days_apart) {
        (Lang::Vi, 0) => "trùng ngày sinh".to_string(),
        (Lang::Vi, n) => format!("ngày sinh lệch {n} ngày"),
        (Lang::En, 0) => "same date of birth".to_string(),
        (Lang::En, n) => format!("dates of birth {n} days apart"),
    };
    let place = match m.place {
        PlaceProximity::SameCommune => tr(lang, "cùng xã, phường", "same commune"),
        PlaceProximity::SameDistrict => tr(
            lang,
            "cùng huyện (trước 2025)",
            "same district (before 2025)",
        ),
        PlaceProximity::SameProvince => tr(lang, "cùng tỉnh, thành phố", "same province"),
    };
    format!("{name}; {days}; {place}")
}

mod registration;
mod report;

pub use registration::*;
pub use report::*;

fn decision_key(d: &Decision) -> Vec<String> {
    match d {
        Decision::Check => Vec::new(),
        Decision::NewChild { distinct_from } => distinct_from.clone(),
    }
}

/// The child's record: identity, address, household, groups, decisions about
/// likely duplicates; the way to record an intake for the child.
fn child_body(lang: Lang, id: &str, c: &Child, done: bool, may_intake: bool) -> String {
    let mut rows: Vec<(String, String)> = vec![
        (
            tr(lang, "Họ và tên", "Full name").into(),
            format!("<b>{}</b>", esc(&c.full_name)),
        ),
        (
            tr(lang, "Mã trẻ em", "Child id").into(),
            format!("<span class=\"mono\">{}</span>", esc(id)),
        ),
    ];
    if let Some(d) = c.date_of_birth {
        rows.push((
            tr(lang, "Ngày sinh", "Date of birth").into(),
            esc(&date_text(d)),
        ));
    }
    if let Some(s) = c.sex {
        rows.push((
            tr(lang, "Giới tính", "Sex").into(),
            esc(&label(lang, s.code())),
        ));
    }
    rows.push((tr(lang, "Dân tộc", "Ethnicity").into(), esc(&c.ethnicity)));
    if let Some(p) = &c.personal_id {
        rows.push((
            tr(lang, "Số định danh cá nhân", "Personal id number").into(),
            esc(p),
        ));
    }
    if let Some(a) = &c.address {
        let place = places::label(&a.commune);
        let text = if a.detail.is_empty() {
            place
        } else {
            format!("{}, {place}", a.detail)
        };
        rows.push((tr(lang, "Địa chỉ", "Address").into(), esc(&text)));
    }
    rows.push((
        tr(lang, "Hộ gia đình", "Household").into(),
        esc(&label(lang, c.household_status.code())),
    ));
    let groups: Vec<String> = c
        .active_groups()
        .iter()
        .map(|g| {
            format!(
                "<span class=\"tag\">{}</span>",
                esc(&group_label(lang, g.code()))
            )
        })
        .collect();
    if !groups.is_empty() {
        rows.push((
            tr(lang, "Hoàn cảnh đặc biệt", "Special circumstances").into(),
            groups.join(" "),
        ));
    }
    if let Some(kept) = &c.duplicate_of {
        rows.push((
            tr(lang, "Trùng với hồ sơ", "Duplicate of").into(),
            format!("<a href=\"/children/{0}\">{0}</a>", esc(kept)),
        ));
    }
    if !c.distinct_from.is_empty() {
        rows.push((
            tr(lang, "Đã xác nhận khác với", "Confirmed distinct from").into(),
            esc(&c.distinct_from.join(", ")),
        ));
    }
    let facts: String = rows
        .iter()
        .map(|(k, v)| format!("<dt>{}</dt><dd>{v}</dd>", esc(k)))
        .collect();
    let done = if done {
        format!(
            "<div class=\"success\" role=\"status\">✓ {}</div>",
            tr(lang, "Đã đăng ký trẻ em.", "The child is registered.")
        )
    } else {
        String::new()
    };
    let intake = if may_intake {
        format!(
            "<p><a class=\"button primary\" id=\"new-intake\" href=\"/cases/new?child={}\">{}</a></p>",
            esc(id),
            tr(lang, "Tiếp nhận thông tin cho trẻ em này", "Record an intake for this child")
        )
    } else {
        String::new()
    };
    format!(
        "<h1>{}</h1>{done}<section class=\"card\"><dl class=\"facts\">{facts}</dl></section>{intake}",
        tr(lang, "Hồ sơ trẻ em", "Child record")
    )
}

/// `GET /children/{id}`.
pub async fn page(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = o.ctx.lang;
    match children::view(&state.svc, &o.me, &ctx, &id).await {
        Ok(c) => {
            let may = hoso_domain::case::CaseActionKind::RecordIntake
                .allowed_roles()
                .contains(&o.me.role());
            let body = child_body(lang, &id, &c, opt(&q, "done").is_some(), may);
            html(
                &o.ctx,
                StatusCode::OK,
                layout(
                    &o.ctx,
                    Some(&o.me),
                    "/cases",
                    tr(lang, "Hồ sơ trẻ em", "Child record"),
                    &body,
                ),
            )
        }
        Err(e) => error_page(&o, e.into()),
    }
}

/// Whether an officer's role opens the duplicate report.
pub fn sees_report(role: Role) -> bool {
    role == Role::ProvincialManager
}
