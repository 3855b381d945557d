//! The home page and the region pages.

use askama::Template;
use axum::extract::{Path, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::DirectoryQuery;
use kejiyun_core::paging::Page;
use kejiyun_core::regions::RegionCode;

use super::common::{Layout, OrPage, PageResult, Pg, ok, see_other};
use super::orgs::{OrgRow, org_row};
use super::tech_workers::{TwRow, tw_row};
use crate::AppState;
use crate::session::Ctx;

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
    root_name: String,
    root_href: String,
    children: Vec<RegionLink>,
    tw_total: u64,
    org_total: u64,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let s = pg.s();
    let root = s.root_region().or_page(&pg)?;
    let one = Page {
        page: 1,
        per_page: 1,
    };
    let tw_total = s
        .tech_workers()
        .list(None, DirectoryQuery::default(), (), one)
        .await
        .or_page(&pg)?
        .total;
    let org_total = s
        .orgs()
        .list(None, DirectoryQuery::default(), None, one)
        .await
        .or_page(&pg)?
        .total;
    ok(&HomeTpl {
        base: pg.layout("home.title", "home"),
        root_name: root.name.clone(),
        root_href: format!("/regions/{}", root.code),
        children: s
            .regions
            .children(root.code)
            .into_iter()
            .map(|r| region_link(r.code, &r.name))
            .collect(),
        tw_total,
        org_total,
    })
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
    })
}
