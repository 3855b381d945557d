//! `/api/v1/estation/…`: what a 科普e站 screen's player calls with its token
//! (`X-Estation-Token`), no login — its program (ETag'd, so a poll that changes nothing costs
//! no body) and its heartbeat with the plays it queued. The admins' side is `estations.rs`.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kejiyun_core::app::{Program, ProgramItem, Services};
use kejiyun_core::estations::{Estation, PlayInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::market::dto::ts;
use super::uploads::file_url;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

/// The header a player sends its token in.
pub const TOKEN_HEADER: &str = "x-estation-token";

/// The screen whose token the request carries, or a 401 in Chinese.
pub async fn screen_of(s: &Services, headers: &HeaderMap) -> Result<Estation, ApiError> {
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    s.estations().by_token(token).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "estation_token_invalid",
            "科普e站令牌无效或已撤销，请向管理员索取新的播放链接",
        )
    })
}

/// One item of a screen's program.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramItemDto {
    pub resource_id: i64,
    /// `article`, `video`, `image`, `audio` or `document`.
    pub kind: String,
    pub title: String,
    /// The media file (none for an article).
    pub url: Option<String>,
    /// The cover image.
    pub poster: Option<String>,
    /// An article's sanitized HTML.
    pub html: Option<String>,
    /// Seconds on screen; null for video and audio that play to their end.
    pub seconds: Option<u32>,
}

impl From<ProgramItem> for ProgramItemDto {
    fn from(i: ProgramItem) -> Self {
        Self {
            resource_id: i.resource.0,
            kind: i.kind.code().into(),
            url: i.media.as_ref().map(|m| file_url(m, false)),
            poster: i.cover.as_ref().map(|c| file_url(c, false)),
            title: i.title,
            html: i.html,
            seconds: i.seconds,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WindowDto {
    #[schema(example = "08:00")]
    pub start: String,
    #[schema(example = "12:00")]
    pub end: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramPlaylistDto {
    pub id: i64,
    pub name: String,
    /// Empty: all day. A window whose end is before its start runs over midnight.
    pub windows: Vec<WindowDto>,
    pub items: Vec<ProgramItemDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramEmergencyDto {
    pub until: Option<String>,
    pub item: ProgramItemDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramEstationDto {
    pub id: i64,
    pub name: String,
    pub region: String,
}

/// What a screen plays. The player plays the first playlist whose windows contain the
/// current Beijing time; an emergency, while active, replaces everything.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramDto {
    pub estation: ProgramEstationDto,
    /// Changes whenever anything below changes (also the `ETag`).
    pub version: String,
    pub emergency: Option<ProgramEmergencyDto>,
    pub playlists: Vec<ProgramPlaylistDto>,
}

impl ProgramDto {
    fn new(p: Program) -> Self {
        let mut dto = Self {
            estation: ProgramEstationDto {
                id: p.estation.id.0,
                region: p.estation.region.to_string(),
                name: p.estation.name,
            },
            version: String::new(),
            emergency: p.emergency.map(|(e, item)| ProgramEmergencyDto {
                until: e.until.map(ts),
                item: item.into(),
            }),
            playlists: p
                .playlists
                .into_iter()
                .map(|(pl, items)| ProgramPlaylistDto {
                    id: pl.id.0,
                    windows: pl
                        .draft
                        .windows
                        .iter()
                        .map(|w| WindowDto {
                            start: w.start_text(),
                            end: w.end_text(),
                        })
                        .collect(),
                    items: items.into_iter().map(Into::into).collect(),
                    name: pl.draft.name,
                })
                .collect(),
        };
        let bytes = serde_json::to_vec(&dto).unwrap_or_default();
        dto.version = kejiyun_core::auth::hash_token_bytes(&bytes)[..16].to_owned();
        dto
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlayRequest {
    /// The player's own id of the play (8–64 letters, digits, `-`, `_`): sent twice, counted
    /// once.
    pub id: String,
    pub resource_id: i64,
    /// RFC 3339.
    pub started_at: String,
    pub seconds: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatRequest {
    /// The resource on screen now.
    pub now_playing: Option<i64>,
    /// Plays finished since the last report that reached the server (at most 500).
    #[serde(default)]
    pub plays: Vec<PlayRequest>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HeartbeatDto {
    /// Plays stored now (a play sent before is not stored again).
    pub recorded: u64,
    /// Plays refused by the rules (a clock far off, a malformed id): dropped, do not resend.
    pub rejected: u64,
}

/// 屏幕节目单（播放器）
///
/// What the screen whose token is in `X-Estation-Token` plays: its playlists in priority order
/// and the emergency override. `ETag` is the version; `If-None-Match` with it answers 304.
#[utoipa::path(get, path = "/api/v1/estation/program", tag = "estations", operation_id = "estation_program",
    params(("X-Estation-Token" = String, Header, description = "The screen's token")),
    responses(
        (status = 200, description = "The program", body = ProgramDto),
        (status = 304, description = "Unchanged since the version sent in If-None-Match"),
        (status = 401, description = "Unknown or revoked token", body = ErrorBody),
    ))]
pub async fn program(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let s = &state.services;
    let screen = screen_of(s, &headers).await?;
    let dto = ProgramDto::new(s.estations().program(screen).await?);
    let etag = format!("\"{}\"", dto.version);
    let unchanged = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ApiJson(dto).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        res.headers_mut().insert(ETAG, v);
    }
    // A screen must see a change within a minute: no cache may answer for the server.
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// 屏幕心跳与播放记录（播放器）
///
/// The screen reports that it is on, what it shows, and the plays it finished (queued while
/// offline too). A play sent again is not counted twice.
#[utoipa::path(post, path = "/api/v1/estation/heartbeat", tag = "estations", operation_id = "estation_heartbeat",
    params(("X-Estation-Token" = String, Header, description = "The screen's token")),
    request_body = HeartbeatRequest,
    responses(
        (status = 200, description = "Stored", body = HeartbeatDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Unknown or revoked token", body = ErrorBody),
        (status = 422, description = "More than 500 plays", body = ErrorBody),
    ))]
pub async fn heartbeat(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<HeartbeatRequest>,
) -> ApiResult<ApiJson<HeartbeatDto>> {
    let s = &state.services;
    let screen = screen_of(s, &headers).await?;
    let plays: Vec<PlayInput> = req
        .plays
        .into_iter()
        .map(|p| PlayInput {
            id: p.id,
            resource: p.resource_id,
            started_at: p.started_at,
            seconds: p.seconds,
        })
        .collect();
    let out = s
        .estations()
        .heartbeat(&screen, req.now_playing, &plays)
        .await?;
    Ok(ApiJson(HeartbeatDto {
        recorded: out.recorded,
        rejected: out.rejected,
    }))
}
