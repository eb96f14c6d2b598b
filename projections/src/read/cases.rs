//! Case lists with filters and exact paging, counts, and one case's view.

use super::*;
use std::collections::HashMap;

/// Manager filters (SPEC.md): place, status, risk, harm type, group, overdue.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Today's province code (old records are rolled up).
    pub province: Option<u32>,
    pub commune: Option<u32>,
    /// `2025` (today's units) or `pre2025`: a commune code means a different
    /// place in each, so a commune filter usually comes with one.
    pub structure: Option<String>,
    pub status: Option<String>,
    pub risk: Option<String>,
    pub harm_type: Option<String>,
    /// Special-circumstance group code of the child (`a`…`o`, `dd`, `at_risk`, …).
    pub group: Option<String>,
    pub worker: Option<String>,
    /// Only the cases this officer opened (took in).
    pub opened_by: Option<String>,
    /// Only the cases of this child.
    pub child_id: Option<String>,
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
    /// Not in the read model (personal): the service fills it in from the
    /// child's sealed record; `None` until then or when erased.
    pub child_name: Option<String>,
    /// The child's personal data was erased.
    pub child_erased: bool,
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

const CASE_SELECT: &str = "SELECT c.case_id, c.child_id, ch.erased AS child_erased, c.province, c.commune, \
     c.structure, c.status, c.protection_level, c.overall_risk, c.harm_types, c.source, c.responsible_worker, \
     c.opened_at, c.closed_at, c.next_deadline_kind, c.next_deadline_at, \
     CAST(CASE WHEN c.missed_done = 1 OR c.pending_due_at < ? THEN 1 ELSE 0 END AS BIGINT) AS overdue, \
     c.last_event_type, c.last_event_at, c.last_actor, c.events \
     FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id";

fn case_row(r: &Row) -> Result<CaseRow, ProjectionError> {
    Ok(CaseRow {
        case_id: r.text("case_id")?,
        child_id: r.opt_text("child_id")?,
        child_name: None,
        child_erased: r.opt_int("child_erased")? == Some(1),
        province: r.opt_int("province")?,
        commune: r.opt_int("commune")?,
        structure: r.opt_text("structure")?,
        status: r.text("status")?,
        protection_level: r.opt_text("protection_level")?,
        overall_risk: r.opt_text("overall_risk")?,
        harm_types: r
            .opt_text("harm_types")?
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        source: r.opt_text("source")?,
        responsible_worker: r.opt_text("responsible_worker")?,
        opened_at: r.opt_text("opened_at")?,
        closed_at: r.opt_text("closed_at")?,
        next_deadline_kind: r.opt_text("next_deadline_kind")?,
        next_deadline_at: r.opt_text("next_deadline_at")?,
        overdue: r.int("overdue")? == 1,
        last_event_type: r.text("last_event_type")?,
        last_event_at: r.opt_text("last_event_at")?,
        last_actor: r.opt_text("last_actor")?,
        events: r.int("events")?,
    })
}

/// The `WHERE` clause of a case filter and its parameters.
pub(super) fn case_where(f: &CaseFilter, now: &Val) -> (String, Vec<Val>) {
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
    if let Some(s) = &f.structure {
        clauses.push("c.structure = ?");
        params.push(Val::from(s.as_str()));
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
    if let Some(c) = &f.child_id {
        clauses.push("c.child_id = ?");
        params.push(Val::from(c.as_str()));
    }
    if let Some(o) = &f.opened_by {
        clauses.push("c.opened_by = ?");
        params.push(Val::from(o.as_str()));
    }
    if f.overdue {
        // The same as `missed_done = 1 OR pending_due_at < now` (0 or 1,
        // never null), in terms the `pv_case_overdue` index answers.
        clauses.push("(c.missed_done = 1 OR (c.missed_done = 0 AND c.pending_due_at < ?))");
        params.push(now.clone());
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (filter, params)
}

/// The tables a filter reads: the child's row is joined only when the filter
/// needs it (`group`).
fn case_from(f: &CaseFilter) -> &'static str {
    if f.group.is_some() {
        "pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id"
    } else {
        "pv_case c"
    }
}

/// How a condition joins the filter's `WHERE` clause.
fn and(filter: &str) -> &'static str {
    if filter.is_empty() {
        " WHERE"
    } else {
        " AND"
    }
}

/// The overdue cases of a filter as the two index ranges they are: missed
/// (`missed_done = 1`), or pending past due (`pending_due_at < ?`, the one
/// parameter after the filter's, which come twice).
fn overdue_parts(select: &str, from: &str, filter: &str) -> String {
    let and = and(filter);
    format!(
        "SELECT {select} FROM {from}{filter}{and} c.missed_done = 1 UNION ALL \
         SELECT {select} FROM {from}{filter}{and} c.missed_done = 0 AND c.pending_due_at < ?"
    )
}

/// Cases matching the filter, overdue first, then by next deadline.
pub async fn list_cases(
    db: &Db,
    f: &CaseFilter,
    now: DateTime<Utc>,
) -> Result<Page<CaseRow>, ProjectionError> {
    let now = Val::Text(ts(now));
    let (filter, params) = case_where(f, &now);
    let from = case_from(f);
    let limit = if f.limit > 0 { f.limit } else { 50 };
    let offset = f.offset.max(0);
    let total = if f.overdue {
        // Overdue: missed, or pending past due, counted as the two index
        // ranges they are (an OR of them is a scan of the area on SQLite).
        let rest = CaseFilter {
            overdue: false,
            ..f.clone()
        };
        let (rest, rest_params) = case_where(&rest, &now);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ({}) overdue",
            overdue_parts("c.case_id", from, &rest)
        );
        let mut all = rest_params.clone();
        all.extend(rest_params);
        all.push(now.clone());
        one_int(db, &sql, &all).await?
    } else {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {from}{filter}");
        one_int(db, &sql, &params).await?
    };
    // The page's ids first, then their rows. Overdue first (missed, or
    // pending past due: each an index range, usually few rows), then the
    // rest by next deadline (none last), newest opened, id: a scan in the
    // order of the `pv_case_list` indexes that stops at the page's end. Never
    // a sort of every case of the area.
    let cols = "c.due_key, c.opened_at, c.case_id";
    let sql = format!(
        "SELECT case_id FROM ({} UNION ALL \
         SELECT * FROM (SELECT 1 AS part, {cols} FROM {from}{filter}{} \
         c.missed_done = 0 AND (c.pending_due_at IS NULL OR c.pending_due_at >= ?) \
         ORDER BY c.due_key, c.opened_at DESC, c.case_id LIMIT ?) other\
         ) page ORDER BY part, due_key, opened_at DESC, case_id LIMIT ? OFFSET ?",
        overdue_parts(&format!("0 AS part, {cols}"), from, &filter),
        and(&filter)
    );
    let mut all = params.clone();
    all.extend(params.iter().cloned());
    all.push(now.clone());
    all.extend(params);
    all.push(now.clone());
    all.push(Val::Int(offset.saturating_add(limit)));
    all.push(Val::Int(limit));
    all.push(Val::Int(offset));
    let ids: Vec<String> = rows(db, &sql, &all)
        .await?
        .iter()
        .map(|r| r.text("case_id"))
        .collect::<Result<_, _>>()?;
    let items = if ids.is_empty() {
        Vec::new()
    } else {
        let marks = vec!["?"; ids.len()].join(", ");
        let sql = format!("{CASE_SELECT} WHERE c.case_id IN ({marks})");
        let mut params = vec![now];
        params.extend(ids.iter().map(|id| Val::Text(id.clone())));
        let mut by_id: HashMap<String, CaseRow> = rows(db, &sql, &params)
            .await?
            .iter()
            .map(|r| case_row(r).map(|row| (row.case_id.clone(), row)))
            .collect::<Result<_, _>>()?;
        ids.iter().filter_map(|id| by_id.remove(id)).collect()
    };
    Ok(Page { total, items })
}

/// How many cases of the filter stand at each step and overall risk, and how
/// many of those are overdue: one grouped query, whatever the number of cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCount {
    pub status: String,
    pub overall_risk: Option<String>,
    pub cases: i64,
    pub overdue: i64,
}

pub async fn case_counts(
    db: &Db,
    f: &CaseFilter,
    now: DateTime<Utc>,
) -> Result<Vec<CaseCount>, ProjectionError> {
    let now = Val::Text(ts(now));
    let (filter, params) = case_where(f, &now);
    let sql = format!(
        "SELECT c.status, c.overall_risk, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN c.missed_done = 1 OR c.pending_due_at < ? THEN 1 ELSE 0 END) AS BIGINT) AS late \
         FROM {}{filter} \
         GROUP BY c.status, c.overall_risk ORDER BY c.status, c.overall_risk",
        case_from(f)
    );
    let mut all = vec![now];
    all.extend(params);
    rows(db, &sql, &all)
        .await?
        .iter()
        .map(|r| {
            Ok(CaseCount {
                status: r.text("status")?,
                overall_risk: r.opt_text("overall_risk")?,
                cases: r.int("n")?,
                overdue: r.int("late")?,
            })
        })
        .collect()
}

/// One case's row in the view.
pub async fn case_view(
    db: &Db,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<CaseRow>, ProjectionError> {
    let sql = format!("{CASE_SELECT} WHERE c.case_id = ?");
    rows(db, &sql, &[Val::Text(ts(now)), Val::from(case_id)])
        .await?
        .first()
        .map(case_row)
        .transpose()
}
