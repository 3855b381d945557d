//! The Expert Q&A routing set (issue 22): experts, the questions people ask them, and the
//! grade of an expert for a question, for `kejiyun bench routing`.
//!
//! - **Experts** are the corpus's own tech worker postings: the generator's stream with the
//!   other kinds skipped, so a profile is written exactly as `bench matching`'s tech workers
//!   are (the subtopic's field and specialty words in the title and body). All are placed in
//!   the one county passed in, so that routing's circles (county first) never cut, and each
//!   is its own provider (user).
//! - **Questions** are written by the same generator (its subtopic draw, synonym-only share,
//!   slot filling and background words) with their own templates, `data/questions.toml`:
//!   short and colloquial, as a farmer types into 问专家. No near-miss sentences: an asker
//!   does not write "本信息不涉及…".
//! - **Grades** follow the corpus's rubric for a subject ([`topical_grade`]): 3 for an expert
//!   of the question's subtopic, 1 for one of its topic, 0 otherwise.

use std::sync::OnceLock;

use kejiyun_core::market::categories::Category;
use kejiyun_core::regions::RegionCode;
use serde::Deserialize;

use crate::catalogue::{KindText, catalogue, templates_of};
use crate::generate::Style;
use crate::relevance::topical_grade;
use crate::{Kind, Labeled, Labels, PostingId, generate};

const TEMPLATES: &str = include_str!("../data/questions.toml");
/// Questions' own stream: the experts' is the seed's corpus stream.
const QUESTION_SALT: u64 = 0x5155_4553_5449_4f4e;
/// A question's body, in characters: a few sentences, not a posting's 50–400.
const BODY_CHARS: (usize, usize) = (20, 120);
/// Background words after a sentence: rarer than in postings, a question is short.
const FILLER: f64 = 0.3;

/// A question as the asker wrote it, and its hidden labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// 1-based position in the set.
    pub id: u64,
    pub title: String,
    pub body: String,
    /// The asker files it under its subtopic's category.
    pub category: Category,
    pub region: RegionCode,
    pub labels: Labels,
}

/// Experts (tech worker postings, ids 1..=n) and questions.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingSet {
    pub experts: Vec<Labeled>,
    pub questions: Vec<Question>,
}

impl RoutingSet {
    /// The grade of expert `e` (index) for question `q` (index).
    pub fn grade(&self, q: usize, e: usize) -> u8 {
        let (ql, el) = (self.questions[q].labels, self.experts[e].labels);
        topical_grade(ql.subtopic == el.subtopic, ql.topic == el.topic)
    }

    /// Every expert's grade for question `q`, in expert order (the ideal ranking's pool).
    pub fn grades(&self, q: usize) -> Vec<u8> {
        (0..self.experts.len()).map(|e| self.grade(q, e)).collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionTemplates {
    titles: Vec<String>,
    sentences: Vec<String>,
}

fn templates() -> Result<&'static KindText, String> {
    static PARSED: OnceLock<Result<KindText, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let t: QuestionTemplates =
                toml::from_str(TEMPLATES).map_err(|e| format!("questions.toml: {e}"))?;
            if t.titles.is_empty() || t.sentences.is_empty() {
                return Err("questions.toml: needs titles and sentences".into());
            }
            templates_of(&t.titles, &t.sentences).map_err(|e| format!("questions.toml: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// `experts` experts and `questions` questions from `seed`, all in `county`. The same
/// arguments always give the same set; fewer experts or questions give a prefix of each list.
pub fn routing_set(
    experts: usize,
    questions: usize,
    seed: u64,
    county: RegionCode,
) -> Result<RoutingSet, String> {
    let cat = catalogue()?;
    let texts = templates()?;
    let experts = generate(u64::MAX, seed, &[county])?
        .filter(|l| l.posting.kind == Kind::TechWorker)
        .take(experts)
        .zip(1..)
        .map(|(mut l, id)| {
            l.posting.id = PostingId(id);
            // One profile per user, as on the server: routing invites each user once, so
            // two experts drawn with the same provider would hide one another.
            l.posting.provider = u32::try_from(id).unwrap_or(u32::MAX);
            l
        })
        .collect();
    let mut g = generate(0, seed ^ QUESTION_SALT, &[county])?;
    let style = Style {
        sentences: &texts.sentences,
        chars: BODY_CHARS,
        distractor: 0.0,
        filler: FILLER,
    };
    let questions = (1..=questions as u64)
        .map(|id| {
            let sub = g.pick_subtopic();
            let (title, body) = g.write(sub, &texts.titles, &style);
            let s = &cat.subtopics[sub];
            Question {
                id,
                title,
                body,
                category: g.category_of(sub),
                region: county,
                labels: Labels {
                    topic: &s.topic,
                    subtopic: &s.id,
                },
            }
        })
        .collect();
    Ok(RoutingSet { experts, questions })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn county() -> RegionCode {
        RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}"))
    }

    fn set(experts: usize, questions: usize, seed: u64) -> RoutingSet {
        routing_set(experts, questions, seed, county()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn same_seed_same_set_and_smaller_is_a_prefix() {
        let a = set(300, 100, 4);
        assert!(a == set(300, 100, 4), "same seed, same set");
        assert!(a != set(300, 100, 5), "other seed, other set");
        let small = set(50, 10, 4);
        assert!(small.experts[..] == a.experts[..50]);
        assert!(small.questions[..] == a.questions[..10]);
    }

    #[test]
    fn experts_are_tech_workers_in_the_county_and_questions_are_short_and_filled() {
        let s = set(400, 300, 1);
        assert_eq!(s.experts.len(), 400);
        assert_eq!(s.questions.len(), 300);
        for (i, e) in s.experts.iter().enumerate() {
            assert_eq!(e.posting.kind, Kind::TechWorker);
            assert_eq!(e.posting.region, county());
            assert_eq!(e.posting.id, PostingId(i as u64 + 1));
            assert_eq!(u64::from(e.posting.provider), e.posting.id.0);
        }
        for q in &s.questions {
            let chars = q.body.chars().count();
            assert!(
                (BODY_CHARS.0..=BODY_CHARS.1).contains(&chars),
                "{chars}: {}",
                q.body
            );
            assert!(!q.title.is_empty() && !q.title.contains('{'), "{}", q.title);
            assert!(!q.body.contains('{'), "{}", q.body);
        }
        let subs: HashSet<&str> = s.questions.iter().map(|q| q.labels.subtopic).collect();
        assert!(
            subs.len() > 40,
            "questions spread over subtopics: {}",
            subs.len()
        );
    }

    #[test]
    fn grades_follow_the_subject_rubric() {
        let s = set(300, 20, 2);
        for q in 0..s.questions.len() {
            for (e, g) in s.grades(q).into_iter().enumerate() {
                let (ql, el) = (s.questions[q].labels, s.experts[e].labels);
                let want = if ql.subtopic == el.subtopic {
                    3
                } else if ql.topic == el.topic {
                    1
                } else {
                    0
                };
                assert_eq!(g, want);
            }
        }
        assert!((0..20).any(|q| s.grades(q).contains(&3)));
    }
}
