//! Kejiyun's HTTP adapter: the axum router, middleware, server-rendered pages and the
//! `/api/v1` JSON API. Handlers translate HTTP into calls on [`Services`]; they hold no rules.
//! This crate gets the store as a port (`Arc<dyn Store>` inside `Services`) and never sees SQL.

pub mod api;
mod assets;
pub mod certificate_pdf;
pub mod error;
mod extract;
pub mod i18n;
mod input_errors;
mod pages;
mod private_answers;
pub mod resource_views;
pub mod session;
mod summary_pdf;
pub mod table_export;
pub mod throttle;
mod view;
pub mod xlsx_import;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{CONTENT_TYPE, HeaderName};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kejiyun_core::app::Services;
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::{ApiError, ErrorBody};
pub use throttle::{Rate, Throttle, ThrottleConfig};

/// Settings of the HTTP layer (the binary fills them from the configuration).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Shown on the login page of a demo deployment (demo accounts and passwords).
    pub demo_notice: Option<String>,
    /// Per-address limits of login and registration.
    pub throttle: ThrottleConfig,
    /// Where an operator puts reviewed boundary maps for the big screen (`<code>.geojson` with
    /// its 审图号 in `<code>.txt`); `None`: tile grids only.
    pub map_dir: Option<std::path::PathBuf>,
    /// The font certificates are set in (read on the first download).
    pub certificate_font: std::path::PathBuf,
    /// The platform's public address for certificates' QR codes; empty: the request's host.
    pub public_url: String,
    /// Count views of popular-science resources (浏览量); off: the resource page and API
    /// neither derive a visitor key nor count (`kejiyun bench views` measures the difference).
    pub count_views: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            secure_cookies: false,
            demo_notice: None,
            throttle: ThrottleConfig::default(),
            map_dir: None,
            certificate_font: std::path::PathBuf::from("models").join(certificate_pdf::FONT_FILE),
            public_url: String::new(),
            count_views: true,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub config: Arc<WebConfig>,
    /// Set when the server is asked to stop: `/readyz` answers "draining" so a load balancer
    /// stops sending, and answers carry `Connection: close` so clients leave their kept-alive
    /// connections before the server stops accepting (a request written on an idle connection
    /// just as it is closed would be reset).
    pub draining: Arc<AtomicBool>,
    /// The per-address budgets of this process (see [`throttle`]).
    pub throttle: Arc<Throttle>,
    /// The region picker's options, rendered once (see [`pages::widgets::RegionOptions`]).
    pub region_options: Arc<pages::widgets::RegionOptions>,
    /// The certificates' font, parsed once on first use.
    pub certificate_font: Arc<certificate_pdf::CertificateFont>,
}

impl AppState {
    pub fn new(services: Arc<Services>, config: WebConfig) -> Self {
        let throttle = Arc::new(Throttle::new(config.throttle));
        let certificate_font = Arc::new(certificate_pdf::CertificateFont::new(
            config.certificate_font.clone(),
        ));
        Self {
            services,
            config: Arc::new(config),
            draining: Arc::default(),
            throttle,
            region_options: Arc::default(),
            certificate_font,
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: pages, API, static files, health checks and the middleware stack.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit_bytes;
    let timeout = state.config.request_timeout;
    let (api_router, openapi) = api::split();
    let openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_default());

    let app = Router::new()
        .merge(pages::router())
        .merge(api_router)
        .merge(api::uploads::file_routes())
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi_json.clone();
                async move { ([(CONTENT_TYPE, "application/json")], (*doc).clone()) }
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Inside `resolve`: a refused page needs the visitor's language and layout.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            extract::plain_query,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            throttle::limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest_service("/static", assets::service())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            close_when_draining,
        ))
        .with_state(state);

    let csrf_rejection = |_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "拒绝跨站请求：请从本站页面提交",
        )
        .into_response()
    };

    app.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
            })
            .on_response(DefaultOnResponse::new().level(Level::INFO)))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(middleware::from_fn(private_answers::private_answers))
            .layer(compression())
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误").into_response()
            }))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
            .layer(CsrfLayer::new().with_rejection_response(csrf_rejection))
            .layer(DefaultBodyLimit::max(body_limit))
            .layer(SetResponseHeaderLayer::if_not_present(
                HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                HeaderName::from_static("x-frame-options"),
                HeaderValue::from_static("DENY"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                HeaderName::from_static("referrer-policy"),
                HeaderValue::from_static("same-origin"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                HeaderName::from_static("content-security-policy"),
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
                ),
            )),
    )
}

/// Pages and API answers are compressed (brotli preferred, then gzip; tower-http's fast
/// brotli level 4, since each answer is compressed anew). Static files come compressed
/// already (`assets`: best settings, once per process) and carry `Content-Encoding`, which
/// the layer leaves alone; formats that are compressed in themselves are sent as they are.
fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(256)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("font/"))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::SSE);
    CompressionLayer::new().compress_when(predicate)
}

/// Liveness: the process answers.
async fn healthz() -> impl IntoResponse {
    axum::Json(json!({ "status": "ok" }))
}

/// How long readiness waits for the database: a probe must answer fast even when the
/// database hangs.
const READINESS_TIMEOUT: Duration = Duration::from_secs(1);

/// Readiness: a write can commit now (the probe write), answered within a second. `reason`
/// says why not: `storage_full`, `busy`, `database_unavailable` or `timeout`.
async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({ "status": "draining", "reason": "shutting_down" })),
        )
            .into_response();
    }
    let store = &state.services.store;
    let probe = store.check_writable(state.services.now());
    let reason = match tokio::time::timeout(READINESS_TIMEOUT, probe).await {
        Ok(Ok(())) => {
            return axum::Json(json!({
                "status": "ready",
                "database": store.backend_name(),
            }))
            .into_response();
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            match kejiyun_core::DomainError::from(e) {
                e @ kejiyun_core::DomainError::Unavailable { .. } => e.code(),
                _ => "internal",
            }
        }
        Err(_) => {
            tracing::warn!("readiness check timed out: the database does not answer");
            "timeout"
        }
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({ "status": "unavailable", "reason": reason })),
    )
        .into_response()
}

/// While draining, every answer closes its connection (see [`AppState::draining`]).
async fn close_when_draining(
    State(state): State<AppState>,
    request: Request,
    next: middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    if state.draining.load(Ordering::Relaxed) {
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            HeaderValue::from_static("close"),
        );
    }
    response
}

async fn method_not_allowed(State(state): State<AppState>, ctx: session::Ctx) -> Response {
    if ctx.path.starts_with("/api/") {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "不支持该请求方法",
        )
        .into_response()
    } else {
        pages::status_page(
            &state,
            &ctx,
            StatusCode::METHOD_NOT_ALLOWED,
            Some("不支持该请求方法".into()),
        )
    }
}

async fn not_found(State(state): State<AppState>, ctx: session::Ctx) -> Response {
    if ctx.path.starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        pages::status_page(&state, &ctx, StatusCode::NOT_FOUND, None)
    }
}
