//! [`SearchFeed`] for the search index: the outbox in id order and the current searchable
//! form of each published record (services, needs, achievements, tech workers, orgs,
//! questions), with
//! the owner's confirmed deals as the provider's record.

use async_trait::async_trait;
use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::search_ports::{DocKind, OutboxEntry, SearchDocument, SearchFeed, StoredVector};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{SeaStore, begin_write, corrupt, db_err, parse_region};
use crate::entities::{
    achievements, deals, needs, orgs, outbox, outbox_horizon, questions, resources, search_vectors,
    services, tech_workers, users,
};

const PUBLISHED: &str = "published";

fn category(raw: &str) -> Option<Category> {
    Category::parse(raw).ok()
}

fn json_list(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

fn published_at(first: Option<i64>, fallback: i64) -> Timestamp {
    Timestamp(first.unwrap_or(fallback))
}

/// Confirmed deals in which `user` was the provider.
async fn provider_deals(db: &DatabaseConnection, user: i64) -> StoreResult<u32> {
    let n = deals::Entity::find()
        .filter(deals::Column::ProviderId.eq(user))
        .filter(deals::Column::Status.eq("confirmed"))
        .count(db)
        .await
        .map_err(db_err)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

async fn service_doc(db: &DatabaseConnection, m: services::Model) -> StoreResult<SearchDocument> {
    Ok(SearchDocument {
        kind: DocKind::Service,
        id: m.id,
        body: m.description,
        tags: json_list(&m.tags),
        category: category(&m.category),
        region: parse_region(&m.region)?,
        scope: Some(Scope::parse(&m.scope).map_err(|_| corrupt("scope", &m.scope))?),
        owner: Some(m.owner_id),
        owner_deals: provider_deals(db, m.owner_id).await?,
        published_at: published_at(m.first_published_at, m.updated_at),
        title: m.title,
    })
}

fn need_doc(m: needs::Model) -> StoreResult<SearchDocument> {
    let mut body = m.problem;
    for extra in [m.current_practice, m.target].into_iter().flatten() {
        body.push('\n');
        body.push_str(&extra);
    }
    Ok(SearchDocument {
        kind: DocKind::Need,
        id: m.id,
        body,
        tags: Vec::new(),
        category: category(&m.category),
        region: parse_region(&m.region)?,
        scope: None,
        owner: Some(m.owner_id),
        owner_deals: 0,
        published_at: published_at(m.first_published_at, m.updated_at),
        title: m.title,
    })
}

async fn achievement_doc(
    db: &DatabaseConnection,
    m: achievements::Model,
) -> StoreResult<SearchDocument> {
    Ok(SearchDocument {
        kind: DocKind::Achievement,
        id: m.id,
        body: format!("{}\n{}", m.summary, m.holders),
        tags: Vec::new(),
        category: category(&m.category),
        region: parse_region(&m.region)?,
        scope: None,
        owner: Some(m.owner_id),
        owner_deals: provider_deals(db, m.owner_id).await?,
        published_at: published_at(m.first_published_at, m.updated_at),
        title: m.title,
    })
}

async fn tech_worker_doc(
    db: &DatabaseConnection,
    m: tech_workers::Model,
) -> StoreResult<SearchDocument> {
    let name = users::Entity::find_by_id(m.user_id)
        .select_only()
        .column(users::Column::DisplayName)
        .into_tuple::<String>()
        .one(db)
        .await
        .map_err(db_err)?
        .unwrap_or_default();
    let title = match &m.title {
        Some(t) => format!("{name}（{t}）"),
        None => name,
    };
    let mut tags = vec![m.field.clone()];
    tags.extend(json_list(&m.expertise));
    let body = [Some(m.employer.clone()), m.bio.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    Ok(SearchDocument {
        kind: DocKind::TechWorker,
        id: m.id,
        title,
        body,
        tags,
        category: None,
        region: parse_region(&m.region)?,
        scope: None,
        owner: Some(m.user_id),
        owner_deals: provider_deals(db, m.user_id).await?,
        published_at: Timestamp(m.verified_at.unwrap_or(m.updated_at)),
    })
}

fn org_doc(m: orgs::Model) -> StoreResult<SearchDocument> {
    Ok(SearchDocument {
        kind: DocKind::Org,
        id: m.id,
        body: [m.description, m.address]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n"),
        tags: Vec::new(),
        category: None,
        region: parse_region(&m.region)?,
        scope: None,
        owner: Some(m.admin_user_id),
        owner_deals: 0,
        published_at: Timestamp(m.verified_at.unwrap_or(m.updated_at)),
        title: m.name,
    })
}

/// A question asks, like a need: its title and text, in the asker's region.
fn question_doc(m: questions::Model) -> StoreResult<SearchDocument> {
    Ok(SearchDocument {
        kind: DocKind::Question,
        id: m.id,
        body: m.body,
        tags: Vec::new(),
        category: category(&m.category),
        region: parse_region(&m.region)?,
        scope: None,
        owner: Some(m.owner_id),
        owner_deals: 0,
        published_at: published_at(m.first_published_at, m.updated_at),
        title: m.title,
    })
}

/// A resource offers knowledge: its title, summary and article text, and its tags.
fn resource_doc(m: resources::Model) -> StoreResult<SearchDocument> {
    let tags: Vec<String> = serde_json::from_str(&m.tags).unwrap_or_default();
    let article = kejiyun_core::popsci::ResourceDraft::text_of(&m.body);
    Ok(SearchDocument {
        kind: DocKind::Resource,
        id: m.id,
        body: [m.summary.as_str(), article.as_str()]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n"),
        tags,
        category: category(&m.category),
        region: parse_region(&m.region)?,
        scope: None,
        owner: Some(m.owner_id),
        owner_deals: 0,
        published_at: published_at(m.first_published_at, m.updated_at),
        title: m.title,
    })
}

/// Published rows of one table with `id > after`, at most `limit`, in id order.
macro_rules! published_page {
    ($db:expr, $entity:ident, $after:expr, $limit:expr) => {
        $entity::Entity::find()
            .filter($entity::Column::Status.eq(PUBLISHED))
            .filter($entity::Column::Id.gt($after))
            .order_by_asc($entity::Column::Id)
            .limit($limit)
            .all($db)
            .await
            .map_err(db_err)?
    };
}

async fn documents(
    db: &DatabaseConnection,
    kind: DocKind,
    after: i64,
    limit: u64,
) -> StoreResult<Vec<SearchDocument>> {
    let mut out = Vec::new();
    match kind {
        DocKind::Service => {
            for m in published_page!(db, services, after, limit) {
                out.push(service_doc(db, m).await?);
            }
        }
        DocKind::Need => {
            for m in published_page!(db, needs, after, limit) {
                out.push(need_doc(m)?);
            }
        }
        DocKind::Achievement => {
            for m in published_page!(db, achievements, after, limit) {
                out.push(achievement_doc(db, m).await?);
            }
        }
        DocKind::TechWorker => {
            for m in published_page!(db, tech_workers, after, limit) {
                out.push(tech_worker_doc(db, m).await?);
            }
        }
        DocKind::Org => {
            for m in published_page!(db, orgs, after, limit) {
                out.push(org_doc(m)?);
            }
        }
        DocKind::Question => {
            for m in published_page!(db, questions, after, limit) {
                out.push(question_doc(m)?);
            }
        }
        DocKind::Resource => {
            for m in published_page!(db, resources, after, limit) {
                out.push(resource_doc(m)?);
            }
        }
    }
    Ok(out)
}

/// The highest outbox id pruned (`lock`: for update, in a pruning transaction).
async fn horizon<C: ConnectionTrait>(db: &C, lock: bool) -> StoreResult<i64> {
    let mut q = outbox_horizon::Entity::find()
        .select_only()
        .column(outbox_horizon::Column::PrunedThrough)
        .filter(outbox_horizon::Column::Id.eq(1));
    if lock {
        q = q.lock_exclusive();
    }
    let through: Option<i64> = q.into_tuple().one(db).await.map_err(db_err)?;
    through.ok_or_else(|| corrupt("outbox_horizon", "its row is missing"))
}

/// A stored embedding row as the index takes it. The hash is stored as the i64 with the same
/// bits (every backend has a signed BIGINT, none an unsigned one).
fn stored_vector(m: search_vectors::Model) -> StoreResult<StoredVector> {
    if m.vector.len() != kejiyun_core::search_ports::EMBEDDING_DIM {
        return Err(corrupt(
            "search_vectors.vector",
            &m.vector.len().to_string(),
        ));
    }
    Ok(StoredVector {
        text_hash: u64::from_ne_bytes(m.text_hash.to_ne_bytes()),
        scale: m.scale as f32,
        values: m
            .vector
            .into_iter()
            .map(|b| i8::from_ne_bytes([b]))
            .collect(),
    })
}

#[async_trait]
impl SearchFeed for SeaStore {
    async fn outbox_after(&self, after: i64, limit: u64) -> StoreResult<Vec<OutboxEntry>> {
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Id.gt(after))
            .order_by_asc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxEntry {
                id: r.id,
                kind: r.kind,
                item_id: r.item_id,
                op: r.op,
                at: Timestamp(r.at),
            })
            .collect())
    }

    async fn outbox_head(&self) -> StoreResult<i64> {
        let head: Option<i64> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Id)
            .order_by_desc(outbox::Column::Id)
            .limit(1)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(db_err)?;
        Ok(head.unwrap_or(0).max(self.outbox_horizon().await?))
    }

    async fn outbox_horizon(&self) -> StoreResult<i64> {
        horizon(&self.db, false).await
    }

    async fn prune_outbox(&self, before: Timestamp) -> StoreResult<u64> {
        let txn = begin_write(&self.db).await?;
        // The horizon row is locked first: two servers pruning at once take turns.
        let through = horizon(&txn, true).await?;
        let newest_old: Option<i64> = outbox::Entity::find()
            .select_only()
            .column_as(outbox::Column::Id.max(), "newest")
            .filter(outbox::Column::At.lt(before.0))
            .into_tuple()
            .one(&txn)
            .await
            .map_err(db_err)?
            .flatten();
        let Some(newest_old) = newest_old.filter(|n| *n > through) else {
            return Ok(0);
        };
        let deleted = outbox::Entity::delete_many()
            .filter(outbox::Column::Id.lte(newest_old))
            .exec(&txn)
            .await
            .map_err(db_err)?
            .rows_affected;
        outbox_horizon::Entity::update_many()
            .col_expr(outbox_horizon::Column::PrunedThrough, newest_old.into())
            .filter(outbox_horizon::Column::Id.eq(1))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        txn.commit().await.map_err(db_err)?;
        Ok(deleted)
    }

    async fn search_document(&self, kind: DocKind, id: i64) -> StoreResult<Option<SearchDocument>> {
        Ok(documents(&self.db, kind, id - 1, 1)
            .await?
            .into_iter()
            .find(|d| d.id == id))
    }

    async fn stored_vector(&self, kind: DocKind, id: i64) -> StoreResult<Option<StoredVector>> {
        search_vectors::Entity::find_by_id((kind.as_str().to_owned(), id))
            .one(&self.db)
            .await
            .map_err(db_err)?
            .map(stored_vector)
            .transpose()
    }

    async fn stored_vectors(
        &self,
        kind: DocKind,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<(i64, StoredVector)>> {
        search_vectors::Entity::find()
            .filter(search_vectors::Column::Kind.eq(kind.as_str()))
            .filter(search_vectors::Column::RecordId.gt(after))
            .order_by_asc(search_vectors::Column::RecordId)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|m| Ok((m.record_id, stored_vector(m)?)))
            .collect()
    }

    async fn store_vector(&self, kind: DocKind, id: i64, vector: &StoredVector) -> StoreResult<()> {
        let row = search_vectors::ActiveModel {
            kind: Set(kind.as_str().to_owned()),
            record_id: Set(id),
            text_hash: Set(i64::from_ne_bytes(vector.text_hash.to_ne_bytes())),
            scale: Set(f64::from(vector.scale)),
            vector: Set(vector.values.iter().map(|v| v.to_ne_bytes()[0]).collect()),
        };
        search_vectors::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    search_vectors::Column::Kind,
                    search_vectors::Column::RecordId,
                ])
                .update_columns([
                    search_vectors::Column::TextHash,
                    search_vectors::Column::Scale,
                    search_vectors::Column::Vector,
                ])
                .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn documents_of_deal(&self, deal_id: i64) -> StoreResult<Vec<(DocKind, i64)>> {
        let Some(provider) = deals::Entity::find_by_id(deal_id)
            .select_only()
            .column(deals::Column::ProviderId)
            .into_tuple::<i64>()
            .one(&self.db)
            .await
            .map_err(db_err)?
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let ids = |rows: Vec<i64>, kind: DocKind| rows.into_iter().map(move |id| (kind, id));
        macro_rules! owned {
            ($entity:ident, $owner:ident) => {
                $entity::Entity::find()
                    .select_only()
                    .column($entity::Column::Id)
                    .filter($entity::Column::$owner.eq(provider))
                    .filter($entity::Column::Status.eq(PUBLISHED))
                    .into_tuple::<i64>()
                    .all(&self.db)
                    .await
                    .map_err(db_err)?
            };
        }
        out.extend(ids(owned!(services, OwnerId), DocKind::Service));
        out.extend(ids(owned!(achievements, OwnerId), DocKind::Achievement));
        out.extend(ids(owned!(tech_workers, UserId), DocKind::TechWorker));
        Ok(out)
    }

    async fn published_documents(
        &self,
        kind: DocKind,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<SearchDocument>> {
        documents(&self.db, kind, after, limit).await
    }
}
