//! Case view: one row per case for managers (status, risk, harm types, worker,
//! deadlines, overdue), and one row per child (place, groups, erased) to filter
//! by. Public fields only: a child's name is read where it is shown, from the
//! child's sealed record (docs/personal-data.md).
//!
//! Each row keeps the domain state it was derived from (`state`, JSON of the
//! `Case` / `Child` aggregate; a case's in `pv_case_state`, beside its row, so
//! that the rows lists and counts scan stay narrow) and folds new events into
//! it with the domain's own `apply`, so the view can never disagree with the
//! rules about what a step means.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use cqrs_es::Aggregate;
use hoso_domain::case::{Case, DeadlineKind};
use hoso_domain::child::Child;
use hoso_domain::places;

use crate::error::ProjectionError;
use crate::event::{Decoded, Payload};
use hoso_ledger::sql::{upsert, Tx, Val};

pub const TABLES: &[&str] = &["pv_case", "pv_case_state", "pv_child"];

pub const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS pv_case{s} (
        case_id TEXT PRIMARY KEY,
        child_id TEXT,
        structure TEXT,
        province BIGINT,
        district BIGINT,
        commune BIGINT,
        status TEXT NOT NULL,
        protection_level TEXT,
        overall_risk TEXT,
        harm_types TEXT NOT NULL,
        source TEXT,
        responsible_worker TEXT,
        opened_at TEXT,
        closed_at TEXT,
        next_deadline_kind TEXT,
        next_deadline_at TEXT,
        due_key TEXT NOT NULL,
        pending_due_at TEXT,
        missed_done BIGINT NOT NULL,
        last_event_type TEXT NOT NULL,
        last_event_at TEXT,
        last_actor TEXT,
        opened_by TEXT,
        events BIGINT NOT NULL,
        position BIGINT NOT NULL
    )",
    // The domain state each row was derived from, in a table of its own: the
    // case rows that lists, counts and the dashboard scan stay narrow.
    "CREATE TABLE IF NOT EXISTS pv_case_state{s} (
        case_id TEXT PRIMARY KEY,
        state TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS pv_case_place{g} ON pv_case{s} (province, commune, status)",
    "CREATE INDEX IF NOT EXISTS pv_case_status{g} ON pv_case{s} (status, overall_risk)",
    "CREATE INDEX IF NOT EXISTS pv_case_due{g} ON pv_case{s} (pending_due_at)",
    // The case list's order within a province or a commune (`read::cases`),
    // with the columns that split overdue from the rest.
    "CREATE INDEX IF NOT EXISTS pv_case_list{g} ON pv_case{s} (province, due_key, opened_at DESC, case_id, missed_done, pending_due_at)",
    "CREATE INDEX IF NOT EXISTS pv_case_commune_list{g} ON pv_case{s} (province, commune, due_key, opened_at DESC, case_id, missed_done, pending_due_at)",
    // The list's overdue part: missed, or pending past its due time.
    "CREATE INDEX IF NOT EXISTS pv_case_overdue{g} ON pv_case{s} (province, missed_done, pending_due_at, due_key, opened_at, case_id)",
    // The dashboard's counts by step and risk (`read::cases::case_counts`).
    "CREATE INDEX IF NOT EXISTS pv_case_counts{g} ON pv_case{s} (province, status, overall_risk, missed_done, pending_due_at)",
    "CREATE INDEX IF NOT EXISTS pv_case_child{g} ON pv_case{s} (child_id)",
    "CREATE TABLE IF NOT EXISTS pv_child{s} (
        child_id TEXT PRIMARY KEY,
        erased BIGINT NOT NULL,
        sex TEXT,
        structure TEXT,
        province BIGINT,
        commune BIGINT,
        household_status TEXT,
        groups TEXT NOT NULL,
        registered_by TEXT,
        position BIGINT NOT NULL,
        state TEXT NOT NULL
    )",
];

/// A unit enum's serde name (`violence`, `hotline_111`, `2025`), as stored.
pub fn enum_text<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// `,a,b,` so that `LIKE '%,a,%'` finds one member.
fn list<I: IntoIterator<Item = String>>(items: I) -> String {
    let mut s = String::from(",");
    for i in items {
        s.push_str(&i);
        s.push(',');
    }
    s
}

pub fn kind_name(k: DeadlineKind) -> &'static str {
    match k {
        DeadlineKind::Emergency => "emergency",
        DeadlineKind::Plan => "plan",
        DeadlineKind::Approval => "approval",
    }
}

/// Far enough ahead that every relevant pending deadline counts as passed.
fn end_of_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The list's sort key for the next deadline: its stored time, or one after
/// every real time when there is none (so "no deadline" sorts last, by an
/// index, on both backends).
pub fn due_key(next: Option<DateTime<Utc>>) -> String {
    match next {
        Some(t) => hoso_ledger::sql::ts(t),
        None => "9999-12-31T23:59:59.999999Z".to_string(),
    }
}

struct CaseRow {
    case: Case,
    last_event_type: String,
    last_actor: Option<String>,
    /// The actor of the first event, when this batch holds it (else the
    /// stored value is kept).
    opened_by: Option<String>,
    position: i64,
}

/// The row's columns, derived from the domain state alone, and the row of
/// `pv_case_state`.
fn case_columns(id: &str, r: &CaseRow) -> Result<(Vec<Val>, Vec<Val>), ProjectionError> {
    let c = &r.case;
    let commune = c.commune;
    // Deadlines that would be missed if never done: done late, or still pending.
    let relevant = c.missed_deadlines(end_of_time());
    let missed_done = relevant.iter().any(|k| c.deadline_done_at(*k).is_some());
    let pending_due = relevant
        .iter()
        .filter(|k| c.deadline_done_at(**k).is_none())
        .filter_map(|k| {
            c.deadlines.map(|d| match k {
                DeadlineKind::Emergency => d.emergency,
                DeadlineKind::Plan => d.plan,
                DeadlineKind::Approval => d.approval,
            })
        })
        .min();
    let next = c.next_deadline();
    let state = serde_json::to_string(c).map_err(|source| ProjectionError::Decode {
        position: r.position,
        event_type: r.last_event_type.clone(),
        source,
    })?;
    let columns = vec![
        id.into(),
        c.child_id.clone().into(),
        commune.map(|r| enum_text(&r.structure)).into(),
        commune.and_then(|r| places::rolled_up_province(&r)).into(),
        commune.and_then(|r| r.district).into(),
        commune.map(|r| r.commune).into(),
        c.status.as_str().into(),
        c.protection_level.map(|p| enum_text(&p)).into(),
        c.overall_risk.map(|p| enum_text(&p)).into(),
        list(c.harm_types.iter().map(enum_text)).into(),
        c.source.map(|s| enum_text(&s)).into(),
        c.responsible_worker.clone().into(),
        c.received_at.into(),
        c.closed_at.into(),
        next.map(|(k, _)| kind_name(k)).into(),
        next.map(|(_, t)| t).into(),
        due_key(next.map(|(_, t)| t)).into(),
        pending_due.into(),
        missed_done.into(),
        r.last_event_type.clone().into(),
        c.last_event_at.into(),
        r.last_actor.clone().into(),
        r.opened_by.clone().into(),
        (c.events_applied as i64).into(),
        r.position.into(),
    ];
    Ok((columns, vec![id.into(), state.into()]))
}

const CASE_COLUMNS: &[&str] = &[
    "case_id",
    "child_id",
    "structure",
    "province",
    "district",
    "commune",
    "status",
    "protection_level",
    "overall_risk",
    "harm_types",
    "source",
    "responsible_worker",
    "opened_at",
    "closed_at",
    "next_deadline_kind",
    "next_deadline_at",
    "due_key",
    "pending_due_at",
    "missed_done",
    "last_event_type",
    "last_event_at",
    "last_actor",
    "opened_by",
    "events",
    "position",
];

const STATE_COLUMNS: &[&str] = &["case_id", "state"];

const CHILD_COLUMNS: &[&str] = &[
    "child_id",
    "erased",
    "sex",
    "structure",
    "province",
    "commune",
    "household_status",
    "groups",
    "registered_by",
    "position",
    "state",
];

/// Columns written once, by the record's first event, and kept after.
const FIRST_ONLY: &[&str] = &["opened_by", "registered_by"];

/// `upsert` names the stored row `t`.
fn set_all(columns: &[&str]) -> String {
    columns[1..]
        .iter()
        .map(|c| {
            if FIRST_ONLY.contains(c) {
                format!("{c} = COALESCE(excluded.{c}, t.{c})")
            } else {
                format!("{c} = excluded.{c}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads `state` JSON of the given keys from a table.
pub async fn load_states<A: Aggregate>(
    tx: &mut Tx,
    table: &str,
    key: &str,
    ids: &[String],
) -> Result<HashMap<String, A>, ProjectionError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!("SELECT {key}, state FROM {table} WHERE {key} IN ({marks})");
        let params: Vec<Val> = chunk.iter().map(|i| Val::Text(i.clone())).collect();
        for row in tx.rows(&sql, &params).await? {
            let id = row.text(key)?;
            // A state that no longer decodes must stop the projection (and be
            // fixed by a rebuild), never silently restart from empty.
            let a = serde_json::from_str::<A>(&row.text("state")?).map_err(|source| {
                ProjectionError::Decode {
                    position: 0,
                    event_type: format!("stored {} state of {id}", A::TYPE),
                    source,
                }
            })?;
            out.insert(id, a);
        }
    }
    Ok(out)
}

/// The ids of the events' aggregates of `aggregate_type` not in `held`.
pub fn missing<V>(
    events: &[Decoded],
    aggregate_type: &str,
    held: &HashMap<String, V>,
) -> Vec<String> {
    ids_of(events, aggregate_type)
        .into_iter()
        .filter(|id| !held.contains_key(id))
        .collect()
}

/// Marks `id` changed (allocating only the first time).
pub fn mark(dirty: &mut HashSet<String>, id: &str) {
    if !dirty.contains(id) {
        dirty.insert(id.to_string());
    }
}

pub fn ids_of(events: &[Decoded], aggregate_type: &str) -> Vec<String> {
    let mut ids: Vec<String> = events
        .iter()
        .filter(|e| e.aggregate_type == aggregate_type)
        .map(|e| e.aggregate_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The case view while folding events: the states held in memory and which
/// rows changed since the last flush (see `runner::Fold`).
#[derive(Default)]
pub struct Fold {
    cases: HashMap<String, CaseRow>,
    children: HashMap<String, (Child, i64, Option<String>)>,
    dirty_cases: HashSet<String>,
    dirty_children: HashSet<String>,
}

impl Fold {
    /// Loads the stored states of the events' aggregates that are not held.
    pub async fn load(
        &mut self,
        tx: &mut Tx,
        s: &str,
        events: &[Decoded],
    ) -> Result<(), ProjectionError> {
        let absent = missing(events, "Case", &self.cases);
        for (id, case) in
            load_states::<Case>(tx, &format!("pv_case_state{s}"), "case_id", &absent).await?
        {
            self.cases.insert(
                id,
                CaseRow {
                    case,
                    last_event_type: String::new(),
                    last_actor: None,
                    opened_by: None,
                    position: 0,
                },
            );
        }
        let absent = missing(events, "Child", &self.children);
        for (id, c) in
            load_states::<Child>(tx, &format!("pv_child{s}"), "child_id", &absent).await?
        {
            self.children.insert(id, (c, 0, None));
        }
        Ok(())
    }

    pub fn apply(&mut self, events: &[Decoded]) {
        for e in events {
            match &e.payload {
                Payload::Case(ev) => {
                    let row = self
                        .cases
                        .entry(e.aggregate_id.clone())
                        .or_insert_with(|| CaseRow {
                            case: Case::default(),
                            last_event_type: String::new(),
                            last_actor: None,
                            opened_by: None,
                            position: 0,
                        });
                    row.case.apply((**ev).clone());
                    row.last_event_type.clone_from(&e.event_type);
                    row.last_actor = e.meta.as_ref().map(|m| m.actor_id.clone());
                    if e.sequence == 1 {
                        row.opened_by = row.last_actor.clone();
                    }
                    row.position = e.position;
                    mark(&mut self.dirty_cases, &e.aggregate_id);
                }
                Payload::Child(ev) => {
                    let (child, pos, by) = self.children.entry(e.aggregate_id.clone()).or_default();
                    child.apply((**ev).clone());
                    *pos = e.position;
                    if e.sequence == 1 {
                        *by = e.meta.as_ref().map(|m| m.actor_id.clone());
                    }
                    mark(&mut self.dirty_children, &e.aggregate_id);
                }
                _ => {}
            }
        }
    }

    /// States held in memory.
    pub fn held(&self) -> usize {
        self.cases.len() + self.children.len()
    }

    /// Drops the states held (after a flush: they are all stored).
    pub fn forget(&mut self) {
        self.cases.clear();
        self.children.clear();
    }

    /// Writes the changed rows.
    pub async fn flush(&mut self, tx: &mut Tx, s: &str) -> Result<(), ProjectionError> {
        let mut ids: Vec<String> = self.dirty_cases.drain().collect();
        ids.sort();
        let mut rows = Vec::with_capacity(ids.len());
        let mut states = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(r) = self.cases.get(id) {
                let (row, state) = case_columns(id, r)?;
                rows.push(row);
                states.push(state);
            }
        }
        upsert(
            tx,
            &format!("pv_case{s}"),
            CASE_COLUMNS,
            &["case_id"],
            &set_all(CASE_COLUMNS),
            &rows,
        )
        .await?;
        upsert(
            tx,
            &format!("pv_case_state{s}"),
            STATE_COLUMNS,
            &["case_id"],
            &set_all(STATE_COLUMNS),
            &states,
        )
        .await?;
        let mut ids: Vec<String> = self.dirty_children.drain().collect();
        ids.sort();
        let mut rows = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some((c, pos, by)) = self.children.get(id) {
                rows.push(child_columns(id, c, *pos, by)?);
            }
        }
        upsert(
            tx,
            &format!("pv_child{s}"),
            CHILD_COLUMNS,
            &["child_id"],
            &set_all(CHILD_COLUMNS),
            &rows,
        )
        .await?;
        Ok(())
    }
}

fn child_columns(
    id: &str,
    c: &Child,
    pos: i64,
    by: &Option<String>,
) -> Result<Vec<Val>, ProjectionError> {
    let commune = c.commune();
    let groups = list(c.active_groups().iter().map(|g| g.code().to_string()));
    Ok(vec![
        id.into(),
        c.erased.into(),
        c.sex.map(|s| enum_text(&s)).into(),
        commune.map(|r| enum_text(&r.structure)).into(),
        commune.and_then(|r| places::rolled_up_province(&r)).into(),
        commune.map(|r| r.commune).into(),
        enum_text(&c.household_status).into(),
        groups.into(),
        by.clone().into(),
        pos.into(),
        serde_json::to_string(c)
            .map_err(|source| ProjectionError::Decode {
                position: pos,
                event_type: "Child".into(),
                source,
            })?
            .into(),
    ])
}
