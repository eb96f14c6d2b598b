//! Mẫu số 06: rà soát, đánh giá tình trạng của trẻ em sau khi thực hiện kế
//! hoạch hỗ trợ, can thiệp (step 8), with what was done under the plan.

use hoso_domain::case::{CaseEvent, CloseReason, ReferralDirection, ReviewOutcome};

use super::html::*;
use super::CaseRecord;

pub(super) fn review_06(record: &CaseRecord) -> Option<Page> {
    let (i, r, ()) =
        record.latest(|e| matches!(e, CaseEvent::ReviewRecorded { .. }).then_some(()))?;
    let CaseEvent::ReviewRecorded {
        at: reviewed_at,
        outcome,
        participants,
        summary,
    } = &r.event
    else {
        return None;
    };
    let mut used = vec![i];
    let agency = Agency::committee(record.commune_at(i));
    let day = local_date(*reviewed_at);
    let mut b = heading(
        &agency,
        &reference("BC", &agency, None),
        &place_date(&agency, *reviewed_at),
    );
    b.push_str("<h1>Rà soát, đánh giá tình trạng của trẻ em</h1>");
    b.push_str(r#"<p class="subtitle">sau khi thực hiện kế hoạch hỗ trợ, can thiệp</p>"#);
    b.push_str(&format!(
        "<p>Họ và tên trẻ em: {}</p><p>Ngày tháng năm sinh: {}</p><p>Họ và tên cán bộ thực hiện: {}</p><p>Ngày, tháng, năm thực hiện: {}</p>",
        child_name(record),
        birth(record, day),
        opt_text(record.signer_name(r).as_deref()),
        esc(&dmy(day))
    ));

    // the approval this review looks back on: the latest one before it
    let approval = record.events[..i]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(j, e)| match &e.event {
            CaseEvent::PlanApproved {
                at: when,
                version,
                decision_ref,
            } => Some((j, *when, *version, decision_ref.clone())),
            _ => None,
        });

    b.push_str("<h2>1. Đánh giá nguy cơ tại giai đoạn kết thúc</h2>");
    b.push_str("<p><i>(Đánh giá lại từng yếu tố; mức độ do người thực hiện ghi.)</i></p>");
    b.push_str(&factor_table(None));

    b.push_str("<h2>2. Kết quả thực hiện kế hoạch hỗ trợ, can thiệp</h2>");
    match &approval {
        Some((j, when, version, decision_ref)) => {
            used.insert(0, *j);
            b.push_str(&format!(
                "<p>Kế hoạch phiên bản số {version}, phê duyệt theo Quyết định số {} ngày {}.</p>",
                text(decision_ref),
                esc(&dmy(local_date(*when)))
            ));
        }
        None => b.push_str(&format!("<p>Kế hoạch: {}</p>", blank())),
    }
    let from = approval.as_ref().map(|a| a.0 + 1).unwrap_or(0);
    let mut services = Vec::new();
    let mut referrals = Vec::new();
    for (j, e) in record.events.iter().enumerate().take(i).skip(from) {
        match &e.event {
            CaseEvent::ServiceRecorded {
                kind,
                provider,
                delivered_at,
                notes,
                ..
            } => {
                used.push(j);
                let mut line = format!(
                    "{}: {} — {}",
                    dmy(local_date(*delivered_at)),
                    service_vi(*kind),
                    record.officer_name(provider)
                );
                if !notes.trim().is_empty() {
                    line.push_str(&format!(" ({})", notes.trim()));
                }
                services.push(line);
            }
            CaseEvent::ReferralRecorded {
                at: when,
                direction,
                agency: other,
                reason,
            } => {
                used.push(j);
                let dir = match direction {
                    ReferralDirection::To => "chuyển gửi đến",
                    ReferralDirection::From => "được chuyển gửi từ",
                };
                referrals.push(format!(
                    "{}: {dir} {} — {}",
                    dmy(local_date(*when)),
                    other.trim(),
                    reason.trim()
                ));
            }
            _ => {}
        }
    }
    b.push_str("<p>Dịch vụ đã cung cấp:</p>");
    b.push_str(&items(&services));
    b.push_str("<p>Chuyển gửi:</p>");
    b.push_str(&items(&referrals));

    b.push_str("<h2>3. Thành phần tham gia rà soát, đánh giá</h2>");
    let names: Vec<String> = participants
        .iter()
        .map(|p| record.officer_name(p))
        .collect();
    b.push_str(&items(&names));

    b.push_str("<h2>4. Nhận xét, đánh giá tình trạng của trẻ em</h2>");
    b.push_str(&format!("<p>{}</p>", text(summary)));

    b.push_str("<h2>5. Kết luận, đề xuất</h2>");
    b.push_str(&format!(
        "<p>{} Trẻ em đã an toàn, ổn định: đề nghị Chủ tịch UBND xã kết thúc hồ sơ.</p><p>{} Trẻ em chưa an toàn, ổn định: cần xây dựng kế hoạch hỗ trợ, can thiệp mới.</p>",
        check(*outcome == ReviewOutcome::SafeAndStable),
        check(*outcome == ReviewOutcome::NeedsNewPlan)
    ));
    // the closing decision that followed, if any
    let closed = record
        .events
        .iter()
        .enumerate()
        .skip(i + 1)
        .find_map(|(j, e)| match &e.event {
            CaseEvent::CaseClosed {
                at: when,
                reason,
                decision_ref,
                ..
            } => Some((j, e, *when, *reason, decision_ref.clone())),
            _ => None,
        });
    let mut chairman = None;
    if let Some((j, e, when, reason, decision_ref)) = closed {
        used.push(j);
        chairman = record.signer_name(e);
        let why = match reason {
            CloseReason::SafeAndStable => "trẻ em an toàn, ổn định".to_string(),
            other => vi_of(&other),
        };
        b.push_str(&format!(
            "<p>Hồ sơ đã kết thúc theo Quyết định số {} ngày {} (lý do: {}).</p>",
            text(&decision_ref),
            esc(&dmy(local_date(when))),
            esc(&why)
        ));
    }

    let maker = Sig {
        role: vec!["Người thực hiện rà soát".to_string()],
        how: SIGN,
        name: record.signer_name(r),
    };
    b.push_str(&signatures(&maker, &chairman_sig(&agency, chairman)));
    Some(Page { body: b, used })
}
