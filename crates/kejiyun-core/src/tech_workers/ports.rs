//! The tech workers' storage port.

use async_trait::async_trait;

use crate::ids::{TechWorkerId, UserId};
use crate::moderation::ModerationStatus;
use crate::moderation::ports::StatusChange;
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::tech_workers::{TechWorker, TechWorkerProfile};
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct TechWorkerFilter {
    pub scope: RegionScope,
    pub status: Option<ModerationStatus>,
    /// Substring of name, field, employer or expertise.
    pub query: Option<String>,
}

#[async_trait]
pub trait TechWorkerStore: Send + Sync {
    async fn create_tech_worker(
        &self,
        user: UserId,
        profile: &TechWorkerProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<TechWorkerId>;
    async fn tech_worker(&self, id: TechWorkerId) -> StoreResult<Option<TechWorker>>;
    async fn tech_worker_by_user(&self, user: UserId) -> StoreResult<Option<TechWorker>>;
    /// Replaces the profile and moves the status (`change.from` must match).
    async fn update_tech_worker(
        &self,
        id: TechWorkerId,
        profile: &TechWorkerProfile,
        change: StatusChange,
    ) -> StoreResult<()>;
    async fn list_tech_workers(
        &self,
        filter: &TechWorkerFilter,
        page: Page,
    ) -> StoreResult<Paged<TechWorker>>;
}
