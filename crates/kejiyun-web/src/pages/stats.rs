//! 数据统计: the dashboard of a region (metric cards, trend, ranking and category tables, drawn
//! as ECharts charts by `static/stats.js`), the drill-down list behind every figure, and the
//! 1920×1080 big-screen mode. Every figure is also an HTML table, so the page works without JS.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use kejiyun_core::DomainError;
use kejiyun_core::app::stats::{Group, StatsReport, date_range};
use kejiyun_core::market::categories::Category;
use kejiyun_core::paging::Page;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::stats::Metric;

use super::common::{Layout, OrPage, PageError, PageResult, Params, Pg, ok, see_other};
use super::stats_charts::{self, ChartText, Charts};
use super::widgets::Pager;
use crate::AppState;
use crate::session::Ctx;

/// `65792.06`: fen as 万元 with two decimals, rounded half up (sums may exceed one `Fen`).
pub fn wan_yuan(fen: i64) -> String {
    let hundreds = (fen + 5_000).div_euclid(10_000);
    format!(
        "{}.{:02}",
        hundreds.div_euclid(100),
        hundreds.rem_euclid(100)
    )
}

/// `1,234.56`: fen as 元 with thousands separators.
pub fn yuan(fen: i64) -> String {
    let (sign, fen) = if fen < 0 { ("-", -fen) } else { ("", fen) };
    let digits = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

/// A figure as shown on cards and in tables: counts as they are, amounts in 万元.
pub fn figure(m: Metric, v: i64) -> String {
    if m.is_amount() {
        wan_yuan(v)
    } else {
        v.to_string()
    }
}

pub(super) fn metric_label(pg: &Pg<'_>, m: Metric) -> String {
    if pg.lang().is_en() {
        let en = pg.t(&format!("metric.{}", m.key()));
        if en != "??" {
            return en.to_owned();
        }
    }
    m.label_zh().to_owned()
}

pub struct Card {
    pub key: &'static str,
    pub label: String,
    pub value: String,
    pub unit: &'static str,
    pub href: String,
}

pub struct Column {
    pub label: String,
    pub unit: &'static str,
}

pub struct TableRow {
    pub label: String,
    /// A link on the label (child regions open their own dashboard).
    pub href: Option<String>,
    pub cells: Vec<String>,
    /// Nothing counted at all: the ranking marks such a region rather than hiding it.
    pub zero: bool,
}

pub(super) struct Query {
    pub(super) from: Option<NaiveDate>,
    pub(super) to: Option<NaiveDate>,
    pub(super) from_raw: String,
    pub(super) to_raw: String,
    pub(super) error: Option<String>,
}

pub(super) fn query(params: &Params) -> Query {
    let from_raw = params.get("from").unwrap_or_default().to_owned();
    let to_raw = params.get("to").unwrap_or_default().to_owned();
    match date_range(Some(&from_raw), Some(&to_raw)) {
        Ok((from, to)) => Query {
            from,
            to,
            from_raw,
            to_raw,
            error: None,
        },
        Err(e) => Query {
            from: None,
            to: None,
            from_raw: String::new(),
            to_raw: String::new(),
            error: Some(e.to_string()),
        },
    }
}

/// `region=…&from=…&to=…` (empty values dropped), for links and the API.
pub(super) fn qs(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .copied()
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

pub(super) fn with_query(path: &str, q: &str) -> String {
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

pub(super) fn parse_region(pg: &Pg<'_>, raw: &str) -> Result<RegionCode, PageError> {
    let code = RegionCode::parse(raw)
        .map_err(|_| pg.fail(DomainError::NotFound(pg.t("region.unknown").into())))?;
    pg.s().visible_region(code).or_page(pg)?;
    Ok(code)
}

pub(super) fn month_label(key: &str) -> String {
    if key.len() == 6 && key.is_ascii() {
        format!("{}-{}", &key[..4], &key[4..])
    } else {
        key.to_owned()
    }
}

fn category_label(pg: &Pg<'_>, key: &str) -> String {
    Category::parse(key)
        .map(|c| {
            if pg.lang().is_en() {
                c.label_en().to_owned()
            } else {
                c.label_zh().to_owned()
            }
        })
        .unwrap_or_else(|_| pg.t("stats.uncategorized").to_owned())
}

fn chart_text(pg: &Pg<'_>) -> ChartText {
    ChartText {
        metrics: Metric::ALL
            .iter()
            .map(|m| (*m, metric_label(pg, *m)))
            .collect(),
        unit_wan: pg.t("stats.unit_wan").to_owned(),
        count_axis: pg.t("stats.count_axis").to_owned(),
        empty: pg.t("stats.empty").to_owned(),
        nothing_yet: pg.t("stats.nothing_yet").to_owned(),
    }
}

/// The charts' data (JSON for `data-charts`); with `grid`, the big screen's tile grid coloured
/// by that metric.
fn charts(pg: &Pg<'_>, report: &StatsReport, grid: Option<Metric>) -> String {
    let text = chart_text(pg);
    let region_name = |key: &str| {
        RegionCode::parse(key)
            .map(|c| pg.region_short_name(c))
            .unwrap_or_else(|_| key.to_owned())
    };
    let category_name = |key: &str| category_label(pg, key);
    stats_charts::to_json(&Charts {
        empty: text.empty.clone(),
        trend: stats_charts::trend(&text, report),
        ranking: stats_charts::ranking(&text, report, &region_name),
        category: stats_charts::category(&text, report, &category_name),
        grid: grid.map(|m| stats_charts::tile_grid(&text, report, &region_name, m)),
        figures: stats_charts::figures(report),
    })
}

fn cells(g: &Group) -> Vec<String> {
    Metric::ALL
        .iter()
        .map(|m| figure(*m, g.values.get(m).copied().unwrap_or(0)))
        .collect()
}

/// Child regions, largest first by the metrics in catalogue order (as the API ranks them).
pub fn ranked(groups: &[Group]) -> Vec<&Group> {
    let mut v: Vec<&Group> = groups.iter().collect();
    let rank = |g: &Group| {
        Metric::ALL
            .iter()
            .map(|m| g.values.get(m).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    v.sort_by_key(|g| std::cmp::Reverse(rank(g)));
    v
}

struct Dash {
    code: String,
    name: String,
    cards: Vec<Card>,
    columns: Vec<Column>,
    ranking: Vec<TableRow>,
    months: Vec<TableRow>,
    categories: Vec<TableRow>,
    csv: String,
    xlsx: String,
    screen: String,
    /// The one-page summary (县域科技服务概况) of the same region and range.
    summary: String,
    /// The charts' data, JSON (see `stats_charts`).
    charts: String,
}

fn dashboard_data(
    pg: &Pg<'_>,
    code: RegionCode,
    report: &StatsReport,
    q: &Query,
    grid: Option<Metric>,
) -> Dash {
    let code_s = code.to_string();
    let from = q.from_raw.as_str();
    let to = q.to_raw.as_str();
    let region_q = qs(&[("region", &code_s), ("from", from), ("to", to)]);
    let cards = Metric::ALL
        .iter()
        .map(|m| Card {
            key: m.key(),
            label: metric_label(pg, *m),
            value: figure(*m, report.totals.get(m).copied().unwrap_or(0)),
            unit: if m.is_amount() {
                pg.t("stats.unit_wan")
            } else {
                ""
            },
            href: with_query(
                &format!("/stats/{code_s}/records"),
                &qs(&[("metric", m.key()), ("from", from), ("to", to)]),
            ),
        })
        .collect();
    let columns = Metric::ALL
        .iter()
        .map(|m| Column {
            label: metric_label(pg, *m),
            unit: if m.is_amount() {
                pg.t("stats.unit_wan")
            } else {
                ""
            },
        })
        .collect();
    let date_q = qs(&[("from", from), ("to", to)]);
    let ranking = ranked(&report.by_child)
        .into_iter()
        .map(|g| TableRow {
            label: RegionCode::parse(&g.key)
                .map(|c| pg.region_short_name(c))
                .unwrap_or_else(|_| g.key.clone()),
            href: Some(with_query(&format!("/stats/{}", g.key), &date_q)),
            cells: cells(g),
            zero: g.values.values().all(|v| *v == 0),
        })
        .collect();
    let months = report
        .by_month
        .iter()
        .map(|g| TableRow {
            label: month_label(&g.key),
            href: None,
            cells: cells(g),
            zero: false,
        })
        .collect();
    let categories = report
        .by_category
        .iter()
        .map(|g| TableRow {
            label: category_label(pg, &g.key),
            href: None,
            cells: cells(g),
            zero: false,
        })
        .collect();
    Dash {
        name: pg.region_short_name(code),
        csv: with_query("/api/v1/stats/export.csv", &region_q),
        xlsx: with_query("/api/v1/stats/export.xlsx", &region_q),
        screen: with_query(&format!("/stats/{code_s}/screen"), &date_q),
        summary: with_query(&format!("/stats/{code_s}/summary"), &date_q),
        code: code_s,
        charts: charts(pg, report, grid),
        cards,
        columns,
        ranking,
        months,
        categories,
    }
}

#[derive(Template)]
#[template(path = "stats.html", whitespace = "minimize")]
struct DashboardTpl {
    base: Layout,
    d: Dash,
    from: String,
    to: String,
    /// 本月, 本季度, 本年: `(label, href, current)`.
    quick: Vec<(&'static str, String, bool)>,
    children: Vec<(String, String)>,
    parent: Option<(String, String)>,
    wait: WaitFigures,
}

/// Time to first answer, as shown: `(label, median wait in words, answered questions)`.
struct WaitFigures {
    overall: Option<(String, usize)>,
    by_month: Vec<(String, String, usize)>,
    by_child: Vec<(String, String, usize)>,
}

/// A wait in the largest units that matter: `45 分钟`, `3 小时 20 分钟`, `2 天 5 小时`.
fn wait_text(pg: &Pg<'_>, minutes: i64) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let (day, hour, min) = (
        pg.t("stats.days"),
        pg.t("stats.hours"),
        pg.t("stats.minutes"),
    );
    if d > 0 {
        format!("{d} {day} {h} {hour}")
    } else if h > 0 {
        format!("{h} {hour} {m} {min}")
    } else {
        format!("{m} {min}")
    }
}

async fn wait_figures(pg: &Pg<'_>, code: RegionCode, q: &Query) -> Result<WaitFigures, PageError> {
    let (_, f) = pg
        .s()
        .stats()
        .first_answer_times(code, q.from, q.to)
        .await
        .or_page(pg)?;
    Ok(WaitFigures {
        overall: f.overall.map(|m| (wait_text(pg, m.minutes), m.questions)),
        by_month: f
            .by_month
            .into_iter()
            .map(|(month, m)| (month, wait_text(pg, m.minutes), m.questions))
            .collect(),
        by_child: f
            .by_child
            .into_iter()
            .filter_map(|(c, m)| {
                m.map(|m| {
                    (
                        pg.region_short_name(c),
                        wait_text(pg, m.minutes),
                        m.questions,
                    )
                })
            })
            .collect(),
    })
}

/// The quick ranges an official reaches for, up to `today` (Asia/Shanghai): this month, this
/// quarter, this year, each `(locale key, from, to)`.
pub fn quick_ranges(today: NaiveDate) -> [(&'static str, NaiveDate, NaiveDate); 3] {
    let first = |month: u32| NaiveDate::from_ymd_opt(today.year(), month, 1).unwrap_or(today);
    let quarter_start = (today.month() - 1) / 3 * 3 + 1;
    [
        ("stats.this_month", first(today.month()), today),
        ("stats.this_quarter", first(quarter_start), today),
        ("stats.this_year", first(1), today),
    ]
}

pub async fn root(State(state): State<AppState>) -> Response {
    see_other(&format!("/stats/{}", state.services.root))
}

async fn report(pg: &Pg<'_>, code: RegionCode, q: &Query) -> Result<StatsReport, PageError> {
    pg.s()
        .stats()
        .stats(pg.actor(), code, q.from, q.to)
        .await
        .or_page(pg)
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(rq): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let code = parse_region(&pg, &raw)?;
    let q = query(&Params::parse(rq.as_deref()));
    let report = report(&pg, code, &q).await?;
    let code = report.range.region;
    let d = dashboard_data(&pg, code, &report, &q, None);
    let wait = wait_figures(&pg, code, &q).await?;
    let s = pg.s();
    let date_q = qs(&[("from", &q.from_raw), ("to", &q.to_raw)]);
    let parent = code
        .parent()
        .filter(|p| p.contains(s.root) || s.root.contains(*p))
        .filter(|_| code != s.root)
        .map(|p| {
            (
                with_query(&format!("/stats/{p}"), &date_q),
                pg.region_short_name(p),
            )
        });
    let children = s
        .regions
        .children(code)
        .into_iter()
        .map(|c| {
            (
                with_query(&format!("/stats/{}", c.code), &date_q),
                c.name.clone(),
            )
        })
        .collect();
    let today = s.now().shanghai_date();
    let quick = quick_ranges(today)
        .into_iter()
        .map(|(key, from, to)| {
            let (from, to) = (from.to_string(), to.to_string());
            let current = q.from_raw == from && q.to_raw == to;
            let href = with_query(
                &format!("/stats/{code}"),
                &qs(&[("from", &from), ("to", &to)]),
            );
            (pg.t(key), href, current)
        })
        .collect();
    let mut base = pg.layout_titled(format!("{} · {}", d.name, pg.t("stats.title")), "stats");
    base.error = q.error.clone();
    ok(&DashboardTpl {
        base,
        d,
        from: q.from_raw.clone(),
        to: q.to_raw.clone(),
        quick,
        children,
        parent,
        wait,
    })
}

#[derive(Template)]
#[template(path = "stats_screen.html", whitespace = "minimize")]
struct ScreenTpl {
    lang: &'static str,
    title: String,
    heading: String,
    /// The operator's reviewed boundary map of the children, with its 审图号 (`stats_map`).
    map_url: Option<String>,
    map_approval: Option<String>,
    t_map_approval: &'static str,
    d: Dash,
    t_trend: &'static str,
    t_ranking: &'static str,
    t_category: &'static str,
    t_back: &'static str,
    t_updated: &'static str,
    t_grid: &'static str,
    t_grid_metric: &'static str,
    t_grid_note: &'static str,
    t_apply: &'static str,
    t_no_children: &'static str,
    from: String,
    to: String,
    /// The metrics the map can be coloured by: `(key, label, selected)`.
    grid_metrics: Vec<(&'static str, String, bool)>,
    /// The map has tiles (the region has children).
    has_grid: bool,
    back: String,
}

pub async fn screen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(rq): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let code = parse_region(&pg, &raw)?;
    let params = Params::parse(rq.as_deref());
    // The map's figure: `?metric=` (an unknown one is refused like on the drill-down page),
    // else the deals, the figure officials are asked about first.
    let grid = match params.get("metric").filter(|m| !m.is_empty()) {
        Some(m) => Metric::parse(m).or_page(&pg)?,
        None => Metric::Deals,
    };
    let q = query(&params);
    let report = report(&pg, code, &q).await?;
    let code = report.range.region;
    let d = dashboard_data(&pg, code, &report, &q, Some(grid));
    let has_grid = report.by_child.iter().any(|g| g.key != code.to_string());
    let heading = format!("{}{}", d.name, pg.t("stats.screen_title"));
    let map = super::stats_map::operator_map(state.config.map_dir.as_deref(), code);
    ok(&ScreenTpl {
        map_url: map.as_ref().map(|_| format!("/stats/maps/{code}.geojson")),
        map_approval: map.map(|m| m.approval),
        t_map_approval: pg.t("stats.map_approval"),
        lang: pg.lang().code(),
        title: format!("{heading} · {}", pg.t("app.name")),
        heading,
        t_trend: pg.t("stats.trend"),
        t_ranking: pg.t("stats.ranking"),
        t_category: pg.t("stats.category"),
        t_back: pg.t("stats.back_dashboard"),
        t_updated: pg.t("stats.updated"),
        t_grid: pg.t("stats.grid"),
        t_grid_metric: pg.t("stats.grid_metric"),
        t_grid_note: pg.t("stats.grid_note"),
        t_apply: pg.t("stats.apply"),
        t_no_children: pg.t("stats.no_children"),
        from: q.from_raw.clone(),
        to: q.to_raw.clone(),
        grid_metrics: Metric::ALL
            .iter()
            .map(|m| (m.key(), metric_label(&pg, *m), *m == grid))
            .collect(),
        has_grid,
        back: with_query(
            &format!("/stats/{}", d.code),
            &qs(&[("from", &q.from_raw), ("to", &q.to_raw)]),
        ),
        d,
    })
}

pub struct RecordRow {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
    pub day: String,
    pub region: String,
    pub value: String,
}

fn kind_label(pg: &Pg<'_>, kind: &str) -> &'static str {
    match kind {
        "service" => pg.t("stats.kind.service"),
        "need" => pg.t("stats.kind.need"),
        "achievement" => pg.t("stats.kind.achievement"),
        "deal" => pg.t("stats.kind.deal"),
        "tech_worker" => pg.t("stats.kind.tech_worker"),
        "org" => pg.t("stats.kind.org"),
        "question" => pg.t("stats.kind.question"),
        "resource" => pg.t("stats.kind.resource"),
        "training" => pg.t("stats.kind.training"),
        "training_session" => pg.t("stats.kind.training_session"),
        "volunteer" => pg.t("stats.kind.volunteer"),
        "volunteer_team" => pg.t("stats.kind.volunteer_team"),
        "volunteer_activity" => pg.t("stats.kind.volunteer_activity"),
        _ => pg.t("stats.kind.other"),
    }
}

/// The page of a counted record (deals show only to their parties and admins; linked anyway).
pub fn record_href(kind: &str, id: i64) -> String {
    let base = match kind {
        "service" => "/services",
        "need" => "/needs",
        "achievement" => "/achievements",
        "deal" => "/deals",
        "tech_worker" => "/tech-workers",
        "org" => "/orgs",
        "question" => "/questions",
        "resource" => "/resources",
        "training" => "/trainings",
        "volunteer_team" => "/volunteers/teams",
        "volunteer_activity" => "/volunteers/activities",
        _ => return String::new(),
    };
    format!("{base}/{id}")
}

#[derive(Template)]
#[template(path = "stats_records.html", whitespace = "minimize")]
struct RecordsTpl {
    base: Layout,
    code: String,
    name: String,
    metric_key: &'static str,
    metric_label: String,
    figure: String,
    figure_exact: String,
    unit: &'static str,
    amount: bool,
    from: String,
    to: String,
    back: String,
    rows: Vec<RecordRow>,
    pager: Pager,
}

pub async fn records(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(rq): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let code = parse_region(&pg, &raw)?;
    let params = Params::parse(rq.as_deref());
    let metric = Metric::parse(params.get("metric").unwrap_or_default()).or_page(&pg)?;
    let q = query(&params);
    let page = Page {
        page: params.page(),
        per_page: 20,
    };
    let s = pg.s();
    let (paged, sum) = s
        .stats()
        .stats_records(pg.actor(), metric, code, q.from, q.to, page)
        .await
        .or_page(&pg)?;
    let code_s = code.to_string();
    let rows = paged
        .items
        .iter()
        .map(|(r, cell, value)| RecordRow {
            kind: kind_label(&pg, r.kind),
            title: r.title.clone(),
            href: record_href(r.kind, r.id),
            day: cell.day.to_string(),
            region: pg.region_name(cell.region),
            value: if metric.is_amount() {
                yuan(*value)
            } else {
                value.to_string()
            },
        })
        .collect();
    let path = format!("/stats/{code_s}/records");
    let pager = Pager::new(
        &pg,
        &path,
        &[
            ("metric", metric.key()),
            ("from", &q.from_raw),
            ("to", &q.to_raw),
        ],
        &paged,
    );
    let name = pg.region_short_name(code);
    let label = metric_label(&pg, metric);
    let mut base = pg.layout_titled(format!("{name} · {label}"), "stats");
    base.error = q.error.clone();
    ok(&RecordsTpl {
        base,
        back: with_query(
            &format!("/stats/{code_s}"),
            &qs(&[("from", &q.from_raw), ("to", &q.to_raw)]),
        ),
        code: code_s,
        name,
        metric_key: metric.key(),
        metric_label: label,
        figure: figure(metric, sum),
        figure_exact: yuan(sum),
        unit: if metric.is_amount() {
            pg.t("stats.unit_wan")
        } else {
            ""
        },
        amount: metric.is_amount(),
        from: q.from_raw,
        to: q.to_raw,
        rows,
        pager,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_ranges_end_today_and_start_at_the_month_quarter_and_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let today = day(2026, 8, 17);
        let [month, quarter, year] = quick_ranges(today);
        assert_eq!((month.1, month.2), (day(2026, 8, 1), today));
        assert_eq!(quarter.1, day(2026, 7, 1));
        assert_eq!(year.1, day(2026, 1, 1));
        assert_eq!(quick_ranges(day(2026, 3, 31))[1].1, day(2026, 1, 1));
        assert_eq!(quick_ranges(day(2026, 12, 1))[1].1, day(2026, 10, 1));
    }

    #[test]
    fn amounts_in_wan_yuan_and_yuan() {
        assert_eq!(wan_yuan(0), "0.00");
        assert_eq!(wan_yuan(123_456), "0.12");
        assert_eq!(wan_yuan(6_579_206_000_000 / 100), "65792.06");
        assert_eq!(wan_yuan(4_999), "0.00");
        assert_eq!(wan_yuan(5_000), "0.01");
        assert_eq!(yuan(123_456_789), "1,234,567.89");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(figure(Metric::Deals, 3), "3");
        assert_eq!(figure(Metric::DealAmount, 100_000_000), "100.00");
    }

    #[test]
    fn record_links() {
        assert_eq!(record_href("deal", 7), "/deals/7");
        assert_eq!(record_href("tech_worker", 2), "/tech-workers/2");
        assert_eq!(record_href("org", 3), "/orgs/3");
        assert_eq!(record_href("training", 4), "/trainings/4");
        assert_eq!(record_href("question", 5), "/questions/5");
        assert_eq!(record_href("x", 3), "");
    }

    #[test]
    fn every_metric_has_an_english_label() {
        for m in Metric::ALL {
            let key = format!("metric.{}", m.key());
            assert_ne!(crate::i18n::t(crate::i18n::Lang::En, &key), "??", "{key}");
        }
    }
}
