//! The access log as a table with indexes: one row per `RecordRead`, so that
//! inspectors can list reads by officer, by record and by the province of the
//! record read (`subject_province`) without scanning event payloads. Public fields only: the reason and the client
//! address are sealed in the events and opened by the service for inspectors.

use hoso_domain::access::AccessEvent;
use hoso_domain::common::Unit;
use hoso_ledger::sql::{append_rows, Tx, Val};

use crate::error::ProjectionError;
use crate::event::{Decoded, Payload};

pub const TABLES: &[&str] = &["pa_read"];

pub const DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS pa_read{s} (
        position BIGINT PRIMARY KEY,
        officer_id TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        role TEXT NOT NULL,
        unit TEXT NOT NULL,
        province BIGINT,
        recorded_at TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        subject_unit TEXT,
        subject_province BIGINT,
        what TEXT NOT NULL,
        results BIGINT,
        request_id TEXT
    )",
    "CREATE INDEX IF NOT EXISTS pa_read_officer{g} ON pa_read{s} (officer_id, position)",
    "CREATE INDEX IF NOT EXISTS pa_read_subject{g} ON pa_read{s} (subject_id, position)",
    "CREATE INDEX IF NOT EXISTS pa_read_province{g} ON pa_read{s} (subject_province, position)",
];

const COLUMNS: &[&str] = &[
    "position",
    "officer_id",
    "sequence",
    "role",
    "unit",
    "province",
    "recorded_at",
    "subject_type",
    "subject_id",
    "subject_unit",
    "subject_province",
    "what",
    "results",
    "request_id",
];

/// The access log while folding events: rows not written yet.
#[derive(Default)]
pub struct Fold {
    rows: Vec<Vec<Val>>,
}

impl Fold {
    pub fn apply(&mut self, events: &[Decoded]) -> Result<(), ProjectionError> {
        self.rows.extend(rows(events)?);
        Ok(())
    }

    pub fn pending(&self) -> usize {
        self.rows.len()
    }

    pub async fn flush(&mut self, tx: &mut Tx, s: &str) -> Result<(), ProjectionError> {
        append_rows(
            tx,
            &format!("pa_read{s}"),
            COLUMNS,
            &std::mem::take(&mut self.rows),
        )
        .await?;
        Ok(())
    }
}

fn rows(events: &[Decoded]) -> Result<Vec<Vec<Val>>, ProjectionError> {
    let mut rows = Vec::new();
    for e in events {
        let Payload::Access(a) = &e.payload else {
            continue;
        };
        let meta = e.meta.as_ref().ok_or_else(|| ProjectionError::Malformed {
            position: e.position,
            reason: "an access record without metadata".into(),
        })?;
        let province = Unit::parse_code(&meta.unit).and_then(|u| u.province());
        // A sign-in is a row about the account itself (subject `Account`,
        // in the officer's unit), so that the area's inspector lists it.
        let r = match a.as_ref() {
            AccessEvent::RecordRead(r) => r.clone(),
            AccessEvent::SignIn(s) => hoso_domain::access::RecordRead {
                at: s.at,
                subject_type: "Account".into(),
                subject_id: e.aggregate_id.clone(),
                subject_unit: Some(meta.unit.clone()),
                what: format!("sign_in_{}", s.outcome.as_str()),
                query: None,
                results: None,
                reason: None,
                client_ip: None,
                request_id: s.request_id.clone(),
            },
            AccessEvent::SessionEnded(s) => hoso_domain::access::RecordRead {
                at: s.at,
                subject_type: "Account".into(),
                subject_id: e.aggregate_id.clone(),
                subject_unit: Some(meta.unit.clone()),
                what: format!("session_ended_{}", s.how),
                query: Some(s.token_id.clone()),
                results: None,
                reason: None,
                client_ip: None,
                request_id: None,
            },
        };
        // The province of the record read; reads recorded before records
        // named their unit count for the reader's province.
        let subject_province = match &r.subject_unit {
            Some(u) => Unit::parse_code(u).and_then(|u| u.province()),
            None => province,
        };
        rows.push(vec![
            Val::Int(e.position),
            Val::from(e.aggregate_id.as_str()),
            Val::Int(e.sequence),
            Val::from(meta.role.as_str()),
            Val::from(meta.unit.as_str()),
            Val::from(province),
            Val::from(meta.recorded_at),
            Val::from(r.subject_type.as_str()),
            Val::from(r.subject_id.as_str()),
            Val::from(r.subject_unit.clone()),
            Val::from(subject_province),
            Val::from(r.what.as_str()),
            Val::from(r.results.map(|n| n as i64)),
            Val::from(r.request_id.clone()),
        ]);
    }
    Ok(rows)
}
