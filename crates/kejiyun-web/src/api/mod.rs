//! `/api/v1`: JSON in, JSON out, errors in the shape of docs/product.md ("Conventions"). Every route is declared
//! with `#[utoipa::path]`, so `/api/v1/openapi.json` is generated from the code it describes.

mod accounts;
mod admin;
pub mod dto;
mod market;
mod moderation;
mod notifications;
mod orgs;
mod profiles;
mod regions;
pub mod search;
mod stats;
mod stats_export;
mod tech_workers;
mod tokens;

use kejiyun_core::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use kejiyun_core::paging::Page;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kejiyun (科技云) API",
        version = "1",
        description = "The JSON API of a science & technology service cloud. Errors are \
            `{\"error\": {\"code\", \"message\", \"field\"?}}` with a Chinese message. Lists page \
            with `page` and `per_page` (1–100). Authenticate with the session cookie set by \
            `POST /api/v1/auth/login`, or `Authorization: Bearer <token>` (the login's `token`, or \
            an API token from `POST /api/v1/tokens`). Cross-site unsafe requests are refused. \
            Any route may answer 429 `too_many_attempts`/`too_many_requests` (login lockout, \
            per-address throttle), 503 `busy`/`database_unavailable`/`search_rebuilding` or 507 \
            `storage_full` (nothing was written), each with `Retry-After` in seconds; a query \
            parameter holding a control character is 422. A 2xx write has committed."
    ),
    modifiers(&Security),
    security((), ("bearer" = []), ("session_cookie" = [])),
    tags(
        (name = "auth", description = "Registration, login (by password or one-time code), password reset, logout"),
        (name = "me", description = "The caller's own account"),
        (name = "regions", description = "GB/T 2260 administrative regions"),
        (name = "tech-workers", description = "科技工作者: applications and the directory"),
        (name = "orgs", description = "Organizations: registration, verification, directory"),
        (name = "moderation", description = "The moderation queue of the caller's regions"),
        (name = "tokens", description = "API tokens for integrations"),
        (name = "admin", description = "Administrators and the audit log"),
        (name = "stats", description = "Statistics: exact figures rolled up over the region tree, and the records behind them"),
        (name = "services", description = "科技服务: services of verified tech workers and organizations"),
        (name = "needs", description = "科技需求: needs, with the guided form's completeness score"),
        (name = "achievements", description = "科技成果: achievements and their transfer terms"),
        (name = "categories", description = "The category catalogue and the marketplace's vocabularies"),
        (name = "inquiries", description = "对接: message threads between the two sides of a posting"),
        (name = "quotes", description = "报价: providers' quotes on needs; accept, decline, withdraw"),
        (name = "deals", description = "交易: proposed, confirmed, cancelled; offline contracts with evidence"),
        (name = "tickets", description = "科服保姆: caseworker tickets of region staff"),
        (name = "search", description = "One search box over everything published, and supply–demand matching (供需对接) with reasons"),
        (name = "notifications", description = "站内信: the caller's inbox and delivery preference"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::session::SESSION_COOKIE,
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    let posting_actions = [
        market::postings::lifecycle_routes::<ServiceDraft>(
            "/api/v1/services",
            "services",
            "service",
        ),
        market::postings::lifecycle_routes::<NeedDraft>("/api/v1/needs", "needs", "need"),
        market::postings::lifecycle_routes::<AchievementDraft>(
            "/api/v1/achievements",
            "achievements",
            "achievement",
        ),
    ];
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let api = posting_actions
        .into_iter()
        .flatten()
        .fold(api, |api, route| api.routes(route));
    api.routes(routes!(accounts::register))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::request_code))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::code_login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::me, accounts::update_me))
        .routes(routes!(regions::list_regions))
        .routes(routes!(regions::get_region))
        .routes(routes!(regions::region_children))
        .routes(routes!(tech_workers::list, tech_workers::apply))
        .routes(routes!(tech_workers::get_one, tech_workers::edit))
        .routes(routes!(tech_workers::verify))
        .routes(routes!(tech_workers::reject))
        .routes(routes!(orgs::list, orgs::register))
        .routes(routes!(orgs::get_one, orgs::edit))
        .routes(routes!(orgs::verify))
        .routes(routes!(orgs::reject))
        .routes(routes!(moderation::queue))
        .routes(routes!(moderation::approve))
        .routes(routes!(moderation::reject))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(admin::audit_log))
        .routes(routes!(admin::list_admins, admin::create_admin))
        .routes(routes!(search::search))
        .routes(routes!(search::need_matches))
        .routes(routes!(search::service_matches))
        .routes(routes!(search::achievement_matches))
        .routes(routes!(stats::stats))
        .routes(routes!(stats::metrics))
        .routes(routes!(stats::records))
        .routes(routes!(stats_export::export_csv))
        .routes(routes!(stats_export::export_xlsx))
        .routes(routes!(market::catalogue::catalogue))
        .routes(routes!(market::services::list, market::services::create))
        .routes(routes!(market::services::get_one, market::services::edit))
        .routes(routes!(market::needs::list, market::needs::create))
        .routes(routes!(market::needs::completeness))
        .routes(routes!(market::needs::get_one, market::needs::edit))
        .routes(routes!(
            market::achievements::list,
            market::achievements::create
        ))
        .routes(routes!(
            market::achievements::get_one,
            market::achievements::edit
        ))
        .routes(routes!(market::inquiries::list, market::inquiries::create))
        .routes(routes!(market::inquiries::get_one))
        .routes(routes!(market::inquiries::reply))
        .routes(routes!(market::quotes::list, market::quotes::create))
        .routes(routes!(market::quotes::get_one))
        .routes(routes!(market::quotes::accept))
        .routes(routes!(market::quotes::decline))
        .routes(routes!(market::quotes::withdraw))
        .routes(routes!(market::quotes::ask))
        .routes(routes!(market::deals::list, market::deals::create))
        .routes(market::offline_deal_route())
        .routes(routes!(market::deals::get_one))
        .routes(routes!(market::deals::confirm))
        .routes(routes!(market::deals::cancel))
        .routes(routes!(market::deals::evidence))
        .routes(routes!(market::tickets::list, market::tickets::create))
        .routes(routes!(market::tickets::get_one))
        .routes(routes!(market::tickets::follow_up))
        .routes(routes!(market::tickets::link))
        .routes(routes!(market::tickets::close))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(
            notifications::preferences,
            notifications::set_preferences
        ))
}

/// The OpenAPI document of the routes above (what `/api/v1/openapi.json` serves and `/api`
/// shows).
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

pub(crate) fn page(page: Option<u32>, per_page: Option<u32>) -> Result<Page, ApiError> {
    Page::new(page, per_page).map_err(ApiError::from)
}
