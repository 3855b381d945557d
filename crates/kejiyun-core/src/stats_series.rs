//! Served figures as day series. Every region at every level keeps, per category (and over
//! all categories, [`ALL_CATEGORIES`]), per metric and per calendar year, one *series*: the
//! value of each Asia/Shanghai day of that year for the region's whole subtree. A day cell
//! (metric × day × region × category) adds to the series of the region itself, its city and
//! its province, for its category and for all categories ([`series_of`]).
//!
//! Why one row per year rather than one per day: a province's year is then six rows to read,
//! any date range is a slice of them (no day / month / year roll-up tables to keep in step),
//! and a rebuild writes tens of thousands of rows instead of millions.
//!
//! [`series_of`] is the one definition: the store applies it to every delta in the writer's
//! transaction, `rebuild` to the recomputed cells ([`series_all`]), and `verify` compares what
//! is served with [`series_all`] of the recomputed cells.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use integer_encoding::VarInt;

use crate::regions::RegionCode;
use crate::stats::{Cell, Metric};

/// The category of the series over every category ("" is a real key: no category).
pub const ALL_CATEGORIES: &str = "*";

/// Days in a series: day-of-year 0..=365 (the last one only in leap years).
pub const DAYS: usize = 366;

/// The first byte of a stored series: its format (sparse varints, [`Series::encode`]).
pub const FORMAT_SPARSE: u8 = 1;

/// The key of one series. The field order is the table's unique key order, so sorting keys
/// sorts them the way writers lock them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    pub region: RegionCode,
    /// A category code, "" (none) or [`ALL_CATEGORIES`].
    pub category: &'static str,
    pub metric: Metric,
    pub year: i32,
}

impl SeriesKey {
    /// The region one level up, for the child-region breakdown.
    pub fn parent(&self) -> Option<RegionCode> {
        self.region.parent()
    }
}

/// One year of daily values.
#[derive(Clone, PartialEq, Eq)]
pub struct Series(Box<[i64; DAYS]>);

impl std::fmt::Debug for Series {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days: Vec<(usize, i64)> = self.nonzero().collect();
        f.debug_tuple("Series").field(&days).finish()
    }
}

impl Default for Series {
    fn default() -> Self {
        Self(Box::new([0; DAYS]))
    }
}

/// The index of a day in its year's series.
pub fn day_index(d: NaiveDate) -> usize {
    // ordinal0 < 366: the cast cannot truncate.
    d.ordinal0() as usize
}

/// The inclusive day indexes of `year` inside `from..=to` (either end open), if any.
pub fn days_within(
    year: i32,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Option<(usize, usize)> {
    let lo = match from {
        Some(f) if f.year() > year => return None,
        Some(f) if f.year() == year => day_index(f),
        _ => 0,
    };
    let hi = match to {
        Some(t) if t.year() < year => return None,
        Some(t) if t.year() == year => day_index(t),
        _ => DAYS - 1,
    };
    (lo <= hi).then_some((lo, hi))
}

/// Whether `from..=to` (either end open) is made of whole calendar years, so every year row
/// it meets counts whole.
pub fn whole_years(from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    from.is_none_or(|f| f.ordinal0() == 0) && to.is_none_or(|t| t.month() == 12 && t.day() == 31)
}

impl Series {
    pub fn add(&mut self, day: usize, value: i64) {
        if let Some(v) = self.0.get_mut(day) {
            *v += value;
        }
    }

    pub fn add_series(&mut self, other: &Series) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }

    pub fn get(&self, day: usize) -> i64 {
        self.0.get(day).copied().unwrap_or(0)
    }

    /// `(day index, value)` of the days that are not zero.
    pub fn nonzero(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.0.iter().copied().enumerate().filter(|(_, v)| *v != 0)
    }

    /// Sum of the days of `year` (this series' year) inside `from..=to`.
    pub fn sum_within(&self, year: i32, from: Option<NaiveDate>, to: Option<NaiveDate>) -> i64 {
        days_within(year, from, to).map_or(0, |(lo, hi)| self.0[lo..=hi].iter().sum())
    }

    /// Sums per calendar month (`YYYYMM`) of the days inside `from..=to`; months summing to
    /// zero are left out.
    pub fn months_within(
        &self,
        year: i32,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Vec<(i32, i64)> {
        let Some((lo, hi)) = days_within(year, from, to) else {
            return Vec::new();
        };
        let mut out: Vec<(i32, i64)> = Vec::with_capacity(12);
        let mut month_start = 0usize;
        for month in 1..=12u32 {
            let next = NaiveDate::from_ymd_opt(year, month, 1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .map_or(DAYS, |n| if n.year() == year { day_index(n) } else { DAYS });
            let (a, b) = (month_start.max(lo), next.saturating_sub(1).min(hi));
            if a <= b {
                let sum: i64 = self.0[a..=b].iter().sum();
                if sum != 0 {
                    // month ≤ 12: the cast cannot truncate.
                    out.push((year * 100 + month as i32, sum));
                }
            }
            month_start = next;
        }
        out
    }

    /// The stored form: [`FORMAT_SPARSE`], then for each day that is not zero the number of
    /// days skipped since the previous one and the day's value, both varints (the value
    /// zigzag). Why not 366 fixed i64: most series are mostly zero days with small counts, so a
    /// row shrinks from 2.9 KB to tens or hundreds of bytes — what a rebuild writes, a write
    /// rewrites and a report reads.
    pub fn encode(&self) -> Vec<u8> {
        fn push<V: VarInt>(out: &mut Vec<u8>, v: V) {
            let mut buf = [0u8; 10];
            let n = v.encode_var(&mut buf);
            out.extend_from_slice(&buf[..n]);
        }
        let mut out = vec![FORMAT_SPARSE];
        let mut next = 0usize;
        for (day, v) in self.nonzero() {
            push(&mut out, (day - next) as u64);
            push(&mut out, v);
            next = day + 1;
        }
        out
    }

    /// The series of a stored value; `None` unless it is exactly what [`Series::encode`]
    /// writes for some series (a wrong format byte, a truncated varint, a day past the year's
    /// end or a zero value are corrupt).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (&format, mut rest) = bytes.split_first()?;
        if format != FORMAT_SPARSE {
            return None;
        }
        let mut s = Self::default();
        let mut next = 0usize;
        while !rest.is_empty() {
            let (gap, n) = u64::decode_var(rest)?;
            rest = rest.get(n..)?;
            let (value, n) = i64::decode_var(rest)?;
            rest = rest.get(n..)?;
            let day = next.checked_add(usize::try_from(gap).ok()?)?;
            if day >= DAYS || value == 0 {
                return None;
            }
            s.0[day] = value;
            next = day + 1;
        }
        Some(s)
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

/// Every series one day cell adds to (at the cell's [`day_index`]).
pub fn series_of(cell: &Cell) -> impl Iterator<Item = SeriesKey> + '_ {
    ancestors(cell.region).flat_map(move |region| {
        [cell.category, ALL_CATEGORIES].map(|category| SeriesKey {
            region,
            category,
            metric: cell.metric,
            year: cell.day.year(),
        })
    })
}

/// What a net delta of cells adds to each series it touches, in key (lock) order.
pub fn series_deltas(cells: &[(Cell, i64)]) -> BTreeMap<SeriesKey, Vec<(usize, i64)>> {
    let mut out: BTreeMap<SeriesKey, Vec<(usize, i64)>> = BTreeMap::new();
    for (cell, v) in cells {
        if *v == 0 {
            continue;
        }
        for key in series_of(cell) {
            out.entry(key).or_default().push((day_index(cell.day), *v));
        }
    }
    out
}

/// Every series of a set of cells (all-zero series left out): [`series_of`] summed over the
/// cells. Computed as each cell's own series first, then added up the region tree whole
/// series at a time, because rebuilds feed it millions of cells.
pub fn series_all<'a>(
    cells: impl IntoIterator<Item = (&'a Cell, &'a i64)>,
) -> BTreeMap<SeriesKey, Series> {
    let mut own: HashMap<SeriesKey, Series> = HashMap::new();
    for (cell, v) in cells {
        let key = SeriesKey {
            region: cell.region,
            category: cell.category,
            metric: cell.metric,
            year: cell.day.year(),
        };
        own.entry(key).or_default().add(day_index(cell.day), *v);
    }
    let mut out: BTreeMap<SeriesKey, Series> = BTreeMap::new();
    for (key, series) in &own {
        for region in ancestors(key.region) {
            for category in [key.category, ALL_CATEGORIES] {
                let k = SeriesKey {
                    region,
                    category,
                    ..*key
                };
                out.entry(k).or_default().add_series(series);
            }
        }
    }
    out.retain(|_, s| !s.is_zero());
    out
}

#[cfg(test)]
mod tests;
