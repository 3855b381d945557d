//! Trainings (培训): holding one, enrolling, the attendance roll and the rotating-code
//! check-in. The rules are in `trainings.rs` and `rotating_code.rs`; these check who may act,
//! then call the store once.

use crate::certificates::{Certificate, CertificateKind, NewCertificate};
use crate::ids::{TrainingId, TrainingSessionId, UserId};
use crate::import::{self, RowError, RowReport, Sheet};
use crate::moderation::ModerationStatus;
use crate::orgs::Org;
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::profiles::ProfileKind;
use crate::profiles::ports::ProfileStore;
use crate::rotating_code::{self, EventSecret, ShownCode};
use crate::trainings::import::{EnrolmentList, LOGIN};
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

impl Trainings<'_> {
    /// An organizer's enrolment list (.xlsx read into `sheet`): every row checked — a login
    /// nobody registered with, someone enrolled already, a repeated row — and reported by its
    /// row number. With `apply`, a clean list is enrolled in one transaction; a list with any
    /// bad row enrols nobody. A list longer than the places left is refused whole. Returns the
    /// report (its rows: who would be, or was, enrolled) and how many were enrolled.
    pub async fn import_enrolments(
        &self,
        actor: &Actor,
        id: TrainingId,
        sheet: &Sheet,
        apply: bool,
    ) -> DomainResult<(RowReport<UserId>, usize)> {
        let t = self.managed(actor, id).await?;
        let read = import::read::<EnrolmentList>(sheet)?;
        let mut report = RowReport {
            rows: Vec::new(),
            errors: read.errors,
        };
        // Who is enrolled already, read once for the whole list.
        let enrolled: std::collections::HashSet<UserId> = self
            .store
            .enrolments(id)
            .await?
            .into_iter()
            .map(|e| e.user)
            .collect();
        for (row, r) in read.rows {
            let refuse = |m: &str| RowError::new(row, Some(LOGIN), m);
            match self.store.user_by_login(&r.login).await? {
                None => report
                    .errors
                    .push(refuse("该手机号或邮箱尚未注册科技云，请学员先注册")),
                Some(u) if report.rows.iter().any(|(_, id)| *id == u.id) => {
                    report.errors.push(refuse("与前面一行是同一个人"));
                }
                Some(u) if enrolled.contains(&u.id) => {
                    report.errors.push(refuse("已报名，无需再导入"));
                }
                Some(u) => report.rows.push((row, u.id)),
            }
        }
        report.errors.sort_by_key(|e| e.row);
        if report.rows.len() > t.places_left() as usize {
            return Err(DomainError::Conflict(format!(
                "名单中可报名 {} 人，超过剩余名额 {} 人：请删减名单或先扩大名额",
                report.rows.len(),
                t.places_left()
            )));
        }
        if !apply || !report.is_clean() {
            return Ok((report, 0));
        }
        let users: Vec<UserId> = report.rows.iter().map(|(_, u)| *u).collect();
        self.enrol(id, &users).await?;
        Ok((report, users.len()))
    }

    /// The attendee's certificate of this training (issued once, then the same one): after its
    /// last session has ended, for someone present at one session at least. Its detail says
    /// how many of the sessions they attended.
    pub async fn certificate(&self, actor: &Actor, id: TrainingId) -> DomainResult<Certificate> {
        let t = self.get(id).await?;
        let now = self.now();
        if t.sessions.last().is_some_and(|s| now < s.ends_at) {
            return Err(DomainError::Conflict("培训结束后才能领取证书".into()));
        }
        let attended = self.store.sessions_attended(id, actor.user_id).await?;
        if attended == 0 {
            return Err(DomainError::Conflict(
                "没有您的出勤记录：到场签到后才能领取培训证书".into(),
            ));
        }
        let holder = self
            .store
            .user(actor.user_id)
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        let issuer = self.regions.get(t.region).map_or_else(
            || "科学技术协会".to_owned(),
            |r| format!("{}科学技术协会", r.name),
        );
        self.certificates()
            .issue(&NewCertificate {
                kind: CertificateKind::Training,
                subject: format!("training:{id}"),
                holder: actor.user_id,
                holder_name: holder.display_name,
                title: format!("{}（{}）", t.title, t.kind.label_zh()),
                detail: format!("出勤 {attended} 次（共 {} 次课）", t.sessions.len()),
                issuer,
                region: t.region,
                issued_at: now,
            })
            .await
    }
}

/// The capacity refusal (also the store's message when the last place went meanwhile).
pub fn full() -> DomainError {
    DomainError::Conflict("培训名额已满".into())
}
