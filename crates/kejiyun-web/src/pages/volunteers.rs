//! 科技志愿服务 pages: `/volunteers` (teams of a region, the caller's status), `/volunteers/join`
//! (register a profile), `/volunteers/me` (the profile, the full ID number on request —
//! audited —, teams and requests), a team's page (sub-teams, members, the join button; for its
//! leader and region admins the requests to decide and, for admins, the leader change),
//! `/volunteers/teams/new` and the admins' roster with its exports.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::ids::{TeamId, UserId};
use kejiyun_core::paging::Paged;
use kejiyun_core::volunteers::{
    MembershipStatus, Skill, Team, TeamDraft, TeamLevel, Volunteer, VolunteerInput,
};
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, parse_id, render, see_other,
};
use super::tech_workers::Filters;
use super::widgets::{Opt, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/volunteers", get(hub))
        .route("/volunteers/join", get(join_form).post(join))
        .route("/volunteers/me", get(me))
        .route("/volunteers/me/id-card", post(reveal_id_card))
        .route("/volunteers/roster", get(roster))
        .route("/volunteers/teams/new", get(team_form).post(create_team))
        .route("/volunteers/teams/{id}", get(team_page))
        .route("/volunteers/teams/{id}/join", post(ask_to_join))
        .route("/volunteers/teams/{id}/leader", post(change_leader))
        .route("/volunteers/teams/{id}/members/{user}", post(decide))
}

/// A team in a list.
pub struct TeamCard {
    pub id: i64,
    pub name: String,
    pub level: &'static str,
    pub region: String,
    pub leader: String,
    pub members: u32,
}

fn level_label(pg: &Pg<'_>, l: TeamLevel) -> &'static str {
    pg.t(&format!("vol.level.{}", l.code()))
}

pub(super) fn skill_labels(pg: &Pg<'_>, skills: &[Skill]) -> String {
    skills
        .iter()
        .map(|s| pg.t(&format!("vol.skill.{}", s.code())))
        .collect::<Vec<_>>()
        .join("、")
}

fn card(pg: &Pg<'_>, t: &Team) -> TeamCard {
    TeamCard {
        id: t.id.0,
        name: t.name.clone(),
        level: level_label(pg, t.level),
        region: pg.region_name(t.region),
        leader: t.leader_name.clone(),
        members: t.members,
    }
}

#[derive(Template)]
#[template(path = "volunteers/hub.html", whitespace = "minimize")]
struct HubTpl {
    base: Layout,
    region_select: RegionSelect,
    registered: bool,
    is_admin: bool,
    teams: Vec<TeamCard>,
    pager: Pager,
}

pub async fn hub(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let f = Filters::read(&params);
    let paged = pg
        .s()
        .volunteers()
        .teams(f.region, f.page)
        .await
        .or_page(&pg)?;
    let registered = match pg.actor() {
        Some(a) => pg.s().volunteers().mine(a).await.or_page(&pg)?.is_some(),
        None => false,
    };
    let teams = paged.items.iter().map(|t| card(&pg, t)).collect();
    let meta = Paged {
        items: Vec::<()>::new(),
        total: paged.total,
        page: paged.page,
    };
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(&pg, "/volunteers", &[("region", &region)], &meta);
    let mut base = pg.layout("vol.title", "volunteers");
    base.error = f.error.clone();
    if Params::parse(raw.as_deref()).get("done") == Some("team") {
        base.notice = Some(pg.t("vol.done.team").into());
    }
    ok(&HubTpl {
        region_select: f.region_select(&pg),
        registered,
        is_admin: pg.actor().is_some_and(|a| a.runs_regions()),
        teams,
        pager,
        base,
    })
}

/// The registration form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    name: String,
    id_card: String,
    phone: String,
    region: String,
    availability: String,
    /// Each checked skill arrives as its own field, `skill_<code>=on` (a form field may not
    /// repeat here).
    #[serde(flatten)]
    checked: std::collections::HashMap<String, String>,
}

impl JoinForm {
    fn skills(&self) -> Vec<&str> {
        Skill::ALL
            .iter()
            .map(|s| s.code())
            .filter(|c| self.checked.contains_key(&format!("skill_{c}")))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "volunteers/join.html", whitespace = "minimize")]
struct JoinTpl {
    base: Layout,
    form: JoinForm,
    skills: Vec<Opt>,
    region_select: RegionSelect,
    field: &'static str,
}

fn join_page(pg: &Pg<'_>, form: JoinForm, outcome: Outcome) -> PageResult {
    let mut base = pg.layout("vol.join", "volunteers");
    let (status, field) = outcome.apply(&mut base);
    let skills = Skill::ALL
        .into_iter()
        .map(|s| Opt {
            value: s.code().into(),
            label: pg.t(&format!("vol.skill.{}", s.code())).into(),
            selected: form.skills().contains(&s.code()),
        })
        .collect();
    Ok(render(
        status,
        &JoinTpl {
            skills,
            region_select: RegionSelectSpec::required("region", "vol.region")
                .build(pg, &form.region),
            field,
            form,
            base,
        },
    ))
}

pub async fn join_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    if pg
        .s()
        .volunteers()
        .mine(actor)
        .await
        .or_page(&pg)?
        .is_some()
    {
        return Ok(see_other("/volunteers/me"));
    }
    join_page(&pg, JoinForm::default(), Outcome::Fresh)
}

pub async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let skills = form.skills().join(",");
    let input = VolunteerInput {
        name: &form.name,
        id_card: &form.id_card,
        phone: &form.phone,
        region: &form.region,
        skills: &skills,
        availability: &form.availability,
    };
    match pg.s().volunteers().register(actor, &input).await {
        Ok(_) => Ok(see_other("/volunteers/me?done=registered")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            // The number is never sent back into the page.
            let form = JoinForm {
                id_card: String::new(),
                ..form
            };
            join_page(&pg, form, Outcome::Failed(e))
        }
    }
}

/// A membership as the volunteer's page lists it.
pub struct MembershipView {
    pub team: i64,
    pub team_name: String,
    pub user: i64,
    pub name: String,
    pub status: &'static str,
    pub pending: bool,
    pub reason: Option<String>,
}

fn membership_views(
    pg: &Pg<'_>,
    all: Vec<kejiyun_core::volunteers::Membership>,
) -> Vec<MembershipView> {
    all.into_iter()
        .map(|m| MembershipView {
            team: m.team.0,
            user: m.user.0,
            status: pg.t(&format!("vol.membership.{}", m.status.code())),
            pending: m.status == MembershipStatus::Pending,
            team_name: m.team_name,
            name: m.name,
            reason: m.reason,
        })
        .collect()
}

/// The profile as pages show it.
pub struct ProfileView {
    pub id: i64,
    pub name: String,
    pub id_card: String,
    pub phone: String,
    pub region: String,
    pub skills: String,
    pub availability: String,
    pub registered: String,
}

fn profile_view(pg: &Pg<'_>, v: Volunteer) -> ProfileView {
    ProfileView {
        id: v.id.0,
        region: pg.region_name(v.region),
        skills: skill_labels(pg, &v.skills),
        registered: v.registered_at.to_shanghai_display(),
        name: v.name,
        id_card: v.id_card_masked,
        phone: v.phone,
        availability: v.availability,
    }
}

#[derive(Template)]
#[template(path = "volunteers/me.html", whitespace = "minimize")]
struct MeTpl {
    base: Layout,
    profile: Option<ProfileView>,
    /// The full number, shown once after the owner asked (the reading is audited).
    full_id_card: Option<String>,
    teams: Vec<MembershipView>,
    /// The service record (activities, hours) and the years for the year certificate.
    record: Option<super::volunteer_service::ServiceRecordView>,
}

async fn me_page(pg: &Pg<'_>, full_id_card: Option<String>, done: Option<&str>) -> PageResult {
    let actor = pg.require_login()?;
    let v = pg.s().volunteers().mine(actor).await.or_page(pg)?;
    let teams = pg.s().volunteers().my_teams(actor).await.or_page(pg)?;
    let mut base = pg.layout("vol.me", "volunteers");
    if done == Some("registered") {
        base.notice = Some(pg.t("vol.done.registered").into());
    }
    let record = if v.is_some() {
        Some(super::volunteer_service::service_record(pg, actor.user_id).await?)
    } else {
        None
    };
    let mut response = ok(&MeTpl {
        record,
        profile: v.map(|v| profile_view(pg, v)),
        full_id_card,
        teams: membership_views(pg, teams),
        base,
    })?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

pub async fn me(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    me_page(&pg, None, params.get("done")).await
}

pub async fn reveal_id_card(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let v = pg
        .s()
        .volunteers()
        .mine(actor)
        .await
        .or_page(&pg)?
        .ok_or_else(|| pg.fail(DomainError::NotFound("您还不是注册科技志愿者".into())))?;
    let full = pg
        .s()
        .volunteers()
        .id_card(actor, v.id)
        .await
        .or_page(&pg)?;
    me_page(&pg, Some(full), None).await
}

#[derive(Template)]
#[template(path = "volunteers/roster.html", whitespace = "minimize")]
struct RosterTpl {
    base: Layout,
    region_select: RegionSelect,
    region: String,
    people: Vec<ProfileView>,
    total: u64,
    pager: Pager,
}

/// The admins' roster: volunteers of their regions, with the exports and the import.
pub async fn roster(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let params = Params::parse(raw.as_deref());
    let f = Filters::read(&params);
    let paged = pg
        .s()
        .volunteers()
        .list(actor, f.region, None, f.page)
        .await
        .or_page(&pg)?;
    let meta = Paged {
        items: Vec::<()>::new(),
        total: paged.total,
        page: paged.page,
    };
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(&pg, "/volunteers/roster", &[("region", &region)], &meta);
    let mut base = pg.layout("vol.roster", "volunteers");
    base.error = f.error.clone();
    let mut response = ok(&RosterTpl {
        region_select: f.region_select(&pg),
        total: paged.total,
        people: paged
            .items
            .into_iter()
            .map(|v| profile_view(&pg, v))
            .collect(),
        region,
        pager,
        base,
    })?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The team form's fields; the leader is picked by phone.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TeamForm {
    name: String,
    level: String,
    parent_id: String,
    region: String,
    leader_phone: String,
    description: String,
}

#[derive(Template)]
#[template(path = "volunteers/team_form.html", whitespace = "minimize")]
struct TeamFormTpl {
    base: Layout,
    form: TeamForm,
    levels: Vec<Opt>,
    region_select: RegionSelect,
    field: &'static str,
}

fn team_form_page(pg: &Pg<'_>, form: TeamForm, outcome: Outcome) -> PageResult {
    let mut base = pg.layout("vol.team_new", "volunteers");
    let (status, field) = outcome.apply(&mut base);
    let levels = TeamLevel::ALL
        .into_iter()
        .map(|l| Opt {
            value: l.code().into(),
            label: level_label(pg, l).into(),
            selected: form.level == l.code(),
        })
        .collect();
    Ok(render(
        status,
        &TeamFormTpl {
            levels,
            region_select: RegionSelectSpec::required("region", "vol.region")
                .build(pg, &form.region),
            field,
            form,
            base,
        },
    ))
}

pub async fn team_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    pg.require_admin()?;
    let params = Params::parse(raw.as_deref());
    let form = TeamForm {
        parent_id: params.get("parent").unwrap_or_default().to_owned(),
        ..TeamForm::default()
    };
    team_form_page(&pg, form, Outcome::Fresh)
}

async fn new_team(pg: &Pg<'_>, form: &TeamForm) -> Result<Team, DomainError> {
    let actor = pg.actor().ok_or(DomainError::Unauthenticated)?;
    let leader = pg
        .s()
        .volunteers()
        .volunteer_by_phone(&form.leader_phone)
        .await?;
    let parent = match form.parent_id.trim() {
        "" => None,
        raw => Some(TeamId(raw.parse().map_err(|_| {
            DomainError::invalid("parent", "上级队伍编号应为整数")
        })?)),
    };
    let draft = TeamDraft::parse(
        &form.name,
        &form.level,
        parent,
        &form.region,
        leader.user,
        &form.description,
    )?;
    pg.s().volunteers().create_team(actor, draft).await
}

pub async fn create_team(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TeamForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    pg.require_admin()?;
    match new_team(&pg, &form).await {
        Ok(t) => Ok(see_other(&format!(
            "/volunteers/teams/{}?done=created",
            t.id
        ))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            team_form_page(&pg, form, Outcome::Failed(e))
        }
    }
}

#[derive(Template)]
#[template(path = "volunteers/team.html", whitespace = "minimize")]
struct TeamTpl {
    base: Layout,
    team: TeamCard,
    description: String,
    parent: Option<(i64, String)>,
    sub_teams: Vec<TeamCard>,
    can_have_sub_teams: bool,
    members: Vec<MembershipView>,
    manager: bool,
    admin: bool,
    registered: bool,
    /// The caller's own request, if any.
    mine: Option<&'static str>,
}

pub async fn team_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = TeamId(parse_id(&pg, &raw)?);
    let v = pg.s().volunteers();
    let team = v.team(id).await.or_page(&pg)?;
    let subs = v.sub_teams(id).await.or_page(&pg)?;
    let members = v.members(pg.actor(), id).await.or_page(&pg)?;
    let parent = match team.parent {
        Some(p) => {
            let t = v.team(p).await.or_page(&pg)?;
            Some((t.id.0, t.name))
        }
        None => None,
    };
    let (registered, mine) = match pg.actor() {
        Some(a) => {
            let registered = v.mine(a).await.or_page(&pg)?.is_some();
            let own = v.my_teams(a).await.or_page(&pg)?;
            let mine = own
                .into_iter()
                .find(|m| m.team == id)
                .map(|m| pg.t(&format!("vol.membership.{}", m.status.code())));
            (registered, mine)
        }
        None => (false, None),
    };
    let mut base = pg.layout_titled(team.name.clone(), "volunteers");
    match Params::parse(q.as_deref()).get("done") {
        Some("created") => base.notice = Some(pg.t("vol.done.team").into()),
        Some("asked") => base.notice = Some(pg.t("vol.done.asked").into()),
        Some("decided") => base.notice = Some(pg.t("vol.done.decided").into()),
        Some("leader") => base.notice = Some(pg.t("vol.done.leader").into()),
        _ => {}
    }
    ok(&TeamTpl {
        manager: pg.actor().is_some_and(|a| team.managed_by(a)),
        admin: pg.actor().is_some_and(|a| a.administers(team.region)),
        can_have_sub_teams: team.level.child().is_some(),
        description: team.description.clone(),
        sub_teams: subs.iter().map(|t| card(&pg, t)).collect(),
        members: membership_views(&pg, members),
        team: card(&pg, &team),
        parent,
        registered,
        mine,
        base,
    })
}

pub async fn ask_to_join(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = TeamId(parse_id(&pg, &raw)?);
    pg.s()
        .volunteers()
        .request_to_join(actor, id)
        .await
        .or_page(&pg)?;
    Ok(see_other(&format!("/volunteers/teams/{id}?done=asked")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((raw, raw_user)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = TeamId(parse_id(&pg, &raw)?);
    let user = UserId(parse_id(&pg, &raw_user)?);
    pg.s()
        .volunteers()
        .decide(actor, id, user, form.decision == "approve", &form.reason)
        .await
        .or_page(&pg)?;
    Ok(see_other(&format!("/volunteers/teams/{id}?done=decided")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LeaderForm {
    leader_phone: String,
}

pub async fn change_leader(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<LeaderForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = TeamId(parse_id(&pg, &raw)?);
    let v = pg.s().volunteers();
    let leader = v
        .volunteer_by_phone(&form.leader_phone)
        .await
        .or_page(&pg)?;
    v.change_leader(actor, id, leader.user).await.or_page(&pg)?;
    Ok(see_other(&format!("/volunteers/teams/{id}?done=leader")))
}
