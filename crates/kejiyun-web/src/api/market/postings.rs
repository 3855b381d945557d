//! What the three posting kinds share: list filters, and the owner's life-cycle actions
//! (submit, close, confirm), generated once per kind by [`lifecycle!`].

use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::regions::RegionCode;

use crate::error::ApiResult;

/// A query parameter, trimmed; empty means absent.
pub(super) fn param(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filters every posting list takes, parsed into the core query (422 on unknown codes).
pub(super) struct Filters<'a> {
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
        })
    }
}

/// The owner's actions on one posting kind: `POST …/{id}/submit`, `…/close`, `…/confirm`.
macro_rules! lifecycle {
    ($kind:expr, $tag:tt, $what:tt, $submit:tt, $close:tt, $confirm:tt) => {
        #[doc = concat!("The owner sends a draft or rejected ", $what, " to the region's moderation queue.")]
        #[utoipa::path(post, path = $submit, tag = $tag,
            params(("id" = i64, Path)),
            responses(
                (status = 200, description = "Pending review", body = crate::api::market::dto::StateDto),
                (status = 400, description = "Bad id", body = crate::error::ErrorBody),
                (status = 401, description = "Not logged in", body = crate::error::ErrorBody),
                (status = 403, description = "Not the owner", body = crate::error::ErrorBody),
                (status = 404, description = "No such posting", body = crate::error::ErrorBody),
                (status = 409, description = "Not a draft or rejected (already pending, published or closed)", body = crate::error::ErrorBody),
            ))]
        pub async fn submit(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            crate::session::ApiUser(session): crate::session::ApiUser,
            crate::extract::ApiPath(id): crate::extract::ApiPath<i64>,
        ) -> crate::error::ApiResult<crate::extract::ApiJson<crate::api::market::dto::StateDto>> {
            let to = state.services.postings().submit_posting(&session.actor, $kind, id).await?;
            Ok(crate::extract::ApiJson(crate::api::market::dto::StateDto::new(
                to.as_str(),
                to.label_zh(),
            )))
        }

        #[doc = concat!("The owner closes a ", $what, ", saying why (`solved_here`, `solved_elsewhere`, `withdrawn`, `no_answer`).")]
        #[utoipa::path(post, path = $close, tag = $tag,
            params(("id" = i64, Path)),
            request_body = crate::api::market::dto::CloseRequest,
            responses(
                (status = 200, description = "Closed", body = crate::api::market::dto::StateDto),
                (status = 400, description = "Malformed JSON or id", body = crate::error::ErrorBody),
                (status = 401, description = "Not logged in", body = crate::error::ErrorBody),
                (status = 403, description = "Not the owner", body = crate::error::ErrorBody),
                (status = 404, description = "No such posting", body = crate::error::ErrorBody),
                (status = 409, description = "Already closed", body = crate::error::ErrorBody),
                (status = 415, description = "Not JSON", body = crate::error::ErrorBody),
                (status = 422, description = "Unknown reason", body = crate::error::ErrorBody),
            ))]
        pub async fn close(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            crate::session::ApiUser(session): crate::session::ApiUser,
            crate::extract::ApiPath(id): crate::extract::ApiPath<i64>,
            crate::extract::ApiJson(req): crate::extract::ApiJson<crate::api::market::dto::CloseRequest>,
        ) -> crate::error::ApiResult<crate::extract::ApiJson<crate::api::market::dto::StateDto>> {
            state
                .services
                .postings().close_posting(&session.actor, $kind, id, &req.reason)
                .await?;
            let closed = kejiyun_core::moderation::ModerationStatus::Closed;
            Ok(crate::extract::ApiJson(crate::api::market::dto::StateDto::new(
                closed.as_str(),
                closed.label_zh(),
            )))
        }

        #[doc = concat!("The owner confirms a published ", $what, " is still current: it stays up another interval (90 days by default) and answers the new expiry.")]
        #[utoipa::path(post, path = $confirm, tag = $tag,
            params(("id" = i64, Path)),
            responses(
                (status = 200, description = "Expiry extended", body = crate::api::market::dto::ExpiryDto),
                (status = 400, description = "Bad id", body = crate::error::ErrorBody),
                (status = 401, description = "Not logged in", body = crate::error::ErrorBody),
                (status = 403, description = "Not the owner", body = crate::error::ErrorBody),
                (status = 404, description = "No such posting", body = crate::error::ErrorBody),
                (status = 409, description = "Not published", body = crate::error::ErrorBody),
            ))]
        pub async fn confirm(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            crate::session::ApiUser(session): crate::session::ApiUser,
            crate::extract::ApiPath(id): crate::extract::ApiPath<i64>,
        ) -> crate::error::ApiResult<crate::extract::ApiJson<crate::api::market::dto::ExpiryDto>> {
            let until = state
                .services
                .postings().confirm_posting(&session.actor, $kind, id)
                .await?;
            Ok(crate::extract::ApiJson(crate::api::market::dto::ExpiryDto {
                expires_at: until.to_rfc3339(),
            }))
        }
    };
}

pub(super) use lifecycle;
