//! The step forms of a case page: which steps the officer's role may record
//! (the domain's `allowed_roles`), their fields, and how a submitted form
//! becomes the API's `CaseAction` JSON. Word lists come from the domain's
//! codes, so a form never offers a value the domain does not know.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hoso_domain::case::{
    Case, CaseAction, CaseActionKind, CaseStatus, CloseReason, EmergencyMeasure, NoteKind,
    ReferralDirection, ReviewOutcome, ServiceKind,
};
use hoso_domain::common::{Code, ProtectionLevel, RiskLevel};
use hoso_service::idempotency::{self, Outcome};
use hoso_service::{cases, now};

use serde_json::{Map, Value};

use super::page::render_case;
use crate::http::access::ReadContext;
use crate::http::error::ApiError;
use crate::http::idempotency::encode;
use crate::http::json::parse_json;
use crate::http::AppState;
use crate::labels::{label, Lang};
use crate::web::html::{esc, local_input, parse_local};
use crate::web::{error_page, html, tr, Officer};

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Area,
    /// One item per line → a JSON array of strings.
    Lines,
    /// datetime-local, Vietnam time.
    DateTime,
    Date,
    Int,
    /// One of the domain's codes.
    Choice(fn() -> Vec<&'static str>),
    /// Checkboxes → a JSON array of the domain's codes.
    Multi(fn() -> Vec<&'static str>),
    Bool,
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
        kind: CaseActionKind::AddNote,
        fields: &[
            f("kind", Kind::Choice(NoteKind::codes), true),
            f("text", Kind::Area, true),
        ],
    },
];

/// Field names people read.
pub(super) fn field_label(lang: Lang, name: &str) -> String {
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
fn next_steps(case: &Case) -> &'static [CaseActionKind] {
    use CaseActionKind as K;
    use CaseStatus as S;
    match case.status {
        S::Received => &[K::RecordFactCheck],
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
    let id = format!("{}-{}", spec.tag(), field.name.replace('.', "-"));
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
            let opts: Vec<(String, String)> = codes()
                .iter()
                .map(|c| (c.to_string(), label(lang, c)))
                .collect();
            select_field(&id, field.name, &opts, &first, !field.required, lang)
        }
        Kind::Multi(codes) => {
            let chosen: Vec<String> = given.cloned().unwrap_or_default();
            let boxes: String = codes()
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
pub(super) struct Failed {
    kind: String,
    values: HashMap<String, Vec<String>>,
    problem: Value,
}

pub(super) fn forms_html(
    lang: Lang,
    o: &Officer,
    case_id: &str,
    case: &Case,
    failed: Option<&Failed>,
) -> String {
    let role = o.me.role();
    let mine: Vec<&FormSpec> = FORMS
        .iter()
        .filter(|s| s.kind.allowed_roles().contains(&role))
        .collect();
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
        let this_failed = failed.filter(|f| f.kind == s.tag());
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
            esc(&label(lang, s.kind.event_type())),
            esc(case_id),
            tr(lang, "Ghi nhận", "Record"),
            kind = s.tag(),
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
            let Value::Array(arr) = cur else { return };
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
            let Value::Object(obj) = cur else { return };
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
    let mut root = serde_json::json!({"type": spec.tag()});
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
    ctx: ReadContext,
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
    let json = action_json(spec, &values);
    let parsed = serde_json::to_vec(&json)
        .map_err(|e| ApiError::internal(e.to_string()))
        .and_then(|bytes| parse_json::<CaseAction>(&bytes));
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
            failed_page(&state, &o, &ctx, &id, kind, values, status, a.body).await
        }
        Ok(Outcome::Fresh(Err(e))) | Err(e) => {
            refused(&state, &o, &ctx, &id, kind, values, ApiError::Service(e)).await
        }
    }
}

/// A refused submission: the case page again with the form, its values and
/// the API's messages; a fault or a case out of reach is an error page.
async fn refused(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    id: &str,
    kind: String,
    values: HashMap<String, Vec<String>>,
    e: ApiError,
) -> Response {
    use hoso_service::Error as E;
    if matches!(
        e,
        ApiError::Service(E::Internal(_) | E::Unavailable(_) | E::NotFound(_))
    ) {
        return error_page(o, e);
    }
    let (status, problem) = e.problem();
    failed_page(state, o, ctx, id, kind, values, status, problem).await
}

#[allow(clippy::too_many_arguments)]
async fn failed_page(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    id: &str,
    kind: String,
    values: HashMap<String, Vec<String>>,
    status: axum::http::StatusCode,
    problem: Value,
) -> Response {
    let failed = Failed {
        kind,
        values,
        problem,
    };
    match render_case(state, o, ctx, id, None, Some(&failed), None).await {
        Ok(page) => html(&o.ctx, status, page),
        Err(e) => error_page(o, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_the_api_json() {
        let spec = FORMS
            .iter()
            .find(|s| s.kind == CaseActionKind::DraftPlan)
            .unwrap();
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
            .find(|s| s.kind == CaseActionKind::RecordFactCheck)
            .unwrap();
        let j = action_json(spec, &HashMap::new());
        let e = parse_json::<CaseAction>(&serde_json::to_vec(&j).unwrap()).unwrap_err();
        assert!(e.to_string().contains("confirmed"), "{e}");
    }

    /// A sample value for a field, valid for the domain's types.
    fn sample(field: &Field) -> Vec<String> {
        let one = |v: &str| vec![v.to_string()];
        match field.kind {
            Kind::Text | Kind::Area => one("Nội dung thử"),
            Kind::Lines => one("Dòng một\nDòng hai"),
            Kind::DateTime => one("2026-03-02T09:00"),
            Kind::Date => one("2026-04-01"),
            Kind::Int => one("1"),
            Kind::Bool => one("true"),
            Kind::Choice(codes) | Kind::Multi(codes) => one(codes()[0]),
        }
    }

    #[test]
    fn every_form_is_an_action_of_the_domain() {
        let mut seen = std::collections::HashSet::new();
        for spec in FORMS {
            assert!(seen.insert(spec.kind), "{:?} twice", spec.kind);
            let values: HashMap<String, Vec<String>> = spec
                .fields
                .iter()
                .map(|f| (f.name.to_string(), sample(f)))
                .collect();
            let json = action_json(spec, &values);
            let action: CaseAction = parse_json(&serde_json::to_vec(&json).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e:?}", spec.tag()));
            // The form is the action it says, so its roles are the domain's.
            assert_eq!(action.kind(), spec.kind);
            assert_eq!(
                hoso_domain::case::decide::allowed_roles(&action),
                spec.kind.allowed_roles()
            );
            for f in spec.fields {
                if let Kind::Choice(codes) | Kind::Multi(codes) = f.kind {
                    assert!(!codes().is_empty(), "{} offers no choice", f.name);
                }
            }
        }
    }
}
