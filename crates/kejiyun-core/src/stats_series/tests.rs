use std::collections::BTreeSet;

use chrono::Days;

use super::*;

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("valid")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A small deterministic generator (no rand in core).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn a_county_cell_adds_to_its_city_and_province_for_its_category_and_all() {
    let cell = Cell {
        metric: Metric::Deals,
        day: date(2025, 3, 9),
        region: code("511623"),
        category: "tea",
    };
    let keys: Vec<SeriesKey> = series_of(&cell).collect();
    assert_eq!(keys.len(), 6);
    let regions: BTreeSet<_> = keys.iter().map(|k| k.region).collect();
    assert_eq!(
        regions,
        BTreeSet::from([code("510000"), code("511600"), code("511623")])
    );
    let categories: BTreeSet<_> = keys.iter().map(|k| k.category).collect();
    assert_eq!(categories, BTreeSet::from(["tea", ALL_CATEGORIES]));
    assert!(
        keys.iter()
            .all(|k| k.year == 2025 && k.metric == Metric::Deals)
    );
    let county = keys.iter().find(|k| k.region == code("511623"));
    assert_eq!(county.and_then(|k| k.parent()), Some(code("511600")));
    let province = Cell {
        region: code("510000"),
        category: "",
        ..cell
    };
    let keys: Vec<SeriesKey> = series_of(&province).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.parent().is_none()));
}

fn random_cells(seed: u64, n: usize) -> BTreeMap<Cell, i64> {
    let regions = ["511623", "511621", "511600", "510000", "510104", "110101"];
    let categories = ["", "tea", "fruit"];
    let mut rng = Lcg(seed);
    let mut cells: BTreeMap<Cell, i64> = BTreeMap::new();
    for _ in 0..n {
        let cell = Cell {
            metric: Metric::ALL[rng.below(4) as usize],
            day: date(2023, 11, 1) + Days::new(rng.below(900)),
            region: code(regions[rng.below(6) as usize]),
            category: categories[rng.below(3) as usize],
        };
        // Some cells cancel out, as deltas do.
        *cells.entry(cell).or_default() += rng.below(7) as i64 - 3;
    }
    cells
}

#[test]
fn series_all_equals_the_deltas_of_every_cell() {
    let cells = random_cells(7, 3000);
    let fast = series_all(&cells);
    let list: Vec<(Cell, i64)> = cells.iter().map(|(c, v)| (*c, *v)).collect();
    let mut slow: BTreeMap<SeriesKey, Series> = BTreeMap::new();
    for (key, adds) in series_deltas(&list) {
        let s = slow.entry(key).or_default();
        for (day, v) in adds {
            s.add(day, v);
        }
    }
    slow.retain(|_, s| !s.is_zero());
    assert_eq!(fast, slow);
    assert!(fast.values().all(|s| !s.is_zero()));
    // Every cell is in its own series and in the province's all-category one.
    let total: i64 = cells.values().sum();
    let provinces: i64 = fast
        .iter()
        .filter(|(k, _)| k.parent().is_none() && k.category == ALL_CATEGORIES)
        .map(|(_, s)| s.sum_within(0, None, None))
        .sum();
    assert_eq!(provinces, total);
}

/// The sum over `from..=to` of one region's series, the slow way: every day of the cells.
fn brute(cells: &BTreeMap<Cell, i64>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> i64 {
    cells
        .iter()
        .filter(|(c, _)| c.region.province() == code("510000"))
        .filter(|(c, _)| from.is_none_or(|f| c.day >= f) && to.is_none_or(|t| c.day <= t))
        .map(|(_, v)| *v)
        .sum()
}

#[test]
fn ranges_sum_exactly_the_days_inside_them() {
    let cells = random_cells(11, 2000);
    let series = series_all(&cells);
    let province: Vec<(&SeriesKey, &Series)> = series
        .iter()
        .filter(|(k, _)| k.region == code("510000") && k.category == ALL_CATEGORIES)
        .collect();
    let served = |from, to| -> (i64, i64) {
        let total = province
            .iter()
            .map(|(k, s)| s.sum_within(k.year, from, to))
            .sum();
        let by_month = province
            .iter()
            .flat_map(|(k, s)| s.months_within(k.year, from, to))
            .map(|(_, v)| v)
            .sum();
        (total, by_month)
    };
    let special = [
        date(2024, 1, 1),
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
        date(2024, 12, 31),
        date(2025, 1, 1),
        date(2025, 6, 15),
    ];
    let mut bounds: Vec<Option<NaiveDate>> = special.iter().copied().map(Some).collect();
    bounds.push(None);
    let mut rng = Lcg(20_261_129);
    for _ in 0..300 {
        let a = date(2023, 10, 1) + Days::new(rng.below(1000));
        bounds.push(Some(a));
    }
    for (i, f) in bounds.iter().enumerate() {
        let t = bounds[(i * 7 + 3) % bounds.len()];
        for (from, to) in [(*f, t), (*f, *f), (None, *f), (*f, None)] {
            let want = brute(&cells, from, to);
            assert_eq!(served(from, to), (want, want), "{from:?}..={to:?}");
        }
    }
}

#[test]
fn months_and_leap_days_land_in_their_month() {
    let mut s = Series::default();
    s.add(day_index(date(2024, 2, 29)), 5);
    s.add(day_index(date(2024, 12, 31)), 7);
    s.add(day_index(date(2024, 3, 1)), 1);
    assert_eq!(day_index(date(2024, 12, 31)), 365);
    assert_eq!(
        s.months_within(2024, None, None),
        vec![(202_402, 5), (202_403, 1), (202_412, 7)]
    );
    assert_eq!(
        s.sum_within(2024, Some(date(2024, 3, 1)), Some(date(2024, 3, 1))),
        1
    );
    assert_eq!(s.sum_within(2024, Some(date(2024, 3, 2)), None), 7);
    assert_eq!(s.sum_within(2024, Some(date(2025, 1, 1)), None), 0);
    assert_eq!(
        s.sum_within(2024, Some(date(2024, 6, 1)), Some(date(2024, 5, 1))),
        0
    );
}

#[test]
fn series_round_trip_through_their_stored_form() {
    let mut s = Series::default();
    s.add(0, -3);
    s.add(1, 1);
    s.add(200, i64::MAX);
    s.add(201, i64::MIN);
    s.add(365, 42);
    let bytes = s.encode();
    assert_eq!(bytes[0], FORMAT_SPARSE);
    assert_eq!(Series::decode(&bytes), Some(s.clone()));
    // Zero days take no room: an empty series is its format byte; a small count is 2 bytes.
    assert_eq!(Series::default().encode(), vec![FORMAT_SPARSE]);
    assert_eq!(Series::decode(&[FORMAT_SPARSE]), Some(Series::default()));
    let mut one = Series::default();
    one.add(100, 7);
    assert_eq!(one.encode().len(), 3);
    // Every series of every day and value round-trips.
    let mut dense = Series::default();
    for day in 0..DAYS {
        dense.add(day, (day as i64 - 180) * 1_000_003);
    }
    assert_eq!(Series::decode(&dense.encode()), Some(dense));
}

#[test]
fn corrupt_stored_series_are_refused() {
    let mut s = Series::default();
    s.add(3, 300);
    s.add(365, 1);
    let bytes = s.encode();
    assert_eq!(Series::decode(&[]), None, "no format byte");
    assert_eq!(Series::decode(&bytes[1..]), None, "no format byte");
    assert_eq!(Series::decode(&[0; 2928]), None, "the old fixed form");
    assert_eq!(Series::decode(&bytes[..bytes.len() - 1]), None, "truncated");
    // A day past the end of the year; a stored zero (never written, so not canonical).
    assert_eq!(Series::decode(&[FORMAT_SPARSE, 0x80, 0x03, 2]), None);
    assert_eq!(Series::decode(&[FORMAT_SPARSE, 5, 0]), None);
    // An unterminated varint.
    assert_eq!(Series::decode(&[FORMAT_SPARSE, 0xff]), None);
    assert_eq!(Series::decode(&[FORMAT_SPARSE, 0, 0xff, 0xff]), None);
}
