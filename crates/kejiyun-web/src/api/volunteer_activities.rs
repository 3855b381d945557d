//! `/api/v1/volunteer-activities`: volunteer service activities (志愿服务活动). A team's leader
//! or a region admin holds one; volunteers sign up (or are assigned); they check in and out
//! with the rotating code on the organizer's screen; the organizer adjusts hours, the team's
//! leader approves or declines them; the organizer files the report. Activities are public:
//! they recruit. The caller's hours and certificates are in `volunteer_hours.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kejiyun_core::app::Services;
use kejiyun_core::ids::{ActivityId, TeamId, UserId};
use kejiyun_core::volunteers::Skill;
use kejiyun_core::volunteers::activities::{
    Activity, ActivityInput, ActivityReport, ReportInput, Signup, check_in_path, hours_text,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{RegionRef, list_type};
use super::market::dto::ts;
use super::trainings::{ChangedDto, CheckInRequest, CodeDto};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};
use crate::table_export::{Cell, Table};

list_type!(ActivityList, ActivityDto);

/// What the organizer filed after the activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub people_served: u32,
    pub materials_distributed: u32,
    pub gifts: u32,
    pub questions_answered: u32,
    pub note: Option<String>,
    pub reported_at: String,
    /// Photo URLs, in order.
    pub photos: Vec<String>,
}

impl From<ActivityReport> for ReportDto {
    fn from(r: ActivityReport) -> Self {
        Self {
            people_served: r.people_served,
            materials_distributed: r.materials_distributed,
            gifts: r.gifts,
            questions_answered: r.questions_answered,
            note: r.note,
            reported_at: ts(r.reported_at),
            photos: r
                .photos
                .iter()
                .map(|p| super::uploads::file_url(p, false))
                .collect(),
        }
    }
}

/// A volunteer service activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    pub id: i64,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    /// `outreach`, `field_guidance`, `consultation`, `lecture`, `emergency` or `other`.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub place: String,
    pub region: RegionRef,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: u32,
    pub signed_up: u32,
    pub places_left: u32,
    /// Skill codes wanted.
    pub skills: Vec<String>,
    pub skills_label: String,
    pub description: String,
    pub report: Option<ReportDto>,
    /// Approved service minutes of all its volunteers.
    pub approved_minutes: u64,
}

impl ActivityDto {
    pub fn new(s: &Services, a: Activity) -> Self {
        Self {
            id: a.id.0,
            team_id: a.team.map(|t| t.0),
            kind: a.kind.code().into(),
            kind_label: a.kind.label_zh().into(),
            region: RegionRef::new(s, a.region),
            starts_at: ts(a.starts_at),
            ends_at: ts(a.ends_at),
            capacity: a.capacity,
            signed_up: a.signed_up,
            places_left: a.places_left(),
            skills: a.skills.iter().map(|k| k.code().to_owned()).collect(),
            skills_label: Skill::join_labels(&a.skills),
            report: a.report.map(ReportDto::from),
            approved_minutes: a.approved_minutes,
            team_name: a.team_name,
            title: a.title,
            place: a.place,
            description: a.description,
        }
    }
}

/// One volunteer on an activity, with their check-in, check-out and hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupDto {
    pub activity_id: i64,
    pub user_id: i64,
    pub name: String,
    /// `self` or `assigned`.
    pub how: String,
    pub signed_up_at: String,
    pub checked_in_at: Option<String>,
    pub checked_out_at: Option<String>,
    /// Computed from check-in and check-out, within the activity's time.
    pub minutes: Option<u32>,
    /// The organizer's correction (it wins over `minutes`).
    pub adjusted_minutes: Option<u32>,
    pub adjust_reason: Option<String>,
    /// `pending`, `approved` or `declined`; none until checked out.
    pub hours_status: Option<String>,
    pub hours_status_label: Option<String>,
    /// Why the hours were declined.
    pub hours_reason: Option<String>,
    pub decided_at: Option<String>,
}

impl From<Signup> for SignupDto {
    fn from(s: Signup) -> Self {
        Self {
            activity_id: s.activity.0,
            user_id: s.user.0,
            how: s.how.as_str().into(),
            signed_up_at: ts(s.signed_up_at),
            checked_in_at: s.checked_in_at.map(ts),
            checked_out_at: s.checked_out_at.map(ts),
            minutes: s.minutes,
            adjusted_minutes: s.adjusted_minutes,
            hours_status: s.hours_status.map(|h| h.as_str().into()),
            hours_status_label: s.hours_status.map(|h| h.label_zh().into()),
            decided_at: s.decided_at.map(ts),
            name: s.name,
            adjust_reason: s.adjust_reason,
            hours_reason: s.hours_reason,
        }
    }
}

/// An activity with the caller's own sign-up (if logged in and signed up) and whether they
/// organize it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDetailDto {
    #[serde(flatten)]
    pub activity: ActivityDto,
    pub my_signup: Option<SignupDto>,
    pub organizer: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    /// Activities of this region's subtree (default: the whole platform).
    pub region: Option<String>,
    /// Only this team's.
    pub team_id: Option<i64>,
    /// `true`: only those not ended, soonest first (default: all, newest first).
    pub upcoming: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// 志愿服务活动列表
///
/// Activities of a region's subtree (public: they recruit).
#[utoipa::path(get, path = "/api/v1/volunteer-activities", tag = "volunteers", operation_id = "list_volunteer_activities",
    params(ActivityParams),
    responses(
        (status = 200, description = "Activities", body = ActivityList),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ActivityParams>,
) -> ApiResult<ApiJson<ActivityList>> {
    let region = super::volunteers::region_param(p.region.as_deref())?;
    let page = super::page(p.page, p.per_page)?;
    let s = &state.services;
    let paged = s
        .volunteer_activities()
        .list(
            region,
            p.team_id.map(TeamId),
            p.upcoming.unwrap_or(false),
            page,
        )
        .await?;
    Ok(ApiJson(ActivityList::from_paged(paged, |a| {
        ActivityDto::new(s, a)
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityExportParams {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
    /// A region the caller administers (default: all of theirs).
    pub region: Option<String>,
}

/// 导出志愿服务活动
///
/// Every activity of the regions the caller administers, with its report's figures and
/// approved hours, as .xlsx or CSV (any cell a spreadsheet would run as a formula is
/// neutralised).
#[utoipa::path(get, path = "/api/v1/volunteer-activities/export", tag = "volunteers", operation_id = "export_volunteer_activities",
    params(ActivityExportParams),
    responses(
        (status = 200, description = "The file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 422, description = "Bad format or region", body = ErrorBody),
    ))]
pub async fn export_all(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<ActivityExportParams>,
) -> ApiResult<Response> {
    let region = super::volunteers::region_param(p.region.as_deref())?;
    let s = &state.services;
    let all = s
        .volunteer_activities()
        .export(&session.actor, region)
        .await?;
    let figure = |r: &Option<ActivityReport>, f: fn(&ActivityReport) -> u32| {
        r.as_ref().map_or_else(
            || Cell::from(String::new()),
            |r| Cell::from(i64::from(f(r))),
        )
    };
    let rows = all
        .into_iter()
        .map(|a| {
            vec![
                Cell::from(a.title.clone()),
                Cell::from(a.kind.label_zh().to_owned()),
                Cell::from(a.team_name.clone().unwrap_or_default()),
                Cell::from(s.regions.full_name(a.region)),
                Cell::from(a.place.clone()),
                Cell::from(ts(a.starts_at)),
                Cell::from(ts(a.ends_at)),
                Cell::from(i64::from(a.capacity)),
                Cell::from(i64::from(a.signed_up)),
                figure(&a.report, |r| r.people_served),
                figure(&a.report, |r| r.materials_distributed),
                figure(&a.report, |r| r.gifts),
                figure(&a.report, |r| r.questions_answered),
                Cell::from(i64::try_from(a.approved_minutes).unwrap_or(i64::MAX)),
            ]
        })
        .collect();
    Table {
        file: format!(
            "volunteer-activities-{}",
            region.map_or_else(|| "all".to_owned(), |r| r.to_string())
        ),
        sheet: "志愿服务活动".into(),
        headers: vec![
            "活动名称",
            "类型",
            "组织队伍",
            "地区",
            "地点",
            "开始时间",
            "结束时间",
            "招募人数",
            "报名人数",
            "服务群众人次",
            "发放资料份数",
            "发放物品件数",
            "解答问题个数",
            "认定服务分钟",
        ],
        rows,
    }
    .download(p.format.as_deref().unwrap_or("xlsx"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityRequest {
    /// The organizing team (its leader or its region's admin creates); none: a region admin's.
    pub team_id: Option<i64>,
    /// `outreach` (科普宣传), `field_guidance` (技术指导), `consultation` (义诊咨询), `lecture`
    /// (培训讲座), `emergency` (应急救护) or `other`; Chinese names accepted.
    #[schema(example = "field_guidance")]
    pub kind: String,
    #[schema(example = "柑橘冬季清园技术田间指导")]
    pub title: String,
    #[schema(example = "邻水县柑子镇柑橘示范园")]
    pub place: String,
    #[schema(example = "511623")]
    pub region: String,
    /// Beijing time `2026-12-12 09:00` or RFC 3339.
    #[schema(example = "2026-12-12 09:00")]
    pub starts_at: String,
    #[schema(example = "2026-12-12 12:00")]
    pub ends_at: String,
    #[schema(example = 20)]
    pub capacity: i64,
    /// Skills wanted (codes or Chinese names, comma-separated).
    #[schema(example = "种养植,科普讲解")]
    pub skills: Option<String>,
    pub description: Option<String>,
}

/// 发起志愿服务活动
///
/// A team's leader (for their team) or a region admin holds an activity.
#[utoipa::path(post, path = "/api/v1/volunteer-activities", tag = "volunteers", operation_id = "create_volunteer_activity",
    request_body = CreateActivityRequest,
    responses(
        (status = 201, description = "Created", body = ActivityDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the team's leader or the region's admin", body = ErrorBody),
        (status = 404, description = "No such team", body = ErrorBody),
        (status = 422, description = "Bad field", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateActivityRequest>,
) -> ApiResult<(StatusCode, ApiJson<ActivityDto>)> {
    let input = ActivityInput {
        team: req.team_id,
        kind: req.kind,
        title: req.title,
        place: req.place,
        region: req.region,
        starts_at: req.starts_at,
        ends_at: req.ends_at,
        capacity: req.capacity,
        skills: req.skills.unwrap_or_default(),
        description: req.description.unwrap_or_default(),
    };
    let s = &state.services;
    let id = s
        .volunteer_activities()
        .create(&session.actor, &input)
        .await?;
    let a = s.volunteer_activities().get(id).await?;
    Ok((StatusCode::CREATED, ApiJson(ActivityDto::new(s, a))))
}

/// 志愿服务活动详情
///
/// The activity and its report; logged in, the caller's own sign-up and whether they
/// organize it.
#[utoipa::path(get, path = "/api/v1/volunteer-activities/{id}", tag = "volunteers", operation_id = "get_volunteer_activity",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The activity", body = ActivityDetailDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<ApiJson<ActivityDetailDto>> {
    let s = &state.services;
    let a = s.volunteer_activities().get(id).await?;
    let (my_signup, organizer) = match ctx.actor() {
        Some(actor) => (
            s.volunteer_activities()
                .my_signup(actor, id)
                .await?
                .map(SignupDto::from),
            a.organized_by(actor),
        ),
        None => (None, false),
    };
    Ok(ApiJson(ActivityDetailDto {
        activity: ActivityDto::new(s, a),
        my_signup,
        organizer,
    }))
}

/// 报名志愿服务活动
///
/// A registered volunteer signs up until the activity ends; the capacity is never exceeded,
/// also under concurrent sign-ups.
#[utoipa::path(post, path = "/api/v1/volunteer-activities/{id}/signup", tag = "volunteers", operation_id = "sign_up_volunteer_activity",
    params(("id" = i64, Path)),
    responses(
        (status = 201, description = "Signed up"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
        (status = 409, description = "Not a volunteer, full, ended, or signed up already", body = ErrorBody),
    ))]
pub async fn sign_up(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<StatusCode> {
    state
        .services
        .volunteer_activities()
        .sign_up(&session.actor, id)
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The volunteer's phone number.
    #[schema(example = "13900000007")]
    pub phone: String,
}

/// 指派志愿者
///
/// The organizer assigns a registered volunteer (by phone) within the capacity.
#[utoipa::path(post, path = "/api/v1/volunteer-activities/{id}/assignments", tag = "volunteers", operation_id = "assign_volunteer",
    params(("id" = i64, Path)),
    request_body = AssignRequest,
    responses(
        (status = 201, description = "Assigned", body = SignupDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the organizer", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
        (status = 409, description = "Full, ended, or signed up already", body = ErrorBody),
        (status = 422, description = "Not a registered volunteer's phone", body = ErrorBody),
    ))]
pub async fn assign(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<(StatusCode, ApiJson<SignupDto>)> {
    let acts = state.services.volunteer_activities();
    let user = acts.assign(&session.actor, id, &req.phone).await?;
    let signup = acts
        .signups(&session.actor, id)
        .await?
        .into_iter()
        .find(|s| s.user == user)
        .ok_or_else(|| {
            ApiError::from(kejiyun_core::DomainError::NotFound("报名记录不存在".into()))
        })?;
    Ok((StatusCode::CREATED, ApiJson(signup.into())))
}

/// 报名和服务时长
///
/// Who signed up, with check-in, check-out and hours: for the organizer and the approver.
#[utoipa::path(get, path = "/api/v1/volunteer-activities/{id}/signups", tag = "volunteers", operation_id = "volunteer_activity_signups",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Sign-ups in order", body = Vec<SignupDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the organizer or approver", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
    ))]
pub async fn signups(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<ApiJson<Vec<SignupDto>>> {
    let all = state
        .services
        .volunteer_activities()
        .signups(&session.actor, id)
        .await?;
    Ok(ApiJson(all.into_iter().map(SignupDto::from).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
}

/// 导出服务时长表
///
/// The activity's sign-ups with check-in, check-out and hours, as .xlsx or CSV.
#[utoipa::path(get, path = "/api/v1/volunteer-activities/{id}/signups/export", tag = "volunteers", operation_id = "export_volunteer_activity_signups",
    params(("id" = i64, Path), FormatParams),
    responses(
        (status = 200, description = "The file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the organizer or approver", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
        (status = 422, description = "Bad format", body = ErrorBody),
    ))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
    ApiQuery(p): ApiQuery<FormatParams>,
) -> ApiResult<Response> {
    let all = state
        .services
        .volunteer_activities()
        .signups(&session.actor, id)
        .await?;
    let opt = |t: Option<kejiyun_core::time::Timestamp>| Cell::from(t.map(ts).unwrap_or_default());
    let rows = all
        .into_iter()
        .map(|s| {
            vec![
                Cell::from(s.name.clone()),
                Cell::from(s.how.label_zh().to_owned()),
                opt(s.checked_in_at),
                opt(s.checked_out_at),
                Cell::from(
                    s.service_minutes()
                        .map_or_else(String::new, |m| m.to_string()),
                ),
                Cell::from(s.adjust_reason.clone().unwrap_or_default()),
                Cell::from(s.hours_status.map_or("未签退", |h| h.label_zh()).to_owned()),
                Cell::from(s.hours_reason.clone().unwrap_or_default()),
                Cell::from(hours_text(u64::from(s.approved_minutes()))),
            ]
        })
        .collect();
    Table {
        file: format!("volunteer-activity-{id}-hours"),
        sheet: "服务时长".into(),
        headers: vec![
            "姓名",
            "报名方式",
            "签到时间",
            "签退时间",
            "服务分钟",
            "调整原因",
            "审核状态",
            "不予认定原因",
            "认定时长",
        ],
        rows,
    }
    .download(p.format.as_deref().unwrap_or("xlsx"))
}

/// 活动签到码
///
/// The activity's rotating code now (it changes every 30 seconds): for the organizer's screen.
#[utoipa::path(get, path = "/api/v1/volunteer-activities/{id}/code", tag = "volunteers", operation_id = "get_volunteer_activity_code",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The code", body = CodeDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the organizer", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
    ))]
pub async fn code(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
) -> ApiResult<ApiJson<CodeDto>> {
    let shown = state
        .services
        .volunteer_activities()
        .current_code(&session.actor, id)
        .await?;
    Ok(ApiJson(CodeDto {
        check_in_path: check_in_path(id, &shown.code),
        changes_at: ts(shown.changes_at),
        code: shown.code,
    }))
}

/// 活动签到
///
/// A signed-up volunteer checks in with the code on the organizer's screen (from an hour
/// before the start until the end).
#[utoipa::path(post, path = "/api/v1/volunteer-activities/{id}/check-in", tag = "volunteers", operation_id = "check_in_volunteer_activity",
    params(("id" = i64, Path)),
    request_body = CheckInRequest,
    responses(
        (status = 200, description = "Checked in (`changed`: false if already)", body = ChangedDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not signed up", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
        (status = 409, description = "Outside the check-in time", body = ErrorBody),
        (status = 422, description = "Wrong or expired code", body = ErrorBody),
    ))]
pub async fn check_in(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> ApiResult<ApiJson<ChangedDto>> {
    let changed = state
        .services
        .volunteer_activities()
        .check_in(&session.actor, id, &req.code)
        .await?;
    Ok(ApiJson(ChangedDto { changed }))
}

/// The minutes a check-out recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckOutDto {
    /// `false`: checked out already (nothing changed).
    pub changed: bool,
    /// Service minutes (within the activity's time), waiting for the leader's approval.
    pub minutes: Option<u32>,
}

/// 活动签退
///
/// A checked-in volunteer checks out with the current code (until two hours after the end);
/// the minutes are computed and wait for the leader's approval.
#[utoipa::path(post, path = "/api/v1/volunteer-activities/{id}/check-out", tag = "volunteers", operation_id = "check_out_volunteer_activity",
    params(("id" = i64, Path)),
    request_body = CheckInRequest,
    responses(
        (status = 200, description = "Checked out", body = CheckOutDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not signed up", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
        (status = 409, description = "Not checked in, or too late", body = ErrorBody),
        (status = 422, description = "Wrong or expired code", body = ErrorBody),
    ))]
pub async fn check_out(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> ApiResult<ApiJson<CheckOutDto>> {
    let minutes = state
        .services
        .volunteer_activities()
        .check_out(&session.actor, id, &req.code)
        .await?;
    Ok(ApiJson(CheckOutDto {
        changed: minutes.is_some(),
        minutes,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustRequest {
    /// The service minutes to record (0 to the activity's length).
    #[schema(example = 150)]
    pub minutes: i64,
    #[schema(example = "提前离场协助转运物资，按实际补记")]
    pub reason: String,
}

/// 调整服务时长
///
/// The organizer corrects someone's minutes, with a reason, before the decision.
#[utoipa::path(put, path = "/api/v1/volunteer-activities/{id}/signups/{user_id}/minutes", tag = "volunteers",
    operation_id = "adjust_volunteer_minutes",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    request_body = AdjustRequest,
    responses(
        (status = 200, description = "The sign-up", body = SignupDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the organizer", body = ErrorBody),
        (status = 404, description = "No such activity or sign-up", body = ErrorBody),
        (status = 409, description = "Hours decided already", body = ErrorBody),
        (status = 422, description = "Minutes out of range or no reason", body = ErrorBody),
    ))]
pub async fn adjust(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, user)): ApiPath<(ActivityId, UserId)>,
    ApiJson(req): ApiJson<AdjustRequest>,
) -> ApiResult<ApiJson<SignupDto>> {
    let s = state
        .services
        .volunteer_activities()
        .adjust(&session.actor, id, user, req.minutes, &req.reason)
        .await?;
    Ok(ApiJson(s.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursDecisionRequest {
    pub approve: bool,
    /// Required to decline (the volunteer reads it).
    pub reason: Option<String>,
}

/// 审核服务时长
///
/// The team's leader (or the region's admin) approves someone's hours, or declines them with
/// a reason. Final; approved hours count in `service_hours`.
#[utoipa::path(post, path = "/api/v1/volunteer-activities/{id}/signups/{user_id}/decision", tag = "volunteers",
    operation_id = "decide_volunteer_hours",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    request_body = HoursDecisionRequest,
    responses(
        (status = 200, description = "The sign-up", body = SignupDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the leader or the region's admin", body = ErrorBody),
        (status = 404, description = "No such activity or sign-up", body = ErrorBody),
        (status = 409, description = "Not checked out, or decided already", body = ErrorBody),
        (status = 422, description = "Declined without a reason", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, user)): ApiPath<(ActivityId, UserId)>,
    ApiJson(req): ApiJson<HoursDecisionRequest>,
) -> ApiResult<ApiJson<SignupDto>> {
    let s = state
        .services
        .volunteer_activities()
        .decide_hours(&session.actor, id, user, req.approve, req.reason.as_deref())
        .await?;
    Ok(ApiJson(s.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    #[schema(example = 120)]
    pub people_served: i64,
    #[schema(example = 300)]
    pub materials_distributed: i64,
    #[serde(default)]
    pub gifts: i64,
    #[serde(default)]
    pub questions_answered: i64,
    pub note: Option<String>,
    /// Ids of images the organizer uploaded (`POST /api/v1/uploads`), at most 6.
    #[serde(default)]
    pub photo_ids: Vec<String>,
}

/// 填报活动情况
///
/// After the start, the organizer files (or corrects) the report: people served, materials
/// handed out, gifts, questions answered, photos. It counts on the activity's date and region.
#[utoipa::path(put, path = "/api/v1/volunteer-activities/{id}/report", tag = "volunteers", operation_id = "report_volunteer_activity",
    params(("id" = i64, Path)),
    request_body = ReportRequest,
    responses(
        (status = 200, description = "The activity with its report", body = ActivityDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the organizer", body = ErrorBody),
        (status = 404, description = "No such activity", body = ErrorBody),
        (status = 409, description = "Not started yet", body = ErrorBody),
        (status = 422, description = "Bad figure or photo", body = ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(req): ApiJson<ReportRequest>,
) -> ApiResult<ApiJson<ActivityDto>> {
    let input = ReportInput {
        people_served: req.people_served,
        materials_distributed: req.materials_distributed,
        gifts: req.gifts,
        questions_answered: req.questions_answered,
        note: req.note,
        photos: req.photo_ids,
    };
    let s = &state.services;
    let a = s
        .volunteer_activities()
        .file_report(&session.actor, id, &input)
        .await?;
    Ok(ApiJson(ActivityDto::new(s, a)))
}
