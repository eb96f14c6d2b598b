//! The timeline section: every event as it stood at the chosen moment, with corrections and form links.

use super::*;

/// Every event up to the moment: when, who, in what role, what, and the form
/// it is printed on as it stood then.
pub(super) fn timeline_section(
    lang: Lang,
    case_id: &str,
    c: &CaseAsOf,
    names: &BTreeMap<String, String>,
) -> String {
    let who = |id: &str| match names.get(id).filter(|n| !n.is_empty()) {
        Some(n) => format!("{}<br><small class=\"muted\">{}</small>", esc(n), esc(id)),
        None => esc(id),
    };
    let mut folded = Case::default();
    let rows: Vec<Vec<String>> = c
        .timeline
        .iter()
        .map(|e| {
            let m = e.meta.as_ref();
            if let Ok(ev) = serde_json::from_str::<hoso_domain::case::CaseEvent>(&e.payload) {
                cqrs_es::Aggregate::apply(&mut folded, ev);
            }
            let links: String = forms_of_event(&e.event_type, &folded)
                .into_iter()
                .map(|k| form_link(lang, case_id, k, m.map(|m| m.recorded_at)))
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                e.sequence.to_string(),
                format!(
                    "{}<br><small class=\"muted\">{} {}</small>",
                    esc(&e.at.map(|t| when(t, lang)).unwrap_or_default()),
                    esc(&label(lang, "h.recorded")),
                    esc(&m.map(|m| when(m.recorded_at, lang)).unwrap_or_default())
                ),
                m.map(|m| who(&m.actor_id)).unwrap_or_default(),
                esc(&m.map(|m| label(lang, &m.role)).unwrap_or_default()),
                format!(
                    "<b>{}</b><div class=\"sum\">{}</div>{}",
                    esc(&label(lang, &e.event_type)),
                    summary(lang, &e.payload),
                    if links.is_empty() {
                        String::new()
                    } else {
                        format!("<div class=\"links\">{links}</div>")
                    }
                ),
            ]
        })
        .collect();
    let headers = ["h.seq", "h.when", "h.who", "h.role", "h.what"].map(|h| label(lang, h));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let later = if c.later_events > 0 {
        format!(
            "<p class=\"notice\">{} {}</p>",
            c.later_events,
            esc(&label(lang, "w.later"))
        )
    } else {
        String::new()
    };
    format!(
        "<section class=\"card\" id=\"timeline\"><h2>{} <small class=\"muted\">({} {})</small></h2>{}{later}</section>",
        esc(&label(lang, "w.timeline")),
        c.timeline.len(),
        tr(lang, "sự kiện", "events"),
        table(&hdr, &rows, "timeline"),
    )
}
