//! `/api/v1/trainings`: trainings (培训). Region admins (in their subtree) and organizations'
//! admins hold them; logged-in users enrol (never past the capacity); organizers keep each
//! session's roll and show its rotating check-in code; attendees check in with the code.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::Services;
use kejiyun_core::ids::{TrainingId, TrainingSessionId, UserId};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::trainings::{
    Enrolment, RollEntry, Session, SessionInput, Training, TrainingInput, check_in_path,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{CreatedId, RegionRef, list_type};
use super::market::dto::ts;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

list_type!(TrainingList, TrainingDto);

/// One session of a training.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    pub id: i64,
    /// 1-based, in time order.
    pub seq: u32,
    pub starts_at: String,
    pub ends_at: String,
    /// People present so far (person-times of this session).
    pub present: u32,
}

impl From<&Session> for SessionDto {
    fn from(s: &Session) -> Self {
        Self {
            id: s.id.0,
            seq: s.seq,
            starts_at: ts(s.starts_at),
            ends_at: ts(s.ends_at),
            present: s.present,
        }
    }
}

/// A training (培训).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingDto {
    pub id: i64,
    /// `tech_counselor`, `practical_tech`, `association_leader`, `science_guide` or `other`.
    pub kind: String,
    /// The kind's Chinese name (科技辅导员, 实用技术, …).
    pub kind_label: String,
    pub title: String,
    pub region: RegionRef,
    /// The organization holding it, if any.
    pub org_id: Option<i64>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: u32,
    pub enrolled: u32,
    pub places_left: u32,
    pub audience: String,
    /// Person-times (人次) so far, over all sessions.
    pub person_times: u32,
    pub sessions: Vec<SessionDto>,
    pub created_at: String,
}

impl TrainingDto {
    pub fn new(s: &Services, t: Training) -> Self {
        Self {
            id: t.id.0,
            kind: t.kind.code().into(),
            kind_label: t.kind.label_zh().into(),
            region: RegionRef::new(s, t.region),
            org_id: t.org.map(|o| o.0),
            capacity: t.capacity,
            enrolled: t.enrolled,
            places_left: t.places_left(),
            person_times: t.person_times(),
            sessions: t.sessions.iter().map(SessionDto::from).collect(),
            created_at: ts(t.created_at),
            title: t.title,
            place: t.place,
            online_url: t.online_url,
            audience: t.audience,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// RFC 3339, or Beijing time `2026-12-10 09:00`.
    #[schema(example = "2026-12-10 09:00")]
    pub starts_at: String,
    #[schema(example = "2026-12-10 12:00")]
    pub ends_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrainingRequest {
    /// `tech_counselor`, `practical_tech`, `association_leader`, `science_guide` or `other`.
    #[schema(example = "practical_tech")]
    pub kind: String,
    /// 1–60 characters.
    #[schema(example = "柑橘绿色防控实用技术培训")]
    pub title: String,
    /// Six-digit code of the region it is held for.
    #[schema(example = "511623")]
    pub region: String,
    /// Held by this organization (the caller is its admin).
    pub org_id: Option<i64>,
    /// A place, or an online link, or both.
    pub place: Option<String>,
    pub online_url: Option<String>,
    /// 1–5000.
    #[schema(example = 40)]
    pub capacity: u32,
    #[schema(example = "种植大户、农技协会员")]
    pub audience: String,
    /// At least one; end after start.
    pub sessions: Vec<SessionRequest>,
}

impl From<CreateTrainingRequest> for TrainingInput {
    fn from(r: CreateTrainingRequest) -> Self {
        Self {
            kind: r.kind,
            title: r.title,
            region: r.region,
            org: r.org_id,
            place: r.place,
            online_url: r.online_url,
            capacity: r.capacity,
            audience: r.audience,
            sessions: r
                .sessions
                .into_iter()
                .map(|s| SessionInput {
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingParams {
    /// Held in this region's subtree (six digits; default: the whole platform).
    pub region: Option<String>,
    /// `true`: only trainings the caller enrolled in (login needed).
    pub mine: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentDto {
    pub user_id: i64,
    pub name: String,
    pub enrolled_at: String,
}

impl From<Enrolment> for EnrolmentDto {
    fn from(e: Enrolment) -> Self {
        Self {
            user_id: e.user.0,
            name: e.name,
            enrolled_at: ts(e.enrolled_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RollEntryDto {
    pub user_id: i64,
    pub name: String,
    pub present: bool,
    /// `roll` (ticked by the organizer) or `code` (checked in with the code); null if absent.
    pub check_in: Option<String>,
}

impl From<RollEntry> for RollEntryDto {
    fn from(r: RollEntry) -> Self {
        Self {
            user_id: r.user.0,
            name: r.name,
            present: r.check_in.is_some(),
            check_in: r.check_in.map(|c| c.as_str().into()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRequest {
    pub present: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The six digits shown at the session.
    #[schema(example = "042917")]
    pub code: String,
}

/// Whether a write changed anything (a second check-in, a tick already there: `false`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedDto {
    pub changed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolledDto {
    pub enrolled: u32,
    pub places_left: u32,
}

/// The code the session's screen shows now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeDto {
    pub code: String,
    /// When the next code replaces it (every 30 seconds).
    pub changes_at: String,
    /// The attendee's check-in page with the code filled in (what the QR code holds).
    pub check_in_path: String,
}

/// 培训列表
///
/// Trainings held in a region's subtree, latest first; `mine=true`: those the caller enrolled in.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "trainings", operation_id = "list_trainings",
    params(TrainingParams),
    responses(
        (status = 200, description = "Trainings", body = TrainingList),
        (status = 401, description = "`mine` without login", body = ErrorBody),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<TrainingParams>,
) -> ApiResult<ApiJson<TrainingList>> {
    let region = match p.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(RegionCode::parse(r).map_err(ApiError::from)?),
        None => None,
    };
    let enrolled = match p.mine {
        Some(true) => Some(
            ctx.actor()
                .ok_or(kejiyun_core::DomainError::Unauthenticated)?
                .user_id,
        ),
        _ => None,
    };
    let page = super::page(p.page, p.per_page)?;
    let s = &state.services;
    let paged = s.trainings().list(region, enrolled, page).await?;
    Ok(ApiJson(TrainingList::from_paged(paged, |t| {
        TrainingDto::new(s, t)
    })))
}

/// 发布培训
///
/// A region admin (within their subtree) or an organization's admin (`org_id`) holds a
/// training with its sessions.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "trainings", operation_id = "create_training",
    request_body = CreateTrainingRequest,
    responses(
        (status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region or the organization", body = ErrorBody),
        (status = 422, description = "Empty title, end before start, bad capacity, region or kind", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateTrainingRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .trainings()
        .create(&session.actor, &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 培训详情
///
/// A training with its sessions and person-times so far.
#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "trainings", operation_id = "get_training",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The training", body = TrainingDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such training", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<TrainingId>,
) -> ApiResult<ApiJson<TrainingDto>> {
    let t = state.services.trainings().get(id).await?;
    Ok(ApiJson(TrainingDto::new(&state.services, t)))
}

/// 报名培训
///
/// The caller enrols; refused when no place is left or when enrolled already.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/enrol", tag = "trainings", operation_id = "enrol_training",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Enrolled", body = EnrolledDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such training", body = ErrorBody),
        (status = 409, description = "Full (培训名额已满), or enrolled already", body = ErrorBody),
    ))]
pub async fn enrol(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TrainingId>,
) -> ApiResult<ApiJson<EnrolledDto>> {
    let trainings = state.services.trainings();
    trainings.enrol_self(&session.actor, id).await?;
    let t = trainings.get(id).await?;
    Ok(ApiJson(EnrolledDto {
        enrolled: t.enrolled,
        places_left: t.places_left(),
    }))
}

/// 报名名单
///
/// Who enrolled, in enrolment order: for the organizers.
#[utoipa::path(get, path = "/api/v1/trainings/{id}/enrolments", tag = "trainings", operation_id = "list_training_enrolments",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Enrolments", body = Vec<EnrolmentDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an organizer", body = ErrorBody),
        (status = 404, description = "No such training", body = ErrorBody),
    ))]
pub async fn enrolments(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TrainingId>,
) -> ApiResult<ApiJson<Vec<EnrolmentDto>>> {
    let list = state
        .services
        .trainings()
        .enrolments(&session.actor, id)
        .await?;
    Ok(ApiJson(list.into_iter().map(EnrolmentDto::from).collect()))
}

/// 场次签到表
///
/// A session's roll: every enrolled user, present or not (organizers).
#[utoipa::path(get, path = "/api/v1/trainings/{id}/sessions/{session_id}/roll", tag = "trainings", operation_id = "get_training_roll",
    params(("id" = i64, Path), ("session_id" = i64, Path)),
    responses(
        (status = 200, description = "The roll", body = Vec<RollEntryDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an organizer", body = ErrorBody),
        (status = 404, description = "No such training or session", body = ErrorBody),
    ))]
pub async fn roll(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, s)): ApiPath<(TrainingId, TrainingSessionId)>,
) -> ApiResult<ApiJson<Vec<RollEntryDto>>> {
    let roll = state
        .services
        .trainings()
        .roll(&session.actor, id, s)
        .await?;
    Ok(ApiJson(roll.into_iter().map(RollEntryDto::from).collect()))
}

/// 登记出勤
///
/// The organizer ticks an enrolled user present (or not) at a session; each person present
/// at each session is one person-time.
#[utoipa::path(put, path = "/api/v1/trainings/{id}/sessions/{session_id}/roll/{user_id}", tag = "trainings", operation_id = "mark_training_attendance",
    params(("id" = i64, Path), ("session_id" = i64, Path), ("user_id" = i64, Path)),
    request_body = MarkRequest,
    responses(
        (status = 200, description = "Whether the roll changed", body = ChangedDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an organizer", body = ErrorBody),
        (status = 404, description = "No such training or session", body = ErrorBody),
        (status = 409, description = "The user is not enrolled", body = ErrorBody),
    ))]
pub async fn mark(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, s, user)): ApiPath<(TrainingId, TrainingSessionId, UserId)>,
    ApiJson(req): ApiJson<MarkRequest>,
) -> ApiResult<ApiJson<ChangedDto>> {
    let changed = state
        .services
        .trainings()
        .mark(&session.actor, id, s, user, req.present)
        .await?;
    Ok(ApiJson(ChangedDto { changed }))
}

/// 当前签到码
///
/// The session's rotating check-in code now (it changes every 30 seconds): for the organizers'
/// screen.
#[utoipa::path(get, path = "/api/v1/trainings/{id}/sessions/{session_id}/code", tag = "trainings", operation_id = "get_training_code",
    params(("id" = i64, Path), ("session_id" = i64, Path)),
    responses(
        (status = 200, description = "The code", body = CodeDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an organizer", body = ErrorBody),
        (status = 404, description = "No such training or session", body = ErrorBody),
    ))]
pub async fn code(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, s)): ApiPath<(TrainingId, TrainingSessionId)>,
) -> ApiResult<ApiJson<CodeDto>> {
    let shown = state
        .services
        .trainings()
        .current_code(&session.actor, id, s)
        .await?;
    Ok(ApiJson(CodeDto {
        check_in_path: check_in_path(id, s, &shown.code),
        changes_at: ts(shown.changes_at),
        code: shown.code,
    }))
}

/// 签到
///
/// An enrolled attendee checks in at a session with the code shown there (the current one,
/// or the previous one within a few seconds of the change).
#[utoipa::path(post, path = "/api/v1/trainings/{id}/sessions/{session_id}/check-in", tag = "trainings", operation_id = "check_in_training",
    params(("id" = i64, Path), ("session_id" = i64, Path)),
    request_body = CheckInRequest,
    responses(
        (status = 200, description = "Checked in (`changed`: false if already present)", body = ChangedDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not enrolled", body = ErrorBody),
        (status = 404, description = "No such training or session", body = ErrorBody),
        (status = 422, description = "Wrong or expired code", body = ErrorBody),
    ))]
pub async fn check_in(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, s)): ApiPath<(TrainingId, TrainingSessionId)>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> ApiResult<ApiJson<ChangedDto>> {
    let changed = state
        .services
        .trainings()
        .check_in(&session.actor, id, s, &req.code)
        .await?;
    Ok(ApiJson(ChangedDto { changed }))
}
