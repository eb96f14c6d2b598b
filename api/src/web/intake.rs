//! Tiếp nhận thông tin (step 1, Mẫu số 01) on a page of its own, since it
//! opens a new case: for the child of an existing record (registration comes
//! first, with its duplicate check), the commune where it happened (a Hotline
//! 111 operator records for any commune: a province switch brings its
//! communes), source, reporter (none: anonymous), what happened, harm types,
//! when the report was received. The form becomes the API's `Intake` JSON
//! and goes through `hoso_service::cases::intake`, as `POST /api/v1/cases`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hoso_domain::case::{CaseActionKind, Intake, IntakeSource};
use hoso_domain::child::Child;
use hoso_domain::common::{Code, HarmType, Role, Unit};
use hoso_service::idempotency::{self, Outcome};
use hoso_service::{cases, children, now, Error};

use super::cases::opt;
use super::children::{commune_options, form_province, own_commune, province_switch, COMMUNES};
use super::fields::{self, errors_box, f, parse_form, Draw, Field, Kind, Options, Values};
use super::html::{esc, local_input};
use super::inputs::date_text;
use super::words::{say, say_problem, Said};
use super::{error_page, html, layout, tr, Officer};
use crate::http::error::ApiError;
use crate::http::idempotency::encode;
use crate::http::json::parse_json;
use crate::http::AppState;

const OFFICERS: &str = "officers";

const INTAKE: &[Field] = &[
    f("child_id", Kind::Hidden { number: false }, true),
    f("date_of_birth", Kind::Date, true),
    f("commune.structure", Kind::Hidden { number: false }, true),
    f("commune.province", Kind::Hidden { number: true }, true),
    f(
        "commune.commune",
        Kind::Pick {
            options: COMMUNES,
            number: true,
        },
        true,
    ),
    f("source", Kind::Choice(IntakeSource::codes), true),
    f("source_description", Kind::Text, false),
    f("reporter.name", Kind::Text, false),
    f("reporter.phone", Kind::Text, false),
    f("reporter.relation", Kind::Text, false),
    f("description", Kind::Area, true),
    f("harm_types", Kind::Multi(HarmType::codes), true),
    f("received_at", Kind::DateTime, true),
    f(
        "responsible_worker",
        Kind::Pick {
            options: OFFICERS,
            number: false,
        },
        false,
    ),
];

/// The child an intake is for, as far as this officer may see it.
struct ForChild {
    id: String,
    /// `None`: the record is outside the officer's area (a likely duplicate
    /// of a neighbouring commune they chose to use).
    child: Option<Child>,
}

async fn for_child(state: &AppState, o: &Officer, id: &str) -> Option<ForChild> {
    if id.is_empty() || hoso_service::ids::check("child_id", id).is_err() {
        return None;
    }
    let child = children::visible_child(&state.svc, &o.me, id).await.ok();
    Some(ForChild {
        id: id.to_string(),
        child,
    })
}

async fn workers(state: &AppState, o: &Officer) -> Vec<(String, String)> {
    let Unit::Commune { .. } = o.me.actor.unit else {
        return Vec::new();
    };
    // The choice is optional: without the list the intake is still recorded.
    hoso_service::staff::commune_workers(&state.svc, &o.me.actor.unit)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, name)| {
            let shown = format!("{name} ({id})");
            (id, shown)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn intake_page(
    o: &Officer,
    who: Option<&ForChild>,
    province: u32,
    values: &Values,
    failed: Option<&Said>,
    officers: Vec<(String, String)>,
) -> String {
    let lang = o.ctx.lang;
    let title = tr(lang, "Tiếp nhận thông tin", "Record an intake");
    let Some(who) = who else {
        let body = format!(
            "<h1>{title}</h1><section class=\"card\"><p>{}</p>\
             <form method=\"get\" action=\"/cases/new\" class=\"filters\">\
             <label>{}<input name=\"child\" required size=\"18\"></label>\
             <div class=\"actions\"><button type=\"submit\" class=\"primary\">{}</button></div></form>\
             <p><a class=\"button\" href=\"/children/new\">{}</a></p></section>",
            tr(
                lang,
                "Một hồ sơ mở cho một trẻ em đã được đăng ký. Nhập mã trẻ em, hoặc đăng ký trẻ em trước (hệ thống kiểm tra trẻ em đã có hồ sơ hay chưa).",
                "A case is opened for a registered child. Enter the child id, or register the child first (hoso checks whether the child is already registered)."
            ),
            tr(lang, "Mã trẻ em", "Child id"),
            tr(lang, "Tiếp tục", "Continue"),
            tr(lang, "Đăng ký trẻ em mới", "Register a new child"),
        );
        return layout(&o.ctx, Some(&o.me), "/cases", title, &body);
    };
    let mut defaults: HashMap<&'static str, String> = HashMap::new();
    defaults.insert("child_id", who.id.clone());
    defaults.insert("commune.structure", "2025".into());
    defaults.insert("received_at", local_input(now()));
    if o.me.role() == Role::HotlineOperator {
        defaults.insert("source", IntakeSource::Hotline111.as_str().into());
    }
    let child_commune = who.child.as_ref().and_then(|c| c.commune());
    let commune = own_commune(o).or_else(|| {
        child_commune
            .filter(|c| c.province == province)
            .map(|c| c.commune)
    });
    if let Some(c) = commune {
        defaults.insert("commune.commune", c.to_string());
    }
    if let Some(d) = who.child.as_ref().and_then(|c| c.date_of_birth) {
        defaults.insert("date_of_birth", date_text(d));
    }
    let mut values = values.clone();
    values.insert("commune.province".into(), vec![province.to_string()]);
    values.insert("child_id".into(), vec![who.id.clone()]);
    let mut options: Options = HashMap::new();
    options.insert(COMMUNES, commune_options(province));
    let has_workers = !officers.is_empty();
    options.insert(OFFICERS, officers);
    let bad: Vec<String> = failed
        .map(|s| s.fields.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let draw = Draw {
        lang,
        id: "intake",
        values: &values,
        defaults: &defaults,
        options: &options,
        bad: &bad,
    };
    let inputs: String = INTAKE
        .iter()
        .filter(|fl| fl.name != "responsible_worker" || has_workers)
        .map(|fl| fields::render(&draw, fl))
        .collect();
    let child = match &who.child {
        Some(c) => format!(
            "<p>{}: <b>{}</b> <small class=\"muted mono\">{}</small></p>",
            tr(lang, "Trẻ em", "Child"),
            esc(&c.full_name),
            esc(&who.id)
        ),
        None => format!(
            "<p>{}: <span class=\"mono\">{}</span></p>",
            tr(lang, "Mã trẻ em", "Child id"),
            esc(&who.id)
        ),
    };
    let errors = failed.map(|s| errors_box(lang, s)).unwrap_or_default();
    let switch = if o.me.role() == Role::HotlineOperator || own_commune(o).is_none() {
        province_switch(lang, "/cases/new", province, &[("child", who.id.clone())])
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{title}</h1>{child}{switch}{errors}\
         <form method=\"post\" action=\"/cases/new\" class=\"card\" id=\"intake-form\">\
         <input type=\"hidden\" name=\"form_key\" value=\"{}\"><div class=\"grid-form\">{inputs}</div>\
         <p class=\"muted\">{}</p>\
         <div class=\"actions\"><button type=\"submit\" class=\"primary\">{}</button></div></form>",
        uuid::Uuid::new_v4(),
        tr(
            lang,
            "Để trống họ tên người báo tin nếu người báo tin không muốn nêu tên (báo tin nặc danh). Thời hạn theo luật được tính từ thời điểm tiếp nhận.",
            "Leave the reporter's name empty for an anonymous report. The legal deadlines count from the time received."
        ),
        tr(lang, "Ghi nhận tiếp nhận thông tin", "Record the intake"),
    );
    layout(&o.ctx, Some(&o.me), "/cases", title, &body)
}

/// `GET /cases/new?child=ID[&province=P]`.
pub async fn new_page(
    State(state): State<AppState>,
    o: Officer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !CaseActionKind::RecordIntake
        .allowed_roles()
        .contains(&o.me.role())
    {
        return error_page(
            &o,
            ApiError::Service(Error::Forbidden(format!(
                "a {} may not record an intake",
                o.me.role().as_str()
            ))),
        );
    }
    let who = for_child(&state, &o, &opt(&q, "child").unwrap_or_default()).await;
    let child_province = who
        .as_ref()
        .and_then(|w| w.child.as_ref())
        .and_then(|c| c.commune())
        .and_then(|c| hoso_domain::places::rolled_up_province(&c));
    let asked = opt(&q, "province").and_then(|p| p.parse().ok());
    let province = form_province(&o, asked.or(child_province));
    let officers = workers(&state, &o).await;
    html(
        &o.ctx,
        StatusCode::OK,
        intake_page(&o, who.as_ref(), province, &Values::new(), None, officers),
    )
}

/// `POST /cases/new`: the API's `Intake`, through `cases::intake`.
pub async fn record(State(state): State<AppState>, o: Officer, body: Bytes) -> Response {
    let values = parse_form(&body);
    let who = for_child(&state, &o, &fields::first(&values, "child_id")).await;
    let province = form_province(&o, fields::first(&values, "commune.province").parse().ok());
    let officers = workers(&state, &o).await;
    let show = |status: StatusCode, said: &Said| {
        html(
            &o.ctx,
            status,
            intake_page(
                &o,
                who.as_ref(),
                province,
                &values,
                Some(said),
                officers.clone(),
            ),
        )
    };
    let parsed = fields::to_json(None, INTAKE, &values)
        .map_err(|errors| {
            ApiError::Service(Error::Invalid {
                detail: String::new(),
                errors,
            })
        })
        .and_then(|json| {
            serde_json::to_vec(&json)
                .map_err(|e| ApiError::internal(e.to_string()))
                .and_then(|b| parse_json::<Intake>(&b))
        });
    let intake = match parsed {
        Ok(i) => i,
        Err(e) => return show(e.status(), &say(o.ctx.lang, &e)),
    };
    let key = values
        .get("form_key")
        .and_then(|v| v.first())
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .map(|k| format!("web-intake:{k}"));
    let outcome = async {
        let fp = idempotency::fingerprint("web POST /cases/new", &intake)?;
        idempotency::once(&state.svc, &o.me, key.as_deref(), &fp, encode, || async {
            let r = cases::intake(&state.svc, &o.me, intake).await?;
            idempotency::Answer::new(201, &serde_json::json!({ "case_id": r.case_id }))
        })
        .await
    }
    .await;
    match outcome {
        Ok(Outcome::Fresh(Ok(a)) | Outcome::Replayed(a)) if a.status < 300 => {
            let id = a.body["case_id"].as_str().unwrap_or("").to_string();
            Redirect::to(&format!("/cases/{}?done=record_intake#timeline", esc(&id)))
                .into_response()
        }
        Ok(Outcome::Replayed(a)) => {
            let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            show(status, &say_problem(o.ctx.lang, &a.body))
        }
        Ok(Outcome::Fresh(Ok(a))) => show(
            StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &say_problem(o.ctx.lang, &a.body),
        ),
        Ok(Outcome::Fresh(Err(e))) | Err(e) => {
            let e = ApiError::Service(e);
            if e.is_internal() {
                return error_page(&o, e);
            }
            show(e.status(), &say(o.ctx.lang, &e))
        }
    }
}
