//! Children: registration (a service-assigned id), later changes, and the
//! child's record. A child is visible to the officers `sight` lets read it in
//! its place, and through any case of the child they read.

use hoso_domain::child::{Child, ChildAction, ChildCommand, Registration};

use crate::access::{self, Read, ReadContext};
use crate::error::{aggregate, Rule};
use crate::sight::{opener, Cases};
use crate::{cases, ids, now, Error, Me, Service};

async fn execute(svc: &Service, me: &Me, id: &str, action: ChildAction) -> Result<(), Error> {
    let at = now();
    let cmd = ChildCommand {
        actor: me.actor.clone(),
        at,
        action,
    };
    svc.app
        .child(id, cmd, at, &me.auth)
        .await
        .map_err(|e| aggregate(e, Rule::Child))
}

/// The child if registered and the officer may read it; `NotFound` otherwise.
pub async fn visible_child(svc: &Service, me: &Me, id: &str) -> Result<Child, Error> {
    ids::check("id", id)?;
    if !me.sight().reads_children() {
        return Err(Error::not_found("child"));
    }
    let child: Child = svc.app.load(id).await?;
    if readable(svc, me, id, &child).await? {
        Ok(child)
    } else {
        Err(Error::not_found("child"))
    }
}

/// Whether the officer may read this registered child's record: in its place
/// (`sight`), or through a case of the child they read. The one rule every
/// face that shows a child (its page, a likely duplicate) goes through.
pub async fn readable(svc: &Service, me: &Me, id: &str, child: &Child) -> Result<bool, Error> {
    let sight = me.sight();
    if !sight.reads_children() {
        return Ok(false);
    }
    let Some(commune) = child.commune().filter(|_| child.registered) else {
        return Ok(false);
    };
    let registered_by = match sight.cases() {
        Cases::OpenedBy(_) => opener(
            svc.ledger()
                .first_metadata(<Child as cqrs_es::Aggregate>::TYPE, id)
                .await?
                .as_deref(),
        ),
        _ => None,
    };
    Ok(
        sight.sees_child_in_place(&commune, registered_by.as_deref())
            || cases::reads_a_case_of(svc, me, id).await?,
    )
}

/// Lập hồ sơ trẻ em: registers a child; returns the new child id.
pub async fn register(svc: &Service, me: &Me, reg: Registration) -> Result<String, Error> {
    let id = ids::new_child();
    execute(svc, me, &id, ChildAction::RegisterChild(reg)).await?;
    Ok(id)
}

/// A later change to a child the officer can see.
pub async fn act(svc: &Service, me: &Me, id: &str, action: ChildAction) -> Result<(), Error> {
    if matches!(action, ChildAction::RegisterChild(_)) {
        return Err(Error::invalid(
            "type",
            "a registration makes a new child: register it as a new child",
        ));
    }
    if matches!(action, ChildAction::EraseChildData(_)) {
        // An erasure is ordered by an admin, who reads no child's record:
        // the child only has to exist (the domain checks who may order it).
        ids::check("id", id)?;
        let child: Child = svc.app.load(id).await?;
        if !child.registered {
            return Err(Error::not_found("child"));
        }
    } else {
        visible_child(svc, me, id).await?;
    }
    execute(svc, me, id, action).await
}

/// The child's record; the read is logged.
pub async fn view(svc: &Service, me: &Me, ctx: &ReadContext, id: &str) -> Result<Child, Error> {
    let child = visible_child(svc, me, id).await?;
    let read = Read::of("Child", id, "child").in_commune(child.commune().as_ref());
    access::record_read(svc, me, ctx, read).await?;
    Ok(child)
}
