//! The security headers of every answer, set in one place: a strict
//! Content-Security-Policy (no inline script or style: the pages have none,
//! their stylesheets are served by hoso), frame denial, `nosniff`,
//! `Referrer-Policy: no-referrer`; and when the public URL is https, `Secure`
//! on every cookie and `Strict-Transport-Security`.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Router;

/// The pages' policy: only this origin's stylesheets and images, no script at
/// all, forms only to this origin, never inside a frame.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// HSTS for a site served over https: a year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Whether the public URL (`hoso serve --public-url`) is https: cookies get
/// `Secure` and answers HSTS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Https(pub bool);

impl Https {
    /// From the public URL the site is reached at, if one is configured.
    pub fn of(public_url: Option<&str>) -> Https {
        Https(public_url.is_some_and(|u| {
            u.get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        }))
    }
}

fn set(res: &mut Response, https: Https) {
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if https.0 {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
        let cookies: Vec<HeaderValue> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|c| {
                let text = c.to_str().unwrap_or("");
                if text.to_ascii_lowercase().contains("; secure") {
                    c.clone()
                } else {
                    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| c.clone())
                }
            })
            .collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
    }
}

/// `router` with the headers on every answer.
pub fn secured(router: Router, https: Https) -> Router {
    router.layer(axum::middleware::map_response(
        move |mut res: Response| async move {
            set(&mut res, https);
            res
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_read_from_the_public_url() {
        assert_eq!(Https::of(Some("https://hoso.hatinh.gov.vn")), Https(true));
        assert_eq!(Https::of(Some("HTTPS://hoso.example")), Https(true));
        assert_eq!(Https::of(Some("http://10.0.0.5:8080")), Https(false));
        assert_eq!(Https::of(None), Https(false));
    }

    #[test]
    fn cookies_get_secure_over_https_only() {
        let mut res = Response::new(axum::body::Body::empty());
        res.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("hoso_session=abc; Path=/; HttpOnly"),
        );
        res.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("hoso_lang=vi; Path=/"),
        );
        let mut plain = Response::new(axum::body::Body::empty());
        *plain.headers_mut() = res.headers().clone();
        set(&mut res, Https(true));
        let cookies: Vec<&str> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|c| c.to_str().unwrap_or(""))
            .collect();
        assert_eq!(
            cookies,
            [
                "hoso_session=abc; Path=/; HttpOnly; Secure",
                "hoso_lang=vi; Path=/; Secure"
            ]
        );
        assert_eq!(res.headers()[header::STRICT_TRANSPORT_SECURITY], HSTS);
        set(&mut plain, Https(false));
        assert!(plain
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none());
        assert!(plain
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap_or("").contains("Secure")));
        assert_eq!(plain.headers()[header::CONTENT_SECURITY_POLICY], CSP);
    }
}
