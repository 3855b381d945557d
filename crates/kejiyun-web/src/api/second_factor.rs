//! The second factor (动态口令) over the API: the login's second step, the caller's enrolment
//! (`/api/v1/me/second-factor…`) and an administrator's reset.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kejiyun_core::app::Challenge;
use kejiyun_core::ids::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::session::ApiUser;

/// The second step a login waits for.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorChallenge {
    /// Always `true`: this answer opened no session.
    pub second_factor_required: bool,
    /// Send it back with a code to `POST /api/v1/auth/login/second-factor`; works once.
    pub challenge: String,
    pub expires_at: String,
    pub expires_in_secs: i64,
}

impl SecondFactorChallenge {
    pub fn new(state: &AppState, c: &Challenge) -> Self {
        let now = state.services.now();
        Self {
            second_factor_required: true,
            challenge: c.token.clone(),
            expires_at: c.expires_at.to_rfc3339(),
            expires_in_secs: (c.expires_at.micros() - now.micros()).max(0) / 1_000_000,
        }
    }
}

/// The second step of a login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorLoginRequest {
    /// The login's `challenge`.
    pub challenge: String,
    /// The six digits the authenticator app shows (动态口令), or one recovery code (恢复码).
    pub code: String,
}

/// A current code from the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorCode {
    /// Six digits.
    pub code: String,
}

/// The caller's second factor.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorState {
    pub enabled: bool,
    /// The policy requires one of this account (an administrator).
    pub required: bool,
    /// This session passed a second factor.
    pub satisfied: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: usize,
}

/// A started enrolment: the secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorEnrolment {
    /// Base32 (RFC 4648), to type into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/…`, to scan.
    pub otpauth_uri: String,
}

/// Recovery codes, shown this once: each logs in once in place of a code.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// 登录第二步：动态口令或恢复码
///
/// Completes a login whose first step answered 202: with the six digits of the authenticator
/// app (the current step or one either side; a step once used is refused) or one recovery
/// code (each works once). Opens the session like a login. A wrong code counts under the
/// login lockout of the login name, and the challenge is dead after five wrong codes (or
/// five minutes): log in again.
#[utoipa::path(post, path = "/api/v1/auth/login/second-factor", tag = "auth", operation_id = "login_second_factor",
    request_body = SecondFactorLoginRequest,
    responses(
        (status = 200, description = "Logged in", body = crate::api::dto::LoginResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Wrong or used code (`code`), or a dead challenge (`challenge`)", body = ErrorBody),
        (status = 429, description = "Login name locked, or too many logins from this address; see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SecondFactorLoginRequest>,
) -> ApiResult<Response> {
    let outcome = state
        .services
        .second_factor()
        .login(&req.challenge, &req.code)
        .await?;
    super::accounts::logged_in(&state, outcome).await
}

/// 查看动态口令状态
///
/// Whether the caller has a second factor, whether the policy requires one of them, whether
/// this session passed one, and how many recovery codes are left.
#[utoipa::path(get, path = "/api/v1/me/second-factor", tag = "me", operation_id = "get_second_factor",
    responses(
        (status = 200, description = "The caller's second factor", body = SecondFactorState),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn status(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<SecondFactorState>> {
    let sf = state.services.second_factor();
    let status = sf.status(session.actor.user_id, &session.token).await?;
    let left = if status.enabled {
        sf.recovery_codes_left(&session.actor).await?
    } else {
        0
    };
    Ok(ApiJson(SecondFactorState {
        enabled: status.enabled,
        required: status.required,
        satisfied: status.satisfied,
        recovery_codes_left: left,
    }))
}

/// 开始设置动态口令
///
/// Starts enrolment (or starts it again): a new TOTP secret (RFC 6238, SHA-1, six digits,
/// 30 s), returned this once as base32 and as an `otpauth://` URI, and stored only sealed.
/// Nothing changes at login until `confirm`. 409 once the factor is enabled.
#[utoipa::path(post, path = "/api/v1/me/second-factor", tag = "me", operation_id = "start_second_factor",
    responses(
        (status = 201, description = "The secret, shown once", body = SecondFactorEnrolment),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 409, description = "Already enabled", body = ErrorBody),
    ))]
pub async fn start(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<(StatusCode, ApiJson<SecondFactorEnrolment>)> {
    let e = state.services.second_factor().start(&session.actor).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(SecondFactorEnrolment {
            secret: e.secret,
            otpauth_uri: e.uri,
        }),
    ))
}

/// 确认启用动态口令
///
/// Confirms enrolment with a current code: the factor is on from now (audited
/// `user.second_factor.enabled`), this session counts as having passed it, and the answer
/// carries ten recovery codes, shown this once.
#[utoipa::path(post, path = "/api/v1/me/second-factor/confirm", tag = "me", operation_id = "confirm_second_factor",
    request_body = SecondFactorCode,
    responses(
        (status = 200, description = "Enabled; the recovery codes, shown once", body = RecoveryCodes),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 409, description = "Not started, or already enabled", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Wrong or used code (`code`)", body = ErrorBody),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<SecondFactorCode>,
) -> ApiResult<ApiJson<RecoveryCodes>> {
    let codes = state
        .services
        .second_factor()
        .confirm(&session.actor, &session.token, &req.code)
        .await?;
    Ok(ApiJson(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// 重新生成恢复码
///
/// Replaces every recovery code with ten new ones (a current code needed; audited
/// `user.second_factor.recovery_regenerated`).
#[utoipa::path(post, path = "/api/v1/me/second-factor/recovery-codes", tag = "me", operation_id = "regenerate_recovery_codes",
    request_body = SecondFactorCode,
    responses(
        (status = 200, description = "The new recovery codes, shown once", body = RecoveryCodes),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 409, description = "No second factor", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Wrong or used code (`code`)", body = ErrorBody),
    ))]
pub async fn regenerate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<SecondFactorCode>,
) -> ApiResult<ApiJson<RecoveryCodes>> {
    let codes = state
        .services
        .second_factor()
        .regenerate(&session.actor, &req.code)
        .await?;
    Ok(ApiJson(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// 关闭动态口令
///
/// Turns the second factor off (a current code needed; audited
/// `user.second_factor.disabled`). Refused (403) to an administrator while the policy
/// requires it.
#[utoipa::path(post, path = "/api/v1/me/second-factor/disable", tag = "me", operation_id = "disable_second_factor",
    request_body = SecondFactorCode,
    responses(
        (status = 204, description = "Turned off"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "An administrator under the required policy", body = ErrorBody),
        (status = 409, description = "No second factor", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Wrong or used code (`code`)", body = ErrorBody),
    ))]
pub async fn disable(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<SecondFactorCode>,
) -> ApiResult<StatusCode> {
    state
        .services
        .second_factor()
        .disable(&session.actor, &req.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 重置用户的动态口令
///
/// Removes a user's second factor and recovery codes (a lost phone and lost codes) and ends
/// their sessions; they enrol again after logging in. The security administrator (安全管理员) only; audited
/// `user.second_factor.reset`.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/second-factor/reset", tag = "admin", operation_id = "reset_second_factor",
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Reset"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the security administrator (or one whose session lacks a second factor)", body = ErrorBody),
        (status = 404, description = "No such user, or no second factor", body = ErrorBody),
    ))]
pub async fn reset(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .services
        .second_factor()
        .reset(&session.actor, UserId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
