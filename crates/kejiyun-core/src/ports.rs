//! The storage port. `kejiyun-db` implements it for SQLite, PostgreSQL and MySQL/MariaDB; the
//! same contract tests run against each. Every method is one transaction: a write that returns
//! `Ok` has committed, together with its audit entry and queue row.

use async_trait::async_trait;

use crate::accounts::{Login, NewUser, ProfileUpdate, User};
use crate::audit::{AuditEntry, AuditRecord};
use crate::auth::{LoginAttempts, NewToken, TokenInfo, TokenKind};
use crate::ids::{OrgId, TechWorkerId, TokenId, UserId};
use crate::moderation::{ModerationKind, ModerationStatus, QueueItem};
use crate::orgs::{Org, OrgProfile, OrgType};
use crate::paging::{Page, Paged};
use crate::permissions::{Grant, RegionScope};
use crate::tech_workers::{TechWorker, TechWorkerProfile};
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state precondition failed; the message is safe to show.
    #[error("{0}")]
    Conflict(String),
    /// The database failed; the message is for the log only.
    #[error("database: {0}")]
    Backend(String),
    /// The database cannot take the request now, but may later (a full disk, lost lock
    /// contention, an unreachable server); nothing was written. The cause is for the log only.
    #[error("database unavailable ({kind:?}): {cause}")]
    Unavailable { kind: Unavailable, cause: String },
}

/// Why a request cannot be served now (but may be shortly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The disk (or the database's quota) is full.
    StorageFull,
    /// The write lost a deadlock or a serialization race: it was rolled back whole, and
    /// running it again is safe (the store does, a few times, before answering this).
    Contention,
    /// A lock stayed taken past the wait limit (another process's long write, a lock-wait
    /// timeout): the wait already happened, so it is not run again.
    Busy,
    /// The server cannot be reached, refused, timed out, or is shutting down.
    Down,
    /// The search index was found damaged and is being rebuilt from the database.
    Rebuilding,
}

impl Unavailable {
    /// Seconds a client should wait before trying again.
    pub fn retry_after_secs(self) -> u32 {
        match self {
            Self::StorageFull => 60,
            Self::Contention | Self::Busy => 1,
            Self::Down => 5,
            Self::Rebuilding => 10,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq)]
pub struct TechWorkerFilter {
    pub scope: RegionScope,
    pub status: Option<ModerationStatus>,
    /// Substring of name, field, employer or expertise.
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrgFilter {
    pub scope: RegionScope,
    pub status: Option<ModerationStatus>,
    pub org_type: Option<OrgType>,
    pub query: Option<String>,
}

/// A status change of a moderated record, with its audit entry.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// The status the record must still have (optimistic concurrency): if another admin
    /// decided first, the change fails with `Conflict` and nothing is written.
    pub from: ModerationStatus,
    pub to: ModerationStatus,
    pub reason: Option<String>,
    pub at: Timestamp,
    pub audit: Option<AuditRecord>,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// `sqlite`, `postgres` or `mysql`.
    fn backend_name(&self) -> &'static str;
    async fn ping(&self) -> StoreResult<()>;
    /// Whether a write can commit now (readiness): one small durable write. A full disk or a
    /// read-only database answers `Unavailable`, which a plain `ping` would not notice.
    async fn check_writable(&self, at: Timestamp) -> StoreResult<()>;

    // Accounts.
    async fn create_user(&self, user: NewUser, at: Timestamp) -> StoreResult<UserId>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_login(&self, login: &Login) -> StoreResult<Option<User>>;
    async fn update_profile(
        &self,
        id: UserId,
        update: ProfileUpdate,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Granted roles plus the derived ones (a published tech worker profile, orgs administered).
    async fn grants(&self, id: UserId) -> StoreResult<Vec<Grant>>;
    async fn add_grant(&self, user: UserId, grant: Grant, audit: AuditRecord) -> StoreResult<()>;
    /// Users holding admin grants, with the grant.
    async fn list_admins(&self, page: Page) -> StoreResult<Paged<(User, Grant)>>;

    // Login lockout.
    /// Counts one login attempt for `key`, before its password is checked, in one transaction
    /// that locks the key's count: of concurrent attempts the n-th sees n
    /// ([`LoginAttempts::next`](crate::auth::LoginAttempts::next); a count whose window began
    /// at or before `window_start` starts again).
    async fn count_login_attempt(
        &self,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<LoginAttempts>;
    /// A successful login forgets the key's count.
    async fn clear_login_attempts(&self, key: &str) -> StoreResult<()>;

    // Sessions and API tokens.
    async fn create_token(&self, token: NewToken) -> StoreResult<TokenId>;
    /// The live (unrevoked, unexpired) token with this hash; records its use.
    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<TokenInfo>>;
    async fn list_tokens(&self, user: UserId, kind: TokenKind) -> StoreResult<Vec<TokenInfo>>;
    /// Revokes one of `user`'s tokens; `false` if there is no such live token.
    async fn revoke_token(&self, user: UserId, id: TokenId, at: Timestamp) -> StoreResult<bool>;

    // Tech workers.
    async fn create_tech_worker(
        &self,
        user: UserId,
        profile: &TechWorkerProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<TechWorkerId>;
    async fn tech_worker(&self, id: TechWorkerId) -> StoreResult<Option<TechWorker>>;
    async fn tech_worker_by_user(&self, user: UserId) -> StoreResult<Option<TechWorker>>;
    /// Replaces the profile and moves the status (`change.from` must match).
    async fn update_tech_worker(
        &self,
        id: TechWorkerId,
        profile: &TechWorkerProfile,
        change: StatusChange,
    ) -> StoreResult<()>;
    async fn list_tech_workers(
        &self,
        filter: &TechWorkerFilter,
        page: Page,
    ) -> StoreResult<Paged<TechWorker>>;

    // Organizations.
    async fn create_org(
        &self,
        admin: UserId,
        profile: &OrgProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<OrgId>;
    async fn org(&self, id: OrgId) -> StoreResult<Option<Org>>;
    async fn update_org(
        &self,
        id: OrgId,
        profile: &OrgProfile,
        change: StatusChange,
    ) -> StoreResult<()>;
    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> StoreResult<Paged<Org>>;

    // Moderation.
    async fn moderation_queue(
        &self,
        scope: &RegionScope,
        kind: Option<ModerationKind>,
        page: Page,
    ) -> StoreResult<Paged<QueueItem>>;
    /// Moves a moderated record's status (and its queue row) and writes the audit entry.
    async fn change_status(
        &self,
        kind: ModerationKind,
        id: i64,
        change: StatusChange,
    ) -> StoreResult<()>;

    // Audit.
    async fn list_audit(&self, scope: &RegionScope, page: Page) -> StoreResult<Paged<AuditEntry>>;
}
