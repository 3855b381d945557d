use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::ids::TokenId;
use kejiyun_core::paging::Paged;

use super::dto::{CreateTokenRequest, CreatedToken, PageParams, TokenDto, TokenList};
use super::page;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// 我的 API 令牌
///
/// The caller's live API tokens (secrets are never shown again), newest first, paged like
/// every list.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", operation_id = "list_tokens",
    params(PageParams),
    responses(
        (status = 200, description = "Tokens", body = TokenList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<ApiJson<TokenList>> {
    let page = page(p.page, p.per_page)?;
    // A person holds a handful of tokens: they are read whole and paged here.
    let tokens = state
        .services
        .tokens()
        .list_api_tokens(&session.actor)
        .await?;
    Ok(ApiJson(TokenList::from_paged(
        Paged::of_all(tokens, page),
        TokenDto::from,
    )))
}

/// 创建 API 令牌
///
/// Creates an API token; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", operation_id = "create_token",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "Created", body = CreatedToken),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid name or lifetime", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedToken>)> {
    let (token, info) = state
        .services
        .tokens()
        .create_api_token(&session.actor, &req.name, req.expires_in_days)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CreatedToken {
            token,
            info: info.into(),
        }),
    ))
}

/// 撤销 API 令牌
///
/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", operation_id = "revoke_token",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such live token of the caller", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state
        .services
        .tokens()
        .revoke_api_token(&session.actor, TokenId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
