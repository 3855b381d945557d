//! Entries (参赛作品): title, group, abstract, one to three authors (students give their school
//! and grade), an optional tutor (科技辅导员) and the school or organization entering it.
//!
//! An entry's status: submitted → accepted by the admin, or returned with a reason and then
//! resubmitted; an accepted entry may be withdrawn, and the withdrawal is recorded with its
//! reason rather than the entry deleted (the notice and the parent contest must be able to say
//! what happened to it). Winners of a contest with a parent are nominated: they become entries
//! of the parent contest carrying the round they came from.

use crate::DomainError;
use crate::ids::{ContestId, EntryId};
use crate::regions::RegionCode;
use crate::text::{bounded, optional};
use crate::time::Timestamp;

use super::conflicts::EntryRef;
use super::spec::ContestSpec;

pub const MAX_AUTHORS: usize = 3;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorInput {
    pub name: String,
    pub school: Option<String>,
    pub grade: Option<String>,
}

/// An entry as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryInput {
    pub title: String,
    pub group: String,
    /// The abstract (摘要); `abstract` is a Rust keyword.
    pub summary: String,
    pub authors: Vec<AuthorInput>,
    pub tutor: Option<String>,
    /// The school or organization entering it.
    pub school: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub school: Option<String>,
    pub grade: Option<String>,
}

/// A validated entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySpec {
    pub title: String,
    pub group: String,
    pub summary: String,
    pub authors: Vec<Author>,
    pub tutor: Option<String>,
    pub school: String,
}

/// The round a nominated entry came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub from_contest: ContestId,
    pub from_round_region: RegionCode,
    /// The award it won there.
    pub award: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryStatus {
    Submitted,
    Accepted,
    Returned { reason: String },
    Withdrawn { reason: String },
}

impl EntryStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Returned { .. } => "returned",
            Self::Withdrawn { .. } => "withdrawn",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Submitted => "待审核",
            Self::Accepted => "已通过",
            Self::Returned { .. } => "已退回",
            Self::Withdrawn { .. } => "已撤回",
        }
    }
}

/// What the admin (accept, return) or the entrant (resubmit, withdraw) does to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryAction {
    Accept,
    Return { reason: String },
    Resubmit,
    Withdraw { reason: String },
}

/// An entry of a contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: EntryId,
    pub contest: ContestId,
    pub spec: EntrySpec,
    pub status: EntryStatus,
    /// Set when it was nominated from a lower round.
    pub origin: Option<Origin>,
}

impl Entry {
    /// What conflicts, assignment and ranking need of it.
    pub fn judging_ref(&self) -> EntryRef {
        EntryRef {
            id: self.id,
            title: self.spec.title.clone(),
            group: self.spec.group.clone(),
            school: self.spec.school.clone(),
        }
    }
}

fn parse_author(input: &AuthorInput, students: bool) -> Result<Author, DomainError> {
    let name = bounded("authors", "作者姓名", &input.name, 1, 20, false)?;
    let school = optional("authors", "作者学校", input.school.as_deref(), 60, false)?;
    let grade = optional("authors", "作者年级", input.grade.as_deref(), 20, false)?;
    if students && (school.is_none() || grade.is_none()) {
        return Err(DomainError::invalid(
            "authors",
            format!("请填写作者「{name}」的学校和年级"),
        ));
    }
    Ok(Author {
        name,
        school,
        grade,
    })
}

impl EntrySpec {
    /// Checks the fields against the contest (its groups; students' schools and grades).
    pub fn parse(contest: &ContestSpec, input: &EntryInput) -> Result<Self, DomainError> {
        let title = bounded("title", "作品名称", &input.title, 1, 100, false)?;
        let group = contest.group(&input.group)?.to_owned();
        let summary = bounded("summary", "作品摘要", &input.summary, 1, 2000, true)?;
        if input.authors.is_empty() || input.authors.len() > MAX_AUTHORS {
            return Err(DomainError::invalid(
                "authors",
                format!("作者应为 1–{MAX_AUTHORS} 人"),
            ));
        }
        let students = contest.kind.authors_are_students();
        let authors = input
            .authors
            .iter()
            .map(|a| parse_author(a, students))
            .collect::<Result<Vec<_>, _>>()?;
        let tutor = optional("tutor", "指导教师", input.tutor.as_deref(), 20, false)?;
        let school = bounded("school", "申报单位", &input.school, 1, 60, false)?;
        Ok(Self {
            title,
            group,
            summary,
            authors,
            tutor,
            school,
        })
    }
}

/// An entry submitted at `now`: valid fields, inside the entry window.
pub fn submit_entry(
    contest: &ContestSpec,
    input: &EntryInput,
    now: Timestamp,
) -> Result<EntrySpec, DomainError> {
    contest.timeline.may_submit(now)?;
    EntrySpec::parse(contest, input)
}

fn reason(raw: &str) -> Result<String, DomainError> {
    bounded("reason", "原因", raw, 1, 200, true)
}

/// The entry status machine. Resubmitting is also bound to the entry window: check
/// [`super::timeline::Timeline::may_submit`] too.
pub fn transition(status: &EntryStatus, action: &EntryAction) -> Result<EntryStatus, DomainError> {
    use EntryAction as A;
    use EntryStatus as S;
    match (status, action) {
        (S::Submitted, A::Accept) => Ok(S::Accepted),
        (S::Submitted, A::Return { reason: r }) => Ok(S::Returned { reason: reason(r)? }),
        (S::Returned { .. }, A::Resubmit) => Ok(S::Submitted),
        (S::Accepted, A::Withdraw { reason: r }) => Ok(S::Withdrawn { reason: reason(r)? }),
        (S::Withdrawn { .. }, _) => Err(DomainError::Conflict("作品已撤回，不能再更改".into())),
        (S::Accepted, A::Accept) => Err(DomainError::Conflict("作品已通过审核".into())),
        (_, A::Accept | A::Return { .. }) => {
            Err(DomainError::Conflict("只有待审核的作品才能审核".into()))
        }
        (_, A::Resubmit) => Err(DomainError::Conflict("只有被退回的作品才能重新提交".into())),
        (_, A::Withdraw { .. }) => {
            Err(DomainError::Conflict("只有已通过审核的作品才能撤回".into()))
        }
    }
}

/// A winner nominated to the parent contest: a new entry there, checked by its admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub to_contest: ContestId,
    pub spec: EntrySpec,
    pub status: EntryStatus,
    pub origin: Origin,
}

/// Nominates `entry`, which won `award` in `contest` (id `contest_id`), to the parent contest:
/// only accepted, awarded entries, only once the awards are final, only when there is a parent.
pub fn nominate(
    contest_id: ContestId,
    contest: &ContestSpec,
    entry: &Entry,
    award: Option<&str>,
    now: Timestamp,
) -> Result<Nomination, DomainError> {
    let parent = contest
        .parent
        .ok_or_else(|| DomainError::Conflict("本大赛没有设置上级大赛，不能推荐".into()))?;
    if entry.contest != contest_id {
        return Err(DomainError::invalid("entry", "该作品不属于本大赛"));
    }
    if entry.status != EntryStatus::Accepted {
        return Err(DomainError::Conflict(format!(
            "作品「{}」{}，不能推荐",
            entry.spec.title,
            entry.status.label_zh()
        )));
    }
    let award = award.and_then(|a| contest.award_level(a)).ok_or_else(|| {
        DomainError::Conflict(format!("作品「{}」未获奖，不能推荐", entry.spec.title))
    })?;
    contest.timeline.awards_final(now)?;
    Ok(Nomination {
        to_contest: parent.contest,
        spec: entry.spec.clone(),
        status: EntryStatus::Submitted,
        origin: Origin {
            from_contest: contest_id,
            from_round_region: contest.region,
            award: award.name.clone(),
        },
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::contests::spec::tests::spec;
    use crate::contests::timeline::tests::at;

    pub(crate) fn input() -> EntryInput {
        EntryInput {
            title: "基于声音识别的柑橘园病虫害预警装置".into(),
            group: "初中".into(),
            summary: "利用麦克风阵列识别害虫振翅声……\n第二段。".into(),
            authors: vec![AuthorInput {
                name: "王小明".into(),
                school: Some("邻水县第一中学".into()),
                grade: Some("初二".into()),
            }],
            tutor: Some("李老师".into()),
            school: "邻水县第一中学".into(),
        }
    }

    fn entry(status: EntryStatus) -> Entry {
        Entry {
            id: EntryId(1),
            contest: ContestId(3),
            spec: EntrySpec::parse(&spec(), &input()).expect("valid"),
            status,
            origin: None,
        }
    }

    #[test]
    fn contests_entries_are_submitted_only_in_the_window() {
        let c = spec();
        assert!(submit_entry(&c, &input(), at("2026-03-10 10:00")).is_ok());
        let late = submit_entry(&c, &input(), at("2026-04-01 10:00")).expect_err("late");
        assert!(late.to_string().starts_with("报名已截止"), "{late}");
    }

    #[test]
    fn contests_entry_fields_are_checked() {
        let c = spec();
        let msg = |i: EntryInput| EntrySpec::parse(&c, &i).expect_err("refused").to_string();
        let mut i = input();
        i.authors = vec![i.authors[0].clone(); 4];
        assert_eq!(msg(i), "作者应为 1–3 人");
        let mut i = input();
        i.authors.clear();
        assert_eq!(msg(i), "作者应为 1–3 人");
        let mut i = input();
        i.authors[0].grade = None;
        assert_eq!(msg(i), "请填写作者「王小明」的学校和年级");
        let mut i = input();
        i.group = "大学".into();
        assert_eq!(msg(i), "本大赛没有这个组别");
        let mut i = input();
        i.school = " ".into();
        assert_eq!(msg(i), "请填写申报单位");
        let mut rural = spec();
        rural.kind = crate::contests::ContestKind::RuralTalent;
        let mut i = input();
        i.authors[0].grade = None;
        assert!(EntrySpec::parse(&rural, &i).is_ok(), "not students");
    }

    #[test]
    fn contests_entry_status_machine() {
        let ret = EntryAction::Return {
            reason: "缺少研究报告".into(),
        };
        let returned = transition(&EntryStatus::Submitted, &ret).expect("return");
        assert_eq!(
            returned,
            EntryStatus::Returned {
                reason: "缺少研究报告".into()
            }
        );
        let again = transition(&returned, &EntryAction::Resubmit).expect("resubmit");
        assert_eq!(again, EntryStatus::Submitted);
        let accepted = transition(&again, &EntryAction::Accept).expect("accept");
        let withdraw = EntryAction::Withdraw {
            reason: "作者转学".into(),
        };
        let withdrawn = transition(&accepted, &withdraw).expect("withdraw");
        assert_eq!(withdrawn.label_zh(), "已撤回");
        assert!(transition(&withdrawn, &EntryAction::Accept).is_err());
        assert!(transition(&EntryStatus::Submitted, &withdraw).is_err());
        assert!(transition(&accepted, &EntryAction::Resubmit).is_err());
        assert!(transition(&returned, &EntryAction::Accept).is_err());
        let blank = EntryAction::Return { reason: " ".into() };
        assert!(matches!(
            transition(&EntryStatus::Submitted, &blank),
            Err(DomainError::Invalid {
                field: "reason",
                ..
            })
        ));
    }

    #[test]
    fn contests_only_final_awarded_entries_are_nominated() {
        let c = spec();
        let after = at("2026-05-01 00:00");
        let n = nominate(
            ContestId(3),
            &c,
            &entry(EntryStatus::Accepted),
            Some("一等奖"),
            after,
        )
        .expect("nominated");
        assert_eq!(n.to_contest, ContestId(7));
        assert_eq!(n.status, EntryStatus::Submitted);
        assert_eq!(n.origin.from_contest, ContestId(3));
        assert_eq!(n.origin.from_round_region, c.region);
        let judged = entry(EntryStatus::Accepted).judging_ref();
        assert_eq!(
            (judged.group.as_str(), judged.school.as_str()),
            ("初中", "邻水县第一中学")
        );
        let during_notice = at("2026-04-21 00:00");
        assert!(
            nominate(
                ContestId(3),
                &c,
                &entry(EntryStatus::Accepted),
                Some("一等奖"),
                during_notice
            )
            .is_err()
        );
        let none = nominate(ContestId(3), &c, &entry(EntryStatus::Accepted), None, after);
        assert!(none.expect_err("no award").to_string().contains("未获奖"));
        let withdrawn = EntryStatus::Withdrawn {
            reason: "作者转学".into(),
        };
        assert!(nominate(ContestId(3), &c, &entry(withdrawn), Some("一等奖"), after).is_err());
        assert!(
            nominate(
                ContestId(4),
                &c,
                &entry(EntryStatus::Accepted),
                Some("一等奖"),
                after
            )
            .is_err()
        );
        let mut orphan = spec();
        orphan.parent = None;
        assert!(
            nominate(
                ContestId(3),
                &orphan,
                &entry(EntryStatus::Accepted),
                Some("一等奖"),
                after
            )
            .is_err()
        );
    }
}
