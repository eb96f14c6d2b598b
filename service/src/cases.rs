//! Cases: intake (a new case with a service-assigned id), every later step, the
//! case list of the officer's area, one case now, and its timeline as of any
//! moment. An officer sees the cases of their own area only (`area`); any
//! other case is `NotFound`, so its existence does not leak.

use chrono::{DateTime, Utc};
use hoso_domain::case::{Case, CaseAction, CaseCommand, CaseStatus, Intake};
use hoso_domain::child::{Child, CircumstanceGroup};
use hoso_domain::common::{HarmType, RiskLevel};
use hoso_projections::history::{case_as_of, CaseAsOf};
use hoso_projections::read::{self, CaseFilter, CaseRow, Page};
use hoso_projections::Projection;
use serde_json::Value;

use crate::access::{self, ReadContext};
use crate::error::{aggregate, Rule};
use crate::{ids, now, Error, Me, Service};

/// The case if it exists and the officer may see it; `NotFound` otherwise.
pub async fn visible_case(svc: &Service, me: &Me, id: &str) -> Result<Case, Error> {
    ids::check("id", id)?;
    let case: Case = svc.app.load(id).await?;
    match case.commune {
        Some(c) if case.is_opened() && me.area().holds(&c) => Ok(case),
        _ => Err(Error::not_found("case")),
    }
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
        .case(id, cmd, at)
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
    let child: Child = svc.app.load(&intake.child_id).await?;
    if !child.registered {
        return Err(Error::invalid(
            "child_id",
            "no registered child has this id: register the child first",
        ));
    }
    let id = ids::new_case();
    execute(svc, me, &id, CaseAction::RecordIntake(intake)).await
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
    visible_case(svc, me, id).await?;
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
            overdue: self.overdue,
            limit,
            offset,
        })
    }
}

/// The case list of the officer's area, overdue first. Served from the case
/// view projection, which follows the store within moments.
pub async fn list(svc: &Service, me: &Me, req: &ListRequest) -> Result<Page<CaseRow>, Error> {
    let mut f = req.filter()?;
    if !me.area().narrow_cases(&mut f) {
        return Ok(Page {
            total: 0,
            items: Vec::new(),
        });
    }
    let mut page = read::list_cases(svc.db(), &f, now()).await?;
    with_child_names(svc, &mut page.items).await?;
    Ok(page)
}

/// The children's names, which the read model does not hold (personal).
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
pub async fn list_fresh(svc: &Service, me: &Me, req: &ListRequest) -> Result<Page<CaseRow>, Error> {
    crate::refresh(svc.ledger(), Projection::CaseView).await?;
    list(svc, me, req).await
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

pub async fn view(svc: &Service, me: &Me, ctx: &ReadContext, id: &str) -> Result<CaseNow, Error> {
    let case = visible_case(svc, me, id).await?;
    access::record(svc, me, ctx, "Case", id, "case_view").await?;
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

/// The case as it stood at `as_of` (recorded time; `None` = now), with its
/// timeline up to then; the read is logged (`what` names the page or route).
pub async fn timeline(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    id: &str,
    as_of: Option<DateTime<Utc>>,
) -> Result<CaseAsOf, Error> {
    visible_case(svc, me, id).await?;
    let Some(c) = case_as_of(svc.ledger(), id, as_of).await? else {
        return Err(Error::NotFound(
            "no event of this case was recorded by then".into(),
        ));
    };
    let what = if as_of.is_some() {
        "case_as_of"
    } else {
        "case_timeline"
    };
    access::record(svc, me, ctx, "Case", id, what).await?;
    Ok(c)
}

/// Cases of the officer's area by step and risk, with the overdue ones
/// (the dashboard), from the case view brought up to date.
pub async fn counts(svc: &Service, me: &Me) -> Result<Vec<read::CaseCount>, Error> {
    crate::refresh(svc.ledger(), Projection::CaseView).await?;
    let mut f = CaseFilter::default();
    if !me.area().narrow_cases(&mut f) {
        return Ok(Vec::new());
    }
    Ok(read::case_counts(svc.db(), &f, now()).await?)
}
