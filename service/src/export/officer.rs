//! An export asked for by a signed-in officer (the JSON API and the
//! integrity page): inspectors only (`sight`), with a reason, and only the
//! records of their area: the events are selected by the place of the record
//! they belong to, never only by who recorded them.

use std::path::Path;

use hoso_domain::common::Unit;
use hoso_projections::read::{CaseFilter, Within};

use super::{projection_csvs, Personal, Selection, Summary};
use crate::access::{self, ReadContext};
use crate::{cases, ids, officers, Error, Me, Service};

/// What to export, as asked for.
#[derive(Debug, Clone, Default)]
pub struct ExportRequest {
    pub case: Option<String>,
    pub officer: Option<String>,
    /// `province:42` or `commune:42:18070`.
    pub place: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Add the personal fields in clear, for this reason (kept in the access
    /// log and in the signed manifest). Without it the bundle is redacted.
    pub personal_reason: Option<String>,
}

impl ExportRequest {
    /// What the access log names as the subject of the export.
    pub fn subject(&self) -> String {
        self.case
            .clone()
            .or(self.officer.clone())
            .or(self.place.clone())
            .unwrap_or_else(|| "all".into())
    }
}

/// The province a unit code lies in, if it is a real unit code.
fn unit_province(code: &str) -> Option<Option<u32>> {
    Unit::parse_code(code).map(|u| u.province())
}

/// Writes the bundle of `req` into `dir` (which must be empty), with the
/// statistics and officer-history spreadsheets of the same area, and logs the
/// export in the access log.
pub async fn for_officer(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    req: &ExportRequest,
    dir: &Path,
) -> Result<Summary, Error> {
    let sight = me.sight();
    if !sight.exports() {
        return Err(Error::Forbidden(format!(
            "a {} may not download compliance exports",
            me.role().as_str()
        )));
    }
    sight.check_reason(ctx.reason.as_deref())?;
    let signer = svc
        .signer
        .clone()
        .ok_or_else(|| Error::Internal("this server has no checkpoint signing key".into()))?;
    for (field, v) in [("case", &req.case), ("officer", &req.officer)] {
        if let Some(v) = v {
            ids::check(field, v)?;
        }
    }
    // Stay inside the officer's area: a provincial inspector names a case, an
    // officer or a place of their province.
    let area = me.area().province();
    if let Some(id) = &req.case {
        cases::visible_case(svc, me, id).await?;
    }
    if let Some(id) = &req.officer {
        officers::visible_officer(svc, me, id).await?;
    }
    if let Some(place) = &req.place {
        match unit_province(place) {
            None => return Err(Error::invalid("place", "use province:P or commune:P:C")),
            Some(pr) if area.is_some() && pr != area => return Err(Error::not_found("place")),
            Some(_) => {}
        }
    }
    if area.is_some() && req.case.is_none() && req.officer.is_none() && req.place.is_none() {
        return Err(Error::invalid(
            "place",
            "name a case, an officer or a place in your province",
        ));
    }
    let sel = Selection {
        case: req.case.clone(),
        officer: req.officer.clone(),
        place: req.place.clone(),
        from: req.from.clone(),
        to: req.to.clone(),
        area: (me.area() != crate::Area::Country).then(|| me.actor.unit.code()),
    };
    let province = req
        .place
        .as_deref()
        .and_then(unit_province)
        .flatten()
        .or(area);
    let mut cases = CaseFilter::default();
    let reads_cases = sight.narrow_cases(&mut cases);
    let within = Within {
        cases: reads_cases.then_some(&cases),
    };
    let national = me.area() == crate::Area::Country;
    let extra = projection_csvs(
        svc.ledger(),
        province,
        req.officer.as_deref(),
        (!national).then_some(&within),
    )
    .await?;
    let personal = match &req.personal_reason {
        None => None,
        Some(r) => match access::ReadContext::reason(Some(r))? {
            Some(reason) => Some(Personal {
                reason,
                requested_by: me.actor.officer_id.clone(),
                sight: Some(sight.clone()),
            }),
            None => {
                return Err(Error::invalid(
                    "personal_reason",
                    "personal data in an export needs a reason",
                ))
            }
        },
    };
    let summary = super::export(&svc.app, &signer, &sel, dir, extra, personal.as_ref()).await?;
    match &personal {
        Some(p) => {
            let ctx = access::ReadContext {
                reason: Some(p.reason.clone()),
                ..ctx.clone()
            };
            access::record(
                svc,
                me,
                &ctx,
                "Export",
                &req.subject(),
                "compliance export with personal data",
            )
            .await?;
        }
        None => {
            access::record(svc, me, ctx, "Export", &req.subject(), "compliance export").await?;
        }
    }
    Ok(summary)
}
