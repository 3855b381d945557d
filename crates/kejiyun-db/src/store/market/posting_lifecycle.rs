//! The posting life cycle by kind chosen at run time: a moderation decision, an owner's
//! submit/close/confirm and the expiry sweep name a `PostingKind` and an id, and each picks the
//! kind's table here ([`PostingLifecycleStore`]); the change itself is the engine's `apply`.

use async_trait::async_trait;
use kejiyun_core::market::ports::{PostingChange, PostingLifecycleStore};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::super::moderation::lost_race;
use super::super::stats::{Counter, Watch};
use super::super::{SeaStore, begin_write, db_err, scope_condition};
use super::postings::{PostingTable, apply};
use crate::entities::{achievements, needs, questions, resources, services};

/// Moves a posting's status, by kind (moderation decisions and expiry come by kind and id).
async fn change_status(
    db: &DatabaseConnection,
    kind: PostingKind,
    id: i64,
    change: PostingChange,
) -> StoreResult<()> {
    match kind {
        PostingKind::Service => status_in::<services::Entity>(db, id, change).await,
        PostingKind::Need => status_in::<needs::Entity>(db, id, change).await,
        PostingKind::Achievement => status_in::<achievements::Entity>(db, id, change).await,
        PostingKind::Question => status_in::<questions::Entity>(db, id, change).await,
        PostingKind::Resource => status_in::<resources::Entity>(db, id, change).await,
    }
}

async fn status_in<E: PostingTable>(
    db: &DatabaseConnection,
    id: i64,
    change: PostingChange,
) -> StoreResult<()> {
    let unchanged = <E::ActiveModel as ActiveModelTrait>::default();
    apply::<E>(db, id, unchanged, false, change).await
}

async fn confirm_in<E: PostingTable>(
    db: &DatabaseConnection,
    id: i64,
    expires_at: Timestamp,
    at: Timestamp,
) -> StoreResult<()>
where
    E::Model: Sync,
{
    let c = E::cols();
    let txn = begin_write(db).await?;
    let watch = Watch::start(&txn, &[Counter::Posting(E::KIND, id)]).await?;
    let res = E::update_many()
        .col_expr(c.expires_at, Expr::value(expires_at.micros()))
        .col_expr(c.updated_at, Expr::value(at.micros()))
        .filter(c.id.eq(id))
        .filter(c.status.eq(ModerationStatus::Published.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        let exists = E::find()
            .filter(c.id.eq(id))
            .count(&txn)
            .await
            .map_err(db_err)?
            > 0;
        return Err(lost_race(exists));
    }
    watch.finish(&txn).await?;
    txn.commit().await.map_err(db_err)
}

async fn confirm(
    db: &DatabaseConnection,
    kind: PostingKind,
    id: i64,
    expires_at: Timestamp,
    at: Timestamp,
) -> StoreResult<()> {
    match kind {
        PostingKind::Service => confirm_in::<services::Entity>(db, id, expires_at, at).await,
        PostingKind::Need => confirm_in::<needs::Entity>(db, id, expires_at, at).await,
        PostingKind::Achievement => {
            confirm_in::<achievements::Entity>(db, id, expires_at, at).await
        }
        PostingKind::Question => confirm_in::<questions::Entity>(db, id, expires_at, at).await,
        PostingKind::Resource => confirm_in::<resources::Entity>(db, id, expires_at, at).await,
    }
}

async fn expired_in<E: PostingTable>(
    db: &DatabaseConnection,
    now: Timestamp,
    limit: u64,
) -> StoreResult<Vec<i64>> {
    let c = E::cols();
    E::find()
        .select_only()
        .column(c.id)
        .filter(c.status.eq(ModerationStatus::Published.as_str()))
        .filter(c.expires_at.lte(now.micros()))
        .order_by_asc(c.expires_at)
        .order_by_asc(c.id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)
}

async fn expired(
    db: &DatabaseConnection,
    kind: PostingKind,
    now: Timestamp,
    limit: u64,
) -> StoreResult<Vec<i64>> {
    match kind {
        PostingKind::Service => expired_in::<services::Entity>(db, now, limit).await,
        PostingKind::Need => expired_in::<needs::Entity>(db, now, limit).await,
        PostingKind::Achievement => expired_in::<achievements::Entity>(db, now, limit).await,
        PostingKind::Question => expired_in::<questions::Entity>(db, now, limit).await,
        PostingKind::Resource => expired_in::<resources::Entity>(db, now, limit).await,
    }
}

async fn count_expiring_in<E: PostingTable>(
    db: &DatabaseConnection,
    scope: &RegionScope,
    after: Timestamp,
    until: Timestamp,
) -> StoreResult<u64> {
    let c = E::cols();
    E::find()
        .filter(c.status.eq(ModerationStatus::Published.as_str()))
        .filter(c.expires_at.gt(after.micros()))
        .filter(c.expires_at.lte(until.micros()))
        .filter(scope_condition(scope, c.region, c.city, c.province))
        .count(db)
        .await
        .map_err(db_err)
}

#[async_trait]
impl PostingLifecycleStore for SeaStore {
    async fn change_posting_status(
        &self,
        kind: PostingKind,
        id: i64,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(change_status(&self.db, kind, id, change.clone()))
    }
    async fn confirm_posting(
        &self,
        kind: PostingKind,
        id: i64,
        expires_at: Timestamp,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(confirm(&self.db, kind, id, expires_at, at))
    }
    async fn expired_postings(
        &self,
        kind: PostingKind,
        now: Timestamp,
        limit: u64,
    ) -> StoreResult<Vec<i64>> {
        expired(&self.db, kind, now, limit).await
    }
    async fn count_expiring(
        &self,
        kind: PostingKind,
        scope: &RegionScope,
        after: Timestamp,
        until: Timestamp,
    ) -> StoreResult<u64> {
        let db = &self.reader;
        match kind {
            PostingKind::Service => {
                count_expiring_in::<services::Entity>(db, scope, after, until).await
            }
            PostingKind::Need => count_expiring_in::<needs::Entity>(db, scope, after, until).await,
            PostingKind::Achievement => {
                count_expiring_in::<achievements::Entity>(db, scope, after, until).await
            }
            PostingKind::Question => {
                count_expiring_in::<questions::Entity>(db, scope, after, until).await
            }
            PostingKind::Resource => {
                count_expiring_in::<resources::Entity>(db, scope, after, until).await
            }
        }
    }
}
