//! The storage port of what a question has beyond the posting life cycle (that part is the
//! engine's `PostingStore<QuestionDraft>`): invitations, answers, acceptance, helpful marks.
//! Every method is one transaction, with the question's statistics and the notifications of
//! the change.

use async_trait::async_trait;

use super::{
    Answer, AnswerState, AnsweredQuestion, FirstAnswer, Invitation, NewInvitation, QaState,
};
use crate::ids::{AnswerId, QuestionId, UserId};
use crate::notifications::NewNotification;
use crate::paging::{Page, Paged};
use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// One circle of invitations: applies only if the question is still published and unanswered
/// and was last invited in `from_round` (two sweepers cannot both invite the same circle).
#[derive(Debug, Clone, PartialEq)]
pub struct InviteRound {
    pub from_round: u8,
    pub round: u8,
    pub invitations: Vec<NewInvitation>,
    /// One per invitation, to the expert.
    pub notifications: Vec<NewNotification>,
    /// When the next circle is due (`None`: this was the widest).
    pub next_widen_at: Option<Timestamp>,
    pub at: Timestamp,
}

/// A new answer: moves the question from `from` to `to` (only if it is still published and
/// still has `from`), sets its first answer time once, and tells the asker.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnswer {
    pub question: QuestionId,
    pub author: UserId,
    pub text: String,
    pub from: AnswerState,
    pub to: AnswerState,
    pub notification: NewNotification,
    pub at: Timestamp,
}

/// The asker accepts `answer` (which must be the question's): applies only while the question
/// still has `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptAnswer {
    pub question: QuestionId,
    pub answer: AnswerId,
    pub from: AnswerState,
    pub to: AnswerState,
    pub notification: NewNotification,
    pub at: Timestamp,
}

#[async_trait]
pub trait QuestionStore: Send + Sync {
    /// The answer side of a question (`None`: no such question).
    async fn qa_state(&self, question: QuestionId) -> StoreResult<Option<QaState>>;
    /// Writes a circle's invitations and their notifications (conflict if the question moved
    /// on meanwhile: answered, unpublished, or invited by another process).
    async fn invite_experts(&self, question: QuestionId, round: InviteRound) -> StoreResult<()>;
    /// Who was invited, in the order invited.
    async fn invitations(&self, question: QuestionId) -> StoreResult<Vec<Invitation>>;
    /// Published, unanswered questions whose next circle is due at `now`, with the round they
    /// were last invited in (at most `limit`).
    async fn questions_to_widen(
        &self,
        now: Timestamp,
        limit: u64,
    ) -> StoreResult<Vec<(QuestionId, u8)>>;
    async fn add_answer(&self, answer: NewAnswer) -> StoreResult<AnswerId>;
    /// A question's answers, oldest first, with `viewer`'s helpful marks.
    async fn answers(
        &self,
        question: QuestionId,
        viewer: Option<UserId>,
    ) -> StoreResult<Vec<Answer>>;
    async fn answer(&self, id: AnswerId) -> StoreResult<Option<Answer>>;
    async fn accept_answer(&self, change: AcceptAnswer) -> StoreResult<()>;
    /// Conflict if `user` already marked it.
    async fn mark_helpful(&self, answer: AnswerId, user: UserId, at: Timestamp) -> StoreResult<()>;
    /// An expert's answers to questions that are public (published, or closed after
    /// publication), accepted ones first, then newest.
    async fn answers_by(&self, author: UserId, page: Page) -> StoreResult<Paged<AnsweredQuestion>>;
}

/// What the time-to-first-answer figure reads.
#[async_trait]
pub trait FirstAnswerStore: Send + Sync {
    /// The answered questions of `region`'s subtree first published at or after `from` and
    /// before `to` (either end open).
    async fn first_answers(
        &self,
        region: RegionCode,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<Vec<FirstAnswer>>;
}

/// What routing reads of experts' track record.
#[async_trait]
pub trait AcceptedAnswerStore: Send + Sync {
    /// For each of `experts`, how many of their answers were accepted on published questions
    /// of `category` (experts without any are left out).
    async fn accepted_answers_in(
        &self,
        experts: &[UserId],
        category: &str,
    ) -> StoreResult<std::collections::HashMap<UserId, u32>>;
}
