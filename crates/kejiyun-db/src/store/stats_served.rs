//! Counted records from the base tables
//! ([`StatsRecordStore`](kejiyun_core::stats::ports::StatsRecordStore)) for `verify`,
//! `rebuild` and drill-down. The figures themselves are read from `stat_series`
//! (`stats_series.rs`).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{Days, NaiveDate, NaiveTime};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::stats::ports::{CountedRecord, StatsRange, StatsRecordStore};
use kejiyun_core::stats::{Metric, public_title};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::SeaStore;
use super::market::postings::PostingTable;
use super::stats::{
    DEAL_HEAD, DealHead, PostingHead, QUESTION_HEAD, QuestionHead, category_of, org_counted,
    posting_counted, question_counted, tech_worker_counted,
};
use super::{contests_counted, db_err, resources, scope_condition, trainings, volunteer_counted};
use crate::entities;
use crate::entities::{achievements, deals, needs, orgs, questions, services, tech_workers, users};

// ---- records from the base tables -----------------------------------------------------

/// What to read: one region subtree and a window on the record's counting timestamp
/// (`None`: everything).
#[derive(Clone, Copy)]
pub(super) struct Prefilter {
    region: RegionCode,
    from: Option<i64>,
    until: Option<i64>,
}

impl Prefilter {
    /// The range's Asia/Shanghai dates widened by a day on each side (UTC midnights), so the
    /// SQL window is a superset whatever the time zone.
    fn of(range: &StatsRange) -> Self {
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc().timestamp_micros();
        Self {
            region: range.region,
            from: range
                .from
                .and_then(|d| d.checked_sub_days(Days::new(1)))
                .map(midnight),
            until: range
                .to
                .and_then(|d| d.checked_add_days(Days::new(2)))
                .map(midnight),
        }
    }

    pub(super) fn condition<C: ColumnTrait>(
        this: Option<Self>,
        at: C,
        region: C,
        city: C,
        province: C,
    ) -> Condition {
        let Some(p) = this else {
            return Condition::all();
        };
        let mut c = Condition::all()
            .add(scope_condition(
                &RegionScope::Within(vec![p.region]),
                region,
                city,
                province,
            ))
            .add(at.is_not_null());
        if let Some(from) = p.from {
            c = c.add(at.gte(from));
        }
        if let Some(until) = p.until {
            c = c.add(at.lt(until));
        }
        c
    }
}

/// The columns a posting's record needs (named alike in the three posting tables).
#[derive(sea_orm::FromQueryResult)]
struct PostingRow {
    id: i64,
    /// The approved title: drill-down is public, an edit in review is not.
    public_title: Option<String>,
    status: String,
    close_reason: Option<String>,
    first_published_at: Option<i64>,
    region: String,
    category: String,
}

async fn posting_records<E: PostingTable>(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    let c = E::cols();
    let rows = E::find()
        .select_only()
        .columns([
            c.id,
            c.public_title,
            c.status,
            c.close_reason,
            c.first_published_at,
            c.region,
            c.category,
        ])
        .filter(Prefilter::condition(
            pre,
            c.first_published_at,
            c.region,
            c.city,
            c.province,
        ))
        .order_by_asc(c.id)
        .into_model::<PostingRow>()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|r| {
            let head: PostingHead = (
                r.status,
                r.close_reason,
                r.first_published_at,
                r.region,
                r.category,
            );
            Ok(CountedRecord {
                kind: E::KIND.code(),
                id: r.id,
                title: public_title(r.public_title),
                counted: posting_counted(E::KIND, &head)?,
            })
        })
        .collect()
}

/// `(category, approved title)` of postings of one kind, by id (all of them for `None`).
async fn posting_tags<E: PostingTable>(
    db: &impl ConnectionTrait,
    ids: Option<Vec<i64>>,
) -> StoreResult<HashMap<i64, (String, Option<String>)>> {
    let c = E::cols();
    let q = E::find()
        .select_only()
        .columns([c.id, c.category, c.public_title]);
    let mut rows: Vec<(i64, String, Option<String>)> = Vec::new();
    match ids {
        None => rows = q.into_tuple().all(db).await.map_err(db_err)?,
        Some(mut ids) => {
            ids.sort_unstable();
            ids.dedup();
            for chunk in ids.chunks(1000) {
                let part: Vec<(i64, String, Option<String>)> = q
                    .clone()
                    .filter(c.id.is_in(chunk.to_vec()))
                    .into_tuple()
                    .all(db)
                    .await
                    .map_err(db_err)?;
                rows.extend(part);
            }
        }
    }
    Ok(rows.into_iter().map(|(id, c, t)| (id, (c, t))).collect())
}

async fn deal_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use deals::Column as D;
    let heads = deals::Entity::find()
        .select_only()
        .columns(DEAL_HEAD)
        .filter(Prefilter::condition(
            pre,
            D::ConfirmedAt,
            D::Region,
            D::RegionCity,
            D::RegionProvince,
        ))
        .order_by_asc(D::Id)
        .into_model::<DealHead>()
        .all(db)
        .await
        .map_err(db_err)?;
    // Categories and titles of the subject postings (all of them when reading everything).
    let ids = |f: fn(&DealHead) -> Option<i64>| pre.map(|_| heads.iter().filter_map(f).collect());
    let services = posting_tags::<services::Entity>(db, ids(|h| h.service_id)).await?;
    let needs = posting_tags::<needs::Entity>(db, ids(|h| h.need_id)).await?;
    let achievements = posting_tags::<achievements::Entity>(db, ids(|h| h.achievement_id)).await?;
    let tag = |kind: PostingKind, id: i64| match kind {
        PostingKind::Service => services.get(&id),
        PostingKind::Need => needs.get(&id),
        PostingKind::Achievement => achievements.get(&id),
        PostingKind::Question | PostingKind::Resource => None,
    };
    heads
        .into_iter()
        .map(|h| {
            let source = h.category_source().and_then(|(k, id)| tag(k, id));
            let category = source.map(|(c, _)| category_of(c)).transpose()?;
            Ok(CountedRecord {
                kind: "deal",
                id: h.id,
                title: public_title(source.and_then(|(_, t)| t.clone())),
                counted: h.counted(category)?,
            })
        })
        .collect()
}

async fn tech_worker_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use tech_workers::Column as T;
    let rows: Vec<(i64, i64, String, Option<i64>, String)> = tech_workers::Entity::find()
        .select_only()
        .columns([T::Id, T::UserId, T::Status, T::VerifiedAt, T::Region])
        .filter(Prefilter::condition(
            pre,
            T::VerifiedAt,
            T::Region,
            T::RegionCity,
            T::RegionProvince,
        ))
        .order_by_asc(T::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut user_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let mut names: HashMap<i64, String> = HashMap::new();
    for chunk in user_ids.chunks(500) {
        let found: Vec<(i64, String)> = users::Entity::find()
            .select_only()
            .columns([users::Column::Id, users::Column::DisplayName])
            .filter(users::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        names.extend(found);
    }
    rows.into_iter()
        .map(|(id, user, status, verified, region)| {
            Ok(CountedRecord {
                kind: "tech_worker",
                id,
                title: names.get(&user).cloned().unwrap_or_default(),
                counted: tech_worker_counted(&status, verified, &region)?,
            })
        })
        .collect()
}

async fn org_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use orgs::Column as O;
    let rows: Vec<(i64, String, String, String, Option<i64>, String)> = orgs::Entity::find()
        .select_only()
        .columns([
            O::Id,
            O::Name,
            O::Status,
            O::OrgType,
            O::VerifiedAt,
            O::Region,
        ])
        .filter(Prefilter::condition(
            pre,
            O::VerifiedAt,
            O::Region,
            O::RegionCity,
            O::RegionProvince,
        ))
        .order_by_asc(O::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, name, status, org_type, verified, region)| {
            Ok(CountedRecord {
                kind: "org",
                id,
                title: name,
                counted: org_counted(&status, &org_type, verified, &region)?,
            })
        })
        .collect()
}

/// The columns a question's record needs.
#[derive(sea_orm::FromQueryResult)]
struct QuestionRow {
    id: i64,
    public_title: Option<String>,
    status: String,
    close_reason: Option<String>,
    first_published_at: Option<i64>,
    first_answered_at: Option<i64>,
    region: String,
    category: String,
}

/// Questions, with the prefilter on `at` (the first publication for `questions`, the first
/// answer for `questions_answered`).
async fn question_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
    at: questions::Column,
) -> StoreResult<Vec<CountedRecord>> {
    use questions::Column as Q;
    let rows = questions::Entity::find()
        .select_only()
        .columns([Q::Id, Q::PublicTitle])
        .columns(QUESTION_HEAD)
        .filter(Prefilter::condition(
            pre,
            at,
            Q::Region,
            Q::RegionCity,
            Q::RegionProvince,
        ))
        .order_by_asc(Q::Id)
        .into_model::<QuestionRow>()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|r| {
            let head: QuestionHead = (
                r.status,
                r.close_reason,
                r.first_published_at,
                r.first_answered_at,
                r.region,
                r.category,
            );
            Ok(CountedRecord {
                kind: PostingKind::Question.code(),
                id: r.id,
                title: public_title(r.public_title),
                counted: question_counted(&head)?,
            })
        })
        .collect()
}

/// Every counted record, read through `db` (a transaction, for a consistent rebuild).
pub(super) async fn counted_records(db: &impl ConnectionTrait) -> StoreResult<Vec<CountedRecord>> {
    let mut out = tech_worker_records(db, None).await?;
    out.extend(org_records(db, None).await?);
    out.extend(posting_records::<services::Entity>(db, None).await?);
    out.extend(posting_records::<needs::Entity>(db, None).await?);
    out.extend(posting_records::<achievements::Entity>(db, None).await?);
    out.extend(question_records(db, None, questions::Column::FirstPublishedAt).await?);
    out.extend(posting_records::<entities::resources::Entity>(db, None).await?);
    out.extend(resources::view_day_records(db, None).await?);
    out.extend(deal_records(db, None).await?);
    out.extend(trainings::training_records(db, None).await?);
    out.extend(trainings::session_records(db, None).await?);
    out.extend(volunteer_counted::volunteer_records(db, None).await?);
    out.extend(volunteer_counted::team_records(db, None).await?);
    out.extend(volunteer_counted::activity_records(db, None).await?);
    out.extend(
        contests_counted::entry_records(db, None, entities::contest_entries::Column::SubmittedAt)
            .await?,
    );
    Ok(out)
}

pub(super) async fn metric_records(
    db: &DatabaseConnection,
    metric: Metric,
    range: StatsRange,
) -> StoreResult<Vec<CountedRecord>> {
    let pre = Some(Prefilter::of(&range));
    match metric {
        Metric::ServicesPublished => posting_records::<services::Entity>(db, pre).await,
        Metric::NeedsPublished => posting_records::<needs::Entity>(db, pre).await,
        Metric::AchievementsPublished => posting_records::<achievements::Entity>(db, pre).await,
        Metric::Resources => posting_records::<entities::resources::Entity>(db, pre).await,
        Metric::ResourceViews => resources::view_day_records(db, pre).await,
        Metric::Deals | Metric::DealAmount | Metric::Transfers | Metric::TransferAmount => {
            deal_records(db, pre).await
        }
        Metric::TechWorkers => tech_worker_records(db, pre).await,
        Metric::Agencies
        | Metric::ExpertStations
        | Metric::EnterpriseAssociations
        | Metric::Estations
        | Metric::Bases => org_records(db, pre).await,
        Metric::Questions => question_records(db, pre, questions::Column::FirstPublishedAt).await,
        Metric::QuestionsAnswered => {
            question_records(db, pre, questions::Column::FirstAnsweredAt).await
        }
        Metric::Trainings => trainings::training_records(db, pre).await,
        Metric::TrainingAttendance => trainings::session_records(db, pre).await,
        Metric::Volunteers => volunteer_counted::volunteer_records(db, pre).await,
        Metric::Teams => volunteer_counted::team_records(db, pre).await,
        Metric::Activities
        | Metric::PeopleServed
        | Metric::MaterialsDistributed
        | Metric::ServiceHours => volunteer_counted::activity_records(db, pre).await,
        Metric::ContestEntries => {
            contests_counted::entry_records(db, pre, entities::contest_entries::Column::SubmittedAt)
                .await
        }
        Metric::Awards => {
            contests_counted::entry_records(db, pre, entities::contest_entries::Column::AwardedAt)
                .await
        }
    }
}

#[async_trait]
impl StatsRecordStore for SeaStore {
    async fn counted_records(&self) -> StoreResult<Vec<CountedRecord>> {
        counted_records(&self.reader).await
    }
    async fn metric_records(
        &self,
        metric: Metric,
        range: StatsRange,
    ) -> StoreResult<Vec<CountedRecord>> {
        metric_records(&self.reader, metric, range).await
    }
}
