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
    officer(
        &state,
        "ct-9",
        "Hoàng Minh Tuấn",
        Role::CommuneChairman,
        Unit::Commune {
            province: 42,
            commune: other_commune(),
        },
    )
    .await;
    officer(
        &state,
        "h-111",
        "Đỗ Thị Lan",
        Role::HotlineOperator,
        Unit::National,
    )
    .await;
    officer(
        &state,
        "so-42",
        "Vũ Đức Long",
        Role::ProvincialManager,
        Unit::Province { province: 42 },
    )
    .await;
    officer(
        &state,
        "ctv-1",
        "Bùi Thị Hoa",
        Role::Collaborator,
        commune_unit,
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
        let child = json!({
            "full_name": "Nguyễn Văn Ánh", "date_of_birth": "2016-05-01", "sex": "male",
            "ethnicity": "Kinh",
            "address": {"commune": {"structure": "2025", "province": 42, "commune": c}, "detail": "Thôn Đông Hà"},
        });
        let register = |distinct_from: String| {
            self.http
                .post(format!(
                    "{}/api/v1/children?distinct_from={distinct_from}",
                    self.root
                ))
                .bearer_auth(token)
                .json(&child)
                .send()
        };
        let mut r = register(String::new()).await.unwrap();
        if r.status() == StatusCode::CONFLICT {
            // A child of this name registered before (an earlier case of
            // the test): checked, another child.
            let problem: Value = r.json().await.unwrap();
            let ids: Vec<&str> = problem["candidates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["child_id"].as_str().unwrap())
                .collect();
            r = register(ids.join(",")).await.unwrap();
        }
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

    /// Signs an inspector in and gives the reason for reading once, as the
    /// pages ask; returns the session and reason cookies together.
    async fn sign_in_with_reason(&self, id: &str) -> String {
        let session = self.sign_in(id).await;
        let r = self
            .http
            .post(format!("{}/ly-do", self.root))
            .header(COOKIE, &session)
            .header(ORIGIN, &self.root)
            .form(&[
                ("reason", "Thanh tra theo Quyết định 12/QĐ-TTr"),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let kept = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
        format!("{session}; {}", kept.split(';').next().unwrap())
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
    // The API's refusal, in the catalogue's Vietnamese words.
    assert!(
        page.contains("Thiếu thông tin bắt buộc: kết quả kiểm tra"),
        "{page}"
    );
    assert!(!page.contains("missing field"), "{page}");
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

/// One browser test at a time: two Chromium sessions on a small machine
/// would race their own timeouts.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run_in_browser(db: &TestDb) {
    let _one = ONE_BROWSER.lock().await;
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
        assert!(msg.contains("Thiếu thông tin bắt buộc"), "{msg}");
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
        let local = moment.with_timezone(&vn).format("%d/%m/%Y %H:%M:%S").to_string();
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

// ---------------------------------------------------------------------------
// Vietnamese everywhere

/// English words that never occur in a Vietnamese sentence of the pages.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "is",
    "are",
    "not",
    "may",
    "must",
    "with",
    "for",
    "from",
    "this",
    "that",
    "by",
    "be",
    "has",
    "was",
    "case",
    "child",
    "record",
    "show",
    "filter",
    "back",
    "next",
    "previous",
    "sign",
    "export",
    "download",
    "page",
    "none",
    "open",
    "closed",
    "yes",
    "error",
    "found",
    "missing",
    "field",
    "invalid",
    "unknown",
    "step",
    "plan",
    "review",
    "worker",
    "officer",
    "risk",
    "date",
    "time",
    "name",
    "commune",
    "province",
    "submit",
    "choose",
    "all",
    "new",
    "register",
    "intake",
    "attach",
    "file",
    "upload",
    "statistics",
    "dashboard",
    "overdue",
    "deadline",
    "total",
    "required",
    "type",
    "value",
    "expected",
    "string",
    "integer",
    "boolean",
    "variant",
    "should",
    "cannot",
    "already",
    "only",
];

/// `html` without its `<tag …>…</tag>` blocks.
fn strip_blocks(html: &str, tag: &str) -> String {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = String::new();
    let mut r = html;
    while let Some(i) = r.find(&open) {
        out.push_str(&r[..i]);
        match r[i..].find(&close) {
            Some(j) => r = &r[i + j + close.len()..],
            None => return out,
        }
    }
    out.push_str(r);
    out
}

/// The text a person reads on a page: no tags, no machine text (`<pre>`,
/// styles), no paths and file names.
fn visible_words(html: &str) -> Vec<String> {
    visible_text(html)
        .split_whitespace()
        // Paths, addresses and machine text (digests, ids: letters with digits).
        .filter(|t| !t.contains('/') && !t.chars().any(|c| c.is_ascii_digit()))
        .flat_map(|t| {
            t.split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .map(|w| w.to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The page's text without tags and machine text, spaces kept.
fn visible_text(html: &str) -> String {
    let mut rest = html.to_string();
    for tag in ["pre", "style", "script"] {
        rest = strip_blocks(&rest, tag);
    }
    let mut plain = String::new();
    let mut in_tag = false;
    for c in rest.chars() {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn assert_vietnamese(html: &str, what: &str) {
    assert!(
        html.contains("<html lang=\"vi\">"),
        "{what}: not a Vietnamese page"
    );
    let english: Vec<String> = visible_words(html)
        .into_iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .collect();
    let text = visible_text(html);
    let around: Vec<String> = english
        .iter()
        .filter_map(|w| {
            let at = text
                .find(&format!(" {w} "))
                .or_else(|| text.find(w.as_str()))?;
            let from = text.floor_char_boundary(at.saturating_sub(80));
            let to = text.ceil_char_boundary((at + 80).min(text.len()));
            Some(text[from..to].to_string())
        })
        .collect();
    assert!(
        english.is_empty(),
        "{what}: English words {english:?} on a Vietnamese page, in {around:?}"
    );
}

/// Every page, as each role, in Vietnamese: the pages of a case at each step
/// of the demo, the forms, error pages, refusals with the API's messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_vietnamese_for_every_role() {
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    let site = spawn(&db, true).await;
    let token = site.token("cb-1").await;
    let id = site.open_case(&token).await;
    let child = child_of(&site, &token, &id).await;
    let origin = site.root.clone();
    let worker = site.sign_in("cb-1").await;
    // A case that went through every form, and a refusal to show.
    let steps: &[&[(&str, &str)]] = &[
        &[
            ("type", "record_fact_check"),
            ("confirmed", "true"),
            ("findings", "Đã xác minh tại nhà."),
        ],
        &[
            ("type", "assess_initial_risk"),
            ("factors.severity_of_harm", "high"),
            ("factors.abuser_access", "medium"),
            ("factors.care_environment_obstacles", "medium"),
            ("factors.child_capacity", "low"),
            ("overall", "medium"),
            ("emergency_needed", "false"),
            ("protection_level", "support"),
        ],
        &[
            ("type", "assess_specific_risk"),
            ("factors.severity_of_harm", "medium"),
            ("factors.abuser_access", "medium"),
            ("factors.care_environment_obstacles", "low"),
            ("factors.child_capacity", "low"),
            ("overall", "medium"),
            ("protection_level", "support"),
            ("needs", "Hỗ trợ tâm lý\nĐi học đều"),
            ("minutes.held_at", &past(2)),
            ("minutes.participants", "Nguyễn Thị Hạnh\nMẹ của trẻ"),
            ("minutes.summary", "Thống nhất các nhu cầu hỗ trợ."),
        ],
        &[
            ("type", "draft_plan"),
            ("objectives", "Trẻ an toàn tại gia đình"),
            ("services.0.kind", "psychological"),
            ("services.0.provider", "Trung tâm Công tác xã hội tỉnh"),
            ("review_date", &in_days(30)),
        ],
    ];
    for form in steps {
        let (s, page, _) = site
            .post(&worker, &format!("/cases/{id}/act"), form, &origin)
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    }
    let (s, refused, _) = site
        .post(
            &worker,
            &format!("/cases/{id}/act"),
            &[("type", "record_review"), ("outcome", "safe_and_stable")],
            &origin,
        )
        .await;
    assert!(s.is_client_error(), "{s}");
    assert_vietnamese(&refused, "a refused review");
    let (s, bad_date, _) = site
        .post(
            &worker,
            &format!("/cases/{id}/act"),
            &[
                ("type", "draft_plan"),
                ("objectives", "x"),
                ("review_date", "2026-13-45"),
            ],
            &origin,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_date.contains("ngày/tháng/năm"), "{bad_date}");
    assert_vietnamese(&bad_date, "a date typed wrongly");

    let pages = [
        "/".to_string(),
        "/cases".into(),
        "/cases?overdue=1&status=received".into(),
        "/cases/new".into(),
        format!("/cases/new?child={child}"),
        "/children/new".into(),
        "/children/new?province=40".into(),
        format!("/children/{child}"),
        "/children/duplicates".into(),
        format!("/cases/{id}"),
        format!("/cases/{id}?as_of=01/01/2020%2000:00"),
        format!("/cases/{id}?as_of=gibberish"),
        format!("/cases/{id}/forms/mau-01"),
        format!("/cases/{id}/forms/mau-04"),
        format!("/cases/{id}/forms/mau-06"),
        format!("/cases/{id}/forms/mau-99"),
        format!("/cases/{id}/attachments/{}", "0".repeat(64)),
        "/stats".into(),
        "/stats?from=01/2026&to=06/2026".into(),
        "/officer".into(),
        "/officer?id=cb-1&from=01/01/2026&to=31/12/2026".into(),
        "/officer?id=nobody".into(),
        "/integrity".into(),
        "/no-such-page".into(),
        "/cases/HS-2026-00000000".into(),
    ];
    let (_, login) = site.get("", "/login").await;
    assert_vietnamese(&login, "/login");
    // The check finds English where there is some.
    let (_, english) = site
        .get(&format!("{worker}; hoso_lang=en"), &format!("/cases/{id}"))
        .await;
    let found: Vec<String> = visible_words(&english)
        .into_iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .collect();
    assert!(
        found.len() > 10,
        "the English page has English words: {found:?}"
    );
    let mut seen = 0;
    for who in [
        "ctv-1", "cb-1", "ct-1", "h-111", "so-42", "tt-42", "admin-1", "cb-9",
    ] {
        let cookie = site.sign_in(who).await;
        for p in &pages {
            let (status, page) = site.get(&cookie, p).await;
            assert!(!status.is_server_error(), "{who} {p}: {status}");
            assert_vietnamese(&page, &format!("{who} {p} ({status})"));
            seen += 1;
        }
    }
    assert!(seen > 150, "{seen} pages checked");
    db.drop_db().await;
}

fn past(minutes: i64) -> String {
    (Utc::now() - Span::minutes(minutes))
        .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

fn in_days(days: i64) -> String {
    (Utc::now() + Span::days(days))
        .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%d/%m/%Y")
        .to_string()
}

async fn child_of(site: &Site, token: &str, case: &str) -> String {
    let v: Value = site
        .http
        .get(format!("{}/api/v1/cases/{case}", site.root))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["state"]["child_id"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------------------
// Excel

async fn get_bytes(site: &Site, cookie: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = site
        .http
        .get(format!("{}{path}", site.root))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

fn sheets(bytes: Vec<u8>) -> Vec<(String, calamine::Range<calamine::Data>)> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an .xlsx workbook");
    wb.sheet_names()
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            (n, r)
        })
        .collect()
}

fn cell_text(r: &calamine::Range<calamine::Data>, row: usize, col: usize) -> String {
    r.get((row, col)).map(|c| c.to_string()).unwrap_or_default()
}

/// The header row: the first row after the title and notes whose every cell
/// is text.
fn header_row(r: &calamine::Range<calamine::Data>) -> usize {
    (1..r.height())
        .find(|&i| {
            r.get((i, 0))
                .is_some_and(|c| matches!(c, calamine::Data::String(_)))
                && r.get((i, 1))
                    .is_some_and(|c| matches!(c, calamine::Data::String(_)))
                && r.get((i - 1, 0))
                    .is_none_or(|c| matches!(c, calamine::Data::Empty))
        })
        .expect("a header row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excel_downloads_have_titles_vietnamese_headers_and_typed_cells() {
    use calamine::Data;
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    let site = spawn(&db, true).await;
    let token = site.token("cb-1").await;
    site.open_case(&token).await;
    let inspector = site.sign_in_with_reason("tt-42").await;
    let worker = site.sign_in("cb-1").await;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    // Statistics: a sheet per table, title with the area and the period.
    let (s, ct, bytes) = get_bytes(&site, &inspector, "/stats.xlsx?from=01/2020&to=12/2030").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, xlsx));
    std::fs::write(shots().join("thong-ke.xlsx"), &bytes).unwrap();
    let all = sheets(bytes);
    assert_eq!(
        all.len(),
        4,
        "{:?}",
        all.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
    let (_, month) = &all[0];
    let title = cell_text(month, 0, 0);
    assert!(title.contains("Hà Tĩnh"), "{title}");
    assert!(title.contains("tháng 01/2020 đến tháng 12/2030"), "{title}");
    let h = header_row(month);
    assert_eq!(cell_text(month, h, 1), "Tháng");
    assert_eq!(cell_text(month, h, 2), "Số vụ việc tiếp nhận");
    let counts: Vec<&Data> = (h + 1..month.height())
        .filter_map(|r| month.get((r, 2)))
        .collect();
    assert!(!counts.is_empty());
    assert!(
        counts.iter().all(|c| matches!(c, Data::Float(_))),
        "{counts:?}"
    );
    let opened: f64 = counts
        .iter()
        .take(counts.len() - 1)
        .map(|c| calamine::DataType::get_float(*c).unwrap())
        .sum();
    assert!(opened >= 1.0);
    assert!(
        cell_text(month, h + 1, 1).starts_with("tháng "),
        "months as tháng mm/yyyy"
    );

    // The case list: dates as dates, yes/no as words, counts as numbers.
    let (s, ct, bytes) = get_bytes(&site, &worker, "/cases.xlsx").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, xlsx));
    std::fs::write(shots().join("danh-sach-ho-so.xlsx"), &bytes).unwrap();
    let all = sheets(bytes);
    let (_, cases) = &all[0];
    let title = cell_text(cases, 0, 0);
    assert!(title.starts_with("Danh sách hồ sơ"), "{title}");
    assert!(
        title.contains("Hà Tĩnh") && title.contains("tại thời điểm"),
        "{title}"
    );
    let h = header_row(cases);
    assert_eq!(cell_text(cases, h, 0), "Mã hồ sơ");
    assert_eq!(cell_text(cases, h, 10), "Ngày tiếp nhận");
    assert!(cases.height() > h + 1, "a case row");
    assert!(matches!(cases.get((h + 1, 10)), Some(Data::DateTime(_))));
    assert!(matches!(cases.get((h + 1, 15)), Some(Data::Float(_))));
    let overdue = cell_text(cases, h + 1, 14);
    assert!(overdue == "Có" || overdue == "Không", "{overdue}");

    // An officer's history: actions and trainings.
    let (s, ct, bytes) = get_bytes(&site, &inspector, "/officer.xlsx?id=cb-1").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, xlsx));
    std::fs::write(shots().join("hoat-dong-can-bo.xlsx"), &bytes).unwrap();
    let all = sheets(bytes);
    assert_eq!(all.len(), 2);
    let (name, acts) = &all[0];
    assert_eq!(name, "Hoạt động");
    let title = cell_text(acts, 0, 0);
    assert!(
        title.contains("Nguyễn Thị Hạnh") && title.contains("toàn bộ thời gian"),
        "{title}"
    );
    let h = header_row(acts);
    assert_eq!(cell_text(acts, h, 0), "Ghi nhận lúc");
    assert!(matches!(acts.get((h + 1, 0)), Some(Data::DateTime(_))));
    let what: Vec<String> = (h + 1..acts.height())
        .map(|r| cell_text(acts, r, 5))
        .collect();
    assert!(
        what.iter().any(|w| w == "Tiếp nhận thông tin")
            && what.iter().any(|w| w == "Đăng ký trẻ em"),
        "{what:?}"
    );
    // Outside the area: no workbook.
    let stranger = site.sign_in("cb-9").await;
    let (s, _, _) = get_bytes(&site, &stranger, "/officer.xlsx?id=cb-1").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    db.drop_db().await;
}

// ---------------------------------------------------------------------------
// Duplicate children

fn registration_form<'a>(name: &'a str, dob: &'a str, commune: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("full_name", name),
        ("date_of_birth", dob),
        ("sex", "male"),
        ("ethnicity", "Kinh"),
        ("address.commune.structure", "2025"),
        ("address.commune.province", "42"),
        ("address.commune.commune", commune),
        ("address.detail", "Thôn Đông Hà"),
        ("household_status", "normal"),
    ]
}

both_backends!(
    duplicate_children_are_shown_and_decided,
    |db: TestDb| async move {
        let site = spawn(&db, false).await;
        let origin = site.root.clone();
        let c = commune().to_string();
        let worker = site.sign_in("cb-1").await;
        // A first child: no candidate, registered at once.
        let (s, page, to) = site
            .post(
                &worker,
                "/children/new",
                &registration_form("Nguyễn Văn Ánh", "01/05/2016", &c),
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let first = to.unwrap();
        let first = first
            .trim_start_matches("/children/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        // The same child typed without diacritics, two days off: shown first.
        let (s, page, _) = site
            .post(
                &worker,
                "/children/new",
                &registration_form("Nguyen Van Anh", "03/05/2016", &c),
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("id=\"candidates\""), "{page}");
        assert!(page.contains(&first), "{page}");
        assert!(page.contains("cùng họ tên khi bỏ dấu"), "{page}");
        assert!(
            page.contains(&format!("/cases/new?child={first}")),
            "use it instead"
        );
        assert_vietnamese(&page, "the candidates");
        assert_eq!(
            site.ledger
                .events_of("Child", &first, 0)
                .await
                .unwrap()
                .len(),
            1
        );
        // The officer checked: another child. The decision is an event of the new record.
        let mut form = registration_form("Nguyen Van Anh", "03/05/2016", &c);
        form.push(("confirm_new", "1"));
        form.push(("distinct_from", &first));
        let (s, page, to) = site.post(&worker, "/children/new", &form, &origin).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let second = to
            .unwrap()
            .trim_start_matches("/children/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let events = site.ledger.events_of("Child", &second, 0).await.unwrap();
        assert_eq!(
            events
                .iter()
                .map(|e| e.event_type.as_str())
                .collect::<Vec<_>>(),
            ["ChildRegistered", "ConfirmedDistinct"]
        );
        assert!(events[1].payload.contains(&first));
        // The API asks the same: 409 with the candidates, nothing recorded.
        let token = site.token("cb-1").await;
        let same = json!({
            "full_name": "Nguyễn Văn Ánh", "date_of_birth": "2016-05-01", "sex": "male", "ethnicity": "Kinh",
            "address": {"commune": {"structure": "2025", "province": 42, "commune": commune()}, "detail": ""},
        });
        let r = site
            .http
            .post(format!("{}/api/v1/children", site.root))
            .bearer_auth(&token)
            .json(&same)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: Value = r.json().await.unwrap();
        let shown: Vec<&str> = problem["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["child_id"].as_str().unwrap())
            .collect();
        assert!(
            shown.contains(&first.as_str()) && shown.contains(&second.as_str()),
            "{problem}"
        );
        // Naming only one of them is not enough.
        let r = site
            .http
            .post(format!(
                "{}/api/v1/children?distinct_from={first}",
                site.root
            ))
            .bearer_auth(&token)
            .json(&same)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        // An officer of another commune of the province is shown no record it
        // may not read (no name, no count): nothing outside its sight leaks.
        let other = site.token("cb-9").await;
        let elsewhere = json!({
            "full_name": "Nguyễn Văn Ánh", "date_of_birth": "2016-05-01", "sex": "male", "ethnicity": "Kinh",
            "address": {"commune": {"structure": "2025", "province": 42, "commune": other_commune()}, "detail": ""},
        });
        let found: Value = site
            .http
            .post(format!("{}/api/v1/children/candidates", site.root))
            .bearer_auth(&other)
            .json(&elsewhere)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["candidates"], json!([]), "{found}");
        // So it registers a third record of the same child, and the provincial
        // manager's report shows it beside the first.
        let r = site
            .http
            .post(format!("{}/api/v1/children", site.root))
            .bearer_auth(&other)
            .json(&elsewhere)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let third = r.json::<Value>().await.unwrap()["child_id"]
            .as_str()
            .unwrap()
            .to_string();
        let manager_token = site.token("so-42").await;
        let report: Value = site
            .http
            .get(format!("{}/api/v1/children/duplicates", site.root))
            .bearer_auth(&manager_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let pairs = report["pairs"].as_array().unwrap();
        let ids = |p: &Value| {
            let mut v = [
                p["first"]["child_id"].as_str().unwrap().to_string(),
                p["second"]["child_id"].as_str().unwrap().to_string(),
            ];
            v.sort();
            v
        };
        let mut want = [first.clone(), third.clone()];
        want.sort();
        assert!(pairs.iter().any(|p| ids(p) == want), "{report}");
        // The pair already decided is not in the report.
        let mut decided = [first.clone(), second.clone()];
        decided.sort();
        assert!(!pairs.iter().any(|p| ids(p) == decided), "{report}");
        // Commune staff do not get the report.
        let r = site
            .http
            .get(format!("{}/api/v1/children/duplicates", site.root))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // The manager decides on the page: the same child, the first record kept.
        let manager = site.sign_in("so-42").await;
        let (s, page) = site.get(&manager, "/children/duplicates").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains(&third), "{page}");
        assert_vietnamese(&page, "the report");
        let (a, b) = if pairs[0]["first"]["child_id"] == first.as_str() {
            (first.clone(), third.clone())
        } else {
            (third.clone(), first.clone())
        };
        let (s, page, _) = site
            .post(
                &manager,
                "/children/duplicates",
                &[
                    ("first", a.as_str()),
                    ("second", b.as_str()),
                    ("reason", "Cùng cha mẹ, cùng địa chỉ"),
                    ("decision", "duplicate"),
                ],
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let events = site.ledger.events_of("Child", &b, 0).await.unwrap();
        assert_eq!(events.last().unwrap().event_type, "MarkedDuplicate");
        let (_, page) = site.get(&manager, "/children/duplicates").await;
        assert!(
            !page.contains(&format!("value=\"{b}\"")),
            "decided: gone from the report"
        );
        // A record compared with itself is refused in words.
        let (s, page, _) = site
            .post(
                &manager,
                "/children/duplicates",
                &[
                    ("first", a.as_str()),
                    ("second", a.as_str()),
                    ("decision", "distinct"),
                ],
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(
            page.contains("Không thể so sánh một hồ sơ với chính nó"),
            "{page}"
        );
        db.drop_db().await;
    }
);

// ---------------------------------------------------------------------------
// Attachments

fn multipart(
    file_name: &str,
    media_type: &str,
    bytes: &[u8],
    description: &str,
) -> (String, Vec<u8>) {
    let boundary = "hoso-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{description}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

both_backends!(
    attachments_are_stored_by_digest_and_checked,
    |db: TestDb| async move {
        let site = spawn(&db, false).await;
        let token = site.token("cb-1").await;
        let id = site.open_case(&token).await;
        let worker = site.sign_in("cb-1").await;
        let pdf =
            b"%PDF-1.4\n% bien ban xac minh\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
        let upload = |name: &str, media: &str, bytes: Vec<u8>| {
            let (ct, body) = multipart(name, media, &bytes, "Biên bản xác minh tại nhà");
            site.http
                .post(format!("{}/cases/{id}/attachments", site.root))
                .header(COOKIE, &worker)
                .header(ORIGIN, &site.root)
                .header("content-type", ct)
                .body(body)
                .send()
        };
        let r = upload("Biên bản.pdf", "application/octet-stream", pdf.clone())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let sha = hex_sha256(&pdf);
        let events = site.ledger.events_of("Case", &id, 0).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.event_type, "AttachmentAdded");
        let data: Value = serde_json::from_str(&last.payload).unwrap();
        assert_eq!(data["sha256"], sha.as_str());
        assert_eq!(data["size_bytes"], pdf.len());
        assert_eq!(data["media_type"], "application/pdf");
        // The name may name the child: sealed with the child's key.
        assert!(data.get("file_name").is_none(), "{data}");
        let opened = site.ledger.open_event(last).await.unwrap();
        assert_eq!(opened.payload["file_name"], "Biên bản.pdf");
        // Listed on the case, downloaded as stored, checked against the digest.
        let (_, page) = site.get(&worker, &format!("/cases/{id}")).await;
        assert!(
            page.contains(&sha) && page.contains("Biên bản.pdf"),
            "{page}"
        );
        let (s, ct, bytes) =
            get_bytes(&site, &worker, &format!("/cases/{id}/attachments/{sha}")).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
        assert_eq!(bytes, pdf);
        // The same through the JSON API.
        let r = site
            .http
            .get(format!("{}/api/v1/cases/{id}/attachments/{sha}", site.root))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-content-sha256"], sha.as_str());
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
        let r = site
            .http
            .post(format!("{}/api/v1/cases/{id}/attachments", site.root))
            .bearer_auth(&token)
            .header("content-type", "image/png")
            .header("x-file-name", "%E1%BA%A2nh%20v%E1%BA%BFt%20b%E1%BA%A7m.png")
            .body(png.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = site
            .http
            .post(format!("{}/api/v1/cases/{id}/attachments", site.root))
            .bearer_auth(&token)
            .header("content-type", "text/html")
            .header("x-file-name", "trang.html")
            .body("<script>alert(1)</script>")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let r = site
            .http
            .post(format!("{}/api/v1/cases/{id}/attachments", site.root))
            .bearer_auth(&token)
            .header("content-type", "application/pdf")
            .header("x-file-name", "lon.pdf")
            .body(vec![b'%'; 10 * 1024 * 1024 + 1])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // On the page: a page disguised as a PDF, a file over the limit.
        let r = upload("gia.pdf", "application/pdf", b"<html>".to_vec())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("Nội dung tệp không phải là loại"), "{page}");
        let r = upload(
            "lon.pdf",
            "application/pdf",
            vec![b'%'; 10 * 1024 * 1024 + 10],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.text().await.unwrap().contains("Tệp lớn hơn 10 MiB"));
        // Nobody outside the case's commune gets the file, and reading it is logged.
        let stranger = site.token("cb-9").await;
        let r = site
            .http
            .get(format!("{}/api/v1/cases/{id}/attachments/{sha}", site.root))
            .bearer_auth(&stranger)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // The inspector of the province lists the reads, giving a reason.
        let inspector = site.token("tt-42").await;
        let log: Value = site
            .http
            .get(format!("{}/api/v1/access-log?subject={id}", site.root))
            .bearer_auth(&inspector)
            .header("x-access-reason", "Thanh tra theo Quyết định 12/QĐ-TTr")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            log["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["what"] == "attachment"),
            "{log}"
        );
        db.drop_db().await;
    }
);

fn hex_sha256(bytes: &[u8]) -> String {
    hoso_service::files::digest(bytes)
}

// ---------------------------------------------------------------------------
// A case from a Hotline 111 intake to closing, in the browser only, and every
// official form printed to PDF and read back.

async fn fill(b: &Browser, css: &str, text: &str) {
    let e = wait_css(b, css).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn choose(b: &Browser, css: &str, value: &str) {
    wait_css(b, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

async fn click(b: &Browser, css: &str) {
    wait_css(b, css).await.click().await.unwrap();
}

/// Waits until the address holds `needle` (the page a form redirects to).
async fn wait_url(b: &Browser, needle: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let url = b.current_url().await.unwrap().to_string();
        if url.contains(needle) {
            return;
        }
        if std::time::Instant::now() > deadline {
            let text = body_text(b).await;
            panic!("`{needle}` not in {url} within 10 s; the page says: {text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens a folded step form of the case page.
async fn open_form(b: &Browser, kind: &str) {
    b.execute(
        "document.getElementById(arguments[0]).open = true; document.getElementById(arguments[0]).scrollIntoView();",
        vec![json!(format!("form-{kind}"))],
    )
    .await
    .unwrap();
}

/// Submits a step form and waits for the case page to say it was recorded.
async fn record(b: &Browser, kind: &str) {
    click(
        b,
        &format!("#form-{kind} form.grid-form button[type=submit]"),
    )
    .await;
    wait_url(b, &format!("done={kind}")).await;
    wait_css(b, ".success").await;
}

fn pdftotext(pdf: &Path) -> Option<String> {
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn print_form(b: &Browser, url: &str, name: &str) -> String {
    b.goto(url).await.unwrap();
    wait_css(b, "main.form").await;
    shot(b, &format!("form-{name}")).await;
    let pdf = b
        .print(
            fantoccini::wd::PrintConfiguration::builder()
                .build()
                .unwrap(),
        )
        .await
        .expect("Chromium prints the form");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let dir = shots().join("forms");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf).unwrap();
    match pdftotext(&path) {
        // Lines as laid out on the page are not the question: words are.
        Some(t) => t.split_whitespace().collect::<Vec<_>>().join(" "),
        None if in_ci() => panic!("pdftotext is needed in CI (apt-get install poppler-utils)"),
        None => {
            eprintln!("pdftotext missing: the printed {name} is not read back");
            String::new()
        }
    }
}

async fn run_case_walk(db: &TestDb) {
    let _one = ONE_BROWSER.lock().await;
    let Some((_driver, b)) = browser().await else {
        return;
    };
    let site = spawn(db, true).await;
    let root = site.root.clone();
    let here = places::current().province(42).unwrap();
    let (commune_a, commune_b) = (&here.wards[0], &here.wards[1]);
    let file = shots().join("bien-ban-xac-minh.pdf");
    std::fs::write(
        &file,
        b"%PDF-1.4\n% bien ban xac minh tai nha\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
    )
    .unwrap();
    let result = tokio::time::timeout(Duration::from_secs(300), async {
        // 1. Hotline 111 registers the child (any commune: the province switch).
        sign_in(&b, &root, "h-111", None).await;
        b.goto(&format!("{root}/children/new")).await.unwrap();
        choose(&b, "#province-switch select[name=province]", "42").await;
        click(&b, "#province-switch button").await;
        wait_url(&b, "province=42").await;
        fill(&b, "#register-full_name", "Nguyễn Văn Ánh").await;
        fill(&b, "#register-date_of_birth", "01/05/2016").await;
        choose(&b, "#register-sex", "male").await;
        choose(
            &b,
            "#register-address-commune-commune",
            &commune_a.code.to_string(),
        )
        .await;
        fill(&b, "#register-address-detail", "Thôn Đông Hà").await;
        shot(&b, "20-register-child").await;
        click(&b, "#register-form button[name=check]").await;
        wait_url(&b, "done=1").await;
        let child_url = b.current_url().await.unwrap().to_string();
        let child = child_url
            .split("/children/")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        // The same child again, typed without diacritics: shown first, used.
        b.goto(&format!("{root}/children/new?province=42"))
            .await
            .unwrap();
        fill(&b, "#register-full_name", "Nguyen Van Anh").await;
        fill(&b, "#register-date_of_birth", "02/05/2016").await;
        choose(&b, "#register-sex", "male").await;
        choose(
            &b,
            "#register-address-commune-commune",
            &commune_a.code.to_string(),
        )
        .await;
        click(&b, "#register-form button[name=check]").await;
        let found = wait_css(&b, "#candidates").await.text().await.unwrap();
        assert!(
            found.contains("Nguyễn Văn Ánh") && found.contains(&child),
            "{found}"
        );
        shot(&b, "21-likely-duplicate").await;
        click(&b, "#candidates a.button").await;
        wait_url(&b, &format!("/cases/new?child={child}")).await;

        // 2. The intake, for the child's commune, as Hotline 111.
        wait_css(&b, "#intake-form").await;
        choose(&b, "#intake-commune-commune", &commune_a.code.to_string()).await;
        choose(&b, "#intake-source", "hotline_111").await;
        fill(&b, "#intake-reporter-name", "Trần Thị Mai").await;
        fill(&b, "#intake-reporter-relation", "Hàng xóm").await;
        fill(
            &b,
            "#intake-description",
            "Cháu bị đánh nhiều lần, có vết bầm ở tay; người báo tin gọi đến Tổng đài 111.",
        )
        .await;
        click(&b, "#intake-form input[name=harm_types][value=violence]").await;
        shot(&b, "22-intake").await;
        click(&b, "#intake-form button[type=submit]").await;
        wait_url(&b, "done=record_intake").await;
        let case_url = b.current_url().await.unwrap().to_string();
        let id = case_url
            .split("/cases/")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let tl = wait_css(&b, "#timeline").await.text().await.unwrap();
        assert!(
            tl.contains("Tiếp nhận thông tin") && tl.contains("Tổng đài viên 111"),
            "{tl}"
        );
        sign_out(&b).await;

        // 3. The commune worker: fact check, assessments, plan, an attachment,
        // a correction.
        sign_in(&b, &root, "cb-1", None).await;
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        choose(&b, "#form-record_fact_check select[name=confirmed]", "true").await;
        fill(
            &b,
            "#form-record_fact_check textarea[name=findings]",
            "Đã đến nhà, gặp mẹ và cô giáo chủ nhiệm; thông tin chính xác.",
        )
        .await;
        record(&b, "record_fact_check").await;
        for (f, v) in [
            ("factors.severity_of_harm", "high"),
            ("factors.abuser_access", "high"),
            ("factors.care_environment_obstacles", "medium"),
            ("factors.child_capacity", "medium"),
            ("overall", "high"),
            ("emergency_needed", "false"),
            ("protection_level", "intervention"),
        ] {
            choose(
                &b,
                &format!("#form-assess_initial_risk select[name='{f}']"),
                v,
            )
            .await;
        }
        fill(
            &b,
            "#form-assess_initial_risk textarea[name=notes]",
            "Mẹ cam kết đưa cháu đi khám.",
        )
        .await;
        record(&b, "assess_initial_risk").await;
        for (f, v) in [
            ("factors.severity_of_harm", "medium"),
            ("factors.abuser_access", "medium"),
            ("factors.care_environment_obstacles", "low"),
            ("factors.child_capacity", "medium"),
            ("overall", "medium"),
            ("protection_level", "support"),
        ] {
            choose(
                &b,
                &format!("#form-assess_specific_risk select[name='{f}']"),
                v,
            )
            .await;
        }
        fill(
            &b,
            "#form-assess_specific_risk textarea[name=needs]",
            "Tư vấn tâm lý cho cháu\nHỗ trợ kỹ năng làm cha mẹ",
        )
        .await;
        fill(
            &b,
            "#form-assess_specific_risk input[name='minutes.held_at']",
            &past(5),
        )
        .await;
        fill(
            &b,
            "#form-assess_specific_risk textarea[name='minutes.participants']",
            "Nguyễn Thị Hạnh\nMẹ của cháu\nCô giáo chủ nhiệm",
        )
        .await;
        fill(
            &b,
            "#form-assess_specific_risk textarea[name='minutes.summary']",
            "Thống nhất hai nhu cầu hỗ trợ; gia đình đồng ý.",
        )
        .await;
        record(&b, "assess_specific_risk").await;
        fill(
            &b,
            "#form-draft_plan textarea[name=objectives]",
            "Cháu được an toàn tại gia đình\nCha mẹ không dùng bạo lực",
        )
        .await;
        choose(
            &b,
            "#form-draft_plan select[name='services.0.kind']",
            "psychological",
        )
        .await;
        fill(
            &b,
            "#form-draft_plan input[name='services.0.provider']",
            "Trung tâm Công tác xã hội tỉnh Hà Tĩnh",
        )
        .await;
        fill(&b, "#form-draft_plan input[name=review_date]", &in_days(30)).await;
        record(&b, "draft_plan").await;
        open_form(&b, "add_attachment").await;
        wait_css(&b, "#add_attachment-file")
            .await
            .send_keys(&file.canonicalize().unwrap().to_string_lossy())
            .await
            .unwrap();
        fill(
            &b,
            "#add_attachment-description",
            "Biên bản xác minh tại nhà",
        )
        .await;
        shot(&b, "23-attachment").await;
        click(&b, "#form-add_attachment button[type=submit]").await;
        wait_url(&b, "done=add_attachment").await;
        let files = wait_css(&b, "#attachments").await.text().await.unwrap();
        assert!(files.contains("bien-ban-xac-minh.pdf"), "{files}");
        open_form(&b, "correct_event").await;
        choose(
            &b,
            "#form-correct_event select[name=corrects_sequence]",
            "2",
        )
        .await;
        fill(
            &b,
            "#form-correct_event textarea[name=reason]",
            "Ghi thiếu người cùng xác minh",
        )
        .await;
        fill(
            &b,
            "#form-correct_event textarea[name=correction]",
            "Cùng xác minh có trưởng thôn Đông Hà",
        )
        .await;
        record(&b, "correct_event").await;
        sign_out(&b).await;

        // 4. The chairman approves the plan and transfers the case.
        sign_in(&b, &root, "ct-1", None).await;
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        fill(
            &b,
            "#form-approve_plan input[name=decision_ref]",
            "15/QĐ-UBND",
        )
        .await;
        record(&b, "approve_plan").await;
        open_form(&b, "transfer_case").await;
        choose(
            &b,
            "#form-transfer_case select[name='to.commune']",
            &commune_b.code.to_string(),
        )
        .await;
        fill(
            &b,
            "#form-transfer_case textarea[name=reason]",
            "Gia đình chuyển đến nơi ở mới",
        )
        .await;
        shot(&b, "24-transfer").await;
        click(&b, "#form-transfer_case form.grid-form button[type=submit]").await;
        wait_url(&b, "done=transfer_case").await;
        // The case has left this commune: not found for its former chairman.
        let gone = body_text(&b).await;
        assert!(gone.contains("Không tìm thấy"), "{gone}");
        sign_out(&b).await;

        // 5. The new commune: reassignment, service, review, closing.
        sign_in(&b, &root, "ct-9", None).await;
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        open_form(&b, "reassign_worker").await;
        choose(&b, "#form-reassign_worker select[name=to_officer]", "cb-9").await;
        fill(
            &b,
            "#form-reassign_worker textarea[name=reason]",
            "Cán bộ phụ trách địa bàn mới",
        )
        .await;
        record(&b, "reassign_worker").await;
        sign_out(&b).await;
        sign_in(&b, &root, "cb-9", None).await;
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        choose(
            &b,
            "#form-record_service select[name=kind]",
            "psychological",
        )
        .await;
        fill(
            &b,
            "#form-record_service input[name=provider]",
            "Trung tâm Công tác xã hội tỉnh Hà Tĩnh",
        )
        .await;
        record(&b, "record_service").await;
        open_form(&b, "record_review").await;
        choose(
            &b,
            "#form-record_review select[name=outcome]",
            "safe_and_stable",
        )
        .await;
        fill(
            &b,
            "#form-record_review textarea[name=participants]",
            "Phạm Quốc Việt\nMẹ của cháu",
        )
        .await;
        fill(
            &b,
            "#form-record_review textarea[name=summary]",
            "Cháu đã ổn định, đi học đều; gia đình không còn bạo lực.",
        )
        .await;
        record(&b, "record_review").await;
        sign_out(&b).await;
        sign_in(&b, &root, "ct-9", None).await;
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        choose(
            &b,
            "#form-close_case select[name=reason]",
            "safe_and_stable",
        )
        .await;
        fill(
            &b,
            "#form-close_case input[name=decision_ref]",
            "27/QĐ-UBND",
        )
        .await;
        record(&b, "close_case").await;
        let state = body_text(&b).await;
        assert!(state.contains("Đã kết thúc"), "{state}");
        shot(&b, "25-closed").await;

        // 6. Every form, printed as it stands now, read back from the PDF.
        let child_name = "Nguyễn Văn Ánh";
        let expect: &[(&str, &[&str])] = &[
            (
                "mau-01",
                &[
                    "Mẫu số 01",
                    "TỔNG ĐÀI ĐIỆN THOẠI QUỐC GIA",
                    child_name,
                    "Trần Thị Mai",
                    "vết bầm ở tay",
                ],
            ),
            (
                "mau-02",
                &[
                    "Mẫu số 02",
                    child_name,
                    "gặp mẹ và cô giáo chủ nhiệm",
                    "Mẹ cam kết đưa cháu đi khám",
                    "trưởng thôn Đông Hà",
                ],
            ),
            (
                "mau-03",
                &[
                    "Mẫu số 03",
                    child_name,
                    "Tư vấn tâm lý cho cháu",
                    "Hỗ trợ kỹ năng làm cha mẹ",
                ],
            ),
            (
                "bien-ban-hop",
                &[
                    "BIÊN BẢN",
                    "Cô giáo chủ nhiệm",
                    "Thống nhất hai nhu cầu hỗ trợ",
                ],
            ),
            (
                "mau-04",
                &[
                    "Mẫu số 04",
                    "Cha mẹ không dùng bạo lực",
                    "Trung tâm Công tác xã hội tỉnh Hà Tĩnh",
                ],
            ),
            ("mau-05", &["Mẫu số 05", "15/QĐ-UBND", child_name]),
            (
                "mau-06",
                &["Mẫu số 06", child_name, "đi học đều", "Phạm Quốc Việt"],
            ),
        ];
        for (code, words) in expect {
            let text = print_form(&b, &format!("{root}/cases/{id}/forms/{code}"), code).await;
            if text.is_empty() {
                continue;
            }
            for w in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
            ]
            .iter()
            .chain(words.iter())
            {
                assert!(
                    text.contains(w),
                    "{code}: `{w}` not in the printed PDF:\n{text}"
                );
            }
            assert!(
                text.contains("(Ký, ghi rõ họ tên"),
                "{code}: signature places"
            );
            std::fs::write(shots().join("forms").join(format!("{code}.txt")), &text).unwrap();
        }
        // The review (now) is headed by the new commune.
        let now =
            std::fs::read_to_string(shots().join("forms").join("mau-06.txt")).unwrap_or_default();
        if !now.is_empty() {
            assert!(now.contains(&commune_b.name.to_uppercase()), "{now}");
        }
        // 7. A form printed for a past step shows what was recorded then: the
        // plan as drafted, headed by the commune that held the case then.
        b.goto(&format!("{root}/cases/{id}")).await.unwrap();
        let link = wait_css(&b, "#timeline a.form-link[href*='mau-04']").await;
        let href = link.attr("href").await.unwrap().unwrap();
        assert!(href.contains("as_of="), "{href}");
        let then = print_form(&b, &format!("{root}{href}"), "mau-04-as-drafted").await;
        if !then.is_empty() {
            assert!(then.contains(&commune_a.name.to_uppercase()), "{then}");
            assert!(
                !then.contains("15/QĐ-UBND"),
                "not yet approved then: {then}"
            );
        }
        // The form is its own A4 document: its stylesheet, no page chrome.
        let src = b.source().await.unwrap();
        assert!(
            src.contains("/assets/forms.css") && !src.contains("<nav"),
            "a bare form"
        );
    })
    .await;
    let _ = b.close().await;
    result.expect("the case walk finished within 300 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_from_hotline_to_closing_in_headless_chromium() {
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    run_case_walk(&db).await;
    db.drop_db().await;
}
