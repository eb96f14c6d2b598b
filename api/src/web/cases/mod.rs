//! The case list (manager filters of SPEC.md) and one case's page: the child,
//! the state, the legal deadlines, the whole timeline as it stood at any moment
//! (the as-of picker), and forms for the steps the officer's role may record.

mod forms;
mod list;
mod page;

pub use forms::act;
pub(crate) use forms::refused;
pub use list::{list, xlsx as list_xlsx};
pub use page::page;

use std::collections::HashMap;

use hoso_domain::child::CircumstanceGroup;
use hoso_domain::places;
use hoso_projections::read::CaseRow;

use super::html::{esc, when_text};
use super::tr;
use crate::labels::{label, Lang};

/// What is shown for personal data that was erased.
pub fn erased(lang: Lang) -> &'static str {
    tr(lang, "[đã xoá]", "[erased]")
}

/// The label of a special-circumstance group: `a · Trẻ em mồ côi…`.
pub fn group_label(lang: Lang, code: &str) -> String {
    match CircumstanceGroup::parse(code) {
        Some(g) => {
            let name = match lang {
                Lang::Vi => g.label_vi(),
                Lang::En => g.label_en(),
            };
            match g.legal_letter() {
                Some(l) => format!("{l} · {name}"),
                None => name.to_string(),
            }
        }
        None => code.to_string(),
    }
}

/// A commune's name (today's or a pre-2025 one), or its code.
pub fn commune_name(
    province: Option<i64>,
    commune: Option<i64>,
    structure: Option<&str>,
) -> String {
    let (Some(p), Some(c)) = (province, commune) else {
        return String::new();
    };
    if structure == Some("2025") {
        if let (Ok(p), Ok(c)) = (u32::try_from(p), u32::try_from(c)) {
            if let Some(w) = places::current()
                .province(p)
                .and_then(|pr| pr.wards.iter().find(|w| w.code == c))
            {
                return w.name.clone();
            }
        }
    }
    format!("{c}")
}

pub(crate) fn opt(q: &HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub(super) fn status_badge(lang: Lang, status: &str) -> String {
    format!(
        "<span class=\"badge st-{}\">{}</span>",
        esc(status),
        esc(&label(lang, status))
    )
}

pub fn risk_badge(lang: Lang, risk: Option<&str>) -> String {
    match risk {
        Some(r) => format!(
            "<span class=\"badge risk-{}\">{}</span>",
            esc(r),
            esc(&label(lang, r))
        ),
        None => "<span class=\"muted\">—</span>".into(),
    }
}

/// Rows of the case table.
pub fn case_rows(lang: Lang, items: &[CaseRow]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|r| {
            let overdue = if r.overdue {
                format!(
                    "<span class=\"badge late\">⚠ {}</span>",
                    tr(lang, "Quá hạn", "Overdue")
                )
            } else {
                String::new()
            };
            let next = match (&r.next_deadline_kind, &r.next_deadline_at) {
                (Some(k), Some(t)) => format!(
                    "{}<br><small>{}</small>",
                    esc(&label(lang, k)),
                    esc(&when_text(Some(t), lang))
                ),
                _ => "<span class=\"muted\">—</span>".into(),
            };
            vec![
                format!("<a href=\"/cases/{0}\">{0}</a>", esc(&r.case_id)),
                if r.child_erased {
                    format!("<span class=\"muted\">{}</span>", erased(lang))
                } else {
                    esc(r.child_name.as_deref().unwrap_or(""))
                },
                esc(&commune_name(r.province, r.commune, r.structure.as_deref())),
                status_badge(lang, &r.status),
                risk_badge(lang, r.overall_risk.as_deref()),
                esc(&r
                    .harm_types
                    .iter()
                    .map(|h| label(lang, h))
                    .collect::<Vec<_>>()
                    .join(", ")),
                esc(r.responsible_worker.as_deref().unwrap_or("")),
                format!("{next} {overdue}"),
            ]
        })
        .collect()
}

pub fn case_headers(lang: Lang) -> Vec<String> {
    [
        "h.case", "h.child", "h.place", "h.status", "h.risk", "h.harm", "h.worker", "h.next",
    ]
    .iter()
    .map(|h| label(lang, h))
    .collect()
}
