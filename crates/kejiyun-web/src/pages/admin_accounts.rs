//! `/admin/admins`: the administrators. The security administrator (安全管理员) gives and takes
//! region and system admin roles; the audit administrator (审计管理员) sees the list; the rules
//! are `Accounts::create_admin` / `revoke_admin` (三员分立).

use askama::Template;
use axum::extract::{RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::AdminSpec;
use kejiyun_core::ids::UserId;
use kejiyun_core::permissions::Grant;
use serde::Deserialize;

use super::admin::list_page;
use super::common::{
    Layout, OrPage, Outcome, PageError, PageResult, Params, Pg, form_error, opt, render, see_other,
};
use super::widgets::{Opt, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

pub struct AdminRow {
    pub user_id: i64,
    pub name: String,
    pub role: &'static str,
    pub region: String,
    /// The revoke form's values (the security administrator's, for roles the web may manage).
    pub role_value: &'static str,
    pub region_code: String,
    pub revocable: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdminForm {
    login: String,
    password: String,
    display_name: String,
    role: String,
    region: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    user_id: String,
    role: String,
    region: String,
}

#[derive(Template)]
#[template(path = "admin_admins.html", whitespace = "minimize")]
struct AdminsTpl {
    base: Layout,
    rows: Vec<AdminRow>,
    pager: Pager,
    /// The security administrator: the add form and the revoke buttons.
    can_manage: bool,
    form: AdminForm,
    roles: Vec<Opt>,
    region_select: RegionSelect,
    field: &'static str,
}

/// The security or the audit administrator (the audit administrator only reads).
fn require_admins_reader(pg: &Pg<'_>) -> Result<bool, PageError> {
    let actor = pg.require_login()?;
    if actor.is_security_admin() || actor.is_audit_admin() {
        Ok(actor.is_security_admin())
    } else {
        Err(pg.fail(DomainError::Forbidden(
            pg.t("error.security_admins_only").into(),
        )))
    }
}

async fn admins_page(pg: &Pg<'_>, p: &Params, form: AdminForm, outcome: Outcome) -> PageResult {
    let can_manage = require_admins_reader(pg)?;
    let paged = pg
        .s()
        .store
        .list_admins(list_page(p))
        .await
        .map_err(DomainError::from)
        .or_page(pg)?;
    let pager = Pager::new(pg, "/admin/admins", &[], &paged);
    let rows = paged
        .items
        .into_iter()
        .map(|(u, g)| AdminRow {
            user_id: u.id.0,
            name: u.display_name,
            role: pg.t(&format!("role.{}", g.role().as_str())),
            region: match g {
                Grant::RegionAdmin(r) => pg.region_name(r),
                _ => "—".to_owned(),
            },
            role_value: g.role().as_str(),
            region_code: match g {
                Grant::RegionAdmin(r) => r.to_string(),
                _ => String::new(),
            },
            revocable: can_manage && matches!(g, Grant::RegionAdmin(_) | Grant::SystemAdmin),
        })
        .collect();
    let roles = ["region_admin", "system_admin"]
        .into_iter()
        .map(|r| Opt {
            value: r.to_owned(),
            label: pg.t(&format!("role.{r}")).to_owned(),
            selected: form.role == r,
        })
        .collect();
    let mut base = pg.layout("admin.admins", "admin");
    let (status, field) = outcome.apply(&mut base);
    let page = AdminsTpl {
        base,
        rows,
        pager,
        can_manage,
        roles,
        region_select: RegionSelectSpec::optional("region", "admin.region", "admin.no_region")
            .hint("admin.region_hint")
            .build(pg, &form.region),
        form,
        field,
    };
    Ok(render(status, &page))
}

pub async fn admins(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let p = Params::parse(q.as_deref());
    let outcome = Outcome::from_saved(
        &pg,
        p.get("created").is_some() || p.get("revoked").is_some(),
    );
    let form = AdminForm {
        role: "region_admin".into(),
        ..Default::default()
    };
    admins_page(&pg, &p, form, outcome).await
}

pub async fn create_admin(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<AdminForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let spec = AdminSpec {
        login: form.login.clone(),
        password: opt(&form.password),
        display_name: opt(&form.display_name),
        role: form.role.clone(),
        region: opt(&form.region),
    };
    match pg.s().accounts().create_admin(Some(actor), spec).await {
        Ok(_) => Ok(see_other("/admin/admins?created=1")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            let form = AdminForm {
                password: String::new(),
                ..form
            };
            admins_page(&pg, &Params::default(), form, Outcome::Failed(e)).await
        }
    }
}

pub async fn revoke_admin(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let user = form
        .user_id
        .trim()
        .parse::<i64>()
        .map(UserId)
        .map_err(|_| pg.fail(DomainError::invalid("user_id", "账户编号无效")))?;
    pg.s()
        .accounts()
        .revoke_admin(Some(actor), user, &form.role, opt(&form.region).as_deref())
        .await
        .map_err(|e| pg.fail(e))?;
    Ok(see_other("/admin/admins?revoked=1"))
}
