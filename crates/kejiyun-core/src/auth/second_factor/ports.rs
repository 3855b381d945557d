//! The storage port of the second factor: enrolments, recovery codes and login challenges.
//! Each method is one transaction; an audited change writes its entry in it.

use async_trait::async_trait;

use crate::audit::AuditRecord;
use crate::auth::second_factor::{StoredChallenge, StoredFactor, StoredRecoveryCode};
use crate::ids::{TokenId, UserId};
use crate::ports::StoreResult;
use crate::time::Timestamp;

/// A recovery code to keep: its salt and hash only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecoveryCode {
    pub salt: String,
    pub hash: String,
}

/// The second step of a login, waiting for its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChallenge {
    pub user: UserId,
    pub login_key: String,
    pub hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A confirmed enrolment: the step its code used, the recovery codes, the session it was
/// confirmed in (which now counts as having passed the factor) and the audit entry.
#[derive(Debug, Clone)]
pub struct Enable {
    pub user: UserId,
    pub step: i64,
    pub codes: Vec<NewRecoveryCode>,
    pub session: Option<TokenId>,
    pub audit: AuditRecord,
}

#[async_trait]
pub trait SecondFactorStore: Send + Sync {
    /// The user's enrolment, pending or enabled.
    async fn second_factor(&self, user: UserId) -> StoreResult<Option<StoredFactor>>;
    /// Starts (or starts again) a pending enrolment with this sealed secret; `false` if the
    /// user's factor is enabled already (nothing changes).
    async fn start_second_factor(
        &self,
        user: UserId,
        sealed_secret: String,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Enables the pending enrolment, if its last step is still before `step` and it is not
    /// enabled yet; `false` otherwise (nothing changes).
    async fn enable_second_factor(&self, enable: Enable, at: Timestamp) -> StoreResult<bool>;
    /// Records `step` as used, if it is newer than the last used one; `false` for a replay.
    async fn use_second_factor_step(&self, user: UserId, step: i64) -> StoreResult<bool>;
    /// The user's unused recovery codes.
    async fn recovery_codes(&self, user: UserId) -> StoreResult<Vec<StoredRecoveryCode>>;
    /// Replaces every recovery code of the user (after `step` was used, as with
    /// [`use_second_factor_step`](Self::use_second_factor_step)); `false` for a replayed step.
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        step: i64,
        codes: Vec<NewRecoveryCode>,
        at: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool>;
    /// Uses the recovery code `id` of `user` once; `false` if it was used already.
    async fn use_recovery_code(
        &self,
        user: UserId,
        id: i64,
        at: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool>;
    /// Removes the user's factor and recovery codes (after `step` was used, when given); with
    /// `end_sessions`, their sessions end too. `false` if there was none (or the step was a
    /// replay): nothing is written.
    async fn remove_second_factor(
        &self,
        user: UserId,
        step: Option<i64>,
        end_sessions: bool,
        at: Timestamp,
        audit: AuditRecord,
    ) -> StoreResult<bool>;

    // Login challenges.
    async fn create_challenge(&self, challenge: NewChallenge) -> StoreResult<()>;
    /// The challenge with this hash, whatever its state.
    async fn challenge_by_hash(&self, hash: &str) -> StoreResult<Option<StoredChallenge>>;
    /// Counts one wrong code against the challenge.
    async fn challenge_wrong(&self, id: i64) -> StoreResult<()>;
    /// Uses the challenge; `false` if it was used already (another request won).
    async fn consume_challenge(&self, id: i64, at: Timestamp) -> StoreResult<bool>;
    /// Deletes challenges that expired before `before`; how many.
    async fn prune_challenges(&self, before: Timestamp) -> StoreResult<u64>;
}
