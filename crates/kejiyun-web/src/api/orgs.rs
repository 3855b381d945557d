use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::Decision;
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::orgs::OrgType;

use super::dto::{
    CreatedId, DirectoryParams, OrgDto, OrgList, OrgRequest, RejectRequest, StatusDto,
};
use super::moderation::decide;
use super::page;
use super::profiles::{self, directory_query};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

/// 组织名录
///
/// The directory of verified organizations; admins may list other statuses in their regions.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", operation_id = "list_orgs",
    params(DirectoryParams),
    responses(
        (status = 200, description = "Organizations", body = OrgList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 403, description = "Unpublished statuses are for admins", body = ErrorBody),
        (status = 422, description = "Bad region, status, type or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<DirectoryParams>,
) -> ApiResult<ApiJson<OrgList>> {
    let s = &state.services;
    let org_type = p.org_type.as_deref().map(OrgType::parse).transpose()?;
    let paged = s
        .orgs()
        .list(
            ctx.actor(),
            directory_query(&p)?,
            org_type,
            page(p.page, p.per_page)?,
        )
        .await?;
    Ok(ApiJson(OrgList::from_paged(paged, |o| {
        OrgDto::new(s, ctx.actor(), o)
    })))
}

/// 登记组织
///
/// Registers an organization; the caller becomes its org admin; the region's admins verify it.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", operation_id = "register_org",
    request_body = OrgRequest,
    responses(
        (status = 201, description = "Registered (pending)", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field or banned word", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<OrgRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .orgs()
        .register(&session.actor, &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 查看组织
///
/// One organization: verified ones for everyone, others for its admin and region admins.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", operation_id = "get_org",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The organization", body = OrgDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such (visible) organization", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<OrgDto>> {
    profiles::one(&state.services, ctx.actor(), id, OrgDto::new).await
}

/// 修改组织信息（重新审核）
///
/// The org admin edits the organization's page; it goes back to review.
#[utoipa::path(put, path = "/api/v1/orgs/{id}", tag = "orgs", operation_id = "edit_org",
    params(("id" = i64, Path)),
    request_body = OrgRequest,
    responses(
        (status = 200, description = "Updated, pending review", body = OrgDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the org admin", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
        (status = 409, description = "Closed", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<OrgRequest>,
) -> ApiResult<ApiJson<OrgDto>> {
    let input = req.into();
    profiles::edit(&state.services, &session.actor, id, &input, OrgDto::new).await
}

/// 认证组织（审核通过）
///
/// A region admin verifies a pending organization.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/verify", tag = "orgs", operation_id = "verify_org",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Verified", body = StatusDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the org's region", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
        (status = 409, description = "Not pending", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<StatusDto>> {
    let approve = Decision::Approve;
    decide(
        &state.services,
        &session.actor,
        ModerationKind::Org,
        id,
        approve,
    )
    .await
}

/// 驳回组织认证
///
/// A region admin rejects a pending organization, saying why.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/reject", tag = "orgs", operation_id = "reject_org",
    params(("id" = i64, Path)),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Rejected", body = StatusDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the org's region", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
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
    let reject = Decision::Reject { reason: req.reason };
    decide(
        &state.services,
        &session.actor,
        ModerationKind::Org,
        id,
        reject,
    )
    .await
}
