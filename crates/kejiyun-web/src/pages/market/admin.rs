//! Admin pages of the marketplace: the deals of the caller's regions, recording an offline
//! contract (with its file), and caseworker tickets (保姆单).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::app::market::{DealQuery, OfflineDealInput};
use kejiyun_core::ids::{PostingId, TicketId};
use kejiyun_core::market::deals::DealStatus;
use kejiyun_core::market::money::Fen;
use kejiyun_core::market::tickets::{FollowUpKind, LinkKind, Ticket, TicketOutcome, TicketStatus};
use kejiyun_core::paging::{DEFAULT_PER_PAGE, Page};
use serde::Deserialize;

use super::super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, bad_field, form_error, form_status, ok, opt,
    parse_id, render, see_other,
};
use super::super::tech_workers::Filters;
use super::super::widgets::{Opt, Pager, RegionSelect};
use super::deals::{DealRow, deal_row};
use super::{fen, opt_id, posting_href, vocab, vocab_options, wan};
use crate::AppState;
use crate::pages::multipart::CsrfMultipart;
use crate::session::{CsrfForm, Ctx};

#[derive(Template)]
#[template(path = "market/admin_deals.html", whitespace = "minimize")]
struct DealsTpl {
    base: Layout,
    region_select: RegionSelect,
    statuses: Vec<Opt>,
    transfers: Vec<Opt>,
    rows: Vec<DealRow>,
    page_total: String,
    pager: Pager,
}

pub async fn deals(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let p = Params::parse(q.as_deref());
    let mut f = Filters::read(&p);
    let status_raw = p.get("status").unwrap_or_default().to_owned();
    let status = match status_raw.as_str() {
        "" => None,
        s => DealStatus::parse(s)
            .map_err(|e| f.error = Some(e.to_string()))
            .ok(),
    };
    let transfer_raw = p.get("transfer").unwrap_or_default().to_owned();
    let transfer = match transfer_raw.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    let query = DealQuery {
        mine: false,
        region: f.region,
        status,
        transfer,
    };
    let paged = pg
        .s()
        .deals()
        .list_deals(actor, query, f.page)
        .await
        .or_page(&pg)?;
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        "/admin/deals",
        &[
            ("region", &region),
            ("status", status.map(DealStatus::code).unwrap_or_default()),
            ("transfer", &transfer_raw),
        ],
        &paged,
    );
    let total = Fen::sum(paged.items.iter().map(|d| d.terms.amount)).unwrap_or(Fen::ZERO);
    let transfers = [("1", "mk.transfers_only"), ("0", "mk.non_transfers")]
        .into_iter()
        .map(|(v, k)| Opt {
            value: v.into(),
            label: pg.t(k).into(),
            selected: transfer_raw == v,
        })
        .collect();
    let mut base = pg.layout("mk.admin_deals", "admin");
    base.error = f.error.clone();
    ok(&DealsTpl {
        region_select: f.region_select(&pg),
        statuses: vocab_options(
            &pg,
            "deal_status",
            &DealStatus::ALL,
            DealStatus::code,
            &status_raw,
        ),
        transfers,
        rows: paged.items.iter().map(|d| deal_row(&pg, d)).collect(),
        page_total: wan(&pg, total),
        pager,
        base,
    })
}

#[derive(Debug, Default)]
pub struct OfflineForm {
    need_id: String,
    service_id: String,
    achievement_id: String,
    requester_id: String,
    provider_id: String,
    amount_yuan: String,
    deal_date: String,
    note: String,
}

#[derive(Template)]
#[template(path = "market/admin_offline.html", whitespace = "minimize")]
struct OfflineTpl {
    base: Layout,
    form: OfflineForm,
    today: String,
    limit_mb: usize,
    field: &'static str,
}

fn offline_page(pg: &Pg<'_>, form: OfflineForm, err: Option<DomainError>) -> PageResult {
    pg.require_admin()?;
    let status = err.as_ref().map_or(StatusCode::OK, form_status);
    let field = match bad_field(err.as_ref()) {
        "amount_fen" => "amount_yuan",
        f => f,
    };
    let mut base = pg.layout("mk.record_offline", "admin");
    base.error = err.map(|e| e.to_string());
    let page = OfflineTpl {
        base,
        form,
        today: pg.s().now().shanghai_date().to_string(),
        limit_mb: pg.s().upload_limit_bytes / (1024 * 1024),
        field,
    };
    Ok(render(status, &page))
}

pub async fn offline_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let today = pg.s().now().shanghai_date().to_string();
    offline_page(
        &pg,
        OfflineForm {
            deal_date: today,
            ..OfflineForm::default()
        },
        None,
    )
}

fn offline_input(f: &OfflineForm) -> Result<OfflineDealInput, DomainError> {
    Ok(OfflineDealInput {
        need_id: opt_id("need_id", &f.need_id)?.map(PostingId::new),
        service_id: opt_id("service_id", &f.service_id)?.map(PostingId::new),
        achievement_id: opt_id("achievement_id", &f.achievement_id)?.map(PostingId::new),
        requester_id: opt_id("requester_id", &f.requester_id)?,
        provider_id: opt_id("provider_id", &f.provider_id)?,
        amount_fen: fen("amount_yuan", &f.amount_yuan)?,
        deal_date: f.deal_date.clone(),
        note: opt(&f.note),
    })
}

pub async fn record_offline(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfMultipart,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let f = OfflineForm {
        need_id: form.get("need_id").into(),
        service_id: form.get("service_id").into(),
        achievement_id: form.get("achievement_id").into(),
        requester_id: form.get("requester_id").into(),
        provider_id: form.get("provider_id").into(),
        amount_yuan: form.get("amount_yuan").into(),
        deal_date: form.get("deal_date").into(),
        note: form.get("note").into(),
    };
    let (file_name, bytes) = form
        .file
        .map(|u| (u.file_name, u.bytes))
        .unwrap_or_default();
    let r = match offline_input(&f) {
        Ok(input) => {
            pg.s()
                .deals()
                .record_offline_deal(actor, &input, &file_name, bytes)
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(id) => Ok(see_other(&format!("/deals/{id}?done=recorded"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            offline_page(&pg, f, Some(e))
        }
    }
}

pub struct TicketRow {
    pub id: i64,
    pub href: String,
    pub need_title: String,
    pub need_href: String,
    pub staff: String,
    pub region: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub outcome: Option<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

fn ticket_row(pg: &Pg<'_>, t: &Ticket) -> TicketRow {
    TicketRow {
        id: t.id.0,
        href: format!("/admin/tickets/{}", t.id),
        need_title: t.need_title.clone(),
        need_href: posting_href(
            kejiyun_core::market::postings::PostingKind::Need,
            t.need_id.0,
        ),
        staff: t.staff_name.clone(),
        region: pg.region_name(t.region),
        status: t.status.code(),
        status_label: vocab(pg, "ticket_status", t.status.code()),
        outcome: t.outcome.map(|o| {
            let label = vocab(pg, "outcome", o.code());
            match &t.outcome_note {
                Some(n) => format!("{label}：{n}"),
                None => label.to_owned(),
            }
        }),
        opened_at: t.opened_at.to_shanghai_display(),
        closed_at: t.closed_at.map(|c| c.to_shanghai_display()),
    }
}

#[derive(Template)]
#[template(path = "market/admin_tickets.html", whitespace = "minimize")]
struct TicketsTpl {
    base: Layout,
    all: bool,
    statuses: Vec<Opt>,
    rows: Vec<TicketRow>,
    pager: Pager,
}

pub async fn tickets(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let p = Params::parse(q.as_deref());
    let all = p.get("all") == Some("1");
    let status_raw = p.get("status").unwrap_or_default().to_owned();
    let status = TicketStatus::parse(&status_raw).ok();
    let page = Page {
        page: p.page(),
        per_page: DEFAULT_PER_PAGE,
    };
    let paged = pg
        .s()
        .tickets()
        .list_tickets(actor, !all, status, None, page)
        .await
        .or_page(&pg)?;
    let pager = Pager::new(
        &pg,
        "/admin/tickets",
        &[("all", if all { "1" } else { "" }), ("status", &status_raw)],
        &paged,
    );
    ok(&TicketsTpl {
        base: pg.layout("mk.admin_tickets", "admin"),
        all,
        statuses: vocab_options(
            &pg,
            "ticket_status",
            TicketStatus::ALL,
            TicketStatus::code,
            &status_raw,
        ),
        rows: paged.items.iter().map(|t| ticket_row(&pg, t)).collect(),
        pager,
    })
}

pub struct FollowUpView {
    pub kind: &'static str,
    pub note: String,
    pub author: String,
    pub at: String,
}

pub struct LinkView {
    pub label: &'static str,
    pub href: String,
    pub id: i64,
}

#[derive(Template)]
#[template(path = "market/admin_ticket.html", whitespace = "minimize")]
struct TicketTpl {
    base: Layout,
    row: TicketRow,
    open: bool,
    follow_ups: Vec<FollowUpView>,
    links: Vec<LinkView>,
    kinds: Vec<Opt>,
    link_kinds: Vec<Opt>,
    outcomes: Vec<Opt>,
    field: &'static str,
}

async fn ticket_page(pg: &Pg<'_>, id: TicketId, outcome: Outcome) -> PageResult {
    let actor = pg.require_admin()?;
    let t = pg.s().tickets().ticket(actor, id).await.or_page(pg)?;
    let mut base = pg.layout_titled(format!("{} #{id}", pg.t("mk.ticket")), "admin");
    let (status, field) = outcome.apply(&mut base);
    let page = TicketTpl {
        row: ticket_row(pg, &t),
        open: t.status == TicketStatus::Open,
        follow_ups: t
            .follow_ups
            .iter()
            .map(|f| FollowUpView {
                kind: vocab(pg, "follow_up", f.kind.code()),
                note: f.note.clone(),
                author: f.author_name.clone(),
                at: f.at.to_shanghai_display(),
            })
            .collect(),
        links: t
            .links
            .iter()
            .map(|(k, target)| LinkView {
                label: vocab(pg, "link", k.code()),
                href: match k {
                    LinkKind::Inquiry => format!("/inquiries/{target}"),
                    LinkKind::Deal => format!("/deals/{target}"),
                },
                id: *target,
            })
            .collect(),
        kinds: vocab_options(pg, "follow_up", FollowUpKind::ALL, FollowUpKind::code, ""),
        link_kinds: vocab_options(pg, "link", LinkKind::ALL, LinkKind::code, ""),
        outcomes: vocab_options(pg, "outcome", TicketOutcome::ALL, TicketOutcome::code, ""),
        field,
        base,
    };
    Ok(render(status, &page))
}

pub async fn ticket(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = TicketId(parse_id(&pg, &raw)?);
    let outcome = match Params::parse(q.as_deref()).get("done") {
        Some(d @ ("opened" | "noted" | "linked" | "closed")) => {
            Outcome::Saved(pg.t(&format!("mk.done.ticket_{d}")).into())
        }
        _ => Outcome::Fresh,
    };
    ticket_page(&pg, id, outcome).await
}

async fn ticket_after(
    pg: &Pg<'_>,
    id: TicketId,
    r: Result<(), DomainError>,
    done: &str,
) -> PageResult {
    match r {
        Ok(()) => Ok(see_other(&format!("/admin/tickets/{id}?done={done}"))),
        Err(e) => {
            let e = form_error(pg, e)?;
            ticket_page(pg, id, Outcome::Failed(e)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TicketForm {
    kind: String,
    note: String,
    target: String,
    outcome: String,
}

pub async fn follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<TicketForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let id = TicketId(parse_id(&pg, &raw)?);
    let r = pg
        .s()
        .tickets()
        .add_follow_up(actor, id, &form.kind, &form.note)
        .await
        .map(|_| ());
    ticket_after(&pg, id, r, "noted").await
}

pub async fn link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<TicketForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let id = TicketId(parse_id(&pg, &raw)?);
    let r = match opt_id("target", &form.target) {
        Ok(Some(target)) => {
            pg.s()
                .tickets()
                .link_ticket(actor, id, &form.kind, target)
                .await
        }
        Ok(None) => Err(DomainError::invalid("target", "请输入要关联的编号")),
        Err(e) => Err(e),
    };
    ticket_after(&pg, id, r, "linked").await
}

pub async fn close_ticket(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<TicketForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let id = TicketId(parse_id(&pg, &raw)?);
    let note = opt(&form.note);
    let r = pg
        .s()
        .tickets()
        .close_ticket(actor, id, &form.outcome, note.as_deref())
        .await;
    ticket_after(&pg, id, r, "closed").await
}
