//! Every page for every role is Vietnamese: no English word outside a short allow-list.

use super::*;

// ---------------------------------------------------------------------------
// Vietnamese everywhere

/// English words that never occur in a Vietnamese sentence of the pages.
pub(crate) const ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "is",
    "are",
    "not",
    "may",
    "must",
    "with",
    "for",
    "from",
    "this",
    "that",
    "by",
    "be",
    "has",
    "was",
    "case",
    "child",
    "record",
    "show",
    "filter",
    "back",
    "next",
    "previous",
    "sign",
    "export",
    "download",
    "page",
    "none",
    "open",
    "closed",
    "yes",
    "error",
    "found",
    "missing",
    "field",
    "invalid",
    "unknown",
    "step",
    "plan",
    "review",
    "worker",
    "officer",
    "risk",
    "date",
    "time",
    "name",
    "commune",
    "province",
    "submit",
    "choose",
    "all",
    "new",
    "register",
    "intake",
    "attach",
    "file",
    "upload",
    "statistics",
    "dashboard",
    "overdue",
    "deadline",
    "total",
    "required",
    "type",
    "value",
    "expected",
    "string",
    "integer",
    "boolean",
    "variant",
    "should",
    "cannot",
    "already",
    "only",
];

/// `html` without its `<tag …>…</tag>` blocks.
pub(crate) fn strip_blocks(html: &str, tag: &str) -> String {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = String::new();
    let mut r = html;
    while let Some(i) = r.find(&open) {
        out.push_str(&r[..i]);
        match r[i..].find(&close) {
            Some(j) => r = &r[i + j + close.len()..],
            None => return out,
        }
    }
    out.push_str(r);
    out
}

/// The text a person reads on a page: no tags, no machine text (`<pre>`,
/// styles), no paths and file names.
pub(crate) fn visible_words(html: &str) -> Vec<String> {
    visible_text(html)
        .split_whitespace()
        // Paths, addresses and machine text (digests, ids: letters with digits).
        .filter(|t| !t.contains('/') && !t.chars().any(|c| c.is_ascii_digit()))
        .flat_map(|t| {
            t.split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .map(|w| w.to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The page's text without tags and machine text, spaces kept.
pub(crate) fn visible_text(html: &str) -> String {
    let mut rest = html.to_string();
    for tag in ["pre", "style", "script"] {
        rest = strip_blocks(&rest, tag);
    }
    let mut plain = String::new();
    let mut in_tag = false;
    for c in rest.chars() {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

pub(crate) fn assert_vietnamese(html: &str, what: &str) {
    assert!(
        html.contains("<html lang=\"vi\">"),
        "{what}: not a Vietnamese page"
    );
    let english: Vec<String> = visible_words(html)
        .into_iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .collect();
    let text = visible_text(html);
    let around: Vec<String> = english
        .iter()
        .filter_map(|w| {
            let at = text
                .find(&format!(" {w} "))
                .or_else(|| text.find(w.as_str()))?;
            let from = text.floor_char_boundary(at.saturating_sub(80));
            let to = text.ceil_char_boundary((at + 80).min(text.len()));
            Some(text[from..to].to_string())
        })
        .collect();
    assert!(
        english.is_empty(),
        "{what}: English words {english:?} on a Vietnamese page, in {around:?}"
    );
}

/// Every page, as each role, in Vietnamese: the pages of a case at each step
/// of the demo, the forms, error pages, refusals with the API's messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn every_page_is_vietnamese_for_every_role() {
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    let site = spawn(&db, true).await;
    let token = site.token("cb-1").await;
    let id = site.open_case(&token).await;
    let child = child_of(&site, &token, &id).await;
    let origin = site.root.clone();
    let worker = site.sign_in("cb-1").await;
    // A case that went through every form, and a refusal to show.
    let steps: &[&[(&str, &str)]] = &[
        &[
            ("type", "record_fact_check"),
            ("confirmed", "true"),
            ("findings", "Đã xác minh tại nhà."),
        ],
        &[
            ("type", "assess_initial_risk"),
            ("factors.severity_of_harm", "high"),
            ("factors.abuser_access", "medium"),
            ("factors.care_environment_obstacles", "medium"),
            ("factors.child_capacity", "low"),
            ("overall", "medium"),
            ("emergency_needed", "false"),
            ("protection_level", "support"),
        ],
        &[
            ("type", "assess_specific_risk"),
            ("factors.severity_of_harm", "medium"),
            ("factors.abuser_access", "medium"),
            ("factors.care_environment_obstacles", "low"),
            ("factors.child_capacity", "low"),
            ("overall", "medium"),
            ("protection_level", "support"),
            ("needs", "Hỗ trợ tâm lý\nĐi học đều"),
            ("minutes.held_at", &past(2)),
            ("minutes.participants", "Nguyễn Thị Hạnh\nMẹ của trẻ"),
            ("minutes.summary", "Thống nhất các nhu cầu hỗ trợ."),
        ],
        &[
            ("type", "draft_plan"),
            ("objectives", "Trẻ an toàn tại gia đình"),
            ("services.0.kind", "psychological"),
            ("services.0.provider", "Trung tâm Công tác xã hội tỉnh"),
            ("review_date", &in_days(30)),
        ],
    ];
    for form in steps {
        let (s, page, _) = site
            .post(&worker, &format!("/cases/{id}/act"), form, &origin)
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    }
    let (s, refused, _) = site
        .post(
            &worker,
            &format!("/cases/{id}/act"),
            &[("type", "record_review"), ("outcome", "safe_and_stable")],
            &origin,
        )
        .await;
    assert!(s.is_client_error(), "{s}");
    assert_vietnamese(&refused, "a refused review");
    let (s, bad_date, _) = site
        .post(
            &worker,
            &format!("/cases/{id}/act"),
            &[
                ("type", "draft_plan"),
                ("objectives", "x"),
                ("review_date", "2026-13-45"),
            ],
            &origin,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_date.contains("ngày/tháng/năm"), "{bad_date}");
    assert_vietnamese(&bad_date, "a date typed wrongly");

    let pages = [
        "/".to_string(),
        "/cases".into(),
        "/cases?overdue=1&status=received".into(),
        "/cases/new".into(),
        format!("/cases/new?child={child}"),
        "/children/new".into(),
        "/children/new?province=40".into(),
        format!("/children/{child}"),
        "/children/duplicates".into(),
        format!("/cases/{id}"),
        format!("/cases/{id}?as_of=01/01/2020%2000:00"),
        format!("/cases/{id}?as_of=gibberish"),
        format!("/cases/{id}/forms/mau-01"),
        format!("/cases/{id}/forms/mau-04"),
        format!("/cases/{id}/forms/mau-06"),
        format!("/cases/{id}/forms/mau-99"),
        format!("/cases/{id}/attachments/{}", "0".repeat(64)),
        "/stats".into(),
        "/stats?from=01/2026&to=06/2026".into(),
        "/officer".into(),
        "/officer?id=cb-1&from=01/01/2026&to=31/12/2026".into(),
        "/officer?id=nobody".into(),
        "/integrity".into(),
        "/tai-khoan".into(),
        "/tai-khoan?system=tong-dai".into(),
        "/no-such-page".into(),
        "/cases/HS-2026-00000000".into(),
    ];
    let (_, login) = site.get("", "/login").await;
    assert_vietnamese(&login, "/login");
    let (_, activation) = site.get("", "/kich-hoat").await;
    assert_vietnamese(&activation, "/kich-hoat");
    // The check finds English where there is some.
    let (_, english) = site
        .get(&format!("{worker}; hoso_lang=en"), &format!("/cases/{id}"))
        .await;
    let found: Vec<String> = visible_words(&english)
        .into_iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .collect();
    assert!(
        found.len() > 10,
        "the English page has English words: {found:?}"
    );
    let mut seen = 0;
    for who in [
        "ctv-1", "cb-1", "ct-1", "h-111", "so-42", "tt-42", "admin-1", "cb-9",
    ] {
        let cookie = site.sign_in(who).await;
        for p in &pages {
            let (status, page) = site.get(&cookie, p).await;
            assert!(!status.is_server_error(), "{who} {p}: {status}");
            assert_vietnamese(&page, &format!("{who} {p} ({status})"));
            seen += 1;
        }
    }
    assert!(seen > 150, "{seen} pages checked");
    db.drop_db().await;
}

pub(crate) fn past(minutes: i64) -> String {
    (Utc::now() - Span::minutes(minutes))
        .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

pub(crate) fn in_days(days: i64) -> String {
    (Utc::now() + Span::days(days))
        .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%d/%m/%Y")
        .to_string()
}

pub(crate) async fn child_of(site: &Site, token: &str, case: &str) -> String {
    let v: Value = site
        .http
        .get(format!("{}/api/v1/cases/{case}", site.root))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["state"]["child_id"].as_str().unwrap().to_string()
}
