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

fn commune_label(c: &CommuneRef) -> String {
    places::label(c)
}

/// The registration page: the form, and the likely duplicates to decide about.
#[allow(clippy::too_many_arguments)]
fn registration_page(
    o: &Officer,
    province: u32,
    values: &Values,
    failed: Option<&Said>,
    candidates: &[Likely],
) -> String {
    let lang = o.ctx.lang;
    let mut defaults: HashMap<&'static str, String> = HashMap::new();
    defaults.insert("address.commune.structure", "2025".into());
    defaults.insert("address.commune.province", province.to_string());
    defaults.insert("ethnicity", "Kinh".into());
    defaults.insert("household_status", "normal".into());
    if let Some(c) = own_commune(o) {
        defaults.insert("address.commune.commune", c.to_string());
    }
    let mut options: Options = HashMap::new();
    options.insert(COMMUNES, commune_options(province));
    let bad: Vec<String> = failed
        .map(|s| s.fields.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    // A failed submission keeps its province.
    let mut values = values.clone();
    values.insert(
        "address.commune.province".into(),
        vec![province.to_string()],
    );
    let draw = Draw {
        lang,
        id: "register",
        values: &values,
        defaults: &defaults,
        options: &options,
        bad: &bad,
    };
    let inputs: String = REGISTRATION
        .iter()
        .map(|fl| fields::render(&draw, fl))
        .collect();
    let errors = failed.map(|s| errors_box(lang, s)).unwrap_or_default();
    let found = if candidates.is_empty() {
        String::new()
    } else {
        let rows: Vec<Vec<String>> = candidates
            .iter()
            .map(|l| {
                vec![
                    format!(
                        "<b>{}</b><br><small class=\"muted mono\">{}</small>",
                        esc(&l.full_name),
                        esc(&l.child_id)
                    ),
                    esc(&date_text(l.date_of_birth)),
                    esc(&commune_label(&l.commune)),
                    esc(&why(lang, &l.found)),
                    format!(
                        "<a class=\"button\" href=\"/cases/new?child={}\">{}</a>",
                        esc(&l.child_id),
                        tr(lang, "Dùng hồ sơ này", "Use this record")
                    ),
                ]
            })
            .collect();
        let distinct: String = candidates
            .iter()
            .map(|l| {
                format!(
                    "<input type=\"hidden\" name=\"distinct_from\" value=\"{}\">",
                    esc(&l.child_id)
                )
            })
            .collect();
        format!(
            "<section class=\"card warnbox\" id=\"candidates\"><h2>{}</h2><p>{}</p>{}\
             <p>{}</p>{distinct}<div class=\"actions\"><button type=\"submit\" name=\"confirm_new\" value=\"1\" class=\"primary\">{}</button></div></section>",
            tr(lang, "Có thể trẻ em này đã có hồ sơ", "This child may already be registered"),
            tr(
                lang,
                "Các hồ sơ dưới đây có họ tên gần giống, ngày sinh gần nhau, cùng xã hoặc xã lân cận. Hãy kiểm tra: nếu là cùng một trẻ em, dùng hồ sơ đã có.",
                "The records below have a similar name, a close date of birth and the same or a neighbouring commune. Check them: if it is the same child, use the existing record."
            ),
            table(
                &[
                    &label(lang, "h.child"),
                    tr(lang, "Ngày sinh", "Date of birth"),
                    tr(lang, "Xã, phường", "Commune"),
                    tr(lang, "Giống nhau ở", "Alike in"),
                    "",
                ],
                &rows,
                "candidates"
            ),
            tr(
                lang,
                "Nếu đã kiểm tra và đây là một trẻ em khác, xác nhận để lập hồ sơ mới; việc xác nhận được ghi vào hồ sơ mới.",
                "If you checked and this is another child, confirm to register a new record; the confirmation is recorded on it."
            ),
            tr(lang, "Xác nhận là trẻ em khác và đăng ký", "Confirm another child and register"),
        )
    };
    let body = format!(
        "<h1>{}</h1>{}{errors}\
         <form method=\"post\" action=\"/children/new\" class=\"card\" id=\"register-form\">\
         <input type=\"hidden\" name=\"form_key\" value=\"{}\"><div class=\"grid-form\">{inputs}</div>{found}\
         <div class=\"actions\"><button type=\"submit\" class=\"primary\" name=\"check\" value=\"1\">{}</button></div></form>",
        tr(lang, "Đăng ký trẻ em", "Register a child"),
        province_switch(lang, "/children/new", province, &[]),
        uuid::Uuid::new_v4(),
        tr(lang, "Kiểm tra và đăng ký", "Check and register"),
    );
    layout(
        &o.ctx,
        Some(&o.me),
        "/cases",
        tr(lang, "Đăng ký trẻ em", "Register a child"),
        &body,
    )
}

/// `GET /children/new[?province=P]`.
pub async fn new_page(o: Officer, Query(q): Query<HashMap<String, String>>) -> Response {
    let province = form_province(&o, opt(&q, "province").and_then(|p| p.parse().ok()));
    html(
        &o.ctx,
        StatusCode::OK,
        registration_page(&o, province, &Values::new(), None, &[]),
    )
}

/// `POST /children/new`: the API's `Registration`, checked for duplicates.
pub async fn register(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    body: Bytes,
) -> Response {
    let values = parse_form(&body);
    let province = form_province(
        &o,
        fields::first(&values, "address.commune.province")
            .parse()
            .ok(),
    );
    let show = |status: StatusCode, failed: Option<&Said>, found: &[Likely]| {
        html(
            &o.ctx,
            status,
            registration_page(&o, province, &values, failed, found),
        )
    };
    let parsed = fields::to_json(None, REGISTRATION, &values)
        .map_err(|errors| {
            ApiError::Service(Error::Invalid {
                detail: String::new(),
                errors,
            })
        })
        .and_then(|json| {
            serde_json::to_vec(&json)
                .map_err(|e| ApiError::internal(e.to_string()))
                .and_then(|b| parse_json::<Registration>(&b))
        });
    let reg = match parsed {
        Ok(r) => r,
        Err(e) => return show(e.status(), Some(&say(o.ctx.lang, &e)), &[]),
    };
    let decision = if fields::first(&values, "confirm_new") == "1" {
        Decision::NewChild {
            distinct_from: values.get("distinct_from").cloned().unwrap_or_default(),
        }
    } else {
        Decision::Check
    };
    let key = values
        .get("form_key")
        .and_then(|v| v.first())
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .map(|k| format!("web-register:{k}"));
    let mut found: Vec<Likely> = Vec::new();
    let outcome = async {
        let fp =
            idempotency::fingerprint("web POST /children/new", &(&reg, &decision_key(&decision)))?;
        idempotency::once(&state.svc, &o.me, key.as_deref(), &fp, encode, || async {
            match duplicates::register(&state.svc, &o.me, &ctx, reg, decision).await? {
                Registered::Child(id) => {
                    idempotency::Answer::new(201, &serde_json::json!({ "child_id": id }))
                }
                Registered::Candidates(list) => {
                    found = list;
                    idempotency::Answer::new(200, &serde_json::json!({ "candidates": true }))
                }
            }
        })
        .await
    }
    .await;
    match outcome {
        Ok(Outcome::Fresh(Ok(a)) | Outcome::Replayed(a)) if a.status == 201 => {
            let id = a.body["child_id"].as_str().unwrap_or("").to_string();
            Redirect::to(&format!("/children/{}?done=1", esc(&id))).into_response()
        }
        Ok(Outcome::Fresh(Ok(_))) => show(StatusCode::OK, None, &found),
        Ok(Outcome::Replayed(a)) if a.status < 300 => Redirect::to("/children/new").into_response(),
        Ok(Outcome::Replayed(a)) => {
            let said = say_problem(o.ctx.lang, &a.body);
            let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            show(status, Some(&said), &[])
        }
        Ok(Outcome::Fresh(Err(e))) | Err(e) => {
            let e = ApiError::Service(e);
            if e.is_internal() {
                return error_page(&o, e);
            }
            show(e.status(), Some(&say(o.ctx.lang, &e)), &[])
        }
    }
}

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

/// `GET /children/duplicates`: the likely duplicates already registered.
pub async fn report(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let note = if opt(&q, "done").is_some() {
        format!(
            "<div class=\"success\" role=\"status\">✓ {}</div>",
            tr(
                o.ctx.lang,
                "Đã ghi nhận quyết định.",
                "The decision is recorded."
            )
        )
    } else {
        String::new()
    };
    render_report(&state, &o, &ctx, StatusCode::OK, note).await
}

async fn render_report(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    status: StatusCode,
    note: String,
) -> Response {
    let lang = o.ctx.lang;
    let pairs = match duplicates::report(&state.svc, &o.me, ctx).await {
        Ok(p) => p,
        Err(e) => return error_page(o, e.into()),
    };
    let person = |l: &Likely| {
        format!(
            "<b>{}</b><br>{}<br><small class=\"muted\">{} · <span class=\"mono\">{}</span></small>",
            esc(&l.full_name),
            esc(&date_text(l.date_of_birth)),
            esc(&commune_label(&l.commune)),
            esc(&l.child_id)
        )
    };
    let rows: Vec<Vec<String>> = pairs
        .iter()
        .map(|p| {
            let decide = format!(
                "<form method=\"post\" action=\"/children/duplicates\" class=\"stack decide\">\
                 <input type=\"hidden\" name=\"first\" value=\"{a}\"><input type=\"hidden\" name=\"second\" value=\"{b}\">\
                 <label>{}<input name=\"reason\" size=\"18\"></label>\
                 <div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"duplicate\">{}</button>\
                 <button type=\"submit\" name=\"decision\" value=\"distinct\">{}</button></div></form>",
                tr(lang, "Căn cứ", "Reason"),
                tr(lang, "Là một trẻ em (giữ hồ sơ thứ nhất)", "Same child (keep the first)"),
                tr(lang, "Là hai trẻ em khác nhau", "Two different children"),
                a = esc(&p.first.child_id),
                b = esc(&p.second.child_id),
            );
            vec![
                person(&p.first),
                person(&p.second),
                esc(&why(lang, &p.first.found)),
                decide,
            ]
        })
        .collect();
    let list = if rows.is_empty() {
        format!(
            "<p class=\"empty ok\">✓ {}</p>",
            tr(
                lang,
                "Không có hồ sơ nào có khả năng trùng.",
                "No likely duplicate."
            )
        )
    } else {
        table(
            &[
                tr(lang, "Hồ sơ thứ nhất", "First record"),
                tr(lang, "Hồ sơ thứ hai", "Second record"),
                tr(lang, "Giống nhau ở", "Alike in"),
                tr(lang, "Quyết định", "Decision"),
            ],
            &rows,
            "duplicates",
        )
    };
    let body = format!(
        "<div class=\"title-row\"><h1>{}</h1><p class=\"muted\">{}: <b>{}</b></p></div>{note}\
         <section class=\"card\"><p class=\"muted\">{}</p>{list}</section>",
        tr(lang, "Hồ sơ trẻ em có khả năng trùng", "Likely duplicate children"),
        tr(lang, "Số cặp", "Pairs"),
        pairs.len(),
        tr(
            lang,
            "Cặp hồ sơ có họ tên gần giống, ngày sinh lệch không quá 7 ngày, cùng xã hoặc xã lân cận. Mỗi quyết định được ghi vào hồ sơ trẻ em; cặp đã quyết định không hiện lại.",
            "Pairs with a similar name, dates of birth at most 7 days apart, the same or a neighbouring commune. Each decision is recorded on the child's record; decided pairs are not shown again."
        ),
    );
    html(
        &o.ctx,
        status,
        layout(
            &o.ctx,
            Some(&o.me),
            "/children/duplicates",
            tr(lang, "Hồ sơ trùng", "Duplicates"),
            &body,
        ),
    )
}

/// `POST /children/duplicates`: one decision about a pair.
pub async fn decide(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    body: Bytes,
) -> Response {
    let v = parse_form(&body);
    let first = fields::first(&v, "first");
    let second = fields::first(&v, "second");
    let reason = fields::first(&v, "reason");
    let (id, action) = match fields::first(&v, "decision").as_str() {
        "duplicate" => (
            second,
            ChildAction::MarkDuplicate(DuplicateMark {
                of_child_id: first,
                reason,
            }),
        ),
        _ => (
            first,
            ChildAction::ConfirmDistinct(DistinctConfirmation {
                other_child_id: second,
                note: reason,
            }),
        ),
    };
    match duplicates::decide(&state.svc, &o.me, &id, action).await {
        Ok(()) => Redirect::to("/children/duplicates?done=1").into_response(),
        Err(e) if matches!(e, Error::Internal(_) | Error::Unavailable(_)) => {
            error_page(&o, e.into())
        }
        Err(e) => {
            let e = ApiError::Service(e);
            let said = say(o.ctx.lang, &e);
            let note = format!(
                "<div class=\"errors\" role=\"alert\">{}</div>",
                esc(&said.detail)
            );
            render_report(&state, &o, &ctx, e.status(), note).await
        }
    }
}

/// Whether an officer's role opens the duplicate report.
pub fn sees_report(role: Role) -> bool {
    role == Role::ProvincialManager
}
