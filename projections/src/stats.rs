//! Statistics: counts by place and period.
//!
//! One table of counters, `ps_count`, keyed by (metric, key, place, period):
//! - place: `structure` of the record's codes, `province` rolled up to today's
//!   province (old records too), the old `district` (0 when none) and `commune`;
//! - period: `d:2026-03-02`, `m:2026-03`, `y:2026` (local date, UTC+7, of when the
//!   action happened); `all` for counts of children as they are now.
//!
//! Metrics: `cases_opened` (key empty), `opened_by_harm` (harm type),
//! `opened_by_source` (source), `cases_closed` (reason), `initial_risk` and
//! `specific_risk` (overall level), `step` (event type), `timeliness_emergency`,
//! `timeliness_plan`, `timeliness_approval` (key `met` / `missed`, counted when
//! the step is done), `children_registered`; and, period `all`, `children_group`
//! (special-circumstance group code) and `children_household` (status).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use hoso_domain::calendar::local_date;
use hoso_domain::case::{Case, CaseEvent, DeadlineKind};
use hoso_domain::child::Child;
use hoso_domain::common::CommuneRef;
use hoso_domain::places;

use crate::case_view::{enum_text as text, kind_name, load_states, mark, missing};
use crate::error::ProjectionError;
use crate::event::{Decoded, Payload};
use hoso_ledger::sql::{upsert, Tx, Val};

pub const TABLES: &[&str] = &["ps_count", "ps_case_state", "ps_child_state"];

pub const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS ps_count{s} (
        metric TEXT NOT NULL,
        key TEXT NOT NULL,
        structure TEXT NOT NULL,
        province BIGINT NOT NULL,
        district BIGINT NOT NULL,
        commune BIGINT NOT NULL,
        period TEXT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (metric, key, structure, province, district, commune, period)
    )",
    "CREATE INDEX IF NOT EXISTS ps_count_period{g} ON ps_count{s} (metric, period, province)",
    "CREATE TABLE IF NOT EXISTS ps_case_state{s} (case_id TEXT PRIMARY KEY, state TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ps_child_state{s} (child_id TEXT PRIMARY KEY, state TEXT NOT NULL)",
];

type CountKey = (String, String, String, i64, i64, i64, String);

#[derive(Default)]
struct Deltas(BTreeMap<CountKey, i64>);

impl Deltas {
    fn add(&mut self, metric: &str, key: &str, place: &CommuneRef, period: &str, n: i64) {
        let k = (
            metric.to_string(),
            key.to_string(),
            text(&place.structure),
            places::rolled_up_province(place)
                .unwrap_or(place.province)
                .into(),
            place.district.unwrap_or(0).into(),
            place.commune.into(),
            period.to_string(),
        );
        *self.0.entry(k).or_default() += n;
    }

    /// +1 in the day, month and year of `at` (local date).
    fn count(&mut self, metric: &str, key: &str, place: &CommuneRef, at: DateTime<Utc>) {
        let d = local_date(at);
        for period in [
            format!("d:{}", d.format("%Y-%m-%d")),
            format!("m:{}", d.format("%Y-%m")),
            format!("y:{}", d.format("%Y")),
        ] {
            self.add(metric, key, place, &period, 1);
        }
    }
}

/// What a child adds to the `all` counters as it stands.
fn child_contribution(c: &Child) -> Vec<(String, String, CommuneRef)> {
    let Some(place) = c.commune() else {
        return vec![];
    };
    let mut v: Vec<_> = c
        .active_groups()
        .iter()
        .map(|g| ("children_group".to_string(), g.code().to_string(), place))
        .collect();
    v.push((
        "children_household".into(),
        text(&c.household_status),
        place,
    ));
    v
}

const KINDS: [DeadlineKind; 3] = [
    DeadlineKind::Emergency,
    DeadlineKind::Plan,
    DeadlineKind::Approval,
];

fn case_event_counts(
    d: &mut Deltas,
    before: &Case,
    after: &Case,
    ev: &CaseEvent,
    event_type: &str,
) {
    let at = ev.at();
    let Some(place) = after.commune.or(before.commune) else {
        return;
    };
    d.count("step", event_type, &place, at);
    match ev {
        CaseEvent::IntakeRecorded {
            harm_types, source, ..
        } => {
            d.count("cases_opened", "", &place, at);
            for h in harm_types {
                d.count("opened_by_harm", &text(h), &place, at);
            }
            d.count("opened_by_source", &text(source), &place, at);
        }
        CaseEvent::CaseClosed { reason, .. } => d.count("cases_closed", &text(reason), &place, at),
        CaseEvent::InitialRiskAssessed { overall, .. } => {
            d.count("initial_risk", &text(overall), &place, at)
        }
        CaseEvent::SpecificRiskAssessed { overall, .. } => {
            d.count("specific_risk", &text(overall), &place, at)
        }
        _ => {}
    }
    for (kind, met) in deadlines_reached(before, after) {
        let key = if met { "met" } else { "missed" };
        d.count(&format!("timeliness_{}", kind_name(kind)), key, &place, at);
    }
}

/// Deadlines whose step this event did: (kind, met in time).
pub fn deadlines_reached(before: &Case, after: &Case) -> Vec<(DeadlineKind, bool)> {
    let Some(deadlines) = after.deadlines else {
        return vec![];
    };
    KINDS
        .into_iter()
        .filter(|k| before.deadline_done_at(*k).is_none())
        .filter_map(|k| {
            let done = after.deadline_done_at(k)?;
            let due = match k {
                DeadlineKind::Emergency => deadlines.emergency,
                DeadlineKind::Plan => deadlines.plan,
                DeadlineKind::Approval => deadlines.approval,
            };
            Some((k, done <= due))
        })
        .collect()
}

/// Rows (id, state JSON) of the changed states; `dirty` is emptied.
pub(crate) fn state_rows<A: serde::Serialize>(
    states: &HashMap<String, A>,
    dirty: &mut HashSet<String>,
) -> Result<Vec<Vec<Val>>, ProjectionError> {
    let mut ids: Vec<String> = dirty.drain().collect();
    ids.sort();
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(state) = states.get(&id) else {
            continue;
        };
        let s = serde_json::to_string(state).map_err(|source| ProjectionError::Decode {
            position: 0,
            event_type: format!("state of {id}"),
            source,
        })?;
        rows.push(vec![Val::Text(id), Val::Text(s)]);
    }
    Ok(rows)
}

/// Statistics while folding events: the case and child states held, the
/// counter deltas and the states changed since the last flush.
#[derive(Default)]
pub struct Fold {
    cases: HashMap<String, Case>,
    children: HashMap<String, Child>,
    deltas: Deltas,
    dirty_cases: HashSet<String>,
    dirty_children: HashSet<String>,
}

impl Fold {
    pub async fn load(
        &mut self,
        tx: &mut Tx,
        s: &str,
        events: &[Decoded],
    ) -> Result<(), ProjectionError> {
        let absent = missing(events, "Case", &self.cases);
        self.cases.extend(
            load_states::<Case>(tx, &format!("ps_case_state{s}"), "case_id", &absent).await?,
        );
        let absent = missing(events, "Child", &self.children);
        self.children.extend(
            load_states::<Child>(tx, &format!("ps_child_state{s}"), "child_id", &absent).await?,
        );
        Ok(())
    }

    pub fn apply(&mut self, events: &[Decoded]) {
        let d = &mut self.deltas;
        for e in events {
            match &e.payload {
                Payload::Case(ev) => {
                    let case = self.cases.entry(e.aggregate_id.clone()).or_default();
                    let before = case.clone();
                    case.apply((**ev).clone());
                    case_event_counts(d, &before, case, ev, &e.event_type);
                    mark(&mut self.dirty_cases, &e.aggregate_id);
                }
                Payload::Child(ev) => {
                    let child = self.children.entry(e.aggregate_id.clone()).or_default();
                    let before = child_contribution(child);
                    let was_registered = child.registered;
                    child.apply((**ev).clone());
                    for (m, k, p) in before {
                        d.add(&m, &k, &p, "all", -1);
                    }
                    for (m, k, p) in child_contribution(child) {
                        d.add(&m, &k, &p, "all", 1);
                    }
                    if !was_registered && child.registered {
                        if let Some(p) = child.commune() {
                            d.count("children_registered", "", &p, ev.at());
                        }
                    }
                    mark(&mut self.dirty_children, &e.aggregate_id);
                }
                _ => {}
            }
        }
    }

    pub fn held(&self) -> usize {
        self.cases.len() + self.children.len()
    }

    pub fn forget(&mut self) {
        self.cases.clear();
        self.children.clear();
    }

    pub async fn flush(&mut self, tx: &mut Tx, s: &str) -> Result<(), ProjectionError> {
        let rows: Vec<Vec<Val>> = std::mem::take(&mut self.deltas)
            .0
            .into_iter()
            // Zero deltas are written too, so live and rebuilt tables have the same rows
            // whatever the batch boundaries.
            .map(|((m, k, st, p, di, c, per), n)| {
                vec![
                    m.into(),
                    k.into(),
                    st.into(),
                    p.into(),
                    di.into(),
                    c.into(),
                    per.into(),
                    n.into(),
                ]
            })
            .collect();
        upsert(
            tx,
            &format!("ps_count{s}"),
            &[
                "metric",
                "key",
                "structure",
                "province",
                "district",
                "commune",
                "period",
                "count",
            ],
            &[
                "metric",
                "key",
                "structure",
                "province",
                "district",
                "commune",
                "period",
            ],
            "count = t.count + excluded.count",
            &rows,
        )
        .await?;
        let rows = state_rows(&self.cases, &mut self.dirty_cases)?;
        upsert(
            tx,
            &format!("ps_case_state{s}"),
            &["case_id", "state"],
            &["case_id"],
            "state = excluded.state",
            &rows,
        )
        .await?;
        let rows = state_rows(&self.children, &mut self.dirty_children)?;
        upsert(
            tx,
            &format!("ps_child_state{s}"),
            &["child_id", "state"],
            &["child_id"],
            "state = excluded.state",
            &rows,
        )
        .await?;
        Ok(())
    }
}
