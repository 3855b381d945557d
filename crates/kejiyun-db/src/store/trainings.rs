//! Trainings (培训): [`TrainingStore`] over `trainings`, `training_sessions`,
//! `training_enrolments` and `training_attendance`, and their counted snapshots (a training
//! counts in `trainings`, a session's present people in `training_attendance`).
//!
//! Capacity under concurrency: enrolment moves `enrolled` with one conditional update
//! (`enrolled + n <= capacity`) in the transaction that inserts the enrolments; of two
//! requests for the last place, the second's update finds the row changed (PostgreSQL
//! re-evaluates the condition after the first commits, MySQL's update reads the latest row,
//! SQLite has one writer) and touches nothing. The unique index on (training, user) stops a
//! double enrolment that races past the first check.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::ids::{OrgId, TrainingId, TrainingSessionId, UserId};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::stats::Counted;
use kejiyun_core::stats::ports::CountedRecord;
use kejiyun_core::time::Timestamp;
use kejiyun_core::trainings::ports::{NewTraining, SessionKey, TrainingFilter, TrainingStore};
use kejiyun_core::trainings::{CheckIn, Enrolment, RollEntry, Session, Training, TrainingKind};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::market::{name_of, names};
use super::stats::{Counter, Watch};
use super::stats_served::Prefilter;
use super::{
    SeaStore, begin_read, begin_write, corrupt, db_err, paged, parse_region, region_parts,
    scope_condition,
};
use crate::entities::{training_attendance, training_enrolments, training_sessions, trainings};

fn full() -> StoreError {
    StoreError::Conflict("培训名额已满".into())
}

fn already() -> StoreError {
    StoreError::Conflict("已报名此培训，无需重复报名".into())
}

fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

async fn create(db: &DatabaseConnection, t: &NewTraining) -> StoreResult<TrainingId> {
    let d = &t.draft;
    let starts_at = d
        .starts_at()
        .ok_or_else(|| StoreError::Conflict("培训没有场次".into()))?;
    if t.secrets.len() != d.sessions.len() {
        return Err(StoreError::Backend(
            "one check-in secret per session".into(),
        ));
    }
    let (region, city, province) = region_parts(d.region);
    let txn = begin_write(db).await?;
    let id = trainings::Entity::insert(trainings::ActiveModel {
        kind: Set(d.kind.code().to_owned()),
        title: Set(d.title.clone()),
        region: Set(region.clone()),
        region_city: Set(city.clone()),
        region_province: Set(province.clone()),
        org_id: Set(d.org.map(|o| o.0)),
        place: Set(d.place.clone()),
        online_url: Set(d.online_url.clone()),
        capacity: Set(i32::try_from(d.capacity).unwrap_or(i32::MAX)),
        enrolled: Set(0),
        audience: Set(d.audience.clone()),
        starts_at: Set(starts_at.micros()),
        created_by: Set(t.created_by.0),
        created_at: Set(t.at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    let sessions = d
        .sessions
        .iter()
        .zip(&t.secrets)
        .enumerate()
        .map(|(i, (s, secret))| training_sessions::ActiveModel {
            training_id: Set(id),
            seq: Set(i16::try_from(i + 1).unwrap_or(i16::MAX)),
            starts_at: Set(s.starts_at.micros()),
            ends_at: Set(s.ends_at.micros()),
            region: Set(region.clone()),
            region_city: Set(city.clone()),
            region_province: Set(province.clone()),
            checkin_secret: Set(secret.clone()),
            ..Default::default()
        });
    training_sessions::Entity::insert_many(sessions)
        .exec(&txn)
        .await
        .map_err(db_err)?;
    // A new session has nobody present: only the training itself counts.
    Watch::created(Counter::Training(id)).finish(&txn).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(TrainingId(id))
}

/// The `(key, value)` rows `q` selects for `ids`, as a map; the ids go in bounded `IN` lists.
async fn id_map<E, V, C>(
    db: &C,
    q: sea_orm::Select<E>,
    key: E::Column,
    ids: &[i64],
) -> StoreResult<HashMap<i64, V>>
where
    E: EntityTrait,
    C: ConnectionTrait,
    (i64, V): sea_orm::TryGetableMany,
{
    let mut out = HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<(i64, V)> = q
            .clone()
            .filter(key.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Present people per session, for `sessions`.
async fn present_counts<C: ConnectionTrait>(
    db: &C,
    sessions: &[i64],
) -> StoreResult<HashMap<i64, i64>> {
    use training_attendance::Column as A;
    let q = training_attendance::Entity::find()
        .select_only()
        .column(A::SessionId)
        .column_as(Expr::from(Func::count(Expr::col(A::UserId))), "n")
        .group_by(A::SessionId);
    id_map(db, q, A::SessionId, sessions).await
}

/// Trainings as the domain has them, with their sessions and present counts.
async fn to_trainings<C: ConnectionTrait>(
    db: &C,
    rows: Vec<trainings::Model>,
) -> StoreResult<Vec<Training>> {
    use training_sessions::Column as S;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let sessions = if ids.is_empty() {
        Vec::new()
    } else {
        training_sessions::Entity::find()
            .filter(S::TrainingId.is_in(ids))
            .order_by_asc(S::TrainingId)
            .order_by_asc(S::Seq)
            .all(db)
            .await
            .map_err(db_err)?
    };
    let session_ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let present = present_counts(db, &session_ids).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Training {
                id: TrainingId(r.id),
                kind: TrainingKind::parse(&r.kind)
                    .map_err(|_| corrupt("training kind", &r.kind))?,
                region: parse_region(&r.region)?,
                org: r.org_id.map(OrgId),
                capacity: count(r.capacity),
                enrolled: count(r.enrolled),
                created_by: UserId(r.created_by),
                created_at: Timestamp(r.created_at),
                sessions: sessions
                    .iter()
                    .filter(|s| s.training_id == r.id)
                    .map(|s| Session {
                        id: TrainingSessionId(s.id),
                        seq: u32::try_from(s.seq).unwrap_or(0),
                        starts_at: Timestamp(s.starts_at),
                        ends_at: Timestamp(s.ends_at),
                        present: u32::try_from(present.get(&s.id).copied().unwrap_or(0))
                            .unwrap_or(0),
                    })
                    .collect(),
                title: r.title,
                place: r.place,
                online_url: r.online_url,
                audience: r.audience,
            })
        })
        .collect()
}

async fn one(db: &DatabaseConnection, id: TrainingId) -> StoreResult<Option<Training>> {
    let txn = begin_read(db).await?;
    let rows = trainings::Entity::find_by_id(id.0)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let out = to_trainings(&txn, rows).await?.pop();
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

async fn list(
    db: &DatabaseConnection,
    f: &TrainingFilter,
    page: Page,
) -> StoreResult<Paged<Training>> {
    use trainings::Column as T;
    let mut q = trainings::Entity::find().filter(scope_condition(
        &f.scope,
        T::Region,
        T::RegionCity,
        T::RegionProvince,
    ));
    if let Some(user) = f.enrolled {
        let mine: Vec<i64> = training_enrolments::Entity::find()
            .select_only()
            .column(training_enrolments::Column::TrainingId)
            .filter(training_enrolments::Column::UserId.eq(user.0))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        q = q.filter(T::Id.is_in(mine));
    }
    let txn = begin_read(db).await?;
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(T::StartsAt)
        .order_by_desc(T::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let items = to_trainings(&txn, rows).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(paged(items, total, page))
}

async fn enrol(
    db: &DatabaseConnection,
    training: TrainingId,
    users: &[UserId],
    at: Timestamp,
) -> StoreResult<()> {
    use training_enrolments::Column as E;
    use trainings::Column as T;
    let Ok(n) = i32::try_from(users.len()) else {
        return Err(full());
    };
    let txn = begin_write(db).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
    let enrolled = training_enrolments::Entity::find()
        .filter(E::TrainingId.eq(training.0))
        .filter(E::UserId.is_in(ids))
        .count(&txn)
        .await
        .map_err(db_err)?;
    if enrolled > 0 {
        return Err(already());
    }
    let res = trainings::Entity::update_many()
        .col_expr(T::Enrolled, Expr::col(T::Enrolled).add(n))
        .filter(T::Id.eq(training.0))
        .filter(Expr::col(T::Enrolled).add(n).lte(Expr::col(T::Capacity)))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        let exists = trainings::Entity::find_by_id(training.0)
            .count(&txn)
            .await
            .map_err(db_err)?;
        return Err(if exists > 0 {
            full()
        } else {
            StoreError::NotFound
        });
    }
    let rows = users.iter().map(|u| training_enrolments::ActiveModel {
        training_id: Set(training.0),
        user_id: Set(u.0),
        enrolled_at: Set(at.micros()),
        ..Default::default()
    });
    match training_enrolments::Entity::insert_many(rows)
        .exec(&txn)
        .await
    {
        Ok(_) => {}
        // Enrolled by a concurrent request after the check above.
        Err(e) => {
            return Err(match db_err(e) {
                StoreError::Conflict(_) => already(),
                other => other,
            });
        }
    }
    txn.commit().await.map_err(db_err)
}

async fn enrolments(db: &DatabaseConnection, training: TrainingId) -> StoreResult<Vec<Enrolment>> {
    use training_enrolments::Column as E;
    let txn = begin_read(db).await?;
    let rows = training_enrolments::Entity::find()
        .filter(E::TrainingId.eq(training.0))
        .order_by_asc(E::Id)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let names = names(&txn, rows.iter().map(|r| r.user_id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| Enrolment {
            user: UserId(r.user_id),
            name: name_of(&names, r.user_id),
            enrolled_at: Timestamp(r.enrolled_at),
        })
        .collect())
}

async fn session_row<C: ConnectionTrait>(
    db: &C,
    session: TrainingSessionId,
) -> StoreResult<training_sessions::Model> {
    training_sessions::Entity::find_by_id(session.0)
        .one(db)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)
}

async fn enrolled<C: ConnectionTrait>(
    db: &C,
    training: TrainingId,
    user: UserId,
) -> StoreResult<bool> {
    use training_enrolments::Column as E;
    let n = training_enrolments::Entity::find()
        .filter(E::TrainingId.eq(training.0))
        .filter(E::UserId.eq(user.0))
        .count(db)
        .await
        .map_err(db_err)?;
    Ok(n > 0)
}

async fn set_attendance(
    db: &DatabaseConnection,
    session: TrainingSessionId,
    user: UserId,
    check_in: Option<CheckIn>,
    at: Timestamp,
) -> StoreResult<bool> {
    use training_attendance::Column as A;
    let txn = begin_write(db).await?;
    // Locks the session row first: two check-ins at one session take turns.
    let watch = Watch::start(&txn, &[Counter::TrainingSession(session.0)]).await?;
    let s = session_row(&txn, session).await?;
    if !enrolled(&txn, TrainingId(s.training_id), user).await? {
        return Err(StoreError::Conflict(
            "该用户未报名此培训，不能记入签到".into(),
        ));
    }
    let here = training_attendance::Entity::find()
        .filter(A::SessionId.eq(session.0))
        .filter(A::UserId.eq(user.0))
        .count(&txn)
        .await
        .map_err(db_err)?
        > 0;
    let changed = match (check_in, here) {
        (Some(how), false) => {
            training_attendance::Entity::insert(training_attendance::ActiveModel {
                session_id: Set(session.0),
                user_id: Set(user.0),
                training_id: Set(s.training_id),
                method: Set(how.as_str().to_owned()),
                checked_in_at: Set(at.micros()),
            })
            .exec(&txn)
            .await
            .map_err(db_err)?;
            true
        }
        (None, true) => {
            training_attendance::Entity::delete_many()
                .filter(A::SessionId.eq(session.0))
                .filter(A::UserId.eq(user.0))
                .exec(&txn)
                .await
                .map_err(db_err)?;
            true
        }
        _ => false,
    };
    watch.finish(&txn).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(changed)
}

async fn roll(db: &DatabaseConnection, session: TrainingSessionId) -> StoreResult<Vec<RollEntry>> {
    use training_attendance::Column as A;
    let txn = begin_read(db).await?;
    let s = session_row(&txn, session).await?;
    let enrolled = training_enrolments::Entity::find()
        .filter(training_enrolments::Column::TrainingId.eq(s.training_id))
        .order_by_asc(training_enrolments::Column::Id)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let present: HashMap<i64, String> = training_attendance::Entity::find()
        .select_only()
        .columns([A::UserId, A::Method])
        .filter(A::SessionId.eq(session.0))
        .into_tuple::<(i64, String)>()
        .all(&txn)
        .await
        .map_err(db_err)?
        .into_iter()
        .collect();
    let names = names(&txn, enrolled.iter().map(|r| r.user_id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(enrolled
        .into_iter()
        .map(|r| RollEntry {
            user: UserId(r.user_id),
            name: name_of(&names, r.user_id),
            check_in: present.get(&r.user_id).and_then(|m| CheckIn::parse(m)),
        })
        .collect())
}

#[async_trait]
impl TrainingStore for SeaStore {
    async fn create_training(&self, t: &NewTraining) -> StoreResult<TrainingId> {
        retry!(create(&self.db, t))
    }
    async fn training(&self, id: TrainingId) -> StoreResult<Option<Training>> {
        one(&self.db, id).await
    }
    async fn trainings(&self, filter: &TrainingFilter, page: Page) -> StoreResult<Paged<Training>> {
        list(&self.db, filter, page).await
    }
    async fn enrol(
        &self,
        training: TrainingId,
        users: &[UserId],
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(enrol(&self.db, training, users, at))
    }
    async fn enrolments(&self, training: TrainingId) -> StoreResult<Vec<Enrolment>> {
        enrolments(&self.db, training).await
    }
    async fn is_enrolled(&self, training: TrainingId, user: UserId) -> StoreResult<bool> {
        enrolled(&self.db, training, user).await
    }
    async fn sessions_attended(&self, training: TrainingId, user: UserId) -> StoreResult<u32> {
        use training_attendance::Column as A;
        let n = training_attendance::Entity::find()
            .filter(A::TrainingId.eq(training.0))
            .filter(A::UserId.eq(user.0))
            .count(&self.db)
            .await
            .map_err(db_err)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
    async fn session_key(&self, session: TrainingSessionId) -> StoreResult<Option<SessionKey>> {
        let s = training_sessions::Entity::find_by_id(session.0)
            .one(&self.db)
            .await
            .map_err(db_err)?;
        Ok(s.map(|s| SessionKey {
            training: TrainingId(s.training_id),
            secret: s.checkin_secret,
        }))
    }
    async fn set_attendance(
        &self,
        session: TrainingSessionId,
        user: UserId,
        check_in: Option<CheckIn>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        retry!(set_attendance(&self.db, session, user, check_in, at))
    }
    async fn roll(&self, session: TrainingSessionId) -> StoreResult<Vec<RollEntry>> {
        roll(&self.db, session).await
    }
}

// ---- counted snapshots and records --------------------------------------------------------

/// The start and region of one row of `E` (`cols`: its id, start and region columns), locked:
/// a snapshot cannot go stale before the change.
async fn locked_start<E: EntityTrait, C: ConnectionTrait>(
    txn: &C,
    id: i64,
    [id_col, start, region]: [E::Column; 3],
) -> StoreResult<Option<(Timestamp, kejiyun_core::regions::RegionCode)>> {
    let row: Option<(i64, String)> = E::find()
        .select_only()
        .columns([start, region])
        .filter(id_col.eq(id))
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    row.map(|(at, r)| Ok((Timestamp(at), parse_region(&r)?)))
        .transpose()
}

/// A training's snapshot, its row locked.
pub(crate) async fn counted_training<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    use trainings::Column as T;
    let head =
        locked_start::<trainings::Entity, C>(txn, id, [T::Id, T::StartsAt, T::Region]).await?;
    Ok(head.map(|(starts_at, region)| Counted::Training { starts_at, region }))
}

/// A session's snapshot: its row locked, then its present people (read with a lock too, so
/// MySQL's snapshot cannot hide a committed check-in; an aggregate cannot be locked, hence
/// the rows).
pub(crate) async fn counted_session<C: ConnectionTrait>(
    txn: &C,
    id: i64,
) -> StoreResult<Option<Counted>> {
    use training_attendance::Column as A;
    use training_sessions::Column as S;
    let head =
        locked_start::<training_sessions::Entity, C>(txn, id, [S::Id, S::StartsAt, S::Region])
            .await?;
    let Some((starts_at, region)) = head else {
        return Ok(None);
    };
    let present: Vec<i64> = training_attendance::Entity::find()
        .select_only()
        .column(A::UserId)
        .filter(A::SessionId.eq(id))
        .lock_exclusive()
        .into_tuple()
        .all(txn)
        .await
        .map_err(db_err)?;
    Ok(Some(Counted::TrainingSession {
        starts_at,
        region,
        present: i64::try_from(present.len()).unwrap_or(i64::MAX),
    }))
}

/// Trainings as counted records (prefiltered on their start).
pub(super) async fn training_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use trainings::Column as T;
    let rows: Vec<(i64, String, i64, String)> = trainings::Entity::find()
        .select_only()
        .columns([T::Id, T::Title, T::StartsAt, T::Region])
        .filter(Prefilter::condition(
            pre,
            T::StartsAt,
            T::Region,
            T::RegionCity,
            T::RegionProvince,
        ))
        .order_by_asc(T::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, title, starts_at, region)| {
            Ok(CountedRecord {
                kind: "training",
                id,
                title,
                counted: Counted::Training {
                    starts_at: Timestamp(starts_at),
                    region: parse_region(&region)?,
                },
            })
        })
        .collect()
}

/// Sessions with people present, as counted records (prefiltered on their start); the title
/// is the training's with the session's number.
pub(super) async fn session_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use training_sessions::Column as S;
    let rows: Vec<(i64, i64, i16, i64, String)> = training_sessions::Entity::find()
        .select_only()
        .columns([S::Id, S::TrainingId, S::Seq, S::StartsAt, S::Region])
        .filter(Prefilter::condition(
            pre,
            S::StartsAt,
            S::Region,
            S::RegionCity,
            S::RegionProvince,
        ))
        .order_by_asc(S::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let present = present_counts(db, &ids).await?;
    let mut training_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    training_ids.sort_unstable();
    training_ids.dedup();
    let titles: HashMap<i64, String> = id_map(
        db,
        trainings::Entity::find()
            .select_only()
            .columns([trainings::Column::Id, trainings::Column::Title]),
        trainings::Column::Id,
        &training_ids,
    )
    .await?;
    rows.into_iter()
        .filter_map(|(id, training, seq, starts_at, region)| {
            let n = present.get(&id).copied().unwrap_or(0);
            (n > 0).then(|| {
                Ok(CountedRecord {
                    kind: "training_session",
                    id,
                    title: format!("{}（第 {seq} 场）", name_of(&titles, training)),
                    counted: Counted::TrainingSession {
                        starts_at: Timestamp(starts_at),
                        region: parse_region(&region)?,
                        present: n,
                    },
                })
            })
        })
        .collect()
}
