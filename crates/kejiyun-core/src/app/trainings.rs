//! Trainings (培训): holding one, enrolling, the attendance roll and the rotating-code
//! check-in. The rules are in `trainings.rs` and `rotating_code.rs`; these check who may act,
//! then call the store once.

use crate::ids::{TrainingId, TrainingSessionId, UserId};
use crate::moderation::ModerationStatus;
use crate::orgs::Org;
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::profiles::ProfileKind;
use crate::profiles::ports::ProfileStore;
use crate::rotating_code::{self, EventSecret, ShownCode};
use crate::trainings::ports::{NewTraining, TrainingFilter};
use crate::trainings::{
    CheckIn, Enrolment, RollEntry, Training, TrainingDraft, TrainingInput, manages, may_hold,
};
use crate::{DomainError, DomainResult};

use_cases!(
    Trainings,
    trainings,
    "Trainings: holding, enrolment, attendance rolls, rotating-code check-in"
);

fn no_training() -> DomainError {
    DomainError::NotFound("培训不存在".into())
}

fn no_session() -> DomainError {
    DomainError::NotFound("培训场次不存在".into())
}

fn not_enrolled() -> DomainError {
    DomainError::Conflict("该用户未报名此培训，不能记入签到".into())
}

impl Trainings<'_> {
    /// A region admin (in their subtree) or an organization's admin (for their verified
    /// organization, in its region) holds a training.
    pub async fn create(&self, actor: &Actor, input: &TrainingInput) -> DomainResult<TrainingId> {
        let draft = TrainingDraft::parse(input)?;
        self.deployment_region(draft.region, "region")?;
        if !may_hold(actor, draft.region, draft.org) {
            return Err(DomainError::Forbidden(
                "只有本地区的管理员或组织的管理员可以发布培训".into(),
            ));
        }
        if let Some(org) = draft.org {
            let found = ProfileStore::<Org>::find_profile(&*self.store, org)
                .await?
                .ok_or_else(|| DomainError::invalid("org", "组织不存在"))?;
            if found.status != ModerationStatus::Published {
                return Err(DomainError::invalid("org", "组织通过认证后才能发布培训"));
            }
            if !actor.administers(draft.region)
                && !Org::region_of(&found.profile).contains(draft.region)
            {
                return Err(DomainError::invalid("region", "培训地区应在组织所在地区内"));
            }
        }
        self.banned_words
            .check("title", &[draft.title.as_str(), draft.audience.as_str()])?;
        let secrets = draft
            .sessions
            .iter()
            .map(|_| EventSecret::generate().to_hex())
            .collect();
        let t = NewTraining {
            draft,
            secrets,
            created_by: actor.user_id,
            at: self.now(),
        };
        Ok(self.store.create_training(&t).await?)
    }

    pub async fn get(&self, id: TrainingId) -> DomainResult<Training> {
        self.store.training(id).await?.ok_or_else(no_training)
    }

    /// Trainings held in `region`'s subtree (public), or those `enrolled` is in.
    pub async fn list(
        &self,
        region: Option<crate::regions::RegionCode>,
        enrolled: Option<UserId>,
        page: Page,
    ) -> DomainResult<Paged<Training>> {
        let root = match region {
            Some(r) => self.visible_region(r)?.code,
            None => self.root,
        };
        let filter = TrainingFilter {
            scope: RegionScope::Within(vec![root]),
            enrolled,
        };
        Ok(self.store.trainings(&filter, page).await?)
    }

    async fn managed(&self, actor: &Actor, id: TrainingId) -> DomainResult<Training> {
        let t = self.get(id).await?;
        if !manages(actor, &t) {
            return Err(DomainError::Forbidden(
                "只有培训的组织者可以管理签到".into(),
            ));
        }
        Ok(t)
    }

    /// The caller enrols themselves.
    pub async fn enrol_self(&self, actor: &Actor, id: TrainingId) -> DomainResult<()> {
        self.enrol(id, &[actor.user_id]).await
    }

    /// Enrols `users` in one transaction, all or none (an organizer's list import calls this
    /// with the whole list): refused past the capacity or for someone enrolled already.
    pub async fn enrol(&self, id: TrainingId, users: &[UserId]) -> DomainResult<()> {
        let t = self.get(id).await?;
        if users.is_empty() {
            return Ok(());
        }
        if users.len() > t.places_left() as usize {
            return Err(full());
        }
        for (i, u) in users.iter().enumerate() {
            if users[..i].contains(u) {
                return Err(DomainError::invalid("users", "名单中有重复的人"));
            }
        }
        self.store.enrol(id, users, self.now()).await?;
        Ok(())
    }

    pub async fn is_enrolled(&self, id: TrainingId, user: UserId) -> DomainResult<bool> {
        Ok(self.store.is_enrolled(id, user).await?)
    }

    /// Who enrolled: for the organizers.
    pub async fn enrolments(&self, actor: &Actor, id: TrainingId) -> DomainResult<Vec<Enrolment>> {
        self.managed(actor, id).await?;
        Ok(self.store.enrolments(id).await?)
    }

    /// A session's roll: for the organizers.
    pub async fn roll(
        &self,
        actor: &Actor,
        id: TrainingId,
        session: TrainingSessionId,
    ) -> DomainResult<Vec<RollEntry>> {
        let t = self.managed(actor, id).await?;
        t.session(session).ok_or_else(no_session)?;
        Ok(self.store.roll(session).await?)
    }

    /// The organizer ticks `user` present (or not) at a session; only enrolled users.
    pub async fn mark(
        &self,
        actor: &Actor,
        id: TrainingId,
        session: TrainingSessionId,
        user: UserId,
        present: bool,
    ) -> DomainResult<bool> {
        let t = self.managed(actor, id).await?;
        t.session(session).ok_or_else(no_session)?;
        if !self.store.is_enrolled(id, user).await? {
            return Err(not_enrolled());
        }
        let check_in = present.then_some(CheckIn::Roll);
        Ok(self
            .store
            .set_attendance(session, user, check_in, self.now())
            .await?)
    }

    async fn secret(
        &self,
        id: TrainingId,
        session: TrainingSessionId,
    ) -> DomainResult<EventSecret> {
        let key = self
            .store
            .session_key(session)
            .await?
            .filter(|k| k.training == id)
            .ok_or_else(no_session)?;
        EventSecret::from_hex(&key.secret)
            .ok_or_else(|| DomainError::Internal(format!("session {session}: bad secret")))
    }

    /// The code the organizer's page shows now.
    pub async fn current_code(
        &self,
        actor: &Actor,
        id: TrainingId,
        session: TrainingSessionId,
    ) -> DomainResult<ShownCode> {
        self.managed(actor, id).await?;
        let secret = self.secret(id, session).await?;
        Ok(rotating_code::current(&secret, self.now()))
    }

    /// An enrolled attendee checks in with the code shown at the session. Returns whether
    /// this was new (`false`: already present).
    pub async fn check_in(
        &self,
        actor: &Actor,
        id: TrainingId,
        session: TrainingSessionId,
        code: &str,
    ) -> DomainResult<bool> {
        let secret = self.secret(id, session).await?;
        if !rotating_code::verify(&secret, code, self.now()) {
            return Err(DomainError::invalid(
                "code",
                "签到码错误或已过期，请输入现场屏幕上最新的 6 位签到码",
            ));
        }
        if !self.store.is_enrolled(id, actor.user_id).await? {
            return Err(DomainError::Forbidden("您未报名此培训，不能签到".into()));
        }
        Ok(self
            .store
            .set_attendance(session, actor.user_id, Some(CheckIn::Code), self.now())
            .await?)
    }
}

/// The capacity refusal (also the store's message when the last place went meanwhile).
pub fn full() -> DomainError {
    DomainError::Conflict("培训名额已满".into())
}
