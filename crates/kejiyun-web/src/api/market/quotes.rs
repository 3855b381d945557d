//! `/api/v1/quotes`: 报价 — a provider's answer to a need (price, timeline, method). The
//! requester compares them side by side, accepts one (which proposes a deal) or declines with a
//! structured reason.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::ids::QuoteId;
use kejiyun_core::market::quotes::QuoteInput;
use kejiyun_core::market::quotes::QuoteStatus;

use super::dto::{
    AcceptedDto, CreatedId, DeclineRequest, MessageRequest, QuoteDto, QuoteList, QuoteParams,
    QuoteRequest, StateDto,
};
use crate::AppState;
use crate::api::page;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// 报价列表
///
/// With `need_id`: the quotes on that need, to compare side by side (all of them for its owner
/// and the region's admins, the caller's own for a provider). Without: the caller's own quotes.
#[utoipa::path(get, path = "/api/v1/quotes", tag = "quotes", operation_id = "list_quotes",
    params(QuoteParams),
    responses(
        (status = 200, description = "Quotes", body = QuoteList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such (visible) need", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<QuoteParams>,
) -> ApiResult<ApiJson<QuoteList>> {
    let s = &state.services;
    let pg = page(p.page, p.per_page)?;
    let paged = match p.need_id {
        Some(need) => s.quotes().quotes_for_need(&session.actor, need, pg).await?,
        None => s.quotes().my_quotes(&session.actor, pg).await?,
    };
    Ok(ApiJson(QuoteList::from_paged(paged, QuoteDto::from)))
}

/// 对科技需求报价
///
/// A verified tech worker or organization quotes on a published need (one open quote per
/// provider and need).
#[utoipa::path(post, path = "/api/v1/quotes", tag = "quotes", operation_id = "create_quote",
    request_body = QuoteRequest,
    responses(
        (status = 201, description = "Quote submitted", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a verified tech worker or organization", body = ErrorBody),
        (status = 404, description = "No such need", body = ErrorBody),
        (status = 409, description = "Need not published, or already quoted", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad price, timeline or method, own need, foreign service", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<QuoteRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let input = QuoteInput {
        price_fen: req.price_fen,
        timeline_days: req.timeline_days,
        method: req.method,
        service_id: req.service_id,
    };
    let id = state
        .services
        .quotes()
        .submit_quote(&session.actor, req.need_id, &input)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 查看报价
///
/// One quote: for its provider, the need's owner and the region's admins.
#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes", operation_id = "get_quote",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The quote", body = QuoteDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such (visible) quote", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<QuoteId>,
) -> ApiResult<ApiJson<QuoteDto>> {
    let q = state.services.quotes().quote(&session.actor, id).await?;
    Ok(ApiJson(q.into()))
}

/// 接受报价（生成待确认的交易）
///
/// The need's owner accepts a quote: a deal is proposed on its terms (the requester's side
/// confirmed), waiting for the provider's confirmation.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/accept", tag = "quotes", operation_id = "accept_quote",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Accepted; the proposed deal", body = AcceptedDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the need's owner", body = ErrorBody),
        (status = 404, description = "No such (visible) quote", body = ErrorBody),
        (status = 409, description = "Already decided or withdrawn", body = ErrorBody),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<QuoteId>,
) -> ApiResult<ApiJson<AcceptedDto>> {
    let deal_id = state
        .services
        .quotes()
        .accept_quote(&session.actor, id)
        .await?;
    Ok(ApiJson(AcceptedDto { deal_id: deal_id.0 }))
}

/// 婉拒报价
///
/// The need's owner declines a quote with a structured reason (`too_expensive`, `too_slow`,
/// `not_what_we_need`, `chose_another`, `other`) and an optional note.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/decline", tag = "quotes", operation_id = "decline_quote",
    params(("id" = i64, Path)),
    request_body = DeclineRequest,
    responses(
        (status = 200, description = "Declined", body = StateDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the need's owner", body = ErrorBody),
        (status = 404, description = "No such (visible) quote", body = ErrorBody),
        (status = 409, description = "Already decided or withdrawn", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown reason, over-long note", body = ErrorBody),
    ))]
pub async fn decline(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<QuoteId>,
    ApiJson(req): ApiJson<DeclineRequest>,
) -> ApiResult<ApiJson<StateDto>> {
    state
        .services
        .quotes()
        .decline_quote(&session.actor, id, &req.reason, req.note.as_deref())
        .await?;
    let to = QuoteStatus::Declined;
    Ok(ApiJson(StateDto::new(to.code(), to.label_zh())))
}

/// 撤回报价
///
/// The provider withdraws a quote that is not decided yet.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/withdraw", tag = "quotes", operation_id = "withdraw_quote",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Withdrawn", body = StateDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the provider", body = ErrorBody),
        (status = 404, description = "No such (visible) quote", body = ErrorBody),
        (status = 409, description = "Already decided or withdrawn", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<QuoteId>,
) -> ApiResult<ApiJson<StateDto>> {
    state
        .services
        .quotes()
        .withdraw_quote(&session.actor, id)
        .await?;
    let to = QuoteStatus::Withdrawn;
    Ok(ApiJson(StateDto::new(to.code(), to.label_zh())))
}

/// 就报价向服务方提问
///
/// The need's owner asks the quote's provider a question. The message goes to the inquiry
/// thread between them on that need (created if the provider has not written yet); answers the
/// thread's id.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/messages", tag = "quotes", operation_id = "ask_about_quote",
    params(("id" = i64, Path)),
    request_body = MessageRequest,
    responses(
        (status = 201, description = "Message sent; the inquiry thread's id", body = CreatedId),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the need's owner", body = ErrorBody),
        (status = 404, description = "No such (visible) quote", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Empty or over-long message, banned word", body = ErrorBody),
    ))]
pub async fn ask(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<QuoteId>,
    ApiJson(req): ApiJson<MessageRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .inquiries()
        .ask_quote(&session.actor, id, &req.body)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}
