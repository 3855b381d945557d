//! 科普资源 pages: `/resources` (published resources by region, category, kind and text, newest
//! or most viewed first; `?mine=1` the caller's own in any status), the publish and edit forms
//! (multipart: an article's text, or a video, image, audio or PDF file, and a cover image), a
//! resource's page (the article, or a player / the image / a download link; viewing it counts a
//! view), and the owner's submit and withdraw buttons. Moderation is the admin queue's.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::app::ResourceView;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::ids::{OrgId, PostingId, ResourceId};
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::permissions::{Actor, Grant};
use kejiyun_core::popsci::{Resource, ResourceDraft, ResourceInput, ResourceKind, ResourceOrder};
use kejiyun_core::uploads::{Upload, UploadKind, display_name, size_text};

use super::common::{
    Layout, OrPage, Outcome, PageError, PageResult, Params, Pg, ok, parse_id, render, see_other,
};
use super::market::{badge, category_label, category_options, opt_id};
use super::multipart::SentFile;
use super::resource_parts::ResourceParts;
use super::tech_workers::{Filters, local_region_name};
use super::widgets::{ModerateForms, Opt, Pager, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::api::uploads::file_url;
use crate::resource_views::Visitor;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources", get(list))
        // The global body limit is far smaller than a video: `ResourceParts` is the limit.
        .route(
            "/resources/new",
            get(new_form)
                .post(create)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/resources/{id}", get(page))
        .route(
            "/resources/{id}/edit",
            get(edit_form).post(save).layer(DefaultBodyLimit::disable()),
        )
        .route("/resources/{id}/submit", post(submit))
        .route("/resources/{id}/close", post(close))
}

/// The media file kinds a resource may carry (its cover is an image).
pub(super) const MEDIA_KINDS: [UploadKind; 4] = [
    UploadKind::Video,
    UploadKind::Audio,
    UploadKind::Pdf,
    UploadKind::Image,
];

fn kind_label(pg: &Pg<'_>, k: ResourceKind) -> &'static str {
    pg.t(match k {
        ResourceKind::Article => "res.kind.article",
        ResourceKind::Video => "res.kind.video",
        ResourceKind::Image => "res.kind.image",
        ResourceKind::Audio => "res.kind.audio",
        ResourceKind::Document => "res.kind.document",
    })
}

fn kind_options(pg: &Pg<'_>, selected: &str) -> Vec<Opt> {
    ResourceKind::ALL
        .into_iter()
        .map(|k| Opt {
            value: k.code().to_owned(),
            label: kind_label(pg, k).to_owned(),
            selected: k.code() == selected,
        })
        .collect()
}

/// The first `n` characters of `s`, with an ellipsis when cut.
fn excerpt(s: &str, n: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(n).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

fn date_of(r: &Resource) -> String {
    r.meta
        .first_published_at
        .unwrap_or(r.meta.created_at)
        .to_shanghai_display()
}

/// A bad list filter is reported on the page and ignored, never an error page.
fn lenient<T>(error: &mut Option<String>, r: Result<T, DomainError>) -> Option<T> {
    r.map_err(|e| *error = Some(e.to_string())).ok()
}

/// One resource in a list.
pub struct ResourceCard {
    pub id: i64,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: String,
    pub summary: String,
    pub category: &'static str,
    pub region: String,
    pub views: i64,
    pub date: String,
    pub status: &'static str,
    pub badge: Option<&'static str>,
    /// The cover's thumbnail (an image resource's own without one).
    pub thumb: Option<String>,
}

fn card(pg: &Pg<'_>, r: Resource, views: i64) -> ResourceCard {
    ResourceCard {
        id: r.id.0,
        kind: r.draft.kind.code(),
        kind_label: kind_label(pg, r.draft.kind),
        summary: excerpt(&r.draft.summary, 80),
        category: category_label(pg, r.draft.category),
        region: local_region_name(pg, r.draft.region),
        views,
        date: date_of(&r),
        status: r.meta.status.as_str(),
        badge: badge(pg, r.meta.status),
        // The cover's thumbnail; an image resource without a cover shows its own.
        thumb: r
            .draft
            .cover
            .as_ref()
            .or(r
                .draft
                .media
                .as_ref()
                .filter(|_| r.draft.kind == ResourceKind::Image))
            .map(|id| file_url(id, true)),
        title: r.draft.title,
    }
}

#[derive(Template)]
#[template(path = "resources/list.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    region_select: RegionSelect,
    categories: Vec<Opt>,
    kinds: Vec<Opt>,
    sorts: Vec<Opt>,
    q: String,
    mine: bool,
    cards: Vec<ResourceCard>,
    pager: Pager,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let mut f = Filters::read(&params);
    let category = params
        .get("category")
        .and_then(|c| lenient(&mut f.error, Category::parse(c)));
    let kind = params
        .get("kind")
        .and_then(|k| lenient(&mut f.error, ResourceKind::parse(k)));
    let sort = params.get("sort").unwrap_or_default();
    let order = lenient(&mut f.error, ResourceOrder::parse(sort)).unwrap_or_default();
    // 我的科普资源: the caller's own, in any status.
    let mine = params.get("mine").is_some_and(|v| !v.is_empty());
    if mine {
        pg.require_login()?;
    }
    let q = PostingQuery {
        region: f.region,
        category,
        query: (!f.q.is_empty()).then(|| f.q.clone()),
        mine,
        resource_kind: kind,
        most_viewed: order == ResourceOrder::MostViewed,
        ..PostingQuery::default()
    };
    let paged = pg
        .s()
        .resources()
        .list(pg.actor(), q, f.page)
        .await
        .or_page(&pg)?;
    let region = f.region.map(|r| r.to_string()).unwrap_or_default();
    let category_code = category.map(Category::code).unwrap_or_default();
    let kind_code = kind.map(ResourceKind::code).unwrap_or_default();
    let sort_code = match order {
        ResourceOrder::Newest => "",
        o => o.code(),
    };
    let pager = Pager::new(
        &pg,
        "/resources",
        &[
            ("region", &region),
            ("category", category_code),
            ("kind", kind_code),
            ("sort", sort_code),
            ("q", &f.q),
            ("mine", if mine { "1" } else { "" }),
        ],
        &paged,
    );
    let cards = paged
        .items
        .into_iter()
        .map(|(r, views)| card(&pg, r, views))
        .collect();
    let sorts = [
        (ResourceOrder::Newest, "res.sort.newest"),
        (ResourceOrder::MostViewed, "res.sort.views"),
    ]
    .into_iter()
    .map(|(o, key)| Opt {
        value: o.code().to_owned(),
        label: pg.t(key).to_owned(),
        selected: o == order,
    })
    .collect();
    let mut base = pg.layout(if mine { "res.mine" } else { "res.list" }, "resources");
    base.error = f.error.clone();
    ok(&ListTpl {
        region_select: f.region_select(&pg),
        categories: category_options(&pg, category_code),
        kinds: kind_options(&pg, kind_code),
        sorts,
        q: f.q.clone(),
        mine,
        cards,
        pager,
        base,
    })
}

/// The form's text fields, as typed (kept when the form comes back with an error).
#[derive(Debug, Default)]
pub struct ResourceForm {
    kind: String,
    title: String,
    summary: String,
    body: String,
    category: String,
    tags: String,
    region: String,
    org_id: String,
    /// Editing: remove the current cover.
    drop_cover: bool,
    /// `draft` or `submit`.
    action: String,
}

impl ResourceForm {
    fn read(p: &ResourceParts) -> Self {
        Self {
            kind: p.get("kind").trim().to_owned(),
            title: p.get("title").to_owned(),
            summary: p.get("summary").to_owned(),
            body: p.get("body").to_owned(),
            category: p.get("category").to_owned(),
            tags: p.get("tags").to_owned(),
            region: p.get("region").to_owned(),
            org_id: p.get("org_id").to_owned(),
            drop_cover: !p.get("drop_cover").is_empty(),
            action: p.get("action").to_owned(),
        }
    }

    fn of(r: &Resource) -> Self {
        let d = &r.draft;
        Self {
            kind: d.kind.code().to_owned(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            body: d.body.clone(),
            category: d.category.code().to_owned(),
            tags: d.tags.join("，"),
            region: d.region.to_string(),
            org_id: d.org.map(|o| o.0.to_string()).unwrap_or_default(),
            drop_cover: false,
            action: String::new(),
        }
    }

    fn input(
        &self,
        media: Option<String>,
        cover: Option<String>,
    ) -> Result<ResourceInput, DomainError> {
        Ok(ResourceInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            tags: vec![self.tags.clone()],
            region: self.region.clone(),
            org: opt_id("org_id", &self.org_id)?,
            cover,
            media,
        })
    }
}

/// Stands in for a file that was sent but not stored yet, so that the fields are checked
/// (an article takes no file, other kinds need one) before anything is stored.
const PENDING_FILE: &str = "00000000000000000000000000000000";

/// The files a form keeps or replaces: the current one's id, or the stand-in for a new one.
fn file_ref(sent: Option<&SentFile>, current: Option<String>) -> Option<String> {
    match sent {
        Some(_) => Some(PENDING_FILE.to_owned()),
        None => current,
    }
}

/// What creating or editing checks before writing (the posting engine's checks), done before
/// any file is stored so that a refused resource leaves no stray upload: the fields, the
/// region, the banned words and who may publish.
async fn precheck(pg: &Pg<'_>, actor: &Actor, input: &ResourceInput) -> Result<(), DomainError> {
    let draft = ResourceDraft::parse(input)?;
    pg.s().postings().check_draft(actor, &draft).await
}

/// Checks both files (kind by content, size) before storing either, then stores them; the
/// ids of the stored media and cover.
async fn store_files(
    pg: &Pg<'_>,
    actor: &Actor,
    kind: ResourceKind,
    media: Option<&SentFile>,
    cover: Option<&SentFile>,
) -> Result<(Option<String>, Option<String>), DomainError> {
    let uploads = pg.s().uploads();
    let prepare = |field: &'static str, f: &SentFile, k: UploadKind| {
        uploads
            .prepare(actor.user_id, &f.file_name, &f.bytes, &[k])
            .map_err(|e| match e {
                DomainError::Invalid { message, .. } => DomainError::invalid(
                    field,
                    format!("{}：{message}", display_name(&f.file_name)),
                ),
                other => other,
            })
    };
    let media = match (media, kind.media_kind()) {
        (Some(f), Some(k)) => Some(prepare("media", f, k)?),
        _ => None,
    };
    let cover = cover
        .map(|f| prepare("cover", f, UploadKind::Image))
        .transpose()?;
    let mut ids = (None, None);
    if let Some(new) = media {
        ids.0 = Some(uploads.store(new).await?.id.to_string());
    }
    if let Some(new) = cover {
        ids.1 = Some(uploads.store(new).await?.id.to_string());
    }
    Ok(ids)
}

/// The current files of an edited resource.
struct Current {
    media: Option<Upload>,
    cover: Option<Upload>,
}

#[derive(Template)]
#[template(path = "resources/form.html", whitespace = "minimize")]
struct FormTpl {
    base: Layout,
    heading: &'static str,
    action: String,
    form: ResourceForm,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
    region_select: RegionSelect,
    orgs: Vec<Opt>,
    field: &'static str,
    /// The media input's `accept`: the chosen kind's types, or every media type.
    accept: &'static str,
    media_hint: String,
    cover_hint: String,
    /// Editing: the current files (name and size; the cover's thumbnail).
    current_media: Option<String>,
    current_cover: Option<String>,
    /// Editing a published or rejected resource sends it back to review.
    rereview: bool,
    /// Only a new resource or a draft offers "save as draft".
    draft: bool,
}

fn accept_of(kind: &str) -> &'static str {
    match ResourceKind::parse(kind)
        .ok()
        .and_then(ResourceKind::media_kind)
    {
        Some(UploadKind::Video) => "video/mp4,video/webm,.mp4,.webm",
        Some(UploadKind::Audio) => "audio/mpeg,audio/ogg,audio/wav,.mp3,.ogg,.wav",
        Some(UploadKind::Image) => "image/jpeg,image/png,image/webp,image/gif",
        Some(UploadKind::Pdf) => "application/pdf,.pdf",
        _ => {
            "video/mp4,video/webm,audio/mpeg,audio/ogg,audio/wav,image/jpeg,image/png,image/webp,image/gif,application/pdf,.mp4,.webm,.mp3,.ogg,.wav,.pdf"
        }
    }
}

/// The organizations the actor manages, to publish in their name.
async fn org_options(pg: &Pg<'_>, selected: &str) -> Vec<Opt> {
    let mut orgs = Vec::new();
    let Some(a) = pg.actor() else {
        return orgs;
    };
    for g in &a.grants {
        if let Grant::OrgAdmin(id) = g
            && let Ok(o) = pg.s().orgs().get(Some(a), OrgId(id.0)).await
        {
            orgs.push(Opt {
                value: id.0.to_string(),
                label: o.profile.name,
                selected: selected.trim() == id.0.to_string(),
            });
        }
    }
    orgs
}

fn upload_text(u: &Upload) -> String {
    format!("{}（{}）", u.original_name, size_text(u.size as usize))
}

async fn form_page(
    pg: &Pg<'_>,
    editing: Option<(i64, ModerationStatus, Current)>,
    form: ResourceForm,
    outcome: Outcome,
) -> PageResult {
    let (heading, action) = match &editing {
        Some((id, ..)) => ("res.edit", format!("/resources/{id}/edit")),
        None => ("res.new", "/resources/new".to_owned()),
    };
    let mut base = pg.layout(heading, "resources");
    let (status, field) = outcome.apply(&mut base);
    let policy = &pg.s().upload_policy;
    let limit = |k: UploadKind| size_text(policy.max_bytes(k));
    let status_now = editing.as_ref().map(|(_, s, _)| *s);
    let current = editing.map(|(.., c)| c);
    let page = FormTpl {
        heading: pg.t(heading),
        action,
        kinds: kind_options(pg, &form.kind),
        categories: category_options(pg, &form.category),
        region_select: RegionSelectSpec::required("region", "res.region")
            .hint("res.region_hint")
            .build(pg, &form.region),
        orgs: org_options(pg, &form.org_id).await,
        field,
        accept: accept_of(&form.kind),
        media_hint: pg
            .t("res.media_hint")
            .replace("{video}", &limit(UploadKind::Video))
            .replace("{audio}", &limit(UploadKind::Audio))
            .replace("{image}", &limit(UploadKind::Image))
            .replace("{pdf}", &limit(UploadKind::Pdf)),
        cover_hint: pg
            .t("res.cover_hint")
            .replace("{image}", &limit(UploadKind::Image)),
        current_media: current
            .as_ref()
            .and_then(|c| c.media.as_ref())
            .map(upload_text),
        current_cover: current
            .as_ref()
            .and_then(|c| c.cover.as_ref())
            .map(|u| file_url(&u.id, u.has_thumb)),
        rereview: status_now
            .is_some_and(|s| matches!(s, ModerationStatus::Published | ModerationStatus::Rejected)),
        draft: status_now.is_none_or(|s| s == ModerationStatus::Draft),
        form,
        base,
    };
    Ok(render(status, &page))
}

/// Validation problems, conflicts and a refused publisher go back to the form (the typed
/// values kept); anything else is its error page.
fn form_error(pg: &Pg<'_>, e: DomainError) -> Result<DomainError, PageError> {
    match e {
        DomainError::Invalid { .. } | DomainError::Conflict(_) | DomainError::Forbidden(_) => Ok(e),
        other => Err(pg.fail(other)),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let params = Params::parse(raw.as_deref());
    // A resource is usually about the publisher's own area: their region starts the form;
    // `?kind=video` preselects a kind (and its file types).
    let home = pg.s().accounts().me(actor).await.or_page(&pg)?.region;
    let form = ResourceForm {
        kind: params
            .get("kind")
            .and_then(|k| ResourceKind::parse(k).ok())
            .unwrap_or(ResourceKind::Article)
            .code()
            .to_owned(),
        region: home.map(|r| r.to_string()).unwrap_or_default(),
        ..ResourceForm::default()
    };
    form_page(&pg, None, form, Outcome::Fresh).await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, sent: ResourceParts) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let form = ResourceForm::read(&sent);
    let submit = form.action != "draft";
    let created = async {
        let media = sent.media.as_ref();
        let cover = sent.cover.as_ref();
        let checked = form.input(file_ref(media, None), file_ref(cover, None))?;
        precheck(&pg, actor, &checked).await?;
        let kind = ResourceKind::parse(&form.kind)?;
        let (media, cover) = store_files(&pg, actor, kind, media, cover).await?;
        let input = form.input(media, cover)?;
        pg.s().resources().create(actor, &input, submit).await
    };
    match created.await {
        Ok(id) => {
            let done = if submit { "submitted" } else { "created" };
            Ok(see_other(&format!("/resources/{id}?done={done}")))
        }
        Err(e) => {
            let e = form_error(&pg, e)?;
            form_page(&pg, None, form, Outcome::Failed(e)).await
        }
    }
}

fn resource_id(pg: &Pg<'_>, raw: &str) -> Result<ResourceId, PageError> {
    parse_id(pg, raw).map(PostingId::new)
}

/// The owner's resource with its files, or the 403 page.
async fn owned(pg: &Pg<'_>, actor: &Actor, id: ResourceId) -> Result<ResourceView, PageError> {
    let v = pg.s().resources().get(Some(actor), id).await.or_page(pg)?;
    if v.resource.meta.owner != actor.user_id {
        return Err(pg.fail(DomainError::Forbidden(pg.t("res.not_owner").into())));
    }
    Ok(v)
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = resource_id(&pg, &raw)?;
    let v = owned(&pg, actor, id).await?;
    let form = ResourceForm::of(&v.resource);
    let current = Current {
        media: v.media,
        cover: v.cover,
    };
    let editing = Some((id.0, v.resource.meta.status, current));
    form_page(&pg, editing, form, Outcome::Fresh).await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    sent: ResourceParts,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = resource_id(&pg, &raw)?;
    let v = owned(&pg, actor, id).await?;
    let status = v.resource.meta.status;
    let form = ResourceForm::read(&sent);
    let old = &v.resource.draft;
    let saved = async {
        let kind = ResourceKind::parse(&form.kind)?;
        let media = sent.media.as_ref();
        let cover = sent.cover.as_ref();
        // Without a new file the current one stays (an article has none: a kind changed to
        // article drops it); the cover stays unless removed.
        let kept_media = old
            .media
            .as_ref()
            .filter(|_| kind != ResourceKind::Article)
            .map(ToString::to_string);
        let kept_cover = old
            .cover
            .as_ref()
            .filter(|_| !form.drop_cover)
            .map(ToString::to_string);
        let checked = form.input(
            file_ref(media, kept_media.clone()),
            file_ref(cover, kept_cover.clone()),
        )?;
        precheck(&pg, actor, &checked).await?;
        let (new_media, new_cover) = store_files(&pg, actor, kind, media, cover).await?;
        let input = form.input(new_media.or(kept_media), new_cover.or(kept_cover))?;
        let s = pg.s();
        s.resources().edit(actor, id, &input).await?;
        if form.action == "submit" && status == ModerationStatus::Draft {
            s.postings()
                .submit_posting(actor, PostingKind::Resource, id.0)
                .await?;
        }
        Ok::<(), DomainError>(())
    };
    match saved.await {
        Ok(()) => Ok(see_other(&format!("/resources/{id}?done=saved"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            let current = Current {
                media: v.media,
                cover: v.cover,
            };
            form_page(&pg, Some((id.0, status, current)), form, Outcome::Failed(e)).await
        }
    }
}

/// The content of a resource with a file: how the page shows it.
pub struct MediaView {
    pub url: String,
    pub mime: String,
    pub name: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "resources/page.html", whitespace = "minimize")]
struct PageTpl {
    base: Layout,
    id: i64,
    title: String,
    kind: &'static str,
    kind_label: &'static str,
    category: &'static str,
    region: String,
    publisher: String,
    date: String,
    views: i64,
    summary: String,
    /// An article's HTML, sanitized when it was written (the only raw insertion).
    body: String,
    media: Option<MediaView>,
    cover: Option<String>,
    tags: Vec<String>,
    status: &'static str,
    badge: Option<&'static str>,
    reject_reason: Option<String>,
    owner: bool,
    can_edit: bool,
    can_submit: bool,
    can_close: bool,
    moderate: Option<ModerateForms>,
    /// The 科普e站 screens whose program holds it: name, place, region.
    screens: Vec<(String, String, String)>,
    /// The verified sharing bases that use it: org id, name, region.
    bases: Vec<(i64, String, String)>,
}

fn done_outcome(pg: &Pg<'_>, q: Option<&str>) -> Outcome {
    let key = match Params::parse(q).get("done") {
        Some("created") => "res.done.created",
        Some("saved") => "res.done.saved",
        Some("submitted") => "res.done.submitted",
        Some("closed") => "res.done.closed",
        _ => return Outcome::Fresh,
    };
    Outcome::Saved(pg.t(key).into())
}

/// The resource page; `visitor` counts a view (a page shown again after a failed action
/// does not count twice).
async fn resource_page(
    pg: &Pg<'_>,
    id: ResourceId,
    outcome: Outcome,
    visitor: Option<Visitor>,
) -> PageResult {
    let actor = pg.actor();
    let ResourceView {
        resource,
        views,
        media,
        cover,
    } = pg.s().resources().get(actor, id).await.or_page(pg)?;
    // The counts shown are the flushed ones: this view is added so the visitor sees it.
    let counted = visitor.is_some_and(|v| v.count(pg.state, &resource));
    let owner = actor.is_some_and(|a| a.user_id == resource.meta.owner);
    let status = resource.meta.status;
    let region = resource.draft.region;
    let moderate = (status == ModerationStatus::Pending
        && actor.is_some_and(|a| a.administers(region)))
    .then(|| ModerateForms::new(pg, "resource", id.0));
    let screens = if status == ModerationStatus::Published {
        pg.s().estations().playing(id).await.or_page(pg)?
    } else {
        Vec::new()
    };
    let bases = if status == ModerationStatus::Published {
        pg.s().bases().using(id).await.or_page(pg)?
    } else {
        Vec::new()
    };
    let mut base = pg.layout_titled(resource.draft.title.clone(), "resources");
    let (code, _) = outcome.apply(&mut base);
    let date = date_of(&resource);
    let d = resource.draft;
    let page = PageTpl {
        id: id.0,
        kind: d.kind.code(),
        kind_label: kind_label(pg, d.kind),
        category: category_label(pg, d.category),
        region: pg.region_name(region),
        publisher: resource.meta.owner_name,
        date,
        views: views + i64::from(counted),
        media: media.map(|u| MediaView {
            url: file_url(&u.id, false),
            size: size_text(u.size as usize),
            name: u.original_name,
            mime: u.mime,
        }),
        cover: cover.map(|u| file_url(&u.id, false)),
        status: status.as_str(),
        badge: badge(pg, status),
        reject_reason: if owner {
            resource.meta.reject_reason
        } else {
            None
        },
        owner,
        can_edit: owner && status != ModerationStatus::Closed,
        can_submit: owner && matches!(status, ModerationStatus::Draft | ModerationStatus::Rejected),
        can_close: owner && status != ModerationStatus::Closed,
        moderate,
        screens: screens
            .into_iter()
            .map(|e| (e.name, e.place, pg.region_name(e.region)))
            .collect(),
        bases: bases
            .into_iter()
            .map(|b| (b.org.0, b.name, pg.region_name(b.region)))
            .collect(),
        title: d.title,
        summary: d.summary,
        body: d.body,
        tags: d.tags,
        base,
    };
    Ok(render(code, &page))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    visitor: Visitor,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = resource_id(&pg, &raw)?;
    let outcome = done_outcome(&pg, q.as_deref());
    resource_page(&pg, id, outcome, Some(visitor)).await
}

/// After an owner's action: back to the page with a notice, or the page with the error.
async fn after(
    pg: &Pg<'_>,
    id: ResourceId,
    result: Result<(), DomainError>,
    done: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/resources/{id}?done={done}"))),
        Err(e) => {
            let e = super::common::form_error(pg, e)?;
            resource_page(pg, id, Outcome::Failed(e), None).await
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
    let id = resource_id(&pg, &raw)?;
    let r = pg
        .s()
        .postings()
        .submit_posting(actor, PostingKind::Resource, id.0)
        .await
        .map(drop);
    after(&pg, id, r, "submitted").await
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = resource_id(&pg, &raw)?;
    // The publisher closing a resource withdraws it.
    let r = pg
        .s()
        .postings()
        .close_posting(actor, PostingKind::Resource, id.0, "withdrawn")
        .await;
    after(&pg, id, r, "closed").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_characters() {
        assert_eq!(excerpt("柑橘冬季修剪", 4), "柑橘冬季…");
        assert_eq!(excerpt("柑橘", 4), "柑橘");
    }

    #[test]
    fn a_sent_file_stands_in_until_stored() {
        let f = SentFile {
            field: "media".into(),
            file_name: "clip-1.mp4".into(),
            bytes: vec![1],
        };
        assert_eq!(file_ref(Some(&f), None).as_deref(), Some(PENDING_FILE));
        assert_eq!(file_ref(None, Some("x".into())).as_deref(), Some("x"));
        assert!(kejiyun_core::uploads::UploadId::parse(PENDING_FILE).is_some());
    }
}
