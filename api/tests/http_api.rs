//! The HTTP API over a real socket (127.0.0.1:0) on both backends: sign-in,
//! role and unit rules, the actor taken from the token, the whole legal walk of
//! one case, problem+json for bad input with nothing stored, idempotency and
//! the access log.
//!
//! One file on purpose (over 600 lines): every test file is its own binary linking the whole service, and on two cores each extra binary costs a link of about half a minute.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use chrono::{Duration, Utc};
use hoso_api::server::{start, Config, Server};
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::places;
use hoso_ledger::Ledger;
use hoso_projections::Projection;
use hoso_service::officers::{create, NewOfficer};
use hoso_tests::{both_backends, TestDb};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

const PW: &str = "mật-khẩu-thử-nghiệm";

struct Api {
    base: String,
    http: Client,
    ledger: Ledger,
    _server: Option<Server>,
}

fn communes() -> (u32, u32) {
    let p = places::current().province(42).expect("Hà Tĩnh");
    (p.wards[0].code, p.wards[1].code)
}

async fn spawn(db: &TestDb) -> Api {
    spawn_at(&db.url, &db.kek_path()).await
}

/// `spawn` on the store at `url` with its key-encryption key at `kek`.
async fn spawn_at(url: &str, kek: &std::path::Path) -> Api {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let ledger = hoso_service::privacy::open_ledger(url, kek).await.unwrap();
    let server = start(ledger.clone(), Config::local()).await.unwrap();
    first_admin(&server.svc, Some(PW)).await;
    Api {
        base: format!("{}/api/v1", server.url()),
        http: Client::new(),
        ledger,
        _server: Some(server),
    }
}

/// Registers `admin-1`, the first administrator, directly in the service.
async fn first_admin(svc: &hoso_service::Service, password: Option<&str>) {
    let admin = Actor {
        officer_id: "admin-1".into(),
        role: Role::Admin,
        unit: Unit::National,
    };
    create(
        svc,
        &admin,
        NewOfficer {
            id: Some("admin-1".into()),
            full_name: "Quản trị viên".into(),
            role: Role::Admin,
            unit: Unit::National,
            active_from: None,
            password: password.map(str::to_string),
        },
    )
    .await
    .unwrap();
}

impl Api {
    async fn call(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Some(token), Method::POST, path, Some(body)).await
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Some(token), Method::GET, path, None).await
    }

    /// A read with a reason (`X-Access-Reason`), as inspectors must give.
    async fn get_why(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("x-access-reason", "Thanh tra định kỳ")
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn login(&self, id: &str) -> String {
        let (s, b) = self
            .call(
                None,
                Method::POST,
                "/auth/login",
                Some(json!({"officer_id": id, "password": PW})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        b["token"].as_str().unwrap().to_string()
    }

    /// Registers an officer through the API as the admin; the officer sets
    /// their password with the activation code the admin hands over, and
    /// signs in.
    async fn officer(&self, admin: &str, id: &str, role: &str, unit: Value) -> String {
        let (s, b) = self
            .post(
                admin,
                "/officers",
                json!({"id": id, "full_name": format!("Cán bộ {id}"), "role": role, "unit": unit}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b) = self
            .post(
                admin,
                &format!("/officers/{id}/password-reset"),
                json!({"reason": "Tài khoản mới"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = self
            .call(
                None,
                Method::POST,
                "/auth/activate",
                Some(json!({"officer_id": id, "activation_code": b["activation_code"], "password": PW})),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        self.login(id).await
    }

    async fn head(&self) -> i64 {
        self.ledger.head().await.unwrap()
    }
}

fn commune_unit(c: u32) -> Value {
    json!({"level": "commune", "province": 42, "commune": c})
}

fn commune_ref(c: u32) -> Value {
    json!({"structure": "2025", "province": 42, "commune": c})
}

fn child_body(c: u32) -> Value {
    json!({
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "2016-05-01",
        "sex": "male",
        "ethnicity": "Kinh",
        "address": {"commune": commune_ref(c), "detail": "Thôn 3"},
    })
}

fn intake_body(child_id: &str, c: u32) -> Value {
    json!({
        "child_id": child_id,
        "date_of_birth": "2016-05-01",
        "commune": commune_ref(c),
        "source": "school",
        "description": "Trẻ có vết bầm, giáo viên báo tin.",
        "harm_types": ["violence"],
        "received_at": (Utc::now() - Duration::hours(2)).to_rfc3339(),
    })
}

fn factors() -> Value {
    json!({"severity_of_harm": "high", "abuser_access": "high", "care_environment_obstacles": "medium", "child_capacity": "medium"})
}

/// Every legal step of one case, each as the officer whose role it is.
fn walk(worker_id: &str) -> Vec<(&'static str, Value)> {
    let now = Utc::now();
    vec![
        (
            "worker",
            json!({"type": "record_fact_check", "confirmed": true, "findings": "Đã xác minh tại nhà."}),
        ),
        (
            "worker",
            json!({"type": "assess_initial_risk", "factors": factors(), "overall": "high",
            "emergency_needed": true, "protection_level": "intervention"}),
        ),
        (
            "chairman",
            json!({"type": "order_emergency_measures", "measures": ["temporary_separation"],
            "decision_ref": "01/QĐ-UBND"}),
        ),
        (
            "worker",
            json!({"type": "assess_specific_risk", "factors": factors(), "overall": "medium",
            "protection_level": "intervention", "needs": ["Hỗ trợ tâm lý"],
            "minutes": {"held_at": (now - Duration::minutes(5)).to_rfc3339(),
                "participants": ["cán bộ xã", "mẹ của trẻ"], "summary": "Họp xác định nhu cầu."}}),
        ),
        (
            "worker",
            json!({"type": "draft_plan", "objectives": ["Trẻ an toàn"],
            "services": [{"kind": "psychological", "provider": "Trung tâm CTXH"}],
            "review_date": (now + Duration::days(30)).date_naive().to_string()}),
        ),
        (
            "chairman",
            json!({"type": "approve_plan", "plan_version": 1, "decision_ref": "12/QĐ-UBND"}),
        ),
        (
            "worker",
            json!({"type": "record_service", "kind": "psychological", "provider": "Trung tâm CTXH",
            "delivered_at": (now - Duration::minutes(1)).to_rfc3339()}),
        ),
        (
            "worker",
            json!({"type": "record_review", "outcome": "safe_and_stable",
            "participants": [worker_id, "mẹ của trẻ"], "summary": "Trẻ an toàn, ổn định."}),
        ),
        (
            "chairman",
            json!({"type": "close_case", "reason": "safe_and_stable", "decision_ref": "30/QĐ-UBND"}),
        ),
    ]
}

struct Cast {
    admin: String,
    worker: String,
    chairman: String,
    collaborator: String,
    stranger: String,
    hotline: String,
    manager: String,
    inspector: String,
}

async fn cast(api: &Api) -> Cast {
    let (c, other) = communes();
    let admin = api.login("admin-1").await;
    Cast {
        worker: api
            .officer(&admin, "cb-1", "commune_worker", commune_unit(c))
            .await,
        chairman: api
            .officer(&admin, "ct-1", "commune_chairman", commune_unit(c))
            .await,
        collaborator: api
            .officer(&admin, "ctv-1", "collaborator", commune_unit(c))
            .await,
        stranger: api
            .officer(&admin, "cb-9", "commune_worker", commune_unit(other))
            .await,
        hotline: api
            .officer(
                &admin,
                "tdv-1",
                "hotline_operator",
                json!({"level": "national"}),
            )
            .await,
        manager: api
            .officer(
                &admin,
                "so-42",
                "provincial_manager",
                json!({"level": "province", "province": 42}),
            )
            .await,
        inspector: api
            .officer(
                &admin,
                "tt-42",
                "inspector",
                json!({"level": "province", "province": 42}),
            )
            .await,
        admin,
    }
}

/// Registers a child of `child_body(c)`; when one of that name is already
/// registered (409 with the candidates), registers it again as checked:
/// another child.
async fn register_child(api: &Api, token: &str, c: u32) -> String {
    let (mut s, mut b) = api.post(token, "/children", child_body(c)).await;
    if s == StatusCode::CONFLICT {
        assert_eq!(b["type"], "urn:hoso:problem:likely-duplicate", "{b}");
        let ids: Vec<&str> = b["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["child_id"].as_str().unwrap())
            .collect();
        let path = format!("/children?distinct_from={}", ids.join(","));
        (s, b) = api.post(token, &path, child_body(c)).await;
    }
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["child_id"].as_str().unwrap().to_string()
}

async fn open_case(api: &Api, token: &str, c: u32) -> String {
    let child = register_child(api, token, c).await;
    let (s, b) = api.post(token, "/cases", intake_body(&child, c)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["case_id"].as_str().unwrap().to_string()
}

both_backends!(
    http_walk_of_one_case_through_every_step,
    |db: TestDb| async move {
        let api = spawn(&db).await;
        let people = cast(&api).await;
        let (c, _) = communes();
        let id = open_case(&api, &people.worker, c).await;
        assert!(id.starts_with("HS-"), "{id}");
        for (who, action) in walk("cb-1") {
            let token = if who == "worker" {
                &people.worker
            } else {
                &people.chairman
            };
            let (s, b) = api
                .post(token, &format!("/cases/{id}/actions"), action.clone())
                .await;
            assert_eq!(s, StatusCode::OK, "{action} → {b}");
        }
        let (s, b) = api.get(&people.worker, &format!("/cases/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["status"], "closed");
        // Every event's actor is the signed-in officer, with their role.
        let (s, t) = api
            .get_why(&people.inspector, &format!("/cases/{id}/timeline"))
            .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let events = t["events"].as_array().unwrap();
        assert_eq!(events.len(), 10);
        for e in events {
            let (actor, role) = (e["actor_id"].as_str().unwrap(), e["role"].as_str().unwrap());
            assert!(
                (actor == "cb-1" && role == "commune_worker")
                    || (actor == "ct-1" && role == "commune_chairman"),
                "{e}"
            );
        }
        // As it stood before it was closed.
        let before = events[8]["recorded_at"].as_str().unwrap();
        let (s, t) = api
            .get_why(
                &people.inspector,
                &format!("/cases/{id}/timeline?as_of={}", before.replace('+', "%2B")),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["status"], "reviewed_stable");
        // Reads through the projections.
        for p in Projection::ALL {
            hoso_service::refresh(&api.ledger, p).await.unwrap();
        }
        let (s, l) = api.get(&people.manager, "/cases?status=closed").await;
        assert_eq!(s, StatusCode::OK, "{l}");
        assert_eq!(l["total"], 1);
        let (s, st) = api
            .get(&people.manager, "/stats?period=month&metric=cases_opened")
            .await;
        assert_eq!(s, StatusCode::OK, "{st}");
        assert!(!st["rows"].as_array().unwrap().is_empty(), "{st}");
        let (s, h) = api
            .get_why(&people.inspector, "/officers/cb-1/history")
            .await;
        assert_eq!(s, StatusCode::OK, "{h}");
        assert!(h["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["aggregate_type"] != "AccessLog"));
        let report = hoso_ledger::verify::verify(&api.ledger).await.unwrap();
        assert!(report.is_intact(), "{:?}", report.findings);
        db.drop_db().await;
    }
);

both_backends!(http_roles_and_units, |db: TestDb| async move {
    let api = spawn(&db).await;
    let p = cast(&api).await;
    let (c, other) = communes();
    let id = open_case(&api, &p.worker, c).await;
    let actions = format!("/cases/{id}/actions");
    let fact = json!({"type": "record_fact_check", "confirmed": true, "findings": "x"});
    let note = json!({"type": "add_note", "kind": "follow_up_visit", "text": "Thăm nhà."});

    // No token: 401 problem+json.
    let (s, b) = api.call(None, Method::GET, "/cases", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["status"], 401);
    // Another commune: the case does not exist for them.
    assert_eq!(
        api.get(&p.stranger, &format!("/cases/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get(&p.stranger, &format!("/cases/{id}/timeline"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.post(&p.stranger, &actions, note.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    // ... nor can they open one in this commune.
    let (s, b) = api
        .post(&p.stranger, "/cases", intake_body("TE-000000000000", c))
        .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s} {b}"
    );
    // Visible but not their role: 403.
    assert_eq!(
        api.post(&p.collaborator, &actions, fact.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.post(&p.inspector, &actions, note.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.post(&p.manager, &actions, fact.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    // Allowed.
    assert_eq!(
        api.post(&p.collaborator, &actions, note.clone()).await.0,
        StatusCode::OK
    );
    // Hotline 111 reads only the cases it took in: not the commune's.
    assert_eq!(
        api.post(&p.hotline, &actions, note.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.post(&p.worker, &actions, fact.clone()).await.0,
        StatusCode::OK
    );
    // Wrong step: 409.
    let approve = json!({"type": "approve_plan", "plan_version": 1, "decision_ref": "1/QĐ"});
    assert_eq!(
        api.post(&p.chairman, &actions, approve).await.0,
        StatusCode::CONFLICT
    );
    // Hotline 111 may register a child and take an intake anywhere.
    let hid = open_case(&api, &p.hotline, other).await;
    assert_eq!(
        api.get(&p.worker, &format!("/cases/{hid}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get(&p.stranger, &format!("/cases/{hid}")).await.0,
        StatusCode::OK
    );
    // The body cannot name the actor.
    let mut forged = note.clone();
    forged["actor"] =
        json!({"officer_id": "ct-1", "role": "commune_chairman", "unit": commune_unit(c)});
    let (s, b) = api.post(&p.collaborator, &actions, forged).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "actor", "{b}");
    // Only admins register officers.
    let (s, _) = api
        .post(
            &p.worker,
            "/officers",
            json!({"full_name": "X", "role": "admin", "unit": {"level": "national"}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Officer histories: inspectors of the province yes, a commune worker only their own.
    hoso_service::refresh(&api.ledger, Projection::OfficerHistory)
        .await
        .unwrap();
    hoso_service::refresh(&api.ledger, Projection::CaseView)
        .await
        .unwrap();
    assert_eq!(
        api.get_why(&p.inspector, "/officers/cb-1/history").await.0,
        StatusCode::OK
    );
    // A `reason` parameter over the limit is refused, also beside a header.
    let long = "x".repeat(501);
    let (s, b) = api
        .get_why(
            &p.inspector,
            &format!("/officers/cb-1/history?reason={long}"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "reason", "{b}");
    assert_eq!(
        api.get(&p.worker, "/officers/cb-1/history").await.0,
        StatusCode::OK
    );
    assert_eq!(
        api.get(&p.worker, "/officers/ct-1/history").await.0,
        StatusCode::NOT_FOUND
    );
    // Lists are limited to the officer's unit.
    let (_, l) = api.get(&p.worker, "/cases").await;
    assert_eq!(l["total"], 1, "{l}");
    let (_, l) = api.get(&p.stranger, "/cases").await;
    assert_eq!(l["total"], 1, "{l}");
    let (_, l) = api.get(&p.manager, "/cases").await;
    assert_eq!(l["total"], 2, "{l}");
    let (_, l) = api.get(&p.worker, &format!("/cases?commune={other}")).await;
    assert_eq!(l["total"], 0, "{l}");
    // The stored actor is the signed-in officer.
    let events = api.ledger.events_of("Case", &id, 0).await.unwrap();
    let actors: Vec<Value> = events
        .iter()
        .map(|e| serde_json::from_str::<Value>(&e.metadata).unwrap()["actor_id"].clone())
        .collect();
    assert_eq!(actors, vec![json!("cb-1"), json!("ctv-1"), json!("cb-1")]);
    // Access log: each successful read recorded, readable by inspectors only.
    let (s, _) = api
        .call(
            Some(&p.worker),
            Method::GET,
            &format!("/cases/{id}?reason=home%20visit"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        api.get(&p.worker, "/access-log").await.0,
        StatusCode::FORBIDDEN
    );
    let (s, b) = api
        .get(&p.inspector, &format!("/access-log?subject={id}"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "reason", "{b}");
    let (s, log) = api
        .get_why(
            &p.inspector,
            &format!("/access-log?subject={id}&officer=cb-1"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let items = log["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{log}");
    assert_eq!(items[0]["reason"], "home visit");
    assert_eq!(items[0]["client_ip"], "127.0.0.1");
    assert_eq!(items[0]["what"], "case_view");
    // Sign out ends the token.
    let (s, _) = api
        .call(Some(&p.admin), Method::POST, "/auth/logout", None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&p.admin, "/me").await.0, StatusCode::UNAUTHORIZED);
    let report = hoso_ledger::verify::verify(&api.ledger).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.findings);
    db.drop_db().await;
});

both_backends!(
    http_bad_input_is_problem_json_and_stores_nothing,
    |db: TestDb| async move {
        let api = spawn(&db).await;
        let p = cast(&api).await;
        let (c, _) = communes();
        let id = open_case(&api, &p.worker, c).await;
        let child = register_child(&api, &p.worker, c).await;
        let before = api.head().await;
        let actions = format!("/cases/{id}/actions");
        let mut intake = intake_body(&child, c);
        let with = |k: &str, v: Value| {
            let mut b = intake.clone();
            b[k] = v;
            b
        };
        let json_cases: Vec<(&str, String, Value, u16, Option<&str>)> = vec![
            (
                "POST",
                "/cases".into(),
                with("harm_types", json!("violence")),
                422,
                Some("harm_types"),
            ),
            (
                "POST",
                "/cases".into(),
                with("date_of_birth", json!("2016-02-30")),
                422,
                Some("date_of_birth"),
            ),
            (
                "POST",
                "/cases".into(),
                with("date_of_birth", json!("2001-01-01")),
                422,
                Some("date_of_birth"),
            ),
            (
                "POST",
                "/cases".into(),
                with(
                    "commune",
                    json!({"structure": "2025", "province": 42, "commune": 1}),
                ),
                422,
                Some("commune"),
            ),
            (
                "POST",
                "/cases".into(),
                with("child_id", json!("TE-NOPE")),
                422,
                Some("child_id"),
            ),
            (
                "POST",
                "/cases".into(),
                with("actor", json!({"officer_id": "ct-1"})),
                422,
                Some("actor"),
            ),
            (
                "POST",
                "/cases".into(),
                with("at", json!("2026-01-01T00:00:00Z")),
                422,
                Some("at"),
            ),
            ("POST", "/cases".into(), json!([]), 422, None),
            ("POST", "/cases".into(), json!({}), 422, None),
            ("POST", actions.clone(), json!({"type": "fly"}), 422, None),
            // A digest typed in (another case's file, say) is not an upload.
            (
                "POST",
                actions.clone(),
                json!({"type": "add_attachment", "sha256": "ab".repeat(32), "size_bytes": 10,
                       "media_type": "application/pdf", "file_name": "x.pdf", "description": ""}),
                422,
                Some("type"),
            ),
            (
                "POST",
                actions.clone(),
                json!({"type": "record_fact_check", "confirmed": "yes", "findings": "x"}),
                422,
                None,
            ),
            (
                "POST",
                actions.clone(),
                json!({"type": "record_fact_check", "confirmed": true}),
                422,
                Some("findings"),
            ),
            (
                "POST",
                actions.clone(),
                json!({"type": "record_intake"}),
                422,
                None,
            ),
            (
                "POST",
                actions.clone(),
                json!({"type": "record_fact_check", "confirmed": true, "findings": ""}),
                422,
                Some("findings"),
            ),
            (
                "POST",
                "/cases/HS-NOPE/actions".into(),
                json!({"type": "add_note", "kind": "note", "text": "x"}),
                404,
                None,
            ),
            (
                "POST",
                "/children".into(),
                json!({"full_name": "A", "date_of_birth": "2016-01-01", "sex": "x", "ethnicity": "Kinh", "address": {"commune": commune_ref(c)}}),
                422,
                Some("sex"),
            ),
            (
                "POST",
                "/children".into(),
                json!({"full_name": "A", "date_of_birth": "2001-01-01", "sex": "male", "ethnicity": "Kinh", "address": {"commune": commune_ref(c)}}),
                422,
                Some("date_of_birth"),
            ),
            (
                "POST",
                "/officers".into(),
                json!({"full_name": "A", "role": "admin", "unit": {"level": "national"}}),
                403,
                None,
            ),
            // An id without an account: no event (a refused sign-in to a
            // known account is one: `http_sign_ins_are_in_the_access_log`).
            (
                "POST",
                "/auth/login".into(),
                json!({"officer_id": "khong-co-ai", "password": "wrong password"}),
                401,
                None,
            ),
        ];
        for (method, path, body, status, field) in json_cases {
            let (s, b) = api
                .call(
                    Some(&p.worker),
                    Method::from_bytes(method.as_bytes()).unwrap(),
                    &path,
                    Some(body.clone()),
                )
                .await;
            assert_eq!(s.as_u16(), status, "{path} {body} → {b}");
            assert_eq!(b["status"], status, "{b}");
            assert!(
                b["type"].as_str().unwrap().starts_with("urn:hoso:problem:"),
                "{b}"
            );
            assert!(!b["detail"].as_str().unwrap().is_empty(), "{b}");
            if let Some(f) = field {
                assert!(
                    b["errors"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|e| e["field"].as_str().unwrap().ends_with(f)),
                    "{path} {body}: expected field {f} in {b}"
                );
            }
        }
        let raw = |ct: &'static str, body: Vec<u8>| {
            api.http
                .post(format!("{}/cases", api.base))
                .bearer_auth(&p.worker)
                .header("content-type", ct)
                .body(body)
        };
        let big = format!("{{\"description\": \"{}\"}}", "x".repeat(300 * 1024)).into_bytes();
        for (req, status) in [
            (raw("application/json", b"{\"child_id\": ".to_vec()), 400),
            (
                raw("application/json", b"{\"child_id\": \"x\", \"harm".to_vec()),
                400,
            ),
            (raw("application/json", b"\xff\xfe".to_vec()), 400),
            (raw("text/plain", b"{}".to_vec()), 415),
            (raw("application/json", big), 413),
        ] {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status().as_u16(), status, "{resp:?}");
            assert_eq!(resp.headers()["content-type"], "application/problem+json");
        }
        for (path, status) in [
            ("/cases?limit=abc", 422),
            ("/cases?limit=100000", 422),
            ("/cases?status=bogus", 422),
            ("/cases?harm_type=bogus", 422),
            ("/cases?colour=red", 422),
            ("/stats?period=week", 422),
            (
                &format!("/cases/{id}/timeline?as_of=yesterday") as &str,
                422,
            ),
            ("/cases/HS-NOPE", 404),
            ("/nowhere", 404),
        ] {
            let (s, b) = api.get(&p.worker, path).await;
            assert_eq!(s.as_u16(), status, "{path} → {b}");
            assert_eq!(b["status"], status, "{b}");
        }
        let resp = api
            .http
            .delete(format!("{}/cases", api.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 405);
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        assert_eq!(api.head().await, before, "bad input stored something");
        intake = intake_body(&child, c);
        let _ = &intake;
        db.drop_db().await;
    }
);

both_backends!(http_idempotency_key, |db: TestDb| async move {
    let api = spawn(&db).await;
    let p = cast(&api).await;
    let (c, _) = communes();
    let child = register_child(&api, &p.worker, c).await;
    let send = |body: Value, key: &'static str| {
        api.http
            .post(format!("{}/cases", api.base))
            .bearer_auth(&p.worker)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let body = intake_body(&child, c);
    let before = api.head().await;
    let first = send(body.clone(), "k-1").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send(body.clone(), "k-1").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first, again);
    assert_eq!(api.head().await, before + 1, "written twice");
    let mut other = body.clone();
    other["description"] = json!("Khác.");
    let (s, b) = {
        let r = send(other, "k-1").await.unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(api.head().await, before + 1);
    // A refused command is replayed as refused, too.
    let mut bad = body.clone();
    bad["date_of_birth"] = json!("2001-01-01");
    let r1 = send(bad.clone(), "k-2").await.unwrap().status();
    let r2 = send(bad, "k-2").await.unwrap().status();
    assert_eq!(
        (r1, r2),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY
        )
    );
    db.drop_db().await;
});

both_backends!(http_openapi_and_request_id, |db: TestDb| async move {
    let api = spawn(&db).await;
    let resp = api
        .http
        .get(format!("{}/openapi.json", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().contains_key("x-request-id"));
    let doc: Value = resp.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/actions",
        "/api/v1/cases/{id}/timeline",
        "/api/v1/children",
        "/api/v1/children/{id}/actions",
        "/api/v1/officers",
        "/api/v1/officers/{id}/actions",
        "/api/v1/officers/{id}/history",
        "/api/v1/stats",
        "/api/v1/access-log",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in [
        "CaseAction",
        "Intake",
        "ChildAction",
        "OfficerAction",
        "Registration",
        "Problem",
    ] {
        assert!(schemas.contains_key(s), "schema {s} missing");
    }
    let resp = api
        .http
        .get(format!("{}/me", api.base))
        .header("x-request-id", "req-abc")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "req-abc");
    db.drop_db().await;
});

/// The events of an officer's chain: (event type, payload, metadata).
async fn officer_chain(api: &Api, id: &str) -> Vec<(String, Value, Value)> {
    api.ledger
        .events_of("Officer", id, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.event_type.clone(),
                serde_json::from_str(&e.payload).unwrap(),
                serde_json::from_str(&e.metadata).unwrap(),
            )
        })
        .collect()
}

both_backends!(http_nobody_acts_in_another_name, |db: TestDb| async move {
    let api = spawn(&db).await;
    let (c, _) = communes();
    let admin = api.login("admin-1").await;
    let chairman = api
        .officer(&admin, "ct-1", "commune_chairman", commune_unit(c))
        .await;

    // No API token for a person: the admin cannot act as the chairman.
    let (s, b) = api
        .post(
            &admin,
            "/tokens",
            json!({"officer_id": "ct-1", "label": "x", "days": 30}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("system"), "{b}");
    // An admin never sets a person's password, at registration neither.
    let (s, b) = api
        .post(
            &admin,
            "/officers",
            json!({"id": "ct-2", "full_name": "Chủ tịch mới", "role": "commune_chairman",
                   "unit": commune_unit(c), "password": "mật-khẩu-do-quản-trị-đặt"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "password", "{b}");
    // A system account: no password at registration…
    let (s, b) = api
        .post(
            &admin,
            "/officers",
            json!({"id": "tong-dai", "full_name": "Tổng đài 111", "role": "system",
                   "unit": {"level": "national"}, "password": PW}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = api
        .post(
            &admin,
            "/officers",
            json!({"id": "tong-dai", "full_name": "Tổng đài 111", "role": "system",
                   "unit": {"level": "national"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // …and a token, issued in its chain by the admin; at most a year.
    let (s, _) = api
        .post(
            &admin,
            "/tokens",
            json!({"officer_id": "tong-dai", "label": "x", "days": 400}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, b) = api
        .post(
            &admin,
            "/tokens",
            json!({"officer_id": "tong-dai", "label": "máy chủ tổng đài", "days": 90}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let system = b["token"].as_str().unwrap().to_string();
    let token_id = b["token_id"].as_str().unwrap().to_string();
    let (s, me) = api.get(&system, "/me").await;
    assert_eq!((s, me["role"].as_str()), (StatusCode::OK, Some("system")));
    let chain = officer_chain(&api, "tong-dai").await;
    let (t, p, m) = chain.last().unwrap();
    assert_eq!(t, "ApiTokenIssued");
    assert_eq!(p["token_id"], json!(token_id));
    assert_eq!(m["actor_id"], json!("admin-1"));
    assert!(m["auth"].as_str().unwrap().starts_with("session:"), "{m}");

    // The switchboard takes an intake; the event says which token acted.
    let child = register_child(&api, &system, c).await;
    let (s, b) = api.post(&system, "/cases", intake_body(&child, c)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let case = b["case_id"].as_str().unwrap();
    let first = &api.ledger.events_of("Case", case, 0).await.unwrap()[0];
    let m: Value = serde_json::from_str(&first.metadata).unwrap();
    assert_eq!(m["actor_id"], json!("tong-dai"));
    assert_eq!(m["auth"], json!(format!("api:{token_id}")));
    // The switchboard reads the case it took in, nothing else of the commune.
    let (s, _) = api.get(&system, &format!("/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK);
    // Listed and revoked (with a reason, in the chain); then refused.
    let (s, list) = api.get(&admin, "/tokens?officer_id=tong-dai").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["token_id"], json!(token_id));
    assert_eq!(list[0]["kind"], json!("api"));
    let (s, _) = api
        .post(
            &admin,
            &format!("/tokens/{token_id}/revoke"),
            json!({"officer_id": "tong-dai"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed");
    let (s, b) = api
        .post(
            &admin,
            &format!("/tokens/{token_id}/revoke"),
            json!({"officer_id": "tong-dai", "reason": "máy chủ thay mới"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, _) = api.get(&system, "/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        officer_chain(&api, "tong-dai").await.last().unwrap().0,
        "ApiTokenRevoked"
    );
    // An admin does not list or revoke a person's sessions.
    let (s, _) = api.get(&admin, "/tokens?officer_id=ct-1").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The admin cannot set the chairman's password, nor record a password
    // or token event through the generic officer actions.
    let put = |token: &str, id: &str, body: Value| {
        let r = api
            .http
            .put(format!("{}/officers/{id}/password", api.base))
            .bearer_auth(token.to_string())
            .json(&body);
        async move { r.send().await.unwrap().status() }
    };
    let s = put(
        &admin,
        "ct-1",
        json!({"current_password": PW, "password": "mật-khẩu-của-quản-trị"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = api
        .post(
            &admin,
            "/officers/ct-1/actions",
            json!({"type": "set_password", "officer_id": "admin-1", "how": "changed"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    // A reset: every session of the chairman ends, the old password no
    // longer works, and only the activation code sets a new one.
    let other_session = api.login("ct-1").await;
    let (s, b) = api
        .post(
            &admin,
            "/officers/ct-1/password-reset",
            json!({"reason": "Quên mật khẩu"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = b["activation_code"].as_str().unwrap().to_string();
    for t in [&chairman, &other_session] {
        let (s, _) = api.get(t, "/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, _) = api
        .call(
            None,
            Method::POST,
            "/auth/login",
            Some(json!({"officer_id": "ct-1", "password": PW})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let activate = |code: &str, password: &str| {
        api.call(
            None,
            Method::POST,
            "/auth/activate",
            Some(json!({"officer_id": "ct-1", "activation_code": code, "password": password})),
        )
    };
    let (s, _) = activate("không-phải-mã", "mật-khẩu-mới-của-chủ-tịch").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = activate(&code, "mật-khẩu-mới-của-chủ-tịch").await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, _) = activate(&code, "mật-khẩu-thứ-ba-của-ai-đó").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a code works once");
    let (s, b) = api
        .call(
            None,
            Method::POST,
            "/auth/login",
            Some(json!({"officer_id": "ct-1", "password": "mật-khẩu-mới-của-chủ-tịch"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let chairman = b["token"].as_str().unwrap().to_string();
    let chain = officer_chain(&api, "ct-1").await;
    let tail: Vec<(&str, &str, &str)> = chain[chain.len() - 2..]
        .iter()
        .map(|(t, _, m)| {
            (
                t.as_str(),
                m["actor_id"].as_str().unwrap(),
                m["auth"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(tail[0].0, "PasswordReset");
    assert_eq!(tail[0].1, "admin-1");
    assert_eq!(tail[1], ("PasswordSet", "ct-1", "activation"));

    // Their own change needs the current password and ends every session.
    let second = api
        .call(
            None,
            Method::POST,
            "/auth/login",
            Some(json!({"officer_id": "ct-1", "password": "mật-khẩu-mới-của-chủ-tịch"})),
        )
        .await
        .1["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, list) = api.get(&chairman, "/tokens").await;
    assert_eq!(s, StatusCode::OK);
    // Revoked sessions stay listed (with when) until they expire.
    let mine: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["revoked_at"].is_null())
        .collect();
    assert_eq!(mine.len(), 2, "{list}");
    assert_eq!(
        mine.iter().filter(|t| t["current"] == json!(true)).count(),
        1
    );
    let s = put(
        &chairman,
        "ct-1",
        json!({"current_password": "sai", "password": "mật-khẩu-thứ-tư-đây"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let s = put(
        &chairman,
        "ct-1",
        json!({"current_password": "mật-khẩu-mới-của-chủ-tịch", "password": "mật-khẩu-thứ-tư-đây"}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for t in [&chairman, &second] {
        let (s, _) = api.get(t, "/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (t, p, m) = officer_chain(&api, "ct-1").await.pop().unwrap();
    assert_eq!((t.as_str(), &p["how"]), ("PasswordSet", &json!("changed")));
    assert_eq!(m["actor_id"], json!("ct-1"));
});

/// A child of province `p`, commune `c`, named `name`; its id.
async fn child_in(api: &Api, token: &str, p: u32, c: u32, name: &str) -> String {
    let commune = json!({"structure": "2025", "province": p, "commune": c});
    let (s, b) = api
        .post(
            token,
            "/children",
            json!({"full_name": name, "date_of_birth": "2015-03-04", "sex": "female",
                   "ethnicity": "Tày", "address": {"commune": commune, "detail": "Bản Nà"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["child_id"].as_str().unwrap().to_string()
}

/// An intake in province `p`, commune `c`, with a named reporter; the case id.
async fn case_in(api: &Api, token: &str, child: &str, p: u32, c: u32, reporter: &str) -> String {
    let (s, b) = api
        .post(
            token,
            "/cases",
            json!({"child_id": child, "date_of_birth": "2015-03-04",
                   "commune": {"structure": "2025", "province": p, "commune": c},
                   "source": "neighbour_or_relative", "description": "Hàng xóm báo trẻ bị bỏ mặc.",
                   "harm_types": ["neglect"],
                   "reporter": {"name": reporter, "phone": "0912 345 678", "relation": "hàng xóm"},
                   "received_at": (Utc::now() - Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["case_id"].as_str().unwrap().to_string()
}

// Probes over HTTP as every role, in two provinces, with an officer
// transferred from one to the other and a child registered in the other:
// every answer (lists, case, timeline, child, history) is searched for the
// other area's records and for fields the role may not see. Zero leaks.
both_backends!(http_probe_every_role, |db: TestDb| async move {
    let api = spawn(&db).await;
    let (c, _) = communes();
    let cast = cast(&api).await;
    let ls = places::current().province(20).expect("Lạng Sơn");
    let lc = ls.wards[0].code;
    let ls_unit = json!({"level": "commune", "province": 20, "commune": lc});
    let ls_worker = api
        .officer(&cast.admin, "cb-ls", "commune_worker", ls_unit.clone())
        .await;
    let ls_manager = api
        .officer(
            &cast.admin,
            "so-ls",
            "provincial_manager",
            json!({"level": "province", "province": 20}),
        )
        .await;
    let ls_inspector = api
        .officer(
            &cast.admin,
            "tt-ls",
            "inspector",
            json!({"level": "province", "province": 20}),
        )
        .await;
    let moved = api
        .officer(&cast.admin, "cb-moved", "commune_worker", ls_unit)
        .await;

    // Lạng Sơn: a child and a case, one of them recorded by the officer who
    // is then transferred to Hà Tĩnh.
    let ls_child = child_in(&api, &ls_worker, 20, lc, "Hoàng Thị Lạng").await;
    let ls_case = case_in(&api, &moved, &ls_child, 20, lc, "Người Báo Lạng Sơn").await;
    let (s, b) = api
        .post(
            &cast.admin,
            "/officers/cb-moved/actions",
            json!({"type": "change_assignment", "role": "commune_worker",
                   "unit": commune_unit(c), "from": Utc::now().with_timezone(&hoso_domain::calendar::VN_OFFSET).date_naive().to_string(),
                   "reason": "Quyết định điều động 5/QĐ"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Hà Tĩnh: a child and a case with a named reporter.
    let ht_child = child_in(&api, &cast.worker, 42, c, "Trần Thị Hà").await;
    let ht_case = case_in(&api, &cast.worker, &ht_child, 42, c, "Người Báo Hà Tĩnh").await;
    // The side door: an intake in Hà Tĩnh naming Lạng Sơn's child.
    let (s, b) = api
        .post(
            &cast.worker,
            "/cases",
            json!({"child_id": ls_child, "date_of_birth": "2015-03-04",
            "commune": commune_ref(c), "source": "school", "description": "x",
            "harm_types": ["neglect"], "received_at": Utc::now().to_rfc3339()}),
        )
        .await;
    assert!(
        s == StatusCode::NOT_FOUND || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s} {b}"
    );

    let paths = [
        "/cases".to_string(),
        "/cases?province=20".to_string(),
        "/cases?province=42".to_string(),
        format!("/cases/{ht_case}"),
        format!("/cases/{ht_case}/timeline"),
        format!("/children/{ht_child}"),
        format!("/cases/{ls_case}"),
        format!("/cases/{ls_case}/timeline"),
        format!("/children/{ls_child}"),
        "/officers/cb-moved/history".to_string(),
    ];
    // What each role may find: (Hà Tĩnh case content, Hà Tĩnh reporter,
    // Lạng Sơn case content, Lạng Sơn reporter).
    let roles: Vec<(&str, &str, [bool; 4])> = vec![
        ("worker", cast.worker.as_str(), [true, true, false, false]),
        (
            "chairman",
            cast.chairman.as_str(),
            [true, true, false, false],
        ),
        (
            "collaborator",
            cast.collaborator.as_str(),
            [true, false, false, false],
        ),
        (
            "worker of another commune",
            cast.stranger.as_str(),
            [false, false, false, false],
        ),
        (
            "hotline",
            cast.hotline.as_str(),
            [false, false, false, false],
        ),
        (
            "manager 42",
            cast.manager.as_str(),
            [true, false, false, false],
        ),
        (
            "inspector 42",
            cast.inspector.as_str(),
            [true, false, false, false],
        ),
        ("admin", cast.admin.as_str(), [false, false, false, false]),
        (
            "worker of Lạng Sơn",
            ls_worker.as_str(),
            [false, false, true, true],
        ),
        (
            "manager 20",
            ls_manager.as_str(),
            [false, false, true, false],
        ),
        (
            "inspector 20",
            ls_inspector.as_str(),
            [false, false, true, false],
        ),
        (
            "transferred worker",
            moved.as_str(),
            [true, true, false, false],
        ),
    ];
    let markers = [
        ("Hà Tĩnh case", vec!["Trần Thị Hà", ht_case.as_str()]),
        ("Hà Tĩnh reporter", vec!["Người Báo Hà Tĩnh"]),
        ("Lạng Sơn case", vec!["Hoàng Thị Lạng", ls_case.as_str()]),
        ("Lạng Sơn reporter", vec!["Người Báo Lạng Sơn"]),
    ];
    let mut leaks = Vec::new();
    let mut missing = Vec::new();
    for (name, token, may) in &roles {
        let mut seen = String::new();
        for p in &paths {
            let (_, body) = api.get_why(token, p).await;
            seen.push_str(&body.to_string());
        }
        for ((what, needles), allowed) in markers.iter().zip(may) {
            let found = needles.iter().any(|n| seen.contains(n));
            if found && !allowed {
                leaks.push(format!("{name} saw the {what}"));
            }
            if !found && *allowed {
                missing.push(format!("{name} did not see the {what}"));
            }
        }
        // The phone number goes with the reporter.
        if seen.contains("0912 345 678") && !may[1] && !may[3] {
            leaks.push(format!("{name} saw a reporter's phone number"));
        }
    }
    assert!(leaks.is_empty(), "leaks: {leaks:#?}");
    assert!(
        missing.is_empty(),
        "the probes reached nothing: {missing:#?}"
    );
});

// Every sign-in to a known account, refused or not, is an event of its access
// chain that the area's inspector reads (with the address it came from);
// attempts on ids without an account are not recorded as events.
both_backends!(
    http_sign_ins_are_in_the_access_log,
    |db: TestDb| async move {
        let api = spawn(&db).await;
        let cast = cast(&api).await;
        let before = api.head().await;
        let login = |id: &str, pw: &str| {
            api.call(
                None,
                Method::POST,
                "/auth/login",
                Some(json!({"officer_id": id, "password": pw})),
            )
        };
        let (s, _) = login("ct-1", "sai mật khẩu rồi").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let after_wrong = api.head().await;
        assert_eq!(after_wrong, before + 1, "the refused sign-in is one event");
        let (s, _) = login("khong-co-ai", "sai mật khẩu rồi").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(
            api.head().await,
            after_wrong,
            "no event for an id without an account"
        );
        let chairman = api.login("ct-1").await;
        // Signing out is recorded too.
        let (s, _) = api
            .call(Some(&chairman), Method::POST, "/auth/logout", None)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        let (s, page) = api
            .get_why(&cast.inspector, "/access-log?officer=ct-1")
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let rows: Vec<&Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["subject_type"] == json!("Account"))
            .collect();
        let whats: Vec<&str> = rows.iter().map(|r| r["what"].as_str().unwrap()).collect();
        assert!(whats.contains(&"sign_in_wrong_password"), "{page}");
        assert!(whats.contains(&"sign_in_ok"), "{page}");
        assert!(whats.contains(&"session_ended_signed_out"), "{page}");
        assert!(
            rows.iter().all(|r| r["subject_id"] == json!("ct-1")),
            "{page}"
        );
        assert!(
            rows.iter()
                .filter(|r| r["what"].as_str().unwrap().starts_with("sign_in"))
                .all(|r| r["client_ip"].as_str() == Some("127.0.0.1")),
            "{page}"
        );
        // The successful one names the session it opened.
        let chain = api.ledger.events_of("AccessLog", "ct-1", 0).await.unwrap();
        let ok = chain
            .iter()
            .rev()
            .find(|e| e.event_type == "SignIn")
            .unwrap();
        let m: Value = serde_json::from_str(&ok.metadata).unwrap();
        assert!(m["auth"].as_str().unwrap().starts_with("session:"), "{m}");
        // An inspector of another province does not see them.
        let other = api
            .officer(
                &cast.admin,
                "tt-20",
                "inspector",
                json!({"level": "province", "province": 20}),
            )
            .await;
        let (s, page) = api.get_why(&other, "/access-log?officer=ct-1").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page["items"].as_array().unwrap().is_empty(), "{page}");
    }
);

// Sign-in abuse: after five failures in a row an account waits before the
// next attempt is checked (429 with Retry-After, in problem+json), even with
// the right password; unknown ids are throttled alike; an admin lifts the lock.
both_backends!(http_sign_in_throttling, |db: TestDb| async move {
    let api = spawn(&db).await;
    let cast = cast(&api).await;
    let attempt = |id: &str, pw: &str| {
        let r = api
            .http
            .post(format!("{}/auth/login", api.base))
            .json(&json!({"officer_id": id, "password": pw}));
        async move {
            let resp = r.send().await.unwrap();
            let retry = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let kind = resp
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            (body["status"].as_u64().unwrap_or(200), retry, kind, body)
        }
    };
    for id in ["ct-1", "khong-co-ai"] {
        for _ in 0..5 {
            let (s, ..) = attempt(id, "sai mật khẩu rồi").await;
            assert_eq!(s, 401, "{id}");
        }
        // The sixth attempt is not even checked, the right password neither.
        let (s, retry, kind, body) = attempt(id, PW).await;
        assert_eq!(s, 429, "{id}: {body}");
        assert_eq!(retry.as_deref(), Some("1"), "{id}");
        assert_eq!(kind.as_deref(), Some("application/problem+json"));
        assert_eq!(body["type"], json!("urn:hoso:problem:too-many-attempts"));
    }
    // Only an admin lifts a lock; then the right password works at once.
    let r = api
        .http
        .delete(format!("{}/officers/ct-1/sign-in-lock", api.base))
        .bearer_auth(&cast.worker)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = api
        .http
        .delete(format!("{}/officers/ct-1/sign-in-lock", api.base))
        .bearer_auth(&cast.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, _, _, body) = attempt("ct-1", PW).await;
    assert_eq!(s, 200, "{body}");
});

// Liveness and readiness for supervisors and load balancers.
both_backends!(http_health_live_and_ready, |db: TestDb| async move {
    let api = spawn(&db).await;
    let root = api.base.trim_end_matches("/api/v1").to_string();
    for (path, status) in [
        ("/health/live", "live"),
        ("/health/ready", "ready"),
        ("/health", "ok"),
    ] {
        let r = api.http.get(format!("{root}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["status"], json!(status), "{path}: {b}");
    }
    // The store closed under it: live stays up, ready says 503.
    api.ledger.db().close().await;
    let r = api
        .http
        .get(format!("{root}/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = api
        .http
        .get(format!("{root}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
});

// Tables that would grow with every request stay the size of current work:
// old idempotency keys and long-expired tokens are pruned; current ones stay.
both_backends!(old_keys_and_tokens_are_pruned, |db: TestDb| async move {
    let api = spawn(&db).await;
    let admin = api.login("admin-1").await;
    let old = "2020-01-01T00:00:00.000000Z";
    db.sql(&format!(
        "INSERT INTO idempotency (officer_id, key, request_hash, status, response, created_at) \
         VALUES ('admin-1', 'cũ', 'h', 201, '{{}}', '{old}'); \
         INSERT INTO auth_tokens (token_hash, officer_id, kind, label, created_at, expires_at, revoked_at) \
         VALUES ('00ab', 'admin-1', 'session', 'sign-in', '{old}', '2020-01-02T00:00:00.000000Z', NULL)"
    ))
    .await
    .unwrap();
    let (keys, tokens) = hoso_service::accounts::prune(&api._server.as_ref().unwrap().svc)
        .await
        .unwrap();
    assert_eq!((keys, tokens), (1, 1));
    // The current session still works; nothing more to prune.
    let (s, _) = api.get(&admin, "/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        hoso_service::accounts::prune(&api._server.as_ref().unwrap().svc)
            .await
            .unwrap(),
        (0, 0)
    );
});

// Shutdown under load (what `hoso serve` does on SIGTERM, after the signal):
// clients keep registering children while the server is told to stop. It
// stops accepting, answers what is in flight and returns within a bound;
// every command answered 2xx is stored, none is answered 5xx (a refused
// connection after the stop is fine: it was never acknowledged), and the
// store verifies.
both_backends!(
    shutdown_under_load_loses_nothing_answered,
    |db: TestDb| async move {
        use std::sync::atomic::{AtomicBool, Ordering};
        let mut api = spawn(&db).await;
        let people = cast(&api).await;
        let (c, _) = communes();
        let server = api._server.take().unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for client in 0..4 {
            let (base, token, stop) = (api.base.clone(), people.worker.clone(), stop.clone());
            clients.push(tokio::spawn(async move {
                let http = Client::new();
                let (mut stored, mut fives, mut refused) = (Vec::new(), 0, 0);
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let mut body = child_body(c);
                    body["full_name"] = json!(format!("Trẻ Thử Số {client} {i}"));
                    body["date_of_birth"] =
                        json!(format!("2015-{:02}-{:02}", 1 + i % 12, 1 + client));
                    let sent = http
                        .post(format!("{base}/children"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            let b: Value = r.json().await.unwrap();
                            stored.push(b["child_id"].as_str().unwrap().to_string());
                        }
                        Ok(r) if r.status().is_server_error() => {
                            fives += 1;
                            eprintln!("{} {}", r.status(), r.text().await.unwrap_or_default());
                        }
                        Ok(_) => {}
                        // Refused, or closed by the stopping server before an answer.
                        Err(_) => {
                            refused += 1;
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                    }
                }
                (stored, fives, refused)
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let started = std::time::Instant::now();
        server.shutdown().await.unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "shutdown took {:?}",
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        stop.store(true, Ordering::Relaxed);
        let (mut acked, mut fives, mut refused) = (Vec::new(), 0, 0);
        for c in clients {
            let (s, f, r) = c.await.unwrap();
            acked.extend(s);
            fives += f;
            refused += r;
        }
        assert_eq!(fives, 0, "answers 5xx around the shutdown");
        assert!(acked.len() > 10, "the load ran: {} commands", acked.len());
        assert!(refused > 0, "the clients were still sending after the stop");
        for id in &acked {
            let events = api.ledger.events_of("Child", id, 0).await.unwrap();
            assert!(
                !events.is_empty(),
                "child {id} was acknowledged but is not stored"
            );
        }
        let report = hoso_ledger::verify::verify(&api.ledger).await.unwrap();
        assert!(report.is_intact(), "{:?}", report.findings);
        db.drop_db().await;
    }
);

// Disk full (SQLite on a tmpfs of its own, filled up): commands are refused
// with 507 and a problem document saying so, never 500; nothing of a refused
// command is stored (every acknowledged one is); the service keeps running,
// and once space returns commands succeed again and the store verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_commands_with_507_and_loses_nothing() {
    let Some(disk) = hoso_tests::SmallDisk::mount(16) else {
        return;
    };
    let url = format!("sqlite://{}", disk.dir.join("hoso.db").display());
    let api = spawn_at(&url, &disk.dir.join("hoso-kek.key")).await;
    let admin = api.login("admin-1").await;
    let (c, _) = communes();
    let worker = api
        .officer(&admin, "cb-1", "commune_worker", commune_unit(c))
        .await;
    let child = |i: usize| {
        let mut body = child_body(c);
        body["full_name"] = json!(format!("Trẻ Đĩa Đầy {i}"));
        body["date_of_birth"] = json!(format!("2014-{:02}-{:02}", 1 + i % 12, 1 + i % 28));
        body
    };
    let mut acked = Vec::new();
    let (s, b) = api.post(&worker, "/children", child(0)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    acked.push(b["child_id"].as_str().unwrap().to_string());

    disk.fill();
    let mut refused = None;
    for i in 1..2000 {
        let before = api.head().await;
        let (s, b) = api.post(&worker, "/children", child(i)).await;
        match s {
            StatusCode::CREATED => acked.push(b["child_id"].as_str().unwrap().to_string()),
            StatusCode::INSUFFICIENT_STORAGE => {
                assert_eq!(api.head().await, before, "a refused command left events");
                refused = Some(b);
                break;
            }
            other => panic!("{other}: {b}"),
        }
    }
    let problem = refused.expect("no command was refused on a full disk");
    assert_eq!(
        problem["type"], "urn:hoso:problem:storage-full",
        "{problem}"
    );
    assert_eq!(problem["status"], 507, "{problem}");
    // Still full: refused again, and the service answers its health check.
    let (s, _) = api.post(&worker, "/children", child(5000)).await;
    assert_eq!(s, StatusCode::INSUFFICIENT_STORAGE);
    let live = api
        .http
        .get(api.base.replace("/api/v1", "/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);

    disk.free();
    let (s, b) = api.post(&worker, "/children", child(6000)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    acked.push(b["child_id"].as_str().unwrap().to_string());
    for id in &acked {
        let events = api.ledger.events_of("Child", id, 0).await.unwrap();
        assert!(!events.is_empty(), "child {id} acknowledged, not stored");
    }
    let report = hoso_ledger::verify::verify(&api.ledger).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.findings);
    drop(api);
    drop(disk);
}

// Readiness names a follower left behind: events appended with no follower
// running are fine while recent, not once the oldest waits longer than
// MAX_LAG; caught up, ready again.
both_backends!(
    readiness_names_a_follower_left_behind,
    |db: TestDb| async move {
        use hoso_projections::{runner, Target};
        use hoso_service::health::{readiness, MAX_LAG};
        let ledger = hoso_service::privacy::open_ledger(&db.url, &db.kek_path())
            .await
            .unwrap();
        for p in Projection::ALL {
            runner::ensure(ledger.db(), &Target::live(p)).await.unwrap();
        }
        let svc = hoso_service::Service::new(hoso_service::App::new(ledger.clone()).unwrap());
        first_admin(&svc, None).await;
        let now = Utc::now();
        let r = readiness(&svc, true, now).await.unwrap();
        assert!(r.ready, "{r:?}");
        assert!(r.projections.iter().all(|l| l.behind > 0), "{r:?}");
        let later = now + Duration::seconds(MAX_LAG.as_secs() as i64 + 5);
        let r = readiness(&svc, true, later).await.unwrap();
        assert!(!r.ready, "{r:?}");
        assert!(r.projections.iter().all(|l| !l.ok), "{r:?}");
        for p in Projection::ALL {
            runner::catch_up(&ledger, &Target::live(p), None)
                .await
                .unwrap();
        }
        let r = readiness(&svc, true, later).await.unwrap();
        assert!(r.ready, "{r:?}");
        assert!(r.projections.iter().all(|l| l.behind == 0), "{r:?}");
        db.drop_db().await;
    }
);
