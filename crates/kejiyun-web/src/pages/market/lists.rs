//! `/services`, `/needs`, `/achievements`: published postings with filters and paging.

use askama::Template;
use axum::extract::{RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::market::postings::{Achievement, Need, PostingKind, Service};
use kejiyun_core::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use kejiyun_core::paging::Paged;
use kejiyun_core::regions::RegionCode;

use super::super::common::{Layout, OrPage, PageResult, Params, Pg, ok};
use super::super::tech_workers::{Filters, local_region_name};
use super::super::widgets::{Opt, Pager, RegionSelect, RegionSelectSpec};
use super::{
    PostingCard, badge, category_label, category_options, kind_slug, page_kind, posting_href,
    price_label, vocab_options, yuan,
};
use crate::AppState;
use crate::session::Ctx;

pub fn service_card(pg: &Pg<'_>, s: Service) -> PostingCard {
    PostingCard {
        id: s.id.0,
        href: posting_href(PostingKind::Service, s.id.0),
        kind: "service",
        category: category_label(pg, s.draft.category),
        region: local_region_name(pg, s.draft.region),
        price: price_label(pg, s.draft.price),
        owner: s.meta.owner_name,
        date: s.meta.created_at.to_shanghai_display(),
        status: s.meta.status.as_str(),
        badge: badge(pg, s.meta.status),
        title: s.draft.title,
    }
}

pub fn need_card(pg: &Pg<'_>, n: Need) -> PostingCard {
    PostingCard {
        id: n.id.0,
        href: posting_href(PostingKind::Need, n.id.0),
        kind: "need",
        category: category_label(pg, n.draft.category),
        region: local_region_name(pg, n.draft.region),
        price: match n.draft.budget {
            Some(b) => format!("{}{}", pg.t("mk.budget_prefix"), yuan(pg, b)),
            None => pg.t("mk.no_budget").to_owned(),
        },
        owner: n.meta.owner_name,
        date: n.meta.created_at.to_shanghai_display(),
        status: n.meta.status.as_str(),
        badge: badge(pg, n.meta.status),
        title: n.draft.title,
    }
}

pub fn achievement_card(pg: &Pg<'_>, a: Achievement) -> PostingCard {
    PostingCard {
        id: a.id.0,
        href: posting_href(PostingKind::Achievement, a.id.0),
        kind: "achievement",
        category: category_label(pg, a.draft.category),
        region: local_region_name(pg, a.draft.region),
        price: price_label(pg, a.draft.price),
        owner: a.meta.owner_name,
        date: a.meta.created_at.to_shanghai_display(),
        status: a.meta.status.as_str(),
        badge: badge(pg, a.meta.status),
        title: a.draft.title,
    }
}

#[derive(Template)]
#[template(path = "market/list.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    heading: &'static str,
    intro: &'static str,
    action: String,
    new_href: String,
    new_label: &'static str,
    region_select: RegionSelect,
    categories: Vec<Opt>,
    /// Services only: "offered in" and scope filters.
    available_select: Option<RegionSelect>,
    scopes: Vec<Opt>,
    q: String,
    cards: Vec<PostingCard>,
    pager: Pager,
    empty: &'static str,
}

fn cards<T>(
    pg: &Pg<'_>,
    paged: Paged<T>,
    f: fn(&Pg<'_>, T) -> PostingCard,
) -> (Vec<PostingCard>, Paged<()>) {
    let meta = Paged {
        items: Vec::new(),
        total: paged.total,
        page: paged.page,
    };
    (paged.items.into_iter().map(|x| f(pg, x)).collect(), meta)
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let kind = page_kind(&pg)?;
    let params = Params::parse(raw.as_deref());
    let mut f = Filters::read(&params);
    let cat_raw = params.get("category").unwrap_or_default().to_owned();
    let category = match cat_raw.as_str() {
        "" => None,
        c => Category::parse(c)
            .map_err(|e| f.error = Some(e.to_string()))
            .ok(),
    };
    let avail_raw = params.get("available_in").unwrap_or_default().to_owned();
    let available_in = match avail_raw.as_str() {
        "" => None,
        c => RegionCode::parse(c)
            .map_err(|e| f.error = Some(e.to_string()))
            .ok(),
    };
    let scope_raw = params.get("scope").unwrap_or_default().to_owned();
    let scope = match scope_raw.as_str() {
        "" => None,
        c => Scope::parse(c)
            .map_err(|e| f.error = Some(e.to_string()))
            .ok(),
    };
    let q = PostingQuery {
        region: f.region,
        category,
        query: (!f.q.is_empty()).then(|| f.q.clone()),
        available_in,
        scope,
        ..PostingQuery::default()
    };
    let s = pg.s();
    let actor = pg.actor();
    let (cards, meta) = match kind {
        PostingKind::Service => cards(
            &pg,
            s.postings()
                .list::<ServiceDraft>(actor, q, f.page)
                .await
                .or_page(&pg)?,
            service_card,
        ),
        PostingKind::Need => cards(
            &pg,
            s.postings()
                .list::<NeedDraft>(actor, q, f.page)
                .await
                .or_page(&pg)?,
            need_card,
        ),
        PostingKind::Achievement => cards(
            &pg,
            s.postings()
                .list::<AchievementDraft>(actor, q, f.page)
                .await
                .or_page(&pg)?,
            achievement_card,
        ),
        PostingKind::Question | PostingKind::Resource => {
            return Err(pg.fail(DomainError::NotFound(pg.t("error.not_found").into())));
        }
    };
    let slug = kind_slug(kind);
    let path = format!("/{slug}");
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        &path,
        &[
            ("region", &region),
            ("category", category.map(Category::code).unwrap_or_default()),
            ("available_in", &avail_raw),
            ("scope", scope.map(Scope::code).unwrap_or_default()),
            ("q", &f.q),
        ],
        &meta,
    );
    let is_service = kind == PostingKind::Service;
    let code = kind.code();
    let mut base = pg.layout(&format!("mk.{code}.list"), slug);
    base.error = f.error.clone();
    ok(&ListTpl {
        heading: pg.t(&format!("mk.{code}.list")),
        intro: pg.t(&format!("mk.{code}.intro")),
        new_href: format!("/{slug}/new"),
        new_label: pg.t(&format!("mk.{code}.new")),
        empty: pg.t(&format!("mk.{code}.none")),
        region_select: f.region_select(&pg),
        categories: category_options(&pg, category.map(Category::code).unwrap_or_default()),
        available_select: is_service.then(|| {
            RegionSelectSpec::optional("available_in", "mk.available_in", "filter.all_regions")
                .hint("mk.available_in_hint")
                .build(&pg, &avail_raw)
        }),
        scopes: if is_service {
            vocab_options(&pg, "scope", Scope::ALL, Scope::code, &scope_raw)
        } else {
            Vec::new()
        },
        q: f.q.clone(),
        action: path,
        cards,
        pager,
        base,
    })
}
