//! 培训 pages: `/trainings` (by region, or the caller's own), `/trainings/new` (region and
//! organization admins), a training's page (sessions, places left, the enrol button; for the
//! organizers each session's roll and code screen), a session's roll (tick present), the
//! organizer's code screen (the rotating code and its QR code, refreshed with the code) and the
//! attendee's check-in page (type the code, or arrive from the QR code with it filled in).

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::ids::{TrainingId, TrainingSessionId, UserId};
use kejiyun_core::paging::Paged;
use kejiyun_core::trainings::{
    SessionInput, Training, TrainingInput, TrainingKind, check_in_path, manages,
};
use serde::Deserialize;

use super::code_screen::{absolute, qr_svg};
use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, opt, parse_id, render,
    see_other,
};
use super::tech_workers::Filters;
use super::widgets::{Opt, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/trainings", get(list))
        .route("/trainings/new", get(new_form).post(create))
        .route("/trainings/{id}", get(page))
        .route("/trainings/{id}/enrol", post(enrol))
        .route("/trainings/{id}/sessions/{s}/roll", get(roll).post(mark))
        .route("/trainings/{id}/sessions/{s}/code", get(code_screen))
        .route(
            "/trainings/{id}/sessions/{s}/check-in",
            get(check_in_form).post(check_in),
        )
}

fn kind_label(pg: &Pg<'_>, k: TrainingKind) -> &'static str {
    pg.t(&format!("tr.kind.{}", k.code()))
}

/// One training in a list.
pub struct TrainingCard {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub region: String,
    pub date: String,
    pub sessions: usize,
    pub places_left: u32,
}

fn card(pg: &Pg<'_>, t: &Training) -> TrainingCard {
    TrainingCard {
        id: t.id.0,
        title: t.title.clone(),
        kind: kind_label(pg, t.kind),
        region: pg.region_name(t.region),
        date: t
            .starts_at()
            .map(|s| s.to_shanghai_display())
            .unwrap_or_default(),
        sessions: t.sessions.len(),
        places_left: t.places_left(),
    }
}

#[derive(Template)]
#[template(path = "trainings/list.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    region_select: RegionSelect,
    mine: bool,
    can_hold: bool,
    cards: Vec<TrainingCard>,
    pager: Pager,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let f = Filters::read(&params);
    let mine = params.get("mine").is_some_and(|v| !v.is_empty());
    let enrolled = if mine {
        Some(pg.require_login()?.user_id)
    } else {
        None
    };
    let paged = pg
        .s()
        .trainings()
        .list(f.region, enrolled, f.page)
        .await
        .or_page(&pg)?;
    let cards = paged.items.iter().map(|t| card(&pg, t)).collect();
    let meta = Paged {
        items: Vec::<()>::new(),
        total: paged.total,
        page: paged.page,
    };
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        "/trainings",
        &[("region", &region), ("mine", if mine { "1" } else { "" })],
        &meta,
    );
    let mut base = pg.layout("tr.list", "trainings");
    base.error = f.error.clone();
    ok(&ListTpl {
        region_select: f.region_select(&pg),
        mine,
        can_hold: pg.actor().is_some_and(|a| {
            a.runs_regions()
                || a.grants
                    .iter()
                    .any(|g| matches!(g, kejiyun_core::permissions::Grant::OrgAdmin(_)))
        }),
        cards,
        pager,
        base,
    })
}

/// The form's fields: up to three sessions (blank ones are left out).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrainingForm {
    kind: String,
    title: String,
    region: String,
    org_id: String,
    place: String,
    online_url: String,
    capacity: String,
    audience: String,
    s1_start: String,
    s1_end: String,
    s2_start: String,
    s2_end: String,
    s3_start: String,
    s3_end: String,
}

impl TrainingForm {
    fn input(&self) -> Result<TrainingInput, DomainError> {
        let capacity = self
            .capacity
            .trim()
            .parse()
            .map_err(|_| DomainError::invalid("capacity", "名额应为整数"))?;
        let org = match self.org_id.trim() {
            "" => None,
            raw => Some(
                raw.parse()
                    .map_err(|_| DomainError::invalid("org", "组织编号应为整数"))?,
            ),
        };
        let sessions = [
            (&self.s1_start, &self.s1_end),
            (&self.s2_start, &self.s2_end),
            (&self.s3_start, &self.s3_end),
        ]
        .into_iter()
        .filter(|(s, e)| !(s.trim().is_empty() && e.trim().is_empty()))
        .map(|(s, e)| SessionInput {
            starts_at: s.clone(),
            ends_at: e.clone(),
        })
        .collect();
        Ok(TrainingInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            region: self.region.clone(),
            org,
            place: opt(&self.place),
            online_url: opt(&self.online_url),
            capacity,
            audience: self.audience.clone(),
            sessions,
        })
    }
}

#[derive(Template)]
#[template(path = "trainings/form.html", whitespace = "minimize")]
struct FormTpl {
    base: Layout,
    form: TrainingForm,
    kinds: Vec<Opt>,
    orgs: Vec<Opt>,
    region_select: RegionSelect,
    field: &'static str,
}

fn form_page(pg: &Pg<'_>, form: TrainingForm, outcome: Outcome) -> PageResult {
    let mut base = pg.layout("tr.new", "trainings");
    let (status, field) = outcome.apply(&mut base);
    let kinds = TrainingKind::ALL
        .into_iter()
        .map(|k| Opt {
            value: k.code().into(),
            label: kind_label(pg, k).into(),
            selected: form.kind == k.code(),
        })
        .collect();
    // An organization's admin holds trainings for their organization.
    let orgs = pg
        .actor()
        .map(|a| {
            a.grants
                .iter()
                .filter_map(|g| match g {
                    kejiyun_core::permissions::Grant::OrgAdmin(o) => Some(Opt {
                        value: o.0.to_string(),
                        label: format!("{} #{}", pg.t("tr.org"), o.0),
                        selected: form.org_id.trim() == o.0.to_string(),
                    }),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let page = FormTpl {
        kinds,
        orgs,
        region_select: RegionSelectSpec::required("region", "tr.region").build(pg, &form.region),
        field,
        form,
        base,
    };
    Ok(render(status, &page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    pg.require_login()?;
    let form = TrainingForm {
        capacity: "40".into(),
        ..TrainingForm::default()
    };
    form_page(&pg, form, Outcome::Fresh)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TrainingForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let r = match form.input() {
        Ok(input) => pg.s().trainings().create(actor, &input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(id) => Ok(see_other(&format!("/trainings/{id}?done=created"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            form_page(&pg, form, Outcome::Failed(e))
        }
    }
}

/// A session as the training's page shows it.
pub struct SessionView {
    pub id: i64,
    pub seq: u32,
    pub when: String,
    pub present: u32,
}

#[derive(Template)]
#[template(path = "trainings/page.html", whitespace = "minimize")]
struct PageTpl {
    base: Layout,
    id: i64,
    title: String,
    kind: &'static str,
    region: String,
    place: Option<String>,
    online_url: Option<String>,
    audience: String,
    capacity: u32,
    enrolled: u32,
    places_left: u32,
    person_times: u32,
    sessions: Vec<SessionView>,
    organizer: bool,
    is_enrolled: bool,
    logged_in: bool,
    /// The last session has ended: an attendee may take their certificate.
    ended: bool,
}

async fn training_of(pg: &Pg<'_>, raw: &str) -> Result<Training, super::common::PageError> {
    let id = TrainingId(parse_id(pg, raw)?);
    pg.s().trainings().get(id).await.or_page(pg)
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let t = training_of(&pg, &raw).await?;
    let organizer = pg.actor().is_some_and(|a| manages(a, &t));
    let is_enrolled = match pg.actor() {
        Some(a) => pg
            .s()
            .trainings()
            .is_enrolled(t.id, a.user_id)
            .await
            .or_page(&pg)?,
        None => false,
    };
    let mut base = pg.layout_titled(t.title.clone(), "trainings");
    match Params::parse(q.as_deref()).get("done") {
        Some("created") => base.notice = Some(pg.t("tr.done.created").into()),
        Some("enrolled") => base.notice = Some(pg.t("tr.done.enrolled").into()),
        Some("imported") => base.notice = Some(pg.t("tr.done.imported").into()),
        _ => {}
    }
    let sessions = t
        .sessions
        .iter()
        .map(|s| SessionView {
            id: s.id.0,
            seq: s.seq,
            when: format!(
                "{} – {}",
                s.starts_at.to_shanghai_display(),
                s.ends_at.to_shanghai_display()
            ),
            present: s.present,
        })
        .collect();
    ok(&PageTpl {
        id: t.id.0,
        kind: kind_label(&pg, t.kind),
        region: pg.region_name(t.region),
        capacity: t.capacity,
        enrolled: t.enrolled,
        places_left: t.places_left(),
        person_times: t.person_times(),
        sessions,
        organizer,
        is_enrolled,
        logged_in: pg.actor().is_some(),
        ended: t.sessions.last().is_some_and(|s| s.ends_at <= pg.s().now()),
        title: t.title,
        place: t.place,
        online_url: t.online_url,
        audience: t.audience,
        base,
    })
}

pub async fn enrol(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = TrainingId(parse_id(&pg, &raw)?);
    pg.s()
        .trainings()
        .enrol_self(actor, id)
        .await
        .or_page(&pg)?;
    Ok(see_other(&format!("/trainings/{id}?done=enrolled")))
}

fn ids(
    pg: &Pg<'_>,
    raw: &(String, String),
) -> Result<(TrainingId, TrainingSessionId), super::common::PageError> {
    Ok((
        TrainingId(parse_id(pg, &raw.0)?),
        TrainingSessionId(parse_id(pg, &raw.1)?),
    ))
}

/// A line of the roll.
pub struct RollView {
    pub user_id: i64,
    pub name: String,
    pub present: bool,
    /// By the code, not ticked.
    pub by_code: bool,
}

#[derive(Template)]
#[template(path = "trainings/roll.html", whitespace = "minimize")]
struct RollTpl {
    base: Layout,
    id: i64,
    session: i64,
    seq: u32,
    title: String,
    present: usize,
    roll: Vec<RollView>,
}

pub async fn roll(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, s) = ids(&pg, &raw)?;
    let t = pg.s().trainings().get(id).await.or_page(&pg)?;
    let list = pg.s().trainings().roll(actor, id, s).await.or_page(&pg)?;
    let seq = t.session(s).map(|x| x.seq).unwrap_or_default();
    let roll: Vec<RollView> = list
        .into_iter()
        .map(|r| RollView {
            user_id: r.user.0,
            present: r.check_in.is_some(),
            by_code: r.check_in == Some(kejiyun_core::trainings::CheckIn::Code),
            name: r.name,
        })
        .collect();
    ok(&RollTpl {
        base: pg.layout("tr.roll", "trainings"),
        id: id.0,
        session: s.0,
        seq,
        title: t.title,
        present: roll.iter().filter(|r| r.present).count(),
        roll,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkForm {
    user_id: i64,
    /// `1`: present; anything else: absent.
    present: String,
}

pub async fn mark(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, s) = ids(&pg, &raw)?;
    pg.s()
        .trainings()
        .mark(actor, id, s, UserId(form.user_id), form.present == "1")
        .await
        .or_page(&pg)?;
    Ok(see_other(&format!("/trainings/{id}/sessions/{s}/roll")))
}

#[derive(Template)]
#[template(path = "trainings/code.html", whitespace = "minimize")]
struct CodeTpl {
    base: Layout,
    id: i64,
    title: String,
    seq: u32,
    code: String,
    qr_svg: String,
    url: String,
    refresh_secs: i64,
}

pub async fn code_screen(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(raw): Path<(String, String)>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, s) = ids(&pg, &raw)?;
    let t = pg.s().trainings().get(id).await.or_page(&pg)?;
    let shown = pg
        .s()
        .trainings()
        .current_code(actor, id, s)
        .await
        .or_page(&pg)?;
    let url = absolute(&headers, &check_in_path(id, s, &shown.code));
    ok(&CodeTpl {
        base: pg.layout("tr.code", "trainings"),
        id: id.0,
        seq: t.session(s).map(|x| x.seq).unwrap_or_default(),
        title: t.title,
        qr_svg: qr_svg(&url),
        refresh_secs: shown.seconds_left(pg.s().now()),
        code: shown.code,
        url,
    })
}

#[derive(Template)]
#[template(path = "trainings/check_in.html", whitespace = "minimize")]
struct CheckInTpl {
    base: Layout,
    id: i64,
    session: i64,
    title: String,
    seq: u32,
    code: String,
    done: bool,
    field: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    code: String,
}

async fn check_in_page(
    pg: &Pg<'_>,
    raw: &(String, String),
    code: String,
    outcome: Outcome,
    done: bool,
) -> PageResult {
    let (id, s) = ids(pg, raw)?;
    let t = pg.s().trainings().get(id).await.or_page(pg)?;
    let seq = t
        .session(s)
        .map(|x| x.seq)
        .ok_or_else(|| pg.fail(DomainError::NotFound(pg.t("error.not_found").into())))?;
    let mut base = pg.layout("tr.check_in", "trainings");
    let (status, field) = outcome.apply(&mut base);
    Ok(render(
        status,
        &CheckInTpl {
            base,
            id: id.0,
            session: s.0,
            title: t.title,
            seq,
            code,
            done,
            field,
        },
    ))
}

pub async fn check_in_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    pg.require_login()?;
    let code: String = Params::parse(q.as_deref())
        .get("code")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    check_in_page(&pg, &raw, code, Outcome::Fresh, false).await
}

pub async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    CsrfForm(form): CsrfForm<CheckInForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, s) = ids(&pg, &raw)?;
    match pg.s().trainings().check_in(actor, id, s, &form.code).await {
        Ok(_) => {
            let notice = Outcome::Saved(pg.t("tr.checked_in").into());
            check_in_page(&pg, &raw, String::new(), notice, true).await
        }
        Err(e @ DomainError::Forbidden(_)) => Err(pg.fail(e)),
        Err(e) => {
            let e = form_error(&pg, e)?;
            check_in_page(&pg, &raw, form.code, Outcome::Failed(e), false).await
        }
    }
}
