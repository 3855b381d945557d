//! 科普共享基地 pages: `/bases` (verified bases by region), a base's page (its profile with the
//! contact phone masked to the public, its visit slots with the places left, the group booking
//! form for logged-in users), `/bases/{id}/manage` for the base's admins (edit the profile, open
//! a slot, confirm or decline bookings) and `/me/base-bookings` (the caller's bookings, with
//! cancel).

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::bases::{
    BaseProfileInput, BaseType, Booking, BookingInput, BookingStatus, SlotInput,
};
use kejiyun_core::ids::{BaseBookingId, BaseSlotId, OrgId};
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, opt, parse_id, render,
    see_other,
};
use super::tech_workers::Filters;
use super::widgets::{Opt, RegionSelect};
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bases", get(list))
        .route("/bases/{id}", get(page))
        .route("/bases/{id}/slots/{slot}/book", post(book))
        .route("/bases/{id}/manage", get(manage))
        .route("/bases/{id}/profile", post(save_profile))
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
    field: &'static str,
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
    let page = ManageTpl {
        id: org.0,
        name: view.base.name,
        types,
        profile,
        slot,
        slots,
        bookings: bookings.into_iter().map(|b| booking_view(pg, b)).collect(),
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
