//! Served statistics on `stat_rollups`: the upsert that moves the roll-ups of a delta in the
//! writer's transaction, and the read side — every figure a region and date range asks for is
//! a few rows per [`Span`] of the range (`kejiyun_core::stats_rollup::spans`).

use std::collections::BTreeMap;

use kejiyun_core::ports::StoreResult;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::stats::{Cell, Metric};
use kejiyun_core::stats_ports::{Breakdown, StatsRange};
use kejiyun_core::stats_rollup::{ALL_CATEGORIES, Grain, Rollup, Span, rollups_of_cells, spans};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, QueryFilter, QuerySelect,
};

use super::stats::category_of;
use super::{corrupt, db_err, parse_region};
use crate::entities::stat_rollups;

use stat_rollups::Column as R;

/// Adds the roll-ups of `cells` (a net delta) in one statement, in key order, so two writers
/// lock shared roll-up rows in the same order.
pub(crate) async fn apply_delta<C: ConnectionTrait>(
    txn: &C,
    cells: &[(Cell, i64)],
) -> StoreResult<()> {
    let rollups = rollups_of_cells(cells.iter().map(|(c, v)| (c, v)));
    if rollups.is_empty() {
        return Ok(());
    }
    let add = match txn.get_database_backend() {
        DbBackend::MySql => "`value` + VALUES(`value`)",
        _ => "\"stat_rollups\".\"value\" + \"excluded\".\"value\"",
    };
    stat_rollups::Entity::insert_many(rollups.iter().map(|(r, v)| row(r, *v)))
        .on_conflict(
            OnConflict::columns([R::Region, R::Grain, R::Period, R::Category, R::Metric])
                .value(R::Value, Expr::cust(add))
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .map_err(db_err)?;
    Ok(())
}

fn row(r: &Rollup, value: i64) -> stat_rollups::ActiveModel {
    stat_rollups::ActiveModel {
        region: Set(r.region.to_string()),
        parent: Set(r.parent().map(|p| p.to_string())),
        grain: Set(r.grain.code().to_owned()),
        period: Set(r.period),
        category: Set(r.category.to_owned()),
        metric: Set(r.metric.key().to_owned()),
        value: Set(value),
        ..Default::default()
    }
}

fn metric_of(raw: &str) -> StoreResult<Metric> {
    Metric::parse(raw).map_err(|_| corrupt("metric", raw))
}

fn grain_of(raw: &str) -> StoreResult<Grain> {
    Grain::parse(raw).ok_or_else(|| corrupt("stat grain", raw))
}

/// Each span as its own conjunction with `fixed`, so every branch is one index range on every
/// engine (an OR inside one AND makes SQLite scan the whole region).
fn spans_condition(fixed: &Condition, spans: &[Span]) -> Condition {
    let mut any = Condition::any();
    for s in spans {
        let mut c = fixed.clone().add(R::Grain.eq(s.grain.code()));
        if s.lo != i32::MIN {
            c = c.add(R::Period.gte(s.lo));
        }
        if s.hi != i32::MAX {
            c = c.add(R::Period.lte(s.hi));
        }
        any = any.add(c);
    }
    any
}

/// `(key, metric, value)` rows of one region's (or its children's) roll-ups over `spans`.
async fn read(
    db: &DatabaseConnection,
    fixed: Condition,
    spans: &[Span],
    key: R,
) -> StoreResult<Vec<(String, i32, String, i64)>> {
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    stat_rollups::Entity::find()
        .select_only()
        .columns([key, R::Period, R::Metric, R::Value])
        .filter(spans_condition(&fixed, spans))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)
}

fn own(region: RegionCode) -> Condition {
    Condition::all().add(R::Region.eq(region.to_string()))
}

pub(super) async fn totals(
    db: &DatabaseConnection,
    range: StatsRange,
) -> StoreResult<BTreeMap<Metric, i64>> {
    let fixed = own(range.region).add(R::Category.eq(ALL_CATEGORIES));
    let rows = read(db, fixed, &spans(range.from, range.to, true), R::Region).await?;
    let mut out: BTreeMap<Metric, i64> = BTreeMap::new();
    for (_, _, m, v) in rows {
        *out.entry(metric_of(&m)?).or_default() += v;
    }
    out.retain(|_, v| *v != 0);
    Ok(out)
}

pub(super) async fn breakdown(
    db: &DatabaseConnection,
    range: StatsRange,
    by: Breakdown,
) -> StoreResult<Vec<(String, Metric, i64)>> {
    let year_spans = spans(range.from, range.to, true);
    let mut merged: BTreeMap<(String, Metric), i64> = BTreeMap::new();
    match by {
        Breakdown::Month => {
            let fixed = own(range.region).add(R::Category.eq(ALL_CATEGORIES));
            let month_spans = spans(range.from, range.to, false);
            for (grain, period, m, v) in read(db, fixed, &month_spans, R::Grain).await? {
                let month = match grain_of(&grain)? {
                    Grain::Day => period / 100,
                    _ => period,
                };
                *merged
                    .entry((month.to_string(), metric_of(&m)?))
                    .or_default() += v;
            }
        }
        Breakdown::Category => {
            let fixed = own(range.region).add(R::Category.ne(ALL_CATEGORIES));
            for (category, _, m, v) in read(db, fixed, &year_spans, R::Category).await? {
                *merged.entry((category, metric_of(&m)?)).or_default() += v;
            }
        }
        Breakdown::ChildRegion => {
            // Children are the regions one level down; what is left of the totals was
            // recorded at the region itself (all of it for a county).
            let mut rest = totals(db, range).await?;
            let fixed = Condition::all()
                .add(R::Parent.eq(range.region.to_string()))
                .add(R::Category.eq(ALL_CATEGORIES));
            for (child, _, m, v) in read(db, fixed, &year_spans, R::Region).await? {
                let metric = metric_of(&m)?;
                *rest.entry(metric).or_default() -= v;
                *merged.entry((child, metric)).or_default() += v;
            }
            let here = range.region.to_string();
            for (metric, v) in rest {
                *merged.entry((here.clone(), metric)).or_default() += v;
            }
        }
    }
    Ok(merged
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .map(|((k, m), v)| (k, m, v))
        .collect())
}

/// region, parent, grain, period, category, metric, value.
type RollupRow = (String, Option<String>, String, i32, String, String, i64);

/// Every served roll-up row (for `verify`); a row whose parent column disagrees with its
/// region is reported as corrupt.
pub(super) async fn served_rollups(db: &DatabaseConnection) -> StoreResult<BTreeMap<Rollup, i64>> {
    let rows: Vec<RollupRow> = stat_rollups::Entity::find()
        .select_only()
        .columns([
            R::Region,
            R::Parent,
            R::Grain,
            R::Period,
            R::Category,
            R::Metric,
            R::Value,
        ])
        .filter(R::Value.ne(0))
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut out = BTreeMap::new();
    for (region, parent, grain, period, category, metric, v) in rows {
        let category = match category.as_str() {
            "" => "",
            ALL_CATEGORIES => ALL_CATEGORIES,
            c => category_of(c)?.code(),
        };
        let r = Rollup {
            region: parse_region(&region)?,
            grain: grain_of(&grain)?,
            period,
            category,
            metric: metric_of(&metric)?,
        };
        if parent != r.parent().map(|p| p.to_string()) {
            return Err(corrupt("stat rollup parent", &region));
        }
        out.insert(r, v);
    }
    Ok(out)
}
