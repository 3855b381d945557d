//! `/api/v1/bases`: popular-science sharing bases (科普共享基地) — verified organizations of the
//! kind `base` — with their profile, visit slots and group bookings (团体预约). The contact
//! phone is masked except to the base's admins and its region's admins. A base shows up to
//! nine photos and up to thirty published popular-science resources it uses, which its admins
//! set by `PUT …/photos` (ids from `POST /api/v1/uploads`) and `PUT …/resources`.

use axum::extract::State;
use axum::http::StatusCode;
use kejiyun_core::app::Services;
use kejiyun_core::bases::{
    Base, BaseProfile, BaseProfileInput, BaseRef, Booking, BookingInput, Slot, SlotInput,
};
use kejiyun_core::ids::{BaseBookingId, BaseSlotId, OrgId};
use kejiyun_core::popsci::Resource;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::uploads::Upload;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{CreatedId, RegionRef};
use super::market::dto::{Vocab, ts};
use super::uploads::file_url;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::{ApiUser, Ctx};

/// A base's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaseProfileDto {
    /// `venue`, `base`, `enterprise`, `school` or `other`.
    pub base_type: String,
    /// 场馆, 基地, 企业, 学校 or 其他.
    pub base_type_label: String,
    pub address: String,
    pub open_hours: String,
    pub contact_name: String,
    /// Masked (`138****8000`) except to the base's admins and its region's admins.
    pub contact_phone: String,
    pub intro: Option<String>,
}

impl BaseProfileDto {
    pub fn new(p: BaseProfile, full_phone: bool) -> Self {
        Self {
            base_type: p.base_type.code().into(),
            base_type_label: p.base_type.label_zh().into(),
            contact_phone: if full_phone {
                p.contact_phone.as_str().to_owned()
            } else {
                p.contact_phone.masked()
            },
            address: p.address,
            open_hours: p.open_hours,
            contact_name: p.contact_name,
            intro: p.intro,
        }
    }
}

/// A verified base with its profile (null until its admin writes one).
#[derive(Debug, Serialize, ToSchema)]
pub struct BaseDto {
    pub org_id: i64,
    pub name: String,
    pub region: RegionRef,
    pub profile: Option<BaseProfileDto>,
}

impl BaseDto {
    fn new(s: &Services, b: Base, full_phone: bool) -> Self {
        Self {
            org_id: b.org.0,
            region: RegionRef::new(s, b.region),
            profile: b.profile.map(|p| BaseProfileDto::new(p, full_phone)),
            name: b.name,
        }
    }
}

/// A visit slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotDto {
    pub id: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: u32,
    pub booked: u32,
    pub places_left: u32,
}

impl From<&Slot> for SlotDto {
    fn from(s: &Slot) -> Self {
        Self {
            id: s.id.0,
            starts_at: ts(s.starts_at),
            ends_at: ts(s.ends_at),
            capacity: s.capacity,
            booked: s.booked,
            places_left: s.places_left(),
        }
    }
}

/// A base's photo.
#[derive(Debug, Serialize, ToSchema)]
pub struct BasePhotoDto {
    /// The upload's id.
    pub id: String,
    /// The full image.
    #[schema(example = "/files/0123456789abcdef0123456789abcdef")]
    pub url: String,
    /// Its thumbnail.
    pub thumb_url: String,
}

impl From<&Upload> for BasePhotoDto {
    fn from(u: &Upload) -> Self {
        Self {
            id: u.id.to_string(),
            url: file_url(&u.id, false),
            thumb_url: file_url(&u.id, u.has_thumb),
        }
    }
}

/// A published popular-science resource the base uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaseResourceDto {
    pub id: i64,
    pub title: String,
    /// `article`, `video`, `image`, `audio` or `document`.
    pub kind: Vocab,
    #[schema(example = "/resources/12")]
    pub url: String,
}

impl From<&Resource> for BaseResourceDto {
    fn from(r: &Resource) -> Self {
        Self {
            id: r.id.0,
            title: r.draft.title.clone(),
            kind: Vocab::new(r.draft.kind.code(), r.draft.kind.label_zh()),
            url: format!("/resources/{}", r.id.0),
        }
    }
}

/// A verified base that uses a resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaseRefDto {
    pub org_id: i64,
    pub name: String,
    pub region: RegionRef,
    #[schema(example = "/bases/7")]
    pub url: String,
}

impl BaseRefDto {
    pub fn new(s: &Services, b: BaseRef) -> Self {
        Self {
            org_id: b.org.0,
            region: RegionRef::new(s, b.region),
            url: format!("/bases/{}", b.org.0),
            name: b.name,
        }
    }
}

/// A base's page: its profile, the slots that have not ended (soonest first), its photos and
/// the published resources it uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaseDetailDto {
    pub base: BaseDto,
    pub slots: Vec<SlotDto>,
    /// In their order, at most nine.
    pub photos: Vec<BasePhotoDto>,
    /// In their order, at most thirty; one withdrawn since is left out.
    pub resources: Vec<BaseResourceDto>,
}

/// A group booking (团体预约).
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingDto {
    pub id: i64,
    pub org_id: i64,
    pub base_name: String,
    pub slot_id: i64,
    pub slot_starts_at: String,
    pub slot_ends_at: String,
    pub booker_id: i64,
    pub booker_name: String,
    pub group_name: String,
    pub group_size: u32,
    /// In full: bookings are shown only to their booker and the base's admins.
    pub contact_phone: String,
    pub note: Option<String>,
    /// `pending`, `confirmed`, `declined` or `cancelled`.
    pub status: String,
    /// 待确认, 已确认, 已婉拒 or 已取消.
    pub status_label: String,
    /// Why it was declined.
    pub reason: Option<String>,
    pub created_at: String,
    pub decided_at: Option<String>,
}

impl From<Booking> for BookingDto {
    fn from(b: Booking) -> Self {
        Self {
            id: b.id.0,
            org_id: b.org.0,
            slot_id: b.slot.0,
            slot_starts_at: ts(b.slot_starts_at),
            slot_ends_at: ts(b.slot_ends_at),
            booker_id: b.booker.0,
            group_size: b.group_size,
            contact_phone: b.contact_phone.as_str().to_owned(),
            status: b.status.code().into(),
            status_label: b.status.label_zh().into(),
            created_at: ts(b.created_at),
            decided_at: b.decided_at.map(ts),
            base_name: b.base_name,
            booker_name: b.booker_name,
            group_name: b.group_name,
            note: b.note,
            reason: b.reason,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BaseParams {
    /// In this region's subtree (six digits; default: the whole platform).
    pub region: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// `venue`, `base`, `enterprise`, `school` or `other`.
    #[schema(example = "venue")]
    pub base_type: String,
    #[schema(example = "成都市青羊区人民中路一段 16 号")]
    pub address: String,
    #[schema(example = "周二至周日 9:00–17:00")]
    pub open_hours: String,
    #[schema(example = "王老师")]
    pub contact_name: String,
    /// 11-digit mobile number.
    #[schema(example = "13800138000")]
    pub contact_phone: String,
    /// Up to 1000 characters.
    pub intro: Option<String>,
}

impl From<ProfileRequest> for BaseProfileInput {
    fn from(r: ProfileRequest) -> Self {
        Self {
            base_type: r.base_type,
            address: r.address,
            open_hours: r.open_hours,
            contact_name: r.contact_name,
            contact_phone: r.contact_phone,
            intro: r.intro,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotRequest {
    /// RFC 3339, or Beijing time `2026-12-10 09:00`; after now.
    #[schema(example = "2026-12-10 09:00")]
    pub starts_at: String,
    #[schema(example = "2026-12-10 11:30")]
    pub ends_at: String,
    /// People, 1–2000.
    #[schema(example = 50)]
    pub capacity: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    #[schema(example = "邻水县实验小学五年级")]
    pub group_name: String,
    /// 1 to the slot's capacity; refused (409) beyond the places left.
    #[schema(example = 40)]
    pub group_size: u32,
    #[schema(example = "13900139000")]
    pub contact_phone: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `true` confirms; `false` declines (a reason is needed).
    pub confirm: bool,
    pub reason: Option<String>,
}

/// 科普共享基地列表
///
/// Verified popular-science sharing bases in a region's subtree, with their profiles (the
/// contact phone masked), by name.
#[utoipa::path(get, path = "/api/v1/bases", tag = "bases", operation_id = "list_bases",
    params(BaseParams),
    responses(
        (status = 200, description = "Bases", body = Vec<BaseDto>),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<BaseParams>,
) -> ApiResult<ApiJson<Vec<BaseDto>>> {
    let region = match p.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(RegionCode::parse(r).map_err(ApiError::from)?),
        None => None,
    };
    let s = &state.services;
    let list = s.bases().list(region).await?;
    Ok(ApiJson(
        list.into_iter()
            .map(|b| BaseDto::new(s, b, false))
            .collect(),
    ))
}

/// 科普共享基地详情
///
/// A base's profile and its visit slots that have not ended, soonest first, with the places
/// left. The contact phone is in full for the base's and its region's admins only.
#[utoipa::path(get, path = "/api/v1/bases/{org_id}", tag = "bases", operation_id = "get_base",
    params(("org_id" = i64, Path)),
    responses(
        (status = 200, description = "The base", body = BaseDetailDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such verified base", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<ApiJson<BaseDetailDto>> {
    let s = &state.services;
    let page = s.bases().get(org).await?;
    let full = s.bases().manages(ctx.actor(), org).await?;
    Ok(ApiJson(BaseDetailDto {
        slots: page.slots.iter().map(SlotDto::from).collect(),
        photos: page.photos.iter().map(BasePhotoDto::from).collect(),
        resources: page.resources.iter().map(BaseResourceDto::from).collect(),
        base: BaseDto::new(s, page.base, full),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotosRequest {
    /// The whole list, in order (at most 9; `[]` removes them all). Photos the base shows
    /// already may stay; new ones must be images the caller uploaded (`POST /api/v1/uploads`).
    pub photo_ids: Vec<String>,
}

/// 设置基地照片
///
/// The base's admins (or its region's) set its photos: the whole list, in order, at most nine.
/// New ones must be images the caller uploaded through `POST /api/v1/uploads`; a refused list
/// changes nothing. Audited.
#[utoipa::path(put, path = "/api/v1/bases/{org_id}/photos", tag = "bases", operation_id = "set_base_photos",
    params(("org_id" = i64, Path)),
    request_body = PhotosRequest,
    responses(
        (status = 200, description = "The base's photos now", body = Vec<BasePhotoDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the base or its region", body = ErrorBody),
        (status = 404, description = "No such verified base", body = ErrorBody),
        (status = 422, description = "More than nine, repeated, not an image, or not the caller's upload", body = ErrorBody),
    ))]
pub async fn set_photos(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<PhotosRequest>,
) -> ApiResult<ApiJson<Vec<BasePhotoDto>>> {
    let photos = state
        .services
        .bases()
        .set_photos(&session.actor, org, &req.photo_ids)
        .await?;
    Ok(ApiJson(photos.iter().map(BasePhotoDto::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcesRequest {
    /// The whole list of published resource ids, in order (at most 30; `[]` removes them all).
    #[schema(example = json!([12, 15]))]
    pub resource_ids: Vec<i64>,
}

/// 设置基地使用的科普资源
///
/// The base's admins (or its region's) set the published popular-science resources the base
/// uses (a video shown in its hall, …): the whole list, in order, at most thirty. Each is
/// then listed on the resource's page. A refused list changes nothing. Audited.
#[utoipa::path(put, path = "/api/v1/bases/{org_id}/resources", tag = "bases", operation_id = "set_base_resources",
    params(("org_id" = i64, Path)),
    request_body = ResourcesRequest,
    responses(
        (status = 200, description = "The resources the base uses now", body = Vec<BaseResourceDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the base or its region", body = ErrorBody),
        (status = 404, description = "No such verified base", body = ErrorBody),
        (status = 422, description = "More than thirty, repeated, or not a published resource", body = ErrorBody),
    ))]
pub async fn set_resources(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<ResourcesRequest>,
) -> ApiResult<ApiJson<Vec<BaseResourceDto>>> {
    let list = state
        .services
        .bases()
        .set_resources(&session.actor, org, &req.resource_ids)
        .await?;
    Ok(ApiJson(list.iter().map(BaseResourceDto::from).collect()))
}

/// 编辑基地资料
///
/// The base's admins (or its region's) write its profile: type, address, open hours, contact
/// and introduction.
#[utoipa::path(put, path = "/api/v1/bases/{org_id}/profile", tag = "bases", operation_id = "update_base_profile",
    params(("org_id" = i64, Path)),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "Saved", body = BaseProfileDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the base or its region", body = ErrorBody),
        (status = 404, description = "No such verified base", body = ErrorBody),
        (status = 422, description = "Bad type, phone, or text", body = ErrorBody),
    ))]
pub async fn update_profile(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> ApiResult<ApiJson<BaseProfileDto>> {
    let p = state
        .services
        .bases()
        .save_profile(&session.actor, org, &req.into())
        .await?;
    Ok(ApiJson(BaseProfileDto::new(p, true)))
}

/// 开放参观时段
///
/// The base's admins open a visit slot (start and end in Beijing time, capacity in people).
#[utoipa::path(post, path = "/api/v1/bases/{org_id}/slots", tag = "bases", operation_id = "create_base_slot",
    params(("org_id" = i64, Path)),
    request_body = SlotRequest,
    responses(
        (status = 201, description = "Created", body = CreatedId),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the base or its region", body = ErrorBody),
        (status = 404, description = "No such verified base", body = ErrorBody),
        (status = 422, description = "End before start, start in the past, bad capacity", body = ErrorBody),
    ))]
pub async fn create_slot(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<SlotRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let input = SlotInput {
        starts_at: req.starts_at,
        ends_at: req.ends_at,
        capacity: req.capacity,
    };
    let id = state
        .services
        .bases()
        .open_slot(&session.actor, org, &input)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 团体预约
///
/// A logged-in user books a slot for a group; the places are taken at once (pending the
/// base's confirmation) and never past the capacity.
#[utoipa::path(post, path = "/api/v1/bases/{org_id}/slots/{slot_id}/bookings", tag = "bases", operation_id = "create_base_booking",
    params(("org_id" = i64, Path), ("slot_id" = i64, Path)),
    request_body = BookingRequest,
    responses(
        (status = 201, description = "Booked (pending)", body = CreatedId),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such base or slot", body = ErrorBody),
        (status = 409, description = "Not enough places left (名额不足), or the slot has started", body = ErrorBody),
        (status = 422, description = "Bad group name, size or phone", body = ErrorBody),
    ))]
pub async fn book(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath((org, slot)): ApiPath<(OrgId, BaseSlotId)>,
    ApiJson(req): ApiJson<BookingRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let input = BookingInput {
        group_name: req.group_name,
        group_size: req.group_size,
        contact_phone: req.contact_phone,
        note: req.note,
    };
    let id = state
        .services
        .bases()
        .book(&session.actor, org, slot, &input)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 基地的预约
///
/// The bookings of a base's slots, newest first: for its admins and its region's.
#[utoipa::path(get, path = "/api/v1/bases/{org_id}/bookings", tag = "bases", operation_id = "list_base_bookings",
    params(("org_id" = i64, Path)),
    responses(
        (status = 200, description = "Bookings", body = Vec<BookingDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the base or its region", body = ErrorBody),
        (status = 404, description = "No such verified base", body = ErrorBody),
    ))]
pub async fn bookings(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<ApiJson<Vec<BookingDto>>> {
    let list = state.services.bases().bookings(&session.actor, org).await?;
    Ok(ApiJson(list.into_iter().map(BookingDto::from).collect()))
}

/// 确认或婉拒预约
///
/// The base's admins (or its region's) confirm a pending booking, or decline it with a reason
/// (its places go back to the slot). Decided once; audited; the booker is notified.
#[utoipa::path(post, path = "/api/v1/base-bookings/{id}/decision", tag = "bases", operation_id = "decide_base_booking",
    params(("id" = i64, Path)),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "The booking after the decision", body = BookingDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the base or its region", body = ErrorBody),
        (status = 404, description = "No such booking", body = ErrorBody),
        (status = 409, description = "Decided or cancelled already", body = ErrorBody),
        (status = 422, description = "Declined without a reason", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<BaseBookingId>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<ApiJson<BookingDto>> {
    let b = state
        .services
        .bases()
        .decide(&session.actor, id, req.confirm, req.reason.as_deref())
        .await?;
    Ok(ApiJson(b.into()))
}

/// 取消预约
///
/// The booker cancels a pending or confirmed booking before the visit starts; its places go
/// back to the slot.
#[utoipa::path(post, path = "/api/v1/base-bookings/{id}/cancel", tag = "bases", operation_id = "cancel_base_booking",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The cancelled booking", body = BookingDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not the booker", body = ErrorBody),
        (status = 404, description = "No such booking", body = ErrorBody),
        (status = 409, description = "Declined or cancelled already, or the visit has started", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<BaseBookingId>,
) -> ApiResult<ApiJson<BookingDto>> {
    let b = state.services.bases().cancel(&session.actor, id).await?;
    Ok(ApiJson(b.into()))
}

/// 我的基地预约
///
/// The caller's own group bookings, newest first.
#[utoipa::path(get, path = "/api/v1/me/base-bookings", tag = "bases", operation_id = "list_my_base_bookings",
    responses(
        (status = 200, description = "Bookings", body = Vec<BookingDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<Vec<BookingDto>>> {
    let list = state.services.bases().mine(&session.actor).await?;
    Ok(ApiJson(list.into_iter().map(BookingDto::from).collect()))
}
