//! Contests (大赛): every year the associations run contests county → city → province, e.g. the
//! county round of 第36届四川省青少年科技创新大赛. A region's admin sets a contest up (kind,
//! edition, groups, timeline, rubric, award levels, the parent contest it nominates to); people
//! submit entries (参赛作品) within the entry window; the admin accepts or returns them; judges
//! (评委) declare their conflicts of interest and are assigned entries they have none with; they
//! score by the rubric (or pick the better of two entries, ranked by Bradley–Terry); the admin
//! sets the awards (奖项) from the ranking, publishes a public notice (公示), and once it ends
//! the awards are final and the winners may be nominated to the parent contest.
//!
//! Everything here is rules on values: no IO, no clock (`now` is a parameter).
//!
//! - [`spec`]: the contest as set up ([`ContestDraft`] → [`ContestSpec`]);
//! - [`timeline`]: its windows and the phase at a given time;
//! - [`rubric`]: criteria, weights and the total of one judge's scores;
//! - [`entries`]: an entry's fields, its status machine and nomination to the parent contest;
//! - [`conflicts`]: conflicts of interest between judges and entries;
//! - [`assignment`]: which judges judge which entries;
//! - [`scoring`]: one judge's score sheet and the per-judge normalisation;
//! - [`ranking`]: combining scores per entry and ranking with ties;
//! - [`pairwise`]: the Bradley–Terry model for pairwise judging;
//! - [`awards`]: proposing and checking the awards.

pub mod assignment;
pub mod awards;
pub mod conflicts;
pub mod entries;
pub mod pairwise;
pub mod ports;
pub mod ranking;
pub mod rubric;
pub mod scoring;
pub mod spec;
pub mod timeline;

use serde::Serialize;

use crate::DomainError;

pub use spec::{ContestDraft, ContestSpec};

/// The kinds of contest the associations hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContestKind {
    /// 青少年科技创新大赛: pupils' and students' projects.
    YouthInnovation,
    /// 农村实用人才大赛.
    RuralTalent,
    /// 科技辅导员创新成果: the tutors' own work.
    TutorInnovation,
    Other,
}

impl ContestKind {
    pub const ALL: [Self; 4] = [
        Self::YouthInnovation,
        Self::RuralTalent,
        Self::TutorInnovation,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::YouthInnovation => "youth_innovation",
            Self::RuralTalent => "rural_talent",
            Self::TutorInnovation => "tutor_innovation",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::YouthInnovation => "青少年科技创新",
            Self::RuralTalent => "农村实用人才",
            Self::TutorInnovation => "科技辅导员创新成果",
            Self::Other => "其他",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("kind", "未知的大赛类别"))
    }

    /// Whether the authors are students, who must give their school and grade.
    pub fn authors_are_students(self) -> bool {
        self == Self::YouthInnovation
    }
}

/// Most judges one side of a trimmed mean may drop.
pub const MAX_TRIM: u32 = 2;

/// How one entry's normalised scores are combined into its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum ScoringMethod {
    Mean,
    /// Drops the `trim` highest and the `trim` lowest scores first (fewer when an entry has
    /// too few scores to keep one), so one lenient or harsh judge cannot carry an entry.
    TrimmedMean {
        trim: u32,
    },
}

impl ScoringMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::TrimmedMean { .. } => "trimmed_mean",
        }
    }

    pub fn label_zh(self) -> String {
        match self {
            Self::Mean => "平均分".into(),
            Self::TrimmedMean { trim } => {
                format!("去掉 {trim} 个最高分和 {trim} 个最低分后的平均分")
            }
        }
    }

    /// `method` is `mean` or `trimmed_mean`; `trim` (judges dropped each side) counts only for
    /// the latter.
    pub fn parse(method: &str, trim: u32) -> Result<Self, DomainError> {
        match method.trim() {
            "mean" => Ok(Self::Mean),
            "trimmed_mean" if trim <= MAX_TRIM => Ok(Self::TrimmedMean { trim }),
            "trimmed_mean" => Err(DomainError::invalid(
                "trim",
                format!("去掉的最高分、最低分各不能超过 {MAX_TRIM} 个"),
            )),
            _ => Err(DomainError::invalid("scoring", "未知的计分方式")),
        }
    }
}

/// Parties compared as names (a school, an organization): blanks removed and full-width
/// brackets read as ASCII, since the same school is typed both ways.
pub(crate) fn same_party(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                other => other,
            })
            .collect()
    };
    let (a, b) = (key(a), key(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contests_kinds_round_trip() {
        for k in ContestKind::ALL {
            assert_eq!(ContestKind::parse(k.as_str()), Ok(k));
        }
        assert!(ContestKind::parse("dance").is_err());
        assert_eq!(ContestKind::YouthInnovation.label_zh(), "青少年科技创新");
    }

    #[test]
    fn contests_scoring_methods_parse_with_bounded_trim() {
        assert_eq!(ScoringMethod::parse("mean", 5), Ok(ScoringMethod::Mean));
        assert_eq!(
            ScoringMethod::parse("trimmed_mean", 1),
            Ok(ScoringMethod::TrimmedMean { trim: 1 })
        );
        assert!(ScoringMethod::parse("trimmed_mean", 3).is_err());
        assert!(ScoringMethod::parse("median", 0).is_err());
    }

    #[test]
    fn contests_parties_match_despite_blanks_and_bracket_width() {
        assert!(same_party(
            "邻水县第一中学（初中部）",
            " 邻水县第一中学 (初中部)"
        ));
        assert!(!same_party("邻水县第一中学", "邻水县第二中学"));
        assert!(!same_party(" ", " "), "blank is nobody");
    }
}
