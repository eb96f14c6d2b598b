//! The child registration page, with the duplicate-child warnings before saving.

use super::*;

pub(super) fn commune_label(c: &CommuneRef) -> String {
    places::label(c)
}

/// The registration page: the form, and the likely duplicates to decide about.
#[allow(clippy::too_many_arguments)]
fn registration_page(
    o: &Officer,
    province: u32,
    values: &Values,
    failed: Option<&Said>,
    candidates: &[Likely],
) -> String {
    let lang = o.ctx.lang;
    let mut defaults: HashMap<&'static str, String> = HashMap::new();
    defaults.insert("address.commune.structure", "2025".into());
    defaults.insert("address.commune.province", province.to_string());
    defaults.insert("ethnicity", "Kinh".into());
    defaults.insert("household_status", "normal".into());
    if let Some(c) = own_commune(o) {
        defaults.insert("address.commune.commune", c.to_string());
    }
    let mut options: Options = HashMap::new();
    options.insert(COMMUNES, commune_options(province));
    let bad: Vec<String> = failed
        .map(|s| s.fields.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    // A failed submission keeps its province.
    let mut values = values.clone();
    values.insert(
        "address.commune.province".into(),
        vec![province.to_string()],
    );
    let draw = Draw {
        lang,
        id: "register",
        values: &values,
        defaults: &defaults,
        options: &options,
        bad: &bad,
    };
    let inputs: String = REGISTRATION
        .iter()
        .map(|fl| fields::render(&draw, fl))
        .collect();
    let errors = failed.map(|s| errors_box(lang, s)).unwrap_or_default();
    let found = if candidates.is_empty() {
        String::new()
    } else {
        let rows: Vec<Vec<String>> = candidates
            .iter()
            .map(|l| {
                vec![
                    format!(
                        "<b>{}</b><br><small class=\"muted mono\">{}</small>",
                        esc(&l.full_name),
                        esc(&l.child_id)
                    ),
                    esc(&date_text(l.date_of_birth)),
                    esc(&commune_label(&l.commune)),
                    esc(&why(lang, &l.found)),
                    format!(
                        "<a class=\"button\" href=\"/cases/new?child={}\">{}</a>",
                        esc(&l.child_id),
                        tr(lang, "Dùng hồ sơ này", "Use this record")
                    ),
                ]
            })
            .collect();
        let distinct: String = candidates
            .iter()
            .map(|l| {
                format!(
                    "<input type=\"hidden\" name=\"distinct_from\" value=\"{}\">",
                    esc(&l.child_id)
                )
            })
            .collect();
        format!(
            "<section class=\"card warnbox\" id=\"candidates\"><h2>{}</h2><p>{}</p>{}\
             <p>{}</p>{distinct}<div class=\"actions\"><button type=\"submit\" name=\"confirm_new\" value=\"1\" class=\"primary\">{}</button></div></section>",
            tr(lang, "Có thể trẻ em này đã có hồ sơ", "This child may already be registered"),
            tr(
                lang,
                "Các hồ sơ dưới đây có họ tên gần giống, ngày sinh gần nhau, cùng xã hoặc xã lân cận. Hãy kiểm tra: nếu là cùng một trẻ em, dùng hồ sơ đã có.",
                "The records below have a similar name, a close date of birth and the same or a neighbouring commune. Check them: if it is the same child, use the existing record."
            ),
            table(
                &[
                    &label(lang, "h.child"),
                    tr(lang, "Ngày sinh", "Date of birth"),
                    tr(lang, "Xã, phường", "Commune"),
                    tr(lang, "Giống nhau ở", "Alike in"),
                    "",
                ],
                &rows,
                "candidates"
            ),
            tr(
                lang,
                "Nếu đã kiểm tra và đây là một trẻ em khác, xác nhận để lập hồ sơ mới; việc xác nhận được ghi vào hồ sơ mới.",
                "If you checked and this is another child, confirm to register a new record; the confirmation is recorded on it."
            ),
            tr(lang, "Xác nhận là trẻ em khác và đăng ký", "Confirm another child and register"),
        )
    };
    let body = format!(
        "<h1>{}</h1>{}{errors}\
         <form method=\"post\" action=\"/children/new\" class=\"card\" id=\"register-form\">\
         <input type=\"hidden\" name=\"form_key\" value=\"{}\"><div class=\"grid-form\">{inputs}</div>{found}\
         <div class=\"actions\"><button type=\"submit\" class=\"primary\" name=\"check\" value=\"1\">{}</button></div></form>",
        tr(lang, "Đăng ký trẻ em", "Register a child"),
        province_switch(lang, "/children/new", province, &[]),
        uuid::Uuid::new_v4(),
        tr(lang, "Kiểm tra và đăng ký", "Check and register"),
    );
    layout(
        &o.ctx,
        Some(&o.me),
        "/cases",
        tr(lang, "Đăng ký trẻ em", "Register a child"),
        &body,
    )
}

/// `GET /children/new[?province=P]`.
pub async fn new_page(o: Officer, Query(q): Query<HashMap<String, String>>) -> Response {
    let province = form_province(&o, opt(&q, "province").and_then(|p| p.parse().ok()));
    html(
        &o.ctx,
        StatusCode::OK,
        registration_page(&o, province, &Values::new(), None, &[]),
    )
}

/// `POST /children/new`: the API's `Registration`, checked for duplicates.
pub async fn register(
    State(state): State<AppState>,
    o: Officer,
    ctx: ReadContext,
    body: Bytes,
) -> Response {
    let values = parse_form(&body);
    let province = form_province(
        &o,
        fields::first(&values, "address.commune.province")
            .parse()
            .ok(),
    );
    let show = |status: StatusCode, failed: Option<&Said>, found: &[Likely]| {
        html(
            &o.ctx,
            status,
            registration_page(&o, province, &values, failed, found),
        )
    };
    let parsed = fields::to_json(None, REGISTRATION, &values)
        .map_err(|errors| {
            ApiError::Service(Error::Invalid {
                detail: String::new(),
                errors,
            })
        })
        .and_then(|json| {
            serde_json::to_vec(&json)
                .map_err(|e| ApiError::internal(e.to_string()))
                .and_then(|b| parse_json::<Registration>(&b))
        });
    let reg = match parsed {
        Ok(r) => r,
        Err(e) => return show(e.status(), Some(&say(o.ctx.lang, &e)), &[]),
    };
    let decision = if fields::first(&values, "confirm_new") == "1" {
        Decision::NewChild {
            distinct_from: values.get("distinct_from").cloned().unwrap_or_default(),
        }
    } else {
        Decision::Check
    };
    let key = values
        .get("form_key")
        .and_then(|v| v.first())
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .map(|k| format!("web-register:{k}"));
    let mut found: Vec<Likely> = Vec::new();
    let outcome = async {
        let fp =
            idempotency::fingerprint("web POST /children/new", &(&reg, &decision_key(&decision)))?;
        idempotency::once(&state.svc, &o.me, key.as_deref(), &fp, encode, || async {
            match duplicates::register(&state.svc, &o.me, &ctx, reg, decision).await? {
                Registered::Child(id) => {
                    idempotency::Answer::new(201, &serde_json::json!({ "child_id": id }))
                }
                Registered::Candidates(list) => {
                    found = list;
                    idempotency::Answer::new(200, &serde_json::json!({ "candidates": true }))
                }
            }
        })
        .await
    }
    .await;
    match outcome {
        Ok(Outcome::Fresh(Ok(a)) | Outcome::Replayed(a)) if a.status == 201 => {
            let id = a.body["child_id"].as_str().unwrap_or("").to_string();
            Redirect::to(&format!("/children/{}?done=1", esc(&id))).into_response()
        }
        Ok(Outcome::Fresh(Ok(_))) => show(StatusCode::OK, None, &found),
        Ok(Outcome::Replayed(a)) if a.status < 300 => Redirect::to("/children/new").into_response(),
        Ok(Outcome::Replayed(a)) => {
            let said = say_problem(o.ctx.lang, &a.body);
            let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            show(status, Some(&said), &[])
        }
        Ok(Outcome::Fresh(Err(e))) | Err(e) => {
            let e = ApiError::Service(e);
            if e.is_internal() {
                return error_page(&o, e);
            }
            show(e.status(), Some(&say(o.ctx.lang, &e)), &[])
        }
    }
}
