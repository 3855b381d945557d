//! `/api/v1/tickets`: caseworker tickets (科服保姆 / 保姆单) — region staff take a need, log
//! follow-ups, link the inquiries and deals that came of it, and close it with an outcome.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::ids::TicketId;
use kejiyun_core::market::tickets::TicketStatus;

use super::dto::{
    CloseTicketRequest, CreatedId, FollowUpRequest, LinkDto, LinkRequest, StateDto, TicketDto,
    TicketList, TicketParams, TicketRequest,
};
use super::postings::param;
use crate::AppState;
use crate::api::page;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// 保姆单列表
///
/// The tickets of the caller's regions (staff only), newest first; `mine=true` for the
/// caller's own.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", operation_id = "list_tickets",
    params(TicketParams),
    responses(
        (status = 200, description = "Tickets, with their follow-ups and links", body = TicketList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not region staff", body = ErrorBody),
        (status = 422, description = "Bad status or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<TicketParams>,
) -> ApiResult<ApiJson<TicketList>> {
    let s = &state.services;
    let status = param(&p.status).map(TicketStatus::parse).transpose()?;
    let paged = s
        .tickets()
        .list_tickets(
            &session.actor,
            p.mine.unwrap_or(false),
            status,
            p.need_id,
            page(p.page, p.per_page)?,
        )
        .await?;
    Ok(ApiJson(TicketList::from_paged(paged, |t| {
        TicketDto::new(s, t)
    })))
}

/// 为科技需求建保姆单
///
/// A staff member of the need's region takes it as a ticket (one open ticket per need).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", operation_id = "create_ticket",
    request_body = TicketRequest,
    responses(
        (status = 201, description = "Ticket opened", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not staff of the need's region", body = ErrorBody),
        (status = 404, description = "No such (visible) need", body = ErrorBody),
        (status = 409, description = "Need not submitted, or already has an open ticket", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad need id", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<TicketRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .tickets()
        .open_ticket(&session.actor, req.need_id)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 查看保姆单
///
/// A ticket with its follow-ups and links, for the staff of its region.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", operation_id = "get_ticket",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The ticket", body = TicketDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such ticket in the caller's regions", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<ApiJson<TicketDto>> {
    let s = &state.services;
    let t = s.tickets().ticket(&session.actor, id).await?;
    Ok(ApiJson(TicketDto::new(s, t)))
}

/// 记录保姆单跟进
///
/// Logs a follow-up (`call`, `visit`, `introduction`, `note`) on an open ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/follow-ups", tag = "tickets", operation_id = "add_ticket_follow_up",
    params(("id" = i64, Path)),
    request_body = FollowUpRequest,
    responses(
        (status = 201, description = "Follow-up logged", body = CreatedId),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such ticket in the caller's regions", body = ErrorBody),
        (status = 409, description = "Ticket closed", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown kind, note missing or too long", body = ErrorBody),
    ))]
pub async fn follow_up(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<FollowUpRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .tickets()
        .add_follow_up(&session.actor, id, &req.kind, &req.note)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 保姆单关联对接或交易
///
/// Links an inquiry or deal that came of the ticket's need (idempotent).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/links", tag = "tickets", operation_id = "link_ticket",
    params(("id" = i64, Path)),
    request_body = LinkRequest,
    responses(
        (status = 200, description = "Linked", body = LinkDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such ticket in the caller's regions", body = ErrorBody),
        (status = 409, description = "Ticket closed", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown kind, or not about the ticket's need", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> ApiResult<ApiJson<LinkDto>> {
    state
        .services
        .tickets()
        .link_ticket(&session.actor, id, &req.kind, req.target_id)
        .await?;
    Ok(ApiJson(LinkDto {
        kind: req.kind.trim().to_owned(),
        target_id: req.target_id,
    }))
}

/// 办结保姆单
///
/// Closes an open ticket with an outcome (`deal_made`, `referred`, `no_solution`, `withdrawn`).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/close", tag = "tickets", operation_id = "close_ticket",
    params(("id" = i64, Path)),
    request_body = CloseTicketRequest,
    responses(
        (status = 200, description = "Closed", body = StateDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such ticket in the caller's regions", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown outcome, over-long note", body = ErrorBody),
    ))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<CloseTicketRequest>,
) -> ApiResult<ApiJson<StateDto>> {
    state
        .services
        .tickets()
        .close_ticket(&session.actor, id, &req.outcome, req.note.as_deref())
        .await?;
    let to = TicketStatus::Closed;
    Ok(ApiJson(StateDto::new(to.code(), to.label_zh())))
}
