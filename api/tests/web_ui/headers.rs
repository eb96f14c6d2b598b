//! The security headers of the pages: a strict CSP (and no inline style or
//! script on any page, so it holds), frame denial, nosniff, no referrer; over
//! https (the public URL), `Secure` cookies and HSTS.

use super::*;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

both_backends!(security_headers, |db: TestDb| async move {
    let site = spawn_with(
        &db,
        true,
        Config {
            public_url: Some("https://hoso.hatinh.example".into()),
            ..Config::local()
        },
    )
    .await;
    let r = site
        .http
        .post(format!("{}/login", site.root))
        .form(&[("officer_id", "so-42"), ("password", PW), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.ends_with("; Secure"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    for path in [
        "/",
        "/cases",
        "/stats",
        "/stats?by=commune",
        "/officer",
        "/login",
        "/kich-hoat",
    ] {
        let r = site
            .http
            .get(format!("{}{path}", site.root))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        let h = r.headers().clone();
        assert_eq!(h["content-security-policy"], CSP, "{path}");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(
            h["strict-transport-security"],
            "max-age=31536000; includeSubDomains"
        );
        let page = r.text().await.unwrap();
        assert!(
            !page.contains(" style="),
            "{path}: an inline style breaks the CSP"
        );
        assert!(!page.contains("<script"), "{path}: a script breaks the CSP");
        if path == "/stats" {
            assert!(
                page.contains("<svg class=\"bar-track\""),
                "the bars are drawn: {page}"
            );
        }
    }
    // The API answers carry them too.
    let r = site
        .http
        .get(format!("{}/api/v1/me", site.root))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
});
