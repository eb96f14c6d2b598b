//! Children: registration (a service-assigned id), later changes, and the
//! child's record. A child is visible to officers whose area holds the child's
//! commune.

use hoso_domain::child::{Child, ChildAction, ChildCommand, Registration};

use crate::access::{self, ReadContext};
use crate::error::{aggregate, Rule};
use crate::{ids, now, Error, Me, Service};

async fn execute(svc: &Service, me: &Me, id: &str, action: ChildAction) -> Result<(), Error> {
    let at = now();
    let cmd = ChildCommand {
        actor: me.actor.clone(),
        at,
        action,
    };
    svc.app
        .child(id, cmd, at)
        .await
        .map_err(|e| aggregate(e, Rule::Child))
}

/// The child if registered and in the officer's area; `NotFound` otherwise.
pub async fn visible_child(svc: &Service, me: &Me, id: &str) -> Result<Child, Error> {
    ids::check("id", id)?;
    let child: Child = svc.app.load(id).await?;
    match child.commune() {
        Some(c) if child.registered && me.area().holds(&c) => Ok(child),
        _ => Err(Error::not_found("child")),
    }
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
    visible_child(svc, me, id).await?;
    execute(svc, me, id, action).await
}

/// The child's record; the read is logged.
pub async fn view(svc: &Service, me: &Me, ctx: &ReadContext, id: &str) -> Result<Child, Error> {
    let child = visible_child(svc, me, id).await?;
    access::record(svc, me, ctx, "Child", id, "child").await?;
    Ok(child)
}
