use async_trait::async_trait;
use kejiyun_core::accounts::Role;
use kejiyun_core::ids::UserId;
use kejiyun_core::moderation::ports::{ModerationStore, StatusChange};
use kejiyun_core::moderation::{ModerationKind, ModerationStatus, QueueItem};
use kejiyun_core::notifications;
use kejiyun_core::orgs::Org;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::tech_workers::TechWorker;
use kejiyun_core::time::Timestamp;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{
    SeaStore, audit, begin_read, corrupt, db_err, paged, parse_region, profiles, region_parts,
    scope_condition,
};
use crate::entities::{moderation_queue, outbox, user_grants};

/// Keeps the queue and the outbox in step with a moderated record's new status; runs inside
/// the transaction that changed the record.
pub(super) async fn after_change<C: ConnectionTrait>(
    txn: &C,
    kind: ModerationKind,
    id: i64,
    title: &str,
    region: RegionCode,
    status: ModerationStatus,
    at: Timestamp,
) -> StoreResult<()> {
    // Find the row first and delete it by primary key: a DELETE by (kind, item) of a row that
    // is not there gap-locks the unique index on MySQL, and two such transactions inserting
    // into the same gap deadlock. The record's own row lock serialises changes of one item.
    let queued: Vec<i64> = moderation_queue::Entity::find()
        .select_only()
        .column(moderation_queue::Column::Id)
        .filter(moderation_queue::Column::Kind.eq(kind.as_str()))
        .filter(moderation_queue::Column::ItemId.eq(id))
        .into_tuple()
        .all(txn)
        .await
        .map_err(db_err)?;
    if !queued.is_empty() {
        moderation_queue::Entity::delete_many()
            .filter(moderation_queue::Column::Id.is_in(queued))
            .exec(txn)
            .await
            .map_err(db_err)?;
    }
    if status == ModerationStatus::Pending {
        let (r, city, province) = region_parts(region);
        moderation_queue::Entity::insert(moderation_queue::ActiveModel {
            kind: Set(kind.as_str().to_owned()),
            item_id: Set(id),
            title: Set(title.chars().take(200).collect()),
            region: Set(r),
            region_city: Set(city),
            region_province: Set(province),
            submitted_at: Set(at.micros()),
            ..Default::default()
        })
        .exec(txn)
        .await
        .map_err(db_err)?;
        tell_admins(txn, kind, title, region, at).await?;
    }
    // Search indexes published records only: anything else is a removal for them.
    let op = if status == ModerationStatus::Published {
        "upsert"
    } else {
        "delete"
    };
    outbox::Entity::insert(outbox::ActiveModel {
        at: Set(at.micros()),
        kind: Set(kind.as_str().to_owned()),
        item_id: Set(id),
        op: Set(op.to_owned()),
        ..Default::default()
    })
    .exec(txn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The admins nearest to `region` hear of the new queue item, in the same transaction.
async fn tell_admins<C: ConnectionTrait>(
    txn: &C,
    kind: ModerationKind,
    title: &str,
    region: RegionCode,
    at: Timestamp,
) -> StoreResult<()> {
    let mut levels = vec![region.to_string()];
    let mut up = region.parent();
    while let Some(code) = up {
        levels.push(code.to_string());
        up = code.parent();
    }
    let rows: Vec<(i64, Option<String>)> = user_grants::Entity::find()
        .select_only()
        .column(user_grants::Column::UserId)
        .column(user_grants::Column::Region)
        .filter(user_grants::Column::Role.eq(Role::RegionAdmin.as_str()))
        .filter(user_grants::Column::Region.is_in(levels))
        .into_tuple()
        .all(txn)
        .await
        .map_err(db_err)?;
    let admins: Vec<(UserId, RegionCode)> = rows
        .into_iter()
        .filter_map(|(user, r)| Some((UserId(user), RegionCode::parse(&r?).ok()?)))
        .collect();
    let items = notifications::nearest_admins(region, &admins)
        .into_iter()
        .map(|admin| notifications::pending_review(admin, kind, title, at))
        .collect();
    super::notifications::insert(txn, items).await
}

/// Writes the audit entry of a status change, if it carries one.
pub(super) async fn audit_change<C: ConnectionTrait>(
    txn: &C,
    change: &StatusChange,
) -> StoreResult<()> {
    if let Some(record) = &change.audit {
        audit::insert(txn, record).await?;
    }
    Ok(())
}

/// After a conditional update touched no row: the record is gone, or its status moved.
pub(super) fn lost_race(exists: bool) -> StoreError {
    if exists {
        StoreError::Conflict("记录状态已变化，请刷新后重试".into())
    } else {
        StoreError::NotFound
    }
}

pub(super) async fn queue(
    db: &DatabaseConnection,
    scope: &RegionScope,
    kind: Option<ModerationKind>,
    page: Page,
) -> StoreResult<Paged<QueueItem>> {
    // The total, the page and the names they refer to are read from one snapshot.
    let txn = begin_read(db).await?;
    let mut q = moderation_queue::Entity::find().filter(scope_condition(
        scope,
        moderation_queue::Column::Region,
        moderation_queue::Column::RegionCity,
        moderation_queue::Column::RegionProvince,
    ));
    if let Some(k) = kind {
        q = q.filter(moderation_queue::Column::Kind.eq(k.as_str()));
    }
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = q
        .order_by_asc(moderation_queue::Column::SubmittedAt)
        .order_by_asc(moderation_queue::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(QueueItem {
            kind: ModerationKind::parse(&r.kind).map_err(|_| corrupt("queue kind", &r.kind))?,
            item_id: r.item_id,
            title: r.title,
            region: parse_region(&r.region)?,
            submitted_at: Timestamp(r.submitted_at),
        });
    }
    txn.commit().await.map_err(db_err)?;
    Ok(paged(items, total, page))
}

#[async_trait]
impl ModerationStore for SeaStore {
    async fn moderation_queue(
        &self,
        scope: &RegionScope,
        kind: Option<ModerationKind>,
        page: Page,
    ) -> StoreResult<Paged<QueueItem>> {
        queue(&self.reader, scope, kind, page).await
    }
    async fn change_status(
        &self,
        kind: ModerationKind,
        id: i64,
        change: StatusChange,
    ) -> StoreResult<()> {
        match kind {
            ModerationKind::TechWorker => {
                retry!(profiles::change_status::<TechWorker>(
                    &self.db,
                    &self.sealing,
                    id,
                    change.clone()
                ))
            }
            ModerationKind::Org => {
                retry!(profiles::change_status::<Org>(
                    &self.db,
                    &self.sealing,
                    id,
                    change.clone()
                ))
            }
            ModerationKind::Service
            | ModerationKind::Need
            | ModerationKind::Achievement
            | ModerationKind::Question
            | ModerationKind::Resource => Err(StoreError::Backend(
                "postings are moderated through PostingStore::change_posting_status".into(),
            )),
        }
    }
}
