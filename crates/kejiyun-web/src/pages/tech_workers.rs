//! The tech-worker directory and profile pages.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use kejiyun_core::app::DirectoryQuery;
use kejiyun_core::ids::TechWorkerId;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::{DEFAULT_PER_PAGE, Page};
use kejiyun_core::permissions::sees_personal_data;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::tech_workers::TechWorker;

use super::common::{Layout, OrPage, PageResult, Params, Pg, ok, parse_id};
use super::market::{Provider, Shelf, provider_shelf};
use super::widgets::{ModerateForms, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};
use crate::view;

/// One line of a tech-worker list.
pub struct TwRow {
    pub href: String,
    pub name: String,
    pub field: String,
    pub title: Option<String>,
    pub employer: String,
    pub region: String,
    pub tags: Vec<String>,
    pub status: &'static str,
    /// A status badge, for anything not published.
    pub badge: Option<&'static str>,
}

/// A region's name below the deployment root ("广安市 邻水县"), or the root's own name.
pub fn local_region_name(pg: &Pg<'_>, code: RegionCode) -> String {
    let s = pg.s();
    let path = s.regions.path(code);
    let below: Vec<&str> = path
        .iter()
        .filter(|r| r.code != s.root && !r.code.contains(s.root))
        .map(|r| r.name.as_str())
        .collect();
    if below.is_empty() {
        pg.region_short_name(code)
    } else {
        below.join(" ")
    }
}

pub fn tw_row(pg: &Pg<'_>, t: TechWorker) -> TwRow {
    TwRow {
        href: format!("/tech-workers/{}", t.id),
        region: local_region_name(pg, t.profile.service_region),
        name: t.display_name,
        field: t.profile.field,
        title: t.profile.title,
        employer: t.profile.employer,
        tags: t.profile.expertise,
        status: t.status.as_str(),
        badge: (t.status != ModerationStatus::Published).then(|| pg.status_label(t.status)),
    }
}

/// Reads the directory filters shared by the tech-worker and organization lists: a bad region
/// code is reported on the page and ignored, never an error page.
pub struct Filters {
    pub region_raw: String,
    pub region: Option<RegionCode>,
    pub q: String,
    pub error: Option<String>,
    pub page: Page,
}

impl Filters {
    pub fn read(p: &Params) -> Self {
        let region_raw = p.get("region").unwrap_or_default().to_owned();
        let (region, error) = if region_raw.is_empty() {
            (None, None)
        } else {
            match RegionCode::parse(&region_raw) {
                Ok(c) => (Some(c), None),
                Err(e) => (None, Some(e.to_string())),
            }
        };
        Self {
            region,
            error,
            region_raw,
            q: p.get("q").unwrap_or_default().chars().take(50).collect(),
            page: Page {
                page: p.page(),
                per_page: DEFAULT_PER_PAGE,
            },
        }
    }

    pub fn query(&self) -> DirectoryQuery {
        DirectoryQuery {
            region: self.region,
            status: None,
            query: (!self.q.is_empty()).then(|| self.q.clone()),
        }
    }

    pub fn region_select(&self, pg: &Pg<'_>) -> RegionSelect {
        RegionSelectSpec::optional("region", "filter.region", "filter.all_regions")
            .build(pg, &self.region_raw)
    }
}

#[derive(Template)]
#[template(path = "tech_workers.html", whitespace = "minimize")]
struct DirectoryTpl {
    base: Layout,
    region_select: RegionSelect,
    q: String,
    tech_workers: Vec<TwRow>,
    pager: Pager,
}

pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let f = Filters::read(&Params::parse(raw.as_deref()));
    let paged = pg
        .s()
        .tech_workers()
        .list(None, f.query(), (), f.page)
        .await
        .or_page(&pg)?;
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        "/tech-workers",
        &[("region", &region), ("q", &f.q)],
        &paged,
    );
    let mut base = pg.layout("tw.directory", "tech_workers");
    base.error = f.error.clone();
    ok(&DirectoryTpl {
        base,
        region_select: f.region_select(&pg),
        q: f.q.clone(),
        tech_workers: paged.items.into_iter().map(|t| tw_row(&pg, t)).collect(),
        pager,
    })
}

#[derive(Template)]
#[template(path = "tech_worker.html", whitespace = "minimize")]
struct ProfileTpl {
    base: Layout,
    /// The provider's services and achievements, and the 咨询 button's target.
    shelf: Shelf,
    row: TwRow,
    region_href: String,
    bio: Option<String>,
    id_card: Option<String>,
    /// A region admin may read the full number (an audited reveal).
    may_reveal: bool,
    /// The full number is shown after such a reveal.
    revealed: bool,
    reject_reason: Option<String>,
    verified_at: Option<String>,
    is_owner: bool,
    moderate: Option<ModerateForms>,
    /// The expert's answers to public questions, accepted first (专家问诊).
    answers: Vec<super::questions::ExpertAnswer>,
}

pub async fn profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = parse_id(&pg, &raw)?;
    profile_page(&pg, id, None).await
}

/// An admin of the profile's region reads the full ID-card number (audited), shown on the
/// profile page.
pub async fn reveal_id_card(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = parse_id(&pg, &raw)?;
    let actor = pg.require_login()?;
    let full = pg
        .s()
        .tech_workers()
        .id_card(actor, TechWorkerId(id))
        .await
        .or_page(&pg)?;
    profile_page(&pg, id, Some(full)).await
}

async fn profile_page(pg: &Pg<'_>, id: i64, full_id_card: Option<String>) -> PageResult {
    let tw = pg
        .s()
        .tech_workers()
        .get(pg.actor(), TechWorkerId(id))
        .await
        .or_page(pg)?;
    let actor = pg.actor();
    let region = tw.profile.service_region;
    let privileged = sees_personal_data(actor, tw.user_id, Some(region));
    let is_owner = actor.is_some_and(|a| a.user_id == tw.user_id);
    let moderate = (tw.status == ModerationStatus::Pending
        && actor.is_some_and(|a| a.administers(region)))
    .then(|| ModerateForms::new(pg, "tech_worker", id));
    let revealed = full_id_card.is_some();
    let id_card = full_id_card.or_else(|| {
        tw.profile
            .id_card
            .as_ref()
            .map(|c| view::id_card(actor, tw.user_id, c))
    });
    // The region's admins (not the owner, who sees it) may read the full number, audited.
    let may_reveal = !revealed && !is_owner && privileged && tw.profile.id_card.is_some();
    let base = pg.layout_titled(tw.display_name.clone(), "tech_workers");
    let shelf = provider_shelf(pg, Provider::User(tw.user_id)).await?;
    let answers = super::questions::expert_answers(pg, tw.user_id).await?;
    ok(&ProfileTpl {
        base,
        shelf,
        answers,
        region_href: format!("/regions/{region}"),
        bio: tw.profile.bio.clone(),
        id_card,
        reject_reason: if privileged {
            tw.reject_reason.clone()
        } else {
            None
        },
        verified_at: tw.verified_at.map(|t| t.to_shanghai_display()),
        is_owner,
        may_reveal,
        revealed,
        moderate,
        row: tw_row(pg, tw),
    })
}
