//! `/api/v1/contests/{id}/…`: judging a contest. The admin invites judges and records
//! conflicts, judges declare theirs; the assignment is computed or edited; judges see and
//! score only entries assigned to them and not in conflict; pairwise votes; the ranking; the
//! awards and the public notice (公示).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::contests::awards::AwardChoice;
use kejiyun_core::contests::conflicts::ConflictInput;
use kejiyun_core::contests::scoring::ScoreInput;
use kejiyun_core::ids::{ContestId, EntryId, JudgeId, UserId};

use super::contests_dto::{
    AssignmentDto, AwardDto, AwardsRequest, ConflictRequest, ContestDto, EntryDto,
    InviteJudgeRequest, JudgeDto, PairwiseDto, RankedDto, RankingDto, ScoreDto, ScoreRequest,
    VoteRequest,
};
use super::dto::CreatedId;
use super::market::dto::ts;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::session::{ApiUser, Ctx};

/// 邀请评委
///
/// The admin invites a registered user as a judge of the contest.
#[utoipa::path(post, path = "/api/v1/contests/{id}/judges", tag = "contests", operation_id = "invite_contest_judge",
    params(("id" = i64, Path)),
    request_body = InviteJudgeRequest,
    responses(
        (status = 201, description = "Invited", body = CreatedId),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
        (status = 409, description = "A judge already", body = ErrorBody),
        (status = 422, description = "No such user, or no organization", body = ErrorBody),
    ))]
pub async fn invite(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
    ApiJson(req): ApiJson<InviteJudgeRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let judge = state
        .services
        .contests()
        .invite_judge(&session.actor, id, UserId(req.user_id), &req.organization)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: judge.0 })))
}

/// 评委名单
///
/// The contest's judges, for its admins.
#[utoipa::path(get, path = "/api/v1/contests/{id}/judges", tag = "contests", operation_id = "list_contest_judges",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Judges", body = Vec<JudgeDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
    ))]
pub async fn judges(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<Vec<JudgeDto>>> {
    let list = state.services.contests().judges(&session.actor, id).await?;
    Ok(ApiJson(list.into_iter().map(JudgeDto::from).collect()))
}

/// 声明利益冲突
///
/// A judge declares a conflict of interest on an entry or a whole school; the admin records
/// one for a judge with `judge_id`. The judge is then never shown the entry nor may score it.
#[utoipa::path(post, path = "/api/v1/contests/{id}/conflicts", tag = "contests", operation_id = "declare_contest_conflict",
    params(("id" = i64, Path)),
    request_body = ConflictRequest,
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a judge (or, with judge_id, not the admin)", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
        (status = 422, description = "Bad kind, neither or both of entry and school, an entry of another contest", body = ErrorBody),
    ))]
pub async fn declare_conflict(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
    ApiJson(req): ApiJson<ConflictRequest>,
) -> ApiResult<StatusCode> {
    let input = ConflictInput {
        kind: req.kind,
        entry: req.entry_id,
        school: req.school,
    };
    state
        .services
        .contests()
        .declare_conflict(&session.actor, id, req.judge_id.map(JudgeId), &input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 自动分配评委
///
/// Computes and stores the assignment: every accepted entry gets the minimum number of
/// judges, none in conflict with it, loads as even as the conflicts allow.
#[utoipa::path(post, path = "/api/v1/contests/{id}/assignment", tag = "contests", operation_id = "compute_contest_assignment",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The stored assignment", body = AssignmentDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
        (status = 409, description = "No accepted entries", body = ErrorBody),
        (status = 422, description = "Too few judges without a conflict for an entry", body = ErrorBody),
    ))]
pub async fn compute_assignment(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<AssignmentDto>> {
    let a = state
        .services
        .contests()
        .compute_assignment(&session.actor, id)
        .await?;
    Ok(ApiJson(AssignmentDto::from(&a)))
}

/// 评委分配
///
/// The stored assignment, for the admin.
#[utoipa::path(get, path = "/api/v1/contests/{id}/assignment", tag = "contests", operation_id = "get_contest_assignment",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The assignment", body = AssignmentDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
    ))]
pub async fn get_assignment(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<AssignmentDto>> {
    let a = state
        .services
        .contests()
        .assignment(&session.actor, id)
        .await?;
    Ok(ApiJson(AssignmentDto::from(&a)))
}

/// 调整评委分配
///
/// The admin's own assignment, checked: every accepted entry, enough distinct judges of the
/// contest, none in conflict. Replaces the stored one.
#[utoipa::path(put, path = "/api/v1/contests/{id}/assignment", tag = "contests", operation_id = "edit_contest_assignment",
    params(("id" = i64, Path)),
    request_body = AssignmentDto,
    responses(
        (status = 200, description = "The stored assignment", body = AssignmentDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
        (status = 422, description = "An unknown entry or judge, too few judges, or a conflict", body = ErrorBody),
    ))]
pub async fn edit_assignment(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
    ApiJson(req): ApiJson<AssignmentDto>,
) -> ApiResult<ApiJson<AssignmentDto>> {
    let mut by_entry: BTreeMap<EntryId, Vec<JudgeId>> = BTreeMap::new();
    for e in req.entries {
        by_entry
            .entry(EntryId(e.entry_id))
            .or_default()
            .extend(e.judge_ids.into_iter().map(JudgeId));
    }
    let a = state
        .services
        .contests()
        .edit_assignment(&session.actor, id, by_entry)
        .await?;
    Ok(ApiJson(AssignmentDto::from(&a)))
}

/// 我的评审作品
///
/// The entries the caller judges: assigned to them, accepted, never one in conflict.
#[utoipa::path(get, path = "/api/v1/contests/{id}/judging", tag = "contests", operation_id = "list_my_contest_judging",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Entries to judge", body = Vec<EntryDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a judge of the contest", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
    ))]
pub async fn judging(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<Vec<EntryDto>>> {
    let list = state
        .services
        .contests()
        .judging(&session.actor, id)
        .await?;
    Ok(ApiJson(list.into_iter().map(EntryDto::from).collect()))
}

/// 评分
///
/// A judge scores an entry assigned to them (or revises their score) in the judging window;
/// refused for an entry they are in conflict with.
#[utoipa::path(put, path = "/api/v1/contests/{id}/entries/{entry_id}/score", tag = "contests", operation_id = "put_contest_score",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "The stored sheet", body = ScoreDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a judge, not assigned, or a conflict of interest", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
        (status = 409, description = "Outside the judging window, or the entry not accepted", body = ErrorBody),
        (status = 422, description = "A score missing or out of its range", body = ErrorBody),
    ))]
pub async fn put_score(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
    ApiJson(req): ApiJson<ScoreRequest>,
) -> ApiResult<ApiJson<ScoreDto>> {
    let input = ScoreInput {
        points: req.points,
        comment: req.comment,
    };
    let contests = state.services.contests();
    contests.score(&session.actor, id, entry, &input).await?;
    let (sheet, at) = contests.my_score(&session.actor, id, entry).await?;
    Ok(ApiJson(ScoreDto::new(sheet, Some(ts(at)))))
}

/// 我的评分
///
/// The caller's own sheet on an entry.
#[utoipa::path(get, path = "/api/v1/contests/{id}/entries/{entry_id}/score", tag = "contests", operation_id = "get_contest_score",
    params(("id" = i64, Path), ("entry_id" = i64, Path)),
    responses(
        (status = 200, description = "The sheet", body = ScoreDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a judge of the contest", body = ErrorBody),
        (status = 404, description = "No such contest or entry, or not scored yet", body = ErrorBody),
    ))]
pub async fn get_score(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, entry)): ApiPath<(ContestId, EntryId)>,
) -> ApiResult<ApiJson<ScoreDto>> {
    let (sheet, at) = state
        .services
        .contests()
        .my_score(&session.actor, id, entry)
        .await?;
    Ok(ApiJson(ScoreDto::new(sheet, Some(ts(at)))))
}

/// 两两比较投票
///
/// A judge picks the better of two accepted entries, in the judging window.
#[utoipa::path(post, path = "/api/v1/contests/{id}/votes", tag = "contests", operation_id = "vote_contest_pair",
    params(("id" = i64, Path)),
    request_body = VoteRequest,
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a judge, or a conflict of interest", body = ErrorBody),
        (status = 404, description = "No such contest or entry", body = ErrorBody),
        (status = 409, description = "Outside the judging window, or an entry not accepted", body = ErrorBody),
        (status = 422, description = "An entry compared with itself", body = ErrorBody),
    ))]
pub async fn vote(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
    ApiJson(req): ApiJson<VoteRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .contests()
        .vote(
            &session.actor,
            id,
            EntryId(req.winner_id),
            EntryId(req.loser_id),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 评审排名
///
/// The accepted entries ranked within each group by their normalised scores (ties shown,
/// never broken), and by the pairwise votes when there are any: for the admin.
#[utoipa::path(get, path = "/api/v1/contests/{id}/ranking", tag = "contests", operation_id = "get_contest_ranking",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The ranking", body = RankingDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
    ))]
pub async fn ranking(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<RankingDto>> {
    let r = state
        .services
        .contests()
        .ranking(&session.actor, id)
        .await?;
    Ok(ApiJson(RankingDto {
        scores: r
            .scores
            .rows
            .into_iter()
            .map(|l| RankedDto {
                entry_id: l.entry.0,
                group: l.group,
                score: l.score,
                rank: l.rank,
                tied: l.tied,
                scored_by: l.scored_by,
                assigned: l.assigned,
                incomplete: l.incomplete,
            })
            .collect(),
        pairwise: r.pairwise.map(|p| {
            p.rows
                .into_iter()
                .map(|l| PairwiseDto {
                    entry_id: l.entry.0,
                    strength: l.strength,
                    rank: l.rank,
                    tied: l.tied,
                    wins: l.wins,
                    losses: l.losses,
                })
                .collect()
        }),
    }))
}

/// 评定奖项
///
/// The admin sets the awards between the end of judging and the notice: known levels,
/// accepted entries, one award each, no more of a level per group than configured. Replaces
/// the earlier list.
#[utoipa::path(put, path = "/api/v1/contests/{id}/awards", tag = "contests", operation_id = "set_contest_awards",
    params(("id" = i64, Path)),
    request_body = AwardsRequest,
    responses(
        (status = 200, description = "The stored awards", body = Vec<AwardDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
        (status = 409, description = "Judging not over, or the notice already out", body = ErrorBody),
        (status = 422, description = "Unknown level or entry, an entry not accepted or awarded twice, more awards than configured", body = ErrorBody),
    ))]
pub async fn set_awards(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
    ApiJson(req): ApiJson<AwardsRequest>,
) -> ApiResult<ApiJson<Vec<AwardDto>>> {
    let chosen: Vec<AwardChoice> = req
        .awards
        .into_iter()
        .map(|a| AwardChoice {
            entry: EntryId(a.entry_id),
            level: a.level,
        })
        .collect();
    let contests = state.services.contests();
    contests.set_awards(&session.actor, id, &chosen).await?;
    let list = contests.awards(Some(&session.actor), id).await?;
    Ok(ApiJson(list.into_iter().map(AwardDto::from).collect()))
}

/// 获奖名单
///
/// The awards: public once the notice is published, before that for the admin only.
#[utoipa::path(get, path = "/api/v1/contests/{id}/awards", tag = "contests", operation_id = "get_contest_awards",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Awards in entry id order", body = Vec<AwardDto>),
        (status = 403, description = "Not published yet", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
    ))]
pub async fn awards(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<Vec<AwardDto>>> {
    let list = state.services.contests().awards(ctx.actor(), id).await?;
    Ok(ApiJson(list.into_iter().map(AwardDto::from).collect()))
}

/// 发布获奖公示
///
/// Once judging is over and the awards are set, the admin publishes the notice (公示): the
/// awards are fixed and count in the figure `awards` from now.
#[utoipa::path(post, path = "/api/v1/contests/{id}/notice", tag = "contests", operation_id = "publish_contest_notice",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The contest with its notice time", body = ContestDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the contest's admin", body = ErrorBody),
        (status = 404, description = "No such contest", body = ErrorBody),
        (status = 409, description = "Judging not over, no awards, or published already", body = ErrorBody),
    ))]
pub async fn publish_notice(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ContestId>,
) -> ApiResult<ApiJson<ContestDto>> {
    let contests = state.services.contests();
    contests.publish_notice(&session.actor, id).await?;
    let c = contests.get(id).await?;
    Ok(ApiJson(ContestDto::new(&state.services, c)))
}
