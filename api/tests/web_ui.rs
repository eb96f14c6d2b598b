//! The web pages at `/`: over plain HTTP on both backends (sign-in cookie,
//! unit rules, the API's validation messages, Origin check, CSV with BOM,
//! language switch), and end to end in headless Chromium through chromedriver
//! (fantoccini), with screenshots of every page under `target/screenshots/`.
//!
//! The browser test needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's
//! `chromium` and `chromium-driver`; `HOSO_CHROMIUM` / `HOSO_CHROMEDRIVER`
//! override the paths). Without them it fails when `CI=true` and is skipped
//! with a message otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Duration as Span, FixedOffset, Utc};
use fantoccini::{Client as Browser, ClientBuilder, Locator};
use hoso_api::server::{start, Config, Server};
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::places;
use hoso_ledger::checkpoint::Signer;
use hoso_service::officers::{create, NewOfficer};
use hoso_service::Service;
use hoso_tests::{both_backends, Backend, TestDb};
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PW: &str = "mật-khẩu-thử-nghiệm";
/// Every wait in the browser is bounded by this.
const WAIT: Duration = Duration::from_secs(10);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn commune() -> u32 {
    places::current().province(42).expect("Hà Tĩnh").wards[0].code
}

fn other_commune() -> u32 {
    places::current().province(42).expect("Hà Tĩnh").wards[1].code
}

struct Site {
    root: String,
    ledger: hoso_ledger::Ledger,
    http: Client,
    _server: Server,
}

async fn officer(state: &Service, id: &str, name: &str, role: Role, unit: Unit) {
    let admin = Actor {
        officer_id: "admin-1".into(),
        role: Role::Admin,
        unit: Unit::National,
    };
    create(
        state,
        &admin,
        NewOfficer {
            id: Some(id.into()),
            full_name: name.into(),
            role,
            unit,
            active_from: None,
            password: Some(PW.into()),
        },
    )
    .await
    .unwrap();
}

/// A server with an admin, a commune worker and chairman, a worker of another
/// commune and a provincial inspector; with `demo`, sample cases too.
async fn spawn(db: &TestDb, demo: bool) -> Site {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let ledger = hoso_service::privacy::open_ledger(&db.url, &db.kek_path())
        .await
        .unwrap();
    let signer = Signer::from_seed(&[7u8; 32]);
    let server = start(
        ledger.clone(),
        Config {
            signer: Some(Signer::from_seed(&[7u8; 32])),
            ..Config::local()
        },
    )
    .await
    .unwrap();
    if demo {
        hoso_demo::load(&server.svc.app, 40, 111).await.unwrap();
    }
    let state = server.svc.clone();
    let c = commune();
    officer(
        &state,
        "admin-1",
        "Quản trị viên",
        Role::Admin,
        Unit::National,
    )
    .await;
    let commune_unit = Unit::Commune {
        province: 42,
        commune: c,
    };
    officer(
        &state,
        "cb-1",
        "Nguyễn Thị Hạnh",
        Role::CommuneWorker,
        commune_unit,
    )
    .await;
    officer(
        &state,
        "ct-1",
        "Lê Văn Đức",
        Role::CommuneChairman,
        commune_unit,
    )
    .await;
    officer(
        &state,
        "cb-9",
        "Phạm Quốc Việt",
        Role::CommuneWorker,
        Unit::Commune {
            province: 42,
            commune: other_commune(),
        },
    )
    .await;
    officer(
        &state,
        "tt-42",
        "Trần Thị Thủy",
        Role::Inspector,
        Unit::Province { province: 42 },
    )
    .await;
    hoso_service::signing::issue_now(&ledger, &signer, false)
        .await
        .unwrap();
    Site {
        root: server.url(),
        ledger,
        http: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _server: server,
    }
}

impl Site {
    async fn token(&self, id: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/v1/auth/login", self.root))
            .json(&json!({"officer_id": id, "password": PW}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Registers a child and opens a case through the JSON API.
    async fn open_case(&self, token: &str) -> String {
        let c = commune();
        let r = self
            .http
            .post(format!("{}/api/v1/children", self.root))
            .bearer_auth(token)
            .json(&json!({
                "full_name": "Nguyễn Văn Ánh", "date_of_birth": "2016-05-01", "sex": "male",
                "ethnicity": "Kinh",
                "address": {"commune": {"structure": "2025", "province": 42, "commune": c}, "detail": "Thôn Đông Hà"},
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let child = r.json::<Value>().await.unwrap()["child_id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = self
            .http
            .post(format!("{}/api/v1/cases", self.root))
            .bearer_auth(token)
            .json(&json!({
                "child_id": child, "date_of_birth": "2016-05-01",
                "commune": {"structure": "2025", "province": 42, "commune": c},
                "source": "school", "description": "Trẻ có vết bầm trên tay, giáo viên chủ nhiệm báo tin.",
                "harm_types": ["violence", "neglect"],
                "received_at": (Utc::now() - Span::hours(3)).to_rfc3339(),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["case_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Signs in through the page and returns the session cookie (`name=value`).
    async fn sign_in(&self, id: &str) -> String {
        let r = self
            .http
            .post(format!("{}/login", self.root))
            .form(&[("officer_id", id), ("password", PW), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let set = r
            .headers()
            .get(SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(set.contains("HttpOnly"), "{set}");
        assert!(set.contains("SameSite=Strict"), "{set}");
        set.split(';').next().unwrap().to_string()
    }

    async fn get(&self, cookie: &str, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.root))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(
        &self,
        cookie: &str,
        path: &str,
        form: &[(&str, &str)],
        origin: &str,
    ) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .post(format!("{}{path}", self.root))
            .header(COOKIE, cookie)
            .header(ORIGIN, origin)
            .form(form)
            .send()
            .await
            .unwrap();
        let loc = r
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        (r.status(), r.text().await.unwrap(), loc)
    }
}

both_backends!(web_pages_over_http, |db: TestDb| async move {
    let site = spawn(&db, false).await;
    let worker_token = site.token("cb-1").await;
    let id = site.open_case(&worker_token).await;

    // Not signed in: every page sends to the sign-in page.
    let r = site
        .http
        .get(format!("{}/cases/{id}", site.root))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
    // A wrong password: the page again, with a message, no cookie.
    let r = site
        .http
        .post(format!("{}/login", site.root))
        .form(&[("officer_id", "cb-1"), ("password", "sai mật khẩu rồi")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get(SET_COOKIE).is_none());
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Mã cán bộ hoặc mật khẩu không đúng"));

    let worker = site.sign_in("cb-1").await;
    let (s, page) = site.get(&worker, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("Tổng quan"), "{page}");
    let (s, page) = site.get(&worker, &format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Nguyễn Văn Ánh"));
    assert!(page.contains("Tiếp nhận thông tin"));
    // Another commune's worker: the case does not exist for them.
    let stranger = site.sign_in("cb-9").await;
    let (s, _) = site.get(&stranger, &format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = site.get(&stranger, "/cases").await;
    assert!(!list.contains(&id));

    // The API's own validation message, nothing stored.
    let origin = site.root.clone();
    let (s, page, _) = site
        .post(
            &worker,
            &format!("/cases/{id}/act"),
            &[("type", "record_fact_check"), ("confirmed", "true")],
            &origin,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("missing field `findings`"), "{page}");
    // A form from another site is refused.
    let (s, _, _) = site
        .post(
            &worker,
            &format!("/cases/{id}/act"),
            &[
                ("type", "record_fact_check"),
                ("confirmed", "true"),
                ("findings", "x"),
            ],
            "http://evil.example",
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A role that may not: the chairman cannot assess risk (the domain's rule).
    let chairman = site.sign_in("ct-1").await;
    let (s, page, _) = site
        .post(
            &chairman,
            &format!("/cases/{id}/act"),
            &[
                ("type", "record_fact_check"),
                ("confirmed", "true"),
                ("findings", "Đã xác minh tại nhà."),
            ],
            &origin,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (s, page, _) = site
        .post(
            &chairman,
            &format!("/cases/{id}/act"),
            &[
                ("type", "assess_initial_risk"),
                ("factors.severity_of_harm", "high"),
                ("factors.abuser_access", "high"),
                ("factors.care_environment_obstacles", "medium"),
                ("factors.child_capacity", "low"),
                ("overall", "high"),
                ("emergency_needed", "true"),
                ("protection_level", "intervention"),
            ],
            &origin,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{page}");
    let (s, page, to) = site
        .post(
            &worker,
            &format!("/cases/{id}/act"),
            &[
                ("type", "assess_initial_risk"),
                ("factors.severity_of_harm", "high"),
                ("factors.abuser_access", "high"),
                ("factors.care_environment_obstacles", "medium"),
                ("factors.child_capacity", "low"),
                ("overall", "high"),
                ("emergency_needed", "true"),
                ("protection_level", "intervention"),
            ],
            &origin,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, page) = site.get(&worker, to.as_deref().unwrap()).await;
    assert!(page.contains("Đã ghi nhận"));
    assert!(page.contains("Đánh giá nguy cơ ban đầu"));
    assert!(page.contains("Lê Văn Đức") || page.contains("ct-1"));

    // The same form sent twice (a double click) records the note once.
    let events_before = site_case_events(&site, &id).await;
    for _ in 0..2 {
        let (s, page, _) = site
            .post(
                &worker,
                &format!("/cases/{id}/act"),
                &[
                    ("type", "add_note"),
                    ("form_key", "0c7d5a1e-double-click"),
                    ("kind", "note"),
                    ("text", "Gọi điện cho gia đình."),
                ],
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    }
    assert_eq!(site_case_events(&site, &id).await, events_before + 1);

    // Statistics CSV: UTF-8 with BOM.
    let r = site
        .http
        .get(format!("{}/stats.csv?chart=harm", site.root))
        .header(COOKIE, &worker)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("violence,Bạo lực,1"), "{text}");

    // English, kept in a cookie.
    let r = site
        .http
        .get(format!("{}/?lang=en", site.root))
        .header(COOKIE, &worker)
        .send()
        .await
        .unwrap();
    let lang = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(lang.starts_with("hoso_lang=en"));
    assert!(r.text().await.unwrap().contains("Dashboard"));
    let (_, page) = site
        .get(&format!("{worker}; hoso_lang=en"), &format!("/cases/{id}"))
        .await;
    assert!(page.contains("Initial risk assessed"), "{page}");

    // The inspector verifies the case and downloads its export, after giving
    // the reason for reading once (a read without one asks for it).
    let session = site.sign_in("tt-42").await;
    let (s, page) = site.get(&session, &format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Lý do tra cứu"), "{page}");
    let r = site
        .http
        .post(format!("{}/ly-do", site.root))
        .header(COOKIE, &session)
        .header(ORIGIN, &origin)
        .form(&[
            ("reason", "Thanh tra theo Quyết định 12/QĐ-TTr"),
            ("next", "/cases"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let kept = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        kept.starts_with("hoso_reason=") && kept.contains("HttpOnly"),
        "{kept}"
    );
    let inspector = format!("{session}; {}", kept.split(';').next().unwrap());
    let (s, page) = site.get(&inspector, &format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let (s, page, _) = site
        .post(
            &inspector,
            "/integrity/verify-case",
            &[("case", id.as_str())],
            &origin,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Nguyên vẹn"), "{page}");
    let r = site
        .http
        .get(format!("{}/integrity/export?case={id}", site.root))
        .header(COOKIE, &inspector)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/x-tar");
    // Signing out revokes the token.
    let (s, _, _) = site.post(&worker, "/logout", &[], &origin).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = site.get(&worker, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    db.drop_db().await;
});

// ---------------------------------------------------------------------------
// Headless Chromium

/// The chromedriver process, stopped when the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var(var)
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(default))
}

async fn browser() -> Option<(Driver, Browser)> {
    let chromium = tool("HOSO_CHROMIUM", "/usr/bin/chromium");
    let driver = tool("HOSO_CHROMEDRIVER", "/usr/bin/chromedriver");
    if !chromium.exists() || !driver.exists() {
        let msg = format!(
            "{} or {} missing: apt-get install -y chromium chromium-driver",
            chromium.display(),
            driver.display()
        );
        if in_ci() {
            panic!("browser tests need Chromium in CI: {msg}");
        }
        eprintln!("skipping the browser test: {msg}");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver_proc = Driver(child);
    let deadline = std::time::Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "chromedriver did not listen within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile = std::env::temp_dir().join(format!("hoso-chromium-{}-{port}", std::process::id()));
    let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--lang=vi-VN",
                format!("--user-data-dir={}", profile.display()),
                "--window-size=1366,768",
            ],
        }
    }))
    .unwrap();
    let client = tokio::time::timeout(
        Duration::from_secs(30),
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}")),
    )
    .await
    .expect("a browser session within 30 s")
    .expect("a browser session");
    Some((driver_proc, client))
}

fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(b: &Browser, name: &str) {
    let png = b.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

async fn wait_css(b: &Browser, css: &str) -> fantoccini::elements::Element {
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` did not appear within 10 s: {e}"))
}

async fn body_text(b: &Browser) -> String {
    b.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn sign_in(b: &Browser, root: &str, id: &str, shot_name: Option<&str>) {
    b.goto(&format!("{root}/login")).await.unwrap();
    let f = wait_css(b, "input[name=officer_id]").await;
    f.send_keys(id).await.unwrap();
    b.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PW)
        .await
        .unwrap();
    if let Some(n) = shot_name {
        shot(b, n).await;
    }
    b.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(b, ".kpis").await;
}

async fn sign_out(b: &Browser) {
    b.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(b, "input[name=officer_id]").await;
}

async fn run_in_browser(db: &TestDb) {
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let site = spawn(db, true).await;
    let root = site.root.clone();
    let worker_token = site.token("cb-1").await;
    let id = site.open_case(&worker_token).await;
    let result = tokio::time::timeout(Duration::from_secs(240), async {
        // 1. Sign in, dashboard.
        sign_in(&b, &root, "cb-1", Some("01-sign-in")).await;
        let text = body_text(&b).await;
        assert!(text.contains("Tổng quan"), "{text}");
        shot(&b, "02-dashboard").await;

        // 2. Case list, open the case.
        b.goto(&format!("{root}/cases")).await.unwrap();
        wait_css(&b, "table.cases").await;
        shot(&b, "03-case-list").await;
        b.find(Locator::LinkText(&id)).await.unwrap().click().await.unwrap();
        wait_css(&b, "#timeline").await;
        shot(&b, "04-case").await;

        // 3. Record the fact check with the form that is open for this step.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        b.find(Locator::Css("#form-record_fact_check select[name=confirmed]"))
            .await
            .unwrap()
            .select_by_value("true")
            .await
            .unwrap();
        b.find(Locator::Css("#form-record_fact_check textarea[name=findings]"))
            .await
            .unwrap()
            .send_keys("Đã đến nhà, gặp mẹ và cô giáo; thông tin là chính xác.")
            .await
            .unwrap();
        b.find(Locator::Css("#form-record_fact_check button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_css(&b, ".success").await;
        let tl = b.find(Locator::Css("#timeline")).await.unwrap().text().await.unwrap();
        assert!(tl.contains("Kiểm tra tính xác thực"), "{tl}");
        assert!(tl.contains("cb-1"), "{tl}");
        assert!(tl.contains("Công chức xã"), "{tl}");
        shot(&b, "05-case-step-recorded").await;

        // 4. The API's validation messages on the page (browser checks off).
        b.execute(
            "document.getElementById('form-assess_initial_risk').open = true;\
             document.querySelectorAll('#form-assess_initial_risk [required]').forEach(e => e.removeAttribute('required'));",
            vec![],
        )
        .await
        .unwrap();
        b.find(Locator::Css("#form-assess_initial_risk button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let err = wait_css(&b, "#form-assess_initial_risk .errors").await;
        let msg = err.text().await.unwrap();
        assert!(msg.contains("missing field"), "{msg}");
        b.execute("document.querySelector('#form-assess_initial_risk').scrollIntoView()", vec![])
            .await
            .unwrap();
        shot(&b, "06-case-validation").await;

        // 5. The dashboard shows the step.
        b.goto(&format!("{root}/")).await.unwrap();
        wait_css(&b, "table.matrix").await;
        let m = b.find(Locator::Css("table.matrix")).await.unwrap().text().await.unwrap();
        assert!(m.contains("Đã kiểm tra thông tin"), "{m}");

        // 6. The as-of picker: just after the intake, before the fact check.
        let t: Value = site
            .http
            .get(format!("{root}/api/v1/cases/{id}/timeline"))
            .bearer_auth(&worker_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let intake: DateTime<Utc> = t["events"][0]["recorded_at"].as_str().unwrap().parse().unwrap();
        let check: DateTime<Utc> = t["events"][1]["recorded_at"].as_str().unwrap().parse().unwrap();
        let moment = intake + Span::seconds(1);
        assert!(moment < check, "the fact check came a second later");
        let vn = FixedOffset::east_opt(7 * 3600).unwrap();
        let local = moment.with_timezone(&vn).format("%Y-%m-%dT%H:%M:%S").to_string();
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        wait_css(&b, "#as_of").await;
        b.execute(
            "document.getElementById('as_of').value = arguments[0];",
            vec![json!(local)],
        )
        .await
        .unwrap();
        b.find(Locator::Css("#asof button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_css(&b, "#asof-banner").await;
        let text = body_text(&b).await;
        assert!(text.contains("Đã tiếp nhận"), "{text}");
        let tl = b.find(Locator::Css("#timeline")).await.unwrap().text().await.unwrap();
        assert!(!tl.contains("Kiểm tra tính xác thực"), "{tl}");
        assert!(tl.contains("sự kiện ghi nhận sau thời điểm này"), "{tl}");
        shot(&b, "07-case-as-of").await;

        // 7. Statistics and a CSV download (with the browser's own session).
        b.goto(&format!("{root}/stats")).await.unwrap();
        wait_css(&b, "#chart-month svg").await;
        shot(&b, "08-statistics").await;
        b.execute("document.getElementById('chart-harm').scrollIntoView()", vec![])
            .await
            .unwrap();
        shot(&b, "08b-statistics-harm-groups").await;
        let href = b
            .find(Locator::Css("#chart-harm a.csv"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let session = b.get_named_cookie("hoso_session").await.unwrap();
        let r = site
            .http
            .get(format!("{root}{href}"))
            .header(COOKIE, format!("hoso_session={}", session.value()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let csv = r.bytes().await.unwrap();
        assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
        let csv_text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert!(csv_text.contains("Bạo lực"), "{csv_text}");
        std::fs::write(shots().join("statistics-harm.csv"), &csv).unwrap();

        // 8. The officer's own page.
        b.goto(&format!("{root}/officer")).await.unwrap();
        wait_css(&b, ".kpis").await;
        let text = body_text(&b).await;
        assert!(text.contains("Nguyễn Thị Hạnh"), "{text}");
        shot(&b, "09-officer").await;

        // 9. English.
        b.goto(&format!("{root}/?lang=en")).await.unwrap();
        wait_css(&b, ".kpis").await;
        assert!(body_text(&b).await.contains("Dashboard"));
        shot(&b, "10-dashboard-en").await;
        b.goto(&format!("{root}/?lang=vi")).await.unwrap();
        wait_css(&b, ".kpis").await;

        // 10. The inspector: dashboard of the province, integrity, one case
        // verified (after a checkpoint, as `serve` issues every 10 s).
        hoso_service::signing::issue_now(&site.ledger, &Signer::from_seed(&[7u8; 32]), true)
            .await
            .unwrap();
        sign_out(&b).await;
        sign_in(&b, &root, "tt-42", None).await;
        shot(&b, "11-dashboard-inspector").await;
        b.goto(&format!("{root}/integrity")).await.unwrap();
        let f = wait_css(&b, "#verify-case input[name=case]").await;
        f.send_keys(&id).await.unwrap();
        b.find(Locator::Css("#verify-case button")).await.unwrap().click().await.unwrap();
        let res = wait_css(&b, "#case-result").await;
        let t = res.text().await.unwrap();
        assert!(t.contains("Nguyên vẹn"), "{t}");
        assert!(t.contains("Có trong điểm kiểm tra đã ký: 2"), "{t}");
        shot(&b, "12-integrity").await;

        // 11. A phone; the inspector gives the reason for reading first.
        b.set_window_size(390, 844).await.unwrap();
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        let why = wait_css(&b, "textarea[name=reason]").await;
        why.send_keys("Thanh tra theo Quyết định 12/QĐ-TTr").await.unwrap();
        b.find(Locator::Css("form[action='/ly-do'] button")).await.unwrap().click().await.unwrap();
        wait_css(&b, "#timeline").await;
        shot(&b, "13-phone-case").await;
        b.goto(&format!("{root}/")).await.unwrap();
        wait_css(&b, ".kpis").await;
        shot(&b, "14-phone-dashboard").await;
    })
    .await;
    let _ = b.close().await;
    result.expect("the browser walk finished within 240 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_in_headless_chromium() {
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    run_in_browser(&db).await;
    db.drop_db().await;
}

async fn site_case_events(site: &Site, id: &str) -> usize {
    site.ledger.events_of("Case", id, 0).await.unwrap().len()
}
