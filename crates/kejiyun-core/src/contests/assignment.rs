//! Which judges judge which entries. [`assign`] computes a proposal the admin may then edit
//! ([`validate_manual_edit`] checks the edit): every entry gets exactly the minimum number of
//! judges, none in conflict with it, and the judges' loads stay as even as the conflicts allow.
//!
//! The proposal is greedy and deterministic: entries with the fewest eligible judges go first
//! (they have the least choice), ties in input order; each takes the least-loaded eligible
//! judges, ties by judge id. Conflicts can leave the loads uneven, so a repair pass then moves
//! single assignments from a judge with two or more above another to that judge, where the
//! lighter judge may judge the entry; each move lowers the sum of squared loads, so it ends.

use std::collections::{BTreeMap, BTreeSet};

use crate::DomainError;
use crate::ids::{EntryId, JudgeId};

use super::conflicts::{Conflicts, EntryRef, Judge};

/// Judges per entry, each entry's list sorted by judge id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    by_entry: BTreeMap<EntryId, Vec<JudgeId>>,
}

impl Assignment {
    /// An assignment as the admin edited it (check it with [`validate_manual_edit`]).
    pub fn new(by_entry: BTreeMap<EntryId, Vec<JudgeId>>) -> Self {
        let mut by_entry = by_entry;
        by_entry.values_mut().for_each(|js| js.sort());
        Self { by_entry }
    }

    pub fn judges_of(&self, entry: EntryId) -> &[JudgeId] {
        self.by_entry.get(&entry).map_or(&[], Vec::as_slice)
    }

    pub fn is_assigned(&self, judge: JudgeId, entry: EntryId) -> bool {
        self.judges_of(entry).contains(&judge)
    }

    /// The entries a judge sees, in id order.
    pub fn entries_of(&self, judge: JudgeId) -> Vec<EntryId> {
        self.by_entry
            .iter()
            .filter(|(_, js)| js.contains(&judge))
            .map(|(e, _)| *e)
            .collect()
    }

    /// Entries per judge, for every judge in `judges` (zero included).
    pub fn loads(&self, judges: &[Judge]) -> BTreeMap<JudgeId, usize> {
        let mut loads: BTreeMap<JudgeId, usize> = judges.iter().map(|j| (j.id, 0)).collect();
        for j in self.by_entry.values().flatten() {
            *loads.entry(*j).or_default() += 1;
        }
        loads
    }

    pub fn by_entry(&self) -> &BTreeMap<EntryId, Vec<JudgeId>> {
        &self.by_entry
    }
}

/// The entries `judge` is shown: assigned to them and, should a conflict have been declared
/// since the assignment, not in conflict with them.
pub fn entries_for_judge<'a>(
    assignment: &Assignment,
    conflicts: &Conflicts,
    judge: &Judge,
    entries: &'a [EntryRef],
) -> Vec<&'a EntryRef> {
    entries
        .iter()
        .filter(|e| assignment.is_assigned(judge.id, e.id) && !conflicts.is_conflicted(judge, e))
        .collect()
}

fn check_distinct(entries: &[EntryRef], judges: &[Judge]) -> Result<(), DomainError> {
    let entry_ids: BTreeSet<EntryId> = entries.iter().map(|e| e.id).collect();
    let judge_ids: BTreeSet<JudgeId> = judges.iter().map(|j| j.id).collect();
    if entry_ids.len() != entries.len() || judge_ids.len() != judges.len() {
        return Err(DomainError::invalid("assignment", "作品或评委名单有重复"));
    }
    Ok(())
}

fn too_few(entry: &EntryRef, eligible: usize, min: usize) -> DomainError {
    DomainError::invalid(
        "assignment",
        format!(
            "作品「{}」只有 {eligible} 位无利益冲突的评委，少于每件作品至少 {min} 位的要求",
            entry.title
        ),
    )
}

/// Proposes judges for every entry: `min_per_entry` each, none in conflict, loads balanced.
pub fn assign(
    entries: &[EntryRef],
    judges: &[Judge],
    conflicts: &Conflicts,
    min_per_entry: usize,
) -> Result<Assignment, DomainError> {
    if min_per_entry == 0 {
        return Err(DomainError::invalid(
            "min_judges_per_entry",
            "每件作品至少需要 1 位评委",
        ));
    }
    check_distinct(entries, judges)?;
    // Indices into `judges`, sorted by judge id so that "ties by id" is "ties by position".
    let mut by_id: Vec<usize> = (0..judges.len()).collect();
    by_id.sort_by_key(|&j| judges[j].id);
    let eligible: Vec<Vec<usize>> = entries
        .iter()
        .map(|e| {
            by_id
                .iter()
                .copied()
                .filter(|&j| !conflicts.is_conflicted(&judges[j], e))
                .collect()
        })
        .collect();
    if let Some((e, el)) = entries
        .iter()
        .zip(&eligible)
        .find(|(_, el)| el.len() < min_per_entry)
    {
        return Err(too_few(e, el.len(), min_per_entry));
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&e| eligible[e].len());
    let mut load = vec![0usize; judges.len()];
    let mut chosen: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    for e in order {
        let mut candidates = eligible[e].clone();
        // Stable: equal loads keep the id order.
        candidates.sort_by_key(|&j| load[j]);
        for &j in candidates.iter().take(min_per_entry) {
            load[j] += 1;
            chosen[e].push(j);
        }
    }
    rebalance(&eligible, &mut chosen, &mut load, &by_id);
    let by_entry = entries
        .iter()
        .zip(chosen)
        .map(|(e, js)| {
            let mut ids: Vec<JudgeId> = js.into_iter().map(|j| judges[j].id).collect();
            ids.sort();
            (e.id, ids)
        })
        .collect();
    Ok(Assignment { by_entry })
}

/// Moves one assignment at a time from a judge to one at least two lighter, while any such
/// move is possible; see the module comment.
fn rebalance(
    eligible: &[Vec<usize>],
    chosen: &mut [Vec<usize>],
    load: &mut [usize],
    by_id: &[usize],
) {
    loop {
        let mut heavy_first = by_id.to_vec();
        heavy_first.sort_by_key(|&j| std::cmp::Reverse(load[j]));
        let mut light_first = by_id.to_vec();
        light_first.sort_by_key(|&j| load[j]);
        let found = heavy_first.iter().find_map(|&h| {
            light_first
                .iter()
                .take_while(|&&l| load[l] + 2 <= load[h])
                .find_map(|&l| {
                    (0..chosen.len())
                        .find(|&e| {
                            chosen[e].contains(&h)
                                && !chosen[e].contains(&l)
                                && eligible[e].contains(&l)
                        })
                        .map(|e| (e, h, l))
                })
        });
        let Some((e, h, l)) = found else { return };
        if let Some(slot) = chosen[e].iter_mut().find(|j| **j == h) {
            *slot = l;
        }
        load[h] -= 1;
        load[l] += 1;
    }
}

/// Checks the admin's edit: every entry listed, at least `min_per_entry` distinct known
/// judges each, none in conflict with it.
pub fn validate_manual_edit(
    assignment: &Assignment,
    entries: &[EntryRef],
    judges: &[Judge],
    conflicts: &Conflicts,
    min_per_entry: usize,
) -> Result<(), DomainError> {
    check_distinct(entries, judges)?;
    if let Some(unknown) = assignment
        .by_entry
        .keys()
        .find(|id| !entries.iter().any(|e| e.id == **id))
    {
        return Err(DomainError::invalid(
            "assignment",
            format!("分配中的作品 {unknown} 不在本大赛的作品名单中"),
        ));
    }
    for e in entries {
        let assigned = assignment.judges_of(e.id);
        let distinct: BTreeSet<&JudgeId> = assigned.iter().collect();
        if distinct.len() != assigned.len() {
            return Err(DomainError::invalid(
                "assignment",
                format!("作品「{}」重复分配了同一位评委", e.title),
            ));
        }
        for id in assigned {
            let judge = judges.iter().find(|j| j.id == *id).ok_or_else(|| {
                DomainError::invalid("assignment", format!("评委 {id} 不在本大赛的评委名单中"))
            })?;
            if let Some(kind) = conflicts.conflict(judge, e) {
                return Err(DomainError::invalid(
                    "assignment",
                    format!(
                        "评委「{}」与作品「{}」存在利益冲突（{}），不能分配",
                        judge.name,
                        e.title,
                        kind.label_zh()
                    ),
                ));
            }
        }
        if assigned.len() < min_per_entry {
            return Err(DomainError::invalid(
                "assignment",
                format!(
                    "作品「{}」只分配了 {} 位评委，每件作品至少需要 {min_per_entry} 位",
                    e.title,
                    assigned.len()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contests::conflicts::tests::{entry, judge};
    use crate::contests::conflicts::{Conflict, ConflictKind, ConflictTarget};

    /// Numerical Recipes' LCG: enough randomness for a seeded test, no dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }
    }

    fn spread(a: &Assignment, judges: &[Judge]) -> usize {
        let loads = a.loads(judges);
        let max = loads.values().max().copied().unwrap_or(0);
        let min = loads.values().min().copied().unwrap_or(0);
        max - min
    }

    #[test]
    fn contests_assignment_without_conflicts_is_round_robin() {
        let entries: Vec<_> = (1..=5)
            .map(|i| entry(i, "初中", &format!("学校{i}")))
            .collect();
        let judges: Vec<_> = (1..=4).map(|i| judge(i, "科协")).collect();
        let a = assign(&entries, &judges, &Conflicts::default(), 2).expect("possible");
        assert_eq!(a.judges_of(EntryId(1)), &[JudgeId(1), JudgeId(2)]);
        assert_eq!(a.judges_of(EntryId(2)), &[JudgeId(3), JudgeId(4)]);
        assert!(a.by_entry().values().all(|js| js.len() == 2));
        assert_eq!(spread(&a, &judges), 1);
        assert_eq!(
            assign(&entries, &judges, &Conflicts::default(), 2),
            Ok(a),
            "deterministic"
        );
    }

    #[test]
    fn contests_assignment_is_balanced_and_conflict_free_on_a_seeded_set() {
        for seed in 1..=20u64 {
            let mut rng = Lcg(seed);
            let schools: Vec<String> = (0..8).map(|s| format!("第{s}中学")).collect();
            let entries: Vec<_> = (1..=60)
                .map(|i| entry(i, "初中", &schools[rng.next(8) as usize]))
                .collect();
            let judges: Vec<_> = (1..=12)
                .map(|i| judge(i, &format!("单位{}", rng.next(20))))
                .collect();
            let declared = (0..15)
                .map(|_| Conflict {
                    judge: JudgeId(1 + rng.next(12) as i64),
                    target: if rng.next(3) == 0 {
                        ConflictTarget::School(schools[rng.next(8) as usize].clone())
                    } else {
                        ConflictTarget::Entry(EntryId(1 + rng.next(60) as i64))
                    },
                    kind: ConflictKind::Relative,
                })
                .collect();
            let conflicts = Conflicts::new(declared);
            let a = assign(&entries, &judges, &conflicts, 3).expect("possible");
            for e in &entries {
                let js = a.judges_of(e.id);
                assert_eq!(js.len(), 3, "seed {seed}");
                for j in js {
                    let judge = judges.iter().find(|x| x.id == *j).expect("known");
                    assert!(!conflicts.is_conflicted(judge, e), "seed {seed}");
                }
            }
            assert!(
                spread(&a, &judges) <= 1,
                "seed {seed}: {:?}",
                a.loads(&judges)
            );
            assert_eq!(
                validate_manual_edit(&a, &entries, &judges, &conflicts, 3),
                Ok(())
            );
        }
    }

    #[test]
    fn contests_assignment_error_names_the_entry_when_impossible() {
        let entries = vec![entry(1, "初中", "甲校"), entry(2, "初中", "乙校")];
        let judges = vec![judge(1, "甲校"), judge(2, "丙校"), judge(3, "丁校")];
        let err = assign(&entries, &judges, &Conflicts::default(), 3).expect_err("impossible");
        assert_eq!(
            err.to_string(),
            "作品「作品1」只有 2 位无利益冲突的评委，少于每件作品至少 3 位的要求"
        );
        assert!(assign(&entries, &judges, &Conflicts::default(), 2).is_ok());
    }

    #[test]
    fn contests_assignment_sends_scarce_entries_first() {
        // Entry 3 can only be judged by judge 3; judge 3 must not be used up before it.
        let entries = vec![
            entry(1, "初中", "x"),
            entry(2, "初中", "y"),
            entry(3, "初中", "z"),
        ];
        let judges = vec![judge(1, "z"), judge(2, "z"), judge(3, "w")];
        let a = assign(&entries, &judges, &Conflicts::default(), 1).expect("possible");
        assert_eq!(a.judges_of(EntryId(3)), &[JudgeId(3)]);
        assert_eq!(spread(&a, &judges), 0);
    }

    #[test]
    fn contests_assignment_balances_the_judges_the_conflicts_leave() {
        // Judge 4 works at the only school: no entry for them; the rest share evenly.
        let entries: Vec<_> = (1..=7).map(|i| entry(i, "初中", "甲校")).collect();
        let judges: Vec<_> = (1..=4)
            .map(|i| judge(i, if i == 4 { "甲校" } else { "科协" }))
            .collect();
        let a = assign(&entries, &judges, &Conflicts::default(), 2).expect("possible");
        let loads = a.loads(&judges);
        assert_eq!(loads.get(&JudgeId(4)), Some(&0));
        let others: Vec<usize> = (1..=3)
            .filter_map(|j| loads.get(&JudgeId(j)).copied())
            .collect();
        assert!(
            others
                .iter()
                .max()
                .zip(others.iter().min())
                .is_some_and(|(x, n)| x - n <= 1)
        );
    }

    #[test]
    fn contests_judges_see_only_their_unconflicted_entries() {
        let entries = vec![
            entry(1, "初中", "甲校"),
            entry(2, "初中", "乙校"),
            entry(3, "初中", "丙校"),
        ];
        let judges = vec![judge(1, "科协"), judge(2, "科协")];
        let a = assign(&entries, &judges, &Conflicts::default(), 2).expect("possible");
        let late = Conflicts::new(vec![Conflict {
            judge: JudgeId(1),
            target: ConflictTarget::Entry(EntryId(2)),
            kind: ConflictKind::Tutor,
        }]);
        let seen: Vec<i64> = entries_for_judge(&a, &late, &judges[0], &entries)
            .iter()
            .map(|e| e.id.0)
            .collect();
        assert_eq!(seen, vec![1, 3]);
        assert!(
            validate_manual_edit(&a, &entries, &judges, &late, 2).is_err(),
            "now invalid"
        );
    }

    #[test]
    fn contests_manual_edits_are_checked() {
        let entries = vec![entry(1, "初中", "甲校"), entry(2, "初中", "乙校")];
        let judges = vec![judge(1, "甲校"), judge(2, "丙校"), judge(3, "丁校")];
        let none = Conflicts::default();
        let edit = |pairs: &[(i64, &[i64])]| {
            Assignment::new(
                pairs
                    .iter()
                    .map(|(e, js)| (EntryId(*e), js.iter().map(|j| JudgeId(*j)).collect()))
                    .collect(),
            )
        };
        let ok = edit(&[(1, &[2, 3]), (2, &[1, 2])]);
        assert_eq!(
            validate_manual_edit(&ok, &entries, &judges, &none, 2),
            Ok(())
        );
        let msg = |a: Assignment| {
            validate_manual_edit(&a, &entries, &judges, &none, 2)
                .expect_err("refused")
                .to_string()
        };
        assert!(msg(edit(&[(1, &[1, 2]), (2, &[1, 2])])).contains("利益冲突（同校）"));
        assert!(msg(edit(&[(1, &[2]), (2, &[1, 2])])).contains("至少需要 2 位"));
        assert!(msg(edit(&[(1, &[2, 2]), (2, &[1, 2])])).contains("重复分配"));
        assert!(msg(edit(&[(1, &[2, 9]), (2, &[1, 2])])).contains("评委 9"));
        assert!(msg(edit(&[(1, &[2, 3]), (2, &[1, 2]), (5, &[1])])).contains("作品 5"));
    }
}
