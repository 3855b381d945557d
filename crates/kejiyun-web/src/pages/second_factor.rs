//! The second factor (动态口令) in pages: the login's second step (`/login/second-factor`) and
//! the caller's security page (`/me/security`): enrol with a QR code or the key, confirm,
//! regenerate recovery codes, turn it off.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::app::{Enrolment, SignIn};
use serde::Deserialize;

use super::auth::{auth_error, go_with_session};
use super::code_screen::qr_svg;
use super::common::{
    Layout, PageResult, Params, Pg, bad_field, form_error, form_status, render, safe_next,
    see_other,
};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

#[derive(Template)]
#[template(path = "login_second_factor.html", whitespace = "minimize")]
struct StepTpl {
    base: Layout,
    challenge: String,
    next: String,
    field: &'static str,
}

fn step_page(
    pg: &Pg<'_>,
    challenge: &str,
    next: Option<String>,
    err: Option<DomainError>,
) -> PageResult {
    let status = err.as_ref().map_or(StatusCode::OK, form_status);
    let field = bad_field(err.as_ref());
    let mut base = pg.layout("second_factor.step_title", "login");
    base.error = err.map(|e| e.to_string());
    let page = StepTpl {
        base,
        challenge: challenge.to_owned(),
        next: next.unwrap_or_default(),
        field,
    };
    Ok(render(status, &page))
}

/// After a right password or login code: the session, or the page asking for the code.
pub(super) fn after_first_factor(pg: &Pg<'_>, sign_in: SignIn, next: Option<String>) -> PageResult {
    match sign_in {
        SignIn::Session(outcome) => Ok(go_with_session(pg, &outcome, next.as_deref())),
        SignIn::SecondFactor(c) => step_page(pg, &c.token, next, None),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    challenge: String,
    code: String,
    next: String,
}

pub async fn login_step(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<StepForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let next = safe_next(Some(&form.next));
    match pg
        .s()
        .second_factor()
        .login(&form.challenge, &form.code)
        .await
    {
        Ok(outcome) => Ok(go_with_session(&pg, &outcome, next.as_deref())),
        Err(e) => {
            let e = auth_error(&pg, e)?;
            step_page(&pg, &form.challenge, next, Some(e))
        }
    }
}

/// A started enrolment as the page shows it.
pub struct EnrolView {
    /// The key in groups of four, easier to type.
    pub secret: String,
    pub uri: String,
    pub qr: String,
}

#[derive(Template)]
#[template(path = "me_security.html", whitespace = "minimize")]
struct SecurityTpl {
    base: Layout,
    enabled: bool,
    required: bool,
    satisfied: bool,
    recovery_left: usize,
    enrolment: Option<EnrolView>,
    /// The confirm form (an enrolment was started in this visit).
    confirming: bool,
    recovery_codes: Vec<String>,
    field: &'static str,
}

#[derive(Default)]
struct Shown {
    enrolment: Option<Enrolment>,
    confirming: bool,
    recovery_codes: Vec<String>,
    notice: Option<&'static str>,
    error: Option<DomainError>,
}

async fn security_page(pg: &Pg<'_>, shown: Shown) -> PageResult {
    let actor = pg.require_login()?;
    let Some(session) = pg.ctx.session.as_ref() else {
        return Err(pg.fail(DomainError::Unauthenticated));
    };
    let sf = pg.s().second_factor();
    let status = sf
        .status(actor.user_id, &session.token)
        .await
        .map_err(|e| pg.fail(e))?;
    let recovery_left = if status.enabled {
        sf.recovery_codes_left(actor)
            .await
            .map_err(|e| pg.fail(e))?
    } else {
        0
    };
    let http = shown.error.as_ref().map_or(StatusCode::OK, form_status);
    let field = bad_field(shown.error.as_ref());
    let mut base = pg.layout("second_factor.title", "me");
    base.notice = shown.notice.map(|k| pg.t(k).to_owned());
    base.error = shown.error.map(|e| e.to_string());
    let page = SecurityTpl {
        base,
        enabled: status.enabled,
        required: status.required,
        satisfied: status.satisfied,
        recovery_left,
        enrolment: shown.enrolment.map(|e| EnrolView {
            secret: group(&e.secret),
            qr: qr_svg(&e.uri),
            uri: e.uri,
        }),
        confirming: shown.confirming,
        recovery_codes: shown.recovery_codes,
        field,
    };
    Ok(render(http, &page))
}

fn group(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn security(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let notice = (Params::parse(q.as_deref()).get("done") == Some("disabled"))
        .then_some("second_factor.disabled");
    security_page(
        &pg,
        Shown {
            notice,
            ..Shown::default()
        },
    )
    .await
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let shown = match pg.s().second_factor().start(actor).await {
        Ok(e) => Shown {
            enrolment: Some(e),
            confirming: true,
            ..Shown::default()
        },
        Err(e) => Shown {
            error: Some(form_error(&pg, e)?),
            ..Shown::default()
        },
    };
    security_page(&pg, shown).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let Some(session) = pg.ctx.session.as_ref() else {
        return Err(pg.fail(DomainError::Unauthenticated));
    };
    let shown = match pg
        .s()
        .second_factor()
        .confirm(actor, &session.token, &form.code)
        .await
    {
        Ok(codes) => Shown {
            recovery_codes: codes,
            notice: Some("second_factor.enabled_notice"),
            ..Shown::default()
        },
        Err(e) => Shown {
            confirming: true,
            error: Some(form_error(&pg, e)?),
            ..Shown::default()
        },
    };
    security_page(&pg, shown).await
}

pub async fn regenerate(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let shown = match pg.s().second_factor().regenerate(actor, &form.code).await {
        Ok(codes) => Shown {
            recovery_codes: codes,
            notice: Some("second_factor.regenerated"),
            ..Shown::default()
        },
        Err(e) => Shown {
            error: Some(form_error(&pg, e)?),
            ..Shown::default()
        },
    };
    security_page(&pg, shown).await
}

pub async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    match pg.s().second_factor().disable(actor, &form.code).await {
        Ok(()) => Ok(see_other("/me/security?done=disabled")),
        Err(e) => {
            let e = match e {
                DomainError::Forbidden(_) => e,
                other => form_error(&pg, other)?,
            };
            security_page(
                &pg,
                Shown {
                    error: Some(e),
                    ..Shown::default()
                },
            )
            .await
        }
    }
}
