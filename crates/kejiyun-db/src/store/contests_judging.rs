//! Judging of contests: `contest_judges`, `contest_conflicts`, `contest_assignments`,
//! `contest_scores` (one sheet per judge and entry, replaced on revision), `contest_votes`,
//! `contest_awards` and the notice. Publishing the notice stamps the awarded entries'
//! `awarded_at` in the same transaction, under the statistics watch: that is when `awards`
//! counts them.

use std::collections::BTreeMap;

use kejiyun_core::audit::AuditRecord;
use kejiyun_core::contests::assignment::Assignment;
use kejiyun_core::contests::awards::AwardChoice;
use kejiyun_core::contests::conflicts::{Conflict, ConflictKind, ConflictTarget, Conflicts, Judge};
use kejiyun_core::contests::pairwise::PairwiseVote;
use kejiyun_core::contests::ports::{AwardRecord, JudgeRecord};
use kejiyun_core::contests::scoring::ScoreSheet;
use kejiyun_core::ids::{ContestId, EntryId, JudgeId, UserId};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::contests::created;
use super::market::{name_of, names};
use super::stats::{Counter, Watch};
use super::{begin_read, begin_write, corrupt, db_err};
use crate::entities::{
    contest_assignments, contest_awards, contest_conflicts, contest_entries, contest_judges,
    contest_scores, contest_votes, contests,
};

fn published() -> StoreError {
    StoreError::Conflict("公示已发布，奖项不能再修改".into())
}

pub(super) async fn add_judge(
    db: &DatabaseConnection,
    contest: ContestId,
    user: UserId,
    organization: &str,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<JudgeId> {
    let txn = begin_write(db).await?;
    let id = contest_judges::Entity::insert(contest_judges::ActiveModel {
        contest_id: Set(contest.0),
        user_id: Set(user.0),
        organization: Set(organization.to_owned()),
        invited_at: Set(at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(|e| match db_err(e) {
        StoreError::Conflict(m) if m == "记录已存在" => {
            StoreError::Conflict("该用户已是本大赛的评委".into())
        }
        StoreError::Conflict(_) => StoreError::Conflict("用户不存在".into()),
        other => other,
    })?
    .last_insert_id;
    super::audit::insert(&txn, &created(audit, id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(JudgeId(id))
}

pub(super) async fn judges(
    db: &DatabaseConnection,
    contest: ContestId,
) -> StoreResult<Vec<JudgeRecord>> {
    use contest_judges::Column as J;
    let txn = begin_read(db).await?;
    let rows = contest_judges::Entity::find()
        .filter(J::ContestId.eq(contest.0))
        .order_by_asc(J::Id)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let names = names(&txn, rows.iter().map(|r| r.user_id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| JudgeRecord {
            judge: Judge {
                id: JudgeId(r.id),
                name: name_of(&names, r.user_id),
                organization: r.organization,
            },
            user: UserId(r.user_id),
            invited_at: Timestamp(r.invited_at),
        })
        .collect())
}

pub(super) async fn add_conflict(
    db: &DatabaseConnection,
    contest: ContestId,
    c: &Conflict,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let (entry, school) = match &c.target {
        ConflictTarget::Entry(e) => (Some(e.0), None),
        ConflictTarget::School(s) => (None, Some(s.clone())),
    };
    let txn = begin_write(db).await?;
    let id = contest_conflicts::Entity::insert(contest_conflicts::ActiveModel {
        contest_id: Set(contest.0),
        judge_id: Set(c.judge.0),
        entry_id: Set(entry),
        school: Set(school),
        kind: Set(c.kind.as_str().to_owned()),
        declared_at: Set(at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    super::audit::insert(&txn, &created(audit, id)).await?;
    txn.commit().await.map_err(db_err)
}

pub(super) async fn conflicts(
    db: &DatabaseConnection,
    contest: ContestId,
) -> StoreResult<Conflicts> {
    use contest_conflicts::Column as C;
    let rows = contest_conflicts::Entity::find()
        .filter(C::ContestId.eq(contest.0))
        .order_by_asc(C::Id)
        .all(db)
        .await
        .map_err(db_err)?;
    let declared = rows
        .into_iter()
        .map(|r| {
            let target = match (r.entry_id, r.school) {
                (Some(e), None) => ConflictTarget::Entry(EntryId(e)),
                (None, Some(s)) => ConflictTarget::School(s),
                _ => return Err(corrupt("conflict target", &r.id.to_string())),
            };
            Ok(Conflict {
                judge: JudgeId(r.judge_id),
                target,
                kind: ConflictKind::parse(&r.kind).map_err(|_| corrupt("conflict", &r.kind))?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Conflicts::new(declared))
}

pub(super) async fn set_assignment(
    db: &DatabaseConnection,
    contest: ContestId,
    a: &Assignment,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use contest_assignments::Column as A;
    let txn = begin_write(db).await?;
    contest_assignments::Entity::delete_many()
        .filter(A::ContestId.eq(contest.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let rows: Vec<contest_assignments::ActiveModel> = a
        .by_entry()
        .iter()
        .flat_map(|(entry, judges)| {
            judges
                .iter()
                .map(move |j| contest_assignments::ActiveModel {
                    entry_id: Set(entry.0),
                    judge_id: Set(j.0),
                    contest_id: Set(contest.0),
                })
        })
        .collect();
    for chunk in rows.chunks(500) {
        contest_assignments::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

pub(super) async fn assignment(
    db: &DatabaseConnection,
    contest: ContestId,
) -> StoreResult<Assignment> {
    use contest_assignments::Column as A;
    let rows: Vec<(i64, i64)> = contest_assignments::Entity::find()
        .select_only()
        .columns([A::EntryId, A::JudgeId])
        .filter(A::ContestId.eq(contest.0))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut by_entry: BTreeMap<EntryId, Vec<JudgeId>> = BTreeMap::new();
    for (e, j) in rows {
        by_entry.entry(EntryId(e)).or_default().push(JudgeId(j));
    }
    Ok(Assignment::new(by_entry))
}

fn points_json(points: &[i32]) -> String {
    serde_json::Value::from(points.to_vec()).to_string()
}

fn to_sheet(r: contest_scores::Model) -> StoreResult<(ScoreSheet, Timestamp)> {
    let points: Vec<i32> =
        serde_json::from_str(&r.points).map_err(|_| corrupt("score points", &r.points))?;
    Ok((
        ScoreSheet {
            judge: JudgeId(r.judge_id),
            entry: EntryId(r.entry_id),
            points,
            total: r.total,
            comment: r.comment,
        },
        Timestamp(r.updated_at),
    ))
}

pub(super) async fn put_score(
    db: &DatabaseConnection,
    contest: ContestId,
    sheet: &ScoreSheet,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use contest_scores::Column as S;
    let txn = begin_write(db).await?;
    let existing = contest_scores::Entity::find()
        .filter(S::JudgeId.eq(sheet.judge.0))
        .filter(S::EntryId.eq(sheet.entry.0))
        .lock_exclusive()
        .count(&txn)
        .await
        .map_err(db_err)?;
    if existing > 0 {
        contest_scores::Entity::update_many()
            .col_expr(S::Points, Expr::value(points_json(&sheet.points)))
            .col_expr(S::Comment, Expr::value(sheet.comment.clone()))
            .col_expr(S::Total, Expr::value(sheet.total))
            .col_expr(S::UpdatedAt, Expr::value(at.micros()))
            .filter(S::JudgeId.eq(sheet.judge.0))
            .filter(S::EntryId.eq(sheet.entry.0))
            .exec(&txn)
            .await
            .map_err(db_err)?;
    } else {
        contest_scores::Entity::insert(contest_scores::ActiveModel {
            contest_id: Set(contest.0),
            judge_id: Set(sheet.judge.0),
            entry_id: Set(sheet.entry.0),
            points: Set(points_json(&sheet.points)),
            comment: Set(sheet.comment.clone()),
            total: Set(sheet.total),
            updated_at: Set(at.micros()),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .map_err(|e| match db_err(e) {
            // Two first sheets raced: the other one was stored.
            StoreError::Conflict(_) => StoreError::Conflict("评分正在保存，请重试".into()),
            other => other,
        })?;
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

pub(super) async fn score_sheets(
    db: &DatabaseConnection,
    contest: ContestId,
) -> StoreResult<Vec<ScoreSheet>> {
    use contest_scores::Column as S;
    contest_scores::Entity::find()
        .filter(S::ContestId.eq(contest.0))
        .order_by_asc(S::Id)
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|r| to_sheet(r).map(|(s, _)| s))
        .collect()
}

pub(super) async fn score_sheet(
    db: &DatabaseConnection,
    judge: JudgeId,
    entry: EntryId,
) -> StoreResult<Option<(ScoreSheet, Timestamp)>> {
    use contest_scores::Column as S;
    contest_scores::Entity::find()
        .filter(S::JudgeId.eq(judge.0))
        .filter(S::EntryId.eq(entry.0))
        .one(db)
        .await
        .map_err(db_err)?
        .map(to_sheet)
        .transpose()
}

pub(super) async fn add_vote(
    db: &DatabaseConnection,
    contest: ContestId,
    v: &PairwiseVote,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    let id = contest_votes::Entity::insert(contest_votes::ActiveModel {
        contest_id: Set(contest.0),
        judge_id: Set(v.judge.0),
        winner_id: Set(v.winner.0),
        loser_id: Set(v.loser.0),
        voted_at: Set(at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    super::audit::insert(&txn, &created(audit, id)).await?;
    txn.commit().await.map_err(db_err)
}

pub(super) async fn votes(
    db: &DatabaseConnection,
    contest: ContestId,
) -> StoreResult<Vec<PairwiseVote>> {
    use contest_votes::Column as V;
    let rows: Vec<(i64, i64, i64)> = contest_votes::Entity::find()
        .select_only()
        .columns([V::JudgeId, V::WinnerId, V::LoserId])
        .filter(V::ContestId.eq(contest.0))
        .order_by_asc(V::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(j, w, l)| PairwiseVote {
            judge: JudgeId(j),
            winner: EntryId(w),
            loser: EntryId(l),
        })
        .collect())
}

/// Locks the contest row and answers whether its notice is out: awards and the notice take
/// turns on it.
async fn lock_notice<C: ConnectionTrait>(txn: &C, contest: ContestId) -> StoreResult<bool> {
    let row: Option<Option<i64>> = contests::Entity::find()
        .select_only()
        .column(contests::Column::NoticePublishedAt)
        .filter(contests::Column::Id.eq(contest.0))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    row.map(|p| p.is_some()).ok_or(StoreError::NotFound)
}

pub(super) async fn set_awards(
    db: &DatabaseConnection,
    contest: ContestId,
    awards: &[AwardChoice],
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use contest_awards::Column as A;
    let txn = begin_write(db).await?;
    if lock_notice(&txn, contest).await? {
        return Err(published());
    }
    contest_awards::Entity::delete_many()
        .filter(A::ContestId.eq(contest.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let rows: Vec<contest_awards::ActiveModel> = awards
        .iter()
        .map(|a| contest_awards::ActiveModel {
            entry_id: Set(a.entry.0),
            contest_id: Set(contest.0),
            level: Set(a.level.trim().to_owned()),
            set_at: Set(at.micros()),
        })
        .collect();
    for chunk in rows.chunks(500) {
        contest_awards::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

pub(super) async fn awards(
    db: &DatabaseConnection,
    contest: ContestId,
) -> StoreResult<Vec<AwardRecord>> {
    use contest_awards::Column as A;
    let rows = contest_awards::Entity::find()
        .filter(A::ContestId.eq(contest.0))
        .order_by_asc(A::EntryId)
        .all(db)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| AwardRecord {
            award: AwardChoice {
                entry: EntryId(r.entry_id),
                level: r.level,
            },
            set_at: Timestamp(r.set_at),
        })
        .collect())
}

pub(super) async fn publish_notice(
    db: &DatabaseConnection,
    contest: ContestId,
    at: Timestamp,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use contest_entries::Column as E;
    let txn = begin_write(db).await?;
    if lock_notice(&txn, contest).await? {
        return Err(StoreError::Conflict("公示已发布".into()));
    }
    let awarded: Vec<i64> = contest_awards::Entity::find()
        .select_only()
        .column(contest_awards::Column::EntryId)
        .filter(contest_awards::Column::ContestId.eq(contest.0))
        .order_by_asc(contest_awards::Column::EntryId)
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    let keys: Vec<Counter> = awarded
        .iter()
        .map(|id| Counter::ContestEntry(*id))
        .collect();
    let watch = Watch::start(&txn, &keys).await?;
    for chunk in awarded.chunks(500) {
        contest_entries::Entity::update_many()
            .col_expr(E::AwardedAt, Expr::value(Some(at.micros())))
            .filter(E::Id.is_in(chunk.to_vec()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    contests::Entity::update_many()
        .col_expr(
            contests::Column::NoticePublishedAt,
            Expr::value(Some(at.micros())),
        )
        .filter(contests::Column::Id.eq(contest.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    watch.finish(&txn).await?;
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}
