//! The official forms of Decree 56/2017/NĐ-CP (annex, Mẫu số 01–06, and the
//! minutes of the needs meeting), as print-ready A4 HTML pages filled from a
//! case as it stood at a moment.
//!
//! | form | kind | from the events |
//! | --- | --- | --- |
//! | Mẫu số 01 — Báo cáo tiếp nhận thông tin trẻ em | [`FormKind::Intake01`] | `IntakeRecorded` |
//! | Mẫu số 02 — Báo cáo đánh giá nguy cơ ban đầu | [`FormKind::InitialAssessment02`] | `FactChecked`, `InitialRiskAssessed`, `EmergencyMeasuresOrdered` |
//! | Mẫu số 03 — Báo cáo thu thập thông tin, đánh giá nguy cơ cụ thể | [`FormKind::SpecificAssessment03`] | `SpecificRiskAssessed` |
//! | Biên bản họp xác định nhu cầu hỗ trợ, can thiệp | [`FormKind::Minutes`] | `SpecificRiskAssessed.minutes` |
//! | Mẫu số 04 — Kế hoạch hỗ trợ, can thiệp | [`FormKind::Plan04`] | `PlanDrafted` (latest version), `PlanApproved`, `PlanSentBack` |
//! | Mẫu số 05 — Quyết định phê duyệt kế hoạch hỗ trợ, can thiệp | [`FormKind::Approval05`] | `PlanApproved` (latest) and the plan it approves |
//! | Mẫu số 06 — Rà soát, đánh giá tình trạng của trẻ em | [`FormKind::Review06`] | `ReviewRecorded` (latest), services and referrals since the approval |
//!
//! Where the wording comes from: the numbered fields of Mẫu số 01 (A.1 nguồn
//! nhận thông tin, A.2 thông tin về trẻ em, A.3 thông tin người cung cấp thông
//! tin) and of Mẫu số 06 (họ và tên trẻ em, cán bộ thực hiện, ngày thực hiện;
//! section 1, đánh giá nguy cơ tại giai đoạn kết thúc, with the factor tables
//! rated Cao / Trung bình / Thấp) follow public transcriptions of the annex. The full text
//! of Mẫu số 02–05 and of the minutes could not be found in the reference
//! material available; their fields follow the Decree's articles 25–30 (as
//! quoted in public legal Q&A: e.g. art. 28 on the plan and its approval
//! file), SPEC.md, and exactly what each step of hoso records. Template fields
//! that hoso does not record (parents' names, the child's current carer, the
//! end-of-plan factor ratings of Mẫu số 06, ...) are printed as dotted blanks
//! to be filled in by hand, so the printed form stays complete.
//!
//! Choices:
//! - The heading names the People's Committee of the commune that held the
//!   case when the step was recorded (transfers change it), with the province
//!   (2025 structure) or the district (pre-2025 structure) above it; an intake
//!   recorded by a Hotline 111 operator is headed by the hotline instead.
//! - Dates are in Vietnam time and written as the rules on administrative
//!   documents want ("ngày 05 tháng 02 năm 2026": a zero before days 1–9 and
//!   months 1–2).
//! - When a step was recorded several times (a redone assessment, a new plan
//!   version), the form shows the latest one as of the moment; corrections
//!   (đính chính) recorded against the events a form uses are printed under it.
//! - A provenance line at the foot names the case, the events used (with their
//!   hashes when known) and the moment, for inspectors.
//!
//! The pages have no script, no links out, no navigation and no inline style:
//! their one stylesheet is [`FORM_CSS`], linked as `/assets/forms.css` (a
//! content security policy may forbid inline style and script). Every recorded
//! text is HTML-escaped.

mod assessment;
mod html;
mod intake;
mod plan;
mod review;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use hoso_domain::case::{Case, CaseEvent};
use hoso_domain::child::Child;
use hoso_domain::common::{CommuneRef, Role};

pub use html::esc;

/// The forms hoso prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormKind {
    /// Mẫu số 01: báo cáo tiếp nhận thông tin trẻ em.
    Intake01,
    /// Mẫu số 02: báo cáo đánh giá nguy cơ ban đầu.
    InitialAssessment02,
    /// Mẫu số 03: báo cáo thu thập thông tin, đánh giá nguy cơ cụ thể.
    SpecificAssessment03,
    /// Biên bản họp xác định nhu cầu cần hỗ trợ, can thiệp (with Mẫu số 03).
    Minutes,
    /// Mẫu số 04: kế hoạch hỗ trợ, can thiệp.
    Plan04,
    /// Mẫu số 05: quyết định phê duyệt kế hoạch hỗ trợ, can thiệp.
    Approval05,
    /// Mẫu số 06: rà soát, đánh giá tình trạng của trẻ em.
    Review06,
}

impl FormKind {
    pub const ALL: [FormKind; 7] = [
        FormKind::Intake01,
        FormKind::InitialAssessment02,
        FormKind::SpecificAssessment03,
        FormKind::Minutes,
        FormKind::Plan04,
        FormKind::Approval05,
        FormKind::Review06,
    ];

    /// For URLs: `mau-01` … `mau-06`, `bien-ban-hop`.
    pub fn code(self) -> &'static str {
        match self {
            FormKind::Intake01 => "mau-01",
            FormKind::InitialAssessment02 => "mau-02",
            FormKind::SpecificAssessment03 => "mau-03",
            FormKind::Minutes => "bien-ban-hop",
            FormKind::Plan04 => "mau-04",
            FormKind::Approval05 => "mau-05",
            FormKind::Review06 => "mau-06",
        }
    }

    pub fn parse(code: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// `Mẫu số 01`, or `Biên bản họp` for the minutes (which have no number).
    pub fn number(self) -> &'static str {
        match self {
            FormKind::Intake01 => "Mẫu số 01",
            FormKind::InitialAssessment02 => "Mẫu số 02",
            FormKind::SpecificAssessment03 => "Mẫu số 03",
            FormKind::Minutes => "Biên bản họp",
            FormKind::Plan04 => "Mẫu số 04",
            FormKind::Approval05 => "Mẫu số 05",
            FormKind::Review06 => "Mẫu số 06",
        }
    }

    /// The form's name in Vietnamese, for lists of forms.
    pub fn title_vi(self) -> &'static str {
        match self {
            FormKind::Intake01 => "Báo cáo tiếp nhận thông tin trẻ em",
            FormKind::InitialAssessment02 => "Báo cáo đánh giá nguy cơ ban đầu",
            FormKind::SpecificAssessment03 => "Báo cáo thu thập thông tin, đánh giá nguy cơ cụ thể",
            FormKind::Minutes => "Biên bản họp xác định nhu cầu cần hỗ trợ, can thiệp",
            FormKind::Plan04 => "Kế hoạch hỗ trợ, can thiệp",
            FormKind::Approval05 => "Quyết định phê duyệt kế hoạch hỗ trợ, can thiệp",
            FormKind::Review06 => "Rà soát, đánh giá tình trạng của trẻ em",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            FormKind::Intake01 => "Intake report",
            FormKind::InitialAssessment02 => "Initial risk assessment",
            FormKind::SpecificAssessment03 => "Specific risk assessment",
            FormKind::Minutes => "Minutes of the needs meeting",
            FormKind::Plan04 => "Support and intervention plan",
            FormKind::Approval05 => "Plan approval decision",
            FormKind::Review06 => "Review and evaluation",
        }
    }
}

/// Who recorded an event (from the event metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub officer_id: String,
    pub role: Option<Role>,
}

/// One event of the case, with what the ledger knows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// 1 for the first event of the case.
    pub sequence: u64,
    pub event: CaseEvent,
    pub by: Option<Signer>,
    pub recorded_at: Option<DateTime<Utc>>,
    /// SHA-256 of the stored event, hex, when known.
    pub hash: Option<String>,
}

/// Everything a form is filled from: the case as of a moment and its events up
/// to then, plus what other records know (the child's name, officers' names).
#[derive(Debug, Clone, Default)]
pub struct CaseRecord {
    pub case_id: String,
    /// The state after `events`.
    pub state: Case,
    /// In sequence order.
    pub events: Vec<Recorded>,
    /// The moment the record stands at (`None`: now).
    pub as_of: Option<DateTime<Utc>>,
    /// The child's record, for name, sex, ethnicity, address and household.
    pub child: Option<Child>,
    /// Officer id → full name, for the signature blocks.
    pub officer_names: BTreeMap<String, String>,
}

impl CaseRecord {
    /// A record of these events, folded by the domain's own `apply`.
    pub fn new(case_id: &str, events: Vec<Recorded>) -> CaseRecord {
        let mut state = Case::default();
        for r in &events {
            state.apply(r.event.clone());
        }
        CaseRecord {
            case_id: case_id.to_string(),
            state,
            events,
            ..CaseRecord::default()
        }
    }

    /// The record of `hoso_projections::history::case_as_of`: its timeline
    /// decoded (the payloads are the stored event JSON).
    pub fn from_as_of(
        a: &hoso_projections::history::CaseAsOf,
    ) -> Result<CaseRecord, serde_json::Error> {
        let mut events = Vec::with_capacity(a.timeline.len());
        for t in &a.timeline {
            let event: CaseEvent = serde_json::from_str(&t.payload)?;
            events.push(Recorded {
                sequence: u64::try_from(t.sequence).unwrap_or(0),
                event,
                by: t.meta.as_ref().map(|m| Signer {
                    officer_id: m.actor_id.clone(),
                    role: Role::parse(&m.role),
                }),
                recorded_at: t.meta.as_ref().map(|m| m.recorded_at),
                hash: Some(t.hash.clone()),
            });
        }
        let mut record = CaseRecord::new(&a.case_id, events);
        record.as_of = a.as_of;
        Ok(record)
    }

    pub fn with_child(mut self, child: Child) -> CaseRecord {
        self.child = Some(child);
        self
    }

    pub fn with_officer_name(mut self, officer_id: &str, full_name: &str) -> CaseRecord {
        self.officer_names
            .insert(officer_id.to_string(), full_name.to_string());
        self
    }

    /// The latest event matching `f`, with its index in `events`.
    fn latest<T>(&self, f: impl Fn(&CaseEvent) -> Option<T>) -> Option<(usize, &Recorded, T)> {
        self.events
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, r)| f(&r.event).map(|x| (i, r, x)))
    }

    /// The commune that held the case when the event at `index` was recorded.
    fn commune_at(&self, index: usize) -> Option<CommuneRef> {
        let mut commune = None;
        for r in self.events.iter().take(index + 1) {
            match &r.event {
                CaseEvent::IntakeRecorded { commune: c, .. } => commune = Some(*c),
                CaseEvent::CaseTransferred { to, .. } => commune = Some(*to),
                _ => {}
            }
        }
        commune.or(self.state.commune)
    }

    /// The name of the officer who recorded an event, or their id.
    fn signer_name(&self, r: &Recorded) -> Option<String> {
        r.by.as_ref().map(|s| self.officer_name(&s.officer_id))
    }

    fn officer_name(&self, id: &str) -> String {
        self.officer_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

/// The forms that have data recorded in this state of a case.
pub fn available(case: &Case) -> Vec<FormKind> {
    FormKind::ALL
        .into_iter()
        .filter(|k| match k {
            FormKind::Intake01 => case.is_opened(),
            FormKind::InitialAssessment02 => case.initial_assessed_at.is_some(),
            FormKind::SpecificAssessment03 | FormKind::Minutes => {
                case.specific_assessed_at.is_some()
            }
            FormKind::Plan04 => case.plan_version > 0,
            FormKind::Approval05 => case.plan_approved_at.is_some(),
            FormKind::Review06 => case.reviews_count > 0,
        })
        .collect()
}

/// The whole HTML document of a form, or `None` when the case has no data for
/// it yet (see [`available`]).
pub fn render(kind: FormKind, record: &CaseRecord) -> Option<String> {
    let page = match kind {
        FormKind::Intake01 => intake::intake_01(record)?,
        FormKind::InitialAssessment02 => assessment::initial_02(record)?,
        FormKind::SpecificAssessment03 => assessment::specific_03(record)?,
        FormKind::Minutes => assessment::minutes(record)?,
        FormKind::Plan04 => plan::plan_04(record)?,
        FormKind::Approval05 => plan::approval_05(record)?,
        FormKind::Review06 => review::review_06(record)?,
    };
    Some(html::document(kind, record, &page))
}

/// The print stylesheet of every form: A4, black on white, serif. Served as
/// the asset `/assets/forms.css` (the forms link it; no inline style).
pub const FORM_CSS: &str = include_str!("../../assets/forms.css");

/// Where the forms find [`FORM_CSS`].
pub const FORM_CSS_PATH: &str = "/assets/forms.css";
