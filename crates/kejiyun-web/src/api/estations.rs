//! `/api/v1/estations`, `/api/v1/playlists`, `/api/v1/emergencies`: 科普e站 screens for the
//! admins who run them (registration with a token shown once, playlists per screen or region,
//! emergency overrides, status and proof of play). The player's side is `estation_player.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use kejiyun_core::app::Services;
use kejiyun_core::app::stats::date_range;
use kejiyun_core::estations::ports::EstationRef;
use kejiyun_core::estations::{
    Emergency, EmergencyInput, Estation, EstationInput, PlayDay, Playlist, PlaylistInput,
    PlaylistItemInput, PlaylistTarget,
};
use kejiyun_core::ids::{EmergencyId, EstationId, PlaylistId, ResourceId};
use kejiyun_core::regions::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{CreatedId, RegionRef};
use super::market::dto::ts;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::session::ApiUser;

/// Where a screen's player opens, with its token (after `#`, so it reaches no server log).
pub fn player_url(token: &str) -> String {
    format!("/estation/player#token={token}")
}

/// A registered screen, with what its last heartbeat said.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstationDto {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub region: RegionRef,
    pub operator_id: Option<i64>,
    pub operator_name: Option<String>,
    /// False once its token is revoked (until a new one is issued).
    pub has_token: bool,
    /// A heartbeat within the last 90 seconds.
    pub online: bool,
    pub last_seen_at: Option<String>,
    pub now_playing_id: Option<i64>,
    pub now_playing_title: Option<String>,
    pub registered_at: String,
}

impl EstationDto {
    pub fn new(s: &Services, e: Estation) -> Self {
        Self {
            id: e.id.0,
            online: e.is_online(s.now()),
            region: RegionRef::new(s, e.region),
            operator_id: e.operator.map(|o| o.0),
            has_token: e.has_token,
            last_seen_at: e.last_seen_at.map(ts),
            now_playing_id: e.now_playing.map(|r| r.0),
            registered_at: ts(e.registered_at),
            name: e.name,
            place: e.place,
            operator_name: e.operator_name,
            now_playing_title: e.now_playing_title,
        }
    }
}

/// A screen's token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstationTokenDto {
    pub id: i64,
    /// The secret; only its hash is kept, so it cannot be shown again.
    pub token: String,
    /// Open this on the screen (full screen, no login).
    #[schema(example = "/estation/player#token=kjy_…")]
    pub player_url: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstationRequest {
    #[schema(example = "柑子镇科普e站")]
    pub name: String,
    #[schema(example = "柑子镇文化站一楼大厅")]
    pub place: String,
    #[schema(example = "511623")]
    pub region: String,
    /// A verified 科普e站 operator whose admins run the screen (none: the association's own).
    pub operator_id: Option<i64>,
}

/// One item of a playlist.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaylistItemDto {
    pub resource_id: i64,
    /// 3–3600 seconds. Images, articles and documents: default 15; video and audio: null plays
    /// to the end.
    pub seconds: Option<u32>,
}

/// A playlist: a screen's own, or a region's (reaching every screen below it that has no
/// playlist of its own for the time).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaylistDto {
    pub id: i64,
    pub name: String,
    /// Set for a screen's own playlist.
    pub estation_id: Option<i64>,
    /// Set for a region's playlist.
    pub region: Option<String>,
    /// Daily windows in Beijing time, `08:00-12:00`; empty: all day.
    pub windows: Vec<String>,
    pub items: Vec<PlaylistItemDto>,
    pub updated_at: String,
}

impl From<Playlist> for PlaylistDto {
    fn from(p: Playlist) -> Self {
        let (estation_id, region) = match p.target {
            PlaylistTarget::Estation(e) => (Some(e.0), None),
            PlaylistTarget::Region(r) => (None, Some(r.to_string())),
        };
        Self {
            id: p.id.0,
            estation_id,
            region,
            windows: p.draft.windows.iter().map(|w| w.text()).collect(),
            items: p
                .draft
                .items
                .iter()
                .map(|i| PlaylistItemDto {
                    resource_id: i.resource.0,
                    seconds: i.seconds,
                })
                .collect(),
            updated_at: ts(p.updated_at),
            name: p.draft.name,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaylistRequest {
    #[schema(example = "冬季农技科普")]
    pub name: String,
    /// `08:00-12:00, 14:00-18:00` in Beijing time; empty or absent: all day.
    #[serde(default)]
    #[schema(example = "")]
    pub windows: String,
    /// 1–100 published resources, in playing order.
    pub items: Vec<PlaylistItemDto>,
}

impl From<PlaylistRequest> for PlaylistInput {
    fn from(r: PlaylistRequest) -> Self {
        Self {
            name: r.name,
            windows: r.windows,
            items: r
                .items
                .into_iter()
                .map(|i| PlaylistItemInput {
                    resource: i.resource_id,
                    seconds: i.seconds,
                })
                .collect(),
        }
    }
}

/// An emergency override (紧急插播).
#[derive(Debug, Serialize, ToSchema)]
pub struct EmergencyDto {
    pub id: i64,
    pub region: RegionRef,
    pub resource_id: i64,
    pub resource_title: String,
    pub starts_at: String,
    /// None: until cancelled.
    pub until: Option<String>,
    pub cancelled_at: Option<String>,
    pub active: bool,
}

impl EmergencyDto {
    pub fn new(s: &Services, e: Emergency) -> Self {
        Self {
            id: e.id.0,
            active: e.is_active(s.now()),
            region: RegionRef::new(s, e.region),
            resource_id: e.resource.0,
            starts_at: ts(e.starts_at),
            until: e.until.map(ts),
            cancelled_at: e.cancelled_at.map(ts),
            resource_title: e.resource_title,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyRequest {
    #[schema(example = "511623")]
    pub region: String,
    /// A published resource.
    pub resource_id: i64,
    /// RFC 3339 or Beijing time `2026-12-10 18:00`; absent: until cancelled.
    pub until: Option<String>,
}

/// Proof of play of one screen: plays and watch time per Beijing day and item.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlayDayDto {
    #[schema(example = "2026-12-07")]
    pub day: String,
    pub resource_id: i64,
    pub title: String,
    pub plays: i64,
    /// Watch time in whole seconds.
    pub seconds: i64,
}

impl From<PlayDay> for PlayDayDto {
    fn from(d: PlayDay) -> Self {
        Self {
            day: d.day.to_string(),
            resource_id: d.resource.0,
            title: d.title,
            plays: d.plays,
            seconds: d.seconds,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaysDto {
    pub from: String,
    pub to: String,
    pub days: Vec<PlayDayDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaysParams {
    /// `YYYY-MM-DD` (Beijing); default: 29 days before `to`.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (Beijing); default: today.
    pub to: Option<String>,
}

/// A screen that plays a resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstationRefDto {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub region: RegionRef,
}

impl EstationRefDto {
    pub fn new(s: &Services, e: EstationRef) -> Self {
        Self {
            id: e.id.0,
            region: RegionRef::new(s, e.region),
            name: e.name,
            place: e.place,
        }
    }
}

fn region_code(raw: &str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(raw).map_err(ApiError::from)
}

/// 登记科普e站屏幕
///
/// A region's admin registers a screen in their region, or an operator's admin one for their
/// verified 科普e站 operator. The answer carries the screen's token and player link: shown
/// once, only the token's hash is kept.
#[utoipa::path(post, path = "/api/v1/estations", tag = "estations", operation_id = "register_estation",
    request_body = EstationRequest,
    responses(
        (status = 201, description = "Registered", body = EstationTokenDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region or the operator", body = ErrorBody),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad name, place, region or operator", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<EstationRequest>,
) -> ApiResult<(StatusCode, ApiJson<EstationTokenDto>)> {
    let input = EstationInput {
        name: req.name,
        place: req.place,
        region: req.region,
        operator: req.operator_id,
    };
    let (id, token) = state
        .services
        .estations()
        .register(&session.actor, &input)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(EstationTokenDto {
            id: id.0,
            player_url: player_url(&token),
            token,
        }),
    ))
}

/// 科普e站屏幕列表（状态）
///
/// The screens the caller manages (their regions', their operators'), with online status
/// (a heartbeat in the last 90 s), last seen and now playing.
#[utoipa::path(get, path = "/api/v1/estations", tag = "estations", operation_id = "list_estations",
    responses(
        (status = 200, description = "Screens", body = Vec<EstationDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Neither a region admin nor an operator's admin", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<Vec<EstationDto>>> {
    let s = &state.services;
    let list = s.estations().list(&session.actor).await?;
    Ok(ApiJson(
        list.into_iter().map(|e| EstationDto::new(s, e)).collect(),
    ))
}

/// 科普e站屏幕详情
///
/// One screen the caller manages, with its online status, last heartbeat and what it shows.
#[utoipa::path(get, path = "/api/v1/estations/{id}", tag = "estations", operation_id = "get_estation",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The screen", body = EstationDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such screen", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<EstationId>,
) -> ApiResult<ApiJson<EstationDto>> {
    let s = &state.services;
    let e = s.estations().get(&session.actor, id).await?;
    Ok(ApiJson(EstationDto::new(s, e)))
}

/// 重新生成屏幕令牌
///
/// A new token for the screen (the old one stops working at once), shown this once.
#[utoipa::path(post, path = "/api/v1/estations/{id}/token", tag = "estations", operation_id = "reissue_estation_token",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The new token", body = EstationTokenDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such screen", body = ErrorBody),
    ))]
pub async fn reissue_token(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<EstationId>,
) -> ApiResult<ApiJson<EstationTokenDto>> {
    let token = state
        .services
        .estations()
        .reissue_token(&session.actor, id)
        .await?;
    Ok(ApiJson(EstationTokenDto {
        id: id.0,
        player_url: player_url(&token),
        token,
    }))
}

/// 撤销屏幕令牌
///
/// The screen's player gets no program and its reports are refused until a new token is
/// issued.
#[utoipa::path(delete, path = "/api/v1/estations/{id}/token", tag = "estations", operation_id = "revoke_estation_token",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such screen", body = ErrorBody),
    ))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<EstationId>,
) -> ApiResult<StatusCode> {
    state
        .services
        .estations()
        .revoke_token(&session.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 屏幕自己的播放列表
///
/// The playlists aimed at this screen only (its region's are listed under the region).
#[utoipa::path(get, path = "/api/v1/estations/{id}/playlists", tag = "estations", operation_id = "list_estation_playlists",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The screen's own playlists", body = Vec<PlaylistDto>),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such screen", body = ErrorBody),
    ))]
pub async fn estation_playlists(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<EstationId>,
) -> ApiResult<ApiJson<Vec<PlaylistDto>>> {
    let list = state
        .services
        .estations()
        .estation_playlists(&session.actor, id)
        .await?;
    Ok(ApiJson(list.into_iter().map(Into::into).collect()))
}

/// 新建屏幕播放列表
///
/// A playlist of the screen's own: it plays instead of the region's within its windows.
#[utoipa::path(post, path = "/api/v1/estations/{id}/playlists", tag = "estations", operation_id = "create_estation_playlist",
    params(("id" = i64, Path)),
    request_body = PlaylistRequest,
    responses(
        (status = 201, description = "Created", body = CreatedId),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such screen", body = ErrorBody),
        (status = 422, description = "Bad name, windows, durations, or an unpublished resource", body = ErrorBody),
    ))]
pub async fn create_estation_playlist(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<EstationId>,
    ApiJson(req): ApiJson<PlaylistRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let id = state
        .services
        .estations()
        .create_playlist(&session.actor, PlaylistTarget::Estation(id), &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 地区播放列表
///
/// The playlists aimed at this region, which reach every screen below it (for its admins).
#[utoipa::path(get, path = "/api/v1/regions/{code}/playlists", tag = "estations", operation_id = "list_region_playlists",
    params(("code" = String, Path, description = "Six-digit region code")),
    responses(
        (status = 200, description = "The region's playlists", body = Vec<PlaylistDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region code", body = ErrorBody),
    ))]
pub async fn region_playlists(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<ApiJson<Vec<PlaylistDto>>> {
    let list = state
        .services
        .estations()
        .region_playlists(&session.actor, region_code(&code)?)
        .await?;
    Ok(ApiJson(list.into_iter().map(Into::into).collect()))
}

/// 新建地区播放列表
///
/// A region's playlist reaches every screen in its subtree that has no playlist of its own
/// (nor a nearer region's) for the time.
#[utoipa::path(post, path = "/api/v1/regions/{code}/playlists", tag = "estations", operation_id = "create_region_playlist",
    params(("code" = String, Path, description = "Six-digit region code")),
    request_body = PlaylistRequest,
    responses(
        (status = 201, description = "Created", body = CreatedId),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region, name, windows, durations, or an unpublished resource", body = ErrorBody),
    ))]
pub async fn create_region_playlist(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<PlaylistRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let target = PlaylistTarget::Region(region_code(&code)?);
    let id = state
        .services
        .estations()
        .create_playlist(&session.actor, target, &req.into())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 播放列表详情
///
/// A playlist with its windows and items in order, for whoever may change it.
#[utoipa::path(get, path = "/api/v1/playlists/{id}", tag = "estations", operation_id = "get_playlist",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The playlist", body = PlaylistDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such playlist", body = ErrorBody),
    ))]
pub async fn get_playlist(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<PlaylistId>,
) -> ApiResult<ApiJson<PlaylistDto>> {
    let p = state
        .services
        .estations()
        .playlist(&session.actor, id)
        .await?;
    Ok(ApiJson(p.into()))
}

/// 修改播放列表
///
/// Replaces the name, windows and items; the playlist keeps its target. Screens pick the
/// change up within a minute.
#[utoipa::path(put, path = "/api/v1/playlists/{id}", tag = "estations", operation_id = "update_playlist",
    params(("id" = i64, Path)),
    request_body = PlaylistRequest,
    responses(
        (status = 200, description = "Saved", body = PlaylistDto),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such playlist", body = ErrorBody),
        (status = 422, description = "Bad name, windows, durations, or an unpublished resource", body = ErrorBody),
    ))]
pub async fn update_playlist(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<PlaylistId>,
    ApiJson(req): ApiJson<PlaylistRequest>,
) -> ApiResult<ApiJson<PlaylistDto>> {
    let p = state
        .services
        .estations()
        .update_playlist(&session.actor, id, &req.into())
        .await?;
    Ok(ApiJson(p.into()))
}

/// 删除播放列表
///
/// Deletes the playlist and its items (audited); the screens it reached fall back to the next
/// playlist in their program within a minute.
#[utoipa::path(delete, path = "/api/v1/playlists/{id}", tag = "estations", operation_id = "delete_playlist",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such playlist", body = ErrorBody),
    ))]
pub async fn delete_playlist(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<PlaylistId>,
) -> ApiResult<StatusCode> {
    state
        .services
        .estations()
        .delete_playlist(&session.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 紧急插播列表
///
/// The overrides of the caller's regions, newest first, active or not.
#[utoipa::path(get, path = "/api/v1/emergencies", tag = "estations", operation_id = "list_emergencies",
    responses(
        (status = 200, description = "Overrides", body = Vec<EmergencyDto>),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn emergencies(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<Vec<EmergencyDto>>> {
    let s = &state.services;
    let list = s.estations().emergencies(&session.actor).await?;
    Ok(ApiJson(
        list.into_iter().map(|e| EmergencyDto::new(s, e)).collect(),
    ))
}

/// 紧急插播
///
/// A region's admin shows one published resource on every screen of the region now, over
/// every playlist, until the given time or until cancelled. Screens pick it up within a
/// minute.
#[utoipa::path(post, path = "/api/v1/emergencies", tag = "estations", operation_id = "start_emergency",
    request_body = EmergencyRequest,
    responses(
        (status = 201, description = "Started", body = CreatedId),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 404, description = "Region outside the platform", body = ErrorBody),
        (status = 422, description = "Bad region, end time, or an unpublished resource", body = ErrorBody),
    ))]
pub async fn start_emergency(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<EmergencyRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedId>)> {
    let input = EmergencyInput {
        region: req.region,
        resource: req.resource_id,
        until: req.until,
    };
    let id = state
        .services
        .estations()
        .start_emergency(&session.actor, &input)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedId { id: id.0 })))
}

/// 结束紧急插播
///
/// Ends an override now (recorded, not deleted); the screens go back to their playlists within
/// a minute.
#[utoipa::path(post, path = "/api/v1/emergencies/{id}/cancel", tag = "estations", operation_id = "cancel_emergency",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Ended"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin of the region", body = ErrorBody),
        (status = 404, description = "No such override", body = ErrorBody),
        (status = 409, description = "Already ended", body = ErrorBody),
    ))]
pub async fn cancel_emergency(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<EmergencyId>,
) -> ApiResult<StatusCode> {
    state
        .services
        .estations()
        .cancel_emergency(&session.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The default proof-of-play range: the 30 days up to today (Beijing).
pub fn plays_range(
    s: &Services,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
    let (from, to) = date_range(from, to)?;
    let to = to.unwrap_or_else(|| s.now().shanghai_date());
    let from = from.unwrap_or(to - Duration::days(29));
    Ok((from, to))
}

/// 播放证明
///
/// One screen's plays and watch time per Beijing day and item (what the player reported,
/// apart from web views).
#[utoipa::path(get, path = "/api/v1/estations/{id}/plays", tag = "estations", operation_id = "estation_plays",
    params(("id" = i64, Path), PlaysParams),
    responses(
        (status = 200, description = "Plays per day and item, newest day first", body = PlaysDto),
        (status = 400, description = "Bad id or query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not its manager", body = ErrorBody),
        (status = 404, description = "No such screen", body = ErrorBody),
        (status = 422, description = "Bad dates, or more than 366 days", body = ErrorBody),
    ))]
pub async fn plays(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiPath(id): ApiPath<EstationId>,
    ApiQuery(p): ApiQuery<PlaysParams>,
) -> ApiResult<ApiJson<PlaysDto>> {
    let s = &state.services;
    let (from, to) = plays_range(s, p.from.as_deref(), p.to.as_deref())?;
    let days = s
        .estations()
        .play_days(&session.actor, id, from, to)
        .await?;
    Ok(ApiJson(PlaysDto {
        from: from.to_string(),
        to: to.to_string(),
        days: days.into_iter().map(Into::into).collect(),
    }))
}

/// 播放此资源的科普e站
///
/// The screens whose program holds this published resource (their own playlist or their
/// region's), by name.
#[utoipa::path(get, path = "/api/v1/resources/{id}/estations", tag = "estations", operation_id = "resource_estations",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Screens whose program holds the resource", body = Vec<EstationRefDto>),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such published resource", body = ErrorBody),
    ))]
pub async fn resource_estations(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ResourceId>,
) -> ApiResult<ApiJson<Vec<EstationRefDto>>> {
    let s = &state.services;
    s.postings().get(None, id).await?;
    let list = s.estations().playing(id).await?;
    Ok(ApiJson(
        list.into_iter()
            .map(|e| EstationRefDto::new(s, e))
            .collect(),
    ))
}
