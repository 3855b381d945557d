//! Popular-science resources (科普资源): the `resources` table as a posting table of the
//! engine ([`PostingTable`]: `PostingStore<ResourceDraft>` is then the generic one), and
//! [`ResourceStore`]: the counted views, written in batches — each resource's total, its row
//! of the day in `resource_view_days`, and the `resource_views` figure, in one transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use kejiyun_core::ids::{OrgId, PostingId, ResourceId};
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::postings::{Posting, PostingKind};
use kejiyun_core::popsci::ports::ResourceStore;
use kejiyun_core::popsci::views::ViewDelta;
use kejiyun_core::popsci::{ResourceDraft, ResourceKind};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::stats::ports::CountedRecord;
use kejiyun_core::stats::{Cell, Counted, contributions};
use kejiyun_core::time::Timestamp;
use kejiyun_core::uploads::UploadId;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::market::postings::{PostingTable, StoredPosting, meta as posting_meta};
use super::stats::category_of;
use super::stats_served::Prefilter;
use super::{SeaStore, begin_write, corrupt, db_err, parse_region, region_parts};
use crate::entities::{resource_view_days, resources};

impl PostingTable for resources::Entity {
    const KIND: PostingKind = PostingKind::Resource;
    const TEXT: resources::Column = resources::Column::Summary;
    const ORG: Option<resources::Column> = Some(resources::Column::OrgId);
    const RESOURCE_KIND: Option<resources::Column> = Some(resources::Column::ResourceKind);
    const VIEWS: Option<resources::Column> = Some(resources::Column::Views);
    type Draft = ResourceDraft;

    fn content(d: &ResourceDraft) -> resources::ActiveModel {
        let (region, city, province) = region_parts(d.region);
        resources::ActiveModel {
            org_id: Set(d.org.map(|o| o.0)),
            resource_kind: Set(d.kind.code().to_owned()),
            title: Set(d.title.clone()),
            summary: Set(d.summary.clone()),
            body: Set(d.body.clone()),
            category: Set(d.category.code().to_owned()),
            tags: Set(serde_json::to_string(&d.tags).unwrap_or_else(|_| "[]".into())),
            cover_upload_id: Set(d.cover.as_ref().map(|u| u.as_str().to_owned())),
            media_upload_id: Set(d.media.as_ref().map(|u| u.as_str().to_owned())),
            region: Set(region),
            region_city: Set(city),
            region_province: Set(province),
            ..Default::default()
        }
    }

    fn to_posting(
        m: resources::Model,
        names: &HashMap<i64, String>,
    ) -> StoreResult<Posting<ResourceDraft>> {
        let meta = posting_meta::<resources::Entity>(&m, m.org_id.map(OrgId), names)?;
        let upload = |raw: &Option<String>| {
            raw.as_deref()
                .map(|s| UploadId::parse(s).ok_or_else(|| corrupt("upload id", s)))
                .transpose()
        };
        let tags: Vec<String> =
            serde_json::from_str(&m.tags).map_err(|_| corrupt("tags", &m.tags))?;
        Ok(Posting {
            id: PostingId::new(m.id),
            meta,
            draft: ResourceDraft {
                kind: ResourceKind::parse(&m.resource_kind)
                    .map_err(|_| corrupt("resource kind", &m.resource_kind))?,
                category: Category::parse(&m.category)
                    .map_err(|_| corrupt("category", &m.category))?,
                region: parse_region(&m.region)?,
                org: m.org_id.map(OrgId),
                cover: upload(&m.cover_upload_id)?,
                media: upload(&m.media_upload_id)?,
                title: m.title,
                summary: m.summary,
                body_text: ResourceDraft::text_of(&m.body),
                body: m.body,
                tags,
            },
        })
    }
}

impl StoredPosting for ResourceDraft {
    type Table = resources::Entity;
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn parse_day(raw: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| corrupt("view day", raw))
}

/// The counted views of one day row.
fn view_day_counted(m: &resource_view_days::Model) -> StoreResult<Counted> {
    Ok(Counted::ResourceViews {
        day: parse_day(&m.day)?,
        region: parse_region(&m.region)?,
        category: category_of(&m.category)?,
        views: m.views,
    })
}

/// Writes one batch of counted views (see [`ResourceStore::add_resource_views`]). A day row
/// keeps the region and category of its first view, so the figure it adds to never moves.
async fn add_views(db: &DatabaseConnection, deltas: &[ViewDelta]) -> StoreResult<()> {
    use resource_view_days::Column as V;
    use resources::Column as R;
    let txn = begin_write(db).await?;
    let mut cells: Vec<(Cell, i64)> = Vec::new();
    // In resource order (`take` sorts them), so two servers flushing lock rows alike.
    for d in deltas.iter().filter(|d| d.views > 0) {
        let head: Option<(String, Option<String>, String, String)> = resources::Entity::find()
            .select_only()
            .columns([R::Region, R::RegionCity, R::RegionProvince, R::Category])
            .filter(R::Id.eq(d.resource))
            .lock_exclusive()
            .into_tuple()
            .one(&txn)
            .await
            .map_err(db_err)?;
        // A resource deleted since its views were counted: nothing to add them to.
        let Some((region, city, province, category)) = head else {
            continue;
        };
        let day = day_text(d.day);
        resource_view_days::Entity::insert(resource_view_days::ActiveModel {
            resource_id: Set(d.resource),
            day: Set(day.clone()),
            views: Set(0),
            region: Set(region),
            region_city: Set(city),
            region_province: Set(province),
            category: Set(category),
            counted_at: Set(Timestamp::shanghai_midnight(d.day).micros()),
        })
        .on_conflict(
            OnConflict::columns([V::ResourceId, V::Day])
                .do_nothing_on([V::Views])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        resource_view_days::Entity::update_many()
            .col_expr(V::Views, Expr::col(V::Views).add(d.views))
            .filter(V::ResourceId.eq(d.resource))
            .filter(V::Day.eq(day.clone()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        resources::Entity::update_many()
            .col_expr(R::Views, Expr::col(R::Views).add(d.views))
            .filter(R::Id.eq(d.resource))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        let row = resource_view_days::Entity::find_by_id((d.resource, day.clone()))
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| corrupt("view day", &day))?;
        // What this batch adds: the day row's cell, by this batch's views.
        if let Counted::ResourceViews {
            day,
            region,
            category,
            ..
        } = view_day_counted(&row)?
        {
            cells.extend(contributions(&Counted::ResourceViews {
                day,
                region,
                category,
                views: d.views,
            }));
        }
    }
    super::stats_series::apply_delta(&txn, &cells).await?;
    txn.commit().await.map_err(db_err)
}

/// The day rows of counted views, as counted records (`resource_views`), with the prefilter
/// on the day's first counted view.
pub(super) async fn view_day_records(
    db: &impl ConnectionTrait,
    pre: Option<Prefilter>,
) -> StoreResult<Vec<CountedRecord>> {
    use resource_view_days::Column as V;
    let rows = resource_view_days::Entity::find()
        .filter(Prefilter::condition(
            pre,
            V::CountedAt,
            V::Region,
            V::RegionCity,
            V::RegionProvince,
        ))
        .order_by_asc(V::ResourceId)
        .order_by_asc(V::Day)
        .all(db)
        .await
        .map_err(db_err)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.resource_id).collect();
    let titles: HashMap<i64, Option<String>> = if ids.is_empty() {
        HashMap::new()
    } else {
        resources::Entity::find()
            .select_only()
            .columns([resources::Column::Id, resources::Column::PublicTitle])
            .filter(resources::Column::Id.is_in(ids))
            .into_tuple::<(i64, Option<String>)>()
            .all(db)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect()
    };
    rows.iter()
        .map(|r| {
            Ok(CountedRecord {
                kind: PostingKind::Resource.code(),
                id: r.resource_id,
                title: kejiyun_core::stats::public_title(
                    titles.get(&r.resource_id).cloned().flatten(),
                ),
                counted: view_day_counted(r)?,
            })
        })
        .collect()
}

#[async_trait]
impl ResourceStore for SeaStore {
    async fn resource_views(&self, ids: &[ResourceId]) -> StoreResult<HashMap<ResourceId, i64>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, i64)> = resources::Entity::find()
            .select_only()
            .columns([resources::Column::Id, resources::Column::Views])
            .filter(resources::Column::Id.is_in(ids.iter().map(|i| i.0)))
            .into_tuple()
            .all(&self.reader)
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (PostingId::new(id), n))
            .collect())
    }

    async fn add_resource_views(&self, deltas: &[ViewDelta]) -> StoreResult<()> {
        // Not through `retry!`: a flush every second must not drop every kept read (the
        // figures and lists it changes may lag by the kept reads' second).
        let mut attempt = 0u32;
        loop {
            match add_views(&self.db, deltas).await {
                Err(e) if super::is_retryable(&e) && attempt < super::RETRIES => {
                    attempt += 1;
                    super::backoff(attempt).await;
                }
                other => return other,
            }
        }
    }
}
