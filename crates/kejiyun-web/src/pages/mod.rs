//! Server-rendered pages (askama templates, auto-escaped). Each handler is a thin translation of
//! HTTP into calls on `Services`; domain errors become the 404/403 pages, a redirect to the login
//! page, or the same form again with the message.

mod admin;
mod admin_accounts;
mod api_docs;
mod auth;
mod auth_codes;
mod bases;
mod certificates;
mod code_screen;
mod common;
mod estation_playlists;
mod estations;
mod home;
mod market;
mod me;
pub(crate) mod multipart;
mod notifications;
mod orgs;
mod passwords;
mod photos;
mod questions;
mod register;
mod resource_choice;
mod resource_parts;
mod resources;
mod search;
mod second_factor;
mod stats;
mod stats_charts;
mod stats_map;
mod stats_summary;
mod tech_workers;
mod tokens;
mod trainings;
mod trainings_lists;
mod volunteer_activities;
mod volunteer_lists;
mod volunteer_service;
mod volunteers;
pub(crate) mod widgets;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use crate::AppState;
use crate::session::Ctx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/regions", get(home::regions_root))
        .route("/search", get(search::search))
        .route("/api", get(api_docs::reference))
        .route("/regions/{code}", get(home::region))
        .route("/my-region", post(home::choose_region))
        .route(
            "/register",
            get(register::register_form).post(register::register),
        )
        .route("/register/code", post(register::register_send))
        .route("/login", get(auth::login_form).post(auth::login))
        .route(
            "/login/code",
            get(auth_codes::code_login_form).post(auth_codes::code_login),
        )
        .route("/login/code/send", post(auth_codes::code_login_send))
        .route(
            "/forgot-password",
            get(auth_codes::forgot_form).post(auth_codes::forgot_send),
        )
        .route("/forgot-password/reset", post(auth_codes::forgot_reset))
        .route("/login/second-factor", post(second_factor::login_step))
        .route("/me/security", get(second_factor::security))
        .route("/me/security/start", post(second_factor::start))
        .route("/me/security/confirm", post(second_factor::confirm))
        .route(
            "/me/security/recovery-codes",
            post(second_factor::regenerate),
        )
        .route("/me/security/disable", post(second_factor::disable))
        .route("/logout", post(auth::logout))
        .route("/me", get(me::me).post(me::update_me))
        .route("/me/password", get(passwords::form).post(passwords::change))
        .route("/admin/lockouts", get(passwords::lockouts))
        .route("/admin/lockouts/unlock", post(passwords::unlock))
        .route(
            "/me/tech-worker",
            get(me::tech_worker_form).post(me::save_tech_worker),
        )
        .route("/me/notifications", get(notifications::inbox))
        .route("/me/notifications/read", post(notifications::mark_read))
        .route(
            "/me/notifications/preference",
            post(notifications::save_preference),
        )
        .route("/me/tokens", get(tokens::list).post(tokens::create))
        .route("/me/tokens/{id}/revoke", post(tokens::revoke))
        .route("/me/certificates", get(certificates::mine))
        .route("/verify", get(certificates::form))
        .route("/verify/{code}", get(certificates::show))
        .route("/tech-workers", get(tech_workers::directory))
        .route("/tech-workers/{id}", get(tech_workers::profile))
        .route(
            "/tech-workers/{id}/id-card",
            post(tech_workers::reveal_id_card),
        )
        .route("/orgs", get(orgs::directory))
        .route("/orgs/new", get(orgs::new_form).post(orgs::create))
        .route("/orgs/{id}", get(orgs::page))
        .route("/orgs/{id}/edit", get(orgs::edit_form).post(orgs::save))
        .route("/admin", get(admin::queue))
        .route(
            "/admin/moderation/{kind}/{id}/{decision}",
            post(admin::decide),
        )
        .merge(market::router())
        .merge(questions::router())
        .merge(resources::router())
        .merge(trainings::router())
        .merge(bases::router())
        .merge(estations::router())
        .merge(estation_playlists::router())
        .merge(trainings_lists::router())
        .merge(volunteers::router())
        .merge(volunteer_activities::router())
        .merge(volunteer_lists::router())
        .route("/stats", get(stats::root))
        .route("/stats/{code}", get(stats::dashboard))
        .route("/stats/{code}/records", get(stats::records))
        .route("/stats/{code}/summary", get(stats_summary::page))
        .route("/stats/{code}/summary.pdf", get(stats_summary::pdf))
        .route("/stats/{code}/screen", get(stats::screen))
        .route("/stats/maps/{file}", get(stats_map::geojson))
        .route("/admin/audit", get(admin::audit))
        .route(
            "/admin/admins",
            get(admin_accounts::admins).post(admin_accounts::create_admin),
        )
        .route("/admin/admins/revoke", post(admin_accounts::revoke_admin))
}

/// An error page (404 for the fallback, 405, a refused form …) outside any page handler.
pub fn status_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    message: Option<String>,
) -> Response {
    let root = state.services.root_region().ok().map(|r| r.name.clone());
    common::error_page(ctx, root, status, message)
}

#[cfg(test)]
mod tests;
