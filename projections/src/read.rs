//! The library-level read API over the projections: case list with filters and
//! paging, one case's view, statistics, officer histories.

use chrono::{DateTime, Utc};
use hoso_ledger::Db;

use crate::error::ProjectionError;
use hoso_ledger::sql::{one_int, rows, ts, Row, Val};

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
fn case_where(f: &CaseFilter, now: &Val) -> (String, Vec<Val>) {
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
        clauses.push("(c.missed_done = 1 OR c.pending_due_at < ?)");
        params.push(now.clone());
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (filter, params)
}

/// Cases matching the filter, overdue first, then by next deadline.
pub async fn list_cases(
    db: &Db,
    f: &CaseFilter,
    now: DateTime<Utc>,
) -> Result<Page<CaseRow>, ProjectionError> {
    let now = Val::Text(ts(now));
    let (filter, params) = case_where(f, &now);
    let count_sql = format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id{filter}");
    let total = one_int(db, &count_sql, &params).await?;
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
        .map(case_row)
        .collect::<Result<_, _>>()?;
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
         FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id{filter} \
         GROUP BY c.status, c.overall_risk ORDER BY c.status, c.overall_risk"
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
    /// `2025` or `pre2025`: which structure a commune code belongs to.
    pub structure: Option<String>,
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
    if let Some(s) = &q.structure {
        push("structure = ?", Val::from(s.as_str()));
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
        "SELECT metric, key, {place}, period, CAST(SUM(count) AS BIGINT) AS n FROM ps_count WHERE {} \
         GROUP BY metric, key, {place}, period HAVING SUM(count) <> 0 ORDER BY metric, period, {place}, key",
        clauses.join(" AND ")
    );
    rows(db, &sql, &params)
        .await?
        .iter()
        .map(|r| {
            let (commune, structure) = if q.by_commune {
                (r.opt_int("commune")?, r.opt_text("structure")?)
            } else {
                (None, None)
            };
            let period = r.text("period")?;
            Ok(StatRow {
                metric: r.text("metric")?,
                key: r.text("key")?,
                province: r.int("province")?,
                commune,
                structure,
                period: period
                    .split_once(':')
                    .map(|(_, p)| p.to_string())
                    .unwrap_or_default(),
                count: r.int("n")?,
            })
        })
        .collect()
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

/// Which of an officer's actions a reader may see: those on the records of
/// the cases `cases` (a narrowed filter: place and opener) selects, the
/// children of that place or of those cases, and the officers of that place.
/// `None`: everything (a national reader).
#[derive(Debug, Clone)]
pub struct Within<'a> {
    /// `None`: no case and no child at all (a reader of no case content).
    pub cases: Option<&'a CaseFilter>,
}

/// The SQL condition (on `po_event e`) and its parameters for `Within`.
fn within_sql(officer_id: &str, w: &Within<'_>) -> (String, Vec<Val>) {
    let Some(cases) = w.cases else {
        return (
            "(e.aggregate_type NOT IN ('Case', 'Child') AND e.aggregate_id = ?)".into(),
            vec![Val::from(officer_id)],
        );
    };
    let mut params = Vec::new();
    let (case_filter, case_params) = case_where(cases, &Val::Text(String::new()));
    let cases_sql = format!(
        "SELECT c.case_id FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id{case_filter}"
    );
    let case_children_sql = format!(
        "SELECT c.child_id FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id{case_filter}"
    );
    // The place part of the filter, on the children's own rows.
    let mut place = Vec::new();
    let mut place_params = Vec::new();
    if let Some(p) = cases.province {
        place.push("k.province = ?");
        place_params.push(Val::from(p));
    }
    if let Some(c) = cases.commune {
        place.push("k.commune = ?");
        place_params.push(Val::from(c));
    }
    if let Some(st) = &cases.structure {
        place.push("k.structure = ?");
        place_params.push(Val::from(st.as_str()));
    }
    let place_sql = if cases.opened_by.is_some() {
        // Readers of their own intakes only read children through them.
        "0 = 1".to_string()
    } else if place.is_empty() {
        "1 = 1".to_string()
    } else {
        place.join(" AND ")
    };
    // Officers of the place: today's unit codes of the province or commune.
    let (unit_sql, unit_params): (String, Vec<Val>) = match (cases.province, cases.commune) {
        (Some(p), Some(c)) => (
            "o.unit = ?".into(),
            vec![Val::Text(format!("commune:{p}:{c}"))],
        ),
        (Some(p), None) => (
            "(o.unit = ? OR o.unit LIKE ?)".into(),
            vec![
                Val::Text(format!("province:{p}")),
                Val::Text(format!("commune:{p}:%")),
            ],
        ),
        _ => ("1 = 1".into(), vec![]),
    };
    let sql = format!(
        "((e.aggregate_type = 'Case' AND e.aggregate_id IN ({cases_sql})) \
         OR (e.aggregate_type = 'Child' AND (e.aggregate_id IN (SELECT k.child_id FROM pv_child k WHERE {place_sql}) \
             OR e.aggregate_id IN ({case_children_sql}))) \
         OR (e.aggregate_type NOT IN ('Case', 'Child') AND e.aggregate_id = ?) \
         OR (e.aggregate_type = 'Officer' AND e.aggregate_id IN (SELECT o.officer_id FROM po_officer o WHERE {unit_sql})))"
    );
    params.extend(case_params.clone());
    params.extend(place_params);
    params.extend(case_params);
    params.push(Val::from(officer_id));
    params.extend(unit_params);
    (sql, params)
}

/// Everything one officer did (optionally within recorded times `[from, to]`),
/// on the records `within` lets the reader see.
pub async fn officer_history(
    db: &Db,
    officer_id: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    within: Option<&Within<'_>>,
) -> Result<Option<OfficerHistory>, ProjectionError> {
    let head = rows(
        db,
        "SELECT role, unit, active, deadlines_met, deadlines_missed, state FROM po_officer WHERE officer_id = ?",
        &[Val::from(officer_id)],
    )
    .await?;
    let Some(h) = head.first() else {
        return Ok(None);
    };
    let (cases_in, cases_params) = match within.map(|w| w.cases) {
        Some(Some(cf)) => {
            let (f, p) = case_where(cf, &Val::Text(String::new()));
            (
                format!(" AND case_id IN (SELECT c.case_id FROM pv_case c LEFT JOIN pv_child ch ON ch.child_id = c.child_id{f})"),
                p,
            )
        }
        Some(None) => (" AND 0 = 1".to_string(), vec![]),
        None => (String::new(), vec![]),
    };
    let mut params = vec![Val::from(officer_id)];
    params.extend(cases_params);
    let cases = one_int(
        db,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM po_case WHERE officer_id = ?{cases_in}"
        ),
        &params,
    )
    .await?;
    let mut sql = "SELECT e.position, e.role, e.unit, e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.at, e.recorded_at \
                   FROM po_event e WHERE e.officer_id = ?"
        .to_string();
    let mut params = vec![Val::from(officer_id)];
    if let Some(w) = within {
        let (cond, p) = within_sql(officer_id, w);
        sql.push_str(" AND ");
        sql.push_str(&cond);
        params.extend(p);
    }
    if let Some(f) = from {
        sql.push_str(" AND e.recorded_at >= ?");
        params.push(f.into());
    }
    if let Some(t) = to {
        sql.push_str(" AND e.recorded_at <= ?");
        params.push(t.into());
    }
    sql.push_str(" ORDER BY e.position");
    let events = rows(db, &sql, &params)
        .await?
        .iter()
        .map(|r| {
            Ok(OfficerEvent {
                position: r.int("position")?,
                role: r.text("role")?,
                unit: r.text("unit")?,
                aggregate_type: r.text("aggregate_type")?,
                aggregate_id: r.text("aggregate_id")?,
                sequence: r.int("sequence")?,
                event_type: r.text("event_type")?,
                at: r.opt_text("at")?,
                recorded_at: r.text("recorded_at")?,
            })
        })
        .collect::<Result<_, ProjectionError>>()?;
    let state = h.text("state")?;
    Ok(Some(OfficerHistory {
        officer_id: officer_id.to_string(),
        // Personal: the service fills it in from the officer's sealed record.
        full_name: None,
        role: h.opt_text("role")?,
        unit: h.opt_text("unit")?,
        active: h.int("active")? == 1,
        cases_handled: cases,
        deadlines_met: h.int("deadlines_met")?,
        deadlines_missed: h.int("deadlines_missed")?,
        state: serde_json::from_str(&state).map_err(|source| ProjectionError::Decode {
            position: 0,
            event_type: format!("stored Officer state of {officer_id}"),
            source,
        })?,
        events,
    }))
}

/// Which reads of the access log to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    /// Reads by this officer.
    pub officer: Option<String>,
    /// Reads of this record (case, child or officer id), exactly.
    pub subject: Option<String>,
    /// Reads of records of this province.
    pub province: Option<u32>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccessRow {
    pub position: i64,
    pub officer_id: String,
    pub sequence: i64,
    pub role: String,
    pub unit: String,
    pub recorded_at: String,
    pub subject_type: String,
    pub subject_id: String,
    /// The unit of the record read, when the read named it.
    pub subject_unit: Option<String>,
    pub what: String,
    /// Lists and searches: how many records matched.
    pub results: Option<i64>,
    /// Lists and searches: what was asked (personal: opened by the service).
    pub query: Option<String>,
    pub reason: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// The access log, newest first (served from its indexed projection).
pub async fn access_log(db: &Db, f: &AccessFilter) -> Result<Vec<AccessRow>, ProjectionError> {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(o) = &f.officer {
        clauses.push("officer_id = ?");
        params.push(Val::from(o.as_str()));
    }
    if let Some(s) = &f.subject {
        clauses.push("subject_id = ?");
        params.push(Val::from(s.as_str()));
    }
    if let Some(p) = f.province {
        clauses.push("subject_province = ?");
        params.push(Val::from(p));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    params.push(Val::Int(f.limit.max(1)));
    params.push(Val::Int(f.offset.max(0)));
    rows(
        db,
        &format!("SELECT * FROM pa_read{filter} ORDER BY position DESC LIMIT ? OFFSET ?"),
        &params,
    )
    .await?
    .iter()
    .map(|r| {
        Ok(AccessRow {
            position: r.int("position")?,
            officer_id: r.text("officer_id")?,
            sequence: r.int("sequence")?,
            role: r.text("role")?,
            unit: r.text("unit")?,
            recorded_at: r.text("recorded_at")?,
            subject_type: r.text("subject_type")?,
            subject_id: r.text("subject_id")?,
            subject_unit: r.opt_text("subject_unit")?,
            what: r.text("what")?,
            results: r.opt_int("results")?,
            // Personal: opened from the event by the service.
            query: None,
            reason: None,
            client_ip: None,
            request_id: r.opt_text("request_id")?,
        })
    })
    .collect()
}

/// What the retention policy needs to know of one case (public fields).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub case_id: String,
    pub closed_at: Option<String>,
    pub harm_types: Vec<String>,
}

/// What the retention policy needs to know of one child (public fields).
#[derive(Debug, Clone, PartialEq)]
pub struct ChildFacts {
    pub child_id: String,
    pub erased: bool,
    pub registered_at: Option<String>,
    pub cases: Vec<CaseFacts>,
}

/// Every child with their cases, for the retention policy.
pub async fn retention_facts(db: &Db) -> Result<Vec<ChildFacts>, ProjectionError> {
    let mut children: std::collections::BTreeMap<String, ChildFacts> = Default::default();
    for r in rows(
        db,
        "SELECT child_id, erased, state FROM pv_child ORDER BY child_id",
        &[],
    )
    .await?
    {
        let id = r.text("child_id")?;
        let state: serde_json::Value = serde_json::from_str(&r.text("state")?)?;
        children.insert(
            id.clone(),
            ChildFacts {
                child_id: id,
                erased: r.int("erased")? == 1,
                registered_at: state
                    .get("registered_at")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                cases: Vec::new(),
            },
        );
    }
    for r in rows(
        db,
        "SELECT case_id, child_id, closed_at, harm_types FROM pv_case WHERE child_id IS NOT NULL ORDER BY case_id",
        &[],
    )
    .await?
    {
        let child = r.text("child_id")?;
        if let Some(c) = children.get_mut(&child) {
            c.cases.push(CaseFacts {
                case_id: r.text("case_id")?,
                closed_at: r.opt_text("closed_at")?,
                harm_types: r
                    .opt_text("harm_types")?
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
    }
    Ok(children.into_values().collect())
}

/// The registered children of today's province (`None`: every province) whose
/// personal data is not erased, by id: public fields only. Whoever needs their
/// names or birth dates (the likely-duplicate search) opens their sealed
/// records.
pub async fn children_of_province(
    db: &Db,
    province: Option<u32>,
) -> Result<Vec<String>, ProjectionError> {
    let (sql, params) = match province {
        Some(p) => (
            "SELECT child_id FROM pv_child WHERE erased = 0 AND province = ? ORDER BY child_id",
            vec![Val::from(p)],
        ),
        None => (
            "SELECT child_id FROM pv_child WHERE erased = 0 ORDER BY child_id",
            Vec::new(),
        ),
    };
    rows(db, sql, &params)
        .await?
        .iter()
        .map(|r| Ok(r.text("child_id")?))
        .collect()
}

/// The cases of a child, by id (the case view's public `child_id`).
pub async fn cases_of_child(db: &Db, child_id: &str) -> Result<Vec<String>, ProjectionError> {
    rows(
        db,
        "SELECT case_id FROM pv_case WHERE child_id = ? ORDER BY case_id",
        &[Val::Text(child_id.to_string())],
    )
    .await?
    .iter()
    .map(|r| Ok(r.text("case_id")?))
    .collect()
}

/// An officer of the officer-history view (public fields: their name is in
/// their sealed record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRow {
    pub officer_id: String,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub active: bool,
}

/// The officers of a unit (`commune:42:18070`), by id.
pub async fn officers_of_unit(db: &Db, unit: &str) -> Result<Vec<OfficerRow>, ProjectionError> {
    rows(
        db,
        "SELECT officer_id, role, unit, active FROM po_officer WHERE unit = ? ORDER BY officer_id",
        &[Val::from(unit)],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(OfficerRow {
            officer_id: r.text("officer_id")?,
            role: r.opt_text("role")?,
            unit: r.opt_text("unit")?,
            active: r.int("active")? == 1,
        })
    })
    .collect()
}
