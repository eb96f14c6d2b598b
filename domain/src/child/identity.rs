//! Is this record the same child as that one? The decision a person takes on a
//! likely duplicate ([`super::duplicates`] finds them; it never decides): the
//! records are of different children (`ConfirmDistinct`, "xác nhận là trẻ em
//! khác"), or this record is the same child as another one, which is the
//! record kept (`MarkDuplicate`, "đánh dấu trùng hồ sơ"). Either way the
//! decision is an event of this child's record, so a later report of likely
//! duplicates leaves the pair out and an inspector sees who decided, when.
//!
//! Who decides: whoever may register a child of the record's commune (its
//! commune worker, chairman and collaborators; a national Hotline 111
//! operator), and the provincial manager of the province, who clears the
//! duplicates already registered.
//!
//! Choices: the other record's id is not checked here (the aggregate knows
//! nothing of other records; the service checks that it exists and is
//! visible, and that it is not this record); a record marked as a duplicate
//! stays marked (a mistake is corrected by a new record, as elsewhere).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{Actor, CommuneRef, Role, Unit};

use super::{Child, ChildError, ChildEvent};

/// The officer checked a likely duplicate: another child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DistinctConfirmation {
    /// The child id of the other record; must not be empty.
    pub other_child_id: String,
    /// How it was checked (e.g. "khác cha mẹ, khác trường học").
    #[serde(default)]
    pub note: String,
}

/// The officer found this record to be the same child as another one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateMark {
    /// The child id of the record that is kept; must not be empty.
    pub of_child_id: String,
    /// Must not be empty.
    pub reason: String,
}

/// Commune worker, chairman or collaborator of the commune; a national
/// Hotline 111 operator; the provincial manager of the province.
pub(super) fn authorise(
    actor: &Actor,
    commune: &CommuneRef,
    action: &'static str,
) -> Result<(), ChildError> {
    let ok = match actor.role {
        Role::CommuneWorker | Role::CommuneChairman | Role::Collaborator => {
            actor.is_in_commune(commune)
        }
        Role::HotlineOperator => actor.unit == Unit::National,
        Role::ProvincialManager => actor.covers_commune(commune),
        role @ (Role::Inspector | Role::Admin | Role::System) => {
            return Err(ChildError::NotAuthorised { role, action })
        }
    };
    if ok {
        Ok(())
    } else {
        Err(ChildError::OutsideUnit {
            unit: actor.unit,
            commune: commune.commune,
        })
    }
}

fn other_id(value: &str, field: &'static str) -> Result<String, ChildError> {
    let v = value.trim();
    if v.is_empty() {
        Err(ChildError::MissingField(field))
    } else {
        Ok(v.to_string())
    }
}

impl Child {
    pub(super) fn decide_distinct(
        &self,
        at: DateTime<Utc>,
        c: DistinctConfirmation,
    ) -> Result<ChildEvent, ChildError> {
        let other = other_id(&c.other_child_id, "other_child_id")?;
        if self.duplicate_of.as_deref() == Some(other.as_str()) {
            return Err(ChildError::AlreadyDuplicate(other));
        }
        if self.distinct_from.contains(&other) {
            return Err(ChildError::AlreadyDistinct(other));
        }
        Ok(ChildEvent::ConfirmedDistinct {
            at,
            other_child_id: other,
            note: c.note.trim().to_string(),
        })
    }

    pub(super) fn decide_duplicate(
        &self,
        at: DateTime<Utc>,
        m: DuplicateMark,
    ) -> Result<ChildEvent, ChildError> {
        let of = other_id(&m.of_child_id, "of_child_id")?;
        if let Some(kept) = &self.duplicate_of {
            return Err(ChildError::AlreadyDuplicate(kept.clone()));
        }
        if self.distinct_from.contains(&of) {
            return Err(ChildError::AlreadyDistinct(of));
        }
        let reason = other_id(&m.reason, "reason")?;
        Ok(ChildEvent::MarkedDuplicate {
            at,
            of_child_id: of,
            reason,
        })
    }

    /// Whether a person already decided about this record and `other`.
    pub fn decided_about(&self, other: &str) -> bool {
        self.duplicate_of.as_deref() == Some(other) || self.distinct_from.iter().any(|x| x == other)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;

    use super::*;
    use crate::child::{Address, ChildAction, ChildCommand, HouseholdStatus, Sex};

    type Fx = TestFramework<Child>;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, day, 3, 0, 0).unwrap()
    }

    /// Phường Hoàn Kiếm, Hà Nội.
    fn hoan_kiem() -> CommuneRef {
        CommuneRef::current(1, 70)
    }

    fn actor(role: Role, unit: Unit) -> Actor {
        Actor {
            officer_id: format!("{}-1", role.as_str()),
            role,
            unit,
        }
    }

    fn worker() -> Actor {
        actor(Role::CommuneWorker, hoan_kiem().as_unit().unwrap())
    }

    fn registered() -> ChildEvent {
        ChildEvent::ChildRegistered {
            at: at(1),
            full_name: "Nguyễn Văn An".to_string(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2015, 6, 1),
            sex: Sex::Male,
            ethnicity: "Kinh".to_string(),
            personal_id: None,
            address: Address {
                commune: hoan_kiem(),
                detail: String::new(),
            },
            household_status: HouseholdStatus::Normal,
        }
    }

    fn distinct(who: Actor, other: &str) -> ChildCommand {
        ChildCommand {
            actor: who,
            at: at(2),
            action: ChildAction::ConfirmDistinct(DistinctConfirmation {
                other_child_id: other.to_string(),
                note: " khác cha mẹ ".to_string(),
            }),
        }
    }

    fn duplicate(who: Actor, of: &str, reason: &str) -> ChildCommand {
        ChildCommand {
            actor: who,
            at: at(2),
            action: ChildAction::MarkDuplicate(DuplicateMark {
                of_child_id: of.to_string(),
                reason: reason.to_string(),
            }),
        }
    }

    fn confirmed(other: &str) -> ChildEvent {
        ChildEvent::ConfirmedDistinct {
            at: at(2),
            other_child_id: other.to_string(),
            note: "khác cha mẹ".to_string(),
        }
    }

    fn marked(of: &str) -> ChildEvent {
        ChildEvent::MarkedDuplicate {
            at: at(2),
            of_child_id: of.to_string(),
            reason: "cùng cha mẹ, cùng địa chỉ".to_string(),
        }
    }

    #[test]
    fn the_registering_officer_confirms_another_child() {
        Fx::with(())
            .given(vec![registered()])
            .when(distinct(worker(), " TE-2 "))
            .then_expect_events(vec![confirmed("TE-2")]);
    }

    #[test]
    fn a_record_is_marked_as_a_duplicate_of_the_kept_one() {
        Fx::with(())
            .given(vec![registered()])
            .when(duplicate(worker(), "TE-1", "cùng cha mẹ, cùng địa chỉ"))
            .then_expect_events(vec![marked("TE-1")]);
    }

    #[test]
    fn who_may_decide() {
        for who in [
            actor(Role::CommuneChairman, hoan_kiem().as_unit().unwrap()),
            actor(Role::Collaborator, hoan_kiem().as_unit().unwrap()),
            actor(Role::HotlineOperator, Unit::National),
            actor(Role::ProvincialManager, Unit::Province { province: 1 }),
        ] {
            Fx::with(())
                .given(vec![registered()])
                .when(distinct(who, "TE-2"))
                .then_expect_events(vec![confirmed("TE-2")]);
        }
        Fx::with(())
            .given(vec![registered()])
            .when(distinct(actor(Role::Inspector, Unit::National), "TE-2"))
            .then_expect_error(ChildError::NotAuthorised {
                role: Role::Inspector,
                action: "confirm that two records are different children",
            });
        Fx::with(())
            .given(vec![registered()])
            .when(distinct(
                actor(Role::ProvincialManager, Unit::Province { province: 42 }),
                "TE-2",
            ))
            .then_expect_error(ChildError::OutsideUnit {
                unit: Unit::Province { province: 42 },
                commune: 70,
            });
    }

    #[test]
    fn a_decision_is_taken_once() {
        Fx::with(())
            .given(vec![registered(), confirmed("TE-2")])
            .when(distinct(worker(), "TE-2"))
            .then_expect_error(ChildError::AlreadyDistinct("TE-2".into()));
        Fx::with(())
            .given(vec![registered(), confirmed("TE-2")])
            .when(duplicate(worker(), "TE-2", "x"))
            .then_expect_error(ChildError::AlreadyDistinct("TE-2".into()));
        Fx::with(())
            .given(vec![registered(), marked("TE-1")])
            .when(duplicate(worker(), "TE-3", "x"))
            .then_expect_error(ChildError::AlreadyDuplicate("TE-1".into()));
        Fx::with(())
            .given(vec![registered(), marked("TE-1")])
            .when(distinct(worker(), "TE-1"))
            .then_expect_error(ChildError::AlreadyDuplicate("TE-1".into()));
        // Another pair is another decision.
        Fx::with(())
            .given(vec![registered(), marked("TE-1")])
            .when(distinct(worker(), "TE-3"))
            .then_expect_events(vec![confirmed("TE-3")]);
    }

    #[test]
    fn the_other_record_and_the_reason_are_required() {
        Fx::with(())
            .given(vec![registered()])
            .when(distinct(worker(), "  "))
            .then_expect_error(ChildError::MissingField("other_child_id"));
        Fx::with(())
            .given(vec![registered()])
            .when(duplicate(worker(), "", "x"))
            .then_expect_error(ChildError::MissingField("of_child_id"));
        Fx::with(())
            .given(vec![registered()])
            .when(duplicate(worker(), "TE-1", " "))
            .then_expect_error(ChildError::MissingField("reason"));
        Fx::with(())
            .given_no_previous_events()
            .when(distinct(worker(), "TE-2"))
            .then_expect_error(ChildError::NotRegistered);
    }

    #[test]
    fn the_state_remembers_the_decisions() {
        let mut c = Child::default();
        for e in [registered(), confirmed("TE-2"), marked("TE-1")] {
            cqrs_es::Aggregate::apply(&mut c, e);
        }
        assert_eq!(c.distinct_from, vec!["TE-2".to_string()]);
        assert_eq!(c.duplicate_of.as_deref(), Some("TE-1"));
        assert!(c.decided_about("TE-1") && c.decided_about("TE-2"));
        assert!(!c.decided_about("TE-3"));
        // A stored state from before these fields existed still decodes.
        let mut old = serde_json::to_value(Child::default()).unwrap();
        old.as_object_mut().unwrap().remove("distinct_from");
        old.as_object_mut().unwrap().remove("duplicate_of");
        let back: Child = serde_json::from_value(old).unwrap();
        assert!(back.distinct_from.is_empty());
    }
}
