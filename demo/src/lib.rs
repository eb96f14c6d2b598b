//! Sample data for `hoso demo`, the benchmarks and the tests: realistic sample data through the real command path (domain
//! rules, cqrs-es, the hash-chained ledger): officers, children and cases in
//! communes of Hà Tĩnh, Lạng Sơn, Nghệ An and Hà Nội, cases at every legal step,
//! some overdue.
//!
//! The demo simulates the past: each action happens at a simulated time before
//! now, and is recorded with that time as `recorded_at`, as if it had been
//! entered then. The same seed gives the same data on an empty store.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hoso_domain::case::*;
use hoso_domain::child::{
    Address, ChildAction, ChildCommand, CircumstanceGroup, CircumstanceStart, HouseholdStatus,
    Registration, Sex,
};
use hoso_domain::common::{Actor, CommuneRef, HarmType, ProtectionLevel, RiskLevel, Role, Unit};
use hoso_domain::officer::{OfficerAction, OfficerCommand, OfficerRegistration, Training};
use hoso_domain::places;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use hoso_service::App;

/// Provinces of the sample, by GSO code (2025 structure).
const PROVINCES: [(u32, &str); 4] = [
    (42, "Hà Tĩnh"),
    (20, "Lạng Sơn"),
    (40, "Nghệ An"),
    (1, "Hà Nội"),
];
/// Communes per province that get officers and cases.
const COMMUNES_PER_PROVINCE: usize = 3;

const FAMILY: [&str; 12] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
];
const MIDDLE: [&str; 8] = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Hải"];
const GIVEN: [&str; 16] = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc",
    "Quân", "Thảo", "Trang", "Vy",
];

/// The step a sample case is driven to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Received,
    FactChecked,
    Unfounded,
    InitiallyAssessed,
    Emergency,
    SpecificallyAssessed,
    PlanDrafted,
    PlanSentBack,
    PlanApproved,
    ServicesUnderway,
    NeedsNewPlan,
    Closed,
    Reopened,
    Transferred,
}

const TARGETS: [Target; 14] = [
    Target::Received,
    Target::FactChecked,
    Target::Unfounded,
    Target::InitiallyAssessed,
    Target::Emergency,
    Target::SpecificallyAssessed,
    Target::PlanDrafted,
    Target::PlanSentBack,
    Target::PlanApproved,
    Target::ServicesUnderway,
    Target::NeedsNewPlan,
    Target::Closed,
    Target::Reopened,
    Target::Transferred,
];

#[derive(Debug, Default)]
pub struct Summary {
    pub officers: usize,
    pub children: usize,
    pub cases: usize,
    pub events: i64,
    pub overdue: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo: {} officers, {} children, {} cases ({} with a missed legal deadline) in Hà Tĩnh, Lạng Sơn, Nghệ An and Hà Nội; the store now holds {} events",
            self.officers, self.children, self.cases, self.overdue, self.events
        )
    }
}

/// The people of one commune.
struct CommuneStaff {
    commune: CommuneRef,
    worker: Actor,
    chairman: Actor,
    collaborator: Actor,
}

struct Demo<'a> {
    app: &'a App,
    rng: StdRng,
    now: DateTime<Utc>,
    tag: String,
    summary: Summary,
}

fn actor(id: String, role: Role, unit: Unit) -> Actor {
    Actor {
        officer_id: id,
        role,
        unit,
    }
}

impl<'a> Demo<'a> {
    fn name(&mut self, female: bool) -> String {
        let family = FAMILY.choose(&mut self.rng).copied().unwrap_or("Nguyễn");
        let middle = if female {
            "Thị"
        } else {
            MIDDLE.choose(&mut self.rng).copied().unwrap_or("Văn")
        };
        let given = GIVEN.choose(&mut self.rng).copied().unwrap_or("An");
        format!("{family} {middle} {given}")
    }

    /// A decision number of the commune People's Committee.
    fn decision(&mut self) -> String {
        format!("{}/QĐ-UBND", self.rng.gen_range(10..400))
    }

    fn hours(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::minutes(self.rng.gen_range(lo * 60..=hi * 60))
    }

    async fn case(
        &mut self,
        id: &str,
        by: &Actor,
        at: DateTime<Utc>,
        action: CaseAction,
    ) -> anyhow::Result<()> {
        let cmd = CaseCommand {
            actor: by.clone(),
            at,
            action,
        };
        self.app
            .case(id, cmd, at)
            .await
            .map_err(|e| anyhow::anyhow!("demo case {id}: {e}"))
    }

    fn factors(&mut self, overall: RiskLevel) -> RiskFactors {
        let pick = |rng: &mut StdRng| {
            *[
                RiskLevel::Low,
                RiskLevel::Medium,
                RiskLevel::High,
                overall,
                overall,
            ]
            .choose(rng)
            .unwrap_or(&overall)
        };
        RiskFactors {
            severity_of_harm: overall,
            abuser_access: pick(&mut self.rng),
            care_environment_obstacles: pick(&mut self.rng),
            child_capacity: pick(&mut self.rng),
        }
    }

    /// Drives one case from intake to `target`; every step at a plausible time,
    /// a few of them late.
    #[allow(clippy::too_many_arguments)]
    async fn drive_case(
        &mut self,
        id: &str,
        staff: &CommuneStaff,
        other: &CommuneStaff,
        hotline: &Actor,
        child_id: &str,
        dob: NaiveDate,
        target: Target,
        received_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let late = self.rng.gen_bool(0.25);
        let from_hotline = self.rng.gen_bool(0.4);
        let harm = *[
            HarmType::Violence,
            HarmType::Neglect,
            HarmType::SexualAbuse,
            HarmType::Exploitation,
            HarmType::Abandonment,
            HarmType::Trafficking,
        ]
        .choose(&mut self.rng)
        .unwrap_or(&HarmType::Violence);
        let (source, intake_by) = if from_hotline {
            (IntakeSource::Hotline111, hotline.clone())
        } else {
            let s = *[
                IntakeSource::School,
                IntakeSource::Police,
                IntakeSource::NeighbourOrRelative,
                IntakeSource::HealthFacility,
                IntakeSource::ChildSelf,
            ]
            .choose(&mut self.rng)
            .unwrap_or(&IntakeSource::School);
            (s, staff.worker.clone())
        };
        let reporter = if self.rng.gen_bool(0.3) {
            None
        } else {
            let female = self.rng.gen_bool(0.5);
            Some(Reporter {
                name: self.name(female),
                phone: Some(format!("09{:08}", self.rng.gen_range(0..100_000_000u32))),
                relation: ["hàng xóm", "giáo viên chủ nhiệm", "bà ngoại", "trưởng thôn"]
                    .choose(&mut self.rng)
                    .unwrap_or(&"hàng xóm")
                    .to_string(),
            })
        };
        let mut t = received_at + self.hours(0, 2);
        let description = match harm {
            HarmType::Violence => "Trẻ bị người cha đánh nhiều lần, có vết bầm ở tay và lưng; hàng xóm nghe tiếng la hét.",
            HarmType::Neglect => "Trẻ thường xuyên ở nhà một mình, không được cho ăn đầy đủ, nghỉ học nhiều ngày.",
            HarmType::SexualAbuse => "Trẻ có dấu hiệu bị xâm hại tình dục, giáo viên phát hiện và báo tin.",
            HarmType::Exploitation => "Trẻ bị bắt đi bán vé số đến khuya, không được đến trường.",
            HarmType::Abandonment => "Trẻ sơ sinh bị bỏ rơi trước cổng trạm y tế xã.",
            _ => "Nghi trẻ bị dụ dỗ đưa sang tỉnh khác làm việc; gia đình mất liên lạc hai ngày.",
        };
        self.case(
            id,
            &intake_by,
            t,
            CaseAction::RecordIntake(Intake {
                child_id: child_id.to_string(),
                date_of_birth: dob,
                commune: staff.commune,
                source,
                source_description: None,
                reporter,
                description: description.to_string(),
                harm_types: vec![harm],
                received_at,
                responsible_worker: Some(staff.worker.officer_id.clone()),
            }),
        )
        .await?;
        if target == Target::Received {
            return Ok(());
        }
        t += if late {
            self.hours(10, 30)
        } else {
            self.hours(1, 4)
        };
        let confirmed = target != Target::Unfounded;
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::RecordFactCheck(FactCheck {
                confirmed,
                findings: if confirmed {
                    "Đã xác minh tại gia đình và trường học: thông tin báo tin là đúng.".into()
                } else {
                    "Đã xác minh: không có dấu hiệu trẻ bị xâm hại, thông tin không chính xác."
                        .into()
                },
            }),
        )
        .await?;
        if target == Target::FactChecked {
            return Ok(());
        }
        if target == Target::Unfounded {
            t += self.hours(24, 72);
            let decision = self.decision();
            return self
                .case(
                    id,
                    &staff.chairman,
                    t,
                    CaseAction::CloseCase(Closure {
                        reason: CloseReason::Unfounded,
                        decision_ref: decision,
                        note: String::new(),
                    }),
                )
                .await;
        }
        let overall = *[RiskLevel::High, RiskLevel::Medium, RiskLevel::Low]
            .choose(&mut self.rng)
            .unwrap_or(&RiskLevel::Medium);
        let emergency = overall == RiskLevel::High || target == Target::Emergency;
        t += self.hours(1, 3);
        let factors = self.factors(overall);
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::AssessInitialRisk(InitialAssessment {
                factors,
                overall,
                emergency_needed: emergency,
                protection_level: ProtectionLevel::Intervention,
                notes: "Đánh giá tại nhà trẻ, có mặt trưởng thôn.".into(),
            }),
        )
        .await?;
        if target == Target::InitiallyAssessed {
            return Ok(());
        }
        if emergency {
            t += if late {
                self.hours(12, 20)
            } else {
                self.hours(1, 3)
            };
            let decision = self.decision();
            self.case(
                id,
                &staff.chairman,
                t,
                CaseAction::OrderEmergencyMeasures(EmergencyOrder {
                    measures: vec![
                        EmergencyMeasure::TemporarySeparation,
                        EmergencyMeasure::MedicalCare,
                    ],
                    details: "Đưa trẻ đến nhà bà ngoại, khám tại trạm y tế xã.".into(),
                    decision_ref: decision,
                }),
            )
            .await?;
        }
        if target == Target::Emergency {
            return Ok(());
        }
        t += if late {
            self.hours(80, 140)
        } else {
            self.hours(20, 50)
        };
        let factors = self.factors(overall);
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::AssessSpecificRisk(SpecificAssessment {
                factors,
                overall,
                protection_level: ProtectionLevel::Intervention,
                needs: vec![
                    "Chăm sóc y tế".into(),
                    "Hỗ trợ tâm lý".into(),
                    "Tiếp tục đi học".into(),
                ],
                minutes: NeedsMeetingMinutes {
                    held_at: t - Duration::hours(2),
                    participants: vec![
                        staff.worker.officer_id.clone(),
                        "Mẹ của trẻ".into(),
                        "Giáo viên chủ nhiệm".into(),
                    ],
                    summary: "Họp xác định nhu cầu của trẻ và gia đình.".into(),
                },
            }),
        )
        .await?;
        if target == Target::SpecificallyAssessed {
            return Ok(());
        }
        let mut version = 0;
        let drafts = if target == Target::PlanSentBack {
            1
        } else {
            1 + usize::from(self.rng.gen_bool(0.2))
        };
        for d in 0..drafts {
            t += if late {
                self.hours(60, 120)
            } else {
                self.hours(10, 30)
            };
            self.draft_plan(id, staff, t).await?;
            version += 1;
            if target == Target::PlanDrafted {
                return Ok(());
            }
            if d + 1 < drafts || target == Target::PlanSentBack {
                t += self.hours(4, 30);
                self.case(
                    id,
                    &staff.chairman,
                    t,
                    CaseAction::SendBackPlan(PlanSendBack {
                        plan_version: version,
                        reason:
                            "Cần bổ sung nguồn lực và người chịu trách nhiệm cho từng hoạt động."
                                .into(),
                    }),
                )
                .await?;
                if target == Target::PlanSentBack {
                    return Ok(());
                }
            }
        }
        t += if late {
            self.hours(40, 90)
        } else {
            self.hours(4, 30)
        };
        self.approve(id, staff, t, version).await?;
        if target == Target::PlanApproved {
            return Ok(());
        }
        t += self.hours(24, 96);
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::RecordService(ServiceDelivery {
                kind: ServiceKind::Psychological,
                provider: "Trung tâm Công tác xã hội tỉnh".into(),
                delivered_at: t - Duration::hours(1),
                notes: "Buổi tư vấn tâm lý đầu tiên.".into(),
            }),
        )
        .await?;
        t += self.hours(2, 30);
        self.case(
            id,
            &staff.collaborator,
            t,
            CaseAction::AddNote(Note {
                kind: NoteKind::FollowUpVisit,
                text: "Thăm gia đình: trẻ đi học đều, ăn uống bình thường.".into(),
            }),
        )
        .await?;
        if self.rng.gen_bool(0.4) {
            t += self.hours(2, 30);
            self.case(
                id,
                &staff.worker,
                t,
                CaseAction::RecordReferral(Referral {
                    direction: ReferralDirection::To,
                    agency: "Bệnh viện Đa khoa huyện".into(),
                    reason: "Khám chuyên khoa và điều trị.".into(),
                }),
            )
            .await?;
        }
        if self.rng.gen_bool(0.3) {
            t += self.hours(1, 10);
            let digest: [u8; 32] = self.rng.gen();
            let size_bytes = self.rng.gen_range(20_000..900_000);
            self.case(
                id,
                &staff.worker,
                t,
                CaseAction::AddAttachment(Attachment {
                    sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
                    size_bytes,
                    media_type: "application/pdf".into(),
                    file_name: "bien-ban-hop.pdf".into(),
                    description: "Biên bản họp xác định nhu cầu (bản quét).".into(),
                }),
            )
            .await?;
        }
        if target == Target::ServicesUnderway {
            return Ok(());
        }
        if target == Target::Transferred {
            t += self.hours(24, 72);
            return self
                .case(
                    id,
                    &staff.chairman,
                    t,
                    CaseAction::TransferCase(Transfer {
                        to: other.commune,
                        reason: "Gia đình chuyển nơi cư trú.".into(),
                    }),
                )
                .await;
        }
        t += self.hours(24 * 7, 24 * 20);
        let safe = target != Target::NeedsNewPlan;
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::RecordReview(Review {
                outcome: if safe {
                    ReviewOutcome::SafeAndStable
                } else {
                    ReviewOutcome::NeedsNewPlan
                },
                participants: vec![staff.worker.officer_id.clone(), "Gia đình trẻ".into()],
                summary: if safe {
                    "Trẻ an toàn, ổn định; đề nghị kết thúc hồ sơ.".into()
                } else {
                    "Nguy cơ vẫn còn; cần xây dựng kế hoạch mới.".into()
                },
            }),
        )
        .await?;
        if !safe {
            return Ok(());
        }
        t += self.hours(24, 72);
        let decision = self.decision();
        self.case(
            id,
            &staff.chairman,
            t,
            CaseAction::CloseCase(Closure {
                reason: CloseReason::SafeAndStable,
                decision_ref: decision,
                note: String::new(),
            }),
        )
        .await?;
        if target == Target::Reopened {
            t += self.hours(24 * 5, 24 * 20);
            self.case(
                id,
                &staff.chairman,
                t,
                CaseAction::ReopenCase(Reopening {
                    reason: "Nhận tin báo mới: trẻ lại bị bạo lực.".into(),
                }),
            )
            .await?;
        }
        Ok(())
    }

    async fn draft_plan(
        &mut self,
        id: &str,
        staff: &CommuneStaff,
        t: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let review = (t + Duration::days(30)).date_naive();
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::DraftPlan(PlanDraft {
                objectives: vec![
                    "Bảo đảm an toàn cho trẻ tại gia đình".into(),
                    "Trẻ tiếp tục đi học".into(),
                ],
                services: vec![
                    PlannedService {
                        kind: ServiceKind::Psychological,
                        provider: "Trung tâm Công tác xã hội tỉnh".into(),
                        due: Some((t + Duration::days(14)).date_naive()),
                    },
                    PlannedService {
                        kind: ServiceKind::Education,
                        provider: "Trường tiểu học xã".into(),
                        due: None,
                    },
                ],
                review_date: review,
            }),
        )
        .await
    }

    async fn approve(
        &mut self,
        id: &str,
        staff: &CommuneStaff,
        t: DateTime<Utc>,
        version: u32,
    ) -> anyhow::Result<()> {
        let decision_ref = format!("{}/QĐ-UBND", self.rng.gen_range(10..400));
        self.case(
            id,
            &staff.chairman,
            t,
            CaseAction::ApprovePlan(PlanApproval {
                plan_version: version,
                decision_ref,
            }),
        )
        .await
    }
}

/// Loads `cases` sample cases (and the officers and children they need).
pub async fn load(app: &App, cases: usize, seed: u64) -> anyhow::Result<Summary> {
    let head = app.ledger.head().await?;
    let mut demo = Demo {
        app,
        rng: StdRng::seed_from_u64(seed ^ (head as u64).rotate_left(17)),
        now: Utc::now(),
        tag: format!("{seed}-{head}"),
        summary: Summary::default(),
    };
    let (staff, hotline) = setup_staff(&mut demo).await?;
    for i in 0..cases {
        let s = i % staff.len();
        let other = (s + 1) % staff.len();
        let target = TARGETS[i % TARGETS.len()];
        // Early steps are recent work; later steps began weeks or months ago.
        let days_ago = match target {
            Target::Received
            | Target::FactChecked
            | Target::InitiallyAssessed
            | Target::Emergency => demo.rng.gen_range(1..6),
            Target::SpecificallyAssessed | Target::PlanDrafted | Target::PlanSentBack => {
                demo.rng.gen_range(4..12)
            }
            _ => demo.rng.gen_range(70..200),
        };
        let mut received_at = demo.now - Duration::days(days_ago) - demo.hours(0, 12);
        // Office hours, local time (UTC+7): 07:30–17:00 → 00:30–10:00 UTC.
        received_at = received_at
            .date_naive()
            .and_hms_opt(demo.rng.gen_range(1..10), demo.rng.gen_range(0..60), 0)
            .map(|n| n.and_utc())
            .unwrap_or(received_at);
        let age_days = demo.rng.gen_range(200..(15 * 365));
        let dob = (received_at - Duration::days(age_days)).date_naive();
        let child_id =
            register_child(&mut demo, &staff[s], dob, received_at - Duration::hours(1)).await?;
        let case_id = format!("HS-{}-{:04}", demo.tag, i + 1);
        demo.drive_case(
            &case_id,
            &staff[s],
            &staff[other],
            &hotline,
            &child_id,
            dob,
            target,
            received_at,
        )
        .await?;
        demo.summary.cases += 1;
        let case: Case = app.load(&case_id).await?;
        if !case.missed_deadlines(demo.now).is_empty() {
            demo.summary.overdue += 1;
        }
    }
    demo.summary.events = app.ledger.head().await?;
    Ok(demo.summary)
}

async fn officer(
    demo: &mut Demo<'_>,
    by: &Actor,
    at: DateTime<Utc>,
    id: &str,
    action: OfficerAction,
) -> anyhow::Result<()> {
    let cmd = OfficerCommand {
        actor: by.clone(),
        at,
        action,
    };
    demo.app
        .officer(id, cmd, at)
        .await
        .map_err(|e| anyhow::anyhow!("demo officer {id}: {e}"))
}

/// Registers an officer (by the administrator) and returns them as an actor.
async fn hire(
    demo: &mut Demo<'_>,
    admin: &Actor,
    at: DateTime<Utc>,
    id: String,
    role: Role,
    unit: Unit,
) -> anyhow::Result<Actor> {
    let female = demo.rng.gen_bool(0.6);
    let full_name = demo.name(female);
    let who = actor(id.clone(), role, unit);
    officer(
        demo,
        admin,
        at,
        &id,
        OfficerAction::RegisterOfficer(OfficerRegistration {
            full_name,
            role,
            unit,
            active_from: at.date_naive(),
        }),
    )
    .await?;
    demo.summary.officers += 1;
    Ok(who)
}

const TRAININGS: [(&str, &[&str]); 3] = [
    (
        "Sở Y tế tỉnh",
        &[
            "Quy trình hỗ trợ, can thiệp trẻ em bị xâm hại",
            "Đánh giá nguy cơ",
        ],
    ),
    (
        "Cục Bà mẹ và Trẻ em",
        &["Quản lý trường hợp", "Kỹ năng tham vấn trẻ em"],
    ),
    ("UNICEF Việt Nam", &["Phòng ngừa bạo lực học đường"]),
];

/// The administrator, Hotline 111, and the staff of each sample commune and
/// province, registered through the Officer aggregate; some with trainings.
async fn setup_staff(demo: &mut Demo<'_>) -> anyhow::Result<(Vec<CommuneStaff>, Actor)> {
    let t0 = demo.now - Duration::days(400);
    let tag = demo.tag.clone();
    let admin = actor(format!("admin-{tag}"), Role::Admin, Unit::National);
    // The first administrator registers themselves.
    let admin_id = admin.officer_id.clone();
    hire(demo, &admin, t0, admin_id, Role::Admin, Unit::National).await?;
    let hotline = hire(
        demo,
        &admin,
        t0,
        format!("hotline-{tag}"),
        Role::HotlineOperator,
        Unit::National,
    )
    .await?;
    let mut staff = Vec::new();
    for (province, _) in PROVINCES {
        let Some(p) = places::current().province(province) else {
            anyhow::bail!("province {province} missing from the place list");
        };
        let punit = Unit::Province { province };
        hire(
            demo,
            &admin,
            t0,
            format!("so-{tag}-{province}"),
            Role::ProvincialManager,
            punit,
        )
        .await?;
        hire(
            demo,
            &admin,
            t0,
            format!("tt-{tag}-{province}"),
            Role::Inspector,
            punit,
        )
        .await?;
        let communes: Vec<u32> = p
            .wards
            .iter()
            .step_by(7)
            .take(COMMUNES_PER_PROVINCE)
            .map(|c| c.code)
            .collect();
        for c in communes {
            let unit = Unit::Commune {
                province,
                commune: c,
            };
            let worker = hire(
                demo,
                &admin,
                t0,
                format!("cb-{tag}-{c}"),
                Role::CommuneWorker,
                unit,
            )
            .await?;
            let chairman = hire(
                demo,
                &admin,
                t0,
                format!("ct-{tag}-{c}"),
                Role::CommuneChairman,
                unit,
            )
            .await?;
            let collaborator = hire(
                demo,
                &admin,
                t0,
                format!("ctv-{tag}-{c}"),
                Role::Collaborator,
                unit,
            )
            .await?;
            for who in [&worker, &collaborator] {
                if demo.rng.gen_bool(0.6) {
                    let (organiser, topics) =
                        *TRAININGS.choose(&mut demo.rng).unwrap_or(&TRAININGS[0]);
                    let date = (t0 + Duration::days(demo.rng.gen_range(5..150))).date_naive();
                    let hours = Some(demo.rng.gen_range(4..17));
                    officer(
                        demo,
                        &admin,
                        t0 + Duration::days(180),
                        &who.officer_id,
                        OfficerAction::RecordTraining(Training {
                            date,
                            organiser: organiser.to_string(),
                            topics: topics.iter().map(|t| t.to_string()).collect(),
                            hours,
                        }),
                    )
                    .await?;
                }
            }
            staff.push(CommuneStaff {
                commune: CommuneRef::current(province, c),
                worker,
                chairman,
                collaborator,
            });
        }
    }
    Ok((staff, hotline))
}

async fn register_child(
    demo: &mut Demo<'_>,
    staff: &CommuneStaff,
    dob: NaiveDate,
    at: DateTime<Utc>,
) -> anyhow::Result<String> {
    demo.summary.children += 1;
    let id = format!("TE-{}-{:04}", demo.tag, demo.summary.children);
    let female = demo.rng.gen_bool(0.5);
    let full_name = demo.name(female);
    let ethnicity = if staff.commune.province == 20 {
        ["Tày", "Nùng", "Kinh"]
            .choose(&mut demo.rng)
            .copied()
            .unwrap_or("Kinh")
    } else {
        "Kinh"
    };
    let household_status = *[
        HouseholdStatus::Normal,
        HouseholdStatus::Normal,
        HouseholdStatus::Poor,
        HouseholdStatus::NearPoor,
    ]
    .choose(&mut demo.rng)
    .unwrap_or(&HouseholdStatus::Normal);
    let personal_id = demo.rng.gen_bool(0.7).then(|| {
        format!(
            "0{:02}{:09}",
            staff.commune.province,
            demo.rng.gen_range(0..1_000_000_000u64)
        )
    });
    let app = demo.app;
    let by = staff.worker.clone();
    let child = |action: ChildAction, at: DateTime<Utc>| {
        let cmd = ChildCommand {
            actor: by.clone(),
            at,
            action,
        };
        let id = id.clone();
        async move {
            app.child(&id, cmd, at)
                .await
                .map_err(|e| anyhow::anyhow!("demo child {id}: {e}"))
        }
    };
    let detail = format!("Thôn {}", demo.rng.gen_range(1..12));
    child(
        ChildAction::RegisterChild(Registration {
            full_name,
            date_of_birth: dob,
            sex: if female { Sex::Female } else { Sex::Male },
            ethnicity: ethnicity.to_string(),
            personal_id,
            address: Address {
                commune: staff.commune,
                detail,
            },
            household_status,
        }),
        at,
    )
    .await?;
    let group = *[
        Some(CircumstanceGroup::D),
        Some(CircumstanceGroup::A),
        Some(CircumstanceGroup::AtRisk),
        Some(CircumstanceGroup::H),
        None,
        None,
        None,
    ]
    .choose(&mut demo.rng)
    .unwrap_or(&None);
    if let Some(group) = group {
        let back = Duration::days(demo.rng.gen_range(0..400));
        let since = dob.max((at - back).date_naive());
        child(
            ChildAction::AddSpecialCircumstance(CircumstanceStart {
                group,
                since,
                note: "Theo sổ theo dõi trẻ em của xã.".into(),
            }),
            at + Duration::minutes(5),
        )
        .await?;
    }
    Ok(id)
}
