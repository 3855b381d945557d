//! Access control under pressure: the login lockout against parallel guesses, and the
//! per-address throttle of login and registration.

use kejiyun_testkit::{PASSWORD, TestApp, backends, client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::task::JoinSet;

/// Fires every `(password, is_right)` login for `login` at once; the answers, in no order.
async fn fire_logins(
    app: &TestApp,
    login: &str,
    passwords: Vec<(String, bool)>,
) -> Vec<(bool, StatusCode, Value, bool)> {
    let url = app.url("/api/v1/auth/login");
    let mut set = JoinSet::new();
    for (password, right) in passwords {
        let (url, c, login) = (url.clone(), client(), login.to_owned());
        set.spawn(async move {
            let resp = c
                .post(url)
                .json(&json!({ "login": login, "password": password }))
                .send()
                .await
                .unwrap_or_else(|e| panic!("login: {e}"));
            let status = resp.status();
            let retry_after = resp.headers().contains_key("retry-after");
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            (right, status, body, retry_after)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

/// 40 wrong guesses and the right password at once: at most `max_failures` (5) passwords are
/// checked; every other attempt is refused unchecked with 429 and Retry-After, the right one too
/// once the name is locked. On every backend: the count is taken before the check, atomically.
#[tokio::test]
async fn parallel_guesses_cannot_pass_the_lockout() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let u = app.user("钱七", None).await;
        let mut passwords: Vec<(String, bool)> = (0..40)
            .map(|i| (format!("Wrong-pass-{i}"), false))
            .collect();
        passwords.push((PASSWORD.to_owned(), true));
        let replies = fire_logins(&app, &u.login, passwords).await;

        let count = |s: StatusCode| replies.iter().filter(|r| r.1 == s).count();
        let (checked_wrong, refused) = (
            count(StatusCode::UNAUTHORIZED),
            count(StatusCode::TOO_MANY_REQUESTS),
        );
        assert_eq!(
            checked_wrong + refused + count(StatusCode::OK),
            41,
            "{backend:?}: {replies:?}"
        );
        for (_, status, body, retry_after) in &replies {
            if *status == StatusCode::TOO_MANY_REQUESTS {
                assert_eq!(body["error"]["code"], "too_many_attempts");
                assert!(
                    body["error"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("登录失败次数过多"),
                    "{body}"
                );
                assert!(retry_after, "429 carries Retry-After");
            }
        }
        let right = replies
            .iter()
            .find(|r| r.0)
            .map(|r| r.1)
            .unwrap_or_default();
        if right == StatusCode::OK {
            // The right password was among the first five checked: the success cleared the
            // count, so the guesses still in flight had at most one more round.
            assert!(
                checked_wrong <= 9,
                "{backend:?}: {checked_wrong} wrong passwords checked"
            );
        } else {
            assert_eq!(right, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
            assert_eq!(
                checked_wrong, 5,
                "{backend:?}: exactly max_failures checked"
            );
            assert_eq!(refused, 36, "{backend:?}");
            // Still locked, the right password included.
            let r = app.try_login(&u.login, PASSWORD).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
            assert!(r.headers.contains_key("retry-after"));
        }
        app.stop().await;
    }
}

/// One address over its budget gets 429 with Retry-After and a Chinese message, on the API and
/// the page forms alike (they share the budget), for login and registration separately.
#[tokio::test]
async fn login_and_registration_are_throttled_per_address() {
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| {
        c.login_rate_per_minute = 1;
        c.login_burst = 3;
        c.register_rate_per_minute = 1;
        c.register_burst = 2;
    })
    .await;
    let register =
        |login: String| json!({ "login": login, "password": PASSWORD, "display_name": "孙八" });
    let first = kejiyun_testkit::phone();
    for login in [first.clone(), kejiyun_testkit::phone()] {
        let r = app.register(&login.clone(), register(login)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            register(kejiyun_testkit::phone()),
        )
        .await;
    assert_throttled_api(&r);
    let page = app
        .post_raw(
            "/register",
            "application/x-www-form-urlencoded",
            format!(
                "login={}&password={PASSWORD}&display_name=x",
                kejiyun_testkit::phone()
            )
            .into_bytes(),
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key("retry-after"));

    // Login has its own budget: three tries, then 429 whatever the password.
    for _ in 0..3 {
        let r = app.try_login(&first, "Wrong-pass-1").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    let r = app.try_login(&first, PASSWORD).await;
    assert_throttled_api(&r);
    let resp = client()
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("login={first}&password={PASSWORD}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("操作过于频繁"), "{html}");
    // Nothing else is throttled.
    assert_eq!(
        app.get("/api/v1/regions", None).await.status,
        StatusCode::OK
    );
    app.stop().await;
}

fn assert_throttled_api(r: &kejiyun_testkit::Reply) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    assert_eq!(r.error_code(), "too_many_requests");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("操作过于频繁"), "{message}");
    let secs: u64 = r
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in seconds: {:?}", r.headers));
    assert!((1..=60).contains(&secs), "{secs}");
}
