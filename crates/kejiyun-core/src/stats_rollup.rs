//! Pre-aggregated served figures. A day cell (metric × day × region × category) also adds to
//! its roll-ups: every ancestor region (itself, its city, its province) × day / month / year ×
//! (its category, all categories). A query over a region and a date range then reads a
//! handful of rows per metric ([`spans`]) instead of every county's day cells.
//!
//! [`rollups_of`] is the one definition: the store applies it to every delta in the writer's
//! transaction, and `verify` recomputes the roll-ups from the recomputed cells with it.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate};

use crate::regions::RegionCode;
use crate::stats::{Cell, Metric};

/// The category of the roll-ups over every category ("" is a real key: no category).
pub const ALL_CATEGORIES: &str = "*";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    Day,
    Month,
    Year,
}

impl Grain {
    pub const ALL: [Self; 3] = [Self::Day, Self::Month, Self::Year];

    pub fn code(self) -> &'static str {
        match self {
            Self::Day => "d",
            Self::Month => "m",
            Self::Year => "y",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.code() == s)
    }

    /// The period a day falls in: `YYYYMMDD`, `YYYYMM` or `YYYY`.
    pub fn period(self, d: NaiveDate) -> i32 {
        // month ≤ 12 and day ≤ 31: the casts cannot truncate.
        let (y, m, day) = (d.year(), d.month() as i32, d.day() as i32);
        match self {
            Self::Day => y * 10_000 + m * 100 + day,
            Self::Month => y * 100 + m,
            Self::Year => y,
        }
    }
}

/// One pre-aggregated row. The field order is the table's unique key order, so sorting
/// roll-ups sorts them the way writers lock them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rollup {
    pub region: RegionCode,
    pub grain: Grain,
    pub period: i32,
    /// A category code, "" (none) or [`ALL_CATEGORIES`].
    pub category: &'static str,
    pub metric: Metric,
}

impl Rollup {
    /// The region one level up, for the child-region breakdown.
    pub fn parent(&self) -> Option<RegionCode> {
        self.region.parent()
    }
}

/// The region itself and every region above it.
fn ancestors(region: RegionCode) -> impl Iterator<Item = RegionCode> {
    let mut next = Some(region);
    std::iter::from_fn(move || {
        let here = next?;
        next = here.parent();
        Some(here)
    })
}

/// Every roll-up row one day cell adds `value` to.
pub fn rollups_of(cell: &Cell, value: i64) -> Vec<(Rollup, i64)> {
    let mut out = Vec::with_capacity(18);
    for region in ancestors(cell.region) {
        for grain in Grain::ALL {
            for category in [cell.category, ALL_CATEGORIES] {
                let r = Rollup {
                    region,
                    grain,
                    period: grain.period(cell.day),
                    category,
                    metric: cell.metric,
                };
                out.push((r, value));
            }
        }
    }
    out
}

/// The roll-ups of a set of cells (zero rows left out): `rollups_of` summed over the cells,
/// computed in two passes (day rows, then months and years from them) because rebuilds feed
/// it millions of cells.
pub fn rollup_all<'a>(cells: impl IntoIterator<Item = (&'a Cell, &'a i64)>) -> Vec<(Rollup, i64)> {
    let mut days: HashMap<(RegionCode, NaiveDate, &'static str, Metric), i64> = HashMap::new();
    for (cell, v) in cells {
        for region in ancestors(cell.region) {
            for category in [cell.category, ALL_CATEGORIES] {
                *days
                    .entry((region, cell.day, category, cell.metric))
                    .or_default() += *v;
            }
        }
    }
    let mut coarse: HashMap<Rollup, i64> = HashMap::new();
    let mut out = Vec::with_capacity(days.len() * 11 / 10);
    for ((region, day, category, metric), v) in days {
        for grain in [Grain::Month, Grain::Year] {
            let r = Rollup {
                region,
                grain,
                period: grain.period(day),
                category,
                metric,
            };
            *coarse.entry(r).or_default() += v;
        }
        let r = Rollup {
            region,
            grain: Grain::Day,
            period: Grain::Day.period(day),
            category,
            metric,
        };
        out.push((r, v));
    }
    out.extend(coarse);
    out.retain(|(_, v)| *v != 0);
    out.sort_unstable_by_key(|(r, _)| *r);
    out
}

/// `rollups_of` summed over `cells`, the straightforward way (for `verify` and tests).
pub fn rollups_of_cells<'a>(
    cells: impl IntoIterator<Item = (&'a Cell, &'a i64)>,
) -> BTreeMap<Rollup, i64> {
    let mut out: BTreeMap<Rollup, i64> = BTreeMap::new();
    for (cell, v) in cells {
        for (r, d) in rollups_of(cell, *v) {
            *out.entry(r).or_default() += d;
        }
    }
    out.retain(|_, v| *v != 0);
    out
}

/// An inclusive range of periods of one grain (`i32::MIN` / `i32::MAX`: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub grain: Grain,
    pub lo: i32,
    pub hi: i32,
}

impl Span {
    pub fn covers(&self, d: NaiveDate) -> bool {
        (self.lo..=self.hi).contains(&self.grain.period(d))
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    first_of_month(d)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX)
}

fn prev_day(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(1)).unwrap_or(NaiveDate::MIN)
}

/// Decomposes the inclusive range `from..=to` (either end open) into disjoint spans whose
/// periods cover exactly its days: leading days up to a month boundary, leading months up to
/// a year boundary, whole years, trailing months, trailing days. Without `years` (the month
/// breakdown) only day and month spans are used.
pub fn spans(from: Option<NaiveDate>, to: Option<NaiveDate>, years: bool) -> Vec<Span> {
    let mut out = Vec::with_capacity(5);
    let (mut a, mut b) = (from, to);
    let period = |g: Grain, d: Option<NaiveDate>, open: i32| d.map_or(open, |d| g.period(d));
    let empty =
        |a: Option<NaiveDate>, b: Option<NaiveDate>| matches!((a, b), (Some(a), Some(b)) if a > b);
    if empty(a, b) {
        return out;
    }
    // Leading days.
    if let Some(d) = a.filter(|d| d.day() != 1) {
        let end = last_of_month(d);
        let stop = b.map_or(end, |b| b.min(end));
        out.push(Span {
            grain: Grain::Day,
            lo: Grain::Day.period(d),
            hi: Grain::Day.period(stop),
        });
        a = Some(next_day(stop));
        if empty(a, b) || stop == NaiveDate::MAX {
            return out;
        }
    }
    // Trailing days (`a` is now a first of month or open, so they start on a first).
    let mut tail = Vec::with_capacity(3);
    if let Some(e) = b.filter(|e| *e != last_of_month(*e)) {
        let start = first_of_month(e);
        tail.push(Span {
            grain: Grain::Day,
            lo: Grain::Day.period(start),
            hi: Grain::Day.period(e),
        });
        b = Some(prev_day(start));
        if empty(a, b) || start == NaiveDate::MIN {
            out.extend(tail);
            return out;
        }
    }
    if !years {
        out.push(Span {
            grain: Grain::Month,
            lo: period(Grain::Month, a, i32::MIN),
            hi: period(Grain::Month, b, i32::MAX),
        });
        out.extend(tail);
        return out;
    }
    // Leading months up to a year boundary.
    if let Some(d) = a.filter(|d| d.month() != 1) {
        let year_end = NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(NaiveDate::MAX);
        let stop = b.map_or(year_end, |b| b.min(year_end));
        out.push(Span {
            grain: Grain::Month,
            lo: Grain::Month.period(d),
            hi: Grain::Month.period(stop),
        });
        a = Some(next_day(stop));
        if empty(a, b) || stop == NaiveDate::MAX {
            out.extend(tail);
            return out;
        }
    }
    // Trailing months back to a year boundary.
    if let Some(e) = b.filter(|e| e.month() != 12) {
        let start = NaiveDate::from_ymd_opt(e.year(), 1, 1).unwrap_or(NaiveDate::MIN);
        tail.insert(
            0,
            Span {
                grain: Grain::Month,
                lo: Grain::Month.period(start),
                hi: Grain::Month.period(e),
            },
        );
        b = Some(prev_day(start));
        if empty(a, b) || start == NaiveDate::MIN {
            out.extend(tail);
            return out;
        }
    }
    out.push(Span {
        grain: Grain::Year,
        lo: period(Grain::Year, a, i32::MIN),
        hi: period(Grain::Year, b, i32::MAX),
    });
    out.extend(tail);
    out
}

#[cfg(test)]
#[path = "stats_rollup_tests.rs"]
mod tests;
