//! One case from the Hotline 111 intake to closing in Chromium, printing each official form to PDF.

use super::*;

// ---------------------------------------------------------------------------
// A case from a Hotline 111 intake to closing, in the browser only, and every
// official form printed to PDF and read back.

pub(crate) async fn fill(b: &Browser, css: &str, text: &str) {
    let e = wait_css(b, css).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub(crate) async fn choose(b: &Browser, css: &str, value: &str) {
    wait_css(b, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

pub(crate) async fn click(b: &Browser, css: &str) {
    wait_css(b, css).await.click().await.unwrap();
}

/// Waits until the address holds `needle` (the page a form redirects to).
pub(crate) async fn wait_url(b: &Browser, needle: &str) {
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
pub(crate) async fn open_form(b: &Browser, kind: &str) {
    b.execute(
        "document.getElementById(arguments[0]).open = true; document.getElementById(arguments[0]).scrollIntoView();",
        vec![json!(format!("form-{kind}"))],
    )
    .await
    .unwrap();
}

/// Submits a step form and waits for the case page to say it was recorded.
pub(crate) async fn record(b: &Browser, kind: &str) {
    click(
        b,
        &format!("#form-{kind} form.grid-form button[type=submit]"),
    )
    .await;
    wait_url(b, &format!("done={kind}")).await;
    wait_css(b, ".success").await;
}

pub(crate) fn pdftotext(pdf: &Path) -> Option<String> {
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

pub(crate) async fn print_form(b: &Browser, url: &str, name: &str) -> String {
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

pub(crate) async fn run_case_walk(db: &TestDb) {
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
pub(crate) async fn case_from_hotline_to_closing_in_headless_chromium() {
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    run_case_walk(&db).await;
    db.drop_db().await;
}
