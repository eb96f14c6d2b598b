//! Vietnamese (default) and English labels for what the command line prints.
//! Codes stay in English (SPEC.md: "code, identifiers and logs are in English");
//! people read labels.

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Vi,
    En,
}

/// `02/03/2026 09:00` (vi) or `2026-03-02 09:00` (en), Vietnam time.
pub fn when(t: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let l = t.with_timezone(&hoso_domain::calendar::VN_OFFSET);
    match lang {
        Lang::Vi => l.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => l.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// `when` of an RFC 3339 text; the text itself when it does not parse.
pub fn when_text(t: Option<&str>, lang: Lang) -> String {
    match t {
        None => String::new(),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| when(t.with_timezone(&chrono::Utc), lang))
            .unwrap_or_else(|_| s.to_string()),
    }
}

/// Today's province name of a code (`Hà Tĩnh`), or the code itself.
pub fn province_name(code: i64) -> String {
    u32::try_from(code)
        .ok()
        .and_then(|c| hoso_domain::places::current().province(c))
        .map(|p| p.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// (code, Vietnamese, English)
const LABELS: &[(&str, &str, &str)] = &[
    // statuses
    ("not_opened", "Chưa mở", "Not opened"),
    ("received", "Đã tiếp nhận", "Received"),
    ("fact_checked", "Đã kiểm tra thông tin", "Fact checked"),
    (
        "initially_assessed",
        "Đã đánh giá nguy cơ ban đầu",
        "Initial risk assessed",
    ),
    (
        "specifically_assessed",
        "Đã đánh giá nguy cơ cụ thể",
        "Specific risk assessed",
    ),
    ("plan_drafted", "Đã xây dựng kế hoạch", "Plan drafted"),
    ("plan_sent_back", "Kế hoạch bị trả lại", "Plan sent back"),
    ("plan_approved", "Kế hoạch đã phê duyệt", "Plan approved"),
    (
        "reviewed_stable",
        "Rà soát: an toàn, ổn định",
        "Reviewed: safe and stable",
    ),
    (
        "needs_new_plan",
        "Rà soát: cần kế hoạch mới",
        "Reviewed: needs a new plan",
    ),
    ("closed", "Đã kết thúc", "Closed"),
    ("reopened", "Mở lại", "Reopened"),
    // risk
    ("high", "Cao", "High"),
    ("medium", "Trung bình", "Medium"),
    ("low", "Thấp", "Low"),
    // harm types
    ("violence", "Bạo lực", "Violence"),
    ("exploitation", "Bóc lột", "Exploitation"),
    ("sexual_abuse", "Xâm hại tình dục", "Sexual abuse"),
    ("trafficking", "Mua bán", "Trafficking"),
    ("abandonment", "Bỏ rơi", "Abandonment"),
    ("neglect", "Bỏ mặc", "Neglect"),
    ("other", "Khác", "Other"),
    // sources
    ("hotline_111", "Tổng đài 111", "Hotline 111"),
    ("police", "Công an", "Police"),
    ("school", "Nhà trường", "School"),
    ("health_facility", "Cơ sở y tế", "Health facility"),
    (
        "neighbour_or_relative",
        "Hàng xóm, người thân",
        "Neighbour or relative",
    ),
    ("child_self", "Trẻ em tự báo", "The child"),
    // protection levels
    ("prevention", "Phòng ngừa", "Prevention"),
    ("support", "Hỗ trợ", "Support"),
    ("intervention", "Can thiệp", "Intervention"),
    // deadlines
    (
        "emergency",
        "Quyết định khẩn cấp (12 giờ)",
        "Emergency decision (12 hours)",
    ),
    (
        "plan",
        "Kế hoạch (5 ngày làm việc)",
        "Plan (5 working days)",
    ),
    (
        "approval",
        "Phê duyệt (7 ngày làm việc)",
        "Approval (7 working days)",
    ),
    ("met", "Đúng hạn", "On time"),
    ("missed", "Quá hạn", "Late"),
    // close reasons
    ("safe_and_stable", "An toàn, ổn định", "Safe and stable"),
    ("unfounded", "Thông tin không chính xác", "Unfounded"),
    ("child_turned_16", "Trẻ đủ 16 tuổi", "Child turned 16"),
    // household
    ("normal", "Bình thường", "Normal"),
    ("poor", "Hộ nghèo", "Poor household"),
    ("near_poor", "Hộ cận nghèo", "Near-poor household"),
    // metrics
    ("cases_opened", "Số vụ việc tiếp nhận", "Cases opened"),
    ("cases_closed", "Số vụ việc kết thúc", "Cases closed"),
    (
        "opened_by_harm",
        "Tiếp nhận theo hình thức xâm hại",
        "Opened by harm type",
    ),
    (
        "opened_by_source",
        "Tiếp nhận theo nguồn tin",
        "Opened by source",
    ),
    ("initial_risk", "Mức nguy cơ ban đầu", "Initial risk"),
    ("specific_risk", "Mức nguy cơ cụ thể", "Specific risk"),
    ("step", "Bước đã thực hiện", "Steps recorded"),
    (
        "timeliness_emergency",
        "Quyết định khẩn cấp trong 12 giờ",
        "Emergency decision within 12 hours",
    ),
    (
        "timeliness_plan",
        "Kế hoạch trong 5 ngày làm việc",
        "Plan within 5 working days",
    ),
    (
        "timeliness_approval",
        "Phê duyệt trong 7 ngày làm việc",
        "Approval within 7 working days",
    ),
    (
        "children_registered",
        "Trẻ em được đăng ký",
        "Children registered",
    ),
    (
        "children_group",
        "Trẻ em theo nhóm hoàn cảnh đặc biệt",
        "Children by special-circumstance group",
    ),
    (
        "children_household",
        "Trẻ em theo tình trạng hộ gia đình",
        "Children by household status",
    ),
    // roles
    ("collaborator", "Cộng tác viên", "Collaborator"),
    ("commune_worker", "Công chức xã", "Commune worker"),
    ("commune_chairman", "Chủ tịch UBND xã", "Commune chairman"),
    ("hotline_operator", "Tổng đài viên 111", "Hotline operator"),
    (
        "provincial_manager",
        "Quản lý cấp tỉnh",
        "Provincial manager",
    ),
    ("inspector", "Thanh tra", "Inspector"),
    ("admin", "Quản trị", "Administrator"),
    (
        "system",
        "Hệ thống (tổng đài 111)",
        "System account (Hotline 111 switchboard)",
    ),
    // event types
    ("IntakeRecorded", "Tiếp nhận thông tin", "Intake recorded"),
    ("FactChecked", "Kiểm tra tính xác thực", "Fact checked"),
    (
        "InitialRiskAssessed",
        "Đánh giá nguy cơ ban đầu",
        "Initial risk assessed",
    ),
    (
        "EmergencyMeasuresOrdered",
        "Quyết định can thiệp khẩn cấp",
        "Emergency measures ordered",
    ),
    (
        "SpecificRiskAssessed",
        "Đánh giá nguy cơ cụ thể",
        "Specific risk assessed",
    ),
    ("PlanDrafted", "Xây dựng kế hoạch", "Plan drafted"),
    ("PlanApproved", "Phê duyệt kế hoạch", "Plan approved"),
    ("PlanSentBack", "Trả lại kế hoạch", "Plan sent back"),
    ("ServiceRecorded", "Cung cấp dịch vụ", "Service recorded"),
    ("ReferralRecorded", "Chuyển gửi", "Referral recorded"),
    ("ReviewRecorded", "Rà soát, đánh giá", "Review recorded"),
    ("CaseClosed", "Kết thúc hồ sơ", "Case closed"),
    ("CaseReopened", "Mở lại hồ sơ", "Case reopened"),
    (
        "CaseTransferred",
        "Chuyển hồ sơ sang xã khác",
        "Case transferred",
    ),
    (
        "WorkerReassigned",
        "Phân công lại cán bộ phụ trách",
        "Worker reassigned",
    ),
    ("NoteAdded", "Ghi chú", "Note added"),
    ("AttachmentAdded", "Đính kèm tài liệu", "Attachment added"),
    ("CaseLinked", "Liên kết hồ sơ", "Case linked"),
    ("EventCorrected", "Đính chính", "Correction"),
    ("ChildRegistered", "Đăng ký trẻ em", "Child registered"),
    (
        "ChildDetailsUpdated",
        "Cập nhật thông tin trẻ em",
        "Child details updated",
    ),
    (
        "HouseholdStatusChanged",
        "Thay đổi tình trạng hộ",
        "Household status changed",
    ),
    (
        "SpecialCircumstanceAdded",
        "Thêm nhóm hoàn cảnh đặc biệt",
        "Special circumstance added",
    ),
    (
        "SpecialCircumstanceEnded",
        "Kết thúc nhóm hoàn cảnh đặc biệt",
        "Special circumstance ended",
    ),
    ("OfficerRegistered", "Đăng ký cán bộ", "Officer registered"),
    (
        "AssignmentChanged",
        "Thay đổi vị trí công tác",
        "Assignment changed",
    ),
    ("OfficerDeactivated", "Ngừng hoạt động", "Deactivated"),
    ("OfficerReactivated", "Hoạt động trở lại", "Reactivated"),
    ("TrainingRecorded", "Tập huấn", "Training recorded"),
    // emergency measures, services, referrals, notes, sex (web forms)
    (
        "temporary_separation",
        "Tạm thời cách ly trẻ em",
        "Temporary separation",
    ),
    ("safe_shelter", "Nơi tạm trú an toàn", "Safe shelter"),
    (
        "temporary_alternative_care",
        "Chăm sóc thay thế tạm thời",
        "Temporary alternative care",
    ),
    ("medical_care", "Chăm sóc y tế", "Medical care"),
    (
        "psychological_support",
        "Hỗ trợ tâm lý",
        "Psychological support",
    ),
    ("healthcare", "Y tế", "Healthcare"),
    ("psychological", "Tâm lý", "Psychological"),
    ("legal_aid", "Trợ giúp pháp lý", "Legal aid"),
    ("education", "Giáo dục", "Education"),
    ("alternative_care", "Chăm sóc thay thế", "Alternative care"),
    ("social_assistance", "Trợ giúp xã hội", "Social assistance"),
    ("family_support", "Hỗ trợ gia đình", "Family support"),
    ("reintegration", "Tái hòa nhập", "Reintegration"),
    ("to", "Chuyển đi", "Referred to"),
    ("from", "Được chuyển đến", "Referred from"),
    ("note", "Ghi chú", "Note"),
    ("follow_up_visit", "Thăm hỏi, theo dõi", "Follow-up visit"),
    ("male", "Nam", "Male"),
    ("female", "Nữ", "Female"),
    ("sibling", "Anh chị em ruột", "Sibling"),
    ("AccessLog", "Nhật ký truy cập", "Access log"),
    ("Case", "Hồ sơ", "Case"),
    ("Child", "Trẻ em", "Child"),
    ("Officer", "Cán bộ", "Officer"),
    ("RecordRead", "Xem hồ sơ", "Record read"),
    // headers and words
    ("h.case", "Mã hồ sơ", "Case"),
    ("h.child", "Trẻ em", "Child"),
    ("h.place", "Địa bàn", "Place"),
    ("h.status", "Trạng thái", "Status"),
    ("h.risk", "Nguy cơ", "Risk"),
    ("h.harm", "Hình thức", "Harm"),
    ("h.worker", "Cán bộ phụ trách", "Worker"),
    ("h.next", "Hạn tiếp theo", "Next deadline"),
    ("h.overdue", "Quá hạn", "Overdue"),
    ("h.metric", "Chỉ tiêu", "Metric"),
    ("h.key", "Phân loại", "Breakdown"),
    ("h.period", "Kỳ", "Period"),
    ("h.province", "Tỉnh/thành", "Province"),
    ("h.count", "Số lượng", "Count"),
    ("h.when", "Thời điểm", "When"),
    ("h.recorded", "Ghi nhận lúc", "Recorded at"),
    ("h.who", "Người thực hiện", "Who"),
    ("h.role", "Vai trò", "Role"),
    ("h.what", "Nội dung", "What"),
    ("h.seq", "STT", "Seq"),
    ("h.record", "Hồ sơ", "Record"),
    ("w.yes", "Có", "Yes"),
    ("w.no", "Không", "No"),
    ("w.as_of", "Tình trạng tại thời điểm", "As of"),
    ("w.now", "hiện tại", "now"),
    ("w.opened", "Ngày tiếp nhận", "Opened"),
    ("w.closed", "Ngày kết thúc", "Closed"),
    ("w.deadlines", "Thời hạn theo luật", "Legal deadlines"),
    ("w.missed", "Đã trễ hạn", "Missed"),
    ("w.timeline", "Diễn biến", "Timeline"),
    (
        "w.later",
        "sự kiện ghi nhận sau thời điểm này (không hiển thị)",
        "events recorded after this moment (not shown)",
    ),
    ("w.cases_handled", "Số hồ sơ đã xử lý", "Cases handled"),
    ("w.deadlines_met", "Bước đúng hạn", "Deadline steps on time"),
    ("w.deadlines_missed", "Bước trễ hạn", "Deadline steps late"),
    ("w.trainings", "Tập huấn đã tham gia", "Trainings attended"),
    ("w.actions", "Hoạt động", "Actions"),
    ("w.total", "Tổng số", "Total"),
    ("w.none", "(không có)", "(none)"),
];

/// The label of a code in `lang`, or the code itself when there is none.
pub fn label(lang: Lang, code: &str) -> String {
    LABELS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, vi, en)| match lang {
            Lang::Vi => vi.to_string(),
            Lang::En => en.to_string(),
        })
        .unwrap_or_else(|| code.to_string())
}

/// Prints rows as an aligned text table (widths in characters, so Vietnamese
/// letters with diacritics line up).
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(c.chars().count());
                format!("{c}{}", " ".repeat(pad))
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(headers);
    out.push('\n');
    out.push_str(
        &widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}
