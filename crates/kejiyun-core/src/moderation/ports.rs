//! The moderation queue's storage port, and [`StatusChange`], the status change every
//! moderated record's store applies.

use async_trait::async_trait;

use crate::audit::AuditRecord;
use crate::moderation::{ModerationKind, ModerationStatus, QueueItem};
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::time::Timestamp;

/// A status change of a moderated record, with its audit entry.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// The status the record must still have (optimistic concurrency): if another admin
    /// decided first, the change fails with `Conflict` and nothing is written.
    pub from: ModerationStatus,
    pub to: ModerationStatus,
    pub reason: Option<String>,
    pub at: Timestamp,
    pub audit: Option<AuditRecord>,
}

#[async_trait]
pub trait ModerationStore: Send + Sync {
    async fn moderation_queue(
        &self,
        scope: &RegionScope,
        kind: Option<ModerationKind>,
        page: Page,
    ) -> StoreResult<Paged<QueueItem>>;
    /// Moves a moderated record's status (and its queue row) and writes the audit entry.
    async fn change_status(
        &self,
        kind: ModerationKind,
        id: i64,
        change: StatusChange,
    ) -> StoreResult<()>;
}
