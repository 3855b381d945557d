//! `SeaStore`: the storage ports over SeaORM. Each area's file holds its queries and implements
//! its port (`impl AccountStore for SeaStore` in `accounts.rs`, …); this module keeps what they
//! share: the connection, write transactions, the deadlock retry, region and paging helpers.
//! Each port method runs in one transaction; row types never leave this module.

/// Runs a store write again when it lost a deadlock; the expression is re-evaluated each time.
/// Every area's store wraps its writes in it (defined before the areas' modules, so they see it).
macro_rules! retry {
    ($call:expr) => {{
        let mut attempt = 0u32;
        let outcome = loop {
            match $call.await {
                Err(e) if $crate::store::is_retryable(&e) && attempt < $crate::store::RETRIES => {
                    attempt += 1;
                    tracing::debug!(attempt, error = %e, "retrying after a deadlock");
                    $crate::store::backoff(attempt).await;
                }
                other => break other,
            }
        };
        // Kept reads (`read_cache`) are stale once a write is over, whatever its outcome.
        $crate::store::read_cache::wrote();
        outcome
    }};
}

mod accounts;
mod audit;
mod audit_chain;
mod bases;
mod certificates;
mod contests;
mod contests_counted;
mod contests_judging;
mod estation_plays;
mod estations;
mod failure;
mod health;
mod market;
mod moderation;
pub(crate) mod notifications;
mod one_time_codes;
mod orgs;
mod passwords;
mod profiles;
mod questions;
mod questions_record;
pub(crate) mod read_cache;
mod resources;
mod sealing;
mod search_feed;
mod second_factor;
mod stats;
mod stats_bulk;
mod stats_series;
mod stats_served;
mod tech_workers;
mod tokens;
mod trainings;
pub(crate) mod uploads;
mod volunteer_activities;
mod volunteer_counted;
mod volunteers;

use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::{Store, StoreError, StoreResult};
use kejiyun_core::regions::{Region, RegionCode};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, IsolationLevel, PaginatorTrait, QueryOrder,
    QuerySelect, Select, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::entities::regions;

pub(crate) use failure::{db_err, is_retryable};

#[derive(Clone)]
pub struct SeaStore {
    /// Every write, and every read on PostgreSQL and MySQL (one pool serves both there).
    pub(crate) db: DatabaseConnection,
    /// Reads that need not see a transaction of their own caller: on SQLite, a pool of
    /// read-only connections beside the one writer; elsewhere the same pool as `db`.
    reader: DatabaseConnection,
    /// The public reads kept between writes (`read_cache`), per database.
    pub(crate) cache: std::sync::Arc<read_cache::ReadCache>,
    /// Seals and opens the personal data this layer keeps (`sealing.rs`).
    pub(crate) sealing: sealing::Sealing,
}

pub use sealing::ResealReport;

/// Every area's port is implemented in the area's file; `Store` only sums them.
impl Store for SeaStore {}

impl SeaStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_reader(db.clone(), db)
    }

    /// A store whose reads go to `reader` (SQLite's read-only connections).
    pub fn with_reader(db: DatabaseConnection, reader: DatabaseConnection) -> Self {
        Self {
            db,
            reader,
            cache: std::sync::Arc::default(),
            sealing: sealing::Sealing::default(),
        }
    }

    /// The store with the deployment's personal-data key: phones and ID-card numbers are
    /// sealed with it as they are written (a store without one refuses to write them).
    pub fn with_personal_data_key(
        mut self,
        key: kejiyun_core::personal_data::PersonalDataKey,
    ) -> Self {
        self.sealing = sealing::Sealing::new(key);
        self
    }

    /// Seals the phones and ID-card numbers still stored plain (written before their columns
    /// were sealed): run at every start, after the migrations; nothing to do is one query per
    /// column.
    pub async fn seal_plain_personal_data(
        &self,
        key: &kejiyun_core::personal_data::PersonalDataKey,
    ) -> StoreResult<ResealReport> {
        let report = sealing::reseal(&self.db, sealing::Reseal::PlainOnly(key), None).await;
        read_cache::wrote();
        report
    }

    /// Re-seals every sealed value and recomputes every blind index from the key `from` to the
    /// key `to`, in one transaction with `audit` (`kejiyun keys rotate`; its `after` is
    /// filled with the counts). Running it again after a crash is safe: values already under
    /// `to` are left alone.
    pub async fn rotate_personal_data_key(
        &self,
        from: &kejiyun_core::personal_data::PersonalDataKey,
        to: &kejiyun_core::personal_data::PersonalDataKey,
        audit: &kejiyun_core::audit::AuditRecord,
    ) -> StoreResult<ResealReport> {
        let report =
            sealing::reseal(&self.db, sealing::Reseal::Rotate { from, to }, Some(audit)).await;
        read_cache::wrote();
        report
    }

    /// The connection itself, for migrations and tests. What is done with it is not seen by
    /// the kept reads, so they are dropped.
    pub fn connection(&self) -> &DatabaseConnection {
        read_cache::wrote();
        &self.db
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Inserts the region list unless the table already holds exactly that many rows.
    pub async fn seed_regions(&self, all: &[Region]) -> Result<(), DbErr> {
        let have = regions::Entity::find().count(&self.db).await?;
        if have == all.len() as u64 {
            return Ok(());
        }
        regions::Entity::delete_many().exec(&self.db).await?;
        for chunk in all.chunks(500) {
            let rows = chunk.iter().map(|r| regions::ActiveModel {
                code: Set(r.code.to_string()),
                name: Set(r.name.clone()),
                parent: Set(r.parent.map(|p| p.to_string())),
                level: Set(r.level().as_str().to_owned()),
            });
            regions::Entity::insert_many(rows).exec(&self.db).await?;
        }
        tracing::info!(regions = all.len(), "region list loaded");
        Ok(())
    }
}

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at
/// once, waiting up to the busy timeout while another process (`kejiyun stats rebuild`, a
/// second server) writes. A deferred transaction that reads first can only be refused
/// ("database is locked", at once) when its first write finds the lock taken.
pub(crate) async fn begin_write(db: &DatabaseConnection) -> StoreResult<DatabaseTransaction> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(options).await.map_err(db_err)
}

/// Starts a read transaction whose statements see one snapshot (a count and its page, rows and
/// the names they refer to agree): REPEATABLE READ, READ ONLY on PostgreSQL and MySQL; SQLite's
/// deferred transaction reads one snapshot of the WAL from its first statement on.
pub(crate) async fn begin_read(db: &DatabaseConnection) -> StoreResult<DatabaseTransaction> {
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions::default(),
        _ => TransactionOptions {
            isolation_level: Some(IsolationLevel::RepeatableRead),
            access_mode: Some(AccessMode::ReadOnly),
            ..TransactionOptions::default()
        },
    };
    db.begin_with_options(options).await.map_err(db_err)
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} is invalid: {value}"))
}

/// `(region, region_city, region_province)` for a regional row.
pub(crate) fn region_parts(code: RegionCode) -> (String, Option<String>, String) {
    (
        code.to_string(),
        code.city().map(|c| c.to_string()),
        code.province().to_string(),
    )
}

pub(crate) fn parse_region(raw: &str) -> StoreResult<RegionCode> {
    RegionCode::parse(raw).map_err(|_| corrupt("region", raw))
}

/// The SQL condition for "the row's region lies in one of the scope's subtrees". Each root
/// compares the one column of its level, so the same query works on every backend.
pub(crate) fn scope_condition<C: ColumnTrait>(
    scope: &RegionScope,
    region: C,
    city: C,
    province: C,
) -> Condition {
    match scope {
        RegionScope::All => Condition::all(),
        RegionScope::Within(roots) if roots.is_empty() => Condition::all().add(Expr::cust("1 = 0")),
        RegionScope::Within(roots) => {
            let mut any = Condition::any();
            for r in roots {
                let s = r.to_string();
                any = any.add(match r.level() {
                    kejiyun_core::regions::RegionLevel::Province => province.eq(s),
                    kejiyun_core::regions::RegionLevel::City => city.eq(s),
                    kejiyun_core::regions::RegionLevel::County => region.eq(s),
                });
            }
            any
        }
    }
}

/// `%term%` with LIKE's wildcards in the term escaped, so user input matches literally.
pub(crate) fn contains_pattern(term: &str) -> LikeExpr {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// One page of a query's rows, most recently updated first (then the newest id), and the
/// total across pages.
pub(crate) async fn newest_first<E: EntityTrait<Model: Send + Sync>>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    updated_at: E::Column,
    id: E::Column,
    page: Page,
) -> StoreResult<(Vec<E::Model>, u64)> {
    let total = q.clone().count(db).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(updated_at)
        .order_by_desc(id)
        .offset(page.offset())
        .limit(page.limit())
        .all(db)
        .await
        .map_err(db_err)?;
    Ok((rows, total))
}

/// How an entity's rows become the records a store answers, with the names and titles they
/// show (read through the same connection, so inside the caller's transaction).
pub(crate) trait Records: EntityTrait<Model: Send + Sync> {
    type Record: Send;
    fn records<C: ConnectionTrait>(
        conn: &C,
        rows: Vec<Self::Model>,
    ) -> impl Future<Output = StoreResult<Vec<Self::Record>>> + Send;
}

/// The record a query finds, if any, read with what it shows from one snapshot.
pub(crate) async fn read_one<E: Records>(
    db: &DatabaseConnection,
    q: Select<E>,
) -> StoreResult<Option<E::Record>> {
    let txn = begin_read(db).await?;
    let rows = q.limit(1).all(&txn).await.map_err(db_err)?;
    let found = E::records(&txn, rows).await?.pop();
    txn.commit().await.map_err(db_err)?;
    Ok(found)
}

/// One page of a query's records, newest first (by `newest`, then `id`), and the total: the
/// count, the rows and what they show read from one snapshot.
pub(crate) async fn read_page<E: Records>(
    db: &DatabaseConnection,
    q: Select<E>,
    newest: E::Column,
    id: E::Column,
    page: Page,
) -> StoreResult<Paged<E::Record>> {
    let txn = begin_read(db).await?;
    let (rows, total) = newest_first(&txn, q, newest, id, page).await?;
    let items = E::records(&txn, rows).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(paged(items, total, page))
}

pub(crate) fn paged<T>(items: Vec<T>, total: u64, page: Page) -> Paged<T> {
    Paged { items, total, page }
}

pub(crate) fn status_of(raw: &str) -> StoreResult<ModerationStatus> {
    ModerationStatus::parse(raw).map_err(|_| corrupt("status", raw))
}

/// How many times a transaction that lost a deadlock (or a serialization race) is run again.
/// Under real contention (16 writers approving in one county on MariaDB) five tries with a
/// few milliseconds between them were not enough; the backoff below doubles to a cap.
const RETRIES: u32 = 10;

/// Sleeps before retry `attempt` (1-based): "full jitter" over an exponentially growing
/// window (10 ms, 20 ms, … capped at 320 ms), so the losers of one deadlock do not collide
/// again in lockstep. At most ~2 s in all.
pub(crate) async fn backoff(attempt: u32) {
    let window_ms = (10u64 << attempt.min(5)).min(320);
    let ms = 1 + rand::random::<u64>() % window_ms;
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}
