//! Statistics by place and period, limited to the officer's area.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hoso_domain::common::Unit;
use hoso_projections::read::{self, PeriodKind, StatsQuery};
use serde::{Deserialize, Serialize};

use super::auth::CurrentOfficer;
use super::error::ApiError;
use super::json::ApiQuery;
use super::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsParams {
    /// day, month (default), year, or now (children by group and household).
    pub period: Option<String>,
    /// One metric only, e.g. cases_opened, opened_by_harm, timeliness_plan.
    pub metric: Option<String>,
    /// Today's province code; old records roll up.
    pub province: Option<u32>,
    pub commune: Option<u32>,
    /// An old (pre-2025) district code.
    pub district: Option<u32>,
    /// First period, e.g. 2026-01 (months) or 2026 (years).
    pub from: Option<String>,
    /// Last period.
    pub to: Option<String>,
    /// One row per commune instead of per province.
    pub by_commune: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatCount {
    pub metric: String,
    pub key: String,
    pub province: i64,
    pub commune: Option<i64>,
    pub structure: Option<String>,
    pub period: String,
    pub count: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub rows: Vec<StatCount>,
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "statistics", security(("bearer" = [])),
    params(StatsParams), responses((status = 200, body = Stats), (status = 422, body = super::error::Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> Result<Json<Stats>, ApiError> {
    let period = match p.period.as_deref().unwrap_or("month") {
        "day" => PeriodKind::Day,
        "month" => PeriodKind::Month,
        "year" => PeriodKind::Year,
        "now" => PeriodKind::Now,
        other => {
            return Err(ApiError::invalid(
                "period",
                format!("`{other}`: use day, month, year or now"),
            ))
        }
    };
    let mut q = StatsQuery {
        metric: p.metric,
        province: p.province,
        commune: p.commune,
        district: p.district,
        period,
        from: p.from,
        to: p.to,
        by_commune: p.by_commune.unwrap_or(false),
    };
    match me.actor.unit {
        Unit::National => {}
        Unit::Province { province } => {
            if q.province.is_some_and(|x| x != province) {
                return Ok(Json(Stats { rows: Vec::new() }));
            }
            q.province = Some(province);
        }
        Unit::Commune { province, commune } => {
            if q.province.is_some_and(|x| x != province) || q.commune.is_some_and(|x| x != commune)
            {
                return Ok(Json(Stats { rows: Vec::new() }));
            }
            q.province = Some(province);
            q.commune = Some(commune);
            q.district = None;
        }
    }
    let rows = read::statistics(state.db(), &q)
        .await?
        .into_iter()
        .filter(|r| {
            // A commune officer: today's commune only, not an old one with the same code.
            !matches!(me.actor.unit, Unit::Commune { .. })
                || !q.by_commune
                || r.structure.as_deref() != Some("pre2025")
        })
        .map(|r| StatCount {
            metric: r.metric,
            key: r.key,
            province: r.province,
            commune: r.commune,
            structure: r.structure,
            period: r.period,
            count: r.count,
        })
        .collect();
    Ok(Json(Stats { rows }))
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/stats", get(stats))
}
