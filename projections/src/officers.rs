//! Officer history: every event each officer caused (case, step, role, unit,
//! time), per-officer counts (cases handled, legal deadlines met and missed by
//! the steps they did), and trainings attended.

use std::collections::HashMap;

use cqrs_es::Aggregate;
use hoso_domain::case::Case;
use hoso_domain::officer::Officer;

use crate::case_view::{ids_of, load_states};
use crate::error::ProjectionError;
use crate::event::{Decoded, Payload};
use crate::stats::deadlines_reached;
use hoso_ledger::sql::{upsert, Tx, Val};

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

pub async fn apply(tx: &mut Tx, s: &str, events: &[Decoded]) -> Result<(), ProjectionError> {
    let officer_table = format!("po_officer{s}");
    let case_state_table = format!("po_case_state{s}");
    let mut actors: Vec<String> = events
        .iter()
        .filter_map(|e| e.meta.as_ref().map(|m| m.actor_id.clone()))
        .chain(ids_of(events, "Officer"))
        .collect();
    actors.sort();
    actors.dedup();
    // Officers: load state and counters.
    let mut officers: HashMap<String, OfficerRow> = HashMap::new();
    for chunk in actors.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT officer_id, state, deadlines_met, deadlines_missed FROM {officer_table} WHERE officer_id IN ({marks})"
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
            officers.insert(
                id,
                OfficerRow {
                    officer,
                    met: row.int("deadlines_met")?,
                    missed: row.int("deadlines_missed")?,
                },
            );
        }
    }
    let mut cases =
        load_states::<Case>(tx, &case_state_table, "case_id", &ids_of(events, "Case")).await?;
    let mut event_rows = Vec::new();
    let mut case_rows = Vec::new();
    let mut touched_cases = Vec::new();
    for e in events {
        if let Payload::Officer(ev) = &e.payload {
            officers
                .entry(e.aggregate_id.clone())
                .or_default()
                .officer
                .apply((**ev).clone());
        }
        let reached = if let Payload::Case(ev) = &e.payload {
            let case = cases.entry(e.aggregate_id.clone()).or_default();
            let before = case.clone();
            case.apply((**ev).clone());
            touched_cases.push(e.aggregate_id.clone());
            deadlines_reached(&before, case)
        } else {
            vec![]
        };
        // Reads (the access log) are not actions: officer histories are what
        // each officer caused.
        if e.aggregate_type == "AccessLog" {
            continue;
        }
        let Some(meta) = &e.meta else { continue };
        let row = officers.entry(meta.actor_id.clone()).or_default();
        for (_, met) in reached {
            if met {
                row.met += 1;
            } else {
                row.missed += 1;
            }
        }
        event_rows.push(vec![
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
            case_rows.push(vec![
                meta.actor_id.clone().into(),
                e.aggregate_id.clone().into(),
            ]);
        }
    }
    upsert(
        tx,
        &format!("po_event{s}"),
        &[
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
        ],
        &["position"],
        "",
        &event_rows,
    )
    .await?;
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
    let mut rows = Vec::new();
    for id in &actors {
        let Some(r) = officers.get(id) else { continue };
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
        &officer_table,
        OFFICER_COLUMNS,
        &["officer_id"],
        &set,
        &rows,
    )
    .await?;
    touched_cases.sort();
    touched_cases.dedup();
    let state_rows: Vec<Vec<Val>> = touched_cases
        .iter()
        .filter_map(|id| {
            Some(vec![
                Val::Text(id.clone()),
                Val::Text(serde_json::to_string(cases.get(id)?).ok()?),
            ])
        })
        .collect();
    upsert(
        tx,
        &case_state_table,
        &["case_id", "state"],
        &["case_id"],
        "state = excluded.state",
        &state_rows,
    )
    .await?;
    Ok(())
}
