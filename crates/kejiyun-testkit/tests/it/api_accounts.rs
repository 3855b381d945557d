use kejiyun_testkit::{PASSWORD, TestApp, client, phone};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["database"], "sqlite");
    assert!(
        r.headers.contains_key("x-request-id"),
        "every answer carries its request id"
    );
    app.stop().await;
}

#[tokio::test]
async fn register_login_me_logout_with_cookie() {
    let app = TestApp::spawn().await;
    let c = client();
    let login = phone();
    let r = app
        .send_with(
            &c,
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({
                "login": login, "password": PASSWORD, "display_name": "张三", "region": "511623"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let r = app
        .send_with(
            &c,
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "login": login, "password": PASSWORD })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r.headers["set-cookie"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("kjy_session=kjy_"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        r.body["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("kjy_"))
    );

    let me = app
        .send_with(&c, Method::GET, "/api/v1/me", None, None)
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["display_name"], "张三");
    assert_eq!(
        me.body["phone"], login,
        "the owner sees their own phone in full"
    );
    assert_eq!(me.body["region"]["full_name"], "四川省 / 广安市 / 邻水县");
    assert_eq!(me.body["roles"], json!(["user"]));

    let r = app
        .send_with(
            &c,
            Method::PATCH,
            "/api/v1/me",
            None,
            Some(json!({
                "display_name": "张三丰", "region": "511621", "bio": "种植柑橘二十年"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["region"]["code"], "511621");

    let r = app
        .send_with(&c, Method::POST, "/api/v1/auth/logout", None, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let me = app
        .send_with(&c, Method::GET, "/api/v1/me", None, None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.error_code(), "unauthenticated");
    app.stop().await;
}

#[tokio::test]
async fn email_registration_and_duplicates() {
    let app = TestApp::spawn().await;
    let body =
        json!({ "login": "Li.Si@Example.com", "password": PASSWORD, "display_name": "李四" });
    assert_eq!(
        app.post("/api/v1/auth/register", None, body.clone())
            .await
            .status,
        StatusCode::CREATED
    );
    let again =
        json!({ "login": "li.si@example.com", "password": PASSWORD, "display_name": "李四" });
    let r = app.post("/api/v1/auth/register", None, again).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("已注册")
    );
    let u = app.login("li.si@example.com").await;
    assert!(u.id > 0);
    app.stop().await;
}

#[tokio::test]
async fn lockout_after_five_failures_and_never_reveals_accounts() {
    let app = TestApp::spawn().await;
    let known = app.user("王五", None).await;
    let unknown = phone();
    for login in [&known.login, &unknown] {
        for _ in 0..5 {
            let r = app.try_login(login, "Wrong-pass-1").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert_eq!(r.body["error"]["message"], "登录名或密码错误");
        }
        // Locked now, even with the right password, and the same for an unknown account.
        let r = app.try_login(login, PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{login}");
        assert_eq!(r.error_code(), "too_many_attempts");
    }
    app.stop().await;
}

#[tokio::test]
async fn api_tokens_create_use_and_revoke() {
    let app = TestApp::spawn().await;
    let u = app.user("赵六", None).await;
    let r = app
        .post(
            "/api/v1/tokens",
            Some(&u.token),
            json!({ "name": "县农业局同步", "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let secret = r.body["token"].as_str().unwrap_or_default().to_owned();
    let id = r.body["info"]["id"].as_i64().unwrap_or_default();

    let me = app.get("/api/v1/me", Some(&secret)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], u.id);

    let list = app.get("/api/v1/tokens", Some(&u.token)).await;
    assert_eq!(list.body["total"], 1);
    assert!(
        list.body["items"][0].get("token").is_none(),
        "secrets are never listed"
    );

    let other = app.user("孙七", None).await;
    let r = app
        .send_with(
            &client(),
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&other.token),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "someone else's token cannot be revoked"
    );

    let r = app
        .send_with(
            &client(),
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&u.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let me = app.get("/api/v1/me", Some(&secret)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.error_code(), "invalid_token");

    let r = app
        .post(
            "/api/v1/tokens",
            Some(&u.token),
            json!({ "name": "x", "expires_in_days": 0 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn regions_tree() {
    let app = TestApp::spawn().await;
    let root = app.get("/api/v1/regions", None).await;
    assert_eq!(root.body["items"][0]["code"], "510000");
    assert_eq!(root.body["items"][0]["children_count"], 21);

    let r = app.get("/api/v1/regions/511600/children", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["total"], 6);
    let names: Vec<_> = r.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["name"].clone())
        .collect();
    assert!(names.contains(&json!("邻水县")) && names.contains(&json!("岳池县")));

    let r = app.get("/api/v1/regions/511623", None).await;
    assert_eq!(r.body["full_name"], "四川省 / 广安市 / 邻水县");
    assert_eq!(r.body["level"], "county");

    let r = app.get("/api/v1/regions?q=邻水", None).await;
    assert_eq!(r.body["items"][0]["code"], "511623");

    assert_eq!(
        app.get("/api/v1/regions/110101", None).await.status,
        StatusCode::NOT_FOUND,
        "outside the deployment"
    );
    assert_eq!(
        app.get("/api/v1/regions/999999", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/regions/5116", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.stop().await;
}

#[tokio::test]
async fn any_province_can_be_the_root() {
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| c.root_region = "440000".into()).await;
    let root = app.get("/api/v1/regions", None).await;
    assert_eq!(root.body["items"][0]["name"], "广东省");
    assert_eq!(
        app.get("/api/v1/regions/511623", None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({
                "login": phone(), "password": PASSWORD, "display_name": "x", "region": "511623"
            }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a region outside the root is refused"
    );
    app.stop().await;
}
