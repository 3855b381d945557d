//! Expert Q&A (专家问诊): the `questions` table as a posting table of the engine
//! ([`PostingTable`]: `PostingStore<QuestionDraft>` is then the generic one), and
//! [`QuestionStore`]: invitations, answers, acceptance and helpful marks. A change of a
//! question's answer side moves its statistics (`questions_answered`) in its transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::ids::{AnswerId, PostingId, QuestionId, TechWorkerId, UserId};
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::postings::{Posting, PostingKind};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::questions::ports::{AcceptAnswer, InviteRound, NewAnswer, QuestionStore};
use kejiyun_core::questions::{
    Answer, AnswerState, AnsweredQuestion, Invitation, QaState, QuestionDraft,
};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::market::postings::{PostingTable, StoredPosting, meta as posting_meta};
use super::market::{name_of, names};
use super::moderation::lost_race;
use super::notifications as inbox;
use super::stats::{Counter, Watch};
use super::{
    SeaStore, begin_read, begin_write, corrupt, db_err, paged, parse_region, region_parts,
};
use crate::entities::{answer_helpful, question_answers, question_invitations, questions};

impl PostingTable for questions::Entity {
    const KIND: PostingKind = PostingKind::Question;
    const TEXT: questions::Column = questions::Column::Body;
    const ANSWER_STATE: Option<questions::Column> = Some(questions::Column::AnswerState);
    type Draft = QuestionDraft;

    fn content(d: &QuestionDraft) -> questions::ActiveModel {
        let (region, city, province) = region_parts(d.region);
        questions::ActiveModel {
            title: Set(d.title.clone()),
            body: Set(d.text.clone()),
            category: Set(d.category.code().to_owned()),
            region: Set(region),
            region_city: Set(city),
            region_province: Set(province),
            ..Default::default()
        }
    }

    fn to_posting(
        m: questions::Model,
        names: &HashMap<i64, String>,
    ) -> StoreResult<Posting<QuestionDraft>> {
        let meta = posting_meta::<questions::Entity>(&m, None, names)?;
        Ok(Posting {
            id: PostingId::new(m.id),
            meta,
            draft: QuestionDraft {
                category: Category::parse(&m.category)
                    .map_err(|_| corrupt("category", &m.category))?,
                region: parse_region(&m.region)?,
                title: m.title,
                text: m.body,
            },
        })
    }
}

impl StoredPosting for QuestionDraft {
    type Table = questions::Entity;
}

fn answer_state(raw: &str) -> StoreResult<AnswerState> {
    AnswerState::parse(raw).ok_or_else(|| corrupt("answer state", raw))
}

fn round(raw: i16) -> u8 {
    u8::try_from(raw).unwrap_or(0)
}

fn qa_of(m: &questions::Model) -> StoreResult<QaState> {
    Ok(QaState {
        state: answer_state(&m.answer_state)?,
        first_answered_at: m.first_answered_at.map(Timestamp),
        invite_round: round(m.invite_round),
        next_widen_at: m.next_widen_at.map(Timestamp),
    })
}

/// After a conditional update of a question touched no row: gone, or moved on.
async fn question_lost<C: ConnectionTrait>(txn: &C, id: i64) -> StoreError {
    match questions::Entity::find_by_id(id).count(txn).await {
        Ok(n) => lost_race(n > 0),
        Err(e) => db_err(e),
    }
}

async fn invite(db: &DatabaseConnection, id: QuestionId, r: &InviteRound) -> StoreResult<()> {
    use questions::Column as Q;
    let txn = begin_write(db).await?;
    let res = questions::Entity::update_many()
        .col_expr(Q::InviteRound, Expr::value(i16::from(r.round)))
        .col_expr(
            Q::NextWidenAt,
            Expr::value(r.next_widen_at.map(|t| t.micros())),
        )
        .filter(Q::Id.eq(id.0))
        .filter(Q::Status.eq(ModerationStatus::Published.as_str()))
        .filter(Q::AnswerState.eq(AnswerState::Open.as_str()))
        .filter(Q::InviteRound.eq(i16::from(r.from_round)))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(question_lost(&txn, id.0).await);
    }
    let rows: Vec<question_invitations::ActiveModel> = r
        .invitations
        .iter()
        .map(|i| question_invitations::ActiveModel {
            question_id: Set(id.0),
            expert_id: Set(i.expert.0),
            tech_worker_id: Set(i.tech_worker.0),
            round: Set(i16::from(r.round)),
            reasons: Set(serde_json::to_string(&i.reasons).unwrap_or_else(|_| "[]".into())),
            invited_at: Set(r.at.micros()),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        question_invitations::Entity::insert_many(rows)
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    inbox::insert(&txn, r.notifications.clone()).await?;
    txn.commit().await.map_err(db_err)
}

async fn invitations(db: &DatabaseConnection, id: QuestionId) -> StoreResult<Vec<Invitation>> {
    use question_invitations::Column as I;
    let txn = begin_read(db).await?;
    let rows = question_invitations::Entity::find()
        .filter(I::QuestionId.eq(id.0))
        .order_by_asc(I::Id)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let names = names(&txn, rows.iter().map(|r| r.expert_id)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| Invitation {
            expert: UserId(r.expert_id),
            expert_name: name_of(&names, r.expert_id),
            tech_worker: TechWorkerId(r.tech_worker_id),
            round: round(r.round),
            reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
            invited_at: Timestamp(r.invited_at),
        })
        .collect())
}

async fn add_answer(db: &DatabaseConnection, a: &NewAnswer) -> StoreResult<AnswerId> {
    use questions::Column as Q;
    let txn = begin_write(db).await?;
    let watch = Watch::start(
        &txn,
        &[Counter::Posting(PostingKind::Question, a.question.0)],
    )
    .await?;
    let res = questions::Entity::update_many()
        .col_expr(Q::AnswerState, Expr::value(a.to.as_str()))
        // The first answer's time, once: questions_answered counts from it.
        .col_expr(
            Q::FirstAnsweredAt,
            Expr::col(Q::FirstAnsweredAt).if_null(a.at.micros()),
        )
        .filter(Q::Id.eq(a.question.0))
        .filter(Q::Status.eq(ModerationStatus::Published.as_str()))
        .filter(Q::AnswerState.eq(a.from.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(question_lost(&txn, a.question.0).await);
    }
    let id = question_answers::Entity::insert(question_answers::ActiveModel {
        question_id: Set(a.question.0),
        author_id: Set(a.author.0),
        body: Set(a.text.clone()),
        accepted: Set(false),
        created_at: Set(a.at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    watch.finish(&txn).await?;
    inbox::insert(&txn, vec![a.notification.clone()]).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(AnswerId(id))
}

/// Answers as the domain has them: author names, helpful counts and the viewer's marks, read
/// through `db` (the caller's snapshot).
async fn to_answers<C: ConnectionTrait>(
    db: &C,
    rows: Vec<question_answers::Model>,
    viewer: Option<UserId>,
) -> StoreResult<Vec<Answer>> {
    use answer_helpful::Column as H;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let names = names(db, rows.iter().map(|r| r.author_id)).await?;
    let marks: Vec<(i64, i64)> = if ids.is_empty() {
        Vec::new()
    } else {
        answer_helpful::Entity::find()
            .select_only()
            .columns([H::AnswerId, H::UserId])
            .filter(H::AnswerId.is_in(ids))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = marks.iter().filter(|(a, _)| *a == r.id);
            Answer {
                id: AnswerId(r.id),
                question: PostingId::new(r.question_id),
                author: UserId(r.author_id),
                author_name: name_of(&names, r.author_id),
                accepted: r.accepted,
                helpful: u32::try_from(mine.clone().count()).unwrap_or(u32::MAX),
                helpful_by_viewer: viewer.is_some_and(|v| mine.clone().any(|(_, u)| *u == v.0)),
                created_at: Timestamp(r.created_at),
                text: r.body,
            }
        })
        .collect())
}

async fn answers(
    db: &DatabaseConnection,
    question: QuestionId,
    viewer: Option<UserId>,
) -> StoreResult<Vec<Answer>> {
    use question_answers::Column as A;
    let txn = begin_read(db).await?;
    let rows = question_answers::Entity::find()
        .filter(A::QuestionId.eq(question.0))
        .order_by_asc(A::Id)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let out = to_answers(&txn, rows, viewer).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

async fn answer(db: &DatabaseConnection, id: AnswerId) -> StoreResult<Option<Answer>> {
    let txn = begin_read(db).await?;
    let rows = question_answers::Entity::find_by_id(id.0)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let out = to_answers(&txn, rows, None).await?.pop();
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

async fn accept(db: &DatabaseConnection, c: &AcceptAnswer) -> StoreResult<()> {
    use questions::Column as Q;
    let txn = begin_write(db).await?;
    let res = questions::Entity::update_many()
        .col_expr(Q::AnswerState, Expr::value(c.to.as_str()))
        .col_expr(Q::AcceptedAnswerId, Expr::value(c.answer.0))
        .filter(Q::Id.eq(c.question.0))
        .filter(Q::Status.eq(ModerationStatus::Published.as_str()))
        .filter(Q::AnswerState.eq(c.from.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(question_lost(&txn, c.question.0).await);
    }
    let marked = question_answers::Entity::update_many()
        .col_expr(question_answers::Column::Accepted, Expr::value(true))
        .filter(question_answers::Column::Id.eq(c.answer.0))
        .filter(question_answers::Column::QuestionId.eq(c.question.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if marked.rows_affected == 0 {
        // Rolled back with the transaction: the answer is not this question's.
        return Err(StoreError::NotFound);
    }
    inbox::insert(&txn, vec![c.notification.clone()]).await?;
    txn.commit().await.map_err(db_err)
}

async fn mark_helpful(
    db: &DatabaseConnection,
    answer: AnswerId,
    user: UserId,
    at: Timestamp,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    let res = answer_helpful::Entity::insert(answer_helpful::ActiveModel {
        answer_id: Set(answer.0),
        user_id: Set(user.0),
        created_at: Set(at.micros()),
    })
    .exec_without_returning(&txn)
    .await;
    match res.map_err(db_err) {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(StoreError::Conflict("您已标记过该回答有用".into()));
        }
        Err(e) => return Err(e),
    }
    txn.commit().await.map_err(db_err)
}

/// Questions the public may read (published, or closed after publication with the approved
/// text), as the posting engine decides for its pages.
fn public_question() -> Condition {
    use questions::Column as Q;
    Condition::any()
        .add(Q::Status.eq(ModerationStatus::Published.as_str()))
        .add(
            Condition::all()
                .add(Q::Status.eq(ModerationStatus::Closed.as_str()))
                .add(Q::FirstPublishedAt.is_not_null())
                .add(Q::TextReviewed.eq(true)),
        )
}

async fn answers_by(
    db: &DatabaseConnection,
    author: UserId,
    page: Page,
) -> StoreResult<Paged<AnsweredQuestion>> {
    use question_answers::Column as A;
    let txn = begin_read(db).await?;
    let public: Vec<(i64, Option<String>)> = questions::Entity::find()
        .select_only()
        .columns([questions::Column::Id, questions::Column::PublicTitle])
        .filter(public_question())
        .filter(
            questions::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(A::QuestionId)
                    .from(question_answers::Entity)
                    .and_where(A::AuthorId.eq(author.0))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    let titles: HashMap<i64, String> = public
        .into_iter()
        .map(|(id, t)| (id, kejiyun_core::stats::public_title(t)))
        .collect();
    let q = question_answers::Entity::find()
        .filter(A::AuthorId.eq(author.0))
        .filter(A::QuestionId.is_in(titles.keys().copied().collect::<Vec<_>>()));
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(A::Accepted)
        .order_by_desc(A::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let items = to_answers(&txn, rows, None).await?;
    txn.commit().await.map_err(db_err)?;
    let items = items
        .into_iter()
        .map(|answer| AnsweredQuestion {
            question_title: titles.get(&answer.question.0).cloned().unwrap_or_default(),
            answer,
        })
        .collect();
    Ok(paged(items, total, page))
}

#[async_trait]
impl QuestionStore for SeaStore {
    async fn qa_state(&self, question: QuestionId) -> StoreResult<Option<QaState>> {
        questions::Entity::find_by_id(question.0)
            .one(&self.db)
            .await
            .map_err(db_err)?
            .map(|m| qa_of(&m))
            .transpose()
    }
    async fn invite_experts(&self, question: QuestionId, round: InviteRound) -> StoreResult<()> {
        retry!(invite(&self.db, question, &round))
    }
    async fn invitations(&self, question: QuestionId) -> StoreResult<Vec<Invitation>> {
        invitations(&self.db, question).await
    }
    async fn questions_to_widen(
        &self,
        now: Timestamp,
        limit: u64,
    ) -> StoreResult<Vec<(QuestionId, u8)>> {
        use questions::Column as Q;
        // A circle that is due, or a question whose routing at publication failed.
        let due = Condition::any().add(Q::NextWidenAt.lte(now.micros())).add(
            Condition::all()
                .add(Q::InviteRound.eq(0))
                .add(Q::NextWidenAt.is_null()),
        );
        let rows: Vec<(i64, i16)> = questions::Entity::find()
            .select_only()
            .columns([Q::Id, Q::InviteRound])
            .filter(Q::Status.eq(ModerationStatus::Published.as_str()))
            .filter(Q::AnswerState.eq(AnswerState::Open.as_str()))
            .filter(due)
            .order_by_asc(Q::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|(id, r)| (PostingId::new(id), round(r)))
            .collect())
    }
    async fn add_answer(&self, answer: NewAnswer) -> StoreResult<AnswerId> {
        retry!(add_answer(&self.db, &answer))
    }
    async fn answers(
        &self,
        question: QuestionId,
        viewer: Option<UserId>,
    ) -> StoreResult<Vec<Answer>> {
        answers(&self.db, question, viewer).await
    }
    async fn answer(&self, id: AnswerId) -> StoreResult<Option<Answer>> {
        answer(&self.db, id).await
    }
    async fn accept_answer(&self, change: AcceptAnswer) -> StoreResult<()> {
        retry!(accept(&self.db, &change))
    }
    async fn mark_helpful(&self, answer: AnswerId, user: UserId, at: Timestamp) -> StoreResult<()> {
        retry!(mark_helpful(&self.db, answer, user, at))
    }
    async fn answers_by(&self, author: UserId, page: Page) -> StoreResult<Paged<AnsweredQuestion>> {
        answers_by(&self.db, author, page).await
    }
}
