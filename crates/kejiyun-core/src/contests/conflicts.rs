//! Conflicts of interest (利益冲突): a judge declares them, on one entry (they tutored it, an
//! author is a relative) or on a whole school (they teach there). A judge whose own
//! organization is the entry's school is in conflict without declaring it. A judge in conflict
//! is never assigned the entry, never shown it, and any score or vote of theirs on it is
//! refused.

use serde::Serialize;

use crate::DomainError;
use crate::ids::{EntryId, JudgeId};
use crate::text::optional;

use super::same_party;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    SameSchool,
    /// The judge tutored the entry.
    Tutor,
    Relative,
    Other,
}

impl ConflictKind {
    pub const ALL: [Self; 4] = [Self::SameSchool, Self::Tutor, Self::Relative, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SameSchool => "same_school",
            Self::Tutor => "tutor",
            Self::Relative => "relative",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SameSchool => "同校",
            Self::Tutor => "指导教师",
            Self::Relative => "亲属",
            Self::Other => "其他",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("conflict", "未知的利益冲突类型"))
    }
}

/// What a declaration covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictTarget {
    Entry(EntryId),
    /// Every entry from this school or organization.
    School(String),
}

/// One judge's declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub judge: JudgeId,
    pub target: ConflictTarget,
    pub kind: ConflictKind,
}

/// A declaration as entered: on one entry or on a school, not both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConflictInput {
    pub kind: String,
    pub entry: Option<i64>,
    pub school: Option<String>,
}

impl Conflict {
    pub fn parse(judge: JudgeId, input: &ConflictInput) -> Result<Self, DomainError> {
        let kind = ConflictKind::parse(&input.kind)?;
        let school = optional("school", "学校或单位", input.school.as_deref(), 60, false)?;
        let target = match (input.entry, school) {
            (Some(id), None) => ConflictTarget::Entry(EntryId(id)),
            (None, Some(school)) => ConflictTarget::School(school),
            (None, None) => {
                return Err(DomainError::invalid(
                    "entry",
                    "请选择一件作品或填写一所学校",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "entry",
                    "一项声明只能针对一件作品或一所学校",
                ));
            }
        };
        Ok(Self {
            judge,
            target,
            kind,
        })
    }
}

/// A judge of the contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judge {
    pub id: JudgeId,
    pub name: String,
    /// Where they work; an entry from there is a conflict without a declaration.
    pub organization: String,
}

/// What judging needs to know of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef {
    pub id: EntryId,
    pub title: String,
    pub group: String,
    pub school: String,
}

/// All declarations of a contest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conflicts {
    declared: Vec<Conflict>,
}

impl Conflicts {
    pub fn new(declared: Vec<Conflict>) -> Self {
        Self { declared }
    }

    pub fn declared(&self) -> &[Conflict] {
        &self.declared
    }

    /// Why `judge` may not judge `entry`, if they may not: their own organization first, then
    /// the first matching declaration.
    pub fn conflict(&self, judge: &Judge, entry: &EntryRef) -> Option<ConflictKind> {
        if same_party(&judge.organization, &entry.school) {
            return Some(ConflictKind::SameSchool);
        }
        self.declared
            .iter()
            .filter(|c| c.judge == judge.id)
            .find(|c| match &c.target {
                ConflictTarget::Entry(id) => *id == entry.id,
                ConflictTarget::School(school) => same_party(school, &entry.school),
            })
            .map(|c| c.kind)
    }

    pub fn is_conflicted(&self, judge: &Judge, entry: &EntryRef) -> bool {
        self.conflict(judge, entry).is_some()
    }

    /// Refuses a judge's score or vote on an entry they are in conflict with.
    pub fn check_may_judge(&self, judge: &Judge, entry: &EntryRef) -> Result<(), DomainError> {
        match self.conflict(judge, entry) {
            None => Ok(()),
            Some(kind) => Err(DomainError::Forbidden(format!(
                "您与作品「{}」存在利益冲突（{}），不能评审该作品",
                entry.title,
                kind.label_zh()
            ))),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn judge(id: i64, organization: &str) -> Judge {
        Judge {
            id: JudgeId(id),
            name: format!("评委{id}"),
            organization: organization.into(),
        }
    }

    pub(crate) fn entry(id: i64, group: &str, school: &str) -> EntryRef {
        EntryRef {
            id: EntryId(id),
            title: format!("作品{id}"),
            group: group.into(),
            school: school.into(),
        }
    }

    #[test]
    fn contests_conflicts_by_organization_entry_and_school() {
        let conflicts = Conflicts::new(vec![
            Conflict {
                judge: JudgeId(1),
                target: ConflictTarget::Entry(EntryId(10)),
                kind: ConflictKind::Tutor,
            },
            Conflict {
                judge: JudgeId(2),
                target: ConflictTarget::School("邻水县第二中学".into()),
                kind: ConflictKind::Relative,
            },
        ]);
        let (j1, j2, j3) = (
            judge(1, "广安市科协"),
            judge(2, "广安市教科所"),
            judge(3, "邻水县第一中学"),
        );
        let e10 = entry(10, "初中", "邻水县第一中学");
        let e11 = entry(11, "初中", "邻水县第二中学 ");
        assert_eq!(conflicts.conflict(&j1, &e10), Some(ConflictKind::Tutor));
        assert!(!conflicts.is_conflicted(&j1, &e11));
        assert_eq!(conflicts.conflict(&j2, &e11), Some(ConflictKind::Relative));
        assert!(!conflicts.is_conflicted(&j2, &e10));
        assert_eq!(
            conflicts.conflict(&j3, &e10),
            Some(ConflictKind::SameSchool)
        );
        assert!(!conflicts.is_conflicted(&j3, &e11));
    }

    #[test]
    fn contests_a_judge_scoring_a_conflicted_entry_is_refused() {
        let conflicts = Conflicts::default();
        let e = entry(10, "初中", "邻水县第一中学");
        let err = conflicts
            .check_may_judge(&judge(3, "邻水县第一中学"), &e)
            .expect_err("conflicted");
        assert_eq!(
            err,
            DomainError::Forbidden("您与作品「作品10」存在利益冲突（同校），不能评审该作品".into())
        );
        assert!(
            conflicts
                .check_may_judge(&judge(4, "广安市科协"), &e)
                .is_ok()
        );
    }

    #[test]
    fn contests_conflict_declarations_name_an_entry_or_a_school() {
        let input = |entry: Option<i64>, school: Option<&str>| ConflictInput {
            kind: "relative".into(),
            entry,
            school: school.map(str::to_owned),
        };
        let on_entry = Conflict::parse(JudgeId(1), &input(Some(10), Some(" "))).expect("ok");
        assert_eq!(on_entry.target, ConflictTarget::Entry(EntryId(10)));
        let on_school = Conflict::parse(JudgeId(1), &input(None, Some(" 甲校 "))).expect("ok");
        assert_eq!(on_school.target, ConflictTarget::School("甲校".into()));
        assert!(Conflict::parse(JudgeId(1), &input(None, None)).is_err());
        assert!(Conflict::parse(JudgeId(1), &input(Some(10), Some("甲校"))).is_err());
        let mut bad_kind = input(Some(10), None);
        bad_kind.kind = "friend".into();
        assert!(Conflict::parse(JudgeId(1), &bad_kind).is_err());
    }

    #[test]
    fn contests_conflict_kinds_round_trip() {
        for k in ConflictKind::ALL {
            assert_eq!(ConflictKind::parse(k.as_str()), Ok(k));
        }
        assert!(ConflictKind::parse("friend").is_err());
    }
}
