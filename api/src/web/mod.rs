//! The web pages for managers, inspectors and commune staff, served at `/` by
//! `hoso serve`: server-rendered HTML (Vietnamese by default, `?lang=en`
//! switches and is kept in a cookie), no script needed, every asset compiled
//! in and served by hoso itself (no external network).
//!
//! Architecture invariant: the pages are another face of the JSON API, not a
//! second implementation. Sign-in issues the same session token as
//! `POST /api/v1/auth/login`, kept in an HttpOnly, SameSite=Strict cookie and
//! resolved by the API's own `CurrentOfficer`; commands go through the same
//! `App` path with the API's validation (`parse_json`, `case_error`); the same
//! unit rules apply (a case outside the officer's area is 404); reads are
//! recorded in the access log. POSTs must come from this origin (Origin check).

mod account;
mod attachments;
mod cases;
mod children;
mod dashboard;
mod documents;
mod fields;
mod html;
mod inputs;
mod intake;
mod integrity;
mod officer;
mod reason;
mod signin;
mod stats;
pub(crate) use signin::safe_next;
pub mod words;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hoso_domain::common::Role;
use serde::Deserialize;

use hoso_service::{accounts, Error};

use crate::http::auth::CurrentOfficer;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::{label, Lang};

pub use attachments::file_response;
pub use html::esc;

/// The reason for reading the pages keep for a sign-in (`reason`).
pub fn reason_cookie(headers: &HeaderMap) -> Option<String> {
    reason::from_cookie(headers)
}

const SESSION_COOKIE: &str = "hoso_session";
const LANG_COOKIE: &str = "hoso_lang";

const CSS: &str = include_str!("../../assets/hoso.css");
const ICON: &str = include_str!("../../assets/favicon.svg");

/// The pages, to be merged beside `/health` and `/api/v1`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(signin::login_page).post(signin::login))
        .route("/logout", post(signin::logout))
        .route("/cases", get(cases::list))
        .route("/cases/new", get(intake::new_page).post(intake::record))
        .route("/cases/{id}", get(cases::page))
        .route("/cases/{id}/act", post(cases::act))
        .route(
            "/cases/{id}/attachments",
            post(attachments::upload).layer(DefaultBodyLimit::max(
                hoso_service::files::MAX_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/cases/{id}/attachments/{sha256}",
            get(attachments::download),
        )
        .route("/cases/{id}/forms/{form}", get(documents::page))
        .route(
            "/children/new",
            get(children::new_page).post(children::register),
        )
        .route(
            "/children/duplicates",
            get(children::report).post(children::decide),
        )
        .route("/children/{id}", get(children::page))
        .route("/stats", get(stats::page))
        .route("/stats.csv", get(stats::csv))
        .route("/stats.xlsx", get(stats::xlsx))
        .route("/cases.xlsx", get(cases::list_xlsx))
        .route("/officer", get(officer::page))
        .route("/officer.xlsx", get(officer::xlsx))
        .route("/integrity", get(integrity::page))
        .route("/integrity/verify-case", post(integrity::verify_case))
        .route("/integrity/verify-all", post(integrity::verify_all))
        .route("/integrity/export", get(integrity::export))
        .route("/ly-do", get(reason::page).post(reason::set))
        .route("/tai-khoan", get(account::page))
        .route("/tai-khoan/mat-khau", post(account::change_password))
        .route("/tai-khoan/thu-hoi", post(account::revoke))
        .route("/tai-khoan/dat-lai", post(account::reset))
        .route("/tai-khoan/cap-ma", post(account::issue))
        .route(
            "/kich-hoat",
            get(account::activation_page).post(account::activate),
        )
        .route("/assets/hoso.css", get(css))
        .route("/assets/forms.css", get(documents::css))
        .route("/favicon.svg", get(icon))
        .route("/favicon.ico", get(icon))
        .fallback(no_such_page)
        .with_state(state)
}

/// Any other address: a page saying so, in the request's language.
async fn no_such_page(ctx: Ctx) -> Response {
    let lang = ctx.lang;
    let body = format!(
        "<h1>{}</h1><div class=\"card\"><p>{}</p><p><a href=\"/\">{}</a></p></div>",
        tr(lang, "Không tìm thấy", "Not found"),
        tr(lang, "Không có trang này.", "There is no such page."),
        tr(lang, "Về trang tổng quan", "Back to the dashboard"),
    );
    html(
        &ctx,
        StatusCode::NOT_FOUND,
        layout(
            &ctx,
            None,
            "",
            tr(lang, "Không tìm thấy", "Not found"),
            &body,
        ),
    )
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

async fn icon() -> Response {
    asset("image/svg+xml", ICON)
}

pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Vietnamese or English text for the pages' own words (domain codes go
/// through `labels::label`).
pub fn tr(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language of a request: `?lang=` first, then the cookie, else Vietnamese.
/// The second value is true when `?lang=` chose it (the cookie is then set).
fn lang_of(parts: &Parts) -> (Lang, bool) {
    let q = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned());
    match q.as_deref() {
        Some("en") => return (Lang::En, true),
        Some("vi") => return (Lang::Vi, true),
        _ => {}
    }
    match cookie(&parts.headers, LANG_COOKIE) {
        Some("en") => (Lang::En, false),
        _ => (Lang::Vi, false),
    }
}

/// A page request's language, and the signed-in officer when there is one.
pub struct Ctx {
    pub lang: Lang,
    set_lang: bool,
    /// Path and query, to come back after sign-in or a language switch.
    pub here: String,
    /// The reason for reading kept for this sign-in (inspectors).
    pub reason: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let (lang, set_lang) = lang_of(parts);
        Ok(Ctx {
            lang,
            set_lang,
            reason: reason::from_cookie(&parts.headers),
            here: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
        })
    }
}

/// The signed-in officer of a page request (from the session cookie, resolved
/// exactly as the API resolves a bearer token). Without a valid session the
/// page redirects to the sign-in page; a POST from another origin is refused.
pub struct Officer {
    pub me: CurrentOfficer,
    pub ctx: Ctx,
}

pub enum Rejection {
    SignIn(String),
    /// A POST from another origin, in the words of the request's language.
    Forbidden(Lang),
    Error(ApiError),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::SignIn(next) => {
                let to = format!(
                    "/login?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                Redirect::to(&to).into_response()
            }
            Rejection::Forbidden(lang) => (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                tr(
                    lang,
                    "Biểu mẫu gửi từ một trang web khác bị từ chối.",
                    "Cross-origin form submissions are refused.",
                ),
            )
                .into_response(),
            Rejection::Error(e) => e.into_response(),
        }
    }
}

/// True when a POST comes from this very origin (or names none).
fn same_origin(parts: &Parts) -> bool {
    same_origin_headers(&parts.headers)
}

/// `same_origin` of a request's headers. Under `Referrer-Policy:
/// no-referrer` (crate::headers) browsers send `Origin: null` even for a
/// form of this very site; then the browser's own `Sec-Fetch-Site` (which no
/// page can set) must say `same-origin`.
fn same_origin_headers(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let origin = origin.to_str().unwrap_or("");
    if origin == "null" {
        return headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"same-origin");
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let bare = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    !host.is_empty() && bare == host
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        if parts.method == Method::POST && !same_origin(parts) {
            return Err(Rejection::Forbidden(ctx.lang));
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(Rejection::SignIn(ctx.here));
        };
        // The same resolution as the API's bearer token.
        match accounts::authenticate(&state.svc, token).await {
            Ok(me) => Ok(Officer {
                me: CurrentOfficer(me),
                ctx,
            }),
            Err(Error::Unauthenticated(_)) => Err(Rejection::SignIn(ctx.here)),
            Err(e) => Err(Rejection::Error(e.into())),
        }
    }
}

fn lang_cookie(lang: Lang) -> HeaderValue {
    let v = match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={v}; Path=/; Max-Age=31536000; SameSite=Strict"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Which pages an officer's role opens, for the menu.
fn nav_items(lang: Lang, role: Role) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("/", tr(lang, "Tổng quan", "Dashboard")),
        ("/cases", tr(lang, "Hồ sơ", "Cases")),
        ("/stats", tr(lang, "Thống kê", "Statistics")),
        ("/officer", tr(lang, "Cán bộ", "Officer")),
    ];
    if children::sees_report(role) {
        v.push((
            "/children/duplicates",
            tr(lang, "Hồ sơ trùng", "Duplicates"),
        ));
    }
    if matches!(
        role,
        Role::Inspector | Role::Admin | Role::ProvincialManager
    ) {
        v.push(("/integrity", tr(lang, "Toàn vẹn dữ liệu", "Integrity")));
    }
    v
}

/// The language switch link: the same page with `lang=` replaced.
fn switch_href(here: &str, to: &str) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let mut q: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    q.push(("lang".into(), to.into()));
    let qs = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q)
        .finish();
    format!("{path}?{qs}")
}

/// A whole page: head, top bar with the menu and the officer, the body.
pub fn layout(
    ctx: &Ctx,
    me: Option<&CurrentOfficer>,
    active: &str,
    title: &str,
    body: &str,
) -> String {
    let lang = ctx.lang;
    let html_lang = tr(lang, "vi", "en");
    let mut nav = String::new();
    let mut who = String::new();
    if let Some(me) = me {
        for (href, name) in nav_items(lang, me.role()) {
            let cls = if href == active { " class=\"on\"" } else { "" };
            nav.push_str(&format!("<a href=\"{href}\"{cls}>{}</a>", esc(name)));
        }
        if me.sight().needs_reason() {
            let (text, link) = match &ctx.reason {
                Some(r) => (esc(r), tr(lang, "đổi", "change")),
                None => (
                    tr(lang, "chưa ghi", "not given").to_string(),
                    tr(lang, "ghi lý do", "give one"),
                ),
            };
            who.push_str(&format!(
                "<span class=\"why\">{}: {text} · <a href=\"/ly-do?next={}\">{link}</a></span>",
                tr(lang, "Lý do tra cứu", "Reason for reading"),
                esc(&form_urlencoded::byte_serialize(ctx.here.as_bytes()).collect::<String>()),
            ));
        }
        who.push_str(&format!(
            "<span class=\"who\"><a href=\"/tai-khoan\"><b>{}</b></a> · {}</span>\
             <form method=\"post\" action=\"/logout\" class=\"inline\"><button class=\"link\">{}</button></form>",
            esc(&me.full_name),
            esc(&label(lang, me.role().as_str())),
            tr(lang, "Đăng xuất", "Sign out")
        ));
    }
    let switch = match lang {
        Lang::Vi => format!(
            "<a class=\"lang\" href=\"{}\" hreflang=\"en\">English</a>",
            esc(&switch_href(&ctx.here, "en"))
        ),
        Lang::En => format!(
            "<a class=\"lang\" href=\"{}\" hreflang=\"vi\">Tiếng Việt</a>",
            esc(&switch_href(&ctx.here, "vi"))
        ),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · hoso</title><link rel=\"stylesheet\" href=\"/assets/hoso.css\">\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"></head><body>\
         <header class=\"top\"><a class=\"brand\" href=\"/\">hồ sơ <small>{}</small></a>\
         <nav>{nav}</nav><div class=\"right\">{who}{switch}</div></header>\
         <main>{body}</main><footer>{}</footer></body></html>",
        esc(title),
        tr(lang, "bảo vệ trẻ em", "child protection"),
        tr(
            lang,
            "Hồ sơ được lưu dưới dạng sự kiện không thể sửa, xóa (chuỗi băm SHA-256). Thông tin của trẻ em được bảo mật (Luật Trẻ em, Điều 21).",
            "Records are kept as events that cannot be edited or removed (SHA-256 hash chains). Children's information is private (Law on Children, Art. 21)."
        ),
    )
}

/// An HTML answer, setting the language cookie when `?lang=` chose it.
pub fn html(ctx: &Ctx, status: StatusCode, page: String) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if ctx.set_lang {
        r.headers_mut()
            .append(header::SET_COOKIE, lang_cookie(ctx.lang));
    }
    r
}

/// A page for a failure of a page request (404 for a case outside the area…).
/// A read refused for want of a reason asks for one.
pub fn error_page(o: &Officer, e: ApiError) -> Response {
    let lang = o.ctx.lang;
    let status = e.status();
    if e.problem().1["errors"][0]["field"] == "reason" {
        return reason::ask(o);
    }
    if e.is_internal() {
        tracing::error!(error = %e, "page failed");
    }
    let title = match status {
        StatusCode::NOT_FOUND => tr(lang, "Không tìm thấy", "Not found"),
        StatusCode::FORBIDDEN => tr(lang, "Không được phép", "Not allowed"),
        _ => tr(lang, "Có lỗi", "Something went wrong"),
    };
    let detail = words::say(lang, &e).detail;
    let body = format!(
        "<h1>{}</h1><div class=\"card\"><p>{}</p><p class=\"muted\">{}</p><p><a href=\"/\">{}</a></p></div>",
        esc(title),
        esc(&detail),
        status.as_u16(),
        tr(lang, "Về trang tổng quan", "Back to the dashboard")
    );
    html(
        &o.ctx,
        status,
        layout(&o.ctx, Some(&o.me), "", title, &body),
    )
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn a_post_must_come_from_this_site() {
        let host = ("host", "hoso.example:8080");
        assert!(same_origin_headers(&headers(&[host])));
        assert!(same_origin_headers(&headers(&[
            host,
            ("origin", "http://hoso.example:8080")
        ])));
        assert!(!same_origin_headers(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        // `Origin: null` (no-referrer): only with the browser's same-origin mark.
        assert!(same_origin_headers(&headers(&[
            host,
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!same_origin_headers(&headers(&[
            host,
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin_headers(&headers(&[host, ("origin", "null")])));
    }
}
