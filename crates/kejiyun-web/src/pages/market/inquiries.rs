//! `/inquiries` (the caller's threads) and `/inquiries/{id}` (the thread, the reply form and
//! the propose-a-deal form).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::app::market::DealInput;
use kejiyun_core::ids::InquiryId;
use kejiyun_core::market::inquiries::Inquiry;
use kejiyun_core::paging::{DEFAULT_PER_PAGE, Page};
use serde::Deserialize;

use super::super::common::{
    Layout, OrPage, PageResult, Params, Pg, bad_field, form_error, form_status, ok, opt, parse_id,
    render, see_other,
};
use super::super::widgets::Pager;
use super::detail::BodyForm;
use super::{fen, kind_label, posting_href};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

pub struct InquiryRow {
    pub id: i64,
    pub href: String,
    pub kind: &'static str,
    pub posting_title: String,
    pub posting_href: String,
    pub other: String,
    pub last: String,
    pub count: u64,
}

fn row(pg: &Pg<'_>, me: kejiyun_core::ids::UserId, i: Inquiry) -> InquiryRow {
    InquiryRow {
        id: i.id.0,
        href: format!("/inquiries/{}", i.id),
        kind: kind_label(pg, i.posting_kind),
        posting_href: posting_href(i.posting_kind, i.posting_id),
        other: if i.requester == me {
            i.owner_name
        } else {
            i.requester_name
        },
        posting_title: i.posting_title,
        last: i.last_message_at.to_shanghai_display(),
        count: i.message_count,
    }
}

#[derive(Template)]
#[template(path = "market/inquiries.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    rows: Vec<InquiryRow>,
    pager: Pager,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let p = Params::parse(q.as_deref());
    let page = Page {
        page: p.page(),
        per_page: DEFAULT_PER_PAGE,
    };
    let paged = pg
        .s()
        .inquiries()
        .my_inquiries(actor, page)
        .await
        .or_page(&pg)?;
    let pager = Pager::new(&pg, "/inquiries", &[], &paged);
    let me = actor.user_id;
    ok(&ListTpl {
        base: pg.layout("mk.inquiries", "inquiries"),
        rows: paged.items.into_iter().map(|i| row(&pg, me, i)).collect(),
        pager,
    })
}

pub struct MessageView {
    pub author: String,
    pub mine: bool,
    pub at: String,
    pub body: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DealForm {
    amount_yuan: String,
    deal_date: String,
    note: String,
}

#[derive(Template)]
#[template(path = "market/inquiry.html", whitespace = "minimize")]
struct ThreadTpl {
    base: Layout,
    row: InquiryRow,
    messages: Vec<MessageView>,
    body: String,
    deal: DealForm,
    today: String,
    field: &'static str,
}

async fn thread_page(
    pg: &Pg<'_>,
    id: InquiryId,
    body: String,
    deal: Option<DealForm>,
    err: Option<DomainError>,
) -> PageResult {
    let actor = pg.require_login()?;
    let (inquiry, messages) = pg.s().inquiries().inquiry(actor, id).await.or_page(pg)?;
    let me = actor.user_id;
    let status = err.as_ref().map_or(StatusCode::OK, form_status);
    let field = bad_field(err.as_ref());
    let title = format!("{} · {}", pg.t("mk.inquiry"), inquiry.posting_title);
    let mut base = pg.layout_titled(title, "inquiries");
    base.error = err.map(|e| e.to_string());
    let today = pg.s().now().shanghai_date().to_string();
    let deal = deal.unwrap_or_else(|| DealForm {
        deal_date: today.clone(),
        ..DealForm::default()
    });
    let page = ThreadTpl {
        base,
        row: row(pg, me, inquiry),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                mine: m.author == me,
                author: m.author_name,
                at: m.created_at.to_shanghai_display(),
                body: m.body,
            })
            .collect(),
        body,
        deal,
        today,
        field: match field {
            "amount_fen" => "amount_yuan",
            f => f,
        },
    };
    Ok(render(status, &page))
}

pub async fn thread(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = InquiryId(parse_id(&pg, &raw)?);
    thread_page(&pg, id, String::new(), None, None).await
}

pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<BodyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = InquiryId(parse_id(&pg, &raw)?);
    match pg
        .s()
        .inquiries()
        .reply_inquiry(actor, id, &form.body)
        .await
    {
        Ok(m) => Ok(see_other(&format!("/inquiries/{id}#m-{m}"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            thread_page(&pg, id, form.body, None, Some(e)).await
        }
    }
}

pub async fn propose_deal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<DealForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = InquiryId(parse_id(&pg, &raw)?);
    let r = match fen("amount_yuan", &form.amount_yuan) {
        Ok(amount_fen) => {
            let input = DealInput {
                inquiry_id: Some(id),
                amount_fen,
                deal_date: form.deal_date.clone(),
                note: opt(&form.note),
                ..DealInput::default()
            };
            pg.s().deals().propose_deal(actor, &input).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => Ok(see_other(&format!("/deals/{d}?done=proposed"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            thread_page(&pg, id, String::new(), Some(form), Some(e)).await
        }
    }
}
