//! Tech workers' own use cases (one application per user); the rest of their life cycle is
//! the profile engine's (`app/profiles.rs`).

use super::{Profiles, Services};
use crate::ids::{TechWorkerId, UserId};
use crate::moderation::ModerationStatus;
use crate::permissions::Actor;
use crate::tech_workers::{TechWorker, TechWorkerInput};
use crate::{DomainError, DomainResult};

impl Services {
    /// Tech workers: applications, profiles, the directory.
    pub fn tech_workers(&self) -> Profiles<'_, TechWorker> {
        self.profiles()
    }
}

impl Profiles<'_, TechWorker> {
    /// A user applies to become a verified tech worker; the application goes to the queue of
    /// the service region.
    pub async fn apply(
        &self,
        actor: &Actor,
        input: &TechWorkerInput,
    ) -> DomainResult<TechWorkerId> {
        let profile = self.parse(input)?;
        if self.mine(actor).await?.is_some() {
            return Err(DomainError::Conflict(
                "您已提交过科技工作者申请，请修改现有申请".into(),
            ));
        }
        self.submit(actor, &profile).await
    }

    /// The verified tech worker profile of a user, if they have one: where a posting's
    /// provider name links to. Unverified applications stay private.
    pub async fn verified_of(&self, user: UserId) -> DomainResult<Option<TechWorkerId>> {
        Ok(self
            .store
            .tech_worker_by_user(user)
            .await?
            .filter(|t| t.status == ModerationStatus::Published)
            .map(|t| t.id))
    }

    /// The caller's own application or profile, in any status.
    pub async fn mine(&self, actor: &Actor) -> DomainResult<Option<TechWorker>> {
        Ok(self.store.tech_worker_by_user(actor.user_id).await?)
    }
}
