//! The audit log's storage port: read only, as the log is append-only (entries are written by
//! the stores of the actions they record, in the same transaction).

use async_trait::async_trait;

use crate::audit::AuditEntry;
use crate::audit::chain::{ChainHead, ChainRow};
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::time::Timestamp;

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn list_audit(&self, scope: &RegionScope, page: Page) -> StoreResult<Paged<AuditEntry>>;
}

/// The audit log's hash chain (`audit::chain`): reading it back to verify, and pruning its
/// oldest entries while keeping the rest verifiable.
#[async_trait]
pub trait AuditChainStore: Send + Sync {
    /// The one-row `audit_head`.
    async fn audit_chain_head(&self) -> StoreResult<ChainHead>;
    /// Up to `limit` chained rows with `after_seq < seq <= through_seq`, in `seq` order (one
    /// page of a verification: a province's log does not fit in memory).
    async fn audit_chain_page(
        &self,
        after_seq: i64,
        through_seq: i64,
        limit: u64,
    ) -> StoreResult<Vec<ChainRow>>;
    /// How many rows have no `seq` (inserted past the store).
    async fn audit_unchained(&self) -> StoreResult<u64>;
    /// Deletes the oldest entries, in chain order, up to the last one before the first
    /// entry written at or after `before`, and moves the head's pruned horizon to it, in one
    /// transaction. Returns the entries deleted and the new horizon's `seq`.
    async fn prune_audit(&self, before: Timestamp) -> StoreResult<(u64, i64)>;
}
