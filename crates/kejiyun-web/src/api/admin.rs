use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::app::AdminSpec;
use kejiyun_core::ids::UserId;

use super::dto::{
    AdminDto, AdminList, AuditChainDto, AuditDto, AuditList, CreateAdminRequest, CreatedId,
    PageParams, RevokeAdminRequest,
};
use super::page;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// 审计日志
///
/// The audit trail, newest first: everything for the audit administrator (审计管理员) and
/// system admins, the caller's regions for a region admin.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", operation_id = "list_audit_log",
    params(PageParams),
    responses(
        (status = 200, description = "Audit entries", body = AuditList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither a region, system nor audit administrator", body = ErrorBody),
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
/// Administrators, with their roles (the security and audit administrators only).
#[utoipa::path(get, path = "/api/v1/admins", tag = "admin", operation_id = "list_admins",
    params(PageParams),
    responses(
        (status = 200, description = "Administrators", body = AdminList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the security nor the audit administrator", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn list_admins(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<ApiJson<AdminList>> {
    let actor = &session.actor;
    if !(actor.is_security_admin() || actor.is_audit_admin()) {
        return Err(
            DomainError::Forbidden("只有安全管理员和审计管理员可以查看管理员列表".into()).into(),
        );
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
/// Creates a region admin or system admin (the security administrator only, 三员分立); an
/// existing account is promoted. An account that holds one of the separated duties (system,
/// security, audit administrator) cannot take another administrator role (409). The security
/// and audit administrators are set on the server (`kejiyun admin create`), not here (403).
#[utoipa::path(post, path = "/api/v1/admins", tag = "admin", operation_id = "create_admin",
    request_body = CreateAdminRequest,
    responses(
        (status = 201, description = "Granted; the account's id", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the security administrator, or a role only the server's operator sets", body = ErrorBody),
        (status = 409, description = "The account holds a role the separation of duties keeps apart", body = ErrorBody),
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

/// 撤销管理员角色
///
/// Takes an administrator role (region or system admin) away from an account (the security
/// administrator only); audited. The account and its other roles stay.
#[utoipa::path(post, path = "/api/v1/admins/{user_id}/revoke", tag = "admin", operation_id = "revoke_admin",
    params(("user_id" = i64, Path, description = "The account")),
    request_body = RevokeAdminRequest,
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "Malformed JSON or path", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the security administrator, or a role only the server's operator sets", body = ErrorBody),
        (status = 404, description = "The account does not hold that role", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid role or region", body = ErrorBody),
    ))]
pub async fn revoke_admin(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(user_id): ApiPath<i64>,
    ApiJson(req): ApiJson<RevokeAdminRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .accounts()
        .revoke_admin(
            Some(&session.actor),
            UserId(user_id),
            &req.role,
            req.region.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 校验审计日志完整性
///
/// Recomputes the audit log's hash chain (as `kejiyun audit verify` does) and reports whether
/// it is whole or the first entry altered, missing or unchained (the audit administrator only).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "admin", operation_id = "verify_audit_log",
    responses(
        (status = 200, description = "The chain's state", body = AuditChainDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the audit administrator", body = ErrorBody),
    ))]
pub async fn verify_audit_log(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<AuditChainDto>> {
    let report = state
        .services
        .audit_chain()
        .verify_as(&session.actor)
        .await?;
    Ok(ApiJson(AuditChainDto {
        whole: report.broken.is_none(),
        checked: report.checked,
        pruned_seq: report.pruned_seq,
        head_seq: report.head.last_seq,
        broken: report.broken.map(|b| b.to_string()),
    }))
}
