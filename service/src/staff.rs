//! The staff of a unit to choose from on a form (the responsible worker of an
//! intake, the new worker of a reassignment): active commune workers, with
//! their names read from their own (sealed) officer records.

use hoso_domain::common::{Role, Unit};
use hoso_domain::officer::Officer;
use hoso_projections::{read, Projection};

use crate::{Error, Service};

/// (officer id, full name) of the active commune workers of `unit`, by id.
pub async fn commune_workers(svc: &Service, unit: &Unit) -> Result<Vec<(String, String)>, Error> {
    crate::refresh(svc.ledger(), Projection::OfficerHistory).await?;
    let mut out = Vec::new();
    for r in read::officers_of_unit(svc.db(), &unit.code()).await? {
        if !r.active || r.role.as_deref() != Some(Role::CommuneWorker.as_str()) {
            continue;
        }
        let officer: Officer = svc.app.load(&r.officer_id).await?;
        out.push((r.officer_id, officer.full_name));
    }
    Ok(out)
}
