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

// ---------------------------------------------------------------------------
// Words for what the errors carry

/// (English description of an action as given by the domain's `describe()`,
/// Vietnamese). The HTTP layer's own actions (`require`) are listed too.
const ACTIONS: &[(&str, &str)] = &[
    // case
    ("record an intake", "ghi nhận tiếp nhận thông tin"),
    ("record a fact check", "ghi nhận kiểm tra tính xác thực"),
    ("assess the initial risk", "đánh giá nguy cơ ban đầu"),
    (
        "order emergency measures",
        "quyết định áp dụng biện pháp can thiệp khẩn cấp",
    ),
    ("assess the specific risk", "đánh giá nguy cơ cụ thể"),
    ("draft a plan", "xây dựng kế hoạch hỗ trợ, can thiệp"),
    ("approve a plan", "phê duyệt kế hoạch hỗ trợ, can thiệp"),
    (
        "send back a plan",
        "trả lại kế hoạch hỗ trợ, can thiệp để xây dựng lại",
    ),
    ("record a service", "ghi nhận dịch vụ đã cung cấp"),
    ("record a referral", "ghi nhận chuyển gửi"),
    ("record a review", "ghi nhận rà soát, đánh giá"),
    ("close the case", "kết thúc hồ sơ"),
    ("reopen the case", "mở lại hồ sơ"),
    ("transfer the case", "chuyển hồ sơ sang xã, phường khác"),
    (
        "reassign the responsible worker",
        "phân công lại cán bộ phụ trách",
    ),
    ("add a note", "thêm ghi chú"),
    ("add an attachment", "đính kèm tài liệu"),
    ("link a case", "liên kết hồ sơ"),
    ("correct an event", "đính chính một sự kiện đã ghi nhận"),
    // child
    ("register a child", "đăng ký trẻ em"),
    ("update a child's details", "cập nhật thông tin trẻ em"),
    (
        "change a household status",
        "thay đổi tình trạng hộ gia đình",
    ),
    ("add a special circumstance", "thêm nhóm hoàn cảnh đặc biệt"),
    (
        "end a special circumstance",
        "kết thúc nhóm hoàn cảnh đặc biệt",
    ),
    (
        "erase a child's personal data",
        "xóa dữ liệu cá nhân của trẻ em",
    ),
    // officer
    ("register an officer", "đăng ký cán bộ"),
    (
        "change an officer's assignment",
        "thay đổi vị trí công tác của cán bộ",
    ),
    ("deactivate an officer", "cho cán bộ ngừng hoạt động"),
    ("reactivate an officer", "cho cán bộ hoạt động trở lại"),
    ("record a training", "ghi nhận tập huấn"),
    (
        "erase an officer's personal data",
        "xóa dữ liệu cá nhân của cán bộ",
    ),
    // HTTP (`CurrentOfficer::require`)
    ("issue API tokens", "cấp mã truy cập API"),
    ("read the access log", "xem nhật ký truy cập"),
    (
        "set another officer's password",
        "đặt mật khẩu cho cán bộ khác",
    ),
];

/// An action in words: the Vietnamese of a domain `describe()` text; the text
/// itself in English (or when it is not in the table).
pub fn action(lang: Lang, describe: &str) -> String {
    match lang {
        Lang::En => describe.to_string(),
        Lang::Vi => ACTIONS
            .iter()
            .find(|(en, _)| *en == describe)
            .map(|(_, vi)| vi.to_string())
            .unwrap_or_else(|| describe.to_string()),
    }
}

/// (field path as the domain and the API name it, Vietnamese, English).
const FIELDS: &[(&str, &str, &str)] = &[
    ("agency", "cơ quan", "agency"),
    ("at", "thời điểm thực hiện", "action time"),
    ("child_id", "mã trẻ em", "child id"),
    ("commune", "xã, phường", "commune"),
    ("correction", "nội dung đính chính", "correction"),
    (
        "corrects_sequence",
        "số thứ tự sự kiện được đính chính",
        "corrected event number",
    ),
    ("date", "ngày", "date"),
    ("date_of_birth", "ngày sinh", "date of birth"),
    ("decision_ref", "số quyết định", "decision number"),
    (
        "delivered_at",
        "thời điểm cung cấp dịch vụ",
        "time of delivery",
    ),
    ("description", "nội dung vụ việc", "description"),
    ("details", "chi tiết biện pháp", "details"),
    ("ethnicity", "dân tộc", "ethnicity"),
    ("file_name", "tên tệp", "file name"),
    ("findings", "kết quả kiểm tra", "findings"),
    ("from", "ngày có hiệu lực", "effective date"),
    ("full_name", "họ và tên", "full name"),
    (
        "group",
        "nhóm hoàn cảnh đặc biệt",
        "special-circumstance group",
    ),
    ("harm_types", "hình thức xâm hại", "harm types"),
    ("hours", "số giờ", "hours"),
    (
        "measures",
        "biện pháp can thiệp khẩn cấp",
        "emergency measures",
    ),
    ("media_type", "loại tệp", "media type"),
    ("minutes.held_at", "thời gian họp", "meeting time"),
    (
        "minutes.participants",
        "thành phần tham dự cuộc họp",
        "meeting participants",
    ),
    (
        "minutes.summary",
        "nội dung biên bản họp",
        "minutes summary",
    ),
    ("needs", "nhu cầu của trẻ em", "needs of the child"),
    ("note", "ghi chú", "note"),
    ("objectives", "mục tiêu của kế hoạch", "plan objectives"),
    ("organiser", "đơn vị tổ chức", "organiser"),
    ("other_case_id", "mã hồ sơ liên kết", "linked case id"),
    ("participants", "thành phần tham gia", "participants"),
    (
        "personal_id",
        "số định danh cá nhân",
        "personal identification number",
    ),
    ("plan_version", "phiên bản kế hoạch", "plan version"),
    ("provider", "đơn vị cung cấp dịch vụ", "provider"),
    ("reason", "lý do", "reason"),
    (
        "received_at",
        "thời điểm tiếp nhận thông tin",
        "time the report was received",
    ),
    (
        "reporter.name",
        "họ và tên người báo tin",
        "reporter's name",
    ),
    (
        "responsible_worker",
        "cán bộ phụ trách",
        "responsible worker",
    ),
    ("review_date", "ngày rà soát", "review date"),
    (
        "services.provider",
        "đơn vị cung cấp dịch vụ",
        "service provider",
    ),
    ("sha256", "mã SHA-256", "SHA-256 digest"),
    ("since", "ngày bắt đầu", "start date"),
    ("size_bytes", "dung lượng tệp", "file size"),
    (
        "source_description",
        "mô tả nguồn thông tin",
        "source description",
    ),
    ("summary", "nội dung", "summary"),
    ("text", "nội dung ghi chú", "note text"),
    ("to", "xã, phường nhận hồ sơ", "receiving commune"),
    (
        "to_officer",
        "cán bộ được phân công",
        "newly assigned officer",
    ),
    ("topics", "nội dung tập huấn", "training topics"),
    ("unit", "đơn vị", "unit"),
    ("until", "ngày kết thúc", "end date"),
];

/// A field name in words; the code itself when it is not in the table.
pub fn field(lang: Lang, f: &str) -> String {
    FIELDS
        .iter()
        .find(|(c, _, _)| *c == f)
        .map(|(_, vi, en)| match lang {
            Lang::Vi => vi.to_string(),
            Lang::En => en.to_string(),
        })
        .unwrap_or_else(|| format!("`{f}`"))
}

/// (reason of `CaseError::Invalid` as given by the domain, Vietnamese).
const REASONS: &[(&str, &str)] = &[
    ("contains an empty entry", "có mục để trống"),
    ("lists a measure twice", "có biện pháp được kê hai lần"),
    ("is after the action time", "sau thời điểm thực hiện"),
    (
        "is before the day the plan is drafted",
        "trước ngày xây dựng kế hoạch",
    ),
    (
        "is before the report was received",
        "trước thời điểm tiếp nhận thông tin",
    ),
    (
        "must be 64 lowercase hexadecimal characters",
        "phải gồm đúng 64 ký tự thập lục phân viết thường",
    ),
    ("must be more than zero", "phải lớn hơn 0"),
    (
        "must look like type/subtype",
        "phải có dạng loại/kiểu, ví dụ application/pdf",
    ),
];

fn reason(lang: Lang, r: &str) -> String {
    match lang {
        Lang::En => r.to_string(),
        Lang::Vi => REASONS
            .iter()
            .find(|(en, _)| *en == r)
            .map(|(_, vi)| vi.to_string())
            .unwrap_or_else(|| r.to_string()),
    }
}

fn role(lang: Lang, r: Role) -> String {
    label(lang, r.as_str())
}

fn status(lang: Lang, s: CaseStatus) -> String {
    label(lang, s.as_str())
}

fn harm(lang: Lang, h: HarmType) -> String {
    label(lang, &code(&h))
}

fn household(lang: Lang, h: HouseholdStatus) -> String {
    match lang {
        Lang::Vi => h.label_vi().to_string(),
        Lang::En => label(lang, &code(&h)),
    }
}

/// `đ. Trẻ em nhiễm HIV/AIDS` / `đ. Living with HIV/AIDS`.
fn group(lang: Lang, g: CircumstanceGroup) -> String {
    let text = match lang {
        Lang::Vi => g.label_vi(),
        Lang::En => g.label_en(),
    };
    match g.legal_letter() {
        Some(l) => format!("{l}. {text}"),
        None => text.to_string(),
    }
}

/// A province of today in running text: `tỉnh Hà Tĩnh`, `thành phố Hà Nội`
/// (vi); `Hà Tĩnh province`, `Hà Nội city` (en); the code when unknown.
fn province(lang: Lang, code: u32) -> String {
    let Some(p) = places::current().province(code) else {
        return pick(
            lang,
            format!("tỉnh, thành phố mã {code}"),
            format!("province {code}"),
        );
    };
    let city = p.division_type.starts_with("thành phố");
    let bare = p
        .name
        .strip_prefix("Thành phố ")
        .or_else(|| p.name.strip_prefix("Tỉnh "))
        .unwrap_or(&p.name);
    match (lang, city) {
        (Lang::Vi, true) => format!("thành phố {bare}"),
        (Lang::Vi, false) => format!("tỉnh {bare}"),
        (Lang::En, true) => format!("{bare} city"),
        (Lang::En, false) => format!("{bare} province"),
    }
}

/// An officer's unit (always in today's structure) in words.
fn unit(lang: Lang, u: &Unit) -> String {
    match u {
        Unit::National => pick(lang, "cơ quan trung ương".into(), "a national body".into()),
        Unit::Province { province: p } => province(lang, *p),
        Unit::Commune {
            province: p,
            commune,
        } => {
            let r = hoso_domain::common::CommuneRef::current(*p, *commune);
            match places::current().commune(&r) {
                Some(c) => format!("{}, {}", c.name, province(lang, *p)),
                None => pick(
                    lang,
                    format!("xã, phường mã {commune}"),
                    format!("commune {commune}"),
                ),
            }
        }
    }
}

/// A bare commune code (codes of the two structures overlap, so it is not
/// named): `xã, phường mã 18754`.
fn commune_code(lang: Lang, c: u32) -> String {
    pick(lang, format!("xã, phường mã {c}"), format!("commune {c}"))
}

/// The level of unit a role needs (`OfficerError::WrongUnitLevel::needs`).
fn unit_level(lang: Lang, needs: &str) -> String {
    let vi = match needs {
        "commune" => "cấp xã",
        "province" => "cấp tỉnh",
        "province or national" => "cấp tỉnh hoặc trung ương",
        "national" => "cấp trung ương",
        other => other,
    };
    pick(lang, vi.to_string(), format!("{needs} level"))
}

fn not_authorised(lang: Lang, r: Role, what: &str) -> String {
    pick(
        lang,
        format!(
            "Vai trò “{}” không có thẩm quyền {}.",
            role(lang, r),
            action(lang, what)
        ),
        format!("The role “{}” may not {}.", role(lang, r), what),
    )
}

fn missing(lang: Lang, f: &str) -> String {
    pick(
        lang,
        format!("Thiếu thông tin bắt buộc: {}.", field(lang, f)),
        format!("Missing required field: {}.", field(lang, f)),
    )
}

fn unknown_commune(lang: Lang, p: u32, c: u32, list: &str) -> String {
    let list_en = if list.is_empty() {
        "that list of administrative units".to_string()
    } else {
        format!("the {list} list of administrative units")
    };
    let list_vi = if list.is_empty() {
        "danh mục đơn vị hành chính tương ứng".to_string()
    } else {
        format!("danh mục đơn vị hành chính năm {list}")
    };
    pick(
        lang,
        format!("Không có xã, phường mã {c} thuộc tỉnh, thành phố mã {p} trong {list_vi}."),
        format!("There is no commune {c} of province {p} in {list_en}."),
    )
}

// ---------------------------------------------------------------------------
// The domain errors

/// A case rule that refused a command, in words.
pub fn case_error(lang: Lang, e: &CaseError) -> String {
    use CaseError as E;
    let (vi, en): (String, String) = match e {
        E::NotFound => (
            "Không tìm thấy hồ sơ: chưa có thông tin tiếp nhận nào được ghi nhận.".into(),
            "Case not found: no intake has been recorded for it.".into(),
        ),
        E::AlreadyOpened => (
            "Hồ sơ đã được mở bằng một lần tiếp nhận thông tin.".into(),
            "The case has already been opened by an intake.".into(),
        ),
        E::NotAuthorised { role: r, action: a } => {
            return not_authorised(lang, *r, a);
        }
        E::OutsideUnit { unit: u, commune } => (
            format!(
                "Cán bộ thuộc {} không được xử lý hồ sơ của {}.",
                unit(Lang::Vi, u),
                commune_code(Lang::Vi, *commune)
            ),
            format!(
                "An officer of {} may not act on a case of {}.",
                unit(Lang::En, u),
                commune_code(Lang::En, *commune)
            ),
        ),
        E::CaseClosed => (
            "Hồ sơ đã kết thúc: chỉ được thêm ghi chú, đính kèm tài liệu, đính chính hoặc mở lại hồ sơ.".into(),
            "The case is closed: only notes, attachments, corrections and reopening are allowed.".into(),
        ),
        E::WrongStep { action: a, status: s } => (
            format!(
                "Chưa thể {} khi hồ sơ đang ở bước “{}”.",
                action(Lang::Vi, a),
                status(Lang::Vi, *s)
            ),
            format!(
                "Cannot {a} while the case is at the step “{}”.",
                status(Lang::En, *s)
            ),
        ),
        E::BeforeReceipt => (
            "Thời điểm thực hiện sớm hơn thời điểm tiếp nhận thông tin.".into(),
            "The action time is earlier than the time the report was received.".into(),
        ),
        E::ReceivedAfterRecording => (
            "Thời điểm tiếp nhận thông tin không thể sau thời điểm ghi vào hồ sơ.".into(),
            "The report cannot have been received after the intake was recorded.".into(),
        ),
        E::MissingField(f) => return missing(lang, f),
        E::Invalid { field: f, reason: r } => (
            format!(
                "{} không hợp lệ: {}.",
                capitalise(&field(Lang::Vi, f)),
                reason(Lang::Vi, r)
            ),
            format!("Invalid {}: {}.", field(Lang::En, f), r),
        ),
        E::DuplicateHarmType(h) => (
            format!("Hình thức xâm hại “{}” được kê hai lần.", harm(Lang::Vi, *h)),
            format!("The harm type “{}” is listed twice.", harm(Lang::En, *h)),
        ),
        E::UnknownCommune { province: p, commune: c } => {
            return unknown_commune(lang, *p, *c, "");
        }
        E::ChildTooOld => (
            "Trẻ đã đủ 16 tuổi khi tiếp nhận thông tin; Luật Trẻ em áp dụng cho người dưới 16 tuổi.".into(),
            "The child was 16 or older when the report was received; the Law on Children covers persons under 16.".into(),
        ),
        E::ChildNotYetBorn => (
            "Ngày sinh của trẻ sau thời điểm tiếp nhận thông tin.".into(),
            "The child's date of birth is after the report was received.".into(),
        ),
        E::FactNotConfirmed => (
            "Kết quả kiểm tra tính xác thực chưa khẳng định thông tin là đúng.".into(),
            "The report has not been confirmed by a fact check.".into(),
        ),
        E::WrongPlanVersion { expected, given } => (
            format!(
                "Kế hoạch phiên bản {given} không phải kế hoạch đang chờ phê duyệt (phiên bản {expected})."
            ),
            format!(
                "Plan version {given} is not the plan awaiting approval (version {expected})."
            ),
        ),
        E::NoApprovedPlan => (
            "Chưa có kế hoạch hỗ trợ, can thiệp được Chủ tịch UBND xã phê duyệt đang có hiệu lực.".into(),
            "No support and intervention plan approved by the commune chairman is in force.".into(),
        ),
        E::NoStableReview => (
            "Chỉ được kết thúc hồ sơ sau khi rà soát, đánh giá kết luận trẻ em đã an toàn, ổn định theo kế hoạch được phê duyệt gần nhất.".into(),
            "The case can be closed only after a review found the child safe and stable under the last approved plan.".into(),
        ),
        E::NotUnfounded => (
            "Chỉ được kết thúc hồ sơ với lý do thông tin không chính xác sau khi kiểm tra tính xác thực kết luận thông tin không đúng.".into(),
            "The case can be closed as unfounded only after a fact check that did not confirm the report.".into(),
        ),
        E::ChildNotYet16 => (
            "Trẻ em chưa đủ 16 tuổi.".into(),
            "The child has not turned 16.".into(),
        ),
        E::BirthDateUnknown => (
            "Không còn ngày sinh của trẻ (dữ liệu cá nhân đã bị xóa) nên không thể kết thúc hồ sơ với lý do trẻ đã đủ 16 tuổi.".into(),
            "The child's date of birth is not known (their personal data was erased), so the case cannot be closed because the child turned 16.".into(),
        ),
        E::NotClosed => (
            "Hồ sơ chưa kết thúc.".into(),
            "The case is not closed.".into(),
        ),
        E::SameCommune => (
            "Hồ sơ đã thuộc xã, phường này.".into(),
            "The case is already in that commune.".into(),
        ),
        E::SameWorker => (
            "Cán bộ này đã là người phụ trách hồ sơ.".into(),
            "That officer is already the responsible worker.".into(),
        ),
        E::AlreadyLinked(other) => (
            format!("Hồ sơ đã được liên kết với hồ sơ {other}."),
            format!("The case is already linked to case {other}."),
        ),
        E::NoSuchEvent { sequence, last } => (
            format!("Không có sự kiện số {sequence}: hồ sơ mới có {last} sự kiện."),
            format!("Event {sequence} does not exist: the case has {last} events."),
        ),
    };
    pick(lang, vi, en)
}

/// A child rule that refused a command, in words.
pub fn child_error(lang: Lang, e: &ChildError) -> String {
    use ChildError as E;
    let (vi, en): (String, String) = match e {
        E::NotRegistered => (
            "Trẻ em chưa được đăng ký.".into(),
            "The child has not been registered.".into(),
        ),
        E::AlreadyRegistered => (
            "Trẻ em đã được đăng ký.".into(),
            "The child is already registered.".into(),
        ),
        E::NotAuthorised { role: r, action: a } => return not_authorised(lang, *r, a),
        E::OutsideUnit { unit: u, commune } => (
            format!(
                "Cán bộ thuộc {} không được xử lý hồ sơ trẻ em của {}.",
                unit(Lang::Vi, u),
                commune_code(Lang::Vi, *commune)
            ),
            format!(
                "An officer of {} may not act on a child of {}.",
                unit(Lang::En, u),
                commune_code(Lang::En, *commune)
            ),
        ),
        E::BeforeLastEvent { last } => (
            format!(
                "Thời điểm thực hiện sớm hơn lần ghi nhận gần nhất trong hồ sơ trẻ em ({}).",
                time(Lang::Vi, *last)
            ),
            format!(
                "The action time is earlier than the child's last recorded event ({}).",
                time(Lang::En, *last)
            ),
        ),
        E::MissingField(f) => return missing(lang, f),
        E::InvalidPersonalId => (
            "Số định danh cá nhân phải gồm đúng 12 chữ số.".into(),
            "The personal identification number must have exactly 12 digits.".into(),
        ),
        E::UnknownCommune { province: p, commune: c } => {
            return unknown_commune(lang, *p, *c, "");
        }
        E::BornAfterRegistration => (
            "Ngày sinh sau ngày đăng ký.".into(),
            "The date of birth is after the registration date.".into(),
        ),
        E::ChildTooOld => (
            "Người này đã đủ 16 tuổi khi đăng ký; Luật Trẻ em áp dụng cho người dưới 16 tuổi.".into(),
            "The person was 16 or older at registration; the Law on Children covers persons under 16.".into(),
        ),
        E::NothingToUpdate => (
            "Yêu cầu cập nhật chưa nêu thông tin nào cần thay đổi.".into(),
            "The update names no field to change.".into(),
        ),
        E::NoChange => (
            "Yêu cầu cập nhật không làm thay đổi gì: các thông tin đã có đúng giá trị này.".into(),
            "The update changes nothing: every given field already has that value.".into(),
        ),
        E::SameHouseholdStatus(s) => (
            format!("Tình trạng hộ gia đình đã là “{}”.", household(Lang::Vi, *s)),
            format!("The household status is already “{}”.", household(Lang::En, *s)),
        ),
        E::GroupAlreadyActive(g) => (
            format!("Trẻ em đang thuộc nhóm “{}”.", group(Lang::Vi, *g)),
            format!("The child is already in the group “{}”.", group(Lang::En, *g)),
        ),
        E::GroupNotActive(g) => (
            format!("Trẻ em hiện không thuộc nhóm “{}”.", group(Lang::Vi, *g)),
            format!("The child is not in the group “{}”.", group(Lang::En, *g)),
        ),
        E::OverlapsEarlierPeriod { group: g, ended } => (
            format!(
                "Trẻ em đã ra khỏi nhóm “{}” ngày {}; giai đoạn mới phải bắt đầu sau ngày đó.",
                group(Lang::Vi, *g),
                date(Lang::Vi, *ended)
            ),
            format!(
                "The child left the group “{}” on {}; a new period must start after that.",
                group(Lang::En, *g),
                date(Lang::En, *ended)
            ),
        ),
        E::EndBeforeStart { since, until } => (
            format!(
                "Ngày kết thúc {} trước ngày bắt đầu {}.",
                date(Lang::Vi, *until),
                date(Lang::Vi, *since)
            ),
            format!(
                "The end date {} is before the start date {}.",
                date(Lang::En, *until),
                date(Lang::En, *since)
            ),
        ),
        E::DateInFuture { field: f } => (
            format!("{} sau ngày thực hiện.", capitalise(&field(Lang::Vi, f))),
            format!("The {} is after the date of the action.", field(Lang::En, f)),
        ),
        E::BeforeBirth { field: f } => (
            format!("{} trước ngày sinh của trẻ.", capitalise(&field(Lang::Vi, f))),
            format!("The {} is before the child's date of birth.", field(Lang::En, f)),
        ),
        E::GroupNRequiresPoorHousehold => (
            "Nhóm n chỉ áp dụng cho trẻ em thuộc hộ nghèo hoặc hộ cận nghèo (điểm n khoản 1 Điều 10 Luật Trẻ em).".into(),
            "Group n requires a poor or near-poor household (Law on Children, Art. 10 n).".into(),
        ),
        E::Erased => (
            "Dữ liệu cá nhân của trẻ em đã bị xóa; hồ sơ trẻ em không nhận thêm thay đổi nào.".into(),
            "The child's personal data has been erased; the record takes no more changes.".into(),
        ),
    };
    pick(lang, vi, en)
}

/// An officer rule that refused a command, in words.
pub fn officer_error(lang: Lang, e: &OfficerError) -> String {
    use OfficerError as E;
    let (vi, en): (String, String) = match e {
        E::NotRegistered => (
            "Cán bộ chưa được đăng ký.".into(),
            "The officer has not been registered.".into(),
        ),
        E::AlreadyRegistered => (
            "Cán bộ đã được đăng ký.".into(),
            "The officer is already registered.".into(),
        ),
        E::NotAuthorised { role: r, action: a } => return not_authorised(lang, *r, a),
        E::OutsideUnit {
            unit: u,
            officer_unit,
        } => (
            format!(
                "Cán bộ thuộc {} không được xử lý hồ sơ cán bộ thuộc {}.",
                unit(Lang::Vi, u),
                unit(Lang::Vi, officer_unit)
            ),
            format!(
                "An officer of {} may not act on an officer of {}.",
                unit(Lang::En, u),
                unit(Lang::En, officer_unit)
            ),
        ),
        E::BeforeLastEvent { last } => (
            format!(
                "Thời điểm thực hiện sớm hơn lần ghi nhận gần nhất trong hồ sơ cán bộ ({}).",
                time(Lang::Vi, *last)
            ),
            format!(
                "The action time is earlier than the officer's last recorded event ({}).",
                time(Lang::En, *last)
            ),
        ),
        E::MissingField(f) => return missing(lang, f),
        E::WrongUnitLevel {
            role: r,
            unit: u,
            needs,
        } => (
            format!(
                "Vai trò “{}” cần đơn vị {}, không phải {}.",
                role(Lang::Vi, *r),
                unit_level(Lang::Vi, needs),
                unit(Lang::Vi, u)
            ),
            format!(
                "The role “{}” needs a unit at the {}, not {}.",
                role(Lang::En, *r),
                unit_level(Lang::En, needs),
                unit(Lang::En, u)
            ),
        ),
        E::UnknownProvince(p) => (
            format!("Không có tỉnh, thành phố mã {p} trong danh mục đơn vị hành chính năm 2025."),
            format!("There is no province {p} in the 2025 list of administrative units."),
        ),
        E::UnknownCommune {
            province: p,
            commune: c,
        } => return unknown_commune(lang, *p, *c, "2025"),
        E::SameAssignment => (
            "Cán bộ đã có vai trò và đơn vị này.".into(),
            "The officer already has that role and unit.".into(),
        ),
        E::Deactivated => (
            "Cán bộ đã ngừng hoạt động: chỉ có thể cho hoạt động trở lại.".into(),
            "The officer is deactivated: only reactivation is possible.".into(),
        ),
        E::NotDeactivated => (
            "Cán bộ đang hoạt động.".into(),
            "The officer is active.".into(),
        ),
        E::DateBeforeLastChange { from, last } => (
            format!(
                "Ngày {} trước lần thay đổi gần nhất, có hiệu lực từ ngày {}.",
                date(Lang::Vi, *from),
                date(Lang::Vi, *last)
            ),
            format!(
                "{} is before the last change, which took effect on {}.",
                date(Lang::En, *from),
                date(Lang::En, *last)
            ),
        ),
        E::TrainingInFuture => (
            "Ngày tập huấn sau ngày thực hiện.".into(),
            "The training date is after the date of the action.".into(),
        ),
        E::ZeroHours => (
            "Số giờ tập huấn phải lớn hơn 0.".into(),
            "Training hours must be more than zero.".into(),
        ),
        E::Erased => (
            "Dữ liệu cá nhân của cán bộ đã bị xóa; hồ sơ cán bộ không nhận thêm thay đổi nào."
                .into(),
            "The officer's personal data has been erased; the record takes no more changes.".into(),
        ),
    };
    pick(lang, vi, en)
}

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
                format!("Thiếu trường bắt buộc “{f}”."),
                format!("Missing field “{f}”."),
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
        "internal" => ("Lỗi hệ thống", "Internal error"),
        _ => return None,
    };
    Some(pick(lang, vi.to_string(), en.to_string()))
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
mod tests {
    use super::*;
    use chrono::TimeZone;
    use hoso_domain::case::{
        Attachment, CaseAction, CaseLink, CaseRelation, CloseReason, Closure, Correction,
        EmergencyMeasure, EmergencyOrder, FactCheck, InitialAssessment, Intake, IntakeSource,
        NeedsMeetingMinutes, Note, NoteKind, PlanApproval, PlanDraft, PlanSendBack, Reassignment,
        Referral, ReferralDirection, Reopening, Review, ReviewOutcome, RiskFactors,
        ServiceDelivery, ServiceKind, SpecificAssessment, Transfer,
    };
    use hoso_domain::child::{
        Address, ChildAction, CircumstanceEnd, CircumstanceStart, DetailsUpdate,
        HouseholdStatusChange, Registration, Sex,
    };
    use hoso_domain::common::{CommuneRef, ProtectionLevel, RiskLevel};
    use hoso_domain::officer::{
        AssignmentChange, Deactivation, OfficerAction, OfficerRegistration, Reactivation, Training,
    };
    use hoso_domain::privacy::Erasure;

    /// Heuristic: common English words that never occur in a Vietnamese sentence.
    const ENGLISH: &[&str] = &[
        " the ",
        " must ",
        " is ",
        " not ",
        " may ",
        " has ",
        " was ",
        " of ",
        " and ",
        " cannot ",
        " already ",
        " only ",
        " be ",
        " with ",
        " after ",
        " before ",
        " missing ",
        " field ",
    ];

    fn check(vi: &str, en: &str) {
        assert!(!vi.trim().is_empty(), "empty Vietnamese for {en:?}");
        assert!(!en.trim().is_empty(), "empty English for {vi:?}");
        assert_ne!(vi, en, "not translated: {vi:?}");
        let padded = format!(" {} ", vi.to_lowercase());
        for w in ENGLISH {
            assert!(!padded.contains(w), "English word {w:?} in {vi:?}");
        }
    }

    fn dt() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, 1, 1, 0, 0)
            .single()
            .expect("valid")
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid")
    }
    fn song_tri() -> CommuneRef {
        CommuneRef::current(42, 18754)
    }
    fn commune_unit() -> Unit {
        Unit::Commune {
            province: 42,
            commune: 18754,
        }
    }
    fn factors() -> RiskFactors {
        RiskFactors {
            severity_of_harm: RiskLevel::High,
            abuser_access: RiskLevel::High,
            care_environment_obstacles: RiskLevel::Medium,
            child_capacity: RiskLevel::Low,
        }
    }

    /// One action of every kind. The match makes a new `CaseAction` variant
    /// fail to compile here until it is listed.
    fn case_actions() -> Vec<CaseAction> {
        let all = vec![
            CaseAction::RecordIntake(Intake {
                child_id: "c".into(),
                date_of_birth: d(2015, 1, 1),
                commune: song_tri(),
                source: IntakeSource::Police,
                source_description: None,
                reporter: None,
                description: "x".into(),
                harm_types: vec![HarmType::Violence],
                received_at: dt(),
                responsible_worker: None,
            }),
            CaseAction::RecordFactCheck(FactCheck {
                confirmed: true,
                findings: "x".into(),
            }),
            CaseAction::AssessInitialRisk(InitialAssessment {
                factors: factors(),
                overall: RiskLevel::High,
                emergency_needed: true,
                protection_level: ProtectionLevel::Intervention,
                notes: String::new(),
            }),
            CaseAction::OrderEmergencyMeasures(EmergencyOrder {
                measures: vec![EmergencyMeasure::SafeShelter],
                details: String::new(),
                decision_ref: "1".into(),
            }),
            CaseAction::AssessSpecificRisk(SpecificAssessment {
                factors: factors(),
                overall: RiskLevel::Medium,
                protection_level: ProtectionLevel::Support,
                needs: vec!["x".into()],
                minutes: NeedsMeetingMinutes {
                    held_at: dt(),
                    participants: vec!["x".into()],
                    summary: "x".into(),
                },
            }),
            CaseAction::DraftPlan(PlanDraft {
                objectives: vec!["x".into()],
                services: vec![],
                review_date: d(2025, 12, 1),
            }),
            CaseAction::ApprovePlan(PlanApproval {
                plan_version: 1,
                decision_ref: "1".into(),
            }),
            CaseAction::SendBackPlan(PlanSendBack {
                plan_version: 1,
                reason: "x".into(),
            }),
            CaseAction::RecordService(ServiceDelivery {
                kind: ServiceKind::Healthcare,
                provider: "x".into(),
                delivered_at: dt(),
                notes: String::new(),
            }),
            CaseAction::RecordReferral(Referral {
                direction: ReferralDirection::To,
                agency: "x".into(),
                reason: "x".into(),
            }),
            CaseAction::RecordReview(Review {
                outcome: ReviewOutcome::SafeAndStable,
                participants: vec!["x".into()],
                summary: "x".into(),
            }),
            CaseAction::CloseCase(Closure {
                reason: CloseReason::SafeAndStable,
                decision_ref: "1".into(),
                note: String::new(),
            }),
            CaseAction::ReopenCase(Reopening { reason: "x".into() }),
            CaseAction::TransferCase(Transfer {
                to: song_tri(),
                reason: "x".into(),
            }),
            CaseAction::ReassignWorker(Reassignment {
                to_officer: "w".into(),
                reason: "x".into(),
            }),
            CaseAction::AddNote(Note {
                kind: NoteKind::Note,
                text: "x".into(),
            }),
            CaseAction::AddAttachment(Attachment {
                sha256: "0".repeat(64),
                size_bytes: 1,
                media_type: "a/b".into(),
                file_name: "f".into(),
                description: String::new(),
            }),
            CaseAction::LinkCase(CaseLink {
                other_case_id: "HS-1".into(),
                relation: CaseRelation::Sibling,
            }),
            CaseAction::CorrectEvent(Correction {
                corrects_sequence: 1,
                reason: "x".into(),
                correction: "x".into(),
            }),
        ];
        for a in &all {
            match a {
                CaseAction::RecordIntake(_)
                | CaseAction::RecordFactCheck(_)
                | CaseAction::AssessInitialRisk(_)
                | CaseAction::OrderEmergencyMeasures(_)
                | CaseAction::AssessSpecificRisk(_)
                | CaseAction::DraftPlan(_)
                | CaseAction::ApprovePlan(_)
                | CaseAction::SendBackPlan(_)
                | CaseAction::RecordService(_)
                | CaseAction::RecordReferral(_)
                | CaseAction::RecordReview(_)
                | CaseAction::CloseCase(_)
                | CaseAction::ReopenCase(_)
                | CaseAction::TransferCase(_)
                | CaseAction::ReassignWorker(_)
                | CaseAction::AddNote(_)
                | CaseAction::AddAttachment(_)
                | CaseAction::LinkCase(_)
                | CaseAction::CorrectEvent(_) => {}
            }
        }
        all
    }

    fn child_actions() -> Vec<ChildAction> {
        let all = vec![
            ChildAction::RegisterChild(Registration {
                full_name: "x".into(),
                date_of_birth: d(2015, 1, 1),
                sex: Sex::Female,
                ethnicity: "Kinh".into(),
                personal_id: None,
                address: Address {
                    commune: song_tri(),
                    detail: String::new(),
                },
                household_status: HouseholdStatus::Normal,
            }),
            ChildAction::UpdateChildDetails(DetailsUpdate::default()),
            ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
                status: HouseholdStatus::Poor,
                reason: String::new(),
            }),
            ChildAction::AddSpecialCircumstance(CircumstanceStart {
                group: CircumstanceGroup::D,
                since: d(2020, 1, 1),
                note: String::new(),
            }),
            ChildAction::EndSpecialCircumstance(CircumstanceEnd {
                group: CircumstanceGroup::D,
                until: d(2021, 1, 1),
                reason: "x".into(),
            }),
            ChildAction::EraseChildData(Erasure {
                reason: "x".into(),
                decision_ref: "x".into(),
            }),
        ];
        for a in &all {
            match a {
                ChildAction::RegisterChild(_)
                | ChildAction::UpdateChildDetails(_)
                | ChildAction::ChangeHouseholdStatus(_)
                | ChildAction::AddSpecialCircumstance(_)
                | ChildAction::EndSpecialCircumstance(_)
                | ChildAction::EraseChildData(_) => {}
            }
        }
        all
    }

    fn officer_actions() -> Vec<OfficerAction> {
        let all = vec![
            OfficerAction::RegisterOfficer(OfficerRegistration {
                full_name: "x".into(),
                role: Role::CommuneWorker,
                unit: commune_unit(),
                active_from: d(2025, 7, 1),
            }),
            OfficerAction::ChangeAssignment(AssignmentChange {
                role: Role::CommuneChairman,
                unit: commune_unit(),
                from: d(2025, 8, 1),
                reason: "x".into(),
            }),
            OfficerAction::Deactivate(Deactivation {
                from: d(2025, 9, 1),
                reason: "x".into(),
            }),
            OfficerAction::Reactivate(Reactivation {
                from: d(2025, 10, 1),
            }),
            OfficerAction::RecordTraining(Training {
                date: d(2025, 9, 1),
                organiser: "x".into(),
                topics: vec!["x".into()],
                hours: None,
            }),
            OfficerAction::EraseOfficerData(Erasure {
                reason: "x".into(),
                decision_ref: "x".into(),
            }),
        ];
        for a in &all {
            match a {
                OfficerAction::RegisterOfficer(_)
                | OfficerAction::ChangeAssignment(_)
                | OfficerAction::Deactivate(_)
                | OfficerAction::Reactivate(_)
                | OfficerAction::RecordTraining(_)
                | OfficerAction::EraseOfficerData(_) => {}
            }
        }
        all
    }

    /// Every field and reason the domain names in its errors.
    const DOMAIN_FIELDS: &[&str] = &[
        "agency",
        "child_id",
        "correction",
        "decision_ref",
        "description",
        "details",
        "ethnicity",
        "file_name",
        "findings",
        "full_name",
        "harm_types",
        "measures",
        "media_type",
        "minutes.held_at",
        "minutes.participants",
        "minutes.summary",
        "needs",
        "note",
        "objectives",
        "organiser",
        "other_case_id",
        "participants",
        "provider",
        "reason",
        "reporter.name",
        "responsible_worker",
        "review_date",
        "delivered_at",
        "services.provider",
        "sha256",
        "since",
        "size_bytes",
        "source_description",
        "summary",
        "text",
        "to_officer",
        "topics",
        "until",
    ];

    fn case_errors() -> Vec<CaseError> {
        use CaseError as E;
        let mut all = vec![
            E::NotFound,
            E::AlreadyOpened,
            E::OutsideUnit {
                unit: commune_unit(),
                commune: 18781,
            },
            E::OutsideUnit {
                unit: Unit::Province { province: 1 },
                commune: 70,
            },
            E::OutsideUnit {
                unit: Unit::National,
                commune: 70,
            },
            E::CaseClosed,
            E::BeforeReceipt,
            E::ReceivedAfterRecording,
            E::DuplicateHarmType(HarmType::SexualAbuse),
            E::UnknownCommune {
                province: 42,
                commune: 99999,
            },
            E::ChildTooOld,
            E::ChildNotYetBorn,
            E::FactNotConfirmed,
            E::WrongPlanVersion {
                expected: 2,
                given: 1,
            },
            E::NoApprovedPlan,
            E::NoStableReview,
            E::NotUnfounded,
            E::ChildNotYet16,
            E::BirthDateUnknown,
            E::NotClosed,
            E::SameCommune,
            E::SameWorker,
            E::AlreadyLinked("HS-2026-0000ABCD".into()),
            E::NoSuchEvent {
                sequence: 9,
                last: 4,
            },
        ];
        for a in case_actions() {
            for role in Role::ALL {
                all.push(E::NotAuthorised {
                    role,
                    action: a.describe(),
                });
            }
            for status in CaseStatus::ALL {
                all.push(E::WrongStep {
                    action: a.describe(),
                    status,
                });
            }
        }
        for f in DOMAIN_FIELDS {
            all.push(E::MissingField(f));
        }
        for (r, _) in REASONS {
            all.push(E::Invalid {
                field: "minutes.held_at",
                reason: r,
            });
        }
        all
    }

    fn child_errors() -> Vec<ChildError> {
        use ChildError as E;
        let mut all = vec![
            E::NotRegistered,
            E::AlreadyRegistered,
            E::OutsideUnit {
                unit: commune_unit(),
                commune: 70,
            },
            E::BeforeLastEvent { last: dt() },
            E::InvalidPersonalId,
            E::UnknownCommune {
                province: 1,
                commune: 99999,
            },
            E::BornAfterRegistration,
            E::ChildTooOld,
            E::NothingToUpdate,
            E::NoChange,
            E::EndBeforeStart {
                since: d(2025, 1, 2),
                until: d(2025, 1, 1),
            },
            E::DateInFuture { field: "since" },
            E::DateInFuture { field: "until" },
            E::BeforeBirth { field: "since" },
            E::BeforeBirth { field: "until" },
            E::GroupNRequiresPoorHousehold,
            E::Erased,
        ];
        for s in [
            HouseholdStatus::Normal,
            HouseholdStatus::Poor,
            HouseholdStatus::NearPoor,
        ] {
            all.push(E::SameHouseholdStatus(s));
        }
        for g in CircumstanceGroup::ALL {
            all.push(E::GroupAlreadyActive(g));
            all.push(E::GroupNotActive(g));
            all.push(E::OverlapsEarlierPeriod {
                group: g,
                ended: d(2024, 12, 31),
            });
        }
        for a in child_actions() {
            for role in Role::ALL {
                all.push(E::NotAuthorised {
                    role,
                    action: a.describe(),
                });
            }
        }
        for f in ["full_name", "ethnicity", "reason", "decision_ref"] {
            all.push(E::MissingField(f));
        }
        all
    }

    fn officer_errors() -> Vec<OfficerError> {
        use OfficerError as E;
        let mut all = vec![
            E::NotRegistered,
            E::AlreadyRegistered,
            E::OutsideUnit {
                unit: Unit::Province { province: 42 },
                officer_unit: Unit::Commune {
                    province: 40,
                    commune: 17329,
                },
            },
            E::BeforeLastEvent { last: dt() },
            E::UnknownProvince(99),
            E::UnknownCommune {
                province: 42,
                commune: 1,
            },
            E::SameAssignment,
            E::Deactivated,
            E::NotDeactivated,
            E::DateBeforeLastChange {
                from: d(2025, 1, 1),
                last: d(2025, 2, 1),
            },
            E::TrainingInFuture,
            E::ZeroHours,
            E::Erased,
        ];
        for (role, u, needs) in [
            (Role::CommuneWorker, Unit::National, "commune"),
            (Role::ProvincialManager, commune_unit(), "province"),
            (Role::Inspector, commune_unit(), "province or national"),
            (Role::Admin, Unit::Province { province: 42 }, "national"),
        ] {
            all.push(E::WrongUnitLevel {
                role,
                unit: u,
                needs,
            });
        }
        for a in officer_actions() {
            for role in Role::ALL {
                all.push(E::NotAuthorised {
                    role,
                    action: a.describe(),
                });
            }
        }
        for f in ["full_name", "reason", "organiser", "topics", "decision_ref"] {
            all.push(E::MissingField(f));
        }
        all
    }

    #[test]
    fn every_case_error_has_vietnamese_words() {
        for e in case_errors() {
            check(&case_error(Lang::Vi, &e), &case_error(Lang::En, &e));
        }
    }

    #[test]
    fn every_child_error_has_vietnamese_words() {
        for e in child_errors() {
            check(&child_error(Lang::Vi, &e), &child_error(Lang::En, &e));
        }
    }

    #[test]
    fn every_officer_error_has_vietnamese_words() {
        for e in officer_errors() {
            check(&officer_error(Lang::Vi, &e), &officer_error(Lang::En, &e));
        }
    }

    #[test]
    fn every_action_field_and_reason_is_in_the_tables() {
        let describes: Vec<&str> = case_actions()
            .iter()
            .map(CaseAction::describe)
            .chain(child_actions().iter().map(ChildAction::describe))
            .chain(officer_actions().iter().map(OfficerAction::describe))
            .collect();
        for a in describes {
            assert!(
                ACTIONS.iter().any(|(en, _)| *en == a),
                "no Vietnamese for the action {a:?}"
            );
            check(&action(Lang::Vi, a), &action(Lang::En, a));
        }
        for f in DOMAIN_FIELDS {
            assert!(
                FIELDS.iter().any(|(c, _, _)| c == f),
                "no words for the field {f:?}"
            );
        }
    }

    #[test]
    fn messages_use_the_legal_glossary_and_name_places() {
        let e = CaseError::NotAuthorised {
            role: Role::Collaborator,
            action: "approve a plan",
        };
        assert_eq!(
            case_error(Lang::Vi, &e),
            "Vai trò “Cộng tác viên” không có thẩm quyền phê duyệt kế hoạch hỗ trợ, can thiệp."
        );
        assert_eq!(
            case_error(Lang::En, &e),
            "The role “Collaborator” may not approve a plan."
        );
        let e = CaseError::WrongStep {
            action: "assess the initial risk",
            status: CaseStatus::Received,
        };
        assert_eq!(
            case_error(Lang::Vi, &e),
            "Chưa thể đánh giá nguy cơ ban đầu khi hồ sơ đang ở bước “Đã tiếp nhận”."
        );
        let e = CaseError::OutsideUnit {
            unit: commune_unit(),
            commune: 18781,
        };
        assert!(case_error(Lang::Vi, &e).contains("Phường Sông Trí, tỉnh Hà Tĩnh"));
        assert!(case_error(Lang::En, &e).contains("Phường Sông Trí, Hà Tĩnh province"));
        let e = OfficerError::OutsideUnit {
            unit: Unit::Province { province: 1 },
            officer_unit: Unit::National,
        };
        assert!(officer_error(Lang::Vi, &e).contains("thành phố Hà Nội"));
        let e = CaseError::Invalid {
            field: "review_date",
            reason: "is before the day the plan is drafted",
        };
        assert_eq!(
            case_error(Lang::Vi, &e),
            "Ngày rà soát không hợp lệ: trước ngày xây dựng kế hoạch."
        );
        let e = ChildError::GroupAlreadyActive(CircumstanceGroup::Dd);
        assert_eq!(
            child_error(Lang::Vi, &e),
            "Trẻ em đang thuộc nhóm “đ. Trẻ em nhiễm HIV/AIDS”."
        );
        let e = ChildError::EndBeforeStart {
            since: d(2025, 3, 2),
            until: d(2025, 3, 1),
        };
        assert_eq!(
            child_error(Lang::Vi, &e),
            "Ngày kết thúc 01/03/2025 trước ngày bắt đầu 02/03/2025."
        );
        assert!(case_error(Lang::Vi, &CaseError::NoApprovedPlan).contains("Chủ tịch UBND xã"));
    }

    /// The literal texts of `api/src/http/*.rs`, as sent today.
    const SENT: &[&str] = &[
        "at most 500 characters",
        "the password must have at least 10 characters",
        "from 1 to 730 days",
        "from 1 to 200",
        "from 1 to 500",
        "must not be empty",
        "no registered, active officer with this id",
        "1 to 100 characters: letters, digits, - _ . :",
        "no registered child has this id: register the child first (POST /api/v1/children)",
        "an intake opens a new case: POST /api/v1/cases",
        "register a child with POST /api/v1/children",
        "register an officer with POST /api/v1/officers",
        "unknown status `openned`",
        "unknown group `z`",
        "not negative",
        "invalid time `yesterday`: use RFC 3339, e.g. 2026-03-02T09:00:00+07:00",
        "use province:P or commune:P:C",
        "name a case, an officer or a place in your province",
        "1 to 200 visible ASCII characters",
        "this key was already used with a different request",
        "`week`: use day, month, year or now",
        "the body must be JSON with Content-Type: application/json (got `text/plain`)",
        "the body is larger than 256 KiB",
        "the body is not valid JSON: EOF while parsing a value at line 1 column 0",
        "missing field `findings`",
        "unknown field `actor`, expected one of `confirmed`, `findings`",
        "duplicate field `findings`",
        "unknown variant `record_fact_chek`, expected one of `record_intake`",
        "invalid type: string \"yes\", expected a boolean",
    ];

    #[test]
    fn every_api_message_is_recognised_and_translated() {
        let mut keys = std::collections::BTreeSet::new();
        for s in SENT {
            let m =
                FieldMessage::from_english(s).unwrap_or_else(|| panic!("not recognised: {s:?}"));
            keys.insert(m.key());
            check(&m.text(Lang::Vi), &m.text(Lang::En));
        }
        assert_eq!(
            keys.len(),
            27,
            "every FieldMessage variant is sent: {keys:?}"
        );
        assert_eq!(
            FieldMessage::from_english("from 1 to 730 days"),
            Some(FieldMessage::OutOfRange { min: 1, max: 730 })
        );
        assert_eq!(
            FieldMessage::from_english("unknown status `openned`"),
            Some(FieldMessage::UnknownStatus("openned".into()))
        );
        assert_eq!(
            FieldMessage::from_english("`week`: use day, month, year or now"),
            Some(FieldMessage::UnknownPeriod("week".into()))
        );
        assert_eq!(FieldMessage::from_english("something else"), None);
    }

    #[test]
    fn problem_titles_and_not_found() {
        for slug in [
            "malformed-request",
            "validation",
            "unauthenticated",
            "forbidden",
            "not-found",
            "wrong-state",
            "concurrent-change",
            "too-large",
            "unsupported-media-type",
            "internal",
        ] {
            let vi = problem_title(Lang::Vi, slug).expect("known slug");
            let en = problem_title(Lang::En, slug).expect("known slug");
            check(&vi, &en);
        }
        assert_eq!(problem_title(Lang::Vi, "nope"), None);
        for what in ["case", "child", "officer", "place"] {
            check(&not_found(Lang::Vi, what), &not_found(Lang::En, what));
        }
    }
}
