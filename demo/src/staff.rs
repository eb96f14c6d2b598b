//! The officers of each commune and province: registration, hiring, trainings.

use super::*;

pub(crate) async fn officer(
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
        .officer(id, cmd, at, hoso_service::app::LOCAL)
        .await
        .map_err(|e| anyhow::anyhow!("demo officer {id}: {e}"))
}

/// Registers an officer (by the administrator) and returns them as an actor.
pub(crate) async fn hire(
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

pub(crate) const TRAININGS: [(&str, &[&str]); 3] = [
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
pub(crate) async fn setup_staff(demo: &mut Demo<'_>) -> anyhow::Result<(Vec<CommuneStaff>, Actor)> {
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
