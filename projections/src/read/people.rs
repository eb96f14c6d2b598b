//! Facts for the retention policy, children and officers of a place.

use super::*;

/// What the retention policy needs to know of one case (public fields).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub case_id: String,
    pub closed_at: Option<String>,
    pub harm_types: Vec<String>,
}

/// What the retention policy needs to know of one child (public fields).
#[derive(Debug, Clone, PartialEq)]
pub struct ChildFacts {
    pub child_id: String,
    pub erased: bool,
    pub registered_at: Option<String>,
    pub cases: Vec<CaseFacts>,
}

/// Every child with their cases, for the retention policy.
pub async fn retention_facts(db: &Db) -> Result<Vec<ChildFacts>, ProjectionError> {
    let mut children: std::collections::BTreeMap<String, ChildFacts> = Default::default();
    for r in rows(
        db,
        "SELECT child_id, erased, state FROM pv_child ORDER BY child_id",
        &[],
    )
    .await?
    {
        let id = r.text("child_id")?;
        let state: serde_json::Value = serde_json::from_str(&r.text("state")?)?;
        children.insert(
            id.clone(),
            ChildFacts {
                child_id: id,
                erased: r.int("erased")? == 1,
                registered_at: state
                    .get("registered_at")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                cases: Vec::new(),
            },
        );
    }
    for r in rows(
        db,
        "SELECT case_id, child_id, closed_at, harm_types FROM pv_case WHERE child_id IS NOT NULL ORDER BY case_id",
        &[],
    )
    .await?
    {
        let child = r.text("child_id")?;
        if let Some(c) = children.get_mut(&child) {
            c.cases.push(CaseFacts {
                case_id: r.text("case_id")?,
                closed_at: r.opt_text("closed_at")?,
                harm_types: r
                    .opt_text("harm_types")?
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
    }
    Ok(children.into_values().collect())
}

/// The registered children of today's province (`None`: every province) whose
/// personal data is not erased, by id: public fields only. Whoever needs their
/// names or birth dates (the likely-duplicate search) opens their sealed
/// records.
pub async fn children_of_province(
    db: &Db,
    province: Option<u32>,
) -> Result<Vec<String>, ProjectionError> {
    let (sql, params) = match province {
        Some(p) => (
            "SELECT child_id FROM pv_child WHERE erased = 0 AND province = ? ORDER BY child_id",
            vec![Val::from(p)],
        ),
        None => (
            "SELECT child_id FROM pv_child WHERE erased = 0 ORDER BY child_id",
            Vec::new(),
        ),
    };
    rows(db, sql, &params)
        .await?
        .iter()
        .map(|r| Ok(r.text("child_id")?))
        .collect()
}

/// The cases of a child, by id (the case view's public `child_id`).
pub async fn cases_of_child(db: &Db, child_id: &str) -> Result<Vec<String>, ProjectionError> {
    rows(
        db,
        "SELECT case_id FROM pv_case WHERE child_id = ? ORDER BY case_id",
        &[Val::Text(child_id.to_string())],
    )
    .await?
    .iter()
    .map(|r| Ok(r.text("case_id")?))
    .collect()
}

/// An officer of the officer-history view (public fields: their name is in
/// their sealed record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRow {
    pub officer_id: String,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub active: bool,
}

/// The officers of a unit (`commune:42:18070`), by id.
pub async fn officers_of_unit(db: &Db, unit: &str) -> Result<Vec<OfficerRow>, ProjectionError> {
    rows(
        db,
        "SELECT officer_id, role, unit, active FROM po_officer WHERE unit = ? ORDER BY officer_id",
        &[Val::from(unit)],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(OfficerRow {
            officer_id: r.text("officer_id")?,
            role: r.opt_text("role")?,
            unit: r.opt_text("unit")?,
            active: r.int("active")? == 1,
        })
    })
    .collect()
}
