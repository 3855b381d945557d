//! Pairwise judging (两两比较): shown two entries, a judge picks the better one. Judges find a
//! choice easier and steadier than an absolute score, and severity no longer matters.
//!
//! The votes are ranked with the Bradley–Terry model: each entry i has a strength p_i > 0 and
//! i beats j with probability p_i / (p_i + p_j). The strengths are the maximum-likelihood fit,
//! found with Hunter's MM algorithm (Hunter 2004, "MM algorithms for generalized Bradley–Terry
//! models", Ann. Statist. 32(1)): repeat, for every entry at once,
//!
//! p_i ← W_i / Σ_j n_ij / (p_i + p_j)
//!
//! where W_i is i's wins and n_ij the comparisons of i and j. An entry that never lost would
//! drift to infinite strength (and one that never won to zero), so each entry also gets one
//! virtual win and one virtual loss against a reference of fixed strength 1: a small prior that
//! keeps every strength finite, pins the scale (no renormalising between steps) and joins
//! entries never compared with each other. Iteration stops when no strength moves by more than
//! a relative 1e-9, or after 1000 rounds; everything is deterministic.

use std::collections::BTreeMap;

use crate::DomainError;
use crate::ids::{EntryId, JudgeId};
use crate::time::Timestamp;

use super::conflicts::{Conflicts, EntryRef, Judge};
use super::ranking::competition_ranks;
use super::timeline::Timeline;

pub const MAX_ITERATIONS: usize = 1000;
pub const CONVERGENCE: f64 = 1e-9;
/// Strengths within this relative distance tie: the fit is only as exact as its convergence.
pub const STRENGTH_TIE: f64 = 1e-6;

/// One judge's choice between two entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairwiseVote {
    pub judge: JudgeId,
    pub winner: EntryId,
    pub loser: EntryId,
}

/// Accepts a vote: in the judging window, two different entries, neither in conflict with the
/// judge.
pub fn accept_vote(
    timeline: &Timeline,
    conflicts: &Conflicts,
    judge: &Judge,
    winner: &EntryRef,
    loser: &EntryRef,
    now: Timestamp,
) -> Result<PairwiseVote, DomainError> {
    timeline.may_score(now)?;
    if winner.id == loser.id {
        return Err(DomainError::invalid("loser", "不能把作品和它自己比较"));
    }
    conflicts.check_may_judge(judge, winner)?;
    conflicts.check_may_judge(judge, loser)?;
    Ok(PairwiseVote {
        judge: judge.id,
        winner: winner.id,
        loser: loser.id,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct PairwiseRow {
    pub entry: EntryId,
    pub strength: f64,
    pub rank: u32,
    pub tied: bool,
    pub wins: u32,
    pub losses: u32,
}

/// Entries strongest first (ties by entry id).
#[derive(Debug, Clone, PartialEq)]
pub struct PairwiseRanking {
    pub rows: Vec<PairwiseRow>,
    pub iterations: usize,
    pub converged: bool,
}

/// Fits Bradley–Terry strengths to `votes` among `entries` and ranks them.
pub fn bradley_terry(
    entries: &[EntryId],
    votes: &[PairwiseVote],
) -> Result<PairwiseRanking, DomainError> {
    let index: BTreeMap<EntryId, usize> =
        entries.iter().enumerate().map(|(i, e)| (*e, i)).collect();
    if index.len() != entries.len() {
        return Err(DomainError::invalid("entries", "作品名单有重复"));
    }
    let n = entries.len();
    let mut wins = vec![0u32; n];
    let mut losses = vec![0u32; n];
    let mut games: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
    for v in votes {
        let (Some(&w), Some(&l)) = (index.get(&v.winner), index.get(&v.loser)) else {
            return Err(DomainError::invalid("votes", "比较中的作品不在名单中"));
        };
        if w == l {
            return Err(DomainError::invalid("votes", "不能把作品和它自己比较"));
        }
        wins[w] += 1;
        losses[l] += 1;
        *games[w].entry(l).or_default() += 1.0;
        *games[l].entry(w).or_default() += 1.0;
    }
    let mut p = vec![1.0f64; n];
    let (mut iterations, mut converged) = (0, false);
    while iterations < MAX_ITERATIONS && !converged {
        iterations += 1;
        let next: Vec<f64> = (0..n)
            .map(|i| {
                // The prior: one win and one loss against the reference (strength 1).
                let won = f64::from(wins[i]) + 1.0;
                let against: f64 = games[i]
                    .iter()
                    .map(|(&j, &nij)| nij / (p[i] + p[j]))
                    .sum::<f64>()
                    + 2.0 / (p[i] + 1.0);
                won / against
            })
            .collect();
        converged = next
            .iter()
            .zip(&p)
            .all(|(new, old)| ((new - old) / old).abs() < CONVERGENCE);
        p = next;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(entries[a].cmp(&entries[b])));
    // Ranked on log strength, so the tolerance is relative.
    let logs: Vec<f64> = order.iter().map(|&i| p[i].ln()).collect();
    let ranks = competition_ranks(&logs, STRENGTH_TIE);
    let mut rows: Vec<PairwiseRow> = order
        .iter()
        .zip(&ranks)
        .map(|(&i, &rank)| PairwiseRow {
            entry: entries[i],
            strength: p[i],
            rank,
            tied: ranks.iter().filter(|r| **r == rank).count() > 1,
            wins: wins[i],
            losses: losses[i],
        })
        .collect();
    rows.sort_by_key(|r| (r.rank, r.entry));
    Ok(PairwiseRanking {
        rows,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contests::conflicts::tests::{entry, judge};
    use crate::contests::timeline::tests::{at, timeline};

    fn votes(pairs: &[(i64, i64)]) -> Vec<PairwiseVote> {
        pairs
            .iter()
            .map(|(w, l)| PairwiseVote {
                judge: JudgeId(1),
                winner: EntryId(*w),
                loser: EntryId(*l),
            })
            .collect()
    }

    fn ids(ns: &[i64]) -> Vec<EntryId> {
        ns.iter().map(|n| EntryId(*n)).collect()
    }

    #[test]
    fn contests_bradley_terry_ranks_a_chain() {
        // A (1) beats B (2) three times, B beats C (3) three times.
        let v = votes(&[(1, 2), (1, 2), (1, 2), (2, 3), (2, 3), (2, 3)]);
        let r = bradley_terry(&ids(&[3, 2, 1]), &v).expect("fit");
        assert!(r.converged);
        let order: Vec<_> = r.rows.iter().map(|row| (row.entry.0, row.rank)).collect();
        assert_eq!(order, vec![(1, 1), (2, 2), (3, 3)]);
        assert!(
            r.rows
                .iter()
                .all(|row| row.strength.is_finite() && row.strength > 0.0)
        );
        // A and C mirror each other around B: A's strength is C's inverse, B stays at 1.
        let s: Vec<f64> = r.rows.iter().map(|row| row.strength).collect();
        assert!((s[0] * s[2] - 1.0).abs() < 1e-6, "{s:?}");
        assert!((s[1] - 1.0).abs() < 1e-6, "{s:?}");
    }

    #[test]
    fn contests_bradley_terry_shows_ties_and_keeps_uncompared_entries() {
        let v = votes(&[(1, 2), (2, 1), (3, 4)]);
        let r = bradley_terry(&ids(&[1, 2, 3, 4, 5]), &v).expect("fit");
        let rank = |e: i64| {
            r.rows
                .iter()
                .find(|row| row.entry == EntryId(e))
                .map(|row| (row.rank, row.tied))
        };
        assert_eq!(rank(3), Some((1, false)));
        // 1, 2 (one win, one loss each) and 5 (never compared) all sit at the reference.
        assert_eq!(rank(1), Some((2, true)));
        assert_eq!(rank(2), Some((2, true)));
        assert_eq!(rank(5), Some((2, true)));
        assert_eq!(rank(4), Some((5, false)));
        assert_eq!(
            bradley_terry(&ids(&[1, 2, 3, 4, 5]), &v),
            Ok(r),
            "deterministic"
        );
    }

    #[test]
    fn contests_bradley_terry_refuses_unknown_or_self_comparisons() {
        assert!(bradley_terry(&ids(&[1, 2]), &votes(&[(1, 3)])).is_err());
        assert!(bradley_terry(&ids(&[1, 2]), &votes(&[(1, 1)])).is_err());
        assert!(bradley_terry(&ids(&[1, 1]), &[]).is_err());
        let empty = bradley_terry(&[], &[]).expect("nothing to rank");
        assert!(empty.rows.is_empty());
    }

    #[test]
    fn contests_votes_follow_the_window_and_the_conflicts() {
        let t = timeline();
        let none = Conflicts::default();
        let (a, b) = (entry(1, "初中", "甲校"), entry(2, "初中", "乙校"));
        let during = at("2026-04-10 10:00");
        let j = judge(1, "科协");
        assert!(accept_vote(&t, &none, &j, &a, &b, during).is_ok());
        assert!(accept_vote(&t, &none, &j, &a, &a, during).is_err());
        assert!(accept_vote(&t, &none, &j, &a, &b, at("2026-04-16 10:00")).is_err());
        let same_school = judge(2, "乙校");
        let refused = accept_vote(&t, &none, &same_school, &a, &b, during);
        assert!(matches!(refused, Err(DomainError::Forbidden(_))));
    }
}
