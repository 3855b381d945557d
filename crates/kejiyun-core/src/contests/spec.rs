//! A contest as its region's admin sets it up: name, edition (第36届), kind, the region that
//! holds it (its level — county, city or province — is the region's), groups (小学, 初中, 科学论文
//! …), timeline, rubric, award levels with how many of each per group, judges per entry, the
//! scoring method, and the parent contest its winners are nominated to.

use crate::DomainError;
use crate::ids::ContestId;
use crate::regions::{RegionCode, RegionLevel};
use crate::text::bounded;

use super::rubric::{CriterionInput, Rubric};
use super::timeline::{Timeline, TimelineInput};
use super::{ContestKind, ScoringMethod};

pub const MAX_GROUPS: usize = 20;
pub const MAX_AWARD_LEVELS: usize = 8;
/// Most awards of one level in one group.
pub const MAX_AWARD_COUNT: u32 = 1000;
pub const MAX_JUDGES_PER_ENTRY: u32 = 9;
pub const MAX_EDITION: u32 = 999;

/// An award level as entered: its name and how many of it each group may give.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwardLevelInput {
    pub name: String,
    pub count: u32,
}

/// An award level (一等奖 …); levels are kept highest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardLevel {
    pub name: String,
    /// Most awards of this level per group; 0 keeps the level but gives none this time.
    pub count: u32,
}

/// The contest one level up that this one nominates its winners to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParentInput {
    pub contest: i64,
    /// The region holding the parent contest.
    pub region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentContest {
    pub contest: ContestId,
    pub region: RegionCode,
}

/// A contest as entered (form or JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContestDraft {
    pub name: String,
    /// `第36届` or `36`.
    pub edition: String,
    pub kind: String,
    pub region: String,
    pub groups: Vec<String>,
    pub timeline: TimelineInput,
    pub rubric: Vec<CriterionInput>,
    /// Highest level first.
    pub awards: Vec<AwardLevelInput>,
    pub min_judges_per_entry: u32,
    /// `mean` or `trimmed_mean`.
    pub scoring: String,
    /// Judges dropped each side for `trimmed_mean`.
    pub trim: u32,
    pub parent: Option<ParentInput>,
}

/// A validated contest.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestSpec {
    pub name: String,
    pub edition: u32,
    pub kind: ContestKind,
    pub region: RegionCode,
    pub groups: Vec<String>,
    pub timeline: Timeline,
    pub rubric: Rubric,
    pub awards: Vec<AwardLevel>,
    pub min_judges_per_entry: usize,
    pub scoring: ScoringMethod,
    pub parent: Option<ParentContest>,
}

/// `第36届`, `第 36 届` or `36` → 36.
pub fn parse_edition(raw: &str) -> Result<u32, DomainError> {
    let s = raw.trim();
    let s = s.strip_prefix('第').unwrap_or(s);
    let s = s.strip_suffix('届').unwrap_or(s).trim();
    s.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_EDITION).contains(n) && s.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| DomainError::invalid("edition", "届次应为数字，如「第36届」或 36"))
}

fn parse_groups(raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.is_empty() || raw.len() > MAX_GROUPS {
        return Err(DomainError::invalid(
            "groups",
            format!("组别应有 1–{MAX_GROUPS} 个"),
        ));
    }
    let mut groups: Vec<String> = Vec::with_capacity(raw.len());
    for g in raw {
        let g = bounded("groups", "组别名称", g, 1, 30, false)?;
        if groups.contains(&g) {
            return Err(DomainError::invalid("groups", format!("组别「{g}」重复")));
        }
        groups.push(g);
    }
    Ok(groups)
}

fn parse_awards(raw: &[AwardLevelInput]) -> Result<Vec<AwardLevel>, DomainError> {
    if raw.is_empty() || raw.len() > MAX_AWARD_LEVELS {
        return Err(DomainError::invalid(
            "awards",
            format!("奖项等级应有 1–{MAX_AWARD_LEVELS} 个"),
        ));
    }
    let mut levels: Vec<AwardLevel> = Vec::with_capacity(raw.len());
    for a in raw {
        let name = bounded("awards", "奖项名称", &a.name, 1, 20, false)?;
        if levels.iter().any(|l| l.name == name) {
            return Err(DomainError::invalid(
                "awards",
                format!("奖项「{name}」重复"),
            ));
        }
        if a.count > MAX_AWARD_COUNT {
            return Err(DomainError::invalid(
                "awards",
                format!("{name}每组最多设 {MAX_AWARD_COUNT} 项"),
            ));
        }
        levels.push(AwardLevel {
            name,
            count: a.count,
        });
    }
    if levels.iter().all(|l| l.count == 0) {
        return Err(DomainError::invalid("awards", "请至少为一个奖项设置名额"));
    }
    Ok(levels)
}

fn parse_parent(
    raw: Option<&ParentInput>,
    region: RegionCode,
) -> Result<Option<ParentContest>, DomainError> {
    let Some(p) = raw else { return Ok(None) };
    let parent_region = RegionCode::parse(&p.region)
        .map_err(|_| DomainError::invalid("parent", "上级大赛的地区代码应为六位数字"))?;
    if parent_region == region || !parent_region.contains(region) {
        return Err(DomainError::invalid(
            "parent",
            "上级大赛应由本地区的上级地区举办",
        ));
    }
    Ok(Some(ParentContest {
        contest: ContestId(p.contest),
        region: parent_region,
    }))
}

impl ContestSpec {
    pub fn parse(draft: &ContestDraft) -> Result<Self, DomainError> {
        let name = bounded("name", "大赛名称", &draft.name, 1, 100, false)?;
        let edition = parse_edition(&draft.edition)?;
        let kind = ContestKind::parse(&draft.kind)?;
        let region = RegionCode::parse(&draft.region)
            .map_err(|_| DomainError::invalid("region", "地区代码应为六位数字"))?;
        let groups = parse_groups(&draft.groups)?;
        let timeline = Timeline::parse(&draft.timeline)?;
        let rubric = Rubric::parse(&draft.rubric)?;
        let awards = parse_awards(&draft.awards)?;
        if !(1..=MAX_JUDGES_PER_ENTRY).contains(&draft.min_judges_per_entry) {
            return Err(DomainError::invalid(
                "min_judges_per_entry",
                format!("每件作品的评委人数应在 1–{MAX_JUDGES_PER_ENTRY} 之间"),
            ));
        }
        let scoring = ScoringMethod::parse(&draft.scoring, draft.trim)?;
        let parent = parse_parent(draft.parent.as_ref(), region)?;
        Ok(Self {
            name,
            edition,
            kind,
            region,
            groups,
            timeline,
            rubric,
            awards,
            min_judges_per_entry: draft.min_judges_per_entry as usize,
            scoring,
            parent,
        })
    }

    /// County, city or province: the level of the region holding it.
    pub fn level(&self) -> RegionLevel {
        self.region.level()
    }

    /// `第36届`.
    pub fn edition_label(&self) -> String {
        format!("第{}届", self.edition)
    }

    pub fn award_level(&self, name: &str) -> Option<&AwardLevel> {
        self.awards.iter().find(|l| l.name == name.trim())
    }

    /// The group as entered, if the contest has it.
    pub fn group(&self, name: &str) -> Result<&str, DomainError> {
        self.groups
            .iter()
            .find(|g| g.as_str() == name.trim())
            .map(String::as_str)
            .ok_or_else(|| DomainError::invalid("group", "本大赛没有这个组别"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::contests::rubric::tests::inputs as rubric_inputs;
    use crate::contests::timeline::tests::input as timeline_input;

    pub(crate) fn draft() -> ContestDraft {
        let level = |name: &str, count| AwardLevelInput {
            name: name.into(),
            count,
        };
        ContestDraft {
            name: " 四川省青少年科技创新大赛（邻水县赛区） ".into(),
            edition: "第36届".into(),
            kind: "youth_innovation".into(),
            region: "511623".into(),
            groups: vec!["小学".into(), "初中".into(), "高中".into()],
            timeline: timeline_input(),
            rubric: rubric_inputs(),
            awards: vec![
                level("一等奖", 3),
                level("二等奖", 5),
                level("三等奖", 8),
                level("优秀奖", 0),
            ],
            min_judges_per_entry: 3,
            scoring: "trimmed_mean".into(),
            trim: 1,
            parent: Some(ParentInput {
                contest: 7,
                region: "511600".into(),
            }),
        }
    }

    pub(crate) fn spec() -> ContestSpec {
        ContestSpec::parse(&draft()).expect("valid")
    }

    fn field(d: ContestDraft) -> &'static str {
        match ContestSpec::parse(&d) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn contests_spec_parses_a_county_round() {
        let s = spec();
        assert_eq!(s.name, "四川省青少年科技创新大赛（邻水县赛区）");
        assert_eq!(s.edition_label(), "第36届");
        assert_eq!(s.level(), RegionLevel::County);
        assert_eq!(s.scoring, ScoringMethod::TrimmedMean { trim: 1 });
        assert_eq!(s.parent.map(|p| p.contest), Some(ContestId(7)));
        assert_eq!(s.award_level("一等奖").map(|l| l.count), Some(3));
        assert_eq!(s.group(" 初中 "), Ok("初中"));
        assert!(s.group("大学").is_err());
    }

    #[test]
    fn contests_editions_are_numbers_with_or_without_di_jie() {
        assert_eq!(parse_edition("第36届"), Ok(36));
        assert_eq!(parse_edition(" 36 "), Ok(36));
        assert_eq!(parse_edition("第 36 届"), Ok(36));
        for bad in ["", "第三十六届", "0", "第+5届", "1000", "36届届"] {
            assert!(parse_edition(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn contests_spec_refuses_bad_input_with_its_field() {
        let mut d = draft();
        d.name = "赛".repeat(101);
        assert_eq!(field(d), "name");
        let mut d = draft();
        d.groups.clear();
        assert_eq!(field(d), "groups");
        let mut d = draft();
        d.groups.push("小学".into());
        assert_eq!(field(d), "groups");
        let mut d = draft();
        d.groups = (0..21).map(|n| format!("组{n}")).collect();
        assert_eq!(field(d), "groups");
        let mut d = draft();
        d.groups.push(" ".into());
        assert_eq!(field(d), "groups");
        let mut d = draft();
        for a in &mut d.awards {
            a.count = 0;
        }
        assert_eq!(field(d), "awards");
        let mut d = draft();
        d.awards[1].name = "一等奖".into();
        assert_eq!(field(d), "awards");
        for n in [0, 10] {
            let mut d = draft();
            d.min_judges_per_entry = n;
            assert_eq!(field(d), "min_judges_per_entry");
        }
        let mut d = draft();
        d.trim = 3;
        assert_eq!(field(d), "trim");
        let mut d = draft();
        d.kind = "sports".into();
        assert_eq!(field(d), "kind");
        let mut d = draft();
        d.timeline.judging_open = "2026-03-20 00:00".into();
        assert_eq!(field(d), "judging_open");
        let mut d = draft();
        d.rubric.clear();
        assert_eq!(field(d), "rubric");
    }

    #[test]
    fn contests_parent_is_held_above_this_region() {
        let mut d = draft();
        d.parent = Some(ParentInput {
            contest: 1,
            region: "510000".into(),
        });
        assert!(ContestSpec::parse(&d).is_ok(), "the province directly");
        for region in ["511623", "511621", "500000", "x"] {
            let mut d = draft();
            d.parent = Some(ParentInput {
                contest: 1,
                region: region.into(),
            });
            assert_eq!(field(d), "parent", "{region}");
        }
        let mut d = draft();
        d.parent = None;
        assert!(ContestSpec::parse(&d).is_ok_and(|s| s.parent.is_none()));
    }
}
