use crate::audit::AuditEntry;
use crate::market::ports::TicketFilter;
use crate::market::postings::PostingKind;
use crate::market::tickets::TicketStatus;
use crate::moderation::{self, ModerationAction, ModerationKind, ModerationStatus, QueueItem};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::regions::RegionCode;
use crate::{DomainError, DomainResult};

/// What waits for an admin in their regions: the 工作台's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workbench {
    /// Items in the moderation queue, per kind (postings to review, profiles to verify).
    pub pending: Vec<(ModerationKind, u64)>,
    /// 保姆单 still being followed up.
    pub open_tickets: u64,
    /// Published postings that close within [`EXPIRING_WITHIN_DAYS`] unless their owners
    /// confirm them.
    pub expiring: Vec<(PostingKind, u64)>,
}

impl Workbench {
    pub fn pending_total(&self) -> u64 {
        self.pending.iter().map(|(_, n)| n).sum()
    }
}

/// The 工作台's horizon for postings about to close.
pub const EXPIRING_WITHIN_DAYS: i64 = 7;

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

    /// The counts of the admin's 工作台 (each a count query over the admin's regions).
    pub async fn workbench(&self, actor: &Actor) -> DomainResult<Workbench> {
        let scope = self.require_admin_scope(actor, None)?;
        let one = Page::new(Some(1), Some(1))?;
        let mut pending = Vec::new();
        for kind in ModerationKind::ALL {
            let n = self
                .store
                .moderation_queue(&scope, Some(kind), one)
                .await?
                .total;
            pending.push((kind, n));
        }
        let open_tickets = self
            .store
            .list_tickets(
                &TicketFilter {
                    scope: scope.clone(),
                    staff: None,
                    status: Some(TicketStatus::Open),
                    need: None,
                },
                one,
            )
            .await?
            .total;
        let now = self.now();
        let until = now.plus_seconds(EXPIRING_WITHIN_DAYS * 86_400);
        let mut expiring = Vec::new();
        for kind in PostingKind::ALL.into_iter().filter(|k| k.expires()) {
            let n = self.store.count_expiring(kind, &scope, now, until).await?;
            expiring.push((kind, n));
        }
        Ok(Workbench {
            pending,
            open_tickets,
            expiring,
        })
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
            ModerationKind::Service
            | ModerationKind::Need
            | ModerationKind::Achievement
            | ModerationKind::Question
            | ModerationKind::Resource => Err(DomainError::Internal(
                "posting kinds are moderated above".into(),
            )),
        }
    }

    /// The audit log: all of it for the audit administrator (审计管理员), a region's entries
    /// for the admins of its region.
    pub async fn audit_log(&self, actor: &Actor, page: Page) -> DomainResult<Paged<AuditEntry>> {
        let scope = if actor.is_audit_admin() {
            RegionScope::All
        } else {
            self.require_admin_scope(actor, None)?
        };
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
