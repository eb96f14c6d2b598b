//! What `hoso stats`, `hoso case show` and `hoso officer history` print:
//! readable tables, in Vietnamese or English. Each first brings the projection
//! it reads up to date with the store.

use chrono::{DateTime, Utc};
use hoso_domain::case::DeadlineKind;
use hoso_domain::places;
use hoso_ledger::Ledger;
use hoso_projections::case_view::enum_text;
use hoso_projections::history::case_as_of;
use hoso_projections::read::{self, StatsQuery};
use hoso_projections::{Projection, ProjectionError};
use hoso_service::refresh;

use hoso_api::labels::{label, province_name, table, when as local, when_text, Lang};

/// `commune:42:18070` → `Xã …, Hà Tĩnh`; `province:42` → `Hà Tĩnh`.
fn unit_label(code: &str, lang: Lang) -> String {
    use hoso_domain::common::{CommuneRef, Unit};
    match Unit::parse_code(code) {
        Some(Unit::Commune { province, commune }) => {
            places::label(&CommuneRef::current(province, commune))
        }
        Some(Unit::Province { province }) => province_name(province.into()),
        Some(Unit::National) => match lang {
            Lang::Vi => "Trung ương".to_string(),
            Lang::En => "National".to_string(),
        },
        None => code.to_string(),
    }
}

pub async fn stats(ledger: &Ledger, q: &StatsQuery, lang: Lang) -> Result<String, ProjectionError> {
    refresh(ledger, Projection::Statistics).await?;
    let rows = read::statistics(ledger.db(), q).await?;
    let headers: Vec<String> = ["h.metric", "h.key", "h.province", "h.period", "h.count"]
        .iter()
        .map(|h| label(lang, h))
        .collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let place = match (r.commune, &r.structure) {
                (Some(c), Some(s)) => {
                    let structure = if s == "pre2025" {
                        hoso_domain::common::Structure::Pre2025
                    } else {
                        hoso_domain::common::Structure::Y2025
                    };
                    places::directory(structure)
                        .commune_ref(c as u32)
                        .map(|r| places::label(&r))
                        .unwrap_or_else(|| c.to_string())
                }
                _ => province_name(r.province),
            };
            vec![
                label(lang, &r.metric),
                if r.key.is_empty() {
                    String::new()
                } else {
                    label(lang, &r.key)
                },
                place,
                r.period.clone(),
                r.count.to_string(),
            ]
        })
        .collect();
    if body.is_empty() {
        return Ok(label(lang, "w.none"));
    }
    Ok(table(&headers, &body))
}

pub async fn case_show(
    ledger: &Ledger,
    case_id: &str,
    as_of: Option<DateTime<Utc>>,
    lang: Lang,
) -> Result<Option<String>, ProjectionError> {
    let Some(c) = case_as_of(ledger, case_id, as_of).await? else {
        return Ok(None);
    };
    let s = &c.state;
    let now = as_of.unwrap_or_else(Utc::now);
    let mut out = String::new();
    let when = as_of
        .map(|t| local(t, lang))
        .unwrap_or_else(|| label(lang, "w.now"));
    out.push_str(&format!(
        "{} {case_id} — {} {when}\n",
        label(lang, "h.case"),
        label(lang, "w.as_of")
    ));
    let field = |out: &mut String, k: &str, v: String| {
        out.push_str(&format!("  {:<28} {v}\n", label(lang, k)))
    };
    field(&mut out, "h.status", label(lang, s.status.as_str()));
    field(&mut out, "h.child", s.child_id.clone().unwrap_or_default());
    field(
        &mut out,
        "h.place",
        s.commune.map(|r| places::label(&r)).unwrap_or_default(),
    );
    field(
        &mut out,
        "h.harm",
        s.harm_types
            .iter()
            .map(|h| label(lang, &enum_text(h)))
            .collect::<Vec<_>>()
            .join(", "),
    );
    field(
        &mut out,
        "h.risk",
        s.overall_risk
            .map(|r| label(lang, &enum_text(&r)))
            .unwrap_or_default(),
    );
    field(
        &mut out,
        "h.worker",
        s.responsible_worker.clone().unwrap_or_default(),
    );
    field(
        &mut out,
        "w.opened",
        s.received_at.map(|t| local(t, lang)).unwrap_or_default(),
    );
    if let Some(t) = s.closed_at {
        field(&mut out, "w.closed", local(t, lang));
    }
    if let Some(d) = s.deadlines {
        let missed = s.missed_deadlines(now);
        out.push_str(&format!("  {}\n", label(lang, "w.deadlines")));
        for (k, name, due) in [
            (DeadlineKind::Emergency, "emergency", d.emergency),
            (DeadlineKind::Plan, "plan", d.plan),
            (DeadlineKind::Approval, "approval", d.approval),
        ] {
            let done = s
                .deadline_done_at(k)
                .map(|t| format!(" ✓ {}", local(t, lang)))
                .unwrap_or_default();
            let flag = if missed.contains(&k) {
                format!("  ⚠ {}", label(lang, "w.missed"))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "    {:<34} {}{done}{flag}\n",
                label(lang, name),
                local(due, lang)
            ));
        }
    }
    out.push_str(&format!("\n{}\n", label(lang, "w.timeline")));
    let headers: Vec<String> = ["h.seq", "h.when", "h.recorded", "h.who", "h.role", "h.what"]
        .iter()
        .map(|h| label(lang, h))
        .collect();
    let rows: Vec<Vec<String>> = c
        .timeline
        .iter()
        .map(|e| {
            vec![
                e.sequence.to_string(),
                e.at.map(|t| local(t, lang)).unwrap_or_default(),
                e.meta
                    .as_ref()
                    .map(|m| local(m.recorded_at, lang))
                    .unwrap_or_default(),
                e.meta
                    .as_ref()
                    .map(|m| m.actor_id.clone())
                    .unwrap_or_default(),
                e.meta
                    .as_ref()
                    .map(|m| label(lang, &m.role))
                    .unwrap_or_default(),
                label(lang, &e.event_type),
            ]
        })
        .collect();
    out.push_str(&table(&headers, &rows));
    if c.later_events > 0 {
        out.push_str(&format!(
            "({} {})\n",
            c.later_events,
            label(lang, "w.later")
        ));
    }
    Ok(Some(out))
}

pub async fn officer_history(
    ledger: &Ledger,
    officer_id: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    lang: Lang,
) -> Result<Option<String>, ProjectionError> {
    refresh(ledger, Projection::OfficerHistory).await?;
    let Some(h) = read::officer_history(ledger.db(), officer_id, from, to, None).await? else {
        return Ok(None);
    };
    let mut out = format!(
        "{} — {} ({})\n",
        h.officer_id,
        h.full_name.clone().unwrap_or_default(),
        h.role
            .as_deref()
            .map(|r| label(lang, r))
            .unwrap_or_default()
    );
    let line = |out: &mut String, k: &str, v: String| {
        out.push_str(&format!("  {:<28} {v}\n", label(lang, k)))
    };
    line(
        &mut out,
        "h.place",
        h.unit
            .as_deref()
            .map(|u| unit_label(u, lang))
            .unwrap_or_default(),
    );
    line(&mut out, "w.cases_handled", h.cases_handled.to_string());
    line(&mut out, "w.deadlines_met", h.deadlines_met.to_string());
    line(
        &mut out,
        "w.deadlines_missed",
        h.deadlines_missed.to_string(),
    );
    let trainings = h
        .state
        .get("trainings")
        .and_then(|t| t.as_array())
        .cloned()
        .unwrap_or_default();
    out.push_str(&format!("  {}\n", label(lang, "w.trainings")));
    if trainings.is_empty() {
        out.push_str(&format!("    {}\n", label(lang, "w.none")));
    }
    for t in trainings {
        let topics = t
            .get("topics")
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "    {} — {}: {topics}\n",
            t.get("date").and_then(|d| d.as_str()).unwrap_or_default(),
            t.get("organiser")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "\n{} ({})\n",
        label(lang, "w.actions"),
        h.events.len()
    ));
    let headers: Vec<String> = ["h.recorded", "h.role", "h.record", "h.seq", "h.what"]
        .iter()
        .map(|k| label(lang, k))
        .collect();
    let rows: Vec<Vec<String>> = h
        .events
        .iter()
        .map(|e| {
            vec![
                when_text(Some(&e.recorded_at), lang),
                label(lang, &e.role),
                format!("{} {}", e.aggregate_type, e.aggregate_id),
                e.sequence.to_string(),
                label(lang, &e.event_type),
            ]
        })
        .collect();
    out.push_str(&table(&headers, &rows));
    Ok(Some(out))
}
