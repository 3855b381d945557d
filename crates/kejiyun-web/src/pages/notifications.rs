//! `/me/notifications`: the caller's inbox (站内信) with mark-as-read forms, and the choice of
//! how copies reach their e-mail/phone.

use askama::Template;
use axum::extract::{RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::notifications::{
    Notification, NotificationKind, NotificationPreference, ReadSelection,
};
use kejiyun_core::paging::{DEFAULT_PER_PAGE, Page};
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, render, see_other,
};
use super::widgets::{Opt, Pager};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

const PATH: &str = "/me/notifications";

pub struct NotificationRow {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub link: String,
    pub at: String,
    pub unread: bool,
}

fn kind_key(k: NotificationKind) -> &'static str {
    match k {
        NotificationKind::PostingApproved => "notifications.kind_posting_approved",
        NotificationKind::PostingRejected => "notifications.kind_posting_rejected",
        NotificationKind::NewInquiry => "notifications.kind_new_inquiry",
        NotificationKind::NewQuote => "notifications.kind_new_quote",
        NotificationKind::DealToConfirm => "notifications.kind_deal_to_confirm",
        NotificationKind::DealConfirmed => "notifications.kind_deal_confirmed",
        NotificationKind::NewMatch => "notifications.kind_new_match",
        NotificationKind::ActivityReminder => "notifications.kind_activity_reminder",
        NotificationKind::ProfileApproved => "notifications.kind_profile_approved",
        NotificationKind::ProfileRejected => "notifications.kind_profile_rejected",
        NotificationKind::PendingReview => "notifications.kind_pending_review",
        NotificationKind::QuestionInvitation => "notifications.kind_question_invitation",
        NotificationKind::NewAnswer => "notifications.kind_new_answer",
        NotificationKind::AnswerAccepted => "notifications.kind_answer_accepted",
        NotificationKind::BookingConfirmed => "notifications.kind_booking_confirmed",
        NotificationKind::BookingDeclined => "notifications.kind_booking_declined",
    }
}

fn preference_key(p: NotificationPreference) -> &'static str {
    match p {
        NotificationPreference::None => "notifications.pref_none",
        NotificationPreference::Realtime => "notifications.pref_realtime",
        NotificationPreference::Daily => "notifications.pref_daily",
        NotificationPreference::Weekly => "notifications.pref_weekly",
    }
}

fn row(pg: &Pg<'_>, n: Notification) -> NotificationRow {
    NotificationRow {
        id: n.id,
        kind: pg.t(kind_key(n.kind)),
        unread: n.is_unread(),
        title: n.title,
        body: n.body,
        link: n.link,
        at: n.created_at.to_shanghai_display(),
    }
}

#[derive(Template)]
#[template(path = "notifications.html", whitespace = "minimize")]
struct InboxTpl {
    base: Layout,
    rows: Vec<NotificationRow>,
    unread_only: bool,
    unread: u64,
    pager: Pager,
    preferences: Vec<Opt>,
    field: &'static str,
}

async fn inbox_page(pg: &Pg<'_>, p: &Params, outcome: Outcome) -> PageResult {
    let actor = pg.require_login()?;
    let s = pg.s();
    let unread_only = p.get("unread").is_some_and(|v| v == "1");
    let page = Page {
        page: p.page(),
        per_page: DEFAULT_PER_PAGE,
    };
    let paged = s
        .notifications()
        .notifications(actor, unread_only, page)
        .await
        .or_page(pg)?;
    let unread = s
        .notifications()
        .unread_notifications(actor)
        .await
        .or_page(pg)?;
    let current = s
        .notifications()
        .notification_preference(actor)
        .await
        .or_page(pg)?;
    let pager = Pager::new(
        pg,
        PATH,
        &[("unread", if unread_only { "1" } else { "" })],
        &paged,
    );
    let preferences = NotificationPreference::ALL
        .into_iter()
        .map(|o| Opt {
            value: o.code().to_owned(),
            label: pg.t(preference_key(o)).to_owned(),
            selected: o == current,
        })
        .collect();
    let mut base = pg.layout("notifications.title", "notifications");
    // The badge counted before this page's own changes; show the fresh figure.
    base.unread = unread;
    let (status, field) = outcome.apply(&mut base);
    Ok(render(
        status,
        &InboxTpl {
            base,
            rows: paged.items.into_iter().map(|n| row(pg, n)).collect(),
            unread_only,
            unread,
            pager,
            preferences,
            field,
        },
    ))
}

pub async fn inbox(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let p = Params::parse(q.as_deref());
    let outcome = if p.get("marked").is_some() {
        Outcome::Saved(pg.t("notifications.marked").to_owned())
    } else {
        Outcome::from_saved(&pg, p.get("saved").is_some())
    };
    inbox_page(&pg, &p, outcome).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReadForm {
    /// One notification, or empty with `all=1`.
    id: String,
    all: String,
}

pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ReadForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let ids = match form.id.trim() {
        "" => None,
        raw => Some(vec![raw.parse::<i64>().map_err(|_| {
            pg.fail(DomainError::NotFound(pg.t("error.not_found").into()))
        })?]),
    };
    let which = ReadSelection::parse(ids, form.all == "1").or_page(&pg)?;
    pg.s()
        .notifications()
        .mark_notifications_read(actor, which)
        .await
        .or_page(&pg)?;
    Ok(see_other(&format!("{PATH}?marked=1")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreferenceForm {
    preference: String,
}

pub async fn save_preference(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PreferenceForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let result = match NotificationPreference::parse(&form.preference) {
        Ok(p) => {
            pg.s()
                .notifications()
                .set_notification_preference(actor, p)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("{PATH}?saved=1"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            inbox_page(&pg, &Params::default(), Outcome::Failed(e)).await
        }
    }
}
