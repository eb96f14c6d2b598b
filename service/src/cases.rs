//! Cases: intake (a new case with a service-assigned id), every later step, the
//! case list of the officer's area, one case now, and its timeline as of any
//! moment. An officer sees the cases that `sight` lets them read; any other
//! case is `NotFound`, so its existence does not leak. Every record a command
//! names (the child of an intake, a linked case, a worker) must be one the
//! officer may read too.

use chrono::{DateTime, Utc};
use hoso_domain::case::{Case, CaseAction, CaseCommand, CaseStatus, Intake};
use hoso_domain::child::CircumstanceGroup;
use hoso_domain::common::{CommuneRef, HarmType, RiskLevel, Role, Structure, Unit};
use hoso_projections::history::{case_as_of, CaseAsOf};
use hoso_projections::read::{self, CaseFilter, CaseRow, Page};
use hoso_projections::Projection;
use serde_json::Value;

use crate::access::{self, Read, ReadContext};
use crate::error::{aggregate, Rule};
use crate::sight::{opener, Cases};
use crate::{children, ids, now, Error, Me, Service};

/// The case if it exists and the officer may see it; `NotFound` otherwise.
pub async fn visible_case(svc: &Service, me: &Me, id: &str) -> Result<Case, Error> {
    ids::check("id", id)?;
    let sight = me.sight();
    if sight.cases() == Cases::None {
        return Err(Error::not_found("case"));
    }
    let case = svc
        .app
        .current_case(id)
        .await
        .map_err(|e| aggregate(e, Rule::Case))?;
    let Some(c) = case.commune.filter(|_| case.is_opened()) else {
        return Err(Error::not_found("case"));
    };
    let opened_by = match sight.cases() {
        Cases::OpenedBy(_) => opener(
            svc.ledger()
                .first_metadata(<Case as cqrs_es::Aggregate>::TYPE, id)
                .await?
                .as_deref(),
        ),
        _ => None,
    };
    if sight.sees_case(&c, opened_by.as_deref()) {
        Ok(case)
    } else {
        Err(Error::not_found("case"))
    }
}

/// The officer named as a case's responsible worker: registered, active
/// today, a commune worker of the case's commune.
async fn check_worker(
    svc: &Service,
    field: &str,
    officer_id: &str,
    commune: &CommuneRef,
) -> Result<(), Error> {
    ids::check(field, officer_id)?;
    let ok = match crate::accounts::current_actor(svc, officer_id).await? {
        Some((a, _)) => {
            a.role == Role::CommuneWorker
                && Unit::Commune {
                    province: commune.province,
                    commune: commune.commune,
                } == a.unit
                && commune.structure == Structure::Y2025
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            "no active commune worker of the case's commune has this id",
        ))
    }
}

/// The records an action names, each checked against what the officer may
/// read (and the worker against the case's commune).
async fn check_references(
    svc: &Service,
    me: &Me,
    case: Option<&Case>,
    action: &CaseAction,
) -> Result<(), Error> {
    match action {
        CaseAction::RecordIntake(i) => {
            children::visible_child(svc, me, &i.child_id)
                .await
                .map_err(|e| match e {
                    Error::NotFound(_) => Error::invalid(
                        "child_id",
                        "no registered child you may read has this id: register the child first",
                    ),
                    other => other,
                })?;
            if let Some(w) = &i.responsible_worker {
                check_worker(svc, "responsible_worker", w, &i.commune).await?;
            }
        }
        CaseAction::LinkCase(l) => {
            visible_case(svc, me, &l.other_case_id)
                .await
                .map_err(|e| match e {
                    Error::NotFound(_) => {
                        Error::invalid("other_case_id", "no case you may read has this id")
                    }
                    other => other,
                })?;
        }
        CaseAction::ReassignWorker(r) => {
            if let Some(c) = case.and_then(|c| c.commune.as_ref()) {
                check_worker(svc, "to_officer", &r.to_officer, c).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// What a case command leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    pub case_id: String,
    /// The case's step after the command.
    pub status: CaseStatus,
    /// Events the case has now.
    pub events: u64,
}

async fn execute(
    svc: &Service,
    me: &Me,
    id: &str,
    action: CaseAction,
) -> Result<CaseResult, Error> {
    let at = now();
    let cmd = CaseCommand {
        actor: me.actor.clone(),
        at,
        action,
    };
    svc.app
        .case(id, cmd, at, &me.auth)
        .await
        .map_err(|e| aggregate(e, Rule::Case))?;
    let case: Case = svc.app.load(id).await?;
    Ok(CaseResult {
        case_id: id.to_string(),
        status: case.status,
        events: case.events_applied,
    })
}

/// Step 1, tiếp nhận thông tin: opens a new case with a service-assigned id.
pub async fn intake(svc: &Service, me: &Me, intake: Intake) -> Result<CaseResult, Error> {
    ids::check("child_id", &intake.child_id)?;
    let action = CaseAction::RecordIntake(intake);
    check_references(svc, me, None, &action).await?;
    let id = ids::new_case();
    execute(svc, me, &id, action).await
}

/// Every later step on a case the officer can see.
pub async fn act(
    svc: &Service,
    me: &Me,
    id: &str,
    action: CaseAction,
) -> Result<CaseResult, Error> {
    if matches!(action, CaseAction::RecordIntake(_)) {
        return Err(Error::invalid(
            "type",
            "an intake opens a new case: record it as a new case",
        ));
    }
    if matches!(action, CaseAction::AddAttachment(_)) {
        // The digest of an attachment names bytes in the file store: only
        // the upload, which computed it from the bytes it stores, records
        // one, so no case can point at another case's file.
        return Err(Error::invalid(
            "type",
            "a file is attached by uploading it: POST /api/v1/cases/{id}/attachments",
        ));
    }
    act_checked(svc, me, id, action).await
}

/// `act` without the attachment rule: for `attachments::upload`, which has
/// just stored the bytes the action names.
pub(crate) async fn act_checked(
    svc: &Service,
    me: &Me,
    id: &str,
    action: CaseAction,
) -> Result<CaseResult, Error> {
    let case = visible_case(svc, me, id).await?;
    check_references(svc, me, Some(&case), &action).await?;
    execute(svc, me, id, action).await
}

/// The manager filters of SPEC.md as given (codes as text), checked here.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub province: Option<u32>,
    pub commune: Option<u32>,
    pub status: Option<String>,
    pub risk: Option<String>,
    pub harm_type: Option<String>,
    pub group: Option<String>,
    pub worker: Option<String>,
    pub overdue: bool,
    /// 1 to 200; default 50.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub const MAX_PAGE: i64 = 200;

fn check_code<T: serde::de::DeserializeOwned>(
    field: &str,
    value: &Option<String>,
) -> Result<(), Error> {
    if let Some(v) = value {
        serde_json::from_value::<T>(Value::String(v.clone()))
            .map_err(|_| Error::invalid(field, format!("unknown {field} `{v}`")))?;
    }
    Ok(())
}

impl ListRequest {
    /// The filter for the projection's query, or the first invalid parameter.
    pub fn filter(&self) -> Result<CaseFilter, Error> {
        if let Some(s) = &self.status {
            if CaseStatus::parse(s).is_none() {
                return Err(Error::invalid("status", format!("unknown status `{s}`")));
            }
        }
        check_code::<RiskLevel>("risk", &self.risk)?;
        check_code::<HarmType>("harm_type", &self.harm_type)?;
        if let Some(g) = &self.group {
            if CircumstanceGroup::parse(g).is_none() {
                return Err(Error::invalid("group", format!("unknown group `{g}`")));
            }
        }
        let limit = self.limit.unwrap_or(50);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Error::invalid("limit", format!("from 1 to {MAX_PAGE}")));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(Error::invalid("offset", "not negative"));
        }
        Ok(CaseFilter {
            province: self.province,
            commune: self.commune,
            structure: None,
            status: self.status.clone(),
            risk: self.risk.clone(),
            harm_type: self.harm_type.clone(),
            group: self.group.clone(),
            worker: self.worker.clone(),
            opened_by: None,
            child_id: None,
            overdue: self.overdue,
            limit,
            offset,
        })
    }
}

impl ListRequest {
    /// What was asked, as the access log keeps it (`status=received&overdue=true`).
    pub fn query_text(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                q.append_pair(k, &v);
            }
        };
        put("province", self.province.map(|p| p.to_string()));
        put("commune", self.commune.map(|c| c.to_string()));
        put("status", self.status.clone());
        put("risk", self.risk.clone());
        put("harm_type", self.harm_type.clone());
        put("group", self.group.clone());
        put("worker", self.worker.clone());
        put("overdue", self.overdue.then(|| "true".to_string()));
        put("limit", self.limit.map(|l| l.to_string()));
        put("offset", self.offset.map(|o| o.to_string()));
        q.finish()
    }
}

/// The case list of what the officer reads, overdue first; the list is
/// logged (what was asked, how many matched). Served from the case view
/// projection, which follows the store within moments.
pub async fn list(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    req: &ListRequest,
) -> Result<Page<CaseRow>, Error> {
    let mut f = req.filter()?;
    let sight = me.sight();
    sight.check_reason(ctx.reason.as_deref())?;
    let mut page = if sight.narrow_cases(&mut f) {
        read::list_cases(svc.db(), &f, now()).await?
    } else {
        Page {
            total: 0,
            items: Vec::new(),
        }
    };
    let read = Read::of("CaseList", "", "case_list").listing(req.query_text(), page.total as u64);
    access::record_read(
        svc,
        me,
        ctx,
        Read {
            subject_unit: Some(me.actor.unit.code()),
            ..read
        },
    )
    .await?;
    with_child_names(svc, &mut page.items).await?;
    Ok(page)
}

/// The children's names, which the read model does not hold (personal).
/// Only for rows of cases the officer reads: the child of a case is read
/// through it.
pub async fn with_child_names(svc: &Service, rows: &mut [CaseRow]) -> Result<(), Error> {
    let ids: Vec<String> = rows
        .iter()
        .filter(|r| !r.child_erased)
        .filter_map(|r| r.child_id.clone())
        .collect();
    let names = crate::privacy::child_names(svc, &ids).await?;
    for r in rows {
        r.child_name = r
            .child_id
            .as_ref()
            .and_then(|id| names.get(id).cloned().flatten());
    }
    Ok(())
}

/// `list`, with the case view first brought up to date with the store (the
/// pages show what was just recorded).
pub async fn list_fresh(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    req: &ListRequest,
) -> Result<Page<CaseRow>, Error> {
    crate::refresh(svc.ledger(), Projection::CaseView).await?;
    list(svc, me, ctx, req).await
}

/// One case now: its state from its events, and its row in the case view.
#[derive(Debug, Clone)]
pub struct CaseNow {
    pub case_id: String,
    pub case: Case,
    /// `None` for a moment after the case was opened.
    pub row: Option<CaseRow>,
    pub at: DateTime<Utc>,
}

async fn now_of(svc: &Service, id: &str, case: Case) -> Result<CaseNow, Error> {
    let at = now();
    let mut row = read::case_view(svc.db(), id, at).await?;
    if let Some(r) = row.as_mut() {
        with_child_names(svc, std::slice::from_mut(r)).await?;
    }
    Ok(CaseNow {
        case_id: id.to_string(),
        case,
        row,
        at,
    })
}

pub(crate) fn case_read(id: &str, case: &Case, what: &str) -> Read {
    Read::of("Case", id, what).in_commune(case.commune.as_ref())
}

pub async fn view(svc: &Service, me: &Me, ctx: &ReadContext, id: &str) -> Result<CaseNow, Error> {
    let case = visible_case(svc, me, id).await?;
    access::record_read(svc, me, ctx, case_read(id, &case, "case_view")).await?;
    now_of(svc, id, case).await
}

/// The case's events up to `as_of`, with the fields the officer may not read
/// withheld (`sight`): what every face that shows a case's events uses.
pub(crate) async fn record_as_of(
    svc: &Service,
    me: &Me,
    id: &str,
    as_of: Option<DateTime<Utc>>,
) -> Result<CaseAsOf, Error> {
    let Some(mut c) = case_as_of(svc.ledger(), id, as_of).await? else {
        return Err(Error::NotFound(
            "no event of this case was recorded by then".into(),
        ));
    };
    let sight = me.sight();
    for e in &mut c.timeline {
        let mut payload: Value = serde_json::from_str(&e.payload).map_err(|err| {
            Error::Internal(format!(
                "stored event {} does not decode: {err}",
                e.position
            ))
        })?;
        let gone = sight.withhold("Case", &e.event_type, &mut payload);
        if !gone.is_empty() {
            e.payload = hoso_ledger::encoding::canonical_json(&payload)
                .map_err(|err| Error::Internal(format!("canonical JSON: {err}")))?;
            e.withheld = gone.iter().map(|g| g.to_string()).collect();
        }
    }
    Ok(c)
}

/// The case as it stood at `as_of` (recorded time; `None` = now), with its
/// timeline up to then; the read is logged.
pub async fn timeline(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    id: &str,
    as_of: Option<DateTime<Utc>>,
) -> Result<CaseAsOf, Error> {
    let case = visible_case(svc, me, id).await?;
    let what = if as_of.is_some() {
        "case_as_of"
    } else {
        "case_timeline"
    };
    me.sight().check_reason(ctx.reason.as_deref())?;
    let c = record_as_of(svc, me, id, as_of).await?;
    access::record_read(svc, me, ctx, case_read(id, &case, what)).await?;
    Ok(c)
}

/// Everything a case page shows: the case now and its record as of a moment,
/// logged once.
pub struct CaseFile {
    pub now: CaseNow,
    pub record: CaseAsOf,
}

pub async fn file(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    id: &str,
    as_of: Option<DateTime<Utc>>,
    what: &str,
) -> Result<CaseFile, Error> {
    let case = visible_case(svc, me, id).await?;
    me.sight().check_reason(ctx.reason.as_deref())?;
    let record = record_as_of(svc, me, id, as_of).await?;
    access::record_read(svc, me, ctx, case_read(id, &case, what)).await?;
    Ok(CaseFile {
        now: now_of(svc, id, case).await?,
        record,
    })
}

/// The child of a case the officer reads, as registered now: read through
/// the case (the case's own read is logged by the caller's `file`/`timeline`).
/// `None` when the case names no child or the child is not registered;
/// otherwise the child's id and record.
pub async fn child_of_case(
    svc: &Service,
    me: &Me,
    case_id: &str,
) -> Result<Option<(String, hoso_domain::child::Child)>, Error> {
    let case = visible_case(svc, me, case_id).await?;
    let Some(child_id) = case.child_id.as_deref() else {
        return Ok(None);
    };
    if !me.sight().reads_children() {
        return Ok(None);
    }
    ids::check("child_id", child_id)?;
    let child: hoso_domain::child::Child = svc.app.load(child_id).await?;
    Ok(child.registered.then(|| (child_id.to_string(), child)))
}

/// Whether the officer reads some case of this child (the child is then read
/// through it), from the case view brought up to date.
pub async fn reads_a_case_of(svc: &Service, me: &Me, child_id: &str) -> Result<bool, Error> {
    crate::refresh(svc.ledger(), Projection::CaseView).await?;
    let mut f = CaseFilter {
        child_id: Some(child_id.to_string()),
        limit: 1,
        ..CaseFilter::default()
    };
    if !me.sight().narrow_cases(&mut f) {
        return Ok(false);
    }
    Ok(read::list_cases(svc.db(), &f, now()).await?.total > 0)
}

/// Cases of the officer's area by step and risk, with the overdue ones
/// (the dashboard), from the case view brought up to date.
pub async fn counts(svc: &Service, me: &Me) -> Result<Vec<read::CaseCount>, Error> {
    crate::refresh(svc.ledger(), Projection::CaseView).await?;
    let mut f = CaseFilter::default();
    if !me.sight().narrow_cases(&mut f) {
        return Ok(Vec::new());
    }
    Ok(read::case_counts(svc.db(), &f, now()).await?)
}
