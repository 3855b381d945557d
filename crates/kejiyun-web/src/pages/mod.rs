//! Server-rendered pages (askama templates, auto-escaped). Placeholder until the pages land.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::session::Ctx;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(|| async { Html("科技云") }))
}

pub fn not_found_page(_ctx: &Ctx) -> Response {
    (StatusCode::NOT_FOUND, Html("页面不存在")).into_response()
}
