//! The access log: every read of a case, a child, an officer's history or an
//! export is recorded — who, what, when, why (the reason the reader gave),
//! from where (client address, request id) — as a `RecordRead` event of the
//! reading officer's `AccessLog` chain in the event store itself. So the
//! records are append-only, hash-chained, in the global order and covered by
//! `hoso verify` like every other event. Inspectors and admins list them from
//! the `access_log` projection.

use hoso_domain::access::{AccessEvent, RecordRead, AGGREGATE_TYPE};
use hoso_domain::common::Role;
use hoso_ledger::{LedgerError, NewEvent};
use hoso_projections::read::{self, AccessFilter, AccessRow};
use hoso_projections::Projection;
use serde_json::json;

use crate::{now, Error, Me, Service};

/// Longest reason accepted.
pub const MAX_REASON: usize = 500;

/// Why and from where a read is made; taken from the request, not a body.
#[derive(Debug, Clone, Default)]
pub struct ReadContext {
    pub reason: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

impl ReadContext {
    /// A reason as given: trimmed, empty is none, at most `MAX_REASON` characters.
    pub fn reason(given: Option<&str>) -> Result<Option<String>, Error> {
        let reason = given.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_REASON) {
            return Err(Error::invalid(
                "reason",
                format!("at most {MAX_REASON} characters"),
            ));
        }
        Ok(reason.map(str::to_string))
    }
}

/// Appends one access record to the reading officer's chain; retried when
/// another read by the same officer took the sequence first.
pub async fn record(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    subject_type: &str,
    subject_id: &str,
    what: &str,
) -> Result<(), Error> {
    let at = now();
    let event = AccessEvent::RecordRead(RecordRead {
        at,
        subject_type: subject_type.into(),
        subject_id: subject_id.into(),
        what: what.into(),
        reason: ctx.reason.clone(),
        client_ip: ctx.client_ip.clone(),
        request_id: ctx.request_id.clone(),
    });
    let canonical = |v: serde_json::Value| {
        hoso_ledger::encoding::canonical_json(&v)
            .map_err(|e| Error::Internal(format!("canonical JSON: {e}")))
    };
    let payload = canonical(
        serde_json::to_value(&event).map_err(|e| Error::Internal(format!("access record: {e}")))?,
    )?;
    let metadata = canonical(json!(crate::app::metadata(&me.actor, at)))?;
    let officer = me.actor.officer_id.as_str();
    let ledger = svc.ledger();
    for _ in 0..8 {
        let last = ledger.last_sequence(AGGREGATE_TYPE, officer).await?;
        let new = NewEvent {
            aggregate_type: AGGREGATE_TYPE.to_string(),
            aggregate_id: officer.to_string(),
            sequence: last as u64 + 1,
            event_type: event.event_type().to_string(),
            event_version: "1".to_string(),
            payload: payload.clone(),
            metadata: metadata.clone(),
        };
        match ledger.append(vec![new]).await {
            Ok(()) => return Ok(()),
            Err(LedgerError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Internal(
        "the access record could not be appended".into(),
    ))
}

/// Which reads to list.
#[derive(Debug, Clone, Default)]
pub struct AccessQuery {
    pub officer: Option<String>,
    pub subject: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The access log for inspectors and admins, newest first: a provincial
/// inspector sees the reads made by officers of their province.
pub async fn list(svc: &Service, me: &Me, q: AccessQuery) -> Result<Vec<AccessRow>, Error> {
    me.require(&[Role::Inspector, Role::Admin], "read the access log")?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "from 1 to 500"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(Error::invalid("offset", "not negative"));
    }
    let mut f = AccessFilter {
        officer: q.officer,
        subject: q.subject,
        province: None,
        limit,
        offset,
    };
    me.area().narrow_access(&mut f);
    crate::refresh(svc.ledger(), Projection::AccessLog).await?;
    let mut rows = read::access_log(svc.db(), &f).await?;
    // The reason and the client address are personal: sealed in the events,
    // opened here for the inspector (gone once the reader's data is erased).
    let positions: Vec<i64> = rows.iter().map(|r| r.position).collect();
    let ledger = svc.ledger();
    let mut opened = std::collections::HashMap::new();
    for e in ledger.events_at(&positions).await? {
        let payload = ledger.open_event(&e).await?.payload;
        if let Ok(AccessEvent::RecordRead(r)) = serde_json::from_value::<AccessEvent>(payload) {
            opened.insert(e.position, r);
        }
    }
    for row in &mut rows {
        if let Some(r) = opened.remove(&row.position) {
            row.reason = r.reason;
            row.client_ip = r.client_ip;
        }
    }
    Ok(rows)
}
