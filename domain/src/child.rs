//! The `Child` aggregate (hồ sơ trẻ em): who the child is (name, date of birth,
//! sex, ethnicity, personal identification number), where they live, their
//! household's poverty status (hộ nghèo, hộ cận nghèo) and the special-circumstance
//! groups they belong to over time (trẻ em có hoàn cảnh đặc biệt, Law on Children
//! Art. 10, plus the extra groups counted by the field registers). A child is a
//! person under 16 (Law Art. 1) when first registered.
//!
//! Who may act: the commune worker (công chức văn hóa–xã hội) and the commune
//! chairman (Chủ tịch UBND xã) of the child's commune; a village collaborator
//! (cộng tác viên) of that commune and a Hotline 111 operator may also register a
//! child. Every command carries its actor and time; nothing reads a clock.
//!
//! Commands are JSON like `{"actor": {...}, "at": "2025-09-01T08:00:00Z",
//! "action": {"type": "add_special_circumstance", "group": "dd", "since":
//! "2025-08-01", "note": "..."}}`; events are tagged the same way and carry `at`.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::calendar::local_date;
use crate::common::{Actor, CommuneRef, Role, Unit};
use crate::places;
use crate::privacy::Erasure;

pub mod duplicates;
pub mod identity;

pub use identity::{DistinctConfirmation, DuplicateMark};

#[cfg(test)]
mod tests;

mod commands;
mod error;
mod events;
mod types;

pub use commands::*;
pub use error::*;
pub use events::*;
pub use types::*;

// ---------------------------------------------------------------------------
// Aggregate

/// A child's record rebuilt from its events. Projections may read the fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Child {
    pub registered: bool,
    pub registered_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub ethnicity: String,
    pub personal_id: Option<String>,
    pub address: Option<Address>,
    pub household_status: HouseholdStatus,
    /// Every status with the time it took effect, oldest first.
    pub household_history: Vec<(DateTime<Utc>, HouseholdStatus)>,
    /// Every group period, open and closed, in the order they were added.
    pub circumstances: Vec<CircumstancePeriod>,
    /// Records a person found to be other children (likely duplicates checked).
    #[serde(default)]
    pub distinct_from: Vec<String>,
    /// The record kept, when a person found this one to be the same child.
    #[serde(default)]
    pub duplicate_of: Option<String>,
    /// The personal data was erased: names, date of birth, ethnicity, personal
    /// id, address detail and texts are empty; codes, dates and the commune
    /// remain.
    pub erased: bool,
}

impl Child {
    /// The commune of the current address.
    pub fn commune(&self) -> Option<CommuneRef> {
        self.address.as_ref().map(|a| a.commune)
    }

    /// The groups the child belonged to on `date`, in legal order, without repeats.
    pub fn groups_on(&self, date: NaiveDate) -> Vec<CircumstanceGroup> {
        let mut groups: Vec<CircumstanceGroup> = self
            .circumstances
            .iter()
            .filter(|p| p.covers(date))
            .map(|p| p.group)
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }

    /// The groups with an open period, in legal order.
    pub fn active_groups(&self) -> Vec<CircumstanceGroup> {
        let mut groups: Vec<CircumstanceGroup> = self
            .circumstances
            .iter()
            .filter(|p| p.is_open())
            .map(|p| p.group)
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }

    /// Every period of one group, oldest first.
    pub fn periods_of(
        &self,
        group: CircumstanceGroup,
    ) -> impl Iterator<Item = &CircumstancePeriod> {
        self.circumstances.iter().filter(move |p| p.group == group)
    }

    /// Age in completed years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        self.date_of_birth.map(|dob| age_on(dob, date))
    }

    /// The household status in effect at `at`.
    pub fn household_status_at(&self, at: DateTime<Utc>) -> Option<HouseholdStatus> {
        self.household_history
            .iter()
            .take_while(|(t, _)| *t <= at)
            .last()
            .map(|(_, s)| *s)
    }

    /// Clears every personal field, as replaying the events without their
    /// personal parts would: the commune, sex, household status, groups and
    /// dates stay.
    fn erase_personal_data(&mut self) {
        self.erased = true;
        self.full_name.clear();
        self.date_of_birth = None;
        self.ethnicity.clear();
        self.personal_id = None;
        if let Some(a) = &mut self.address {
            a.detail.clear();
        }
        for p in &mut self.circumstances {
            p.note.clear();
            if let Some(r) = &mut p.end_reason {
                r.clear();
            }
        }
    }

    fn open_period(&self, group: CircumstanceGroup) -> Option<&CircumstancePeriod> {
        self.circumstances
            .iter()
            .find(|p| p.group == group && p.is_open())
    }

    fn open_period_mut(&mut self, group: CircumstanceGroup) -> Option<&mut CircumstancePeriod> {
        self.circumstances
            .iter_mut()
            .find(|p| p.group == group && p.is_open())
    }

    /// Validates a command against the current state and returns the event to
    /// record.
    pub fn decide(&self, command: ChildCommand) -> Result<ChildEvent, ChildError> {
        let ChildCommand { actor, at, action } = command;
        let what = action.describe();
        match action {
            ChildAction::RegisterChild(r) => {
                authorise_registration(&actor, &r.address.commune, what)?;
                if self.erased {
                    return Err(ChildError::Erased);
                }
                if self.registered {
                    return Err(ChildError::AlreadyRegistered);
                }
                decide_registration(at, r)
            }
            other => {
                let commune = match (&self.address, self.registered) {
                    (Some(a), true) => a.commune,
                    _ => return Err(ChildError::NotRegistered),
                };
                match &other {
                    ChildAction::EraseChildData(_) => authorise_erasure(&actor, what)?,
                    ChildAction::ConfirmDistinct(_) | ChildAction::MarkDuplicate(_) => {
                        identity::authorise(&actor, &commune, what)?
                    }
                    _ => authorise_record_keeping(&actor, &commune, what)?,
                }
                if self.erased {
                    return Err(ChildError::Erased);
                }
                if let Some(last) = self.last_event_at {
                    if at < last {
                        return Err(ChildError::BeforeLastEvent { last });
                    }
                }
                match other {
                    ChildAction::RegisterChild(_) => Err(ChildError::AlreadyRegistered),
                    ChildAction::UpdateChildDetails(u) => self.decide_update(at, u),
                    ChildAction::ChangeHouseholdStatus(c) => {
                        if c.status == self.household_status {
                            return Err(ChildError::SameHouseholdStatus(c.status));
                        }
                        Ok(ChildEvent::HouseholdStatusChanged {
                            at,
                            status: c.status,
                            reason: c.reason.trim().to_string(),
                        })
                    }
                    ChildAction::AddSpecialCircumstance(s) => self.decide_add(at, s),
                    ChildAction::EndSpecialCircumstance(e) => self.decide_end(at, e),
                    ChildAction::ConfirmDistinct(c) => self.decide_distinct(at, c),
                    ChildAction::MarkDuplicate(m) => self.decide_duplicate(at, m),
                    ChildAction::EraseChildData(e) => {
                        let (reason, decision_ref) = e.check().map_err(ChildError::MissingField)?;
                        Ok(ChildEvent::PersonalDataErased {
                            at,
                            reason,
                            decision_ref,
                        })
                    }
                }
            }
        }
    }

    fn decide_update(&self, at: DateTime<Utc>, u: DetailsUpdate) -> Result<ChildEvent, ChildError> {
        if u.full_name.is_none()
            && u.ethnicity.is_none()
            && u.personal_id.is_none()
            && u.address.is_none()
        {
            return Err(ChildError::NothingToUpdate);
        }
        let full_name = u
            .full_name
            .map(|n| required(&n, "full_name"))
            .transpose()?
            .filter(|n| *n != self.full_name);
        let ethnicity = u
            .ethnicity
            .map(|e| required(&e, "ethnicity"))
            .transpose()?
            .filter(|e| *e != self.ethnicity);
        let personal_id = match u.personal_id {
            Some(id) if !is_valid_personal_id(&id) => return Err(ChildError::InvalidPersonalId),
            other => other.filter(|id| Some(id) != self.personal_id.as_ref()),
        };
        let address = u
            .address
            .map(normalise_address)
            .transpose()?
            .filter(|a| Some(a) != self.address.as_ref());
        if full_name.is_none() && ethnicity.is_none() && personal_id.is_none() && address.is_none()
        {
            return Err(ChildError::NoChange);
        }
        Ok(ChildEvent::ChildDetailsUpdated {
            at,
            full_name,
            ethnicity,
            personal_id,
            address,
        })
    }

    fn decide_add(
        &self,
        at: DateTime<Utc>,
        s: CircumstanceStart,
    ) -> Result<ChildEvent, ChildError> {
        if self.open_period(s.group).is_some() {
            return Err(ChildError::GroupAlreadyActive(s.group));
        }
        self.check_date(at, s.since, "since")?;
        if let Some(ended) = self.periods_of(s.group).filter_map(|p| p.until).max() {
            if s.since <= ended {
                return Err(ChildError::OverlapsEarlierPeriod {
                    group: s.group,
                    ended,
                });
            }
        }
        if s.group == CircumstanceGroup::N && self.household_status == HouseholdStatus::Normal {
            return Err(ChildError::GroupNRequiresPoorHousehold);
        }
        Ok(ChildEvent::SpecialCircumstanceAdded {
            at,
            group: s.group,
            since: s.since,
            note: s.note.trim().to_string(),
        })
    }

    fn decide_end(&self, at: DateTime<Utc>, e: CircumstanceEnd) -> Result<ChildEvent, ChildError> {
        let period = self
            .open_period(e.group)
            .ok_or(ChildError::GroupNotActive(e.group))?;
        if e.until < period.since {
            return Err(ChildError::EndBeforeStart {
                since: period.since,
                until: e.until,
            });
        }
        self.check_date(at, e.until, "until")?;
        let reason = required(&e.reason, "reason")?;
        Ok(ChildEvent::SpecialCircumstanceEnded {
            at,
            group: e.group,
            until: e.until,
            reason,
        })
    }

    /// A date of the child's life: not before birth, not after the action.
    fn check_date(
        &self,
        at: DateTime<Utc>,
        date: NaiveDate,
        field: &'static str,
    ) -> Result<(), ChildError> {
        if date > local_date(at) {
            return Err(ChildError::DateInFuture { field });
        }
        if self.date_of_birth.is_some_and(|dob| date < dob) {
            return Err(ChildError::BeforeBirth { field });
        }
        Ok(())
    }
}

fn required(value: &str, field: &'static str) -> Result<String, ChildError> {
    let v = value.trim();
    if v.is_empty() {
        Err(ChildError::MissingField(field))
    } else {
        Ok(v.to_string())
    }
}

fn normalise_address(a: Address) -> Result<Address, ChildError> {
    let c = a.commune;
    if !places::directory(c.structure).is_valid(&c) {
        return Err(ChildError::UnknownCommune {
            province: c.province,
            commune: c.commune,
        });
    }
    Ok(Address {
        commune: c,
        detail: a.detail.trim().to_string(),
    })
}

fn decide_registration(at: DateTime<Utc>, r: Registration) -> Result<ChildEvent, ChildError> {
    let full_name = required(&r.full_name, "full_name")?;
    let ethnicity = required(&r.ethnicity, "ethnicity")?;
    if let Some(id) = &r.personal_id {
        if !is_valid_personal_id(id) {
            return Err(ChildError::InvalidPersonalId);
        }
    }
    let address = normalise_address(r.address)?;
    let today = local_date(at);
    if r.date_of_birth > today {
        return Err(ChildError::BornAfterRegistration);
    }
    if age_on(r.date_of_birth, today) >= CHILD_AGE_LIMIT {
        return Err(ChildError::ChildTooOld);
    }
    Ok(ChildEvent::ChildRegistered {
        at,
        full_name,
        date_of_birth: Some(r.date_of_birth),
        sex: r.sex,
        ethnicity,
        personal_id: r.personal_id,
        address,
        household_status: r.household_status,
    })
}

/// Commune worker, chairman or collaborator of the commune; a Hotline 111 operator.
fn authorise_registration(
    actor: &Actor,
    commune: &CommuneRef,
    action: &'static str,
) -> Result<(), ChildError> {
    match actor.role {
        Role::CommuneWorker | Role::CommuneChairman | Role::Collaborator => {
            in_commune(actor, commune)
        }
        Role::HotlineOperator | Role::System if actor.unit == Unit::National => Ok(()),
        Role::HotlineOperator | Role::System => Err(ChildError::OutsideUnit {
            unit: actor.unit,
            commune: commune.commune,
        }),
        role @ (Role::ProvincialManager | Role::Inspector | Role::Admin) => {
            Err(ChildError::NotAuthorised { role, action })
        }
    }
}

/// National admins only.
fn authorise_erasure(actor: &Actor, action: &'static str) -> Result<(), ChildError> {
    if crate::privacy::may_erase(actor) {
        Ok(())
    } else {
        Err(ChildError::NotAuthorised {
            role: actor.role,
            action,
        })
    }
}

/// Commune worker or chairman of the child's commune.
fn authorise_record_keeping(
    actor: &Actor,
    commune: &CommuneRef,
    action: &'static str,
) -> Result<(), ChildError> {
    match actor.role {
        Role::CommuneWorker | Role::CommuneChairman => in_commune(actor, commune),
        role => Err(ChildError::NotAuthorised { role, action }),
    }
}

fn in_commune(actor: &Actor, commune: &CommuneRef) -> Result<(), ChildError> {
    if actor.is_in_commune(commune) {
        Ok(())
    } else {
        Err(ChildError::OutsideUnit {
            unit: actor.unit,
            commune: commune.commune,
        })
    }
}

impl Aggregate for Child {
    const TYPE: &'static str = "Child";
    type Command = ChildCommand;
    type Event = ChildEvent;
    type Error = ChildError;
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
            ChildEvent::ChildRegistered {
                at,
                full_name,
                date_of_birth,
                sex,
                ethnicity,
                personal_id,
                address,
                household_status,
            } => {
                self.registered = true;
                self.registered_at = Some(at);
                self.full_name = full_name;
                // `None` once erased.
                self.date_of_birth = date_of_birth;
                self.sex = Some(sex);
                self.ethnicity = ethnicity;
                self.personal_id = personal_id;
                self.address = Some(address);
                self.household_status = household_status;
                self.household_history = vec![(at, household_status)];
            }
            ChildEvent::ChildDetailsUpdated {
                full_name,
                ethnicity,
                personal_id,
                address,
                ..
            } => {
                if let Some(n) = full_name {
                    self.full_name = n;
                }
                if let Some(e) = ethnicity {
                    self.ethnicity = e;
                }
                if personal_id.is_some() {
                    self.personal_id = personal_id;
                }
                if address.is_some() {
                    self.address = address;
                }
            }
            ChildEvent::HouseholdStatusChanged { at, status, .. } => {
                self.household_status = status;
                self.household_history.push((at, status));
            }
            ChildEvent::SpecialCircumstanceAdded {
                group, since, note, ..
            } => self.circumstances.push(CircumstancePeriod {
                group,
                since,
                until: None,
                note,
                end_reason: None,
            }),
            ChildEvent::SpecialCircumstanceEnded {
                group,
                until,
                reason,
                ..
            } => {
                if let Some(p) = self.open_period_mut(group) {
                    p.until = Some(until);
                    p.end_reason = Some(reason);
                }
            }
            ChildEvent::ConfirmedDistinct { other_child_id, .. } => {
                self.distinct_from.push(other_child_id)
            }
            ChildEvent::MarkedDuplicate { of_child_id, .. } => {
                self.duplicate_of = Some(of_child_id)
            }
            ChildEvent::PersonalDataErased { .. } => self.erase_personal_data(),
        }
    }
}
