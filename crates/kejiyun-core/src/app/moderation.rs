use serde_json::json;

use crate::audit::{AuditEntry, AuditRecord};
use crate::ids::{OrgId, TechWorkerId};
use crate::moderation::ports::StatusChange;
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
        let (status, region, label) = match kind {
            ModerationKind::TechWorker => {
                let tw = self
                    .tech_workers()
                    .tech_worker(Some(actor), TechWorkerId(id))
                    .await?;
                (tw.status, tw.profile.service_region, tw.display_name)
            }
            ModerationKind::Org => {
                let org = self.orgs().org(Some(actor), OrgId(id)).await?;
                (org.status, org.profile.region, org.profile.name)
            }
            ModerationKind::Service | ModerationKind::Need | ModerationKind::Achievement => {
                return Err(DomainError::Internal(
                    "posting kinds are moderated above".into(),
                ));
            }
        };
        if !actor.administers(region) {
            return Err(DomainError::Forbidden(format!(
                "您无权审核{}的记录",
                self.regions.full_name(region)
            )));
        }
        let (action, reason) = decision_action(decision)?;
        let to = moderation::transition(status, &action)?;
        let now = self.now();
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: now,
            action: format!("{}.{}", kind.as_str(), action.name()),
            target_kind: kind.as_str().into(),
            target_id: id.to_string(),
            region: Some(region),
            before: Some(json!({ "status": status.as_str(), "name": label })),
            after: Some(json!({ "status": to.as_str(), "reason": reason })),
        };
        self.store
            .change_status(
                kind,
                id,
                StatusChange {
                    from: status,
                    to,
                    reason,
                    at: now,
                    audit: Some(audit),
                },
            )
            .await?;
        Ok(to)
    }

    pub async fn audit_log(&self, actor: &Actor, page: Page) -> DomainResult<Paged<AuditEntry>> {
        let scope = self.require_admin_scope(actor, None)?;
        Ok(self.store.list_audit(&scope, page).await?)
    }
}

fn decision_action(decision: Decision) -> DomainResult<(ModerationAction, Option<String>)> {
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
