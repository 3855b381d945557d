//! `/api/v1/services`: 科技服务, published by verified tech workers and organizations.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::ids::ServiceId;
use kejiyun_core::market::postings::{ServiceDraft, ServiceInput};

use super::dto::{
    CreateServiceRequest, CreatedId, ServiceDto, ServiceList, ServiceParams, ServiceRequest,
};
use super::postings::{self, Filters};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

/// 科技服务列表
///
/// Published services (any visitor), filtered by region subtree, category, scope, the region
/// they are offered in, and text; `mine=true` lists the caller's own in any status; admins may
/// list other statuses within their regions.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", operation_id = "list_services",
    params(ServiceParams),
    responses(
        (status = 200, description = "Services", body = ServiceList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "`mine` without login", body = ErrorBody),
        (status = 403, description = "Unpublished statuses are for admins", body = ErrorBody),
        (status = 422, description = "Bad region, status, category, scope or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<ServiceParams>,
) -> ApiResult<ApiJson<ServiceList>> {
    let q = Filters {
        region: &p.region,
        status: &p.status,
        category: &p.category,
        q: &p.q,
        mine: p.mine,
        available_in: &p.available_in,
        scope: &p.scope,
    }
    .parse()?;
    postings::list::<ServiceDraft>(&state, &ctx, q, p.page, p.per_page).await
}

/// 发布科技服务（草稿或提交审核）
///
/// A verified tech worker (or an organization's admin, with `org_id`) publishes a service: a
/// draft, or pending review with `"submit": true`.
#[utoipa::path(post, path = "/api/v1/services", tag = "services", operation_id = "create_service",
    request_body = CreateServiceRequest,
    responses(
        (status = 201, description = "Created (draft, or pending with `submit`)", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a verified tech worker or organization", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field, unknown category, bad amount or banned word", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateServiceRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let (input, submit) = req.split();
    postings::create(&state, &session.actor, input, submit).await
}

/// 查看科技服务
///
/// One service: published (or closed after publication) ones for everyone, others for their
/// owner and the region's admins.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services", operation_id = "get_service",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The service", body = ServiceDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such (visible) service", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<ServiceId>,
) -> ApiResult<ApiJson<ServiceDto>> {
    postings::show::<ServiceDraft>(&state, ctx.actor(), id).await
}

/// 修改科技服务（重新审核）
///
/// The owner edits; a published or rejected service goes back to review.
#[utoipa::path(put, path = "/api/v1/services/{id}", tag = "services", operation_id = "edit_service",
    params(("id" = i64, Path)),
    request_body = ServiceRequest,
    responses(
        (status = 200, description = "Updated", body = ServiceDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such service", body = ErrorBody),
        (status = 409, description = "Closed, or changed meanwhile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ServiceId>,
    ApiJson(req): ApiJson<ServiceRequest>,
) -> ApiResult<ApiJson<ServiceDto>> {
    postings::edit(&state, &session.actor, id, ServiceInput::from(req)).await
}
