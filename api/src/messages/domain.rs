//! The domain errors in words: one exhaustive match per aggregate.

use super::words::*;
use super::*;

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
        E::AlreadyDistinct(other) => (
            format!("Đã xác nhận hồ sơ này là của một trẻ em khác với hồ sơ {other}."),
            format!("This record was already confirmed to be another child than {other}."),
        ),
        E::AlreadyDuplicate(kept) => (
            format!("Hồ sơ này đã được đánh dấu trùng với hồ sơ {kept}."),
            format!("This record is already marked as a duplicate of {kept}."),
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
        E::TokenForPerson(r) => (
            format!(
                "Mã truy cập API chỉ cấp cho tài khoản hệ thống; “{}” đăng nhập bằng mật khẩu của chính mình.",
                role(Lang::Vi, *r)
            ),
            format!(
                "API tokens are only for system accounts; a “{}” signs in with their own password.",
                role(Lang::En, *r)
            ),
        ),
        E::SystemHasNoPassword => (
            "Tài khoản hệ thống không có mật khẩu; hãy cấp mã truy cập API.".into(),
            "A system account has no password; issue it an API token.".into(),
        ),
        E::TokenExpiry => (
            format!(
                "Mã truy cập API phải hết hạn trong vòng {} ngày.",
                hoso_domain::officer::MAX_API_TOKEN_DAYS
            ),
            format!(
                "An API token must expire within {} days.",
                hoso_domain::officer::MAX_API_TOKEN_DAYS
            ),
        ),
        E::UnknownToken(t) => (
            format!("Không có mã truy cập {t} của tài khoản này."),
            format!("No API token {t} was issued to this account."),
        ),
        E::TokenRevoked(t) => (
            format!("Mã truy cập {t} đã bị thu hồi."),
            format!("The API token {t} is revoked already."),
        ),
        E::TokenIdTaken(t) => (
            format!("Mã truy cập {t} đã được cấp trước đây."),
            format!("The token id {t} was issued before."),
        ),
        E::NotYourPassword => (
            "Chỉ chính cán bộ mới đặt được mật khẩu của mình.".into(),
            "Only the officer may set their own password.".into(),
        ),
    };
    pick(lang, vi, en)
}
