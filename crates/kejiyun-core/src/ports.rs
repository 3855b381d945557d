//! What every storage port shares: [`StoreError`], and [`Store`], the whole database as one
//! `Arc<dyn Store>`. Each area's port lives beside the area (`accounts::ports`,
//! `market::ports`, `stats::ports`, …); `kejiyun-db` implements each in the file that holds the
//! area's queries, for SQLite, PostgreSQL and MySQL/MariaDB, and the same contract tests run
//! against each. Every method is one transaction: a write that returns `Ok` has committed,
//! together with its audit entry, queue row, outbox row and notifications.

use async_trait::async_trait;

use crate::accounts::password_policy::PasswordStore;
use crate::accounts::ports::AccountStore;
use crate::audit::ports::{AuditChainStore, AuditStore};
use crate::auth::one_time_codes::ports::OneTimeCodeStore;
use crate::auth::ports::AuthStore;
use crate::auth::second_factor::ports::SecondFactorStore;
use crate::bases::ports::BaseStore;
use crate::certificates::ports::CertificateStore;
use crate::contests::ports::ContestStore;
use crate::estations::ports::EstationStore;
use crate::market::ports::{
    DealStore, InquiryStore, PostingLifecycleStore, PostingStore, QuoteStore, TicketStore,
};
use crate::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use crate::moderation::ports::ModerationStore;
use crate::notifications::ports::NotificationStore;
use crate::orgs::Org;
use crate::popsci::ResourceDraft;
use crate::popsci::ports::ResourceStore;
use crate::profiles::ports::ProfileStore;
use crate::questions::QuestionDraft;
use crate::questions::ports::{AcceptedAnswerStore, FirstAnswerStore, QuestionStore};
use crate::stats::ports::{StatsRebuildStore, StatsRecordStore, StatsSeriesStore};
use crate::tech_workers::TechWorker;
use crate::tech_workers::ports::TechWorkerStore;
use crate::time::Timestamp;
use crate::trainings::ports::TrainingStore;
use crate::volunteers::activity_ports::ActivityStore;
use crate::volunteers::ports::VolunteerStore;

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

/// The database itself: which backend, whether it answers, whether a write can commit.
#[async_trait]
pub trait HealthStore: Send + Sync {
    /// `sqlite`, `postgres` or `mysql`.
    fn backend_name(&self) -> &'static str;
    async fn ping(&self) -> StoreResult<()>;
    /// Whether a write can commit now (readiness): one small durable write. A full disk or a
    /// read-only database answers `Unavailable`, which a plain `ping` would not notice.
    async fn check_writable(&self, at: Timestamp) -> StoreResult<()>;
}

/// The whole database, as [`crate::app::Services`] holds it: every area's port and no method of
/// its own (`kejiyun-db` implements it with an empty `impl`). A `dyn Store` answers every
/// area's methods; a concrete store needs the area's trait in scope
/// (`use kejiyun_core::market::ports::DealStore`).
pub trait Store:
    HealthStore
    + AccountStore
    + AuthStore
    + SecondFactorStore
    + OneTimeCodeStore
    + ProfileStore<TechWorker>
    + ProfileStore<Org>
    + TechWorkerStore
    + ModerationStore
    + AuditStore
    + AuditChainStore
    + PostingStore<ServiceDraft>
    + PostingStore<NeedDraft>
    + PostingStore<AchievementDraft>
    + PostingStore<QuestionDraft>
    + PostingStore<ResourceDraft>
    + ResourceStore
    + QuestionStore
    + FirstAnswerStore
    + AcceptedAnswerStore
    + PostingLifecycleStore
    + InquiryStore
    + QuoteStore
    + DealStore
    + TicketStore
    + StatsSeriesStore
    + StatsRecordStore
    + StatsRebuildStore
    + NotificationStore
    + TrainingStore
    + ContestStore
    + CertificateStore
    + VolunteerStore
    + ActivityStore
    + BaseStore
    + EstationStore
    + PasswordStore
{
}
