//! Statistics by place and period, always within the officer's area, for
//! the roles that read them (`sight`).

use hoso_projections::read::{self, PeriodKind, StatRow, StatsQuery};
use hoso_projections::Projection;

use crate::{Error, Me, Service};

/// A period kind as given: `day`, `month`, `year` or `now`.
pub fn period_kind(s: &str) -> Result<PeriodKind, Error> {
    match s {
        "day" => Ok(PeriodKind::Day),
        "month" => Ok(PeriodKind::Month),
        "year" => Ok(PeriodKind::Year),
        "now" => Ok(PeriodKind::Now),
        other => Err(Error::invalid(
            "period",
            format!("`{other}`: use day, month, year or now"),
        )),
    }
}

/// The counts the query asks for, narrowed to the officer's area (a query for
/// another place gets no rows).
pub async fn query(svc: &Service, me: &Me, mut q: StatsQuery) -> Result<Vec<StatRow>, Error> {
    if !me.sight().reads_statistics() {
        return Err(Error::Forbidden(format!(
            "a {} does not read statistics",
            me.role().as_str()
        )));
    }
    if !me.area().narrow_stats(&mut q) {
        return Ok(Vec::new());
    }
    Ok(read::statistics(svc.db(), &q).await?)
}

/// `query`, with the statistics first brought up to date with the store.
pub async fn query_fresh(svc: &Service, me: &Me, q: StatsQuery) -> Result<Vec<StatRow>, Error> {
    crate::refresh(svc.ledger(), Projection::Statistics).await?;
    query(svc, me, q).await
}
