//! Per-officer histories for inspectors, scoped to the places the reader may see.

use super::*;

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
