//! A judge's score sheet on one entry (one score per rubric criterion and a comment), the rules
//! for accepting it, and the per-judge normalisation used before combining scores.
//!
//! Judges differ in severity: one gives 60–80, another 80–95, and an entry judged by the
//! lenient one would win on luck. So each judge's totals are turned into z-scores over the
//! entries that judge scored ((total − judge's mean) / judge's standard deviation, population
//! form), then put back on the 0–100 scale of all sheets: pool mean + z × pool standard
//! deviation. A judge who scored one entry, or gave every entry the same total, has no spread to
//! normalise by; their sheets keep the raw total (the share of the maximum, ×100), which is
//! on the same scale.

use std::collections::BTreeMap;

use crate::DomainError;
use crate::ids::{EntryId, JudgeId};
use crate::text::optional;
use crate::time::Timestamp;

use super::assignment::Assignment;
use super::conflicts::{Conflicts, EntryRef, Judge};
use super::spec::ContestSpec;

/// Below this a standard deviation counts as zero.
const NO_SPREAD: f64 = 1e-9;

/// A score sheet as entered: points per criterion in the rubric's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreInput {
    pub points: Vec<Option<i32>>,
    pub comment: Option<String>,
}

/// An accepted score sheet. A judge may replace theirs until the judging window closes.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSheet {
    pub judge: JudgeId,
    pub entry: EntryId,
    pub points: Vec<i32>,
    /// The rubric's total, 0–100.
    pub total: f64,
    pub comment: Option<String>,
}

/// Accepts `judge`'s sheet on `entry` at `now`: inside the judging window, no conflict, the
/// entry assigned to them, every criterion in range.
pub fn accept_score(
    contest: &ContestSpec,
    assignment: &Assignment,
    conflicts: &Conflicts,
    judge: &Judge,
    entry: &EntryRef,
    input: &ScoreInput,
    now: Timestamp,
) -> Result<ScoreSheet, DomainError> {
    contest.timeline.may_score(now)?;
    conflicts.check_may_judge(judge, entry)?;
    if !assignment.is_assigned(judge.id, entry.id) {
        return Err(DomainError::Forbidden(format!(
            "作品「{}」未分配给您评审",
            entry.title
        )));
    }
    let total = contest.rubric.score(&input.points)?;
    let comment = optional("comment", "评语", input.comment.as_deref(), 1000, true)?;
    Ok(ScoreSheet {
        judge: judge.id,
        entry: entry.id,
        points: input.points.iter().flatten().copied().collect(),
        total,
        comment,
    })
}

/// One sheet's normalised score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalisedScore {
    pub judge: JudgeId,
    pub entry: EntryId,
    pub value: f64,
}

fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Normalises every sheet (see the module comment). When one judge has two sheets on one
/// entry the later in `sheets` counts.
pub fn normalise(sheets: &[ScoreSheet]) -> Vec<NormalisedScore> {
    let mut latest: BTreeMap<(JudgeId, EntryId), f64> = BTreeMap::new();
    for s in sheets {
        latest.insert((s.judge, s.entry), s.total);
    }
    let all: Vec<f64> = latest.values().copied().collect();
    let (pool_mean, pool_sd) = mean_and_sd(&all);
    let mut by_judge: BTreeMap<JudgeId, Vec<f64>> = BTreeMap::new();
    for ((judge, _), total) in &latest {
        by_judge.entry(*judge).or_default().push(*total);
    }
    let judge_stats: BTreeMap<JudgeId, (f64, f64, usize)> = by_judge
        .into_iter()
        .map(|(j, totals)| {
            let (m, sd) = mean_and_sd(&totals);
            (j, (m, sd, totals.len()))
        })
        .collect();
    latest
        .into_iter()
        .map(|((judge, entry), total)| {
            let value = match judge_stats.get(&judge) {
                Some(&(mean, sd, n)) if n >= 2 && sd > NO_SPREAD => {
                    pool_mean + (total - mean) / sd * pool_sd
                }
                _ => total,
            };
            NormalisedScore {
                judge,
                entry,
                value,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contests::conflicts::tests::{entry, judge};
    use crate::contests::spec::tests::spec;
    use crate::contests::timeline::tests::at;

    fn sheet(judge: i64, entry: i64, total: f64) -> ScoreSheet {
        ScoreSheet {
            judge: JudgeId(judge),
            entry: EntryId(entry),
            points: vec![],
            total,
            comment: None,
        }
    }

    fn value(scores: &[NormalisedScore], judge: i64, entry: i64) -> f64 {
        scores
            .iter()
            .find(|s| s.judge == JudgeId(judge) && s.entry == EntryId(entry))
            .map_or(f64::NAN, |s| s.value)
    }

    #[test]
    fn contests_scores_are_accepted_only_by_the_rules() {
        let c = spec();
        let j = judge(1, "广安市科协");
        let e = entry(10, "初中", "邻水县第一中学");
        let mut assigned = BTreeMap::new();
        assigned.insert(EntryId(10), vec![JudgeId(1), JudgeId(2)]);
        let a = Assignment::new(assigned);
        let input = ScoreInput {
            points: vec![Some(25), Some(20), Some(30)],
            comment: Some(" 选题贴近生活 ".into()),
        };
        let during = at("2026-04-10 10:00");
        let s = accept_score(&c, &a, &Conflicts::default(), &j, &e, &input, during).expect("ok");
        assert_eq!(s.points, vec![25, 20, 30]);
        assert_eq!(s.comment.as_deref(), Some("选题贴近生活"));
        let after = at("2026-04-15 10:00");
        let late = accept_score(&c, &a, &Conflicts::default(), &j, &e, &input, after);
        assert!(matches!(late, Err(DomainError::Conflict(_))));
        let same_school = judge(2, "邻水县第一中学");
        let conflicted = accept_score(
            &c,
            &a,
            &Conflicts::default(),
            &same_school,
            &e,
            &input,
            during,
        );
        assert!(matches!(conflicted, Err(DomainError::Forbidden(m)) if m.contains("利益冲突")));
        let stranger = judge(3, "广安市科协");
        let unassigned = accept_score(&c, &a, &Conflicts::default(), &stranger, &e, &input, during);
        assert!(matches!(unassigned, Err(DomainError::Forbidden(m)) if m.contains("未分配")));
        let out_of_range = ScoreInput {
            points: vec![Some(31), Some(20), Some(30)],
            comment: None,
        };
        let refused = accept_score(&c, &a, &Conflicts::default(), &j, &e, &out_of_range, during);
        assert_eq!(
            refused.expect_err("range").to_string(),
            "「创新性」的分数应在 0–30 之间"
        );
    }

    #[test]
    fn contests_normalisation_evens_out_lenient_and_harsh_judges() {
        // Judge 1 is harsh, judge 2 lenient, both rank entry 1 above entry 2 above entry 3.
        let sheets = [
            sheet(1, 1, 70.0),
            sheet(1, 2, 60.0),
            sheet(1, 3, 50.0),
            sheet(2, 1, 95.0),
            sheet(2, 2, 90.0),
            sheet(2, 3, 85.0),
        ];
        let n = normalise(&sheets);
        assert!((value(&n, 1, 1) - value(&n, 2, 1)).abs() < 1e-9);
        assert!((value(&n, 1, 3) - value(&n, 2, 3)).abs() < 1e-9);
        assert!(value(&n, 1, 1) > value(&n, 1, 2));
    }

    #[test]
    fn contests_normalisation_falls_back_to_the_raw_total() {
        let sheets = [
            sheet(1, 1, 70.0),
            sheet(1, 2, 60.0),
            sheet(2, 1, 88.0),
            sheet(3, 1, 75.0),
            sheet(3, 2, 80.0),
            sheet(3, 2, 75.0),
        ];
        let n = normalise(&sheets);
        assert_eq!(n.len(), 5, "the revised sheet replaces the first");
        assert_eq!(value(&n, 2, 1), 88.0, "one sheet only");
        assert_eq!(value(&n, 3, 1), 75.0, "no spread once 80 was revised to 75");
        assert_eq!(value(&n, 3, 2), 75.0);
        assert!((value(&n, 1, 1) - value(&n, 1, 2)) > 0.0);
    }
}
