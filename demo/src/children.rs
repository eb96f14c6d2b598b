//! Children registered with their sealed personal details.

use super::*;

pub(crate) async fn register_child(
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
            app.child(&id, cmd, at, hoso_service::app::LOCAL)
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
