//! The verifiable profiles' storage, written once over [`StoredProfile`]: every kind's table
//! has the same life-cycle columns (owner, status, reject reason, times, the three region
//! columns), so creation, status changes and the directory run the same statements on each;
//! a kind's file (`orgs.rs`, `tech_workers.rs`) brings its columns and row mapping.

use std::future::Future;

use async_trait::async_trait;
use kejiyun_core::ids::UserId;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::moderation::ports::StatusChange;
use kejiyun_core::notifications;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::profiles::ProfileKind;
use kejiyun_core::profiles::ports::{ProfileFilter, ProfileStore};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, PrimaryKeyTrait, QueryFilter, Value,
};

use super::SeaStore;
use super::moderation::{after_change, audit_change, lost_race};
use super::notifications as inbox;
use super::sealing::Sealing;
use super::stats::{Counter, Watch};
use super::{begin_read, begin_write, db_err, newest_first, paged, scope_condition};

/// The life-cycle columns every profile table has.
struct Cols<C> {
    id: C,
    owner: C,
    status: C,
    reject_reason: C,
    created_at: C,
    updated_at: C,
    verified_at: C,
    region: C,
    city: C,
    province: C,
}

impl<C: ColumnTrait> Cols<C> {
    /// The columns of `K`'s table: its owner column, and the others by the names every
    /// profile table gives them (the schema the engine relies on).
    fn of<K: StoredProfile<Entity: EntityTrait<Column = C>>>() -> StoreResult<Self> {
        let col = |name: &str| {
            C::from_str(name).map_err(|_| {
                StoreError::Backend(format!("{} has no column {name}", K::KIND.as_str()))
            })
        };
        Ok(Self {
            id: col("id")?,
            owner: K::OWNER,
            status: col("status")?,
            reject_reason: col("reject_reason")?,
            created_at: col("created_at")?,
            updated_at: col("updated_at")?,
            verified_at: col("verified_at")?,
            region: col("region")?,
            city: col("region_city")?,
            province: col("region_province")?,
        })
    }
}

pub(crate) type Row<K> = <<K as StoredProfile>::Entity as EntityTrait>::Model;
type Columns<K> = <<K as StoredProfile>::Entity as EntityTrait>::ActiveModel;

/// What a kind of verifiable profile adds to the shared storage.
pub(crate) trait StoredProfile: ProfileKind {
    type Entity: EntityTrait<
            PrimaryKey: PrimaryKeyTrait<ValueType = i64>,
            Model: Send + Sync,
            ActiveModel: Send,
        >;

    /// The column of the user who submitted the record.
    const OWNER: <Self::Entity as EntityTrait>::Column;
    /// The record's key in the served statistics.
    const COUNTER: fn(i64) -> Counter;
    /// The profile columns of a row, for inserts and updates alike (personal data sealed).
    fn profile_columns(profile: &Self::Profile, sealing: &Sealing) -> StoreResult<Columns<Self>>;
    /// The records of rows (with what they show from other tables, such as the owner's name).
    fn records<C: ConnectionTrait>(
        conn: &C,
        sealing: &Sealing,
        rows: Vec<Row<Self>>,
    ) -> impl Future<Output = StoreResult<Vec<Self>>> + Send;
    /// A value no other record of the kind may hold (a tech worker's ID-card number, by its
    /// blind index): its column, the value, and what the user is told when another holds it.
    fn exclusive(
        _profile: &Self::Profile,
        _sealing: &Sealing,
    ) -> StoreResult<Option<Exclusive<Self>>> {
        Ok(None)
    }
    /// The directory's condition for the kind's own filter, if it narrows anything.
    fn own_condition(filter: &Self::Filter) -> Option<Condition>;
    /// The directory's condition for a search term over the kind's texts.
    fn matching<C: ConnectionTrait>(
        db: &C,
        term: &str,
    ) -> impl Future<Output = StoreResult<Condition>> + Send;
    /// What an insert refused by a unique index tells the user.
    fn duplicate(e: StoreError) -> StoreError {
        e
    }
}

/// A value no two records of a kind may hold: its column, the value, what the user is told.
pub(crate) struct Exclusive<K: StoredProfile> {
    pub column: <K::Entity as EntityTrait>::Column,
    pub value: String,
    pub message: &'static str,
}

/// One record, read through `conn` (the store, or a write's own transaction).
async fn record<K: StoredProfile, C: ConnectionTrait>(
    conn: &C,
    sealing: &Sealing,
    id: i64,
) -> StoreResult<Option<K>> {
    let rows = K::Entity::find_by_id(id).all(conn).await.map_err(db_err)?;
    Ok(K::records(conn, sealing, rows).await?.pop())
}

/// Refuses a profile whose exclusive value another record of its kind holds already.
async fn check_exclusive<K: StoredProfile, C: ConnectionTrait>(
    txn: &C,
    sealing: &Sealing,
    profile: &K::Profile,
    id: Option<i64>,
) -> StoreResult<()> {
    let Some(Exclusive {
        column,
        value,
        message,
    }) = K::exclusive(profile, sealing)?
    else {
        return Ok(());
    };
    let c = Cols::of::<K>()?;
    let mut q = K::Entity::find().filter(column.eq(value));
    if let Some(id) = id {
        q = q.filter(c.id.ne(id));
    }
    if q.count(txn).await.map_err(db_err)? > 0 {
        return Err(StoreError::Conflict(message.into()));
    }
    Ok(())
}

pub(super) async fn create<K: StoredProfile>(
    db: &DatabaseConnection,
    sealing: &Sealing,
    owner: UserId,
    profile: &K::Profile,
    status: ModerationStatus,
    at: Timestamp,
) -> StoreResult<K::Id> {
    let c = Cols::of::<K>()?;
    let mut row = K::profile_columns(profile, sealing)?;
    for (col, value) in [
        (c.owner, Value::from(owner.0)),
        (c.status, Value::from(status.as_str())),
        (c.reject_reason, Value::from(None::<String>)),
        (c.created_at, Value::from(at.micros())),
        (c.updated_at, Value::from(at.micros())),
        (c.verified_at, Value::from(None::<i64>)),
    ] {
        row.try_set(col, value).map_err(db_err)?;
    }
    let txn = begin_write(db).await?;
    check_exclusive::<K, _>(&txn, sealing, profile, None).await?;
    let id = K::Entity::insert(row)
        .exec(&txn)
        .await
        .map_err(|e| K::duplicate(db_err(e)))?
        .last_insert_id;
    Watch::created((K::COUNTER)(id)).finish(&txn).await?;
    // The queue shows the record as it reads back (a tech worker by the owner's name).
    let created = record::<K, _>(&txn, sealing, id)
        .await?
        .ok_or_else(|| StoreError::Backend(format!("{} {id} vanished", K::KIND.as_str())))?;
    after_change(
        &txn,
        K::KIND,
        id,
        created.label(),
        K::region_of(profile),
        status,
        at,
    )
    .await?;
    txn.commit().await.map_err(db_err)?;
    Ok(K::Id::from(id))
}

/// Moves a record's status (and replaces its profile when `row` sets columns), only if it
/// still has `change.from`; the statistics, queue, outbox, audit entry and the owner's
/// notification follow in the same transaction.
async fn apply<K: StoredProfile>(
    db: &DatabaseConnection,
    sealing: &Sealing,
    id: i64,
    profile: Option<&K::Profile>,
    change: StatusChange,
) -> StoreResult<()> {
    let row = match profile {
        Some(p) => K::profile_columns(p, sealing)?,
        None => Columns::<K>::default(),
    };
    let c = Cols::of::<K>()?;
    let reject = (change.to == ModerationStatus::Rejected)
        .then(|| change.reason.clone())
        .flatten();
    let mut update = K::Entity::update_many()
        .set(row)
        .col_expr(c.status, Expr::value(change.to.as_str()))
        .col_expr(c.updated_at, Expr::value(change.at.micros()))
        .col_expr(c.reject_reason, Expr::value(reject));
    if change.to == ModerationStatus::Published {
        // Verified once: a re-approval after an edit keeps the first verification date, so
        // past figures stay put.
        update = update.col_expr(
            c.verified_at,
            Func::coalesce([Expr::col(c.verified_at), Expr::val(change.at.micros())]).into(),
        );
    }
    let txn = begin_write(db).await?;
    if let Some(p) = profile {
        check_exclusive::<K, _>(&txn, sealing, p, Some(id)).await?;
    }
    let watch = Watch::start(&txn, &[(K::COUNTER)(id)]).await?;
    let res = update
        .filter(c.id.eq(id))
        .filter(c.status.eq(change.from.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let Some(current) = record::<K, _>(&txn, sealing, id).await? else {
        return Err(lost_race(false));
    };
    if res.rows_affected == 0 {
        return Err(lost_race(true));
    }
    watch.finish(&txn).await?;
    after_change(
        &txn,
        K::KIND,
        id,
        current.label(),
        K::region_of(current.profile()),
        change.to,
        change.at,
    )
    .await?;
    audit_change(&txn, &change).await?;
    // A moderation decision tells the owner, in the decision's transaction.
    let decided = notifications::profile_decision(
        current.owner(),
        &current.notice_ref(),
        change.from,
        change.to,
        change.reason.as_deref(),
        change.at,
    );
    inbox::insert(&txn, decided.into_iter().collect()).await?;
    txn.commit().await.map_err(db_err)
}

/// A moderation decision: the status alone moves.
pub(super) async fn change_status<K: StoredProfile>(
    db: &DatabaseConnection,
    sealing: &Sealing,
    id: i64,
    change: StatusChange,
) -> StoreResult<()> {
    apply::<K>(db, sealing, id, None, change).await
}

async fn list<K: StoredProfile>(
    db: &DatabaseConnection,
    sealing: &Sealing,
    filter: &ProfileFilter<K::Filter>,
    page: Page,
) -> StoreResult<Paged<K>> {
    // The total, the page and the names they show are read from one snapshot.
    let txn = begin_read(db).await?;
    let c = Cols::of::<K>()?;
    let mut q =
        K::Entity::find().filter(scope_condition(&filter.scope, c.region, c.city, c.province));
    if let Some(s) = filter.status {
        q = q.filter(c.status.eq(s.as_str()));
    }
    if let Some(own) = K::own_condition(&filter.own) {
        q = q.filter(own);
    }
    if let Some(term) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        q = q.filter(K::matching(&txn, term).await?);
    }
    let (rows, total) = newest_first(&txn, q, c.updated_at, c.id, page).await?;
    let records = K::records(&txn, sealing, rows).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(paged(records, total, page))
}

#[async_trait]
impl<K: StoredProfile> ProfileStore<K> for SeaStore {
    async fn create_profile(
        &self,
        owner: UserId,
        profile: &K::Profile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<K::Id> {
        retry!(create::<K>(
            &self.db,
            &self.sealing,
            owner,
            profile,
            status,
            at
        ))
    }
    async fn find_profile(&self, id: K::Id) -> StoreResult<Option<K>> {
        record(&self.reader, &self.sealing, id.into()).await
    }
    async fn edit_profile(
        &self,
        id: K::Id,
        profile: &K::Profile,
        change: StatusChange,
    ) -> StoreResult<()> {
        retry!(apply::<K>(
            &self.db,
            &self.sealing,
            id.into(),
            Some(profile),
            change.clone()
        ))
    }
    async fn list_profiles(
        &self,
        filter: &ProfileFilter<K::Filter>,
        page: Page,
    ) -> StoreResult<Paged<K>> {
        list(&self.reader, &self.sealing, filter, page).await
    }
}
