//! The posting engine's storage: every posting kind (services, needs, achievements) has a table
//! with the same meta columns (status, moderation and life-cycle times, the three region
//! columns), so creation, status changes (`apply`), filters and lists are written once over
//! [`PostingTable`], and `PostingStore<D>` is implemented once for every kind. A kind brings
//! its entity, its content columns and how a row reads back ([`PostingTable`]'s methods).
//! Changes addressed by kind at run time (moderation, confirmation, expiry) are in
//! `posting_lifecycle.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use kejiyun_core::ids::{OrgId, PostingId, UserId};
use kejiyun_core::market::categories::{
    Category, ContactPref, Industry, IpType, Maturity, Scope, TransferMode,
};
use kejiyun_core::market::money::{Fen, Price};
use kejiyun_core::market::ports::{PostingChange, PostingFilter, PostingStore};
use kejiyun_core::market::postings::{
    AchievementDraft, CloseReason, NeedDraft, Posting, PostingContent, PostingKind, PostingMeta,
    ServiceDraft,
};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::notifications;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, Query, QueryStatementBuilder, ValueType};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, ExprTrait, FromQueryResult, IdenStatic,
    ModelTrait, PaginatorTrait, PrimaryKeyTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::super::SeaStore;
use super::super::moderation::{after_change, audit_change, lost_race};
use super::super::notifications as inbox;
use super::super::stats::{Counter, Watch};
use super::super::{
    begin_write, contains_pattern, corrupt, db_err, paged, parse_region, region_parts,
    scope_condition, status_of,
};
use super::{name_of, names};
use crate::entities::{achievements, needs, services, users};

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
    pub(crate) created_at: C,
    pub(crate) updated_at: C,
    pub(crate) first_published_at: C,
    pub(crate) public_title: C,
    pub(crate) text_reviewed: C,
    pub(crate) expires_at: C,
    pub(crate) closed_at: C,
    /// Services only: how far the service reaches.
    pub(crate) scope: Option<C>,
    pub(crate) org: Option<C>,
    /// Questions only: whether anyone answered (`open`, `answered`, `resolved`).
    pub(crate) answer_state: Option<C>,
    /// Resources only: article, video, …
    pub(crate) resource_kind: Option<C>,
    /// Resources only: counted views (the most-viewed order).
    pub(crate) views: Option<C>,
}

/// A posting kind's table: its columns, and how its content is written and read back.
pub(crate) trait PostingTable:
    EntityTrait<
        Column: std::str::FromStr,
        PrimaryKey: PrimaryKeyTrait<ValueType = i64>,
        Model: Sync,
        ActiveModel: Send,
    >
{
    const KIND: PostingKind;
    /// The main text: description, problem or summary.
    const TEXT: Self::Column;
    /// Services only: how far the service reaches.
    const SCOPE: Option<Self::Column> = None;
    /// The organization a posting is offered by, where the kind has one.
    const ORG: Option<Self::Column> = None;
    /// Questions only: their answer state (the unanswered filter).
    const ANSWER_STATE: Option<Self::Column> = None;
    /// Resources only: their kind and counted views.
    const RESOURCE_KIND: Option<Self::Column> = None;
    const VIEWS: Option<Self::Column> = None;
    type Draft: PostingContent;

    /// The content columns of a draft (the meta columns are the engine's).
    fn content(draft: &Self::Draft) -> Self::ActiveModel;
    fn to_posting(
        m: Self::Model,
        names: &HashMap<i64, String>,
    ) -> StoreResult<Posting<Self::Draft>>;

    fn cols() -> Cols<Self::Column> {
        // Every posting table names its meta columns the same way (the migrations create them
        // so; `every_posting_table_has_the_meta_columns` checks it).
        let col = |name: &str| {
            <Self::Column as std::str::FromStr>::from_str(name)
                .unwrap_or_else(|_| panic!("posting table without column {name}"))
        };
        Cols {
            id: col("id"),
            owner: col("owner_id"),
            status: col("status"),
            category: col("category"),
            title: col("title"),
            text: Self::TEXT,
            region: col("region"),
            city: col("region_city"),
            province: col("region_province"),
            reject_reason: col("reject_reason"),
            close_reason: col("close_reason"),
            created_at: col("created_at"),
            updated_at: col("updated_at"),
            first_published_at: col("first_published_at"),
            public_title: col("public_title"),
            text_reviewed: col("text_reviewed"),
            expires_at: col("expires_at"),
            closed_at: col("closed_at"),
            scope: Self::SCOPE,
            org: Self::ORG,
            answer_state: Self::ANSWER_STATE,
            resource_kind: Self::RESOURCE_KIND,
            views: Self::VIEWS,
        }
    }
}

/// Where the store keeps a posting kind (lets `PostingStore<D>` be implemented once).
pub(crate) trait StoredPosting: PostingContent {
    type Table: PostingTable<Draft = Self>;
}

impl StoredPosting for ServiceDraft {
    type Table = services::Entity;
}

impl StoredPosting for NeedDraft {
    type Table = needs::Entity;
}

impl StoredPosting for AchievementDraft {
    type Table = achievements::Entity;
}

/// A column's value in a row, typed (a wrong type is a corrupt row).
fn value<E: PostingTable, T: ValueType>(m: &E::Model, c: E::Column) -> StoreResult<T> {
    T::try_from(m.get(c)).map_err(|_| corrupt("posting column", c.as_str()))
}

/// The meta of a posting row.
pub(crate) fn meta<E: PostingTable>(
    m: &E::Model,
    org: Option<OrgId>,
    names: &HashMap<i64, String>,
) -> StoreResult<PostingMeta> {
    let c = E::cols();
    let owner: i64 = value::<E, _>(m, c.owner)?;
    let status: String = value::<E, _>(m, c.status)?;
    let close: Option<String> = value::<E, _>(m, c.close_reason)?;
    let at = |c| value::<E, i64>(m, c).map(Timestamp);
    let maybe_at = |c| value::<E, Option<i64>>(m, c).map(|t| t.map(Timestamp));
    Ok(PostingMeta {
        kind: E::KIND,
        owner: UserId(owner),
        owner_name: name_of(names, owner),
        org,
        status: status_of(&status)?,
        reject_reason: value::<E, _>(m, c.reject_reason)?,
        close_reason: close_reason(close.as_deref())?,
        created_at: at(c.created_at)?,
        updated_at: at(c.updated_at)?,
        first_published_at: maybe_at(c.first_published_at)?,
        text_reviewed: value::<E, _>(m, c.text_reviewed)?,
        expires_at: maybe_at(c.expires_at)?,
        closed_at: maybe_at(c.closed_at)?,
    })
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

impl PostingTable for services::Entity {
    const KIND: PostingKind = PostingKind::Service;
    const TEXT: services::Column = services::Column::Description;
    const SCOPE: Option<services::Column> = Some(services::Column::Scope);
    const ORG: Option<services::Column> = Some(services::Column::OrgId);
    type Draft = ServiceDraft;

    fn content(d: &ServiceDraft) -> services::ActiveModel {
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

    fn to_posting(
        m: services::Model,
        names: &HashMap<i64, String>,
    ) -> StoreResult<Posting<ServiceDraft>> {
        let meta = meta::<services::Entity>(&m, m.org_id.map(OrgId), names)?;
        let tags: Vec<String> = parsed("tags", &m.tags, serde_json::from_str(&m.tags))?;
        Ok(Posting {
            id: PostingId::new(m.id),
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
}

impl PostingTable for needs::Entity {
    const KIND: PostingKind = PostingKind::Need;
    const TEXT: needs::Column = needs::Column::Problem;
    type Draft = NeedDraft;

    fn content(d: &NeedDraft) -> needs::ActiveModel {
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

    fn to_posting(
        m: needs::Model,
        names: &HashMap<i64, String>,
    ) -> StoreResult<Posting<NeedDraft>> {
        let meta = meta::<needs::Entity>(&m, None, names)?;
        let deadline = m
            .deadline
            .as_deref()
            .map(|d| parsed("deadline", d, NaiveDate::parse_from_str(d, "%Y-%m-%d")))
            .transpose()?;
        let budget = m
            .budget_fen
            .map(|b| parsed("budget", &b.to_string(), Fen::new("budget_fen", b)))
            .transpose()?;
        Ok(Posting {
            id: PostingId::new(m.id),
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
}

impl PostingTable for achievements::Entity {
    const KIND: PostingKind = PostingKind::Achievement;
    const TEXT: achievements::Column = achievements::Column::Summary;
    const ORG: Option<achievements::Column> = Some(achievements::Column::OrgId);
    type Draft = AchievementDraft;

    fn content(d: &AchievementDraft) -> achievements::ActiveModel {
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

    fn to_posting(
        m: achievements::Model,
        names: &HashMap<i64, String>,
    ) -> StoreResult<Posting<AchievementDraft>> {
        let meta = meta::<achievements::Entity>(&m, m.org_id.map(OrgId), names)?;
        let codes: Vec<String> = parsed(
            "transfer modes",
            &m.transfer_modes,
            serde_json::from_str(&m.transfer_modes),
        )?;
        let transfer_modes = codes
            .iter()
            .map(|c| parsed("transfer mode", c, TransferMode::parse(c)))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Posting {
            id: PostingId::new(m.id),
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
}

/// A new posting starts as a draft (nothing to queue, nothing for search yet), unless it is
/// submitted with its creation: then the draft → pending change follows in the transaction.
async fn create<E: PostingTable>(
    db: &DatabaseConnection,
    owner: UserId,
    draft: &E::Draft,
    at: Timestamp,
    submit: Option<PostingChange>,
) -> StoreResult<i64> {
    let c = E::cols();
    let mut row = E::content(draft);
    let meta: [(E::Column, sea_orm::Value); 9] = [
        (c.owner, owner.0.into()),
        (c.status, ModerationStatus::Draft.as_str().into()),
        (c.reject_reason, Option::<String>::None.into()),
        (c.close_reason, Option::<String>::None.into()),
        (c.created_at, at.micros().into()),
        (c.updated_at, at.micros().into()),
        (c.first_published_at, Option::<i64>::None.into()),
        (c.expires_at, Option::<i64>::None.into()),
        (c.closed_at, Option::<i64>::None.into()),
    ];
    for (col, v) in meta {
        row.try_set(col, v)
            .map_err(|e| corrupt("posting column", &e.to_string()))?;
    }
    let txn = begin_write(db).await?;
    let id = E::insert(row)
        .exec(&txn)
        .await
        .map_err(db_err)?
        .last_insert_id;
    Watch::created(Counter::Posting(E::KIND, id))
        .finish(&txn)
        .await?;
    if let Some(change) = submit {
        apply_in::<E>(
            &txn,
            id,
            <E::ActiveModel as ActiveModelTrait>::default(),
            false,
            &change,
        )
        .await?;
    }
    txn.commit().await.map_err(db_err)?;
    Ok(id)
}

async fn get<E: PostingTable>(
    db: &DatabaseConnection,
    id: i64,
) -> StoreResult<Option<Posting<E::Draft>>> {
    let c = E::cols();
    let Some(m) = E::find_by_id(id).one(db).await.map_err(db_err)? else {
        return Ok(None);
    };
    // The owner's name is read after the row and outside a transaction: a name changed in
    // between shows the newer name, which is what a reader should see anyway.
    let owner: i64 = value::<E, _>(&m, c.owner)?;
    let names = names(db, [owner]).await?;
    E::to_posting(m, &names).map(Some)
}

/// Moves a posting's status (and replaces its content when `row` sets columns, `content`),
/// only if it still has `change.from`; then the statistics, queue, outbox and audit follow in
/// the same transaction. A content edit can change the category of the deals on the posting.
pub(super) async fn apply<E: PostingTable>(
    db: &DatabaseConnection,
    id: i64,
    row: E::ActiveModel,
    content: bool,
    change: PostingChange,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    apply_in::<E>(&txn, id, row, content, &change).await?;
    txn.commit().await.map_err(db_err)
}

/// [`apply`] inside the caller's transaction.
async fn apply_in<E: PostingTable>(
    txn: &DatabaseTransaction,
    id: i64,
    row: E::ActiveModel,
    content: bool,
    change: &PostingChange,
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
    let watch = if content {
        Watch::posting_with_deals(txn, E::KIND, id).await?
    } else {
        Watch::start(txn, &[Counter::Posting(E::KIND, id)]).await?
    };
    let res = update
        .filter(c.id.eq(id))
        .filter(c.status.eq(ch.from.as_str()))
        .exec(txn)
        .await
        .map_err(db_err)?;
    let head: Option<(String, String, i64)> = E::find()
        .select_only()
        .column(c.title)
        .column(c.region)
        .column(c.owner)
        .filter(c.id.eq(id))
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    let Some((title, region, owner)) = head else {
        return Err(lost_race(false));
    };
    if res.rows_affected == 0 {
        return Err(lost_race(true));
    }
    watch.finish(txn).await?;
    let region = parse_region(&region)?;
    after_change(
        txn,
        E::KIND.moderation_kind(),
        id,
        &title,
        region,
        ch.to,
        ch.at,
    )
    .await?;
    audit_change(txn, ch).await?;
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
    inbox::insert(txn, decided.into_iter().collect()).await
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
    if let Some(org) = f.org {
        all = all.add(match c.org {
            Some(col) => Condition::all().add(col.eq(org.0)),
            None => Condition::all().add(Expr::cust("1 = 0")),
        });
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
    if let Some(before) = f.unanswered_before {
        all = all.add(match c.answer_state {
            Some(col) => Condition::all()
                .add(col.eq("open"))
                .add(c.status.eq(ModerationStatus::Published.as_str()))
                .add(c.first_published_at.lte(before.micros())),
            None => Condition::all().add(Expr::cust("1 = 0")),
        });
    }
    if let Some(kind) = f.resource_kind {
        all = all.add(match c.resource_kind {
            Some(col) => Condition::all().add(col.eq(kind.code())),
            None => Condition::all().add(Expr::cust("1 = 0")),
        });
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

/// One page (most recently updated first), the total and the owners' names, in one statement
/// (so they agree without a transaction, and a page is one round trip to the database): the
/// total and each owner's name are scalar subqueries beside the page's columns. Only a page
/// past the end, which has no row to carry the total, costs a second statement.
async fn list<E: PostingTable>(
    db: &DatabaseConnection,
    f: &PostingFilter,
    page: Page,
) -> StoreResult<Paged<Posting<E::Draft>>> {
    let c = E::cols();
    let condition = filter_condition(&c, f);
    let total = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(E::default())
        .cond_where(condition.clone())
        .to_owned();
    let owner_name = Query::select()
        .column((users::Entity, users::Column::DisplayName))
        .from(users::Entity)
        .and_where(Expr::col((users::Entity, users::Column::Id)).equals((E::default(), c.owner)))
        .to_owned();
    let statement = E::find()
        .filter(condition.clone())
        .expr_as(
            Expr::SubQuery(None, Box::new(total.into_sub_query_statement())),
            LIST_TOTAL,
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(owner_name.into_sub_query_statement())),
            OWNER_NAME,
        )
        .order_by_desc(match c.views {
            Some(views) if f.most_viewed => views,
            _ => c.updated_at,
        })
        .order_by_desc(c.id)
        .offset(page.offset())
        .limit(page.limit())
        .build(db.get_database_backend());
    let rows = db.query_all_raw(statement).await.map_err(db_err)?;
    let total = match rows.first() {
        Some(row) => {
            let n: i64 = row.try_get("", LIST_TOTAL).map_err(db_err)?;
            n.unsigned_abs()
        }
        None => E::find()
            .filter(condition)
            .count(db)
            .await
            .map_err(db_err)?,
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let owner = row.try_get::<i64>("", "owner_id").map_err(db_err)?;
        let name = row
            .try_get::<Option<String>>("", OWNER_NAME)
            .map_err(db_err)?
            .unwrap_or_default();
        let model = E::Model::from_query_result(&row, "").map_err(db_err)?;
        items.push(E::to_posting(model, &HashMap::from([(owner, name)]))?);
    }
    Ok(paged(items, total, page))
}

/// The list statement's two computed columns.
const LIST_TOTAL: &str = "list_total";
const OWNER_NAME: &str = "list_owner_name";

#[async_trait]
impl<D: StoredPosting> PostingStore<D> for SeaStore {
    async fn create_posting(
        &self,
        owner: UserId,
        draft: &D,
        at: Timestamp,
        submit: Option<PostingChange>,
    ) -> StoreResult<PostingId<D>> {
        retry!(create::<D::Table>(
            &self.db,
            owner,
            draft,
            at,
            submit.clone()
        ))
        .map(PostingId::new)
    }
    async fn posting(&self, id: PostingId<D>) -> StoreResult<Option<Posting<D>>> {
        let key = format!("posting|{}|{}", D::KIND.code(), id.0);
        self.cache
            .get_or_load(key, || get::<D::Table>(&self.reader, id.0))
            .await
    }
    async fn update_posting(
        &self,
        id: PostingId<D>,
        draft: &D,
        change: PostingChange,
    ) -> StoreResult<()> {
        let content = || <D::Table as PostingTable>::content(draft);
        retry!(apply::<D::Table>(
            &self.db,
            id.0,
            content(),
            true,
            change.clone()
        ))
    }
    async fn list_postings(
        &self,
        filter: &PostingFilter,
        page: Page,
    ) -> StoreResult<Paged<Posting<D>>> {
        let key = format!("postings|{}|{filter:?}|{page:?}", D::KIND.code());
        self.cache
            .get_or_load(key, || list::<D::Table>(&self.reader, filter, page))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<E: PostingTable>() {
        // Panics (names the column) if a table lacks one of the engine's meta columns.
        let c = E::cols();
        assert_eq!(c.id.as_str(), "id");
        assert_eq!(c.closed_at.as_str(), "closed_at");
    }

    #[test]
    fn every_posting_table_has_the_meta_columns() {
        check::<services::Entity>();
        check::<needs::Entity>();
        check::<achievements::Entity>();
        check::<crate::entities::questions::Entity>();
        check::<crate::entities::resources::Entity>();
    }
}
