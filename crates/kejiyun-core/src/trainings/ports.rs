//! The storage port of trainings: the training with its sessions, enrolment (never past the
//! capacity, once per user), the sessions' attendance rolls and each session's check-in
//! secret. Every method is one transaction, with the statistics of the change (`trainings`
//! when a training is created, `training_attendance` when a roll changes).

use async_trait::async_trait;

use super::{CheckIn, Enrolment, RollEntry, Training, TrainingDraft};
use crate::ids::{TrainingId, TrainingSessionId, UserId};
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::time::Timestamp;

/// A training to store, with one check-in secret per session (in the draft's session order,
/// as `rotating_code::EventSecret::to_hex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTraining {
    pub draft: TrainingDraft,
    pub secrets: Vec<String>,
    pub created_by: UserId,
    pub at: Timestamp,
}

/// Which trainings a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingFilter {
    /// Held in these regions' subtrees.
    pub scope: RegionScope,
    /// Only those `user` enrolled in.
    pub enrolled: Option<UserId>,
}

/// A session with what checking in needs: its training and its secret (never shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    pub training: TrainingId,
    pub secret: String,
}

#[async_trait]
pub trait TrainingStore: Send + Sync {
    async fn create_training(&self, t: &NewTraining) -> StoreResult<TrainingId>;
    async fn training(&self, id: TrainingId) -> StoreResult<Option<Training>>;
    /// Latest first (by the first session's start), then newest id.
    async fn trainings(&self, filter: &TrainingFilter, page: Page) -> StoreResult<Paged<Training>>;
    /// Enrols `users` in one transaction, all or none: conflict if the places left are fewer
    /// than `users` (名额已满) or one of them is enrolled already. An importer calls it with
    /// the whole list.
    async fn enrol(&self, training: TrainingId, users: &[UserId], at: Timestamp)
    -> StoreResult<()>;
    /// Who enrolled, in enrolment order.
    async fn enrolments(&self, training: TrainingId) -> StoreResult<Vec<Enrolment>>;
    async fn is_enrolled(&self, training: TrainingId, user: UserId) -> StoreResult<bool>;
    async fn session_key(&self, session: TrainingSessionId) -> StoreResult<Option<SessionKey>>;
    /// Marks `user` present (`Some`) or absent (`None`) at `session`; conflict if the user is
    /// not enrolled in its training. Returns whether the roll changed (present twice is one
    /// person-time).
    async fn set_attendance(
        &self,
        session: TrainingSessionId,
        user: UserId,
        check_in: Option<CheckIn>,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// The session's roll: every enrolled user, present or not, in enrolment order.
    async fn roll(&self, session: TrainingSessionId) -> StoreResult<Vec<RollEntry>>;
    /// How many of the training's sessions `user` was present at (what a certificate says).
    async fn sessions_attended(&self, training: TrainingId, user: UserId) -> StoreResult<u32>;
}
