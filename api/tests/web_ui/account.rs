//! The account pages over HTTP on both backends: sessions listed and ended,
//! an admin's reset (the activation code shown once, the officer's sessions
//! ended), the activation page, the own password change with the current
//! password, and no API token for a person — with the messages in Vietnamese.

use super::*;

/// Signs in through the page with `password`; the session cookie.
async fn sign_in_as(site: &Site, id: &str, password: &str) -> Option<String> {
    let r = site
        .http
        .post(format!("{}/login", site.root))
        .form(&[("officer_id", id), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    (r.status() == StatusCode::SEE_OTHER).then(|| {
        r.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    })
}

both_backends!(account_pages, |db: TestDb| async move {
    let site = spawn(&db, false).await;
    let root = site.root.clone();
    let admin = site.sign_in("admin-1").await;
    let worker = site.sign_in("cb-1").await;
    let worker_two = site.sign_in("cb-1").await;

    // The worker's own sessions, this one marked; another one ended by hand.
    let (s, page) = site.get(&worker, "/tai-khoan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Phiên đăng nhập và mã truy cập"), "{page}");
    assert!(page.contains("phiên này"), "{page}");
    assert!(
        !page.contains("id=\"reset\""),
        "a worker resets no password"
    );
    let other_id = page
        .split("name=\"token_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (s, _, loc) = site
        .post(
            &worker,
            "/tai-khoan/thu-hoi",
            &[
                ("officer_id", "cb-1"),
                ("token_id", &other_id),
                ("back", "/tai-khoan"),
            ],
            &root,
        )
        .await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/tai-khoan"))
    );
    let (s, _) = site.get(&worker_two, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "the ended session signs in again");

    // No API token for a person, said in Vietnamese.
    let (s, page, _) = site
        .post(
            &admin,
            "/tai-khoan/cap-ma",
            &[("officer_id", "ct-1"), ("label", "thử"), ("days", "30")],
            &root,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("chỉ cấp cho tài khoản hệ thống"), "{page}");

    // The admin resets the worker's password: the code once, sessions ended.
    let (s, page, _) = site
        .post(
            &admin,
            "/tai-khoan/dat-lai",
            &[("officer_id", "cb-1"), ("reason", "Quên mật khẩu")],
            &root,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let code = page
        .split("id=\"secret\"")
        .nth(1)
        .unwrap()
        .split("<p class=\"mono wrap\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(code.len() > 20, "{code}");
    let (s, _) = site.get(&worker, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        sign_in_as(&site, "cb-1", PW).await.is_none(),
        "the old password is gone"
    );

    // The activation page: the two passwords must agree; then sign in.
    let (s, page) = site.get("", "/kich-hoat").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Kích hoạt tài khoản"), "{page}");
    let new = "mật-khẩu-mới-của-cán-bộ";
    let (s, page, _) = site
        .post(
            "",
            "/kich-hoat",
            &[
                ("officer_id", "cb-1"),
                ("activation_code", &code),
                ("password", new),
                ("confirm", "khác hẳn rồi đây"),
            ],
            &root,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Hai lần nhập mật khẩu mới không giống nhau."),
        "{page}"
    );
    let (s, _, loc) = site
        .post(
            "",
            "/kich-hoat",
            &[
                ("officer_id", "cb-1"),
                ("activation_code", &code),
                ("password", new),
                ("confirm", new),
            ],
            "http://evil.example",
        )
        .await;
    assert_eq!((s, loc), (StatusCode::FORBIDDEN, None), "another origin");
    let (s, _, loc) = site
        .post(
            "",
            "/kich-hoat",
            &[
                ("officer_id", "cb-1"),
                ("activation_code", &code),
                ("password", new),
                ("confirm", new),
            ],
            &root,
        )
        .await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login?activated=1"))
    );
    let worker = sign_in_as(&site, "cb-1", new)
        .await
        .expect("signed in with the new password");

    // The own change needs the current password.
    let (s, page, _) = site
        .post(
            &worker,
            "/tai-khoan/mat-khau",
            &[
                ("current_password", "sai mật khẩu"),
                ("password", "mật-khẩu-thứ-ba-đây"),
                ("confirm", "mật-khẩu-thứ-ba-đây"),
            ],
            &root,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Mật khẩu hiện tại không đúng."), "{page}");
    let (s, _, loc) = site
        .post(
            &worker,
            "/tai-khoan/mat-khau",
            &[
                ("current_password", new),
                ("password", "mật-khẩu-thứ-ba-đây"),
                ("confirm", "mật-khẩu-thứ-ba-đây"),
            ],
            &root,
        )
        .await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login?changed=1"))
    );
    let (s, _) = site.get(&worker, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "every session ended");
    assert!(sign_in_as(&site, "cb-1", "mật-khẩu-thứ-ba-đây")
        .await
        .is_some());
});
