//! Every page over plain HTTP on both backends: cookies, unit rules, validation messages, Origin check, CSV.

use super::*;

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
