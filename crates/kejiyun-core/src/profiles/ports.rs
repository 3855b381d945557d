//! The verifiable profiles' storage port, one for every kind.

use async_trait::async_trait;

use crate::ids::UserId;
use crate::moderation::ModerationStatus;
use crate::moderation::ports::StatusChange;
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::profiles::ProfileKind;
use crate::time::Timestamp;

/// A directory listing's filter; `own` is the kind's own (`ProfileKind::Filter`).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileFilter<F> {
    pub scope: RegionScope,
    pub status: Option<ModerationStatus>,
    /// Substring of the kind's searched texts (a tech worker's name, field, employer or
    /// expertise; an organization's name or description).
    pub query: Option<String>,
    pub own: F,
}

/// Each write also moves the moderation queue, the outbox, the statistics and (for a
/// decision) the owner's inbox, in the same transaction.
#[async_trait]
pub trait ProfileStore<K: ProfileKind>: Send + Sync {
    async fn create_profile(
        &self,
        owner: UserId,
        profile: &K::Profile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<K::Id>;
    async fn find_profile(&self, id: K::Id) -> StoreResult<Option<K>>;
    /// Replaces the profile and moves the status (`change.from` must match).
    async fn edit_profile(
        &self,
        id: K::Id,
        profile: &K::Profile,
        change: StatusChange,
    ) -> StoreResult<()>;
    async fn list_profiles(
        &self,
        filter: &ProfileFilter<K::Filter>,
        page: Page,
    ) -> StoreResult<Paged<K>>;
}
