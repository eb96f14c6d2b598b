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

mod children;
mod staff;
mod story;

use children::*;
use staff::*;

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
