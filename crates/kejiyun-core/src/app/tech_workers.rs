//! Tech workers' own use cases (one application per user); the rest of their life cycle is
//! the profile engine's (`app/profiles.rs`).

use serde_json::json;

use super::{Profiles, Services};
use crate::audit::AuditRecord;
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

    /// The full ID-card number, for its owner and the admins of the profile's region (pages
    /// and lists show it masked to everyone else). An admin's reading is written to the audit
    /// log (`tech_worker.id_card.read`) before the number is returned.
    pub async fn id_card(&self, actor: &Actor, id: TechWorkerId) -> DomainResult<String> {
        let tw = self.get(Some(actor), id).await?;
        let region = tw.profile.service_region;
        if !actor.sees_personal_data(tw.user_id, Some(region)) {
            return Err(DomainError::Forbidden(
                "只有本人和所在地区的管理员可以查看完整身份证号码".into(),
            ));
        }
        let no_number = || DomainError::NotFound("该科技工作者未登记身份证号码".into());
        let masked = tw.profile.id_card.as_ref().ok_or_else(no_number)?.masked();
        if actor.user_id == tw.user_id {
            return tw
                .profile
                .id_card
                .map(|c| c.as_str().to_owned())
                .ok_or_else(no_number);
        }
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: self.now(),
            action: "tech_worker.id_card.read".into(),
            target_kind: "tech_worker".into(),
            target_id: id.to_string(),
            region: Some(region),
            before: None,
            after: Some(json!({ "id_card": masked })),
        };
        let number = self
            .store
            .reveal_tech_worker_id_card(id, audit)
            .await?
            .ok_or_else(no_number)?;
        Ok(number.as_str().to_owned())
    }
}
