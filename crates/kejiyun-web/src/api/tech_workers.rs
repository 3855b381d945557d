use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::Decision;
use kejiyun_core::ids::TechWorkerId;
use kejiyun_core::moderation::ModerationKind;

use super::dto::{
    CreatedId, DirectoryParams, RejectRequest, StatusDto, TechWorkerDto, TechWorkerList,
    TechWorkerRequest,
};
use super::moderation::decide;
use super::page;
use super::profiles::{self, directory_query};
use super::volunteers::IdCardDto;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

/// 科技工作者名录
///
/// Verified tech workers (any visitor); admins may list other statuses in their regions.
#[utoipa::path(get, path = "/api/v1/tech-workers", tag = "tech-workers", operation_id = "list_tech_workers",
    params(DirectoryParams),
    responses(
        (status = 200, description = "Tech workers", body = TechWorkerList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 403, description = "Unpublished statuses are for admins", body = ErrorBody),
        (status = 422, description = "Bad region, status or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<DirectoryParams>,
) -> ApiResult<ApiJson<TechWorkerList>> {
    let s = &state.services;
    let paged = s
        .tech_workers()
        .list(
            ctx.actor(),
            directory_query(&p)?,
            (),
            page(p.page, p.per_page)?,
        )
        .await?;
    Ok(ApiJson(TechWorkerList::from_paged(paged, |t| {
        TechWorkerDto::new(s, ctx.actor(), t)
    })))
}

/// 申请科技工作者认证
///
/// Applies to become a verified tech worker; the application waits in the service region's
/// moderation queue.
#[utoipa::path(post, path = "/api/v1/tech-workers", tag = "tech-workers", operation_id = "apply_tech_worker",
    request_body = TechWorkerRequest,
    responses(
        (status = 201, description = "Application submitted (pending)", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 409, description = "Already applied", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field or banned word", body = ErrorBody),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<TechWorkerRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .tech_workers()
        .apply(&session.actor, &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 查看科技工作者
///
/// One tech worker: published ones for everyone, others for their owner and region admins.
#[utoipa::path(get, path = "/api/v1/tech-workers/{id}", tag = "tech-workers", operation_id = "get_tech_worker",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The tech worker", body = TechWorkerDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such (visible) tech worker", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<TechWorkerDto>> {
    profiles::one(&state.services, ctx.actor(), id, TechWorkerDto::new).await
}

/// 查看科技工作者完整身份证号（留痕）
///
/// The full ID-card number, for the owner and the admins of the profile's region; an admin's
/// every reading is written to the audit log first.
#[utoipa::path(get, path = "/api/v1/tech-workers/{id}/id-card", tag = "tech-workers", operation_id = "reveal_tech_worker_id_card",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The full number", body = IdCardDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the owner nor an admin of the region", body = ErrorBody),
        (status = 404, description = "No such (visible) tech worker, or no number on it", body = ErrorBody),
    ))]
pub async fn id_card(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<IdCardDto>> {
    // A signed-in answer: the middleware marks it `private, no-store`.
    let id_card = state
        .services
        .tech_workers()
        .id_card(&session.actor, TechWorkerId(id))
        .await?;
    Ok(ApiJson(IdCardDto { id_card }))
}

/// 修改科技工作者资料（重新审核）
///
/// The owner edits the application or profile; it goes back to review.
#[utoipa::path(put, path = "/api/v1/tech-workers/{id}", tag = "tech-workers", operation_id = "edit_tech_worker",
    params(("id" = i64, Path)),
    request_body = TechWorkerRequest,
    responses(
        (status = 200, description = "Updated, pending review", body = TechWorkerDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such tech worker", body = ErrorBody),
        (status = 409, description = "Closed", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TechWorkerRequest>,
) -> ApiResult<ApiJson<TechWorkerDto>> {
    let input = req.into();
    profiles::edit(
        &state.services,
        &session.actor,
        id,
        &input,
        TechWorkerDto::new,
    )
    .await
}

/// 认证科技工作者（审核通过）
///
/// A region admin verifies a pending application (same as approving it in the queue).
#[utoipa::path(post, path = "/api/v1/tech-workers/{id}/verify", tag = "tech-workers", operation_id = "verify_tech_worker",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Verified", body = StatusDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the service region", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "Not pending", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<StatusDto>> {
    let (kind, approve) = (ModerationKind::TechWorker, Decision::Approve);
    decide(&state.services, &session.actor, kind, id, approve).await
}

/// 驳回科技工作者认证
///
/// A region admin rejects a pending application, saying why.
#[utoipa::path(post, path = "/api/v1/tech-workers/{id}/reject", tag = "tech-workers", operation_id = "reject_tech_worker",
    params(("id" = i64, Path)),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Rejected", body = StatusDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the service region", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "Not pending", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Reason missing or too long", body = ErrorBody),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> ApiResult<ApiJson<StatusDto>> {
    let (kind, reject) = (
        ModerationKind::TechWorker,
        Decision::Reject { reason: req.reason },
    );
    decide(&state.services, &session.actor, kind, id, reject).await
}
