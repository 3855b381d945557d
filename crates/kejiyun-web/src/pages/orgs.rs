//! The organization directory, its pages, and the register / edit forms.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::ids::OrgId;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::orgs::{Org, OrgInput, OrgType};
use kejiyun_core::permissions::{Actor, sees_personal_data};
use serde::Deserialize;

use super::common::{
    Layout, OrPage, PageError, PageResult, Params, Pg, bad_field, form_error, form_status, ok, opt,
    parse_id, render, see_other,
};
use super::market::{Provider, Shelf, provider_shelf};
use super::tech_workers::{Filters, local_region_name};
use super::widgets::{ModerateForms, Opt, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};
use crate::view;

pub struct OrgRow {
    pub href: String,
    pub name: String,
    pub org_type: &'static str,
    pub region: String,
    pub status: &'static str,
    pub badge: Option<&'static str>,
}

pub fn org_row(pg: &Pg<'_>, o: Org) -> OrgRow {
    OrgRow {
        href: format!("/orgs/{}", o.id),
        org_type: pg.org_type_label(o.profile.org_type),
        region: local_region_name(pg, o.profile.region),
        name: o.profile.name,
        status: o.status.as_str(),
        badge: (o.status != ModerationStatus::Published).then(|| pg.status_label(o.status)),
    }
}

fn type_options(pg: &Pg<'_>, selected: &str) -> Vec<Opt> {
    OrgType::ALL
        .into_iter()
        .map(|t| Opt {
            value: t.as_str().to_owned(),
            label: pg.org_type_label(t).to_owned(),
            selected: t.as_str() == selected,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "orgs.html", whitespace = "minimize")]
struct DirectoryTpl {
    base: Layout,
    region_select: RegionSelect,
    types: Vec<Opt>,
    q: String,
    orgs: Vec<OrgRow>,
    pager: Pager,
}

pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let mut f = Filters::read(&params);
    let type_raw = params.get("type").unwrap_or_default().to_owned();
    let org_type = match type_raw.as_str() {
        "" => None,
        t => match OrgType::parse(t) {
            Ok(t) => Some(t),
            Err(e) => {
                f.error = Some(e.to_string());
                None
            }
        },
    };
    let paged = pg
        .s()
        .orgs()
        .list(None, f.query(), org_type, f.page)
        .await
        .or_page(&pg)?;
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let ty = org_type.map(OrgType::as_str).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        "/orgs",
        &[("type", ty), ("region", &region), ("q", &f.q)],
        &paged,
    );
    let mut base = pg.layout("org.directory", "orgs");
    base.error = f.error.clone();
    ok(&DirectoryTpl {
        base,
        region_select: f.region_select(&pg),
        types: type_options(&pg, ty),
        q: f.q.clone(),
        orgs: paged.items.into_iter().map(|o| org_row(&pg, o)).collect(),
        pager,
    })
}

#[derive(Template)]
#[template(path = "org.html", whitespace = "minimize")]
struct OrgTpl {
    base: Layout,
    /// The provider's services and achievements, and the 咨询 button's target.
    shelf: Shelf,
    row: OrgRow,
    region_href: String,
    credit_code: Option<String>,
    address: Option<String>,
    description: Option<String>,
    contact_phone: Option<String>,
    reject_reason: Option<String>,
    verified_at: Option<String>,
    edit_href: Option<String>,
    moderate: Option<ModerateForms>,
}

fn can_edit(actor: Option<&Actor>, org: &Org) -> bool {
    actor.is_some_and(|a| a.user_id == org.admin_user_id || a.manages_org(org.id))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = parse_id(&pg, &raw)?;
    let org = pg
        .s()
        .orgs()
        .get(pg.actor(), OrgId(id))
        .await
        .or_page(&pg)?;
    let actor = pg.actor();
    let region = org.profile.region;
    let privileged = sees_personal_data(actor, org.admin_user_id, Some(region));
    let moderate = (org.status == ModerationStatus::Pending
        && actor.is_some_and(|a| a.administers(region)))
    .then(|| ModerateForms::new(&pg, "org", id));
    let mut base = pg.layout_titled(org.profile.name.clone(), "orgs");
    let params = Params::parse(q.as_deref());
    if params.get("created").is_some() {
        base.notice = Some(pg.t("org.created").into());
    } else if params.get("saved").is_some() {
        base.notice = Some(pg.t("org.saved").into());
    }
    let shelf = provider_shelf(&pg, Provider::Org(org.id)).await?;
    ok(&OrgTpl {
        base,
        shelf,
        region_href: format!("/regions/{region}"),
        credit_code: org
            .profile
            .credit_code
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        address: org.profile.address.clone(),
        description: org.profile.description.clone(),
        contact_phone: org
            .profile
            .contact_phone
            .as_ref()
            .map(|p| view::phone(actor, org.admin_user_id, Some(region), p)),
        reject_reason: if privileged {
            org.reject_reason.clone()
        } else {
            None
        },
        verified_at: org.verified_at.map(|t| t.to_shanghai_display()),
        edit_href: can_edit(actor, &org).then(|| format!("/orgs/{id}/edit")),
        moderate,
        row: org_row(&pg, org),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgForm {
    name: String,
    org_type: String,
    region: String,
    credit_code: String,
    address: String,
    description: String,
    contact_phone: String,
}

impl OrgForm {
    fn input(&self) -> OrgInput {
        OrgInput {
            name: self.name.clone(),
            org_type: self.org_type.clone(),
            region: self.region.clone(),
            credit_code: opt(&self.credit_code),
            address: opt(&self.address),
            description: opt(&self.description),
            contact_phone: opt(&self.contact_phone),
        }
    }

    fn from_org(o: &Org) -> Self {
        let p = &o.profile;
        Self {
            name: p.name.clone(),
            org_type: p.org_type.as_str().to_owned(),
            region: p.region.to_string(),
            credit_code: p
                .credit_code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            description: p.description.clone().unwrap_or_default(),
            contact_phone: p
                .contact_phone
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "org_form.html", whitespace = "minimize")]
struct OrgFormTpl {
    base: Layout,
    heading: &'static str,
    action: String,
    cancel: String,
    form: OrgForm,
    types: Vec<Opt>,
    region_select: RegionSelect,
    field: &'static str,
}

fn org_form_page(
    pg: &Pg<'_>,
    editing: Option<i64>,
    form: OrgForm,
    err: Option<DomainError>,
) -> PageResult {
    let (heading, action, cancel) = match editing {
        Some(id) => (
            "org.edit",
            format!("/orgs/{id}/edit"),
            format!("/orgs/{id}"),
        ),
        None => ("org.new", "/orgs/new".to_owned(), "/orgs".to_owned()),
    };
    let status = err.as_ref().map_or(StatusCode::OK, form_status);
    let field = bad_field(err.as_ref());
    let mut base = pg.layout(heading, "orgs");
    base.error = err.map(|e| e.to_string());
    let page = OrgFormTpl {
        base,
        heading: pg.t(heading),
        action,
        cancel,
        types: type_options(pg, &form.org_type),
        region_select: RegionSelectSpec::required("region", "org.region").build(pg, &form.region),
        form,
        field,
    };
    Ok(render(status, &page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    pg.require_login()?;
    org_form_page(&pg, None, OrgForm::default(), None)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<OrgForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    match pg.s().orgs().register(actor, &form.input()).await {
        Ok(id) => Ok(see_other(&format!("/orgs/{id}?created=1"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            org_form_page(&pg, None, form, Some(e))
        }
    }
}

/// The organization, if the caller may edit it (else the 403 / 404 / login page).
async fn editable(pg: &Pg<'_>, raw: &str) -> Result<Org, PageError> {
    let actor = pg.require_login()?;
    let id = parse_id(pg, raw)?;
    let org = pg
        .s()
        .orgs()
        .get(Some(actor), OrgId(id))
        .await
        .or_page(pg)?;
    if can_edit(Some(actor), &org) {
        Ok(org)
    } else {
        Err(pg.fail(DomainError::Forbidden(pg.t("org.not_admin").into())))
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let org = editable(&pg, &raw).await?;
    org_form_page(&pg, Some(org.id.0), OrgForm::from_org(&org), None)
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<OrgForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let org = editable(&pg, &raw).await?;
    let actor = pg.require_login()?;
    match pg.s().orgs().edit(actor, org.id, &form.input()).await {
        Ok(_) => Ok(see_other(&format!("/orgs/{}?saved=1", org.id))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            org_form_page(&pg, Some(org.id.0), form, Some(e))
        }
    }
}
