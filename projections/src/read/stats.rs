//! Statistics by place and period.

use super::*;

/// Period granularity of a statistics query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Day,
    Month,
    Year,
    /// Counts as things stand (children by group and household status).
    Now,
}

impl PeriodKind {
    fn prefix(self) -> &'static str {
        match self {
            PeriodKind::Day => "d:",
            PeriodKind::Month => "m:",
            PeriodKind::Year => "y:",
            PeriodKind::Now => "all",
        }
    }
}

/// Which counts to add up, and how to group them.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub metric: Option<String>,
    pub province: Option<u32>,
    pub commune: Option<u32>,
    /// `2025` or `pre2025`: which structure a commune code belongs to.
    pub structure: Option<String>,
    /// An old (pre-2025) district.
    pub district: Option<u32>,
    pub period: PeriodKind,
    /// Inclusive bounds on the period text, e.g. `2026-01` … `2026-06`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Group by commune instead of province.
    pub by_commune: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    pub metric: String,
    pub key: String,
    /// Today's province code (rolled up).
    pub province: i64,
    /// With `by_commune`: the commune code and its structure.
    pub commune: Option<i64>,
    pub structure: Option<String>,
    /// `2026-03`, `2026`, `2026-03-02`, or empty for `Now`.
    pub period: String,
    pub count: i64,
}

pub async fn statistics(db: &Db, q: &StatsQuery) -> Result<Vec<StatRow>, ProjectionError> {
    let mut clauses = vec!["period LIKE ?".to_string()];
    let mut params = vec![Val::Text(match q.period {
        PeriodKind::Now => "all".to_string(),
        k => format!("{}%", k.prefix()),
    })];
    let mut push = |c: &str, v: Val| {
        clauses.push(c.to_string());
        params.push(v);
    };
    if let Some(m) = &q.metric {
        push("metric = ?", Val::from(m.as_str()));
    }
    if let Some(p) = q.province {
        push("province = ?", Val::from(p));
    }
    if let Some(c) = q.commune {
        push("commune = ?", Val::from(c));
    }
    if let Some(s) = &q.structure {
        push("structure = ?", Val::from(s.as_str()));
    }
    if let Some(d) = q.district {
        push("district = ? AND structure = 'pre2025'", Val::from(d));
    }
    if q.period != PeriodKind::Now {
        if let Some(f) = &q.from {
            push(
                "period >= ?",
                Val::Text(format!("{}{f}", q.period.prefix())),
            );
        }
        if let Some(t) = &q.to {
            push(
                "period <= ?",
                Val::Text(format!("{}{t}", q.period.prefix())),
            );
        }
    }
    let place = if q.by_commune {
        "province, commune, structure"
    } else {
        "province"
    };
    let sql = format!(
        "SELECT metric, key, {place}, period, CAST(SUM(count) AS BIGINT) AS n FROM ps_count WHERE {} \
         GROUP BY metric, key, {place}, period HAVING SUM(count) <> 0 ORDER BY metric, period, {place}, key",
        clauses.join(" AND ")
    );
    rows(db, &sql, &params)
        .await?
        .iter()
        .map(|r| {
            let (commune, structure) = if q.by_commune {
                (r.opt_int("commune")?, r.opt_text("structure")?)
            } else {
                (None, None)
            };
            let period = r.text("period")?;
            Ok(StatRow {
                metric: r.text("metric")?,
                key: r.text("key")?,
                province: r.int("province")?,
                commune,
                structure,
                period: period
                    .split_once(':')
                    .map(|(_, p)| p.to_string())
                    .unwrap_or_default(),
                count: r.int("n")?,
            })
        })
        .collect()
}
