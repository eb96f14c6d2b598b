//! Sign-in and sign-out pages: the form, the session cookie, and the one rule
//! for where a sign-in may send the browser next (`safe_next`).

use super::*;

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
    failed: Option<String>,
    /// After a password change or an activation: sign in with the new one.
    changed: Option<String>,
    activated: Option<String>,
}

/// Only paths of this site (no `//host`), so sign-in cannot send people away.
/// Where to go after signing in (or giving a reason): a plain path of this
/// site, or `/`. Refused: anything not starting with one `/` (`//host`,
/// `/\\host`, `https:`), any character that is not visible ASCII (a tab or
/// a newline, which browsers drop, so `/\t/evil.example` would become
/// `//evil.example`), a backslash anywhere, and in the path part an encoded
/// slash, backslash or control character (`%2f`, `%5c`, `%09`, …).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    fn plain(n: &str) -> bool {
        let b = n.as_bytes();
        if b.first() != Some(&b'/') || matches!(b.get(1), Some(b'/' | b'\\')) {
            return false;
        }
        if !n.chars().all(|c| c.is_ascii_graphic() && c != '\\') {
            return false;
        }
        let path = n.split(['?', '#']).next().unwrap_or("");
        let mut rest = path;
        while let Some(at) = rest.find('%') {
            let code = rest.get(at + 1..at + 3).unwrap_or("");
            match u8::from_str_radix(code, 16) {
                Ok(c) if c < 0x20 || c == 0x7f || c == b'/' || c == b'\\' || c >= 0x80 => {
                    return false
                }
                Ok(_) => {}
                Err(_) => return false,
            }
            rest = &rest[at + 1..];
        }
        true
    }
    match next {
        Some(n) if plain(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod next_tests {
    use super::safe_next;

    #[test]
    fn only_plain_paths_of_this_site_are_followed() {
        for ok in [
            "/",
            "/cases",
            "/cases/HS-2026-1A2B3C4D?as_of=01/01/2020%2000:00",
            "/stats?from=01/2026&to=06/2026#bang",
        ] {
            assert_eq!(safe_next(Some(ok)), ok, "{ok}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%09/evil.example",
            "/%2f/evil.example",
            "/%2F%2Fevil.example",
            "/%5cevil.example",
            "/cases\\..\\x",
            "https://evil.example",
            "evil.example",
            "/%zz",
            "/trẻ-em",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

fn login_form(ctx: &Ctx, next: &str, error: Option<&str>, officer_id: &str) -> String {
    let lang = ctx.lang;
    let err = error
        .map(|e| format!("<div class=\"errors\" role=\"alert\">{}</div>", esc(e)))
        .unwrap_or_default();
    let body = format!(
        "<div class=\"login\"><h1>{}</h1><p class=\"muted\">{}</p>{err}\
         <form method=\"post\" action=\"/login\" class=\"card stack\">\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <label>{}<input name=\"officer_id\" autocomplete=\"username\" required value=\"{}\" autofocus></label>\
         <label>{}<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button type=\"submit\" class=\"primary\">{}</button></form>\
         <p class=\"muted\"><a href=\"/kich-hoat\">{}</a></p></div>",
        tr(lang, "Đăng nhập", "Sign in"),
        tr(
            lang,
            "Hệ thống hồ sơ bảo vệ trẻ em. Dùng mã cán bộ và mật khẩu được cấp.",
            "Child-protection case records. Use the officer id and password you were given."
        ),
        esc(next),
        tr(lang, "Mã cán bộ", "Officer id"),
        esc(officer_id),
        tr(lang, "Mật khẩu", "Password"),
        tr(lang, "Đăng nhập", "Sign in"),
        tr(
            lang,
            "Có mã kích hoạt? Đặt mật khẩu mới",
            "Have an activation code? Set a new password"
        ),
    );
    layout(ctx, None, "", tr(lang, "Đăng nhập", "Sign in"), &body)
}

pub(super) async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    let err = q.failed.as_ref().map(|_| {
        tr(
            ctx.lang,
            "Mã cán bộ hoặc mật khẩu không đúng.",
            "Officer id or password is wrong.",
        )
    });
    let err = err.or_else(|| {
        (q.changed.is_some() || q.activated.is_some()).then(|| {
            tr(
                ctx.lang,
                "Mật khẩu mới đã được đặt; hãy đăng nhập bằng mật khẩu mới.",
                "Your new password is set; sign in with it.",
            )
        })
    });
    html(&ctx, StatusCode::OK, login_form(&ctx, &next, err, ""))
}

/// The cookie that ends the page session.
pub(super) fn clear_session_cookie() -> HeaderValue {
    session_cookie("", 0)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    officer_id: String,
    password: String,
    next: Option<String>,
}

fn session_cookie(token: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Signs in with the API's own handler and keeps its token in the cookie.
pub(super) async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    from: crate::http::access::ReadContext,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if !same_origin_headers(&headers) {
        return Rejection::Forbidden(ctx.lang).into_response();
    }
    let next = safe_next(f.next.as_deref());
    let officer_id = f.officer_id.trim().to_string();
    match accounts::login(&state.svc, &officer_id, &f.password, &from).await {
        Ok((token, _)) => {
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&token, accounts::SESSION_HOURS * 3600),
            );
            r
        }
        Err(e @ Error::TooMany { .. }) => html(
            &ctx,
            StatusCode::TOO_MANY_REQUESTS,
            login_form(
                &ctx,
                &next,
                Some(crate::messages::service_error(ctx.lang, &e).as_str()),
                &officer_id,
            ),
        ),
        Err(Error::Unauthenticated(_)) => html(
            &ctx,
            StatusCode::UNAUTHORIZED,
            login_form(
                &ctx,
                &next,
                Some(tr(
                    ctx.lang,
                    "Mã cán bộ hoặc mật khẩu không đúng.",
                    "Officer id or password is wrong.",
                )),
                &officer_id,
            ),
        ),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Revokes the session token (the API's logout) and clears the cookie.
pub(super) async fn logout(State(state): State<AppState>, o: Officer) -> Response {
    if let Err(e) = accounts::logout(&state.svc, &o.me).await {
        tracing::warn!(error = %e, "sign-out could not revoke the session");
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session_cookie("", 0));
    r.headers_mut()
        .append(header::SET_COOKIE, reason::clear_cookie());
    r
}
