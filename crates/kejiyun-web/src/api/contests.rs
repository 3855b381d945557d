//! `/api/v1/contests`: contests (大赛). A region's admin sets one up; logged-in users submit
//! entries in the entry window; the admin accepts or returns them; winners are nominated to
//! the parent contest once the notice is out. Judging is in `contests_judging.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::Services;
use kejiyun_core::contests::ContestDraft;
use kejiyun_core::contests::entries::{AuthorInput, EntryAction, EntryInput};
use kejiyun_core::contests::ports::{Contest, EntryRecord};
use kejiyun_core::contests::rubric::CriterionInput;
use kejiyun_core::contests::spec::{AwardLevelInput, ParentInput};
use kejiyun_core::contests::timeline::TimelineInput;
use kejiyun_core::ids::{ContestId, EntryId};
use kejiyun_core::regions::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{CreatedId, RegionRef, list_type};
use super::market::dto::ts;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

list_type!(ContestList, ContestDto);

/// The six instants of a contest's timeline (RFC 3339 UTC when read; RFC 3339 or Beijing time
/// `2026-03-01 09:00` when written). Each window includes its start and excludes its end.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineDto {
    #[schema(example = "2026-03-01 09:00")]
    pub entries_open: String,
    #[schema(example = "2026-03-31 18:00")]
    pub entries_close: String,
    #[schema(example = "2026-04-05 09:00")]
    pub judging_open: String,
    #[schema(example = "2026-04-20 18:00")]
    pub judging_close: String,
    #[schema(example = "2026-04-25 09:00")]
    pub notice_open: String,
    #[schema(example = "2026-05-02 18:00")]
    pub notice_close: String,
}

/// One criterion of the rubric (评分标准): a weight and an integer score range.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionDto {
    #[schema(example = "创新性")]
    pub name: String,
    /// 1–1000; only the ratios matter.
    #[schema(example = 40)]
    pub weight: u32,
    #[schema(example = 0)]
    pub min: i32,
    #[schema(example = 10)]
    pub max: i32,
}

/// An award level and how many of it each group may give.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardLevelDto {
    #[schema(example = "一等奖")]
    pub name: String,
    #[schema(example = 3)]
    pub count: u32,
}

/// The contest one level up that winners are nominated to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentDto {
    pub contest_id: i64,
    /// Six-digit code of the region holding it.
    #[schema(example = "511600")]
    pub region: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContestRequest {
    #[schema(example = "四川省青少年科技创新大赛")]
    pub name: String,
    /// `第36届` or `36`.
    #[schema(example = "第36届")]
    pub edition: String,
    /// `youth_innovation`, `rural_talent`, `tutor_innovation` or `other`.
    #[schema(example = "youth_innovation")]
    pub kind: String,
    /// Six-digit code of the region holding it (its level is the contest's).
    #[schema(example = "511623")]
    pub region: String,
    /// 1–20 groups (小学, 初中, …).
    pub groups: Vec<String>,
    pub timeline: TimelineDto,
    /// 1–12 criteria.
    pub rubric: Vec<CriterionDto>,
    /// Highest level first; 1–8 levels.
    pub awards: Vec<AwardLevelDto>,
    /// 1–9.
    #[schema(example = 3)]
    pub min_judges_per_entry: u32,
    /// `mean` or `trimmed_mean`.
    #[schema(example = "trimmed_mean")]
    pub scoring: String,
    /// Judges' scores dropped each side for `trimmed_mean` (0–2).
    pub trim: Option<u32>,
    pub parent: Option<ParentDto>,
}

impl From<CreateContestRequest> for ContestDraft {
    fn from(r: CreateContestRequest) -> Self {
        let t = r.timeline;
        Self {
            name: r.name,
            edition: r.edition,
            kind: r.kind,
            region: r.region,
            groups: r.groups,
            timeline: TimelineInput {
                entries_open: t.entries_open,
                entries_close: t.entries_close,
                judging_open: t.judging_open,
                judging_close: t.judging_close,
                notice_open: t.notice_open,
                notice_close: t.notice_close,
            },
            rubric: r
                .rubric
                .into_iter()
                .map(|c| CriterionInput {
                    name: c.name,
                    weight: c.weight,
                    min: c.min,
                    max: c.max,
                })
                .collect(),
            awards: r
                .awards
                .into_iter()
                .map(|a| AwardLevelInput {
                    name: a.name,
                    count: a.count,
                })
                .collect(),
            min_judges_per_entry: r.min_judges_per_entry,
            scoring: r.scoring,
            trim: r.trim.unwrap_or(0),
            parent: r.parent.map(|p| ParentInput {
                contest: p.contest_id,
                region: p.region,
            }),
        }
    }
}

/// A contest (大赛) round.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContestDto {
    pub id: i64,
    pub name: String,
    pub edition: u32,
    /// `第36届`.
    pub edition_label: String,
    pub kind: String,
    pub kind_label: String,
    pub region: RegionRef,
    pub groups: Vec<String>,
    pub timeline: TimelineDto,
    /// `not_open`, `entries`, `between_rounds`, `judging`, `notice` or `final`, now.
    pub phase: String,
    pub phase_label: String,
    pub rubric: Vec<CriterionDto>,
    pub awards: Vec<AwardLevelDto>,
    pub min_judges_per_entry: usize,
    pub scoring: String,
    pub scoring_label: String,
    pub parent: Option<ParentDto>,
    pub created_at: String,
    /// When the notice (公示) of the awards was published.
    pub notice_published_at: Option<String>,
}

impl ContestDto {
    pub fn new(s: &Services, c: Contest) -> Self {
        use kejiyun_core::contests::timeline::Phase;
        let spec = c.spec;
        let t = spec.timeline;
        let phase = t.phase(s.now());
        Self {
            id: c.id.0,
            edition: spec.edition,
            edition_label: spec.edition_label(),
            kind: spec.kind.as_str().into(),
            kind_label: spec.kind.label_zh().into(),
            region: RegionRef::new(s, spec.region),
            timeline: TimelineDto {
                entries_open: ts(t.entries_open),
                entries_close: ts(t.entries_close),
                judging_open: ts(t.judging_open),
                judging_close: ts(t.judging_close),
                notice_open: ts(t.notice_open),
                notice_close: ts(t.notice_close),
            },
            phase: match phase {
                Phase::NotOpen => "not_open",
                Phase::Entries => "entries",
                Phase::BetweenRounds => "between_rounds",
                Phase::Judging => "judging",
                Phase::Notice => "notice",
                Phase::Final => "final",
            }
            .into(),
            phase_label: phase.label_zh().into(),
            rubric: spec
                .rubric
                .criteria()
                .iter()
                .map(|c| CriterionDto {
                    name: c.name.clone(),
                    weight: c.weight,
                    min: c.min,
                    max: c.max,
                })
                .collect(),
            awards: spec
                .awards
                .iter()
                .map(|a| AwardLevelDto {
                    name: a.name.clone(),
                    count: a.count,
                })
                .collect(),
            min_judges_per_entry: spec.min_judges_per_entry,
            scoring: spec.scoring.as_str().into(),
            scoring_label: spec.scoring.label_zh(),
            parent: spec.parent.map(|p| ParentDto {
                contest_id: p.contest.0,
                region: p.region.to_string(),
            }),
            created_at: ts(c.created_at),
            notice_published_at: c.notice_published_at.map(ts),
            groups: spec.groups,
            name: spec.name,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContestParams {
    /// Held in this region's subtree (six digits; default: the whole platform).
    pub region: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorDto {
    #[schema(example = "李明")]
    pub name: String,
    /// Students give their school and grade.
    pub school: Option<String>,
    pub grade: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRequest {
    #[schema(example = "教室噪声提醒器")]
    pub title: String,
    /// One of the contest's groups.
    #[schema(example = "初中")]
    pub group: String,
    /// The abstract (摘要), up to 2000 characters.
    pub summary: String,
    /// 1–3 authors.
    pub authors: Vec<AuthorDto>,
    /// The tutor (指导教师), if any.
    pub tutor: Option<String>,
    /// The school or organization entering it.
    #[schema(example = "邻水县第一中学")]
    pub school: String,
}

impl From<EntryRequest> for EntryInput {
    fn from(r: EntryRequest) -> Self {
        Self {
            title: r.title,
            group: r.group,
            summary: r.summary,
            authors: r
                .authors
                .into_iter()
                .map(|a| AuthorInput {
                    name: a.name,
                    school: a.school,
                    grade: a.grade,
                })
                .collect(),
            tutor: r.tutor,
            school: r.school,
        }
    }
}

/// The round a nominated entry came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct OriginDto {
    pub from_contest_id: i64,
    pub from_round_region: String,
    /// The award it won there.
    pub award: String,
}

/// An entry (参赛作品).
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: i64,
    pub contest_id: i64,
    pub title: String,
    pub group: String,
    pub summary: String,
    pub authors: Vec<AuthorDto>,
    pub tutor: Option<String>,
    pub school: String,
    /// `submitted`, `accepted`, `returned` or `withdrawn`.
    pub status: String,
    pub status_label: String,
    /// Why it was returned or withdrawn.
    pub reason: Option<String>,
    pub origin: Option<OriginDto>,
    /// Where it counts: the contest's region, or the round it was nominated from.
    pub region: String,
    pub submitted_at: String,
    pub decided_at: Option<String>,
}

impl From<EntryRecord> for EntryDto {
    fn from(r: EntryRecord) -> Self {
        use kejiyun_core::contests::entries::EntryStatus as S;
        let e = r.entry;
        let reason = match &e.status {
            S::Returned { reason } | S::Withdrawn { reason } => Some(reason.clone()),
            S::Submitted | S::Accepted => None,
        };
        Self {
            id: e.id.0,
            contest_id: e.contest.0,
            status: e.status.as_str().into(),
            status_label: e.status.label_zh().into(),
            reason,
            origin: e.origin.map(|o| OriginDto {
                from_contest_id: o.from_contest.0,
                from_round_region: o.from_round_region.to_string(),
                award: o.award,
            }),
            region: r.region.to_string(),
            submitted_at: ts(r.submitted_at),
            decided_at: r.decided_at.map(ts),
            authors: e
                .spec
                .authors
                .into_iter()
                .map(|a| AuthorDto {
                    name: a.name,
                    school: a.school,
                    grade: a.grade,
                })
                .collect(),
            title: e.spec.title,
            group: e.spec.group,
            summary: e.spec.summary,
            tutor: e.spec.tutor,
            school: e.spec.school,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// 1–200 characters.
    #[schema(example = "缺少研究报告")]
    pub reason: String,
}

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
