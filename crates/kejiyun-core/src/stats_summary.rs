//! The one-page region summary (县域科技服务概况): the figures of a region and date range told
//! as the paragraph officials report upward ("累计发布科技服务1628项，科技需求8947项，…").
//!
//! It is made only from the served totals (`Figures::of`, as `/api/v1/stats` serves them), so
//! the summary can never say a number the dashboard does not.
//!
//! Rules (docs/product.md, "The region summary"):
//! - every metric of the catalogue has exactly one clause, in one of the sections below;
//! - the paragraph states only figures that are not zero (an official does not report "达成
//!   交易0项"); a section with nothing to state is left out, and a region with nothing at all
//!   gets "暂无统计数据". The sections (and so the JSON and the page's table) keep every
//!   figure, zeros included;
//! - counts below 10 000 are written whole; from 10 000 on in 万 with one decimal, rounded
//!   half up, a trailing ".0" dropped (13 000 → "1.3万", 20 000 → "2万");
//! - amounts (fen) in 万元 with two decimals, rounded half up (65792.06万元);
//! - resource views below 10 000 whole (次), from 10 000 on in 万次 with two decimals
//!   (141.15万次);
//! - service minutes in hours with one decimal, rounded half up, ".0" dropped.
//!
//! The rounded numbers are for reading; each clause keeps its exact `value`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::stats::Metric;

/// How a metric's number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A count with its measure word (项, 个, 人 …).
    Count(&'static str),
    /// Fen, written in 万元.
    Money,
    /// Views, written in 次 or 万次.
    Views,
    /// Minutes, written in 小时.
    Hours,
}

/// A metric, the words before its number, and how the number is written.
type Phrase = (Metric, &'static str, Unit);

/// The sections of the paragraph and, in each, its metrics' phrases.
const SECTIONS: [(&str, &[Phrase]); 8] = [
    (
        "科技服务与交易",
        &[
            (Metric::ServicesPublished, "发布科技服务", Unit::Count("项")),
            (Metric::NeedsPublished, "发布科技需求", Unit::Count("项")),
            (Metric::Deals, "达成交易", Unit::Count("项")),
            (Metric::DealAmount, "交易金额", Unit::Money),
        ],
    ),
    (
        "科技成果",
        &[
            (
                Metric::AchievementsPublished,
                "发布科技成果",
                Unit::Count("项"),
            ),
            (Metric::Transfers, "成果转化", Unit::Count("项")),
            (Metric::TransferAmount, "转化金额", Unit::Money),
        ],
    ),
    (
        "科学普及",
        &[
            (Metric::Bases, "建成科普共享基地", Unit::Count("个")),
            (Metric::Estations, "建成科普e站", Unit::Count("个")),
            (Metric::Resources, "发布科普资源", Unit::Count("个")),
            (Metric::ResourceViews, "科普资源浏览量", Unit::Views),
        ],
    ),
    (
        "人才与志愿服务",
        &[
            (Metric::TechWorkers, "入驻科技工作者", Unit::Count("人")),
            (Metric::Volunteers, "注册科技志愿者", Unit::Count("人")),
            (Metric::Teams, "组建志愿服务队", Unit::Count("支")),
        ],
    ),
    (
        "服务组织",
        &[
            (Metric::Agencies, "入驻第三方服务机构", Unit::Count("家")),
            (
                Metric::ExpertStations,
                "建成院士专家工作站",
                Unit::Count("个"),
            ),
            (
                Metric::EnterpriseAssociations,
                "建立企业科协",
                Unit::Count("个"),
            ),
        ],
    ),
    (
        "专家问诊",
        &[
            (Metric::Questions, "受理群众提问", Unit::Count("个")),
            (Metric::QuestionsAnswered, "专家解答", Unit::Count("个")),
        ],
    ),
    (
        "培训与活动",
        &[
            (Metric::Trainings, "举办培训", Unit::Count("期")),
            (Metric::TrainingAttendance, "培训", Unit::Count("人次")),
            (Metric::Activities, "开展志愿服务活动", Unit::Count("场")),
            (Metric::PeopleServed, "服务群众", Unit::Count("人次")),
            (Metric::MaterialsDistributed, "发放资料", Unit::Count("份")),
            (Metric::ServiceHours, "志愿服务时长", Unit::Hours),
        ],
    ),
    (
        "大赛",
        &[
            (Metric::ContestEntries, "征集参赛作品", Unit::Count("件")),
            (Metric::Awards, "评出获奖作品", Unit::Count("项")),
        ],
    ),
];

/// One figure of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub metric: Metric,
    /// The exact figure as served (fen for amounts, minutes for service time).
    pub value: i64,
    /// The number with its unit as the paragraph writes it: `1.3万人`, `65792.06万元`.
    pub figure: String,
    /// The clause: `入驻科技工作者1.3万人`.
    pub text: String,
}

impl Clause {
    /// Whether the paragraph states it (see the module's rules).
    pub fn stated(&self) -> bool {
        self.value != 0
    }
}

/// One sentence of the paragraph: a section's clauses, every figure included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub title: &'static str,
    pub clauses: Vec<Clause>,
}

impl Sentence {
    /// The stated clauses joined with "，" (empty when none is stated).
    pub fn to_text(&self) -> String {
        self.clauses
            .iter()
            .filter(|c| c.stated())
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join("，")
    }
}

/// A region's summary over a date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub region_name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `2026年1月1日至2026年8月31日`, or `截至2026年12月7日` when the range has no start.
    pub period: String,
    /// `邻水县科技服务概况（2026年1月1日至2026年8月31日）`.
    pub title: String,
    pub sentences: Vec<Sentence>,
}

impl Summary {
    /// The paragraph: the period, the region, then each section's stated clauses, sections
    /// separated by "；".
    pub fn to_text(&self) -> String {
        let parts: Vec<String> = self
            .sentences
            .iter()
            .map(Sentence::to_text)
            .filter(|t| !t.is_empty())
            .collect();
        if parts.is_empty() {
            format!("{}，{}暂无统计数据。", self.period, self.region_name)
        } else {
            format!(
                "{}，{}{}。",
                self.period,
                self.region_name,
                parts.join("；")
            )
        }
    }
}

/// `2026年1月1日`.
pub fn chinese_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// The period a range covers, read by a person: an open end is `today` (the figures reach up
/// to now), an open start is "截至" the end.
pub fn period(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> String {
    let end = chinese_date(to.unwrap_or(today));
    match from {
        Some(f) => format!("{}至{end}", chinese_date(f)),
        None => format!("截至{end}"),
    }
}

/// `value / divisor` rounded half up to `digits` decimals, as `(whole, fraction)`; a negative
/// value (only a corrupt figure) is written with its sign by the callers.
fn scaled(value: i64, divisor: i64, digits: u32) -> (i64, i64) {
    let per = 10_i64.pow(digits);
    let step = divisor / per;
    let units = (value + step / 2) / step;
    (units / per, units % per)
}

/// Writes a non-negative `value` with `write`, a negative one as `-` and its absolute value.
fn signed(value: i64, write: impl Fn(i64) -> String) -> String {
    if value < 0 {
        format!("-{}", write(value.saturating_abs()))
    } else {
        write(value)
    }
}

/// `1628`, or from 10 000 on `1.3万` (see the module's rules).
pub fn count_text(n: i64) -> String {
    signed(n, |n| {
        if n < 10_000 {
            return n.to_string();
        }
        match scaled(n, 10_000, 1) {
            (whole, 0) => format!("{whole}万"),
            (whole, tenth) => format!("{whole}.{tenth}万"),
        }
    })
}

/// Fen as 万元 with two decimals: `65792.06` (1 万元 = 1 000 000 fen).
pub fn wan_yuan(fen: i64) -> String {
    signed(fen, |fen| {
        let (whole, cents) = scaled(fen, 1_000_000, 2);
        format!("{whole}.{cents:02}")
    })
}

fn views_text(n: i64) -> String {
    signed(n, |n| {
        if n < 10_000 {
            return format!("{n}次");
        }
        let (whole, hundredth) = scaled(n, 10_000, 2);
        format!("{whole}.{hundredth:02}万次")
    })
}

/// Minutes as hours with one decimal: a tenth of an hour is six minutes.
fn hours_text(minutes: i64) -> String {
    signed(minutes, |m| match scaled(m, 60, 1) {
        (whole, 0) => format!("{whole}小时"),
        (whole, tenth) => format!("{whole}.{tenth}小时"),
    })
}

fn figure(value: i64, unit: Unit) -> String {
    match unit {
        Unit::Count(word) => format!("{}{word}", count_text(value)),
        Unit::Money => format!("{}万元", wan_yuan(value)),
        Unit::Views => views_text(value),
        Unit::Hours => hours_text(value),
    }
}

/// The summary of `region_name` over `from..=to` from the served totals (a metric missing from
/// `totals` is zero); `today` (Asia/Shanghai) closes an open range in the period's words.
pub fn summarize(
    region_name: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
    totals: &BTreeMap<Metric, i64>,
) -> Summary {
    let sentences = SECTIONS
        .iter()
        .map(|(title, metrics)| Sentence {
            title,
            clauses: metrics
                .iter()
                .map(|&(metric, words, unit)| {
                    let value = totals.get(&metric).copied().unwrap_or(0);
                    let figure = figure(value, unit);
                    Clause {
                        metric,
                        value,
                        text: format!("{words}{figure}"),
                        figure,
                    }
                })
                .collect(),
        })
        .collect();
    let period = period(from, to, today);
    Summary {
        title: format!("{region_name}科技服务概况（{period}）"),
        region_name: region_name.to_owned(),
        from,
        to,
        period,
        sentences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    /// The seed county's reported figures.
    fn seed() -> BTreeMap<Metric, i64> {
        BTreeMap::from([
            (Metric::ServicesPublished, 1628),
            (Metric::NeedsPublished, 8947),
            (Metric::Deals, 253),
            (Metric::DealAmount, 65_792_060_000),
            (Metric::AchievementsPublished, 31),
            (Metric::Transfers, 4),
            (Metric::TransferAmount, 66_000_000),
            (Metric::Bases, 16),
            (Metric::Resources, 1651),
            (Metric::ResourceViews, 1_411_500),
            (Metric::TechWorkers, 13_000),
            (Metric::Volunteers, 1036),
            (Metric::Teams, 15),
        ])
    }

    #[test]
    fn the_seed_counties_figures_read_as_reported() {
        let s = summarize(
            "邻水县",
            Some(date(2026, 1, 1)),
            Some(date(2026, 8, 31)),
            date(2026, 12, 7),
            &seed(),
        );
        let text = s.to_text();
        assert_eq!(
            text,
            "2026年1月1日至2026年8月31日，邻水县发布科技服务1628项，发布科技需求8947项，\
             达成交易253项，交易金额65792.06万元；发布科技成果31项，成果转化4项，\
             转化金额66.00万元；建成科普共享基地16个，发布科普资源1651个，\
             科普资源浏览量141.15万次；入驻科技工作者1.3万人，注册科技志愿者1036人，\
             组建志愿服务队15支。"
        );
        for number in ["1628项", "65792.06万元", "141.15万", "1.3万人"] {
            assert!(text.contains(number), "{number}");
        }
        assert_eq!(s.title, "邻水县科技服务概况（2026年1月1日至2026年8月31日）");
    }

    #[test]
    fn every_metric_has_exactly_one_clause_zeros_kept_in_the_sections() {
        let s = summarize("邻水县", None, None, date(2026, 12, 7), &BTreeMap::new());
        let metrics: Vec<Metric> = s
            .sentences
            .iter()
            .flat_map(|x| x.clauses.iter().map(|c| c.metric))
            .collect();
        assert_eq!(metrics.len(), Metric::ALL.len());
        for m in Metric::ALL {
            assert_eq!(metrics.iter().filter(|x| **x == m).count(), 1, "{m:?}");
        }
        assert_eq!(s.to_text(), "截至2026年12月7日，邻水县暂无统计数据。");
        assert!(s.sentences.iter().all(|x| x.to_text().is_empty()));
    }

    #[test]
    fn zeros_are_left_out_of_the_paragraph_and_empty_sections_too() {
        let totals = BTreeMap::from([
            (Metric::Deals, 2),
            (Metric::DealAmount, 0),
            (Metric::ServiceHours, 90),
        ]);
        let s = summarize(
            "广安市",
            Some(date(2026, 3, 1)),
            None,
            date(2026, 3, 9),
            &totals,
        );
        assert_eq!(
            s.to_text(),
            "2026年3月1日至2026年3月9日，广安市达成交易2项；志愿服务时长1.5小时。"
        );
    }

    #[test]
    fn numbers_the_chinese_way() {
        assert_eq!(count_text(0), "0");
        assert_eq!(count_text(9999), "9999");
        assert_eq!(count_text(10_000), "1万");
        assert_eq!(count_text(13_000), "1.3万");
        assert_eq!(count_text(13_449), "1.3万");
        assert_eq!(count_text(13_500), "1.4万");
        assert_eq!(count_text(19_960), "2万");
        assert_eq!(count_text(1_234_567), "123.5万");
        assert_eq!(wan_yuan(0), "0.00");
        assert_eq!(wan_yuan(123_456), "0.12");
        assert_eq!(wan_yuan(4_999), "0.00");
        assert_eq!(wan_yuan(5_000), "0.01");
        assert_eq!(wan_yuan(65_792_060_000), "65792.06");
        assert_eq!(views_text(9_999), "9999次");
        assert_eq!(views_text(1_411_500), "141.15万次");
        assert_eq!(views_text(10_000), "1.00万次");
        assert_eq!(hours_text(0), "0小时");
        assert_eq!(hours_text(60), "1小时");
        assert_eq!(hours_text(20), "0.3小时");
        assert_eq!(hours_text(87), "1.5小时");
    }

    #[test]
    fn periods() {
        let today = date(2026, 12, 7);
        assert_eq!(period(None, None, today), "截至2026年12月7日");
        assert_eq!(
            period(None, Some(date(2026, 6, 30)), today),
            "截至2026年6月30日"
        );
        assert_eq!(
            period(Some(date(2026, 1, 1)), None, today),
            "2026年1月1日至2026年12月7日"
        );
    }
}
