//! Mẫu số 01: báo cáo tiếp nhận thông tin trẻ em (step 1, tiếp nhận thông tin).

use hoso_domain::case::CaseEvent;
use hoso_domain::common::Role;

use super::html::*;
use super::CaseRecord;

pub(super) fn intake_01(record: &CaseRecord) -> Option<Page> {
    let (i, r, ()) =
        record.latest(|e| matches!(e, CaseEvent::IntakeRecorded { .. }).then_some(()))?;
    let CaseEvent::IntakeRecorded {
        at: recorded_at,
        commune,
        source,
        source_description,
        reporter,
        description,
        harm_types,
        received_at,
        responsible_worker,
        deadlines,
        ..
    } = &r.event
    else {
        return None;
    };
    let by_hotline = r.by.as_ref().and_then(|s| s.role) == Some(Role::HotlineOperator);
    let agency = if by_hotline {
        Agency::hotline(Some(*commune))
    } else {
        Agency::committee(record.commune_at(i))
    };
    let received_day = local_date(*received_at);
    let mut b = heading(
        &agency,
        &reference("BC", &agency, None),
        &place_date(&agency, *recorded_at),
    );
    b.push_str("<h1>Báo cáo tiếp nhận thông tin trẻ em</h1>");
    b.push_str(r#"<p class="subtitle">bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi</p>"#);

    b.push_str("<h2>A. Thông tin chung</h2>");
    b.push_str("<h3>1. Nguồn nhận thông tin</h3>");
    let mut source_text = vi_of(source);
    if let Some(d) = source_description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        source_text = format!("{source_text} ({})", d.trim());
    }
    b.push_str(&format!(
        "<p>Thông qua (điện thoại/gặp trực tiếp/người khác báo): {}</p>",
        text(&source_text)
    ));
    b.push_str(&format!(
        "<p>Thời gian tiếp nhận: {}</p>",
        esc(&at(*received_at))
    ));

    b.push_str("<h3>2. Thông tin về trẻ em</h3>");
    b.push_str(&format!("<p>Họ và tên trẻ em: {}</p>", child_name(record)));
    b.push_str(&format!(
        "<p>Ngày tháng năm sinh: {}</p>",
        birth(record, received_day)
    ));
    b.push_str(&format!("<p>Giới tính: {}</p>", sex(record)));
    if let Some(c) = &record.child {
        b.push_str(&format!("<p>Dân tộc: {}</p>", text(&c.ethnicity)));
    }
    b.push_str(&format!("<p>Nơi cư trú: {}</p>", address(record)));
    b.push_str(&format!(
        "<p>Địa bàn xảy ra vụ việc: {}</p>",
        esc(&Agency::committee(Some(*commune)).commune_full)
    ));
    let harms = harm_types.iter().map(vi_of).collect::<Vec<_>>().join(", ");
    b.push_str(&format!(
        "<p>Hình thức xâm hại hoặc nguy cơ: {}</p>",
        text(&harms)
    ));
    b.push_str(&format!(
        "<p>Tình trạng hiện tại của trẻ em (nội dung vụ việc): {}</p>",
        text(description)
    ));
    b.push_str(&format!(
        "<p>Phỏng đoán hậu quả có thể xảy ra cho trẻ em nếu không được hỗ trợ, can thiệp: {}</p>",
        blank_line()
    ));
    b.push_str(&format!(
        "<p>Họ và tên cha: {} Tuổi: {} Nghề nghiệp: {}</p>",
        blank(),
        blank(),
        blank()
    ));
    b.push_str(&format!(
        "<p>Họ và tên mẹ: {} Tuổi: {} Nghề nghiệp: {}</p>",
        blank(),
        blank(),
        blank()
    ));
    let family = record.child.as_ref().map(|c| {
        let mut parts = vec![c
            .household_status_at(*received_at)
            .unwrap_or(c.household_status)
            .label_vi()
            .to_string()];
        parts.extend(
            c.groups_on(received_day)
                .into_iter()
                .map(|g| match g.legal_letter() {
                    Some(l) => format!("nhóm {l}: {}", g.label_vi()),
                    None => g.label_vi().to_string(),
                }),
        );
        parts.join("; ")
    });
    b.push_str(&format!(
        "<p>Hoàn cảnh gia đình: {}</p>",
        opt_text(family.as_deref())
    ));
    b.push_str(&format!(
        "<p>Người đang chăm sóc trẻ em (nếu biết): {}</p>",
        blank()
    ));
    b.push_str(&format!(
        "<p>Những hành động hỗ trợ, can thiệp đã thực hiện đối với trẻ em trước khi nhận được thông tin: {}</p>",
        blank_line()
    ));

    b.push_str("<h3>3. Thông tin người cung cấp thông tin (nếu đồng ý cung cấp)</h3>");
    match reporter {
        Some(rep) => {
            b.push_str(&format!("<p>Họ và tên: {}</p>", text(&rep.name)));
            b.push_str(&format!(
                "<p>Số điện thoại: {}</p>",
                opt_text(rep.phone.as_deref())
            ));
            b.push_str(&format!(
                "<p>Quan hệ với trẻ em: {}</p>",
                text(&rep.relation)
            ));
            b.push_str(&format!("<p>Địa chỉ: {}</p>", blank()));
        }
        None => b.push_str("<p>Người báo tin không cung cấp danh tính (báo tin nặc danh).</p>"),
    }

    b.push_str("<h3>Ghi thêm</h3>");
    let worker = responsible_worker
        .as_deref()
        .map(|w| record.officer_name(w));
    b.push_str(&format!(
        "<p>Cán bộ phụ trách hồ sơ: {}</p>",
        opt_text(worker.as_deref())
    ));
    b.push_str(&format!(
        "<p>Thời hạn theo quy định: quyết định áp dụng biện pháp can thiệp khẩn cấp trước {}; xây dựng kế hoạch hỗ trợ, can thiệp chậm nhất ngày {}; phê duyệt kế hoạch chậm nhất ngày {}.</p>",
        esc(&at(deadlines.emergency)),
        esc(&dmy(last_day_before(deadlines.plan))),
        esc(&dmy(last_day_before(deadlines.approval)))
    ));

    let receiver = Sig {
        role: vec!["Cán bộ tiếp nhận thông tin".to_string()],
        how: SIGN,
        name: record.signer_name(r),
    };
    let right = if by_hotline {
        Sig {
            role: vec!["Xác nhận của cơ quan tiếp nhận".to_string()],
            how: SIGN_STAMP,
            name: None,
        }
    } else {
        chairman_sig(&agency, None)
    };
    b.push_str(&signatures(&receiver, &right));
    Some(Page {
        body: b,
        used: vec![i],
    })
}
