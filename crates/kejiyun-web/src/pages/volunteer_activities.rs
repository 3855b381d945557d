//! 志愿服务活动 pages: `/volunteers/activities` (by region, upcoming or all), the form to hold
//! one (a team's leader or a region admin), an activity's page (places left, the sign-up
//! button, the caller's own check-in, check-out and hours, the certificate; for the organizers
//! the code screen, assigning by phone, the sign-ups with their adjust and approve/decline
//! forms, the exports and the report). The code screen, the volunteer's check-in page, the
//! certificates and the service record are `volunteer_service.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::ids::{ActivityId, UserId};
use kejiyun_core::paging::Paged;
use kejiyun_core::volunteers::Skill;
use kejiyun_core::volunteers::activities::{
    Activity, ActivityInput, ActivityKind, HoursStatus, MAX_PHOTOS, ReportDraft, ReportInput,
    Signup, hours_text,
};
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageError, PageResult, Params, Pg, form_error, ok, parse_id, render,
    see_other,
};
use super::photos::PhotoForm;
use super::tech_workers::Filters;
use super::volunteer_service as service;
use super::volunteers::skill_labels;
use super::widgets::{Opt, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/volunteers/activities", get(list))
        .route("/volunteers/activities/new", get(new_form).post(create))
        .route("/volunteers/activities/{id}", get(page))
        .route("/volunteers/activities/{id}/signup", post(sign_up))
        .route("/volunteers/activities/{id}/assign", post(assign))
        .route(
            "/volunteers/activities/{id}/code",
            get(service::code_screen),
        )
        .route(
            "/volunteers/activities/{id}/check-in",
            get(service::check_in_form).post(service::check_in),
        )
        .route(
            "/volunteers/activities/{id}/signups/{user}/minutes",
            post(adjust),
        )
        .route(
            "/volunteers/activities/{id}/signups/{user}/decision",
            post(decide),
        )
        // The global body limit is smaller than six photos: `PhotoForm` is the limit here.
        .route(
            "/volunteers/activities/{id}/report",
            post(report).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/volunteers/activities/{id}/certificate",
            post(service::certificate),
        )
        .route(
            "/volunteers/certificates/year",
            post(service::year_certificate),
        )
}

fn kind_label(pg: &Pg<'_>, k: ActivityKind) -> &'static str {
    pg.t(&format!("vact.kind.{}", k.code()))
}

pub(super) fn hours_label(pg: &Pg<'_>, h: HoursStatus) -> &'static str {
    pg.t(&format!("vact.hours.{}", h.as_str()))
}

pub(super) fn when(a: &Activity) -> String {
    format!(
        "{} – {}",
        a.starts_at.to_shanghai_display(),
        a.ends_at.to_shanghai_display()
    )
}

/// One activity in a list.
pub struct ActivityCard {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub region: String,
    pub place: String,
    pub when: String,
    pub team: Option<String>,
    pub places_left: u32,
    pub ended: bool,
}

fn card(pg: &Pg<'_>, a: &Activity) -> ActivityCard {
    ActivityCard {
        id: a.id.0,
        title: a.title.clone(),
        kind: kind_label(pg, a.kind),
        region: pg.region_name(a.region),
        place: a.place.clone(),
        when: when(a),
        team: a.team_name.clone(),
        places_left: a.places_left(),
        ended: a.ends_at <= pg.s().now(),
    }
}

#[derive(Template)]
#[template(path = "volunteers/activities.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    region_select: RegionSelect,
    upcoming: bool,
    /// A region admin sees the export of their regions' activities (the chosen region's).
    is_admin: bool,
    region: String,
    cards: Vec<ActivityCard>,
    pager: Pager,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let f = Filters::read(&params);
    let upcoming = params.get("upcoming").is_some_and(|v| v != "0");
    let paged = pg
        .s()
        .volunteer_activities()
        .list(f.region, None, upcoming, f.page)
        .await
        .or_page(&pg)?;
    let cards = paged.items.iter().map(|a| card(&pg, a)).collect();
    let meta = Paged {
        items: Vec::<()>::new(),
        total: paged.total,
        page: paged.page,
    };
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        "/volunteers/activities",
        &[
            ("region", &region),
            ("upcoming", if upcoming { "1" } else { "" }),
        ],
        &meta,
    );
    let mut base = pg.layout("vact.list", "volunteers");
    base.error = f.error.clone();
    ok(&ListTpl {
        region_select: f.region_select(&pg),
        upcoming,
        is_admin: pg.actor().is_some_and(|a| {
            f.region
                .map_or_else(|| a.runs_regions(), |r| a.administers(r))
        }),
        region,
        cards,
        pager,
        base,
    })
}

/// The form's fields; each checked skill arrives as `skill_<code>=on`, as on the join form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    team_id: String,
    kind: String,
    title: String,
    place: String,
    region: String,
    starts_at: String,
    ends_at: String,
    capacity: String,
    description: String,
    #[serde(flatten)]
    checked: std::collections::HashMap<String, String>,
}

impl ActivityForm {
    fn skills(&self) -> Vec<&'static str> {
        Skill::ALL
            .iter()
            .map(|s| s.code())
            .filter(|c| self.checked.contains_key(&format!("skill_{c}")))
            .collect()
    }

    fn input(&self) -> Result<ActivityInput, DomainError> {
        let team = match self.team_id.trim() {
            "" => None,
            raw => Some(
                raw.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| DomainError::invalid("team", "队伍编号应为正整数"))?,
            ),
        };
        let capacity = self
            .capacity
            .trim()
            .parse()
            .map_err(|_| DomainError::invalid("capacity", "招募人数应为整数"))?;
        Ok(ActivityInput {
            team,
            kind: self.kind.clone(),
            title: self.title.clone(),
            place: self.place.clone(),
            region: self.region.clone(),
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            capacity,
            skills: self.skills().join(","),
            description: self.description.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "volunteers/activity_form.html", whitespace = "minimize")]
struct FormTpl {
    base: Layout,
    form: ActivityForm,
    kinds: Vec<Opt>,
    skills: Vec<Opt>,
    region_select: RegionSelect,
    field: &'static str,
}

fn form_page(pg: &Pg<'_>, form: ActivityForm, outcome: Outcome) -> PageResult {
    let mut base = pg.layout("vact.new", "volunteers");
    let (status, field) = outcome.apply(&mut base);
    let kinds = ActivityKind::ALL
        .into_iter()
        .map(|k| Opt {
            value: k.code().into(),
            label: kind_label(pg, k).into(),
            selected: form.kind == k.code(),
        })
        .collect();
    let chosen = form.skills();
    let skills = Skill::ALL
        .into_iter()
        .map(|s| Opt {
            value: s.code().into(),
            label: pg.t(&format!("vol.skill.{}", s.code())).into(),
            selected: chosen.contains(&s.code()),
        })
        .collect();
    Ok(render(
        status,
        &FormTpl {
            kinds,
            skills,
            region_select: RegionSelectSpec::required("region", "vact.region")
                .build(pg, &form.region),
            field,
            form,
            base,
        },
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    pg.require_login()?;
    let params = Params::parse(raw.as_deref());
    let form = ActivityForm {
        team_id: params
            .get("team")
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .take(18)
            .collect(),
        capacity: "20".into(),
        ..ActivityForm::default()
    };
    form_page(&pg, form, Outcome::Fresh)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let r = match form.input() {
        Ok(input) => pg.s().volunteer_activities().create(actor, &input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(id) => Ok(see_other(&format!(
            "/volunteers/activities/{id}?done=created"
        ))),
        // A team number that names no team is the form's mistake.
        Err(DomainError::NotFound(m)) if !form.team_id.trim().is_empty() => {
            form_page(&pg, form, Outcome::Failed(DomainError::invalid("team", m)))
        }
        Err(e) => {
            let e = form_error(&pg, e)?;
            form_page(&pg, form, Outcome::Failed(e))
        }
    }
}

/// A sign-up as the activity's page shows it (the caller's own, or a row of the organizer's
/// table).
pub struct SignupView {
    pub user_id: i64,
    pub name: String,
    pub how: &'static str,
    pub checked_in: Option<String>,
    pub checked_out: Option<String>,
    /// The minutes that count, in words.
    pub minutes_text: Option<String>,
    /// The same as a number (the adjust form's value).
    pub minutes: u32,
    pub adjust_reason: Option<String>,
    /// `pending`, `approved`, `declined`, or "" before the check-out.
    pub status: &'static str,
    pub status_label: Option<&'static str>,
    pub hours_reason: Option<String>,
    /// Not decided yet: the organizer may still adjust.
    pub open: bool,
    pub pending: bool,
    pub approved_minutes: u32,
}

pub(super) fn signup_view(pg: &Pg<'_>, s: Signup) -> SignupView {
    let minutes = s.service_minutes();
    SignupView {
        user_id: s.user.0,
        how: pg.t(&format!("vact.how.{}", s.how.as_str())),
        checked_in: s.checked_in_at.map(|t| t.to_shanghai_display()),
        checked_out: s.checked_out_at.map(|t| t.to_shanghai_display()),
        minutes_text: minutes.map(|m| hours_text(u64::from(m))),
        minutes: minutes.unwrap_or(0),
        status: s.hours_status.map_or("", HoursStatus::as_str),
        status_label: s.hours_status.map(|h| hours_label(pg, h)),
        open: !matches!(
            s.hours_status,
            Some(HoursStatus::Approved | HoursStatus::Declined)
        ),
        pending: s.hours_status == Some(HoursStatus::Pending),
        approved_minutes: s.approved_minutes(),
        name: s.name,
        adjust_reason: s.adjust_reason,
        hours_reason: s.hours_reason,
    }
}

/// The filed report as the page shows it (and the report form's values).
pub struct ReportView {
    pub people_served: String,
    pub materials_distributed: String,
    pub gifts: String,
    pub questions_answered: String,
    pub note: String,
    pub reported_at: String,
    pub photos: Vec<String>,
}

#[derive(Template)]
#[template(path = "volunteers/activity.html", whitespace = "minimize")]
struct PageTpl {
    base: Layout,
    card: ActivityCard,
    capacity: u32,
    signed_up: u32,
    skills: String,
    description: String,
    logged_in: bool,
    /// The caller has a volunteer profile (needed to sign up).
    registered: bool,
    open_for_sign_up: bool,
    started: bool,
    mine: Option<SignupView>,
    organizer: bool,
    approver: bool,
    signups: Vec<SignupView>,
    report: Option<ReportView>,
    /// The report form's values: the filed report, or blanks.
    report_form: ReportView,
    field: &'static str,
}

/// What a POST from the activity's page asked, to show again with its error.
enum Shown {
    Fresh(Option<String>),
    Failed(DomainError),
}

async fn activity_page(pg: &Pg<'_>, id: ActivityId, shown: Shown) -> PageResult {
    let va = pg.s().volunteer_activities();
    let a = va.get(id).await.or_page(pg)?;
    let now = pg.s().now();
    let (organizer, approver) = pg
        .actor()
        .map_or((false, false), |x| (a.organized_by(x), a.approves_hours(x)));
    let (mine, registered) = match pg.actor() {
        Some(x) => (
            va.my_signup(x, id).await.or_page(pg)?,
            pg.s().volunteers().mine(x).await.or_page(pg)?.is_some(),
        ),
        None => (None, false),
    };
    let signups = match pg.actor() {
        Some(x) if organizer || approver => va.signups(x, id).await.or_page(pg)?,
        _ => Vec::new(),
    };
    let mut base = pg.layout_titled(a.title.clone(), "volunteers");
    let outcome = match shown {
        Shown::Fresh(Some(notice)) => Outcome::Saved(notice),
        Shown::Fresh(None) => Outcome::Fresh,
        Shown::Failed(e) => Outcome::Failed(e),
    };
    let (status, field) = outcome.apply(&mut base);
    let report = a.report.as_ref().map(|r| ReportView {
        people_served: r.people_served.to_string(),
        materials_distributed: r.materials_distributed.to_string(),
        gifts: r.gifts.to_string(),
        questions_answered: r.questions_answered.to_string(),
        note: r.note.clone().unwrap_or_default(),
        reported_at: r.reported_at.to_shanghai_display(),
        photos: r
            .photos
            .iter()
            .map(|p| crate::api::uploads::file_url(p, true))
            .collect(),
    });
    let report_form = report.as_ref().map_or_else(
        || ReportView {
            people_served: String::new(),
            materials_distributed: String::new(),
            gifts: String::new(),
            questions_answered: String::new(),
            note: String::new(),
            reported_at: String::new(),
            photos: Vec::new(),
        },
        |r| ReportView {
            people_served: r.people_served.clone(),
            materials_distributed: r.materials_distributed.clone(),
            gifts: r.gifts.clone(),
            questions_answered: r.questions_answered.clone(),
            note: r.note.clone(),
            reported_at: r.reported_at.clone(),
            photos: Vec::new(),
        },
    );
    Ok(render(
        status,
        &PageTpl {
            card: card(pg, &a),
            capacity: a.capacity,
            signed_up: a.signed_up,
            skills: skill_labels(pg, &a.skills),
            logged_in: pg.actor().is_some(),
            registered,
            open_for_sign_up: a.open_for_sign_up(now).is_ok(),
            started: now >= a.starts_at,
            mine: mine.map(|s| signup_view(pg, s)),
            organizer,
            approver,
            signups: signups.into_iter().map(|s| signup_view(pg, s)).collect(),
            report,
            report_form,
            field,
            description: a.description,
            base,
        },
    ))
}

pub(super) fn activity_id(pg: &Pg<'_>, raw: &str) -> Result<ActivityId, PageError> {
    Ok(ActivityId(parse_id(pg, raw)?))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = activity_id(&pg, &raw)?;
    let notice = match Params::parse(q.as_deref()).get("done") {
        Some(
            done @ ("created" | "signed_up" | "assigned" | "adjusted" | "approved" | "declined"
            | "reported"),
        ) => Some(pg.t(&format!("vact.done.{done}")).to_owned()),
        _ => None,
    };
    activity_page(&pg, id, Shown::Fresh(notice)).await
}

/// After a POST from the activity's page: back to it with `done`, or the page again with the
/// form's error (a validation problem or a conflict); anything else is its error page.
async fn after(pg: &Pg<'_>, id: ActivityId, r: Result<(), DomainError>, done: &str) -> PageResult {
    match r {
        Ok(()) => Ok(see_other(&format!(
            "/volunteers/activities/{id}?done={done}"
        ))),
        Err(e) => {
            let e = form_error(pg, e)?;
            activity_page(pg, id, Shown::Failed(e)).await
        }
    }
}

pub async fn sign_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = activity_id(&pg, &raw)?;
    let r = pg.s().volunteer_activities().sign_up(actor, id).await;
    after(&pg, id, r, "signed_up").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    phone: String,
}

pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = activity_id(&pg, &raw)?;
    let r = pg
        .s()
        .volunteer_activities()
        .assign(actor, id, &form.phone)
        .await
        .map(|_| ());
    after(&pg, id, r, "assigned").await
}

fn signup_ids(pg: &Pg<'_>, raw: &(String, String)) -> Result<(ActivityId, UserId), PageError> {
    Ok((
        ActivityId(parse_id(pg, &raw.0)?),
        UserId(parse_id(pg, &raw.1)?),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdjustForm {
    minutes: String,
    reason: String,
}

pub async fn adjust(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    CsrfForm(form): CsrfForm<AdjustForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, user) = signup_ids(&pg, &raw)?;
    let r = match form.minutes.trim().parse::<i64>() {
        Ok(minutes) => pg
            .s()
            .volunteer_activities()
            .adjust(actor, id, user, minutes, &form.reason)
            .await
            .map(|_| ()),
        Err(_) => Err(DomainError::invalid("minutes", "服务时长应为整数（分钟）")),
    };
    after(&pg, id, r, "adjusted").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    /// `approve` or `decline`.
    decision: String,
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, user) = signup_ids(&pg, &raw)?;
    let approve = form.decision == "approve";
    let reason = Some(form.reason.trim()).filter(|r| !r.is_empty());
    let r = pg
        .s()
        .volunteer_activities()
        .decide_hours(actor, id, user, approve, reason)
        .await
        .map(|_| ());
    after(&pg, id, r, if approve { "approved" } else { "declined" }).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    people_served: String,
    materials_distributed: String,
    gifts: String,
    questions_answered: String,
    note: String,
}

impl ReportForm {
    /// The counts (blank is 0), with the photos already filed.
    fn input(&self, photos: Vec<String>) -> Result<ReportInput, DomainError> {
        let count = |field: &'static str, label: &str, raw: &str| match raw.trim() {
            "" => Ok(0),
            raw => raw
                .parse::<i64>()
                .map_err(|_| DomainError::invalid(field, format!("{label}应为整数"))),
        };
        Ok(ReportInput {
            people_served: count("people_served", "服务群众人次", &self.people_served)?,
            materials_distributed: count(
                "materials_distributed",
                "发放资料份数",
                &self.materials_distributed,
            )?,
            gifts: count("gifts", "发放物品件数", &self.gifts)?,
            questions_answered: count(
                "questions_answered",
                "解答问题个数",
                &self.questions_answered,
            )?,
            note: Some(self.note.trim().to_owned()).filter(|n| !n.is_empty()),
            photos,
        })
    }
}

/// The report form comes as multipart, with new photos: they are added after those filed
/// (at most six in all), stored only once the figures are valid.
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    sent: PhotoForm,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = activity_id(&pg, &raw)?;
    let form = ReportForm {
        people_served: sent.get("people_served").to_owned(),
        materials_distributed: sent.get("materials_distributed").to_owned(),
        gifts: sent.get("gifts").to_owned(),
        questions_answered: sent.get("questions_answered").to_owned(),
        note: sent.get("note").to_owned(),
    };
    let va = pg.s().volunteer_activities();
    let a = va.get(id).await.or_page(&pg)?;
    let filed: Vec<String> = a
        .report
        .map(|r| r.photos.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    let filed_report = async {
        let mut input = form.input(filed)?;
        let files = sent.files();
        if input.photos.len() + files.len() > MAX_PHOTOS {
            return Err(DomainError::invalid(
                "photos",
                format!(
                    "活动照片最多 {MAX_PHOTOS} 张（已有 {} 张）",
                    input.photos.len()
                ),
            ));
        }
        // Checked before any photo is stored: a report that cannot be filed stores none.
        ReportDraft::parse(&input)?;
        if !files.is_empty() {
            va.organized(actor, id).await?;
        }
        let added = pg.s().uploads().store_photos(actor, &files).await?;
        input
            .photos
            .extend(added.iter().map(|p| p.as_str().to_owned()));
        va.file_report(actor, id, &input).await.map(|_| ())
    };
    let r = filed_report.await;
    after(&pg, id, r, "reported").await
}
