//! Statistics use cases: served figures for a region and date range, their breakdowns, the
//! records behind a figure, and verify / rebuild.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::Services;
use crate::paging::{Page, Paged};
use crate::permissions::Actor;
use crate::regions::RegionCode;
use crate::stats::{Cell, Metric, contributions, tally};
use crate::stats_ports::{Breakdown, CountedRecord, StatsRange};
use crate::stats_rollup::{Rollup, rollups_of_cells};
use crate::{DomainError, DomainResult};

/// One group of a breakdown with each metric's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Region code, `YYYYMM`, or category code.
    pub key: String,
    pub values: BTreeMap<Metric, i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatsReport {
    pub range: StatsRange,
    /// Every metric of the catalogue (zero where nothing counted).
    pub totals: BTreeMap<Metric, i64>,
    pub by_child: Vec<Group>,
    pub by_month: Vec<Group>,
    pub by_category: Vec<Group>,
}

/// Which served figure differs: a day cell or one of the roll-ups built from the cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServedFigure {
    Cell(Cell),
    Rollup(Rollup),
}

/// A difference `verify` found: served vs recomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsDifference {
    pub figure: ServedFigure,
    pub served: i64,
    pub recomputed: i64,
}

/// The keys where `served` and `recomputed` differ (a missing key counts as 0).
fn differences<K: Ord + Clone>(
    served: &BTreeMap<K, i64>,
    recomputed: &BTreeMap<K, i64>,
    figure: impl Fn(K) -> ServedFigure,
) -> Vec<StatsDifference> {
    let keys: BTreeSet<&K> = served.keys().chain(recomputed.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let s = served.get(k).copied().unwrap_or(0);
            let r = recomputed.get(k).copied().unwrap_or(0);
            (s != r).then(|| StatsDifference {
                figure: figure(k.clone()),
                served: s,
                recomputed: r,
            })
        })
        .collect()
}

fn groups(rows: Vec<(String, Metric, i64)>) -> Vec<Group> {
    let mut by_key: BTreeMap<String, BTreeMap<Metric, i64>> = BTreeMap::new();
    for (key, metric, value) in rows {
        *by_key.entry(key).or_default().entry(metric).or_default() += value;
    }
    by_key
        .into_iter()
        .map(|(key, values)| Group { key, values })
        .collect()
}

/// Parses optional `YYYY-MM-DD` bounds; `from` after `to` is refused.
pub fn date_range(
    from: Option<&str>,
    to: Option<&str>,
) -> DomainResult<(Option<NaiveDate>, Option<NaiveDate>)> {
    let parse = |field: &'static str, s: Option<&str>| -> DomainResult<Option<NaiveDate>> {
        match s.map(str::trim) {
            None | Some("") => Ok(None),
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| DomainError::invalid(field, "日期格式应为 YYYY-MM-DD")),
        }
    };
    let (f, t) = (parse("from", from)?, parse("to", to)?);
    if let (Some(f), Some(t)) = (f, t)
        && f > t
    {
        return Err(DomainError::invalid("from", "开始日期不能晚于结束日期"));
    }
    Ok((f, t))
}

fn in_range(cell: &Cell, range: &StatsRange) -> bool {
    range.region.contains(cell.region)
        && range.from.is_none_or(|f| cell.day >= f)
        && range.to.is_none_or(|t| cell.day <= t)
}

impl Services {
    fn stats_range(
        &self,
        region: RegionCode,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> DomainResult<StatsRange> {
        self.visible_region(region)?;
        // Above the deployment's root the figures are the root's.
        let region = if region.contains(self.root) {
            self.root
        } else {
            region
        };
        Ok(StatsRange { region, from, to })
    }

    /// The figures of a region's subtree for a date range. Every figure here is public; the
    /// actor parameter is where per-metric visibility will be decided as private metrics arrive.
    pub async fn stats(
        &self,
        _actor: Option<&Actor>,
        region: RegionCode,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> DomainResult<StatsReport> {
        let range = self.stats_range(region, from, to)?;
        let mut totals: BTreeMap<Metric, i64> = Metric::ALL.iter().map(|m| (*m, 0)).collect();
        totals.extend(self.stats.totals(range).await?);
        Ok(StatsReport {
            range,
            totals,
            by_child: groups(self.stats.breakdown(range, Breakdown::ChildRegion).await?),
            by_month: groups(self.stats.breakdown(range, Breakdown::Month).await?),
            by_category: groups(self.stats.breakdown(range, Breakdown::Category).await?),
        })
    }

    /// Exactly the records behind one figure, newest first, with what each adds (the values
    /// of all pages sum to the figure).
    pub async fn stats_records(
        &self,
        _actor: Option<&Actor>,
        metric: Metric,
        region: RegionCode,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        page: Page,
    ) -> DomainResult<(Paged<(CountedRecord, Cell, i64)>, i64)> {
        let range = self.stats_range(region, from, to)?;
        let mut rows: Vec<(CountedRecord, Cell, i64)> = Vec::new();
        for record in self.stats.metric_records(metric, range).await? {
            for (cell, value) in contributions(&record.counted) {
                if cell.metric == metric && in_range(&cell, &range) {
                    rows.push((record.clone(), cell, value));
                }
            }
        }
        rows.sort_by(|a, b| b.1.day.cmp(&a.1.day).then(b.0.id.cmp(&a.0.id)));
        let total: i64 = rows.iter().map(|r| r.2).sum();
        let count = rows.len() as u64;
        let items = rows
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit()).unwrap_or(usize::MAX))
            .collect();
        Ok((
            Paged {
                items,
                total: count,
                page,
            },
            total,
        ))
    }

    /// Recomputes every figure from the base records and lists the cells, then the roll-ups
    /// (recomputed from the recomputed cells), where the served figures differ.
    pub async fn verify_stats(&self) -> DomainResult<Vec<StatsDifference>> {
        let records = self.stats.counted_records().await?;
        let recomputed = tally(records.iter().map(|r| &r.counted));
        let served = self.stats.served_cells().await?;
        let mut out = differences(&served, &recomputed, ServedFigure::Cell);
        let rollups = rollups_of_cells(&recomputed);
        let served = self.stats.served_rollups().await?;
        out.extend(differences(&served, &rollups, ServedFigure::Rollup));
        Ok(out)
    }

    /// Rebuilds the served figures (cells and roll-ups) from the base records; returns the
    /// number of cells.
    pub async fn rebuild_stats(&self) -> DomainResult<usize> {
        let records = self.stats.counted_records().await?;
        let cells = tally(records.iter().map(|r| &r.counted));
        self.stats.replace_cells(&cells).await?;
        Ok(cells.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges() {
        assert_eq!(date_range(None, Some("")), Ok((None, None)));
        assert!(date_range(Some("2026-02-30"), None).is_err());
        assert!(date_range(Some("2026-03-02"), Some("2026-03-01")).is_err());
        let one = date_range(Some("2026-03-01"), Some("2026-03-01")).expect("one day");
        assert_eq!(one.0, one.1);
    }
}
