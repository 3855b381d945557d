//! Volunteer service activities: holding one, signing up (or being assigned), check-in and
//! check-out by the rotating code, adjusting and approving hours, the after-activity report,
//! a volunteer's service record and the certificates of approved hours. The rules are in
//! `volunteers/activities.rs` and `rotating_code.rs`; these check who may act, then call the
//! store once.

use chrono::Datelike;

use crate::accounts::{Login, Phone};
use crate::certificates::{Certificate, CertificateKind, NewCertificate};
use crate::ids::{ActivityId, UserId};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::regions::RegionCode;
use crate::rotating_code::{self, EventSecret, ShownCode};
use crate::time::Timestamp;
use crate::volunteers::Volunteer;
use crate::volunteers::activities::{
    Activity, ActivityDraft, ActivityInput, ReportDraft, ReportInput, ServiceRecord, Signup,
    SignupHow, adjustment, hours_decision, hours_text, may_hold,
};
use crate::volunteers::activity_ports::{ActivityFilter, NewActivity, Punch};
use crate::{DomainError, DomainResult};

use_cases!(
    VolunteerActivities,
    volunteer_activities,
    "Volunteer activities: sign-up, rotating-code check-in/out, hours, reports, certificates"
);

fn no_activity() -> DomainError {
    DomainError::NotFound("志愿服务活动不存在".into())
}

fn not_organizer() -> DomainError {
    DomainError::Forbidden("只有活动的组织者（发起人、队长或地区管理员）可以这样做".into())
}

fn no_signup() -> DomainError {
    DomainError::NotFound("该志愿者未报名此活动".into())
}

fn bad_code() -> DomainError {
    DomainError::invalid(
        "code",
        "签到码错误或已过期，请输入组织者屏幕上最新的 6 位码",
    )
}

/// The UTC bounds of a calendar year in Beijing time.
pub fn year_range(year: i32) -> Option<(Timestamp, Timestamp)> {
    let start = |y: i32| chrono::NaiveDate::from_ymd_opt(y, 1, 1).map(Timestamp::shanghai_midnight);
    Some((start(year)?, start(year.checked_add(1)?)?))
}

/// The Beijing-time year of `at`.
pub fn year_of(at: Timestamp) -> i32 {
    at.shanghai_date().year()
}

impl VolunteerActivities<'_> {
    /// A team's leader (for their team) or a region admin holds an activity.
    pub async fn create(&self, actor: &Actor, input: &ActivityInput) -> DomainResult<ActivityId> {
        let draft = ActivityDraft::parse(input)?;
        self.deployment_region(draft.region, "region")?;
        let team = match draft.team {
            Some(t) => Some(self.volunteers().team(t).await?),
            None => None,
        };
        if !may_hold(actor, &draft, team.as_ref()) {
            return Err(DomainError::Forbidden(
                "只有队长（在队伍所在地区）或地区管理员可以发起志愿服务活动".into(),
            ));
        }
        let new = NewActivity {
            draft,
            checkin_secret: EventSecret::generate().to_hex(),
            created_by: actor.user_id,
        };
        Ok(self.store.create_activity(&new, self.now()).await?)
    }

    pub async fn get(&self, id: ActivityId) -> DomainResult<Activity> {
        self.store.activity(id).await?.ok_or_else(no_activity)
    }

    /// The activity, if `actor` organizes it.
    pub async fn organized(&self, actor: &Actor, id: ActivityId) -> DomainResult<Activity> {
        let a = self.get(id).await?;
        if !a.organized_by(actor) {
            return Err(not_organizer());
        }
        Ok(a)
    }

    /// Activities of a region's subtree (public: they recruit); `upcoming` ones (not ended)
    /// soonest first, else all, newest first.
    pub async fn list(
        &self,
        region: Option<RegionCode>,
        team: Option<crate::ids::TeamId>,
        upcoming: bool,
        page: Page,
    ) -> DomainResult<Paged<Activity>> {
        let root = match region {
            Some(r) => self.visible_region(r)?.code,
            None => self.root,
        };
        let filter = ActivityFilter {
            scope: RegionScope::Within(vec![root]),
            team,
            upcoming_at: upcoming.then(|| self.now()),
        };
        Ok(self.store.activities(&filter, page).await?)
    }

    /// Every activity of a region the caller administers (the export).
    pub async fn export(
        &self,
        actor: &Actor,
        region: Option<RegionCode>,
    ) -> DomainResult<Vec<Activity>> {
        let scope = self.volunteers().admin_scope_of(actor, region)?;
        let filter = ActivityFilter {
            scope,
            team: None,
            upcoming_at: None,
        };
        Ok(self.store.all_activities(&filter).await?)
    }

    async fn volunteer(&self, user: UserId) -> DomainResult<Volunteer> {
        self.store
            .volunteer_of(user)
            .await?
            .ok_or_else(|| DomainError::Conflict("请先登记为科技志愿者，再报名志愿服务活动".into()))
    }

    /// A registered volunteer signs up (capacity kept by the store, also under concurrency).
    pub async fn sign_up(&self, actor: &Actor, id: ActivityId) -> DomainResult<()> {
        let a = self.get(id).await?;
        a.open_for_sign_up(self.now())?;
        self.volunteer(actor.user_id).await?;
        Ok(self
            .store
            .sign_up(id, actor.user_id, SignupHow::SelfSignup, self.now())
            .await?)
    }

    /// The organizer assigns a registered volunteer, named by their phone number.
    pub async fn assign(&self, actor: &Actor, id: ActivityId, phone: &str) -> DomainResult<UserId> {
        let a = self.organized(actor, id).await?;
        a.open_for_sign_up(self.now())?;
        let phone = Phone::parse(phone)
            .map_err(|_| DomainError::invalid("phone", "请输入志愿者的 11 位手机号"))?;
        let user = self
            .store
            .user_by_login(&Login::Phone(phone))
            .await?
            .ok_or_else(|| DomainError::invalid("phone", "该手机号不是已登记的科技志愿者"))?;
        self.volunteer(user.id)
            .await
            .map_err(|_| DomainError::invalid("phone", "该手机号不是已登记的科技志愿者"))?;
        self.store
            .sign_up(id, user.id, SignupHow::Assigned, self.now())
            .await?;
        Ok(user.id)
    }

    /// The actor's own sign-up on this activity, if any.
    pub async fn my_signup(&self, actor: &Actor, id: ActivityId) -> DomainResult<Option<Signup>> {
        Ok(self.store.signup(id, actor.user_id).await?)
    }

    /// Who signed up, for the organizer and the approver.
    pub async fn signups(&self, actor: &Actor, id: ActivityId) -> DomainResult<Vec<Signup>> {
        let a = self.get(id).await?;
        if !a.organized_by(actor) && !a.approves_hours(actor) {
            return Err(not_organizer());
        }
        Ok(self.store.signups(id).await?)
    }

    async fn secret(&self, id: ActivityId) -> DomainResult<EventSecret> {
        let raw = self
            .store
            .activity_secret(id)
            .await?
            .ok_or_else(no_activity)?;
        EventSecret::from_hex(&raw)
            .ok_or_else(|| DomainError::Internal(format!("activity {id}: bad secret")))
    }

    /// The code the organizer's screen shows now (changes every 30 seconds).
    pub async fn current_code(&self, actor: &Actor, id: ActivityId) -> DomainResult<ShownCode> {
        self.organized(actor, id).await?;
        let secret = self.secret(id).await?;
        Ok(rotating_code::current(&secret, self.now()))
    }

    /// A signed-up volunteer checks in with the code on the organizer's screen. Returns
    /// whether this was new (`false`: checked in already).
    pub async fn check_in(&self, actor: &Actor, id: ActivityId, code: &str) -> DomainResult<bool> {
        let a = self.get(id).await?;
        let now = self.now();
        if !rotating_code::verify(&self.secret(id).await?, code, now) {
            return Err(bad_code());
        }
        a.check_in_window(now)?;
        self.store
            .signup(id, actor.user_id)
            .await?
            .ok_or_else(|| DomainError::Forbidden("您未报名此活动，不能签到".into()))?;
        Ok(self.store.punch(id, actor.user_id, Punch::In, now).await?)
    }

    /// A checked-in volunteer checks out with the current code; their minutes are computed
    /// and wait for the leader's approval. Returns the minutes (`None`: checked out already).
    pub async fn check_out(
        &self,
        actor: &Actor,
        id: ActivityId,
        code: &str,
    ) -> DomainResult<Option<u32>> {
        let a = self.get(id).await?;
        let now = self.now();
        if !rotating_code::verify(&self.secret(id).await?, code, now) {
            return Err(bad_code());
        }
        a.check_out_window(now)?;
        let signup = self
            .store
            .signup(id, actor.user_id)
            .await?
            .ok_or_else(|| DomainError::Forbidden("您未报名此活动，不能签退".into()))?;
        let Some(checked_in) = signup.checked_in_at else {
            return Err(DomainError::Conflict("请先签到，再签退".into()));
        };
        let minutes = a.service_minutes(checked_in, now);
        let changed = self
            .store
            .punch(id, actor.user_id, Punch::Out { minutes }, now)
            .await?;
        Ok(changed.then_some(minutes))
    }

    /// The organizer corrects someone's minutes (with a reason) before the decision.
    pub async fn adjust(
        &self,
        actor: &Actor,
        id: ActivityId,
        user: UserId,
        minutes: i64,
        reason: &str,
    ) -> DomainResult<Signup> {
        let a = self.organized(actor, id).await?;
        let signup = self.store.signup(id, user).await?.ok_or_else(no_signup)?;
        let (minutes, reason) = adjustment(&a, &signup, minutes, reason)?;
        self.store
            .adjust_minutes(id, user, minutes, &reason)
            .await?;
        self.store.signup(id, user).await?.ok_or_else(no_signup)
    }

    /// The team's leader (or the region's admin) approves someone's hours or declines them
    /// with a reason. Final: a decided one is not decided again.
    pub async fn decide_hours(
        &self,
        actor: &Actor,
        id: ActivityId,
        user: UserId,
        approve: bool,
        reason: Option<&str>,
    ) -> DomainResult<Signup> {
        let a = self.get(id).await?;
        if !a.approves_hours(actor) {
            return Err(DomainError::Forbidden(
                "只有队长或活动所在地区的管理员可以审核服务时长".into(),
            ));
        }
        let signup = self.store.signup(id, user).await?.ok_or_else(no_signup)?;
        let (status, reason) = hours_decision(&signup, approve, reason)?;
        self.store
            .decide_hours(id, user, status, reason, actor.user_id, self.now())
            .await?;
        self.store.signup(id, user).await?.ok_or_else(no_signup)
    }

    /// The organizer files (or corrects) the report once the activity has started; its photos
    /// are images the organizer uploaded.
    pub async fn file_report(
        &self,
        actor: &Actor,
        id: ActivityId,
        input: &ReportInput,
    ) -> DomainResult<Activity> {
        let a = self.organized(actor, id).await?;
        if self.now() < a.starts_at {
            return Err(DomainError::Conflict("活动开始后才能填报活动情况".into()));
        }
        let report = ReportDraft::parse(input)?;
        // Photos filed before stay whoever filed them; new ones are the organizer's own images.
        let filed = a.report.map(|r| r.photos).unwrap_or_default();
        let added: Vec<_> = report
            .photos
            .iter()
            .filter(|p| !filed.contains(p))
            .cloned()
            .collect();
        self.uploads().own_photos(actor, &added).await?;
        self.store.file_report(id, &report, self.now()).await?;
        self.get(id).await
    }

    /// A volunteer's activities and hours, newest first (one year's with `year`).
    pub async fn service_record(
        &self,
        user: UserId,
        year: Option<i32>,
    ) -> DomainResult<Vec<ServiceRecord>> {
        let range = match year {
            Some(y) => {
                Some(year_range(y).ok_or_else(|| DomainError::invalid("year", "年份不正确"))?)
            }
            None => None,
        };
        Ok(self.store.service_record(user, range).await?)
    }

    fn issuer(&self, region: RegionCode) -> String {
        self.regions.get(region).map_or_else(
            || "科学技术协会".to_owned(),
            |r| format!("{}科学技术协会", r.name),
        )
    }

    /// The certificate of the actor's approved hours on one activity (issued once).
    pub async fn activity_certificate(
        &self,
        actor: &Actor,
        id: ActivityId,
    ) -> DomainResult<Certificate> {
        let a = self.get(id).await?;
        let minutes = self
            .store
            .signup(id, actor.user_id)
            .await?
            .map_or(0, |s| s.approved_minutes());
        if minutes == 0 {
            return Err(DomainError::Conflict(
                "该活动还没有经队长认定的服务时长，认定后才能下载证明".into(),
            ));
        }
        let v = self.volunteer(actor.user_id).await?;
        self.certificates()
            .issue(&NewCertificate {
                kind: CertificateKind::Volunteer,
                subject: format!("volunteer_activity:{id}"),
                holder: actor.user_id,
                holder_name: v.name,
                title: format!("{}（{}）", a.title, a.kind.label_zh()),
                detail: format!("服务时长 {}", hours_text(u64::from(minutes))),
                issuer: self.issuer(a.region),
                region: a.region,
                issued_at: self.now(),
            })
            .await
    }

    /// The certificate of the actor's approved hours in one year. The figure is part of the
    /// subject: hours approved later give a new certificate, the earlier one stays true.
    pub async fn year_certificate(&self, actor: &Actor, year: i32) -> DomainResult<Certificate> {
        let v = self.volunteer(actor.user_id).await?;
        let record = self.service_record(actor.user_id, Some(year)).await?;
        let approved: Vec<&ServiceRecord> = record
            .iter()
            .filter(|r| r.signup.approved_minutes() > 0)
            .collect();
        let minutes: u64 = approved
            .iter()
            .map(|r| u64::from(r.signup.approved_minutes()))
            .sum();
        if minutes == 0 {
            return Err(DomainError::Conflict(format!(
                "{year} 年还没有经认定的服务时长"
            )));
        }
        self.certificates()
            .issue(&NewCertificate {
                kind: CertificateKind::Volunteer,
                subject: format!("volunteer_year:{year}:{minutes}"),
                holder: actor.user_id,
                holder_name: v.name,
                title: format!("{year} 年度科技志愿服务"),
                detail: format!(
                    "参加志愿服务活动 {} 次，服务时长 {}",
                    approved.len(),
                    hours_text(minutes)
                ),
                issuer: self.issuer(v.region),
                region: v.region,
                issued_at: self.now(),
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_is_counted_in_beijing_time() {
        let (from, to) = year_range(2026).expect("valid");
        // 2026-01-01 00:00 in Beijing is 2025-12-31 16:00 UTC.
        assert_eq!(year_of(from), 2026);
        assert_eq!(year_of(Timestamp(from.micros() - 1)), 2025);
        assert_eq!(year_of(Timestamp(to.micros() - 1)), 2026);
        assert_eq!(to.micros() - from.micros(), 365 * 86_400_000_000);
    }
}
