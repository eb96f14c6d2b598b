//! What an official form (Mẫu số 01–06, the meeting minutes) is printed from:
//! the case as it stood at a moment (its events recorded by then), the child's
//! record as it stood then, and the names of the officers who signed. Under the
//! same rule as every read of a case: only a case the officer can see, and the
//! read is logged (`form:mau-01`, …), since a printed form carries the child's
//! details out of the system.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use hoso_domain::child::{Child, ChildEvent};
use hoso_projections::history::CaseAsOf;

use crate::access::{self, ReadContext};
use crate::{cases, ids, officers, Error, Me, Service};

/// Everything a form is filled from.
#[derive(Debug, Clone)]
pub struct FormSource {
    pub case: CaseAsOf,
    /// The child's record as it stood at the same moment.
    pub child: Option<Child>,
    /// Officer id → full name (as registered now), for the signature blocks.
    pub officer_names: BTreeMap<String, String>,
}

/// An aggregate folded from the events recorded up to `as_of` (all when `None`).
async fn child_as_of(
    svc: &Service,
    id: &str,
    as_of: Option<DateTime<Utc>>,
) -> Result<Option<Child>, Error> {
    let mut child = Child::default();
    for e in svc.ledger().events_of(Child::TYPE, id, 0).await? {
        let meta: serde_json::Value = serde_json::from_str(&e.metadata)
            .map_err(|err| Error::Internal(format!("event {}: {err}", e.position)))?;
        // The personal part opened with the child's data key (empty once erased).
        let opened = svc.ledger().open_event(&e).await?;
        let recorded = meta["recorded_at"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        if let (Some(limit), Some(r)) = (as_of, recorded) {
            if r > limit {
                break;
            }
        }
        let event: ChildEvent = serde_json::from_value(opened.payload)
            .map_err(|err| Error::Internal(format!("event {}: {err}", e.position)))?;
        child.apply(event);
    }
    Ok(child.registered.then_some(child))
}

/// The source of form `form` (its code, for the access log) of a case the
/// officer can see, as of `as_of` (`None`: now).
pub async fn form_source(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    case_id: &str,
    as_of: Option<DateTime<Utc>>,
    form: &str,
) -> Result<FormSource, Error> {
    let visible = cases::visible_case(svc, me, case_id).await?;
    me.sight().check_reason(ctx.reason.as_deref())?;
    // The same record every face shows: fields the officer may not read
    // (the reporter's identity) withheld before a form is filled from it.
    let case = cases::record_as_of(svc, me, case_id, as_of).await?;
    let child = match &case.state.child_id {
        Some(id) if ids::check("child_id", id).is_ok() => child_as_of(svc, id, as_of).await?,
        _ => None,
    };
    let officer_names = officers::names(
        svc,
        case.timeline
            .iter()
            .filter_map(|e| e.meta.as_ref().map(|m| m.actor_id.clone()))
            .chain(case.state.responsible_worker.clone()),
    )
    .await?;
    access::record_read(
        svc,
        me,
        ctx,
        cases::case_read(case_id, &visible, &format!("form:{form}")),
    )
    .await?;
    Ok(FormSource {
        case,
        child,
        officer_names,
    })
}
