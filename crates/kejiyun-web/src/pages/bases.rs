//! 科普共享基地 pages: `/bases` (verified bases by region), a base's page (its profile with the
//! contact phone masked to the public, its visit slots with the places left, the group booking
//! form for logged-in users, its photos and the published resources it uses),
//! `/bases/{id}/manage` for the base's admins (edit the profile, the photos — multipart — and
//! the resources, open a slot, confirm or decline bookings) and `/me/base-bookings` (the
//! caller's bookings, with cancel).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::bases::{
    BaseProfileInput, BaseType, Booking, BookingInput, BookingStatus, MAX_BASE_PHOTOS, SlotInput,
};
use kejiyun_core::ids::{BaseBookingId, BaseSlotId, OrgId};
use kejiyun_core::popsci::Resource;
use kejiyun_core::uploads::Upload;
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, opt, parse_id, render,
    see_other,
};
use super::multipart::{self, CsrfMultipart};
use super::photos::PhotoView;
use super::status_page;
use super::tech_workers::Filters;
use super::widgets::{Opt, RegionSelect};
use crate::AppState;
use crate::api::uploads::file_url;
use crate::session::{CsrfForm, Ctx, EmptyForm, FormRejection};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bases", get(list))
        .route("/bases/{id}", get(page))
        .route("/bases/{id}/slots/{slot}/book", post(book))
        .route("/bases/{id}/manage", get(manage))
        .route("/bases/{id}/profile", post(save_profile))
        // The global body limit is smaller than nine photos: `BasePhotoForm` is the limit here.
        .route(
            "/bases/{id}/photos",
            post(save_photos).layer(DefaultBodyLimit::disable()),
        )
        .route("/bases/{id}/resources", post(save_resources))
        .route("/bases/{id}/slots", post(open_slot))
        .route("/base-bookings/{id}/decision", post(decide))
        .route("/base-bookings/{id}/cancel", post(cancel))
        .route("/me/base-bookings", get(mine))
}

fn type_label(pg: &Pg<'_>, t: BaseType) -> &'static str {
    pg.t(&format!("base.type.{}", t.code()))
}

fn status_label(pg: &Pg<'_>, s: BookingStatus) -> &'static str {
    pg.t(&format!("base.status.{}", s.code()))
}

/// One base in the list.
pub struct BaseCard {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub kind: &'static str,
    pub address: String,
    pub open_hours: String,
}

#[derive(Template)]
#[template(path = "bases/list.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    region_select: RegionSelect,
    cards: Vec<BaseCard>,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(raw.as_deref());
    let f = Filters::read(&params);
    let bases = pg.s().bases().list(f.region).await.or_page(&pg)?;
    let cards = bases
        .into_iter()
        .map(|b| BaseCard {
            id: b.org.0,
            region: pg.region_name(b.region),
            kind: b
                .profile
                .as_ref()
                .map_or("", |p| type_label(&pg, p.base_type)),
            address: b
                .profile
                .as_ref()
                .map(|p| p.address.clone())
                .unwrap_or_default(),
            open_hours: b
                .profile
                .as_ref()
                .map(|p| p.open_hours.clone())
                .unwrap_or_default(),
            name: b.name,
        })
        .collect();
    let mut base = pg.layout("base.list", "bases");
    base.error = f.error.clone();
    ok(&ListTpl {
        region_select: f.region_select(&pg),
        cards,
        base,
    })
}

/// A slot as the pages show it.
pub struct SlotView {
    pub id: i64,
    pub when: String,
    pub capacity: u32,
    pub places_left: u32,
}

/// A linked resource as the pages show it.
pub struct ResourceLink {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
}

fn resource_link(pg: &Pg<'_>, r: &Resource) -> ResourceLink {
    ResourceLink {
        id: r.id.0,
        title: r.draft.title.clone(),
        kind: pg.t(&format!("res.kind.{}", r.draft.kind.code())),
    }
}

fn photo_view(u: &Upload) -> PhotoView {
    PhotoView {
        href: file_url(&u.id, false),
        thumb: file_url(&u.id, u.has_thumb),
    }
}

/// The booking form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookingForm {
    group_name: String,
    group_size: String,
    contact_phone: String,
    note: String,
}

#[derive(Template)]
#[template(path = "bases/page.html", whitespace = "minimize")]
struct PageTpl {
    base: Layout,
    id: i64,
    name: String,
    region: String,
    has_profile: bool,
    kind: &'static str,
    address: String,
    open_hours: String,
    contact_name: String,
    contact_phone: String,
    intro: String,
    slots: Vec<SlotView>,
    photos: Vec<PhotoView>,
    resources: Vec<ResourceLink>,
    manager: bool,
    logged_in: bool,
    form: BookingForm,
    /// The slot the form was sent for (0: none).
    form_slot: i64,
    field: &'static str,
}

fn base_id(pg: &Pg<'_>, raw: &str) -> Result<OrgId, super::common::PageError> {
    Ok(OrgId(parse_id(pg, raw)?))
}

async fn base_page(
    pg: &Pg<'_>,
    org: OrgId,
    form: BookingForm,
    form_slot: i64,
    outcome: Outcome,
) -> PageResult {
    let view = pg.s().bases().get(org).await.or_page(pg)?;
    let manager = pg.s().bases().manages(pg.actor(), org).await.or_page(pg)?;
    let mut base = pg.layout_titled(view.base.name.clone(), "bases");
    let (status, field) = outcome.apply(&mut base);
    let p = view.base.profile;
    let slots = view
        .slots
        .iter()
        .map(|s| SlotView {
            id: s.id.0,
            when: format!(
                "{} – {}",
                s.starts_at.to_shanghai_display(),
                s.ends_at.to_shanghai_display()
            ),
            capacity: s.capacity,
            places_left: s.places_left(),
        })
        .collect();
    let page = PageTpl {
        id: org.0,
        region: pg.region_name(view.base.region),
        has_profile: p.is_some(),
        kind: p.as_ref().map_or("", |p| type_label(pg, p.base_type)),
        address: p.as_ref().map(|p| p.address.clone()).unwrap_or_default(),
        open_hours: p.as_ref().map(|p| p.open_hours.clone()).unwrap_or_default(),
        contact_name: p
            .as_ref()
            .map(|p| p.contact_name.clone())
            .unwrap_or_default(),
        // Masked to everyone but the base's and its region's admins.
        contact_phone: p
            .as_ref()
            .map(|p| {
                if manager {
                    p.contact_phone.as_str().to_owned()
                } else {
                    p.contact_phone.masked()
                }
            })
            .unwrap_or_default(),
        intro: p.and_then(|p| p.intro).unwrap_or_default(),
        slots,
        photos: view.photos.iter().map(photo_view).collect(),
        resources: view
            .resources
            .iter()
            .map(|r| resource_link(pg, r))
            .collect(),
        manager,
        logged_in: pg.actor().is_some(),
        name: view.base.name,
        form,
        form_slot,
        field,
        base,
    };
    Ok(render(status, &page))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let org = base_id(&pg, &raw)?;
    let outcome = match Params::parse(q.as_deref()).get("done") {
        Some("booked") => Outcome::Saved(pg.t("base.done.booked").into()),
        _ => Outcome::Fresh,
    };
    base_page(&pg, org, BookingForm::default(), 0, outcome).await
}

fn number(field: &'static str, raw: &str, message: &str) -> Result<u32, DomainError> {
    raw.trim()
        .parse()
        .map_err(|_| DomainError::invalid(field, message))
}

pub async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    CsrfForm(form): CsrfForm<BookingForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let org = base_id(&pg, &raw.0)?;
    let slot = BaseSlotId(parse_id(&pg, &raw.1)?);
    let r = match number("group_size", &form.group_size, "团体人数应为整数") {
        Ok(group_size) => {
            let input = BookingInput {
                group_name: form.group_name.clone(),
                group_size,
                contact_phone: form.contact_phone.clone(),
                note: opt(&form.note),
            };
            pg.s().bases().book(actor, org, slot, &input).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/bases/{org}?done=booked"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            base_page(&pg, org, form, slot.0, Outcome::Failed(e)).await
        }
    }
}

/// The profile form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    base_type: String,
    address: String,
    open_hours: String,
    contact_name: String,
    contact_phone: String,
    intro: String,
}

/// The slot form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SlotForm {
    starts_at: String,
    ends_at: String,
    capacity: String,
}

/// A booking as the lists show it.
pub struct BookingView {
    pub id: i64,
    pub base_id: i64,
    pub base_name: String,
    pub when: String,
    pub booker: String,
    pub group_name: String,
    pub group_size: u32,
    pub contact_phone: String,
    pub note: String,
    pub status: &'static str,
    pub pending: bool,
    /// The booker may still cancel it.
    pub cancellable: bool,
    pub reason: String,
}

fn booking_view(pg: &Pg<'_>, b: Booking) -> BookingView {
    let now = pg.s().now();
    BookingView {
        id: b.id.0,
        base_id: b.org.0,
        when: format!(
            "{} – {}",
            b.slot_starts_at.to_shanghai_display(),
            b.slot_ends_at.to_shanghai_display()
        ),
        group_size: b.group_size,
        contact_phone: b.contact_phone.as_str().to_owned(),
        status: status_label(pg, b.status),
        pending: b.status == BookingStatus::Pending,
        cancellable: b.status.holds_places() && now < b.slot_starts_at,
        base_name: b.base_name,
        booker: b.booker_name,
        group_name: b.group_name,
        note: b.note.unwrap_or_default(),
        reason: b.reason.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "bases/manage.html", whitespace = "minimize")]
struct ManageTpl {
    base: Layout,
    id: i64,
    name: String,
    types: Vec<Opt>,
    profile: ProfileForm,
    slot: SlotForm,
    slots: Vec<SlotView>,
    bookings: Vec<BookingView>,
    /// The photos shown now: upload id and thumbnail.
    photos: Vec<(String, PhotoView)>,
    photos_hint: String,
    /// The resources linked now.
    resources: Vec<ResourceLink>,
    /// Published resources not linked yet, to choose from.
    resource_options: Vec<Opt>,
    field: &'static str,
}

/// Published resources (the newest hundred) not linked to the base yet, as `<option>`s.
async fn resource_options(pg: &Pg<'_>, linked: &[ResourceLink]) -> Result<Vec<Opt>, DomainError> {
    let mut options = super::resource_choice::newest_published(pg).await?;
    options.retain(|o| !linked.iter().any(|l| l.id.to_string() == o.value));
    Ok(options)
}

async fn manage_page(
    pg: &Pg<'_>,
    org: OrgId,
    profile: Option<ProfileForm>,
    slot: SlotForm,
    outcome: Outcome,
) -> PageResult {
    let actor = pg.require_login()?;
    let bookings = pg.s().bases().bookings(actor, org).await.or_page(pg)?;
    let view = pg.s().bases().get(org).await.or_page(pg)?;
    let profile = profile.unwrap_or_else(|| match &view.base.profile {
        Some(p) => ProfileForm {
            base_type: p.base_type.code().into(),
            address: p.address.clone(),
            open_hours: p.open_hours.clone(),
            contact_name: p.contact_name.clone(),
            contact_phone: p.contact_phone.as_str().into(),
            intro: p.intro.clone().unwrap_or_default(),
        },
        None => ProfileForm::default(),
    });
    let mut base = pg.layout_titled(
        format!("{} · {}", view.base.name, pg.t("base.manage")),
        "bases",
    );
    let (status, field) = outcome.apply(&mut base);
    let types = BaseType::ALL
        .into_iter()
        .map(|t| Opt {
            value: t.code().into(),
            label: type_label(pg, t).into(),
            selected: profile.base_type == t.code(),
        })
        .collect();
    let slots = view
        .slots
        .iter()
        .map(|s| SlotView {
            id: s.id.0,
            when: format!(
                "{} – {}",
                s.starts_at.to_shanghai_display(),
                s.ends_at.to_shanghai_display()
            ),
            capacity: s.capacity,
            places_left: s.places_left(),
        })
        .collect();
    let resources: Vec<ResourceLink> = view
        .resources
        .iter()
        .map(|r| resource_link(pg, r))
        .collect();
    let resource_options = resource_options(pg, &resources).await.or_page(pg)?;
    let mb = pg.s().upload_policy.image_max_bytes / (1024 * 1024);
    let page = ManageTpl {
        id: org.0,
        name: view.base.name,
        types,
        profile,
        slot,
        slots,
        bookings: bookings.into_iter().map(|b| booking_view(pg, b)).collect(),
        photos: view
            .photos
            .iter()
            .map(|u| (u.id.to_string(), photo_view(u)))
            .collect(),
        photos_hint: format!("{}（≤ {mb} MB）", pg.t("base.photos_hint")),
        resources,
        resource_options,
        field,
        base,
    };
    Ok(render(status, &page))
}

pub async fn manage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let org = base_id(&pg, &raw)?;
    let outcome = match Params::parse(q.as_deref()).get("done") {
        Some("saved") => Outcome::Saved(pg.t("form.saved").into()),
        Some("slot") => Outcome::Saved(pg.t("base.done.slot").into()),
        Some("decided") => Outcome::Saved(pg.t("base.done.decided").into()),
        Some("photos") => Outcome::Saved(pg.t("base.done.photos").into()),
        Some("resources") => Outcome::Saved(pg.t("base.done.resources").into()),
        _ => Outcome::Fresh,
    };
    manage_page(&pg, org, None, SlotForm::default(), outcome).await
}

pub async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let org = base_id(&pg, &raw)?;
    let input = BaseProfileInput {
        base_type: form.base_type.clone(),
        address: form.address.clone(),
        open_hours: form.open_hours.clone(),
        contact_name: form.contact_name.clone(),
        contact_phone: form.contact_phone.clone(),
        intro: opt(&form.intro),
    };
    match pg.s().bases().save_profile(actor, org, &input).await {
        Ok(_) => Ok(see_other(&format!("/bases/{org}/manage?done=saved"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            manage_page(
                &pg,
                org,
                Some(form),
                SlotForm::default(),
                Outcome::Failed(e),
            )
            .await
        }
    }
}

pub async fn open_slot(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<SlotForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let org = base_id(&pg, &raw)?;
    let r = match number("capacity", &form.capacity, "可接待人数应为整数") {
        Ok(capacity) => {
            let input = SlotInput {
                starts_at: form.starts_at.clone(),
                ends_at: form.ends_at.clone(),
                capacity,
            };
            pg.s().bases().open_slot(actor, org, &input).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/bases/{org}/manage?done=slot"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            manage_page(&pg, org, None, form, Outcome::Failed(e)).await
        }
    }
}

/// The photo form: `keep` (repeated: the upload ids kept, in order) and new `photos` files,
/// read with its CSRF check within the image limit of the upload engine.
pub struct BasePhotoForm(CsrfMultipart);

impl FromRequest<AppState> for BasePhotoForm {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        // Only a logged-in visitor may send photos: a visitor's body is refused unread.
        if let Some(ctx) = req.extensions().get::<Ctx>()
            && ctx.session.is_none()
        {
            let page = status_page(
                state,
                ctx,
                StatusCode::UNAUTHORIZED,
                Some("请先登录".into()),
            );
            return Err(FormRejection(page));
        }
        let per_file = state.services.upload_policy.image_max_bytes;
        // One file more than allowed still fits, so that the count is refused with its own
        // message rather than as an oversize body.
        let all = per_file.saturating_mul(MAX_BASE_PHOTOS + 1);
        multipart::read(req, state, per_file, all).await.map(Self)
    }
}

pub async fn save_photos(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    sent: BasePhotoForm,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let org = base_id(&pg, &raw)?;
    let keep: Vec<String> = sent
        .0
        .fields
        .iter()
        .filter(|(k, _)| k == "keep")
        .map(|(_, v)| v.clone())
        .collect();
    let files: Vec<(&str, &[u8])> = sent
        .0
        .files
        .iter()
        .map(|f| (f.file_name.as_str(), f.bytes.as_slice()))
        .collect();
    match pg.s().bases().add_photos(actor, org, &keep, &files).await {
        Ok(_) => Ok(see_other(&format!("/bases/{org}/manage?done=photos"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            manage_page(&pg, org, None, SlotForm::default(), Outcome::Failed(e)).await
        }
    }
}

/// The resource ids of the resource form, in order: the linked ones kept and those chosen
/// (repeated `resource`), then those typed in `ids` (separated by commas, spaces or 、); one
/// sent twice counts once.
fn resource_ids(pairs: &[(String, String)]) -> Result<Vec<i64>, DomainError> {
    let chosen = pairs
        .iter()
        .filter(|(k, _)| k == "resource")
        .map(|(_, v)| v.as_str());
    let typed = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .flat_map(|(_, v)| v.split([',', '，', '、', ' ', '\n']));
    let mut out = Vec::new();
    for raw in chosen.chain(typed).map(str::trim).filter(|r| !r.is_empty()) {
        let id: i64 = raw.trim_start_matches('#').parse().map_err(|_| {
            DomainError::invalid("resource_ids", format!("科普资源编号 {raw} 不正确"))
        })?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

pub async fn save_resources(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let org = base_id(&pg, &raw)?;
    let r = match resource_ids(&pairs) {
        Ok(ids) => pg.s().bases().set_resources(actor, org, &ids).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/bases/{org}/manage?done=resources"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            manage_page(&pg, org, None, SlotForm::default(), Outcome::Failed(e)).await
        }
    }
}

/// The decision form's fields: `confirm` is "1" to confirm, anything else declines.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    confirm: String,
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = BaseBookingId(parse_id(&pg, &raw)?);
    let bases = pg.s().bases();
    let confirm = form.confirm == "1";
    let reason = opt(&form.reason);
    match bases.decide(actor, id, confirm, reason.as_deref()).await {
        Ok(b) => Ok(see_other(&format!("/bases/{}/manage?done=decided", b.org))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            // Back to the base's manage page, with the reason in Chinese.
            let org = bases.base_of_booking(id).await.or_page(&pg)?;
            manage_page(&pg, org, None, SlotForm::default(), Outcome::Failed(e)).await
        }
    }
}

#[derive(Template)]
#[template(path = "bases/mine.html", whitespace = "minimize")]
struct MineTpl {
    base: Layout,
    bookings: Vec<BookingView>,
}

async fn mine_page(pg: &Pg<'_>, outcome: Outcome) -> PageResult {
    let actor = pg.require_login()?;
    let bookings = pg.s().bases().mine(actor).await.or_page(pg)?;
    let mut base = pg.layout("base.mine", "bases");
    let (status, _) = outcome.apply(&mut base);
    let page = MineTpl {
        bookings: bookings.into_iter().map(|b| booking_view(pg, b)).collect(),
        base,
    };
    Ok(render(status, &page))
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let outcome = match Params::parse(q.as_deref()).get("done") {
        Some("cancelled") => Outcome::Saved(pg.t("base.done.cancelled").into()),
        _ => Outcome::Fresh,
    };
    mine_page(&pg, outcome).await
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = BaseBookingId(parse_id(&pg, &raw)?);
    match pg.s().bases().cancel(actor, id).await {
        Ok(_) => Ok(see_other("/me/base-bookings?done=cancelled")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            mine_page(&pg, Outcome::Failed(e)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn bases_resource_form_keeps_order_and_counts_each_once() {
        let sent = pairs(&[("resource", "3"), ("resource", "1"), ("ids", "7，3、 #9")]);
        assert_eq!(resource_ids(&sent), Ok(vec![3, 1, 7, 9]));
        assert_eq!(resource_ids(&pairs(&[("ids", "")])), Ok(vec![]));
        assert!(resource_ids(&pairs(&[("ids", "abc")])).is_err());
    }
}
