//! The caller's own pages: profile and tech-worker application.

use askama::Template;
use axum::extract::{RawQuery, State};
use kejiyun_core::accounts::User;
use kejiyun_core::permissions::{Actor, Grant};
use kejiyun_core::tech_workers::{TechWorker, TechWorkerInput};
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, opt, render, see_other,
};
use super::widgets::{RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

pub struct Link {
    pub href: String,
    pub label: String,
    pub badge: Option<&'static str>,
    pub status: &'static str,
}

pub struct TwBox {
    pub status: &'static str,
    pub label: &'static str,
    pub reject_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    display_name: String,
    region: String,
    bio: String,
}

#[derive(Template)]
#[template(path = "me.html", whitespace = "minimize")]
struct MeTpl {
    base: Layout,
    user_name: String,
    phone: Option<String>,
    email: Option<String>,
    region: Option<String>,
    roles: Vec<&'static str>,
    admin_regions: Vec<Link>,
    tech_worker: Option<TwBox>,
    orgs: Vec<Link>,
    member_since: String,
    form: ProfileForm,
    region_select: RegionSelect,
    field: &'static str,
}

async fn me_page(
    pg: &Pg<'_>,
    actor: &Actor,
    user: &User,
    form: ProfileForm,
    outcome: Outcome,
) -> PageResult {
    let s = pg.s();
    let tw = s.tech_workers().mine(actor).await.or_page(pg)?;
    let mut orgs = Vec::new();
    for g in &actor.grants {
        if let Grant::OrgAdmin(id) = g
            && let Ok(o) = s.orgs().get(Some(actor), *id).await
        {
            orgs.push(Link {
                href: format!("/orgs/{id}"),
                label: o.profile.name,
                status: o.status.as_str(),
                badge: Some(pg.status_label(o.status)),
            });
        }
    }
    let admin_regions = actor
        .grants
        .iter()
        .filter_map(|g| match g {
            Grant::RegionAdmin(r) => Some(Link {
                href: format!("/regions/{r}"),
                label: pg.region_name(*r),
                status: "",
                badge: None,
            }),
            _ => None,
        })
        .collect();
    let mut base = pg.layout("me.title", "me");
    let (status, field) = outcome.apply(&mut base);
    let page = MeTpl {
        base,
        user_name: user.display_name.clone(),
        phone: user.phone.as_ref().map(|p| p.as_str().to_owned()),
        email: user.email.as_ref().map(|e| e.as_str().to_owned()),
        region: user.region.map(|r| pg.region_name(r)),
        roles: actor
            .roles()
            .into_iter()
            .map(|r| pg.t(&format!("role.{}", r.as_str())))
            .collect(),
        admin_regions,
        tech_worker: tw.map(|t| TwBox {
            status: t.status.as_str(),
            label: pg.status_label(t.status),
            reject_reason: t.reject_reason,
        }),
        orgs,
        member_since: user.created_at.to_shanghai_display(),
        region_select: RegionSelectSpec::optional("region", "me.region", "register.no_region")
            .build(pg, &form.region),
        form,
        field,
    };
    Ok(render(status, &page))
}

pub async fn me(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let user = pg.s().accounts().me(actor).await.or_page(&pg)?;
    let form = ProfileForm {
        display_name: user.display_name.clone(),
        region: user.region.map(|r| r.to_string()).unwrap_or_default(),
        bio: user.bio.clone().unwrap_or_default(),
    };
    let saved = Params::parse(q.as_deref()).get("saved").is_some();
    me_page(&pg, actor, &user, form, Outcome::from_saved(&pg, saved)).await
}

pub async fn update_me(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let s = pg.s();
    match s
        .accounts()
        .update_profile(
            actor,
            &form.display_name,
            Some(&form.region),
            Some(&form.bio),
        )
        .await
    {
        Ok(_) => Ok(see_other("/me?saved=1")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            let user = s.accounts().me(actor).await.or_page(&pg)?;
            me_page(&pg, actor, &user, form, Outcome::Failed(e)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TwForm {
    field: String,
    title: String,
    employer: String,
    expertise: String,
    service_region: String,
    bio: String,
    id_card: String,
}

impl TwForm {
    fn input(&self) -> TechWorkerInput {
        TechWorkerInput {
            field: self.field.clone(),
            title: opt(&self.title),
            employer: self.employer.clone(),
            expertise: vec![self.expertise.clone()],
            service_region: self.service_region.clone(),
            bio: opt(&self.bio),
            id_card: opt(&self.id_card),
        }
    }

    fn from_tw(t: &TechWorker) -> Self {
        let p = &t.profile;
        Self {
            field: p.field.clone(),
            title: p.title.clone().unwrap_or_default(),
            employer: p.employer.clone(),
            expertise: p.expertise.join("，"),
            service_region: p.service_region.to_string(),
            bio: p.bio.clone().unwrap_or_default(),
            id_card: p
                .id_card
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "me_tech_worker.html", whitespace = "minimize")]
struct TwFormTpl {
    base: Layout,
    /// `none` before applying.
    status: &'static str,
    status_label: &'static str,
    reject_reason: Option<String>,
    profile_href: Option<String>,
    form: TwForm,
    region_select: RegionSelect,
    field: &'static str,
}

fn tw_page(
    pg: &Pg<'_>,
    current: Option<&TechWorker>,
    form: TwForm,
    outcome: Outcome,
) -> PageResult {
    let title = if current.is_some() {
        "tw.edit_title"
    } else {
        "tw.apply_title"
    };
    let mut base = pg.layout(title, "me");
    let (status, field) = outcome.apply(&mut base);
    let page = TwFormTpl {
        base,
        status: current.map_or("none", |t| t.status.as_str()),
        status_label: current.map_or_else(|| pg.t("status.none"), |t| pg.status_label(t.status)),
        reject_reason: current.and_then(|t| t.reject_reason.clone()),
        profile_href: current.map(|t| format!("/tech-workers/{}", t.id)),
        region_select: RegionSelectSpec::required("service_region", "tw.service_region")
            .hint("tw.service_region_hint")
            .build(pg, &form.service_region),
        form,
        field,
    };
    Ok(render(status, &page))
}

pub async fn tech_worker_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let current = pg.s().tech_workers().mine(actor).await.or_page(&pg)?;
    let form = current.as_ref().map(TwForm::from_tw).unwrap_or_default();
    let saved = Params::parse(q.as_deref()).get("saved").is_some();
    tw_page(&pg, current.as_ref(), form, Outcome::from_saved(&pg, saved))
}

pub async fn save_tech_worker(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TwForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let s = pg.s();
    let current = s.tech_workers().mine(actor).await.or_page(&pg)?;
    let input = form.input();
    let result = match &current {
        Some(t) => s.tech_workers().edit(actor, t.id, &input).await.map(|_| ()),
        None => s.tech_workers().apply(actor, &input).await.map(|_| ()),
    };
    match result {
        Ok(()) => Ok(see_other("/me/tech-worker?saved=1")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            tw_page(&pg, current.as_ref(), form, Outcome::Failed(e))
        }
    }
}
