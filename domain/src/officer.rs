//! The `Officer` aggregate (cán bộ): who an officer is, their role and unit over
//! time (assignment periods), when they were active, and the trainings they
//! attended (tập huấn: date, organiser, topics), since inspectors look at both
//! what an officer did and what they were trained for.
//!
//! Only an admin registers officers, changes their assignment, deactivates and
//! reactivates them; a provincial manager (Sở / Cục) may also record trainings for
//! officers of their province. A role needs a unit of the matching level, in
//! today's (2025) structure: commune roles a real commune, a provincial manager a
//! province, Hotline 111 operators and admins the national level, inspectors
//! (thanh tra) a province or the national level.
//!
//! Periods are half-open: an assignment or inactive period runs from its `from`
//! date up to, not including, the `from` date of the change that ends it.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::calendar::local_date;
use crate::common::{Actor, Role, Unit};
use crate::places;
use crate::privacy::Erasure;

#[cfg(test)]
mod tests;

// ---------------------------------------------------------------------------
// Commands

mod commands;
mod error;
mod events;

pub use commands::*;
pub use error::*;
pub use events::*;

/// One assignment period: `[from, to)`, `to` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentPeriod {
    pub role: Role,
    pub unit: Unit,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Empty for the first assignment.
    pub reason: String,
}

/// One period out of service: `[from, to)`, `to` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InactivePeriod {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub reason: String,
}

fn within(from: NaiveDate, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from <= date && to.is_none_or(|t| date < t)
}

/// An officer's record rebuilt from its events. Projections may read the fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Officer {
    pub registered: bool,
    pub full_name: String,
    pub active_from: Option<NaiveDate>,
    /// False while deactivated.
    pub active: bool,
    /// Every assignment, oldest first; the last one is current.
    pub assignments: Vec<AssignmentPeriod>,
    pub inactive_periods: Vec<InactivePeriod>,
    /// In the order recorded.
    pub trainings: Vec<Training>,
    pub last_event_at: Option<DateTime<Utc>>,
    /// The personal data was erased: the name and the reasons are empty;
    /// roles, units, dates and trainings remain.
    pub erased: bool,
    /// API tokens issued to this (system) account: id → revoked.
    pub api_tokens: Vec<(String, bool)>,
    /// The last password event was a reset by an admin: no password until
    /// the owner sets one.
    pub password_reset: bool,
}

impl Officer {
    /// The current role, if registered.
    pub fn role(&self) -> Option<Role> {
        self.assignments.last().map(|a| a.role)
    }

    /// The current unit, if registered.
    pub fn unit(&self) -> Option<Unit> {
        self.assignments.last().map(|a| a.unit)
    }

    /// True when the officer was in service on `date`.
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.active_from.is_some_and(|f| f <= date)
            && !self
                .inactive_periods
                .iter()
                .any(|p| within(p.from, p.to, date))
    }

    /// Role and unit held on `date`; `None` before service or while deactivated.
    pub fn assignment_on(&self, date: NaiveDate) -> Option<(Role, Unit)> {
        if !self.is_active_on(date) {
            return None;
        }
        self.assignments
            .iter()
            .rev()
            .find(|a| within(a.from, a.to, date))
            .map(|a| (a.role, a.unit))
    }

    /// Trainings dated within `[from, to]`, in date order.
    pub fn trainings_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<&Training> {
        let mut t: Vec<&Training> = self
            .trainings
            .iter()
            .filter(|t| from <= t.date && t.date <= to)
            .collect();
        t.sort_by_key(|t| t.date);
        t
    }

    /// The date the latest assignment or activity change took effect.
    pub fn last_change(&self) -> Option<NaiveDate> {
        let a = self.assignments.last().map(|a| a.from);
        let i = self.inactive_periods.last().map(|p| p.to.unwrap_or(p.from));
        a.max(i)
    }

    /// Validates a command against the current state and returns the event to
    /// record.
    pub fn decide(&self, command: OfficerCommand) -> Result<OfficerEvent, OfficerError> {
        let OfficerCommand { actor, at, action } = command;
        let what = action.describe();
        if let OfficerAction::RegisterOfficer(r) = action {
            admin_only(&actor, what)?;
            if self.erased {
                return Err(OfficerError::Erased);
            }
            if self.registered {
                return Err(OfficerError::AlreadyRegistered);
            }
            let full_name = required(&r.full_name, "full_name")?;
            check_assignment(r.role, r.unit)?;
            return Ok(OfficerEvent::OfficerRegistered {
                at,
                full_name,
                role: r.role,
                unit: r.unit,
                active_from: r.active_from,
            });
        }
        let officer_unit = match (self.registered, self.unit()) {
            (true, Some(u)) => u,
            _ => return Err(OfficerError::NotRegistered),
        };
        match &action {
            OfficerAction::RecordTraining(_) => authorise_training(&actor, officer_unit, what)?,
            OfficerAction::EraseOfficerData(_) => {
                if !crate::privacy::may_erase(&actor) {
                    return Err(OfficerError::NotAuthorised {
                        role: actor.role,
                        action: what,
                    });
                }
            }
            OfficerAction::SetPassword(p) => {
                if actor.officer_id != p.officer_id {
                    return Err(OfficerError::NotYourPassword);
                }
            }
            _ => admin_only(&actor, what)?,
        }
        if self.erased {
            return Err(OfficerError::Erased);
        }
        if let Some(last) = self.last_event_at {
            if at < last {
                return Err(OfficerError::BeforeLastEvent { last });
            }
        }
        let last_change = self.last_change().unwrap_or(NaiveDate::MIN);
        let not_before_last = |from: NaiveDate| {
            if from < last_change {
                Err(OfficerError::DateBeforeLastChange {
                    from,
                    last: last_change,
                })
            } else {
                Ok(())
            }
        };
        match action {
            OfficerAction::RegisterOfficer(_) => Err(OfficerError::AlreadyRegistered),
            OfficerAction::Reactivate(r) => {
                if self.active {
                    return Err(OfficerError::NotDeactivated);
                }
                not_before_last(r.from)?;
                Ok(OfficerEvent::OfficerReactivated { at, from: r.from })
            }
            OfficerAction::EraseOfficerData(e) => {
                if self.active {
                    return Err(OfficerError::NotDeactivated);
                }
                let (reason, decision_ref) = e.check().map_err(OfficerError::MissingField)?;
                Ok(OfficerEvent::OfficerPersonalDataErased {
                    at,
                    reason,
                    decision_ref,
                })
            }
            _ if !self.active => Err(OfficerError::Deactivated),
            OfficerAction::IssueApiToken(t) => {
                match self.role() {
                    Some(Role::System) => {}
                    Some(role) => return Err(OfficerError::TokenForPerson(role)),
                    None => return Err(OfficerError::NotRegistered),
                }
                let token_id = required(&t.token_id, "token_id")?;
                if self.api_tokens.iter().any(|(id, _)| *id == token_id) {
                    return Err(OfficerError::TokenIdTaken(token_id));
                }
                let label = required(&t.label, "label")?;
                if t.expires_at <= at
                    || t.expires_at > at + chrono::Duration::days(MAX_API_TOKEN_DAYS)
                {
                    return Err(OfficerError::TokenExpiry);
                }
                Ok(OfficerEvent::ApiTokenIssued {
                    at,
                    token_id,
                    label,
                    expires_at: t.expires_at,
                })
            }
            OfficerAction::RevokeApiToken(r) => {
                match self.api_tokens.iter().find(|(id, _)| *id == r.token_id) {
                    None => return Err(OfficerError::UnknownToken(r.token_id)),
                    Some((_, true)) => return Err(OfficerError::TokenRevoked(r.token_id)),
                    Some((_, false)) => {}
                }
                let reason = required(&r.reason, "reason")?;
                Ok(OfficerEvent::ApiTokenRevoked {
                    at,
                    token_id: r.token_id,
                    reason,
                })
            }
            OfficerAction::ResetPassword(r) => {
                if self.role() == Some(Role::System) {
                    return Err(OfficerError::SystemHasNoPassword);
                }
                let reason = required(&r.reason, "reason")?;
                Ok(OfficerEvent::PasswordReset { at, reason })
            }
            OfficerAction::SetPassword(p) => {
                if self.role() == Some(Role::System) {
                    return Err(OfficerError::SystemHasNoPassword);
                }
                Ok(OfficerEvent::PasswordSet { at, how: p.how })
            }
            OfficerAction::ChangeAssignment(c) => {
                check_assignment(c.role, c.unit)?;
                if self.role() == Some(c.role) && self.unit() == Some(c.unit) {
                    return Err(OfficerError::SameAssignment);
                }
                not_before_last(c.from)?;
                let reason = required(&c.reason, "reason")?;
                Ok(OfficerEvent::AssignmentChanged {
                    at,
                    role: c.role,
                    unit: c.unit,
                    from: c.from,
                    reason,
                })
            }
            OfficerAction::Deactivate(d) => {
                not_before_last(d.from)?;
                let reason = required(&d.reason, "reason")?;
                Ok(OfficerEvent::OfficerDeactivated {
                    at,
                    from: d.from,
                    reason,
                })
            }
            OfficerAction::RecordTraining(t) => {
                if t.date > local_date(at) {
                    return Err(OfficerError::TrainingInFuture);
                }
                let organiser = required(&t.organiser, "organiser")?;
                let topics = t
                    .topics
                    .iter()
                    .map(|s| required(s, "topics"))
                    .collect::<Result<Vec<_>, _>>()?;
                if topics.is_empty() {
                    return Err(OfficerError::MissingField("topics"));
                }
                if t.hours == Some(0) {
                    return Err(OfficerError::ZeroHours);
                }
                Ok(OfficerEvent::TrainingRecorded {
                    at,
                    date: t.date,
                    organiser,
                    topics,
                    hours: t.hours,
                })
            }
        }
    }
}

fn required(value: &str, field: &'static str) -> Result<String, OfficerError> {
    let v = value.trim();
    if v.is_empty() {
        Err(OfficerError::MissingField(field))
    } else {
        Ok(v.to_string())
    }
}

fn admin_only(actor: &Actor, action: &'static str) -> Result<(), OfficerError> {
    match actor.role {
        Role::Admin => Ok(()),
        role => Err(OfficerError::NotAuthorised { role, action }),
    }
}

/// Admins; provincial managers for officers whose current unit is in their province.
fn authorise_training(
    actor: &Actor,
    officer_unit: Unit,
    action: &'static str,
) -> Result<(), OfficerError> {
    match (actor.role, actor.unit) {
        (Role::Admin, _) => Ok(()),
        (Role::ProvincialManager, Unit::Province { province })
            if officer_unit.province() == Some(province) =>
        {
            Ok(())
        }
        (Role::ProvincialManager, unit) => Err(OfficerError::OutsideUnit { unit, officer_unit }),
        (role, _) => Err(OfficerError::NotAuthorised { role, action }),
    }
}

impl Aggregate for Officer {
    const TYPE: &'static str = "Officer";
    type Command = OfficerCommand;
    type Event = OfficerEvent;
    type Error = OfficerError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _service: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = self.decide(command)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.last_event_at = Some(event.at());
        match event {
            OfficerEvent::OfficerRegistered {
                full_name,
                role,
                unit,
                active_from,
                ..
            } => {
                self.registered = true;
                self.active = true;
                self.full_name = full_name;
                self.active_from = Some(active_from);
                self.assignments = vec![AssignmentPeriod {
                    role,
                    unit,
                    from: active_from,
                    to: None,
                    reason: String::new(),
                }];
            }
            OfficerEvent::AssignmentChanged {
                role,
                unit,
                from,
                reason,
                ..
            } => {
                if let Some(current) = self.assignments.last_mut() {
                    current.to = Some(from);
                }
                self.assignments.push(AssignmentPeriod {
                    role,
                    unit,
                    from,
                    to: None,
                    reason,
                });
            }
            OfficerEvent::OfficerDeactivated { from, reason, .. } => {
                self.active = false;
                self.inactive_periods.push(InactivePeriod {
                    from,
                    to: None,
                    reason,
                });
            }
            OfficerEvent::OfficerReactivated { from, .. } => {
                self.active = true;
                if let Some(p) = self.inactive_periods.last_mut() {
                    p.to = Some(from);
                }
            }
            OfficerEvent::TrainingRecorded {
                date,
                organiser,
                topics,
                hours,
                ..
            } => self.trainings.push(Training {
                date,
                organiser,
                topics,
                hours,
            }),
            OfficerEvent::ApiTokenIssued { token_id, .. } => {
                self.api_tokens.push((token_id, false));
            }
            OfficerEvent::ApiTokenRevoked { token_id, .. } => {
                for (id, revoked) in &mut self.api_tokens {
                    if *id == token_id {
                        *revoked = true;
                    }
                }
            }
            OfficerEvent::PasswordReset { .. } => self.password_reset = true,
            OfficerEvent::PasswordSet { .. } => self.password_reset = false,
            OfficerEvent::OfficerPersonalDataErased { .. } => {
                self.erased = true;
                self.full_name.clear();
                for a in &mut self.assignments {
                    a.reason.clear();
                }
                for p in &mut self.inactive_periods {
                    p.reason.clear();
                }
            }
        }
    }
}
