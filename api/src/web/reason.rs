//! The reason for reading (lý do tra cứu): inspectors give one for every read
//! (`hoso_service::sight`). On the pages it is asked once, before the first
//! read, and kept for the sign-in in a cookie that `ReadContext` reads beside
//! the `X-Access-Reason` header and the `reason` parameter; every read of the
//! session is logged with it. Signing out forgets it.

use axum::extract::Query;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{esc, html, layout, tr, Officer};
use hoso_service::access::{ReadContext, MAX_REASON};

pub const REASON_COOKIE: &str = "hoso_reason";

fn cookie_value(reason: &str, max_age: Option<i64>) -> HeaderValue {
    let v: String = form_urlencoded::byte_serialize(reason.as_bytes()).collect();
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{REASON_COOKIE}={v}; Path=/; HttpOnly; SameSite=Strict{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The cookie that forgets the reason (on sign-out).
pub fn clear_cookie() -> HeaderValue {
    cookie_value("", Some(0))
}

/// The reason kept by the pages, if any.
pub fn from_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    let raw = super::cookie(headers, REASON_COOKIE)?;
    let decoded: String = form_urlencoded::parse(format!("r={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    (!decoded.trim().is_empty()).then_some(decoded)
}

fn form(o: &Officer, next: &str, error: Option<&str>) -> String {
    let lang = o.ctx.lang;
    let err = error
        .map(|e| format!("<div class=\"errors\" role=\"alert\">{}</div>", esc(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>{}</h1><p class=\"muted\">{}</p>{err}\
         <form method=\"post\" action=\"/ly-do\" class=\"card stack\">\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <label>{}<textarea name=\"reason\" required maxlength=\"{MAX_REASON}\" rows=\"3\" autofocus></textarea></label>\
         <button type=\"submit\" class=\"primary\">{}</button></form>",
        tr(lang, "Lý do tra cứu", "Reason for reading"),
        tr(
            lang,
            "Thanh tra viên ghi lý do cho mọi lần xem hồ sơ (Luật Trẻ em, Điều 21). Lý do được lưu vào nhật ký truy cập cùng mỗi lần xem trong phiên đăng nhập này.",
            "Inspectors give a reason for every read of a record (Law on Children, Art. 21). It is kept in the access log with every read of this sign-in."
        ),
        esc(next),
        tr(lang, "Lý do (ví dụ: số quyết định thanh tra)", "Reason (e.g. the inspection decision number)"),
        tr(lang, "Tiếp tục", "Continue"),
    );
    layout(
        &o.ctx,
        Some(&o.me),
        "",
        tr(lang, "Lý do tra cứu", "Reason for reading"),
        &body,
    )
}

/// The page a read without a reason answers with.
pub fn ask(o: &Officer) -> Response {
    let next = o.ctx.here.clone();
    html(
        &o.ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
        form(o, &next, None),
    )
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /ly-do`: give or change the reason.
pub async fn page(o: Officer, Query(q): Query<NextQuery>) -> Response {
    let next = super::safe_next(q.next.as_deref());
    html(&o.ctx, StatusCode::OK, form(&o, &next, None))
}

#[derive(Deserialize)]
pub struct ReasonForm {
    reason: String,
    next: Option<String>,
}

/// `POST /ly-do`: keeps the reason for the sign-in and goes back.
pub async fn set(o: Officer, Form(f): Form<ReasonForm>) -> Response {
    let next = super::safe_next(f.next.as_deref());
    match ReadContext::reason(Some(&f.reason)) {
        Ok(Some(r)) => {
            let mut resp = Redirect::to(&next).into_response();
            resp.headers_mut()
                .append(header::SET_COOKIE, cookie_value(&r, None));
            resp
        }
        Ok(None) => html(
            &o.ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            form(
                &o,
                &next,
                Some(tr(o.ctx.lang, "Hãy ghi lý do.", "Give a reason.")),
            ),
        ),
        Err(_) => html(
            &o.ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            form(
                &o,
                &next,
                Some(tr(
                    o.ctx.lang,
                    "Lý do quá dài (tối đa 500 ký tự).",
                    "The reason is too long (at most 500 characters).",
                )),
            ),
        ),
    }
}
