//! The posting engine's JSON API, written once for every kind: list, create, show, edit and
//! the owner's life-cycle actions (submit, close, confirm). Each kind's file declares its
//! routes and their OpenAPI description, and calls these; a kind brings its JSON shape
//! ([`PostingResource`]).

use axum::http::StatusCode;
use kejiyun_core::app::Services;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::ids::PostingId;
use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::market::postings::{Posting, PostingContent, PostingInput};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::Paged;
use kejiyun_core::permissions::Actor;
use kejiyun_core::regions::RegionCode;
use serde::Serialize;

use super::dto::{
    AchievementDto, AchievementList, CloseRequest, CreatedId, ExpiryDto, NeedDto, NeedList,
    ServiceDto, ServiceList, StateDto,
};
use axum::extract::State;
use axum::routing::{MethodRouter, post};
use utoipa::openapi::path::Paths;
use utoipa::openapi::{RefOr, Schema};
use utoipa_axum::router::UtoipaMethodRouter;

use crate::AppState;
use crate::api::page;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::session::{ApiUser, Ctx};
/// A query parameter, trimmed; empty means absent.
pub(crate) fn param(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filters every posting list takes, parsed into the core query (422 on unknown codes).
pub(crate) struct Filters<'a> {
    pub region: &'a Option<String>,
    pub status: &'a Option<String>,
    pub category: &'a Option<String>,
    pub q: &'a Option<String>,
    pub mine: Option<bool>,
    pub available_in: &'a Option<String>,
    pub scope: &'a Option<String>,
}

impl Filters<'_> {
    pub fn parse(self) -> ApiResult<PostingQuery> {
        Ok(PostingQuery {
            region: param(self.region).map(RegionCode::parse).transpose()?,
            status: param(self.status)
                .map(ModerationStatus::parse)
                .transpose()?,
            category: param(self.category).map(Category::parse).transpose()?,
            query: self.q.clone(),
            available_in: param(self.available_in)
                .map(RegionCode::parse)
                .transpose()?,
            scope: param(self.scope).map(Scope::parse).transpose()?,
            mine: self.mine.unwrap_or(false),
            ..Default::default()
        })
    }
}

/// A posting kind's JSON shape: one posting, and a page of them.
pub trait PostingResource: PostingContent {
    type Dto: Serialize;
    type List: Serialize;
    fn dto(s: &Services, actor: Option<&Actor>, p: Posting<Self>) -> Self::Dto;
    fn list(s: &Services, actor: Option<&Actor>, p: Paged<Posting<Self>>) -> Self::List;
}

impl PostingResource for kejiyun_core::market::postings::ServiceDraft {
    type Dto = ServiceDto;
    type List = ServiceList;
    fn dto(s: &Services, actor: Option<&Actor>, p: Posting<Self>) -> ServiceDto {
        ServiceDto::new(s, actor, p)
    }
    fn list(s: &Services, actor: Option<&Actor>, p: Paged<Posting<Self>>) -> ServiceList {
        ServiceList::from_paged(p, |x| ServiceDto::new(s, actor, x))
    }
}

impl PostingResource for kejiyun_core::market::postings::NeedDraft {
    type Dto = NeedDto;
    type List = NeedList;
    fn dto(s: &Services, actor: Option<&Actor>, p: Posting<Self>) -> NeedDto {
        NeedDto::new(s, actor, p)
    }
    fn list(s: &Services, actor: Option<&Actor>, p: Paged<Posting<Self>>) -> NeedList {
        NeedList::from_paged(p, |x| NeedDto::new(s, actor, x))
    }
}

impl PostingResource for kejiyun_core::market::postings::AchievementDraft {
    type Dto = AchievementDto;
    type List = AchievementList;
    fn dto(s: &Services, actor: Option<&Actor>, p: Posting<Self>) -> AchievementDto {
        AchievementDto::new(s, actor, p)
    }
    fn list(s: &Services, actor: Option<&Actor>, p: Paged<Posting<Self>>) -> AchievementList {
        AchievementList::from_paged(p, |x| AchievementDto::new(s, actor, x))
    }
}

/// `GET /api/v1/{kind}`: a page of postings the caller may see.
pub async fn list<D: PostingResource>(
    state: &AppState,
    ctx: &Ctx,
    q: PostingQuery,
    page_no: Option<u32>,
    per_page: Option<u32>,
) -> ApiResult<ApiJson<D::List>> {
    let s = &state.services;
    let paged = s
        .postings()
        .list::<D>(ctx.actor(), q, page(page_no, per_page)?)
        .await?;
    Ok(ApiJson(D::list(s, ctx.actor(), paged)))
}

/// `POST /api/v1/{kind}`: a draft, or pending review with `submit`.
pub async fn create<I: PostingInput>(
    state: &AppState,
    actor: &Actor,
    input: I,
    submit: bool,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .postings()
        .create(actor, &input, submit)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// `GET /api/v1/{kind}/{id}`.
pub async fn show<D: PostingResource>(
    state: &AppState,
    actor: Option<&Actor>,
    id: PostingId<D>,
) -> ApiResult<ApiJson<D::Dto>> {
    let s = &state.services;
    let p = s.postings().get::<D>(actor, id).await?;
    Ok(ApiJson(D::dto(s, actor, p)))
}

/// `PUT /api/v1/{kind}/{id}`: the owner edits, and sees the result.
pub async fn edit<I: PostingInput>(
    state: &AppState,
    actor: &Actor,
    id: PostingId<I::Draft>,
    input: I,
) -> ApiResult<ApiJson<<I::Draft as PostingResource>::Dto>>
where
    I::Draft: PostingResource,
{
    state.services.postings().edit(actor, id, &input).await?;
    show::<I::Draft>(state, Some(actor), id).await
}

/// The words the owner's actions' Chinese summaries below use for the posting, which
/// [`lifecycle_routes`] replaces with the kind's name (科技需求, …).
const POSTING_ZH: &str = "发布内容";

/// 提交发布内容审核
///
/// The owner sends a draft or rejected posting to the region's moderation queue.
#[utoipa::path(post, path = "/api/v1/{kind}/{id}/submit", operation_id = "submit",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Pending review", body = StateDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such posting", body = ErrorBody),
        (status = 409, description = "Not a draft or rejected (already pending, published or closed)", body = ErrorBody),
    ))]
pub async fn submit<D: PostingContent>(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<PostingId<D>>,
) -> ApiResult<ApiJson<StateDto>> {
    let to = state
        .services
        .postings()
        .submit_posting(&session.actor, D::KIND, id.0)
        .await?;
    Ok(ApiJson(StateDto::new(to.as_str(), to.label_zh())))
}

/// 关闭发布内容（说明原因）
///
/// The owner closes the posting, saying why (`solved_here`, `solved_elsewhere`, `withdrawn`, `no_answer`).
#[utoipa::path(post, path = "/api/v1/{kind}/{id}/close", operation_id = "close",
    params(("id" = i64, Path)),
    request_body = CloseRequest,
    responses(
        (status = 200, description = "Closed", body = StateDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such posting", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown reason", body = ErrorBody),
    ))]
pub async fn close<D: PostingContent>(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<PostingId<D>>,
    ApiJson(req): ApiJson<CloseRequest>,
) -> ApiResult<ApiJson<StateDto>> {
    state
        .services
        .postings()
        .close_posting(&session.actor, D::KIND, id.0, &req.reason)
        .await?;
    let closed = ModerationStatus::Closed;
    Ok(ApiJson(StateDto::new(closed.as_str(), closed.label_zh())))
}

/// 确认发布内容仍有效（延长有效期）
///
/// The owner confirms a published posting is still current: it stays up another interval (90 days by default) and answers the new expiry.
#[utoipa::path(post, path = "/api/v1/{kind}/{id}/confirm", operation_id = "confirm",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Expiry extended", body = ExpiryDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such posting", body = ErrorBody),
        (status = 409, description = "Not published", body = ErrorBody),
    ))]
pub async fn confirm<D: PostingContent>(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<PostingId<D>>,
) -> ApiResult<ApiJson<ExpiryDto>> {
    let until = state
        .services
        .postings()
        .confirm_posting(&session.actor, D::KIND, id.0)
        .await?;
    Ok(ApiJson(ExpiryDto {
        expires_at: until.to_rfc3339(),
    }))
}

/// The owner's actions on a kind's postings (`…/{id}/submit`, `close`, `confirm`): the generic
/// handlers above, each at the kind's path (`base`, e.g. `/api/v1/needs`) and described by the
/// shared operation under the kind's tag, naming the kind where it says "posting" (`what`) or
/// 发布内容 (the kind's Chinese name), its operation id suffixed with `what` (`submit_need`).
pub fn lifecycle_routes<D: PostingContent>(
    base: &str,
    tag: &str,
    what: &str,
) -> [UtoipaMethodRouter<AppState>; 3] {
    let what_zh = D::KIND.label_zh();
    fn route<P: utoipa::Path>(
        base: &str,
        tag: &str,
        (what, what_zh): (&str, &str),
        handler: MethodRouter<AppState>,
    ) -> UtoipaMethodRouter<AppState> {
        fn schema<T: utoipa::ToSchema>() -> (String, RefOr<Schema>) {
            (T::name().into_owned(), T::schema())
        }
        let schemas = vec![
            schema::<StateDto>(),
            schema::<ExpiryDto>(),
            schema::<CloseRequest>(),
            schema::<ErrorBody>(),
        ];
        let mut op = P::operation();
        op.tags = Some(vec![tag.to_owned()]);
        op.operation_id = op.operation_id.map(|id| format!("{id}_{what}"));
        op.summary = op.summary.map(|t| t.replace(POSTING_ZH, what_zh));
        op.description = op.description.map(|t| t.replace("posting", what));
        let mut paths = Paths::new();
        paths.add_path_operation(P::path().replace("/api/v1/{kind}", base), P::methods(), op);
        (schemas, paths, handler)
    }
    [
        route::<__path_submit>(base, tag, (what, what_zh), post(submit::<D>)),
        route::<__path_close>(base, tag, (what, what_zh), post(close::<D>)),
        route::<__path_confirm>(base, tag, (what, what_zh), post(confirm::<D>)),
    ]
}
