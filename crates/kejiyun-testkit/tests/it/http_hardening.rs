//! Issue 25's lesser findings, over HTTP on the real server: answers to signed-in requests are
//! `Cache-Control: private, no-store` (public ones keep their caching), the CSP forbids plugins
//! and foreign `<base>`, a 64 KB `Cookie` header is refused with 431, and a name with a
//! right-to-left override is a Chinese 422 naming the field, and so is a common password or
//! one holding the phone number.

use kejiyun_testkit::{PASSWORD, TestApp, client, phone};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn private_answers_csp_cookie_size_and_direction_overrides() {
    let app = TestApp::spawn().await;
    let farmer = app.user("王小明", Some("511623")).await;

    let me = app.get("/api/v1/me", Some(&farmer.token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.headers["cache-control"], "private, no-store");
    let public = app.get("/api/v1/services", None).await;
    assert!(
        public.headers.get("cache-control").is_none(),
        "{:?}",
        public.headers
    );
    let home = client()
        .get(app.url("/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csp = home
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("object-src 'none'") && csp.contains("base-uri 'self'"),
        "{csp}"
    );

    let huge = client()
        .get(app.url("/api/v1/services"))
        .header("cookie", format!("junk={}", "x".repeat(64 * 1024)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(huge.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);

    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"login": phone(), "code": "123456", "password": PASSWORD,
                   "display_name": "王\u{202E}明小", "region": "511623"}),
        )
        .await;
    r.assert_invalid_field("display_name");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("文字方向"), "{message}");

    // A password from the common list, or one holding the phone number: refused, nothing made.
    let login = phone();
    for (password, says) in [
        ("Aa123456".to_owned(), "太常见"),
        (format!("ab{login}"), "手机号"),
    ] {
        let r = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"login": login, "code": "123456", "password": password, "display_name": "李四"}),
            )
            .await;
        r.assert_invalid_field("password");
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{password}: {message}");
    }
    assert_eq!(
        app.try_login(&login, "Aa123456").await.status,
        StatusCode::UNAUTHORIZED
    );
}
