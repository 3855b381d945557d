use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::app::AdminSpec;

use super::dto::{
    AdminDto, AdminList, AuditDto, AuditList, CreateAdminRequest, CreatedId, PageParams,
};
use super::page;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::session::ApiUser;

/// 审计日志
///
/// The audit trail of the caller's regions, newest first (everything for system admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", operation_id = "list_audit_log",
    params(PageParams),
    responses(
        (status = 200, description = "Audit entries", body = AuditList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn audit_log(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<ApiJson<AuditList>> {
    let s = &state.services;
    let paged = s
        .moderation()
        .audit_log(&session.actor, page(p.page, p.per_page)?)
        .await?;
    Ok(ApiJson(AuditList::from_paged(paged, |e| {
        AuditDto::new(s, e)
    })))
}

/// 管理员列表
///
/// Administrators (system admins only).
#[utoipa::path(get, path = "/api/v1/admins", tag = "admin", operation_id = "list_admins",
    params(PageParams),
    responses(
        (status = 200, description = "Administrators", body = AdminList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a system admin", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn list_admins(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<ApiJson<AdminList>> {
    if !session.actor.is_system_admin() {
        return Err(DomainError::Forbidden("只有系统管理员可以查看管理员列表".into()).into());
    }
    let s = &state.services;
    let paged = s
        .store
        .list_admins(page(p.page, p.per_page)?)
        .await
        .map_err(DomainError::from)?;
    Ok(ApiJson(AdminList::from_paged(paged, |(u, g)| {
        AdminDto::new(s, u, g)
    })))
}

/// 设置管理员（地区管理员或系统管理员）
///
/// Creates a region admin or system admin (system admins only); an existing account is
/// promoted.
#[utoipa::path(post, path = "/api/v1/admins", tag = "admin", operation_id = "create_admin",
    request_body = CreateAdminRequest,
    responses(
        (status = 201, description = "Granted; the account's id", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a system admin", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid role, region, login or password", body = ErrorBody),
    ))]
pub async fn create_admin(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateAdminRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .accounts()
        .create_admin(
            Some(&session.actor),
            AdminSpec {
                login: req.login,
                password: req.password,
                display_name: req.display_name,
                role: req.role,
                region: req.region,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}
