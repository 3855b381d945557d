//! Changing one's password while signed in, and the administrators' view of locked login
//! names (等保 2.0 level 3, 身份鉴别 a/b).

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::{Lockout, UnlockTarget};
use kejiyun_core::ids::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::session::ApiUser;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// Everyone: 8–128 characters with a letter and a digit, not common, not holding the
    /// login; administrators also three of upper case, lower case, digits and symbols. None
    /// of the last few passwords.
    pub new_password: String,
}

/// A login name locked now.
#[derive(Debug, Serialize, ToSchema)]
pub struct LockoutDto {
    /// The login name, masked (`138****8000`, `z***@example.com`).
    pub login: String,
    /// Unlocks this name (`POST /api/v1/admin/lockouts/unlock` with `name_ref`) without
    /// showing it.
    pub name_ref: String,
    /// The account of that name, if there is one.
    pub user_id: Option<i64>,
    pub locked_until: String,
    /// Locks of this name since its last success (this one included); the next one lasts
    /// twice as long.
    pub level: u32,
}

impl From<Lockout> for LockoutDto {
    fn from(l: Lockout) -> Self {
        Self {
            login: l.login,
            name_ref: l.name_ref,
            user_id: l.user_id.map(|u| u.0),
            locked_until: l.locked_until.to_rfc3339(),
            level: l.level,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LockoutList {
    pub items: Vec<LockoutDto>,
}

/// One of the three.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    /// The login name (phone number or e-mail).
    pub login: Option<String>,
    /// The account: every login name of it.
    pub user_id: Option<i64>,
    /// A `name_ref` from the list.
    pub name_ref: Option<String>,
}

impl From<UnlockRequest> for UnlockTarget {
    fn from(r: UnlockRequest) -> Self {
        Self {
            login: r.login,
            user_id: r.user_id.map(UserId),
            name_ref: r.name_ref,
        }
    }
}

/// 修改密码
///
/// Changes the caller's password. A wrong current password counts as a failed login of the
/// caller's login name (five lock it). The account's other sessions end; this one stays.
/// An administrator whose password has expired acts as an ordinary user until they change it.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", operation_id = "change_password",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; the account's other sessions ended"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Wrong `current_password`, or a `new_password` breaking the account's rule or used recently", body = ErrorBody),
        (status = 429, description = "Login name locked after too many failures; see Retry-After", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .passwords()
        .change_password(
            &session.actor,
            &session.token,
            &req.current_password,
            &req.new_password,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 被锁定的登录名
///
/// Login names locked now after failed logins, masked: all for system admins; for region
/// admins those whose account lies in their regions.
#[utoipa::path(get, path = "/api/v1/admin/lockouts", tag = "admin", operation_id = "list_lockouts",
    responses(
        (status = 200, description = "Locked login names", body = LockoutList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
pub async fn list_lockouts(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<LockoutList>> {
    let items = state.services.passwords().lockouts(&session.actor).await?;
    Ok(ApiJson(LockoutList {
        items: items.into_iter().map(LockoutDto::from).collect(),
    }))
}

/// 解除登录锁定
///
/// Lifts a login name's lock (its failure count and lock level too), by `login`, `user_id`
/// or `name_ref`; audited as `user.unlocked`. System admins any; region admins names whose
/// account lies in their regions.
#[utoipa::path(post, path = "/api/v1/admin/lockouts/unlock", tag = "admin", operation_id = "unlock_login",
    request_body = UnlockRequest,
    responses(
        (status = 204, description = "Unlocked"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the account's region", body = ErrorBody),
        (status = 404, description = "No such account, or the name is not locked", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Neither `login`, `user_id` nor `name_ref`, or a malformed login", body = ErrorBody),
    ))]
pub async fn unlock(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<UnlockRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .passwords()
        .unlock(&session.actor, req.into())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
