//! The request and response bodies of `/api/v1/contests` (`contests.rs`) and of its judging
//! (`contests_judging.rs`), with their conversions from and to the use cases' values.

use kejiyun_core::app::Services;
use kejiyun_core::contests::ContestDraft;
use kejiyun_core::contests::assignment::Assignment;
use kejiyun_core::contests::entries::{AuthorInput, EntryInput};
use kejiyun_core::contests::ports::{AwardRecord, Contest, EntryRecord, JudgeRecord};
use kejiyun_core::contests::rubric::CriterionInput;
use kejiyun_core::contests::scoring::ScoreSheet;
use kejiyun_core::contests::spec::{AwardLevelInput, ParentInput};
use kejiyun_core::contests::timeline::TimelineInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{RegionRef, list_type};
use super::market::dto::ts;

list_type!(ContestList, ContestDto);

/// The six instants of a contest's timeline (RFC 3339 UTC when read; RFC 3339 or Beijing time
/// `2026-03-01 09:00` when written). Each window includes its start and excludes its end.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineDto {
    #[schema(example = "2026-03-01 09:00")]
    pub entries_open: String,
    #[schema(example = "2026-03-31 18:00")]
    pub entries_close: String,
    #[schema(example = "2026-04-05 09:00")]
    pub judging_open: String,
    #[schema(example = "2026-04-20 18:00")]
    pub judging_close: String,
    #[schema(example = "2026-04-25 09:00")]
    pub notice_open: String,
    #[schema(example = "2026-05-02 18:00")]
    pub notice_close: String,
}

/// One criterion of the rubric (评分标准): a weight and an integer score range.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionDto {
    #[schema(example = "创新性")]
    pub name: String,
    /// 1–1000; only the ratios matter.
    #[schema(example = 40)]
    pub weight: u32,
    #[schema(example = 0)]
    pub min: i32,
    #[schema(example = 10)]
    pub max: i32,
}

/// An award level and how many of it each group may give.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardLevelDto {
    #[schema(example = "一等奖")]
    pub name: String,
    #[schema(example = 3)]
    pub count: u32,
}

/// The contest one level up that winners are nominated to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentDto {
    pub contest_id: i64,
    /// Six-digit code of the region holding it.
    #[schema(example = "511600")]
    pub region: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContestRequest {
    #[schema(example = "四川省青少年科技创新大赛")]
    pub name: String,
    /// `第36届` or `36`.
    #[schema(example = "第36届")]
    pub edition: String,
    /// `youth_innovation`, `rural_talent`, `tutor_innovation` or `other`.
    #[schema(example = "youth_innovation")]
    pub kind: String,
    /// Six-digit code of the region holding it (its level is the contest's).
    #[schema(example = "511623")]
    pub region: String,
    /// 1–20 groups (小学, 初中, …).
    pub groups: Vec<String>,
    pub timeline: TimelineDto,
    /// 1–12 criteria.
    pub rubric: Vec<CriterionDto>,
    /// Highest level first; 1–8 levels.
    pub awards: Vec<AwardLevelDto>,
    /// 1–9.
    #[schema(example = 3)]
    pub min_judges_per_entry: u32,
    /// `mean` or `trimmed_mean`.
    #[schema(example = "trimmed_mean")]
    pub scoring: String,
    /// Judges' scores dropped each side for `trimmed_mean` (0–2).
    pub trim: Option<u32>,
    pub parent: Option<ParentDto>,
}

impl From<CreateContestRequest> for ContestDraft {
    fn from(r: CreateContestRequest) -> Self {
        let t = r.timeline;
        Self {
            name: r.name,
            edition: r.edition,
            kind: r.kind,
            region: r.region,
            groups: r.groups,
            timeline: TimelineInput {
                entries_open: t.entries_open,
                entries_close: t.entries_close,
                judging_open: t.judging_open,
                judging_close: t.judging_close,
                notice_open: t.notice_open,
                notice_close: t.notice_close,
            },
            rubric: r
                .rubric
                .into_iter()
                .map(|c| CriterionInput {
                    name: c.name,
                    weight: c.weight,
                    min: c.min,
                    max: c.max,
                })
                .collect(),
            awards: r
                .awards
                .into_iter()
                .map(|a| AwardLevelInput {
                    name: a.name,
                    count: a.count,
                })
                .collect(),
            min_judges_per_entry: r.min_judges_per_entry,
            scoring: r.scoring,
            trim: r.trim.unwrap_or(0),
            parent: r.parent.map(|p| ParentInput {
                contest: p.contest_id,
                region: p.region,
            }),
        }
    }
}

/// A contest (大赛) round.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContestDto {
    pub id: i64,
    pub name: String,
    pub edition: u32,
    /// `第36届`.
    pub edition_label: String,
    pub kind: String,
    pub kind_label: String,
    pub region: RegionRef,
    pub groups: Vec<String>,
    pub timeline: TimelineDto,
    /// `not_open`, `entries`, `between_rounds`, `judging`, `notice` or `final`, now.
    pub phase: String,
    pub phase_label: String,
    pub rubric: Vec<CriterionDto>,
    pub awards: Vec<AwardLevelDto>,
    pub min_judges_per_entry: usize,
    pub scoring: String,
    pub scoring_label: String,
    pub parent: Option<ParentDto>,
    pub created_at: String,
    /// When the notice (公示) of the awards was published.
    pub notice_published_at: Option<String>,
}

impl ContestDto {
    pub fn new(s: &Services, c: Contest) -> Self {
        use kejiyun_core::contests::timeline::Phase;
        let spec = c.spec;
        let t = spec.timeline;
        let phase = t.phase(s.now());
        Self {
            id: c.id.0,
            edition: spec.edition,
            edition_label: spec.edition_label(),
            kind: spec.kind.as_str().into(),
            kind_label: spec.kind.label_zh().into(),
            region: RegionRef::new(s, spec.region),
            timeline: TimelineDto {
                entries_open: ts(t.entries_open),
                entries_close: ts(t.entries_close),
                judging_open: ts(t.judging_open),
                judging_close: ts(t.judging_close),
                notice_open: ts(t.notice_open),
                notice_close: ts(t.notice_close),
            },
            phase: match phase {
                Phase::NotOpen => "not_open",
                Phase::Entries => "entries",
                Phase::BetweenRounds => "between_rounds",
                Phase::Judging => "judging",
                Phase::Notice => "notice",
                Phase::Final => "final",
            }
            .into(),
            phase_label: phase.label_zh().into(),
            rubric: spec
                .rubric
                .criteria()
                .iter()
                .map(|c| CriterionDto {
                    name: c.name.clone(),
                    weight: c.weight,
                    min: c.min,
                    max: c.max,
                })
                .collect(),
            awards: spec
                .awards
                .iter()
                .map(|a| AwardLevelDto {
                    name: a.name.clone(),
                    count: a.count,
                })
                .collect(),
            min_judges_per_entry: spec.min_judges_per_entry,
            scoring: spec.scoring.as_str().into(),
            scoring_label: spec.scoring.label_zh(),
            parent: spec.parent.map(|p| ParentDto {
                contest_id: p.contest.0,
                region: p.region.to_string(),
            }),
            created_at: ts(c.created_at),
            notice_published_at: c.notice_published_at.map(ts),
            groups: spec.groups,
            name: spec.name,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContestParams {
    /// Held in this region's subtree (six digits; default: the whole platform).
    pub region: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorDto {
    #[schema(example = "李明")]
    pub name: String,
    /// Students give their school and grade.
    pub school: Option<String>,
    pub grade: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRequest {
    #[schema(example = "教室噪声提醒器")]
    pub title: String,
    /// One of the contest's groups.
    #[schema(example = "初中")]
    pub group: String,
    /// The abstract (摘要), up to 2000 characters.
    pub summary: String,
    /// 1–3 authors.
    pub authors: Vec<AuthorDto>,
    /// The tutor (指导教师), if any.
    pub tutor: Option<String>,
    /// The school or organization entering it.
    #[schema(example = "邻水县第一中学")]
    pub school: String,
}

impl From<EntryRequest> for EntryInput {
    fn from(r: EntryRequest) -> Self {
        Self {
            title: r.title,
            group: r.group,
            summary: r.summary,
            authors: r
                .authors
                .into_iter()
                .map(|a| AuthorInput {
                    name: a.name,
                    school: a.school,
                    grade: a.grade,
                })
                .collect(),
            tutor: r.tutor,
            school: r.school,
        }
    }
}

/// The round a nominated entry came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct OriginDto {
    pub from_contest_id: i64,
    pub from_round_region: String,
    /// The award it won there.
    pub award: String,
}

/// An entry (参赛作品).
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: i64,
    pub contest_id: i64,
    pub title: String,
    pub group: String,
    pub summary: String,
    pub authors: Vec<AuthorDto>,
    pub tutor: Option<String>,
    pub school: String,
    /// `submitted`, `accepted`, `returned` or `withdrawn`.
    pub status: String,
    pub status_label: String,
    /// Why it was returned or withdrawn.
    pub reason: Option<String>,
    pub origin: Option<OriginDto>,
    /// Where it counts: the contest's region, or the round it was nominated from.
    pub region: String,
    pub submitted_at: String,
    pub decided_at: Option<String>,
}

impl From<EntryRecord> for EntryDto {
    fn from(r: EntryRecord) -> Self {
        use kejiyun_core::contests::entries::EntryStatus as S;
        let e = r.entry;
        let reason = match &e.status {
            S::Returned { reason } | S::Withdrawn { reason } => Some(reason.clone()),
            S::Submitted | S::Accepted => None,
        };
        Self {
            id: e.id.0,
            contest_id: e.contest.0,
            status: e.status.as_str().into(),
            status_label: e.status.label_zh().into(),
            reason,
            origin: e.origin.map(|o| OriginDto {
                from_contest_id: o.from_contest.0,
                from_round_region: o.from_round_region.to_string(),
                award: o.award,
            }),
            region: r.region.to_string(),
            submitted_at: ts(r.submitted_at),
            decided_at: r.decided_at.map(ts),
            authors: e
                .spec
                .authors
                .into_iter()
                .map(|a| AuthorDto {
                    name: a.name,
                    school: a.school,
                    grade: a.grade,
                })
                .collect(),
            title: e.spec.title,
            group: e.spec.group,
            summary: e.spec.summary,
            tutor: e.spec.tutor,
            school: e.spec.school,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// 1–200 characters.
    #[schema(example = "缺少研究报告")]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteJudgeRequest {
    /// A registered user.
    pub user_id: i64,
    /// Where they work: an entry from there is a conflict without a declaration.
    #[schema(example = "广安市科学技术协会")]
    pub organization: String,
}

/// A judge (评委) of a contest.
#[derive(Debug, Serialize, ToSchema)]
pub struct JudgeDto {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub organization: String,
    pub invited_at: String,
}

impl From<JudgeRecord> for JudgeDto {
    fn from(j: JudgeRecord) -> Self {
        Self {
            id: j.judge.id.0,
            user_id: j.user.0,
            name: j.judge.name,
            organization: j.judge.organization,
            invited_at: ts(j.invited_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictRequest {
    /// `same_school`, `tutor`, `relative` or `other`.
    #[schema(example = "tutor")]
    pub kind: String,
    /// The entry it is on; or
    pub entry_id: Option<i64>,
    /// every entry from this school or organization.
    pub school: Option<String>,
    /// The admin records one for this judge; a judge leaves it out to declare their own.
    pub judge_id: Option<i64>,
}

/// Judges per entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignedDto {
    pub entry_id: i64,
    pub judge_ids: Vec<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentDto {
    /// Every accepted entry with its judges, in entry id order.
    pub entries: Vec<AssignedDto>,
}

impl From<&Assignment> for AssignmentDto {
    fn from(a: &Assignment) -> Self {
        Self {
            entries: a
                .by_entry()
                .iter()
                .map(|(e, js)| AssignedDto {
                    entry_id: e.0,
                    judge_ids: js.iter().map(|j| j.0).collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// One score per rubric criterion, in the rubric's order, each within its range.
    #[schema(example = json!([8, 9]))]
    pub points: Vec<Option<i32>>,
    pub comment: Option<String>,
}

/// A judge's score sheet on an entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreDto {
    pub judge_id: i64,
    pub entry_id: i64,
    pub points: Vec<i32>,
    /// The rubric's weighted total, 0–100.
    pub total: f64,
    pub comment: Option<String>,
    pub updated_at: Option<String>,
}

impl ScoreDto {
    pub fn new(s: ScoreSheet, updated_at: Option<String>) -> Self {
        Self {
            judge_id: s.judge.0,
            entry_id: s.entry.0,
            points: s.points,
            total: s.total,
            comment: s.comment,
            updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    /// The better entry.
    pub winner_id: i64,
    pub loser_id: i64,
}

/// One line of a group's ranking by scores.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankedDto {
    pub entry_id: i64,
    pub group: String,
    /// Combined normalised score; null before any judge scored it.
    pub score: Option<f64>,
    /// "1, 2, 2, 4": ties share a rank; null when unscored.
    pub rank: Option<u32>,
    pub tied: bool,
    pub scored_by: usize,
    pub assigned: usize,
    /// Fewer scores than assigned judges.
    pub incomplete: bool,
}

/// One line of the Bradley–Terry ranking of the pairwise votes.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairwiseDto {
    pub entry_id: i64,
    pub strength: f64,
    pub rank: u32,
    pub tied: bool,
    pub wins: u32,
    pub losses: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankingDto {
    /// Each group by rank, groups in the order they first appear.
    pub scores: Vec<RankedDto>,
    /// Present when judges voted pairwise.
    pub pairwise: Option<Vec<PairwiseDto>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRequest {
    pub entry_id: i64,
    #[schema(example = "一等奖")]
    pub level: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardsRequest {
    /// The whole list; replaces the earlier one.
    pub awards: Vec<AwardRequest>,
}

/// An award (奖项).
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardDto {
    pub entry_id: i64,
    pub level: String,
    pub set_at: String,
}

impl From<AwardRecord> for AwardDto {
    fn from(a: AwardRecord) -> Self {
        Self {
            entry_id: a.award.entry.0,
            level: a.award.level,
            set_at: ts(a.set_at),
        }
    }
}
