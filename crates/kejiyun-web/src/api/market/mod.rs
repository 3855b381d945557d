//! The marketplace's JSON API: services, needs and achievements (postings), inquiries, quotes,
//! deals and caseworker tickets, plus the category catalogue. Handlers are thin: they parse
//! input into core types and call one `Services` use case; postings are moderated through the
//! existing `/api/v1/moderation/{kind}/{id}/approve|reject`.

pub mod achievements;
pub mod catalogue;
pub mod deals;
pub mod dto;
pub mod inquiries;
pub mod needs;
pub mod postings;
pub mod quotes;
pub mod services;
pub mod tickets;
pub mod trade_dto;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::{UtoipaMethodRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;

/// `POST /api/v1/deals/offline`: the global body limit (1 MB by default) does not apply; the
/// handler reads at most `upload_limit_bytes + 64 KiB` (see [`deals::record_offline`]).
pub fn offline_deal_route() -> UtoipaMethodRouter<AppState> {
    routes!(deals::record_offline).layer(DefaultBodyLimit::disable())
}
