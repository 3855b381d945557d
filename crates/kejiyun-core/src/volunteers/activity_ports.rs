//! The storage port of volunteer activities. Every write is one transaction with the
//! statistics of the change (`activities`, `people_served`, `materials_distributed` when the
//! report is filed; `service_hours` when hours are approved).

use async_trait::async_trait;

use super::activities::{
    Activity, ActivityDraft, HoursStatus, ReportDraft, ServiceRecord, Signup, SignupHow,
};
use crate::ids::{ActivityId, TeamId, UserId};
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::time::Timestamp;

/// An activity to store, with its check-in secret (64 hex characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub draft: ActivityDraft,
    pub checkin_secret: String,
    pub created_by: UserId,
}

/// Which activities a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFilter {
    pub scope: RegionScope,
    pub team: Option<TeamId>,
    /// Only those not ended at this time.
    pub upcoming_at: Option<Timestamp>,
}

/// A check-in or a check-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Punch {
    In,
    /// Out, with the service minutes it closes.
    Out {
        minutes: u32,
    },
}

#[async_trait]
pub trait ActivityStore: Send + Sync {
    async fn create_activity(&self, new: &NewActivity, at: Timestamp) -> StoreResult<ActivityId>;
    async fn activity(&self, id: ActivityId) -> StoreResult<Option<Activity>>;
    /// The check-in secret (what the rotating code is derived from).
    async fn activity_secret(&self, id: ActivityId) -> StoreResult<Option<String>>;
    /// Soonest start first (upcoming), else newest start first.
    async fn activities(&self, filter: &ActivityFilter, page: Page)
    -> StoreResult<Paged<Activity>>;

    /// Every activity of the filter, by start (what an export writes).
    async fn all_activities(&self, filter: &ActivityFilter) -> StoreResult<Vec<Activity>>;

    /// Signs `user` up: one conditional update keeps `signed_up` within the capacity, also
    /// under concurrent sign-ups (conflict "名额已满"); conflict too if already signed up.
    async fn sign_up(
        &self,
        activity: ActivityId,
        user: UserId,
        how: SignupHow,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn signup(&self, activity: ActivityId, user: UserId) -> StoreResult<Option<Signup>>;
    /// Sign-up order.
    async fn signups(&self, activity: ActivityId) -> StoreResult<Vec<Signup>>;
    /// Records a check-in (only if none yet; `false` if there was one) or a check-out (only
    /// after a check-in and once; it sets the minutes and makes the hours pending).
    async fn punch(
        &self,
        activity: ActivityId,
        user: UserId,
        punch: Punch,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// The organizer's correction; conflict if the hours were decided meanwhile.
    async fn adjust_minutes(
        &self,
        activity: ActivityId,
        user: UserId,
        minutes: u32,
        reason: &str,
    ) -> StoreResult<()>;
    /// Decides pending hours; conflict if they are not pending (decided meanwhile).
    async fn decide_hours(
        &self,
        activity: ActivityId,
        user: UserId,
        status: HoursStatus,
        reason: Option<String>,
        by: UserId,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Files (or corrects) the report, with its photos in order.
    async fn file_report(
        &self,
        activity: ActivityId,
        report: &ReportDraft,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// A volunteer's activities and hours, newest first; with `from..to`, those that started
    /// in the range only.
    async fn service_record(
        &self,
        user: UserId,
        range: Option<(Timestamp, Timestamp)>,
    ) -> StoreResult<Vec<ServiceRecord>>;
}
