//! The home page and the region pages.

use askama::Template;
use axum::extract::{Path, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::DirectoryQuery;
use kejiyun_core::paging::Page;
use kejiyun_core::regions::RegionCode;

use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::market::postings::{NeedDraft, ServiceDraft};
use kejiyun_core::stats::Metric;
use serde::Deserialize;

use super::common::{Layout, OrPage, PageError, PageResult, Pg, ok, see_other};
use super::market::{PostingCard, need_card, service_card};
use super::orgs::{OrgRow, org_row};
use super::stats;
use super::tech_workers::{TwRow, tw_row};
use crate::AppState;
use crate::session::Ctx;
use crate::session::{CsrfForm, REGION_COOKIE, cookie_header};

pub struct RegionLink {
    pub href: String,
    pub name: String,
}

fn region_link(code: RegionCode, name: &str) -> RegionLink {
    RegionLink {
        href: format!("/regions/{code}"),
        name: name.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "home.html", whitespace = "minimize")]
struct HomeTpl {
    base: Layout,
    region_name: String,
    region_code: String,
    /// The region's headline figures (all time), each opening the dashboard.
    figures: Vec<HomeFigure>,
    needs: Vec<PostingCard>,
    services: Vec<PostingCard>,
    children: Vec<RegionLink>,
    tw_total: u64,
    org_total: u64,
}

pub struct HomeFigure {
    pub label: String,
    pub value: String,
    pub unit: &'static str,
    pub href: String,
}

/// The figures a visitor sees first: what is asked, offered and agreed in their region.
const HOME_METRICS: [Metric; 5] = [
    Metric::NeedsPublished,
    Metric::ServicesPublished,
    Metric::Deals,
    Metric::DealAmount,
    Metric::AchievementsPublished,
];

/// Whose region the home page shows: the one chosen with the switcher, else the region the
/// user gave at registration, else the deployment's root.
async fn home_region(pg: &Pg<'_>) -> Result<(RegionCode, bool), PageError> {
    if let Some(code) = pg.chosen_region() {
        return Ok((code, false));
    }
    if let Some(actor) = pg.actor()
        && let Some(code) = pg.s().accounts().me(actor).await.or_page(pg)?.region
        && pg.s().deployment_region(code, "region").is_ok()
    {
        return Ok((code, true));
    }
    Ok((pg.s().root, false))
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let s = pg.s();
    let (code, from_profile) = home_region(&pg).await?;
    let region = s.regions.require(code).or_page(&pg)?;
    let five = Page {
        page: 1,
        per_page: 5,
    };
    let in_region = || PostingQuery {
        region: Some(code),
        ..Default::default()
    };
    let needs = s
        .postings()
        .list::<NeedDraft>(pg.actor(), in_region(), five)
        .await
        .or_page(&pg)?;
    let services = s
        .postings()
        .list::<ServiceDraft>(pg.actor(), in_region(), five)
        .await
        .or_page(&pg)?;
    let report = s
        .stats()
        .stats(pg.actor(), code, None, None)
        .await
        .or_page(&pg)?;
    let figures = HOME_METRICS
        .iter()
        .map(|m| HomeFigure {
            label: metric_name(&pg, *m),
            value: stats::figure(*m, report.totals.get(m).copied().unwrap_or(0)),
            unit: if m.is_amount() {
                pg.t("stats.unit_wan")
            } else {
                ""
            },
            href: format!("/stats/{code}/records?metric={}", m.key()),
        })
        .collect();
    let directory = |region| DirectoryQuery {
        region: Some(region),
        ..Default::default()
    };
    let one = Page {
        page: 1,
        per_page: 1,
    };
    let tw_total = s
        .tech_workers()
        .list(None, directory(code), (), one)
        .await
        .or_page(&pg)?
        .total;
    let org_total = s
        .orgs()
        .list(None, directory(code), None, one)
        .await
        .or_page(&pg)?
        .total;
    let mut base = pg.layout("home.title", "home");
    base.region_name = region.name.clone();
    base.region_href = format!("/regions/{code}");
    let page = HomeTpl {
        base,
        region_name: region.name.clone(),
        region_code: code.to_string(),
        figures,
        needs: needs.items.into_iter().map(|n| need_card(&pg, n)).collect(),
        services: services
            .items
            .into_iter()
            .map(|x| service_card(&pg, x))
            .collect(),
        children: s
            .regions
            .children(code)
            .into_iter()
            .map(|r| region_link(r.code, &r.name))
            .collect(),
        tw_total,
        org_total,
    };
    // The region given at registration becomes the remembered choice, so every page's
    // switcher agrees with what home shows.
    let remember = from_profile.then(|| region_cookie(&state, code));
    Ok((AppendHeaders(remember.map(|c| (SET_COOKIE, c))), ok(&page)?).into_response())
}

fn metric_name(pg: &Pg<'_>, m: Metric) -> String {
    if pg.lang().is_en() {
        let en = pg.t(&format!("metric.{}", m.key()));
        if en != "??" {
            return en.to_owned();
        }
    }
    m.label_zh().to_owned()
}

fn region_cookie(state: &AppState, code: RegionCode) -> HeaderValue {
    cookie_header(
        REGION_COOKIE,
        &code.to_string(),
        86_400 * 365,
        false,
        state.config.secure_cookies,
    )
}

#[derive(Deserialize)]
pub struct RegionChoice {
    code: String,
}

/// The site-wide switcher: remembers the visitor's region (a cookie, for a year) and goes home.
pub async fn choose_region(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<RegionChoice>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let code = RegionCode::parse(form.code.trim())
        .map_err(|_| pg.fail(DomainError::invalid("code", pg.t("region.unknown"))))?;
    pg.s().deployment_region(code, "code").or_page(&pg)?;
    Ok(([(SET_COOKIE, region_cookie(&state, code))], see_other("/")).into_response())
}

pub async fn regions_root(State(state): State<AppState>) -> axum::response::Response {
    see_other(&format!("/regions/{}", state.services.root))
}

#[derive(Template)]
#[template(path = "region.html", whitespace = "minimize")]
struct RegionTpl {
    base: Layout,
    code: String,
    name: String,
    level: &'static str,
    breadcrumb: Vec<RegionLink>,
    children: Vec<RegionLink>,
    tech_workers: Vec<TwRow>,
    tw_total: u64,
    orgs: Vec<OrgRow>,
    org_total: u64,
    /// The switcher already points here.
    is_mine: bool,
    /// Inside the deployment's tree, so the switcher may point here.
    choosable: bool,
}

pub async fn region(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let s = pg.s();
    let code = RegionCode::parse(&raw)
        .map_err(|_| pg.fail(DomainError::NotFound(pg.t("region.unknown").into())))?;
    let region = s.visible_region(code).or_page(&pg)?;
    let ten = Page {
        page: 1,
        per_page: 10,
    };
    let q = || DirectoryQuery {
        region: Some(code),
        ..Default::default()
    };
    let tws = s
        .tech_workers()
        .list(None, q(), (), ten)
        .await
        .or_page(&pg)?;
    let orgs = s.orgs().list(None, q(), None, ten).await.or_page(&pg)?;
    let children = s
        .regions
        .children(code)
        .into_iter()
        .filter(|c| s.root.contains(c.code) || c.code.contains(s.root))
        .map(|c| region_link(c.code, &c.name))
        .collect();
    let breadcrumb = s
        .regions
        .path(code)
        .into_iter()
        .map(|r| region_link(r.code, &r.name))
        .collect();
    ok(&RegionTpl {
        base: pg.layout_titled(region.name.clone(), "regions"),
        code: code.to_string(),
        name: region.name.clone(),
        level: pg.level_label(code.level()),
        breadcrumb,
        children,
        tw_total: tws.total,
        tech_workers: tws.items.into_iter().map(|t| tw_row(&pg, t)).collect(),
        org_total: orgs.total,
        orgs: orgs.items.into_iter().map(|o| org_row(&pg, o)).collect(),
        is_mine: pg.chosen_region() == Some(code),
        choosable: s.root.contains(code),
    })
}
