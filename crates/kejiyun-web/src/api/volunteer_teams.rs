//! `/api/v1/volunteer-teams`: volunteer teams (志愿队伍), 支队 → 大队 → 小队. Region admins
//! create teams (or import them) and change leaders; volunteers ask to join; the leader (or
//! the region's admin) approves or declines. Teams are public: they recruit.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kejiyun_core::app::Services;
use kejiyun_core::ids::{TeamId, UserId};
use kejiyun_core::import::ImportKind;
use kejiyun_core::volunteers::import::TeamSheet;
use kejiyun_core::volunteers::{Membership, Team, TeamDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{RegionRef, list_type};
use super::market::dto::ts;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};
use crate::table_export::attachment;
use crate::xlsx_import::{self, ImportParams, ImportRefused, ImportReport, XLSX};

list_type!(TeamList, TeamDto);

/// A volunteer team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    pub id: i64,
    pub name: String,
    /// `detachment` (支队), `brigade` (大队) or `squad` (小队).
    pub level: String,
    pub level_label: String,
    pub parent_id: Option<i64>,
    pub region: RegionRef,
    pub leader_id: i64,
    pub leader_name: String,
    pub description: String,
    /// Approved members, the leader included.
    pub members: u32,
    pub created_at: String,
}

impl TeamDto {
    pub fn new(s: &Services, t: Team) -> Self {
        Self {
            id: t.id.0,
            level: t.level.code().into(),
            level_label: t.level.label_zh().into(),
            parent_id: t.parent.map(|p| p.0),
            region: RegionRef::new(s, t.region),
            leader_id: t.leader.0,
            members: t.members,
            created_at: ts(t.created_at),
            name: t.name,
            leader_name: t.leader_name,
            description: t.description,
        }
    }
}

/// A team with its sub-teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDetailDto {
    #[serde(flatten)]
    pub team: TeamDto,
    pub sub_teams: Vec<TeamDto>,
}

/// A request to join a team, and the decision on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipDto {
    pub team_id: i64,
    pub team_name: String,
    pub user_id: i64,
    pub name: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
    pub status_label: String,
    /// Why it was declined.
    pub reason: Option<String>,
    pub requested_at: String,
    pub decided_at: Option<String>,
}

impl From<Membership> for MembershipDto {
    fn from(m: Membership) -> Self {
        Self {
            team_id: m.team.0,
            user_id: m.user.0,
            status: m.status.code().into(),
            status_label: m.status.label_zh().into(),
            requested_at: ts(m.requested_at),
            decided_at: m.decided_at.map(ts),
            team_name: m.team_name,
            name: m.name,
            reason: m.reason,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeamRequest {
    #[schema(example = "邻水县科技志愿服务支队")]
    pub name: String,
    /// `detachment` (支队), `brigade` (大队) or `squad` (小队); Chinese names accepted.
    #[schema(example = "detachment")]
    pub level: String,
    /// The team one level up (a 大队 under a 支队, a 小队 under a 大队).
    pub parent_id: Option<i64>,
    #[schema(example = "511623")]
    pub region: String,
    /// The leader's user id; they must be a registered volunteer.
    pub leader_id: i64,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamParams {
    /// Teams of this region's subtree (default: the whole platform).
    pub region: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// 志愿队伍列表
///
/// Teams of a region's subtree (public: teams recruit), by region then age.
#[utoipa::path(get, path = "/api/v1/volunteer-teams", tag = "volunteers", operation_id = "list_volunteer_teams",
    params(TeamParams),
    responses(
        (status = 200, description = "Teams", body = TeamList),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<TeamParams>,
) -> ApiResult<ApiJson<TeamList>> {
    let region = super::volunteers::region_param(p.region.as_deref())?;
    let page = super::page(p.page, p.per_page)?;
    let s = &state.services;
    let paged = s.volunteers().teams(region, page).await?;
    Ok(ApiJson(TeamList::from_paged(paged, |t| TeamDto::new(s, t))))
}

/// 建立志愿队伍
///
/// A region admin creates a team in their region, under a parent one level up if given.
#[utoipa::path(post, path = "/api/v1/volunteer-teams", tag = "volunteers", operation_id = "create_volunteer_team",
    request_body = CreateTeamRequest,
    responses(
        (status = 201, description = "Created", body = TeamDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 422, description = "Bad name, level, parent, region or leader", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateTeamRequest>,
) -> ApiResult<(StatusCode, ApiJson<TeamDto>)> {
    let draft = TeamDraft::parse(
        &req.name,
        &req.level,
        req.parent_id.map(TeamId),
        &req.region,
        UserId(req.leader_id),
        req.description.as_deref().unwrap_or(""),
    )?;
    let s = &state.services;
    let team = s.volunteers().create_team(&session.actor, draft).await?;
    Ok((StatusCode::CREATED, ApiJson(TeamDto::new(s, team))))
}

/// 志愿队伍详情
///
/// A team with its leader, member count and sub-teams.
#[utoipa::path(get, path = "/api/v1/volunteer-teams/{id}", tag = "volunteers", operation_id = "get_volunteer_team",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The team and its sub-teams", body = TeamDetailDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such team", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<TeamId>,
) -> ApiResult<ApiJson<TeamDetailDto>> {
    let s = &state.services;
    let team = s.volunteers().team(id).await?;
    let subs = s.volunteers().sub_teams(id).await?;
    Ok(ApiJson(TeamDetailDto {
        team: TeamDto::new(s, team),
        sub_teams: subs.into_iter().map(|t| TeamDto::new(s, t)).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaderRequest {
    /// The new leader's user id (a registered volunteer).
    pub leader_id: i64,
}

/// 更换队长
///
/// The team region's admin changes its leader (audited); the new leader becomes a member.
#[utoipa::path(put, path = "/api/v1/volunteer-teams/{id}/leader", tag = "volunteers", operation_id = "change_team_leader",
    params(("id" = i64, Path)),
    request_body = LeaderRequest,
    responses(
        (status = 200, description = "The team", body = TeamDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the team's region", body = ErrorBody),
        (status = 404, description = "No such team", body = ErrorBody),
        (status = 422, description = "The new leader is not a volunteer", body = ErrorBody),
    ))]
pub async fn change_leader(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TeamId>,
    ApiJson(req): ApiJson<LeaderRequest>,
) -> ApiResult<ApiJson<TeamDto>> {
    let s = &state.services;
    let team = s
        .volunteers()
        .change_leader(&session.actor, id, UserId(req.leader_id))
        .await?;
    Ok(ApiJson(TeamDto::new(s, team)))
}

/// 申请入队
///
/// A registered volunteer asks to join; the leader decides.
#[utoipa::path(post, path = "/api/v1/volunteer-teams/{id}/join", tag = "volunteers", operation_id = "join_volunteer_team",
    params(("id" = i64, Path)),
    responses(
        (status = 202, description = "Asked; waiting for the leader"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such team", body = ErrorBody),
        (status = 409, description = "Not a volunteer, asked already, or a member", body = ErrorBody),
    ))]
pub async fn join(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<TeamId>,
) -> ApiResult<StatusCode> {
    state
        .services
        .volunteers()
        .request_to_join(&session.actor, id)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// 队员和入队申请
///
/// The team's managers (leader, region admin) see every request, pending first; others see
/// the approved members.
#[utoipa::path(get, path = "/api/v1/volunteer-teams/{id}/members", tag = "volunteers", operation_id = "volunteer_team_members",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Members and requests", body = Vec<MembershipDto>),
        (status = 404, description = "No such team", body = ErrorBody),
    ))]
pub async fn members(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<TeamId>,
) -> ApiResult<ApiJson<Vec<MembershipDto>>> {
    let all = state.services.volunteers().members(ctx.actor(), id).await?;
    Ok(ApiJson(all.into_iter().map(MembershipDto::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub approve: bool,
    /// Required to decline (the volunteer reads it).
    pub reason: Option<String>,
}

/// 审核入队申请
///
/// The team's leader (or its region's admin) approves a pending request, or declines it
/// with a reason the volunteer reads.
#[utoipa::path(post, path = "/api/v1/volunteer-teams/{id}/members/{user_id}/decision", tag = "volunteers",
    operation_id = "decide_team_membership",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    request_body = DecisionRequest,
    responses(
        (status = 204, description = "Decided"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the leader or the region's admin", body = ErrorBody),
        (status = 404, description = "No such team", body = ErrorBody),
        (status = 409, description = "No pending request", body = ErrorBody),
        (status = 422, description = "Declined without a reason", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, user)): ApiPath<(TeamId, UserId)>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .volunteers()
        .decide(
            &session.actor,
            id,
            user,
            req.approve,
            req.reason.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 我的队伍
///
/// The caller's teams and requests.
#[utoipa::path(get, path = "/api/v1/me/volunteer-teams", tag = "volunteers", operation_id = "my_volunteer_teams",
    responses(
        (status = 200, description = "Teams and requests", body = Vec<MembershipDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<Vec<MembershipDto>>> {
    let all = state.services.volunteers().my_teams(&session.actor).await?;
    Ok(ApiJson(all.into_iter().map(MembershipDto::from).collect()))
}

/// 志愿队伍名册模板
///
/// The .xlsx template of a teams' sheet: one team per row, its parent by name.
#[utoipa::path(get, path = "/api/v1/volunteer-teams/template.xlsx", tag = "volunteers",
    operation_id = "volunteer_team_template",
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn template(ApiUser(_caller): ApiUser) -> ApiResult<Response> {
    let bytes = xlsx_import::template("志愿队伍名册", TeamSheet::columns())?;
    Ok(attachment(XLSX, "team-template.xlsx".into(), bytes))
}

/// 导入志愿队伍
///
/// A region admin's teams' sheet (.xlsx body): every row checked (level, region, the leader by
/// phone — a registered volunteer —, a parent named in the sheet or registered, one level up
/// and in its region, a name taken already) and reported by row. With `dry_run=false` a clean
/// sheet creates every team in one transaction (201), parents before their sub-teams; any bad
/// row creates none (422).
#[utoipa::path(post, path = "/api/v1/volunteer-teams/import", tag = "volunteers",
    operation_id = "import_volunteer_teams",
    params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses(
        (status = 200, description = "Dry run: the report", body = ImportReport),
        (status = 201, description = "Imported", body = ImportReport),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a region admin", body = ErrorBody),
        (status = 422, description = "Not an .xlsx or a required column missing (the error), or bad rows (the report)", body = ImportRefused),
    ))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: Bytes,
) -> ApiResult<Response> {
    let dry_run = p.dry_run();
    let sheet = xlsx_import::read_upload(&body)?;
    let (report, imported) = state
        .services
        .volunteers()
        .import_teams(&session.actor, &sheet, !dry_run)
        .await?;
    Ok(ImportReport::respond(dry_run, report, imported))
}
