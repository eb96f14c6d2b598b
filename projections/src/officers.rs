//! Officer history: every event each officer caused (case, step, role, unit,
//! time), per-officer counts (cases handled, legal deadlines met and missed by
//! the steps they did), and trainings attended.

use std::collections::{HashMap, HashSet};

use cqrs_es::Aggregate;
use hoso_domain::case::Case;
use hoso_domain::officer::Officer;

use crate::case_view::{ids_of, load_states, mark, missing};
use crate::error::ProjectionError;
use crate::event::{Decoded, Payload};
use crate::stats::{deadlines_reached, state_rows};
use hoso_ledger::sql::{append_rows, upsert, Tx, Val};

pub const TABLES: &[&str] = &["po_event", "po_officer", "po_case", "po_case_state"];

pub const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS po_event{s} (
        position BIGINT PRIMARY KEY,
        officer_id TEXT NOT NULL,
        role TEXT NOT NULL,
        unit TEXT NOT NULL,
        aggregate_type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        event_type TEXT NOT NULL,
        at TEXT,
        recorded_at TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS po_event_officer{g} ON po_event{s} (officer_id, recorded_at)",
    "CREATE TABLE IF NOT EXISTS po_officer{s} (
        officer_id TEXT PRIMARY KEY,
        role TEXT,
        unit TEXT,
        active BIGINT NOT NULL,
        deadlines_met BIGINT NOT NULL,
        deadlines_missed BIGINT NOT NULL,
        state TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS po_case{s} (
        officer_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        PRIMARY KEY (officer_id, case_id)
    )",
    "CREATE TABLE IF NOT EXISTS po_case_state{s} (case_id TEXT PRIMARY KEY, state TEXT NOT NULL)",
];

#[derive(Default)]
struct OfficerRow {
    officer: Officer,
    met: i64,
    missed: i64,
}

const OFFICER_COLUMNS: &[&str] = &[
    "officer_id",
    "role",
    "unit",
    "active",
    "deadlines_met",
    "deadlines_missed",
    "state",
];

const EVENT_COLUMNS: &[&str] = &[
    "position",
    "officer_id",
    "role",
    "unit",
    "aggregate_type",
    "aggregate_id",
    "sequence",
    "event_type",
    "at",
    "recorded_at",
];

/// Officer histories while folding events: the officer and case states held,
/// the event rows and (officer, case) pairs not written yet, and the states
/// changed since the last flush.
#[derive(Default)]
pub struct Fold {
    officers: HashMap<String, OfficerRow>,
    cases: HashMap<String, Case>,
    event_rows: Vec<Vec<Val>>,
    case_rows: Vec<Vec<Val>>,
    dirty_officers: HashSet<String>,
    dirty_cases: HashSet<String>,
}

impl Fold {
    pub async fn load(
        &mut self,
        tx: &mut Tx,
        s: &str,
        events: &[Decoded],
    ) -> Result<(), ProjectionError> {
        let mut actors: Vec<String> = events
            .iter()
            .filter_map(|e| e.meta.as_ref().map(|m| m.actor_id.clone()))
            .chain(ids_of(events, "Officer"))
            .filter(|id| !self.officers.contains_key(id))
            .collect();
        actors.sort();
        actors.dedup();
        for chunk in actors.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT officer_id, state, deadlines_met, deadlines_missed FROM po_officer{s} WHERE officer_id IN ({marks})"
            );
            let params: Vec<Val> = chunk.iter().map(|i| Val::Text(i.clone())).collect();
            for row in tx.rows(&sql, &params).await? {
                let id = row.text("officer_id")?;
                let officer = serde_json::from_str(&row.text("state")?).map_err(|source| {
                    ProjectionError::Decode {
                        position: 0,
                        event_type: format!("stored Officer state of {id}"),
                        source,
                    }
                })?;
                self.officers.insert(
                    id,
                    OfficerRow {
                        officer,
                        met: row.int("deadlines_met")?,
                        missed: row.int("deadlines_missed")?,
                    },
                );
            }
        }
        let absent = missing(events, "Case", &self.cases);
        self.cases.extend(
            load_states::<Case>(tx, &format!("po_case_state{s}"), "case_id", &absent).await?,
        );
        Ok(())
    }

    pub fn apply(&mut self, events: &[Decoded]) {
        for e in events {
            if let Payload::Officer(ev) = &e.payload {
                self.officers
                    .entry(e.aggregate_id.clone())
                    .or_default()
                    .officer
                    .apply((**ev).clone());
                mark(&mut self.dirty_officers, &e.aggregate_id);
            }
            let reached = if let Payload::Case(ev) = &e.payload {
                let case = self.cases.entry(e.aggregate_id.clone()).or_default();
                let before = case.clone();
                case.apply((**ev).clone());
                mark(&mut self.dirty_cases, &e.aggregate_id);
                deadlines_reached(&before, case)
            } else {
                vec![]
            };
            if e.aggregate_type == "AccessLog" {
                continue;
            }
            let Some(meta) = &e.meta else { continue };
            let row = self.officers.entry(meta.actor_id.clone()).or_default();
            mark(&mut self.dirty_officers, &meta.actor_id);
            for (_, met) in reached {
                if met {
                    row.met += 1;
                } else {
                    row.missed += 1;
                }
            }
            self.event_rows.push(vec![
                e.position.into(),
                meta.actor_id.clone().into(),
                meta.role.clone().into(),
                meta.unit.clone().into(),
                e.aggregate_type.clone().into(),
                e.aggregate_id.clone().into(),
                e.sequence.into(),
                e.event_type.clone().into(),
                e.at().into(),
                meta.recorded_at.into(),
            ]);
            if e.aggregate_type == "Case" {
                self.case_rows.push(vec![
                    meta.actor_id.clone().into(),
                    e.aggregate_id.clone().into(),
                ]);
            }
        }
    }

    pub fn held(&self) -> usize {
        self.officers.len() + self.cases.len()
    }

    pub fn forget(&mut self) {
        self.officers.clear();
        self.cases.clear();
    }

    /// Rows of events and (officer, case) pairs waiting.
    pub fn appended(&self) -> usize {
        self.event_rows.len() + self.case_rows.len()
    }

    /// Writes the rows of events and the (officer, case) pairs only.
    pub async fn flush_appended(&mut self, tx: &mut Tx, s: &str) -> Result<(), ProjectionError> {
        append_rows(
            tx,
            &format!("po_event{s}"),
            EVENT_COLUMNS,
            &std::mem::take(&mut self.event_rows),
        )
        .await?;
        let mut case_rows = std::mem::take(&mut self.case_rows);
        case_rows.sort();
        case_rows.dedup();
        upsert(
            tx,
            &format!("po_case{s}"),
            &["officer_id", "case_id"],
            &["officer_id", "case_id"],
            "",
            &case_rows,
        )
        .await?;
        Ok(())
    }

    pub async fn flush(&mut self, tx: &mut Tx, s: &str) -> Result<(), ProjectionError> {
        self.flush_appended(tx, s).await?;
        let mut ids: Vec<String> = self.dirty_officers.drain().collect();
        ids.sort();
        let mut rows = Vec::with_capacity(ids.len());
        for id in &ids {
            let Some(r) = self.officers.get(id) else {
                continue;
            };
            let state =
                serde_json::to_string(&r.officer).map_err(|source| ProjectionError::Decode {
                    position: 0,
                    event_type: "Officer".into(),
                    source,
                })?;
            rows.push(vec![
                id.as_str().into(),
                r.officer.role().map(|r| r.as_str()).into(),
                r.officer.unit().map(|u| u.code()).into(),
                r.officer.active.into(),
                r.met.into(),
                r.missed.into(),
                state.into(),
            ]);
        }
        let set = OFFICER_COLUMNS[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        upsert(
            tx,
            &format!("po_officer{s}"),
            OFFICER_COLUMNS,
            &["officer_id"],
            &set,
            &rows,
        )
        .await?;
        let rows = state_rows(&self.cases, &mut self.dirty_cases)?;
        upsert(
            tx,
            &format!("po_case_state{s}"),
            &["case_id", "state"],
            &["case_id"],
            "state = excluded.state",
            &rows,
        )
        .await?;
        Ok(())
    }
}
