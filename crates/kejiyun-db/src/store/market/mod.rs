//! The marketplace's storage ([`kejiyun_core::market::ports`]): one file per kind of record,
//! each implementing its port (`PostingStore` in `postings.rs`, …); every public function is
//! one transaction. The helpers here load the display names and posting titles the domain
//! values carry.

pub(super) mod deals;
pub(super) mod inquiries;
mod posting_lifecycle;
pub(super) mod postings;
pub(super) mod quotes;
pub(super) mod tickets;

use std::collections::HashMap;

use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::ports::StoreResult;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect};

use self::postings::PostingTable;
use super::accounts::users_by_ids;
use super::db_err;
use crate::entities::{achievements, needs, questions, resources, services};

/// Display names of users, by id (missing users map to nothing).
pub(super) async fn names(
    db: &impl ConnectionTrait,
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
    db: &impl ConnectionTrait,
    kind: PostingKind,
    ids: impl IntoIterator<Item = i64>,
) -> StoreResult<HashMap<i64, (String, i64)>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    match kind {
        PostingKind::Service => heads_in::<services::Entity>(db, ids).await,
        PostingKind::Need => heads_in::<needs::Entity>(db, ids).await,
        PostingKind::Achievement => heads_in::<achievements::Entity>(db, ids).await,
        PostingKind::Question => heads_in::<questions::Entity>(db, ids).await,
        PostingKind::Resource => heads_in::<resources::Entity>(db, ids).await,
    }
}

async fn heads_in<E: PostingTable>(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> StoreResult<HashMap<i64, (String, i64)>> {
    let c = E::cols();
    let rows: Vec<(i64, String, i64)> = E::find()
        .select_only()
        .columns([c.id, c.title, c.owner])
        .filter(c.id.is_in(ids))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, owner)| (id, (title, owner)))
        .collect())
}
