//! `/search`: the one search box over everything published; and the "matches" box that a
//! posting's page shows its owner and the region's admins.

use askama::Template;
use axum::extract::{RawQuery, State};
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::paging::Paged;
use kejiyun_core::search_ports::{DocKind, Match, SearchQuery};

use super::common::{Layout, PageResult, Params, Pg, ok};
use super::market::{category_label, category_options};
use super::tech_workers::{Filters, local_region_name};
use super::widgets::{Opt, Pager, RegionSelect};
use crate::AppState;
use crate::session::Ctx;

pub struct HitView {
    pub kind_label: &'static str,
    pub href: String,
    pub title_html: String,
    pub snippet_html: String,
    pub region: String,
    pub category: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "search.html", whitespace = "minimize")]
struct SearchTpl {
    base: Layout,
    q: String,
    kinds: Vec<Opt>,
    region_select: RegionSelect,
    categories: Vec<Opt>,
    hits: Vec<HitView>,
    total: u64,
    total_exact: bool,
    terms: String,
    searched: bool,
    pager: Pager,
}

fn kind_label(pg: &Pg<'_>, k: DocKind) -> &'static str {
    pg.t(&format!("search.kind.{}", k.as_str()))
}

fn category_text(pg: &Pg<'_>, c: Option<Category>) -> String {
    c.map(|c| category_label(pg, c).to_owned())
        .unwrap_or_default()
}

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let mut f = Filters::read(&params);
    let kind_raw = params.get("type").unwrap_or_default().to_owned();
    let kind = match kind_raw.as_str() {
        "" => None,
        k => DocKind::parse(k)
            .map_err(|e| f.error = Some(e.to_string()))
            .ok(),
    };
    let cat_raw = params.get("category").unwrap_or_default().to_owned();
    let category = match cat_raw.as_str() {
        "" => None,
        c => Category::parse(c)
            .map_err(|e| f.error = Some(e.to_string()))
            .ok(),
    };
    let query = SearchQuery {
        text: f.q.clone(),
        kinds: kind.into_iter().collect(),
        region: f.region,
        category,
        page: f.page,
    };
    let (hits, total, total_exact, terms) = match pg.s().search(&query) {
        Ok(r) => {
            let hits = r
                .hits
                .into_iter()
                .map(|h| HitView {
                    kind_label: kind_label(&pg, h.kind),
                    href: h.kind.path(h.id),
                    title_html: h.title_html,
                    snippet_html: h.snippet_html,
                    region: local_region_name(&pg, h.region),
                    category: category_text(&pg, h.category),
                    date: h.published_at.to_shanghai_display(),
                })
                .collect();
            (hits, r.total, r.total_exact, r.terms.join(" / "))
        }
        Err(e) => {
            f.error = Some(e.to_string());
            (Vec::new(), 0, true, String::new())
        }
    };
    let meta: Paged<()> = Paged {
        items: Vec::new(),
        total,
        page: f.page,
    };
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        "/search",
        &[
            ("q", &f.q),
            ("type", kind.map(DocKind::as_str).unwrap_or_default()),
            ("region", &region),
            ("category", category.map(Category::code).unwrap_or_default()),
        ],
        &meta,
    );
    let mut base = pg.layout("search.title", "search");
    base.error = f.error.clone();
    ok(&SearchTpl {
        kinds: DocKind::ALL
            .iter()
            .map(|k| Opt {
                value: k.as_str().to_owned(),
                label: kind_label(&pg, *k).to_owned(),
                selected: kind == Some(*k),
            })
            .collect(),
        region_select: f.region_select(&pg),
        categories: category_options(&pg, category.map(Category::code).unwrap_or_default()),
        searched: !f.q.is_empty() || kind.is_some() || f.region.is_some() || category.is_some(),
        q: f.q.clone(),
        hits,
        total,
        total_exact,
        terms,
        pager,
        base,
    })
}

pub struct MatchView {
    pub kind_label: &'static str,
    pub href: String,
    pub title: String,
    pub region: String,
    pub strong: bool,
    pub reasons: Vec<String>,
}

/// The matches box of a posting page: `None` when the viewer may not see matches (or the
/// posting is not published); an index failure leaves the page without the box.
pub async fn posting_matches(pg: &Pg<'_>, kind: PostingKind, id: i64) -> Option<Vec<MatchView>> {
    let actor = pg.actor()?;
    match pg
        .s()
        .matches(actor, kind, id, kejiyun_core::app::search::DEFAULT_MATCHES)
        .await
    {
        Ok(found) => Some(found.into_iter().map(|m| match_view(pg, m)).collect()),
        Err(e) => {
            tracing::debug!(error = %e, "no matches box");
            None
        }
    }
}

fn match_view(pg: &Pg<'_>, m: Match) -> MatchView {
    MatchView {
        kind_label: kind_label(pg, m.kind),
        href: m.kind.path(m.id),
        title: m.title,
        region: local_region_name(pg, m.region),
        strong: m.strong,
        reasons: m.reasons.iter().map(|r| r.text_zh()).collect(),
    }
}
