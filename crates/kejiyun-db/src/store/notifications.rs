//! The inbox ([`NotificationStore`]). `insert` is also called by the market store inside the
//! transaction of the change a notification describes.

use async_trait::async_trait;
use kejiyun_core::ids::UserId;
use kejiyun_core::market::deals::DealSubject;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::notifications::ports::NotificationStore;
use kejiyun_core::notifications::{
    NewNotification, Notification, NotificationKind, NotificationPreference, ReadSelection,
};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{SeaStore, begin_read, begin_write, corrupt, db_err, paged};
use crate::entities::{
    achievements, needs, notification_preferences as prefs, notifications as rows, questions,
    resources, services, users,
};

/// Writes notifications inside the caller's transaction.
pub(crate) async fn insert<C: ConnectionTrait>(
    txn: &C,
    items: Vec<NewNotification>,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    rows::Entity::insert_many(items.into_iter().map(|n| rows::ActiveModel {
        recipient_id: Set(n.recipient.0),
        kind: Set(n.kind.code().to_owned()),
        title: Set(n.title),
        body: Set(n.body),
        link: Set(n.link),
        created_at: Set(n.at.micros()),
        read_at: Set(None),
        delivered_at: Set(None),
        ..Default::default()
    }))
    .exec_without_returning(txn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// A user's display name, read inside the caller's transaction (for notification texts).
pub(crate) async fn user_name<C: ConnectionTrait>(txn: &C, id: UserId) -> StoreResult<String> {
    let name: Option<String> = users::Entity::find_by_id(id.0)
        .select_only()
        .column(users::Column::DisplayName)
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    Ok(name.unwrap_or_default())
}

/// `(title, owner)` of a posting, inside the caller's transaction.
pub(crate) async fn posting_head<C: ConnectionTrait>(
    txn: &C,
    kind: PostingKind,
    id: i64,
) -> StoreResult<Option<(String, i64)>> {
    macro_rules! head {
        ($e:ident) => {
            $e::Entity::find_by_id(id)
                .select_only()
                .column($e::Column::Title)
                .column($e::Column::OwnerId)
                .into_tuple()
                .one(txn)
                .await
        };
    }
    match kind {
        PostingKind::Service => head!(services),
        PostingKind::Need => head!(needs),
        PostingKind::Achievement => head!(achievements),
        PostingKind::Question => head!(questions),
        PostingKind::Resource => head!(resources),
    }
    .map_err(db_err)
}

/// The title a deal is known by: its need's, else its service's, else its achievement's.
pub(crate) async fn deal_title<C: ConnectionTrait>(
    txn: &C,
    subject: &DealSubject,
) -> StoreResult<String> {
    let candidates = [
        (PostingKind::Need, subject.need.map(|n| n.0)),
        (PostingKind::Service, subject.service.map(|s| s.0)),
        (PostingKind::Achievement, subject.achievement.map(|a| a.0)),
    ];
    for (kind, id) in candidates {
        if let Some(id) = id
            && let Some((title, _)) = posting_head(txn, kind, id).await?
        {
            return Ok(title);
        }
    }
    Ok(String::new())
}

fn to_domain(r: rows::Model) -> StoreResult<Notification> {
    Ok(Notification {
        id: r.id,
        recipient: UserId(r.recipient_id),
        kind: NotificationKind::parse(&r.kind)
            .ok_or_else(|| corrupt("notification kind", &r.kind))?,
        title: r.title,
        body: r.body,
        link: r.link,
        created_at: Timestamp(r.created_at),
        read_at: r.read_at.map(Timestamp),
    })
}

fn preference_of(raw: &str) -> StoreResult<NotificationPreference> {
    NotificationPreference::parse(raw).map_err(|_| corrupt("notification preference", raw))
}

async fn notify(db: &DatabaseConnection, items: Vec<NewNotification>) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    insert(&txn, items).await?;
    txn.commit().await.map_err(db_err)
}

async fn inbox(
    db: &DatabaseConnection,
    user: UserId,
    unread_only: bool,
    page: Page,
) -> StoreResult<Paged<Notification>> {
    // The total, the page and the names they refer to are read from one snapshot.
    let txn = begin_read(db).await?;
    let mut q = rows::Entity::find().filter(rows::Column::RecipientId.eq(user.0));
    if unread_only {
        q = q.filter(rows::Column::ReadAt.is_null());
    }
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let items = q
        .order_by_desc(rows::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(to_domain)
        .collect::<StoreResult<Vec<_>>>()?;
    txn.commit().await.map_err(db_err)?;
    Ok(paged(items, total, page))
}

async fn unread_count(db: &DatabaseConnection, user: UserId) -> StoreResult<u64> {
    rows::Entity::find()
        .filter(rows::Column::RecipientId.eq(user.0))
        .filter(rows::Column::ReadAt.is_null())
        .count(db)
        .await
        .map_err(db_err)
}

async fn mark_read(
    db: &DatabaseConnection,
    user: UserId,
    which: &ReadSelection,
    at: Timestamp,
) -> StoreResult<u64> {
    let txn = begin_write(db).await?;
    let mut update = rows::Entity::update_many()
        .col_expr(rows::Column::ReadAt, Expr::value(at.micros()))
        .filter(rows::Column::RecipientId.eq(user.0))
        .filter(rows::Column::ReadAt.is_null());
    if let ReadSelection::Ids(ids) = which {
        // Someone else's id is "not found", exactly like an id that does not exist.
        let own = rows::Entity::find()
            .filter(rows::Column::RecipientId.eq(user.0))
            .filter(rows::Column::Id.is_in(ids.iter().copied()))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if own != ids.len() as u64 {
            return Err(StoreError::NotFound);
        }
        update = update.filter(rows::Column::Id.is_in(ids.iter().copied()));
    }
    let changed = update.exec(&txn).await.map_err(db_err)?.rows_affected;
    txn.commit().await.map_err(db_err)?;
    Ok(changed)
}

async fn preference(
    db: &DatabaseConnection,
    user: UserId,
) -> StoreResult<Option<NotificationPreference>> {
    prefs::Entity::find_by_id(user.0)
        .one(db)
        .await
        .map_err(db_err)?
        .map(|p| preference_of(&p.preference))
        .transpose()
}

async fn set_preference(
    db: &DatabaseConnection,
    user: UserId,
    preference: NotificationPreference,
    at: Timestamp,
) -> StoreResult<()> {
    prefs::Entity::insert(prefs::ActiveModel {
        user_id: Set(user.0),
        preference: Set(preference.code().to_owned()),
        updated_at: Set(at.micros()),
    })
    .on_conflict(
        OnConflict::column(prefs::Column::UserId)
            .update_columns([prefs::Column::Preference, prefs::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn undelivered_recipients(
    db: &DatabaseConnection,
    after: Option<UserId>,
    limit: u64,
) -> StoreResult<Vec<(UserId, Option<NotificationPreference>)>> {
    let mut q = rows::Entity::find()
        .select_only()
        .column(rows::Column::RecipientId)
        .distinct()
        .filter(rows::Column::DeliveredAt.is_null());
    if let Some(a) = after {
        q = q.filter(rows::Column::RecipientId.gt(a.0));
    }
    let users: Vec<i64> = q
        .order_by_asc(rows::Column::RecipientId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let chosen: std::collections::HashMap<i64, String> = prefs::Entity::find()
        .filter(prefs::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|p| (p.user_id, p.preference))
        .collect();
    users
        .into_iter()
        .map(|u| {
            let p = chosen.get(&u).map(|raw| preference_of(raw)).transpose()?;
            Ok((UserId(u), p))
        })
        .collect()
}

async fn undelivered(
    db: &DatabaseConnection,
    user: UserId,
    limit: u64,
) -> StoreResult<Vec<Notification>> {
    rows::Entity::find()
        .filter(rows::Column::RecipientId.eq(user.0))
        .filter(rows::Column::DeliveredAt.is_null())
        .order_by_asc(rows::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(to_domain)
        .collect()
}

async fn mark_delivered(db: &DatabaseConnection, ids: &[i64], at: Timestamp) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    rows::Entity::update_many()
        .col_expr(rows::Column::DeliveredAt, Expr::value(at.micros()))
        .filter(rows::Column::Id.is_in(ids.iter().copied()))
        .filter(rows::Column::DeliveredAt.is_null())
        .exec(db)
        .await
        .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl NotificationStore for SeaStore {
    async fn notify(&self, items: Vec<NewNotification>) -> StoreResult<()> {
        retry!(notify(&self.db, items.clone()))
    }
    async fn inbox(
        &self,
        user: UserId,
        unread_only: bool,
        page: Page,
    ) -> StoreResult<Paged<Notification>> {
        inbox(&self.reader, user, unread_only, page).await
    }
    async fn unread_count(&self, user: UserId) -> StoreResult<u64> {
        // The header's badge, on every page of a logged-in user; a notice comes with a write.
        self.cache
            .get_or_load(format!("unread|{}", user.0), || {
                unread_count(&self.reader, user)
            })
            .await
    }
    async fn mark_read(
        &self,
        user: UserId,
        which: &ReadSelection,
        at: Timestamp,
    ) -> StoreResult<u64> {
        retry!(mark_read(&self.db, user, which, at))
    }
    async fn preference(&self, user: UserId) -> StoreResult<Option<NotificationPreference>> {
        preference(&self.reader, user).await
    }
    async fn set_preference(
        &self,
        user: UserId,
        preference: NotificationPreference,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(set_preference(&self.db, user, preference, at))
    }
    async fn undelivered_recipients(
        &self,
        after: Option<UserId>,
        limit: u64,
    ) -> StoreResult<Vec<(UserId, Option<NotificationPreference>)>> {
        undelivered_recipients(&self.db, after, limit).await
    }
    async fn undelivered(&self, user: UserId, limit: u64) -> StoreResult<Vec<Notification>> {
        undelivered(&self.db, user, limit).await
    }
    async fn mark_delivered(&self, ids: &[i64], at: Timestamp) -> StoreResult<()> {
        retry!(mark_delivered(&self.db, ids, at))
    }
}
