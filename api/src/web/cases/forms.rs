//! The step forms of a case page: which steps the officer's role may record
//! (the domain's `allowed_roles`), their fields (`web::fields`), and how a
//! submitted form becomes the API's `CaseAction` JSON and goes through the
//! API's parser and the same service function (`hoso_service::cases::act`).
//! Word lists come from the domain's codes, so a form never offers a value the
//! domain does not know. Attachments have their own form (a file upload,
//! `web::attachments`).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hoso_domain::case::{
    Case, CaseAction, CaseActionKind, CaseRelation, CaseStatus, CloseReason, EmergencyMeasure,
    NoteKind, ReferralDirection, ReviewOutcome, ServiceKind,
};
use hoso_domain::common::{Code, ProtectionLevel, RiskLevel};
use hoso_service::idempotency::{self, Outcome};
use hoso_service::{cases, now, Error};

use super::page::{render_case, CaseQuery};
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::idempotency::encode;
use crate::http::json::parse_json;
use crate::http::AppState;
use crate::labels::{label, Lang};
use crate::web::fields::{self, errors_box, f, parse_form, Draw, Field, Kind, Options, Values};
use crate::web::html::{esc, local_input};
use crate::web::words::{say, say_problem, Said};
use crate::web::{error_page, html, tr, Officer};

pub(crate) use crate::web::fields::field_label;

pub(super) struct FormSpec {
    /// The action; its `type` tag, event and roles come from the domain.
    pub(super) kind: CaseActionKind,
    fields: &'static [Field],
}

impl FormSpec {
    fn tag(&self) -> &'static str {
        self.kind.code()
    }
}

const LMH: fn() -> Vec<&'static str> = RiskLevel::codes;
const LEVELS: fn() -> Vec<&'static str> = ProtectionLevel::codes;
const MEASURES: fn() -> Vec<&'static str> = EmergencyMeasure::codes;
const SERVICES: fn() -> Vec<&'static str> = ServiceKind::codes;

/// Options a case page brings for its forms.
pub(super) const OFFICERS: &str = "officers";
pub(super) const COMMUNES: &str = "communes";
pub(super) const EVENTS: &str = "events";

pub(super) const FORMS: &[FormSpec] = &[
    FormSpec {
        kind: CaseActionKind::RecordFactCheck,
        fields: &[
            f("confirmed", Kind::Bool, true),
            f("findings", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::AssessInitialRisk,
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
        kind: CaseActionKind::OrderEmergencyMeasures,
        fields: &[
            f("measures", Kind::Multi(MEASURES), true),
            f("details", Kind::Area, false),
            f("decision_ref", Kind::Text, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::AssessSpecificRisk,
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
        kind: CaseActionKind::DraftPlan,
        fields: &[
            f("objectives", Kind::Lines, true),
            f("services.0.kind", Kind::Choice(SERVICES), false),
            f("services.0.provider", Kind::Text, false),
            f("review_date", Kind::Date, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::ApprovePlan,
        fields: &[
            f("plan_version", Kind::Int, true),
            f("decision_ref", Kind::Text, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::SendBackPlan,
        fields: &[
            f("plan_version", Kind::Int, true),
            f("reason", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::RecordService,
        fields: &[
            f("kind", Kind::Choice(SERVICES), true),
            f("provider", Kind::Text, true),
            f("delivered_at", Kind::DateTime, true),
            f("notes", Kind::Area, false),
        ],
    },
    FormSpec {
        kind: CaseActionKind::RecordReview,
        fields: &[
            f("outcome", Kind::Choice(ReviewOutcome::codes), true),
            f("participants", Kind::Lines, true),
            f("summary", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::CloseCase,
        fields: &[
            f("reason", Kind::Choice(CloseReason::codes), true),
            f("decision_ref", Kind::Text, true),
            f("note", Kind::Area, false),
        ],
    },
    FormSpec {
        kind: CaseActionKind::ReopenCase,
        fields: &[f("reason", Kind::Area, true)],
    },
    FormSpec {
        kind: CaseActionKind::RecordReferral,
        fields: &[
            f("direction", Kind::Choice(ReferralDirection::codes), true),
            f("agency", Kind::Text, true),
            f("reason", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::TransferCase,
        fields: &[
            f("to.structure", Kind::Hidden { number: false }, true),
            f("to.province", Kind::Hidden { number: true }, true),
            f(
                "to.commune",
                Kind::Pick {
                    options: COMMUNES,
                    number: true,
                },
                true,
            ),
            f("reason", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::ReassignWorker,
        fields: &[
            f(
                "to_officer",
                Kind::Pick {
                    options: OFFICERS,
                    number: false,
                },
                true,
            ),
            f("reason", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::LinkCase,
        fields: &[
            f("other_case_id", Kind::Text, true),
            f("relation", Kind::Choice(CaseRelation::codes), true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::CorrectEvent,
        fields: &[
            f(
                "corrects_sequence",
                Kind::Pick {
                    options: EVENTS,
                    number: true,
                },
                true,
            ),
            f("reason", Kind::Area, true),
            f("correction", Kind::Area, true),
        ],
    },
    FormSpec {
        kind: CaseActionKind::AddNote,
        fields: &[
            f("kind", Kind::Choice(NoteKind::codes), true),
            f("text", Kind::Area, true),
        ],
    },
];

/// The forms to offer first for a step, in order (the others are folded).
fn next_steps(case: &Case) -> &'static [CaseActionKind] {
    use CaseActionKind as K;
    use CaseStatus as S;
    match case.status {
        S::Received => &[K::RecordFactCheck],
        S::FactChecked if case.fact_confirmed == Some(false) => &[K::CloseCase],
        S::FactChecked => &[K::AssessInitialRisk],
        S::InitiallyAssessed
            if case.emergency_needed == Some(true) && case.emergency_ordered_at.is_none() =>
        {
            &[K::OrderEmergencyMeasures, K::AssessSpecificRisk]
        }
        S::InitiallyAssessed => &[K::AssessSpecificRisk],
        S::SpecificallyAssessed | S::PlanSentBack | S::NeedsNewPlan | S::Reopened => {
            &[K::DraftPlan]
        }
        S::PlanDrafted => &[K::ApprovePlan, K::SendBackPlan],
        S::PlanApproved => &[K::RecordService, K::RecordReview],
        S::ReviewedStable => &[K::CloseCase],
        S::Closed => &[K::ReopenCase],
        _ => &[],
    }
}

/// What the case page brings for its forms: options (officers of the
/// commune, communes to transfer to, the events to correct) and defaults.
#[derive(Default)]
pub(super) struct FormData {
    pub options: Options,
    /// The province whose communes a transfer offers.
    pub transfer_province: u32,
}

/// Defaults that save typing (the plan version to approve, times now).
fn defaults(case: &Case, spec: &FormSpec, data: &FormData) -> HashMap<&'static str, String> {
    let mut d = HashMap::new();
    for field in spec.fields {
        let v = match (field.kind, field.name) {
            (Kind::Int, "plan_version") => case.plan_version.to_string(),
            (Kind::DateTime, _) => local_input(now()),
            (_, "to.structure") => "2025".to_string(),
            (_, "to.province") => data.transfer_province.to_string(),
            _ => continue,
        };
        d.insert(field.name, v);
    }
    d
}

/// A failed submission, shown again with the API's problem in words.
pub(crate) struct Failed {
    kind: String,
    values: Values,
    said: Said,
}

/// The province switch of the transfer form (a plain GET of the case page).
fn transfer_province_switch(lang: Lang, case_id: &str, chosen: u32) -> String {
    let provinces: String = hoso_domain::places::current()
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
    format!(
        "<form method=\"get\" action=\"/cases/{}#form-transfer_case\" class=\"inline-form\">\
         <label>{}<select name=\"transfer_province\">{provinces}</select></label> \
         <button type=\"submit\">{}</button></form>",
        esc(case_id),
        tr(lang, "Tỉnh, thành phố nhận hồ sơ", "Receiving province"),
        tr(lang, "Đổi tỉnh", "Change province"),
    )
}

pub(super) fn forms_html(
    lang: Lang,
    o: &Officer,
    case_id: &str,
    case: &Case,
    failed: Option<&Failed>,
    data: &FormData,
) -> String {
    let role = o.me.role();
    let mine: Vec<&FormSpec> = FORMS
        .iter()
        .filter(|s| s.kind.allowed_roles().contains(&role))
        .collect();
    let attach = CaseActionKind::AddAttachment
        .allowed_roles()
        .contains(&role);
    if mine.is_empty() && !attach {
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
        let this_failed = failed.filter(|f| f.kind == s.tag());
        let open = this_failed.is_some() || (failed.is_none() && first.first() == Some(&s.kind));
        let values = this_failed.map(|f| &f.values).unwrap_or(&empty);
        let bad: Vec<String> = this_failed
            .map(|f| f.said.fields.iter().map(|(k, _)| k.clone()).collect())
            .unwrap_or_default();
        let errors = this_failed
            .map(|f| errors_box(lang, &f.said))
            .unwrap_or_default();
        let defaults = defaults(case, s, data);
        let draw = Draw {
            lang,
            id: s.tag(),
            values,
            defaults: &defaults,
            options: &data.options,
            bad: &bad,
        };
        let fields: String = s
            .fields
            .iter()
            .map(|fl| fields::render(&draw, fl))
            .collect();
        let extra = if s.kind == CaseActionKind::TransferCase {
            transfer_province_switch(lang, case_id, data.transfer_province)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<details class=\"form\" id=\"form-{kind}\"{open}><summary>{}</summary>{errors}{extra}\
             <form method=\"post\" action=\"/cases/{}/act\" class=\"grid-form\">\
             <input type=\"hidden\" name=\"type\" value=\"{kind}\">\
             <input type=\"hidden\" name=\"form_key\" value=\"{form_key}\">{fields}\
             <div class=\"actions\"><button type=\"submit\" class=\"primary\">{}</button></div></form></details>",
            esc(&label(lang, s.kind.event_type())),
            esc(case_id),
            tr(lang, "Ghi nhận", "Record"),
            kind = s.tag(),
            form_key = uuid::Uuid::new_v4(),
            open = if open { " open" } else { "" },
        ));
    }
    if attach {
        let this_failed = failed.filter(|f| f.kind == CaseActionKind::AddAttachment.code());
        out.push_str(&crate::web::attachments::upload_form(
            lang,
            case_id,
            this_failed.map(|f| &f.said),
        ));
    }
    out.push_str("</section>");
    out
}

/// The action's JSON from a submitted form (see `fields::to_json`).
fn action_json(spec: &FormSpec, values: &Values) -> Result<serde_json::Value, ApiError> {
    fields::to_json(Some(spec.tag()), spec.fields, values).map_err(|errors| {
        ApiError::Service(Error::Invalid {
            detail: errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
            errors,
        })
    })
}

/// `POST /cases/{id}/act`: one step, through the same path as the API.
pub async fn act(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let values = parse_form(&body);
    let kind = fields::first(&values, "type");
    let Some(spec) = FORMS.iter().find(|s| s.tag() == kind) else {
        return error_page(&o, ApiError::invalid("type", "unknown form"));
    };
    // Each rendered form carries a fresh key: a second submission of the same
    // form (a double click, a reload) records nothing twice.
    let form_key = values
        .get("form_key")
        .and_then(|v| v.first())
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .map(|k| format!("web-form:{k}"));
    let parsed = action_json(spec, &values).and_then(|json| {
        serde_json::to_vec(&json)
            .map_err(|e| ApiError::internal(e.to_string()))
            .and_then(|bytes| parse_json::<CaseAction>(&bytes))
    });
    let action = match parsed {
        Ok(a) => a,
        Err(e) => return refused(&state, &o, &ctx, &id, kind, values, e).await,
    };
    let outcome = async {
        let fp = idempotency::fingerprint(&format!("web POST /cases/{id}/act"), &action)?;
        idempotency::once(
            &state.svc,
            &o.me,
            form_key.as_deref(),
            &fp,
            encode,
            || async {
                cases::act(&state.svc, &o.me, &id, action).await?;
                idempotency::Answer::new(200, &serde_json::json!({}))
            },
        )
        .await
    }
    .await;
    match outcome {
        Ok(Outcome::Fresh(Ok(_))) => {
            Redirect::to(&format!("/cases/{}?done={kind}#timeline", esc(&id))).into_response()
        }
        Ok(Outcome::Replayed(a)) if a.status < 300 => {
            Redirect::to(&format!("/cases/{}#timeline", esc(&id))).into_response()
        }
        Ok(Outcome::Replayed(a)) => {
            let status = axum::http::StatusCode::from_u16(a.status)
                .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
            let said = say_problem(o.ctx.lang, &a.body);
            failed_page(&state, &o, &ctx, &id, kind, values, status, said).await
        }
        Ok(Outcome::Fresh(Err(e))) | Err(e) => {
            refused(&state, &o, &ctx, &id, kind, values, ApiError::Service(e)).await
        }
    }
}

/// A refused submission: the case page again with the form, its values and
/// the API's problem in words; a fault or a case out of reach is an error page.
pub(crate) async fn refused(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    id: &str,
    kind: String,
    values: Values,
    e: ApiError,
) -> Response {
    use hoso_service::Error as E;
    if matches!(
        e,
        ApiError::Service(E::Internal(_) | E::Unavailable(_) | E::Full(_) | E::NotFound(_))
    ) {
        return error_page(o, e);
    }
    let status = e.status();
    let said = say(o.ctx.lang, &e);
    failed_page(state, o, ctx, id, kind, values, status, said).await
}

#[allow(clippy::too_many_arguments)]
async fn failed_page(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    id: &str,
    kind: String,
    values: Values,
    status: axum::http::StatusCode,
    said: Said,
) -> Response {
    let failed = Failed { kind, values, said };
    let q = CaseQuery::default();
    match render_case(state, o, ctx, id, None, Some(&failed), &q).await {
        Ok(page) => html(&o.ctx, status, page),
        Err(e) => error_page(o, e),
    }
}

#[cfg(test)]
mod tests;
