use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::regions::RegionCode;
use crate::stats_series::day_index;

fn code(s: &str) -> RegionCode {
    s.parse().expect("a region code")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// A row of `region`/`category` for `metric` in 2025 with `values` on the given days.
fn row(
    region: &str,
    category: &'static str,
    metric: Metric,
    values: &[(NaiveDate, i64)],
) -> ServedRow {
    let mut days = Series::default();
    for (d, v) in values {
        days.add(day_index(*d), *v);
    }
    ServedRow {
        key: SeriesKey {
            region: code(region),
            category,
            metric,
            year: 2025,
        },
        total: days.total(),
        days: Some(days),
    }
}

fn range(region: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) -> StatsRange {
    StatsRange {
        region: code(region),
        from,
        to,
    }
}

/// 广安市 (511600) has 3 deals of its own in 2025: two in 邻水县 (511623) and one recorded at
/// the city itself; one of them is in 柑橘 (fruit), two have no category.
fn city_rows() -> Vec<ServedRow> {
    let (jan, feb) = (date(2025, 1, 31), date(2025, 2, 1));
    vec![
        row("511600", "*", Metric::Deals, &[(jan, 2), (feb, 1)]),
        row("511600", "fruit", Metric::Deals, &[(jan, 1)]),
        row("511600", "", Metric::Deals, &[(jan, 1), (feb, 1)]),
        row("511623", "*", Metric::Deals, &[(jan, 1), (feb, 1)]),
        // Not part of a report of 511600: another city's row and a grandchild's category row.
        row("511300", "*", Metric::Deals, &[(jan, 7)]),
        row("511623", "fruit", Metric::Deals, &[(jan, 1)]),
    ]
}

#[test]
fn roles_follow_the_region_tree() {
    let r = range("511600", None, None);
    let key = |region: &str, category: &'static str| SeriesKey {
        region: code(region),
        category,
        metric: Metric::Deals,
        year: 2025,
    };
    assert_eq!(role(&r, &key("511600", "*")), RowRole::Own);
    assert_eq!(role(&r, &key("511600", "")), RowRole::OwnCategory);
    assert_eq!(role(&r, &key("511623", "*")), RowRole::Child);
    assert_eq!(role(&r, &key("511623", "fruit")), RowRole::Other);
    assert_eq!(role(&r, &key("510000", "*")), RowRole::Other);
    // Whole years read the children's and categories' totals only; a cut year reads days.
    assert!(days_needed(&r, RowRole::Own));
    assert!(!days_needed(&r, RowRole::Child));
    let cut = range("511600", Some(date(2025, 2, 1)), None);
    assert!(days_needed(&cut, RowRole::Child));
    assert!(days_needed(&cut, RowRole::OwnCategory));
}

#[test]
fn a_whole_year_sums_totals_breakdowns_and_the_rest_at_the_region_itself() {
    let f = Figures::of(&range("511600", None, None), &city_rows());
    assert_eq!(f.totals, BTreeMap::from([(Metric::Deals, 3)]));
    let d = Metric::Deals;
    assert_eq!(
        f.by_child,
        vec![("511600".into(), d, 1), ("511623".into(), d, 2)]
    );
    assert_eq!(
        f.by_month,
        vec![("202501".into(), d, 2), ("202502".into(), d, 1)]
    );
    assert_eq!(
        f.by_category,
        vec![("".into(), d, 2), ("fruit".into(), d, 1)]
    );
}

#[test]
fn a_range_that_cuts_a_year_sums_only_its_days() {
    let feb = date(2025, 2, 1);
    let f = Figures::of(&range("511600", Some(feb), Some(feb)), &city_rows());
    let d = Metric::Deals;
    assert_eq!(f.totals, BTreeMap::from([(d, 1)]));
    // Both deals of the day are in 511623; nothing is left at the city itself.
    assert_eq!(f.by_child, vec![("511623".into(), d, 1)]);
    assert_eq!(f.by_month, vec![("202502".into(), d, 1)]);
    assert_eq!(f.by_category, vec![("".into(), d, 1)]);
}

#[test]
fn rows_without_days_count_their_total_and_other_years_are_ignored() {
    let mut rows = city_rows();
    for r in &mut rows {
        if r.key.category != "*" || r.key.region != code("511600") {
            r.days = None;
        }
    }
    let mut old = row("511600", "*", Metric::Deals, &[(date(2025, 3, 1), 5)]);
    old.key.year = 2024;
    rows.push(old);
    let year = range("511600", Some(date(2025, 1, 1)), Some(date(2025, 12, 31)));
    let f = Figures::of(&year, &rows);
    assert_eq!(f.totals, BTreeMap::from([(Metric::Deals, 3)]));
    assert_eq!(f.by_child.len(), 2, "{:?}", f.by_child);
}

#[test]
fn nothing_read_gives_empty_figures() {
    assert_eq!(
        Figures::of(&range("510000", None, None), &[]),
        Figures::default()
    );
}
