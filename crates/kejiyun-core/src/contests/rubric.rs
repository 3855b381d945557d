//! The rubric (评分标准): criteria, each with a weight and an integer score range. Weights need
//! not add up to 100: a judge's total is the weighted mean of each criterion's share of its
//! range, on a 0–100 scale, so a rubric of (创新性 30, 科学性 30, 实用性 40) and one of (3, 3, 4)
//! give the same totals.

use crate::DomainError;
use crate::text::bounded;

pub const MAX_CRITERIA: usize = 12;
/// Highest score a criterion's range may reach.
pub const MAX_POINTS: i32 = 1000;
/// Largest weight (any positive weights work; this only bounds the input).
pub const MAX_WEIGHT: u32 = 1000;

/// One criterion as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriterionInput {
    pub name: String,
    pub weight: u32,
    pub min: i32,
    pub max: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub name: String,
    pub weight: u32,
    pub min: i32,
    pub max: i32,
}

/// A validated rubric: 1–12 criteria with distinct names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rubric {
    criteria: Vec<Criterion>,
}

impl Criterion {
    fn parse(input: &CriterionInput) -> Result<Self, DomainError> {
        let name = bounded("rubric", "评分项名称", &input.name, 1, 30, false)?;
        if input.weight == 0 || input.weight > MAX_WEIGHT {
            return Err(DomainError::invalid(
                "rubric",
                format!("「{name}」的权重应在 1–{MAX_WEIGHT} 之间"),
            ));
        }
        if input.min < 0 || input.max > MAX_POINTS || input.min >= input.max {
            return Err(DomainError::invalid(
                "rubric",
                format!("「{name}」的分数范围应满足 0 ≤ 最低分 < 最高分 ≤ {MAX_POINTS}"),
            ));
        }
        Ok(Self {
            name,
            weight: input.weight,
            min: input.min,
            max: input.max,
        })
    }
}

impl Rubric {
    pub fn parse(inputs: &[CriterionInput]) -> Result<Self, DomainError> {
        if inputs.is_empty() || inputs.len() > MAX_CRITERIA {
            return Err(DomainError::invalid(
                "rubric",
                format!("评分标准应有 1–{MAX_CRITERIA} 个评分项"),
            ));
        }
        let mut criteria: Vec<Criterion> = Vec::with_capacity(inputs.len());
        for input in inputs {
            let c = Criterion::parse(input)?;
            if criteria.iter().any(|other| other.name == c.name) {
                return Err(DomainError::invalid(
                    "rubric",
                    format!("评分项「{}」重复", c.name),
                ));
            }
            criteria.push(c);
        }
        Ok(Self { criteria })
    }

    pub fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }

    /// A judge's total, 0–100, from one score per criterion in the rubric's order (`None`:
    /// left blank). Every criterion must be scored within its range.
    pub fn score(&self, points: &[Option<i32>]) -> Result<f64, DomainError> {
        if points.len() > self.criteria.len() {
            return Err(DomainError::invalid(
                "scores",
                format!(
                    "评分项数量不对：评分标准有 {} 项，提交了 {} 项",
                    self.criteria.len(),
                    points.len()
                ),
            ));
        }
        let total_weight: f64 = self.criteria.iter().map(|c| f64::from(c.weight)).sum();
        let mut total = 0.0;
        for (i, c) in self.criteria.iter().enumerate() {
            let Some(p) = points.get(i).copied().flatten() else {
                return Err(DomainError::invalid(
                    "scores",
                    format!("请填写「{}」的分数", c.name),
                ));
            };
            if p < c.min || p > c.max {
                return Err(DomainError::invalid(
                    "scores",
                    format!("「{}」的分数应在 {}–{} 之间", c.name, c.min, c.max),
                ));
            }
            let share = f64::from(p - c.min) / f64::from(c.max - c.min);
            total += share * f64::from(c.weight) / total_weight;
        }
        Ok(total * 100.0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn inputs() -> Vec<CriterionInput> {
        let c = |name: &str, weight, max| CriterionInput {
            name: name.into(),
            weight,
            min: 0,
            max,
        };
        vec![
            c("创新性", 30, 30),
            c("科学性", 30, 30),
            c("实用性", 40, 40),
        ]
    }

    pub(crate) fn rubric() -> Rubric {
        Rubric::parse(&inputs()).expect("valid")
    }

    fn message<T: std::fmt::Debug>(r: Result<T, DomainError>) -> String {
        r.expect_err("refused").to_string()
    }

    #[test]
    fn contests_rubric_totals_normalise_the_weights() {
        let r = rubric();
        let total = r.score(&[Some(30), Some(15), Some(40)]).expect("valid");
        assert!((total - 85.0).abs() < 1e-9, "{total}");
        let scaled = Rubric::parse(&[
            CriterionInput {
                name: "创新性".into(),
                weight: 3,
                min: 0,
                max: 30,
            },
            CriterionInput {
                name: "科学性".into(),
                weight: 3,
                min: 0,
                max: 30,
            },
            CriterionInput {
                name: "实用性".into(),
                weight: 4,
                min: 0,
                max: 40,
            },
        ])
        .expect("valid");
        let same = scaled
            .score(&[Some(30), Some(15), Some(40)])
            .expect("valid");
        assert!((same - total).abs() < 1e-9);
        assert_eq!(r.score(&[Some(0), Some(0), Some(0)]), Ok(0.0));
    }

    #[test]
    fn contests_score_out_of_range_or_missing_is_refused() {
        let r = rubric();
        assert_eq!(
            message(r.score(&[Some(31), Some(15), Some(40)])),
            "「创新性」的分数应在 0–30 之间"
        );
        assert_eq!(
            message(r.score(&[Some(-1), Some(15), Some(40)])),
            "「创新性」的分数应在 0–30 之间"
        );
        assert_eq!(
            message(r.score(&[Some(1), None, Some(40)])),
            "请填写「科学性」的分数"
        );
        assert_eq!(
            message(r.score(&[Some(1), Some(2)])),
            "请填写「实用性」的分数"
        );
        assert!(message(r.score(&[Some(1); 4])).starts_with("评分项数量不对"));
    }

    #[test]
    fn contests_rubric_is_refused_when_malformed() {
        assert!(Rubric::parse(&[]).is_err());
        let mut i = inputs();
        i[1].weight = 0;
        assert!(message(Rubric::parse(&i)).contains("权重"));
        let mut i = inputs();
        i[1].max = 1001;
        assert!(message(Rubric::parse(&i)).contains("分数范围"));
        let mut i = inputs();
        i[1].min = 30;
        assert!(Rubric::parse(&i).is_err(), "empty range");
        let mut i = inputs();
        i[2].name = "创新性".into();
        assert_eq!(message(Rubric::parse(&i)), "评分项「创新性」重复");
        let many: Vec<_> = (0..13)
            .map(|n| CriterionInput {
                name: format!("项{n}"),
                weight: 1,
                min: 0,
                max: 10,
            })
            .collect();
        assert!(Rubric::parse(&many).is_err());
        assert!(Rubric::parse(&many[..12]).is_ok());
    }
}
