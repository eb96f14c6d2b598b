//! The state of a case rebuilt from its events (`Case`), its process status, and
//! the legal deadlines derived from it. Projections read the public fields.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::calendar::Deadlines;
use crate::common::{CommuneRef, HarmType, ProtectionLevel, RiskLevel};

use super::commands::CaseCommand;
use super::error::CaseError;
use super::events::CaseEvent;
use super::types::*;

/// Where a case is in the process of Decree 56/2017 chapter III.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// No intake yet: the case does not exist.
    #[default]
    NotOpened,
    /// Đã tiếp nhận: intake recorded.
    Received,
    /// Đã kiểm tra tính xác thực (confirmed or not: see `Case::fact_confirmed`).
    FactChecked,
    /// Đã đánh giá nguy cơ ban đầu.
    InitiallyAssessed,
    /// Đã đánh giá nguy cơ cụ thể.
    SpecificallyAssessed,
    /// A plan is awaiting the chairman's approval.
    PlanDrafted,
    /// The chairman sent the plan back: a new version must be drafted.
    PlanSentBack,
    /// Đã phê duyệt kế hoạch: services, referrals and reviews.
    PlanApproved,
    /// The last review found the child safe and stable: the chairman may close.
    ReviewedStable,
    /// The last review asked for a new plan (back to step 5).
    NeedsNewPlan,
    /// Đã kết thúc.
    Closed,
    /// Reopened after closing: a specific assessment or a new plan comes next.
    Reopened,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 12] = [
        CaseStatus::NotOpened,
        CaseStatus::Received,
        CaseStatus::FactChecked,
        CaseStatus::InitiallyAssessed,
        CaseStatus::SpecificallyAssessed,
        CaseStatus::PlanDrafted,
        CaseStatus::PlanSentBack,
        CaseStatus::PlanApproved,
        CaseStatus::ReviewedStable,
        CaseStatus::NeedsNewPlan,
        CaseStatus::Closed,
        CaseStatus::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::NotOpened => "not_opened",
            CaseStatus::Received => "received",
            CaseStatus::FactChecked => "fact_checked",
            CaseStatus::InitiallyAssessed => "initially_assessed",
            CaseStatus::SpecificallyAssessed => "specifically_assessed",
            CaseStatus::PlanDrafted => "plan_drafted",
            CaseStatus::PlanSentBack => "plan_sent_back",
            CaseStatus::PlanApproved => "plan_approved",
            CaseStatus::ReviewedStable => "reviewed_stable",
            CaseStatus::NeedsNewPlan => "needs_new_plan",
            CaseStatus::Closed => "closed",
            CaseStatus::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl crate::common::Code for CaseStatus {
    const ALL: &'static [CaseStatus] = &CaseStatus::ALL;
    fn code(self) -> &'static str {
        self.as_str()
    }
}

impl crate::common::Code for DeadlineKind {
    const ALL: &'static [DeadlineKind] = &DeadlineKind::ALL;
    fn code(self) -> &'static str {
        self.as_str()
    }
}

/// The three legal deadlines counted from intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Emergency decision within 12 hours of intake.
    Emergency,
    /// Plan drafted within 5 working days.
    Plan,
    /// Plan approved within 7 working days.
    Approval,
}

impl DeadlineKind {
    pub const ALL: [DeadlineKind; 3] = [
        DeadlineKind::Emergency,
        DeadlineKind::Plan,
        DeadlineKind::Approval,
    ];

    /// The code (as serialized): `emergency`, `plan`, `approval`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Emergency => "emergency",
            DeadlineKind::Plan => "plan",
            DeadlineKind::Approval => "approval",
        }
    }
}

/// A case as it stands after its events. `Default` is a case not yet opened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub status: CaseStatus,
    pub child_id: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    /// The commune responsible now (changes on transfer).
    pub commune: Option<CommuneRef>,
    pub source: Option<IntakeSource>,
    pub harm_types: Vec<HarmType>,
    pub responsible_worker: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
    /// Computed at intake from `received_at`.
    pub deadlines: Option<Deadlines>,
    /// Result of the latest fact check.
    pub fact_confirmed: Option<bool>,
    /// From the latest initial assessment.
    pub emergency_needed: Option<bool>,
    /// Latest assessed protection level (initial or specific).
    pub protection_level: Option<ProtectionLevel>,
    /// Latest assessed overall risk (initial or specific).
    pub overall_risk: Option<RiskLevel>,
    /// First initial assessment.
    pub initial_assessed_at: Option<DateTime<Utc>>,
    /// First emergency order.
    pub emergency_ordered_at: Option<DateTime<Utc>>,
    /// Latest specific assessment.
    pub specific_assessed_at: Option<DateTime<Utc>>,
    /// First plan drafted.
    pub plan_drafted_at: Option<DateTime<Utc>>,
    /// First plan approved.
    pub plan_approved_at: Option<DateTime<Utc>>,
    /// Latest plan version drafted (0: none).
    pub plan_version: u32,
    /// The approved plan in force, if any (cleared on reopening).
    pub approved_plan_version: Option<u32>,
    pub last_review_outcome: Option<ReviewOutcome>,
    /// When the case was closed; `None` while open (also after reopening).
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<CloseReason>,
    pub reopened_count: u32,
    pub services_count: u32,
    pub referrals_count: u32,
    pub reviews_count: u32,
    pub notes_count: u32,
    pub attachments: Vec<AttachmentInfo>,
    pub linked_cases: Vec<String>,
    pub corrections_count: u32,
    /// Number of events applied; the next event's sequence is this + 1.
    pub events_applied: u64,
    /// `at` of the latest event.
    pub last_event_at: Option<DateTime<Utc>>,
}

impl Case {
    pub fn is_opened(&self) -> bool {
        self.status != CaseStatus::NotOpened
    }

    pub fn is_closed(&self) -> bool {
        self.status == CaseStatus::Closed
    }

    /// When the step that meets a deadline was done, if it was.
    ///
    /// - emergency: the 12-hour decision. If the latest initial assessment found
    ///   emergency measures needed, it is met by the first emergency order;
    ///   otherwise by the first initial assessment (or an emergency order, if
    ///   one came first).
    /// - plan: the first plan drafted.
    /// - approval: the first plan approved.
    pub fn deadline_done_at(&self, kind: DeadlineKind) -> Option<DateTime<Utc>> {
        match kind {
            DeadlineKind::Emergency => match self.emergency_needed {
                Some(true) => self.emergency_ordered_at,
                _ => match (self.initial_assessed_at, self.emergency_ordered_at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
            },
            DeadlineKind::Plan => self.plan_drafted_at,
            DeadlineKind::Approval => self.plan_approved_at,
        }
    }

    fn deadline_at(&self, kind: DeadlineKind) -> Option<DateTime<Utc>> {
        let d = self.deadlines?;
        Some(match kind {
            DeadlineKind::Emergency => d.emergency,
            DeadlineKind::Plan => d.plan,
            DeadlineKind::Approval => d.approval,
        })
    }

    /// The earliest legal deadline whose step is not yet done (even if already
    /// past), or `None` when all are done, the case is closed or not opened.
    pub fn next_deadline(&self) -> Option<(DeadlineKind, DateTime<Utc>)> {
        if !self.is_opened() || self.is_closed() {
            return None;
        }
        [
            DeadlineKind::Emergency,
            DeadlineKind::Plan,
            DeadlineKind::Approval,
        ]
        .into_iter()
        .filter(|k| self.deadline_done_at(*k).is_none())
        .find_map(|k| self.deadline_at(k).map(|t| (k, t)))
    }

    /// The deadlines missed as of `now`: done after the deadline, or not done
    /// while the case is open and `now` is past the deadline. A step never done
    /// in a case that was closed (e.g. unfounded) does not count as missed.
    pub fn missed_deadlines(&self, now: DateTime<Utc>) -> Vec<DeadlineKind> {
        [
            DeadlineKind::Emergency,
            DeadlineKind::Plan,
            DeadlineKind::Approval,
        ]
        .into_iter()
        .filter(|k| {
            let Some(deadline) = self.deadline_at(*k) else {
                return false;
            };
            match self.deadline_done_at(*k) {
                Some(done) => done > deadline,
                None => !self.is_closed() && now > deadline,
            }
        })
        .collect()
    }
}

impl Aggregate for Case {
    const TYPE: &'static str = "Case";
    type Command = CaseCommand;
    type Event = CaseEvent;
    type Error = CaseError;
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
        self.events_applied += 1;
        self.last_event_at = Some(event.at());
        match event {
            CaseEvent::IntakeRecorded {
                child_id,
                date_of_birth,
                commune,
                source,
                harm_types,
                received_at,
                responsible_worker,
                deadlines,
                ..
            } => {
                self.status = CaseStatus::Received;
                self.child_id = Some(child_id);
                // `None` once the child's personal data is erased.
                self.date_of_birth = date_of_birth;
                self.commune = Some(commune);
                self.source = Some(source);
                self.harm_types = harm_types;
                self.received_at = Some(received_at);
                self.responsible_worker = responsible_worker;
                self.deadlines = Some(deadlines);
            }
            CaseEvent::FactChecked { confirmed, .. } => {
                self.status = CaseStatus::FactChecked;
                self.fact_confirmed = Some(confirmed);
            }
            CaseEvent::InitialRiskAssessed {
                at,
                overall,
                emergency_needed,
                protection_level,
                ..
            } => {
                self.status = CaseStatus::InitiallyAssessed;
                self.overall_risk = Some(overall);
                self.emergency_needed = Some(emergency_needed);
                self.protection_level = Some(protection_level);
                self.initial_assessed_at.get_or_insert(at);
            }
            CaseEvent::EmergencyMeasuresOrdered { at, .. } => {
                self.emergency_ordered_at.get_or_insert(at);
            }
            CaseEvent::SpecificRiskAssessed {
                at,
                overall,
                protection_level,
                ..
            } => {
                self.status = CaseStatus::SpecificallyAssessed;
                self.overall_risk = Some(overall);
                self.protection_level = Some(protection_level);
                self.specific_assessed_at = Some(at);
            }
            CaseEvent::PlanDrafted { at, version, .. } => {
                self.status = CaseStatus::PlanDrafted;
                self.plan_version = version;
                self.plan_drafted_at.get_or_insert(at);
            }
            CaseEvent::PlanApproved { at, version, .. } => {
                self.status = CaseStatus::PlanApproved;
                self.approved_plan_version = Some(version);
                self.plan_approved_at.get_or_insert(at);
            }
            CaseEvent::PlanSentBack { .. } => {
                self.status = CaseStatus::PlanSentBack;
            }
            CaseEvent::ServiceRecorded { .. } => self.services_count += 1,
            CaseEvent::ReferralRecorded { .. } => self.referrals_count += 1,
            CaseEvent::ReviewRecorded { outcome, .. } => {
                self.reviews_count += 1;
                self.last_review_outcome = Some(outcome);
                self.status = match outcome {
                    ReviewOutcome::SafeAndStable => CaseStatus::ReviewedStable,
                    ReviewOutcome::NeedsNewPlan => CaseStatus::NeedsNewPlan,
                };
            }
            CaseEvent::CaseClosed { at, reason, .. } => {
                self.status = CaseStatus::Closed;
                self.closed_at = Some(at);
                self.close_reason = Some(reason);
            }
            CaseEvent::CaseReopened { .. } => {
                self.status = CaseStatus::Reopened;
                self.closed_at = None;
                self.close_reason = None;
                self.approved_plan_version = None;
                self.reopened_count += 1;
            }
            CaseEvent::CaseTransferred { to, .. } => {
                self.commune = Some(to);
                self.responsible_worker = None;
            }
            CaseEvent::WorkerReassigned { to, .. } => {
                self.responsible_worker = Some(to);
            }
            CaseEvent::NoteAdded { .. } => self.notes_count += 1,
            CaseEvent::AttachmentAdded {
                at,
                sha256,
                size_bytes,
                media_type,
                file_name,
                description,
            } => self.attachments.push(AttachmentInfo {
                sha256,
                size_bytes,
                media_type,
                file_name,
                description,
                at,
            }),
            CaseEvent::CaseLinked { other_case_id, .. } => self.linked_cases.push(other_case_id),
            CaseEvent::EventCorrected { .. } => self.corrections_count += 1,
        }
    }
}
