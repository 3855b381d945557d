use super::Services;
use crate::ids::TechWorkerId;
use crate::moderation::ports::StatusChange;
use crate::moderation::{self, ModerationAction, ModerationStatus};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::regions::RegionCode;
use crate::tech_workers::ports::TechWorkerFilter;
use crate::tech_workers::{TechWorker, TechWorkerInput, TechWorkerProfile};
use crate::{DomainError, DomainResult, text};

/// Filters a directory listing may ask for.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    pub region: Option<RegionCode>,
    pub status: Option<ModerationStatus>,
    pub query: Option<String>,
}

use_cases!(
    TechWorkers,
    tech_workers,
    "Tech workers: applications, profiles, the directory"
);

impl TechWorkers<'_> {
    fn parse_tech_worker(&self, input: &TechWorkerInput) -> DomainResult<TechWorkerProfile> {
        let profile = TechWorkerProfile::parse(input)?;
        self.deployment_region(profile.service_region, "service_region")?;
        self.banned_words.check("bio", &profile.public_text())?;
        Ok(profile)
    }

    /// A user applies to become a verified tech worker; the application goes to the queue of
    /// the service region.
    pub async fn apply_tech_worker(
        &self,
        actor: &Actor,
        input: &TechWorkerInput,
    ) -> DomainResult<TechWorkerId> {
        let profile = self.parse_tech_worker(input)?;
        if self
            .store
            .tech_worker_by_user(actor.user_id)
            .await?
            .is_some()
        {
            return Err(DomainError::Conflict(
                "您已提交过科技工作者申请，请修改现有申请".into(),
            ));
        }
        Ok(self
            .store
            .create_tech_worker(
                actor.user_id,
                &profile,
                ModerationStatus::Pending,
                self.now(),
            )
            .await?)
    }

    /// The owner edits their application or profile; it goes back to review.
    pub async fn edit_tech_worker(
        &self,
        actor: &Actor,
        id: TechWorkerId,
        input: &TechWorkerInput,
    ) -> DomainResult<TechWorker> {
        let current = self.tech_worker(Some(actor), id).await?;
        if current.user_id != actor.user_id {
            return Err(DomainError::Forbidden("只能修改自己的申请".into()));
        }
        let profile = self.parse_tech_worker(input)?;
        let to = moderation::transition(current.status, &ModerationAction::Edit)?;
        self.store
            .update_tech_worker(
                id,
                &profile,
                StatusChange {
                    from: current.status,
                    to,
                    reason: None,
                    at: self.now(),
                    audit: None,
                },
            )
            .await?;
        self.tech_worker(Some(actor), id).await
    }

    /// Published profiles are public; others only to their owner and the region's admins.
    pub async fn tech_worker(
        &self,
        actor: Option<&Actor>,
        id: TechWorkerId,
    ) -> DomainResult<TechWorker> {
        let tw = self
            .store
            .tech_worker(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("科技工作者不存在".into()))?;
        let visible = tw.status == ModerationStatus::Published
            || actor.is_some_and(|a| {
                a.user_id == tw.user_id || a.administers(tw.profile.service_region)
            });
        if visible {
            Ok(tw)
        } else {
            Err(DomainError::NotFound("科技工作者不存在".into()))
        }
    }

    pub async fn my_tech_worker(&self, actor: &Actor) -> DomainResult<Option<TechWorker>> {
        Ok(self.store.tech_worker_by_user(actor.user_id).await?)
    }

    pub async fn list_tech_workers(
        &self,
        actor: Option<&Actor>,
        q: DirectoryQuery,
        page: Page,
    ) -> DomainResult<Paged<TechWorker>> {
        let (scope, status) = directory_scope(self, actor, q.region, q.status)?;
        let filter = TechWorkerFilter {
            scope,
            status: Some(status),
            query: text::search_text(q.query.as_deref(), text::SEARCH_TEXT_MAX)?,
        };
        Ok(self.store.list_tech_workers(&filter, page).await?)
    }
}

/// Visitors see published records under the deployment root; admins may list other statuses,
/// but only within the regions they administer.
pub(super) fn directory_scope(
    s: &Services,
    actor: Option<&Actor>,
    region: Option<RegionCode>,
    status: Option<ModerationStatus>,
) -> DomainResult<(RegionScope, ModerationStatus)> {
    let status = status.unwrap_or(ModerationStatus::Published);
    let base = if status == ModerationStatus::Published {
        RegionScope::Within(vec![s.root])
    } else {
        let scope = actor
            .map(Actor::admin_scope)
            .unwrap_or(RegionScope::Within(vec![]));
        if scope.is_empty() {
            return Err(DomainError::Forbidden(
                "只有管理员可以查看未公开的记录".into(),
            ));
        }
        match scope {
            RegionScope::All => RegionScope::Within(vec![s.root]),
            other => other,
        }
    };
    Ok((
        match region {
            Some(r) => base.narrow(r),
            None => base,
        },
        status,
    ))
}
