//! Services, needs and achievements. The three tables share their meta columns (status,
//! moderation and life-cycle times, the three region columns), so status changes, filters and
//! expiry are written once over [`PostingTable`].

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use kejiyun_core::ids::{OrgId, UserId};
use kejiyun_core::market::categories::{
    Category, ContactPref, Industry, IpType, Maturity, Scope, TransferMode,
};
use kejiyun_core::market::money::{Fen, Price};
use kejiyun_core::market::ports::{PostingChange, PostingFilter, PostingStore};
use kejiyun_core::market::postings::{
    Achievement, AchievementDraft, CloseReason, Need, NeedDraft, PostingKind, PostingMeta, Service,
    ServiceDraft,
};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::notifications;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::super::SeaStore;
use super::super::moderation::{after_change, audit_change, lost_race};
use super::super::notifications as inbox;
use super::super::stats::{Counter, Watch};
use super::super::{
    begin_write, contains_pattern, corrupt, db_err, newest_first, paged, parse_region,
    region_parts, scope_condition, status_of,
};
use super::{name_of, names};
use crate::entities::{achievements, needs, services};

/// The columns every posting table has.
pub(crate) struct Cols<C> {
    pub(crate) id: C,
    pub(crate) owner: C,
    pub(crate) status: C,
    pub(crate) category: C,
    pub(crate) title: C,
    /// The main text: description, problem or summary.
    pub(crate) text: C,
    pub(crate) region: C,
    pub(crate) city: C,
    pub(crate) province: C,
    pub(crate) reject_reason: C,
    pub(crate) close_reason: C,
    pub(crate) updated_at: C,
    pub(crate) first_published_at: C,
    pub(crate) public_title: C,
    pub(crate) text_reviewed: C,
    pub(crate) expires_at: C,
    pub(crate) closed_at: C,
    /// Services only: how far the service reaches.
    pub(crate) scope: Option<C>,
}

pub(crate) trait PostingTable: EntityTrait {
    const KIND: PostingKind;
    fn cols() -> Cols<Self::Column>;
}

macro_rules! posting_table {
    ($entity:ident, $kind:expr, $text:ident, $scope:expr) => {
        impl PostingTable for $entity::Entity {
            const KIND: PostingKind = $kind;
            fn cols() -> Cols<$entity::Column> {
                use $entity::Column as C;
                Cols {
                    id: C::Id,
                    owner: C::OwnerId,
                    status: C::Status,
                    category: C::Category,
                    title: C::Title,
                    text: C::$text,
                    region: C::Region,
                    city: C::RegionCity,
                    province: C::RegionProvince,
                    reject_reason: C::RejectReason,
                    close_reason: C::CloseReason,
                    updated_at: C::UpdatedAt,
                    first_published_at: C::FirstPublishedAt,
                    public_title: C::PublicTitle,
                    text_reviewed: C::TextReviewed,
                    expires_at: C::ExpiresAt,
                    closed_at: C::ClosedAt,
                    scope: $scope,
                }
            }
        }
    };
}

posting_table!(
    services,
    PostingKind::Service,
    Description,
    Some(services::Column::Scope)
);
posting_table!(needs, PostingKind::Need, Problem, None);
posting_table!(achievements, PostingKind::Achievement, Summary, None);

/// The meta of a posting row (the three row types share these field names).
macro_rules! meta {
    ($m:expr, $kind:expr, $org:expr, $names:expr) => {
        PostingMeta {
            id: $m.id,
            kind: $kind,
            owner: UserId($m.owner_id),
            owner_name: name_of($names, $m.owner_id),
            org: $org,
            status: status_of(&$m.status)?,
            reject_reason: $m.reject_reason.clone(),
            close_reason: close_reason($m.close_reason.as_deref())?,
            created_at: Timestamp($m.created_at),
            updated_at: Timestamp($m.updated_at),
            first_published_at: $m.first_published_at.map(Timestamp),
            text_reviewed: $m.text_reviewed,
            expires_at: $m.expires_at.map(Timestamp),
            closed_at: $m.closed_at.map(Timestamp),
        }
    };
}

fn parsed<T, E>(what: &str, raw: &str, r: Result<T, E>) -> StoreResult<T> {
    r.map_err(|_| corrupt(what, raw))
}

fn close_reason(raw: Option<&str>) -> StoreResult<Option<CloseReason>> {
    raw.map(|r| CloseReason::parse(r).ok_or_else(|| corrupt("close reason", r)))
        .transpose()
}

fn price(kind: &str, fen: Option<i64>) -> StoreResult<Price> {
    parsed("price", kind, Price::parse(kind, fen))
}

fn price_fen(p: Price) -> Option<i64> {
    p.amount().map(Fen::fen)
}

fn to_service(m: services::Model, names: &HashMap<i64, String>) -> StoreResult<Service> {
    let meta = meta!(m, PostingKind::Service, m.org_id.map(OrgId), names);
    let tags: Vec<String> = parsed("tags", &m.tags, serde_json::from_str(&m.tags))?;
    Ok(Service {
        meta,
        draft: ServiceDraft {
            category: parsed("category", &m.category, Category::parse(&m.category))?,
            region: parse_region(&m.region)?,
            scope: parsed("scope", &m.scope, Scope::parse(&m.scope))?,
            price: price(&m.price_kind, m.price_fen)?,
            contact: parsed("contact", &m.contact, ContactPref::parse(&m.contact))?,
            org: m.org_id.map(OrgId),
            title: m.title,
            description: m.description,
            tags,
        },
    })
}

fn to_need(m: needs::Model, names: &HashMap<i64, String>) -> StoreResult<Need> {
    let meta = meta!(m, PostingKind::Need, None, names);
    let deadline = m
        .deadline
        .as_deref()
        .map(|d| parsed("deadline", d, NaiveDate::parse_from_str(d, "%Y-%m-%d")))
        .transpose()?;
    let budget = m
        .budget_fen
        .map(|b| parsed("budget", &b.to_string(), Fen::new("budget_fen", b)))
        .transpose()?;
    Ok(Need {
        meta,
        draft: NeedDraft {
            industry: parsed("industry", &m.industry, Industry::parse(&m.industry))?,
            category: parsed("category", &m.category, Category::parse(&m.category))?,
            region: parse_region(&m.region)?,
            title: m.title,
            problem: m.problem,
            current_practice: m.current_practice,
            target: m.target,
            budget,
            deadline,
        },
    })
}

fn to_achievement(
    m: achievements::Model,
    names: &HashMap<i64, String>,
) -> StoreResult<Achievement> {
    let meta = meta!(m, PostingKind::Achievement, m.org_id.map(OrgId), names);
    let codes: Vec<String> = parsed(
        "transfer modes",
        &m.transfer_modes,
        serde_json::from_str(&m.transfer_modes),
    )?;
    let transfer_modes = codes
        .iter()
        .map(|c| parsed("transfer mode", c, TransferMode::parse(c)))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Achievement {
        meta,
        draft: AchievementDraft {
            category: parsed("category", &m.category, Category::parse(&m.category))?,
            maturity: parsed("maturity", &m.maturity, Maturity::parse(&m.maturity))?,
            ip_type: parsed("ip type", &m.ip_type, IpType::parse(&m.ip_type))?,
            price: price(&m.price_kind, m.price_fen)?,
            region: parse_region(&m.region)?,
            org: m.org_id.map(OrgId),
            title: m.title,
            summary: m.summary,
            ip_number: m.ip_number,
            holders: m.holders,
            transfer_modes,
        },
    })
}

fn service_columns(d: &ServiceDraft) -> services::ActiveModel {
    let (region, city, province) = region_parts(d.region);
    services::ActiveModel {
        org_id: Set(d.org.map(|o| o.0)),
        title: Set(d.title.clone()),
        description: Set(d.description.clone()),
        category: Set(d.category.code().to_owned()),
        tags: Set(serde_json::to_string(&d.tags).unwrap_or_else(|_| "[]".into())),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        scope: Set(d.scope.code().to_owned()),
        price_kind: Set(d.price.kind().to_owned()),
        price_fen: Set(price_fen(d.price)),
        contact: Set(d.contact.code().to_owned()),
        ..Default::default()
    }
}

fn need_columns(d: &NeedDraft) -> needs::ActiveModel {
    let (region, city, province) = region_parts(d.region);
    needs::ActiveModel {
        title: Set(d.title.clone()),
        problem: Set(d.problem.clone()),
        current_practice: Set(d.current_practice.clone()),
        target: Set(d.target.clone()),
        budget_fen: Set(d.budget.map(Fen::fen)),
        deadline: Set(d.deadline.map(|d| d.format("%Y-%m-%d").to_string())),
        industry: Set(d.industry.code().to_owned()),
        category: Set(d.category.code().to_owned()),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        ..Default::default()
    }
}

fn achievement_columns(d: &AchievementDraft) -> achievements::ActiveModel {
    let (region, city, province) = region_parts(d.region);
    let modes: Vec<&str> = d.transfer_modes.iter().map(|m| m.code()).collect();
    achievements::ActiveModel {
        org_id: Set(d.org.map(|o| o.0)),
        title: Set(d.title.clone()),
        summary: Set(d.summary.clone()),
        category: Set(d.category.code().to_owned()),
        maturity: Set(d.maturity.code().to_owned()),
        ip_type: Set(d.ip_type.code().to_owned()),
        ip_number: Set(d.ip_number.clone()),
        holders: Set(d.holders.clone()),
        transfer_modes: Set(serde_json::to_string(&modes).unwrap_or_else(|_| "[]".into())),
        price_kind: Set(d.price.kind().to_owned()),
        price_fen: Set(price_fen(d.price)),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        ..Default::default()
    }
}

/// New postings start as drafts: nothing to queue and nothing for search yet.
macro_rules! create_fn {
    ($name:ident, $entity:ident, $draft:ty, $columns:ident) => {
        pub(in crate::store) async fn $name(
            db: &DatabaseConnection,
            owner: UserId,
            draft: &$draft,
            at: Timestamp,
        ) -> StoreResult<i64> {
            let mut row = $columns(draft);
            row.owner_id = Set(owner.0);
            row.status = Set(ModerationStatus::Draft.as_str().to_owned());
            row.reject_reason = Set(None);
            row.close_reason = Set(None);
            row.created_at = Set(at.micros());
            row.updated_at = Set(at.micros());
            row.first_published_at = Set(None);
            row.expires_at = Set(None);
            row.closed_at = Set(None);
            let txn = begin_write(db).await?;
            let id = $entity::Entity::insert(row)
                .exec(&txn)
                .await
                .map_err(db_err)?
                .last_insert_id;
            Watch::created(Counter::Posting(
                <$entity::Entity as PostingTable>::KIND,
                id,
            ))
            .finish(&txn)
            .await?;
            txn.commit().await.map_err(db_err)?;
            Ok(id)
        }
    };
}

create_fn!(create_service, services, ServiceDraft, service_columns);
create_fn!(create_need, needs, NeedDraft, need_columns);
create_fn!(
    create_achievement,
    achievements,
    AchievementDraft,
    achievement_columns
);

pub(in crate::store) async fn service(
    db: &DatabaseConnection,
    id: i64,
) -> StoreResult<Option<Service>> {
    let Some(m) = services::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let names = names(db, [m.owner_id]).await?;
    to_service(m, &names).map(Some)
}

pub(in crate::store) async fn need(db: &DatabaseConnection, id: i64) -> StoreResult<Option<Need>> {
    let Some(m) = needs::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let names = names(db, [m.owner_id]).await?;
    to_need(m, &names).map(Some)
}

pub(in crate::store) async fn achievement(
    db: &DatabaseConnection,
    id: i64,
) -> StoreResult<Option<Achievement>> {
    let Some(m) = achievements::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let names = names(db, [m.owner_id]).await?;
    to_achievement(m, &names).map(Some)
}

/// Moves a posting's status (and replaces its content when `row` sets columns, `content`),
/// only if it still has `change.from`; then the statistics, queue, outbox and audit follow in
/// the same transaction. A content edit can change the category of the deals on the posting.
async fn apply<E: PostingTable>(
    db: &DatabaseConnection,
    id: i64,
    row: E::ActiveModel,
    content: bool,
    change: PostingChange,
) -> StoreResult<()> {
    let c = E::cols();
    let ch = &change.change;
    let reject = (ch.to == ModerationStatus::Rejected)
        .then(|| ch.reason.clone())
        .flatten();
    let mut update = E::update_many()
        .set(row)
        .col_expr(c.status, Expr::value(ch.to.as_str()))
        .col_expr(c.updated_at, Expr::value(ch.at.micros()))
        .col_expr(c.reject_reason, Expr::value(reject));
    if ch.to == ModerationStatus::Published {
        // Set at the first publication only: statistics count from it.
        update = update
            .col_expr(
                c.first_published_at,
                Expr::col(c.first_published_at).if_null(ch.at.micros()),
            )
            // The title just approved is what public views show until the next approval.
            .col_expr(c.public_title, Expr::col(c.title))
            .col_expr(c.text_reviewed, Expr::value(true));
        if let Some(expires) = change.expires_at {
            update = update.col_expr(c.expires_at, Expr::value(expires.micros()));
        }
    }
    if content && ch.to != ModerationStatus::Published {
        // Edited text is nobody's approved text until moderation approves it.
        update = update.col_expr(c.text_reviewed, Expr::value(false));
    }
    if ch.to == ModerationStatus::Closed {
        update = update
            .col_expr(
                c.close_reason,
                Expr::value(change.close_reason.map(|r| r.code().to_owned())),
            )
            .col_expr(c.closed_at, Expr::value(ch.at.micros()));
    }
    let txn = begin_write(db).await?;
    let watch = if content {
        Watch::posting_with_deals(&txn, E::KIND, id).await?
    } else {
        Watch::start(&txn, &[Counter::Posting(E::KIND, id)]).await?
    };
    let res = update
        .filter(c.id.eq(id))
        .filter(c.status.eq(ch.from.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let head: Option<(String, String, i64)> = E::find()
        .select_only()
        .column(c.title)
        .column(c.region)
        .column(c.owner)
        .filter(c.id.eq(id))
        .into_tuple()
        .one(&txn)
        .await
        .map_err(db_err)?;
    let Some((title, region, owner)) = head else {
        return Err(lost_race(false));
    };
    if res.rows_affected == 0 {
        return Err(lost_race(true));
    }
    watch.finish(&txn).await?;
    let region = parse_region(&region)?;
    after_change(
        &txn,
        E::KIND.moderation_kind(),
        id,
        &title,
        region,
        ch.to,
        ch.at,
    )
    .await?;
    audit_change(&txn, ch).await?;
    // A moderation decision tells the owner, in the decision's transaction.
    let decided = match (ch.from, ch.to) {
        (ModerationStatus::Pending, ModerationStatus::Published) => Some(
            notifications::posting_approved(UserId(owner), E::KIND, id, &title, ch.at),
        ),
        (ModerationStatus::Pending, ModerationStatus::Rejected) => {
            Some(notifications::posting_rejected(
                UserId(owner),
                E::KIND,
                id,
                &title,
                ch.reason.as_deref(),
                ch.at,
            ))
        }
        _ => None,
    };
    inbox::insert(&txn, decided.into_iter().collect()).await?;
    txn.commit().await.map_err(db_err)
}

pub(in crate::store) async fn update_service(
    db: &DatabaseConnection,
    id: i64,
    draft: &ServiceDraft,
    change: PostingChange,
) -> StoreResult<()> {
    apply::<services::Entity>(db, id, service_columns(draft), true, change).await
}

pub(in crate::store) async fn update_need(
    db: &DatabaseConnection,
    id: i64,
    draft: &NeedDraft,
    change: PostingChange,
) -> StoreResult<()> {
    apply::<needs::Entity>(db, id, need_columns(draft), true, change).await
}

pub(in crate::store) async fn update_achievement(
    db: &DatabaseConnection,
    id: i64,
    draft: &AchievementDraft,
    change: PostingChange,
) -> StoreResult<()> {
    apply::<achievements::Entity>(db, id, achievement_columns(draft), true, change).await
}

pub(in crate::store) async fn change_status(
    db: &DatabaseConnection,
    kind: PostingKind,
    id: i64,
    change: PostingChange,
) -> StoreResult<()> {
    match kind {
        PostingKind::Service => {
            apply::<services::Entity>(db, id, Default::default(), false, change).await
        }
        PostingKind::Need => {
            apply::<needs::Entity>(db, id, Default::default(), false, change).await
        }
        PostingKind::Achievement => {
            apply::<achievements::Entity>(db, id, Default::default(), false, change).await
        }
    }
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

pub(in crate::store) async fn confirm(
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
    }
}

/// Services offered in `place`: national ones, and those whose reach (province, city, county)
/// covers it.
fn reach_condition<C: ColumnTrait>(scope: C, c: &Cols<C>, place: RegionCode) -> Condition {
    let mut any = Condition::any()
        .add(scope.eq(Scope::National.code()))
        .add(
            Condition::all()
                .add(scope.eq(Scope::Province.code()))
                .add(c.province.eq(place.province().to_string())),
        )
        .add(
            Condition::all()
                .add(scope.eq(Scope::County.code()))
                .add(c.region.eq(place.to_string())),
        );
    if let Some(city) = place.city() {
        any = any.add(
            Condition::all()
                .add(scope.eq(Scope::City.code()))
                .add(c.city.eq(city.to_string())),
        );
    }
    any
}

fn filter_condition<C: ColumnTrait>(c: &Cols<C>, f: &PostingFilter) -> Condition {
    let mut all = Condition::all().add(scope_condition(&f.scope, c.region, c.city, c.province));
    if let Some(s) = f.status {
        all = all.add(c.status.eq(s.as_str()));
    }
    if let Some(o) = f.owner {
        all = all.add(c.owner.eq(o.0));
    }
    if let Some(cat) = f.category {
        all = all.add(c.category.eq(cat.code()));
    }
    if let Some(term) = f.query.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        all = all.add(
            Condition::any()
                .add(Expr::col(c.title).like(contains_pattern(term)))
                .add(Expr::col(c.text).like(contains_pattern(term))),
        );
    }
    if let Some(scope) = c.scope {
        if let Some(place) = f.available_in {
            all = all.add(reach_condition(scope, c, place));
        }
        if let Some(s) = f.service_scope {
            all = all.add(scope.eq(s.code()));
        }
    }
    all
}

/// One page of rows (most recently updated first) and the total, with the owners' names.
async fn list_rows<E: PostingTable>(
    db: &DatabaseConnection,
    f: &PostingFilter,
    page: Page,
) -> StoreResult<(Vec<E::Model>, u64)>
where
    E::Model: Sync,
{
    let c = E::cols();
    let q = E::find().filter(filter_condition(&c, f));
    newest_first(db, q, c.updated_at, c.id, page).await
}

pub(in crate::store) async fn list_services(
    db: &DatabaseConnection,
    f: &PostingFilter,
    page: Page,
) -> StoreResult<Paged<Service>> {
    let (rows, total) = list_rows::<services::Entity>(db, f, page).await?;
    let names = names(db, rows.iter().map(|r| r.owner_id)).await?;
    let items = rows
        .into_iter()
        .map(|r| to_service(r, &names))
        .collect::<StoreResult<_>>()?;
    Ok(paged(items, total, page))
}

pub(in crate::store) async fn list_needs(
    db: &DatabaseConnection,
    f: &PostingFilter,
    page: Page,
) -> StoreResult<Paged<Need>> {
    let (rows, total) = list_rows::<needs::Entity>(db, f, page).await?;
    let names = names(db, rows.iter().map(|r| r.owner_id)).await?;
    let items = rows
        .into_iter()
        .map(|r| to_need(r, &names))
        .collect::<StoreResult<_>>()?;
    Ok(paged(items, total, page))
}

pub(in crate::store) async fn list_achievements(
    db: &DatabaseConnection,
    f: &PostingFilter,
    page: Page,
) -> StoreResult<Paged<Achievement>> {
    let (rows, total) = list_rows::<achievements::Entity>(db, f, page).await?;
    let names = names(db, rows.iter().map(|r| r.owner_id)).await?;
    let items = rows
        .into_iter()
        .map(|r| to_achievement(r, &names))
        .collect::<StoreResult<_>>()?;
    Ok(paged(items, total, page))
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

pub(in crate::store) async fn expired(
    db: &DatabaseConnection,
    kind: PostingKind,
    now: Timestamp,
    limit: u64,
) -> StoreResult<Vec<i64>> {
    match kind {
        PostingKind::Service => expired_in::<services::Entity>(db, now, limit).await,
        PostingKind::Need => expired_in::<needs::Entity>(db, now, limit).await,
        PostingKind::Achievement => expired_in::<achievements::Entity>(db, now, limit).await,
    }
}

#[async_trait]
impl PostingStore for SeaStore {
    async fn create_service(
        &self,
        owner: UserId,
        draft: &ServiceDraft,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(create_service(&self.db, owner, draft, at))
    }
    async fn create_need(
        &self,
        owner: UserId,
        draft: &NeedDraft,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(create_need(&self.db, owner, draft, at))
    }
    async fn create_achievement(
        &self,
        owner: UserId,
        draft: &AchievementDraft,
        at: Timestamp,
    ) -> StoreResult<i64> {
        retry!(create_achievement(&self.db, owner, draft, at))
    }
    async fn service(&self, id: i64) -> StoreResult<Option<Service>> {
        service(&self.db, id).await
    }
    async fn need(&self, id: i64) -> StoreResult<Option<Need>> {
        need(&self.db, id).await
    }
    async fn achievement(&self, id: i64) -> StoreResult<Option<Achievement>> {
        achievement(&self.db, id).await
    }
    async fn update_service(
        &self,
        id: i64,
        draft: &ServiceDraft,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(update_service(&self.db, id, draft, change.clone()))
    }
    async fn update_need(
        &self,
        id: i64,
        draft: &NeedDraft,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(update_need(&self.db, id, draft, change.clone()))
    }
    async fn update_achievement(
        &self,
        id: i64,
        draft: &AchievementDraft,
        change: PostingChange,
    ) -> StoreResult<()> {
        retry!(update_achievement(&self.db, id, draft, change.clone()))
    }
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
    async fn list_services(
        &self,
        filter: &PostingFilter,
        page: Page,
    ) -> StoreResult<Paged<Service>> {
        list_services(&self.db, filter, page).await
    }
    async fn list_needs(&self, filter: &PostingFilter, page: Page) -> StoreResult<Paged<Need>> {
        list_needs(&self.db, filter, page).await
    }
    async fn list_achievements(
        &self,
        filter: &PostingFilter,
        page: Page,
    ) -> StoreResult<Paged<Achievement>> {
        list_achievements(&self.db, filter, page).await
    }
    async fn expired_postings(
        &self,
        kind: PostingKind,
        now: Timestamp,
        limit: u64,
    ) -> StoreResult<Vec<i64>> {
        expired(&self.db, kind, now, limit).await
    }
}
