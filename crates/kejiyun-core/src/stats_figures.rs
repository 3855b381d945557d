//! The figures of one region and date range, made from the stored year rows it reads: the
//! region's own rows (over all categories: the totals and the months; per category: the
//! category breakdown) and its children's rows over all categories (the ranking).
//!
//! Why the store hands over rows instead of sums: one statement fetches everything a dashboard
//! shows, and how a range slices a year lives here, beside the series it slices, where unit
//! tests reach it without a database.

use std::collections::BTreeMap;

use crate::stats::Metric;
use crate::stats::ports::StatsRange;
use crate::stats_series::{ALL_CATEGORIES, Series, SeriesKey, whole_years};

/// One stored year row as a report reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedRow {
    pub key: SeriesKey,
    /// The sum of the year's days as stored.
    pub total: i64,
    /// Read only where [`days_needed`] says so.
    pub days: Option<Series>,
}

/// Which part of a report a stored row feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRole {
    /// The region's own row over all categories: totals and months.
    Own,
    /// The region's own row of one category (or "" for none).
    OwnCategory,
    /// A child region's row over all categories.
    Child,
    /// Not part of this report.
    Other,
}

/// The role of a row with this key in a report of `range`.
pub fn role(range: &StatsRange, key: &SeriesKey) -> RowRole {
    let all = key.category == ALL_CATEGORIES;
    if key.region == range.region {
        if all {
            RowRole::Own
        } else {
            RowRole::OwnCategory
        }
    } else if all && key.parent() == Some(range.region) {
        RowRole::Child
    } else {
        RowRole::Other
    }
}

/// Whether a report of `range` needs the days of a row with this role: always for the months
/// (own rows), and for every row when the range cuts into a year. Elsewhere the stored total
/// is the row's whole contribution, and the 2.9 KB of days stay in the database.
pub fn days_needed(range: &StatsRange, role: RowRole) -> bool {
    match role {
        RowRole::Own => true,
        RowRole::OwnCategory | RowRole::Child => !whole_years(range.from, range.to),
        RowRole::Other => false,
    }
}

/// A region's figures over a date range: every metric's sum, and the three breakdowns as
/// `(key, metric, value)` rows without zeros, sorted by key then metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Metrics summing to zero are left out.
    pub totals: BTreeMap<Metric, i64>,
    /// By the region one level down; what was recorded at the region itself (all of it for a
    /// county) is reported under the region's own code.
    pub by_child: Vec<(String, Metric, i64)>,
    /// By calendar month, keyed `YYYYMM`.
    pub by_month: Vec<(String, Metric, i64)>,
    /// By category code ("" for records without one).
    pub by_category: Vec<(String, Metric, i64)>,
}

impl ServedRow {
    /// The row's sum over the range: its days inside the range, or its stored total when the
    /// days were not read (a whole-year range).
    fn sum(&self, range: &StatsRange) -> i64 {
        match &self.days {
            Some(s) => s.sum_within(self.key.year, range.from, range.to),
            None => self.total,
        }
    }

    /// Whether the row's year meets the range at all.
    fn in_years(&self, range: &StatsRange) -> bool {
        use chrono::Datelike;
        range.from.is_none_or(|f| self.key.year >= f.year())
            && range.to.is_none_or(|t| self.key.year <= t.year())
    }
}

fn rows_of(merged: BTreeMap<(String, Metric), i64>) -> Vec<(String, Metric, i64)> {
    merged
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .map(|((k, m), v)| (k, m, v))
        .collect()
}

impl Figures {
    /// Sums the rows a store read for `range` (rows outside the range's years or not part of
    /// its report are ignored, so a store may read a superset).
    pub fn of(range: &StatsRange, rows: &[ServedRow]) -> Self {
        let mut totals: BTreeMap<Metric, i64> = BTreeMap::new();
        let mut months: BTreeMap<(String, Metric), i64> = BTreeMap::new();
        let mut categories: BTreeMap<(String, Metric), i64> = BTreeMap::new();
        let mut children: BTreeMap<(String, Metric), i64> = BTreeMap::new();
        let mut in_children: BTreeMap<Metric, i64> = BTreeMap::new();
        for row in rows.iter().filter(|r| r.in_years(range)) {
            let metric = row.key.metric;
            match role(range, &row.key) {
                RowRole::Own => {
                    *totals.entry(metric).or_default() += row.sum(range);
                    if let Some(days) = &row.days {
                        for (month, v) in days.months_within(row.key.year, range.from, range.to) {
                            *months.entry((month.to_string(), metric)).or_default() += v;
                        }
                    }
                }
                RowRole::OwnCategory => {
                    let key = (row.key.category.to_owned(), metric);
                    *categories.entry(key).or_default() += row.sum(range);
                }
                RowRole::Child => {
                    let v = row.sum(range);
                    *in_children.entry(metric).or_default() += v;
                    *children
                        .entry((row.key.region.to_string(), metric))
                        .or_default() += v;
                }
                RowRole::Other => {}
            }
        }
        let here = range.region.to_string();
        for (metric, total) in &totals {
            let rest = total - in_children.get(metric).copied().unwrap_or(0);
            *children.entry((here.clone(), *metric)).or_default() += rest;
        }
        totals.retain(|_, v| *v != 0);
        Self {
            totals,
            by_child: rows_of(children),
            by_month: rows_of(months),
            by_category: rows_of(categories),
        }
    }
}

#[cfg(test)]
mod tests;
