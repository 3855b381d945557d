//! Served statistics on `stat_series` (`kejiyun_core::stats_series`): the read-modify-write
//! that moves the series of a delta in the writer's transaction, and the read side — every
//! figure a region and date range asks for is a slice of a few year rows.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::stats::ports::{StatsRange, StatsSeriesStore};
use kejiyun_core::stats::{Cell, Metric};
use kejiyun_core::stats_figures::ServedRow;
use kejiyun_core::stats_series::{ALL_CATEGORIES, Series, SeriesKey, series_deltas, whole_years};
use sea_orm::sea_query::{CaseStatement, Expr, OnConflict, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::SeaStore;
use super::stats::category_of;
use super::{corrupt, db_err, parse_region};
use crate::entities::stat_series;

use stat_series::Column as S;

const KEY: [S; 4] = [S::Region, S::Category, S::Metric, S::Year];

pub(crate) fn row(k: &SeriesKey, series: &Series) -> stat_series::ActiveModel {
    stat_series::ActiveModel {
        region: Set(k.region.to_string()),
        parent: Set(k.parent().map(|p| p.to_string())),
        category: Set(k.category.to_owned()),
        metric: Set(k.metric.key().to_owned()),
        year: Set(k.year),
        total: Set(series.total()),
        days: Set(series.encode()),
        ..Default::default()
    }
}

fn metric_of(raw: &str) -> StoreResult<Metric> {
    Metric::parse(raw).map_err(|_| corrupt("metric", raw))
}

fn series_of(region: &str, days: &[u8]) -> StoreResult<Series> {
    Series::decode(days).ok_or_else(|| corrupt("stat series days", region))
}

/// The category of a stored row as the `&'static str` the core keys use.
fn category_key(raw: &str) -> StoreResult<&'static str> {
    Ok(match raw {
        "" => "",
        ALL_CATEGORIES => ALL_CATEGORIES,
        c => category_of(c)?.code(),
    })
}

/// The key of a stored row.
fn key_of(region: &str, category: &str, metric: &str, year: i32) -> StoreResult<SeriesKey> {
    Ok(SeriesKey {
        region: parse_region(region)?,
        category: category_key(category)?,
        metric: metric_of(metric)?,
        year,
    })
}

/// Who takes `stat_series_guard`: writers share it, a rebuild holds it alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    Write,
    Rebuild,
}

/// Takes `stat_series_guard` (PostgreSQL, MySQL/MariaDB) before any series row. SQLite needs
/// none: every write transaction there holds the one write lock from its BEGIN IMMEDIATE,
/// which already orders a rebuild and a writer.
pub(crate) async fn guard<C: ConnectionTrait>(txn: &C, who: Guard) -> StoreResult<()> {
    let sql = match (txn.get_database_backend(), who) {
        (DbBackend::Postgres, Guard::Write) => {
            "SELECT id FROM stat_series_guard WHERE id = 1 FOR SHARE"
        }
        (DbBackend::MySql, Guard::Write) => {
            "SELECT id FROM stat_series_guard WHERE id = 1 LOCK IN SHARE MODE"
        }
        (DbBackend::Postgres | DbBackend::MySql, Guard::Rebuild) => {
            "SELECT id FROM stat_series_guard WHERE id = 1 FOR UPDATE"
        }
        _ => return Ok(()),
    };
    txn.execute_unprepared(sql).await.map_err(db_err)?;
    Ok(())
}

/// Adds a net delta of cells to their series: makes sure every row exists, locks and reads
/// them in key order, and writes them back in one statement. Creating before locking means
/// two writers that both create a row never both insert it; they lock shared rows in the same
/// order, so they cannot deadlock on them.
pub(crate) async fn apply_delta<C: ConnectionTrait>(
    txn: &C,
    cells: &[(Cell, i64)],
) -> StoreResult<()> {
    let deltas = series_deltas(cells);
    if deltas.is_empty() {
        return Ok(());
    }
    guard(txn, Guard::Write).await?;
    let zero = Series::default();
    stat_series::Entity::insert_many(deltas.keys().map(|k| row(k, &zero)))
        .on_conflict(
            OnConflict::columns(KEY)
                .do_nothing_on([S::Region])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .map_err(db_err)?;
    // One locking read of the delta's rows, in key order (the lock order): every row of the
    // cross product of their regions, categories, metrics and years, which is the delta's own
    // rows or a few more; each IN list is a probe of the unique index, never a walk of it.
    let (mut regions, mut categories, mut metrics, mut years) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    for k in deltas.keys() {
        regions.insert(k.region.to_string());
        categories.insert(k.category);
        metrics.insert(k.metric.key());
        years.insert(k.year);
    }
    let mut locking = stat_series::Entity::find()
        .select_only()
        .columns([S::Region, S::Category, S::Metric, S::Year, S::Days])
        .filter(S::Region.is_in(regions))
        .filter(S::Category.is_in(categories))
        .filter(S::Metric.is_in(metrics))
        .filter(S::Year.is_in(years));
    for column in KEY {
        locking = locking.order_by_asc(column);
    }
    let rows: Vec<(String, String, String, i32, Vec<u8>)> = locking
        .lock_exclusive()
        .into_tuple()
        .all(txn)
        .await
        .map_err(db_err)?;
    let mut stored: BTreeMap<SeriesKey, Series> = BTreeMap::new();
    for (region, category, metric, year, days) in rows {
        let key = key_of(&region, &category, &metric, year)?;
        if deltas.contains_key(&key) {
            stored.insert(key, series_of(&region, &days)?);
        }
    }
    let mut updated = Vec::with_capacity(deltas.len());
    for (key, adds) in &deltas {
        let Some(mut series) = stored.remove(key) else {
            return Err(corrupt(
                "stat series",
                "a row created in this transaction is missing",
            ));
        };
        for &(day, v) in adds {
            series.add(day, v);
        }
        updated.push(row(key, &series));
    }
    stat_series::Entity::insert_many(updated)
        .on_conflict(
            OnConflict::columns(KEY)
                .update_columns([S::Total, S::Days])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// region, category, metric, year, total and (when read) the days of a stored row.
type ReportRow = (String, String, String, i32, i64, Option<Vec<u8>>);

/// The rows a report of `range` reads, in one statement: the region's own rows and its
/// children's over all categories, for the years the range meets. The days travel for the
/// region's own all-category rows (the months), and for every row when the range cuts into a
/// year — `stats_figures::days_needed`, said in SQL.
pub(super) async fn report_rows(
    db: &DatabaseConnection,
    range: StatsRange,
) -> StoreResult<Vec<ServedRow>> {
    use chrono::Datelike;
    let region = range.region.to_string();
    let children = Condition::all()
        .add(S::Parent.eq(region.as_str()))
        .add(S::Category.eq(ALL_CATEGORIES));
    let mut filter = Condition::all().add(
        Condition::any()
            .add(S::Region.eq(region.as_str()))
            .add(children),
    );
    if let Some(from) = range.from {
        filter = filter.add(S::Year.gte(from.year()));
    }
    if let Some(to) = range.to {
        filter = filter.add(S::Year.lte(to.year()));
    }
    let days: SimpleExpr = if whole_years(range.from, range.to) {
        let own = Condition::all()
            .add(S::Region.eq(region.as_str()))
            .add(S::Category.eq(ALL_CATEGORIES));
        CaseStatement::new().case(own, Expr::col(S::Days)).into()
    } else {
        Expr::col(S::Days)
    };
    let rows: Vec<ReportRow> = stat_series::Entity::find()
        .select_only()
        .columns([S::Region, S::Category, S::Metric, S::Year, S::Total])
        .expr_as(days, "days")
        .filter(filter)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(region, category, metric, year, total, days)| {
            Ok(ServedRow {
                key: key_of(&region, &category, &metric, year)?,
                total,
                days: days.map(|d| series_of(&region, &d)).transpose()?,
            })
        })
        .collect()
}

/// region, parent, category, metric, year, days.
type SeriesRow = (String, Option<String>, String, String, i32, Vec<u8>);

/// Every served series that is not all zero (for `verify`); a row whose parent column
/// disagrees with its region is reported as corrupt.
pub(super) async fn served_series(
    db: &DatabaseConnection,
) -> StoreResult<BTreeMap<SeriesKey, Series>> {
    let rows: Vec<SeriesRow> = stat_series::Entity::find()
        .select_only()
        .columns([
            S::Region,
            S::Parent,
            S::Category,
            S::Metric,
            S::Year,
            S::Days,
        ])
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut out = BTreeMap::new();
    for (region, parent, category, metric, year, days) in rows {
        let key = key_of(&region, &category, &metric, year)?;
        if parent != key.parent().map(|p| p.to_string()) {
            return Err(corrupt("stat series parent", &region));
        }
        let series = series_of(&region, &days)?;
        if !series.is_zero() {
            out.insert(key, series);
        }
    }
    Ok(out)
}

/// Every served year total that is not zero (for `verify`).
pub(super) async fn served_totals(
    db: &DatabaseConnection,
) -> StoreResult<BTreeMap<SeriesKey, i64>> {
    let rows: Vec<(String, String, String, i32, i64)> = stat_series::Entity::find()
        .select_only()
        .columns([S::Region, S::Category, S::Metric, S::Year, S::Total])
        .filter(S::Total.ne(0))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|(region, category, metric, year, total)| {
            Ok((key_of(&region, &category, &metric, year)?, total))
        })
        .collect()
}

#[async_trait]
impl StatsSeriesStore for SeaStore {
    async fn report_rows(&self, range: StatsRange) -> StoreResult<Vec<ServedRow>> {
        report_rows(&self.reader, range).await
    }
    async fn served_series(&self) -> StoreResult<BTreeMap<SeriesKey, Series>> {
        served_series(&self.reader).await
    }
    async fn served_totals(&self) -> StoreResult<BTreeMap<SeriesKey, i64>> {
        served_totals(&self.reader).await
    }
}
