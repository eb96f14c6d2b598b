//! Words for what the errors carry: actions, fields, reasons, places, units.

use super::*;

// ---------------------------------------------------------------------------
// Words for what the errors carry

/// (English description of an action as given by the domain's `describe()`,
/// Vietnamese). The HTTP layer's own actions (`require`) are listed too.
pub(super) const ACTIONS: &[(&str, &str)] = &[
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
        "confirm that two records are different children",
        "xác nhận hai hồ sơ là của hai trẻ em khác nhau",
    ),
    ("mark a record as a duplicate", "đánh dấu hồ sơ trùng"),
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
    ("issue an API token", "cấp mã truy cập API"),
    ("revoke an API token", "thu hồi mã truy cập API"),
    ("reset an officer's password", "đặt lại mật khẩu của cán bộ"),
    ("set an officer's password", "đặt mật khẩu của cán bộ"),
    // HTTP (`CurrentOfficer::require`)
    ("issue API tokens", "cấp mã truy cập API"),
    ("reset passwords", "đặt lại mật khẩu"),
    ("lift sign-in locks", "mở khóa đăng nhập"),
    (
        "manage another officer's tokens",
        "quản lý mã truy cập của cán bộ khác",
    ),
    ("read the access log", "xem nhật ký truy cập"),
    (
        "read the report of likely duplicate children",
        "xem báo cáo hồ sơ trẻ em có khả năng trùng",
    ),
    (
        "see the integrity of the store",
        "xem tình trạng toàn vẹn dữ liệu",
    ),
    ("verify the store", "kiểm tra toàn bộ dữ liệu"),
    ("verify a case", "kiểm tra tính toàn vẹn của một hồ sơ"),
    (
        "download compliance exports",
        "tải gói dữ liệu cho thanh tra",
    ),
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
pub(super) const FIELDS: &[(&str, &str, &str)] = &[
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
    (
        "of_child_id",
        "mã hồ sơ trẻ em được giữ lại",
        "id of the record kept",
    ),
    (
        "other_child_id",
        "mã hồ sơ trẻ em còn lại",
        "id of the other record",
    ),
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
pub(super) const REASONS: &[(&str, &str)] = &[
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

pub(super) fn reason(lang: Lang, r: &str) -> String {
    match lang {
        Lang::En => r.to_string(),
        Lang::Vi => REASONS
            .iter()
            .find(|(en, _)| *en == r)
            .map(|(_, vi)| vi.to_string())
            .unwrap_or_else(|| r.to_string()),
    }
}

pub(super) fn role(lang: Lang, r: Role) -> String {
    label(lang, r.as_str())
}

pub(super) fn status(lang: Lang, s: CaseStatus) -> String {
    label(lang, s.as_str())
}

pub(super) fn harm(lang: Lang, h: HarmType) -> String {
    label(lang, &code(&h))
}

pub(super) fn household(lang: Lang, h: HouseholdStatus) -> String {
    match lang {
        Lang::Vi => h.label_vi().to_string(),
        Lang::En => label(lang, &code(&h)),
    }
}

/// `đ. Trẻ em nhiễm HIV/AIDS` / `đ. Living with HIV/AIDS`.
pub(super) fn group(lang: Lang, g: CircumstanceGroup) -> String {
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
pub(super) fn province(lang: Lang, code: u32) -> String {
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
pub(super) fn unit(lang: Lang, u: &Unit) -> String {
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
pub(super) fn commune_code(lang: Lang, c: u32) -> String {
    pick(lang, format!("xã, phường mã {c}"), format!("commune {c}"))
}

/// The level of unit a role needs (`OfficerError::WrongUnitLevel::needs`).
pub(super) fn unit_level(lang: Lang, needs: &str) -> String {
    let vi = match needs {
        "commune" => "cấp xã",
        "province" => "cấp tỉnh",
        "province or national" => "cấp tỉnh hoặc trung ương",
        "national" => "cấp trung ương",
        other => other,
    };
    pick(lang, vi.to_string(), format!("{needs} level"))
}

pub(super) fn not_authorised(lang: Lang, r: Role, what: &str) -> String {
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

pub(super) fn missing(lang: Lang, f: &str) -> String {
    pick(
        lang,
        format!("Thiếu thông tin bắt buộc: {}.", field(lang, f)),
        format!("Missing required field: {}.", field(lang, f)),
    )
}

pub(super) fn unknown_commune(lang: Lang, p: u32, c: u32, list: &str) -> String {
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
