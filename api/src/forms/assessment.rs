//! Mẫu số 02 (đánh giá nguy cơ ban đầu, with the fact check and the emergency
//! measures), Mẫu số 03 (thu thập thông tin, đánh giá nguy cơ cụ thể) and the
//! minutes of the needs meeting.

use hoso_domain::case::CaseEvent;

use super::html::*;
use super::CaseRecord;

/// The lines "Họ và tên trẻ em / cán bộ thực hiện / ngày thực hiện".
fn who_when(record: &CaseRecord, officer: Option<String>, day: chrono::NaiveDate) -> String {
    format!(
        "<p>Họ và tên trẻ em: {}</p><p>Ngày tháng năm sinh: {}</p><p>Họ và tên cán bộ thực hiện: {}</p><p>Ngày, tháng, năm thực hiện: {}</p>",
        child_name(record),
        birth(record, day),
        opt_text(officer.as_deref()),
        esc(&dmy(day))
    )
}

pub(super) fn initial_02(record: &CaseRecord) -> Option<Page> {
    let (i, r, ()) =
        record.latest(|e| matches!(e, CaseEvent::InitialRiskAssessed { .. }).then_some(()))?;
    let CaseEvent::InitialRiskAssessed {
        at: assessed_at,
        factors,
        overall,
        emergency_needed,
        protection_level,
        notes,
    } = &r.event
    else {
        return None;
    };
    let mut used = vec![i];
    let mut chairman = None;
    let agency = Agency::committee(record.commune_at(i));
    let day = local_date(*assessed_at);
    let mut b = heading(
        &agency,
        &reference("BC", &agency, None),
        &place_date(&agency, *assessed_at),
    );
    b.push_str("<h1>Báo cáo đánh giá nguy cơ ban đầu</h1>");
    b.push_str(r#"<p class="subtitle">về tình trạng trẻ em bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi</p>"#);
    b.push_str(&who_when(record, record.signer_name(r), day));

    b.push_str("<h2>1. Kết quả kiểm tra tính xác thực của thông tin</h2>");
    // the fact check this assessment rests on: the latest one before it
    let fact = record.events[..i]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(j, e)| match &e.event {
            CaseEvent::FactChecked {
                at: when,
                confirmed,
                findings,
            } => Some((j, *when, *confirmed, findings.clone())),
            _ => None,
        });
    match fact {
        Some((j, when, confirmed, findings)) => {
            used.insert(0, j);
            b.push_str(&format!(
                "<p>Thời gian kiểm tra: {}</p><p>Thông tin được xác nhận là đúng: {}</p><p>Kết quả kiểm tra, xác minh: {}</p>",
                esc(&at(when)),
                yes_no(confirmed),
                text(&findings)
            ));
        }
        None => b.push_str(&format!("<p>{}</p>", blank_line())),
    }

    b.push_str("<h2>2. Đánh giá mức độ tổn hại và nguy cơ đối với trẻ em</h2>");
    b.push_str(&factor_table(Some(factors)));

    b.push_str("<h2>3. Kết luận</h2>");
    b.push_str(&format!(
        "<p>Mức độ nguy cơ chung: {}</p>",
        level_choice(*overall)
    ));
    b.push_str(&format!(
        "<p>Cấp độ bảo vệ trẻ em: {}</p>",
        esc(&vi_of(protection_level))
    ));
    b.push_str(&format!(
        "<p>Trẻ em có nguy cơ hoặc đang bị tổn hại nghiêm trọng về tính mạng, sức khỏe, nhân phẩm, cần áp dụng biện pháp can thiệp khẩn cấp: {}</p>",
        yes_no(*emergency_needed)
    ));

    b.push_str("<h2>4. Biện pháp can thiệp khẩn cấp, tạm thời cách ly trẻ em</h2>");
    let order = record
        .events
        .iter()
        .enumerate()
        .rev()
        .find_map(|(j, e)| match &e.event {
            CaseEvent::EmergencyMeasuresOrdered {
                at: when,
                measures,
                details,
                decision_ref,
            } => Some((
                j,
                e,
                *when,
                measures.clone(),
                details.clone(),
                decision_ref.clone(),
            )),
            _ => None,
        });
    match order {
        Some((j, e, when, measures, details, decision_ref)) => {
            used.push(j);
            chairman = record.signer_name(e);
            let list: Vec<String> = measures.iter().map(vi_of).collect();
            b.push_str(&format!("<p>Biện pháp đã quyết định:</p>{}", items(&list)));
            if !details.trim().is_empty() {
                b.push_str(&format!("<p>Chi tiết: {}</p>", text(&details)));
            }
            b.push_str(&format!(
                "<p>Quyết định số: {}, thời gian: {}; người quyết định: {}</p>",
                text(&decision_ref),
                esc(&at(when)),
                opt_text(record.signer_name(e).as_deref())
            ));
            if let Some(d) = record.state.deadlines {
                b.push_str(&format!(
                    "<p>Trong vòng 12 giờ kể từ khi nhận thông tin (trước {}): {}</p>",
                    esc(&at(d.emergency)),
                    yes_no(when <= d.emergency)
                ));
            }
        }
        None if *emergency_needed => {
            b.push_str("<p>Chưa ghi nhận quyết định áp dụng biện pháp can thiệp khẩn cấp.</p>")
        }
        None => b.push_str("<p>Không áp dụng.</p>"),
    }

    b.push_str("<h2>5. Ghi chú</h2>");
    b.push_str(&format!("<p>{}</p>", text(notes)));

    let maker = Sig {
        role: vec!["Người thực hiện đánh giá".to_string()],
        how: SIGN,
        name: record.signer_name(r),
    };
    b.push_str(&signatures(&maker, &chairman_sig(&agency, chairman)));
    Some(Page { body: b, used })
}

pub(super) fn specific_03(record: &CaseRecord) -> Option<Page> {
    let (i, r, ()) =
        record.latest(|e| matches!(e, CaseEvent::SpecificRiskAssessed { .. }).then_some(()))?;
    let CaseEvent::SpecificRiskAssessed {
        at: assessed_at,
        factors,
        overall,
        protection_level,
        needs,
        minutes,
    } = &r.event
    else {
        return None;
    };
    let agency = Agency::committee(record.commune_at(i));
    let day = local_date(*assessed_at);
    let mut b = heading(
        &agency,
        &reference("BC", &agency, None),
        &place_date(&agency, *assessed_at),
    );
    b.push_str("<h1>Báo cáo thu thập thông tin, đánh giá nguy cơ cụ thể tình hình trẻ em</h1>");
    b.push_str(r#"<p class="subtitle">bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi</p>"#);
    b.push_str(&who_when(record, record.signer_name(r), day));
    b.push_str(&format!("<p>Nơi cư trú: {}</p>", address(record)));

    b.push_str("<h2>1. Đánh giá nguy cơ cụ thể</h2>");
    b.push_str(&factor_table(Some(factors)));

    b.push_str("<h2>2. Kết luận</h2>");
    b.push_str(&format!(
        "<p>Mức độ nguy cơ chung: {}</p>",
        level_choice(*overall)
    ));
    b.push_str(&format!(
        "<p>Cấp độ bảo vệ trẻ em: {}</p>",
        esc(&vi_of(protection_level))
    ));

    b.push_str("<h2>3. Nhu cầu cần hỗ trợ, can thiệp của trẻ em</h2>");
    b.push_str(&items(needs));

    b.push_str("<h2>4. Cuộc họp xác định nhu cầu cần hỗ trợ, can thiệp</h2>");
    b.push_str(&format!(
        "<p>Thời gian họp: {}</p><p>Thành phần tham dự:</p>{}<p>Nội dung chính: {}</p><p><i>(Có biên bản cuộc họp kèm theo.)</i></p>",
        esc(&at(minutes.held_at)),
        items(&participant_names(record, &minutes.participants)),
        text(&minutes.summary)
    ));

    let maker = Sig {
        role: vec!["Người thực hiện đánh giá".to_string()],
        how: SIGN,
        name: record.signer_name(r),
    };
    b.push_str(&signatures(&maker, &chairman_sig(&agency, None)));
    Some(Page {
        body: b,
        used: vec![i],
    })
}

/// Participants as recorded; officer ids among them are replaced by names.
fn participant_names(record: &CaseRecord, list: &[String]) -> Vec<String> {
    list.iter().map(|p| record.officer_name(p)).collect()
}

pub(super) fn minutes(record: &CaseRecord) -> Option<Page> {
    let (i, r, ()) =
        record.latest(|e| matches!(e, CaseEvent::SpecificRiskAssessed { .. }).then_some(()))?;
    let CaseEvent::SpecificRiskAssessed { needs, minutes, .. } = &r.event else {
        return None;
    };
    let agency = Agency::committee(record.commune_at(i));
    let mut b = heading(&agency, "", &place_date(&agency, minutes.held_at));
    b.push_str("<h1>Biên bản họp</h1>");
    b.push_str(r#"<p class="subtitle">xác định nhu cầu cần hỗ trợ, can thiệp đối với trẻ em</p>"#);
    b.push_str(&format!(
        "<p>Hôm nay, vào lúc {}, tại {}, tổ chức cuộc họp xác định nhu cầu cần hỗ trợ, can thiệp đối với trẻ em {}, sinh ngày {}.</p>",
        esc(&at(minutes.held_at)),
        esc(&format!("Ủy ban nhân dân {}", agency.commune)),
        child_name(record),
        record
            .state
            .date_of_birth
            .map(|d| esc(&dmy(d)))
            .unwrap_or_else(blank)
    ));
    b.push_str("<h2>I. Thành phần tham dự</h2>");
    b.push_str(&items(&participant_names(record, &minutes.participants)));
    b.push_str("<h2>II. Nội dung cuộc họp</h2>");
    b.push_str(&format!("<p>{}</p>", text(&minutes.summary)));
    b.push_str("<h2>III. Kết luận: nhu cầu cần hỗ trợ, can thiệp của trẻ em</h2>");
    b.push_str(&items(needs));
    b.push_str(&format!(
        "<p>Cuộc họp kết thúc vào lúc {}. Biên bản đã được đọc lại cho những người tham dự cùng nghe và nhất trí.</p>",
        blank()
    ));
    let secretary = Sig {
        role: vec!["Người ghi biên bản".to_string()],
        how: SIGN,
        name: record.signer_name(r),
    };
    let chair = Sig {
        role: vec!["Chủ trì cuộc họp".to_string(), agency.chairman_title()],
        how: SIGN,
        name: None,
    };
    b.push_str(&signatures(&secretary, &chair));
    Some(Page {
        body: b,
        used: vec![i],
    })
}
