//! Contests (大赛): [`ContestStore`] over `contests` and `contest_entries` here, the judging
//! tables (judges, conflicts, assignment, scores, votes, awards, the notice) in
//! `contests_judging.rs`; the counted snapshot of an entry (`contest_entries` on its
//! submission, `awards` once its contest's notice is published) in `contests_counted.rs`.
//!
//! The spec's lists (groups, rubric, award levels) and an entry's authors are JSON text: they
//! are read and written whole, never queried. Read back, a rubric is parsed again, so a stored
//! one that no longer satisfies the rules reads as corrupt rather than scoring wrongly.

use async_trait::async_trait;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::contests::assignment::Assignment;
use kejiyun_core::contests::awards::AwardChoice;
use kejiyun_core::contests::conflicts::{Conflict, Conflicts};
use kejiyun_core::contests::entries::{Author, Entry, EntrySpec, EntryStatus, Origin};
use kejiyun_core::contests::pairwise::PairwiseVote;
use kejiyun_core::contests::ports::{
    AwardRecord, Contest, ContestFilter, ContestStore, EntryRecord, JudgeRecord, NewContest,
    NewEntry,
};
use kejiyun_core::contests::rubric::{CriterionInput, Rubric};
use kejiyun_core::contests::scoring::ScoreSheet;
use kejiyun_core::contests::spec::{AwardLevel, ParentContest};
use kejiyun_core::contests::timeline::Timeline;
use kejiyun_core::contests::{ContestKind, ContestSpec, ScoringMethod};
use kejiyun_core::ids::{ContestId, EntryId, JudgeId, UserId};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::{Value, json};

use super::contests_judging as judging;
use super::stats::{Counter, Watch};
use super::{
    SeaStore, begin_read, begin_write, corrupt, db_err, paged, parse_region, region_parts,
    scope_condition,
};
use crate::entities::{contest_entries, contests};

/// The audit entry of a creation, naming the created row.
pub(super) fn created(audit: &AuditRecord, id: i64) -> AuditRecord {
    AuditRecord {
        target_id: id.to_string(),
        ..audit.clone()
    }
}

fn small(n: usize) -> i16 {
    i16::try_from(n).unwrap_or(i16::MAX)
}

fn rubric_json(spec: &ContestSpec) -> String {
    let criteria: Vec<Value> = spec
        .rubric
        .criteria()
        .iter()
        .map(|c| json!({"name": c.name, "weight": c.weight, "min": c.min, "max": c.max}))
        .collect();
    Value::Array(criteria).to_string()
}

fn awards_json(spec: &ContestSpec) -> String {
    let levels: Vec<Value> = spec
        .awards
        .iter()
        .map(|l| json!({"name": l.name, "count": l.count}))
        .collect();
    Value::Array(levels).to_string()
}

fn parse_json(what: &str, raw: &str) -> StoreResult<Value> {
    serde_json::from_str(raw).map_err(|_| corrupt(what, raw))
}

fn json_str(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

fn json_num<T: TryFrom<i64> + Default>(v: &Value, key: &str) -> T {
    v[key]
        .as_i64()
        .and_then(|n| T::try_from(n).ok())
        .unwrap_or_default()
}

fn json_list(what: &str, raw: &str) -> StoreResult<Vec<Value>> {
    match parse_json(what, raw)? {
        Value::Array(items) => Ok(items),
        _ => Err(corrupt(what, raw)),
    }
}

fn to_contest(r: contests::Model) -> StoreResult<Contest> {
    let groups = json_list("contest groups", &r.group_names)?
        .iter()
        .map(|g| g.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| corrupt("contest groups", &r.group_names))?;
    let criteria: Vec<CriterionInput> = json_list("rubric", &r.rubric)?
        .iter()
        .map(|c| CriterionInput {
            name: json_str(c, "name"),
            weight: json_num(c, "weight"),
            min: json_num(c, "min"),
            max: json_num(c, "max"),
        })
        .collect();
    let rubric = Rubric::parse(&criteria).map_err(|_| corrupt("rubric", &r.rubric))?;
    let awards = json_list("award levels", &r.award_levels)?
        .iter()
        .map(|l| AwardLevel {
            name: json_str(l, "name"),
            count: json_num(l, "count"),
        })
        .collect();
    let trim = u32::try_from(r.trim_each_side).unwrap_or(0);
    let scoring =
        ScoringMethod::parse(&r.scoring, trim).map_err(|_| corrupt("scoring", &r.scoring))?;
    let parent = match (r.parent_contest_id, r.parent_region.as_deref()) {
        (Some(id), Some(region)) => Some(ParentContest {
            contest: ContestId(id),
            region: parse_region(region)?,
        }),
        _ => None,
    };
    let spec = ContestSpec {
        edition: u32::try_from(r.edition).unwrap_or(0),
        kind: ContestKind::parse(&r.kind).map_err(|_| corrupt("contest kind", &r.kind))?,
        region: parse_region(&r.region)?,
        groups,
        timeline: Timeline {
            entries_open: Timestamp(r.entries_open),
            entries_close: Timestamp(r.entries_close),
            judging_open: Timestamp(r.judging_open),
            judging_close: Timestamp(r.judging_close),
            notice_open: Timestamp(r.notice_open),
            notice_close: Timestamp(r.notice_close),
        },
        rubric,
        awards,
        min_judges_per_entry: usize::try_from(r.min_judges_per_entry).unwrap_or(1),
        scoring,
        parent,
        name: r.name,
    };
    Ok(Contest {
        id: ContestId(r.id),
        spec,
        created_by: UserId(r.created_by),
        created_at: Timestamp(r.created_at),
        notice_published_at: r.notice_published_at.map(Timestamp),
    })
}

async fn create_contest(
    db: &DatabaseConnection,
    c: &NewContest,
    audit: &AuditRecord,
) -> StoreResult<ContestId> {
    let s = &c.spec;
    let t = &s.timeline;
    let (region, city, province) = region_parts(s.region);
    let trim = match s.scoring {
        ScoringMethod::TrimmedMean { trim } => i16::try_from(trim).unwrap_or(0),
        ScoringMethod::Mean => 0,
    };
    let txn = begin_write(db).await?;
    let id = contests::Entity::insert(contests::ActiveModel {
        name: Set(s.name.clone()),
        edition: Set(i32::try_from(s.edition).unwrap_or(i32::MAX)),
        kind: Set(s.kind.as_str().to_owned()),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        group_names: Set(json!(s.groups).to_string()),
        entries_open: Set(t.entries_open.micros()),
        entries_close: Set(t.entries_close.micros()),
        judging_open: Set(t.judging_open.micros()),
        judging_close: Set(t.judging_close.micros()),
        notice_open: Set(t.notice_open.micros()),
        notice_close: Set(t.notice_close.micros()),
        rubric: Set(rubric_json(s)),
        award_levels: Set(awards_json(s)),
        min_judges_per_entry: Set(small(s.min_judges_per_entry)),
        scoring: Set(s.scoring.as_str().to_owned()),
        trim_each_side: Set(trim),
        parent_contest_id: Set(s.parent.map(|p| p.contest.0)),
        parent_region: Set(s.parent.map(|p| p.region.to_string())),
        created_by: Set(c.created_by.0),
        created_at: Set(c.at.micros()),
        notice_published_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(|e| match db_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict("上级大赛不存在".into()),
        other => other,
    })?
    .last_insert_id;
    super::audit::insert(&txn, &created(audit, id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(ContestId(id))
}

async fn contests_page(
    db: &DatabaseConnection,
    f: &ContestFilter,
    page: Page,
) -> StoreResult<Paged<Contest>> {
    use contests::Column as C;
    let q = contests::Entity::find().filter(scope_condition(
        &f.scope,
        C::Region,
        C::RegionCity,
        C::RegionProvince,
    ));
    let txn = begin_read(db).await?;
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(C::EntriesOpen)
        .order_by_desc(C::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    txn.commit().await.map_err(db_err)?;
    let items = rows
        .into_iter()
        .map(to_contest)
        .collect::<StoreResult<_>>()?;
    Ok(paged(items, total, page))
}

fn authors_json(spec: &EntrySpec) -> String {
    let authors: Vec<Value> = spec
        .authors
        .iter()
        .map(|a| json!({"name": a.name, "school": a.school, "grade": a.grade}))
        .collect();
    Value::Array(authors).to_string()
}

fn status_of(status: &str, reason: Option<String>) -> StoreResult<EntryStatus> {
    let reason = || reason.clone().unwrap_or_default();
    Ok(match status {
        "submitted" => EntryStatus::Submitted,
        "accepted" => EntryStatus::Accepted,
        "returned" => EntryStatus::Returned { reason: reason() },
        "withdrawn" => EntryStatus::Withdrawn { reason: reason() },
        other => return Err(corrupt("entry status", other)),
    })
}

fn reason_of(status: &EntryStatus) -> Option<String> {
    match status {
        EntryStatus::Returned { reason } | EntryStatus::Withdrawn { reason } => {
            Some(reason.clone())
        }
        EntryStatus::Submitted | EntryStatus::Accepted => None,
    }
}

fn to_entry(r: contest_entries::Model) -> StoreResult<EntryRecord> {
    let authors = json_list("authors", &r.authors)?
        .iter()
        .map(|a| Author {
            name: json_str(a, "name"),
            school: a["school"].as_str().map(str::to_owned),
            grade: a["grade"].as_str().map(str::to_owned),
        })
        .collect();
    let origin = match (r.from_contest_id, r.from_round_region.as_deref()) {
        (Some(contest), Some(region)) => Some(Origin {
            from_contest: ContestId(contest),
            from_round_region: parse_region(region)?,
            award: r.origin_award.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(EntryRecord {
        entry: Entry {
            id: EntryId(r.id),
            contest: ContestId(r.contest_id),
            status: status_of(&r.status, r.status_reason)?,
            origin,
            spec: EntrySpec {
                title: r.title,
                group: r.group_name,
                summary: r.summary,
                authors,
                tutor: r.tutor,
                school: r.school,
            },
        },
        region: parse_region(&r.region)?,
        submitted_by: UserId(r.submitted_by),
        submitted_at: Timestamp(r.submitted_at),
        decided_at: r.decided_at.map(Timestamp),
        from_entry: r.from_entry_id.map(EntryId),
    })
}

async fn add_entry(
    db: &DatabaseConnection,
    e: &NewEntry,
    audit: &AuditRecord,
) -> StoreResult<EntryId> {
    let (region, city, province) = region_parts(e.region);
    let origin = e.origin.as_ref();
    let txn = begin_write(db).await?;
    let id = contest_entries::Entity::insert(contest_entries::ActiveModel {
        contest_id: Set(e.contest.0),
        group_name: Set(e.spec.group.clone()),
        title: Set(e.spec.title.clone()),
        summary: Set(e.spec.summary.clone()),
        authors: Set(authors_json(&e.spec)),
        tutor: Set(e.spec.tutor.clone()),
        school: Set(e.spec.school.clone()),
        status: Set(EntryStatus::Submitted.as_str().to_owned()),
        status_reason: Set(None),
        from_contest_id: Set(origin.map(|(o, _)| o.from_contest.0)),
        from_round_region: Set(origin.map(|(o, _)| o.from_round_region.to_string())),
        from_entry_id: Set(origin.map(|(_, from)| from.0)),
        origin_award: Set(origin.map(|(o, _)| o.award.clone())),
        submitted_by: Set(e.submitted_by.0),
        submitted_at: Set(e.at.micros()),
        decided_at: Set(None),
        awarded_at: Set(None),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(|err| match db_err(err) {
        // The only unique index: the source entry of a nomination.
        StoreError::Conflict(_) if origin.is_some() => {
            StoreError::Conflict("该作品已推荐到上级大赛，不能重复推荐".into())
        }
        other => other,
    })?
    .last_insert_id;
    Watch::created(Counter::ContestEntry(id))
        .finish(&txn)
        .await?;
    super::audit::insert(&txn, &created(audit, id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(EntryId(id))
}

async fn entries(
    db: &DatabaseConnection,
    contest: ContestId,
    submitted_by: Option<UserId>,
) -> StoreResult<Vec<EntryRecord>> {
    use contest_entries::Column as E;
    let mut q = contest_entries::Entity::find().filter(E::ContestId.eq(contest.0));
    if let Some(u) = submitted_by {
        q = q.filter(E::SubmittedBy.eq(u.0));
    }
    q.order_by_asc(E::Id)
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(to_entry)
        .collect()
}

async fn resubmit_entry(
    db: &DatabaseConnection,
    id: EntryId,
    spec: &EntrySpec,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use contest_entries::Column as E;
    let txn = begin_write(db).await?;
    let res = contest_entries::Entity::update_many()
        .col_expr(E::Title, Expr::value(spec.title.clone()))
        .col_expr(E::GroupName, Expr::value(spec.group.clone()))
        .col_expr(E::Summary, Expr::value(spec.summary.clone()))
        .col_expr(E::Authors, Expr::value(authors_json(spec)))
        .col_expr(E::Tutor, Expr::value(spec.tutor.clone()))
        .col_expr(E::School, Expr::value(spec.school.clone()))
        .col_expr(E::Status, Expr::value(EntryStatus::Submitted.as_str()))
        .col_expr(E::StatusReason, Expr::value(Option::<String>::None))
        .col_expr(E::DecidedAt, Expr::value(Some(at.micros())))
        .filter(E::Id.eq(id.0))
        .filter(E::Status.eq("returned"))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict("作品状态已变化，请刷新后重试".into()));
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

async fn set_entry_status(
    db: &DatabaseConnection,
    id: EntryId,
    from: &EntryStatus,
    to: &EntryStatus,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use contest_entries::Column as E;
    let txn = begin_write(db).await?;
    // A withdrawal after the notice takes its award out of the figures.
    let watch = Watch::start(&txn, &[Counter::ContestEntry(id.0)]).await?;
    let res = contest_entries::Entity::update_many()
        .col_expr(E::Status, Expr::value(to.as_str()))
        .col_expr(E::StatusReason, Expr::value(reason_of(to)))
        .col_expr(E::DecidedAt, Expr::value(Some(at.micros())))
        .filter(E::Id.eq(id.0))
        .filter(E::Status.eq(from.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict("作品状态已变化，请刷新后重试".into()));
    }
    watch.finish(&txn).await?;
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

#[async_trait]
impl ContestStore for SeaStore {
    async fn create_contest(&self, c: &NewContest, audit: &AuditRecord) -> StoreResult<ContestId> {
        retry!(create_contest(&self.db, c, audit))
    }
    async fn contest(&self, id: ContestId) -> StoreResult<Option<Contest>> {
        contests::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(db_err)?
            .map(to_contest)
            .transpose()
    }
    async fn contests(&self, filter: &ContestFilter, page: Page) -> StoreResult<Paged<Contest>> {
        contests_page(&self.db, filter, page).await
    }
    async fn add_entry(&self, e: &NewEntry, audit: &AuditRecord) -> StoreResult<EntryId> {
        retry!(add_entry(&self.db, e, audit))
    }
    async fn entry(&self, id: EntryId) -> StoreResult<Option<EntryRecord>> {
        contest_entries::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(db_err)?
            .map(to_entry)
            .transpose()
    }
    async fn entries(
        &self,
        contest: ContestId,
        submitted_by: Option<UserId>,
    ) -> StoreResult<Vec<EntryRecord>> {
        entries(&self.db, contest, submitted_by).await
    }
    async fn resubmit_entry(
        &self,
        id: EntryId,
        spec: &EntrySpec,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(resubmit_entry(&self.db, id, spec, at, audit))
    }
    async fn set_entry_status(
        &self,
        id: EntryId,
        from: &EntryStatus,
        to: &EntryStatus,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(set_entry_status(&self.db, id, from, to, at, audit))
    }
    async fn add_judge(
        &self,
        contest: ContestId,
        user: UserId,
        organization: &str,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<JudgeId> {
        retry!(judging::add_judge(
            &self.db,
            contest,
            user,
            organization,
            at,
            audit
        ))
    }
    async fn judges(&self, contest: ContestId) -> StoreResult<Vec<JudgeRecord>> {
        judging::judges(&self.db, contest).await
    }
    async fn add_conflict(
        &self,
        contest: ContestId,
        c: &Conflict,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(judging::add_conflict(&self.db, contest, c, at, audit))
    }
    async fn conflicts(&self, contest: ContestId) -> StoreResult<Conflicts> {
        judging::conflicts(&self.db, contest).await
    }
    async fn set_assignment(
        &self,
        contest: ContestId,
        a: &Assignment,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(judging::set_assignment(&self.db, contest, a, audit))
    }
    async fn assignment(&self, contest: ContestId) -> StoreResult<Assignment> {
        judging::assignment(&self.db, contest).await
    }
    async fn put_score(
        &self,
        contest: ContestId,
        sheet: &ScoreSheet,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(judging::put_score(&self.db, contest, sheet, at, audit))
    }
    async fn score_sheets(&self, contest: ContestId) -> StoreResult<Vec<ScoreSheet>> {
        judging::score_sheets(&self.db, contest).await
    }
    async fn score_sheet(
        &self,
        judge: JudgeId,
        entry: EntryId,
    ) -> StoreResult<Option<(ScoreSheet, Timestamp)>> {
        judging::score_sheet(&self.db, judge, entry).await
    }
    async fn add_vote(
        &self,
        contest: ContestId,
        v: &PairwiseVote,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(judging::add_vote(&self.db, contest, v, at, audit))
    }
    async fn votes(&self, contest: ContestId) -> StoreResult<Vec<PairwiseVote>> {
        judging::votes(&self.db, contest).await
    }
    async fn set_awards(
        &self,
        contest: ContestId,
        awards: &[AwardChoice],
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(judging::set_awards(&self.db, contest, awards, at, audit))
    }
    async fn awards(&self, contest: ContestId) -> StoreResult<Vec<AwardRecord>> {
        judging::awards(&self.db, contest).await
    }
    async fn publish_notice(
        &self,
        contest: ContestId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(judging::publish_notice(&self.db, contest, at, audit))
    }
}
