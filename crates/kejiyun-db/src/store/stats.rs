//! Served statistics, write side: the `Counted` snapshots of counted records, read from their
//! rows, and the delta `stats::delta(before, after)` that moves the day series
//! (`stat_series`) in the transaction of every change. What a snapshot contributes is decided only by
//! [`kejiyun_core::stats::contributions`].
//!
//! Concurrency: the snapshot loaders read with `FOR UPDATE` (a no-op on SQLite, whose single
//! connection serialises writers anyway), so the "before" snapshot cannot go stale between the
//! read and the change, and MySQL's repeatable-read snapshot never hides a committed change
//! from them. Lock order is always: a deal's category-source posting, then the deal, then the
//! series of the transaction's delta in key order.

use std::collections::BTreeMap;

use kejiyun_core::market::categories::Category;
use kejiyun_core::market::deals::DealStatus;
use kejiyun_core::market::money::Fen;
use kejiyun_core::market::postings::{CloseReason, PostingKind};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::stats::{self, Cell, Counted};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::market::postings::PostingTable;
use super::{corrupt, db_err, parse_region, status_of};
use crate::entities::{
    achievements, deals, needs, orgs, questions, resources, services, tech_workers,
};

/// A counted record, by table and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    TechWorker(i64),
    Org(i64),
    Posting(PostingKind, i64),
    Deal(i64),
    Training(i64),
    TrainingSession(i64),
    Volunteer(i64),
    VolunteerTeam(i64),
    VolunteerActivity(i64),
    ContestEntry(i64),
}

/// The "before" snapshots of the records a transaction changes; [`Watch::finish`] snapshots
/// them again after the change and applies the net delta.
#[must_use = "finish the watch after the change, in the same transaction"]
pub(crate) struct Watch {
    before: Vec<(Counter, Option<Counted>)>,
}

impl Watch {
    /// Locks and snapshots `keys` before they change.
    pub(crate) async fn start<C: ConnectionTrait>(txn: &C, keys: &[Counter]) -> StoreResult<Self> {
        let mut before = Vec::with_capacity(keys.len());
        for &key in keys {
            before.push((key, counted(txn, key).await?));
        }
        Ok(Self { before })
    }

    /// A posting whose content may change, with the deals that take their category from it.
    pub(crate) async fn posting_with_deals<C: ConnectionTrait>(
        txn: &C,
        kind: PostingKind,
        id: i64,
    ) -> StoreResult<Self> {
        let mut keys = vec![Counter::Posting(kind, id)];
        // The posting first (it is locked by its own snapshot), then its deals.
        let mut watch = Self::start(txn, &keys).await?;
        let deal_ids: Vec<i64> = deals::Entity::find()
            .select_only()
            .column(deals::Column::Id)
            .filter(sourced_from(kind, id))
            .lock_exclusive()
            .into_tuple()
            .all(txn)
            .await
            .map_err(db_err)?;
        keys = deal_ids.into_iter().map(Counter::Deal).collect();
        watch.before.extend(Self::start(txn, &keys).await?.before);
        Ok(watch)
    }

    /// A record the transaction creates: absent before.
    pub(crate) fn created(key: Counter) -> Self {
        Self {
            before: vec![(key, None)],
        }
    }

    /// Snapshots the records again and moves the cells by the net change.
    pub(crate) async fn finish<C: ConnectionTrait>(self, txn: &C) -> StoreResult<()> {
        let mut net: BTreeMap<Cell, i64> = BTreeMap::new();
        for (key, before) in self.before {
            let after = counted(txn, key).await?;
            for (cell, v) in stats::delta(before.as_ref(), after.as_ref()) {
                *net.entry(cell).or_default() += v;
            }
        }
        let cells: Vec<(Cell, i64)> = net.into_iter().filter(|(_, v)| *v != 0).collect();
        super::stats_series::apply_delta(txn, &cells).await
    }
}

async fn counted<C: ConnectionTrait>(txn: &C, key: Counter) -> StoreResult<Option<Counted>> {
    match key {
        Counter::TechWorker(id) => counted_tech_worker(txn, id).await,
        Counter::Org(id) => counted_org(txn, id).await,
        Counter::Posting(kind, id) => counted_posting(txn, kind, id).await,
        Counter::Deal(id) => counted_deal(txn, id).await,
        Counter::Training(id) => super::trainings::counted_training(txn, id).await,
        Counter::TrainingSession(id) => super::trainings::counted_session(txn, id).await,
        Counter::Volunteer(id) => super::volunteer_counted::counted_volunteer(txn, id).await,
        Counter::VolunteerTeam(id) => super::volunteer_counted::counted_team(txn, id).await,
        Counter::VolunteerActivity(id) => super::volunteer_counted::counted_activity(txn, id).await,
        Counter::ContestEntry(id) => super::contests_counted::counted_entry(txn, id).await,
    }
}

// ---- snapshots -------------------------------------------------------------------------

pub(crate) fn category_of(raw: &str) -> StoreResult<Category> {
    Category::parse(raw).map_err(|_| corrupt("category", raw))
}

pub(crate) fn tech_worker_counted(
    status: &str,
    verified_at: Option<i64>,
    region: &str,
) -> StoreResult<Counted> {
    Ok(Counted::TechWorker {
        status: status_of(status)?,
        verified_at: verified_at.map(kejiyun_core::time::Timestamp),
        region: parse_region(region)?,
    })
}

pub(crate) fn org_counted(
    status: &str,
    org_type: &str,
    verified_at: Option<i64>,
    region: &str,
) -> StoreResult<Counted> {
    Ok(Counted::Org {
        status: status_of(status)?,
        org_type: kejiyun_core::orgs::OrgType::parse(org_type)
            .map_err(|_| corrupt("org type", org_type))?,
        verified_at: verified_at.map(kejiyun_core::time::Timestamp),
        region: parse_region(region)?,
    })
}

/// The snapshot columns of a posting row: status, close reason, first publication, region,
/// category.
pub(crate) type PostingHead = (String, Option<String>, Option<i64>, String, String);

pub(crate) fn posting_counted(kind: PostingKind, h: &PostingHead) -> StoreResult<Counted> {
    let (status, close, first, region, category) = h;
    Ok(Counted::Posting {
        kind,
        status: status_of(status)?,
        close_reason: close
            .as_deref()
            .map(|r| CloseReason::parse(r).ok_or_else(|| corrupt("close reason", r)))
            .transpose()?,
        first_published_at: first.map(kejiyun_core::time::Timestamp),
        region: parse_region(region)?,
        category: category_of(category)?,
    })
}

/// The snapshot columns of a deal row.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub(crate) struct DealHead {
    pub id: i64,
    pub need_id: Option<i64>,
    pub service_id: Option<i64>,
    pub achievement_id: Option<i64>,
    pub status: String,
    pub confirmed_at: Option<i64>,
    pub amount_fen: i64,
    pub region: String,
}

pub(crate) const DEAL_HEAD: [deals::Column; 8] = [
    deals::Column::Id,
    deals::Column::NeedId,
    deals::Column::ServiceId,
    deals::Column::AchievementId,
    deals::Column::Status,
    deals::Column::ConfirmedAt,
    deals::Column::AmountFen,
    deals::Column::Region,
];

impl DealHead {
    /// The posting a deal takes its category from: the achievement for a transfer, else the
    /// need, else the service.
    pub(crate) fn category_source(&self) -> Option<(PostingKind, i64)> {
        category_source(self.need_id, self.service_id, self.achievement_id)
    }

    pub(crate) fn counted(&self, category: Option<Category>) -> StoreResult<Counted> {
        Ok(Counted::Deal {
            status: DealStatus::parse(&self.status)
                .map_err(|_| corrupt("deal status", &self.status))?,
            transfer: self.achievement_id.is_some(),
            confirmed_at: self.confirmed_at.map(kejiyun_core::time::Timestamp),
            amount: Fen::new("amount_fen", self.amount_fen)
                .map_err(|_| corrupt("amount", &self.amount_fen.to_string()))?,
            region: parse_region(&self.region)?,
            category,
        })
    }
}

pub(crate) fn category_source(
    need: Option<i64>,
    service: Option<i64>,
    achievement: Option<i64>,
) -> Option<(PostingKind, i64)> {
    achievement
        .map(|a| (PostingKind::Achievement, a))
        .or(need.map(|n| (PostingKind::Need, n)))
        .or(service.map(|s| (PostingKind::Service, s)))
}

/// Deals whose [`category_source`] is posting `(kind, id)`.
fn sourced_from(kind: PostingKind, id: i64) -> sea_orm::Condition {
    use deals::Column as D;
    let c = sea_orm::Condition::all();
    match kind {
        PostingKind::Achievement => c.add(D::AchievementId.eq(id)),
        PostingKind::Need => c.add(D::NeedId.eq(id)).add(D::AchievementId.is_null()),
        PostingKind::Service => c
            .add(D::ServiceId.eq(id))
            .add(D::NeedId.is_null())
            .add(D::AchievementId.is_null()),
        // No deal is on a question or a resource.
        PostingKind::Question | PostingKind::Resource => {
            c.add(sea_orm::sea_query::Expr::cust("1 = 0"))
        }
    }
}

pub(crate) async fn counted_tech_worker<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    use tech_workers::Column as T;
    let row: Option<(String, Option<i64>, String)> = tech_workers::Entity::find()
        .select_only()
        .columns([T::Status, T::VerifiedAt, T::Region])
        .filter(T::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    row.map(|(s, v, r)| tech_worker_counted(&s, v, &r))
        .transpose()
}

pub(crate) async fn counted_org<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    use orgs::Column as O;
    let row: Option<(String, String, Option<i64>, String)> = orgs::Entity::find()
        .select_only()
        .columns([O::Status, O::OrgType, O::VerifiedAt, O::Region])
        .filter(O::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    row.map(|(s, t, v, r)| org_counted(&s, &t, v, &r))
        .transpose()
}

async fn posting_head<E: PostingTable, C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<PostingHead>> {
    let c = E::cols();
    E::find()
        .select_only()
        .columns([
            c.status,
            c.close_reason,
            c.first_published_at,
            c.region,
            c.category,
        ])
        .filter(c.id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)
}

async fn locked_posting<C: ConnectionTrait>(
    txn: &C,
    kind: PostingKind,
    id: i64,
) -> StoreResult<Option<PostingHead>> {
    match kind {
        PostingKind::Service => posting_head::<services::Entity, C>(txn, id).await,
        PostingKind::Need => posting_head::<needs::Entity, C>(txn, id).await,
        PostingKind::Achievement => posting_head::<achievements::Entity, C>(txn, id).await,
        PostingKind::Question => posting_head::<questions::Entity, C>(txn, id).await,
        PostingKind::Resource => posting_head::<resources::Entity, C>(txn, id).await,
    }
}

/// The snapshot columns of a question row: the posting's, with its first answer's time
/// between the first publication and the region.
pub(crate) type QuestionHead = (
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
);

pub(crate) fn question_counted(h: &QuestionHead) -> StoreResult<Counted> {
    let (status, close, first, answered, region, category) = h;
    let Counted::Posting {
        status,
        close_reason,
        first_published_at,
        region,
        category,
        ..
    } = posting_counted(
        PostingKind::Question,
        &(
            status.clone(),
            close.clone(),
            *first,
            region.clone(),
            category.clone(),
        ),
    )?
    else {
        return Err(corrupt("question", "not a posting snapshot"));
    };
    Ok(Counted::Question {
        status,
        close_reason,
        first_published_at,
        first_answered_at: answered.map(kejiyun_core::time::Timestamp),
        region,
        category,
    })
}

/// The question columns [`QuestionHead`] holds, in its order.
pub(crate) const QUESTION_HEAD: [questions::Column; 6] = [
    questions::Column::Status,
    questions::Column::CloseReason,
    questions::Column::FirstPublishedAt,
    questions::Column::FirstAnsweredAt,
    questions::Column::Region,
    questions::Column::Category,
];

async fn counted_question<C: ConnectionTrait>(txn: &C, id: i64) -> StoreResult<Option<Counted>> {
    let head: Option<QuestionHead> = questions::Entity::find()
        .select_only()
        .columns(QUESTION_HEAD)
        .filter(questions::Column::Id.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    head.map(|h| question_counted(&h)).transpose()
}

pub(crate) async fn counted_posting<C: ConnectionTrait>(
    txn: &C,
    kind: PostingKind,
    id: i64,
) -> StoreResult<Option<Counted>> {
    if kind == PostingKind::Question {
        return counted_question(txn, id).await;
    }
    locked_posting(txn, kind, id)
        .await?
        .map(|h| posting_counted(kind, &h))
        .transpose()
}

/// Locks every posting a new deal refers to, before the deal is inserted: the category
/// source first (the lock order of [`Watch`]), the others after it in the same order. Taking
/// them exclusively up front also keeps the insert's foreign-key checks (shared locks on the
/// same rows on MySQL) from upgrading a shared lock later, which deadlocks two such inserts.
pub(crate) async fn lock_subject<C: ConnectionTrait>(
    txn: &C,
    need: Option<i64>,
    service: Option<i64>,
    achievement: Option<i64>,
) -> StoreResult<()> {
    let ordered = [
        achievement.map(|a| (PostingKind::Achievement, a)),
        need.map(|n| (PostingKind::Need, n)),
        service.map(|s| (PostingKind::Service, s)),
    ];
    debug_assert_eq!(
        ordered.iter().flatten().next().copied(),
        category_source(need, service, achievement)
    );
    for (kind, id) in ordered.into_iter().flatten() {
        locked_posting(txn, kind, id).await?;
    }
    Ok(())
}

pub(crate) async fn counted_deal<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    // The subject never changes: read it unlocked, lock its posting, then the deal.
    let subject: Option<(Option<i64>, Option<i64>, Option<i64>)> = deals::Entity::find()
        .select_only()
        .columns([
            deals::Column::NeedId,
            deals::Column::ServiceId,
            deals::Column::AchievementId,
        ])
        .filter(deals::Column::Id.eq(id))
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    let Some((need, service, achievement)) = subject else {
        return Ok(None);
    };
    let category = match category_source(need, service, achievement) {
        Some((kind, pid)) => locked_posting(txn, kind, pid)
            .await?
            .map(|h| category_of(&h.4))
            .transpose()?,
        None => None,
    };
    let head = deals::Entity::find()
        .select_only()
        .columns(DEAL_HEAD)
        .filter(deals::Column::Id.eq(id))
        .lock_exclusive()
        .into_model::<DealHead>()
        .one(txn)
        .await
        .map_err(db_err)?;
    head.map(|h| h.counted(category)).transpose()
}
