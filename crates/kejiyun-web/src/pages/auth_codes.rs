//! The forgotten password (找回密码) and the login by one-time code (短信验证码登录): each a
//! page of two steps — ask for a code, then enter it. Asking answers the same whether or not
//! the login name has an account.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::auth::one_time_codes::CodePurpose;
use serde::Deserialize;

use super::auth::{LoginKeyboard, auth_error, login_keyboard_on};
use super::common::{
    Layout, PageResult, Params, Pg, bad_field, form_status, render, safe_next, see_other,
};
use crate::AppState;
use crate::error::{retry_after_of, with_retry_after};
use crate::session::{CsrfForm, Ctx};

/// Which step a code page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Enter the login name, ask for a code.
    Ask,
    /// Enter the code (and, for a reset, the new password).
    Enter,
}

/// What a code page shows besides its step: the typed login, where to go next, the message.
struct Shown<'a> {
    login: &'a str,
    next: Option<String>,
    with: Option<&'a str>,
    err: Option<DomainError>,
    notice: Option<String>,
}

impl<'a> Shown<'a> {
    fn fresh(params: &'a Params) -> Self {
        Self {
            login: "",
            next: safe_next(params.get("next")),
            with: params.get("with"),
            err: None,
            notice: None,
        }
    }

    fn typed(login: &'a str, next: Option<String>) -> Self {
        Self {
            login,
            next,
            with: None,
            err: None,
            notice: None,
        }
    }

    fn error(mut self, e: DomainError) -> Self {
        self.err = Some(e);
        self
    }
}

/// "If this phone number or address has an account, a code is on its way", with its life.
fn sent_notice(pg: &Pg<'_>) -> String {
    pg.t("codes.sent")
        .replace("{minutes}", &pg.s().codes.ttl_minutes().to_string())
}

pub(super) fn step_of(params: &Params) -> Step {
    if params.get("step") == Some("code") {
        Step::Enter
    } else {
        Step::Ask
    }
}

/// Renders a code page: status of the error (429 with `Retry-After` when asked too often).
pub(super) fn page_with<T: Template>(page: &T, err: Option<&DomainError>) -> PageResult {
    let status = err.map_or(StatusCode::OK, form_status);
    Ok(with_retry_after(
        render(status, page),
        err.and_then(retry_after_of),
    ))
}

fn layout(pg: &Pg<'_>, title_key: &str, shown: &mut Shown<'_>) -> Layout {
    let mut base = pg.layout(title_key, "login");
    base.error = shown.err.as_ref().map(ToString::to_string);
    base.notice = shown.notice.take();
    base
}

// ---- 找回密码 ----

#[derive(Template)]
#[template(path = "forgot_password.html", whitespace = "minimize")]
struct ForgotTpl {
    base: Layout,
    keyboard: LoginKeyboard,
    enter: bool,
    login: String,
    field: &'static str,
}

fn forgot_page(pg: &Pg<'_>, step: Step, mut shown: Shown<'_>) -> PageResult {
    let keep: &[(&str, &str)] = match step {
        Step::Ask => &[],
        Step::Enter => &[("step", "code")],
    };
    let page = ForgotTpl {
        base: layout(pg, "forgot.title", &mut shown),
        keyboard: login_keyboard_on("/forgot-password", keep, shown.with, shown.login, None),
        enter: step == Step::Enter,
        login: shown.login.to_owned(),
        field: bad_field(shown.err.as_ref()),
    };
    page_with(&page, shown.err.as_ref())
}

pub async fn forgot_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(q.as_deref());
    forgot_page(&pg, step_of(&params), Shown::fresh(&params))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AskForm {
    login: String,
    next: String,
}

/// Sends a password-reset code and shows the step that takes it.
pub async fn forgot_send(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<AskForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let asked = pg
        .s()
        .codes()
        .request_code(&form.login, CodePurpose::PasswordReset)
        .await;
    let shown = Shown::typed(&form.login, None);
    match asked {
        Ok(()) => forgot_page(
            &pg,
            Step::Enter,
            Shown {
                notice: Some(sent_notice(&pg)),
                ..shown
            },
        ),
        // Asked again too soon: the code sent before may still be on its way.
        Err(e @ DomainError::TooFrequent { .. }) => forgot_page(&pg, Step::Enter, shown.error(e)),
        Err(e) => forgot_page(&pg, Step::Ask, shown.error(auth_error(&pg, e)?)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    login: String,
    code: String,
    password: String,
    password2: String,
}

/// Sets the new password; the login page then says so.
pub async fn forgot_reset(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let reset = if form.password == form.password2 {
        pg.s()
            .codes()
            .reset_password(&form.login, &form.code, &form.password)
            .await
    } else {
        Err(DomainError::invalid("password2", pg.t("forgot.mismatch")))
    };
    match reset {
        Ok(()) => Ok(see_other("/login?reset=done")),
        Err(e) => forgot_page(
            &pg,
            Step::Enter,
            Shown::typed(&form.login, None).error(auth_error(&pg, e)?),
        ),
    }
}

// ---- 短信验证码登录 ----

#[derive(Template)]
#[template(path = "login_code.html", whitespace = "minimize")]
struct CodeLoginTpl {
    base: Layout,
    keyboard: LoginKeyboard,
    enter: bool,
    login: String,
    next: String,
    field: &'static str,
}

fn code_login_page(pg: &Pg<'_>, step: Step, mut shown: Shown<'_>) -> PageResult {
    let keep: &[(&str, &str)] = match step {
        Step::Ask => &[],
        Step::Enter => &[("step", "code")],
    };
    let page = CodeLoginTpl {
        base: layout(pg, "code_login.title", &mut shown),
        keyboard: login_keyboard_on(
            "/login/code",
            keep,
            shown.with,
            shown.login,
            shown.next.as_deref(),
        ),
        enter: step == Step::Enter,
        login: shown.login.to_owned(),
        next: shown.next.clone().unwrap_or_default(),
        field: bad_field(shown.err.as_ref()),
    };
    page_with(&page, shown.err.as_ref())
}

pub async fn code_login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(q.as_deref());
    code_login_page(&pg, step_of(&params), Shown::fresh(&params))
}

/// Sends a login code and shows the step that takes it.
pub async fn code_login_send(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<AskForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let asked = pg
        .s()
        .codes()
        .request_code(&form.login, CodePurpose::Login)
        .await;
    let shown = Shown::typed(&form.login, safe_next(Some(&form.next)));
    match asked {
        Ok(()) => code_login_page(
            &pg,
            Step::Enter,
            Shown {
                notice: Some(sent_notice(&pg)),
                ..shown
            },
        ),
        Err(e @ DomainError::TooFrequent { .. }) => {
            code_login_page(&pg, Step::Enter, shown.error(e))
        }
        Err(e) => code_login_page(&pg, Step::Ask, shown.error(auth_error(&pg, e)?)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeLoginForm {
    login: String,
    code: String,
    next: String,
}

/// Logs in with the code; lands where the password login lands.
pub async fn code_login(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<CodeLoginForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let next = safe_next(Some(&form.next));
    match pg
        .s()
        .codes()
        .login_with_code(&form.login, &form.code)
        .await
    {
        Ok(sign_in) => super::second_factor::after_first_factor(&pg, sign_in, next),
        Err(e) => code_login_page(
            &pg,
            Step::Enter,
            Shown::typed(&form.login, next).error(auth_error(&pg, e)?),
        ),
    }
}
