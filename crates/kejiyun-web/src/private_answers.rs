//! Answers to a signed-in request are nobody else's: `Cache-Control: private, no-store` on
//! every answer to a request that carries credentials (a bearer token or the session cookie),
//! unless the handler chose a policy itself (static files, the public map) — so no shared
//! cache or back-forward cache keeps `/api/v1/me`, an admin's list with ID numbers, deals or
//! the audit log. And a `Cookie` header larger than any this site sets is refused before it
//! is parsed (431), instead of being carried through every layer.

use axum::extract::Request;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::session::SESSION_COOKIE;

/// The largest `Cookie` header accepted: the site sets three short cookies; 8 KB is what
/// common servers allow per header.
pub const MAX_COOKIE_BYTES: usize = 8 * 1024;

/// Whether the request carries credentials.
fn credentialed(req: &Request) -> bool {
    req.headers().contains_key(AUTHORIZATION)
        || req.headers().get_all(COOKIE).iter().any(|v| {
            // Each `name=value` pair, without building a string per request.
            v.to_str().is_ok_and(|s| {
                s.split(';').any(|pair| {
                    pair.trim_start()
                        .strip_prefix(SESSION_COOKIE)
                        .is_some_and(|rest| rest.starts_with('='))
                })
            })
        })
}

pub async fn private_answers(req: Request, next: Next) -> Response {
    let cookie_bytes: usize = req.headers().get_all(COOKIE).iter().map(|v| v.len()).sum();
    if cookie_bytes > MAX_COOKIE_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "cookie_too_large",
            "Cookie 过大（超过 8 KB）：请清除本站 Cookie 后重试",
        )
        .into_response();
    }
    let private = credentialed(&req);
    let mut response = next.run(req).await;
    if private && !response.headers().contains_key(CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/me", get(|| async { "me" }))
            .route(
                "/static",
                get(|| async { ([(CACHE_CONTROL, "public, max-age=3600")], "css") }),
            )
            .layer(axum::middleware::from_fn(private_answers))
    }

    async fn send(path: &str, headers: &[(&str, String)]) -> Response {
        let mut req = Request::builder().uri(path);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        app()
            .oneshot(req.body(Body::empty()).unwrap_or_default())
            .await
            .unwrap_or_else(|e| match e {})
    }

    #[tokio::test]
    async fn signed_in_answers_are_not_stored_and_huge_cookies_are_refused() {
        let anonymous = send("/me", &[]).await;
        assert!(anonymous.headers().get(CACHE_CONTROL).is_none());
        let bearer = send("/me", &[("authorization", "Bearer abc".into())]).await;
        assert_eq!(bearer.headers()[CACHE_CONTROL], "private, no-store");
        let cookie = send("/me", &[("cookie", format!("lang=zh; {SESSION_COOKIE}=x"))]).await;
        assert_eq!(cookie.headers()[CACHE_CONTROL], "private, no-store");
        let chosen = send("/static", &[("authorization", "Bearer abc".into())]).await;
        assert_eq!(chosen.headers()[CACHE_CONTROL], "public, max-age=3600");
        let huge = send("/me", &[("cookie", format!("a={}", "x".repeat(64 * 1024)))]).await;
        assert_eq!(huge.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
}
