//! The account page (`/tai-khoan`): your sessions and API tokens with a
//! button to end each, and your password change (with the current one); for
//! admins, a password reset (an activation code, handed over in person) and
//! API tokens of system accounts. The activation page (`/kich-hoat`) sets a
//! new password with the code, without signing in. Every action is the
//! service's (`hoso_service::accounts`), as the JSON API's.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hoso_domain::common::Role;
use hoso_service::accounts::{self, TokenRow};
use serde::Deserialize;

use super::html::when;
use super::{error_page, esc, html, layout, tr, Ctx, Officer};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::Lang;
use crate::web::words;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    /// A system account whose tokens an admin manages.
    system: Option<String>,
}

/// One table of tokens, each with a form that ends it.
fn tokens_table(lang: Lang, officer: &str, rows: &[TokenRow], current: &str, back: &str) -> String {
    if rows.is_empty() {
        return format!(
            "<p class=\"empty\">{}</p>",
            tr(
                lang,
                "Không có phiên hay mã truy cập nào.",
                "No session or token."
            )
        );
    }
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| when(t.with_timezone(&chrono::Utc), lang))
            .unwrap_or_else(|_| t.to_string())
    };
    let body: String = rows
        .iter()
        .map(|t| {
            let kind = if t.kind == "api" {
                tr(lang, "Mã truy cập API", "API token")
            } else {
                tr(lang, "Phiên đăng nhập", "Sign-in session")
            };
            let state = match (&t.revoked_at, t.token_id == current) {
                (Some(r), _) => format!(
                    "<span class=\"muted\">{} {}</span>",
                    tr(lang, "đã thu hồi", "revoked"),
                    esc(&at(r))
                ),
                (None, true) => format!(
                    "<span class=\"badge ok\">{}</span>",
                    tr(lang, "phiên này", "this session")
                ),
                (None, false) => {
                    let reason = if t.kind == "api" {
                        format!(
                            "<input name=\"reason\" required maxlength=\"500\" placeholder=\"{}\">",
                            tr(lang, "lý do thu hồi", "why")
                        )
                    } else {
                        String::new()
                    };
                    format!(
                        "<form method=\"post\" action=\"/tai-khoan/thu-hoi\" class=\"inline\">\
                         <input type=\"hidden\" name=\"officer_id\" value=\"{}\">\
                         <input type=\"hidden\" name=\"token_id\" value=\"{}\">\
                         <input type=\"hidden\" name=\"back\" value=\"{}\">{reason}\
                         <button>{}</button></form>",
                        esc(officer),
                        esc(&t.token_id),
                        esc(back),
                        tr(lang, "Thu hồi", "Revoke")
                    )
                }
            };
            // A session's label is the server's own word; an API token's is
            // what the admin typed.
            let label = if t.kind == "api" {
                esc(&t.label)
            } else {
                tr(lang, "đăng nhập", "sign-in").to_string()
            };
            format!(
                "<tr><td>{kind}</td><td>{label}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{state}</td></tr>",
                esc(&t.token_id),
                esc(&at(&t.created_at)),
                esc(&at(&t.expires_at)),
            )
        })
        .collect();
    format!(
        "<table class=\"tokens\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead>\
         <tbody>{body}</tbody></table>",
        tr(lang, "Loại", "Kind"),
        tr(lang, "Nhãn", "Label"),
        tr(lang, "Mã", "Id"),
        tr(lang, "Tạo lúc", "Created"),
        tr(lang, "Hết hạn", "Expires"),
    )
}

fn errors(lang: Lang, e: Option<&ApiError>) -> String {
    e.map(|e| {
        let said = words::say(lang, e);
        format!(
            "<div class=\"errors\" role=\"alert\">{}</div>",
            esc(&said.detail)
        )
    })
    .unwrap_or_default()
}

/// The page, with an error of the last action or a secret to show once.
async fn render(
    state: &AppState,
    o: &Officer,
    q: &PageQuery,
    error: Option<&ApiError>,
    shown: Option<String>,
) -> Result<String, ApiError> {
    let lang = o.ctx.lang;
    let me = &o.me;
    let id = me.actor.officer_id.clone();
    let current = accounts::token_id(&me.token_hash);
    let mine = accounts::tokens(&state.svc, me, &id).await?;
    let own = tokens_table(lang, &id, &mine, &current, "/tai-khoan");
    let password = if me.role() == Role::System {
        String::new()
    } else {
        format!(
            "<section class=\"card\" id=\"password\"><h2>{}</h2><p class=\"muted\">{}</p>\
             <form method=\"post\" action=\"/tai-khoan/mat-khau\" class=\"stack\">\
             <label>{}<input name=\"current_password\" type=\"password\" autocomplete=\"current-password\" required></label>\
             <label>{}<input name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{}\"></label>\
             <label>{}<input name=\"confirm\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{}\"></label>\
             <button class=\"primary\">{}</button></form></section>",
            tr(lang, "Đổi mật khẩu", "Change your password"),
            tr(
                lang,
                "Sau khi đổi, mọi phiên đăng nhập và mã truy cập của tài khoản đều hết hiệu lực; hãy đăng nhập lại.",
                "Afterwards every session and token of the account ends; sign in again."
            ),
            tr(lang, "Mật khẩu hiện tại", "Current password"),
            tr(lang, "Mật khẩu mới (ít nhất 10 ký tự)", "New password (at least 10 characters)"),
            accounts::MIN_PASSWORD,
            tr(lang, "Nhập lại mật khẩu mới", "New password again"),
            accounts::MIN_PASSWORD,
            tr(lang, "Đổi mật khẩu", "Change password"),
        )
    };
    let admin = if me.role() == Role::Admin {
        let system = match q.system.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => String::new(),
            Some(sys) => {
                let rows = accounts::tokens(&state.svc, me, sys).await?;
                let back = format!(
                    "/tai-khoan?system={}",
                    form_urlencoded::byte_serialize(sys.as_bytes()).collect::<String>()
                );
                format!(
                    "<h3>{} <span class=\"mono\">{}</span></h3>{}",
                    tr(lang, "Mã truy cập của", "Tokens of"),
                    esc(sys),
                    tokens_table(lang, sys, &rows, "", &back)
                )
            }
        };
        format!(
            "<section class=\"card\" id=\"reset\"><h2>{}</h2><p class=\"muted\">{}</p>\
             <form method=\"post\" action=\"/tai-khoan/dat-lai\" class=\"filters\">\
             <label>{}<input name=\"officer_id\" required size=\"16\"></label>\
             <label>{}<input name=\"reason\" required maxlength=\"500\" size=\"30\"></label>\
             <div class=\"actions\"><button>{}</button></div></form></section>\
             <section class=\"card\" id=\"system-tokens\"><h2>{}</h2><p class=\"muted\">{}</p>\
             <form method=\"post\" action=\"/tai-khoan/cap-ma\" class=\"filters\">\
             <label>{}<input name=\"officer_id\" required size=\"16\"></label>\
             <label>{}<input name=\"label\" required maxlength=\"100\" size=\"20\"></label>\
             <label>{}<input name=\"days\" type=\"number\" min=\"1\" max=\"365\" value=\"90\" required></label>\
             <div class=\"actions\"><button>{}</button></div></form>\
             <form method=\"get\" action=\"/tai-khoan\" class=\"filters\">\
             <label>{}<input name=\"system\" size=\"16\" value=\"{}\"></label>\
             <div class=\"actions\"><button>{}</button></div></form>{system}</section>",
            tr(lang, "Đặt lại mật khẩu của cán bộ", "Reset an officer's password"),
            tr(
                lang,
                "Mật khẩu cũ hết hiệu lực ngay, mọi phiên của cán bộ kết thúc. Hệ thống đưa ra một mã kích hoạt (dùng một lần, 72 giờ): trao tận tay cán bộ để họ tự đặt mật khẩu mới tại trang Kích hoạt. Quản trị viên không đặt được mật khẩu thay cán bộ; việc đặt lại được ghi vào hồ sơ của cán bộ.",
                "The old password stops working and every session of the officer ends. You get an activation code (one use, 72 hours): hand it to the officer, who sets a new password on the activation page. Admins never set an officer's password; the reset is recorded in the officer's record."
            ),
            tr(lang, "Mã cán bộ", "Officer id"),
            tr(lang, "Lý do", "Reason"),
            tr(lang, "Đặt lại", "Reset"),
            tr(lang, "Mã truy cập API cho tài khoản hệ thống", "API tokens of system accounts"),
            tr(
                lang,
                "Chỉ tài khoản hệ thống (như máy chủ tổng đài 111) mới có mã truy cập API; cán bộ đăng nhập bằng mật khẩu của chính mình.",
                "Only system accounts (such as the Hotline 111 switchboard) get API tokens; officers sign in with their own password."
            ),
            tr(lang, "Tài khoản hệ thống", "System account"),
            tr(lang, "Nhãn", "Label"),
            tr(lang, "Số ngày hiệu lực", "Valid for (days)"),
            tr(lang, "Cấp mã", "Issue"),
            tr(lang, "Xem mã của tài khoản", "Tokens of account"),
            esc(q.system.as_deref().unwrap_or("")),
            tr(lang, "Xem", "Show"),
        )
    } else {
        String::new()
    };
    let secret = shown.unwrap_or_default();
    let body = format!(
        "<h1>{}</h1>{}{secret}<section class=\"card\" id=\"sessions\"><h2>{}</h2>{own}</section>{password}{admin}",
        tr(lang, "Tài khoản", "Account"),
        errors(lang, error),
        tr(lang, "Phiên đăng nhập và mã truy cập", "Sessions and tokens"),
    );
    Ok(layout(
        &o.ctx,
        Some(me),
        "/tai-khoan",
        tr(lang, "Tài khoản", "Account"),
        &body,
    ))
}

async fn answer(
    state: &AppState,
    o: &Officer,
    q: &PageQuery,
    status: StatusCode,
    error: Option<ApiError>,
    shown: Option<String>,
) -> Response {
    match render(state, o, q, error.as_ref(), shown).await {
        Ok(p) => html(&o.ctx, status, p),
        Err(e) => error_page(o, e),
    }
}

/// `GET /tai-khoan`.
pub async fn page(
    State(state): State<AppState>,
    o: Officer,
    Query(q): Query<PageQuery>,
) -> Response {
    answer(&state, &o, &q, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    password: String,
    confirm: String,
}

/// `POST /tai-khoan/mat-khau`: every session ends, so to the sign-in page.
pub async fn change_password(
    State(state): State<AppState>,
    o: Officer,
    Form(f): Form<PasswordForm>,
) -> Response {
    let q = PageQuery::default();
    if f.password != f.confirm {
        let e = ApiError::from(hoso_service::Error::invalid(
            "confirm",
            "the two new passwords differ",
        ));
        return answer(
            &state,
            &o,
            &q,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e),
            None,
        )
        .await;
    }
    match accounts::change_own_password(&state.svc, &o.me, &f.current_password, &f.password).await {
        Ok(()) => {
            let mut r = Redirect::to("/login?changed=1").into_response();
            r.headers_mut()
                .append(header::SET_COOKIE, super::signin::clear_session_cookie());
            r
        }
        Err(e) => {
            let e = ApiError::from(e);
            answer(&state, &o, &q, e.status(), Some(e), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    officer_id: String,
    token_id: String,
    reason: Option<String>,
    back: Option<String>,
}

/// `POST /tai-khoan/thu-hoi`.
pub async fn revoke(
    State(state): State<AppState>,
    o: Officer,
    Form(f): Form<RevokeForm>,
) -> Response {
    match accounts::revoke(
        &state.svc,
        &o.me,
        &f.officer_id,
        &f.token_id,
        f.reason.as_deref(),
    )
    .await
    {
        Ok(()) => Redirect::to(&super::safe_next(f.back.as_deref())).into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            answer(&state, &o, &PageQuery::default(), e.status(), Some(e), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    officer_id: String,
    reason: String,
}

/// The box that shows a secret once.
fn once(
    lang: Lang,
    title: &str,
    secret: &str,
    expires: chrono::DateTime<chrono::Utc>,
    note: &str,
) -> String {
    format!(
        "<div class=\"result good\" id=\"secret\" role=\"status\"><p><b>{}</b></p>\
         <p class=\"mono wrap\">{}</p><p class=\"muted\">{} {} · {}</p></div>",
        esc(title),
        esc(secret),
        tr(lang, "Hết hạn", "Expires"),
        esc(&when(expires, lang)),
        esc(note),
    )
}

/// `POST /tai-khoan/dat-lai`: an admin's reset; the code is shown once.
pub async fn reset(
    State(state): State<AppState>,
    o: Officer,
    Form(f): Form<ResetForm>,
) -> Response {
    let lang = o.ctx.lang;
    let q = PageQuery::default();
    match accounts::reset_password(&state.svc, &o.me, f.officer_id.trim(), &f.reason).await {
        Ok((code, expires)) => {
            let shown = once(
                lang,
                &format!(
                    "{} {}",
                    tr(lang, "Mã kích hoạt cho", "Activation code for"),
                    f.officer_id.trim()
                ),
                &code,
                expires,
                tr(
                    lang,
                    "Chỉ hiện một lần; trao tận tay cán bộ.",
                    "Shown once; hand it to the officer in person.",
                ),
            );
            answer(&state, &o, &q, StatusCode::OK, None, Some(shown)).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            answer(&state, &o, &q, e.status(), Some(e), None).await
        }
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    officer_id: String,
    label: String,
    days: i64,
}

/// `POST /tai-khoan/cap-ma`: an API token for a system account, shown once.
pub async fn issue(
    State(state): State<AppState>,
    o: Officer,
    Form(f): Form<TokenForm>,
) -> Response {
    let lang = o.ctx.lang;
    let q = PageQuery {
        system: Some(f.officer_id.trim().to_string()),
    };
    match accounts::create_api_token(&state.svc, &o.me, f.officer_id.trim(), &f.label, f.days).await
    {
        Ok(t) => {
            let shown = once(
                lang,
                &format!(
                    "{} {}",
                    tr(lang, "Mã truy cập API", "API token"),
                    t.token_id
                ),
                &t.token,
                t.expires_at,
                tr(
                    lang,
                    "Chỉ hiện một lần; chỉ lưu giá trị băm.",
                    "Shown once; only its hash is kept.",
                ),
            );
            answer(&state, &o, &q, StatusCode::CREATED, None, Some(shown)).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            answer(&state, &o, &PageQuery::default(), e.status(), Some(e), None).await
        }
    }
}

fn activation_form(ctx: &Ctx, error: Option<&ApiError>, officer_id: &str) -> String {
    let lang = ctx.lang;
    let body = format!(
        "<div class=\"login\"><h1>{}</h1><p class=\"muted\">{}</p>{}\
         <form method=\"post\" action=\"/kich-hoat\" class=\"card stack\">\
         <label>{}<input name=\"officer_id\" autocomplete=\"username\" required value=\"{}\"></label>\
         <label>{}<input name=\"activation_code\" required autocomplete=\"one-time-code\"></label>\
         <label>{}<input name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{}\"></label>\
         <label>{}<input name=\"confirm\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{}\"></label>\
         <button type=\"submit\" class=\"primary\">{}</button></form></div>",
        tr(lang, "Kích hoạt tài khoản", "Activate your account"),
        tr(
            lang,
            "Dùng mã kích hoạt quản trị viên trao cho bạn để tự đặt mật khẩu mới.",
            "Set your new password with the activation code your administrator gave you."
        ),
        errors(lang, error),
        tr(lang, "Mã cán bộ", "Officer id"),
        esc(officer_id),
        tr(lang, "Mã kích hoạt", "Activation code"),
        tr(lang, "Mật khẩu mới (ít nhất 10 ký tự)", "New password (at least 10 characters)"),
        accounts::MIN_PASSWORD,
        tr(lang, "Nhập lại mật khẩu mới", "New password again"),
        accounts::MIN_PASSWORD,
        tr(lang, "Đặt mật khẩu", "Set password"),
    );
    layout(
        ctx,
        None,
        "",
        tr(lang, "Kích hoạt tài khoản", "Activate your account"),
        &body,
    )
}

/// `GET /kich-hoat`.
pub async fn activation_page(ctx: Ctx) -> Response {
    html(&ctx, StatusCode::OK, activation_form(&ctx, None, ""))
}

#[derive(Deserialize)]
pub struct ActivationForm {
    officer_id: String,
    activation_code: String,
    password: String,
    confirm: String,
}

/// `POST /kich-hoat`: then to the sign-in page. Refused from another origin,
/// like the sign-in.
pub async fn activate(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Form(f): Form<ActivationForm>,
) -> Response {
    if !super::same_origin_headers(&headers) {
        return super::Rejection::Forbidden(ctx.lang).into_response();
    }
    let id = f.officer_id.trim().to_string();
    let result = if f.password != f.confirm {
        Err(hoso_service::Error::invalid(
            "confirm",
            "the two new passwords differ",
        ))
    } else {
        accounts::activate(&state.svc, &id, f.activation_code.trim(), &f.password).await
    };
    match result {
        Ok(()) => Redirect::to("/login?activated=1").into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            html(&ctx, e.status(), activation_form(&ctx, Some(&e), &id))
        }
    }
}
