//! Child registration and the duplicate-child warnings over HTTP.

use super::*;

// ---------------------------------------------------------------------------
// Duplicate children

pub(crate) fn registration_form<'a>(
    name: &'a str,
    dob: &'a str,
    commune: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("full_name", name),
        ("date_of_birth", dob),
        ("sex", "male"),
        ("ethnicity", "Kinh"),
        ("address.commune.structure", "2025"),
        ("address.commune.province", "42"),
        ("address.commune.commune", commune),
        ("address.detail", "Thôn Đông Hà"),
        ("household_status", "normal"),
    ]
}

both_backends!(
    duplicate_children_are_shown_and_decided,
    |db: TestDb| async move {
        let site = spawn(&db, false).await;
        let origin = site.root.clone();
        let c = commune().to_string();
        let worker = site.sign_in("cb-1").await;
        // A first child: no candidate, registered at once.
        let (s, page, to) = site
            .post(
                &worker,
                "/children/new",
                &registration_form("Nguyễn Văn Ánh", "01/05/2016", &c),
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let first = to.unwrap();
        let first = first
            .trim_start_matches("/children/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        // The same child typed without diacritics, two days off: shown first.
        let (s, page, _) = site
            .post(
                &worker,
                "/children/new",
                &registration_form("Nguyen Van Anh", "03/05/2016", &c),
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("id=\"candidates\""), "{page}");
        assert!(page.contains(&first), "{page}");
        assert!(page.contains("cùng họ tên khi bỏ dấu"), "{page}");
        assert!(
            page.contains(&format!("/cases/new?child={first}")),
            "use it instead"
        );
        assert_vietnamese(&page, "the candidates");
        assert_eq!(
            site.ledger
                .events_of("Child", &first, 0)
                .await
                .unwrap()
                .len(),
            1
        );
        // The officer checked: another child. The decision is an event of the new record.
        let mut form = registration_form("Nguyen Van Anh", "03/05/2016", &c);
        form.push(("confirm_new", "1"));
        form.push(("distinct_from", &first));
        let (s, page, to) = site.post(&worker, "/children/new", &form, &origin).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let second = to
            .unwrap()
            .trim_start_matches("/children/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let events = site.ledger.events_of("Child", &second, 0).await.unwrap();
        assert_eq!(
            events
                .iter()
                .map(|e| e.event_type.as_str())
                .collect::<Vec<_>>(),
            ["ChildRegistered", "ConfirmedDistinct"]
        );
        assert!(events[1].payload.contains(&first));
        // The API asks the same: 409 with the candidates, nothing recorded.
        let token = site.token("cb-1").await;
        let same = json!({
            "full_name": "Nguyễn Văn Ánh", "date_of_birth": "2016-05-01", "sex": "male", "ethnicity": "Kinh",
            "address": {"commune": {"structure": "2025", "province": 42, "commune": commune()}, "detail": ""},
        });
        let r = site
            .http
            .post(format!("{}/api/v1/children", site.root))
            .bearer_auth(&token)
            .json(&same)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: Value = r.json().await.unwrap();
        let shown: Vec<&str> = problem["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["child_id"].as_str().unwrap())
            .collect();
        assert!(
            shown.contains(&first.as_str()) && shown.contains(&second.as_str()),
            "{problem}"
        );
        // Naming only one of them is not enough.
        let r = site
            .http
            .post(format!(
                "{}/api/v1/children?distinct_from={first}",
                site.root
            ))
            .bearer_auth(&token)
            .json(&same)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        // An officer of another commune of the province is shown no record it
        // may not read (no name, no count): nothing outside its sight leaks.
        let other = site.token("cb-9").await;
        let elsewhere = json!({
            "full_name": "Nguyễn Văn Ánh", "date_of_birth": "2016-05-01", "sex": "male", "ethnicity": "Kinh",
            "address": {"commune": {"structure": "2025", "province": 42, "commune": other_commune()}, "detail": ""},
        });
        let found: Value = site
            .http
            .post(format!("{}/api/v1/children/candidates", site.root))
            .bearer_auth(&other)
            .json(&elsewhere)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["candidates"], json!([]), "{found}");
        // So it registers a third record of the same child, and the provincial
        // manager's report shows it beside the first.
        let r = site
            .http
            .post(format!("{}/api/v1/children", site.root))
            .bearer_auth(&other)
            .json(&elsewhere)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let third = r.json::<Value>().await.unwrap()["child_id"]
            .as_str()
            .unwrap()
            .to_string();
        let manager_token = site.token("so-42").await;
        let report: Value = site
            .http
            .get(format!("{}/api/v1/children/duplicates", site.root))
            .bearer_auth(&manager_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let pairs = report["pairs"].as_array().unwrap();
        let ids = |p: &Value| {
            let mut v = [
                p["first"]["child_id"].as_str().unwrap().to_string(),
                p["second"]["child_id"].as_str().unwrap().to_string(),
            ];
            v.sort();
            v
        };
        let mut want = [first.clone(), third.clone()];
        want.sort();
        assert!(pairs.iter().any(|p| ids(p) == want), "{report}");
        // The pair already decided is not in the report.
        let mut decided = [first.clone(), second.clone()];
        decided.sort();
        assert!(!pairs.iter().any(|p| ids(p) == decided), "{report}");
        // Commune staff do not get the report.
        let r = site
            .http
            .get(format!("{}/api/v1/children/duplicates", site.root))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // The manager decides on the page: the same child, the first record kept.
        let manager = site.sign_in("so-42").await;
        let (s, page) = site.get(&manager, "/children/duplicates").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains(&third), "{page}");
        assert_vietnamese(&page, "the report");
        let (a, b) = if pairs[0]["first"]["child_id"] == first.as_str() {
            (first.clone(), third.clone())
        } else {
            (third.clone(), first.clone())
        };
        let (s, page, _) = site
            .post(
                &manager,
                "/children/duplicates",
                &[
                    ("first", a.as_str()),
                    ("second", b.as_str()),
                    ("reason", "Cùng cha mẹ, cùng địa chỉ"),
                    ("decision", "duplicate"),
                ],
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let events = site.ledger.events_of("Child", &b, 0).await.unwrap();
        assert_eq!(events.last().unwrap().event_type, "MarkedDuplicate");
        let (_, page) = site.get(&manager, "/children/duplicates").await;
        assert!(
            !page.contains(&format!("value=\"{b}\"")),
            "decided: gone from the report"
        );
        // A record compared with itself is refused in words.
        let (s, page, _) = site
            .post(
                &manager,
                "/children/duplicates",
                &[
                    ("first", a.as_str()),
                    ("second", a.as_str()),
                    ("decision", "distinct"),
                ],
                &origin,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(
            page.contains("Không thể so sánh một hồ sơ với chính nó"),
            "{page}"
        );
        db.drop_db().await;
    }
);
