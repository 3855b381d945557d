//! `/api/v1/notifications` and `/api/v1/me/notification-preferences`: the caller's in-site
//! inbox (站内信). A notification of another user is "not found", like one that does not exist.

use axum::extract::State;
use kejiyun_core::notifications::{Notification, NotificationPreference, ReadSelection};
use kejiyun_core::paging::Paged;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::page;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::session::ApiUser;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// `posting_approved`, `posting_rejected`, `new_inquiry`, `new_quote`, `deal_to_confirm`,
    /// `deal_confirmed`, `new_match`, `activity_reminder`, `profile_approved`,
    /// `profile_rejected` (a tech worker profile or an organization) or `pending_review` (for
    /// admins: something entered their moderation queue).
    #[schema(example = "posting_approved")]
    pub kind: String,
    #[schema(example = "您的科技需求「柑橘黄龙病防治」已通过审核")]
    pub title: String,
    pub body: String,
    /// The site path the notification is about.
    #[schema(example = "/needs/42")]
    pub link: String,
    pub created_at: String,
    /// `null` while unread.
    pub read_at: Option<String>,
}

impl From<Notification> for NotificationDto {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.code().to_owned(),
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at.to_rfc3339(),
            read_at: n.read_at.map(|t| t.to_rfc3339()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationDto>,
    /// Items across all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// The caller's unread notifications (all pages).
    pub unread: u64,
}

impl NotificationList {
    fn new(p: Paged<Notification>, unread: u64) -> Self {
        Self {
            total: p.total,
            page: p.page.page,
            per_page: p.page.per_page,
            items: p.items.into_iter().map(NotificationDto::from).collect(),
            unread,
        }
    }
}

/// `unread=true` lists unread notifications only; `page`, `per_page` (1–100, default 20).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    pub unread: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: u64,
}

/// Either `ids` (1–100 of the caller's notification ids) or `"all": true`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    #[schema(example = json!([12, 13]))]
    pub ids: Option<Vec<i64>>,
    #[serde(default)]
    pub all: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkReadResponse {
    /// How many notifications were unread and are now read.
    pub marked: u64,
    /// Unread notifications left.
    pub unread: u64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceDto {
    /// How copies go to the caller's e-mail/phone: `none`, `realtime`, `daily` (08:00
    /// Asia/Shanghai) or `weekly` (Mondays 08:00). The inbox receives everything either way.
    #[schema(example = "daily")]
    pub preference: String,
}

/// 站内信列表
///
/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", operation_id = "list_notifications",
    params(InboxParams),
    responses(
        (status = 200, description = "The caller's notifications", body = NotificationList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 422, description = "Bad paging", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> ApiResult<ApiJson<NotificationList>> {
    let s = &state.services;
    let paged = s
        .notifications()
        .notifications(
            &session.actor,
            p.unread.unwrap_or(false),
            page(p.page, p.per_page)?,
        )
        .await?;
    let unread = s
        .notifications()
        .unread_notifications(&session.actor)
        .await?;
    Ok(ApiJson(NotificationList::new(paged, unread)))
}

/// 站内信未读数
///
/// How many of the caller's notifications are unread (the header badge).
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications", operation_id = "count_unread_notifications",
    responses(
        (status = 200, description = "Unread count", body = UnreadCount),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn unread_count(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<UnreadCount>> {
    let unread = state
        .services
        .notifications()
        .unread_notifications(&session.actor)
        .await?;
    Ok(ApiJson(UnreadCount { unread }))
}

/// 标记站内信已读
///
/// Marks some (`ids`) or all (`all: true`) of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", operation_id = "mark_notifications_read",
    request_body = MarkReadRequest,
    responses(
        (status = 200, description = "Marked", body = MarkReadResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "An id is not one of the caller's notifications (nothing changed)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Neither or both of ids and all; bad ids", body = ErrorBody),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<MarkReadRequest>,
) -> ApiResult<ApiJson<MarkReadResponse>> {
    let which = ReadSelection::parse(req.ids, req.all)?;
    let s = &state.services;
    let marked = s
        .notifications()
        .mark_notifications_read(&session.actor, which)
        .await?;
    let unread = s
        .notifications()
        .unread_notifications(&session.actor)
        .await?;
    Ok(ApiJson(MarkReadResponse { marked, unread }))
}

/// 查看短信/邮件提醒方式
///
/// The caller's delivery preference (`daily` until they choose).
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "notifications", operation_id = "get_notification_preferences",
    responses(
        (status = 200, description = "The preference", body = PreferenceDto),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn preferences(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> ApiResult<ApiJson<PreferenceDto>> {
    let p = state
        .services
        .notifications()
        .notification_preference(&session.actor)
        .await?;
    Ok(ApiJson(PreferenceDto {
        preference: p.code().to_owned(),
    }))
}

/// 设置短信/邮件提醒方式
///
/// Sets the caller's delivery preference.
#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "notifications", operation_id = "set_notification_preferences",
    request_body = PreferenceDto,
    responses(
        (status = 200, description = "Saved", body = PreferenceDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown preference", body = ErrorBody),
    ))]
pub async fn set_preferences(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(req): ApiJson<PreferenceDto>,
) -> ApiResult<ApiJson<PreferenceDto>> {
    let p = NotificationPreference::parse(&req.preference)?;
    state
        .services
        .notifications()
        .set_notification_preference(&session.actor, p)
        .await?;
    Ok(ApiJson(PreferenceDto {
        preference: p.code().to_owned(),
    }))
}
