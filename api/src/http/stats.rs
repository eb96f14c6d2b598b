//! Statistics by place and period, limited to the officer's area.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hoso_projections::read::StatsQuery;
use hoso_service::stats;
use serde::{Deserialize, Serialize};

use super::auth::CurrentOfficer;
use super::error::ApiError;
use super::json::ApiQuery;
use super::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
pub async fn get_stats(
    State(state): State<AppState>,
    me: CurrentOfficer,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> Result<Json<Stats>, ApiError> {
    let q = StatsQuery {
        metric: p.metric,
        province: p.province,
        commune: p.commune,
        structure: None,
        district: p.district,
        period: stats::period_kind(p.period.as_deref().unwrap_or("month"))?,
        from: p.from,
        to: p.to,
        by_commune: p.by_commune.unwrap_or(false),
    };
    let rows = stats::query(&state.svc, &me, q)
        .await?
        .into_iter()
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
    Router::new().route("/stats", get(get_stats))
}
