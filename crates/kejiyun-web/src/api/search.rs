//! `GET /api/v1/search` (one search box over everything published) and the matches of a
//! posting (`GET /api/v1/{needs,services,achievements}/{id}/matches`).

use axum::extract::State;
use kejiyun_core::ids::{AchievementId, NeedId, ServiceId};
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::matching::MatchReason;
use kejiyun_core::paging::Page;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::search_ports::{DocKind, Match, SearchHit, SearchQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::RegionRef;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Plain text, Chinese or mixed ("柑橘黄龙病", "5G基站", "GMP"); no query syntax. Empty
    /// lists the newest records. Longer than 200 characters is cut.
    pub q: Option<String>,
    /// `service`, `need`, `achievement`, `tech_worker` or `org`; several comma-separated.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Only records in this region's subtree (six-digit code).
    pub region: Option<String>,
    /// Category code (see `GET /api/v1/categories`).
    pub category: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitDto {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// Escaped HTML with the matched terms in `<b>`.
    pub title_html: String,
    /// Escaped HTML excerpt of the description with the matched terms in `<b>`.
    pub snippet_html: String,
    pub category: Option<String>,
    pub region: RegionRef,
    pub published_at: String,
    pub score: f32,
    /// The record's page.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchDto {
    pub items: Vec<SearchHitDto>,
    /// Matching records; a lower bound when `total_exact` is false (unfiltered searches for
    /// very common words are not counted in full).
    pub total: u64,
    pub total_exact: bool,
    pub page: u32,
    pub per_page: u32,
    /// The words the query was segmented into.
    pub terms: Vec<String>,
}

fn kinds(raw: Option<&str>) -> Result<Vec<DocKind>, kejiyun_core::DomainError> {
    let mut out = Vec::new();
    for part in raw.unwrap_or_default().split(',') {
        if part.trim().is_empty() {
            continue;
        }
        let k = DocKind::parse(part)?;
        if !out.contains(&k) {
            out.push(k);
        }
    }
    Ok(out)
}

pub fn parse_search(p: &SearchParams) -> Result<SearchQuery, kejiyun_core::DomainError> {
    Ok(SearchQuery {
        text: p.q.clone().unwrap_or_default(),
        kinds: kinds(p.kind.as_deref())?,
        region: p
            .region
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(RegionCode::parse)
            .transpose()?,
        category: p
            .category
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(Category::parse)
            .transpose()?,
        page: Page::new(p.page, p.per_page)?,
    })
}

impl SearchHitDto {
    pub fn new(s: &kejiyun_core::app::Services, h: SearchHit) -> Self {
        Self {
            kind: h.kind.as_str().to_owned(),
            url: h.kind.path(h.id),
            id: h.id,
            title: h.title,
            title_html: h.title_html,
            snippet_html: h.snippet_html,
            category: h.category.map(|c| c.code().to_owned()),
            region: RegionRef::new(s, h.region),
            published_at: h.published_at.to_rfc3339(),
            score: h.score,
        }
    }
}

/// 全站搜索
///
/// Searches every published service, need, achievement, tech worker and organization.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", operation_id = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of results, best first", body = SearchDto),
        (status = 400, description = "Bad query string", body = ErrorBody),
        (status = 422, description = "Bad type, region, category or paging", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt (搜索索引正在重建，请稍后再试); try again after Retry-After seconds", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<ApiJson<SearchDto>> {
    let s = &state.services;
    let query = parse_search(&p)?;
    let r = s.search(&query)?;
    Ok(ApiJson(SearchDto {
        items: r
            .hits
            .into_iter()
            .map(|h| SearchHitDto::new(s, h))
            .collect(),
        total: r.total,
        total_exact: r.total_exact,
        page: r.page.page,
        per_page: r.page.per_page,
        terms: r.terms,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// How many suggestions (1–50, default 10).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonDto {
    /// `terms`, `same_category`, `reach`, `nearby`, `provider_deals` or `fresh`.
    pub code: String,
    /// The reason in Chinese, e.g. "匹配词：柑橘、黄龙病".
    pub text: String,
    /// For `terms`: the matched words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchDto {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub category: Option<String>,
    pub region: RegionRef,
    pub score: f32,
    /// Strong enough that both owners were notified when the later one was published.
    pub strong: bool,
    pub reasons: Vec<ReasonDto>,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchesDto {
    pub items: Vec<MatchDto>,
}

impl MatchDto {
    pub fn new(s: &kejiyun_core::app::Services, m: Match) -> Self {
        Self {
            kind: m.kind.as_str().to_owned(),
            url: m.kind.path(m.id),
            id: m.id,
            title: m.title,
            category: m.category.map(|c| c.code().to_owned()),
            region: RegionRef::new(s, m.region),
            score: m.score,
            strong: m.strong,
            reasons: m
                .reasons
                .iter()
                .map(|r| ReasonDto {
                    code: r.code().to_owned(),
                    text: r.text_zh(),
                    terms: match r {
                        MatchReason::Terms(t) => t.clone(),
                        _ => Vec::new(),
                    },
                })
                .collect(),
        }
    }
}

async fn matches_of(
    state: &AppState,
    user: &ApiUser,
    kind: PostingKind,
    id: i64,
    limit: Option<usize>,
) -> ApiResult<ApiJson<MatchesDto>> {
    let s = &state.services;
    let limit = limit.unwrap_or(kejiyun_core::app::search::DEFAULT_MATCHES);
    let found = s.matches(&user.0.actor, kind, id, limit).await?;
    Ok(ApiJson(MatchesDto {
        items: found.into_iter().map(|m| MatchDto::new(s, m)).collect(),
    }))
}

/// 为科技需求匹配服务、专家和成果
///
/// Services, tech workers and achievements that match a need, best first, each with why.
/// For the need's owner and the admins of its region.
#[utoipa::path(get, path = "/api/v1/needs/{id}/matches", tag = "search", operation_id = "list_need_matches",
    params(("id" = i64, Path), MatchParams),
    responses(
        (status = 200, description = "Suggestions (empty until the need is published)", body = MatchesDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the owner nor an admin of its region", body = ErrorBody),
        (status = 404, description = "No such need", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt; try again after Retry-After seconds", body = ErrorBody),
    ))]
pub async fn need_matches(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<NeedId>,
    ApiQuery(p): ApiQuery<MatchParams>,
) -> ApiResult<ApiJson<MatchesDto>> {
    matches_of(&state, &user, PostingKind::Need, id.0, p.limit).await
}

/// 为科技服务匹配科技需求
///
/// Needs a service reaches and matches, best first, each with why.
#[utoipa::path(get, path = "/api/v1/services/{id}/matches", tag = "search", operation_id = "list_service_matches",
    params(("id" = i64, Path), MatchParams),
    responses(
        (status = 200, description = "Matching needs", body = MatchesDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the owner nor an admin of its region", body = ErrorBody),
        (status = 404, description = "No such service", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt; try again after Retry-After seconds", body = ErrorBody),
    ))]
pub async fn service_matches(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<ServiceId>,
    ApiQuery(p): ApiQuery<MatchParams>,
) -> ApiResult<ApiJson<MatchesDto>> {
    matches_of(&state, &user, PostingKind::Service, id.0, p.limit).await
}

/// 为科技成果匹配科技需求
///
/// Needs an achievement matches, best first, each with why.
#[utoipa::path(get, path = "/api/v1/achievements/{id}/matches", tag = "search", operation_id = "list_achievement_matches",
    params(("id" = i64, Path), MatchParams),
    responses(
        (status = 200, description = "Matching needs", body = MatchesDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the owner nor an admin of its region", body = ErrorBody),
        (status = 404, description = "No such achievement", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt; try again after Retry-After seconds", body = ErrorBody),
    ))]
pub async fn achievement_matches(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<AchievementId>,
    ApiQuery(p): ApiQuery<MatchParams>,
) -> ApiResult<ApiJson<MatchesDto>> {
    matches_of(&state, &user, PostingKind::Achievement, id.0, p.limit).await
}
