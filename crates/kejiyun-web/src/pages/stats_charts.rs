//! What the dashboard's charts draw, shaped here rather than in the browser: every label in the
//! page's language, the trend's months filled in between the range's ends (a month without
//! records is a zero, not a gap), the style a few points call for, the ranking with its
//! regions that have nothing yet, and the big screen's tile grid of the child regions. The
//! page carries it as JSON in `data-charts`; `static/stats.js` only turns it into ECharts
//! options (sizes, colours, where legends go on a narrow screen).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use kejiyun_core::app::stats::{Group, StatsReport};
use kejiyun_core::stats::Metric;
use serde::Serialize;

use super::stats::{figure, month_label, ranked};

/// The texts the charts show, in the page's language.
pub struct ChartText {
    /// Every metric's name.
    pub metrics: BTreeMap<Metric, String>,
    /// `万元` / `10k yuan`.
    pub unit_wan: String,
    /// The count axis' name.
    pub count_axis: String,
    /// Shown in place of a chart with nothing to draw.
    pub empty: String,
    /// Beside a region that has nothing counted.
    pub nothing_yet: String,
}

impl ChartText {
    fn metric(&self, m: Metric) -> String {
        self.metrics
            .get(&m)
            .cloned()
            .unwrap_or_else(|| m.key().to_owned())
    }

    /// A series' name: the metric, with its unit for amounts.
    fn series_name(&self, m: Metric) -> String {
        if m.is_amount() {
            format!("{} ({})", self.metric(m), self.unit_wan)
        } else {
            self.metric(m)
        }
    }
}

/// A value as a chart plots it: counts as integers, amounts in 万元 (two decimals).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Count(i64),
    Wan(f64),
}

impl Value {
    pub fn of(m: Metric, v: i64) -> Self {
        if m.is_amount() {
            // Fen → 万元, rounded to the fen-hundred the tables show.
            Self::Wan((v as f64 / 10_000.0).round() / 100.0)
        } else {
            Self::Count(v)
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Series {
    pub name: String,
    /// Plotted on the amount axis (万元) rather than the count axis.
    pub amount: bool,
    pub data: Vec<Value>,
}

/// How the trend is drawn, by how much there is to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendStyle {
    /// Nothing counted in the range: a message instead of empty axes.
    Empty,
    /// One or two months: narrow bars side by side, each with its value (a line between two
    /// points overstates a trend; points of equal value would hide each other).
    Few,
    /// Three months or more: lines, the amount as bars of capped width.
    Lines,
}

impl TrendStyle {
    pub fn of(months: usize, anything: bool) -> Self {
        match (anything, months) {
            (false, _) | (_, 0) => Self::Empty,
            (true, 1..=2) => Self::Few,
            _ => Self::Lines,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Trend {
    pub style: TrendStyle,
    /// `2026-08`, one per month from the first to the last, without gaps.
    pub months: Vec<String>,
    pub count_axis: String,
    pub amount_axis: String,
    pub series: Vec<Series>,
}

#[derive(Debug, Serialize)]
pub struct Ranking {
    /// Largest first, every child region (those with nothing yet last).
    pub regions: Vec<String>,
    /// Per region: nothing counted at all (marked on the axis, as in the table).
    pub zero: Vec<bool>,
    pub nothing_yet: String,
    pub series: Vec<Series>,
}

#[derive(Debug, Serialize)]
pub struct Slice {
    pub name: String,
    pub value: i64,
}

#[derive(Debug, Serialize)]
pub struct Pie {
    /// What the slices count.
    pub name: String,
    /// Largest first; categories with nothing are left out.
    pub items: Vec<Slice>,
}

#[derive(Debug, Serialize)]
pub struct GridMetric {
    pub key: &'static str,
    pub label: String,
    pub unit: String,
}

/// One child region's tile: its place in the grid and its value of every metric.
#[derive(Debug, Serialize)]
pub struct Tile {
    pub code: String,
    pub name: String,
    pub x: usize,
    pub y: usize,
    /// In the order of `TileGrid::metrics`.
    pub values: Vec<Value>,
    /// The same values as the figures show them.
    pub shown: Vec<String>,
}

/// The big screen's map of the child regions: one tile each, in code order, coloured by the
/// selected figure. A tile grid, not boundaries: no boundary data with a licence that allows
/// shipping it was found (docs/operations.md).
#[derive(Debug, Serialize)]
pub struct TileGrid {
    pub cols: usize,
    pub rows: usize,
    pub metrics: Vec<GridMetric>,
    /// Index into `metrics`.
    pub selected: usize,
    pub tiles: Vec<Tile>,
}

#[derive(Debug, Serialize)]
pub struct Charts {
    pub empty: String,
    pub trend: Trend,
    pub ranking: Ranking,
    pub category: Pie,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid: Option<TileGrid>,
    /// Every figure as the cards show it, for the big screen's refresh.
    pub figures: BTreeMap<&'static str, String>,
}

/// What the trend plots: the four counts and the deal amount.
const TREND: [Metric; 5] = [
    Metric::ServicesPublished,
    Metric::NeedsPublished,
    Metric::Deals,
    Metric::AchievementsPublished,
    Metric::DealAmount,
];
/// What the ranking stacks.
const RANKING: [Metric; 3] = [
    Metric::ServicesPublished,
    Metric::NeedsPublished,
    Metric::Deals,
];
/// What a category's slice counts: the postings published in it.
const CATEGORY: [Metric; 3] = [
    Metric::NeedsPublished,
    Metric::ServicesPublished,
    Metric::AchievementsPublished,
];
/// A trend longer than this is cut to the months that have figures (a range from 1900 is not
/// 1,500 empty months).
const MAX_MONTHS: i32 = 120;

/// A month as a number: months since year 0.
fn month_index(year: i32, month: u32) -> i32 {
    year * 12 + month as i32 - 1
}

fn month_of_key(key: &str) -> Option<i32> {
    if key.len() != 6 || !key.is_ascii() {
        return None;
    }
    let year: i32 = key[..4].parse().ok()?;
    let month: u32 = key[4..].parse().ok()?;
    (1..=12).contains(&month).then(|| month_index(year, month))
}

fn month_key(index: i32) -> String {
    format!("{:04}{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
}

/// The months the trend shows (`YYYYMM`): from the range's first month (or the first with
/// figures) to its last (or the last with figures), every month in between. Empty when there
/// is neither a range end nor a figure to start or end at.
pub fn month_span(from: Option<NaiveDate>, to: Option<NaiveDate>, keys: &[&str]) -> Vec<String> {
    let data: Vec<i32> = keys.iter().filter_map(|k| month_of_key(k)).collect();
    let (data_first, data_last) = (data.iter().min().copied(), data.iter().max().copied());
    let first = from
        .map(|d| month_index(d.year(), d.month()))
        .or(data_first);
    let last = to.map(|d| month_index(d.year(), d.month())).or(data_last);
    let (Some(mut first), Some(mut last)) = (first, last) else {
        return Vec::new();
    };
    if last - first >= MAX_MONTHS {
        match (data_first, data_last) {
            (Some(a), Some(b)) => (first, last) = (a.max(first), b.min(last)),
            _ => return Vec::new(),
        }
    }
    (first..=last).map(month_key).collect()
}

fn value(g: &Group, m: Metric) -> i64 {
    g.values.get(&m).copied().unwrap_or(0)
}

pub fn trend(text: &ChartText, report: &StatsReport) -> Trend {
    let keys: Vec<&str> = report.by_month.iter().map(|g| g.key.as_str()).collect();
    let months = month_span(report.range.from, report.range.to, &keys);
    let by_key: BTreeMap<&str, &Group> = report
        .by_month
        .iter()
        .map(|g| (g.key.as_str(), g))
        .collect();
    let series: Vec<Series> = TREND
        .iter()
        .map(|m| Series {
            name: text.series_name(*m),
            amount: m.is_amount(),
            data: months
                .iter()
                .map(|k| Value::of(*m, by_key.get(k.as_str()).map_or(0, |g| value(g, *m))))
                .collect(),
        })
        .collect();
    let anything = report
        .by_month
        .iter()
        .any(|g| TREND.iter().any(|m| value(g, *m) != 0));
    Trend {
        style: TrendStyle::of(months.len(), anything),
        months: months.iter().map(|k| month_label(k)).collect(),
        count_axis: text.count_axis.clone(),
        amount_axis: text.unit_wan.clone(),
        series,
    }
}

pub fn ranking(
    text: &ChartText,
    report: &StatsReport,
    region_name: &dyn Fn(&str) -> String,
) -> Ranking {
    let kids = ranked(&report.by_child);
    Ranking {
        regions: kids.iter().map(|g| region_name(&g.key)).collect(),
        zero: kids
            .iter()
            .map(|g| g.values.values().all(|v| *v == 0))
            .collect(),
        nothing_yet: text.nothing_yet.clone(),
        series: RANKING
            .iter()
            .map(|m| Series {
                name: text.series_name(*m),
                amount: false,
                data: kids.iter().map(|g| Value::of(*m, value(g, *m))).collect(),
            })
            .collect(),
    }
}

pub fn category(
    text: &ChartText,
    report: &StatsReport,
    category_name: &dyn Fn(&str) -> String,
) -> Pie {
    let mut items: Vec<Slice> = report
        .by_category
        .iter()
        .map(|g| Slice {
            name: category_name(&g.key),
            value: CATEGORY.iter().map(|m| value(g, *m)).sum(),
        })
        .filter(|s| s.value > 0)
        .collect();
    // Largest first, so the legend reads like a ranking; the sort is stable for ties.
    items.sort_by_key(|s| std::cmp::Reverse(s.value));
    Pie {
        name: CATEGORY
            .iter()
            .map(|m| text.metric(*m))
            .collect::<Vec<_>>()
            .join(" + "),
        items,
    }
}

/// Columns and rows of a grid of `n` tiles: as square as it gets, at least one column.
pub fn grid_shape(n: usize) -> (usize, usize) {
    if n == 0 {
        return (0, 0);
    }
    let mut cols = 1;
    while cols * cols < n {
        cols += 1;
    }
    (cols, n.div_ceil(cols))
}

/// The tile grid of the region's children (its own code, under which what was recorded at the
/// region itself is reported, is not a child and has no tile), in code order.
pub fn tile_grid(
    text: &ChartText,
    report: &StatsReport,
    region_name: &dyn Fn(&str) -> String,
    selected: Metric,
) -> TileGrid {
    let own = report.range.region.to_string();
    let mut kids: Vec<&Group> = report.by_child.iter().filter(|g| g.key != own).collect();
    kids.sort_by(|a, b| a.key.cmp(&b.key));
    let (cols, rows) = grid_shape(kids.len());
    TileGrid {
        cols,
        rows,
        metrics: Metric::ALL
            .iter()
            .map(|m| GridMetric {
                key: m.key(),
                label: text.metric(*m),
                unit: if m.is_amount() {
                    text.unit_wan.clone()
                } else {
                    String::new()
                },
            })
            .collect(),
        selected: Metric::ALL.iter().position(|m| *m == selected).unwrap_or(0),
        tiles: kids
            .iter()
            .enumerate()
            .map(|(i, g)| Tile {
                code: g.key.clone(),
                name: region_name(&g.key),
                x: i % cols.max(1),
                y: i / cols.max(1),
                values: Metric::ALL
                    .iter()
                    .map(|m| Value::of(*m, value(g, *m)))
                    .collect(),
                shown: Metric::ALL
                    .iter()
                    .map(|m| figure(*m, value(g, *m)))
                    .collect(),
            })
            .collect(),
    }
}

pub fn figures(report: &StatsReport) -> BTreeMap<&'static str, String> {
    Metric::ALL
        .iter()
        .map(|m| {
            (
                m.key(),
                figure(*m, report.totals.get(m).copied().unwrap_or(0)),
            )
        })
        .collect()
}

/// The page's `data-charts` JSON. Only what is serialized here reaches the browser, and
/// askama escapes it for the attribute.
pub fn to_json(charts: &Charts) -> String {
    serde_json::to_string(charts).unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kejiyun_core::regions::RegionCode;
    use kejiyun_core::stats::ports::StatsRange;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn text(en: bool) -> ChartText {
        ChartText {
            metrics: Metric::ALL
                .iter()
                .map(|m| {
                    let label = if en {
                        crate::i18n::t(crate::i18n::Lang::En, &format!("metric.{}", m.key()))
                            .to_owned()
                    } else {
                        m.label_zh().to_owned()
                    };
                    (*m, label)
                })
                .collect(),
            unit_wan: if en { "10k yuan" } else { "万元" }.to_owned(),
            count_axis: if en { "Count" } else { "数量" }.to_owned(),
            empty: if en { "No figures" } else { "暂无数据" }.to_owned(),
            nothing_yet: if en { "nothing yet" } else { "尚无数据" }.to_owned(),
        }
    }

    fn group(key: &str, values: &[(Metric, i64)]) -> Group {
        Group {
            key: key.to_owned(),
            values: values.iter().copied().collect(),
        }
    }

    fn report(
        region: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        by_month: Vec<Group>,
        by_child: Vec<Group>,
    ) -> StatsReport {
        StatsReport {
            range: StatsRange {
                region: RegionCode::parse(region).unwrap_or_else(|_| unreachable!()),
                from,
                to,
            },
            totals: BTreeMap::new(),
            by_child,
            by_month,
            by_category: Vec::new(),
        }
    }

    #[test]
    fn months_are_filled_between_the_ranges_ends() {
        let span = month_span(Some(day(2026, 1, 1)), Some(day(2026, 4, 30)), &["202603"]);
        assert_eq!(span, ["202601", "202602", "202603", "202604"]);
        // Open ends start and end at the figures, across a new year.
        let span = month_span(None, None, &["202612", "202702"]);
        assert_eq!(span, ["202612", "202701", "202702"]);
        assert_eq!(month_span(None, None, &["202608"]), ["202608"]);
        assert!(month_span(None, None, &[]).is_empty());
        // Malformed keys are ignored rather than drawn.
        assert!(month_span(None, None, &["2026-8", "202613", "abcdef"]).is_empty());
        // A range reaching back a century is cut to the months with figures …
        let span = month_span(Some(day(1900, 1, 1)), Some(day(2026, 8, 17)), &["202607"]);
        assert_eq!(span, ["202607"]);
        // … and without figures it has nothing worth drawing.
        assert!(month_span(Some(day(1900, 1, 1)), Some(day(2026, 8, 17)), &[]).is_empty());
        // A range ending before it starts draws nothing.
        assert!(month_span(Some(day(2026, 5, 1)), Some(day(2026, 4, 1)), &[]).is_empty());
    }

    #[test]
    fn few_months_are_drawn_as_bars_and_none_as_a_message() {
        assert_eq!(TrendStyle::of(0, false), TrendStyle::Empty);
        assert_eq!(TrendStyle::of(3, false), TrendStyle::Empty);
        assert_eq!(TrendStyle::of(1, true), TrendStyle::Few);
        assert_eq!(TrendStyle::of(2, true), TrendStyle::Few);
        assert_eq!(TrendStyle::of(3, true), TrendStyle::Lines);
    }

    #[test]
    fn one_month_of_data_in_a_quarter_is_three_points_with_zeros() {
        let r = report(
            "511600",
            Some(day(2026, 7, 1)),
            Some(day(2026, 9, 30)),
            vec![group(
                "202608",
                &[(Metric::Deals, 2), (Metric::DealAmount, 123_456)],
            )],
            Vec::new(),
        );
        let t = trend(&text(false), &r);
        assert_eq!(t.style, TrendStyle::Lines);
        assert_eq!(t.months, ["2026-07", "2026-08", "2026-09"]);
        let deals = t.series.iter().find(|s| s.name == "达成交易");
        assert_eq!(
            deals.map(|s| s.data.clone()),
            Some(vec![Value::Count(0), Value::Count(2), Value::Count(0)])
        );
        let amount = t.series.iter().find(|s| s.amount);
        assert_eq!(amount.map(|s| s.name.as_str()), Some("交易金额 (万元)"));
        assert_eq!(amount.map(|s| s.data[1]), Some(Value::Wan(0.12)));
        // The same month alone (all time) is one group of bars.
        let r = report("511600", None, None, r.by_month, Vec::new());
        assert_eq!(trend(&text(false), &r).style, TrendStyle::Few);
        // Nothing at all: the message.
        let r = report(
            "511600",
            Some(day(2026, 1, 1)),
            None,
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(trend(&text(false), &r).style, TrendStyle::Empty);
    }

    #[test]
    fn english_pages_name_series_and_axes_in_english() {
        let r = report("511600", None, None, Vec::new(), Vec::new());
        let t = trend(&text(true), &r);
        let names: Vec<&str> = t.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Services published",
                "Needs published",
                "Deals",
                "Achievements published",
                "Deal amount (10k yuan)"
            ]
        );
        assert_eq!(
            (t.count_axis.as_str(), t.amount_axis.as_str()),
            ("Count", "10k yuan")
        );
        let json = to_json(&Charts {
            empty: "No figures".into(),
            trend: t,
            ranking: ranking(&text(true), &r, &|k| k.to_owned()),
            category: category(&text(true), &r, &|k| k.to_owned()),
            grid: None,
            figures: figures(&r),
        });
        assert!(
            !json.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{json}"
        );
    }

    #[test]
    fn the_ranking_keeps_regions_with_nothing_and_marks_them() {
        let r = report(
            "511600",
            None,
            None,
            Vec::new(),
            vec![
                group("511621", &[(Metric::Deals, 0)]),
                group(
                    "511602",
                    &[(Metric::Deals, 3), (Metric::ServicesPublished, 1)],
                ),
            ],
        );
        let k = ranking(&text(false), &r, &|code| format!("R{code}"));
        assert_eq!(k.regions, ["R511602", "R511621"]);
        assert_eq!(k.zero, [false, true]);
        assert_eq!(k.series[2].data, [Value::Count(3), Value::Count(0)]);
    }

    #[test]
    fn category_slices_sum_the_postings_largest_first_without_empty_ones() {
        let mut r = report("511600", None, None, Vec::new(), Vec::new());
        r.by_category = vec![
            group("a", &[(Metric::NeedsPublished, 1)]),
            group("b", &[(Metric::Deals, 5)]),
            group(
                "c",
                &[
                    (Metric::ServicesPublished, 2),
                    (Metric::AchievementsPublished, 1),
                ],
            ),
        ];
        let p = category(&text(false), &r, &|k| k.to_uppercase());
        let got: Vec<(&str, i64)> = p.items.iter().map(|s| (s.name.as_str(), s.value)).collect();
        assert_eq!(got, [("C", 3), ("A", 1)]);
        assert_eq!(p.name, "发布科技需求 + 发布科技服务 + 发布科技成果");
    }

    #[test]
    fn grids_are_about_square() {
        assert_eq!(grid_shape(0), (0, 0));
        assert_eq!(grid_shape(1), (1, 1));
        assert_eq!(grid_shape(2), (2, 1));
        assert_eq!(grid_shape(7), (3, 3));
        assert_eq!(grid_shape(9), (3, 3));
        assert_eq!(grid_shape(21), (5, 5));
    }

    #[test]
    fn the_tile_grid_has_the_children_in_code_order_but_not_the_region_itself() {
        let r = report(
            "511600",
            None,
            None,
            Vec::new(),
            vec![
                group("511600", &[(Metric::Deals, 9)]),
                group(
                    "511621",
                    &[(Metric::Deals, 1), (Metric::DealAmount, 5_000_000)],
                ),
                group("511602", &[]),
                group("511622", &[(Metric::Deals, 4)]),
                group("511623", &[]),
            ],
        );
        let g = tile_grid(&text(false), &r, &|code| format!("R{code}"), Metric::Deals);
        let codes: Vec<&str> = g.tiles.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["511602", "511621", "511622", "511623"]);
        assert_eq!((g.cols, g.rows), (2, 2));
        let places: Vec<(usize, usize)> = g.tiles.iter().map(|t| (t.x, t.y)).collect();
        assert_eq!(places, [(0, 0), (1, 0), (0, 1), (1, 1)]);
        assert_eq!(g.metrics[g.selected].key, "deals");
        let amount = Metric::ALL
            .iter()
            .position(|m| *m == Metric::DealAmount)
            .unwrap_or_default();
        assert_eq!(g.tiles[1].values[amount], Value::Wan(5.0));
        assert_eq!(g.tiles[1].shown[amount], "5.00");
        assert_eq!(g.metrics[amount].unit, "万元");
    }

    #[test]
    fn amounts_are_plotted_in_wan_yuan_and_counts_as_integers() {
        assert_eq!(Value::of(Metric::DealAmount, 123_456), Value::Wan(0.12));
        assert_eq!(Value::of(Metric::DealAmount, 0), Value::Wan(0.0));
        assert_eq!(Value::of(Metric::Deals, 7), Value::Count(7));
        assert_eq!(
            serde_json::to_string(&Value::Count(7)).ok().as_deref(),
            Some("7")
        );
        assert_eq!(
            serde_json::to_string(&Value::Wan(0.12)).ok().as_deref(),
            Some("0.12")
        );
    }
}
