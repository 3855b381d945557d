//! `/api/v1/questions`: expert Q&A (专家问诊). Asking, listing, editing and the owner's submit
//! and close are the posting engine's (`api::market::postings`); a question's page adds its
//! answers and whom it was routed to; tech workers answer, the asker accepts one, anyone
//! logged in marks an answer helpful. Questions are moderated through
//! `/api/v1/moderation/question/{id}/approve|reject`.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::Services;
use kejiyun_core::app::Thread;
use kejiyun_core::ids::{AnswerId, QuestionId};
use kejiyun_core::paging::Paged;
use kejiyun_core::permissions::Actor;
use kejiyun_core::questions::{
    Answer, AnsweredQuestion, Invitation, Question, QuestionDraft, QuestionInput,
};
use kejiyun_core::uploads::{self, ports::PhotoTarget};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::RegionRef;
use super::market::dto::{
    CategoryDto, CreatedId, PostingMetaDto, StateDto, Vocab, list_type, posting_requests, ts,
};
use super::market::postings::{self, Filters, PostingResource};
use super::uploads::file_url;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

list_type!(QuestionList, QuestionDto);
list_type!(ExpertAnswerList, ExpertAnswerDto);

posting_requests!(PlainQuestionRequest, QuestionRequest, QuestionInput, {
    /// 4–60 characters.
    #[schema(example = "脐橙叶片发黄怎么办")]
    title: String,
    /// The question: what was seen, since when, what was tried; 10–5000 characters.
    text: String,
    /// A category code (see `GET /api/v1/categories`).
    #[schema(example = "fruit")]
    category: String,
    /// Six-digit code of the asker's region (the question is routed to experts near it).
    #[schema(example = "511623")]
    region: String,
});

/// A new question: the fields of [`QuestionRequest`], `submit`, and its photos.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQuestionRequest {
    /// 4–60 characters.
    #[schema(example = "脐橙叶片发黄怎么办")]
    pub title: String,
    /// The question: what was seen, since when, what was tried; 10–5000 characters.
    pub text: String,
    /// A category code (see `GET /api/v1/categories`).
    #[schema(example = "fruit")]
    pub category: String,
    /// Six-digit code of the asker's region (the question is routed to experts near it).
    #[schema(example = "511623")]
    pub region: String,
    /// `true`: send to the region's moderation queue at once; otherwise a draft.
    #[serde(default)]
    pub submit: bool,
    /// Up to 6 images the caller uploaded (`POST /api/v1/uploads`), in the order shown.
    #[serde(default)]
    pub photo_ids: Vec<String>,
}

impl CreateQuestionRequest {
    fn split(self) -> (QuestionInput, bool, Vec<String>) {
        let plain = PlainQuestionRequest {
            title: self.title,
            text: self.text,
            category: self.category,
            region: self.region,
            submit: self.submit,
        };
        let (input, submit) = plain.split();
        (input, submit, self.photo_ids)
    }
}

impl From<QuestionRequest> for QuestionInput {
    fn from(r: QuestionRequest) -> Self {
        Self {
            title: r.title,
            text: r.text,
            category: r.category,
            region: r.region,
        }
    }
}

/// A question (专家问诊).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionDto {
    #[serde(flatten)]
    pub meta: PostingMetaDto,
    pub title: String,
    pub text: String,
    pub category: CategoryDto,
    pub region: RegionRef,
}

impl QuestionDto {
    pub fn new(s: &Services, actor: Option<&Actor>, x: Question) -> Self {
        let d = x.draft;
        Self {
            meta: PostingMetaDto::new(actor, x.id.0, x.meta, d.region),
            title: d.title,
            text: d.text,
            category: d.category.into(),
            region: RegionRef::new(s, d.region),
        }
    }
}

impl PostingResource for QuestionDraft {
    type Dto = QuestionDto;
    type List = QuestionList;
    fn dto(s: &Services, actor: Option<&Actor>, p: Question) -> QuestionDto {
        QuestionDto::new(s, actor, p)
    }
    fn list(s: &Services, actor: Option<&Actor>, p: Paged<Question>) -> QuestionList {
        QuestionList::from_paged(p, |x| QuestionDto::new(s, actor, x))
    }
}

/// An expert's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerDto {
    pub id: i64,
    pub question_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub text: String,
    /// The asker accepted it.
    pub accepted: bool,
    /// How many users marked it helpful.
    pub helpful: u32,
    /// The caller marked it helpful.
    pub helpful_by_me: bool,
    pub created_at: String,
    /// The answer's photos, in order (on a question's page; absent in lists of answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<PhotoDto>>,
}

impl From<Answer> for AnswerDto {
    fn from(a: Answer) -> Self {
        Self {
            id: a.id.0,
            question_id: a.question.0,
            author_id: a.author.0,
            author_name: a.author_name,
            text: a.text,
            accepted: a.accepted,
            helpful: a.helpful,
            helpful_by_me: a.helpful_by_viewer,
            created_at: ts(a.created_at),
            photos: None,
        }
    }
}

/// An expert the question was routed to.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    pub expert_id: i64,
    pub expert_name: String,
    pub tech_worker_id: i64,
    /// The circle: 1 the question's county, 2 its city, 3 its province.
    pub round: u8,
    /// Why the matching engine chose this expert (Chinese).
    pub reasons: Vec<String>,
    pub invited_at: String,
}

impl From<Invitation> for InvitationDto {
    fn from(i: Invitation) -> Self {
        Self {
            expert_id: i.expert.0,
            expert_name: i.expert_name,
            tech_worker_id: i.tech_worker.0,
            round: i.round,
            reasons: i.reasons,
            invited_at: ts(i.invited_at),
        }
    }
}

/// A question with its answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionThreadDto {
    #[serde(flatten)]
    pub question: QuestionDto,
    /// `open` (no answer yet), `answered` or `resolved` (an answer was accepted).
    pub answer_state: Vocab,
    pub first_answered_at: Option<String>,
    pub answers: Vec<AnswerDto>,
    /// The experts it was routed to: for the asker and the region's admins only (`null` for
    /// others).
    pub invitations: Option<Vec<InvitationDto>>,
    /// The question's photos, in order.
    pub photos: Vec<PhotoDto>,
}

/// A photo of a question or an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoDto {
    pub id: String,
    /// The image (JPEG or PNG).
    pub url: String,
    /// At most 320 px on its longer side (configurable).
    pub thumb_url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl PhotoDto {
    fn list(t: &Thread, target: PhotoTarget) -> Vec<Self> {
        t.photos_of(target)
            .into_iter()
            .map(|u| Self {
                id: u.id.to_string(),
                url: file_url(&u.id, false),
                thumb_url: file_url(&u.id, u.has_thumb),
                width: u.width,
                height: u.height,
            })
            .collect()
    }
}

impl QuestionThreadDto {
    pub fn new(s: &Services, actor: Option<&Actor>, t: Thread) -> Self {
        let photos = PhotoDto::list(&t, PhotoTarget::Question(t.question.id));
        let answers = t
            .answers
            .iter()
            .map(|a| PhotoDto::list(&t, PhotoTarget::Answer(a.id)))
            .collect::<Vec<_>>();
        Self {
            question: QuestionDto::new(s, actor, t.question),
            answer_state: Vocab::new(t.qa.state.as_str(), t.qa.state.label_zh()),
            first_answered_at: t.qa.first_answered_at.map(ts),
            answers: t
                .answers
                .into_iter()
                .zip(answers)
                .map(|(a, photos)| AnswerDto {
                    photos: Some(photos),
                    ..AnswerDto::from(a)
                })
                .collect(),
            invitations: t
                .invitations
                .map(|v| v.into_iter().map(InvitationDto::from).collect()),
            photos,
        }
    }
}

/// One of an expert's answers, with its question's title.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertAnswerDto {
    #[serde(flatten)]
    pub answer: AnswerDto,
    pub question_title: String,
}

impl From<AnsweredQuestion> for ExpertAnswerDto {
    fn from(a: AnsweredQuestion) -> Self {
        Self {
            answer: a.answer.into(),
            question_title: a.question_title,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// 10–5000 characters.
    #[schema(example = "建议先采集叶片送检，确认是否为黄龙病；确诊后及时挖除病株并统一防治木虱。")]
    pub text: String,
    /// Up to 6 images the caller uploaded (`POST /api/v1/uploads`), in the order shown.
    #[serde(default)]
    pub photo_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelpfulDto {
    /// How many users marked the answer helpful, the caller included.
    pub helpful: u32,
}

/// Filters of the question list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionParams {
    /// Asked in this region's subtree (six digits).
    pub region: Option<String>,
    /// `published` (default, public); other statuses for admins within their regions, or with
    /// `mine`.
    pub status: Option<String>,
    /// A category code.
    pub category: Option<String>,
    /// Search text in the title and the question.
    pub q: Option<String>,
    /// `true`: only the caller's own questions, any status (login needed).
    pub mine: Option<bool>,
    /// `true`: only published questions nobody has answered yet.
    pub unanswered: Option<bool>,
    /// Only published questions unanswered for at least this many hours (the admins' list).
    pub unanswered_hours: Option<u32>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnswerPageParams {
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// 专家问诊列表
///
/// Published questions (any visitor), filtered by region subtree, category, text and
/// `unanswered` / `unanswered_hours`; `mine=true` lists the caller's own in any status; admins
/// may list other statuses within their regions.
#[utoipa::path(get, path = "/api/v1/questions", tag = "questions", operation_id = "list_questions",
    params(QuestionParams),
    responses(
        (status = 200, description = "Questions", body = QuestionList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "`mine` without login", body = ErrorBody),
        (status = 403, description = "Unpublished statuses are for admins", body = ErrorBody),
        (status = 422, description = "Bad region, status, category or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<QuestionParams>,
) -> ApiResult<ApiJson<QuestionList>> {
    let mut q = Filters {
        region: &p.region,
        status: &p.status,
        category: &p.category,
        q: &p.q,
        mine: p.mine,
        available_in: &None,
        scope: &None,
    }
    .parse()?;
    q.unanswered_hours = match (p.unanswered_hours, p.unanswered) {
        (Some(h), _) => Some(i64::from(h)),
        (None, Some(true)) => Some(0),
        (None, _) => None,
    };
    postings::list::<QuestionDraft>(&state, &ctx, q, p.page, p.per_page).await
}

/// 提问（草稿或提交审核）
///
/// Anyone logged in asks the experts: a draft, or pending review with `"submit": true`. Once
/// approved, the question is routed to the best-matching verified tech workers nearby, who are
/// told in their inbox.
#[utoipa::path(post, path = "/api/v1/questions", tag = "questions", operation_id = "create_question",
    request_body = CreateQuestionRequest,
    responses(
        (status = 201, description = "Created (draft, or pending with `submit`)", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field, unknown category or region, banned word", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateQuestionRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let (input, submit, photos) = req.split();
    let photos = uploads::photo_ids(&photos)?;
    let id = state
        .services
        .questions()
        .ask(&session.actor, &input, submit, &photos)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 查看问题及回答
///
/// One question with its answers: published (or closed after publication) ones for everyone,
/// others for their asker and the region's admins. The asker and the admins also see whom it
/// was routed to, and why.
#[utoipa::path(get, path = "/api/v1/questions/{id}", tag = "questions", operation_id = "get_question",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The question", body = QuestionThreadDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such (visible) question", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<QuestionId>,
) -> ApiResult<ApiJson<QuestionThreadDto>> {
    let s = &state.services;
    let t = s.questions().thread(ctx.actor(), id).await?;
    Ok(ApiJson(QuestionThreadDto::new(s, ctx.actor(), t)))
}

/// 修改问题（重新审核）
///
/// The asker edits; a published or rejected question goes back to review (its answers stay).
#[utoipa::path(put, path = "/api/v1/questions/{id}", tag = "questions", operation_id = "edit_question",
    params(("id" = i64, Path)),
    request_body = QuestionRequest,
    responses(
        (status = 200, description = "Updated", body = QuestionDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the asker", body = ErrorBody),
        (status = 404, description = "No such question", body = ErrorBody),
        (status = 409, description = "Closed, or changed meanwhile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<QuestionId>,
    ApiJson(req): ApiJson<QuestionRequest>,
) -> ApiResult<ApiJson<QuestionDto>> {
    postings::edit(&state, &session.actor, id, QuestionInput::from(req)).await
}

/// 回答问题
///
/// A verified tech worker answers a published question (not their own); the asker is told in
/// the inbox. No new answers once the asker has accepted one.
#[utoipa::path(post, path = "/api/v1/questions/{id}/answers", tag = "questions", operation_id = "answer_question",
    params(("id" = i64, Path)),
    request_body = AnswerRequest,
    responses(
        (status = 201, description = "Answered", body = CreatedId),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a verified tech worker, or the asker", body = ErrorBody),
        (status = 404, description = "No such question", body = ErrorBody),
        (status = 409, description = "Not published, or an answer was accepted", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Text too short or long, banned word", body = ErrorBody),
    ))]
pub async fn answer(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<QuestionId>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let photos = uploads::photo_ids(&req.photo_ids)?;
    let answer = state
        .services
        .questions()
        .answer(&session.actor, id, &req.text, &photos)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: answer.0 })))
}

/// 采纳回答
///
/// The asker accepts one answer; its author is told. One answer per question.
#[utoipa::path(post, path = "/api/v1/questions/{id}/answers/{answer_id}/accept", tag = "questions", operation_id = "accept_answer",
    params(("id" = i64, Path), ("answer_id" = i64, Path)),
    responses(
        (status = 200, description = "Accepted: the question's new answer state", body = StateDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the asker", body = ErrorBody),
        (status = 404, description = "No such question or answer", body = ErrorBody),
        (status = 409, description = "An answer was already accepted", body = ErrorBody),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, answer)): ApiPath<(QuestionId, AnswerId)>,
) -> ApiResult<ApiJson<StateDto>> {
    let to = state
        .services
        .questions()
        .accept(&session.actor, id, answer)
        .await?;
    Ok(ApiJson(StateDto::new(to.as_str(), to.label_zh())))
}

/// 标记回答有用
///
/// A logged-in user marks someone else's answer helpful, once.
#[utoipa::path(post, path = "/api/v1/questions/{id}/answers/{answer_id}/helpful", tag = "questions", operation_id = "mark_answer_helpful",
    params(("id" = i64, Path), ("answer_id" = i64, Path)),
    responses(
        (status = 200, description = "Marked", body = HelpfulDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "One's own answer", body = ErrorBody),
        (status = 404, description = "No such question or answer", body = ErrorBody),
        (status = 409, description = "Already marked", body = ErrorBody),
    ))]
pub async fn helpful(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((id, answer)): ApiPath<(QuestionId, AnswerId)>,
) -> ApiResult<ApiJson<HelpfulDto>> {
    let helpful = state
        .services
        .questions()
        .mark_helpful(&session.actor, id, answer)
        .await?;
    Ok(ApiJson(HelpfulDto { helpful }))
}

/// 专家的回答
///
/// A user's answers to public questions, accepted ones first (a tech worker's page).
#[utoipa::path(get, path = "/api/v1/users/{id}/answers", tag = "questions", operation_id = "list_user_answers",
    params(("id" = i64, Path), AnswerPageParams),
    responses(
        (status = 200, description = "Answers", body = ExpertAnswerList),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn answers_by(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<kejiyun_core::ids::UserId>,
    ApiQuery(p): ApiQuery<AnswerPageParams>,
) -> ApiResult<ApiJson<ExpertAnswerList>> {
    let paged = state
        .services
        .questions()
        .answers_by(id, super::page(p.page, p.per_page)?)
        .await?;
    Ok(ApiJson(ExpertAnswerList::from_paged(
        paged,
        ExpertAnswerDto::from,
    )))
}
