//! Login and logout (registration is in `register.rs`; login by one-time code and the password
//! reset in `auth_codes.rs`).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kejiyun_core::DomainError;
use kejiyun_core::app::LoginOutcome;
use kejiyun_core::permissions::Actor;
use serde::Deserialize;

use super::common::{
    Layout, PageError, PageResult, Params, Pg, bad_field, form_status, render, safe_next, see_other,
};
use crate::AppState;
use crate::error::retry_after_of;
use crate::session::{CsrfForm, Ctx, SESSION_COOKIE, cookie_header};

/// Only form validation, credentials, lockout, limits and duplicates are shown on the form.
pub(super) fn auth_error(pg: &Pg<'_>, e: DomainError) -> Result<DomainError, PageError> {
    match e {
        DomainError::Invalid { .. }
        | DomainError::Conflict(_)
        | DomainError::BadCredentials
        | DomainError::Locked { .. }
        | DomainError::TooFrequent { .. } => Ok(e),
        other => Err(pg.fail(other)),
    }
}

/// Which keyboard the login field opens on a phone: the number pad (most people sign in with
/// their mobile number), or the e-mail keyboard when asked (`?with=email`) or when what was
/// typed is an address.
pub struct LoginKeyboard {
    pub email: bool,
    /// The same page with the other keyboard.
    pub switch_href: String,
}

fn login_keyboard(
    page: &str,
    with: Option<&str>,
    typed: &str,
    next: Option<&str>,
) -> LoginKeyboard {
    login_keyboard_on(page, &[], with, typed, next)
}

/// [`login_keyboard`] for a page that keeps the query parameters `keep` in its switch link.
pub(super) fn login_keyboard_on(
    page: &str,
    keep: &[(&str, &str)],
    with: Option<&str>,
    typed: &str,
    next: Option<&str>,
) -> LoginKeyboard {
    let email = with == Some("email") || typed.contains('@');
    let mut pairs: Vec<(&str, &str)> = keep.to_vec();
    if !email {
        pairs.push(("with", "email"));
    }
    if let Some(n) = next {
        pairs.push(("next", n));
    }
    let q = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    LoginKeyboard {
        email,
        switch_href: if q.is_empty() {
            page.to_owned()
        } else {
            format!("{page}?{q}")
        },
    }
}

/// Where a login leads when no page asked for it: each role where its work is — a region or
/// system admin to the moderation queue (工作台), the security administrator to the
/// administrators, the audit administrator to the audit log, everyone else to their own
/// postings (我的发布).
pub(super) fn landing(actor: &Actor) -> &'static str {
    match super::common::admin_home(actor) {
        "" => "/me/postings",
        admin => admin,
    }
}

/// Opens a session for `login` and sends the browser on with the session cookie (or asks
/// for the second factor).
pub(super) async fn log_in_and_go(
    pg: &Pg<'_>,
    login: &str,
    password: &str,
    to: Option<String>,
) -> Result<PageResult, DomainError> {
    let sign_in = pg.s().accounts().login(login, password).await?;
    Ok(super::second_factor::after_first_factor(pg, sign_in, to))
}

/// Sends the browser of a new session on with its cookie: to `to`, or where its role lands.
pub(super) fn go_with_session(pg: &Pg<'_>, outcome: &LoginOutcome, to: Option<&str>) -> Response {
    // An admin without the second factor the policy requires: to where it is set up.
    let to = to.unwrap_or_else(|| {
        if outcome.session.needs_second_factor {
            "/me/security"
        } else {
            landing(&outcome.actor)
        }
    });
    let cookie = cookie_header(
        SESSION_COOKIE,
        &outcome.token,
        pg.s().sessions.absolute_secs,
        true,
        pg.state.config.secure_cookies,
    );
    ([(SET_COOKIE, cookie)], see_other(to)).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    login: String,
    password: String,
    next: String,
}

#[derive(Template)]
#[template(path = "login.html", whitespace = "minimize")]
struct LoginTpl {
    base: Layout,
    keyboard: LoginKeyboard,
    login: String,
    next: String,
    /// The login by one-time code, keeping `next`.
    code_login_href: String,
    demo_notice: Option<String>,
    field: &'static str,
}

/// The login page, with the form's error or a notice.
fn login_page(
    pg: &Pg<'_>,
    login: &str,
    next: Option<String>,
    with: Option<&str>,
    err: Option<DomainError>,
    notice: Option<&str>,
) -> PageResult {
    let status = err.as_ref().map_or(StatusCode::OK, form_status);
    let field = bad_field(err.as_ref());
    let retry_after = err.as_ref().and_then(retry_after_of);
    let mut base = pg.layout("login.title", "login");
    base.error = err.map(|e| e.to_string());
    base.notice = notice.map(str::to_owned);
    let code_login_href = match &next {
        Some(n) => format!(
            "/login/code?{}",
            serde_urlencoded::to_string([("next", n)]).unwrap_or_default()
        ),
        None => "/login/code".to_owned(),
    };
    let page = LoginTpl {
        base,
        keyboard: login_keyboard("/login", with, login, next.as_deref()),
        login: login.to_owned(),
        next: next.unwrap_or_default(),
        code_login_href,
        demo_notice: pg.state.config.demo_notice.clone(),
        field,
    };
    let mut resp = render(status, &page);
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(resp)
}

pub async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(q.as_deref());
    let next = safe_next(params.get("next"));
    // A password reset lands here (`?reset=done`): say that it worked.
    let notice = (params.get("reset") == Some("done")).then(|| pg.t("forgot.done"));
    login_page(&pg, "", next, params.get("with"), None, notice)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let next = safe_next(Some(&form.next));
    match log_in_and_go(&pg, &form.login, &form.password, next.clone()).await {
        Ok(r) => r,
        Err(e) => {
            let e = auth_error(&pg, e)?;
            login_page(&pg, &form.login, next, None, Some(e), None)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Response {
    if let Some(session) = &ctx.session
        && let Err(e) = state
            .services
            .accounts()
            .logout(&session.actor, &session.token)
            .await
    {
        tracing::warn!(error = %e, "logout failed");
    }
    let clear = cookie_header(SESSION_COOKIE, "", 0, true, state.config.secure_cookies);
    ([(SET_COOKIE, clear)], see_other("/")).into_response()
}
