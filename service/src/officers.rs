//! Officers: registration (an admin; optionally with a password so they can
//! sign in), later changes, passwords, and one officer's history for
//! inspectors.

use chrono::{DateTime, NaiveDate, Utc};
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::officer::{Officer, OfficerAction, OfficerCommand, OfficerRegistration};
use hoso_projections::read::{self, CaseFilter, OfficerHistory};

use crate::access::{self, Read, ReadContext};
use crate::accounts;
use crate::error::{aggregate, Rule};
use crate::sight::Cases;
use crate::{ids, now, Error, Me, Service};

/// An officer to register; their account gets `password` when one is given.
#[derive(Debug, Clone)]
pub struct NewOfficer {
    /// Assigned by the service when absent.
    pub id: Option<String>,
    pub full_name: String,
    pub role: Role,
    pub unit: Unit,
    /// First day in service; default today.
    pub active_from: Option<NaiveDate>,
    pub password: Option<String>,
}

/// Officer id → full name as registered now, for the officers who recorded
/// or signed something the reader already reads (a case's events, a form's
/// signature blocks). Unknown or unnamed ids are left out.
pub async fn names(
    svc: &Service,
    ids: impl IntoIterator<Item = String>,
) -> Result<std::collections::BTreeMap<String, String>, Error> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    let mut names = std::collections::BTreeMap::new();
    for id in ids {
        let officer: Officer = svc.app.load(&id).await?;
        if officer.registered && !officer.full_name.is_empty() {
            names.insert(id, officer.full_name);
        }
    }
    Ok(names)
}

/// Registers an officer for the signed-in admin (the JSON API). No password:
/// the officer sets their own with an activation code
/// (`accounts::reset_password`), so that no admin ever knows it.
pub async fn register(svc: &Service, me: &Me, new: NewOfficer) -> Result<String, Error> {
    if new.password.is_some() {
        return Err(Error::invalid(
            "password",
            "an admin never sets an officer's password: give the officer an activation code (password-reset)",
        ));
    }
    create_as(svc, &me.actor, &me.auth, new).await
}

/// Registers the officer as `actor` and sets the password, on the server's
/// own command line (`hoso admin create-officer`, where the first admin is
/// its own actor; demo data; tests).
pub async fn create(svc: &Service, actor: &Actor, new: NewOfficer) -> Result<String, Error> {
    create_as(svc, actor, crate::app::LOCAL, new).await
}

async fn create_as(
    svc: &Service,
    actor: &Actor,
    auth: &str,
    new: NewOfficer,
) -> Result<String, Error> {
    let id = new.id.clone().unwrap_or_else(ids::new_officer);
    ids::check("id", &id)?;
    if let Some(p) = &new.password {
        if new.role == Role::System {
            return Err(Error::invalid(
                "password",
                "a system account has no password; issue it an API token",
            ));
        }
        accounts::check_password_rules(p)?;
    }
    let at = now();
    let cmd = OfficerCommand {
        actor: actor.clone(),
        at,
        action: OfficerAction::RegisterOfficer(OfficerRegistration {
            full_name: new.full_name.clone(),
            role: new.role,
            unit: new.unit,
            active_from: new
                .active_from
                .unwrap_or_else(|| hoso_domain::calendar::local_date(at)),
        }),
    };
    svc.app
        .officer(&id, cmd, at, auth)
        .await
        .map_err(|e| aggregate(e, Rule::Officer))?;
    if let Some(p) = &new.password {
        accounts::first_password(svc, &id, p).await?;
    }
    Ok(id)
}

/// An officer record the signed-in officer may see: themselves; admins,
/// inspectors and provincial managers those of their area (`sight`).
pub async fn visible_officer(svc: &Service, me: &Me, id: &str) -> Result<Officer, Error> {
    ids::check("id", id)?;
    let officer: Officer = svc.app.load(id).await?;
    let Some(unit) = officer.unit().filter(|_| officer.registered) else {
        return Err(Error::not_found("officer"));
    };
    let own = me.actor.officer_id == id;
    let reader = me.sight().reads_officer_records();
    if own
        || (reader && !matches!(me.actor.unit, Unit::Commune { .. }) && me.area().holds_unit(&unit))
    {
        Ok(officer)
    } else {
        Err(Error::not_found("officer"))
    }
}

/// A later change to an officer record.
pub async fn act(svc: &Service, me: &Me, id: &str, action: OfficerAction) -> Result<(), Error> {
    if matches!(action, OfficerAction::RegisterOfficer(_)) {
        return Err(Error::invalid(
            "type",
            "a registration makes a new officer: register them as a new officer",
        ));
    }
    if matches!(
        action,
        OfficerAction::IssueApiToken(_)
            | OfficerAction::RevokeApiToken(_)
            | OfficerAction::ResetPassword(_)
            | OfficerAction::SetPassword(_)
    ) {
        return Err(Error::invalid(
            "type",
            "tokens and passwords have their own routes: /api/v1/tokens, /api/v1/officers/{id}/password, /api/v1/officers/{id}/password-reset",
        ));
    }
    visible_officer(svc, me, id).await?;
    execute(svc, me, id, action).await
}

/// Runs `action` on the officer's record as `me` (actor and how they signed
/// in), now; shared with the account commands (`accounts`).
pub(crate) async fn execute(
    svc: &Service,
    me: &Me,
    id: &str,
    action: OfficerAction,
) -> Result<(), Error> {
    let at = now();
    let cmd = OfficerCommand {
        actor: me.actor.clone(),
        at,
        action,
    };
    svc.app
        .officer(id, cmd, at, &me.auth)
        .await
        .map_err(|e| aggregate(e, Rule::Officer))
}

/// Everything the officer did within recorded times `[from, to]`, on the
/// records the reader may see (a transferred officer's actions in another
/// area are not shown); the read is logged.
pub async fn history(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    id: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<OfficerHistory, Error> {
    let officer = visible_officer(svc, me, id).await?;
    let sight = me.sight();
    if me.actor.officer_id != id && !sight.reads_officer_histories() {
        return Err(Error::Forbidden(format!(
            "a {} may not read other officers' histories",
            me.role().as_str()
        )));
    }
    sight.check_reason(ctx.reason.as_deref())?;
    let mut cases = CaseFilter::default();
    // A reader of no case sees only the officer's own record.
    let reads_cases = sight.narrow_cases(&mut cases);
    let within = read::Within {
        cases: reads_cases.then_some(&cases),
    };
    let national = me.area() == crate::Area::Country && sight.cases() == Cases::Area;
    let Some(mut h) =
        read::officer_history(svc.db(), id, from, to, (!national).then_some(&within)).await?
    else {
        return Err(Error::NotFound(
            "no history for this officer yet (the projection follows the store within moments)"
                .into(),
        ));
    };
    // The read model holds public fields only; the name is the officer's
    // record, opened (empty once erased).
    h.full_name = (!officer.full_name.is_empty()).then(|| officer.full_name.clone());
    let read = Read {
        subject_unit: officer.unit().map(|u| u.code()),
        ..Read::of("Officer", id, "officer_history")
    };
    access::record_read(svc, me, ctx, read).await?;
    Ok(h)
}
