//! Likely duplicate children (`hoso_domain::child::duplicates`) among the
//! registered children of a province (the case view's `pv_child` says which,
//! by public fields only; names and dates of birth are read from the
//! children's own sealed records, so nothing personal is copied into a read
//! model and an erased child is never a candidate):
//!
//! - when a child is registered, the records of the same or a neighbouring
//!   commune with a similar name and a date of birth a few days apart are
//!   shown first (`register`); the officer continues with one of them, or
//!   confirms a new child, and that decision is a `ConfirmedDistinct` event
//!   of the new record for each record shown;
//! - the report of likely duplicates already registered (`report`), for the
//!   provincial manager, who decides pair by pair (`decide`).
//!
//! A candidate shows only what is needed to recognise a child (name, date of
//! birth, commune, record id), and only a child the officer may read
//! (`children::readable`): a likely duplicate outside the officer's sight is
//! not shown, nor counted, so that registering a made-up child never reveals
//! who lives elsewhere; such pairs reach the provincial manager's report.
//! Every check is logged as a search of children (what was asked is not kept:
//! it is a child's name; how many were shown is).

use chrono::{Duration, NaiveDate};
use hoso_domain::child::duplicates::{
    likely_duplicate, likely_duplicates, Candidate, Match, BIRTH_DATE_TOLERANCE_DAYS,
};
use hoso_domain::child::{Child, ChildAction, Registration};
use hoso_domain::common::{CommuneRef, Role};
use hoso_domain::places;
use hoso_projections::read;
use hoso_projections::Projection;

use crate::access::{self, ReadContext};
use crate::{children, Error, Me, Service};

/// A registered child that may be the same child.
#[derive(Debug, Clone)]
pub struct Likely {
    pub child_id: String,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub commune: CommuneRef,
    /// Why: how alike the names, dates and places are.
    pub found: Match,
}

/// A registered child of the search.
struct Person {
    id: String,
    child: Child,
    candidate: Candidate,
}

fn likely(p: &Person, found: Match) -> Likely {
    Likely {
        child_id: p.id.clone(),
        full_name: p.child.full_name.clone(),
        date_of_birth: p.candidate.date_of_birth,
        commune: p.candidate.commune,
        found,
    }
}

/// The registered children of a province with their records opened, by date
/// of birth; erased records and records marked as duplicates are left out.
async fn people(svc: &Service, province: Option<u32>) -> Result<Vec<Person>, Error> {
    crate::refresh(svc.ledger(), Projection::CaseView).await?;
    let mut out = Vec::new();
    for id in read::children_of_province(svc.db(), province).await? {
        let child: Child = svc.app.load(&id).await?;
        if !child.registered || child.erased || child.duplicate_of.is_some() {
            continue;
        }
        if let Some(candidate) = Candidate::from_child(&child) {
            out.push(Person {
                id,
                child,
                candidate,
            });
        }
    }
    out.sort_by(|a, b| {
        a.candidate
            .date_of_birth
            .cmp(&b.candidate.date_of_birth)
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

/// Registered children likely to be the one in `reg` that the officer may
/// read (records marked as a duplicate of another are left out), most likely
/// first. The search is logged.
pub async fn candidates(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    reg: &Registration,
) -> Result<Vec<Likely>, Error> {
    me.sight().check_reason(ctx.reason.as_deref())?;
    let mut shown = Vec::new();
    for (l, child) in all_candidates(svc, reg).await? {
        if children::readable(svc, me, &l.child_id, &child).await? {
            shown.push(l);
        }
    }
    let read = access::Read::of("Child", "candidates", "child_candidates")
        .in_commune(Some(&reg.address.commune))
        .listing(String::new(), shown.len() as u64);
    access::record_read(svc, me, ctx, read).await?;
    Ok(shown)
}

/// Every registered child likely to be the one in `reg`, whoever may read
/// it, with the record already opened for the search.
async fn all_candidates(svc: &Service, reg: &Registration) -> Result<Vec<(Likely, Child)>, Error> {
    let new = Candidate::new(&reg.full_name, reg.date_of_birth, reg.address.commune);
    let days = Duration::days(i64::from(BIRTH_DATE_TOLERANCE_DAYS));
    let near = (reg.date_of_birth - days)..=(reg.date_of_birth + days);
    let people = people(svc, places::rolled_up_province(&reg.address.commune)).await?;
    let existing: Vec<(&Person, Candidate)> = people
        .iter()
        .filter(|p| near.contains(&p.candidate.date_of_birth))
        .map(|p| (p, p.candidate.clone()))
        .collect();
    Ok(likely_duplicates(&new, &existing)
        .into_iter()
        .map(|(p, m)| (likely(p, m), p.child.clone()))
        .collect())
}

/// What the registering officer decided about the likely duplicates shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing yet: register only when no likely duplicate is found.
    Check,
    /// A new child, checked against these records.
    NewChild { distinct_from: Vec<String> },
}

/// What a registration came to.
#[derive(Debug, Clone)]
pub enum Registered {
    /// The new child's id.
    Child(String),
    /// Likely duplicates to decide about first; nothing was recorded.
    Candidates(Vec<Likely>),
}

/// Lập hồ sơ trẻ em with the duplicate check: likely duplicates are shown
/// first, unless the officer confirmed a new child against every one of them
/// (a record found since is shown again); then the child is registered and
/// each confirmation recorded on the new record.
pub async fn register(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    reg: Registration,
    decision: Decision,
) -> Result<Registered, Error> {
    // The registration is checked first, so that bad input is refused
    // before the search (and its entry in the access log).
    Child::default()
        .decide(hoso_domain::child::ChildCommand {
            actor: me.actor.clone(),
            at: crate::now(),
            action: ChildAction::RegisterChild(reg.clone()),
        })
        .map_err(|e| Error::Rule(crate::error::Rule::Child(e)))?;
    let found = candidates(svc, me, ctx, &reg).await?;
    let checked: &[String] = match &decision {
        Decision::Check => &[],
        Decision::NewChild { distinct_from } => distinct_from,
    };
    if found.iter().any(|l| !checked.contains(&l.child_id)) {
        return Ok(Registered::Candidates(found));
    }
    let id = children::register(svc, me, reg).await?;
    for l in &found {
        children::act(
            svc,
            me,
            &id,
            ChildAction::ConfirmDistinct(hoso_domain::child::DistinctConfirmation {
                other_child_id: l.child_id.clone(),
                note: "xác nhận khi đăng ký".to_string(),
            }),
        )
        .await?;
    }
    Ok(Registered::Child(id))
}

/// A decision about two records (`ConfirmDistinct`, `MarkDuplicate`): the other
/// record must be another registered child. Other actions go to
/// `children::act` as they are.
pub async fn decide(svc: &Service, me: &Me, id: &str, action: ChildAction) -> Result<(), Error> {
    let (field, other) = match &action {
        ChildAction::ConfirmDistinct(c) => ("other_child_id", c.other_child_id.trim()),
        ChildAction::MarkDuplicate(m) => ("of_child_id", m.of_child_id.trim()),
        _ => return children::act(svc, me, id, action).await,
    };
    if !other.is_empty() {
        if other == id {
            return Err(Error::invalid(
                field,
                "a record cannot be compared with itself",
            ));
        }
        crate::ids::check(field, other)?;
        // Another child the officer reads, like every reference in a command.
        let child: Child = svc.app.load(other).await?;
        if !child.registered || !children::readable(svc, me, other, &child).await? {
            return Err(Error::invalid(field, "no registered child has this id"));
        }
    }
    children::act(svc, me, id, action).await
}

/// Two registered records that are likely the same child.
#[derive(Debug, Clone)]
pub struct Pair {
    pub first: Likely,
    pub second: Likely,
}

/// Most pairs in one report.
pub const MAX_PAIRS: usize = 500;

/// The likely duplicates already registered in the provincial manager's
/// province, most
/// likely first; pairs a person has decided about, and records marked as
/// duplicates, are left out. The read is logged.
pub async fn report(svc: &Service, me: &Me, ctx: &ReadContext) -> Result<Vec<Pair>, Error> {
    // Names and dates of birth: the provincial manager of the province
    // (an admin reads no child's record, docs/access.md).
    me.require(
        &[Role::ProvincialManager],
        "read the report of likely duplicate children",
    )?;
    let province = me.area().province();
    let people = people(svc, province).await?;
    let window = Duration::days(i64::from(BIRTH_DATE_TOLERANCE_DAYS));
    let mut pairs: Vec<(u32, Pair)> = Vec::new();
    for (i, a) in people.iter().enumerate() {
        for b in people[i + 1..].iter() {
            if b.candidate.date_of_birth - a.candidate.date_of_birth > window {
                break;
            }
            if a.child.decided_about(&b.id) || b.child.decided_about(&a.id) {
                continue;
            }
            let Some(m) = likely_duplicate(&a.candidate, &b.candidate) else {
                continue;
            };
            pairs.push((
                m.score(),
                Pair {
                    first: likely(a, m),
                    second: likely(b, m),
                },
            ));
        }
    }
    pairs.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    pairs.truncate(MAX_PAIRS);
    let scope = match province {
        Some(p) => format!("duplicates:province:{p}"),
        None => "duplicates:national".to_string(),
    };
    access::record(svc, me, ctx, "Child", &scope, "duplicate_report").await?;
    Ok(pairs.into_iter().map(|(_, p)| p).collect())
}
