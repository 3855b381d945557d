//! `/me/postings` (the caller's services, needs and achievements in every status) and
//! `/me/quotes` (a provider's quotes, with withdraw).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::ids::QuoteId;
use kejiyun_core::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use kejiyun_core::market::postings::{PostingKind, PostingMeta};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::{DEFAULT_PER_PAGE, MAX_PER_PAGE, Page};

use super::super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, ok, parse_id, render, see_other,
};
use super::super::search::{MatchView, posting_matches};
use super::super::widgets::Pager;
use super::lists::{achievement_card, need_card, service_card};
use super::{OwnerBox, PostingCard, QuoteRow, kind_label, owner_box, posting_href, quote_row};
use crate::AppState;
use crate::session::EmptyForm;
use crate::session::{CsrfForm, Ctx};

pub struct MineRow {
    pub card: PostingCard,
    pub href: String,
    pub reject_reason: Option<String>,
    pub close_reason: Option<&'static str>,
    pub owner: OwnerBox,
}

pub struct MineGroup {
    pub kind: &'static str,
    pub heading: &'static str,
    pub new_href: String,
    pub rows: Vec<MineRow>,
}

#[derive(Template)]
#[template(path = "market/mine.html", whitespace = "minimize")]
struct MineTpl {
    base: Layout,
    groups: Vec<MineGroup>,
    /// For a provider: open needs that match their published services, best first.
    matching_needs: Vec<MatchView>,
}

/// How many matching needs a provider's page lists, from how many of their services.
const MATCHING_NEEDS: usize = 8;
const SERVICES_MATCHED: usize = 3;

const ALL: Page = Page {
    page: 1,
    per_page: MAX_PER_PAGE,
};

fn row(pg: &Pg<'_>, kind: PostingKind, meta: &PostingMeta, card: PostingCard) -> MineRow {
    MineRow {
        href: posting_href(kind, card.id),
        reject_reason: meta.reject_reason.clone(),
        close_reason: meta
            .close_reason
            .map(|r| super::vocab(pg, "close", r.code())),
        owner: owner_box(pg, kind, card.id, meta),
        card,
    }
}

fn mine() -> PostingQuery {
    PostingQuery {
        mine: true,
        ..PostingQuery::default()
    }
}

pub async fn postings(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let s = pg.s();
    let services = s
        .postings()
        .list::<ServiceDraft>(Some(actor), mine(), ALL)
        .await
        .or_page(&pg)?;
    let needs = s
        .postings()
        .list::<NeedDraft>(Some(actor), mine(), ALL)
        .await
        .or_page(&pg)?;
    let achievements = s
        .postings()
        .list::<AchievementDraft>(Some(actor), mine(), ALL)
        .await
        .or_page(&pg)?;
    // A provider comes here for open needs they can serve: those matching their latest
    // published services (each service's own ranking, merged in order, without repeats).
    let mut matching_needs: Vec<MatchView> = Vec::new();
    let published = services
        .items
        .iter()
        .filter(|x| x.meta.status == ModerationStatus::Published)
        .take(SERVICES_MATCHED);
    for service in published {
        let found = posting_matches(&pg, PostingKind::Service, service.id.0)
            .await
            .unwrap_or_default();
        for m in found {
            if matching_needs.len() < MATCHING_NEEDS
                && m.href.starts_with("/needs/")
                && !matching_needs.iter().any(|x| x.href == m.href)
            {
                matching_needs.push(m);
            }
        }
    }
    let provider_first = !services.items.is_empty() && needs.items.is_empty();
    let group = |kind: PostingKind, rows: Vec<MineRow>| MineGroup {
        kind: kind.code(),
        heading: kind_label(&pg, kind),
        new_href: format!("/{}/new", super::kind_slug(kind)),
        rows,
    };
    let groups = vec![
        group(
            PostingKind::Need,
            needs
                .items
                .into_iter()
                .map(|n| {
                    let meta = n.meta.clone();
                    row(&pg, PostingKind::Need, &meta, need_card(&pg, n))
                })
                .collect(),
        ),
        group(
            PostingKind::Service,
            services
                .items
                .into_iter()
                .map(|x| {
                    let meta = x.meta.clone();
                    row(&pg, PostingKind::Service, &meta, service_card(&pg, x))
                })
                .collect(),
        ),
        group(
            PostingKind::Achievement,
            achievements
                .items
                .into_iter()
                .map(|x| {
                    let meta = x.meta.clone();
                    row(
                        &pg,
                        PostingKind::Achievement,
                        &meta,
                        achievement_card(&pg, x),
                    )
                })
                .collect(),
        ),
    ];
    let mut groups = groups;
    if provider_first {
        groups.swap(0, 1);
    }
    ok(&MineTpl {
        base: pg.layout("mk.my_postings", "my_postings"),
        groups,
        matching_needs,
    })
}

#[derive(Template)]
#[template(path = "market/my_quotes.html", whitespace = "minimize")]
struct QuotesTpl {
    base: Layout,
    quotes: Vec<QuoteRow>,
    pager: Pager,
}

pub async fn quotes(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let p = Params::parse(q.as_deref());
    let page = Page {
        page: p.page(),
        per_page: DEFAULT_PER_PAGE,
    };
    let paged = pg.s().quotes().my_quotes(actor, page).await.or_page(&pg)?;
    let pager = Pager::new(&pg, "/me/quotes", &[], &paged);
    let mut base = pg.layout("mk.my_quotes", "my_postings");
    let outcome = if p.get("withdrawn").is_some() {
        Outcome::Saved(pg.t("mk.done.withdrawn").into())
    } else {
        Outcome::Fresh
    };
    let (status, _) = outcome.apply(&mut base);
    Ok(render(
        status,
        &QuotesTpl {
            base,
            quotes: paged.items.into_iter().map(|q| quote_row(&pg, q)).collect(),
            pager,
        },
    ))
}

pub async fn withdraw_quote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = QuoteId(parse_id(&pg, &raw)?);
    pg.s()
        .quotes()
        .withdraw_quote(actor, id)
        .await
        .or_page(&pg)?;
    Ok(see_other("/me/quotes?withdrawn=1"))
}
