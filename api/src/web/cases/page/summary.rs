//! One line of summary per recorded event, as the timeline shows it.

use super::*;

/// A field's name without the hints of the form ("(mỗi dòng một người)", "?").
pub(super) fn plain_label(lang: Lang, name: &str) -> String {
    let l = field_label(lang, name);
    let l = l.split(" (").next().unwrap_or(&l).to_string();
    l.trim_end_matches('?').to_string()
}

/// A short account of an event's data: its plain fields, labelled.
pub(super) fn summary(lang: Lang, payload: &str) -> String {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(payload) else {
        return String::new();
    };
    let mut parts = Vec::new();
    // A time or a date as people write them; a code in words.
    let word = |s: &str| -> String {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return when(t.with_timezone(&Utc), lang);
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return inputs::date_text(d);
        }
        label(lang, s)
    };
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(word(s)),
            Value::Bool(b) => Some(label(lang, if *b { "w.yes" } else { "w.no" })),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(a) => {
                let items: Vec<String> = a
                    .iter()
                    .filter_map(|x| match x {
                        Value::String(s) => Some(word(s)),
                        Value::Object(o) => o
                            .get("kind")
                            .and_then(Value::as_str)
                            .map(|k| label(lang, k)),
                        _ => None,
                    })
                    .collect();
                (!items.is_empty()).then(|| items.join(", "))
            }
            _ => None,
        }
    };
    for (k, v) in &map {
        if matches!(
            k.as_str(),
            "type" | "at" | "child_id" | "date_of_birth" | "commune" | "deadlines" | "received_at"
        ) {
            continue;
        }
        // A commune (transfer, intake): its name.
        if let Ok(c) = serde_json::from_value::<hoso_domain::common::CommuneRef>(v.clone()) {
            let name = match k.as_str() {
                "from" => tr(lang, "Từ xã, phường", "From commune").to_string(),
                _ => field_label(lang, k),
            };
            parts.push(format!(
                "<span class=\"kv\"><i>{}:</i> {}</span>",
                esc(&name),
                esc(&places::label(&c))
            ));
            continue;
        }
        // A reassignment: the officers before and after.
        if let (Value::String(who), "from" | "to") = (v, k.as_str()) {
            let name = if k == "from" {
                tr(lang, "Cán bộ trước", "Previous worker")
            } else {
                tr(lang, "Cán bộ mới", "New worker")
            };
            parts.push(format!(
                "<span class=\"kv\"><i>{}:</i> {}</span>",
                esc(name),
                esc(who)
            ));
            continue;
        }
        if let Value::Object(inner) = v {
            for (k2, v2) in inner {
                if let Some(t) = text(v2) {
                    parts.push(format!(
                        "<span class=\"kv\"><i>{}:</i> {}</span>",
                        esc(&plain_label(lang, k2)),
                        esc(&clip(&t))
                    ));
                }
            }
            continue;
        }
        if let Some(t) = text(v) {
            if !t.is_empty() {
                parts.push(format!(
                    "<span class=\"kv\"><i>{}:</i> {}</span>",
                    esc(&plain_label(lang, k)),
                    esc(&clip(&t))
                ));
            }
        }
    }
    parts.join(" ")
}

pub(super) fn clip(s: &str) -> String {
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s.to_string()
    }
}
