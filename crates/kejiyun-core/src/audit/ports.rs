//! The audit log's storage port: read only, as the log is append-only (entries are written by
//! the stores of the actions they record, in the same transaction).

use async_trait::async_trait;

use crate::audit::AuditEntry;
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn list_audit(&self, scope: &RegionScope, page: Page) -> StoreResult<Paged<AuditEntry>>;
}
