//! The marketplace's storage ([`kejiyun_core::market::ports`]): one file per kind of record,
//! each implementing its port (`PostingStore` in `postings.rs`, …); every public function is
//! one transaction. The helpers here load the display names and posting titles the domain
//! values carry.

pub(super) mod deals;
pub(super) mod inquiries;
pub(super) mod postings;
pub(super) mod quotes;
pub(super) mod tickets;

use std::collections::HashMap;

use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::ports::StoreResult;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::accounts::users_by_ids;
use super::db_err;
use crate::entities::{achievements, needs, services};

/// Display names of users, by id (missing users map to nothing).
pub(super) async fn names(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = i64>,
) -> StoreResult<HashMap<i64, String>> {
    Ok(users_by_ids(db, ids)
        .await?
        .into_iter()
        .map(|(id, u)| (id, u.display_name))
        .collect())
}

pub(super) fn name_of(names: &HashMap<i64, String>, id: i64) -> String {
    names.get(&id).cloned().unwrap_or_default()
}

/// `(title, owner)` of postings of one kind, by id.
pub(super) async fn posting_heads(
    db: &DatabaseConnection,
    kind: PostingKind,
    ids: impl IntoIterator<Item = i64>,
) -> StoreResult<HashMap<i64, (String, i64)>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String, i64)> = match kind {
        PostingKind::Service => {
            services::Entity::find()
                .select_only()
                .columns([
                    services::Column::Id,
                    services::Column::Title,
                    services::Column::OwnerId,
                ])
                .filter(services::Column::Id.is_in(ids))
                .into_tuple()
                .all(db)
                .await
        }
        PostingKind::Need => {
            needs::Entity::find()
                .select_only()
                .columns([
                    needs::Column::Id,
                    needs::Column::Title,
                    needs::Column::OwnerId,
                ])
                .filter(needs::Column::Id.is_in(ids))
                .into_tuple()
                .all(db)
                .await
        }
        PostingKind::Achievement => {
            achievements::Entity::find()
                .select_only()
                .columns([
                    achievements::Column::Id,
                    achievements::Column::Title,
                    achievements::Column::OwnerId,
                ])
                .filter(achievements::Column::Id.is_in(ids))
                .into_tuple()
                .all(db)
                .await
        }
    }
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, owner)| (id, (title, owner)))
        .collect())
}
