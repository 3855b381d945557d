//! `/deals` (the caller's deals), `/deals/{id}` (parties, subject, amount, confirmations,
//! confirm / cancel) and `/deals/{id}/evidence` (the offline contract's file).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue};
use axum::response::IntoResponse;
use kejiyun_core::app::market::DealQuery;
use kejiyun_core::ids::DealId;
use kejiyun_core::market::deals::{Deal, DealStatus, Side};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::paging::{DEFAULT_PER_PAGE, Page};
use serde::Deserialize;

use super::super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, parse_id, render, see_other,
};
use super::super::widgets::Pager;
use super::{posting_href, vocab, wan, yuan};
use crate::AppState;
use crate::session::EmptyForm;
use crate::session::{CsrfForm, Ctx};

pub struct SubjectLink {
    pub kind: &'static str,
    pub href: String,
}

/// One deal, as lists and the deal page show it.
pub struct DealRow {
    pub id: i64,
    pub href: String,
    pub title: String,
    pub subjects: Vec<SubjectLink>,
    pub requester: String,
    pub provider: String,
    pub amount: String,
    pub amount_wan: String,
    pub date: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub origin: &'static str,
    pub transfer: bool,
    pub region: String,
}

pub fn deal_row(pg: &Pg<'_>, d: &Deal) -> DealRow {
    let mut subjects = Vec::new();
    let links = [
        (PostingKind::Need, d.subject.need.map(|n| n.0)),
        (PostingKind::Service, d.subject.service.map(|s| s.0)),
        (PostingKind::Achievement, d.subject.achievement.map(|a| a.0)),
    ];
    for (kind, id) in links {
        if let Some(id) = id {
            subjects.push(SubjectLink {
                kind: super::kind_label(pg, kind),
                href: posting_href(kind, id),
            });
        }
    }
    DealRow {
        id: d.id.0,
        href: format!("/deals/{}", d.id),
        title: d.subject_title.clone(),
        subjects,
        requester: d.requester_name.clone(),
        provider: d.provider_name.clone(),
        amount: yuan(pg, d.terms.amount),
        amount_wan: wan(pg, d.terms.amount),
        date: d.terms.deal_date.to_string(),
        status: d.status.code(),
        status_label: vocab(pg, "deal_status", d.status.code()),
        origin: vocab(pg, "origin", d.origin.code()),
        transfer: d.subject.is_transfer(),
        region: pg.region_name(d.region),
    }
}

#[derive(Template)]
#[template(path = "market/deals.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    rows: Vec<DealRow>,
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
    let query = DealQuery {
        mine: true,
        ..DealQuery::default()
    };
    let paged = pg
        .s()
        .deals()
        .list_deals(actor, query, page)
        .await
        .or_page(&pg)?;
    let pager = Pager::new(&pg, "/deals", &[], &paged);
    ok(&ListTpl {
        base: pg.layout("mk.deals", "deals"),
        rows: paged.items.iter().map(|d| deal_row(&pg, d)).collect(),
        pager,
    })
}

#[derive(Template)]
#[template(path = "market/deal.html", whitespace = "minimize")]
struct DealTpl {
    base: Layout,
    row: DealRow,
    note: Option<String>,
    requester_confirmed: Option<String>,
    provider_confirmed: Option<String>,
    confirmed_at: Option<String>,
    cancelled_at: Option<String>,
    cancel_reason: Option<String>,
    evidence: Option<String>,
    can_confirm: bool,
    can_cancel: bool,
    inquiry_href: Option<String>,
}

async fn deal_page(pg: &Pg<'_>, id: DealId, outcome: Outcome) -> PageResult {
    let actor = pg.require_login()?;
    let d = pg.s().deals().deal(actor, id).await.or_page(pg)?;
    let side = d.side_of(actor.user_id);
    let proposed = d.status == DealStatus::Proposed;
    let can_confirm = proposed
        && match side {
            Some(Side::Requester) => d.requester_confirmed_at.is_none(),
            Some(Side::Provider) => d.provider_confirmed_at.is_none(),
            None => false,
        };
    let admin = actor.administers(d.region);
    let can_cancel = (side.is_some() && proposed) || (admin && d.status != DealStatus::Cancelled);
    let ts = |t: Option<kejiyun_core::time::Timestamp>| t.map(|t| t.to_shanghai_display());
    let mut base = pg.layout_titled(format!("{} #{id}", pg.t("mk.deal")), "deals");
    let (status, _) = outcome.apply(&mut base);
    let page = DealTpl {
        row: deal_row(pg, &d),
        note: d.terms.note.clone(),
        requester_confirmed: ts(d.requester_confirmed_at),
        provider_confirmed: ts(d.provider_confirmed_at),
        confirmed_at: ts(d.confirmed_at),
        cancelled_at: ts(d.cancelled_at),
        cancel_reason: d.cancel_reason.clone(),
        evidence: d
            .evidence
            .as_ref()
            .map(|e| format!("{} ({} KB)", e.file_name, e.size.div_ceil(1024))),
        can_confirm,
        can_cancel,
        inquiry_href: d.inquiry_id.map(|i| format!("/inquiries/{i}")),
        base,
    };
    Ok(render(status, &page))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = DealId(parse_id(&pg, &raw)?);
    let outcome = match Params::parse(q.as_deref()).get("done") {
        Some(d @ ("proposed" | "confirmed" | "cancelled" | "recorded")) => {
            Outcome::Saved(pg.t(&format!("mk.done.deal_{d}")).into())
        }
        _ => Outcome::Fresh,
    };
    deal_page(&pg, id, outcome).await
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = DealId(parse_id(&pg, &raw)?);
    match pg.s().deals().confirm_deal(actor, id).await {
        Ok(_) => Ok(see_other(&format!("/deals/{id}?done=confirmed"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            deal_page(&pg, id, Outcome::Failed(e)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<CancelForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = DealId(parse_id(&pg, &raw)?);
    match pg.s().deals().cancel_deal(actor, id, &form.reason).await {
        Ok(()) => Ok(see_other(&format!("/deals/{id}?done=cancelled"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            deal_page(&pg, id, Outcome::Failed(e)).await
        }
    }
}

/// The evidence file, always as a download (never rendered inline by the browser).
pub async fn evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = DealId(parse_id(&pg, &raw)?);
    let (ev, bytes) = pg.s().deals().deal_evidence(actor, id).await.or_page(&pg)?;
    let ascii: String = ev
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = ev
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let headers = [
        (
            CONTENT_TYPE,
            HeaderValue::from_str(&ev.content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
        ),
        (
            CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition)
                .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
        ),
        (
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ),
        (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    Ok((headers, bytes).into_response())
}
