//! Bad input: a 4xx in the error shape with a Chinese message, nothing written, never a 500.

use kejiyun_testkit::{PASSWORD, TestApp, phone};
use reqwest::StatusCode;
use serde_json::json;

fn assert_error_shape(r: &kejiyun_testkit::Reply) {
    let msg = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !r.body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{:?}",
        r.body
    );
    assert!(
        msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "Chinese message: {msg}"
    );
    assert!(r.status.is_client_error(), "{} {:?}", r.status, r.body);
}

async fn cannot_login(app: &TestApp, login: &str) {
    let r = app.try_login(login, PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "nothing was written for {login}"
    );
}

#[tokio::test]
async fn malformed_and_mistyped_bodies() {
    let app = TestApp::spawn().await;
    let login = phone();

    let r = app
        .post_raw(
            "/api/v1/auth/register",
            "application/json",
            b"{\"login\": ".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "malformed_json");
    assert_error_shape(&r);

    let body =
        format!("{{\"login\":\"{login}\",\"password\":\"{PASSWORD}\",\"display_name\":\"x\"}}");
    let r = app
        .post_raw("/api/v1/auth/register", "text/plain", body.into_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_error_shape(&r);

    let mut bad_utf8 = b"{\"login\":\"".to_vec();
    bad_utf8.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    bad_utf8.extend_from_slice(
        format!("\",\"password\":\"{PASSWORD}\",\"display_name\":\"x\"}}").as_bytes(),
    );
    let r = app
        .post_raw("/api/v1/auth/register", "application/json", bad_utf8)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_error_shape(&r);

    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({
                "login": login, "password": PASSWORD, "display_name": "x", "is_admin": true
            }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );
    assert_error_shape(&r);

    let r = app
        .post("/api/v1/auth/register", None, json!({ "login": login }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "missing fields");
    assert_error_shape(&r);
    cannot_login(&app, &login).await;
    app.stop().await;
}

#[tokio::test]
async fn invalid_fields_name_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({ "login": "zhangsan", "password": PASSWORD, "display_name": "x" }),
            "login",
        ),
        (
            json!({ "login": phone(), "password": "short", "display_name": "x" }),
            "password",
        ),
        (
            json!({ "login": phone(), "password": PASSWORD, "display_name": "名".repeat(33) }),
            "display_name",
        ),
        (
            json!({ "login": phone(), "password": PASSWORD, "display_name": "  " }),
            "display_name",
        ),
        (
            json!({ "login": phone(), "password": PASSWORD, "display_name": "x", "region": "51162" }),
            "region",
        ),
        (
            json!({ "login": phone(), "password": PASSWORD, "display_name": "x", "region": "110101" }),
            "region",
        ),
        (
            json!({ "login": phone(), "password": PASSWORD, "display_name": "代开发票" }),
            "display_name",
        ),
    ];
    for (mut body, field) in cases {
        let login = body["login"].as_str().unwrap_or_default().to_owned();
        // The form is judged before the code: a bad field never spends an attempt.
        body["code"] = json!("123456");
        let r = app.post("/api/v1/auth/register", None, body).await;
        r.assert_invalid_field(field);
        assert_error_shape(&r);
        if login.len() == 11 {
            cannot_login(&app, &login).await;
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| c.body_limit_bytes = 4096).await;
    let login = phone();
    let big = json!({ "login": login, "password": PASSWORD, "display_name": "x", "region": "a".repeat(10_000) });
    let r = app.post("/api/v1/auth/register", None, big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_shape(&r);
    cannot_login(&app, &login).await;
    app.stop().await;
}

#[tokio::test]
async fn script_and_sql_are_stored_as_text() {
    let app = TestApp::spawn().await;
    let u = app.user("测试", Some("511623")).await;
    let name = "<script>alert(1)</script>'; DROP TABLE users; --";
    let r = app
        .send_with(
            &kejiyun_testkit::client(),
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&u.token),
            Some(json!({
                "display_name": name.chars().take(32).collect::<String>(), "bio": name
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["bio"], name);
    let again = app.get("/api/v1/me", Some(&u.token)).await;
    assert_eq!(
        again.body["bio"], name,
        "stored verbatim; users table intact"
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_bad_paths() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_error_shape(&r);
    let r = app
        .send_with(
            &kejiyun_testkit::client(),
            reqwest::Method::DELETE,
            "/api/v1/me",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error_shape(&r);
    let r = app.get("/api/v1/tech-workers/abc", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_error_shape(&r);
    let r = app.get("/api/v1/tech-workers?per_page=1000", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error_shape(&r);
    let r = app.get("/api/v1/tech-workers?page=-1", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_error_shape(&r);
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::spawn().await;
    let login = phone();
    let resp = kejiyun_testkit::client()
        .post(app.url("/api/v1/auth/register"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .json(&json!({ "login": login, "password": PASSWORD, "display_name": "x" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    cannot_login(&app, &login).await;
    app.stop().await;
}
