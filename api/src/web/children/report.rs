//! The duplicate-child report of a province, and the decisions taken on it.

use super::*;

/// `GET /children/duplicates`: the likely duplicates already registered.
pub async fn report(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let note = if opt(&q, "done").is_some() {
        format!(
            "<div class=\"success\" role=\"status\">✓ {}</div>",
            tr(
                o.ctx.lang,
                "Đã ghi nhận quyết định.",
                "The decision is recorded."
            )
        )
    } else {
        String::new()
    };
    render_report(&state, &o, &ctx, StatusCode::OK, note).await
}

async fn render_report(
    state: &AppState,
    o: &Officer,
    ctx: &ReadContext,
    status: StatusCode,
    note: String,
) -> Response {
    let lang = o.ctx.lang;
    let pairs = match duplicates::report(&state.svc, &o.me, ctx).await {
        Ok(p) => p,
        Err(e) => return error_page(o, e.into()),
    };
    let person = |l: &Likely| {
        format!(
            "<b>{}</b><br>{}<br><small class=\"muted\">{} · <span class=\"mono\">{}</span></small>",
            esc(&l.full_name),
            esc(&date_text(l.date_of_birth)),
            esc(&commune_label(&l.commune)),
            esc(&l.child_id)
        )
    };
    let rows: Vec<Vec<String>> = pairs
        .iter()
        .map(|p| {
            let decide = format!(
                "<form method=\"post\" action=\"/children/duplicates\" class=\"stack decide\">\
                 <input type=\"hidden\" name=\"first\" value=\"{a}\"><input type=\"hidden\" name=\"second\" value=\"{b}\">\
                 <label>{}<input name=\"reason\" size=\"18\"></label>\
                 <div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"duplicate\">{}</button>\
                 <button type=\"submit\" name=\"decision\" value=\"distinct\">{}</button></div></form>",
                tr(lang, "Căn cứ", "Reason"),
                tr(lang, "Là một trẻ em (giữ hồ sơ thứ nhất)", "Same child (keep the first)"),
                tr(lang, "Là hai trẻ em khác nhau", "Two different children"),
                a = esc(&p.first.child_id),
                b = esc(&p.second.child_id),
            );
            vec![
                person(&p.first),
                person(&p.second),
                esc(&why(lang, &p.first.found)),
                decide,
            ]
        })
        .collect();
    let list = if rows.is_empty() {
        format!(
            "<p class=\"empty ok\">✓ {}</p>",
            tr(
                lang,
                "Không có hồ sơ nào có khả năng trùng.",
                "No likely duplicate."
            )
        )
    } else {
        table(
            &[
                tr(lang, "Hồ sơ thứ nhất", "First record"),
                tr(lang, "Hồ sơ thứ hai", "Second record"),
                tr(lang, "Giống nhau ở", "Alike in"),
                tr(lang, "Quyết định", "Decision"),
            ],
            &rows,
            "duplicates",
        )
    };
    let body = format!(
        "<div class=\"title-row\"><h1>{}</h1><p class=\"muted\">{}: <b>{}</b></p></div>{note}\
         <section class=\"card\"><p class=\"muted\">{}</p>{list}</section>",
        tr(lang, "Hồ sơ trẻ em có khả năng trùng", "Likely duplicate children"),
        tr(lang, "Số cặp", "Pairs"),
        pairs.len(),
        tr(
            lang,
            "Cặp hồ sơ có họ tên gần giống, ngày sinh lệch không quá 7 ngày, cùng xã hoặc xã lân cận. Mỗi quyết định được ghi vào hồ sơ trẻ em; cặp đã quyết định không hiện lại.",
            "Pairs with a similar name, dates of birth at most 7 days apart, the same or a neighbouring commune. Each decision is recorded on the child's record; decided pairs are not shown again."
        ),
    );
    html(
        &o.ctx,
        status,
        layout(
            &o.ctx,
            Some(&o.me),
            "/children/duplicates",
            tr(lang, "Hồ sơ trùng", "Duplicates"),
            &body,
        ),
    )
}

/// `POST /children/duplicates`: one decision about a pair.
pub async fn decide(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    body: Bytes,
) -> Response {
    let v = parse_form(&body);
    let first = fields::first(&v, "first");
    let second = fields::first(&v, "second");
    let reason = fields::first(&v, "reason");
    let (id, action) = match fields::first(&v, "decision").as_str() {
        "duplicate" => (
            second,
            ChildAction::MarkDuplicate(DuplicateMark {
                of_child_id: first,
                reason,
            }),
        ),
        _ => (
            first,
            ChildAction::ConfirmDistinct(DistinctConfirmation {
                other_child_id: second,
                note: reason,
            }),
        ),
    };
    match duplicates::decide(&state.svc, &o.me, &id, action).await {
        Ok(()) => Redirect::to("/children/duplicates?done=1").into_response(),
        Err(e)
            if matches!(
                e,
                Error::Internal(_) | Error::Unavailable(_) | Error::Full(_)
            ) =>
        {
            error_page(&o, e.into())
        }
        Err(e) => {
            let e = ApiError::Service(e);
            let said = say(o.ctx.lang, &e);
            let note = format!(
                "<div class=\"errors\" role=\"alert\">{}</div>",
                esc(&said.detail)
            );
            render_report(&state, &o, &ctx, e.status(), note).await
        }
    }
}
