//! Judging a contest: the admin invites judges and records conflicts, judges declare their
//! own; the assignment is computed (`assign`) or edited (`validate_manual_edit`); judges see
//! and score only the entries assigned to them and not in conflict, revising until the
//! judging window closes; pairwise votes; the ranking; the awards and the public notice.

use std::collections::BTreeMap;

use serde_json::json;

use super::contests::Contests;
use crate::contests::assignment::{Assignment, assign, entries_for_judge, validate_manual_edit};
use crate::contests::awards::{AwardChoice, validate_awards};
use crate::contests::conflicts::{Conflict, ConflictInput, ConflictTarget, EntryRef, Judge};
use crate::contests::entries::{Entry, EntryStatus};
use crate::contests::pairwise::{PairwiseRanking, accept_vote, bradley_terry};
use crate::contests::ports::{AwardRecord, EntryRecord, JudgeRecord};
use crate::contests::ranking::{Ranking, rank_entries};
use crate::contests::scoring::{ScoreInput, ScoreSheet, accept_score};
use crate::ids::{ContestId, EntryId, JudgeId, UserId};
use crate::permissions::Actor;
use crate::text::bounded;
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

/// The ranking by scores, and by pairwise votes when there are any.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestRanking {
    pub scores: Ranking,
    pub pairwise: Option<PairwiseRanking>,
}

fn not_a_judge() -> DomainError {
    DomainError::Forbidden("您不是本大赛的评委".into())
}

impl Contests<'_> {
    /// The caller's judge record in the contest.
    pub(super) async fn judge_of(&self, actor: &Actor, id: ContestId) -> DomainResult<Judge> {
        self.store
            .judges(id)
            .await?
            .into_iter()
            .find(|j| j.user == actor.user_id)
            .map(|j| j.judge)
            .ok_or_else(not_a_judge)
    }

    /// The accepted entries: what is judged.
    async fn accepted(&self, id: ContestId) -> DomainResult<Vec<EntryRecord>> {
        let mut all = self.store.entries(id, None).await?;
        all.retain(|e| e.entry.status == EntryStatus::Accepted);
        Ok(all)
    }

    fn refs(entries: &[EntryRecord]) -> Vec<EntryRef> {
        entries.iter().map(|e| e.entry.judging_ref()).collect()
    }

    /// The admin invites a registered user as a judge, with where they work (an entry from
    /// there is a conflict without a declaration).
    pub async fn invite_judge(
        &self,
        actor: &Actor,
        id: ContestId,
        user: UserId,
        organization: &str,
    ) -> DomainResult<JudgeId> {
        let c = self.managed(actor, id).await?;
        let organization = bounded("organization", "评委工作单位", organization, 1, 60, false)?;
        if self.store.user(user).await?.is_none() {
            return Err(DomainError::invalid("user_id", "用户不存在"));
        }
        let audit = self.audit(
            actor,
            "contest_judge.invite",
            "contest_judge",
            "",
            c.spec.region,
            json!({"contest": id.0, "user": user.0, "organization": organization}),
        );
        Ok(self
            .store
            .add_judge(id, user, &organization, self.now(), &audit)
            .await?)
    }

    /// The judges, for the admin.
    pub async fn judges(&self, actor: &Actor, id: ContestId) -> DomainResult<Vec<JudgeRecord>> {
        self.managed(actor, id).await?;
        Ok(self.store.judges(id).await?)
    }

    /// A judge declares a conflict of their own (`judge` none), or the admin records one for
    /// a judge of the contest.
    pub async fn declare_conflict(
        &self,
        actor: &Actor,
        id: ContestId,
        judge: Option<JudgeId>,
        input: &ConflictInput,
    ) -> DomainResult<()> {
        let c = self.get(id).await?;
        let judge = match judge {
            Some(j) => {
                if !Self::manages(actor, &c) {
                    return Err(DomainError::Forbidden(
                        "只有大赛管理员可以为评委登记利益冲突".into(),
                    ));
                }
                self.store
                    .judges(id)
                    .await?
                    .into_iter()
                    .find(|r| r.judge.id == j)
                    .ok_or_else(|| {
                        DomainError::invalid("judge_id", "该评委不在本大赛的评委名单中")
                    })?
                    .judge
            }
            None => self.judge_of(actor, id).await?,
        };
        let conflict = Conflict::parse(judge.id, input)?;
        if let ConflictTarget::Entry(e) = conflict.target {
            self.entry_of(id, e)
                .await
                .map_err(|_| DomainError::invalid("entry", "该作品不属于本大赛"))?;
        }
        let audit = self.audit(
            actor,
            "contest_conflict.declare",
            "contest_conflict",
            "",
            c.spec.region,
            json!({"contest": id.0, "judge": judge.id.0, "kind": conflict.kind.as_str(),
                   "entry": input.entry, "school": input.school}),
        );
        self.store
            .add_conflict(id, &conflict, self.now(), &audit)
            .await?;
        Ok(())
    }

    /// Computes and stores the assignment of the accepted entries to the judges.
    pub async fn compute_assignment(
        &self,
        actor: &Actor,
        id: ContestId,
    ) -> DomainResult<Assignment> {
        let c = self.managed(actor, id).await?;
        let entries = Self::refs(&self.accepted(id).await?);
        if entries.is_empty() {
            return Err(DomainError::Conflict("还没有通过审核的作品".into()));
        }
        let judges: Vec<Judge> = self
            .store
            .judges(id)
            .await?
            .into_iter()
            .map(|j| j.judge)
            .collect();
        let conflicts = self.store.conflicts(id).await?;
        let a = assign(&entries, &judges, &conflicts, c.spec.min_judges_per_entry)?;
        self.store_assignment(actor, &c.spec.region, id, &a, "contest_assignment.compute")
            .await?;
        Ok(a)
    }

    /// The admin's own assignment, checked: every accepted entry, enough judges, no conflict.
    pub async fn edit_assignment(
        &self,
        actor: &Actor,
        id: ContestId,
        by_entry: BTreeMap<EntryId, Vec<JudgeId>>,
    ) -> DomainResult<Assignment> {
        let c = self.managed(actor, id).await?;
        let entries = Self::refs(&self.accepted(id).await?);
        let judges: Vec<Judge> = self
            .store
            .judges(id)
            .await?
            .into_iter()
            .map(|j| j.judge)
            .collect();
        let conflicts = self.store.conflicts(id).await?;
        let a = Assignment::new(by_entry);
        validate_manual_edit(
            &a,
            &entries,
            &judges,
            &conflicts,
            c.spec.min_judges_per_entry,
        )?;
        self.store_assignment(actor, &c.spec.region, id, &a, "contest_assignment.edit")
            .await?;
        Ok(a)
    }

    async fn store_assignment(
        &self,
        actor: &Actor,
        region: &crate::regions::RegionCode,
        id: ContestId,
        a: &Assignment,
        action: &str,
    ) -> DomainResult<()> {
        let pairs: Vec<(i64, Vec<i64>)> = a
            .by_entry()
            .iter()
            .map(|(e, js)| (e.0, js.iter().map(|j| j.0).collect()))
            .collect();
        let audit = self.audit(actor, action, "contest", id.0, *region, json!(pairs));
        Ok(self.store.set_assignment(id, a, &audit).await?)
    }

    /// The stored assignment, for the admin.
    pub async fn assignment(&self, actor: &Actor, id: ContestId) -> DomainResult<Assignment> {
        self.managed(actor, id).await?;
        Ok(self.store.assignment(id).await?)
    }

    /// The entries the caller judges: assigned to them, accepted, never one in conflict.
    pub async fn judging(&self, actor: &Actor, id: ContestId) -> DomainResult<Vec<EntryRecord>> {
        let judge = self.judge_of(actor, id).await?;
        let accepted = self.accepted(id).await?;
        let refs = Self::refs(&accepted);
        let assignment = self.store.assignment(id).await?;
        let conflicts = self.store.conflicts(id).await?;
        let shown: Vec<EntryId> = entries_for_judge(&assignment, &conflicts, &judge, &refs)
            .into_iter()
            .map(|e| e.id)
            .collect();
        Ok(accepted
            .into_iter()
            .filter(|e| shown.contains(&e.entry.id))
            .collect())
    }

    /// A judge scores (or re-scores) an entry assigned to them, in the judging window.
    pub async fn score(
        &self,
        actor: &Actor,
        id: ContestId,
        entry: EntryId,
        input: &ScoreInput,
    ) -> DomainResult<ScoreSheet> {
        let c = self.get(id).await?;
        let judge = self.judge_of(actor, id).await?;
        let e = self.entry_of(id, entry).await?;
        if e.entry.status != EntryStatus::Accepted {
            return Err(DomainError::Conflict(format!(
                "作品「{}」{}，不能评分",
                e.entry.spec.title,
                e.entry.status.label_zh()
            )));
        }
        let assignment = self.store.assignment(id).await?;
        let conflicts = self.store.conflicts(id).await?;
        let sheet = accept_score(
            &c.spec,
            &assignment,
            &conflicts,
            &judge,
            &e.entry.judging_ref(),
            input,
            self.now(),
        )?;
        let audit = self.audit(
            actor,
            "contest_score.put",
            "contest_entry",
            entry.0,
            e.region,
            json!({"judge": judge.id.0, "points": sheet.points, "total": sheet.total}),
        );
        self.store.put_score(id, &sheet, self.now(), &audit).await?;
        Ok(sheet)
    }

    /// The caller's own sheet on an entry, with when it was last saved.
    pub async fn my_score(
        &self,
        actor: &Actor,
        id: ContestId,
        entry: EntryId,
    ) -> DomainResult<(ScoreSheet, Timestamp)> {
        let judge = self.judge_of(actor, id).await?;
        self.entry_of(id, entry).await?;
        self.store
            .score_sheet(judge.id, entry)
            .await?
            .ok_or_else(|| DomainError::NotFound("您还没有为该作品评分".into()))
    }

    /// A judge picks the better of two accepted entries, in the judging window.
    pub async fn vote(
        &self,
        actor: &Actor,
        id: ContestId,
        winner: EntryId,
        loser: EntryId,
    ) -> DomainResult<()> {
        let c = self.get(id).await?;
        let judge = self.judge_of(actor, id).await?;
        let w = self.entry_of(id, winner).await?;
        let l = self.entry_of(id, loser).await?;
        if [&w, &l]
            .iter()
            .any(|e| e.entry.status != EntryStatus::Accepted)
        {
            return Err(DomainError::Conflict("只能比较已通过审核的作品".into()));
        }
        let conflicts = self.store.conflicts(id).await?;
        let v = accept_vote(
            &c.spec.timeline,
            &conflicts,
            &judge,
            &w.entry.judging_ref(),
            &l.entry.judging_ref(),
            self.now(),
        )?;
        let audit = self.audit(
            actor,
            "contest_vote.add",
            "contest_vote",
            "",
            c.spec.region,
            json!({"judge": judge.id.0, "winner": winner.0, "loser": loser.0}),
        );
        self.store.add_vote(id, &v, self.now(), &audit).await?;
        Ok(())
    }

    /// The ranking of the accepted entries, for the admin.
    pub async fn ranking(&self, actor: &Actor, id: ContestId) -> DomainResult<ContestRanking> {
        let c = self.managed(actor, id).await?;
        let accepted = self.accepted(id).await?;
        let refs = Self::refs(&accepted);
        let assignment = self.store.assignment(id).await?;
        let sheets = self.store.score_sheets(id).await?;
        let scores = rank_entries(&refs, &assignment, &sheets, c.spec.scoring);
        let ids: Vec<EntryId> = refs.iter().map(|e| e.id).collect();
        let mut votes = self.store.votes(id).await?;
        // A vote on an entry withdrawn since no longer counts.
        votes.retain(|v| ids.contains(&v.winner) && ids.contains(&v.loser));
        let pairwise = if votes.is_empty() {
            None
        } else {
            Some(bradley_terry(&ids, &votes)?)
        };
        Ok(ContestRanking { scores, pairwise })
    }

    /// The admin sets the awards, between judging and the notice, within the counts of each
    /// level per group; replaces earlier ones.
    pub async fn set_awards(
        &self,
        actor: &Actor,
        id: ContestId,
        chosen: &[AwardChoice],
    ) -> DomainResult<()> {
        let c = self.managed(actor, id).await?;
        if c.notice_published_at.is_some() {
            return Err(DomainError::Conflict("公示已发布，奖项不能再修改".into()));
        }
        c.spec.timeline.may_set_awards(self.now())?;
        let entries: Vec<Entry> = self
            .store
            .entries(id, None)
            .await?
            .into_iter()
            .map(|e| e.entry)
            .collect();
        validate_awards(chosen, &c.spec.awards, &entries)?;
        let list: Vec<(i64, &str)> = chosen.iter().map(|a| (a.entry.0, a.level.trim())).collect();
        let audit = self.audit(
            actor,
            "contest_awards.set",
            "contest",
            id.0,
            c.spec.region,
            json!(list),
        );
        self.store
            .set_awards(id, chosen, self.now(), &audit)
            .await?;
        Ok(())
    }

    /// The awards: public once the notice is out, before that for the admin only.
    pub async fn awards(
        &self,
        actor: Option<&Actor>,
        id: ContestId,
    ) -> DomainResult<Vec<AwardRecord>> {
        let c = self.get(id).await?;
        if c.notice_published_at.is_none() && !actor.is_some_and(|a| Self::manages(a, &c)) {
            return Err(DomainError::Forbidden("获奖名单尚未公示".into()));
        }
        Ok(self.store.awards(id).await?)
    }

    /// The admin publishes the notice (公示) of the awards once judging is over: the awards
    /// are fixed, and count in the figures from now.
    pub async fn publish_notice(&self, actor: &Actor, id: ContestId) -> DomainResult<()> {
        let c = self.managed(actor, id).await?;
        let now = self.now();
        if now < c.spec.timeline.judging_close {
            return Err(DomainError::Conflict("评审尚未结束，不能发布公示".into()));
        }
        if c.notice_published_at.is_some() {
            return Err(DomainError::Conflict("公示已发布".into()));
        }
        let awards = self.store.awards(id).await?;
        if awards.is_empty() {
            return Err(DomainError::Conflict("请先评定奖项，再发布公示".into()));
        }
        let audit = self.audit(
            actor,
            "contest_notice.publish",
            "contest",
            id.0,
            c.spec.region,
            json!({"awards": awards.len()}),
        );
        self.store.publish_notice(id, now, &audit).await?;
        Ok(())
    }
}
