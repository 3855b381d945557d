//! The storage port of one-time codes.

use async_trait::async_trait;

use super::{Admission, CodeAttempt, CodePolicy, CodePurpose, Verdict};
use crate::audit::AuditRecord;
use crate::ids::UserId;
use crate::ports::StoreResult;
use crate::time::Timestamp;

/// A code to store (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCode {
    pub login_key: String,
    pub purpose: CodePurpose,
    /// The account it was sent to; `None` for a decoy (no account has the login name).
    pub user: Option<UserId>,
    pub salt: String,
    pub hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What an accepted password-reset code does, in the same transaction as its use.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordReset {
    pub user: UserId,
    /// The new password's Argon2id PHC string.
    pub password_hash: String,
    pub audit: AuditRecord,
}

#[async_trait]
pub trait OneTimeCodeStore: Send + Sync {
    /// Stores `code` if `policy` admits another code for its login name now
    /// ([`CodePolicy::admit`] over the times codes were sent to the name, whatever their
    /// purpose), in one transaction that holds the name's lock, so concurrent requests take
    /// their turn and the limits hold. Codes too old to count are deleted on the way.
    async fn issue_code(&self, code: NewCode, policy: CodePolicy) -> StoreResult<Admission>;

    /// Judges `attempt` against the newest code of its login name and purpose
    /// ([`CodePolicy::judge`]) and records the outcome, in one transaction that locks that code:
    /// accepted — the code is used, and `reset` (if any) applied: the password replaced, every
    /// session of the user revoked, the login lockout's count of the name cleared, the audit
    /// entry written; wrong — one more attempt counted. Of concurrent entries of one code at
    /// most one is accepted.
    async fn use_code(
        &self,
        attempt: CodeAttempt,
        policy: CodePolicy,
        reset: Option<PasswordReset>,
    ) -> StoreResult<Verdict>;

    /// Deletes the codes created and expired before `before`, and the lock rows of the login
    /// names last sent a code before it (the sweeper passes a day ago: no limit counts them);
    /// returns how many codes.
    async fn prune_codes(&self, before: Timestamp) -> StoreResult<u64>;
}
