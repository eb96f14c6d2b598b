use super::*;

fn spec(k: CaseActionKind) -> &'static FormSpec {
    FORMS.iter().find(|s| s.kind == k).unwrap()
}

#[test]
fn forms_become_the_api_json() {
    let mut v = HashMap::new();
    v.insert(
        "objectives".to_string(),
        vec!["Trẻ an toàn\n\nĐi học lại".to_string()],
    );
    v.insert(
        "services.0.kind".to_string(),
        vec!["psychological".to_string()],
    );
    v.insert(
        "services.0.provider".to_string(),
        vec!["Trung tâm CTXH".to_string()],
    );
    v.insert("review_date".to_string(), vec!["01/04/2026".to_string()]);
    let j = action_json(spec(CaseActionKind::DraftPlan), &v).unwrap();
    assert_eq!(
        j,
        serde_json::json!({"type": "draft_plan", "objectives": ["Trẻ an toàn", "Đi học lại"],
            "services": [{"kind": "psychological", "provider": "Trung tâm CTXH"}], "review_date": "2026-04-01"})
    );
    let a: CaseAction = parse_json(&serde_json::to_vec(&j).unwrap()).unwrap();
    assert!(matches!(a, CaseAction::DraftPlan(_)));
    // A date as the browser's widget would send it is refused by name.
    v.insert("review_date".to_string(), vec!["April 1".to_string()]);
    let e = action_json(spec(CaseActionKind::DraftPlan), &v).unwrap_err();
    assert_eq!(say(Lang::Vi, &e).fields[0].0, "review_date");
    // A missing field is named by the API's own message.
    let j = action_json(spec(CaseActionKind::RecordFactCheck), &HashMap::new()).unwrap();
    let e = parse_json::<CaseAction>(&serde_json::to_vec(&j).unwrap()).unwrap_err();
    assert!(e.to_string().contains("confirmed"), "{e}");
    // A transfer names a commune of today's structure.
    let mut v = HashMap::new();
    for (k, x) in [
        ("to.structure", "2025"),
        ("to.province", "42"),
        ("to.commune", "18754"),
        ("reason", "Gia đình chuyển nơi ở"),
    ] {
        v.insert(k.to_string(), vec![x.to_string()]);
    }
    let j = action_json(spec(CaseActionKind::TransferCase), &v).unwrap();
    assert_eq!(
        j["to"],
        serde_json::json!({"structure": "2025", "province": 42, "commune": 18754})
    );
}

/// A sample value for a field, valid for the domain's types.
fn sample(field: &Field) -> Vec<String> {
    let one = |v: &str| vec![v.to_string()];
    match field.kind {
        Kind::Text | Kind::Area => one("Nội dung thử"),
        Kind::Lines => one("Dòng một\nDòng hai"),
        Kind::DateTime => one("02/03/2026 09:00"),
        Kind::Date => one("01/04/2026"),
        Kind::Int => one("1"),
        Kind::Bool => one("true"),
        Kind::Choice(codes) | Kind::Multi(codes) => one(codes()[0]),
        Kind::Pick { number: true, .. } => one("18754"),
        Kind::Pick { number: false, .. } => one("cb-1"),
        Kind::Hidden { number: true } => one("42"),
        Kind::Hidden { number: false } => one("2025"),
    }
}

#[test]
fn every_form_is_an_action_of_the_domain() {
    let mut seen = std::collections::HashSet::new();
    for spec in FORMS {
        assert!(seen.insert(spec.kind), "{:?} twice", spec.kind);
        let values: Values = spec
            .fields
            .iter()
            .map(|f| (f.name.to_string(), sample(f)))
            .collect();
        let json = action_json(spec, &values).unwrap();
        let action: CaseAction = parse_json(&serde_json::to_vec(&json).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e:?}", spec.tag()));
        // The form is the action it says, so its roles are the domain's.
        assert_eq!(action.kind(), spec.kind);
        assert_eq!(
            hoso_domain::case::decide::allowed_roles(&action),
            spec.kind.allowed_roles()
        );
        for f in spec.fields {
            if let Kind::Choice(codes) | Kind::Multi(codes) = f.kind {
                assert!(!codes().is_empty(), "{} offers no choice", f.name);
            }
        }
    }
    // Every step of a case has a form (intake opens a case on its own
    // page; an attachment is a file upload).
    for k in CaseActionKind::ALL {
        let own_page = matches!(
            k,
            CaseActionKind::RecordIntake | CaseActionKind::AddAttachment
        );
        assert_eq!(seen.contains(k), !own_page, "{k:?}");
    }
}
