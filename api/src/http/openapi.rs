//! The OpenAPI 3.1 document (`GET /api/v1/openapi.json`), generated from the
//! handlers' `#[utoipa::path]` annotations and the request types' schemas (the
//! domain's command types derive `ToSchema` behind hoso-domain's `openapi`
//! feature, which only this crate enables), then completed by [`complete`]
//! with the answers every operation can give, so that the document matches
//! what the server sends: every error is `application/problem+json`; 400, 413
//! and 415 wherever a body is read; 401 and 403 wherever a token is needed;
//! 404 wherever a record is named; 409 for commands; 422 for anything
//! validated; 503 everywhere (the database away, with `Retry-After`); the
//! `Idempotency-Key` header with its rules and the `Idempotent-Replayed`
//! answer header on commands.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::AppState;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hoso API",
        description = "Hồ sơ bảo vệ trẻ em: child-protection case records. Every command's actor is the signed-in officer and its time the server clock. Errors are RFC 9457 problem+json (`type`, `title`, `status`, `detail`, and `errors: [{field, message}]` when a field is to blame). Commands take an optional `Idempotency-Key` (1 to 200 visible ASCII characters, per officer): the same key with the same request replays the first answer (with `Idempotent-Replayed: true`), with another request it is refused (422).",
    ),
    modifiers(&Bearer),
    paths(
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::create_api_token,
        super::auth::list_tokens,
        super::auth::revoke_token,
        super::auth::activate,
        super::cases::intake,
        super::cases::act,
        super::cases::list,
        super::cases::view,
        super::cases::timeline,
        super::attachments::upload,
        super::attachments::download,
        super::children::register,
        super::children::candidates,
        super::children::duplicates,
        super::children::act,
        super::children::view,
        super::children::erase,
        super::officers::register,
        super::officers::act,
        super::officers::set_password,
        super::officers::reset_password,
        super::officers::lift_lock,
        super::officers::history,
        super::stats::get_stats,
        super::access::list,
        super::exports::export_bundle,
    ),
    components(schemas(super::error::Problem, super::error::FieldProblem))
)]
pub struct ApiDoc;

/// The document as utoipa generates it (before [`complete`]).
pub fn generated() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

const PROBLEM: &str = "application/problem+json";

fn problem(description: &str, headers: Option<Value>) -> Value {
    let mut r = json!({
        "description": description,
        "content": { PROBLEM: { "schema": { "$ref": "#/components/schemas/Problem" } } },
    });
    if let Some(h) = headers {
        r["headers"] = h;
    }
    r
}

/// The `Idempotency-Key` header as the server checks it.
fn idempotency_key_schema() -> Value {
    json!({
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[!-~]+$",
        "description": "1 to 200 visible ASCII characters; per officer: the same key with the same request replays the first answer, with another request it is refused (422)."
    })
}

/// Completes one operation's answers (see the module documentation).
fn complete_operation(path: &str, method: &str, op: &mut Map<String, Value>) {
    let secured = op.get("security").is_some_and(|s| {
        s.as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x.as_object().is_some_and(|o| !o.is_empty()))
        })
    });
    let has_body = op.contains_key("requestBody");
    let has_params = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let names_record = path.contains('{') || path.ends_with("/exports");
    let command = matches!(method, "post" | "put") && !path.starts_with("/api/v1/auth/");
    let login = path == "/api/v1/auth/login";
    let mut idempotent = false;
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params.iter_mut() {
            let (location, name) = (
                p["in"].as_str().unwrap_or("").to_string(),
                p["name"].as_str().unwrap_or("").to_string(),
            );
            if let Some(schema) = parameter_schema(path, &location, &name) {
                p["schema"] = schema;
            }
            // A parameter is absent or has a value: never `null`.
            if let Some(types) = p["schema"]["type"].as_array().cloned() {
                let kept: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
                p["schema"]["type"] = match kept.as_slice() {
                    [one] => one.clone(),
                    _ => Value::Array(kept),
                };
            }
            if p["in"] == "header" && p["name"] == "Idempotency-Key" {
                p["schema"] = idempotency_key_schema();
                p["required"] = Value::Bool(false);
                idempotent = true;
            }
        }
    }
    // Files travel as bytes, not as JSON arrays of numbers.
    let binary = |content: &mut Value| {
        if let Some(c) = content.as_object_mut() {
            for (media, m) in c.iter_mut() {
                if !media.ends_with("json") {
                    m["schema"] = json!({ "type": "string", "format": "binary" });
                }
            }
        }
    };
    if let Some(c) = op.get_mut("requestBody").and_then(|b| b.get_mut("content")) {
        binary(c);
    }
    if let Some(rs) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for r in rs.values_mut() {
            if let Some(c) = r.get_mut("content") {
                binary(c);
            }
        }
    }
    let entry = op.entry("responses").or_insert_with(|| json!({}));
    let Value::Object(responses) = entry else {
        return;
    };
    // Errors are problem documents.
    for (status, r) in responses.iter_mut() {
        if status.starts_with('2') {
            continue;
        }
        if let Some(content) = r.get_mut("content").and_then(Value::as_object_mut) {
            if let Some(schema) = content.remove("application/json") {
                content.insert(PROBLEM.to_string(), schema);
            }
        }
    }
    if idempotent {
        for (status, r) in responses.iter_mut() {
            if status.starts_with('2') {
                let Value::Object(r) = r else { continue };
                let headers = r.entry("headers").or_insert_with(|| json!({}));
                headers["Idempotent-Replayed"] = json!({
                    "description": "`true` when this is the answer first given to the same Idempotency-Key",
                    "schema": { "type": "string", "enum": ["true"] }
                });
            }
        }
    }
    let mut add = |status: &str, r: Value| {
        responses.entry(status.to_string()).or_insert(r);
    };
    if has_body {
        add(
            "400",
            problem(
                "The body could not be read: not JSON, or not valid JSON.",
                None,
            ),
        );
        add(
            "413",
            problem(
                "The body is larger than the limit (256 KiB; 10 MiB for a file).",
                None,
            ),
        );
        add(
            "415",
            problem("The body is not of a type this operation takes.", None),
        );
    }
    if secured || login {
        add(
            "401",
            problem(
                if login {
                    "The officer id or password is wrong."
                } else {
                    "No valid token: sign in first (POST /api/v1/auth/login)."
                },
                Some(json!({
                    "WWW-Authenticate": { "description": "Bearer", "schema": { "type": "string" } }
                })),
            ),
        );
    }
    if secured {
        add(
            "403",
            problem(
                "The officer's role or unit may not do this (a domain rule).",
                None,
            ),
        );
    }
    if names_record {
        add(
            "404",
            problem(
                "No such record for this officer (a record outside the officer's area is not found either).",
                None,
            ),
        );
    }
    if command {
        add(
            "409",
            problem(
                "The record's state does not allow this now, or another request changed it first.",
                None,
            ),
        );
    }
    if has_body || has_params || names_record {
        add(
            "422",
            problem(
                "A value is not valid; `errors` names the fields to blame.",
                None,
            ),
        );
    }
    if command {
        add(
            "507",
            problem(
                "The database has no space left; nothing of the request was stored; retry once space is freed.",
                Some(json!({
                    "Retry-After": { "description": "seconds to wait", "schema": { "type": "integer" } }
                })),
            ),
        );
    }
    add(
        "503",
        problem(
            "The database cannot be reached; nothing was changed; retry.",
            Some(json!({
                "Retry-After": { "description": "seconds to wait", "schema": { "type": "integer" } }
            })),
        ),
    );
}

/// The object schema a part of an `allOf` stands for (a `$ref` resolved).
fn object_part(part: &Value, schemas: &Map<String, Value>) -> Option<Value> {
    let resolved = match part.get("$ref").and_then(Value::as_str) {
        Some(r) => schemas
            .get(r.strip_prefix("#/components/schemas/")?)?
            .clone(),
        None => part.clone(),
    };
    (resolved.get("properties").is_some() && resolved.get("allOf").is_none()).then_some(resolved)
}

/// serde's internally tagged enums come out as `allOf: [$ref to a struct with
/// additionalProperties: false, {type tag}]`, which no document satisfies
/// (the struct forbids the tag). Each such `allOf` becomes the one object it
/// means: the struct's properties and the tag, nothing else allowed.
fn merge_tagged(v: &mut Value, schemas: &Map<String, Value>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(parts)) = o.get("allOf") {
                let objects: Option<Vec<Value>> =
                    parts.iter().map(|p| object_part(p, schemas)).collect();
                if let Some(objects) = objects.filter(|x| x.len() > 1) {
                    let mut properties = Map::new();
                    let mut required: Vec<Value> = Vec::new();
                    let mut closed = false;
                    for x in &objects {
                        if let Some(p) = x["properties"].as_object() {
                            properties.extend(p.clone());
                        }
                        for r in x["required"].as_array().into_iter().flatten() {
                            if !required.contains(r) {
                                required.push(r.clone());
                            }
                        }
                        closed |= x["additionalProperties"] == Value::Bool(false);
                    }
                    o.remove("allOf");
                    o.insert("type".into(), json!("object"));
                    o.insert("properties".into(), Value::Object(properties));
                    o.insert("required".into(), Value::Array(required));
                    if closed {
                        o.insert("additionalProperties".into(), Value::Bool(false));
                    }
                    if !o.contains_key("description") {
                        if let Some(d) = objects.iter().find_map(|x| x.get("description")) {
                            o.insert("description".into(), d.clone());
                        }
                    }
                }
            }
            for x in o.values_mut() {
                merge_tagged(x, schemas);
            }
        }
        Value::Array(a) => {
            for x in a {
                merge_tagged(x, schemas);
            }
        }
        _ => {}
    }
}

fn codes<T: hoso_domain::common::Code>() -> Value {
    json!({ "type": "string", "enum": T::codes() })
}

fn time_schema() -> Value {
    json!({
        "description": "RFC 3339 (e.g. 2026-03-02T09:00:00+07:00) or a date (the end of that day, Vietnam time)",
        "anyOf": [
            { "type": "string", "format": "date-time" },
            { "type": "string", "format": "date" }
        ]
    })
}

/// What the handlers check of a parameter, stated in the document (utoipa
/// only knows the Rust type): id formats, ranges, word lists, times.
fn parameter_schema(path: &str, location: &str, name: &str) -> Option<Value> {
    use hoso_domain::case::CaseStatus;
    use hoso_domain::child::CircumstanceGroup;
    use hoso_domain::common::{HarmType, RiskLevel};
    let place_code = json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX });
    Some(match (location, name) {
        ("path", "sha256") => json!({ "type": "string", "pattern": "^[0-9a-f]{64}$" }),
        ("path", _) => json!({ "type": "string", "pattern": "^[A-Za-z0-9._:-]{1,100}$" }),
        ("query", "limit") if path.ends_with("/access-log") => {
            json!({ "type": "integer", "minimum": 1, "maximum": 500 })
        }
        ("query", "limit") => json!({ "type": "integer", "minimum": 1, "maximum": 200 }),
        ("query", "offset") => json!({ "type": "integer", "minimum": 0, "maximum": i64::MAX }),
        ("query", "status") => codes::<CaseStatus>(),
        ("query", "risk") => codes::<RiskLevel>(),
        ("query", "harm_type") => codes::<HarmType>(),
        ("query", "group") => json!({
            "type": "string",
            "enum": CircumstanceGroup::ALL.iter().map(|g| g.code()).collect::<Vec<_>>()
        }),
        ("query", "period") => json!({ "type": "string", "enum": ["day", "month", "year", "now"] }),
        ("query", "reason") => json!({ "type": "string", "maxLength": 500 }),
        ("query", "province" | "commune" | "district") => place_code,
        ("query", "as_of") => time_schema(),
        ("query", "from" | "to") if !path.ends_with("/stats") => time_schema(),
        ("query", "place") => json!({
            "type": "string",
            "pattern": "^(province:[0-9]{1,9}|commune:[0-9]{1,9}:[0-9]{1,9})$"
        }),
        ("query", "case" | "officer") if path.ends_with("/exports") => {
            json!({ "type": "string", "pattern": "^[A-Za-z0-9._:-]{1,100}$" })
        }
        ("query", "officer_id") => {
            json!({ "type": "string", "pattern": "^[A-Za-z0-9._:-]{1,100}$" })
        }
        _ => return None,
    })
}

/// Unsigned integers as Rust reads them: utoipa writes `u32` as `int32` with a
/// minimum of 0, whose format caps it at 2^31 − 1, and `u64` as `int64`; the
/// server takes the whole unsigned range.
fn unsigned_ranges(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let integer = match o.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                _ => false,
            };
            let unsigned =
                integer && o.get("minimum") == Some(&json!(0)) && !o.contains_key("maximum");
            if unsigned {
                match o.get("format").and_then(Value::as_str) {
                    Some("int32") => {
                        o.insert("format".into(), json!("int64"));
                        o.insert("maximum".into(), json!(u32::MAX));
                    }
                    Some("int64") => {
                        o.remove("format");
                        o.insert("maximum".into(), json!(u64::MAX));
                    }
                    _ => {}
                }
            }
            for x in o.values_mut() {
                unsigned_ranges(x);
            }
        }
        Value::Array(a) => {
            for x in a {
                unsigned_ranges(x);
            }
        }
        _ => {}
    }
}

/// The generated document completed with every answer the server gives.
pub fn complete(mut doc: Value) -> Value {
    unsigned_ranges(&mut doc);
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    merge_tagged(&mut doc, &schemas);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                if let Some(op) = op.as_object_mut() {
                    complete_operation(path, method, op);
                }
            }
        }
    }
    doc
}

/// The document as served.
pub fn document() -> Value {
    complete(serde_json::to_value(generated()).unwrap_or_else(|_| json!({})))
}

async fn openapi_json() -> Json<Value> {
    Json(document())
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_documents_its_errors_as_problems() {
        let doc = document();
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 20);
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                assert!(responses.contains_key("503"), "{method} {path}");
                for (status, r) in responses {
                    if !status.starts_with('2') {
                        assert!(
                            r["content"].get(PROBLEM).is_some(),
                            "{method} {path} {status} is not problem+json: {r}"
                        );
                    }
                }
                if op.get("requestBody").is_some() {
                    for s in ["400", "413", "415", "422"] {
                        assert!(responses.contains_key(s), "{method} {path} {s}");
                    }
                }
            }
        }
        let act = &doc["paths"]["/api/v1/cases/{id}/actions"]["post"];
        for s in ["401", "403", "404", "409", "422"] {
            assert!(act["responses"].get(s).is_some(), "{s}");
        }
        let key = act["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Idempotency-Key")
            .unwrap();
        assert_eq!(key["schema"]["maxLength"], 200);
        assert!(act["responses"]["200"]["headers"]["Idempotent-Replayed"].is_object());
    }

    /// A tagged action is one closed object with its tag, so a client (or a
    /// test generator) can build one from the document alone.
    #[test]
    fn tagged_actions_are_generatable_objects() {
        let doc = document();
        for name in ["OfficerAction", "CaseAction", "ChildAction"] {
            let one_of = doc["components"]["schemas"][name]["oneOf"]
                .as_array()
                .unwrap();
            for branch in one_of {
                assert!(branch.get("allOf").is_none(), "{name}: {branch}");
                assert_eq!(branch["type"], "object");
                assert!(
                    branch["properties"]["type"]["enum"].is_array(),
                    "{name}: {branch}"
                );
                assert!(branch["required"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("type")));
            }
        }
        let training = doc["components"]["schemas"]["OfficerAction"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["properties"]["type"]["enum"][0] == "record_training")
            .unwrap();
        assert!(training["properties"]["organiser"].is_object());
        assert_eq!(training["additionalProperties"], false);
    }
}
