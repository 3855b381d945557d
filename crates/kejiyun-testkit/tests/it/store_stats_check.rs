//! How the store statistics tests check served figures: against the figures recomputed from
//! the records, for totals, every breakdown and the records behind each figure.

use std::collections::BTreeMap;

use kejiyun_core::stats::ports::{StatsRange, StatsRecordStore, StatsSeriesStore};
use kejiyun_core::stats::{self, Cell, Metric, contributions};
use kejiyun_core::stats_figures::Figures;
use kejiyun_db::SeaStore;

use crate::store_stats::{code, must};

/// The figures recomputed from the records.
pub(crate) async fn recomputed(store: &SeaStore) -> BTreeMap<Cell, i64> {
    let records = must(store.counted_records().await);
    stats::tally(records.iter().map(|r| &r.counted))
}

fn in_range(cell: &Cell, range: &StatsRange) -> bool {
    range.region.contains(cell.region)
        && range.from.is_none_or(|f| cell.day >= f)
        && range.to.is_none_or(|t| cell.day <= t)
}

fn expected_totals(cells: &BTreeMap<Cell, i64>, range: &StatsRange) -> BTreeMap<Metric, i64> {
    let mut out: BTreeMap<Metric, i64> = BTreeMap::new();
    for (c, v) in cells.iter().filter(|(c, _)| in_range(c, range)) {
        *out.entry(c.metric).or_default() += v;
    }
    out.retain(|_, v| *v != 0);
    out
}

/// The figures a report of `range` serves.
pub(crate) async fn served(store: &SeaStore, range: StatsRange) -> Figures {
    Figures::of(&range, &must(store.report_rows(range).await))
}

/// Totals, every breakdown and the drill-down candidates of `range` agree with `cells`.
pub(crate) async fn check_range(store: &SeaStore, cells: &BTreeMap<Cell, i64>, range: StatsRange) {
    let want = expected_totals(cells, &range);
    let figures = served(store, range).await;
    assert_eq!(figures.totals, want, "totals of {range:?}");
    for (by, rows) in [
        ("by child", &figures.by_child),
        ("by month", &figures.by_month),
        ("by category", &figures.by_category),
    ] {
        let mut sums: BTreeMap<Metric, i64> = BTreeMap::new();
        for (_, m, v) in rows {
            *sums.entry(*m).or_default() += v;
        }
        assert_eq!(sums, want, "{by} of {range:?} adds up to the totals");
    }
    for metric in Metric::ALL {
        let mut sum = 0;
        for r in must(store.metric_records(metric, range).await) {
            for (cell, v) in contributions(&r.counted) {
                if cell.metric == metric && in_range(&cell, &range) {
                    sum += v;
                }
            }
        }
        let total = want.get(&metric).copied().unwrap_or(0);
        assert_eq!(sum, total, "records behind {metric:?} in {range:?}");
    }
}

pub(crate) fn whole(region: &str) -> StatsRange {
    StatsRange {
        region: code(region),
        from: None,
        to: None,
    }
}
