use crate::audit::AuditEntry;
use crate::moderation::{self, ModerationAction, ModerationKind, ModerationStatus, QueueItem};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::regions::RegionCode;
use crate::{DomainError, DomainResult};

/// An admin's decision on a queued item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: String },
}

use_cases!(
    Moderation,
    moderation,
    "Moderation: the queue, decisions, the audit log"
);

impl Moderation<'_> {
    fn require_admin_scope(
        &self,
        actor: &Actor,
        narrow: Option<RegionCode>,
    ) -> DomainResult<RegionScope> {
        let scope = actor.admin_scope();
        if scope.is_empty() {
            return Err(DomainError::Forbidden("只有管理员可以访问".into()));
        }
        Ok(match narrow {
            Some(r) => scope.narrow(r),
            None => scope,
        })
    }

    /// The queue of the regions the caller administers.
    pub async fn moderation_queue(
        &self,
        actor: &Actor,
        kind: Option<ModerationKind>,
        region: Option<RegionCode>,
        page: Page,
    ) -> DomainResult<Paged<QueueItem>> {
        let scope = self.require_admin_scope(actor, region)?;
        Ok(self.store.moderation_queue(&scope, kind, page).await?)
    }

    /// How many items wait in the queue of the caller's regions (the admin's menu badge).
    pub async fn pending_count(&self, actor: &Actor) -> DomainResult<u64> {
        let one = Page::new(Some(1), Some(1))?;
        Ok(self.moderation_queue(actor, None, None, one).await?.total)
    }

    /// Approves or rejects a queued item; only admins of the item's region (or above).
    pub async fn moderate(
        &self,
        actor: &Actor,
        kind: ModerationKind,
        id: i64,
        decision: Decision,
    ) -> DomainResult<ModerationStatus> {
        if let Some(posting) = kind.posting_kind() {
            let (action, reason) = decision_action(decision)?;
            return self
                .postings()
                .moderate_posting(actor, posting, id, action, reason)
                .await;
        }
        match kind {
            ModerationKind::TechWorker => self.tech_workers().moderate(actor, id, decision).await,
            ModerationKind::Org => self.orgs().moderate(actor, id, decision).await,
            ModerationKind::Service | ModerationKind::Need | ModerationKind::Achievement => Err(
                DomainError::Internal("posting kinds are moderated above".into()),
            ),
        }
    }

    pub async fn audit_log(&self, actor: &Actor, page: Page) -> DomainResult<Paged<AuditEntry>> {
        let scope = self.require_admin_scope(actor, None)?;
        Ok(self.store.list_audit(&scope, page).await?)
    }
}

pub(super) fn decision_action(
    decision: Decision,
) -> DomainResult<(ModerationAction, Option<String>)> {
    Ok(match decision {
        Decision::Approve => (ModerationAction::Approve, None),
        Decision::Reject { reason } => {
            let reason = moderation::reason(&reason)?;
            (
                ModerationAction::Reject {
                    reason: reason.clone(),
                },
                Some(reason),
            )
        }
    })
}
