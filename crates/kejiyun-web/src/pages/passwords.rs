//! `/me/password`: changing one's password; `/admin/lockouts`: the locked login names and
//! their unlock button.

use askama::Template;
use axum::extract::{RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::UnlockTarget;
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, render, see_other,
};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

#[derive(Template)]
#[template(path = "me_password.html", whitespace = "minimize")]
struct PasswordTpl {
    base: Layout,
    field: &'static str,
}

async fn password_page(pg: &Pg<'_>, outcome: Outcome) -> PageResult {
    pg.require_login()?;
    let mut base = pg.layout("pw.title", "me");
    let (status, field) = outcome.apply(&mut base);
    Ok(render(status, &PasswordTpl { base, field }))
}

pub async fn form(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let outcome = if Params::parse(q.as_deref()).get("changed").is_some() {
        Outcome::Saved(pg.t("pw.changed").to_owned())
    } else {
        Outcome::Fresh
    };
    password_page(&pg, outcome).await
}

pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let Some(session) = pg.ctx.session.as_ref() else {
        return Err(pg.fail(DomainError::Unauthenticated));
    };
    let result = if form.new_password != form.confirm_password {
        Err(DomainError::invalid(
            "confirm_password",
            pg.t("pw.mismatch"),
        ))
    } else {
        pg.s()
            .passwords()
            .change_password(
                actor,
                &session.token,
                &form.current_password,
                &form.new_password,
            )
            .await
    };
    match result {
        Ok(()) => Ok(see_other("/me/password?changed=1")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            password_page(&pg, Outcome::Failed(e)).await
        }
    }
}

pub struct LockoutRow {
    pub login: String,
    pub name_ref: String,
    pub until: String,
    pub level: u32,
}

#[derive(Template)]
#[template(path = "admin_lockouts.html", whitespace = "minimize")]
struct LockoutsTpl {
    base: Layout,
    rows: Vec<LockoutRow>,
}

async fn lockouts_page(pg: &Pg<'_>, outcome: Outcome) -> PageResult {
    let actor = pg.require_login()?; // `Passwords::lockouts` decides
    let rows = pg
        .s()
        .passwords()
        .lockouts(actor)
        .await
        .or_page(pg)?
        .into_iter()
        .map(|l| LockoutRow {
            login: l.login,
            name_ref: l.name_ref,
            until: l.locked_until.to_shanghai_display(),
            level: l.level,
        })
        .collect();
    let mut base = pg.layout("lock.title", "admin");
    let (status, _) = outcome.apply(&mut base);
    Ok(render(status, &LockoutsTpl { base, rows }))
}

pub async fn lockouts(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let outcome = if Params::parse(q.as_deref()).get("unlocked").is_some() {
        Outcome::Saved(pg.t("lock.unlocked").to_owned())
    } else {
        Outcome::Fresh
    };
    lockouts_page(&pg, outcome).await
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct UnlockForm {
    name_ref: String,
}

pub async fn unlock(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<UnlockForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?; // `Passwords::unlock` decides
    let target = UnlockTarget {
        name_ref: Some(form.name_ref),
        ..UnlockTarget::default()
    };
    match pg.s().passwords().unlock(actor, target).await {
        Ok(()) => Ok(see_other("/admin/lockouts?unlocked=1")),
        Err(e @ DomainError::NotFound(_)) => lockouts_page(&pg, Outcome::Failed(e)).await,
        Err(e) => Err(pg.fail(e)),
    }
}
