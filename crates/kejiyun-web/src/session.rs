//! Who is calling, in what language, and the CSRF token of their forms.
//!
//! `resolve` runs before every page and API handler: it authenticates the session cookie or the
//! `Authorization: Bearer` token, picks the language, and makes sure the browser holds a CSRF
//! cookie. Forms post that value back as `csrf_token` ([`CsrfForm`] checks it: double-submit),
//! on top of the Origin / `Sec-Fetch-Site` check every unsafe request passes and SameSite
//! cookies.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use kejiyun_core::auth::{TokenInfo, new_csrf_value};
use kejiyun_core::permissions::Actor;
use kejiyun_core::regions::RegionCode;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "kjy_session";
pub const CSRF_COOKIE: &str = "kjy_csrf";
pub const LANG_COOKIE: &str = "kjy_lang";
pub const ELDER_COOKIE: &str = "kjy_elder";
/// The visitor's own region (the site-wide switcher): home shows this region first.
pub const REGION_COOKIE: &str = "kjy_region";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    Cookie,
    Bearer,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub token: TokenInfo,
    pub via: AuthVia,
}

/// Per-request context, available to every handler.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub session: Option<Session>,
    pub csrf: String,
    pub lang: Lang,
    pub elder: bool,
    pub path: String,
    /// Unread notifications of a logged-in page visitor (the header badge); 0 for API calls.
    pub unread_notifications: u64,
    /// For an admin's pages: the items waiting in the moderation queue of their regions.
    pub pending_moderation: u64,
    /// An administrator whose password expired (acting as an ordinary user): pages show a
    /// banner leading to the change form.
    pub password_expired: bool,
    /// The region the visitor chose (cookie), if it is a well-formed code; pages check that
    /// it lies in the deployment's tree before using it.
    pub chosen_region: Option<RegionCode>,
}

impl Ctx {
    pub fn actor(&self) -> Option<&Actor> {
        self.session.as_ref().map(|s| &s.actor)
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let v = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn query_param(parts: &Parts, name: &str) -> Option<String> {
    let q = parts.uri.query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

pub fn cookie_header(
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age_secs}");
    if http_only {
        s.push_str("; HttpOnly");
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

pub async fn resolve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let jar = CookieJar::from_headers(&parts.headers);
    let secure = state.config.secure_cookies;

    let (secret, via) = match bearer(&parts) {
        Some(t) => (Some(t), AuthVia::Bearer),
        None => (
            jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()),
            AuthVia::Cookie,
        ),
    };
    let mut session = None;
    if let Some(secret) = secret {
        match state.services.accounts().authenticate(&secret).await {
            Ok(Some((actor, token))) => session = Some(Session { actor, token, via }),
            Ok(None) if via == AuthVia::Bearer => {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "令牌无效或已过期",
                )
                .into_response();
            }
            Ok(None) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }

    let existing_csrf = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 16 && v.len() <= 64);
    let csrf = existing_csrf.clone().unwrap_or_else(new_csrf_value);
    let lang_param = query_param(&parts, "lang").and_then(|l| Lang::parse(&l));
    let lang = lang_param
        .or_else(|| jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
        .unwrap_or_default();
    let elder_param = query_param(&parts, "elder");
    let elder = match elder_param.as_deref() {
        Some("1") => true,
        Some("0") => false,
        _ => jar.get(ELDER_COOKIE).is_some_and(|c| c.value() == "1"),
    };
    // Only pages show the badge: API calls and static files skip the count.
    let is_page =
        !parts.uri.path().starts_with("/api/") && !parts.uri.path().starts_with("/static/");
    let unread_notifications = match &session {
        Some(s) if s.via == AuthVia::Cookie && is_page => state
            .services
            .notifications()
            .unread_notifications(&s.actor)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "counting unread notifications failed");
                0
            }),
        _ => 0,
    };
    // An admin is told on every page that something waits for them.
    let pending_moderation = match &session {
        Some(s) if s.via == AuthVia::Cookie && is_page && s.actor.runs_regions() => state
            .services
            .moderation()
            .pending_count(&s.actor)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "counting the moderation queue failed");
                0
            }),
        _ => 0,
    };
    let password_expired = match &session {
        Some(s) if s.via == AuthVia::Cookie && is_page => state
            .services
            .passwords()
            .expired(s.actor.user_id)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "checking the password's age failed");
                false
            }),
        _ => false,
    };
    let chosen_region = jar
        .get(REGION_COOKIE)
        .and_then(|c| RegionCode::parse(c.value()).ok());
    let ctx = Ctx {
        session,
        csrf: csrf.clone(),
        lang,
        elder,
        path: parts.uri.path().to_owned(),
        unread_notifications,
        pending_moderation,
        password_expired,
        chosen_region,
    };
    parts.extensions.insert(ctx);
    let mut response = next.run(Request::from_parts(parts, body)).await;

    let headers = response.headers_mut();
    if existing_csrf.is_none() {
        headers.append(
            SET_COOKIE,
            cookie_header(CSRF_COOKIE, &csrf, 86_400 * 30, false, secure),
        );
    }
    if let Some(l) = lang_param {
        headers.append(
            SET_COOKIE,
            cookie_header(LANG_COOKIE, l.code(), 86_400 * 365, false, secure),
        );
    }
    if let Some(e) = elder_param.filter(|e| e == "0" || e == "1") {
        headers.append(
            SET_COOKIE,
            cookie_header(ELDER_COOKIE, &e, 86_400 * 365, false, secure),
        );
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误",
            )
        })
    }
}

/// An API caller who must be logged in (cookie or bearer token).
#[derive(Debug, Clone)]
pub struct ApiUser(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        ctx.session
            .map(ApiUser)
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// Why a form post was refused before reaching its handler: the site's error page.
#[derive(Debug)]
pub struct FormRejection(pub Response);

impl IntoResponse for FormRejection {
    fn into_response(self) -> Response {
        self.0
    }
}

/// An url-encoded form whose `csrf_token` field must equal the visitor's CSRF cookie; the
/// remaining fields deserialize into `T`.
pub struct CsrfForm<T>(pub T);

/// A form that carries nothing but its CSRF token (a button: submit, close, withdraw …).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmptyForm {}

impl<T> FromRequest<AppState> for CsrfForm<T>
where
    T: DeserializeOwned,
{
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = req.extensions().get::<Ctx>().cloned();
        let fail = |status: StatusCode, message: &str| match &ctx {
            Some(ctx) => FormRejection(crate::pages::status_page(
                state,
                ctx,
                status,
                Some(message.to_owned()),
            )),
            None => FormRejection(ApiError::new(status, "bad_form", message).into_response()),
        };
        let cookie = CookieJar::from_headers(req.headers())
            .get(CSRF_COOKIE)
            .map(|c| c.value().to_owned());
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(fail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "请通过页面表单提交",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| fail(StatusCode::PAYLOAD_TOO_LARGE, "提交的内容过大"))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| fail(StatusCode::BAD_REQUEST, "表单内容无法解析"))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf_token")
            .map(|(_, v)| v.as_str());
        match (cookie.as_deref(), sent) {
            (Some(c), Some(s)) if !c.is_empty() && c == s => {}
            _ => {
                return Err(fail(
                    StatusCode::FORBIDDEN,
                    "页面已过期或来源不明，请刷新页面后重试",
                ));
            }
        }
        let rest: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(k, _)| k != "csrf_token")
            .collect();
        let encoded = serde_urlencoded::to_string(&rest)
            .map_err(|_| fail(StatusCode::BAD_REQUEST, "表单内容无法解析"))?;
        serde_urlencoded::from_str(&encoded)
            .map(CsrfForm)
            .map_err(|_| fail(StatusCode::BAD_REQUEST, "表单内容不完整"))
    }
}
