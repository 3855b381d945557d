use std::collections::BTreeMap;

use axum::extract::State;
use chrono::NaiveDate;
use kejiyun_core::app::stats::{Group, date_range};
use kejiyun_core::paging::Paged;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::stats::Metric;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{PageParams, RegionRef, list_type};
use super::page;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::session::Ctx;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// Six-digit region code; default: the deployment's root.
    pub region: Option<String>,
    /// First day, `YYYY-MM-DD` (Asia/Shanghai, inclusive); open if omitted.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); open if omitted.
    pub to: Option<String>,
}

impl StatsParams {
    /// The region (default: the root) and the date range, as every stats endpoint reads them.
    pub(super) fn parse(
        &self,
        s: &kejiyun_core::app::Services,
    ) -> kejiyun_core::DomainResult<(RegionCode, Option<NaiveDate>, Option<NaiveDate>)> {
        let region = match self.region.as_deref() {
            Some(r) => RegionCode::parse(r)?,
            None => s.root,
        };
        let (from, to) = date_range(self.from.as_deref(), self.to.as_deref())?;
        Ok((region, from, to))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// Region code, `YYYY-MM`, or category code ("" = none).
    pub key: String,
    /// Region name, month, or category label.
    pub label: String,
    /// Metric key → value (amounts in fen).
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsDto {
    pub region: RegionRef,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Every metric of the catalogue under its key (docs/product.md, "The figures"); amounts are integers in fen.
    #[schema(value_type = Object)]
    pub metrics: BTreeMap<String, i64>,
    /// Ranking of the child regions (largest first by the first non-zero metric).
    pub by_child_region: Vec<GroupDto>,
    /// Monthly trend, oldest first.
    pub by_month: Vec<GroupDto>,
    pub by_category: Vec<GroupDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricDto {
    pub key: String,
    pub label: String,
    /// Sums of fen rather than counts.
    pub amount: bool,
}

list_type!(MetricList, MetricDto);

fn values(g: &Group) -> BTreeMap<String, i64> {
    g.values
        .iter()
        .map(|(m, v)| (m.key().to_owned(), *v))
        .collect()
}

/// 统计数据（按下级地区、月份、分类细分）
///
/// The figures of a region and everything below it for a date range, with breakdowns by child
/// region, month and category. Served from maintained figures, never from the base tables.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", operation_id = "get_stats",
    params(StatsParams),
    responses(
        (status = 200, description = "Figures", body = StatsDto),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 404, description = "Region outside this deployment", body = ErrorBody),
        (status = 422, description = "Bad region code or dates", body = ErrorBody),
    ))]
pub async fn stats(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<ApiJson<StatsDto>> {
    let s = &state.services;
    let region = match p.region.as_deref() {
        Some(r) => RegionCode::parse(r)?,
        None => s.root,
    };
    let (from, to) = date_range(p.from.as_deref(), p.to.as_deref())?;
    let report = s.stats().stats(ctx.actor(), region, from, to).await?;
    let region_name = |code: &str| {
        RegionCode::parse(code)
            .ok()
            .and_then(|c| s.regions.get(c))
            .map(|r| r.name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let mut by_child: Vec<GroupDto> = report
        .by_child
        .iter()
        .map(|g| GroupDto {
            key: g.key.clone(),
            label: region_name(&g.key),
            values: values(g),
        })
        .collect();
    let rank = |g: &GroupDto| {
        Metric::ALL
            .iter()
            .map(|m| g.values.get(m.key()).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    by_child.sort_by_key(|g| std::cmp::Reverse(rank(g)));
    Ok(ApiJson(StatsDto {
        region: RegionRef::new(s, report.range.region),
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        metrics: report
            .totals
            .iter()
            .map(|(m, v)| (m.key().to_owned(), *v))
            .collect(),
        by_child_region: by_child,
        by_month: report
            .by_month
            .iter()
            .map(|g| {
                let label = if g.key.len() == 6 {
                    format!("{}-{}", &g.key[..4], &g.key[4..])
                } else {
                    g.key.clone()
                };
                GroupDto {
                    key: label.clone(),
                    label,
                    values: values(g),
                }
            })
            .collect(),
        by_category: report
            .by_category
            .iter()
            .map(|g| GroupDto {
                key: g.key.clone(),
                label: kejiyun_core::market::categories::Category::parse(&g.key)
                    .map(|c| c.label_zh().to_owned())
                    .unwrap_or_else(|_| "未分类".into()),
                values: values(g),
            })
            .collect(),
    }))
}

/// 统计指标目录
///
/// The metric catalogue, as a list like every other (one page holds it all by default).
#[utoipa::path(get, path = "/api/v1/stats/metrics", tag = "stats", operation_id = "list_stat_metrics",
    params(PageParams),
    responses(
        (status = 200, description = "Metrics", body = MetricList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn metrics(ApiQuery(p): ApiQuery<PageParams>) -> ApiResult<ApiJson<MetricList>> {
    let page = page(p.page, p.per_page)?;
    let paged = Paged::of_all(Metric::ALL.to_vec(), page);
    Ok(ApiJson(MetricList::from_paged(paged, |m| MetricDto {
        key: m.key().into(),
        label: m.label_zh().into(),
        amount: m.is_amount(),
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordsParams {
    /// Metric key, e.g. `deals`.
    pub metric: String,
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordDto {
    /// `service`, `need`, `achievement`, `question`, `deal`, `tech_worker`, `org`, `training`
    /// or `training_session` (its value: the people present).
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// The day it counts on (Asia/Shanghai).
    pub day: String,
    pub region: RegionRef,
    /// What it adds to the figure (1, or an amount in fen).
    pub value: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordList {
    pub metric: String,
    pub items: Vec<RecordDto>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// The figure: the sum of `value` over all pages.
    pub sum: i64,
}

/// 统计明细（一项数字背后的记录）
///
/// Drill-down: exactly the records one figure counts, newest first.
#[utoipa::path(get, path = "/api/v1/stats/records", tag = "stats", operation_id = "list_stat_records",
    params(RecordsParams),
    responses(
        (status = 200, description = "The records behind the figure", body = RecordList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 404, description = "Region outside this deployment", body = ErrorBody),
        (status = 422, description = "Unknown metric, bad region, dates or paging", body = ErrorBody),
    ))]
pub async fn records(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<RecordsParams>,
) -> ApiResult<ApiJson<RecordList>> {
    let s = &state.services;
    let metric = Metric::parse(&p.metric)?;
    let region = match p.region.as_deref() {
        Some(r) => RegionCode::parse(r)?,
        None => s.root,
    };
    let (from, to) = date_range(p.from.as_deref(), p.to.as_deref())?;
    let pg = page(p.page, p.per_page)?;
    let (paged, sum) = s
        .stats()
        .stats_records(ctx.actor(), metric, region, from, to, pg)
        .await?;
    Ok(ApiJson(RecordList {
        metric: metric.key().into(),
        total: paged.total,
        page: pg.page,
        per_page: pg.per_page,
        sum,
        items: paged
            .items
            .into_iter()
            .map(|(r, cell, value)| RecordDto {
                kind: r.kind.into(),
                id: r.id,
                title: r.title,
                day: cell.day.to_string(),
                region: RegionRef::new(s, cell.region),
                value,
            })
            .collect(),
    }))
}
