//! The popular-science storage port, beside the posting engine's `PostingStore<ResourceDraft>`:
//! the resources' counted views.

use std::collections::HashMap;

use async_trait::async_trait;

use super::views::ViewDelta;
use crate::ids::ResourceId;
use crate::ports::StoreResult;

#[async_trait]
pub trait ResourceStore: Send + Sync {
    /// The counted views of these resources so far (absent: none), by id.
    async fn resource_views(&self, ids: &[ResourceId]) -> StoreResult<HashMap<ResourceId, i64>>;
    /// Adds a batch of counted views in one transaction: each resource's total, its row of
    /// the day (with the region and category the resource has now) and the served figures.
    /// Views of a resource that no longer exists are dropped.
    async fn add_resource_views(&self, deltas: &[ViewDelta]) -> StoreResult<()>;
}
