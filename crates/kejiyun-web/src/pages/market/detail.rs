//! `/services/{id}`, `/needs/{id}`, `/achievements/{id}`: the detail page, the owner's actions
//! (submit, close, confirm), contacting the other side, quotes on a need, and opening a ticket.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::ids::{NeedId, OrgId, PostingId, QuoteId};
use kejiyun_core::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use kejiyun_core::market::postings::{PostingKind, PostingMeta};
use kejiyun_core::market::quotes::{DeclineReason, QuoteInput};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::{MAX_PER_PAGE, Page};
use kejiyun_core::permissions::{Actor, Grant};
use kejiyun_core::regions::RegionCode;
use serde::Deserialize;

use super::super::common::{
    Layout, OrPage, Outcome, PageError, PageResult, Params, Pg, form_error, parse_id, render,
    see_other,
};
use super::super::search::{MatchView, posting_matches};
use super::super::tech_workers::local_region_name;
use super::super::widgets::{ModerateForms, Opt};
use super::{
    OwnerBox, QuoteRow, category_label, fen, kind_label, kind_slug, opt_id, owner_box, page_kind,
    posting_href, price_label, quote_row, vocab, vocab_options, yuan,
};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub struct Fact {
    pub label: &'static str,
    pub value: String,
    /// Where the value leads (the provider's profile).
    pub href: Option<String>,
}

pub struct Section {
    pub heading: &'static str,
    pub text: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuoteForm {
    price_yuan: String,
    timeline_days: String,
    method: String,
    service_id: String,
}

#[derive(Template)]
#[template(path = "market/posting.html", whitespace = "minimize")]
struct PostingTpl {
    base: Layout,
    kind: &'static str,
    kind_label: &'static str,
    back_href: String,
    id: i64,
    href: String,
    title: String,
    status: &'static str,
    badge: Option<&'static str>,
    reject_reason: Option<String>,
    close_reason: Option<&'static str>,
    facts: Vec<Fact>,
    sections: Vec<Section>,
    tags: Vec<String>,
    owner: Option<OwnerBox>,
    inquire: bool,
    login_href: Option<String>,
    quote_form: Option<QuoteForm>,
    services: Vec<Opt>,
    my_quotes: Vec<QuoteRow>,
    all_quotes: Option<Vec<QuoteRow>>,
    decline_reasons: Vec<Opt>,
    ticket: bool,
    tickets: Vec<(i64, &'static str)>,
    moderate: Option<ModerateForms>,
    /// Ranked counterparts, for the owner and the region's admins of a published posting.
    matches: Option<Vec<MatchView>>,
    /// For the owner of a published need whose matches are weak (none strong): the offer to
    /// ask the caseworker (科服保姆) to find a provider.
    ticket_offer: bool,
    /// The need's owner sees the quotes first (the details fold away): that is what they
    /// came back for.
    quotes_first: bool,
    field: &'static str,
}

struct Loaded {
    meta: PostingMeta,
    region: RegionCode,
    title: String,
    facts: Vec<Fact>,
    sections: Vec<Section>,
    tags: Vec<String>,
}

fn fact(label: &'static str, value: String) -> Fact {
    Fact {
        label,
        value,
        href: None,
    }
}

/// The provider of a service or achievement, linked to the organization it is offered by, or
/// else to the owner's verified tech worker profile.
async fn provider_fact(
    pg: &Pg<'_>,
    label: &'static str,
    meta: &PostingMeta,
    org: Option<OrgId>,
) -> Result<Fact, PageError> {
    let href = match org {
        Some(org) => Some(format!("/orgs/{}", org.0)),
        None => pg
            .s()
            .tech_workers()
            .verified_of(meta.owner)
            .await
            .or_page(pg)?
            .map(|id| format!("/tech-workers/{}", id.0)),
    };
    Ok(Fact {
        label,
        value: meta.owner_name.clone(),
        href,
    })
}

async fn load(pg: &Pg<'_>, kind: PostingKind, id: i64) -> Result<Loaded, PageError> {
    let s = pg.s();
    let actor = pg.actor();
    let t = |k: &str| pg.t(k);
    Ok(match kind {
        PostingKind::Service => {
            let x = s
                .postings()
                .get::<ServiceDraft>(actor, PostingId::new(id))
                .await
                .or_page(pg)?;
            let d = x.draft;
            Loaded {
                facts: vec![
                    fact(t("mk.category"), category_label(pg, d.category).into()),
                    fact(t("mk.region"), local_region_name(pg, d.region)),
                    fact(t("mk.scope"), vocab(pg, "scope", d.scope.code()).into()),
                    fact(t("mk.price"), price_label(pg, d.price)),
                    fact(
                        t("mk.contact"),
                        vocab(pg, "contact", d.contact.code()).into(),
                    ),
                    provider_fact(pg, t("mk.provider"), &x.meta, d.org).await?,
                ],
                sections: vec![Section {
                    heading: t("mk.description"),
                    text: d.description,
                }],
                tags: d.tags,
                region: d.region,
                title: d.title,
                meta: x.meta,
            }
        }
        PostingKind::Need => {
            let x = s
                .postings()
                .get::<NeedDraft>(actor, PostingId::new(id))
                .await
                .or_page(pg)?;
            let d = x.draft;
            let mut sections = vec![Section {
                heading: t("mk.need.problem"),
                text: d.problem,
            }];
            if let Some(c) = d.current_practice {
                sections.push(Section {
                    heading: t("mk.need.current_practice"),
                    text: c,
                });
            }
            if let Some(c) = d.target {
                sections.push(Section {
                    heading: t("mk.need.target"),
                    text: c,
                });
            }
            Loaded {
                facts: vec![
                    fact(t("mk.category"), category_label(pg, d.category).into()),
                    fact(
                        t("mk.industry"),
                        vocab(pg, "industry", d.industry.code()).into(),
                    ),
                    fact(t("mk.region"), local_region_name(pg, d.region)),
                    fact(
                        t("mk.budget"),
                        d.budget
                            .map(|b| yuan(pg, b))
                            .unwrap_or_else(|| t("mk.no_budget").into()),
                    ),
                    fact(
                        t("mk.deadline"),
                        d.deadline
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into()),
                    ),
                    fact(t("mk.requester"), x.meta.owner_name.clone()),
                ],
                sections,
                tags: Vec::new(),
                region: d.region,
                title: d.title,
                meta: x.meta,
            }
        }
        PostingKind::Achievement => {
            let x = s
                .postings()
                .get::<AchievementDraft>(actor, PostingId::new(id))
                .await
                .or_page(pg)?;
            let d = x.draft;
            let modes: Vec<&str> = d
                .transfer_modes
                .iter()
                .map(|m| vocab(pg, "transfer", m.code()))
                .collect();
            let mut facts = vec![
                fact(t("mk.field"), category_label(pg, d.category).into()),
                fact(
                    t("mk.maturity"),
                    vocab(pg, "maturity", d.maturity.code()).into(),
                ),
                fact(t("mk.ip_type"), vocab(pg, "ip", d.ip_type.code()).into()),
            ];
            if let Some(n) = d.ip_number {
                facts.push(fact(t("mk.ip_number"), n));
            }
            facts.extend([
                fact(t("mk.holders"), d.holders),
                fact(t("mk.transfer_modes"), modes.join("、")),
                fact(t("mk.price"), price_label(pg, d.price)),
                fact(t("mk.region"), local_region_name(pg, d.region)),
                provider_fact(pg, t("mk.provider"), &x.meta, d.org).await?,
            ]);
            Loaded {
                facts,
                sections: vec![Section {
                    heading: t("mk.summary"),
                    text: d.summary,
                }],
                tags: Vec::new(),
                region: d.region,
                title: d.title,
                meta: x.meta,
            }
        }
        // Questions and resources have their own pages (`pages/questions.rs`, `pages/resources.rs`).
        PostingKind::Question | PostingKind::Resource => {
            return Err(pg.fail(DomainError::NotFound(pg.t("error.not_found").into())));
        }
    })
}

fn is_provider(actor: &Actor) -> bool {
    actor
        .grants
        .iter()
        .any(|g| matches!(g, Grant::TechWorker | Grant::OrgAdmin(_)))
}

const ALL: Page = Page {
    page: 1,
    per_page: MAX_PER_PAGE,
};

async fn detail_page(
    pg: &Pg<'_>,
    kind: PostingKind,
    id: i64,
    outcome: Outcome,
    quote_values: Option<QuoteForm>,
) -> PageResult {
    let s = pg.s();
    let x = load(pg, kind, id).await?;
    let actor = pg.actor();
    let meta = &x.meta;
    let published = meta.status == ModerationStatus::Published;
    let is_owner = actor.is_some_and(|a| a.user_id == meta.owner);
    let admin = actor.is_some_and(|a| a.administers(x.region));
    let need = kind == PostingKind::Need;

    let (mut my_quotes, mut all_quotes, mut services, mut quote_form) =
        (Vec::new(), None, Vec::new(), None);
    let mut tickets = Vec::new();
    if let Some(a) = actor.filter(|_| need) {
        if is_owner || admin || is_provider(a) {
            let qs = s
                .quotes()
                .quotes_for_need(a, NeedId::new(id), ALL)
                .await
                .or_page(pg)?;
            let rows: Vec<QuoteRow> = qs.items.into_iter().map(|q| quote_row(pg, q)).collect();
            if is_owner || admin {
                all_quotes = Some(rows);
            } else {
                my_quotes = rows;
            }
        }
        if published && !is_owner && is_provider(a) {
            let v = quote_values.unwrap_or_default();
            let mine = PostingQuery {
                mine: true,
                status: Some(ModerationStatus::Published),
                ..PostingQuery::default()
            };
            services = s
                .postings()
                .list::<ServiceDraft>(Some(a), mine, ALL)
                .await
                .or_page(pg)?
                .items
                .into_iter()
                .map(|sv| Opt {
                    selected: v.service_id == sv.id.to_string(),
                    value: sv.id.to_string(),
                    label: sv.draft.title,
                })
                .collect();
            quote_form = Some(v);
        }
        if admin {
            tickets = s
                .tickets()
                .list_tickets(a, false, None, Some(NeedId::new(id)), ALL)
                .await
                .or_page(pg)?
                .items
                .into_iter()
                .map(|t| (t.id.0, vocab(pg, "ticket_status", t.status.code())))
                .collect();
        }
    }
    let privileged = is_owner || admin;
    let matches = if privileged && published {
        posting_matches(pg, kind, id).await
    } else {
        None
    };
    let mut base = pg.layout_titled(x.title.clone(), kind_slug(kind));
    let (status, field) = outcome.apply(&mut base);
    let slug = kind_slug(kind);
    let page = PostingTpl {
        kind: kind.code(),
        kind_label: kind_label(pg, kind),
        back_href: format!("/{slug}"),
        id,
        href: posting_href(kind, id),
        title: x.title,
        status: meta.status.as_str(),
        badge: (privileged && !published).then(|| pg.status_label(meta.status)),
        reject_reason: if privileged {
            meta.reject_reason.clone()
        } else {
            None
        },
        close_reason: meta.close_reason.map(|r| vocab(pg, "close", r.code())),
        owner: is_owner.then(|| owner_box(pg, kind, id, meta)),
        inquire: published && actor.is_some() && !is_owner,
        login_href: (actor.is_none() && published).then(|| {
            let next = serde_urlencoded::to_string([("next", pg.ctx.path.as_str())]);
            format!("/login?{}", next.unwrap_or_default())
        }),
        quote_form,
        services,
        my_quotes,
        quotes_first: is_owner && need && all_quotes.as_ref().is_some_and(|q| !q.is_empty()),
        all_quotes,
        decline_reasons: vocab_options(pg, "decline", &DeclineReason::ALL, DeclineReason::code, ""),
        ticket: need
            && admin
            && !matches!(
                meta.status,
                ModerationStatus::Draft | ModerationStatus::Rejected
            ),
        tickets,
        moderate: (meta.status == ModerationStatus::Pending && admin)
            .then(|| ModerateForms::new(pg, kind.moderation_kind().as_str(), id)),
        ticket_offer: is_owner
            && need
            && published
            && matches
                .as_ref()
                .is_some_and(|ms| !ms.iter().any(|m| m.strong)),
        matches,
        facts: x.facts,
        sections: x.sections,
        tags: x.tags,
        field,
        base,
    };
    Ok(render(status, &page))
}

/// The `?done=` notices after a redirect.
fn done_outcome(pg: &Pg<'_>, q: Option<&str>) -> Outcome {
    match Params::parse(q).get("done") {
        Some(
            d @ ("created" | "saved" | "submitted" | "closed" | "confirmed" | "quoted" | "declined"
            | "ticket_requested"),
        ) => Outcome::Saved(pg.t(&format!("mk.done.{d}")).into()),
        _ => Outcome::Fresh,
    }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let kind = page_kind(&pg)?;
    let id = parse_id(&pg, &raw)?;
    let outcome = done_outcome(&pg, q.as_deref());
    detail_page(&pg, kind, id, outcome, None).await
}

/// After an action: back to the page with a notice, or the page again with the error.
async fn after(
    pg: &Pg<'_>,
    kind: PostingKind,
    id: i64,
    result: Result<(), DomainError>,
    done: &str,
    quote_values: Option<QuoteForm>,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!(
            "{}?done={done}",
            posting_href(kind, id)
        ))),
        Err(e) => {
            let e = form_error(pg, e)?;
            detail_page(pg, kind, id, Outcome::Failed(e), quote_values).await
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let kind = page_kind(&pg)?;
    let id = parse_id(&pg, &raw)?;
    let r = pg
        .s()
        .postings()
        .submit_posting(actor, kind, id)
        .await
        .map(|_| ());
    after(&pg, kind, id, r, "submitted", None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    reason: String,
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let kind = page_kind(&pg)?;
    let id = parse_id(&pg, &raw)?;
    let r = pg
        .s()
        .postings()
        .close_posting(actor, kind, id, &form.reason)
        .await;
    after(&pg, kind, id, r, "closed", None).await
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let kind = page_kind(&pg)?;
    let id = parse_id(&pg, &raw)?;
    let r = pg
        .s()
        .postings()
        .confirm_posting(actor, kind, id)
        .await
        .map(|_| ());
    after(&pg, kind, id, r, "confirmed", None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BodyForm {
    pub body: String,
}

pub async fn inquire(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<BodyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let kind = page_kind(&pg)?;
    let id = parse_id(&pg, &raw)?;
    match pg
        .s()
        .inquiries()
        .start_inquiry(actor, kind, id, &form.body)
        .await
    {
        Ok(iid) => Ok(see_other(&format!("/inquiries/{iid}"))),
        Err(e) => after(&pg, kind, id, Err(e), "", None).await,
    }
}

fn quote_input(f: &QuoteForm) -> Result<QuoteInput, DomainError> {
    let timeline_days = f
        .timeline_days
        .trim()
        .parse::<u32>()
        .map_err(|_| DomainError::invalid("timeline_days", "请填写周期（天数，整数）"))?;
    Ok(QuoteInput {
        price_fen: fen("price_yuan", &f.price_yuan)?,
        timeline_days,
        method: f.method.clone(),
        service_id: opt_id("service_id", &f.service_id)?.map(PostingId::new),
    })
}

pub async fn quote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<QuoteForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = parse_id(&pg, &raw)?;
    let r = match quote_input(&form) {
        Ok(input) => pg
            .s()
            .quotes()
            .submit_quote(actor, NeedId::new(id), &input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    let keep = r.is_err().then_some(form);
    after(&pg, PostingKind::Need, id, r, "quoted", keep).await
}

pub async fn accept_quote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = QuoteId(parse_id(&pg, &raw)?);
    let deal = pg.s().quotes().accept_quote(actor, id).await.or_page(&pg)?;
    Ok(see_other(&format!("/deals/{deal}?done=proposed")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AskForm {
    body: String,
}

/// The need's owner asks a quote's provider a question; the conversation continues in the
/// inquiry thread between them.
pub async fn ask_quote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<AskForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = QuoteId(parse_id(&pg, &raw)?);
    let thread = pg
        .s()
        .inquiries()
        .ask_quote(actor, id, &form.body)
        .await
        .or_page(&pg)?;
    Ok(see_other(&format!("/inquiries/{thread}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeclineForm {
    reason: String,
    note: String,
}

pub async fn decline_quote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<DeclineForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = QuoteId(parse_id(&pg, &raw)?);
    let s = pg.s();
    let q = s.quotes().quote(actor, id).await.or_page(&pg)?;
    let note = super::super::common::opt(&form.note);
    let r = s
        .quotes()
        .decline_quote(actor, id, &form.reason, note.as_deref())
        .await;
    after(&pg, PostingKind::Need, q.need_id.0, r, "declined", None).await
}

pub async fn open_ticket(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = NeedId::new(parse_id(&pg, &raw)?);
    match pg.s().tickets().open_ticket(actor, id).await {
        Ok(t) => {
            let staff = pg
                .s()
                .postings()
                .get::<NeedDraft>(Some(actor), id)
                .await
                .is_ok_and(|n| actor.administers(n.draft.region));
            Ok(see_other(&if staff {
                format!("/admin/tickets/{t}?done=opened")
            } else {
                // The owner does not work tickets: back to the need, told staff will call.
                format!(
                    "{}?done=ticket_requested#matches",
                    posting_href(PostingKind::Need, id.0)
                )
            }))
        }
        Err(e) => after(&pg, PostingKind::Need, id.0, Err(e), "", None).await,
    }
}
