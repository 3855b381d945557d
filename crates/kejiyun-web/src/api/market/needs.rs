//! `/api/v1/needs`: 科技需求, posted by any registered user through a guided form that scores
//! its completeness.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::ids::NeedId;
use kejiyun_core::market::postings::{NeedDraft, NeedInput, need_completeness};

use super::dto::{
    CompletenessDto, CreateNeedRequest, CreatedId, NeedDraftRequest, NeedDto, NeedList,
    NeedRequest, PostingParams,
};
use super::postings::{self, Filters};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

/// 科技需求列表
///
/// Published needs (any visitor), filtered by region subtree, category and text;
/// `mine=true` lists the caller's own in any status; admins may list other statuses within their
/// regions.
#[utoipa::path(get, path = "/api/v1/needs", tag = "needs", operation_id = "list_needs",
    params(PostingParams),
    responses(
        (status = 200, description = "Needs", body = NeedList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "`mine` without login", body = ErrorBody),
        (status = 403, description = "Unpublished statuses are for admins", body = ErrorBody),
        (status = 422, description = "Bad region, status, category or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<PostingParams>,
) -> ApiResult<ApiJson<NeedList>> {
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
    postings::list::<NeedDraft>(&state, &ctx, q, p.page, p.per_page).await
}

/// 发布科技需求（草稿或提交审核）
///
/// A registered user posts a need: a draft, or pending review with `"submit": true`.
#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", operation_id = "create_need",
    request_body = CreateNeedRequest,
    responses(
        (status = 201, description = "Created (draft, or pending with `submit`)", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field, unknown category or industry, bad budget or deadline, banned word", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateNeedRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let (input, submit) = req.split();
    postings::create(&state, &session.actor, input, submit).await
}

/// 查看科技需求
///
/// One need: published (or closed after publication) ones for everyone, others for their
/// owner and the region's admins.
#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", operation_id = "get_need",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The need", body = NeedDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such (visible) need", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<NeedId>,
) -> ApiResult<ApiJson<NeedDto>> {
    postings::show::<NeedDraft>(&state, ctx.actor(), id).await
}

/// 修改科技需求（重新审核）
///
/// The owner edits; a published or rejected need goes back to review.
#[utoipa::path(put, path = "/api/v1/needs/{id}", tag = "needs", operation_id = "edit_need",
    params(("id" = i64, Path)),
    request_body = NeedRequest,
    responses(
        (status = 200, description = "Updated", body = NeedDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such need", body = ErrorBody),
        (status = 409, description = "Closed, or changed meanwhile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<NeedId>,
    ApiJson(req): ApiJson<NeedRequest>,
) -> ApiResult<ApiJson<NeedDto>> {
    postings::edit(&state, &session.actor, id, NeedInput::from(req)).await
}

/// 科技需求完整度评分
///
/// Scores a need as typed so far (every field optional), before it is valid: the score (0–100)
/// and what would raise it, most valuable first. No login needed.
#[utoipa::path(post, path = "/api/v1/needs/completeness", tag = "needs", operation_id = "score_need_completeness",
    request_body = NeedDraftRequest,
    responses(
        (status = 200, description = "Score and hints", body = CompletenessDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A field of the wrong type", body = ErrorBody),
    ))]
pub async fn completeness(ApiJson(req): ApiJson<NeedDraftRequest>) -> ApiJson<CompletenessDto> {
    ApiJson(need_completeness(&req.into()).into())
}
