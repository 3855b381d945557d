use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use kejiyun_core::app::{LoginOutcome, RegisterInput, SignIn};
use kejiyun_core::auth::one_time_codes::CodePurpose;

use super::dto::{
    CodeLoginRequest, CodeRequest, CodeSent, CreatedId, LoginRequest, LoginResponse, MeDto,
    PasswordResetRequest, ProfileRequest, RegisterRequest,
};
use super::second_factor::SecondFactorChallenge;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::session::{ApiUser, SESSION_COOKIE, cookie_header};

/// 注册账号（手机号或邮箱）
///
/// Registers an account with a phone number or e-mail, the registration code sent to it
/// (`POST /api/v1/auth/codes`, purpose `register`) and a password. A phone number or address
/// that is already registered was sent no code (its owner was told instead), so its answer is
/// the wrong-code answer: registration does not reveal who has an account.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", operation_id = "register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field; a wrong, used or expired code on `code`", body = ErrorBody),
        (status = 429, description = "Too many registrations from this address; see Retry-After", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .accounts()
        .register(
            RegisterInput {
                login: req.login,
                password: req.password,
                display_name: req.display_name,
                region: req.region,
            },
            &req.code,
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 登录（取得会话和令牌）
///
/// Logs in: sets the HttpOnly session cookie and returns the same secret as a bearer token.
/// For an account with a second factor (动态口令) a right password answers 202 with a
/// challenge instead, for `POST /api/v1/auth/login/second-factor`. Each attempt is counted before the password is checked: five within 15 minutes lock the
/// login name until the window is over (a success clears the count); the answer is the same
/// whether or not the account exists. Logins from one address are also rate-limited.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 202, description = "Right password; the second factor is asked for next", body = SecondFactorChallenge),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong login or password", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Login is neither a phone number nor an e-mail", body = ErrorBody),
        (status = 429, description = "Login name locked, or too many logins from this address; see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let outcome = state
        .services
        .accounts()
        .login(&req.login, &req.password)
        .await?;
    signed_in(&state, outcome).await
}

/// The answer of a right first factor: a session, or the second factor's challenge (202).
async fn signed_in(state: &AppState, sign_in: SignIn) -> ApiResult<Response> {
    match sign_in {
        SignIn::Session(outcome) => logged_in(state, *outcome).await,
        SignIn::SecondFactor(c) => Ok((
            StatusCode::ACCEPTED,
            ApiJson(SecondFactorChallenge::new(state, &c)),
        )
            .into_response()),
    }
}

/// The answer of a login (by password or code): the session cookie, and its secret as token.
pub(super) async fn logged_in(state: &AppState, outcome: LoginOutcome) -> ApiResult<Response> {
    let s = &state.services;
    let actor = &outcome.actor;
    let tw = s.tech_workers().mine(actor).await?.map(|t| t.id.0);
    let second_factor = s
        .second_factor()
        .status(outcome.user.id, &outcome.session)
        .await?;
    let body = LoginResponse {
        token: outcome.token.clone(),
        expires_at: outcome.expires_at.to_rfc3339(),
        user: MeDto {
            password_expired: s.passwords().expired(outcome.user.id).await?,
            ..MeDto::new(s, &outcome.user, actor, tw, second_factor)
        },
    };
    let cookie = cookie_header(
        SESSION_COOKIE,
        &outcome.token,
        s.sessions.absolute_secs,
        true,
        state.config.secure_cookies,
    );
    Ok(([(SET_COOKIE, cookie)], ApiJson(body)).into_response())
}

/// 获取验证码（注册、重置密码或验证码登录）
///
/// Sends a one-time code (验证码) to register, for a password reset or a login: by SMS to a
/// phone number, by e-mail to an address. The answer is the same whether or not the login
/// name has an account: a reset or login code goes only to an account's login name, a
/// registration code only to a login name without one (an account's owner is told that
/// someone tried to register it). A login name is sent at most one code a minute, five an hour
/// and ten a day (429 `too_many_requests` with `Retry-After`); an address is also limited.
/// A code lives `expires_in_secs`, works once, and is void after five wrong entries; a new
/// code replaces the one before.
#[utoipa::path(post, path = "/api/v1/auth/codes", tag = "auth", operation_id = "request_code",
    request_body = CodeRequest,
    responses(
        (status = 202, description = "Sent where the purpose allows (the same answer either way)", body = CodeSent),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Login is neither a phone number nor an e-mail, or unknown purpose", body = ErrorBody),
        (status = 429, description = "A code was sent to this login name too recently, or too many requests from this address; see Retry-After", body = ErrorBody),
    ))]
pub async fn request_code(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<(StatusCode, ApiJson<CodeSent>)> {
    let s = &state.services;
    let purpose = CodePurpose::parse(&req.purpose)?;
    s.codes().request_code(&req.login, purpose).await?;
    Ok((
        StatusCode::ACCEPTED,
        ApiJson(CodeSent {
            expires_in_secs: s.codes.ttl_secs,
            resend_after_secs: s.codes.resend_secs,
        }),
    ))
}

/// 用验证码重置密码
///
/// Sets a new password with a `password_reset` code. Every session of the account ends
/// (API tokens stay), the login name's lockout is lifted, and the audit log records it. A
/// wrong code answers 422 on `code` with the attempts left; an expired, used or void one, or
/// none, says so — the same for a login name without an account.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", operation_id = "reset_password",
    request_body = PasswordResetRequest,
    responses(
        (status = 204, description = "Password replaced; log in with it"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Wrong, expired, used or void code (`code`), or a password breaking the policy (`password`)", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address; see Retry-After", body = ErrorBody),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .codes()
        .reset_password(&req.login, &req.code, &req.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 验证码登录
///
/// Logs in with a `login` code: the same answer as the password login (the session cookie
/// and its token, or 202 and the second factor's challenge). The entry counts under the
/// login lockout like a password.
#[utoipa::path(post, path = "/api/v1/auth/code-login", tag = "auth", operation_id = "login_with_code",
    request_body = CodeLoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 202, description = "Right code; the second factor is asked for next", body = SecondFactorChallenge),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Wrong, expired, used or void code (`code`), or a malformed login", body = ErrorBody),
        (status = 429, description = "Login name locked, or too many logins from this address; see Retry-After", body = ErrorBody),
    ))]
pub async fn code_login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CodeLoginRequest>,
) -> ApiResult<Response> {
    let outcome = state
        .services
        .codes()
        .login_with_code(&req.login, &req.code)
        .await?;
    signed_in(&state, outcome).await
}

/// 退出登录
///
/// Ends the session (or revokes the bearer token used).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<Response> {
    state
        .services
        .accounts()
        .logout(&session.actor, &session.token)
        .await?;
    let clear = cookie_header(SESSION_COOKIE, "", 0, true, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response())
}

/// 查看当前账号
///
/// The caller's account, roles and administered regions, and their second factor: an
/// administrator whose session has not passed a required one acts as an ordinary user.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", operation_id = "get_me",
    responses(
        (status = 200, description = "The caller", body = MeDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn me(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<MeDto>> {
    let s = &state.services;
    let user = s.accounts().me(&session.actor).await?;
    let tw = s.tech_workers().mine(&session.actor).await?.map(|t| t.id.0);
    let second_factor = s.second_factor().status(user.id, &session.token).await?;
    Ok(ApiJson(MeDto {
        password_expired: s.passwords().expired(user.id).await?,
        ..MeDto::new(s, &user, &session.actor, tw, second_factor)
    }))
}

/// 修改个人资料
///
/// Edits the caller's profile.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", operation_id = "update_me",
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "Updated", body = MeDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn update_me(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> ApiResult<ApiJson<MeDto>> {
    let s = &state.services;
    let user = s
        .accounts()
        .update_profile(
            &session.actor,
            &req.display_name,
            req.region.as_deref(),
            req.bio.as_deref(),
        )
        .await?;
    let tw = s.tech_workers().mine(&session.actor).await?.map(|t| t.id.0);
    let second_factor = s.second_factor().status(user.id, &session.token).await?;
    Ok(ApiJson(MeDto {
        password_expired: s.passwords().expired(user.id).await?,
        ..MeDto::new(s, &user, &session.actor, tw, second_factor)
    }))
}
