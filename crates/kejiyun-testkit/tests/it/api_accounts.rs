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
    let code = app.registration_code(&login).await;
    let r = app
        .send_with(
            &c,
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({
                "login": login, "code": code, "password": PASSWORD, "display_name": "张三",
                "region": "511623"
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

/// Registration proves the number or address with a code, and says nothing about who is
/// registered: a registered login name gets the same answers as a new one, its owner a
/// reminder instead of a code, and any code typed for it is a wrong code.
#[tokio::test]
async fn registration_by_code_never_reveals_accounts() {
    let app = TestApp::spawn().await;
    let body = json!({ "password": PASSWORD, "display_name": "李四" });
    let r = app.register("Li.Si@Example.com", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let u = app.login("li.si@example.com").await;
    assert!(u.id > 0);

    // Without a code, or with a made-up one, nobody registers.
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({ "login": phone(), "code": "", "password": PASSWORD, "display_name": "王五" }),
        )
        .await;
    r.assert_invalid_field("code");

    // The same questions about a registered and a new login name get the same answers (the
    // registered one made by the operator, so no code of its own registration is pending).
    let registered = format!("old{}@example.com", &phone()[3..]);
    app.services()
        .accounts()
        .create_account(kejiyun_core::app::RegisterInput {
            login: registered.clone(),
            password: PASSWORD.into(),
            display_name: "老用户".into(),
            region: None,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let new = format!("new{}@example.com", &phone()[3..]);
    let mut answers = Vec::new();
    for login in [registered.as_str(), new.as_str()] {
        let asked = app
            .post(
                "/api/v1/auth/codes",
                None,
                json!({ "login": login, "purpose": "register" }),
            )
            .await;
        let guessed = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({ "login": login, "code": "000000", "password": PASSWORD, "display_name": "李四" }),
            )
            .await;
        answers.push((
            asked.status,
            asked.body.clone(),
            guessed.status,
            guessed.body["error"]["message"].clone(),
        ));
    }
    // (A guessed 000000 could be the new name's real code once in a million runs.)
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].2, StatusCode::UNPROCESSABLE_ENTITY);
    // The owner was told, and got no code; the new name got its code.
    let owner = app.sent.to(&registered);
    let reminder = owner.last().map(|m| m.body.clone()).unwrap_or_default();
    assert!(reminder.contains("已经注册过"), "{reminder}");
    assert!(
        owner.iter().all(|m| !m.subject.contains("验证码")),
        "no code for a registered name"
    );
    assert!(app.sent.last_code(&new).is_some());
    app.stop().await;
}

/// The registration page in its two steps: the number, then the code with the password.
#[tokio::test]
async fn registration_page_sends_a_code_then_registers() {
    let app = TestApp::spawn().await;
    let login = phone();
    let (status, html) = app.page(None, None, "/register").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"register-code-form\""), "{html}");
    let (status, html) = app
        .page(None, Some(&[("login", login.as_str())]), "/register/code")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"register-form\""), "{html}");
    assert!(html.contains("验证码已发送"), "{html}");
    let code = app
        .sent
        .last_code(&login)
        .unwrap_or_else(|| panic!("no code sent to {login}"));
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().unwrap_or_default() + 1) % 1_000_000
    );
    let form = |code: &str| {
        vec![
            ("login", login.clone()),
            ("code", code.to_owned()),
            ("password", PASSWORD.to_owned()),
            ("display_name", "赵六".to_owned()),
            ("region", "511623".to_owned()),
        ]
    };
    let fields = form(&wrong);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = app.page(None, Some(&fields), "/register").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("验证码错误"), "{html}");
    let fields = form(&code);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = app.page(None, Some(&fields), "/register").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(app.login(&login).await.id > 0);
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
    // The counts are kept under the phones' blind indexes: no typed number is stored.
    let store = kejiyun_db::connect(&app.db.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for table in [
        "login_attempts",
        "one_time_codes",
        "second_factor_challenges",
    ] {
        let keys = kejiyun_db::testing::texts(&store, &format!("SELECT login_key FROM {table}"))
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        if table == "login_attempts" {
            assert!(keys.len() >= 2, "{keys:?}");
        }
        for key in keys.iter().flatten() {
            assert!(
                !key.contains(&known.login) && !key.contains(&unknown),
                "{table} holds a typed phone: {key}"
            );
        }
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
        .register(
            &phone(),
            json!({ "password": PASSWORD, "display_name": "x", "region": "511623" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a region outside the root is refused"
    );
    r.assert_invalid_field("region");
    app.stop().await;
}
