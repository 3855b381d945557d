//! The storage port of contests: the contest as set up, its entries (with their status and,
//! for a nominated entry, the round it came from), judges, conflict declarations, the
//! assignment, score sheets (one per judge and entry: a revision replaces the sheet), pairwise
//! votes, the awards and the public notice. Every write is one transaction with its audit entry
//! and the statistics of the change (`contest_entries` when an entry is submitted, `awards`
//! when the notice is published).

use async_trait::async_trait;

use super::ContestSpec;
use super::assignment::Assignment;
use super::awards::AwardChoice;
use super::conflicts::{Conflict, Conflicts, Judge};
use super::entries::{Entry, EntrySpec, EntryStatus, Origin};
use super::pairwise::PairwiseVote;
use super::scoring::ScoreSheet;
use crate::audit::AuditRecord;
use crate::ids::{ContestId, EntryId, JudgeId, UserId};
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// A stored contest.
#[derive(Debug, Clone, PartialEq)]
pub struct Contest {
    pub id: ContestId,
    pub spec: ContestSpec,
    pub created_by: UserId,
    pub created_at: Timestamp,
    /// When the admin published the notice (公示) of the awards.
    pub notice_published_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewContest {
    pub spec: ContestSpec,
    pub created_by: UserId,
    pub at: Timestamp,
}

/// Which contests a list shows: held in these regions' subtrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestFilter {
    pub scope: RegionScope,
}

/// A stored entry with who submitted it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRecord {
    pub entry: Entry,
    /// Where it counts: the round it was nominated from, else the contest's region.
    pub region: RegionCode,
    pub submitted_by: UserId,
    pub submitted_at: Timestamp,
    /// When the admin last accepted or returned it (or it was withdrawn).
    pub decided_at: Option<Timestamp>,
    /// The entry of the lower round it was nominated from.
    pub from_entry: Option<EntryId>,
}

/// An entry to store: submitted by an entrant, or nominated from a lower round (`origin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub contest: ContestId,
    pub spec: EntrySpec,
    pub region: RegionCode,
    pub submitted_by: UserId,
    pub at: Timestamp,
    /// The round it came from and the entry there (nominated once only).
    pub origin: Option<(Origin, EntryId)>,
}

/// A judge of a contest with the account behind them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgeRecord {
    pub judge: Judge,
    pub user: UserId,
    pub invited_at: Timestamp,
}

/// An award with when it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardRecord {
    pub award: AwardChoice,
    pub set_at: Timestamp,
}

#[async_trait]
pub trait ContestStore: Send + Sync {
    async fn create_contest(&self, c: &NewContest, audit: &AuditRecord) -> StoreResult<ContestId>;
    async fn contest(&self, id: ContestId) -> StoreResult<Option<Contest>>;
    /// Latest entry window first, then newest id.
    async fn contests(&self, filter: &ContestFilter, page: Page) -> StoreResult<Paged<Contest>>;

    /// Stores a submitted or nominated entry (status submitted); conflict if `origin`'s entry
    /// was nominated already.
    async fn add_entry(&self, e: &NewEntry, audit: &AuditRecord) -> StoreResult<EntryId>;
    async fn entry(&self, id: EntryId) -> StoreResult<Option<EntryRecord>>;
    /// The contest's entries in id order; `submitted_by`: only theirs.
    async fn entries(
        &self,
        contest: ContestId,
        submitted_by: Option<UserId>,
    ) -> StoreResult<Vec<EntryRecord>>;
    /// A returned entry resubmitted with its fields as corrected: submitted again (conflict if
    /// it is no longer returned). Its submission time, which the figures count, stays.
    async fn resubmit_entry(
        &self,
        id: EntryId,
        spec: &EntrySpec,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Moves the entry from `from` to `to`: conflict if its status changed meanwhile.
    async fn set_entry_status(
        &self,
        id: EntryId,
        from: &EntryStatus,
        to: &EntryStatus,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;

    /// Conflict if the user judges the contest already.
    async fn add_judge(
        &self,
        contest: ContestId,
        user: UserId,
        organization: &str,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<JudgeId>;
    /// In id order.
    async fn judges(&self, contest: ContestId) -> StoreResult<Vec<JudgeRecord>>;
    async fn add_conflict(
        &self,
        contest: ContestId,
        c: &Conflict,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn conflicts(&self, contest: ContestId) -> StoreResult<Conflicts>;

    /// Replaces the contest's whole assignment.
    async fn set_assignment(
        &self,
        contest: ContestId,
        a: &Assignment,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn assignment(&self, contest: ContestId) -> StoreResult<Assignment>;

    /// Stores the judge's sheet on the entry, replacing their earlier one.
    async fn put_score(
        &self,
        contest: ContestId,
        sheet: &ScoreSheet,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// The contest's sheets, one per judge and entry.
    async fn score_sheets(&self, contest: ContestId) -> StoreResult<Vec<ScoreSheet>>;
    async fn score_sheet(
        &self,
        judge: JudgeId,
        entry: EntryId,
    ) -> StoreResult<Option<(ScoreSheet, Timestamp)>>;

    async fn add_vote(
        &self,
        contest: ContestId,
        v: &PairwiseVote,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn votes(&self, contest: ContestId) -> StoreResult<Vec<PairwiseVote>>;

    /// Replaces the contest's awards; conflict once its notice is published.
    async fn set_awards(
        &self,
        contest: ContestId,
        awards: &[AwardChoice],
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// In entry id order.
    async fn awards(&self, contest: ContestId) -> StoreResult<Vec<AwardRecord>>;
    /// Publishes the notice: the awards are fixed and count in `awards` from `at`. Conflict
    /// if it is published already.
    async fn publish_notice(
        &self,
        contest: ContestId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
}
