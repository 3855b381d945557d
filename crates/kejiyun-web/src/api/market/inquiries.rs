//! `/api/v1/inquiries`: 对接 — a message thread between the two sides of a posting. Only they
//! see it; anyone else gets 404.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::ids::InquiryId;
use kejiyun_core::market::postings::PostingKind;

use super::dto::{
    CreatedId, InquiryDto, InquiryList, InquiryRequest, InquiryThreadDto, MessageDto,
    MessageRequest,
};
use crate::AppState;
use crate::api::dto::PageParams;
use crate::api::page;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// 我的对接列表
///
/// The caller's threads (either side), most recent activity first.
#[utoipa::path(get, path = "/api/v1/inquiries", tag = "inquiries", operation_id = "list_inquiries",
    params(PageParams),
    responses(
        (status = 200, description = "The caller's threads", body = InquiryList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<ApiJson<InquiryList>> {
    let paged = state
        .services
        .inquiries()
        .my_inquiries(&session.actor, page(p.page, p.per_page)?)
        .await?;
    Ok(ApiJson(InquiryList::from_paged(paged, InquiryDto::from)))
}

/// 发起对接
///
/// Contacts the owner of a published posting; a second contact on the same posting continues
/// the same thread (the answer names it).
#[utoipa::path(post, path = "/api/v1/inquiries", tag = "inquiries", operation_id = "create_inquiry",
    request_body = InquiryRequest,
    responses(
        (status = 201, description = "The thread the message went to", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such published posting", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown kind, own posting, empty or over-long message, banned word", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<InquiryRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let kind = PostingKind::parse(req.posting_kind.trim()).map_err(|_| {
        DomainError::invalid("posting_kind", "对接对象应为 service、need 或 achievement")
    })?;
    let id = state
        .services
        .inquiries()
        .start_inquiry(&session.actor, kind, req.posting_id, &req.body)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 查看对接及其消息
///
/// A thread with its messages, oldest first: only for its two sides.
#[utoipa::path(get, path = "/api/v1/inquiries/{id}", tag = "inquiries", operation_id = "get_inquiry",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The thread", body = InquiryThreadDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such thread of the caller", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<InquiryId>,
) -> ApiResult<ApiJson<InquiryThreadDto>> {
    let actor = &session.actor;
    let (inquiry, messages) = state.services.inquiries().inquiry(actor, id).await?;
    Ok(ApiJson(InquiryThreadDto {
        inquiry: inquiry.into(),
        messages: messages
            .into_iter()
            .map(|m| MessageDto::new(actor, m))
            .collect(),
    }))
}

/// 在对接中回复消息
///
/// One side writes to the thread.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/messages", tag = "inquiries", operation_id = "reply_inquiry",
    params(("id" = i64, Path)),
    request_body = MessageRequest,
    responses(
        (status = 201, description = "Message added", body = CreatedId),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such thread of the caller", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Empty or over-long message, banned word", body = ErrorBody),
    ))]
pub async fn reply(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<InquiryId>,
    ApiJson(req): ApiJson<MessageRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .inquiries()
        .reply_inquiry(&session.actor, id, &req.body)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}
