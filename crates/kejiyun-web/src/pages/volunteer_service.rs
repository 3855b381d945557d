//! The volunteer's side of an activity: the organizer's code screen (the rotating code and its
//! QR code, the same engine as the trainings'), the volunteer's check-in / check-out page, the
//! certificates of approved hours (per activity, and per year from `/volunteers/me`) and the
//! service record `/volunteers/me` shows.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use kejiyun_core::DomainError;
use kejiyun_core::ids::{ActivityId, UserId};
use kejiyun_core::volunteers::activities::{HoursStatus, check_in_path, hours_text};
use serde::Deserialize;

use super::code_screen::{absolute, qr_svg};
use super::common::{
    Layout, OrPage, Outcome, PageError, PageResult, Params, Pg, form_error, ok, render, see_other,
};
use super::volunteer_activities::{SignupView, activity_id, hours_label, signup_view, when};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

/// The volunteer asks for the certificate of their approved hours on the activity: issued (or
/// found) and listed with their others.
pub async fn certificate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = activity_id(&pg, &raw)?;
    pg.s()
        .volunteer_activities()
        .activity_certificate(actor, id)
        .await
        .or_page(&pg)?;
    Ok(see_other("/me/certificates"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearForm {
    year: String,
}

/// The certificate of a year's approved hours, asked from `/volunteers/me`.
pub async fn year_certificate(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<YearForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let year = form
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=9999).contains(y))
        .ok_or_else(|| pg.fail(DomainError::invalid("year", "年份不正确")))?;
    pg.s()
        .volunteer_activities()
        .year_certificate(actor, year)
        .await
        .or_page(&pg)?;
    Ok(see_other("/me/certificates"))
}

#[derive(Template)]
#[template(path = "volunteers/activity_code.html", whitespace = "minimize")]
struct CodeTpl {
    base: Layout,
    id: i64,
    title: String,
    code: String,
    qr_svg: String,
    url: String,
    refresh_secs: i64,
}

/// The organizer's screen: the code now and its QR code, refreshed when the code changes.
pub async fn code_screen(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = activity_id(&pg, &raw)?;
    let va = pg.s().volunteer_activities();
    let a = va.organized(actor, id).await.or_page(&pg)?;
    let shown = va.current_code(actor, id).await.or_page(&pg)?;
    let url = absolute(&headers, &check_in_path(id, &shown.code));
    ok(&CodeTpl {
        base: pg.layout("vact.code", "volunteers"),
        id: id.0,
        title: a.title,
        qr_svg: qr_svg(&url),
        refresh_secs: shown.seconds_left(pg.s().now()),
        code: shown.code,
        url,
    })
}

#[derive(Template)]
#[template(path = "volunteers/activity_check_in.html", whitespace = "minimize")]
struct CheckInTpl {
    base: Layout,
    id: i64,
    title: String,
    when: String,
    code: String,
    mine: Option<SignupView>,
    field: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    code: String,
    /// `in` (签到) or `out` (签退).
    action: String,
}

async fn check_in_page(pg: &Pg<'_>, id: ActivityId, code: String, outcome: Outcome) -> PageResult {
    let actor = pg.require_login()?;
    let va = pg.s().volunteer_activities();
    let a = va.get(id).await.or_page(pg)?;
    let mine = va.my_signup(actor, id).await.or_page(pg)?;
    let mut base = pg.layout_titled(
        format!("{} · {}", pg.t("vact.check_in_title"), a.title),
        "volunteers",
    );
    let (status, field) = outcome.apply(&mut base);
    Ok(render(
        status,
        &CheckInTpl {
            base,
            id: id.0,
            when: when(&a),
            title: a.title,
            code,
            mine: mine.map(|s| signup_view(pg, s)),
            field,
        },
    ))
}

pub async fn check_in_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    pg.require_login()?;
    let id = activity_id(&pg, &raw)?;
    let code: String = Params::parse(q.as_deref())
        .get("code")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    check_in_page(&pg, id, code, Outcome::Fresh).await
}

pub async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<CheckInForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = activity_id(&pg, &raw)?;
    let va = pg.s().volunteer_activities();
    let r = if form.action == "out" {
        va.check_out(actor, id, &form.code)
            .await
            .map(|minutes| match minutes {
                Some(m) => format!(
                    "{}{}{}",
                    pg.t("vact.checked_out"),
                    hours_text(u64::from(m)),
                    pg.t("vact.checked_out_tail")
                ),
                None => pg.t("vact.already_out").to_owned(),
            })
    } else {
        va.check_in(actor, id, &form.code).await.map(|new| {
            pg.t(if new {
                "vact.checked_in"
            } else {
                "vact.already_in"
            })
            .to_owned()
        })
    };
    match r {
        Ok(message) => check_in_page(&pg, id, String::new(), Outcome::Saved(message)).await,
        Err(e @ DomainError::Forbidden(_)) => Err(pg.fail(e)),
        Err(e) => {
            let e = form_error(&pg, e)?;
            check_in_page(&pg, id, form.code, Outcome::Failed(e)).await
        }
    }
}

/// One activity of the caller's record on `/volunteers/me`.
pub struct RecordView {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub minutes_text: Option<String>,
    pub status: &'static str,
    pub status_label: Option<&'static str>,
    pub reason: Option<String>,
}

/// The caller's service record for `/volunteers/me`: their activities (newest first), the
/// approved total in words, and the years they served in (for the year certificate).
pub struct ServiceRecordView {
    pub rows: Vec<RecordView>,
    pub approved_text: String,
    pub years: Vec<i32>,
}

pub(super) async fn service_record(
    pg: &Pg<'_>,
    user: UserId,
) -> Result<ServiceRecordView, PageError> {
    let record = pg
        .s()
        .volunteer_activities()
        .service_record(user, None)
        .await
        .or_page(pg)?;
    let approved: u64 = record
        .iter()
        .map(|r| u64::from(r.signup.approved_minutes()))
        .sum();
    let mut years: Vec<i32> = record
        .iter()
        .filter(|r| r.signup.approved_minutes() > 0)
        .map(|r| kejiyun_core::app::year_of(r.starts_at))
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let rows = record
        .into_iter()
        .map(|r| {
            let s = r.signup;
            RecordView {
                id: r.activity.0,
                date: r.starts_at.to_shanghai_display(),
                minutes_text: s.service_minutes().map(|m| hours_text(u64::from(m))),
                status: s.hours_status.map_or("", HoursStatus::as_str),
                status_label: s.hours_status.map(|h| hours_label(pg, h)),
                reason: s.hours_reason,
                title: r.title,
            }
        })
        .collect();
    Ok(ServiceRecordView {
        rows,
        approved_text: hours_text(approved),
        years,
    })
}
