//! The statistics storage port. Served figures live in day series (region × category ×
//! metric × year, one value per Asia/Shanghai day: [`crate::stats_series`]) that the store
//! updates in the same transaction as every change of a counted record, by applying
//! [`crate::stats::delta`] of the record's before/after snapshots through
//! [`crate::stats_series::series_of`].

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::stats::{Cell, Counted, Metric};
use crate::stats_figures::ServedRow;
use crate::stats_series::{Series, SeriesKey};

/// The figures asked for: a region's subtree and an inclusive date range (either end open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsRange {
    pub region: RegionCode,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A counted record with its id, for drill-down lists.
#[derive(Debug, Clone, PartialEq)]
pub struct CountedRecord {
    /// `service`, `need`, `achievement`, `question`, `deal`, `tech_worker`, `org`, `training`
    /// or `training_session`.
    pub kind: &'static str,
    pub id: i64,
    pub title: String,
    pub counted: Counted,
}

/// The one definition of the figures ([`crate::stats::tally`]), handed to the store.
pub type Tally = dyn Fn(&[CountedRecord]) -> BTreeMap<Cell, i64> + Sync;

/// The served figures: the day series.
#[async_trait]
pub trait StatsSeriesStore: Send + Sync {
    /// The stored year rows a report of `range` reads ([`crate::stats_figures`]), in one
    /// statement: the region's own rows and its children's rows over all categories, for the
    /// years the range meets, with their days where [`crate::stats_figures::days_needed`].
    async fn report_rows(&self, range: StatsRange) -> StoreResult<Vec<ServedRow>>;
    /// Every served series that is not all zero (for `verify`).
    async fn served_series(&self) -> StoreResult<BTreeMap<SeriesKey, Series>>;
    /// Every served year total that is not zero (for `verify`: whole-year ranges read these
    /// instead of the days).
    async fn served_totals(&self) -> StoreResult<BTreeMap<SeriesKey, i64>>;
}

/// The counted records, read from the base tables.
#[async_trait]
pub trait StatsRecordStore: Send + Sync {
    /// Every counted record recomputed from the base tables (for `verify` and `rebuild`).
    async fn counted_records(&self) -> StoreResult<Vec<CountedRecord>>;
    /// Candidate records of one metric in `range` (a superset is fine: callers keep only those
    /// whose contribution falls in the range). Drill-down uses it.
    async fn metric_records(
        &self,
        metric: Metric,
        range: StatsRange,
    ) -> StoreResult<Vec<CountedRecord>>;
}

/// Rebuilding the served figures from the counted records.
#[async_trait]
pub trait StatsRebuildStore: Send + Sync {
    /// Replaces every served series with those of `cells`
    /// ([`crate::stats_series::series_all`]), in one transaction.
    async fn replace_cells(&self, cells: &BTreeMap<Cell, i64>) -> StoreResult<()>;
    /// Rebuilds the served series while servers keep writing: in one transaction that first
    /// holds off every writer of the series, reads the counted records, computes the cells
    /// with `tally` and replaces the series; returns the number of cells. A write that waited
    /// applies its change on top of the rebuilt figures, so none is lost or counted twice.
    async fn rebuild_series(&self, tally: &Tally) -> StoreResult<usize>;
}
