//! Every message in both languages, every variant of every error.
//!
//! One file on purpose (over 600 lines): one assertion per message and language, a flat list that is only ever searched, never read through.

use super::*;
use chrono::TimeZone;
use hoso_domain::case::{
    Attachment, CaseAction, CaseLink, CaseRelation, CloseReason, Closure, Correction,
    EmergencyMeasure, EmergencyOrder, FactCheck, InitialAssessment, Intake, IntakeSource,
    NeedsMeetingMinutes, Note, NoteKind, PlanApproval, PlanDraft, PlanSendBack, Reassignment,
    Referral, ReferralDirection, Reopening, Review, ReviewOutcome, RiskFactors, ServiceDelivery,
    ServiceKind, SpecificAssessment, Transfer,
};
use hoso_domain::child::{
    Address, ChildAction, CircumstanceEnd, CircumstanceStart, DetailsUpdate, DistinctConfirmation,
    DuplicateMark, HouseholdStatusChange, Registration, Sex,
};
use hoso_domain::common::{CommuneRef, ProtectionLevel, RiskLevel};
use hoso_domain::officer::{
    AssignmentChange, Deactivation, OfficerAction, OfficerRegistration, Reactivation, Training,
};
use hoso_domain::privacy::Erasure;

/// Heuristic: common English words that never occur in a Vietnamese sentence.
pub(crate) const ENGLISH: &[&str] = &[
    " the ",
    " must ",
    " is ",
    " not ",
    " may ",
    " has ",
    " was ",
    " of ",
    " and ",
    " cannot ",
    " already ",
    " only ",
    " be ",
    " with ",
    " after ",
    " before ",
    " missing ",
    " field ",
];

fn check(vi: &str, en: &str) {
    assert!(!vi.trim().is_empty(), "empty Vietnamese for {en:?}");
    assert!(!en.trim().is_empty(), "empty English for {vi:?}");
    assert_ne!(vi, en, "not translated: {vi:?}");
    let padded = format!(" {} ", vi.to_lowercase());
    for w in ENGLISH {
        assert!(!padded.contains(w), "English word {w:?} in {vi:?}");
    }
}

fn dt() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, 1, 0, 0)
        .single()
        .expect("valid")
}
fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid")
}
fn song_tri() -> CommuneRef {
    CommuneRef::current(42, 18754)
}
fn commune_unit() -> Unit {
    Unit::Commune {
        province: 42,
        commune: 18754,
    }
}
fn factors() -> RiskFactors {
    RiskFactors {
        severity_of_harm: RiskLevel::High,
        abuser_access: RiskLevel::High,
        care_environment_obstacles: RiskLevel::Medium,
        child_capacity: RiskLevel::Low,
    }
}

/// One action of every kind. The match makes a new `CaseAction` variant
/// fail to compile here until it is listed.
fn case_actions() -> Vec<CaseAction> {
    let all = vec![
        CaseAction::RecordIntake(Intake {
            child_id: "c".into(),
            date_of_birth: d(2015, 1, 1),
            commune: song_tri(),
            source: IntakeSource::Police,
            source_description: None,
            reporter: None,
            description: "x".into(),
            harm_types: vec![HarmType::Violence],
            received_at: dt(),
            responsible_worker: None,
        }),
        CaseAction::RecordFactCheck(FactCheck {
            confirmed: true,
            findings: "x".into(),
        }),
        CaseAction::AssessInitialRisk(InitialAssessment {
            factors: factors(),
            overall: RiskLevel::High,
            emergency_needed: true,
            protection_level: ProtectionLevel::Intervention,
            notes: String::new(),
        }),
        CaseAction::OrderEmergencyMeasures(EmergencyOrder {
            measures: vec![EmergencyMeasure::SafeShelter],
            details: String::new(),
            decision_ref: "1".into(),
        }),
        CaseAction::AssessSpecificRisk(SpecificAssessment {
            factors: factors(),
            overall: RiskLevel::Medium,
            protection_level: ProtectionLevel::Support,
            needs: vec!["x".into()],
            minutes: NeedsMeetingMinutes {
                held_at: dt(),
                participants: vec!["x".into()],
                summary: "x".into(),
            },
        }),
        CaseAction::DraftPlan(PlanDraft {
            objectives: vec!["x".into()],
            services: vec![],
            review_date: d(2025, 12, 1),
        }),
        CaseAction::ApprovePlan(PlanApproval {
            plan_version: 1,
            decision_ref: "1".into(),
        }),
        CaseAction::SendBackPlan(PlanSendBack {
            plan_version: 1,
            reason: "x".into(),
        }),
        CaseAction::RecordService(ServiceDelivery {
            kind: ServiceKind::Healthcare,
            provider: "x".into(),
            delivered_at: dt(),
            notes: String::new(),
        }),
        CaseAction::RecordReferral(Referral {
            direction: ReferralDirection::To,
            agency: "x".into(),
            reason: "x".into(),
        }),
        CaseAction::RecordReview(Review {
            outcome: ReviewOutcome::SafeAndStable,
            participants: vec!["x".into()],
            summary: "x".into(),
        }),
        CaseAction::CloseCase(Closure {
            reason: CloseReason::SafeAndStable,
            decision_ref: "1".into(),
            note: String::new(),
        }),
        CaseAction::ReopenCase(Reopening { reason: "x".into() }),
        CaseAction::TransferCase(Transfer {
            to: song_tri(),
            reason: "x".into(),
        }),
        CaseAction::ReassignWorker(Reassignment {
            to_officer: "w".into(),
            reason: "x".into(),
        }),
        CaseAction::AddNote(Note {
            kind: NoteKind::Note,
            text: "x".into(),
        }),
        CaseAction::AddAttachment(Attachment {
            sha256: "0".repeat(64),
            size_bytes: 1,
            media_type: "a/b".into(),
            file_name: "f".into(),
            description: String::new(),
        }),
        CaseAction::LinkCase(CaseLink {
            other_case_id: "HS-1".into(),
            relation: CaseRelation::Sibling,
        }),
        CaseAction::CorrectEvent(Correction {
            corrects_sequence: 1,
            reason: "x".into(),
            correction: "x".into(),
        }),
    ];
    for a in &all {
        match a {
            CaseAction::RecordIntake(_)
            | CaseAction::RecordFactCheck(_)
            | CaseAction::AssessInitialRisk(_)
            | CaseAction::OrderEmergencyMeasures(_)
            | CaseAction::AssessSpecificRisk(_)
            | CaseAction::DraftPlan(_)
            | CaseAction::ApprovePlan(_)
            | CaseAction::SendBackPlan(_)
            | CaseAction::RecordService(_)
            | CaseAction::RecordReferral(_)
            | CaseAction::RecordReview(_)
            | CaseAction::CloseCase(_)
            | CaseAction::ReopenCase(_)
            | CaseAction::TransferCase(_)
            | CaseAction::ReassignWorker(_)
            | CaseAction::AddNote(_)
            | CaseAction::AddAttachment(_)
            | CaseAction::LinkCase(_)
            | CaseAction::CorrectEvent(_) => {}
        }
    }
    all
}

fn child_actions() -> Vec<ChildAction> {
    let all = vec![
        ChildAction::RegisterChild(Registration {
            full_name: "x".into(),
            date_of_birth: d(2015, 1, 1),
            sex: Sex::Female,
            ethnicity: "Kinh".into(),
            personal_id: None,
            address: Address {
                commune: song_tri(),
                detail: String::new(),
            },
            household_status: HouseholdStatus::Normal,
        }),
        ChildAction::UpdateChildDetails(DetailsUpdate::default()),
        ChildAction::ChangeHouseholdStatus(HouseholdStatusChange {
            status: HouseholdStatus::Poor,
            reason: String::new(),
        }),
        ChildAction::AddSpecialCircumstance(CircumstanceStart {
            group: CircumstanceGroup::D,
            since: d(2020, 1, 1),
            note: String::new(),
        }),
        ChildAction::EndSpecialCircumstance(CircumstanceEnd {
            group: CircumstanceGroup::D,
            until: d(2021, 1, 1),
            reason: "x".into(),
        }),
        ChildAction::ConfirmDistinct(DistinctConfirmation {
            other_child_id: "TE-1".into(),
            note: String::new(),
        }),
        ChildAction::MarkDuplicate(DuplicateMark {
            of_child_id: "TE-1".into(),
            reason: "x".into(),
        }),
        ChildAction::EraseChildData(Erasure {
            reason: "x".into(),
            decision_ref: "x".into(),
        }),
    ];
    for a in &all {
        match a {
            ChildAction::RegisterChild(_)
            | ChildAction::UpdateChildDetails(_)
            | ChildAction::ChangeHouseholdStatus(_)
            | ChildAction::AddSpecialCircumstance(_)
            | ChildAction::EndSpecialCircumstance(_)
            | ChildAction::ConfirmDistinct(_)
            | ChildAction::MarkDuplicate(_)
            | ChildAction::EraseChildData(_) => {}
        }
    }
    all
}

fn officer_actions() -> Vec<OfficerAction> {
    let all = vec![
        OfficerAction::RegisterOfficer(OfficerRegistration {
            full_name: "x".into(),
            role: Role::CommuneWorker,
            unit: commune_unit(),
            active_from: d(2025, 7, 1),
        }),
        OfficerAction::ChangeAssignment(AssignmentChange {
            role: Role::CommuneChairman,
            unit: commune_unit(),
            from: d(2025, 8, 1),
            reason: "x".into(),
        }),
        OfficerAction::Deactivate(Deactivation {
            from: d(2025, 9, 1),
            reason: "x".into(),
        }),
        OfficerAction::Reactivate(Reactivation {
            from: d(2025, 10, 1),
        }),
        OfficerAction::RecordTraining(Training {
            date: d(2025, 9, 1),
            organiser: "x".into(),
            topics: vec!["x".into()],
            hours: None,
        }),
        OfficerAction::EraseOfficerData(Erasure {
            reason: "x".into(),
            decision_ref: "x".into(),
        }),
        OfficerAction::IssueApiToken(hoso_domain::officer::ApiTokenIssue {
            token_id: "x".into(),
            label: "x".into(),
            expires_at: chrono::Utc::now(),
        }),
        OfficerAction::RevokeApiToken(hoso_domain::officer::ApiTokenRevocation {
            token_id: "x".into(),
            reason: "x".into(),
        }),
        OfficerAction::ResetPassword(hoso_domain::officer::PasswordReset { reason: "x".into() }),
        OfficerAction::SetPassword(hoso_domain::officer::PasswordSetting {
            officer_id: "x".into(),
            how: hoso_domain::officer::PasswordHow::Changed,
        }),
    ];
    for a in &all {
        match a {
            OfficerAction::RegisterOfficer(_)
            | OfficerAction::ChangeAssignment(_)
            | OfficerAction::Deactivate(_)
            | OfficerAction::Reactivate(_)
            | OfficerAction::RecordTraining(_)
            | OfficerAction::EraseOfficerData(_)
            | OfficerAction::IssueApiToken(_)
            | OfficerAction::RevokeApiToken(_)
            | OfficerAction::ResetPassword(_)
            | OfficerAction::SetPassword(_) => {}
        }
    }
    all
}

/// Every field and reason the domain names in its errors.
const DOMAIN_FIELDS: &[&str] = &[
    "agency",
    "child_id",
    "correction",
    "decision_ref",
    "description",
    "details",
    "ethnicity",
    "file_name",
    "findings",
    "full_name",
    "harm_types",
    "measures",
    "media_type",
    "minutes.held_at",
    "minutes.participants",
    "minutes.summary",
    "needs",
    "note",
    "objectives",
    "organiser",
    "other_case_id",
    "participants",
    "provider",
    "reason",
    "reporter.name",
    "responsible_worker",
    "review_date",
    "delivered_at",
    "services.provider",
    "sha256",
    "since",
    "size_bytes",
    "source_description",
    "summary",
    "text",
    "to_officer",
    "topics",
    "until",
];

pub(crate) fn case_errors() -> Vec<CaseError> {
    use CaseError as E;
    let mut all = vec![
        E::NotFound,
        E::AlreadyOpened,
        E::OutsideUnit {
            unit: commune_unit(),
            commune: 18781,
        },
        E::OutsideUnit {
            unit: Unit::Province { province: 1 },
            commune: 70,
        },
        E::OutsideUnit {
            unit: Unit::National,
            commune: 70,
        },
        E::CaseClosed,
        E::BeforeReceipt,
        E::ReceivedAfterRecording,
        E::DuplicateHarmType(HarmType::SexualAbuse),
        E::UnknownCommune {
            province: 42,
            commune: 99999,
        },
        E::ChildTooOld,
        E::ChildNotYetBorn,
        E::FactNotConfirmed,
        E::WrongPlanVersion {
            expected: 2,
            given: 1,
        },
        E::NoApprovedPlan,
        E::NoStableReview,
        E::NotUnfounded,
        E::ChildNotYet16,
        E::BirthDateUnknown,
        E::NotClosed,
        E::SameCommune,
        E::SameWorker,
        E::AlreadyLinked("HS-2026-0000ABCD".into()),
        E::NoSuchEvent {
            sequence: 9,
            last: 4,
        },
    ];
    for a in case_actions() {
        for role in Role::ALL {
            all.push(E::NotAuthorised {
                role,
                action: a.describe(),
            });
        }
        for status in CaseStatus::ALL {
            all.push(E::WrongStep {
                action: a.describe(),
                status,
            });
        }
    }
    for f in DOMAIN_FIELDS {
        all.push(E::MissingField(f));
    }
    for (r, _) in REASONS {
        all.push(E::Invalid {
            field: "minutes.held_at",
            reason: r,
        });
    }
    all
}

pub(crate) fn child_errors() -> Vec<ChildError> {
    use ChildError as E;
    let mut all = vec![
        E::NotRegistered,
        E::AlreadyRegistered,
        E::OutsideUnit {
            unit: commune_unit(),
            commune: 70,
        },
        E::BeforeLastEvent { last: dt() },
        E::InvalidPersonalId,
        E::UnknownCommune {
            province: 1,
            commune: 99999,
        },
        E::BornAfterRegistration,
        E::ChildTooOld,
        E::NothingToUpdate,
        E::NoChange,
        E::EndBeforeStart {
            since: d(2025, 1, 2),
            until: d(2025, 1, 1),
        },
        E::DateInFuture { field: "since" },
        E::DateInFuture { field: "until" },
        E::BeforeBirth { field: "since" },
        E::BeforeBirth { field: "until" },
        E::GroupNRequiresPoorHousehold,
        E::AlreadyDistinct("TE-1".into()),
        E::AlreadyDuplicate("TE-1".into()),
        E::Erased,
    ];
    for s in [
        HouseholdStatus::Normal,
        HouseholdStatus::Poor,
        HouseholdStatus::NearPoor,
    ] {
        all.push(E::SameHouseholdStatus(s));
    }
    for g in CircumstanceGroup::ALL {
        all.push(E::GroupAlreadyActive(g));
        all.push(E::GroupNotActive(g));
        all.push(E::OverlapsEarlierPeriod {
            group: g,
            ended: d(2024, 12, 31),
        });
    }
    for a in child_actions() {
        for role in Role::ALL {
            all.push(E::NotAuthorised {
                role,
                action: a.describe(),
            });
        }
    }
    for f in [
        "full_name",
        "ethnicity",
        "reason",
        "decision_ref",
        "other_child_id",
        "of_child_id",
    ] {
        all.push(E::MissingField(f));
    }
    all
}

pub(crate) fn officer_errors() -> Vec<OfficerError> {
    use OfficerError as E;
    let mut all = vec![
        E::NotRegistered,
        E::AlreadyRegistered,
        E::OutsideUnit {
            unit: Unit::Province { province: 42 },
            officer_unit: Unit::Commune {
                province: 40,
                commune: 17329,
            },
        },
        E::BeforeLastEvent { last: dt() },
        E::UnknownProvince(99),
        E::UnknownCommune {
            province: 42,
            commune: 1,
        },
        E::SameAssignment,
        E::Deactivated,
        E::NotDeactivated,
        E::DateBeforeLastChange {
            from: d(2025, 1, 1),
            last: d(2025, 2, 1),
        },
        E::TrainingInFuture,
        E::ZeroHours,
        E::Erased,
    ];
    for (role, u, needs) in [
        (Role::CommuneWorker, Unit::National, "commune"),
        (Role::ProvincialManager, commune_unit(), "province"),
        (Role::Inspector, commune_unit(), "province or national"),
        (Role::Admin, Unit::Province { province: 42 }, "national"),
    ] {
        all.push(E::WrongUnitLevel {
            role,
            unit: u,
            needs,
        });
    }
    for a in officer_actions() {
        for role in Role::ALL {
            all.push(E::NotAuthorised {
                role,
                action: a.describe(),
            });
        }
    }
    for f in ["full_name", "reason", "organiser", "topics", "decision_ref"] {
        all.push(E::MissingField(f));
    }
    all
}

#[test]
fn every_case_error_has_vietnamese_words() {
    for e in case_errors() {
        check(&case_error(Lang::Vi, &e), &case_error(Lang::En, &e));
    }
}

#[test]
fn every_child_error_has_vietnamese_words() {
    for e in child_errors() {
        check(&child_error(Lang::Vi, &e), &child_error(Lang::En, &e));
    }
}

#[test]
fn every_officer_error_has_vietnamese_words() {
    for e in officer_errors() {
        check(&officer_error(Lang::Vi, &e), &officer_error(Lang::En, &e));
    }
}

#[test]
fn every_action_field_and_reason_is_in_the_tables() {
    let describes: Vec<&str> = case_actions()
        .iter()
        .map(CaseAction::describe)
        .chain(child_actions().iter().map(ChildAction::describe))
        .chain(officer_actions().iter().map(OfficerAction::describe))
        .collect();
    for a in describes {
        assert!(
            ACTIONS.iter().any(|(en, _)| *en == a),
            "no Vietnamese for the action {a:?}"
        );
        check(&action(Lang::Vi, a), &action(Lang::En, a));
    }
    for f in DOMAIN_FIELDS {
        assert!(
            FIELDS.iter().any(|(c, _, _)| c == f),
            "no words for the field {f:?}"
        );
    }
}

#[test]
fn messages_use_the_legal_glossary_and_name_places() {
    let e = CaseError::NotAuthorised {
        role: Role::Collaborator,
        action: "approve a plan",
    };
    assert_eq!(
        case_error(Lang::Vi, &e),
        "Vai trò “Cộng tác viên” không có thẩm quyền phê duyệt kế hoạch hỗ trợ, can thiệp."
    );
    assert_eq!(
        case_error(Lang::En, &e),
        "The role “Collaborator” may not approve a plan."
    );
    let e = CaseError::WrongStep {
        action: "assess the initial risk",
        status: CaseStatus::Received,
    };
    assert_eq!(
        case_error(Lang::Vi, &e),
        "Chưa thể đánh giá nguy cơ ban đầu khi hồ sơ đang ở bước “Đã tiếp nhận”."
    );
    let e = CaseError::OutsideUnit {
        unit: commune_unit(),
        commune: 18781,
    };
    assert!(case_error(Lang::Vi, &e).contains("Phường Sông Trí, tỉnh Hà Tĩnh"));
    assert!(case_error(Lang::En, &e).contains("Phường Sông Trí, Hà Tĩnh province"));
    let e = OfficerError::OutsideUnit {
        unit: Unit::Province { province: 1 },
        officer_unit: Unit::National,
    };
    assert!(officer_error(Lang::Vi, &e).contains("thành phố Hà Nội"));
    let e = CaseError::Invalid {
        field: "review_date",
        reason: "is before the day the plan is drafted",
    };
    assert_eq!(
        case_error(Lang::Vi, &e),
        "Ngày rà soát không hợp lệ: trước ngày xây dựng kế hoạch."
    );
    let e = ChildError::GroupAlreadyActive(CircumstanceGroup::Dd);
    assert_eq!(
        child_error(Lang::Vi, &e),
        "Trẻ em đang thuộc nhóm “đ. Trẻ em nhiễm HIV/AIDS”."
    );
    let e = ChildError::EndBeforeStart {
        since: d(2025, 3, 2),
        until: d(2025, 3, 1),
    };
    assert_eq!(
        child_error(Lang::Vi, &e),
        "Ngày kết thúc 01/03/2025 trước ngày bắt đầu 02/03/2025."
    );
    assert!(case_error(Lang::Vi, &CaseError::NoApprovedPlan).contains("Chủ tịch UBND xã"));
}

/// The literal texts of `api/src/http/*.rs`, as sent today.
pub(crate) const SENT: &[&str] = &[
    "at most 500 characters",
    "the password must have at least 10 characters",
    "from 1 to 365 days",
    "from 1 to 200",
    "from 1 to 500",
    "must not be empty",
    "no registered, active officer with this id",
    "1 to 100 characters: letters, digits, - _ . :",
    "no registered child has this id: register the child first (POST /api/v1/children)",
    "an intake opens a new case: POST /api/v1/cases",
    "register a child with POST /api/v1/children",
    "register an officer with POST /api/v1/officers",
    "unknown status `openned`",
    "unknown group `z`",
    "not negative",
    "invalid time `yesterday`: use RFC 3339, e.g. 2026-03-02T09:00:00+07:00",
    "use province:P or commune:P:C",
    "name a case, an officer or a place in your province",
    "1 to 200 visible ASCII characters",
    "this key was already used with a different request",
    "`week`: use day, month, year or now",
    "the body must be JSON with Content-Type: application/json (got `text/plain`)",
    "the body is larger than 256 KiB",
    "the body is not valid JSON: EOF while parsing a value at line 1 column 0",
    "missing field `findings`",
    "unknown field `actor`, expected one of `confirmed`, `findings`",
    "duplicate field `findings`",
    "unknown variant `record_fact_chek`, expected one of `record_intake`",
    "invalid type: string \"yes\", expected a boolean",
    "the file is empty",
    "the file is larger than 10 MiB",
    "files of type `text/html` are not accepted",
    "the content is not a `application/pdf` file",
    "choose a file",
    "a record cannot be compared with itself",
    "no registered child has this id",
    "unknown risk `extreme`",
    "use dd/mm/yyyy",
    "use dd/mm/yyyy hh:mm",
    "use mm/yyyy",
    "unknown form",
    "no registered child has this id: register the child first",
    "an intake opens a new case: record it as a new case",
    "a registration makes a new child: register it as a new child",
    "a registration makes a new officer: register them as a new officer",
    "a system account has no password; issue it an API token",
    "the current password is wrong",
    "say why the API token is revoked",
    "change your own password with your current one",
    "tokens and passwords have their own routes: /api/v1/tokens, /api/v1/officers/{id}/password, /api/v1/officers/{id}/password-reset",
    "the two new passwords differ",
    "an admin never sets an officer's password: give the officer an activation code (password-reset)",
];

#[test]
fn every_api_message_is_recognised_and_translated() {
    let mut keys = std::collections::BTreeSet::new();
    for s in SENT {
        let m = FieldMessage::from_english(s).unwrap_or_else(|| panic!("not recognised: {s:?}"));
        keys.insert(m.key());
        check(&m.text(Lang::Vi), &m.text(Lang::En));
    }
    assert_eq!(
        keys.len(),
        46,
        "every FieldMessage variant is sent: {keys:?}"
    );
    assert_eq!(
        FieldMessage::from_english("from 1 to 365 days"),
        Some(FieldMessage::OutOfRange { min: 1, max: 365 })
    );
    assert_eq!(
        FieldMessage::from_english("unknown status `openned`"),
        Some(FieldMessage::UnknownStatus("openned".into()))
    );
    assert_eq!(
        FieldMessage::from_english("`week`: use day, month, year or now"),
        Some(FieldMessage::UnknownPeriod("week".into()))
    );
    assert_eq!(FieldMessage::from_english("something else"), None);
}

#[test]
fn problem_titles_and_not_found() {
    for slug in [
        "malformed-request",
        "validation",
        "unauthenticated",
        "forbidden",
        "not-found",
        "wrong-state",
        "concurrent-change",
        "too-large",
        "unsupported-media-type",
        "unavailable",
        "busy",
        "too-many-attempts",
        "storage-full",
        "internal",
    ] {
        let vi = problem_title(Lang::Vi, slug).expect("known slug");
        let en = problem_title(Lang::En, slug).expect("known slug");
        check(&vi, &en);
    }
    assert_eq!(problem_title(Lang::Vi, "nope"), None);
    for what in ["case", "child", "officer", "place"] {
        check(&not_found(Lang::Vi, what), &not_found(Lang::En, what));
    }
}
