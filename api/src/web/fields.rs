//! The fields of the pages' forms and how a submitted form becomes the API's
//! JSON: each field names its path in the request body (`factors.overall`,
//! `services.0.kind`, `to.commune`), its kind says how it is shown and read.
//! Word lists come from the domain's codes; dates and times are text inputs
//! in the Vietnamese way (`inputs`), parsed here. A value that does not parse
//! is named with the catalogue's message; every other check is the API's own.

use std::collections::HashMap;

use hoso_service::FieldError;
use serde_json::{Map, Value};

use super::html::esc;
use super::inputs::{self, DATETIME_PATTERN, DATE_PATTERN};
use super::tr;
use crate::labels::{label, Lang};

/// Submitted values by field name (a name may repeat: checkboxes).
pub type Values = HashMap<String, Vec<String>>;

/// Reads an `application/x-www-form-urlencoded` body.
pub fn parse_form(body: &[u8]) -> Values {
    let mut values: Values = HashMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        values
            .entry(k.into_owned())
            .or_default()
            .push(v.into_owned());
    }
    values
}

/// The first value of a field, trimmed ("" when absent).
pub fn first(values: &Values, name: &str) -> String {
    values
        .get(name)
        .and_then(|v| v.first())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[derive(Clone, Copy)]
pub enum Kind {
    Text,
    Area,
    /// One item per line → a JSON array of strings.
    Lines,
    /// `dd/mm/yyyy hh:mm`, Vietnam time → RFC 3339.
    DateTime,
    /// `dd/mm/yyyy` → `yyyy-mm-dd`.
    Date,
    Int,
    /// One of the domain's codes.
    Choice(fn() -> Vec<&'static str>),
    /// Checkboxes → a JSON array of the domain's codes.
    Multi(fn() -> Vec<&'static str>),
    Bool,
    /// A choice among options the page brings (officers, communes, events):
    /// the key of `Options`, and whether the value is a number in the JSON.
    Pick {
        options: &'static str,
        number: bool,
    },
    /// A value the page sets (a structure code, the province of a commune
    /// list); a number in the JSON when `number`.
    Hidden {
        number: bool,
    },
}

pub struct Field {
    /// Path in the request's JSON: `factors.severity_of_harm`, `services.0.kind`.
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub const fn f(name: &'static str, kind: Kind, required: bool) -> Field {
    Field {
        name,
        kind,
        required,
    }
}

/// Options of `Kind::Pick` fields: (value, label) by key.
pub type Options = HashMap<&'static str, Vec<(String, String)>>;

/// What a form is drawn with.
pub struct Draw<'a> {
    pub lang: Lang,
    /// Prefix of the inputs' ids (the form's kind).
    pub id: &'a str,
    /// Submitted values (a failed submission shown again).
    pub values: &'a Values,
    /// Values shown when nothing was submitted.
    pub defaults: &'a HashMap<&'static str, String>,
    pub options: &'a Options,
    /// Fields to mark (the API's field errors).
    pub bad: &'a [String],
}

/// Field names people read.
pub fn field_label(lang: Lang, name: &str) -> String {
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
        "to.commune" | "to" => ("Xã, phường nhận hồ sơ", "Receiving commune"),
        "commune.commune" | "commune" => ("Xã, phường nơi trẻ em sinh sống", "Commune"),
        "reporter.name" => ("Họ và tên người báo tin", "Reporter's name"),
        "reporter.phone" => ("Số điện thoại người báo tin", "Reporter's phone"),
        "reporter.relation" => ("Quan hệ với trẻ em", "Relation to the child"),
        "address.commune" | "address.commune.commune" => {
            ("Xã, phường nơi cư trú", "Commune of residence")
        }
        "address.detail" => (
            "Địa chỉ (thôn, tổ dân phố, số nhà)",
            "Address (village, street, house)",
        ),
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
            "source_description" => ("Mô tả nguồn tin", "Source details"),
            "harm_types" => ("Hình thức xâm hại", "Harm types"),
            "received_at" => ("Thời điểm tiếp nhận", "Received at"),
            "responsible_worker" => ("Cán bộ phụ trách", "Responsible worker"),
            "corrects_sequence" => ("Sự kiện được đính chính", "Corrected event"),
            "correction" => ("Nội dung đính chính", "Correction"),
            "to_officer" => ("Cán bộ được phân công", "Newly assigned worker"),
            "other_case_id" => ("Mã hồ sơ liên kết", "Linked case id"),
            "relation" => ("Quan hệ", "Relation"),
            "child_id" => ("Mã trẻ em", "Child id"),
            "date_of_birth" => ("Ngày sinh", "Date of birth"),
            "full_name" => ("Họ và tên", "Full name"),
            "sex" => ("Giới tính", "Sex"),
            "ethnicity" => ("Dân tộc", "Ethnicity"),
            "personal_id" => ("Số định danh cá nhân", "Personal id number"),
            "household_status" => ("Tình trạng hộ gia đình", "Household status"),
            "file" => ("Tệp", "File"),
            "media_type" => ("Loại tệp", "File type"),
            "file_name" => ("Tên tệp", "File name"),
            "sha256" => ("Mã SHA-256", "SHA-256"),
            "size_bytes" => ("Dung lượng", "Size"),
            "type" => ("Loại thao tác", "Action"),
            "body" => ("Nội dung gửi", "Request"),
            "as_of" => ("Thời điểm", "Moment"),
            "name" => ("Họ và tên", "Name"),
            "phone" => ("Số điện thoại", "Phone"),
            "version" => ("Phiên bản", "Version"),
            "from" => ("Từ", "From"),
            "held_at" => ("Thời gian họp", "Held at"),
            "structure" => ("Danh mục đơn vị hành chính", "Unit list"),
            "province" => ("Tỉnh, thành phố", "Province"),
            "district" => ("Quận, huyện", "District"),
            _ => return crate::messages::field(lang, name),
        },
    };
    tr(lang, vi, en).to_string()
}

fn select(
    lang: Lang,
    id: &str,
    name: &str,
    opts: &[(String, String)],
    chosen: &str,
    optional: bool,
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

/// One field: its label and input, marked when the API blamed it.
pub fn render(d: &Draw, field: &Field) -> String {
    let lang = d.lang;
    let id = format!("{}-{}", d.id, field.name.replace('.', "-"));
    let name = esc(field.name);
    let given = d.values.get(field.name);
    let first = given
        .and_then(|v| v.first().cloned())
        .or_else(|| d.defaults.get(field.name).cloned())
        .unwrap_or_default();
    let req = if field.required { " required" } else { "" };
    let input = match field.kind {
        Kind::Hidden { .. } => {
            return format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                esc(&first)
            )
        }
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
        Kind::DateTime => inputs::input(lang, &id, field.name, &first, DATETIME_PATTERN, req),
        Kind::Date => inputs::input(lang, &id, field.name, &first, DATE_PATTERN, req),
        Kind::Bool => {
            let opts = vec![
                ("true".to_string(), label(lang, "w.yes")),
                ("false".to_string(), label(lang, "w.no")),
            ];
            select(lang, &id, field.name, &opts, &first, !field.required)
        }
        Kind::Choice(codes) => {
            let opts: Vec<(String, String)> = codes()
                .iter()
                .map(|c| (c.to_string(), label(lang, c)))
                .collect();
            select(lang, &id, field.name, &opts, &first, !field.required)
        }
        Kind::Pick { options, .. } => {
            let empty = Vec::new();
            let opts = d.options.get(options).unwrap_or(&empty);
            select(lang, &id, field.name, opts, &first, !field.required)
        }
        Kind::Multi(codes) => {
            let chosen: Vec<String> = given.cloned().unwrap_or_else(|| {
                d.defaults
                    .get(field.name)
                    .map(|v| v.split(',').map(str::to_string).collect())
                    .unwrap_or_default()
            });
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
    let blamed = d.bad.iter().any(|b| {
        b == field.name
            || b.starts_with(&format!("{}.", field.name))
            || b.starts_with(&format!("{}[", field.name))
            || field.name.starts_with(&format!("{b}."))
    });
    let cls = if blamed { " class=\"bad\"" } else { "" };
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

/// Sets `path` (dotted, numeric segments are array indexes) in `root`.
pub fn put(root: &mut Value, path: &str, v: Value) {
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

fn number_or_text(s: String) -> Value {
    s.parse::<i64>()
        .map(Value::from)
        .unwrap_or(Value::String(s))
}

/// The request's JSON from the form: empty optional fields are left out, so
/// the API's own messages name what is missing. A date or time that does not
/// parse is named here (the catalogue's `use dd/mm/yyyy`).
pub fn to_json(
    tag: Option<&str>,
    fields: &[Field],
    values: &Values,
) -> Result<Value, Vec<FieldError>> {
    let mut root = match tag {
        Some(t) => serde_json::json!({ "type": t }),
        None => serde_json::json!({}),
    };
    let mut bad = Vec::new();
    for field in fields {
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
            Kind::Int | Kind::Pick { number: true, .. } | Kind::Hidden { number: true } => {
                Some(number_or_text(first))
            }
            Kind::DateTime => match inputs::parse_datetime(&first) {
                Some(t) => Some(Value::String(t.to_rfc3339())),
                None => {
                    bad.push(FieldError::new(field.name, "use dd/mm/yyyy hh:mm"));
                    None
                }
            },
            Kind::Date => match inputs::parse_date(&first) {
                Some(d) => Some(Value::String(d.to_string())),
                None => {
                    bad.push(FieldError::new(field.name, "use dd/mm/yyyy"));
                    None
                }
            },
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
    if bad.is_empty() {
        Ok(root)
    } else {
        Err(bad)
    }
}

/// The list of what went wrong, for the top of a form.
pub fn errors_box(lang: Lang, said: &super::words::Said) -> String {
    let head = tr(lang, "Chưa ghi nhận được:", "Not recorded:");
    if said.fields.is_empty() {
        return format!(
            "<div class=\"errors\" role=\"alert\"><b>{head}</b> {}</div>",
            esc(&said.detail)
        );
    }
    let items: String = said
        .fields
        .iter()
        .map(|(f, m)| format!("<li><b>{}</b>: {}</li>", esc(&field_label(lang, f)), esc(m)))
        .collect();
    format!("<div class=\"errors\" role=\"alert\"><b>{head}</b><ul>{items}</ul></div>")
}
