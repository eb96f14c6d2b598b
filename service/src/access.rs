//! The access log: every read of a case, a child, an officer's history or an
//! export is recorded — who, what, when, why (the reason the reader gave),
//! from where (client address, request id) — as a `RecordRead` event of the
//! reading officer's `AccessLog` chain in the event store itself. So the
//! records are append-only, hash-chained, in the global order and covered by
//! `hoso verify` like every other event. Inspectors and admins list them from
//! the `access_log` projection.

use hoso_domain::access::{AccessEvent, RecordRead, AGGREGATE_TYPE};
use hoso_domain::common::{CommuneRef, Structure, Unit};
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

/// One read, as the access log keeps it.
#[derive(Debug, Clone, Default)]
pub struct Read {
    /// `Case`, `Child`, `Officer`, `Export`, `CaseList`, …
    pub subject_type: String,
    pub subject_id: String,
    /// The unit the record belongs to (`Unit::code`), when it has one.
    pub subject_unit: Option<String>,
    /// e.g. `case_view`, `case_list`.
    pub what: String,
    /// Lists and searches: the filters as asked.
    pub query: Option<String>,
    /// Lists and searches: how many records matched.
    pub results: Option<u64>,
}

impl Read {
    pub fn of(subject_type: &str, subject_id: &str, what: &str) -> Read {
        Read {
            subject_type: subject_type.into(),
            subject_id: subject_id.into(),
            what: what.into(),
            ..Read::default()
        }
    }

    /// A read of a record of `commune`.
    pub fn in_commune(mut self, commune: Option<&CommuneRef>) -> Read {
        self.subject_unit = commune.map(unit_of);
        self
    }

    /// A list or search: what was asked and how many matched.
    pub fn listing(mut self, query: String, results: u64) -> Read {
        self.query = (!query.is_empty()).then_some(query);
        self.results = Some(results);
        self
    }
}

/// The unit code of a commune record: today's commune, or the province an old
/// (pre-2025) commune rolls up to.
pub fn unit_of(c: &CommuneRef) -> String {
    match c.structure {
        Structure::Y2025 => Unit::Commune {
            province: c.province,
            commune: c.commune,
        }
        .code(),
        Structure::Pre2025 => match hoso_domain::places::rolled_up_province(c) {
            Some(province) => Unit::Province { province }.code(),
            None => Unit::National.code(),
        },
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
    record_read(svc, me, ctx, Read::of(subject_type, subject_id, what)).await
}

/// `record` with everything a read can say. An inspector's read without a
/// reason is refused here, before anything is shown.
pub async fn record_read(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    read: Read,
) -> Result<(), Error> {
    me.sight().check_reason(ctx.reason.as_deref())?;
    let at = now();
    let event = AccessEvent::RecordRead(RecordRead {
        at,
        subject_type: read.subject_type,
        subject_id: read.subject_id,
        subject_unit: read.subject_unit,
        what: read.what,
        query: read.query,
        results: read.results,
        reason: ctx.reason.clone(),
        client_ip: ctx.client_ip.clone(),
        request_id: ctx.request_id.clone(),
    });
    append(svc, &me.actor, &me.auth, &event, at).await
}

/// Records a sign-in to a known account in its access chain: who (the
/// account's officer), how it ended, from where. `auth` says which session
/// it opened (`session:<token id>`), or `password` when refused.
pub async fn record_sign_in(
    svc: &Service,
    actor: &hoso_domain::common::Actor,
    auth: &str,
    ctx: &ReadContext,
    outcome: hoso_domain::access::SignInOutcome,
) -> Result<(), Error> {
    let at = now();
    let event = AccessEvent::SignIn(hoso_domain::access::SignIn {
        at,
        outcome,
        method: "password".into(),
        client_ip: ctx.client_ip.clone(),
        request_id: ctx.request_id.clone(),
    });
    append(svc, actor, auth, &event, at).await
}

/// Records that one of the officer's sessions ended early (`signed_out` or
/// `revoked`), in their access chain.
pub async fn record_session_end(
    svc: &Service,
    me: &Me,
    token_id: &str,
    how: &str,
) -> Result<(), Error> {
    let at = now();
    let event = AccessEvent::SessionEnded(hoso_domain::access::SessionEnded {
        at,
        token_id: token_id.to_string(),
        how: how.to_string(),
    });
    append(svc, &me.actor, &me.auth, &event, at).await
}

/// Appends `event` to the access chain of `actor`.
async fn append(
    svc: &Service,
    actor: &hoso_domain::common::Actor,
    auth: &str,
    event: &AccessEvent,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), Error> {
    let canonical = |v: serde_json::Value| {
        hoso_ledger::encoding::canonical_json(&v)
            .map_err(|e| Error::Internal(format!("canonical JSON: {e}")))
    };
    let payload = canonical(
        serde_json::to_value(event).map_err(|e| Error::Internal(format!("access record: {e}")))?,
    )?;
    let metadata = canonical(json!(crate::app::metadata(actor, auth, at)))?;
    let officer = actor.officer_id.as_str();
    let ledger = svc.ledger();
    // The chain's head as this process last wrote it, if it did: no read
    // first. A stale one (another process appended) is a conflict, and the
    // next attempt asks the store.
    let mut known = ledger.known_last_sequence(AGGREGATE_TYPE, officer);
    for _ in 0..8 {
        let last = match known.take() {
            Some(last) => last,
            None => ledger.last_sequence(AGGREGATE_TYPE, officer).await?,
        };
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

/// The access log for inspectors, newest first: a provincial inspector sees
/// the reads of their province's records (by whoever made them). Reading the
/// log is itself logged.
pub async fn list(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    q: AccessQuery,
) -> Result<Vec<AccessRow>, Error> {
    if !me.sight().reads_access_log() {
        return Err(Error::Forbidden(format!(
            "a {} may not read the access log",
            me.role().as_str()
        )));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "from 1 to 500"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(Error::invalid("offset", "not negative"));
    }
    me.sight().check_reason(ctx.reason.as_deref())?;
    let asked = {
        let mut asked = form_urlencoded::Serializer::new(String::new());
        if let Some(o) = &q.officer {
            asked.append_pair("officer", o);
        }
        if let Some(s) = &q.subject {
            asked.append_pair("subject", s);
        }
        asked.append_pair("limit", &limit.to_string());
        asked.append_pair("offset", &offset.to_string());
        asked.finish()
    };
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
        match serde_json::from_value::<AccessEvent>(payload) {
            Ok(AccessEvent::RecordRead(r)) => {
                opened.insert(e.position, (r.reason, r.client_ip, r.query));
            }
            Ok(AccessEvent::SignIn(s)) => {
                opened.insert(e.position, (None, s.client_ip, None));
            }
            Ok(AccessEvent::SessionEnded(s)) => {
                opened.insert(e.position, (None, None, Some(s.token_id)));
            }
            Err(_) => {}
        }
    }
    for row in &mut rows {
        if let Some((reason, client_ip, query)) = opened.remove(&row.position) {
            row.reason = reason;
            row.client_ip = client_ip;
            row.query = query;
        }
    }
    let read = Read {
        subject_unit: Some(me.actor.unit.code()),
        ..Read::of("AccessLog", "", "access_log")
    };
    record_read(svc, me, ctx, read.listing(asked, rows.len() as u64)).await?;
    Ok(rows)
}
