//! The organizations' storage port.

use async_trait::async_trait;

use crate::ids::{OrgId, UserId};
use crate::moderation::ModerationStatus;
use crate::moderation::ports::StatusChange;
use crate::orgs::{Org, OrgProfile, OrgType};
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct OrgFilter {
    pub scope: RegionScope,
    pub status: Option<ModerationStatus>,
    pub org_type: Option<OrgType>,
    pub query: Option<String>,
}

#[async_trait]
pub trait OrgStore: Send + Sync {
    async fn create_org(
        &self,
        admin: UserId,
        profile: &OrgProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<OrgId>;
    async fn org(&self, id: OrgId) -> StoreResult<Option<Org>>;
    async fn update_org(
        &self,
        id: OrgId,
        profile: &OrgProfile,
        change: StatusChange,
    ) -> StoreResult<()>;
    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> StoreResult<Paged<Org>>;
}
