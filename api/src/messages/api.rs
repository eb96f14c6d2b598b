//! The HTTP API's own messages: every field-validation text, with a stable key.

use super::words::*;
use super::*;

// ---------------------------------------------------------------------------
// The HTTP API's own messages

/// Every field-validation (and request-level) message that `api/src/http/*.rs`
/// sends as a string literal, with a stable key. `from_english` recognises the
/// English texts sent today, so a response can be translated without touching
/// the handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldMessage {
    /// access.rs: the reason for reading a record is too long.
    ReasonTooLong { max: usize },
    /// auth.rs: `check_password_rules`.
    PasswordTooShort { min: usize },
    /// auth.rs, cases.rs, access.rs: a number out of range (`days`, `limit`).
    OutOfRange { min: i64, max: i64 },
    /// auth.rs: `label` of an API token.
    MustNotBeEmpty,
    /// auth.rs: API token for an unknown or inactive officer.
    NoActiveOfficer,
    /// cases.rs `check_id`.
    IdFormat,
    /// cases.rs: intake for a child not registered.
    ChildNotRegistered,
    /// cases.rs: `record_intake` sent to `/cases/{id}/actions`.
    IntakeOpensNewCase,
    /// children.rs: `register_child` sent to `/children/{id}/actions`.
    RegisterChildEndpoint,
    /// officers.rs: `register_officer` sent to `/officers/{id}/actions`.
    RegisterOfficerEndpoint,
    /// cases.rs: case list filter.
    UnknownStatus(String),
    /// cases.rs: case list filter.
    UnknownGroup(String),
    /// cases.rs: `offset`.
    NotNegative,
    /// cases.rs, officers.rs: `as_of`, `from`, `to` (ProjectionError::Time).
    InvalidTime(String),
    /// exports.rs: `place`.
    PlaceFormat,
    /// exports.rs: a provincial export must name what it covers.
    ExportScopeRequired,
    /// idempotency.rs.
    IdempotencyKeyFormat,
    /// idempotency.rs.
    IdempotencyKeyReused,
    /// reads.rs: statistics `period`.
    UnknownPeriod(String),
    /// json.rs: wrong Content-Type (415).
    BodyNotJson,
    /// json.rs: body over the limit (413).
    BodyTooLarge { kib: usize },
    /// json.rs: the body is not JSON at all (400).
    BodyInvalidJson,
    /// json.rs (serde): `missing field `x``.
    MissingField(String),
    /// json.rs (serde): `unknown field `x``.
    UnknownField(String),
    /// json.rs (serde): `duplicate field `x``.
    DuplicateField(String),
    /// json.rs (serde): `unknown variant `x``.
    UnknownVariant(String),
    /// json.rs (serde): `invalid type: …` / `invalid value: …`.
    WrongType,
    /// files.rs: an empty upload.
    FileEmpty,
    /// files.rs: an upload over the limit.
    FileTooLarge { mib: usize },
    /// files.rs: a media type not on the allow-list.
    FileTypeNotAccepted(String),
    /// files.rs: content that is not of the declared type.
    FileContentMismatch(String),
    /// The web's upload form sent without a file.
    FileRequired,
    /// duplicates.rs: a record compared with itself.
    SameRecord,
    /// duplicates.rs: the other record of a decision is not a registered child.
    NoRegisteredChild,
    /// cases.rs (risk, harm_type filters): a code the domain does not know.
    UnknownCode(String),
    /// The pages' date inputs: `dd/mm/yyyy`.
    DateFormat,
    /// The pages' time inputs: `dd/mm/yyyy hh:mm`.
    DateTimeFormat,
    /// The pages' month inputs: `mm/yyyy`.
    MonthFormat,
    /// The pages: a form of a kind they do not have.
    UnknownForm,
    /// accounts.rs: a password for a system account.
    SystemNoPassword,
    /// accounts.rs: a password change with a wrong current password.
    CurrentPasswordWrong,
    /// accounts.rs: an API token revoked without a reason.
    RevokeReason,
    /// accounts.rs: an admin resetting their own password.
    OwnPasswordChange,
    /// officers.rs: token and password actions sent to the generic actions.
    AccountRoutes,
    /// The pages: the new password typed twice differently.
    PasswordsDiffer,
    /// officers.rs: a registration through the API with a password.
    AdminSetsNoPassword,
}

impl FieldMessage {
    /// A stable key, e.g. for the lead's templates or client-side lookups.
    pub fn key(&self) -> &'static str {
        match self {
            FieldMessage::ReasonTooLong { .. } => "reason_too_long",
            FieldMessage::PasswordTooShort { .. } => "password_too_short",
            FieldMessage::OutOfRange { .. } => "out_of_range",
            FieldMessage::MustNotBeEmpty => "must_not_be_empty",
            FieldMessage::NoActiveOfficer => "no_active_officer",
            FieldMessage::IdFormat => "id_format",
            FieldMessage::ChildNotRegistered => "child_not_registered",
            FieldMessage::IntakeOpensNewCase => "intake_opens_new_case",
            FieldMessage::RegisterChildEndpoint => "register_child_endpoint",
            FieldMessage::RegisterOfficerEndpoint => "register_officer_endpoint",
            FieldMessage::UnknownStatus(_) => "unknown_status",
            FieldMessage::UnknownGroup(_) => "unknown_group",
            FieldMessage::NotNegative => "not_negative",
            FieldMessage::InvalidTime(_) => "invalid_time",
            FieldMessage::PlaceFormat => "place_format",
            FieldMessage::ExportScopeRequired => "export_scope_required",
            FieldMessage::IdempotencyKeyFormat => "idempotency_key_format",
            FieldMessage::IdempotencyKeyReused => "idempotency_key_reused",
            FieldMessage::UnknownPeriod(_) => "unknown_period",
            FieldMessage::BodyNotJson => "body_not_json",
            FieldMessage::BodyTooLarge { .. } => "body_too_large",
            FieldMessage::BodyInvalidJson => "body_invalid_json",
            FieldMessage::MissingField(_) => "missing_field",
            FieldMessage::UnknownField(_) => "unknown_field",
            FieldMessage::DuplicateField(_) => "duplicate_field",
            FieldMessage::UnknownVariant(_) => "unknown_variant",
            FieldMessage::WrongType => "wrong_type",
            FieldMessage::FileEmpty => "file_empty",
            FieldMessage::FileTooLarge { .. } => "file_too_large",
            FieldMessage::FileTypeNotAccepted(_) => "file_type_not_accepted",
            FieldMessage::FileContentMismatch(_) => "file_content_mismatch",
            FieldMessage::FileRequired => "file_required",
            FieldMessage::SameRecord => "same_record",
            FieldMessage::NoRegisteredChild => "no_registered_child",
            FieldMessage::UnknownCode(_) => "unknown_code",
            FieldMessage::DateFormat => "date_format",
            FieldMessage::DateTimeFormat => "datetime_format",
            FieldMessage::MonthFormat => "month_format",
            FieldMessage::UnknownForm => "unknown_form",
            FieldMessage::SystemNoPassword => "system_no_password",
            FieldMessage::CurrentPasswordWrong => "current_password_wrong",
            FieldMessage::RevokeReason => "revoke_reason",
            FieldMessage::OwnPasswordChange => "own_password_change",
            FieldMessage::AccountRoutes => "account_routes",
            FieldMessage::PasswordsDiffer => "passwords_differ",
            FieldMessage::AdminSetsNoPassword => "admin_sets_no_password",
        }
    }

    /// The message in words.
    pub fn text(&self, lang: Lang) -> String {
        use FieldMessage as M;
        let (vi, en): (String, String) = match self {
            M::ReasonTooLong { max } => (
                format!("Lý do tối đa {max} ký tự."),
                format!("At most {max} characters."),
            ),
            M::PasswordTooShort { min } => (
                format!("Mật khẩu phải có ít nhất {min} ký tự."),
                format!("The password must have at least {min} characters."),
            ),
            M::OutOfRange { min, max } => (
                format!("Giá trị phải từ {min} đến {max}."),
                format!("From {min} to {max}."),
            ),
            M::MustNotBeEmpty => (
                "Không được để trống.".into(),
                "Must not be empty.".into(),
            ),
            M::NoActiveOfficer => (
                "Không có cán bộ đã đăng ký và đang hoạt động với mã này.".into(),
                "No registered, active officer has this id.".into(),
            ),
            M::IdFormat => (
                "Mã gồm 1 đến 100 ký tự: chữ cái, chữ số, - _ . :".into(),
                "1 to 100 characters: letters, digits, - _ . :".into(),
            ),
            M::ChildNotRegistered => (
                "Chưa có trẻ em nào được đăng ký với mã này: hãy đăng ký trẻ em trước (POST /api/v1/children).".into(),
                "No registered child has this id: register the child first (POST /api/v1/children).".into(),
            ),
            M::IntakeOpensNewCase => (
                "Tiếp nhận thông tin mở một hồ sơ mới: dùng POST /api/v1/cases.".into(),
                "An intake opens a new case: POST /api/v1/cases.".into(),
            ),
            M::RegisterChildEndpoint => (
                "Đăng ký trẻ em bằng POST /api/v1/children.".into(),
                "Register a child with POST /api/v1/children.".into(),
            ),
            M::RegisterOfficerEndpoint => (
                "Đăng ký cán bộ bằng POST /api/v1/officers.".into(),
                "Register an officer with POST /api/v1/officers.".into(),
            ),
            M::UnknownStatus(s) => (
                format!("Trạng thái “{s}” không tồn tại."),
                format!("Unknown status “{s}”."),
            ),
            M::UnknownGroup(g) => (
                format!("Nhóm hoàn cảnh đặc biệt “{g}” không tồn tại."),
                format!("Unknown group “{g}”."),
            ),
            M::NotNegative => (
                "Giá trị không được âm.".into(),
                "Not negative.".into(),
            ),
            M::InvalidTime(t) => (
                format!("Thời điểm “{t}” không hợp lệ: dùng dạng RFC 3339, ví dụ 2026-03-02T09:00:00+07:00."),
                format!("Invalid time “{t}”: use RFC 3339, e.g. 2026-03-02T09:00:00+07:00."),
            ),
            M::PlaceFormat => (
                "Địa bàn ghi theo dạng province:P hoặc commune:P:C.".into(),
                "Use province:P or commune:P:C.".into(),
            ),
            M::ExportScopeRequired => (
                "Hãy chọn một hồ sơ, một cán bộ hoặc một địa bàn thuộc tỉnh của mình.".into(),
                "Name a case, an officer or a place in your province.".into(),
            ),
            M::IdempotencyKeyFormat => (
                "Khóa Idempotency-Key gồm 1 đến 200 ký tự ASCII hiển thị được.".into(),
                "1 to 200 visible ASCII characters.".into(),
            ),
            M::IdempotencyKeyReused => (
                "Khóa này đã được dùng cho một yêu cầu khác.".into(),
                "This key was already used with a different request.".into(),
            ),
            M::UnknownPeriod(p) => (
                format!("Kỳ “{p}” không hợp lệ: dùng day (ngày), month (tháng), year (năm) hoặc now (hiện tại)."),
                format!("“{p}”: use day, month, year or now."),
            ),
            M::BodyNotJson => (
                "Nội dung yêu cầu phải là JSON với Content-Type: application/json.".into(),
                "The body must be JSON with Content-Type: application/json.".into(),
            ),
            M::BodyTooLarge { kib } => (
                format!("Nội dung yêu cầu vượt quá {kib} KiB."),
                format!("The body is larger than {kib} KiB."),
            ),
            M::BodyInvalidJson => (
                "Nội dung yêu cầu sai cú pháp JSON.".into(),
                "The body is not valid JSON.".into(),
            ),
            M::MissingField(f) => (
                format!("Thiếu thông tin bắt buộc: {}.", field(Lang::Vi, f)),
                format!("Missing field: {}.", field(Lang::En, f)),
            ),
            M::UnknownField(f) => (
                format!("Trường “{f}” không có trong mẫu dữ liệu."),
                format!("Unknown field “{f}”."),
            ),
            M::DuplicateField(f) => (
                format!("Trường “{f}” bị lặp lại."),
                format!("Duplicate field “{f}”."),
            ),
            M::UnknownVariant(v) => (
                format!("Giá trị “{v}” không nằm trong danh sách cho phép."),
                format!("Unknown value “{v}”."),
            ),
            M::WrongType => (
                "Kiểu dữ liệu của giá trị không đúng.".into(),
                "The value has the wrong type.".into(),
            ),
            M::FileEmpty => ("Tệp không có nội dung.".into(), "The file is empty.".into()),
            M::FileTooLarge { mib } => (
                format!("Tệp lớn hơn {mib} MiB."),
                format!("The file is larger than {mib} MiB."),
            ),
            M::FileTypeNotAccepted(t) => (
                format!("Không nhận tệp loại “{t}”: chỉ nhận PDF, ảnh JPEG/PNG, văn bản, Word, Excel."),
                format!("Files of type “{t}” are not accepted: PDF, JPEG/PNG images, text, Word, Excel only."),
            ),
            M::FileContentMismatch(t) => (
                format!("Nội dung tệp không phải là loại “{t}” như đã khai."),
                format!("The content is not a “{t}” file as declared."),
            ),
            M::FileRequired => ("Hãy chọn một tệp.".into(), "Choose a file.".into()),
            M::SameRecord => (
                "Không thể so sánh một hồ sơ với chính nó.".into(),
                "A record cannot be compared with itself.".into(),
            ),
            M::NoRegisteredChild => (
                "Chưa có trẻ em nào được đăng ký với mã này.".into(),
                "No registered child has this id.".into(),
            ),
            M::UnknownCode(v) => (
                format!("Giá trị “{v}” không nằm trong danh sách cho phép."),
                format!("Unknown value “{v}”."),
            ),
            M::DateFormat => (
                "Ngày ghi theo dạng ngày/tháng/năm, ví dụ 05/02/2026.".into(),
                "Write the date as dd/mm/yyyy, e.g. 05/02/2026.".into(),
            ),
            M::DateTimeFormat => (
                "Thời điểm ghi theo dạng ngày/tháng/năm giờ:phút (24 giờ), ví dụ 05/02/2026 14:30.".into(),
                "Write the time as dd/mm/yyyy hh:mm (24-hour), e.g. 05/02/2026 14:30.".into(),
            ),
            M::MonthFormat => (
                "Tháng ghi theo dạng tháng/năm, ví dụ 12/2025.".into(),
                "Write the month as mm/yyyy, e.g. 12/2025.".into(),
            ),
            M::UnknownForm => (
                "Không có biểu mẫu này.".into(),
                "There is no such form.".into(),
            ),
            M::SystemNoPassword => (
                "Tài khoản hệ thống không có mật khẩu; hãy cấp mã truy cập API.".into(),
                "A system account has no password; issue it an API token.".into(),
            ),
            M::CurrentPasswordWrong => (
                "Mật khẩu hiện tại không đúng.".into(),
                "The current password is wrong.".into(),
            ),
            M::RevokeReason => (
                "Hãy ghi lý do thu hồi mã truy cập API.".into(),
                "Say why the API token is revoked.".into(),
            ),
            M::OwnPasswordChange => (
                "Đổi mật khẩu của chính mình bằng mật khẩu hiện tại.".into(),
                "Change your own password with your current one.".into(),
            ),
            M::AccountRoutes => (
                "Mã truy cập và mật khẩu có chức năng riêng (tài khoản, đặt lại mật khẩu).".into(),
                "Tokens and passwords have their own routes: /api/v1/tokens, /api/v1/officers/{id}/password, /api/v1/officers/{id}/password-reset.".into(),
            ),
            M::AdminSetsNoPassword => (
                "Quản trị viên không đặt mật khẩu cho cán bộ: hãy cấp mã kích hoạt (đặt lại mật khẩu) để cán bộ tự đặt.".into(),
                "An admin never sets an officer's password: give the officer an activation code (password reset).".into(),
            ),
            M::PasswordsDiffer => (
                "Hai lần nhập mật khẩu mới không giống nhau.".into(),
                "The two new passwords differ.".into(),
            ),
        };
        pick(lang, vi, en)
    }

    /// The message behind an English text the API sends today (the `message`
    /// of a `FieldError`, or the `detail` of a 413/415), if it is one of ours.
    pub fn from_english(message: &str) -> Option<FieldMessage> {
        use FieldMessage as M;
        let backticked = |prefix: &str| -> Option<String> {
            message
                .strip_prefix(prefix)
                .and_then(|r| r.split('`').next())
                .map(str::to_string)
        };
        let number = |s: &str| s.trim().parse::<i64>().ok();
        let fixed = [
            ("must not be empty", M::MustNotBeEmpty),
            (
                "no registered, active officer with this id",
                M::NoActiveOfficer,
            ),
            ("1 to 100 characters: letters, digits, - _ . :", M::IdFormat),
            (
                "no registered child has this id: register the child first (POST /api/v1/children)",
                M::ChildNotRegistered,
            ),
            (
                "an intake opens a new case: POST /api/v1/cases",
                M::IntakeOpensNewCase,
            ),
            (
                "register a child with POST /api/v1/children",
                M::RegisterChildEndpoint,
            ),
            (
                "register an officer with POST /api/v1/officers",
                M::RegisterOfficerEndpoint,
            ),
            ("not negative", M::NotNegative),
            ("use province:P or commune:P:C", M::PlaceFormat),
            (
                "name a case, an officer or a place in your province",
                M::ExportScopeRequired,
            ),
            ("1 to 200 visible ASCII characters", M::IdempotencyKeyFormat),
            (
                "this key was already used with a different request",
                M::IdempotencyKeyReused,
            ),
            (
                "no registered child has this id: register the child first",
                M::ChildNotRegistered,
            ),
            (
                "an intake opens a new case: record it as a new case",
                M::IntakeOpensNewCase,
            ),
            (
                "a registration makes a new child: register it as a new child",
                M::RegisterChildEndpoint,
            ),
            (
                "a registration makes a new officer: register them as a new officer",
                M::RegisterOfficerEndpoint,
            ),
            ("the file is empty", M::FileEmpty),
            ("choose a file", M::FileRequired),
            ("a record cannot be compared with itself", M::SameRecord),
            ("no registered child has this id", M::NoRegisteredChild),
            ("use dd/mm/yyyy", M::DateFormat),
            ("use dd/mm/yyyy hh:mm", M::DateTimeFormat),
            ("use mm/yyyy", M::MonthFormat),
            ("unknown form", M::UnknownForm),
            (
                "a system account has no password; issue it an API token",
                M::SystemNoPassword,
            ),
            ("the current password is wrong", M::CurrentPasswordWrong),
            ("say why the API token is revoked", M::RevokeReason),
            (
                "change your own password with your current one",
                M::OwnPasswordChange,
            ),
            (
                "tokens and passwords have their own routes: /api/v1/tokens, /api/v1/officers/{id}/password, /api/v1/officers/{id}/password-reset",
                M::AccountRoutes,
            ),
            ("the two new passwords differ", M::PasswordsDiffer),
            (
                "an admin never sets an officer's password: give the officer an activation code (password-reset)",
                M::AdminSetsNoPassword,
            ),
        ];
        if let Some((_, m)) = fixed.into_iter().find(|(t, _)| *t == message) {
            return Some(m);
        }
        if let Some(rest) = message.strip_prefix("at most ") {
            let n = rest.strip_suffix(" characters")?;
            return n.parse().ok().map(|max| M::ReasonTooLong { max });
        }
        if let Some(rest) = message.strip_prefix("the password must have at least ") {
            let n = rest.strip_suffix(" characters")?;
            return n.parse().ok().map(|min| M::PasswordTooShort { min });
        }
        if let Some(rest) = message.strip_prefix("from ") {
            let rest = rest.strip_suffix(" days").unwrap_or(rest);
            let (a, b) = rest.split_once(" to ")?;
            return Some(M::OutOfRange {
                min: number(a)?,
                max: number(b)?,
            });
        }
        if let Some(rest) = message.strip_prefix("the file is larger than ") {
            let n = rest.strip_suffix(" MiB")?;
            return n.parse().ok().map(|mib| M::FileTooLarge { mib });
        }
        if let Some(t) = backticked("files of type `") {
            return Some(M::FileTypeNotAccepted(t));
        }
        if let Some(t) = backticked("the content is not a `") {
            return Some(M::FileContentMismatch(t));
        }
        if let Some(s) = backticked("unknown status `") {
            return Some(M::UnknownStatus(s));
        }
        if let Some(g) = backticked("unknown group `") {
            return Some(M::UnknownGroup(g));
        }
        if let Some(t) = backticked("invalid time `") {
            return Some(M::InvalidTime(t));
        }
        if message.ends_with(": use day, month, year or now") {
            return backticked("`").map(M::UnknownPeriod);
        }
        if message.starts_with("the body must be JSON with Content-Type") {
            return Some(M::BodyNotJson);
        }
        if let Some(rest) = message.strip_prefix("the body is larger than ") {
            let n = rest.strip_suffix(" KiB")?;
            return n.parse().ok().map(|kib| M::BodyTooLarge { kib });
        }
        if message.starts_with("the body is not valid JSON") {
            return Some(M::BodyInvalidJson);
        }
        for (prefix, make) in [
            (
                "missing field `",
                M::MissingField as fn(String) -> FieldMessage,
            ),
            ("unknown field `", M::UnknownField),
            ("duplicate field `", M::DuplicateField),
            ("unknown variant `", M::UnknownVariant),
        ] {
            if let Some(f) = backticked(prefix) {
                return Some(make(f));
            }
        }
        if message.starts_with("invalid type: ") || message.starts_with("invalid value: ") {
            return Some(M::WrongType);
        }
        // `unknown risk `x``, `unknown harm_type `x``: a filter's code.
        if let Some(rest) = message.strip_prefix("unknown ") {
            if let Some((_, v)) = rest.split_once(" `") {
                return v.split('`').next().map(|v| M::UnknownCode(v.to_string()));
            }
        }
        None
    }
}

/// The title of an API problem document (`urn:hoso:problem:{slug}`) in words;
/// `None` for a slug the API does not send.
pub fn problem_title(lang: Lang, slug: &str) -> Option<String> {
    let (vi, en) = match slug {
        "malformed-request" => ("Không đọc được yêu cầu", "The request could not be read"),
        "validation" => ("Yêu cầu chưa hợp lệ", "The request is not valid"),
        "unauthenticated" => ("Cần đăng nhập", "Sign-in required"),
        "forbidden" => (
            "Vai trò của bạn không có thẩm quyền",
            "Not allowed for your role",
        ),
        "not-found" => ("Không tìm thấy", "Not found"),
        "wrong-state" => (
            "Chưa thể thực hiện ở trạng thái hiện tại của hồ sơ",
            "Not possible in the record's current state",
        ),
        "concurrent-change" => (
            "Hồ sơ vừa được thay đổi bởi một yêu cầu khác",
            "Changed by another request first",
        ),
        "too-large" => ("Nội dung yêu cầu quá lớn", "Request body too large"),
        "unsupported-media-type" => ("Hãy gửi application/json", "Send application/json"),
        "unavailable" => (
            "Không kết nối được cơ sở dữ liệu; hãy thử lại",
            "The database is not reachable; retry",
        ),
        "too-many-attempts" => ("Đăng nhập sai quá nhiều lần", "Too many failed sign-ins"),
        "storage-full" => (
            "Ổ đĩa của cơ sở dữ liệu đã đầy; chưa ghi được gì",
            "The store's disk is full; nothing was recorded",
        ),
        "busy" => (
            "Một lần kiểm tra khác đang chạy; hãy thử lại",
            "Another verification is running; retry",
        ),
        "internal" => ("Lỗi hệ thống", "Internal error"),
        _ => return None,
    };
    Some(pick(lang, vi.to_string(), en.to_string()))
}

/// A field message of the API (the English `message` of a field error) in
/// words: the catalogue's text when it is one of ours, else a plain "not
/// valid" (never the English text on a Vietnamese page).
pub fn field_message(lang: Lang, english: &str) -> String {
    match FieldMessage::from_english(english) {
        Some(m) => m.text(lang),
        None => pick(
            lang,
            "Giá trị không hợp lệ.".into(),
            capitalise(english.trim_end_matches('.')) + ".",
        ),
    }
}
