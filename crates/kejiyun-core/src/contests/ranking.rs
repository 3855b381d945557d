//! Ranking within each group: each entry's normalised scores (see [`super::scoring`]) from its
//! assigned judges are combined by the contest's method (mean or trimmed mean), and entries are
//! ranked by that score, highest first. Equal scores (within [`TIE_TOLERANCE`]) share a rank
//! and the next rank skips ("1, 2, 2, 4"): a tie is shown to the admin, never broken silently.
//! An entry with fewer scores than assigned judges is flagged incomplete; one with none is
//! listed without a rank.

use std::collections::BTreeMap;

use crate::ids::{EntryId, JudgeId};

use super::ScoringMethod;
use super::assignment::Assignment;
use super::conflicts::EntryRef;
use super::scoring::{ScoreSheet, normalise};

/// Scores closer than this are equal (rounding in the normalisation is far below it).
pub const TIE_TOLERANCE: f64 = 1e-9;

/// Competition ranks of scores already sorted highest first: "1, 2, 2, 4". A score ties with
/// the first score of the run it would join, so a slow drift never chains into one long tie.
pub fn competition_ranks(sorted_desc: &[f64], tolerance: f64) -> Vec<u32> {
    let mut ranks = Vec::with_capacity(sorted_desc.len());
    let mut run_start = 0usize;
    for (i, &score) in sorted_desc.iter().enumerate() {
        if i > 0 && (sorted_desc[run_start] - score).abs() > tolerance {
            run_start = i;
        }
        ranks.push(u32::try_from(run_start + 1).unwrap_or(u32::MAX));
    }
    ranks
}

/// Combines one entry's scores; `None` when there are none. A trimmed mean drops at most as
/// many scores each side as still leaves one.
pub fn combine(values: &[f64], method: ScoringMethod) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let trim = match method {
        ScoringMethod::Mean => 0,
        ScoringMethod::TrimmedMean { trim } => (trim as usize).min((sorted.len() - 1) / 2),
    };
    let kept = &sorted[trim..sorted.len() - trim];
    Some(kept.iter().sum::<f64>() / kept.len() as f64)
}

/// One line of a group's ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedEntry {
    pub entry: EntryId,
    pub group: String,
    /// Combined normalised score; `None` before any judge scored it.
    pub score: Option<f64>,
    pub rank: Option<u32>,
    /// Another entry of the group has the same rank.
    pub tied: bool,
    pub scored_by: usize,
    pub assigned: usize,
    /// Fewer scores than assigned judges.
    pub incomplete: bool,
}

/// The ranking of every group, groups in the order they first appear among the entries, each
/// group by rank (ties by entry id), unscored entries last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ranking {
    pub rows: Vec<RankedEntry>,
}

impl Ranking {
    pub fn group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a RankedEntry> + 'a {
        self.rows.iter().filter(move |r| r.group == group)
    }

    pub fn row(&self, entry: EntryId) -> Option<&RankedEntry> {
        self.rows.iter().find(|r| r.entry == entry)
    }
}

/// Ranks `entries` (the accepted ones: returned and withdrawn entries are not judged) by the
/// sheets of their assigned judges.
pub fn rank_entries(
    entries: &[EntryRef],
    assignment: &Assignment,
    sheets: &[ScoreSheet],
    method: ScoringMethod,
) -> Ranking {
    let mut values: BTreeMap<EntryId, Vec<(JudgeId, f64)>> = BTreeMap::new();
    for s in normalise(sheets) {
        if assignment.is_assigned(s.judge, s.entry) {
            values.entry(s.entry).or_default().push((s.judge, s.value));
        }
    }
    let mut groups: Vec<&str> = Vec::new();
    for e in entries {
        if !groups.contains(&e.group.as_str()) {
            groups.push(&e.group);
        }
    }
    let mut rows = Vec::with_capacity(entries.len());
    for group in groups {
        let mut lines: Vec<RankedEntry> = entries
            .iter()
            .filter(|e| e.group == group)
            .map(|e| {
                let vs: Vec<f64> = values
                    .get(&e.id)
                    .map_or_else(Vec::new, |v| v.iter().map(|(_, x)| *x).collect());
                let assigned = assignment.judges_of(e.id).len();
                RankedEntry {
                    entry: e.id,
                    group: e.group.clone(),
                    score: combine(&vs, method),
                    rank: None,
                    tied: false,
                    scored_by: vs.len(),
                    assigned,
                    incomplete: vs.len() < assigned,
                }
            })
            .collect();
        lines.sort_by(|a, b| match (a.score, b.score) {
            (Some(x), Some(y)) => y.total_cmp(&x).then(a.entry.cmp(&b.entry)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.entry.cmp(&b.entry),
        });
        let scored: Vec<f64> = lines.iter().filter_map(|l| l.score).collect();
        let ranks = competition_ranks(&scored, TIE_TOLERANCE);
        // Within tolerance, tied entries need not be in id order yet; show each tie by id.
        for (line, rank) in lines.iter_mut().zip(&ranks) {
            line.rank = Some(*rank);
            line.tied = ranks.iter().filter(|r| *r == rank).count() > 1;
        }
        lines.sort_by_key(|l| (l.rank.is_none(), l.rank, l.entry));
        rows.extend(lines);
    }
    Ranking { rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contests::conflicts::tests::entry;

    fn sheet(judge: i64, entry: i64, total: f64) -> ScoreSheet {
        ScoreSheet {
            judge: JudgeId(judge),
            entry: EntryId(entry),
            points: vec![],
            total,
            comment: None,
        }
    }

    fn everyone(entries: &[EntryRef], judges: &[i64]) -> Assignment {
        Assignment::new(
            entries
                .iter()
                .map(|e| (e.id, judges.iter().map(|j| JudgeId(*j)).collect()))
                .collect(),
        )
    }

    #[test]
    fn contests_competition_ranks_show_ties() {
        assert_eq!(
            competition_ranks(&[9.0, 8.0, 8.0, 7.0], 1e-9),
            vec![1, 2, 2, 4]
        );
        assert_eq!(competition_ranks(&[5.0, 5.0, 5.0], 1e-9), vec![1, 1, 1]);
        assert_eq!(
            competition_ranks(&[1.0, 1.0 - 5e-10, 1.0 - 1e-9 - 5e-10], 1e-9),
            vec![1, 1, 3],
            "no chaining"
        );
        assert!(competition_ranks(&[], 1e-9).is_empty());
    }

    #[test]
    fn contests_trimmed_mean_drops_extremes() {
        let m = ScoringMethod::TrimmedMean { trim: 1 };
        assert_eq!(combine(&[10.0, 80.0, 82.0, 84.0, 100.0], m), Some(82.0));
        assert_eq!(
            combine(&[10.0, 80.0, 82.0, 84.0, 100.0], ScoringMethod::Mean),
            Some(71.2)
        );
        let two = ScoringMethod::TrimmedMean { trim: 2 };
        assert_eq!(
            combine(&[10.0, 80.0, 90.0], two),
            Some(80.0),
            "keeps one at least"
        );
        assert_eq!(combine(&[10.0, 80.0], two), Some(45.0), "nothing to trim");
        assert_eq!(combine(&[], m), None);
    }

    #[test]
    fn contests_ranking_within_groups_with_ties_and_incomplete_flags() {
        let entries = vec![
            entry(1, "初中", "a"),
            entry(2, "初中", "b"),
            entry(3, "初中", "c"),
            entry(4, "初中", "d"),
            entry(5, "小学", "e"),
            entry(6, "初中", "f"),
        ];
        let mut by_entry = everyone(&entries, &[1, 2]).by_entry().clone();
        by_entry.insert(EntryId(5), vec![JudgeId(1), JudgeId(2), JudgeId(3)]);
        let assignment = Assignment::new(by_entry);
        // Both judges give the same spread of totals, so entries 2 and 3 (80 + 70 each) tie.
        let sheets = [
            sheet(1, 1, 90.0),
            sheet(2, 1, 90.0),
            sheet(1, 2, 80.0),
            sheet(2, 2, 70.0),
            sheet(1, 3, 70.0),
            sheet(2, 3, 80.0),
            sheet(1, 4, 60.0),
            sheet(2, 4, 60.0),
            sheet(1, 5, 75.0),
            sheet(2, 5, 75.0),
        ];
        let r = rank_entries(&entries, &assignment, &sheets, ScoringMethod::Mean);
        let junior: Vec<_> = r
            .group("初中")
            .map(|l| (l.entry.0, l.rank, l.tied))
            .collect();
        assert_eq!(
            junior,
            vec![
                (1, Some(1), false),
                (2, Some(2), true),
                (3, Some(2), true),
                (4, Some(4), false),
                (6, None, false),
            ]
        );
        let five = r.row(EntryId(5)).expect("listed");
        assert_eq!(
            (five.rank, five.incomplete, five.scored_by, five.assigned),
            (Some(1), true, 2, 3)
        );
        let six = r.row(EntryId(6)).expect("listed");
        assert!(six.incomplete && six.score.is_none());
        assert!(!r.row(EntryId(1)).expect("listed").incomplete);
    }

    #[test]
    fn contests_ranking_ignores_sheets_of_judges_no_longer_assigned() {
        let entries = vec![entry(1, "初中", "a"), entry(2, "初中", "b")];
        let assignment = everyone(&entries, &[1]);
        let sheets = [sheet(1, 1, 60.0), sheet(1, 2, 70.0), sheet(9, 1, 100.0)];
        let r = rank_entries(&entries, &assignment, &sheets, ScoringMethod::Mean);
        assert_eq!(r.rows[0].entry, EntryId(2));
        assert_eq!(r.row(EntryId(1)).map(|l| l.scored_by), Some(1));
    }
}
