use async_trait::async_trait;
use kejiyun_core::audit::chain::{StoredTexts, entry_hash};
use kejiyun_core::audit::ports::AuditStore;
use kejiyun_core::audit::{AuditEntry, AuditRecord};
use kejiyun_core::ids::{AuditId, UserId};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::SeaStore;
use super::accounts::users_by_ids;
use super::{begin_read, corrupt, db_err, paged, parse_region, region_parts, scope_condition};
use crate::entities::{audit_head, audit_log};

/// Writes one audit entry, chained: in the caller's transaction, the one-row `audit_head` is
/// locked (`FOR UPDATE` on PostgreSQL and MySQL; SQLite's `BEGIN IMMEDIATE` already lets one
/// writer in at a time), the entry is hashed onto the head's last hash with the next sequence
/// number, and the head moves to it. Two transactions writing entries at once therefore take
/// turns on the head and never chain onto the same predecessor; a rolled-back one leaves the
/// head as it was. The hash covers the sequence number, not the auto-increment id, which is
/// only known after the insert (and the row cannot be updated afterwards).
pub(crate) async fn insert<C: ConnectionTrait>(txn: &C, r: &AuditRecord) -> StoreResult<()> {
    let head = audit_head::Entity::find_by_id(1)
        .lock_exclusive()
        .one(txn)
        .await
        .map_err(db_err)?
        .ok_or_else(|| corrupt("audit head", "missing"))?;
    let seq = head.last_seq + 1;
    let texts = StoredTexts::of(r);
    let hash = entry_hash(&head.last_hash, &texts.fields(r, seq));
    let parts = r.region.map(region_parts);
    audit_log::Entity::insert(audit_log::ActiveModel {
        at: Set(r.at.micros()),
        actor_user_id: Set(r.actor.map(|a| a.0)),
        action: Set(r.action.clone()),
        target_kind: Set(r.target_kind.clone()),
        target_id: Set(r.target_id.clone()),
        region: Set(texts.region.clone()),
        region_city: Set(parts.as_ref().and_then(|p| p.1.clone())),
        region_province: Set(parts.as_ref().map(|p| p.2.clone())),
        before_json: Set(texts.before.clone()),
        after_json: Set(texts.after.clone()),
        seq: Set(Some(seq)),
        prev_hash: Set(Some(head.last_hash)),
        hash: Set(Some(hash.clone())),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await
    .map_err(db_err)?;
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::LastSeq, Expr::value(seq))
        .col_expr(audit_head::Column::LastHash, Expr::value(hash))
        .filter(audit_head::Column::Id.eq(1))
        .exec(txn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(super) async fn list(
    db: &DatabaseConnection,
    scope: &RegionScope,
    page: Page,
) -> StoreResult<Paged<AuditEntry>> {
    // The total, the page and the names they refer to are read from one snapshot.
    let txn = begin_read(db).await?;
    let q = audit_log::Entity::find().filter(scope_condition(
        scope,
        audit_log::Column::Region,
        audit_log::Column::RegionCity,
        audit_log::Column::RegionProvince,
    ));
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(audit_log::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let names = users_by_ids(&txn, rows.iter().filter_map(|r| r.actor_user_id)).await?;
    let parse_json = |s: Option<String>| -> StoreResult<Option<serde_json::Value>> {
        s.map(|s| serde_json::from_str(&s).map_err(|_| corrupt("audit json", &s)))
            .transpose()
    };
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(AuditEntry {
            id: AuditId(r.id),
            actor_name: r
                .actor_user_id
                .and_then(|a| names.get(&a))
                .map(|u| u.display_name.clone()),
            record: AuditRecord {
                actor: r.actor_user_id.map(UserId),
                at: Timestamp(r.at),
                action: r.action,
                target_kind: r.target_kind,
                target_id: r.target_id,
                region: r.region.as_deref().map(parse_region).transpose()?,
                before: parse_json(r.before_json)?,
                after: parse_json(r.after_json)?,
            },
        });
    }
    txn.commit().await.map_err(db_err)?;
    Ok(paged(items, total, page))
}

#[async_trait]
impl AuditStore for SeaStore {
    async fn list_audit(&self, scope: &RegionScope, page: Page) -> StoreResult<Paged<AuditEntry>> {
        list(&self.reader, scope, page).await
    }
}
