//! Contests (大赛): setting one up, entries and their review, and nomination to the parent
//! contest; the judging (judges, conflicts, assignment, scores, votes, ranking, awards, the
//! notice) is in `contests_judging.rs`. The rules are in `contests/*.rs`; these check who may
//! act, then call the store once, with the audit entry of the write.

use serde_json::json;

use crate::audit::AuditRecord;
use crate::contests::entries::{EntryAction, EntryInput, nominate, submit_entry, transition};
use crate::contests::ports::{Contest, ContestFilter, EntryRecord, NewContest, NewEntry};
use crate::contests::{ContestDraft, ContestSpec};
use crate::ids::{ContestId, EntryId};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::regions::RegionCode;
use crate::{DomainError, DomainResult};

use_cases!(
    Contests,
    contests,
    "Contests: setting up, entries, judging, awards, the notice and nomination"
);

pub(super) fn no_contest() -> DomainError {
    DomainError::NotFound("大赛不存在".into())
}

pub(super) fn no_entry() -> DomainError {
    DomainError::NotFound("参赛作品不存在".into())
}

impl Contests<'_> {
    pub(super) fn audit(
        &self,
        actor: &Actor,
        action: &str,
        kind: &str,
        id: impl ToString,
        region: RegionCode,
        after: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            actor: Some(actor.user_id),
            at: self.now(),
            action: action.into(),
            target_kind: kind.into(),
            target_id: id.to_string(),
            region: Some(region),
            before: None,
            after: Some(after),
        }
    }

    /// A region admin sets up a contest held by their region (a county admin in their county
    /// subtree only). A parent contest must be held by the region it names, of the same kind.
    pub async fn create(&self, actor: &Actor, draft: &ContestDraft) -> DomainResult<ContestId> {
        let spec = ContestSpec::parse(draft)?;
        self.deployment_region(spec.region, "region")?;
        if !actor.administers(spec.region) {
            return Err(DomainError::Forbidden(
                "只有本地区的管理员可以举办大赛".into(),
            ));
        }
        if let Some(p) = spec.parent {
            let parent = self
                .store
                .contest(p.contest)
                .await?
                .ok_or_else(|| DomainError::invalid("parent", "上级大赛不存在"))?;
            if parent.spec.region != p.region {
                return Err(DomainError::invalid(
                    "parent",
                    "上级大赛不是由所填地区举办的",
                ));
            }
            if parent.spec.kind != spec.kind {
                return Err(DomainError::invalid("parent", "上级大赛应为同一类别的大赛"));
            }
        }
        self.banned_words.check("name", &[spec.name.as_str()])?;
        let audit = self.audit(
            actor,
            "contest.create",
            "contest",
            "",
            spec.region,
            json!({"name": spec.name, "edition": spec.edition, "kind": spec.kind.as_str()}),
        );
        let c = NewContest {
            spec,
            created_by: actor.user_id,
            at: self.now(),
        };
        Ok(self.store.create_contest(&c, &audit).await?)
    }

    /// Public.
    pub async fn get(&self, id: ContestId) -> DomainResult<Contest> {
        self.store.contest(id).await?.ok_or_else(no_contest)
    }

    /// Contests held in `region`'s subtree (public), latest entry window first.
    pub async fn list(
        &self,
        region: Option<RegionCode>,
        page: Page,
    ) -> DomainResult<Paged<Contest>> {
        let root = match region {
            Some(r) => self.visible_region(r)?.code,
            None => self.root,
        };
        let filter = ContestFilter {
            scope: RegionScope::Within(vec![root]),
        };
        Ok(self.store.contests(&filter, page).await?)
    }

    /// Whether `actor` manages the contest: an admin of the region holding it.
    pub fn manages(actor: &Actor, c: &Contest) -> bool {
        actor.administers(c.spec.region)
    }

    pub(super) async fn managed(&self, actor: &Actor, id: ContestId) -> DomainResult<Contest> {
        let c = self.get(id).await?;
        if !Self::manages(actor, &c) {
            return Err(DomainError::Forbidden(
                "只有举办大赛的地区管理员可以进行此操作".into(),
            ));
        }
        Ok(c)
    }

    /// A logged-in user submits an entry inside the entry window.
    pub async fn submit(
        &self,
        actor: &Actor,
        id: ContestId,
        input: &EntryInput,
    ) -> DomainResult<EntryId> {
        let c = self.get(id).await?;
        let spec = submit_entry(&c.spec, input, self.now())?;
        self.banned_words
            .check("title", &[spec.title.as_str(), spec.summary.as_str()])?;
        let audit = self.audit(
            actor,
            "contest_entry.submit",
            "contest_entry",
            "",
            c.spec.region,
            json!({"contest": id.0, "title": spec.title, "group": spec.group}),
        );
        let e = NewEntry {
            contest: id,
            spec,
            region: c.spec.region,
            submitted_by: actor.user_id,
            at: self.now(),
            origin: None,
        };
        Ok(self.store.add_entry(&e, &audit).await?)
    }

    /// The entrant corrects a returned entry and submits it again, inside the entry window.
    /// A nominated entry is the lower round's work as it won there: it is not edited.
    pub async fn resubmit(
        &self,
        actor: &Actor,
        id: ContestId,
        entry: EntryId,
        input: &EntryInput,
    ) -> DomainResult<()> {
        let c = self.get(id).await?;
        let e = self.entry_of(id, entry).await?;
        if e.submitted_by != actor.user_id || e.entry.origin.is_some() {
            return Err(DomainError::Forbidden(
                "只有作品的申报人可以修改并重新提交".into(),
            ));
        }
        transition(&e.entry.status, &EntryAction::Resubmit)?;
        let spec = submit_entry(&c.spec, input, self.now())?;
        self.banned_words
            .check("title", &[spec.title.as_str(), spec.summary.as_str()])?;
        let audit = self.audit(
            actor,
            "contest_entry.resubmit",
            "contest_entry",
            entry.0,
            e.region,
            json!({"title": spec.title, "group": spec.group}),
        );
        self.store
            .resubmit_entry(entry, &spec, self.now(), &audit)
            .await?;
        Ok(())
    }

    /// The contest's entries: all of them for its admins, the caller's own for anyone else.
    pub async fn entries(&self, actor: &Actor, id: ContestId) -> DomainResult<Vec<EntryRecord>> {
        let c = self.get(id).await?;
        let mine = (!Self::manages(actor, &c)).then_some(actor.user_id);
        Ok(self.store.entries(id, mine).await?)
    }

    /// An entry of the contest, whoever may see it or not.
    pub(super) async fn entry_of(
        &self,
        id: ContestId,
        entry: EntryId,
    ) -> DomainResult<EntryRecord> {
        self.store
            .entry(entry)
            .await?
            .filter(|e| e.entry.contest == id)
            .ok_or_else(no_entry)
    }

    /// One entry: for the contest's admins, its entrant, and the judges it is assigned to
    /// (never one in conflict with it).
    pub async fn entry(
        &self,
        actor: &Actor,
        id: ContestId,
        entry: EntryId,
    ) -> DomainResult<EntryRecord> {
        let c = self.get(id).await?;
        let e = self.entry_of(id, entry).await?;
        if Self::manages(actor, &c) || e.submitted_by == actor.user_id {
            return Ok(e);
        }
        let judge = self.judge_of(actor, id).await?;
        self.store
            .conflicts(id)
            .await?
            .check_may_judge(&judge, &e.entry.judging_ref())?;
        if !self
            .store
            .assignment(id)
            .await?
            .is_assigned(judge.id, entry)
        {
            return Err(DomainError::Forbidden("作品未分配给您评审".into()));
        }
        Ok(e)
    }

    /// The admin accepts an entry, or returns it with a reason.
    pub async fn review(
        &self,
        actor: &Actor,
        id: ContestId,
        entry: EntryId,
        action: &EntryAction,
    ) -> DomainResult<()> {
        if !matches!(action, EntryAction::Accept | EntryAction::Return { .. }) {
            return Err(DomainError::invalid("action", "只能通过或退回作品"));
        }
        let c = self.managed(actor, id).await?;
        self.change(actor, &c, entry, action).await
    }

    /// The entrant (or the admin) withdraws an accepted entry; the reason is kept.
    pub async fn withdraw(
        &self,
        actor: &Actor,
        id: ContestId,
        entry: EntryId,
        reason: &str,
    ) -> DomainResult<()> {
        let c = self.get(id).await?;
        let e = self.entry_of(id, entry).await?;
        if !Self::manages(actor, &c) && e.submitted_by != actor.user_id {
            return Err(DomainError::Forbidden(
                "只有作品的申报人或大赛管理员可以撤回作品".into(),
            ));
        }
        let action = EntryAction::Withdraw {
            reason: reason.to_owned(),
        };
        self.change(actor, &c, entry, &action).await
    }

    async fn change(
        &self,
        actor: &Actor,
        c: &Contest,
        entry: EntryId,
        action: &EntryAction,
    ) -> DomainResult<()> {
        let e = self.entry_of(c.id, entry).await?;
        let to = transition(&e.entry.status, action)?;
        let audit = self.audit(
            actor,
            &format!("contest_entry.{}", to.as_str()),
            "contest_entry",
            entry.0,
            e.region,
            json!({"status": to.as_str(), "reason": match &to {
                crate::contests::entries::EntryStatus::Returned { reason }
                | crate::contests::entries::EntryStatus::Withdrawn { reason } => Some(reason),
                _ => None,
            }}),
        );
        self.store
            .set_entry_status(entry, &e.entry.status, &to, self.now(), &audit)
            .await?;
        Ok(())
    }

    /// After the notice is published and its period is over, the admin nominates a winner to
    /// the parent contest: a new entry there (submitted, for its admin to review), carrying
    /// the round it came from, once per entry, while the parent has not started judging.
    pub async fn nominate(
        &self,
        actor: &Actor,
        id: ContestId,
        entry: EntryId,
    ) -> DomainResult<EntryId> {
        let c = self.managed(actor, id).await?;
        if c.notice_published_at.is_none() {
            return Err(DomainError::Conflict("获奖名单公示发布后才能推荐".into()));
        }
        let e = self.entry_of(id, entry).await?;
        let awards = self.store.awards(id).await?;
        let award = awards
            .iter()
            .find(|a| a.award.entry == entry)
            .map(|a| a.award.level.as_str());
        let now = self.now();
        let n = nominate(id, &c.spec, &e.entry, award, now)?;
        let parent = self
            .store
            .contest(n.to_contest)
            .await?
            .ok_or_else(|| DomainError::Conflict("上级大赛不存在，不能推荐".into()))?;
        parent.spec.group(&n.spec.group).map_err(|_| {
            DomainError::Conflict(format!("上级大赛没有「{}」组别，不能推荐", n.spec.group))
        })?;
        if now >= parent.spec.timeline.judging_open {
            return Err(DomainError::Conflict(
                "上级大赛已开始评审，不能再推荐".into(),
            ));
        }
        let audit = self.audit(
            actor,
            "contest_entry.nominate",
            "contest_entry",
            "",
            parent.spec.region,
            json!({"from_entry": entry.0, "from_contest": id.0, "to_contest": parent.id.0,
                   "award": n.origin.award}),
        );
        let new = NewEntry {
            contest: parent.id,
            spec: n.spec,
            region: e.region,
            submitted_by: e.submitted_by,
            at: now,
            origin: Some((n.origin, entry)),
        };
        Ok(self.store.add_entry(&new, &audit).await?)
    }
}
