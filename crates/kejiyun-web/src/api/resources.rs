//! `/api/v1/resources`: popular-science resources (科普资源). Creating and editing check the
//! files a resource refers to (the caller's own uploads of the right kind, `POST
//! /api/v1/uploads`); submitting and withdrawing are the posting engine's
//! (`/api/v1/resources/{id}/submit|close`); moderation is `/api/v1/moderation/resource/{id}/
//! approve|reject`. Reading one published resource counts a view, as its page does.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::ResourceView;
use kejiyun_core::app::Services;
use kejiyun_core::ids::ResourceId;
use kejiyun_core::paging::Paged;
use kejiyun_core::permissions::Actor;
use kejiyun_core::popsci::{Resource, ResourceInput, ResourceKind, ResourceOrder};
use kejiyun_core::uploads::Upload;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::RegionRef;
use super::market::dto::{
    CategoryDto, CreatedId, PostingMetaDto, Vocab, list_type, posting_requests,
};
use super::market::postings::{Filters, param};
use super::page;
use super::uploads::file_url;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::resource_views::Visitor;
use crate::session::{ApiUser, Ctx};

list_type!(ResourceList, ResourceDto);

posting_requests!(CreateResourceRequest, ResourceRequest, ResourceInput, {
    /// `article`, `video`, `image`, `audio` or `document` (PDF).
    #[schema(example = "article")]
    kind: String,
    /// 4–60 characters.
    #[schema(example = "柑橘冬季修剪要点")]
    title: String,
    /// 10–300 characters.
    summary: String,
    /// Articles only: the text, as HTML (a small allow-list is kept: paragraphs, headings,
    /// lists, tables, links, images uploaded here; scripts, styles and event handlers are
    /// removed) or plain text (paragraphs by line). 20–50,000 characters of text.
    #[serde(default)]
    body: String,
    /// A category code (see `GET /api/v1/categories`).
    #[schema(example = "fruit")]
    category: String,
    /// Up to 10 tags of 1–20 characters.
    #[serde(default)]
    tags: Vec<String>,
    /// Six-digit code of the publishing region.
    #[schema(example = "511623")]
    region: String,
    /// Publish in the name of this verified organization the caller manages.
    org_id: Option<i64>,
    /// An image the caller uploaded, shown as the cover.
    cover_id: Option<String>,
    /// The file the caller uploaded (required except for articles): a video for `video`, an
    /// image for `image`, audio for `audio`, a PDF for `document`.
    media_id: Option<String>,
});

impl From<ResourceRequest> for ResourceInput {
    fn from(r: ResourceRequest) -> Self {
        Self {
            kind: r.kind,
            title: r.title,
            summary: r.summary,
            body: r.body,
            category: r.category,
            tags: r.tags,
            region: r.region,
            org: r.org_id,
            cover: r.cover_id,
            media: r.media_id,
        }
    }
}

/// A file of a resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceFileDto {
    pub id: String,
    /// `image`, `video`, `audio` or `pdf`.
    pub kind: String,
    pub mime: String,
    pub size: u64,
    /// Served with byte ranges (a player can seek).
    pub url: String,
    pub thumb_url: Option<String>,
}

impl From<Upload> for ResourceFileDto {
    fn from(u: Upload) -> Self {
        Self {
            url: file_url(&u.id, false),
            thumb_url: u.has_thumb.then(|| file_url(&u.id, true)),
            id: u.id.to_string(),
            kind: u.kind.as_str().to_owned(),
            mime: u.mime,
            size: u.size,
        }
    }
}

/// A popular-science resource (科普资源).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceDto {
    #[serde(flatten)]
    pub meta: PostingMetaDto,
    pub resource_kind: Vocab,
    pub title: String,
    pub summary: String,
    /// Articles: the sanitized HTML (safe to insert); empty for other kinds and in lists.
    pub body: String,
    pub category: CategoryDto,
    pub tags: Vec<String>,
    pub region: RegionRef,
    /// Counted views (once per visitor per 30 minutes; written within about a second).
    pub views: i64,
    pub cover_id: Option<String>,
    pub media_id: Option<String>,
    /// One resource only: its cover and media files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<ResourceFileDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<ResourceFileDto>,
}

impl ResourceDto {
    fn new(s: &Services, actor: Option<&Actor>, x: Resource, views: i64, full: bool) -> Self {
        let d = x.draft;
        Self {
            meta: PostingMetaDto::new(actor, x.id.0, x.meta, d.region),
            resource_kind: Vocab::new(d.kind.code(), d.kind.label_zh()),
            title: d.title,
            summary: d.summary,
            body: if full { d.body } else { String::new() },
            category: d.category.into(),
            tags: d.tags,
            region: RegionRef::new(s, d.region),
            views,
            cover_id: d.cover.map(|u| u.to_string()),
            media_id: d.media.map(|u| u.to_string()),
            cover: None,
            media: None,
        }
    }

    fn of_view(s: &Services, actor: Option<&Actor>, v: ResourceView) -> Self {
        Self {
            cover: v.cover.map(ResourceFileDto::from),
            media: v.media.map(ResourceFileDto::from),
            ..Self::new(s, actor, v.resource, v.views, true)
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourceParams {
    /// Located in this region's subtree.
    pub region: Option<String>,
    /// For admins (their regions) or with `mine`: `draft`, `pending`, `rejected`, `closed`.
    pub status: Option<String>,
    pub category: Option<String>,
    /// `article`, `video`, `image`, `audio` or `document`.
    pub kind: Option<String>,
    /// `newest` (default) or `views` (most viewed first).
    pub sort: Option<String>,
    /// Text in the title or summary.
    pub q: Option<String>,
    /// The caller's own resources, in any status.
    pub mine: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// 科普资源列表
///
/// Published resources under the root (or a region), by category, kind, text; newest or most
/// viewed first. `mine` lists the caller's own in any status.
#[utoipa::path(get, path = "/api/v1/resources", tag = "popsci", operation_id = "list_resources",
    params(ResourceParams),
    responses(
        (status = 200, description = "Resources", body = ResourceList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "`mine` without login", body = ErrorBody),
        (status = 403, description = "Unpublished statuses are for admins", body = ErrorBody),
        (status = 422, description = "Bad region, status, category, kind, sort or paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<ResourceParams>,
) -> ApiResult<ApiJson<ResourceList>> {
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
    q.resource_kind = param(&p.kind).map(ResourceKind::parse).transpose()?;
    q.most_viewed =
        ResourceOrder::parse(param(&p.sort).unwrap_or(""))? == ResourceOrder::MostViewed;
    let s = &state.services;
    let paged: Paged<(Resource, i64)> = s
        .resources()
        .list(ctx.actor(), q, page(p.page, p.per_page)?)
        .await?;
    Ok(ApiJson(ResourceList::from_paged(paged, |(r, views)| {
        ResourceDto::new(s, ctx.actor(), r, views, false)
    })))
}

/// 发布科普资源
///
/// A verified tech worker, an organization's admin (with `org_id`) or a region's admin (in
/// their region) publishes a resource: a draft, or pending review with `submit`. Its files are
/// uploaded first (`POST /api/v1/uploads`) and referred to by id.
#[utoipa::path(post, path = "/api/v1/resources", tag = "popsci", operation_id = "create_resource",
    request_body = CreateResourceRequest,
    responses(
        (status = 201, description = "Created (draft, or pending with `submit`)", body = CreatedId),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a verified tech worker, an organization's admin or the region's admin", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field, a file that is not the caller's or of the wrong kind, banned word", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<CreateResourceRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let (input, submit) = req.split();
    let id = state
        .services
        .resources()
        .create(&session.actor, &input, submit)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 科普资源详情（计入浏览量）
///
/// One resource with its files. Reading a published resource counts a view: once per visitor
/// (the signed-in user, else the client's address and user agent, hashed) per 30 minutes.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "popsci", operation_id = "get_resource",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The resource; a published one counts a view", body = ResourceDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such (visible) resource", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    visitor: Visitor,
    ApiPath(id): ApiPath<ResourceId>,
) -> ApiResult<ApiJson<ResourceDto>> {
    let s = &state.services;
    let v = s.resources().get(ctx.actor(), id).await?;
    visitor.count(&state, &v.resource);
    Ok(ApiJson(ResourceDto::of_view(s, ctx.actor(), v)))
}

/// 修改科普资源（已发布的重新审核）
///
/// The publisher edits; a published or rejected resource goes back to review.
#[utoipa::path(put, path = "/api/v1/resources/{id}", tag = "popsci", operation_id = "edit_resource",
    params(("id" = i64, Path)),
    request_body = ResourceRequest,
    responses(
        (status = 200, description = "Updated", body = ResourceDto),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the publisher", body = ErrorBody),
        (status = 404, description = "No such resource", body = ErrorBody),
        (status = 409, description = "Closed, or changed meanwhile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field or file", body = ErrorBody),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<ResourceId>,
    ApiJson(req): ApiJson<ResourceRequest>,
) -> ApiResult<ApiJson<ResourceDto>> {
    let s = &state.services;
    let actor = &session.actor;
    s.resources()
        .edit(actor, id, &ResourceInput::from(req))
        .await?;
    let v = s.resources().get(Some(actor), id).await?;
    Ok(ApiJson(ResourceDto::of_view(s, Some(actor), v)))
}

/// 使用该资源的科普共享基地
///
/// The verified popular-science sharing bases that use a published resource (in a hall, on a
/// screen), by name, each with its page's address.
#[utoipa::path(get, path = "/api/v1/resources/{id}/bases", tag = "popsci", operation_id = "list_resource_bases",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Bases using the resource", body = Vec<super::bases::BaseRefDto>),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such published resource", body = ErrorBody),
    ))]
pub async fn bases_using(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ResourceId>,
) -> ApiResult<ApiJson<Vec<super::bases::BaseRefDto>>> {
    let s = &state.services;
    let list = s.bases().using(id).await?;
    Ok(ApiJson(
        list.into_iter()
            .map(|b| super::bases::BaseRefDto::new(s, b))
            .collect(),
    ))
}
