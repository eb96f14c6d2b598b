//! Each form rendered for a case built step by step through the domain's own
//! commands (`Case::decide`, then `apply`), as the ledger would store it.
//!
//! One file on purpose (over 600 lines): one case is built once and every official form is checked against it.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use cqrs_es::Aggregate;
use hoso_domain::case::*;
use hoso_domain::child::{
    Address, Child, ChildAction, ChildCommand, HouseholdStatus, Registration, Sex,
};
use hoso_domain::common::{Actor, CommuneRef, HarmType, ProtectionLevel, RiskLevel, Role, Unit};
use hoso_projections::event::Meta;
use hoso_projections::history::{CaseAsOf, TimelineEntry};

use super::html::{ngay, Agency};
use super::*;

const CASE_ID: &str = "HS-2025-0000ABCD";
/// Free text with everything that must be escaped.
const NASTY: &str = r#"<script>alert("x")</script> & 'quotes'"#;

/// Monday 1 September 2025, 08:00 in Vietnam.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, 1, 0, 0)
        .single()
        .expect("valid time")
}
fn hours(h: i64) -> DateTime<Utc> {
    t0() + Duration::hours(h)
}
fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// Phường Sông Trí, Hà Tĩnh.
fn song_tri() -> CommuneRef {
    CommuneRef::current(42, 18754)
}
fn actor(id: &str, role: Role) -> Actor {
    Actor {
        officer_id: id.to_string(),
        role,
        unit: match role {
            Role::HotlineOperator => Unit::National,
            _ => Unit::Commune {
                province: 42,
                commune: 18754,
            },
        },
    }
}
fn worker() -> Actor {
    actor("w-songtri", Role::CommuneWorker)
}
fn chairman() -> Actor {
    actor("c-songtri", Role::CommuneChairman)
}
fn hotline() -> Actor {
    actor("h-111", Role::HotlineOperator)
}

fn child() -> Child {
    let mut c = Child::default();
    let cmd = ChildCommand {
        actor: worker(),
        at: t0(),
        action: ChildAction::RegisterChild(Registration {
            full_name: "Nguyễn Thị Ánh".to_string(),
            date_of_birth: d(2015, 3, 10),
            sex: Sex::Female,
            ethnicity: "Kinh".to_string(),
            personal_id: None,
            address: Address {
                commune: song_tri(),
                detail: "Tổ dân phố 3".to_string(),
            },
            household_status: HouseholdStatus::NearPoor,
        }),
    };
    let e = c.decide(cmd).expect("registered");
    c.apply(e);
    c
}

/// Builds a case through the domain's commands.
struct Builder {
    state: Case,
    events: Vec<Recorded>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            state: Case::default(),
            events: Vec::new(),
        }
    }

    fn step(mut self, who: &Actor, at_hours: i64, action: CaseAction) -> Builder {
        let at = hours(at_hours);
        let what = action.describe();
        let event = self
            .state
            .decide(CaseCommand {
                actor: who.clone(),
                at,
                action,
            })
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        self.state.apply(event.clone());
        let sequence = self.events.len() as u64 + 1;
        self.events.push(Recorded {
            sequence,
            event,
            by: Some(Signer {
                officer_id: who.officer_id.clone(),
                role: Some(who.role),
            }),
            recorded_at: Some(at),
            hash: Some(format!("{sequence:064x}")),
        });
        self
    }

    fn record(self) -> CaseRecord {
        let record = CaseRecord::new(CASE_ID, self.events)
            .with_child(child())
            .with_officer_name("w-songtri", "Trần Thị Bình")
            .with_officer_name("c-songtri", "Lê Văn Cường");
        assert_eq!(record.state, self.state, "CaseRecord folds the same state");
        record
    }
}

fn factors(l: RiskLevel) -> RiskFactors {
    RiskFactors {
        severity_of_harm: l,
        abuser_access: l,
        care_environment_obstacles: RiskLevel::Medium,
        child_capacity: RiskLevel::High,
    }
}

fn intake(reporter: Option<Reporter>) -> CaseAction {
    CaseAction::RecordIntake(Intake {
        child_id: "child-1".to_string(),
        date_of_birth: d(2015, 3, 10),
        commune: song_tri(),
        source: IntakeSource::NeighbourOrRelative,
        source_description: None,
        reporter,
        description: format!("Hàng xóm nghe thấy trẻ bị đánh nhiều lần. {NASTY}"),
        harm_types: vec![HarmType::Violence, HarmType::Neglect],
        received_at: t0(),
        responsible_worker: Some("w-songtri".to_string()),
    })
}

fn reporter() -> Reporter {
    Reporter {
        name: "Phạm Văn Đức".to_string(),
        phone: Some("0912345678".to_string()),
        relation: "hàng xóm".to_string(),
    }
}

/// Every step up to `last` (1 intake … 11 close).
fn case_up_to(last: u32) -> CaseRecord {
    let w = worker();
    let c = chairman();
    let steps: Vec<(&Actor, i64, CaseAction)> = vec![
        (&w, 1, intake(Some(reporter()))),
        (
            &w,
            2,
            CaseAction::RecordFactCheck(FactCheck {
                confirmed: true,
                findings: "Xác minh tại gia đình: trẻ có vết bầm ở tay".to_string(),
            }),
        ),
        (
            &w,
            3,
            CaseAction::AssessInitialRisk(InitialAssessment {
                factors: factors(RiskLevel::High),
                overall: RiskLevel::High,
                emergency_needed: true,
                protection_level: ProtectionLevel::Intervention,
                notes: "Cần tách trẻ khỏi người gây tổn hại".to_string(),
            }),
        ),
        (
            &c,
            5,
            CaseAction::OrderEmergencyMeasures(EmergencyOrder {
                measures: vec![
                    EmergencyMeasure::TemporarySeparation,
                    EmergencyMeasure::MedicalCare,
                ],
                details: String::new(),
                decision_ref: "12/QĐ-UBND".to_string(),
            }),
        ),
        (
            &w,
            24,
            CaseAction::AssessSpecificRisk(SpecificAssessment {
                factors: factors(RiskLevel::Medium),
                overall: RiskLevel::Medium,
                protection_level: ProtectionLevel::Intervention,
                needs: vec![
                    "Tư vấn tâm lý cho trẻ".to_string(),
                    "Khám sức khỏe định kỳ".to_string(),
                ],
                minutes: NeedsMeetingMinutes {
                    held_at: hours(22),
                    participants: vec![
                        "w-songtri".to_string(),
                        "Bà Hoàng Thị Lan (mẹ của trẻ)".to_string(),
                    ],
                    summary: format!("Thống nhất nhu cầu y tế và tâm lý. {NASTY}"),
                },
            }),
        ),
        (
            &w,
            48,
            CaseAction::DraftPlan(PlanDraft {
                objectives: vec!["Trẻ được an toàn & ổn định tại gia đình".to_string()],
                services: vec![PlannedService {
                    kind: ServiceKind::Psychological,
                    provider: "Trung tâm công tác xã hội tỉnh".to_string(),
                    due: Some(d(2025, 9, 30)),
                }],
                review_date: d(2025, 12, 1),
            }),
        ),
        (
            &c,
            72,
            CaseAction::ApprovePlan(PlanApproval {
                plan_version: 1,
                decision_ref: "15/QĐ-UBND".to_string(),
            }),
        ),
        (
            &w,
            96,
            CaseAction::RecordService(ServiceDelivery {
                kind: ServiceKind::Psychological,
                provider: "Trung tâm công tác xã hội tỉnh".to_string(),
                delivered_at: hours(95),
                notes: "Buổi tư vấn đầu tiên".to_string(),
            }),
        ),
        (
            &w,
            100,
            CaseAction::RecordReferral(Referral {
                direction: ReferralDirection::To,
                agency: "Bệnh viện đa khoa tỉnh".to_string(),
                reason: "Khám sức khỏe".to_string(),
            }),
        ),
        (
            &w,
            24 * 30,
            CaseAction::RecordReview(Review {
                outcome: ReviewOutcome::SafeAndStable,
                participants: vec!["w-songtri".to_string(), "giáo viên chủ nhiệm".to_string()],
                summary: format!("Trẻ đã ổn định, đi học đều. {NASTY}"),
            }),
        ),
        (
            &c,
            24 * 31,
            CaseAction::CloseCase(Closure {
                reason: CloseReason::SafeAndStable,
                decision_ref: "30/QĐ-UBND".to_string(),
                note: String::new(),
            }),
        ),
    ];
    let mut b = Builder::new();
    for (who, at, action) in steps.into_iter().take(last as usize) {
        b = b.step(who, at, action);
    }
    b.record()
}

/// What every form must have.
fn assert_official(html: &str, number: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "a whole document");
    assert!(html.contains(r#"<html lang="vi">"#));
    assert!(html.contains(r#"<meta charset="utf-8">"#));
    assert!(html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(html.contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(html.contains(number), "form number {number}");
    assert!(html.contains("Nghị định số 56/2017/NĐ-CP"));
    assert!(
        html.contains("ỦY BAN NHÂN DÂN<br>PHƯỜNG SÔNG TRÍ"),
        "{html}"
    );
    assert!(html.contains("TỈNH HÀ TĨNH"));
    assert!(html.contains("Sông Trí, ngày "), "place and date line");
    assert!(html.contains("(Ký, ghi rõ họ tên"));
    assert!(FORM_CSS.contains("@page { size: A4;"));
    assert!(html.contains(r#"<link rel="stylesheet" href="/assets/forms.css">"#));
    assert!(!html.contains("<style"), "no inline style");
    // nothing but the page: no script, no navigation, no links, no inline style
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "<nav",
        "<a ",
        "style=\"",
        "onload",
        "javascript:",
    ] {
        assert!(!lower.contains(bad), "{bad} in the form");
    }
    assert!(
        html.contains("HS-2025-0000ABCD"),
        "provenance names the case"
    );
}

fn render_ok(kind: FormKind, record: &CaseRecord) -> String {
    render(kind, record).unwrap_or_else(|| panic!("{kind:?} renders"))
}

#[test]
fn form_codes_round_trip() {
    for k in FormKind::ALL {
        assert_eq!(FormKind::parse(k.code()), Some(k));
        assert!(!k.title_vi().is_empty() && !k.title_en().is_empty());
    }
    assert_eq!(FormKind::parse("mau-07"), None);
    assert_eq!(FormKind::Intake01.code(), "mau-01");
    assert_eq!(FormKind::Minutes.code(), "bien-ban-hop");
}

#[test]
fn available_forms_follow_the_steps() {
    use FormKind::*;
    assert_eq!(available(&Case::default()), vec![]);
    let expect: [(u32, Vec<FormKind>); 6] = [
        (1, vec![Intake01]),
        (4, vec![Intake01, InitialAssessment02]),
        (
            5,
            vec![Intake01, InitialAssessment02, SpecificAssessment03, Minutes],
        ),
        (
            6,
            vec![
                Intake01,
                InitialAssessment02,
                SpecificAssessment03,
                Minutes,
                Plan04,
            ],
        ),
        (
            7,
            vec![
                Intake01,
                InitialAssessment02,
                SpecificAssessment03,
                Minutes,
                Plan04,
                Approval05,
            ],
        ),
        (11, FormKind::ALL.to_vec()),
    ];
    for (steps, forms) in expect {
        let record = case_up_to(steps);
        assert_eq!(available(&record.state), forms, "after {steps} steps");
        for k in FormKind::ALL {
            assert_eq!(
                render(k, &record).is_some(),
                forms.contains(&k),
                "{k:?} after {steps} steps"
            );
        }
    }
}

#[test]
fn intake_form_01() {
    let html = render_ok(FormKind::Intake01, &case_up_to(11));
    assert_official(&html, "Mẫu số 01");
    for want in [
        "Báo cáo tiếp nhận thông tin trẻ em",
        "1. Nguồn nhận thông tin",
        "2. Thông tin về trẻ em",
        "3. Thông tin người cung cấp thông tin",
        "Hàng xóm, người thân",
        "08 giờ 00, ngày 01/09/2025",
        "Nguyễn Thị Ánh",
        "10/03/2015 (10 tuổi)",
        "Nữ <span class=\"box\">☒</span>",
        "Tổ dân phố 3, Phường Sông Trí, Tỉnh Hà Tĩnh",
        "Bạo lực, Bỏ mặc",
        "Hàng xóm nghe thấy trẻ bị đánh nhiều lần.",
        "Hộ cận nghèo",
        "Phạm Văn Đức",
        "0912345678",
        "hàng xóm",
        "Trần Thị Bình",
        "Cán bộ tiếp nhận thông tin",
        "CHỦ TỊCH UBND PHƯỜNG SÔNG TRÍ",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        "Sông Trí, ngày 01 tháng 9 năm 2025",
        "sự kiện: số 1 (SHA-256 0000",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    // free text is escaped
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;")
    );
    assert!(!html.contains("<script>alert"));
}

#[test]
fn anonymous_hotline_intake_is_headed_by_the_hotline() {
    let record = Builder::new().step(&hotline(), 1, intake(None)).record();
    let html = render_ok(FormKind::Intake01, &record);
    assert!(html.contains("TỔNG ĐÀI ĐIỆN THOẠI QUỐC GIA<br>BẢO VỆ TRẺ EM 111"));
    assert!(html.contains("Hà Nội, ngày 01 tháng 9 năm 2025"));
    assert!(html.contains("báo tin nặc danh"));
    assert!(html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(html.contains("Địa bàn xảy ra vụ việc: Phường Sông Trí, Tỉnh Hà Tĩnh"));
}

#[test]
fn initial_assessment_form_02() {
    let html = render_ok(FormKind::InitialAssessment02, &case_up_to(11));
    assert_official(&html, "Mẫu số 02");
    for want in [
        "Báo cáo đánh giá nguy cơ ban đầu",
        "Xác minh tại gia đình: trẻ có vết bầm ở tay",
        "Mức độ nghiêm trọng của tổn hại",
        "Khả năng người gây tổn hại tiếp cận trẻ em",
        "Trở ngại đối với sự an toàn trong môi trường chăm sóc",
        "Khả năng tự bảo vệ và phục hồi của trẻ em",
        "Tổng số",
        "Can thiệp",
        "Tạm thời cách ly trẻ em",
        "Chăm sóc y tế",
        "12/QĐ-UBND",
        "Lê Văn Cường",
        "Cần tách trẻ khỏi người gây tổn hại",
        "Người thực hiện đánh giá",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    // three factors high, one medium: the totals row counts them
    assert!(html.contains(r#"<td><b>Tổng số</b></td><td class="mark">3</td><td class="mark">1</td><td class="mark">0</td>"#));
    // the emergency decision came 4 hours after intake: within 12 hours
    assert!(html.contains("Trong vòng 12 giờ kể từ khi nhận thông tin (trước 20 giờ 00, ngày 01/09/2025): <span class=\"box\">☒</span> Có"));
}

#[test]
fn specific_assessment_form_03_and_minutes() {
    let record = case_up_to(11);
    let html = render_ok(FormKind::SpecificAssessment03, &record);
    assert_official(&html, "Mẫu số 03");
    for want in [
        "Báo cáo thu thập thông tin, đánh giá nguy cơ cụ thể tình hình trẻ em",
        "Tư vấn tâm lý cho trẻ",
        "Khám sức khỏe định kỳ",
        "Trần Thị Bình",
        "Bà Hoàng Thị Lan (mẹ của trẻ)",
        "06 giờ 00, ngày 02/09/2025",
        "Sông Trí, ngày 02 tháng 9 năm 2025",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<script>alert"));

    let html = render_ok(FormKind::Minutes, &record);
    assert_official(&html, "Kèm theo Mẫu số 03");
    for want in [
        "Biên bản họp",
        "xác định nhu cầu cần hỗ trợ, can thiệp đối với trẻ em",
        "I. Thành phần tham dự",
        "Thống nhất nhu cầu y tế và tâm lý.",
        "Ủy ban nhân dân Phường Sông Trí",
        "Người ghi biên bản",
        "Chủ trì cuộc họp",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
}

#[test]
fn plan_form_04() {
    let html = render_ok(FormKind::Plan04, &case_up_to(11));
    assert_official(&html, "Mẫu số 04");
    for want in [
        "Kế hoạch hỗ trợ, can thiệp",
        "phiên bản số 1",
        "Trẻ được an toàn &amp; ổn định tại gia đình",
        "Tư vấn, trị liệu tâm lý",
        "Trung tâm công tác xã hội tỉnh",
        "30/09/2025",
        "ngày 01 tháng 12 năm 2025",
        "Tư vấn tâm lý cho trẻ",
        "Đã được phê duyệt theo Quyết định số",
        "15/QĐ-UBND",
        "đúng hạn",
        "Người lập kế hoạch",
        "Lê Văn Cường",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    // as of before the approval: pending
    let html = render_ok(FormKind::Plan04, &case_up_to(6));
    assert!(html.contains("Kế hoạch đang chờ Chủ tịch UBND xã phê duyệt."));
    assert!(!html.contains("15/QĐ-UBND"));
}

#[test]
fn approval_form_05() {
    let html = render_ok(FormKind::Approval05, &case_up_to(11));
    assert_official(&html, "Mẫu số 05");
    for want in [
        "Số: 15/QĐ-UBND",
        "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em Nguyễn Thị Ánh",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG SÔNG TRÍ",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;",
        "QUYẾT ĐỊNH:",
        "Điều 1.",
        "Điều 2.",
        "Điều 3.",
        "Giao Trần Thị Bình chủ trì",
        "Tư vấn, trị liệu tâm lý — Trung tâm công tác xã hội tỉnh (thời hạn 30/09/2025)",
        "Nơi nhận:",
        "Sông Trí, ngày 04 tháng 9 năm 2025",
        "Lê Văn Cường",
        "(Ký, ghi rõ họ tên, đóng dấu)",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
}

#[test]
fn review_form_06() {
    let html = render_ok(FormKind::Review06, &case_up_to(11));
    assert_official(&html, "Mẫu số 06");
    for want in [
        "Rà soát, đánh giá tình trạng của trẻ em",
        "1. Đánh giá nguy cơ tại giai đoạn kết thúc",
        "Kế hoạch phiên bản số 1, phê duyệt theo Quyết định số",
        "05/09/2025: Tư vấn, trị liệu tâm lý — Trung tâm công tác xã hội tỉnh (Buổi tư vấn đầu tiên)",
        "chuyển gửi đến Bệnh viện đa khoa tỉnh",
        "giáo viên chủ nhiệm",
        "Trẻ đã ổn định, đi học đều.",
        "<span class=\"box\">☒</span> Trẻ em đã an toàn, ổn định",
        "30/QĐ-UBND",
        "Người thực hiện rà soát",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    // provenance: the approval, services, referral, review and closing, in order
    let seqs: Vec<&str> = html
        .split("<footer class=\"provenance\">")
        .nth(1)
        .expect("provenance")
        .split("số ")
        .skip(1)
        .filter_map(|s| s.split(' ').next())
        .collect();
    assert_eq!(seqs, vec!["7", "8", "9", "10", "11"]);
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<script>alert"));
}

#[test]
fn corrections_are_printed_under_the_form_they_touch() {
    let record = {
        let mut b = Builder::new();
        b = b.step(&worker(), 1, intake(Some(reporter())));
        b = b.step(
            &worker(),
            2,
            CaseAction::CorrectEvent(Correction {
                corrects_sequence: 1,
                reason: "Ghi sai số điện thoại".to_string(),
                correction: "Số điện thoại đúng: 0987654321 <b>".to_string(),
            }),
        );
        b.record()
    };
    let html = render_ok(FormKind::Intake01, &record);
    assert!(html.contains("Đính chính"));
    assert!(html.contains("Sự kiện số 1 được đính chính lúc 10 giờ 00, ngày 01/09/2025"));
    assert!(html.contains("Số điện thoại đúng: 0987654321 &lt;b&gt;"));
    assert!(html.contains("Ghi sai số điện thoại"));
}

#[test]
fn a_transfer_changes_the_committee_of_later_forms_only() {
    let hai_ninh = CommuneRef::current(42, 18781);
    let mut b = Builder::new().step(&worker(), 1, intake(None)).step(
        &chairman(),
        2,
        CaseAction::TransferCase(Transfer {
            to: hai_ninh,
            reason: "Gia đình chuyển nơi ở".to_string(),
        }),
    );
    let w2 = Actor {
        officer_id: "w-haininh".to_string(),
        role: Role::CommuneWorker,
        unit: Unit::Commune {
            province: 42,
            commune: 18781,
        },
    };
    b = b.step(
        &w2,
        3,
        CaseAction::RecordFactCheck(FactCheck {
            confirmed: true,
            findings: "Đúng".to_string(),
        }),
    );
    b = b.step(
        &w2,
        4,
        CaseAction::AssessInitialRisk(InitialAssessment {
            factors: factors(RiskLevel::Low),
            overall: RiskLevel::Low,
            emergency_needed: false,
            protection_level: ProtectionLevel::Support,
            notes: String::new(),
        }),
    );
    let record = b.record();
    let intake_form = render_ok(FormKind::Intake01, &record);
    assert!(intake_form.contains("PHƯỜNG SÔNG TRÍ"));
    let assessment = render_ok(FormKind::InitialAssessment02, &record);
    assert!(assessment.contains("ỦY BAN NHÂN DÂN<br>PHƯỜNG HẢI NINH"));
    assert!(assessment.contains("Hải Ninh, ngày 01 tháng 9 năm 2025"));
    assert!(assessment.contains("Không áp dụng."));
}

#[test]
fn pre_2025_communes_are_headed_by_their_district() {
    // Thị trấn Phố Châu, Huyện Hương Sơn, Tỉnh Hà Tĩnh (before 1 July 2025)
    let old = hoso_domain::places::pre_2025()
        .commune_ref(18133)
        .expect("pre-2025 commune");
    let a = Agency::committee(Some(old));
    assert_eq!(a.above.as_deref(), Some("HUYỆN HƯƠNG SƠN"));
    assert_eq!(a.name, vec!["ỦY BAN NHÂN DÂN", "THỊ TRẤN PHỐ CHÂU"]);
    assert_eq!(a.place, "Phố Châu");
    assert_eq!(
        a.commune_full,
        "Thị trấn Phố Châu, Huyện Hương Sơn, Tỉnh Hà Tĩnh"
    );
    let a = Agency::committee(Some(CommuneRef::current(1, 70)));
    assert_eq!(a.above.as_deref(), Some("THÀNH PHỐ HÀ NỘI"));
    assert_eq!(a.place, "Hoàn Kiếm");
}

#[test]
fn dates_are_written_as_on_administrative_documents() {
    assert_eq!(ngay(d(2026, 2, 5)), "ngày 05 tháng 02 năm 2026");
    assert_eq!(ngay(d(2026, 1, 15)), "ngày 15 tháng 01 năm 2026");
    assert_eq!(ngay(d(2025, 9, 1)), "ngày 01 tháng 9 năm 2025");
    assert_eq!(ngay(d(2025, 12, 31)), "ngày 31 tháng 12 năm 2025");
}

#[test]
fn a_record_from_case_as_of_renders_the_same() {
    let built = case_up_to(7);
    let timeline: Vec<TimelineEntry> = built
        .events
        .iter()
        .enumerate()
        .map(|(n, r)| TimelineEntry {
            position: n as i64 + 100,
            sequence: r.sequence as i64,
            event_type: r.event.name().to_string(),
            at: Some(r.event.at()),
            meta: r.by.as_ref().map(|s| Meta {
                actor_id: s.officer_id.clone(),
                role: s.role.map(|x| x.as_str().to_string()).unwrap_or_default(),
                unit: "commune:42:18754".to_string(),
                recorded_at: r.event.at(),
            }),
            payload: serde_json::to_string(&r.event).expect("serialises"),
            sealing: hoso_ledger::seal::Sealing::Opened,
            withheld: Vec::new(),
            hash: r.hash.clone().unwrap_or_default(),
        })
        .collect();
    let as_of = CaseAsOf {
        case_id: CASE_ID.to_string(),
        as_of: Some(hours(80)),
        state: built.state.clone(),
        timeline,
        later_events: 4,
    };
    let record = CaseRecord::from_as_of(&as_of)
        .expect("decodes")
        .with_child(child())
        .with_officer_name("w-songtri", "Trần Thị Bình")
        .with_officer_name("c-songtri", "Lê Văn Cường");
    assert_eq!(record.state, built.state);
    let html = render_ok(FormKind::Approval05, &record);
    assert_eq!(
        html.replace(
            "tình trạng hồ sơ tại 16 giờ 00, ngày 04/09/2025",
            "tình trạng hồ sơ hiện tại"
        ),
        render_ok(FormKind::Approval05, &built)
    );
    assert!(html.contains("tình trạng hồ sơ tại 16 giờ 00, ngày 04/09/2025"));
}

/// Writes every form of the sample case to `$HOSO_FORMS_OUT` (default
/// `target/forms`), to look at them in a browser or print them:
/// `cargo test -p hoso --lib forms::tests::write_sample_forms -- --ignored`.
#[test]
#[ignore]
fn write_sample_forms() {
    let dir = std::env::var("HOSO_FORMS_OUT").unwrap_or_else(|_| "target/forms".to_string());
    std::fs::create_dir_all(&dir).expect("output folder");
    let record = case_up_to(11);
    for k in FormKind::ALL {
        let html = render_ok(k, &record);
        std::fs::write(format!("{dir}/{}.html", k.code()), html).expect("written");
    }
}
