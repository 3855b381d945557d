//! What a provider offers, shown on their profile page (a tech worker's or an organization's):
//! their published services and achievements, and where 咨询 leads.

use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::ids::{OrgId, UserId};
use kejiyun_core::market::postings::{AchievementDraft, PostingKind, ServiceDraft};
use kejiyun_core::paging::Page;

use super::super::common::{OrPage, PageError, Pg};
use super::lists::{achievement_card, service_card};
use super::{PostingCard, posting_href};

/// Whose offers: a user's (the tech worker's) or an organization's.
#[derive(Clone, Copy)]
pub enum Provider {
    User(UserId),
    Org(OrgId),
}

pub struct Shelf {
    pub services: Vec<PostingCard>,
    pub services_total: u64,
    pub achievements: Vec<PostingCard>,
    pub achievements_total: u64,
    /// The inquiry form of the provider's latest service; `None` when they offer none yet.
    pub consult_href: Option<String>,
}

const SHOWN: u32 = 6;

pub async fn provider_shelf(pg: &Pg<'_>, provider: Provider) -> Result<Shelf, PageError> {
    let query = || match provider {
        Provider::User(u) => PostingQuery {
            owner: Some(u),
            ..Default::default()
        },
        Provider::Org(o) => PostingQuery {
            org: Some(o),
            ..Default::default()
        },
    };
    let page = Page {
        page: 1,
        per_page: SHOWN,
    };
    let s = pg.s();
    let services = s
        .postings()
        .list::<ServiceDraft>(pg.actor(), query(), page)
        .await
        .or_page(pg)?;
    let achievements = s
        .postings()
        .list::<AchievementDraft>(pg.actor(), query(), page)
        .await
        .or_page(pg)?;
    let consult_href = services
        .items
        .first()
        .map(|x| format!("{}#inquire", posting_href(PostingKind::Service, x.id.0)));
    Ok(Shelf {
        services_total: services.total,
        services: services
            .items
            .into_iter()
            .map(|x| service_card(pg, x))
            .collect(),
        achievements_total: achievements.total,
        achievements: achievements
            .items
            .into_iter()
            .map(|x| achievement_card(pg, x))
            .collect(),
        consult_href,
    })
}
