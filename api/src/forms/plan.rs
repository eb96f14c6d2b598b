//! Mẫu số 04 (kế hoạch hỗ trợ, can thiệp) and Mẫu số 05 (quyết định phê duyệt
//! kế hoạch hỗ trợ, can thiệp).

use chrono::{DateTime, NaiveDate, Utc};
use hoso_domain::case::{CaseEvent, PlannedService};
use hoso_domain::common::{HarmType, ProtectionLevel, RiskLevel};

use super::html::*;
use super::{CaseRecord, Recorded};

/// A plan version as drafted.
struct Draft<'a> {
    index: usize,
    recorded: &'a Recorded,
    at: DateTime<Utc>,
    version: u32,
    objectives: &'a [String],
    services: &'a [PlannedService],
    review_date: NaiveDate,
}

fn draft_of(record: &CaseRecord, index: usize) -> Option<Draft<'_>> {
    let r = record.events.get(index)?;
    match &r.event {
        CaseEvent::PlanDrafted {
            at: when,
            version,
            objectives,
            services,
            review_date,
        } => Some(Draft {
            index,
            recorded: r,
            at: *when,
            version: *version,
            objectives,
            services,
            review_date: *review_date,
        }),
        _ => None,
    }
}

/// The latest draft of `version` (any version when `None`).
fn latest_draft(record: &CaseRecord, version: Option<u32>) -> Option<Draft<'_>> {
    let (i, _, ()) = record.latest(|e| match e {
        CaseEvent::PlanDrafted { version: v, .. } if version.is_none_or(|x| x == *v) => Some(()),
        _ => None,
    })?;
    draft_of(record, i)
}

/// What the case knew of the child's risk when the plan was drafted: the
/// latest assessment before it (specific preferred, then initial), and the
/// needs found.
fn assessment_before(
    record: &CaseRecord,
    index: usize,
) -> (Option<RiskLevel>, Option<ProtectionLevel>, Vec<String>) {
    for r in record.events[..index].iter().rev() {
        match &r.event {
            CaseEvent::SpecificRiskAssessed {
                overall,
                protection_level,
                needs,
                ..
            } => return (Some(*overall), Some(*protection_level), needs.clone()),
            CaseEvent::InitialRiskAssessed {
                overall,
                protection_level,
                ..
            } => return (Some(*overall), Some(*protection_level), Vec::new()),
            _ => {}
        }
    }
    (None, None, Vec::new())
}

fn harm_types(record: &CaseRecord) -> Vec<HarmType> {
    record.state.harm_types.clone()
}

/// `Tư vấn, trị liệu tâm lý — Trung tâm công tác xã hội tỉnh (hạn 30/09/2025)`.
fn service_line(record: &CaseRecord, s: &PlannedService) -> String {
    let due = s
        .due
        .map(|d| format!(" (thời hạn {})", dmy(d)))
        .unwrap_or_default();
    format!(
        "{} — {}{due}",
        service_vi(s.kind),
        record.officer_name(&s.provider)
    )
}

fn services_table(record: &CaseRecord, services: &[PlannedService]) -> String {
    let mut out = String::from(
        r#"<table class="grid"><thead><tr><th>STT</th><th>Hoạt động, dịch vụ hỗ trợ, can thiệp</th><th>Cơ quan, tổ chức, cá nhân thực hiện</th><th>Thời hạn</th><th>Ghi chú</th></tr></thead><tbody>"#,
    );
    if services.is_empty() {
        out.push_str(r#"<tr><td class="no">1</td><td></td><td></td><td></td><td></td></tr>"#);
    }
    for (n, s) in services.iter().enumerate() {
        out.push_str(&format!(
            r#"<tr><td class="no">{}</td><td>{}</td><td>{}</td><td>{}</td><td></td></tr>"#,
            n + 1,
            esc(service_vi(s.kind)),
            esc(&record.officer_name(&s.provider)),
            s.due.map(|d| esc(&dmy(d))).unwrap_or_default()
        ));
    }
    out.push_str("</tbody></table>");
    out
}

/// What happened to a draft: approved (the event), sent back, or pending.
enum Fate<'a> {
    Approved(usize, &'a Recorded, DateTime<Utc>, &'a str),
    SentBack(&'a Recorded, DateTime<Utc>, &'a str),
    Pending,
}

fn fate<'a>(record: &'a CaseRecord, d: &Draft<'_>) -> Fate<'a> {
    for (j, r) in record.events.iter().enumerate().skip(d.index + 1) {
        match &r.event {
            CaseEvent::PlanApproved {
                at: when,
                version,
                decision_ref,
            } if *version == d.version => return Fate::Approved(j, r, *when, decision_ref),
            CaseEvent::PlanSentBack {
                at: when,
                version,
                reason,
            } if *version == d.version => return Fate::SentBack(r, *when, reason),
            CaseEvent::PlanDrafted { .. } => break,
            _ => {}
        }
    }
    Fate::Pending
}

pub(super) fn plan_04(record: &CaseRecord) -> Option<Page> {
    let d = latest_draft(record, None)?;
    let mut used = vec![d.index];
    let agency = Agency::committee(record.commune_at(d.index));
    let day = local_date(d.at);
    let mut b = heading(
        &agency,
        &reference("KH", &agency, None),
        &place_date(&agency, d.at),
    );
    b.push_str("<h1>Kế hoạch hỗ trợ, can thiệp</h1>");
    b.push_str(&format!(
        r#"<p class="subtitle">đối với trẻ em {} (phiên bản số {})</p>"#,
        child_name(record),
        d.version
    ));

    b.push_str("<h2>I. Thông tin về trẻ em</h2>");
    b.push_str(&format!("<p>Họ và tên trẻ em: {}</p>", child_name(record)));
    b.push_str(&format!(
        "<p>Ngày tháng năm sinh: {}</p>",
        birth(record, day)
    ));
    b.push_str(&format!("<p>Giới tính: {}</p>", sex(record)));
    b.push_str(&format!("<p>Nơi cư trú: {}</p>", address(record)));
    let harms: Vec<String> = harm_types(record).iter().map(vi_of).collect();
    b.push_str(&format!(
        "<p>Hình thức xâm hại hoặc nguy cơ: {}</p>",
        text(&harms.join(", "))
    ));
    let (overall, level, needs) = assessment_before(record, d.index);
    b.push_str(&format!(
        "<p>Mức độ nguy cơ: {}</p>",
        overall.map(level_choice).unwrap_or_else(blank)
    ));
    b.push_str(&format!(
        "<p>Cấp độ bảo vệ: {}</p>",
        level.map(|l| esc(&vi_of(&l))).unwrap_or_else(blank)
    ));
    b.push_str("<p>Nhu cầu cần hỗ trợ, can thiệp:</p>");
    b.push_str(&items(&needs));

    b.push_str("<h2>II. Mục tiêu</h2>");
    b.push_str(&items(d.objectives));

    b.push_str("<h2>III. Các hoạt động hỗ trợ, can thiệp</h2>");
    b.push_str(&services_table(record, d.services));

    b.push_str("<h2>IV. Theo dõi, rà soát, đánh giá</h2>");
    b.push_str(&format!(
        "<p>Thời gian rà soát, đánh giá: {}</p>",
        esc(&ngay(d.review_date))
    ));
    let worker = record
        .state
        .responsible_worker
        .as_deref()
        .map(|w| record.officer_name(w));
    b.push_str(&format!(
        "<p>Người làm công tác bảo vệ trẻ em cấp xã theo dõi: {}</p>",
        opt_text(worker.as_deref())
    ));

    b.push_str("<h2>V. Xây dựng và phê duyệt kế hoạch</h2>");
    if let Some(deadlines) = record.state.deadlines {
        let first = record.state.plan_drafted_at.unwrap_or(d.at);
        let last = last_day_before(deadlines.plan);
        b.push_str(&format!(
            "<p>Thời hạn xây dựng kế hoạch (05 ngày làm việc kể từ khi nhận thông tin): {}; kế hoạch đầu tiên lập lúc {}: {}</p>",
            esc(&dmy(last)),
            esc(&at(first)),
            if first < deadlines.plan { "đúng hạn" } else { "quá hạn" }
        ));
    }
    let approver = match fate(record, &d) {
        Fate::Approved(j, r, when, decision_ref) => {
            used.push(j);
            b.push_str(&format!(
                "<p>Đã được phê duyệt theo Quyết định số {} ngày {}.</p>",
                text(decision_ref),
                esc(&dmy(local_date(when)))
            ));
            record.signer_name(r)
        }
        Fate::SentBack(r, when, reason) => {
            b.push_str(&format!(
                "<p>Kế hoạch bị trả lại để xây dựng lại lúc {} (người trả lại: {}). Lý do: {}</p>",
                esc(&at(when)),
                opt_text(record.signer_name(r).as_deref()),
                text(reason)
            ));
            None
        }
        Fate::Pending => {
            b.push_str("<p>Kế hoạch đang chờ Chủ tịch UBND xã phê duyệt.</p>");
            None
        }
    };

    let maker = Sig {
        role: vec!["Người lập kế hoạch".to_string()],
        how: SIGN,
        name: record.signer_name(d.recorded),
    };
    let mut chair = chairman_sig(&agency, approver);
    chair.role.insert(0, "Phê duyệt".to_string());
    b.push_str(&signatures(&maker, &chair));
    Some(Page { body: b, used })
}

/// The law on local government in force on a day.
fn local_government_law(day: NaiveDate) -> &'static str {
    if day >= NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(NaiveDate::MIN) {
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
    } else if day >= NaiveDate::from_ymd_opt(2020, 7, 1).unwrap_or(NaiveDate::MIN) {
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;"
    } else {
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"
    }
}

pub(super) fn approval_05(record: &CaseRecord) -> Option<Page> {
    let (i, r, (approved_at, version, decision_ref)) = record.latest(|e| match e {
        CaseEvent::PlanApproved {
            at: when,
            version,
            decision_ref,
        } => Some((*when, *version, decision_ref.clone())),
        _ => None,
    })?;
    let d = latest_draft(record, Some(version));
    let mut used = vec![i];
    if let Some(d) = &d {
        used.insert(0, d.index);
    }
    let agency = Agency::committee(record.commune_at(i));
    let day = local_date(approved_at);
    let mut b = heading(
        &agency,
        &reference("QĐ", &agency, Some(&decision_ref)),
        &place_date(&agency, approved_at),
    );
    b.push_str("<h1>Quyết định</h1>");
    b.push_str(&format!(
        r#"<p class="subtitle">Về việc phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em {}</p>"#,
        child_name(record)
    ));
    b.push_str(&format!(
        r#"<p class="subtitle">{}</p>"#,
        esc(&agency
            .chairman_title()
            .replace("CHỦ TỊCH UBND", "CHỦ TỊCH ỦY BAN NHÂN DÂN"))
    ));
    let proposer = d
        .as_ref()
        .and_then(|d| record.signer_name(d.recorded))
        .map(|n| format!(" {}", esc(&n)))
        .unwrap_or_default();
    let drafted = d
        .as_ref()
        .map(|d| format!(" lập {}", ngay(local_date(d.at))))
        .unwrap_or_default();
    b.push_str(&format!(
        r#"<div class="basis"><p>{}</p><p>Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;</p><p>Căn cứ Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết một số điều của Luật Trẻ em;</p><p>Xét đề nghị của người làm công tác bảo vệ trẻ em cấp xã{proposer} tại kế hoạch hỗ trợ, can thiệp (phiên bản số {version}){drafted},</p></div>"#,
        local_government_law(day)
    ));
    b.push_str(r#"<p class="subtitle">QUYẾT ĐỊNH:</p>"#);
    b.push_str(&format!(
        r#"<p class="article"><b>Điều 1.</b> Phê duyệt kế hoạch hỗ trợ, can thiệp (phiên bản số {version}) đối với trẻ em {}, sinh ngày {}, nơi cư trú: {}, với các nội dung chính sau:</p>"#,
        child_name(record),
        record
            .state
            .date_of_birth
            .map(|x| esc(&dmy(x)))
            .unwrap_or_else(blank),
        address(record)
    ));
    match &d {
        Some(d) => {
            b.push_str("<p>1. Mục tiêu:</p>");
            b.push_str(&items(d.objectives));
            b.push_str("<p>2. Các hoạt động hỗ trợ, can thiệp:</p>");
            let lines: Vec<String> = d.services.iter().map(|s| service_line(record, s)).collect();
            b.push_str(&items(&lines));
            b.push_str(&format!(
                "<p>3. Thời gian rà soát, đánh giá: {}.</p>",
                esc(&ngay(d.review_date))
            ));
        }
        None => b.push_str(&format!("<p>{}</p>", blank_line())),
    }
    b.push_str("<p><i>(Kế hoạch chi tiết kèm theo Quyết định này.)</i></p>");
    let worker = record
        .state
        .responsible_worker
        .as_deref()
        .map(|w| esc(&record.officer_name(w)))
        .unwrap_or_else(|| "người làm công tác bảo vệ trẻ em cấp xã".to_string());
    let mut providers: Vec<String> = d
        .as_ref()
        .map(|d| {
            d.services
                .iter()
                .map(|s| record.officer_name(&s.provider))
                .collect()
        })
        .unwrap_or_default();
    providers.dedup();
    let with = if providers.is_empty() {
        String::new()
    } else {
        format!(" {},", esc(&providers.join(", ")))
    };
    b.push_str(&format!(
        r#"<p class="article"><b>Điều 2.</b> Giao {worker} chủ trì, phối hợp với{with} các cơ quan, tổ chức, cá nhân có liên quan và cha, mẹ hoặc người chăm sóc trẻ em tổ chức thực hiện kế hoạch; theo dõi, rà soát, đánh giá và báo cáo kết quả thực hiện.</p>"#
    ));
    b.push_str(r#"<p class="article"><b>Điều 3.</b> Quyết định này có hiệu lực kể từ ngày ký. Người làm công tác bảo vệ trẻ em cấp xã, các cơ quan, tổ chức, cá nhân có tên tại Điều 2 chịu trách nhiệm thi hành Quyết định này.</p>"#);
    let recipients = r#"<td class="recipients"><b>Nơi nhận:</b><br>- Như Điều 3;<br>- Trẻ em, cha, mẹ hoặc người chăm sóc trẻ em;<br>- Lưu: VT, hồ sơ trẻ em.</td>"#;
    let chair = Sig {
        role: vec!["Chủ tịch".to_string()],
        how: SIGN_STAMP,
        name: record.signer_name(r),
    };
    b.push_str(&format!(
        r#"<table class="signatures"><tr>{recipients}{}</tr></table>"#,
        sig_cell(&chair)
    ));
    Some(Page { body: b, used })
}
