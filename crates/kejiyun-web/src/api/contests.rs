//! `/api/v1/contests`: contests (大赛). A region's admin sets one up; logged-in users submit
//! entries in the entry window; the admin accepts or returns them; winners are nominated to
//! the parent contest once the notice is out. Judging is in `contests_judging.rs`, the bodies in
//! `contests_dto.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::contests::entries::EntryAction;
use kejiyun_core::ids::{ContestId, EntryId};
use kejiyun_core::regions::RegionCode;

use super::contests_dto::{
    ContestDto, ContestList, ContestParams, CreateContestRequest, EntryDto, EntryRequest,
    ReasonRequest,
};
use super::dto::CreatedId;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// 大赛列表
///
/// Contests held in a region's subtree, latest entry window first (public).
#[utoipa::path(get, path = "/api/v1/contests", tag = "contests", operation_id = "list_contests",
    params(ContestParams),
    responses(
        (status = 200, description = "Contests", body = ContestList),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ContestParams>,
) -> ApiResult<ApiJson<ContestList>> {
    let region = match p.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(RegionCode::parse(r).map_err(ApiError::from)?),
        None => None,
    };
    let page = super::page(p.page, p.per_page)?;
    let s = &state.services;
    let paged = s.contests().list(region, page).await?;
    Ok(ApiJson(ContestList::from_paged(paged, |c| {
        ContestDto::new(s, c)
    })))
}

/// 举办大赛
///
/// A region admin sets up a contest held by their region: groups, timeline, rubric, award
/// levels, judges per entry, the scoring method and the parent contest, if any.
#[utoipa::path(post, path = "/api/v1/contests", tag = "contests", operation_id = "create_contest",
    request_body = CreateContestRequest,
    responses(
        (status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 422, description = "Bad name, edition, kind, groups, timeline, rubric, awards or parent", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateContestRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .contests()
        .create(&session.actor, &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 大赛详情
///
/// A contest with its timeline and the phase it is in now (public).
#[utoipa::path(get, path = "/api/v1/contests/{id}", tag = "contests", operation_id = "get_contest",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The contest", body = ContestDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<ContestDto>> {
    let c = state.services.contests().get(id).await?;
    Ok(ApiJson(ContestDto::new(&state.services, c)))
}

/// 作品列表
///
/// The contest's entries: all of them for its admins, the caller's own for anyone else.
#[utoipa::path(get, path = "/api/v1/contests/{id}/entries", tag = "contests", operation_id = "list_contest_entries",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Entries in id order", body = Vec<EntryDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
    ))]
pub async fn entries(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<Vec<EntryDto>>> {
    let list = state
        .services
        .contests()
        .entries(&session.actor, id)
        .await?;
    Ok(ApiJson(list.into_iter().map(EntryDto::from).collect()))
}

/// 提交参赛作品
///
/// A logged-in user submits an entry, inside the entry window only.
#[utoipa::path(post, path = "/api/v1/contests/{id}/entries", tag = "contests", operation_id = "submit_contest_entry",
    params(("id" = i64, Path)),
    request_body = EntryRequest,
    responses(
        (status = 201, description = "Submitted", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
        (status = 409, description = "Outside the entry window (报名已截止)", body = ErrorBody),
        (status = 422, description = "Bad title, group, abstract, authors, tutor or school", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
    ApiJson(req): ApiJson<EntryRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let entry = state
        .services
        .contests()
        .submit(&session.actor, id, &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: entry.0 })))
}

/// 作品详情
///
/// One entry: for the contest's admins, its entrant and the judges it is assigned to; a judge
/// in conflict with it is refused.
#[utoipa::path(get, path = "/api/v1/contests/{id}/entries/{entry_id}", tag = "contests", operation_id = "get_contest_entry",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    responses(
        (status = 200, description = "The entry", body = EntryDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the admin, the entrant or an assigned judge; or a conflict of interest", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
    ))]
pub async fn get_entry(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
) -> ApiResult<ApiJson<EntryDto>> {
    let e = state
        .services
        .contests()
        .entry(&session.actor, id, entry)
        .await?;
    Ok(ApiJson(EntryDto::from(e)))
}

/// 修改并重新提交作品
///
/// The entrant corrects a returned entry and submits it again, inside the entry window.
#[utoipa::path(put, path = "/api/v1/contests/{id}/entries/{entry_id}", tag = "contests", operation_id = "resubmit_contest_entry",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    request_body = EntryRequest,
    responses(
        (status = 200, description = "Submitted again", body = EntryDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the entrant, or a nominated entry", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
        (status = 409, description = "Not returned, or outside the entry window", body = ErrorBody),
        (status = 422, description = "Bad title, group, abstract, authors, tutor or school", body = ErrorBody),
    ))]
pub async fn resubmit(
    State(state): State<AppState>,
    session: ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
    ApiJson(req): ApiJson<EntryRequest>,
) -> ApiResult<ApiJson<EntryDto>> {
    state
        .services
        .contests()
        .resubmit(&session.0.actor, id, entry, &req.into())
        .await?;
    after_change(&state, &session, id, entry).await
}

async fn after_change(
    state: &AppState,
    session: &ApiUser,
    id: ContestId,
    entry: EntryId,
) -> ApiResult<ApiJson<EntryDto>> {
    let e = state
        .services
        .contests()
        .entry(&session.0.actor, id, entry)
        .await?;
    Ok(ApiJson(EntryDto::from(e)))
}

/// 作品审核通过
///
/// The admin accepts a submitted entry.
#[utoipa::path(post, path = "/api/v1/contests/{id}/entries/{entry_id}/accept", tag = "contests", operation_id = "accept_contest_entry",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    responses(
        (status = 200, description = "Accepted", body = EntryDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
        (status = 409, description = "Not waiting for review", body = ErrorBody),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    session: ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
) -> ApiResult<ApiJson<EntryDto>> {
    state
        .services
        .contests()
        .review(&session.0.actor, id, entry, &EntryAction::Accept)
        .await?;
    after_change(&state, &session, id, entry).await
}

/// 退回作品
///
/// The admin returns a submitted entry with a reason.
#[utoipa::path(post, path = "/api/v1/contests/{id}/entries/{entry_id}/return", tag = "contests", operation_id = "return_contest_entry",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Returned", body = EntryDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
        (status = 409, description = "Not waiting for review", body = ErrorBody),
        (status = 422, description = "Empty reason", body = ErrorBody),
    ))]
pub async fn return_entry(
    State(state): State<AppState>,
    session: ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> ApiResult<ApiJson<EntryDto>> {
    let action = EntryAction::Return { reason: req.reason };
    state
        .services
        .contests()
        .review(&session.0.actor, id, entry, &action)
        .await?;
    after_change(&state, &session, id, entry).await
}

/// 撤回作品
///
/// The entrant or the admin withdraws an accepted entry; the reason is kept.
#[utoipa::path(post, path = "/api/v1/contests/{id}/entries/{entry_id}/withdraw", tag = "contests", operation_id = "withdraw_contest_entry",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Withdrawn", body = EntryDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither the entrant nor the admin", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
        (status = 409, description = "Not accepted", body = ErrorBody),
        (status = 422, description = "Empty reason", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    session: ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> ApiResult<ApiJson<EntryDto>> {
    state
        .services
        .contests()
        .withdraw(&session.0.actor, id, entry, &req.reason)
        .await?;
    after_change(&state, &session, id, entry).await
}

/// 推荐到上级大赛
///
/// After the notice is published and its period is over, the admin nominates an awarded
/// entry to the parent contest: a new entry there (for its admin to review) carrying this
/// round and the award; once per entry.
#[utoipa::path(post, path = "/api/v1/contests/{id}/entries/{entry_id}/nominate", tag = "contests", operation_id = "nominate_contest_entry",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    responses(
        (status = 201, description = "The new entry in the parent contest", body = CreatedId),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
        (status = 409, description = "No parent, no award, the notice not over, nominated already, or the parent judging", body = ErrorBody),
    ))]
pub async fn nominate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let new = state
        .services
        .contests()
        .nominate(&session.actor, id, entry)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: new.0 })))
}
