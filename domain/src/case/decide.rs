//! The rules of the `Case` aggregate: who may do what (by role and commune), in
//! which step of the process, with which fields. `Case::decide` turns one command
//! into one event or a `CaseError`; it is pure (no clock, no I/O).
//!
//! Choices where the law is silent:
//! - Dates (age, plan review date) are taken in Vietnam time (UTC+7).
//! - The child's age is checked at `received_at` (when the report was received).
//! - Referrals may be recorded any time after intake (Hotline 111 and the police
//!   refer cases to the commune before any assessment), by the commune worker or
//!   a Hotline 111 operator.
//! - On a closed case only notes, attachments, corrections and reopening are allowed.
//! - A fact check may be redone before the initial assessment, and after reopening
//!   a case that never had one (e.g. closed as unfounded).
//! - A plan awaiting approval may be redrafted (new version); the approval must
//!   name the latest version.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::calendar;
use crate::common::{is_sha256_hex, Actor, CommuneRef, Role};
use crate::places;

use super::aggregate::{Case, CaseStatus};
use super::commands::*;
use super::error::CaseError;
use super::events::CaseEvent;
use super::types::*;

use CaseStatus as S;

/// The roles that may ever do an action. Everyone else gets `NotAuthorised`.
pub fn allowed_roles(action: &CaseAction) -> &'static [Role] {
    action.kind().allowed_roles()
}

fn check_role(actor: &Actor, action: &CaseAction) -> Result<(), CaseError> {
    if allowed_roles(action).contains(&actor.role) {
        Ok(())
    } else {
        Err(CaseError::NotAuthorised {
            role: actor.role,
            action: action.describe(),
        })
    }
}

/// Hotline 111 (operators and the switchboard system) acts for any commune; provincial managers for the communes of
/// their province; commune roles for their own commune only.
fn check_unit(actor: &Actor, commune: &CommuneRef) -> Result<(), CaseError> {
    let ok = match actor.role {
        Role::HotlineOperator | Role::System => true,
        Role::ProvincialManager => actor.covers_commune(commune),
        _ => actor.is_in_commune(commune),
    };
    if ok {
        Ok(())
    } else {
        Err(CaseError::OutsideUnit {
            unit: actor.unit,
            commune: commune.commune,
        })
    }
}

fn valid_commune(c: &CommuneRef) -> Result<(), CaseError> {
    if places::directory(c.structure).is_valid(c) {
        Ok(())
    } else {
        Err(CaseError::UnknownCommune {
            province: c.province,
            commune: c.commune,
        })
    }
}

fn non_empty(field: &'static str, s: &str) -> Result<(), CaseError> {
    if s.trim().is_empty() {
        Err(CaseError::MissingField(field))
    } else {
        Ok(())
    }
}

fn non_empty_list(field: &'static str, items: &[String]) -> Result<(), CaseError> {
    if items.is_empty() {
        return Err(CaseError::MissingField(field));
    }
    if items.iter().any(|s| s.trim().is_empty()) {
        return Err(CaseError::Invalid {
            field,
            reason: "contains an empty entry",
        });
    }
    Ok(())
}

/// The calendar date in Vietnam (UTC+7) at instant `t`.
pub fn vietnam_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(7)).date_naive()
}

/// Age in whole years on `day` of a person born on `dob`.
pub fn age_on(dob: NaiveDate, day: NaiveDate) -> i32 {
    let mut years = day.year() - dob.year();
    if (day.month(), day.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

fn step(ok: bool, action: &CaseAction, status: CaseStatus) -> Result<(), CaseError> {
    if ok {
        Ok(())
    } else {
        Err(CaseError::WrongStep {
            action: action.describe(),
            status,
        })
    }
}

impl Case {
    /// Checks a command against the rules and returns the one event it produces.
    pub fn decide(&self, command: CaseCommand) -> Result<CaseEvent, CaseError> {
        let CaseCommand { actor, at, action } = command;
        if let CaseAction::RecordIntake(intake) = &action {
            if self.is_opened() {
                return Err(CaseError::AlreadyOpened);
            }
            check_role(&actor, &action)?;
            valid_commune(&intake.commune)?;
            check_unit(&actor, &intake.commune)?;
            return intake_event(at, intake.clone());
        }
        let (Some(commune), Some(received_at)) = (self.commune, self.received_at) else {
            return Err(CaseError::NotFound);
        };
        check_role(&actor, &action)?;
        check_unit(&actor, &commune)?;
        if at < received_at {
            return Err(CaseError::BeforeReceipt);
        }
        let allowed_when_closed = matches!(
            action,
            CaseAction::AddNote(_)
                | CaseAction::AddAttachment(_)
                | CaseAction::ReopenCase(_)
                | CaseAction::CorrectEvent(_)
        );
        if self.is_closed() && !allowed_when_closed {
            return Err(CaseError::CaseClosed);
        }
        let status = self.status;
        match &action {
            CaseAction::RecordIntake(_) => Err(CaseError::AlreadyOpened),
            CaseAction::RecordFactCheck(f) => {
                step(
                    matches!(status, S::Received | S::FactChecked)
                        || (status == S::Reopened && self.initial_assessed_at.is_none()),
                    &action,
                    status,
                )?;
                non_empty("findings", &f.findings)?;
                Ok(CaseEvent::FactChecked {
                    at,
                    confirmed: f.confirmed,
                    findings: f.findings.clone(),
                })
            }
            CaseAction::AssessInitialRisk(a) => {
                step(
                    matches!(status, S::FactChecked | S::InitiallyAssessed),
                    &action,
                    status,
                )?;
                if self.fact_confirmed != Some(true) {
                    return Err(CaseError::FactNotConfirmed);
                }
                Ok(CaseEvent::InitialRiskAssessed {
                    at,
                    factors: a.factors,
                    overall: a.overall,
                    emergency_needed: a.emergency_needed,
                    protection_level: a.protection_level,
                    notes: a.notes.clone(),
                })
            }
            CaseAction::OrderEmergencyMeasures(o) => {
                step(self.initial_assessed_at.is_some(), &action, status)?;
                if o.measures.is_empty() {
                    return Err(CaseError::MissingField("measures"));
                }
                if has_duplicates(&o.measures) {
                    return Err(CaseError::Invalid {
                        field: "measures",
                        reason: "lists a measure twice",
                    });
                }
                if o.measures.contains(&EmergencyMeasure::Other) {
                    non_empty("details", &o.details)?;
                }
                non_empty("decision_ref", &o.decision_ref)?;
                Ok(CaseEvent::EmergencyMeasuresOrdered {
                    at,
                    measures: o.measures.clone(),
                    details: o.details.clone(),
                    decision_ref: o.decision_ref.clone(),
                })
            }
            CaseAction::AssessSpecificRisk(a) => {
                step(
                    matches!(
                        status,
                        S::InitiallyAssessed
                            | S::SpecificallyAssessed
                            | S::PlanSentBack
                            | S::NeedsNewPlan
                    ) || (status == S::Reopened && self.initial_assessed_at.is_some()),
                    &action,
                    status,
                )?;
                non_empty_list("needs", &a.needs)?;
                non_empty_list("minutes.participants", &a.minutes.participants)?;
                non_empty("minutes.summary", &a.minutes.summary)?;
                if a.minutes.held_at > at {
                    return Err(CaseError::Invalid {
                        field: "minutes.held_at",
                        reason: "is after the action time",
                    });
                }
                Ok(CaseEvent::SpecificRiskAssessed {
                    at,
                    factors: a.factors,
                    overall: a.overall,
                    protection_level: a.protection_level,
                    needs: a.needs.clone(),
                    minutes: a.minutes.clone(),
                })
            }
            CaseAction::DraftPlan(p) => {
                step(
                    matches!(
                        status,
                        S::SpecificallyAssessed
                            | S::PlanDrafted
                            | S::PlanSentBack
                            | S::NeedsNewPlan
                    ) || (status == S::Reopened && self.specific_assessed_at.is_some()),
                    &action,
                    status,
                )?;
                non_empty_list("objectives", &p.objectives)?;
                if p.services.iter().any(|s| s.provider.trim().is_empty()) {
                    return Err(CaseError::MissingField("services.provider"));
                }
                if p.review_date < vietnam_date(at) {
                    return Err(CaseError::Invalid {
                        field: "review_date",
                        reason: "is before the day the plan is drafted",
                    });
                }
                Ok(CaseEvent::PlanDrafted {
                    at,
                    version: self.plan_version + 1,
                    objectives: p.objectives.clone(),
                    services: p.services.clone(),
                    review_date: p.review_date,
                })
            }
            CaseAction::ApprovePlan(p) => {
                self.check_pending_plan(&action, p.plan_version)?;
                non_empty("decision_ref", &p.decision_ref)?;
                Ok(CaseEvent::PlanApproved {
                    at,
                    version: p.plan_version,
                    decision_ref: p.decision_ref.clone(),
                })
            }
            CaseAction::SendBackPlan(p) => {
                self.check_pending_plan(&action, p.plan_version)?;
                non_empty("reason", &p.reason)?;
                Ok(CaseEvent::PlanSentBack {
                    at,
                    version: p.plan_version,
                    reason: p.reason.clone(),
                })
            }
            CaseAction::RecordService(s) => {
                if self.approved_plan_version.is_none() {
                    return Err(CaseError::NoApprovedPlan);
                }
                non_empty("provider", &s.provider)?;
                if s.delivered_at > at {
                    return Err(CaseError::Invalid {
                        field: "delivered_at",
                        reason: "is after the action time",
                    });
                }
                if s.delivered_at < received_at {
                    return Err(CaseError::Invalid {
                        field: "delivered_at",
                        reason: "is before the report was received",
                    });
                }
                Ok(CaseEvent::ServiceRecorded {
                    at,
                    kind: s.kind,
                    provider: s.provider.clone(),
                    delivered_at: s.delivered_at,
                    notes: s.notes.clone(),
                })
            }
            CaseAction::RecordReferral(r) => {
                non_empty("agency", &r.agency)?;
                non_empty("reason", &r.reason)?;
                Ok(CaseEvent::ReferralRecorded {
                    at,
                    direction: r.direction,
                    agency: r.agency.clone(),
                    reason: r.reason.clone(),
                })
            }
            CaseAction::RecordReview(r) => {
                if self.approved_plan_version.is_none() {
                    return Err(CaseError::NoApprovedPlan);
                }
                step(
                    matches!(status, S::PlanApproved | S::ReviewedStable),
                    &action,
                    status,
                )?;
                non_empty_list("participants", &r.participants)?;
                non_empty("summary", &r.summary)?;
                Ok(CaseEvent::ReviewRecorded {
                    at,
                    outcome: r.outcome,
                    participants: r.participants.clone(),
                    summary: r.summary.clone(),
                })
            }
            CaseAction::CloseCase(c) => {
                non_empty("decision_ref", &c.decision_ref)?;
                match c.reason {
                    CloseReason::SafeAndStable | CloseReason::Other => {
                        if status != S::ReviewedStable {
                            return Err(CaseError::NoStableReview);
                        }
                        if c.reason == CloseReason::Other {
                            non_empty("note", &c.note)?;
                        }
                    }
                    CloseReason::Unfounded => {
                        if !(status == S::FactChecked && self.fact_confirmed == Some(false)) {
                            return Err(CaseError::NotUnfounded);
                        }
                    }
                    CloseReason::ChildTurned16 => {
                        let dob = self.date_of_birth.ok_or(CaseError::BirthDateUnknown)?;
                        if age_on(dob, vietnam_date(at)) < 16 {
                            return Err(CaseError::ChildNotYet16);
                        }
                    }
                }
                Ok(CaseEvent::CaseClosed {
                    at,
                    reason: c.reason,
                    decision_ref: c.decision_ref.clone(),
                    note: c.note.clone(),
                })
            }
            CaseAction::ReopenCase(r) => {
                if !self.is_closed() {
                    return Err(CaseError::NotClosed);
                }
                non_empty("reason", &r.reason)?;
                Ok(CaseEvent::CaseReopened {
                    at,
                    reason: r.reason.clone(),
                })
            }
            CaseAction::TransferCase(t) => {
                valid_commune(&t.to)?;
                if t.to == commune {
                    return Err(CaseError::SameCommune);
                }
                non_empty("reason", &t.reason)?;
                Ok(CaseEvent::CaseTransferred {
                    at,
                    from: commune,
                    to: t.to,
                    reason: t.reason.clone(),
                })
            }
            CaseAction::ReassignWorker(r) => {
                non_empty("to_officer", &r.to_officer)?;
                non_empty("reason", &r.reason)?;
                if self.responsible_worker.as_deref() == Some(r.to_officer.as_str()) {
                    return Err(CaseError::SameWorker);
                }
                Ok(CaseEvent::WorkerReassigned {
                    at,
                    from: self.responsible_worker.clone(),
                    to: r.to_officer.clone(),
                    reason: r.reason.clone(),
                })
            }
            CaseAction::AddNote(n) => {
                non_empty("text", &n.text)?;
                Ok(CaseEvent::NoteAdded {
                    at,
                    kind: n.kind,
                    text: n.text.clone(),
                })
            }
            CaseAction::AddAttachment(a) => {
                if !is_sha256_hex(&a.sha256) {
                    return Err(CaseError::Invalid {
                        field: "sha256",
                        reason: "must be 64 lowercase hexadecimal characters",
                    });
                }
                if a.size_bytes == 0 {
                    return Err(CaseError::Invalid {
                        field: "size_bytes",
                        reason: "must be more than zero",
                    });
                }
                non_empty("media_type", &a.media_type)?;
                if !valid_media_type(&a.media_type) {
                    return Err(CaseError::Invalid {
                        field: "media_type",
                        reason: "must look like type/subtype",
                    });
                }
                non_empty("file_name", &a.file_name)?;
                Ok(CaseEvent::AttachmentAdded {
                    at,
                    sha256: a.sha256.clone(),
                    size_bytes: a.size_bytes,
                    media_type: a.media_type.clone(),
                    file_name: a.file_name.clone(),
                    description: a.description.clone(),
                })
            }
            CaseAction::LinkCase(l) => {
                non_empty("other_case_id", &l.other_case_id)?;
                if self.linked_cases.contains(&l.other_case_id) {
                    return Err(CaseError::AlreadyLinked(l.other_case_id.clone()));
                }
                Ok(CaseEvent::CaseLinked {
                    at,
                    other_case_id: l.other_case_id.clone(),
                    relation: l.relation,
                })
            }
            CaseAction::CorrectEvent(c) => {
                if c.corrects_sequence == 0 || c.corrects_sequence > self.events_applied {
                    return Err(CaseError::NoSuchEvent {
                        sequence: c.corrects_sequence,
                        last: self.events_applied,
                    });
                }
                non_empty("reason", &c.reason)?;
                non_empty("correction", &c.correction)?;
                Ok(CaseEvent::EventCorrected {
                    at,
                    corrects_sequence: c.corrects_sequence,
                    reason: c.reason.clone(),
                    correction: c.correction.clone(),
                })
            }
        }
    }

    fn check_pending_plan(&self, action: &CaseAction, version: u32) -> Result<(), CaseError> {
        step(self.status == S::PlanDrafted, action, self.status)?;
        if version != self.plan_version {
            return Err(CaseError::WrongPlanVersion {
                expected: self.plan_version,
                given: version,
            });
        }
        Ok(())
    }
}

fn intake_event(at: DateTime<Utc>, i: Intake) -> Result<CaseEvent, CaseError> {
    non_empty("child_id", &i.child_id)?;
    if i.received_at > at {
        return Err(CaseError::ReceivedAfterRecording);
    }
    let received_day = vietnam_date(i.received_at);
    if i.date_of_birth > received_day {
        return Err(CaseError::ChildNotYetBorn);
    }
    if age_on(i.date_of_birth, received_day) >= 16 {
        return Err(CaseError::ChildTooOld);
    }
    if i.source == IntakeSource::Other {
        non_empty(
            "source_description",
            i.source_description.as_deref().unwrap_or(""),
        )?;
    }
    if let Some(r) = &i.reporter {
        non_empty("reporter.name", &r.name)?;
    }
    non_empty("description", &i.description)?;
    if i.harm_types.is_empty() {
        return Err(CaseError::MissingField("harm_types"));
    }
    for (n, h) in i.harm_types.iter().enumerate() {
        if i.harm_types[..n].contains(h) {
            return Err(CaseError::DuplicateHarmType(*h));
        }
    }
    if let Some(w) = &i.responsible_worker {
        non_empty("responsible_worker", w)?;
    }
    Ok(CaseEvent::IntakeRecorded {
        at,
        child_id: i.child_id,
        date_of_birth: Some(i.date_of_birth),
        commune: i.commune,
        source: i.source,
        source_description: i.source_description,
        reporter: i.reporter,
        description: i.description,
        harm_types: i.harm_types,
        received_at: i.received_at,
        responsible_worker: i.responsible_worker,
        deadlines: calendar::deadlines(i.received_at),
    })
}

fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(n, x)| items[..n].contains(x))
}

fn valid_media_type(s: &str) -> bool {
    match s.split_once('/') {
        Some((t, sub)) => {
            !t.is_empty()
                && !sub.is_empty()
                && !s.contains(char::is_whitespace)
                && !sub.contains('/')
        }
        None => false,
    }
}
