//! Expert Q&A (专家问诊) beyond the posting life cycle: routing a published question to the
//! experts the matching engine ranks for it (in widening circles), answers, acceptance and
//! helpful marks. Asking, editing, moderation and closing are the posting engine's
//! (`services.postings()` with `QuestionInput`).

use crate::ids::{AnswerId, QuestionId, UserId};
use crate::market::ports::PostingStore;
use crate::moderation::ModerationStatus;
use crate::notifications;
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, Grant};
use crate::ports::StoreError;
use crate::questions::ports::{AcceptAnswer, InviteRound, NewAnswer};
use crate::questions::{
    Answer, AnswerState, AnsweredQuestion, Invitation, LAST_ROUND, QaAction, QaState, Question,
    QuestionDraft, answer_text, invitees, qa_transition, weigh_track_record,
};
use crate::search_ports::{DocKind, MAX_MATCHES};
use crate::uploads::ports::PhotoTarget;
use crate::uploads::{Upload, UploadId};
use crate::{DomainError, DomainResult};

use_cases!(
    Questions,
    questions,
    "Expert Q&A: routing, answers, acceptance"
);

/// A question's page: the question, its answer side, its answers, and (for the asker and the
/// region's admins) whom it was routed to.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    pub question: Question,
    pub qa: QaState,
    pub answers: Vec<Answer>,
    pub invitations: Option<Vec<Invitation>>,
    /// The photos of the question and of its answers, each in its order.
    pub photos: Vec<(PhotoTarget, Upload)>,
}

impl Thread {
    /// The photos of the question, or of one of its answers.
    pub fn photos_of(&self, target: PhotoTarget) -> Vec<&Upload> {
        self.photos
            .iter()
            .filter(|(t, _)| *t == target)
            .map(|(_, u)| u)
            .collect()
    }
}

fn no_question() -> DomainError {
    DomainError::NotFound("问题不存在".into())
}

impl Questions<'_> {
    async fn qa_state(&self, id: QuestionId) -> DomainResult<QaState> {
        self.store.qa_state(id).await?.ok_or_else(no_question)
    }

    /// Invites the next circle of experts for a published, unanswered question: the tech
    /// workers the matching engine ranks for it, within the county, else the city, else the
    /// province (a circle with nobody in it is skipped; with nobody in any, it is tried again
    /// after the widening time). Returns how many were invited; 0 when the question is not (or
    /// no longer) waiting for a circle. Called once the publication has
    /// committed, and by the sweeper when a circle's time has run out.
    pub async fn route(&self, id: QuestionId) -> DomainResult<usize> {
        let Some(q) = PostingStore::<QuestionDraft>::posting(&*self.store, id).await? else {
            return Ok(0);
        };
        let qa = self.qa_state(id).await?;
        if q.meta.status != ModerationStatus::Published
            || qa.state != AnswerState::Open
            || qa.invite_round >= LAST_ROUND
        {
            return Ok(0);
        }
        let mut ranked = self
            .matches_of(DocKind::Question, id.0, MAX_MATCHES)
            .await?;
        let experts: Vec<UserId> = ranked
            .iter()
            .filter(|m| m.kind == DocKind::TechWorker)
            .filter_map(|m| m.owner.map(UserId))
            .collect();
        let accepted = self
            .store
            .accepted_answers_in(&experts, q.draft.category.code())
            .await?;
        weigh_track_record(&mut ranked, &accepted);
        let already: Vec<UserId> = self
            .store
            .invitations(id)
            .await?
            .into_iter()
            .map(|i| i.expert)
            .collect();
        let now = self.now();
        let mut round = qa.invite_round;
        let mut chosen = Vec::new();
        while chosen.is_empty() && round < LAST_ROUND {
            round += 1;
            chosen = invitees(
                q.draft.region,
                q.meta.owner,
                round,
                &ranked,
                &already,
                self.qa.invitations,
            );
        }
        let notifications = chosen
            .iter()
            .map(|i| {
                notifications::question_invitation(i.expert, id.0, &q.draft.title, &i.reasons, now)
            })
            .collect();
        let invited = chosen.len();
        let later = now.plus_seconds(self.qa.widen_after_hours.max(1) * 3600);
        let change = if chosen.is_empty() {
            // Nobody in any circle yet (no verified expert matches, or the index is behind):
            // the same circle is tried again later rather than given up.
            InviteRound {
                from_round: qa.invite_round,
                round: qa.invite_round,
                invitations: Vec::new(),
                notifications: Vec::new(),
                next_widen_at: Some(later),
                at: now,
            }
        } else {
            InviteRound {
                from_round: qa.invite_round,
                round,
                invitations: chosen,
                notifications,
                next_widen_at: (round < LAST_ROUND).then_some(later),
                at: now,
            }
        };
        self.store.invite_experts(id, change).await?;
        Ok(invited)
    }

    /// Widens the circle of every question whose time has run out with no answer (and routes
    /// those whose routing at publication failed). Run periodically by the server; returns the
    /// experts invited.
    pub async fn widen_unanswered(&self) -> DomainResult<usize> {
        let mut n = 0;
        for (id, _) in self.store.questions_to_widen(self.now(), 100).await? {
            match self.route(id).await {
                Ok(k) => n += k,
                // Answered, unpublished or widened by another process meanwhile.
                Err(DomainError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// The question with its answers, for anyone who may see the question.
    pub async fn thread(&self, actor: Option<&Actor>, id: QuestionId) -> DomainResult<Thread> {
        let question = self.postings().get(actor, id).await?;
        let qa = self.qa_state(id).await?;
        let answers = self.store.answers(id, actor.map(|a| a.user_id)).await?;
        let privileged = actor.is_some_and(|a| {
            a.user_id == question.meta.owner || a.administers(question.draft.region)
        });
        let invitations = if privileged {
            Some(self.store.invitations(id).await?)
        } else {
            None
        };
        let mut targets = vec![PhotoTarget::Question(id)];
        targets.extend(answers.iter().map(|a| PhotoTarget::Answer(a.id)));
        let photos = self.files.photos(&targets).await?;
        Ok(Thread {
            question,
            qa,
            answers,
            invitations,
            photos,
        })
    }

    /// Anyone logged in asks (a draft, or pending review with `submit`), with up to six of
    /// their own uploaded photos. The photos are checked before anything is written; they are
    /// linked once the question exists (a question row without its photos would need a
    /// database failure between the two writes; photos are never linked to no question).
    pub async fn ask(
        &self,
        actor: &Actor,
        input: &crate::questions::QuestionInput,
        submit: bool,
        photos: &[UploadId],
    ) -> DomainResult<QuestionId> {
        self.uploads().own_photos(actor, photos).await?;
        let id = self.postings().create(actor, input, submit).await?;
        self.files
            .attach_photos(PhotoTarget::Question(id), photos)
            .await?;
        Ok(id)
    }

    /// A verified tech worker answers a published question (not their own); the asker is
    /// told.
    pub async fn answer(
        &self,
        actor: &Actor,
        id: QuestionId,
        text: &str,
        photos: &[UploadId],
    ) -> DomainResult<AnswerId> {
        if !actor.grants.contains(&Grant::TechWorker) {
            return Err(DomainError::Forbidden(
                "只有已认证的科技工作者可以回答问题".into(),
            ));
        }
        let q = self.postings().get(Some(actor), id).await?;
        if q.meta.status != ModerationStatus::Published {
            return Err(DomainError::Conflict("只能回答已发布的问题".into()));
        }
        if q.meta.owner == actor.user_id {
            return Err(DomainError::Forbidden("不能回答自己提出的问题".into()));
        }
        let text = answer_text(text)?;
        self.banned_words.check("text", &[text.as_str()])?;
        self.uploads().own_photos(actor, photos).await?;
        let name = self
            .store
            .user(actor.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        // Two experts answering at once: the one that lost the conditional update reads the
        // new state and tries again.
        let mut attempts = 0;
        loop {
            let from = self.qa_state(id).await?.state;
            let to = qa_transition(from, QaAction::Answer)?;
            let now = self.now();
            let answer = NewAnswer {
                question: id,
                author: actor.user_id,
                text: text.clone(),
                from,
                to,
                notification: notifications::new_answer(
                    q.meta.owner,
                    id.0,
                    &q.draft.title,
                    &name,
                    now,
                ),
                at: now,
            };
            match self.store.add_answer(answer).await {
                Err(StoreError::Conflict(_)) if attempts < 2 => attempts += 1,
                other => {
                    let answer = other?;
                    self.files
                        .attach_photos(PhotoTarget::Answer(answer), photos)
                        .await?;
                    return Ok(answer);
                }
            }
        }
    }

    /// The asker accepts one of the answers; its author is told.
    pub async fn accept(
        &self,
        actor: &Actor,
        id: QuestionId,
        answer: AnswerId,
    ) -> DomainResult<AnswerState> {
        let q = self.postings().get(Some(actor), id).await?;
        if q.meta.owner != actor.user_id {
            return Err(DomainError::Forbidden("只有提问者可以采纳回答".into()));
        }
        let a = self.question_answer(id, answer).await?;
        if q.meta.status != ModerationStatus::Published {
            return Err(DomainError::Conflict("只能在已发布的问题上采纳回答".into()));
        }
        let from = self.qa_state(id).await?.state;
        let to = qa_transition(from, QaAction::Accept)?;
        let now = self.now();
        let change = AcceptAnswer {
            question: id,
            answer,
            from,
            to,
            notification: notifications::answer_accepted(a.author, id.0, &q.draft.title, now),
            at: now,
        };
        self.store.accept_answer(change).await?;
        Ok(to)
    }

    /// A logged-in user marks someone else's answer helpful, once; returns its marks.
    pub async fn mark_helpful(
        &self,
        actor: &Actor,
        id: QuestionId,
        answer: AnswerId,
    ) -> DomainResult<u32> {
        self.postings().get(Some(actor), id).await?;
        let a = self.question_answer(id, answer).await?;
        if a.author == actor.user_id {
            return Err(DomainError::Forbidden("不能标记自己的回答".into()));
        }
        self.store
            .mark_helpful(answer, actor.user_id, self.now())
            .await?;
        Ok(self.question_answer(id, answer).await?.helpful)
    }

    async fn question_answer(&self, id: QuestionId, answer: AnswerId) -> DomainResult<Answer> {
        match self.store.answer(answer).await? {
            Some(a) if a.question == id => Ok(a),
            _ => Err(DomainError::NotFound("回答不存在".into())),
        }
    }

    /// An expert's public answers (their profile page).
    pub async fn answers_by(
        &self,
        author: UserId,
        page: Page,
    ) -> DomainResult<Paged<AnsweredQuestion>> {
        Ok(self.store.answers_by(author, page).await?)
    }
}
