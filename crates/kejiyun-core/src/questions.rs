//! Expert Q&A (专家问诊): a question is a moderated posting kind (the posting engine gives it
//! drafts, review, editing back to review, closing, the queue and the owner's notifications);
//! this module adds what happens around a published question — the experts it is routed to
//! (invitations, in widening circles), their answers, the asker's acceptance of one, and the
//! "helpful" marks.

mod first_answer;
pub mod ports;

pub use first_answer::{FirstAnswer, FirstAnswerFigures, Median, first_answer_figures};

use std::collections::HashMap;

use crate::DomainError;
use crate::ids::{AnswerId, QuestionId, TechWorkerId, UserId};
use crate::market::categories::Category;
use crate::market::ports::PostingStore;
use crate::market::postings::{Posting, PostingContent, PostingInput, PostingKind};
use crate::matching::{MatchReason, Proximity};
use crate::ports::Store;
use crate::regions::RegionCode;
use crate::search_ports::{DocKind, Match};
use crate::text;
use crate::time::Timestamp;

/// What the form or the API sends.
#[derive(Debug, Clone, Default)]
pub struct QuestionInput {
    pub title: String,
    /// The question itself: what was seen, since when, what was tried.
    pub text: String,
    pub category: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionDraft {
    pub title: String,
    pub text: String,
    pub category: Category,
    pub region: RegionCode,
}

pub type Question = Posting<QuestionDraft>;

impl QuestionDraft {
    pub fn parse(i: &QuestionInput) -> Result<Self, DomainError> {
        Ok(Self {
            title: text::bounded("title", "问题标题", &i.title, 4, 60, false)?,
            text: text::bounded("text", "问题描述", &i.text, 10, 5000, true)?,
            category: Category::parse(&i.category)?,
            region: RegionCode::parse(&i.region)
                .map_err(|_| DomainError::invalid("region", "请选择有效的地区"))?,
        })
    }
}

impl PostingInput for QuestionInput {
    type Draft = QuestionDraft;
}

impl PostingContent for QuestionDraft {
    const KIND: PostingKind = PostingKind::Question;
    const PROVIDED: bool = false;
    type Input = QuestionInput;

    fn parse(input: &QuestionInput) -> Result<Self, DomainError> {
        Self::parse(input)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn region(&self) -> RegionCode {
        self.region
    }
    fn public_text(&self) -> Vec<&str> {
        vec![self.title.as_str(), self.text.as_str()]
    }
    fn rows(store: &dyn Store) -> &dyn PostingStore<Self> {
        store
    }
}

/// Where a question stands with its answers (beside its moderation status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerState {
    /// No answer yet.
    Open,
    /// At least one answer, none accepted.
    Answered,
    /// The asker accepted an answer.
    Resolved,
}

impl AnswerState {
    pub const ALL: [Self; 3] = [Self::Open, Self::Answered, Self::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "待解答",
            Self::Answered => "已有回答",
            Self::Resolved => "已采纳",
        }
    }
}

/// What changes a question's [`AnswerState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QaAction {
    /// An expert answers.
    Answer,
    /// The asker accepts one answer.
    Accept,
}

/// The single transition function of a question's answers: the new state, or a conflict
/// saying why not. The store applies it only while the question still has `from`.
pub fn qa_transition(from: AnswerState, action: QaAction) -> Result<AnswerState, DomainError> {
    use AnswerState as S;
    match (from, action) {
        (S::Open | S::Answered, QaAction::Answer) => Ok(S::Answered),
        (S::Answered, QaAction::Accept) => Ok(S::Resolved),
        (S::Open, QaAction::Accept) => Err(DomainError::Conflict("该问题还没有回答".into())),
        (S::Resolved, QaAction::Answer) => Err(DomainError::Conflict(
            "提问者已采纳回答，该问题不再接受新的回答".into(),
        )),
        (S::Resolved, QaAction::Accept) => {
            Err(DomainError::Conflict("该问题已采纳过一个回答".into()))
        }
    }
}

/// An answer's text.
pub fn answer_text(raw: &str) -> Result<String, DomainError> {
    text::bounded("text", "回答内容", raw, 10, 5000, true)
}

/// The answer side of a question: its state, when it was first answered, how far it was
/// routed.
#[derive(Debug, Clone, PartialEq)]
pub struct QaState {
    pub state: AnswerState,
    pub first_answered_at: Option<Timestamp>,
    /// The widest circle invited so far (0: nobody yet; see [`circle`]).
    pub invite_round: u8,
    /// When the next, wider circle is invited if nobody has answered by then.
    pub next_widen_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub id: AnswerId,
    pub question: QuestionId,
    pub author: UserId,
    pub author_name: String,
    pub text: String,
    pub accepted: bool,
    /// How many users marked it helpful.
    pub helpful: u32,
    /// Whether the viewer the answers were read for marked it helpful.
    pub helpful_by_viewer: bool,
    pub created_at: Timestamp,
}

/// An answer with its question's title (an expert's page lists them).
#[derive(Debug, Clone, PartialEq)]
pub struct AnsweredQuestion {
    pub answer: Answer,
    pub question_title: String,
}

/// An expert invited to answer, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub expert: UserId,
    pub expert_name: String,
    pub tech_worker: TechWorkerId,
    /// The circle it was sent in (1 county, 2 city, 3 province).
    pub round: u8,
    pub reasons: Vec<String>,
    pub invited_at: Timestamp,
}

/// An invitation about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvitation {
    pub expert: UserId,
    pub tech_worker: TechWorkerId,
    pub reasons: Vec<String>,
}

/// The widest circle: the province.
pub const LAST_ROUND: u8 = 3;

/// How far from the question the experts of `round` may be: its county, then its city, then its
/// province (`None` for a round beyond the last).
pub fn circle(round: u8) -> Option<Proximity> {
    match round {
        1 => Some(Proximity::SameCounty),
        2 => Some(Proximity::SameCity),
        3 => Some(Proximity::SameProvince),
        _ => None,
    }
}

/// The experts to invite in `round`: the best-ranked tech workers (in the matching engine's
/// order) within the round's circle, not the asker, not invited before; at most `limit`.
pub fn invitees(
    question_region: RegionCode,
    asker: UserId,
    round: u8,
    ranked: &[Match],
    already: &[UserId],
    limit: usize,
) -> Vec<NewInvitation> {
    let Some(reach) = circle(round) else {
        return Vec::new();
    };
    let mut out: Vec<NewInvitation> = Vec::new();
    for m in ranked {
        let Some(owner) = m.owner.map(UserId) else {
            continue;
        };
        let fits = m.kind == DocKind::TechWorker
            && owner != asker
            && !already.contains(&owner)
            && !out.iter().any(|i| i.expert == owner)
            && Proximity::between(question_region, m.region) <= reach;
        if fits {
            out.push(NewInvitation {
                expert: owner,
                tech_worker: TechWorkerId(m.id),
                reasons: m.reasons.iter().map(|r| r.text_zh()).collect(),
            });
        }
        if out.len() >= limit {
            break;
        }
    }
    out
}

/// Puts experts whose answers askers accepted in the question's category ahead of equals:
/// each accepted answer (up to five) adds a tenth to a tech worker's match score, with the
/// reason shown. Matches are then in score order again (ties by id, as the matcher orders).
pub fn weigh_track_record(ranked: &mut [Match], accepted: &HashMap<UserId, u32>) {
    for m in ranked.iter_mut() {
        let n = match m.owner {
            Some(owner) if m.kind == DocKind::TechWorker => {
                accepted.get(&UserId(owner)).copied().unwrap_or(0)
            }
            _ => 0,
        };
        if n > 0 {
            m.score *= 1.0 + 0.1 * n.min(5) as f32;
            m.reasons.insert(0, MatchReason::AcceptedAnswers(n));
        }
    }
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
}

/// How questions are routed and watched (configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QaPolicy {
    /// Experts invited per circle.
    pub invitations: usize,
    /// A question nobody answered is sent to the next, wider circle after this many hours.
    pub widen_after_hours: i64,
    /// The admins' list shows questions unanswered for longer than this.
    pub unanswered_hours: i64,
}

impl Default for QaPolicy {
    fn default() -> Self {
        Self {
            invitations: 5,
            widen_after_hours: 24,
            unanswered_hours: 48,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::MatchReason;

    fn input() -> QuestionInput {
        QuestionInput {
            title: "脐橙叶片发黄怎么办".into(),
            text: "果园里的脐橙树叶片斑驳发黄，已经有两个月了，施肥也不见好。".into(),
            category: "fruit".into(),
            region: "511623".into(),
        }
    }

    #[test]
    fn question_validation() {
        let d = QuestionDraft::parse(&input()).expect("valid");
        assert_eq!(d.category.code(), "fruit");
        assert_eq!(d.public_text(), vec!["脐橙叶片发黄怎么办", d.text.as_str()]);
        for (field, bad) in [
            (
                "title",
                QuestionInput {
                    title: " ".into(),
                    ..input()
                },
            ),
            (
                "text",
                QuestionInput {
                    text: "太短".into(),
                    ..input()
                },
            ),
            (
                "category",
                QuestionInput {
                    category: "weapons".into(),
                    ..input()
                },
            ),
            (
                "region",
                QuestionInput {
                    region: "12".into(),
                    ..input()
                },
            ),
        ] {
            match QuestionDraft::parse(&bad) {
                Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        assert!(answer_text("建议先取叶片送检，确认是否黄龙病。").is_ok());
        assert!(answer_text("不知道").is_err());
    }

    #[test]
    fn every_state_and_action() {
        use AnswerState as S;
        use QaAction as A;
        let expected = [
            (S::Open, A::Answer, Some(S::Answered)),
            (S::Open, A::Accept, None),
            (S::Answered, A::Answer, Some(S::Answered)),
            (S::Answered, A::Accept, Some(S::Resolved)),
            (S::Resolved, A::Answer, None),
            (S::Resolved, A::Accept, None),
        ];
        assert_eq!(expected.len(), S::ALL.len() * 2);
        for (from, action, to) in expected {
            match (qa_transition(from, action), to) {
                (Ok(got), Some(want)) => assert_eq!(got, want, "{from:?} {action:?}"),
                (Err(DomainError::Conflict(msg)), None) => assert!(!msg.is_empty()),
                (got, want) => panic!("{from:?} {action:?}: {got:?}, expected {want:?}"),
            }
        }
        for s in S::ALL {
            assert_eq!(AnswerState::parse(s.as_str()), Some(s));
        }
    }

    fn expert(id: i64, owner: i64, region: &str) -> Match {
        Match {
            kind: DocKind::TechWorker,
            id,
            title: format!("专家{id}"),
            category: None,
            region: RegionCode::parse(region).expect("valid"),
            owner: Some(owner),
            score: 1.0,
            reasons: vec![MatchReason::Terms(vec!["脐橙".into()])],
            strong: false,
        }
    }

    #[test]
    fn accepted_answers_in_the_category_lift_an_expert_among_equals_with_the_reason() {
        let mut ranked = vec![
            expert(1, 101, "511623"),
            expert(2, 102, "511623"),
            expert(3, 103, "511623"),
        ];
        ranked[0].score = 1.2;
        let accepted = HashMap::from([(UserId(103), 3), (UserId(102), 9)]);
        weigh_track_record(&mut ranked, &accepted);
        let order: Vec<i64> = ranked.iter().map(|m| m.id).collect();
        // 2: 1.0 × 1.5 (capped at five); 3: 1.0 × 1.3; 1: 1.2 with no record.
        assert_eq!(order, vec![2, 3, 1]);
        assert_eq!(ranked[0].reasons[0], MatchReason::AcceptedAnswers(9));
        assert_eq!(
            ranked[0].reasons[0].text_zh(),
            "本类问题已有 9 个回答被采纳"
        );
        assert!(
            !ranked[2]
                .reasons
                .iter()
                .any(|r| matches!(r, MatchReason::AcceptedAnswers(_)))
        );
    }

    #[test]
    fn invitees_widen_by_circle_and_skip_the_asker_and_those_invited() {
        let here = RegionCode::parse("511623").expect("valid");
        let ranked = vec![
            expert(1, 11, "511602"), // same city
            expert(2, 12, "511623"), // same county
            expert(3, 13, "510104"), // same province
            expert(4, 14, "511623"), // the asker
            expert(5, 15, "110101"), // elsewhere
        ];
        let asker = UserId(14);
        let pick = |round, already: &[UserId]| -> Vec<i64> {
            invitees(here, asker, round, &ranked, already, 5)
                .into_iter()
                .map(|i| i.tech_worker.0)
                .collect()
        };
        assert_eq!(pick(1, &[]), vec![2]);
        assert_eq!(pick(2, &[UserId(12)]), vec![1]);
        assert_eq!(pick(3, &[UserId(12), UserId(11)]), vec![3]);
        assert!(pick(4, &[]).is_empty());
        let first = invitees(here, asker, 3, &ranked, &[], 2);
        assert_eq!(first.len(), 2, "at most the limit");
        assert_eq!(first[0].reasons, vec!["匹配词：脐橙".to_owned()]);
    }
}
