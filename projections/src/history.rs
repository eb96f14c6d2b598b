//! A case as it stood at any moment, from its events alone (no projection): the
//! events recorded up to that moment, folded by the domain's own `apply`.

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use hoso_domain::case::Case;
use hoso_ledger::seal::Sealing;
use hoso_ledger::Ledger;

use crate::error::ProjectionError;
use crate::event::{Decoded, Meta, Payload};

/// One line of a case's timeline: who did what, in what role, when.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub position: i64,
    pub sequence: i64,
    pub event_type: String,
    /// When the action happened, as recorded in the event.
    pub at: Option<DateTime<Utc>>,
    pub meta: Option<Meta>,
    /// The event's data: its public fields with the personal ones opened
    /// (canonical JSON). The hash covers the stored public part and the
    /// sealed ciphertext, not this text.
    pub payload: String,
    /// Whether the personal fields were opened, erased, or there were none.
    pub sealing: Sealing,
    /// Fields the reader's role may not read, left out of `payload` (the
    /// service's need-to-know rule fills this in).
    pub withheld: Vec<String>,
    pub hash: String,
}

#[derive(Debug, Clone)]
pub struct CaseAsOf {
    pub case_id: String,
    pub as_of: Option<DateTime<Utc>>,
    pub state: Case,
    pub timeline: Vec<TimelineEntry>,
    /// Events recorded after `as_of` (not shown).
    pub later_events: usize,
}

/// The case as it stood at `as_of` (recorded time; `None` = now): the events
/// recorded up to then, in sequence order. `None` when no event of the case was
/// recorded by then.
pub async fn case_as_of(
    ledger: &Ledger,
    case_id: &str,
    as_of: Option<DateTime<Utc>>,
) -> Result<Option<CaseAsOf>, ProjectionError> {
    let stored = ledger.events_of(Case::TYPE, case_id, 0).await?;
    let total = stored.len();
    let mut state = Case::default();
    let mut timeline = Vec::new();
    for e in &stored {
        let opened = ledger.open_event(e).await?;
        let payload = hoso_ledger::encoding::canonical_json(&opened.payload)?;
        let d = Decoded::from_payload(e, opened.payload)?;
        let recorded = d.meta.as_ref().map(|m| m.recorded_at);
        if let (Some(limit), Some(r)) = (as_of, recorded) {
            // The record as it stood: the prefix recorded by then.
            if r > limit {
                break;
            }
        }
        let at = d.at();
        if let Payload::Case(ev) = d.payload {
            state.apply(*ev);
        }
        timeline.push(TimelineEntry {
            position: e.position,
            sequence: e.sequence,
            event_type: e.event_type.clone(),
            at,
            meta: d.meta,
            payload,
            sealing: opened.sealing,
            withheld: Vec::new(),
            hash: e.hash.iter().map(|b| format!("{b:02x}")).collect(),
        });
    }
    if timeline.is_empty() {
        return Ok(None);
    }
    Ok(Some(CaseAsOf {
        case_id: case_id.to_string(),
        as_of,
        later_events: total - timeline.len(),
        state,
        timeline,
    }))
}

/// Parses `2026-03-02T09:00:00+07:00`, `2026-03-02T02:00:00Z` or a bare date
/// `2026-03-02` (the end of that day, Vietnam time).
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, ProjectionError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(hoso_domain::calendar::end_of_local_day(d));
    }
    Err(ProjectionError::Time(s.to_string()))
}
