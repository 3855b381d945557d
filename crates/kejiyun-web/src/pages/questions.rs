//! 专家问诊 pages: `/questions` (published questions, by region, category, text, unanswered),
//! `/questions/new`, a question's page (its answers, whom it was routed to, accept and helpful
//! buttons, the tech workers' answer form), its edit form, and `/admin/questions`: the
//! questions of the admin's region nobody has answered for longer than the configured hours.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::app::Thread;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::ids::{AnswerId, PostingId, QuestionId};
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::permissions::{Grant, RegionScope};
use kejiyun_core::questions::{AnswerState, Question, QuestionDraft, QuestionInput, answer_text};
use kejiyun_core::uploads::ports::PhotoTarget;
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, parse_id, render, see_other,
};
use super::market::{badge, category_label, category_options};
use super::photos::{PhotoForm, PhotoView, photos_hint, views};
use super::tech_workers::{Filters, local_region_name};
use super::widgets::{ModerateForms, Opt, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/questions", get(list))
        // The global body limit is smaller than six photos: `PhotoForm` is the limit here.
        .route(
            "/questions/new",
            get(new_form)
                .post(create)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/questions/{id}", get(page))
        .route("/questions/{id}/edit", get(edit_form).post(save))
        .route("/questions/{id}/submit", post(submit))
        .route("/questions/{id}/close", post(close))
        .route(
            "/questions/{id}/answers",
            post(answer).layer(DefaultBodyLimit::disable()),
        )
        .route("/questions/{id}/answers/{answer}/accept", post(accept))
        .route("/questions/{id}/answers/{answer}/helpful", post(helpful))
        .route("/admin/questions", get(admin_unanswered))
}

/// One question in a list.
pub struct QuestionCard {
    pub id: i64,
    pub title: String,
    pub category: &'static str,
    pub region: String,
    pub owner: String,
    pub date: String,
    pub status: &'static str,
    pub badge: Option<&'static str>,
}

fn card(pg: &Pg<'_>, q: Question) -> QuestionCard {
    QuestionCard {
        id: q.id.0,
        category: category_label(pg, q.draft.category),
        region: local_region_name(pg, q.draft.region),
        owner: q.meta.owner_name,
        date: q
            .meta
            .first_published_at
            .unwrap_or(q.meta.created_at)
            .to_shanghai_display(),
        status: q.meta.status.as_str(),
        badge: badge(pg, q.meta.status),
        title: q.draft.title,
    }
}

fn cards(pg: &Pg<'_>, paged: Paged<Question>) -> (Vec<QuestionCard>, Paged<()>) {
    let meta = Paged {
        items: Vec::new(),
        total: paged.total,
        page: paged.page,
    };
    (paged.items.into_iter().map(|q| card(pg, q)).collect(), meta)
}

#[derive(Template)]
#[template(path = "questions/list.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    region_select: RegionSelect,
    categories: Vec<Opt>,
    q: String,
    unanswered: bool,
    mine: bool,
    cards: Vec<QuestionCard>,
    pager: Pager,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let mut f = Filters::read(&params);
    let cat_raw = params.get("category").unwrap_or_default().to_owned();
    let category = match cat_raw.as_str() {
        "" => None,
        c => Category::parse(c)
            .map_err(|e| f.error = Some(e.to_string()))
            .ok(),
    };
    let unanswered = params.get("unanswered").is_some_and(|v| !v.is_empty());
    // 我的提问: the caller's own questions, in any status.
    let mine = params.get("mine").is_some_and(|v| !v.is_empty());
    if mine {
        pg.require_login()?;
    }
    let q = PostingQuery {
        region: f.region,
        category,
        query: (!f.q.is_empty()).then(|| f.q.clone()),
        unanswered_hours: unanswered.then_some(0),
        mine,
        ..PostingQuery::default()
    };
    let paged = pg
        .s()
        .postings()
        .list::<QuestionDraft>(pg.actor(), q, f.page)
        .await
        .or_page(&pg)?;
    let (cards, meta) = cards(&pg, paged);
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let pager = Pager::new(
        &pg,
        "/questions",
        &[
            ("region", &region),
            ("category", category.map(Category::code).unwrap_or_default()),
            ("q", &f.q),
            ("unanswered", if unanswered { "1" } else { "" }),
            ("mine", if mine { "1" } else { "" }),
        ],
        &meta,
    );
    let mut base = pg.layout("qa.list", "questions");
    base.error = f.error.clone();
    ok(&ListTpl {
        region_select: f.region_select(&pg),
        categories: category_options(&pg, category.map(Category::code).unwrap_or_default()),
        q: f.q.clone(),
        unanswered,
        mine,
        cards,
        pager,
        base,
    })
}

/// The ask / edit form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuestionForm {
    title: String,
    text: String,
    category: String,
    region: String,
    /// `draft` or `submit`.
    action: String,
}

impl QuestionForm {
    /// The ask form's fields (it comes as multipart, with its photos).
    fn from_photo_form(f: &PhotoForm) -> Self {
        Self {
            title: f.get("title").to_owned(),
            text: f.get("text").to_owned(),
            category: f.get("category").to_owned(),
            region: f.get("region").to_owned(),
            action: f.get("action").to_owned(),
        }
    }

    fn input(&self) -> QuestionInput {
        QuestionInput {
            title: self.title.clone(),
            text: self.text.clone(),
            category: self.category.clone(),
            region: self.region.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "questions/form.html", whitespace = "minimize")]
struct FormTpl {
    base: Layout,
    heading: &'static str,
    action: String,
    form: QuestionForm,
    categories: Vec<Opt>,
    region_select: RegionSelect,
    field: &'static str,
    /// Editing a published or rejected question sends it back to review.
    rereview: bool,
    /// Only a draft offers "save as draft".
    draft: bool,
    /// The ask form takes photos (multipart); the edit form does not.
    photos: bool,
    photos_hint: String,
}

fn form_page(
    pg: &Pg<'_>,
    editing: Option<(i64, ModerationStatus)>,
    form: QuestionForm,
    outcome: Outcome,
) -> PageResult {
    let (heading, action) = match editing {
        Some((id, _)) => ("qa.edit", format!("/questions/{id}/edit")),
        None => ("qa.new", "/questions/new".to_owned()),
    };
    let mut base = pg.layout(heading, "questions");
    let (status, field) = outcome.apply(&mut base);
    let page = FormTpl {
        heading: pg.t(heading),
        action,
        categories: category_options(pg, &form.category),
        region_select: RegionSelectSpec::required("region", "qa.region")
            .hint("qa.region_hint")
            .build(pg, &form.region),
        field,
        rereview: editing.is_some_and(|(_, s)| {
            matches!(s, ModerationStatus::Published | ModerationStatus::Rejected)
        }),
        draft: editing.is_none_or(|(_, s)| s == ModerationStatus::Draft),
        photos: editing.is_none(),
        photos_hint: photos_hint(pg),
        form,
        base,
    };
    Ok(render(status, &page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    // A question is usually about where the asker lives: the registration region starts it.
    let home = pg.s().accounts().me(actor).await.or_page(&pg)?.region;
    let form = QuestionForm {
        region: home.map(|r| r.to_string()).unwrap_or_default(),
        ..QuestionForm::default()
    };
    form_page(&pg, None, form, Outcome::Fresh)
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, sent: PhotoForm) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let form = QuestionForm::from_photo_form(&sent);
    let submit = form.action != "draft";
    let input = form.input();
    let asked = async {
        // A question that cannot be asked stores no photo.
        QuestionDraft::parse(&input)?;
        let photos = pg.s().uploads().store_photos(actor, &sent.files()).await?;
        pg.s().questions().ask(actor, &input, submit, &photos).await
    };
    match asked.await {
        Ok(id) => {
            let done = if submit { "submitted" } else { "created" };
            Ok(see_other(&format!("/questions/{id}?done={done}")))
        }
        Err(e) => {
            let e = form_error(&pg, e)?;
            form_page(&pg, None, form, Outcome::Failed(e))
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id: QuestionId = PostingId::new(parse_id(&pg, &raw)?);
    let q = pg.s().postings().get(Some(actor), id).await.or_page(&pg)?;
    if q.meta.owner != actor.user_id {
        return Err(pg.fail(DomainError::Forbidden(pg.t("qa.not_asker").into())));
    }
    let form = QuestionForm {
        title: q.draft.title,
        text: q.draft.text,
        category: q.draft.category.code().into(),
        region: q.draft.region.to_string(),
        action: String::new(),
    };
    form_page(&pg, Some((id.0, q.meta.status)), form, Outcome::Fresh)
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id: QuestionId = PostingId::new(parse_id(&pg, &raw)?);
    let s = pg.s();
    let status = s
        .postings()
        .get(Some(actor), id)
        .await
        .or_page(&pg)?
        .meta
        .status;
    let mut r = s.postings().edit(actor, id, &form.input()).await;
    if r.is_ok() && form.action == "submit" && status == ModerationStatus::Draft {
        r = s
            .postings()
            .submit_posting(actor, PostingKind::Question, id.0)
            .await
            .map(drop);
    }
    match r {
        Ok(()) => Ok(see_other(&format!("/questions/{id}?done=saved"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            form_page(&pg, Some((id.0, status)), form, Outcome::Failed(e))
        }
    }
}

/// An answer as the page shows it.
pub struct AnswerView {
    pub id: i64,
    pub author: String,
    pub text: String,
    pub date: String,
    pub accepted: bool,
    pub helpful: u32,
    /// The viewer may mark it helpful (logged in, not theirs, not yet marked).
    pub can_mark: bool,
    pub marked: bool,
    /// The viewer is the asker and may accept it.
    pub can_accept: bool,
    pub photos: Vec<PhotoView>,
}

/// An invited expert as the asker sees it.
pub struct InvitationView {
    pub name: String,
    pub href: String,
    pub circle: &'static str,
    pub reasons: String,
}

#[derive(Template)]
#[template(path = "questions/page.html", whitespace = "minimize")]
struct PageTpl {
    base: Layout,
    photos: Vec<PhotoView>,
    photos_hint: String,
    id: i64,
    title: String,
    text: String,
    category: &'static str,
    region: String,
    asker: String,
    date: String,
    status: &'static str,
    badge: Option<&'static str>,
    reject_reason: Option<String>,
    answer_state: &'static str,
    answer_state_label: &'static str,
    answers: Vec<AnswerView>,
    invitations: Option<Vec<InvitationView>>,
    /// The asker's actions: edit, submit (a draft or rejected question), close.
    owner: bool,
    can_submit: bool,
    can_close: bool,
    /// The tech workers' answer form.
    answer_form: bool,
    answer_text: String,
    field: &'static str,
    login_href: Option<String>,
    moderate: Option<ModerateForms>,
}

fn done_outcome(pg: &Pg<'_>, q: Option<&str>) -> Outcome {
    match Params::parse(q).get("done") {
        Some(
            d
            @ ("created" | "saved" | "submitted" | "closed" | "answered" | "accepted" | "helpful"),
        ) => Outcome::Saved(pg.t(&format!("qa.done.{d}")).into()),
        _ => Outcome::Fresh,
    }
}

fn circle_key(round: u8) -> &'static str {
    match round {
        1 => "qa.circle_county",
        2 => "qa.circle_city",
        _ => "qa.circle_province",
    }
}

async fn question_page(
    pg: &Pg<'_>,
    id: QuestionId,
    outcome: Outcome,
    answer_text: String,
) -> PageResult {
    let s = pg.s();
    let actor = pg.actor();
    let Thread {
        question,
        qa,
        answers,
        invitations,
        photos,
    } = s.questions().thread(actor, id).await.or_page(pg)?;
    let me = actor.map(|a| a.user_id);
    let owner = me == Some(question.meta.owner);
    let status = question.meta.status;
    let published = status == ModerationStatus::Published;
    let accepting = owner && published && qa.state == AnswerState::Answered;
    let answers = answers
        .into_iter()
        .map(|a| AnswerView {
            photos: views(&photos, PhotoTarget::Answer(a.id)),
            id: a.id.0,
            can_mark: me.is_some_and(|m| m != a.author) && !a.helpful_by_viewer,
            marked: a.helpful_by_viewer,
            can_accept: accepting,
            author: a.author_name,
            text: a.text,
            date: a.created_at.to_shanghai_display(),
            accepted: a.accepted,
            helpful: a.helpful,
        })
        .collect();
    let invitations = invitations.map(|list| {
        list.into_iter()
            .map(|i| InvitationView {
                name: i.expert_name,
                href: format!("/tech-workers/{}", i.tech_worker.0),
                circle: pg.t(circle_key(i.round)),
                reasons: i.reasons.join("；"),
            })
            .collect()
    });
    let is_tech_worker = actor.is_some_and(|a| a.grants.contains(&Grant::TechWorker));
    let region = question.draft.region;
    let moderate = (status == ModerationStatus::Pending
        && actor.is_some_and(|a| a.administers(region)))
    .then(|| ModerateForms::new(pg, "question", id.0));
    let mut base = pg.layout_titled(question.draft.title.clone(), "questions");
    let (code, field) = outcome.apply(&mut base);
    let page = PageTpl {
        photos: views(&photos, PhotoTarget::Question(id)),
        photos_hint: photos_hint(pg),
        id: id.0,
        category: category_label(pg, question.draft.category),
        region: pg.region_name(region),
        asker: question.meta.owner_name,
        date: question
            .meta
            .first_published_at
            .unwrap_or(question.meta.created_at)
            .to_shanghai_display(),
        status: status.as_str(),
        badge: badge(pg, status),
        reject_reason: if owner {
            question.meta.reject_reason
        } else {
            None
        },
        answer_state: qa.state.as_str(),
        answer_state_label: pg.t(&format!("qa.state.{}", qa.state.as_str())),
        answers,
        invitations,
        owner,
        can_submit: owner && matches!(status, ModerationStatus::Draft | ModerationStatus::Rejected),
        can_close: owner && status != ModerationStatus::Closed,
        answer_form: is_tech_worker && !owner && published && qa.state != AnswerState::Resolved,
        answer_text,
        field,
        login_href: actor
            .is_none()
            .then(|| format!("/login?next=/questions/{}", id.0)),
        moderate,
        title: question.draft.title,
        text: question.draft.text,
        base,
    };
    Ok(render(code, &page))
}

fn question_id(pg: &Pg<'_>, raw: &str) -> Result<QuestionId, super::common::PageError> {
    parse_id(pg, raw).map(PostingId::new)
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = question_id(&pg, &raw)?;
    let outcome = done_outcome(&pg, q.as_deref());
    question_page(&pg, id, outcome, String::new()).await
}

/// After an action: back to the page with a notice, or the page again with the error.
async fn after(
    pg: &Pg<'_>,
    id: QuestionId,
    result: Result<(), DomainError>,
    done: &str,
    answer_text: String,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/questions/{id}?done={done}"))),
        Err(e) => {
            let e = form_error(pg, e)?;
            question_page(pg, id, Outcome::Failed(e), answer_text).await
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = question_id(&pg, &raw)?;
    let r = pg
        .s()
        .postings()
        .submit_posting(actor, PostingKind::Question, id.0)
        .await
        .map(drop);
    after(&pg, id, r, "submitted", String::new()).await
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = question_id(&pg, &raw)?;
    // An asker closing a question withdraws it.
    let r = pg
        .s()
        .postings()
        .close_posting(actor, PostingKind::Question, id.0, "withdrawn")
        .await;
    after(&pg, id, r, "closed", String::new()).await
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    sent: PhotoForm,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = question_id(&pg, &raw)?;
    let text = sent.get("text").to_owned();
    let answered = async {
        // An answer that cannot be given stores no photo.
        answer_text(&text)?;
        let photos = pg.s().uploads().store_photos(actor, &sent.files()).await?;
        pg.s().questions().answer(actor, id, &text, &photos).await
    };
    let r = answered.await.map(drop);
    let keep = if r.is_err() { text } else { String::new() };
    after(&pg, id, r, "answered", keep).await
}

fn answer_path(
    pg: &Pg<'_>,
    raw: &(String, String),
) -> Result<(QuestionId, AnswerId), super::common::PageError> {
    Ok((question_id(pg, &raw.0)?, AnswerId(parse_id(pg, &raw.1)?)))
}

pub async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, answer) = answer_path(&pg, &raw)?;
    let r = pg.s().questions().accept(actor, id, answer).await.map(drop);
    after(&pg, id, r, "accepted", String::new()).await
}

pub async fn helpful(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let (id, answer) = answer_path(&pg, &raw)?;
    let r = pg
        .s()
        .questions()
        .mark_helpful(actor, id, answer)
        .await
        .map(drop);
    after(&pg, id, r, "helpful", String::new()).await
}

/// One of an expert's answers on their profile page.
pub struct ExpertAnswer {
    pub question: String,
    pub href: String,
    pub accepted: bool,
    pub helpful: u32,
}

/// The first page of an expert's public answers (accepted ones first).
pub async fn expert_answers(
    pg: &Pg<'_>,
    expert: kejiyun_core::ids::UserId,
) -> Result<Vec<ExpertAnswer>, super::common::PageError> {
    let page = Page {
        page: 1,
        per_page: 10,
    };
    let answers = pg
        .s()
        .questions()
        .answers_by(expert, page)
        .await
        .or_page(pg)?;
    Ok(answers
        .items
        .into_iter()
        .map(|a| ExpertAnswer {
            href: format!("/questions/{}", a.answer.question.0),
            question: a.question_title,
            accepted: a.answer.accepted,
            helpful: a.answer.helpful,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "questions/admin.html", whitespace = "minimize")]
struct AdminTpl {
    base: Layout,
    hours: i64,
    region: String,
    cards: Vec<QuestionCard>,
    pager: Pager,
}

/// The questions of the admin's region that nobody has answered for longer than the configured
/// hours (a system admin sees the whole deployment).
pub async fn admin_unanswered(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let params = Params::parse(raw.as_deref());
    let s = pg.s();
    let region = match actor.admin_scope() {
        RegionScope::Within(codes) => codes.first().copied(),
        RegionScope::All => None,
    };
    let hours = s.qa.unanswered_hours;
    let q = PostingQuery {
        region,
        unanswered_hours: Some(hours),
        ..PostingQuery::default()
    };
    let page = Page {
        page: params.page(),
        per_page: 20,
    };
    let paged = s
        .postings()
        .list::<QuestionDraft>(Some(actor), q, page)
        .await
        .or_page(&pg)?;
    let (cards, meta) = cards(&pg, paged);
    let pager = Pager::new(&pg, "/admin/questions", &[], &meta);
    let base = pg.layout("qa.admin_title", "admin");
    ok(&AdminTpl {
        hours,
        region: region.map_or_else(|| pg.root_name(), |r| pg.region_name(r)),
        cards,
        pager,
        base,
    })
}
