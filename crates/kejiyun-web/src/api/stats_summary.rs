//! `GET /api/v1/stats/summary`: the one-page region summary (县域科技服务概况) as data, the
//! paragraph and its sections, made from the same figures as `/api/v1/stats`.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::RegionRef;
use super::stats::StatsParams;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::session::Ctx;

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryClauseDto {
    /// Metric key, as in `/api/v1/stats`'s `metrics`.
    #[schema(example = "deal_amount")]
    pub metric: String,
    #[schema(example = "交易金额")]
    pub label: String,
    /// The exact figure, equal to `/api/v1/stats`'s (amounts in fen, service time in minutes).
    pub value: i64,
    /// The number as the paragraph writes it, rounded for reading.
    #[schema(example = "65792.06万元")]
    pub figure: String,
    /// The clause; the paragraph leaves out those whose value is zero.
    #[schema(example = "交易金额65792.06万元")]
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummarySectionDto {
    #[schema(example = "科技服务与交易")]
    pub title: String,
    /// Every metric of the section, zeros included.
    pub clauses: Vec<SummaryClauseDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryDto {
    pub region: RegionRef,
    pub from: Option<String>,
    pub to: Option<String>,
    #[schema(example = "邻水县科技服务概况（2026年1月1日至2026年8月31日）")]
    pub title: String,
    /// The range in words (an open end is today, Asia/Shanghai).
    #[schema(example = "2026年1月1日至2026年8月31日")]
    pub period: String,
    /// The one paragraph, in Chinese.
    pub paragraph: String,
    /// When the figures were read (RFC 3339).
    pub computed_at: String,
    /// Every metric of the catalogue, once, grouped as the paragraph groups them.
    pub sections: Vec<SummarySectionDto>,
}

/// 县域科技服务概况（一段话与分组数字）
///
/// The region's figures over the range told as the paragraph officials report upward, with
/// the figures grouped by section. The numbers are `/api/v1/stats`'s for the same query.
#[utoipa::path(get, path = "/api/v1/stats/summary", tag = "stats", operation_id = "get_stats_summary",
    params(StatsParams),
    responses(
        (status = 200, description = "The summary", body = SummaryDto),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 404, description = "Region outside this deployment", body = ErrorBody),
        (status = 422, description = "Bad region code or dates", body = ErrorBody),
    ))]
pub async fn summary(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<ApiJson<SummaryDto>> {
    let s = &state.services;
    let (region, from, to) = p.parse(s)?;
    let (report, summary, at) = s.stats().summary(ctx.actor(), region, from, to).await?;
    Ok(ApiJson(SummaryDto {
        region: RegionRef::new(s, report.range.region),
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        paragraph: summary.to_text(),
        title: summary.title,
        period: summary.period,
        computed_at: at.to_rfc3339(),
        sections: summary
            .sentences
            .into_iter()
            .map(|s| SummarySectionDto {
                title: s.title.to_owned(),
                clauses: s
                    .clauses
                    .into_iter()
                    .map(|c| SummaryClauseDto {
                        metric: c.metric.key().to_owned(),
                        label: c.metric.label_zh().to_owned(),
                        value: c.value,
                        figure: c.figure,
                        text: c.text,
                    })
                    .collect(),
            })
            .collect(),
    }))
}
