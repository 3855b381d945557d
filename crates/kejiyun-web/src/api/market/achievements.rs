//! `/api/v1/achievements`: 科技成果, published by verified tech workers and organizations.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::ids::AchievementId;
use kejiyun_core::market::postings::{AchievementDraft, AchievementInput};

use super::dto::{
    AchievementDto, AchievementList, AchievementRequest, CreateAchievementRequest, CreatedId,
    PostingParams,
};
use super::postings::{self, Filters};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

/// 科技成果列表
///
/// Published achievements (any visitor), filtered by region subtree, category and text;
/// `mine=true` lists the caller's own in any status; admins may list other statuses within their
/// regions.
#[utoipa::path(get, path = "/api/v1/achievements", tag = "achievements", operation_id = "list_achievements",
    params(PostingParams),
    responses(
        (status = 200, description = "Achievements", body = AchievementList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "`mine` without login", body = ErrorBody),
        (status = 403, description = "Unpublished statuses are for admins", body = ErrorBody),
        (status = 422, description = "Bad region, status, category or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<PostingParams>,
) -> ApiResult<ApiJson<AchievementList>> {
    let q = Filters {
        region: &p.region,
        status: &p.status,
        category: &p.category,
        q: &p.q,
        mine: p.mine,
        available_in: &None,
        scope: &None,
    }
    .parse()?;
    postings::list::<AchievementDraft>(&state, &ctx, q, p.page, p.per_page).await
}

/// 发布科技成果（草稿或提交审核）
///
/// A verified tech worker (or an organization's admin, with `org_id`) publishes an achievement:
/// a draft, or pending review with `"submit": true`.
#[utoipa::path(post, path = "/api/v1/achievements", tag = "achievements", operation_id = "create_achievement",
    request_body = CreateAchievementRequest,
    responses(
        (status = 201, description = "Created (draft, or pending with `submit`)", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a verified tech worker or organization", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field, unknown category, maturity, IP type or transfer mode, bad amount or banned word", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateAchievementRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let (input, submit) = req.split();
    postings::create(&state, &session.actor, input, submit).await
}

/// 查看科技成果
///
/// One achievement: published (or closed after publication) ones for everyone, others for their
/// owner and the region's admins.
#[utoipa::path(get, path = "/api/v1/achievements/{id}", tag = "achievements", operation_id = "get_achievement",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The achievement", body = AchievementDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such (visible) achievement", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<AchievementId>,
) -> ApiResult<ApiJson<AchievementDto>> {
    postings::show::<AchievementDraft>(&state, ctx.actor(), id).await
}

/// 修改科技成果（重新审核）
///
/// The owner edits; a published or rejected achievement goes back to review.
#[utoipa::path(put, path = "/api/v1/achievements/{id}", tag = "achievements", operation_id = "edit_achievement",
    params(("id" = i64, Path)),
    request_body = AchievementRequest,
    responses(
        (status = 200, description = "Updated", body = AchievementDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such achievement", body = ErrorBody),
        (status = 409, description = "Closed, or changed meanwhile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<AchievementId>,
    ApiJson(req): ApiJson<AchievementRequest>,
) -> ApiResult<ApiJson<AchievementDto>> {
    postings::edit(&state, &session.actor, id, AchievementInput::from(req)).await
}
