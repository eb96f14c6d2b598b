//! The library-level read API over the projections: case list with filters and
//! paging, one case's view, statistics, officer histories.

use chrono::{DateTime, Utc};
use hoso_ledger::Db;

use crate::error::ProjectionError;
use crate::sql::{rows, ts, Val};

/// Manager filters (SPEC.md): place, status, risk, harm type, group, overdue.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Today's province code (old records are rolled up).
    pub province: Option<u32>,
    pub commune: Option<u32>,
    pub status: Option<String>,
    pub risk: Option<String>,
    pub harm_type: Option<String>,
    /// Special-circumstance group code of the child (`a`…`o`, `dd`, `at_risk`, …).
    pub group: Option<String>,
    pub worker: Option<String>,
    /// Only cases with a missed legal deadline as of `now`.
    pub overdue: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One row of the case list.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub case_id: String,
    pub child_id: Option<String>,
    pub child_name: Option<String>,
    pub province: Option<i64>,
    pub commune: Option<i64>,
    pub structure: Option<String>,
    pub status: String,
    pub protection_level: Option<String>,
    pub overall_risk: Option<String>,
    pub harm_types: Vec<String>,
    pub source: Option<String>,
    pub responsible_worker: Option<String>,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    pub next_deadline_kind: Option<String>,
    pub next_deadline_at: Option<String>,
    /// A legal deadline was missed (done late, or passed undone as of `now`).
    pub overdue: bool,
    pub last_event_type: String,
    pub last_event_at: Option<String>,
    pub last_actor: Option<String>,
    pub events: i64,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub total: i64,
    pub items: Vec<T>,
}

const CASE_SELECT: &str = "SELECT c.case_id, c.child_id, ch.full_name, c.province, c.commune, c.structure, c.status, \
     c.protection_level, c.overall_risk, c.harm_types, c.source, c.responsible_worker, c.opened_at, c.closed_at, \
     c.next_deadline_kind, c.next_deadline_at, \
     CAST(CASE WHEN c.missed_done = 1 OR c.pending_due_at < ? THEN 1 ELSE 0 END AS BIGINT), \
     c.last_event_type, c.last_event_at, c.last_actor, c.events \
     FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id";

fn opt_text(v: &Val) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn case_row(r: &[Val]) -> CaseRow {
    CaseRow {
        case_id: r[0].text(),
        child_id: opt_text(&r[1]),
        child_name: opt_text(&r[2]),
        province: r[3].as_i64(),
        commune: r[4].as_i64(),
        structure: opt_text(&r[5]),
        status: r[6].text(),
        protection_level: opt_text(&r[7]),
        overall_risk: opt_text(&r[8]),
        harm_types: r[9]
            .text()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        source: opt_text(&r[10]),
        responsible_worker: opt_text(&r[11]),
        opened_at: opt_text(&r[12]),
        closed_at: opt_text(&r[13]),
        next_deadline_kind: opt_text(&r[14]),
        next_deadline_at: opt_text(&r[15]),
        overdue: r[16].as_i64() == Some(1),
        last_event_type: r[17].text(),
        last_event_at: opt_text(&r[18]),
        last_actor: opt_text(&r[19]),
        events: r[20].as_i64().unwrap_or(0),
    }
}

/// Cases matching the filter, overdue first, then by next deadline.
pub async fn list_cases(
    db: &Db,
    f: &CaseFilter,
    now: DateTime<Utc>,
) -> Result<Page<CaseRow>, ProjectionError> {
    let now = Val::Text(ts(now));
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(p) = f.province {
        clauses.push("c.province = ?");
        params.push(Val::from(p));
    }
    if let Some(c) = f.commune {
        clauses.push("c.commune = ?");
        params.push(Val::from(c));
    }
    if let Some(s) = &f.status {
        clauses.push("c.status = ?");
        params.push(Val::from(s.as_str()));
    }
    if let Some(r) = &f.risk {
        clauses.push("c.overall_risk = ?");
        params.push(Val::from(r.as_str()));
    }
    if let Some(h) = &f.harm_type {
        clauses.push("c.harm_types LIKE ?");
        params.push(Val::Text(format!("%,{h},%")));
    }
    if let Some(g) = &f.group {
        clauses.push("ch.groups LIKE ?");
        params.push(Val::Text(format!("%,{g},%")));
    }
    if let Some(w) = &f.worker {
        clauses.push("c.responsible_worker = ?");
        params.push(Val::from(w.as_str()));
    }
    if f.overdue {
        clauses.push("(c.missed_done = 1 OR c.pending_due_at < ?)");
        params.push(now.clone());
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let count_sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id{filter}");
    let total = rows(db, &count_sql, &params)
        .await?
        .first()
        .and_then(|r| r[0].as_i64())
        .unwrap_or(0);
    let sql = format!(
        "{CASE_SELECT}{filter} ORDER BY CASE WHEN c.missed_done = 1 OR c.pending_due_at < ? THEN 0 ELSE 1 END, \
         c.next_deadline_at IS NULL, c.next_deadline_at, c.opened_at DESC, c.case_id LIMIT ? OFFSET ?"
    );
    let mut all = vec![now.clone()];
    all.extend(params);
    all.push(now);
    all.push(Val::Int(if f.limit > 0 { f.limit } else { 50 }));
    all.push(Val::Int(f.offset.max(0)));
    let items = rows(db, &sql, &all)
        .await?
        .iter()
        .map(|r| case_row(r))
        .collect();
    Ok(Page { total, items })
}

/// One case's row in the view.
pub async fn case_view(
    db: &Db,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<CaseRow>, ProjectionError> {
    let sql = format!("{CASE_SELECT} WHERE c.case_id = ?");
    Ok(rows(db, &sql, &[Val::Text(ts(now)), Val::from(case_id)])
        .await?
        .first()
        .map(|r| case_row(r)))
}

/// Period granularity of a statistics query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Day,
    Month,
    Year,
    /// Counts as things stand (children by group and household status).
    Now,
}

impl PeriodKind {
    fn prefix(self) -> &'static str {
        match self {
            PeriodKind::Day => "d:",
            PeriodKind::Month => "m:",
            PeriodKind::Year => "y:",
            PeriodKind::Now => "all",
        }
    }
}

/// Which counts to add up, and how to group them.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub metric: Option<String>,
    pub province: Option<u32>,
    pub commune: Option<u32>,
    /// An old (pre-2025) district.
    pub district: Option<u32>,
    pub period: PeriodKind,
    /// Inclusive bounds on the period text, e.g. `2026-01` … `2026-06`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Group by commune instead of province.
    pub by_commune: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    pub metric: String,
    pub key: String,
    /// Today's province code (rolled up).
    pub province: i64,
    /// With `by_commune`: the commune code and its structure.
    pub commune: Option<i64>,
    pub structure: Option<String>,
    /// `2026-03`, `2026`, `2026-03-02`, or empty for `Now`.
    pub period: String,
    pub count: i64,
}

pub async fn statistics(db: &Db, q: &StatsQuery) -> Result<Vec<StatRow>, ProjectionError> {
    let mut clauses = vec!["period LIKE ?".to_string()];
    let mut params = vec![Val::Text(match q.period {
        PeriodKind::Now => "all".to_string(),
        k => format!("{}%", k.prefix()),
    })];
    let mut push = |c: &str, v: Val| {
        clauses.push(c.to_string());
        params.push(v);
    };
    if let Some(m) = &q.metric {
        push("metric = ?", Val::from(m.as_str()));
    }
    if let Some(p) = q.province {
        push("province = ?", Val::from(p));
    }
    if let Some(c) = q.commune {
        push("commune = ?", Val::from(c));
    }
    if let Some(d) = q.district {
        push("district = ? AND structure = 'pre2025'", Val::from(d));
    }
    if q.period != PeriodKind::Now {
        if let Some(f) = &q.from {
            push(
                "period >= ?",
                Val::Text(format!("{}{f}", q.period.prefix())),
            );
        }
        if let Some(t) = &q.to {
            push(
                "period <= ?",
                Val::Text(format!("{}{t}", q.period.prefix())),
            );
        }
    }
    let place = if q.by_commune {
        "province, commune, structure"
    } else {
        "province"
    };
    let sql = format!(
        "SELECT metric, key, {place}, period, CAST(SUM(count) AS BIGINT) FROM ps_count WHERE {} \
         GROUP BY metric, key, {place}, period HAVING SUM(count) <> 0 ORDER BY metric, period, {place}, key",
        clauses.join(" AND ")
    );
    let r = rows(db, &sql, &params).await?;
    Ok(r.iter()
        .map(|r| {
            let (commune, structure, rest) = if q.by_commune {
                (r[3].as_i64(), opt_text(&r[4]), 5)
            } else {
                (None, None, 3)
            };
            let period = r[rest].text();
            StatRow {
                metric: r[0].text(),
                key: r[1].text(),
                province: r[2].as_i64().unwrap_or(0),
                commune,
                structure,
                period: period
                    .split_once(':')
                    .map(|(_, p)| p.to_string())
                    .unwrap_or_default(),
                count: r[rest + 1].as_i64().unwrap_or(0),
            }
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct OfficerEvent {
    pub position: i64,
    pub role: String,
    pub unit: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub at: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OfficerHistory {
    pub officer_id: String,
    pub full_name: Option<String>,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub active: bool,
    pub cases_handled: i64,
    pub deadlines_met: i64,
    pub deadlines_missed: i64,
    /// The `Officer` aggregate state (assignments, trainings), as JSON.
    pub state: serde_json::Value,
    pub events: Vec<OfficerEvent>,
}

/// Everything one officer did (optionally within recorded times `[from, to]`).
pub async fn officer_history(
    db: &Db,
    officer_id: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Option<OfficerHistory>, ProjectionError> {
    let head = rows(
        db,
        "SELECT full_name, role, unit, active, deadlines_met, deadlines_missed, state FROM po_officer WHERE officer_id = ?",
        &[Val::from(officer_id)],
    )
    .await?;
    let Some(h) = head.first() else {
        return Ok(None);
    };
    let cases = rows(
        db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM po_case WHERE officer_id = ?",
        &[Val::from(officer_id)],
    )
    .await?
    .first()
    .and_then(|r| r[0].as_i64())
    .unwrap_or(0);
    let mut sql = "SELECT position, role, unit, aggregate_type, aggregate_id, sequence, event_type, at, recorded_at \
                   FROM po_event WHERE officer_id = ?"
        .to_string();
    let mut params = vec![Val::from(officer_id)];
    if let Some(f) = from {
        sql.push_str(" AND recorded_at >= ?");
        params.push(f.into());
    }
    if let Some(t) = to {
        sql.push_str(" AND recorded_at <= ?");
        params.push(t.into());
    }
    sql.push_str(" ORDER BY position");
    let events = rows(db, &sql, &params)
        .await?
        .iter()
        .map(|r| OfficerEvent {
            position: r[0].as_i64().unwrap_or(0),
            role: r[1].text(),
            unit: r[2].text(),
            aggregate_type: r[3].text(),
            aggregate_id: r[4].text(),
            sequence: r[5].as_i64().unwrap_or(0),
            event_type: r[6].text(),
            at: opt_text(&r[7]),
            recorded_at: r[8].text(),
        })
        .collect();
    Ok(Some(OfficerHistory {
        officer_id: officer_id.to_string(),
        full_name: opt_text(&h[0]),
        role: opt_text(&h[1]),
        unit: opt_text(&h[2]),
        active: h[3].as_i64() == Some(1),
        cases_handled: cases,
        deadlines_met: h[4].as_i64().unwrap_or(0),
        deadlines_missed: h[5].as_i64().unwrap_or(0),
        state: serde_json::from_str(&h[6].text()).unwrap_or(serde_json::Value::Null),
        events,
    }))
}
