//! What officers read when something is refused: every domain error
//! ([`CaseError`], [`ChildError`], [`OfficerError`]) and every field-validation
//! message of the HTTP API ([`FieldMessage`]), in Vietnamese and English.
//!
//! The domain's own `Display` texts stay the English messages of logs and of
//! the API's `detail`; these are the words for people, with the legal glossary
//! of SPEC.md ("Chủ tịch UBND xã", "kế hoạch hỗ trợ, can thiệp", "đánh giá nguy
//! cơ ban đầu"...). The matches on error variants are exhaustive (no catch-all
//! arm), so a new variant does not compile until it has its words here.
//!
//! What the errors carry is put into words too: roles and statuses through
//! [`crate::labels::label`], units and communes through `hoso_domain::places`,
//! field names and reasons through the tables below (a field or reason not in
//! them is shown as its code).

use chrono::{DateTime, NaiveDate, Utc};
use hoso_domain::case::{CaseError, CaseStatus};
use hoso_domain::child::{ChildError, CircumstanceGroup, HouseholdStatus};
use hoso_domain::common::{HarmType, Role, Unit};
use hoso_domain::officer::OfficerError;
use hoso_domain::places;
use serde::Serialize;

use crate::labels::{label, Lang};

/// One text in both languages.
fn pick(lang: Lang, vi: String, en: String) -> String {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The serde code of a value (`sexual_abuse`, `near_poor`).
fn code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Upper-cases the first letter (Vietnamese letters included).
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `dd/mm/yyyy` (vi) or `yyyy-mm-dd` (en).
pub fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Vi => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

fn time(lang: Lang, t: DateTime<Utc>) -> String {
    crate::labels::when(t, lang)
}

mod api;
mod domain;
mod words;

pub use api::*;
pub use domain::*;
pub use words::*;

/// `a commune_worker may not read the access log` (the service's role check,
/// `Me::require`) in words.
pub fn forbidden(lang: Lang, english: &str) -> String {
    let parsed = english.strip_prefix("a ").and_then(|rest| {
        let (r, what) = rest.split_once(" may not ")?;
        Some((Role::parse(r)?, what))
    });
    match parsed {
        Some((r, what)) => not_authorised(lang, r, what),
        None => pick(
            lang,
            "Vai trò của bạn không có thẩm quyền làm việc này.".into(),
            capitalise(english),
        ),
    }
}

/// Any failure of the service in words for people: domain rules through
/// their own catalogues, field errors through [`field_message`], the rest by
/// kind. Never the English text of a log on a Vietnamese page.
pub fn service_error(lang: Lang, e: &hoso_service::Error) -> String {
    use hoso_service::{Error as E, Rule};
    match e {
        E::Rule(Rule::Case(c)) => case_error(lang, c),
        E::Rule(Rule::Child(c)) => child_error(lang, c),
        E::Rule(Rule::Officer(o)) => officer_error(lang, o),
        E::Invalid { detail, errors } => match errors.as_slice() {
            [one] => field_message(lang, &one.message),
            [] => field_message(lang, detail),
            many => many
                .iter()
                .map(|f| field_message(lang, &f.message))
                .collect::<Vec<_>>()
                .join(" "),
        },
        E::Unauthenticated(_) => pick(
            lang,
            "Cần đăng nhập lại: phiên làm việc đã hết hạn hoặc mã truy cập không đúng.".into(),
            "Sign in again: the session expired or the token is wrong.".into(),
        ),
        E::Forbidden(text) => forbidden(lang, text),
        E::NotFound(text) => {
            let what = text.strip_suffix(" not found").unwrap_or("");
            match what {
                "case" | "child" | "officer" | "place" => not_found(lang, what),
                "attachment" => pick(
                    lang,
                    "Không tìm thấy tài liệu đính kèm này trong hồ sơ.".into(),
                    "No such attachment in this case.".into(),
                ),
                "form" => FieldMessage::UnknownForm.text(lang),
                "route" => pick(lang, "Không có trang này.".into(), "No such page.".into()),
                _ if text.starts_with("no data for this form") => pick(
                    lang,
                    "Đến thời điểm đó hồ sơ chưa có thông tin cho biểu mẫu này.".into(),
                    "The case had no data for this form by then.".into(),
                ),
                _ if text.starts_with("no such route") => {
                    pick(lang, "Không có trang này.".into(), "No such page.".into())
                }
                _ if text.starts_with("no event of this case") => pick(
                    lang,
                    "Đến thời điểm đó hồ sơ chưa có sự kiện nào.".into(),
                    "No event of this case was recorded by then.".into(),
                ),
                _ if text.starts_with("no history for this officer") => pick(
                    lang,
                    "Chưa có lịch sử hoạt động của cán bộ này (dữ liệu được cập nhật sau ít giây)."
                        .into(),
                    "No history for this officer yet (it follows within moments).".into(),
                ),
                _ if text.starts_with("the file of this attachment") => pick(
                    lang,
                    "Tệp của tài liệu đính kèm này không có trong kho lưu trữ.".into(),
                    "The file of this attachment is not in the store.".into(),
                ),
                _ => pick(lang, "Không tìm thấy.".into(), capitalise(text)),
            }
        }
        E::Conflict(_) => pick(
            lang,
            "Chưa thể thực hiện ở trạng thái hiện tại của hồ sơ.".into(),
            "Not possible in the record's current state.".into(),
        ),
        E::Concurrent(_) => pick(
            lang,
            "Hồ sơ vừa được thay đổi bởi một yêu cầu khác; hãy tải lại trang và thử lại.".into(),
            "Another request changed this record at the same time; reload and retry.".into(),
        ),
        E::Unavailable(_) => pick(
            lang,
            "Không kết nối được cơ sở dữ liệu; chưa có gì thay đổi. Hãy thử lại sau ít giây."
                .into(),
            "The database cannot be reached; nothing was changed. Retry in a few seconds.".into(),
        ),
        E::Full(_) => pick(
            lang,
            "Ổ đĩa của cơ sở dữ liệu đã đầy; chưa có gì được ghi. Hãy báo quản trị viên và thử lại sau khi có chỗ trống."
                .into(),
            "The database has no space left; nothing was recorded. Tell the administrator and retry once space is freed."
                .into(),
        ),
        E::TooMany { retry_after } => pick(
            lang,
            format!("Đăng nhập sai quá nhiều lần; hãy thử lại sau {retry_after} giây."),
            format!("Too many failed sign-ins; retry in {retry_after} seconds."),
        ),
        E::Busy(_) => pick(
            lang,
            "Một lần kiểm tra toàn vẹn khác đang chạy; hãy thử lại sau ít giây.".into(),
            "Another verification is running; retry in a few seconds.".into(),
        ),
        E::Internal(_) => pick(
            lang,
            "Hệ thống gặp lỗi; mã yêu cầu trong nhật ký máy chủ cho biết thêm.".into(),
            "The server failed; the request id in the logs tells more.".into(),
        ),
    }
}

/// "case not found" and the like (`ApiError::not_found(what)`), in words.
pub fn not_found(lang: Lang, what: &str) -> String {
    let (vi, en) = match what {
        "case" => ("Không tìm thấy hồ sơ.", "Case not found."),
        "child" => ("Không tìm thấy trẻ em.", "Child not found."),
        "officer" => ("Không tìm thấy cán bộ.", "Officer not found."),
        "place" => ("Không tìm thấy địa bàn.", "Place not found."),
        other => {
            return pick(
                lang,
                format!("Không tìm thấy: {other}."),
                format!("{other} not found."),
            )
        }
    };
    pick(lang, vi.to_string(), en.to_string())
}

#[cfg(test)]
pub(crate) mod tests;
