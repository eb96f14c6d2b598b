//! Headless Chromium through chromedriver: one browser at a time, screenshots, the first walk through the pages.

use super::*;

// ---------------------------------------------------------------------------
// Headless Chromium

/// The chromedriver process, stopped when the test ends.
pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var(var)
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(default))
}

pub(crate) async fn browser() -> Option<(Driver, Browser)> {
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

pub(crate) fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn shot(b: &Browser, name: &str) {
    let png = b.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

pub(crate) async fn wait_css(b: &Browser, css: &str) -> fantoccini::elements::Element {
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` did not appear within 10 s: {e}"))
}

pub(crate) async fn body_text(b: &Browser) -> String {
    b.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) async fn sign_in(b: &Browser, root: &str, id: &str, shot_name: Option<&str>) {
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

pub(crate) async fn sign_out(b: &Browser) {
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
pub(crate) static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub(crate) async fn run_in_browser(db: &TestDb) {
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
pub(crate) async fn web_in_headless_chromium() {
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    run_in_browser(&db).await;
    db.drop_db().await;
}

pub(crate) async fn site_case_events(site: &Site, id: &str) -> usize {
    site.ledger.events_of("Case", id, 0).await.unwrap().len()
}
