//! The tech workers' own storage port; their life cycle is the profile engine's
//! (`profiles::ports::ProfileStore<TechWorker>`).

use async_trait::async_trait;

use crate::accounts::IdCardNumber;
use crate::audit::AuditRecord;
use crate::ids::{TechWorkerId, UserId};
use crate::ports::StoreResult;
use crate::tech_workers::TechWorker;

#[async_trait]
pub trait TechWorkerStore: Send + Sync {
    /// A user's own application (a user has at most one).
    async fn tech_worker_by_user(&self, user: UserId) -> StoreResult<Option<TechWorker>>;
    /// The profile's full ID-card number, with `audit` written in the same transaction first
    /// (`None`: no such profile, or no number on it).
    async fn reveal_tech_worker_id_card(
        &self,
        id: TechWorkerId,
        audit: AuditRecord,
    ) -> StoreResult<Option<IdCardNumber>>;
}
