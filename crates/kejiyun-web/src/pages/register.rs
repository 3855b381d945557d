//! Registration (注册) in two steps: a code to the phone number or address, then the code with
//! the password and name. Asking for the code answers the same whether or not the number is
//! registered (a registered one gets a reminder instead), so the page cannot be used to find
//! out who has an account.

use askama::Template;
use axum::extract::{RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::RegisterInput;
use kejiyun_core::auth::one_time_codes::CodePurpose;
use serde::Deserialize;

use super::auth::{LoginKeyboard, auth_error, log_in_and_go, login_keyboard_on};
use super::auth_codes::{Step, page_with, step_of};
use super::common::{Layout, PageResult, Params, Pg, bad_field, see_other};
use super::widgets::{RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    login: String,
    code: String,
    password: String,
    display_name: String,
    region: String,
}

#[derive(Template)]
#[template(path = "register.html", whitespace = "minimize")]
struct RegisterTpl {
    base: Layout,
    keyboard: LoginKeyboard,
    enter: bool,
    login: String,
    display_name: String,
    region_select: RegionSelect,
    field: &'static str,
}

fn register_page(
    pg: &Pg<'_>,
    step: Step,
    form: &RegisterForm,
    with: Option<&str>,
    err: Option<DomainError>,
    notice: Option<String>,
) -> PageResult {
    let mut base = pg.layout("register.title", "register");
    base.error = err.as_ref().map(ToString::to_string);
    base.notice = notice;
    let keep: &[(&str, &str)] = match step {
        Step::Ask => &[],
        Step::Enter => &[("step", "code")],
    };
    let page = RegisterTpl {
        base,
        keyboard: login_keyboard_on("/register", keep, with, &form.login, None),
        enter: step == Step::Enter,
        login: form.login.clone(),
        display_name: form.display_name.clone(),
        region_select: RegionSelectSpec::optional(
            "region",
            "register.region",
            "register.no_region",
        )
        .hint("register.region_hint")
        .build(pg, &form.region),
        field: bad_field(err.as_ref()),
    };
    page_with(&page, err.as_ref())
}

pub async fn register_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(q.as_deref());
    let form = RegisterForm {
        login: params.get("login").unwrap_or_default().to_owned(),
        ..RegisterForm::default()
    };
    register_page(&pg, step_of(&params), &form, params.get("with"), None, None)
}

/// Sends the registration code and shows the step that takes it.
pub async fn register_send(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let asked = pg
        .s()
        .codes()
        .request_code(&form.login, CodePurpose::Register)
        .await;
    match asked {
        Ok(()) => {
            let notice = pg
                .t("register.code_sent")
                .replace("{minutes}", &pg.s().codes.ttl_minutes().to_string());
            register_page(&pg, Step::Enter, &form, None, None, Some(notice))
        }
        // Asked again too soon: the code sent before may still be on its way.
        Err(e @ DomainError::TooFrequent { .. }) => {
            register_page(&pg, Step::Enter, &form, None, Some(e), None)
        }
        Err(e) => register_page(&pg, Step::Ask, &form, None, Some(auth_error(&pg, e)?), None),
    }
}

/// Registers with the code and logs the new account in.
pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let input = RegisterInput {
        login: form.login.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        region: Some(form.region.clone()),
    };
    if let Err(e) = pg.s().accounts().register(input, &form.code).await {
        let e = auth_error(&pg, e)?;
        return register_page(&pg, Step::Enter, &form, None, Some(e), None);
    }
    match log_in_and_go(&pg, &form.login, &form.password, Some("/me".into())).await {
        Ok(r) => r,
        // Registered, but the session could not be opened (e.g. locked): log in by hand.
        Err(_) => Ok(see_other("/login?next=%2Fme")),
    }
}
