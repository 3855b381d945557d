//! Time to first answer (首次回复用时): how long askers wait for an expert's first answer, as
//! the median — one slow question does not move it, as it would an average — over the
//! questions first published in a range, for the region, each month and each child region.

use std::collections::BTreeMap;

use crate::regions::RegionCode;
use crate::time::Timestamp;

/// One answered question: where it was asked, when it was first published and first answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstAnswer {
    pub region: RegionCode,
    pub published_at: Timestamp,
    pub answered_at: Timestamp,
}

/// A median wait and how many answered questions it is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Median {
    pub minutes: i64,
    pub questions: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAnswerFigures {
    /// `None`: no question of the range was answered.
    pub overall: Option<Median>,
    /// By the month (`YYYY-MM`, Asia/Shanghai) of first publication, months with answers only.
    pub by_month: Vec<(String, Median)>,
    /// Every child region, in the order given, `None` where nothing was answered.
    pub by_child: Vec<(RegionCode, Option<Median>)>,
}

/// The median of whole minutes; with an even count, the lower of the two middle values (a
/// wait that some question actually had).
fn median(mut minutes: Vec<i64>) -> Option<Median> {
    if minutes.is_empty() {
        return None;
    }
    minutes.sort_unstable();
    Some(Median {
        minutes: minutes[(minutes.len() - 1) / 2],
        questions: minutes.len(),
    })
}

/// The figures of `rows` (already limited to the region and range), broken down by month and
/// by `children`.
pub fn first_answer_figures(rows: &[FirstAnswer], children: &[RegionCode]) -> FirstAnswerFigures {
    let wait =
        |r: &FirstAnswer| (r.answered_at.micros() - r.published_at.micros()).max(0) / 60_000_000;
    let mut months: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in rows {
        let month = r.published_at.shanghai_date().format("%Y-%m").to_string();
        months.entry(month).or_default().push(wait(r));
    }
    FirstAnswerFigures {
        overall: median(rows.iter().map(wait).collect()),
        by_month: months
            .into_iter()
            .filter_map(|(m, v)| median(v).map(|x| (m, x)))
            .collect(),
        by_child: children
            .iter()
            .map(|c| {
                let waits = rows.iter().filter(|r| c.contains(r.region)).map(wait);
                (*c, median(waits.collect()))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> Timestamp {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default();
        Timestamp::shanghai_midnight(date).plus_seconds(i64::from(hour) * 3600)
    }

    fn row(county: &str, published: Timestamp, minutes: i64) -> FirstAnswer {
        FirstAnswer {
            region: RegionCode::parse(county).unwrap_or_else(|e| panic!("{e}")),
            published_at: published,
            answered_at: published.plus_seconds(minutes * 60),
        }
    }

    #[test]
    fn the_median_is_a_wait_some_question_had_and_one_slow_question_does_not_move_it() {
        let rows = [
            row("511623", at(1, 9), 30),
            row("511623", at(2, 9), 90),
            row("511621", at(3, 9), 60),
            row("511621", at(4, 9), 10_000),
        ];
        let children = [
            RegionCode::parse("511621").unwrap_or_else(|e| panic!("{e}")),
            RegionCode::parse("511622").unwrap_or_else(|e| panic!("{e}")),
            RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}")),
        ];
        let f = first_answer_figures(&rows, &children);
        assert_eq!(
            f.overall,
            Some(Median {
                minutes: 60,
                questions: 4
            })
        );
        assert_eq!(
            f.by_child[0].1,
            Some(Median {
                minutes: 60,
                questions: 2
            })
        );
        assert_eq!(f.by_child[1].1, None, "a child with no answered question");
        assert_eq!(
            f.by_child[2].1,
            Some(Median {
                minutes: 30,
                questions: 2
            })
        );
        assert_eq!(
            f.by_month,
            vec![(
                "2026-11".to_owned(),
                Median {
                    minutes: 60,
                    questions: 4
                }
            )]
        );
    }

    #[test]
    fn months_follow_shanghai_dates_and_nothing_answered_is_no_figure() {
        // 23:30 on 30 November in Shanghai is still November there (15:30 UTC).
        let late = at(30, 23).plus_seconds(1800);
        let f = first_answer_figures(&[row("511623", late, 5)], &[]);
        assert_eq!(f.by_month[0].0, "2026-11");
        let none = first_answer_figures(&[], &[]);
        assert_eq!(none.overall, None);
        assert!(none.by_month.is_empty());
    }
}
