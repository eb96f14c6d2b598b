//! Need-to-know: which records, and which of their fields, each role reads.
//! The one place that decides it; `docs/access.md` is its table.
//!
//! The area (`area`) says which places an officer's records come from; the
//! role narrows it further: an admin manages accounts and reads no case
//! content, Hotline 111 takes intakes anywhere but reads only the cases it
//! took in, the reporter's identity is for the commune worker and chairman of
//! the case, and an inspector gives a reason for every read.

use hoso_domain::common::{CommuneRef, Role};
use hoso_projections::read::CaseFilter;
use serde_json::Value;

use crate::{Area, Error, Me};

/// Which cases an officer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cases {
    /// Every case of the area.
    Area,
    /// Only the cases this officer opened (took in).
    OpenedBy(String),
    /// None at all.
    None,
}

/// A field of an event that only some roles read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withheld {
    pub aggregate_type: &'static str,
    pub event_type: &'static str,
    /// The top-level field, replaced by an empty object.
    pub field: &'static str,
}

/// The reporter of an intake (name, phone, relation): the commune worker and
/// the chairman of the case only.
pub const REPORTER: Withheld = Withheld {
    aggregate_type: "Case",
    event_type: "IntakeRecorded",
    field: "reporter",
};

/// What an inspector is told when a read comes without a reason.
pub const REASON_REQUIRED: &str =
    "an inspector gives a reason for every read (the X-Access-Reason header or the reason parameter)";

/// What one officer may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sight {
    role: Role,
    officer_id: String,
    area: Area,
}

impl Sight {
    pub fn of(me: &Me) -> Sight {
        Sight {
            role: me.actor.role,
            officer_id: me.actor.officer_id.clone(),
            area: me.area(),
        }
    }

    pub fn area(&self) -> Area {
        self.area
    }

    pub fn cases(&self) -> Cases {
        match self.role {
            Role::Admin => Cases::None,
            Role::HotlineOperator | Role::System => Cases::OpenedBy(self.officer_id.clone()),
            Role::Collaborator
            | Role::CommuneWorker
            | Role::CommuneChairman
            | Role::ProvincialManager
            | Role::Inspector => Cases::Area,
        }
    }

    /// Whether a case of `commune`, opened by `opened_by`, is readable.
    pub fn sees_case(&self, commune: &CommuneRef, opened_by: Option<&str>) -> bool {
        match self.cases() {
            Cases::None => false,
            Cases::Area => self.area.holds(commune),
            Cases::OpenedBy(me) => opened_by == Some(me.as_str()) && self.area.holds(commune),
        }
    }

    /// Narrows a case-list filter to the cases this officer reads; `false`:
    /// nothing may be shown.
    pub fn narrow_cases(&self, f: &mut CaseFilter) -> bool {
        match self.cases() {
            Cases::None => false,
            Cases::Area => self.area.narrow_cases(f),
            Cases::OpenedBy(me) => {
                if f.opened_by.as_deref().is_some_and(|o| o != me) {
                    return false;
                }
                f.opened_by = Some(me);
                self.area.narrow_cases(f)
            }
        }
    }

    /// Whether the officer reads children's records at all (a child is read
    /// through a case the officer reads, or in the area: `children`).
    pub fn reads_children(&self) -> bool {
        self.cases() != Cases::None
    }

    /// Whether a child of `commune`, registered by `registered_by`, is
    /// readable without going through a case.
    pub fn sees_child_in_place(&self, commune: &CommuneRef, registered_by: Option<&str>) -> bool {
        match self.cases() {
            Cases::None => false,
            Cases::Area => self.area.holds(commune),
            Cases::OpenedBy(me) => registered_by == Some(me.as_str()),
        }
    }

    /// The reporter's identity: the commune worker and chairman of the case.
    pub fn sees(&self, w: Withheld) -> bool {
        if w == REPORTER {
            return matches!(self.role, Role::CommuneWorker | Role::CommuneChairman);
        }
        false
    }

    /// Removes from `payload` (an opened event) the fields this officer may not
    /// read; returns their names.
    pub fn withhold(
        &self,
        aggregate_type: &str,
        event_type: &str,
        payload: &mut Value,
    ) -> Vec<&'static str> {
        let mut gone = Vec::new();
        for w in [REPORTER] {
            if w.aggregate_type != aggregate_type || w.event_type != event_type || self.sees(w) {
                continue;
            }
            if let Some(v) = payload.get_mut(w.field) {
                if !v.is_null() {
                    // The same shape as an erased reporter: the report was
                    // not anonymous, but who made it is not shown.
                    *v = Value::Object(Default::default());
                    gone.push(w.field);
                }
            }
        }
        gone
    }

    /// An inspector reads with a reason, every time.
    pub fn needs_reason(&self) -> bool {
        self.role == Role::Inspector
    }

    /// The reason check for a read this officer makes.
    pub fn check_reason(&self, reason: Option<&str>) -> Result<(), Error> {
        if self.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(Error::invalid("reason", REASON_REQUIRED));
        }
        Ok(())
    }

    /// Statistics of the area: the commune's workers and chairman, managers
    /// and inspectors.
    pub fn reads_statistics(&self) -> bool {
        matches!(
            self.role,
            Role::CommuneWorker | Role::CommuneChairman | Role::ProvincialManager | Role::Inspector
        )
    }

    /// Other officers' histories (what they did on the area's records).
    pub fn reads_officer_histories(&self) -> bool {
        matches!(self.role, Role::ProvincialManager | Role::Inspector)
    }

    /// Other officers' records (name, role, unit, trainings).
    pub fn reads_officer_records(&self) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::ProvincialManager | Role::Inspector
        )
    }

    /// The access log (who read which record of the area).
    pub fn reads_access_log(&self) -> bool {
        self.role == Role::Inspector
    }

    /// Compliance exports of the area.
    pub fn exports(&self) -> bool {
        self.role == Role::Inspector
    }

    /// The integrity of the whole store (checkpoints, verification runs; no
    /// record content).
    pub fn reads_integrity(&self) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::ProvincialManager | Role::Inspector
        )
    }
}

/// The officer who opened a record, from its first event's metadata.
pub fn opener(metadata: Option<&str>) -> Option<String> {
    let m: serde_json::Map<String, Value> = serde_json::from_str(metadata?).ok()?;
    m.get("actor_id")?.as_str().map(str::to_string)
}
