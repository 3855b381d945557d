//! Awards (奖项). [`allot_awards`] proposes awards for one group from its ranking: the highest
//! level's places go to the top-ranked entries, then the next level's, and so on. When entries
//! tied on a rank would not all fit in the places left of a level, the proposal stops there and
//! names the tie: splitting it (by entry id, by who submitted first) would be a decision, and
//! it is the admin's. The admin's final choice is checked by [`validate_awards`]: the counts
//! configured per group and level, accepted entries only, one award per entry.

use std::collections::BTreeMap;

use crate::DomainError;
use crate::ids::EntryId;

use super::entries::{Entry, EntryStatus};
use super::pairwise::PairwiseRow;
use super::ranking::RankedEntry;
use super::spec::AwardLevel;

/// An award given (or proposed) to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardChoice {
    pub entry: EntryId,
    pub level: String,
}

/// Entries sharing a rank that straddle the end of a level's places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryTie {
    pub rank: u32,
    /// The level whose last places they compete for.
    pub level: String,
    pub places_left: u32,
    pub entries: Vec<EntryId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwardProposal {
    /// In rank order.
    pub awarded: Vec<AwardChoice>,
    /// Where the proposal stopped for the admin to decide; entries below it are not proposed.
    pub tie: Option<BoundaryTie>,
}

/// A line of a ranking awards can be proposed from: scored ([`RankedEntry`]) or pairwise
/// ([`PairwiseRow`]).
pub trait Ranked {
    fn entry(&self) -> EntryId;
    /// `None`: not ranked (no scores yet).
    fn rank(&self) -> Option<u32>;
}

impl Ranked for RankedEntry {
    fn entry(&self) -> EntryId {
        self.entry
    }

    fn rank(&self) -> Option<u32> {
        self.rank
    }
}

impl Ranked for PairwiseRow {
    fn entry(&self) -> EntryId {
        self.entry
    }

    fn rank(&self) -> Option<u32> {
        Some(self.rank)
    }
}

/// Proposes one group's awards from its ranking rows in rank order (as
/// [`super::ranking::Ranking::group`] gives them); unranked rows are skipped. `levels` are
/// highest first.
pub fn allot_awards<'a, R: Ranked + 'a>(
    rows: impl IntoIterator<Item = &'a R>,
    levels: &[AwardLevel],
) -> AwardProposal {
    let ranked: Vec<(u32, EntryId)> = rows
        .into_iter()
        .filter_map(|r| r.rank().map(|rank| (rank, r.entry())))
        .collect();
    let mut proposal = AwardProposal::default();
    let mut places: Vec<u32> = levels.iter().map(|l| l.count).collect();
    let mut level = 0usize;
    let mut start = 0usize;
    while start < ranked.len() {
        let rank = ranked[start].0;
        let end = ranked[start..]
            .iter()
            .position(|(r, _)| *r != rank)
            .map_or(ranked.len(), |n| start + n);
        while level < levels.len() && places[level] == 0 {
            level += 1;
        }
        let Some(current) = levels.get(level) else {
            break;
        };
        let block = &ranked[start..end];
        let size = u32::try_from(block.len()).unwrap_or(u32::MAX);
        if size > places[level] {
            proposal.tie = Some(BoundaryTie {
                rank,
                level: current.name.clone(),
                places_left: places[level],
                entries: block.iter().map(|(_, e)| *e).collect(),
            });
            break;
        }
        places[level] -= size;
        proposal
            .awarded
            .extend(block.iter().map(|(_, e)| AwardChoice {
                entry: *e,
                level: current.name.clone(),
            }));
        start = end;
    }
    proposal
}

/// Checks the admin's awards: known levels, accepted entries, one award each, and per group
/// no more of a level than configured.
pub fn validate_awards(
    chosen: &[AwardChoice],
    levels: &[AwardLevel],
    entries: &[Entry],
) -> Result<(), DomainError> {
    let mut counts: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    let mut seen: Vec<EntryId> = Vec::with_capacity(chosen.len());
    for c in chosen {
        let entry = entries.iter().find(|e| e.id == c.entry).ok_or_else(|| {
            DomainError::invalid("awards", format!("作品 {} 不在本大赛中", c.entry))
        })?;
        let title = &entry.spec.title;
        let level = levels
            .iter()
            .find(|l| l.name == c.level.trim())
            .ok_or_else(|| DomainError::invalid("awards", format!("未知的奖项「{}」", c.level)))?;
        if entry.status != EntryStatus::Accepted {
            return Err(DomainError::invalid(
                "awards",
                format!("作品「{title}」{}，不能获奖", entry.status.label_zh()),
            ));
        }
        if seen.contains(&c.entry) {
            return Err(DomainError::invalid(
                "awards",
                format!("作品「{title}」只能获得一个奖项"),
            ));
        }
        seen.push(c.entry);
        *counts
            .entry((entry.spec.group.as_str(), level.name.as_str()))
            .or_default() += 1;
    }
    for ((group, name), n) in counts {
        let max = levels
            .iter()
            .find(|l| l.name == name)
            .map_or(0, |l| l.count);
        if n > max {
            return Err(DomainError::invalid(
                "awards",
                format!("{group}：{name}最多 {max} 项，已选 {n} 项"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contests::entries::{EntrySpec, tests::input};
    use crate::contests::spec::tests::spec;
    use crate::ids::ContestId;

    fn levels(counts: &[(&str, u32)]) -> Vec<AwardLevel> {
        counts
            .iter()
            .map(|(name, count)| AwardLevel {
                name: (*name).into(),
                count: *count,
            })
            .collect()
    }

    fn rows(ranks: &[(i64, Option<u32>)]) -> Vec<RankedEntry> {
        ranks
            .iter()
            .map(|(e, rank)| RankedEntry {
                entry: EntryId(*e),
                group: "初中".into(),
                score: rank.map(|r| 100.0 - f64::from(r)),
                rank: *rank,
                tied: false,
                scored_by: 3,
                assigned: 3,
                incomplete: false,
            })
            .collect()
    }

    fn given(p: &AwardProposal) -> Vec<(i64, &str)> {
        p.awarded
            .iter()
            .map(|a| (a.entry.0, a.level.as_str()))
            .collect()
    }

    #[test]
    fn contests_awards_are_proposed_in_rank_order() {
        let r = rows(&[
            (5, Some(1)),
            (2, Some(2)),
            (9, Some(3)),
            (4, Some(4)),
            (7, None),
        ]);
        let l = levels(&[("一等奖", 1), ("二等奖", 0), ("三等奖", 2)]);
        let p = allot_awards(&r, &l);
        assert_eq!(given(&p), vec![(5, "一等奖"), (2, "三等奖"), (9, "三等奖")]);
        assert_eq!(p.tie, None);
    }

    #[test]
    fn contests_a_tie_across_a_boundary_is_left_to_the_admin() {
        let r = rows(&[(1, Some(1)), (2, Some(2)), (3, Some(2)), (4, Some(4))]);
        let l = levels(&[("一等奖", 2), ("二等奖", 2)]);
        let p = allot_awards(&r, &l);
        assert_eq!(given(&p), vec![(1, "一等奖")]);
        assert_eq!(
            p.tie,
            Some(BoundaryTie {
                rank: 2,
                level: "一等奖".into(),
                places_left: 1,
                entries: vec![EntryId(2), EntryId(3)],
            })
        );
        // A tie that fits is no problem.
        let l = levels(&[("一等奖", 3), ("二等奖", 1)]);
        let p = allot_awards(&r, &l);
        assert_eq!(
            given(&p),
            vec![(1, "一等奖"), (2, "一等奖"), (3, "一等奖"), (4, "二等奖")]
        );
    }

    #[test]
    fn contests_awards_are_proposed_from_a_pairwise_ranking_too() {
        use crate::contests::pairwise::{PairwiseVote, bradley_terry};
        use crate::ids::JudgeId;
        let vote = |w, l| PairwiseVote {
            judge: JudgeId(1),
            winner: EntryId(w),
            loser: EntryId(l),
        };
        let votes = [vote(1, 2), vote(1, 4), vote(2, 3), vote(4, 3)];
        let ids = [EntryId(1), EntryId(2), EntryId(3), EntryId(4)];
        let r = bradley_terry(&ids, &votes).expect("fit");
        let p = allot_awards(&r.rows, &levels(&[("一等奖", 1), ("二等奖", 1)]));
        assert_eq!(given(&p), vec![(1, "一等奖")]);
        let tie = p.tie.expect("2 and 4 tie for the second place");
        assert_eq!(tie.entries, vec![EntryId(2), EntryId(4)]);
        assert_eq!((tie.level.as_str(), tie.places_left), ("二等奖", 1));
    }

    fn entry(id: i64, status: EntryStatus) -> Entry {
        Entry {
            id: EntryId(id),
            contest: ContestId(3),
            spec: EntrySpec::parse(&spec(), &input()).expect("valid"),
            status,
            origin: None,
        }
    }

    #[test]
    fn contests_more_awards_than_configured_are_refused() {
        let entries: Vec<_> = (1..=5).map(|i| entry(i, EntryStatus::Accepted)).collect();
        let l = levels(&[("一等奖", 3), ("二等奖", 5)]);
        let choose = |pairs: &[(i64, &str)]| -> Vec<AwardChoice> {
            pairs
                .iter()
                .map(|(e, level)| AwardChoice {
                    entry: EntryId(*e),
                    level: (*level).into(),
                })
                .collect()
        };
        let ok = choose(&[(1, "一等奖"), (2, "一等奖"), (3, "一等奖"), (4, "二等奖")]);
        assert_eq!(validate_awards(&ok, &l, &entries), Ok(()));
        let four = choose(&[(1, "一等奖"), (2, "一等奖"), (3, "一等奖"), (4, "一等奖")]);
        let err = validate_awards(&four, &l, &entries).expect_err("too many");
        assert_eq!(err.to_string(), "初中：一等奖最多 3 项，已选 4 项");
        let twice = choose(&[(1, "一等奖"), (1, "二等奖")]);
        assert!(validate_awards(&twice, &l, &entries).is_err());
        let unknown = choose(&[(1, "特等奖")]);
        assert!(validate_awards(&unknown, &l, &entries).is_err());
        let stranger = choose(&[(9, "一等奖")]);
        assert!(validate_awards(&stranger, &l, &entries).is_err());
    }

    #[test]
    fn contests_awards_only_go_to_accepted_entries() {
        let l = levels(&[("一等奖", 3)]);
        let pick = [AwardChoice {
            entry: EntryId(1),
            level: "一等奖".into(),
        }];
        for status in [
            EntryStatus::Submitted,
            EntryStatus::Returned {
                reason: "缺材料".into(),
            },
            EntryStatus::Withdrawn {
                reason: "转学".into(),
            },
        ] {
            let entries = [entry(1, status)];
            let err = validate_awards(&pick, &l, &entries).expect_err("not accepted");
            assert!(err.to_string().ends_with("不能获奖"), "{err}");
        }
    }
}
