//! Statistics use cases: served figures for a region and date range, their breakdowns, the
//! records behind a figure, and verify / rebuild.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::paging::{Page, Paged};
use crate::permissions::Actor;
use crate::questions::{FirstAnswerFigures, first_answer_figures};
use crate::regions::RegionCode;
use crate::stats::ports::{CountedRecord, StatsRange};
use crate::stats::{Cell, Metric, contributions, tally};
use crate::stats_figures::Figures;
use crate::stats_series::{Series, SeriesKey, series_all};
use crate::stats_summary::{Summary, summarize};
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

/// A difference `verify` found: one day (or the year total) of one served series, served vs
/// recomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsDifference {
    pub key: SeriesKey,
    /// Index of the day in `key.year` (0 = 1 January); `None`: the year's total.
    pub day_index: Option<usize>,
    pub served: i64,
    pub recomputed: i64,
}

impl StatsDifference {
    /// The Asia/Shanghai date of the day (`None` for the year total, and for day 366 of a
    /// non-leap year, which only a corrupt series can hold).
    pub fn date(&self) -> Option<NaiveDate> {
        self.day_index
            .and_then(|i| u32::try_from(i + 1).ok())
            .and_then(|ordinal| NaiveDate::from_yo_opt(self.key.year, ordinal))
    }
}

/// The days where `served` and `recomputed` differ (a missing series counts as all zero).
fn differences(
    served: &BTreeMap<SeriesKey, Series>,
    recomputed: &BTreeMap<SeriesKey, Series>,
) -> Vec<StatsDifference> {
    let zero = Series::default();
    let keys: BTreeSet<&SeriesKey> = served.keys().chain(recomputed.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let s = served.get(key).unwrap_or(&zero);
        let r = recomputed.get(key).unwrap_or(&zero);
        if s == r {
            continue;
        }
        for day_index in 0..crate::stats_series::DAYS {
            let (served, recomputed) = (s.get(day_index), r.get(day_index));
            if served != recomputed {
                out.push(StatsDifference {
                    key: *key,
                    day_index: Some(day_index),
                    served,
                    recomputed,
                });
            }
        }
    }
    out
}

/// The series whose stored year total differs from the recomputed one.
fn total_differences(
    served: &BTreeMap<SeriesKey, i64>,
    recomputed: &BTreeMap<SeriesKey, Series>,
) -> Vec<StatsDifference> {
    let keys: BTreeSet<&SeriesKey> = served.keys().chain(recomputed.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let s = served.get(key).copied().unwrap_or(0);
            let r = recomputed.get(key).map_or(0, Series::total);
            (s != r).then_some(StatsDifference {
                key: *key,
                day_index: None,
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

/// The child regions' groups with every child present: one with no record at all gets a
/// group of zeros, because the lagging county is the one an official most needs to see.
fn with_every_child(
    mut groups: Vec<Group>,
    children: impl IntoIterator<Item = String>,
) -> Vec<Group> {
    for child in children {
        if !groups.iter().any(|g| g.key == child) {
            groups.push(Group {
                key: child,
                values: Metric::ALL.iter().map(|m| (*m, 0)).collect(),
            });
        }
    }
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    groups
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

use_cases!(
    Stats,
    stats,
    "Statistics: reports, drill-down, verify and rebuild"
);

impl Stats<'_> {
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

    /// Time to first answer: the median wait of the questions first published in the range
    /// (Asia/Shanghai dates, inclusive) in the region's subtree, by month and child region.
    pub async fn first_answer_times(
        &self,
        region: RegionCode,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> DomainResult<(StatsRange, FirstAnswerFigures)> {
        let range = self.stats_range(region, from, to)?;
        let start = range.from.map(crate::time::Timestamp::shanghai_midnight);
        let end = range
            .to
            .and_then(|t| t.succ_opt())
            .map(crate::time::Timestamp::shanghai_midnight);
        let rows = self.store.first_answers(range.region, start, end).await?;
        let children: Vec<RegionCode> = self
            .regions
            .children(range.region)
            .iter()
            .map(|c| c.code)
            .collect();
        Ok((range, first_answer_figures(&rows, &children)))
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
        let figures = Figures::of(&range, &self.store.report_rows(range).await?);
        let mut totals: BTreeMap<Metric, i64> = Metric::ALL.iter().map(|m| (*m, 0)).collect();
        totals.extend(figures.totals);
        Ok(StatsReport {
            range,
            totals,
            by_child: with_every_child(
                groups(figures.by_child),
                self.regions
                    .children(range.region)
                    .iter()
                    .map(|c| c.code.to_string()),
            ),
            by_month: groups(figures.by_month),
            by_category: groups(figures.by_category),
        })
    }

    /// The one-page summary of a region and range ([`crate::stats_summary`]), made from the
    /// same report as [`Self::stats`] (so the same visibility and the same numbers), with the
    /// time it was computed.
    pub async fn summary(
        &self,
        actor: Option<&Actor>,
        region: RegionCode,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> DomainResult<(StatsReport, Summary, crate::time::Timestamp)> {
        let report = self.stats(actor, region, from, to).await?;
        let now = self.now();
        let name = self.regions.require(report.range.region)?.name.clone();
        let summary = summarize(&name, from, to, now.shanghai_date(), &report.totals);
        Ok((report, summary, now))
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
        for record in self.store.metric_records(metric, range).await? {
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

    /// Recomputes every figure from the base records and lists the days of the served
    /// series that differ from the series of the recomputed cells.
    pub async fn verify_stats(&self) -> DomainResult<Vec<StatsDifference>> {
        let records = self.store.counted_records().await?;
        let recomputed = series_all(&tally(records.iter().map(|r| &r.counted)));
        let served = self.store.served_series().await?;
        let mut out = differences(&served, &recomputed);
        let served = self.store.served_totals().await?;
        out.extend(total_differences(&served, &recomputed));
        Ok(out)
    }

    /// Rebuilds the served series from the base records; returns the number of day cells
    /// they were computed from. Safe while servers write: see
    /// [`StatsRebuildStore::rebuild_series`](crate::stats::ports::StatsRebuildStore::rebuild_series).
    pub async fn rebuild_stats(&self) -> DomainResult<usize> {
        let cells = self
            .store
            .rebuild_series(&|records| tally(records.iter().map(|r| &r.counted)))
            .await?;
        Ok(cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_child_region_is_in_the_report_zeros_included() {
        let counted = Group {
            key: "511623".into(),
            values: [(Metric::Deals, 2)].into_iter().collect(),
        };
        let all = with_every_child(
            vec![counted.clone()],
            ["511621".to_owned(), "511623".to_owned()],
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].key, "511621");
        assert!(all[0].values.values().all(|v| *v == 0));
        assert_eq!(all[0].values.len(), Metric::ALL.len());
        assert_eq!(all[1], counted);
    }

    #[test]
    fn date_ranges() {
        assert_eq!(date_range(None, Some("")), Ok((None, None)));
        assert!(date_range(Some("2026-02-30"), None).is_err());
        assert!(date_range(Some("2026-03-02"), Some("2026-03-01")).is_err());
        let one = date_range(Some("2026-03-01"), Some("2026-03-01")).expect("one day");
        assert_eq!(one.0, one.1);
    }

    #[test]
    fn differences_list_each_day_that_differs_with_its_date() {
        let key = |region: &str, category| SeriesKey {
            region: RegionCode::parse(region).expect("valid"),
            category,
            metric: Metric::Deals,
            year: 2024,
        };
        let series = |days: &[(usize, i64)]| {
            let mut s = Series::default();
            for &(d, v) in days {
                s.add(d, v);
            }
            s
        };
        let served = BTreeMap::from([
            (key("511623", "tea"), series(&[(0, 1), (59, 3)])),
            (key("511600", "*"), series(&[(365, 2)])),
        ]);
        let recomputed = BTreeMap::from([
            (key("511623", "tea"), series(&[(0, 1), (59, 2)])),
            (key("510000", "*"), series(&[(10, 4)])),
        ]);
        let found: Vec<(String, Option<NaiveDate>, i64, i64)> = differences(&served, &recomputed)
            .iter()
            .map(|d| (d.key.region.to_string(), d.date(), d.served, d.recomputed))
            .collect();
        let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d);
        assert_eq!(
            found,
            vec![
                ("510000".into(), day(1, 11), 0, 4),
                ("511600".into(), day(12, 31), 2, 0),
                ("511623".into(), day(2, 29), 3, 2),
            ]
        );
        assert!(differences(&served, &served).is_empty());
        let totals = BTreeMap::from([(key("511623", "tea"), 4), (key("511600", "*"), 2)]);
        let stale: Vec<(String, i64, i64)> = total_differences(&totals, &recomputed)
            .iter()
            .map(|d| (d.key.region.to_string(), d.served, d.recomputed))
            .collect();
        assert_eq!(
            stale,
            vec![
                ("510000".into(), 0, 4),
                ("511600".into(), 2, 0),
                ("511623".into(), 4, 3),
            ]
        );
        assert!(
            total_differences(&totals, &recomputed)
                .iter()
                .all(|d| d.date().is_none())
        );
    }
}
