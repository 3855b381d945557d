use std::collections::BTreeSet;

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
fn a_county_cell_rolls_up_to_its_city_and_province() {
    let cell = Cell {
        metric: Metric::Deals,
        day: date(2025, 3, 9),
        region: code("511623"),
        category: "tea",
    };
    let rows = rollups_of(&cell, 2);
    assert_eq!(rows.len(), 18);
    assert!(rows.iter().all(|(_, v)| *v == 2));
    let regions: BTreeSet<_> = rows.iter().map(|(r, _)| r.region).collect();
    assert_eq!(
        regions,
        BTreeSet::from([code("510000"), code("511600"), code("511623")])
    );
    let periods: BTreeSet<_> = rows.iter().map(|(r, _)| (r.grain, r.period)).collect();
    assert_eq!(
        periods,
        BTreeSet::from([
            (Grain::Day, 20_250_309),
            (Grain::Month, 202_503),
            (Grain::Year, 2025)
        ])
    );
    let categories: BTreeSet<_> = rows.iter().map(|(r, _)| r.category).collect();
    assert_eq!(categories, BTreeSet::from(["tea", ALL_CATEGORIES]));
    let county = rows.iter().find(|(r, _)| r.region == code("511623"));
    assert_eq!(county.and_then(|(r, _)| r.parent()), Some(code("511600")));
    let province = Cell {
        region: code("510000"),
        category: "",
        ..cell
    };
    let rows = rollups_of(&province, 1);
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|(r, _)| r.parent().is_none()));
}

#[test]
fn rollup_all_equals_rollups_of_every_cell() {
    let regions = ["511623", "511621", "511600", "510000", "510104", "110101"];
    let categories = ["", "tea", "fruit"];
    let mut rng = Lcg(7);
    let mut cells: BTreeMap<Cell, i64> = BTreeMap::new();
    for _ in 0..3000 {
        let cell = Cell {
            metric: Metric::ALL[rng.below(4) as usize],
            day: date(2024, 11, 1) + Days::new(rng.below(500)),
            region: code(regions[rng.below(6) as usize]),
            category: categories[rng.below(3) as usize],
        };
        // Some cells cancel out, as deltas do.
        *cells.entry(cell).or_default() += rng.below(7) as i64 - 3;
    }
    let fast: BTreeMap<Rollup, i64> = rollup_all(&cells).into_iter().collect();
    assert_eq!(fast, rollups_of_cells(&cells));
    assert!(fast.values().all(|v| *v != 0));
}

fn check(from: Option<NaiveDate>, to: Option<NaiveDate>, years: bool) {
    let s = spans(from, to, years);
    assert!(s.len() <= 5, "{from:?}..{to:?}: {s:?}");
    if !years {
        assert!(s.iter().all(|s| s.grain != Grain::Year), "{s:?}");
    }
    let mut d = date(2022, 10, 1);
    while d <= date(2027, 3, 31) {
        let want = from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t);
        let covering = s.iter().filter(|s| s.covers(d)).count();
        assert_eq!(
            covering,
            usize::from(want),
            "{d} in {from:?}..{to:?} with years={years}: {s:?}"
        );
        d = d.succ_opt().expect("next day");
    }
}

#[test]
fn spans_cover_every_day_of_the_range_exactly_once() {
    let day = |n: u64| date(2023, 1, 1) + Days::new(n);
    // Boundaries that matter: month and year ends, single days, open ends.
    let special = [
        date(2023, 1, 1),
        date(2023, 12, 31),
        date(2024, 1, 1),
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
        date(2024, 12, 1),
        date(2024, 12, 31),
        date(2025, 6, 15),
    ];
    let mut bounds: Vec<Option<NaiveDate>> = special.iter().copied().map(Some).collect();
    bounds.push(None);
    for years in [true, false] {
        for f in &bounds {
            for t in &bounds {
                check(*f, *t, years);
            }
        }
    }
    let mut rng = Lcg(20_261_129);
    for _ in 0..400 {
        let a = day(rng.below(1400));
        let span = if rng.below(2) == 0 { 40 } else { 900 };
        let b = a + Days::new(rng.below(span));
        let open = rng.below(8);
        let from = (open != 0).then_some(a);
        let to = (open != 1).then_some(b);
        check(from, to, rng.below(3) != 0);
    }
}

#[test]
fn aligned_ranges_read_few_spans() {
    let year = spans(Some(date(2025, 1, 1)), Some(date(2025, 12, 31)), true);
    assert_eq!(
        year,
        vec![Span {
            grain: Grain::Year,
            lo: 2025,
            hi: 2025
        }]
    );
    let by_month = spans(Some(date(2025, 1, 1)), Some(date(2025, 12, 31)), false);
    assert_eq!(
        by_month,
        vec![Span {
            grain: Grain::Month,
            lo: 202_501,
            hi: 202_512
        }]
    );
    assert!(spans(Some(date(2025, 2, 1)), Some(date(2025, 1, 31)), true).is_empty());
    let all = spans(None, None, true);
    assert_eq!(
        all,
        vec![Span {
            grain: Grain::Year,
            lo: i32::MIN,
            hi: i32::MAX
        }]
    );
}
