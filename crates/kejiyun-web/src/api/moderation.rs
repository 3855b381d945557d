use axum::extract::State;
use kejiyun_core::app::{Decision, Services};
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::permissions::Actor;
use kejiyun_core::regions::RegionCode;

use super::dto::{QueueItemDto, QueueList, QueueParams, RejectRequest, StatusDto};
use super::page;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// 待审核列表
///
/// The moderation queue of the regions the caller administers, oldest first.
#[utoipa::path(get, path = "/api/v1/moderation", tag = "moderation", operation_id = "list_moderation_queue",
    params(QueueParams),
    responses(
        (status = 200, description = "Pending items", body = QueueList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "Unknown kind", body = ErrorBody),
        (status = 422, description = "Bad region or paging", body = ErrorBody),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> ApiResult<ApiJson<QueueList>> {
    let s = &state.services;
    let kind = p.kind.as_deref().map(ModerationKind::parse).transpose()?;
    let region = p.region.as_deref().map(RegionCode::parse).transpose()?;
    let paged = s
        .moderation()
        .moderation_queue(&session.actor, kind, region, page(p.page, p.per_page)?)
        .await?;
    Ok(ApiJson(QueueList::from_paged(paged, |q| {
        QueueItemDto::new(s, q)
    })))
}

/// 审核通过
///
/// Approves (publishes / verifies) a queued item.
#[utoipa::path(post, path = "/api/v1/moderation/{kind}/{id}/approve", tag = "moderation", operation_id = "approve_moderation_item",
    params(("kind" = String, Path, description = "`tech_worker` or `org`"), ("id" = i64, Path)),
    responses(
        (status = 200, description = "Approved", body = StatusDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the item's region", body = ErrorBody),
        (status = 404, description = "Unknown kind or item", body = ErrorBody),
        (status = 409, description = "Not pending (already decided)", body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
) -> ApiResult<ApiJson<StatusDto>> {
    let kind = ModerationKind::parse(&kind)?;
    decide(&state.services, &session.actor, kind, id, Decision::Approve).await
}

/// 审核驳回（附理由）
///
/// Rejects a queued item with a reason the submitter sees.
#[utoipa::path(post, path = "/api/v1/moderation/{kind}/{id}/reject", tag = "moderation", operation_id = "reject_moderation_item",
    params(("kind" = String, Path, description = "`tech_worker` or `org`"), ("id" = i64, Path)),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Rejected", body = StatusDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the item's region", body = ErrorBody),
        (status = 404, description = "Unknown kind or item", body = ErrorBody),
        (status = 409, description = "Not pending (already decided)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Reason missing or too long", body = ErrorBody),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> ApiResult<ApiJson<StatusDto>> {
    let kind = ModerationKind::parse(&kind)?;
    let reject = Decision::Reject { reason: req.reason };
    decide(&state.services, &session.actor, kind, id, reject).await
}

/// Applies a region admin's decision and answers the new status; the profile kinds' own
/// `verify` / `reject` routes take the same way.
pub(super) async fn decide(
    s: &Services,
    actor: &Actor,
    kind: ModerationKind,
    id: i64,
    decision: Decision,
) -> ApiResult<ApiJson<StatusDto>> {
    let to = s.moderation().moderate(actor, kind, id, decision).await?;
    Ok(ApiJson(StatusDto {
        status: to.as_str().into(),
    }))
}
