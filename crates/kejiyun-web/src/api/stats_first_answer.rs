//! `GET /api/v1/stats/first-answer`: how long askers wait for an expert's first answer.

use axum::extract::State;
use kejiyun_core::app::stats::date_range;
use kejiyun_core::questions::Median;
use kejiyun_core::regions::RegionCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::RegionRef;
use super::stats::StatsParams;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

/// A median wait and how many answered questions it is over.
#[derive(Debug, Serialize, ToSchema)]
pub struct MedianDto {
    pub median_minutes: i64,
    pub answered_questions: usize,
}

impl From<Median> for MedianDto {
    fn from(m: Median) -> Self {
        Self {
            median_minutes: m.minutes,
            answered_questions: m.questions,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthMedian {
    /// `YYYY-MM` of first publication (Asia/Shanghai).
    pub month: String,
    #[serde(flatten)]
    pub median: MedianDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildMedian {
    pub region: RegionRef,
    /// `null`: no question of that region was answered.
    pub median: Option<MedianDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirstAnswerDto {
    pub region: RegionRef,
    pub from: Option<String>,
    pub to: Option<String>,
    /// `null`: no question first published in the range was answered.
    pub overall: Option<MedianDto>,
    /// Months with answered questions, oldest first.
    pub by_month: Vec<MonthMedian>,
    /// Every child region.
    pub by_child_region: Vec<ChildMedian>,
}

/// 专家首次回复用时（中位数）
///
/// The median time from a question's first publication to its first answer, in minutes, over
/// the questions of the region's subtree first published in the range (answered ones; a
/// question still waiting is not in it), by month and child region.
#[utoipa::path(get, path = "/api/v1/stats/first-answer", tag = "stats",
    operation_id = "first_answer_times",
    params(StatsParams),
    responses(
        (status = 200, description = "Median waits", body = FirstAnswerDto),
        (status = 404, description = "Region outside this deployment", body = ErrorBody),
        (status = 422, description = "Bad region code or dates", body = ErrorBody),
    ))]
pub async fn first_answer(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<ApiJson<FirstAnswerDto>> {
    let s = &state.services;
    let region = match p.region.as_deref() {
        Some(r) => RegionCode::parse(r)?,
        None => s.root,
    };
    let (from, to) = date_range(p.from.as_deref(), p.to.as_deref())?;
    let (range, figures) = s.stats().first_answer_times(region, from, to).await?;
    Ok(ApiJson(FirstAnswerDto {
        region: RegionRef::new(s, range.region),
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        overall: figures.overall.map(MedianDto::from),
        by_month: figures
            .by_month
            .into_iter()
            .map(|(month, m)| MonthMedian {
                month,
                median: m.into(),
            })
            .collect(),
        by_child_region: figures
            .by_child
            .into_iter()
            .map(|(code, m)| ChildMedian {
                region: RegionRef::new(s, code),
                median: m.map(MedianDto::from),
            })
            .collect(),
    }))
}
