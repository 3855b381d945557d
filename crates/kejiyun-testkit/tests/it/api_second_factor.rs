//! The second factor (动态口令, 等保 level 3): enrolment, the two-step login over the API and
//! the pages, wrong codes under the login lockout, recovery codes once, replays refused, an
//! administrator without the factor acting as an ordinary user until they enrol, and another
//! administrator's reset — on every configured backend.

use kejiyun_core::app::AdminSpec;
use kejiyun_testkit::{
    CSRF, PASSWORD, Reply, TestApp, TestUser, backends, client, second_factor_code,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn password_login(app: &TestApp, login: &str) -> Reply {
    app.try_login(login, PASSWORD).await
}

async fn second_step(app: &TestApp, challenge: &str, code: &str) -> Reply {
    app.post(
        "/api/v1/auth/login/second-factor",
        None,
        json!({ "challenge": challenge, "code": code }),
    )
    .await
}

/// A challenge for `login` (its password is right and it has the factor).
async fn challenge(app: &TestApp, login: &str) -> String {
    let r = password_login(app, login).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(r.body["second_factor_required"], true);
    assert!(r.body.get("token").is_none(), "no session yet");
    assert!(
        r.headers
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap_or_default().starts_with("kjy_session")),
        "no session cookie yet"
    );
    r.body["challenge"].as_str().unwrap_or_default().to_owned()
}

/// Six digits that are not `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap_or_default();
    format!("{:06}", (n + 500_001) % 1_000_000)
}

fn second_factor(me: &Value) -> (bool, bool, bool) {
    let sf = &me["second_factor"];
    (
        sf["enabled"] == true,
        sf["required"] == true,
        sf["satisfied"] == true,
    )
}

async fn me(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn audit_actions(app: &TestApp, sys: &TestUser) -> Vec<String> {
    let r = app
        .get("/api/v1/audit?per_page=100", Some(&sys.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// An admin created the way `kejiyun admin create` does, logged in by password only (no
/// factor yet).
async fn bare_admin(app: &TestApp, role: &str, region: Option<&str>) -> TestUser {
    let login = format!("bare{}@admins.test", rand::random::<u32>());
    app.services()
        .accounts()
        .create_admin(
            None,
            AdminSpec {
                login: login.clone(),
                password: Some(PASSWORD.into()),
                display_name: Some("未绑定管理员".into()),
                role: role.into(),
                region: region.map(Into::into),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create admin: {e}"));
    app.login(&login).await
}

#[tokio::test]
async fn enrolment_two_step_login_recovery_and_replay_on_every_backend() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let sys = app.admin("system_admin", None).await;
        let u = app.user("张动态", Some("511623")).await;
        assert_eq!(
            second_factor(&me(&app, &u.token).await),
            (false, false, false)
        );

        // Confirming before starting, a wrong code, a malformed one.
        let r = app
            .post(
                "/api/v1/me/second-factor/confirm",
                Some(&u.token),
                json!({ "code": "123456" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        let r = app
            .post("/api/v1/me/second-factor", Some(&u.token), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let secret = r.body["secret"].as_str().unwrap_or_default();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        let uri = r.body["otpauth_uri"].as_str().unwrap_or_default();
        assert!(uri.starts_with("otpauth://totp/Kejiyun:"), "{uri}");
        assert!(uri.contains(secret), "{uri}");
        for code in ["12345", "abcdef"] {
            app.post(
                "/api/v1/me/second-factor/confirm",
                Some(&u.token),
                json!({ "code": code }),
            )
            .await
            .assert_invalid_field("code");
        }

        // Enrolled (start again, confirm with a current code).
        let recovery = app.enrol_second_factor(&u).await;
        assert_eq!(recovery.len(), 10);
        assert_eq!(
            second_factor(&me(&app, &u.token).await),
            (true, false, true),
            "{backend:?}: confirming upgraded the session"
        );
        let r = app
            .post("/api/v1/me/second-factor", Some(&u.token), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "started again once enabled");
        let state = app.get("/api/v1/me/second-factor", Some(&u.token)).await;
        assert_eq!(state.body["recovery_codes_left"], 10, "{:?}", state.body);

        // The password alone opens no session; a TOTP code does.
        let c = challenge(&app, &u.login).await;
        let code = second_factor_code(&u.login).await;
        second_step(&app, &c, &wrong(&code))
            .await
            .assert_invalid_field("code");
        let r = second_step(&app, &c, &code).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {:?}", r.body);
        let token = r.body["token"].as_str().unwrap_or_default().to_owned();
        assert!(r.headers.contains_key("set-cookie"));
        assert_eq!(
            second_factor(&r.body["user"]),
            (true, false, true),
            "{:?}",
            r.body
        );
        assert_eq!(second_factor(&me(&app, &token).await), (true, false, true));
        // The challenge worked once.
        second_step(&app, &c, &code)
            .await
            .assert_invalid_field("challenge");

        // The same code (its step used) again: a replay, refused.
        let c = challenge(&app, &u.login).await;
        let r = second_step(&app, &c, &code).await;
        r.assert_invalid_field("code");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("用过"),
            "{:?}",
            r.body
        );
        let r = second_step(&app, &c, &second_factor_code(&u.login).await).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {:?}", r.body);

        // A recovery code works once (typed in capitals, without its dash).
        let typed = recovery[3].replace('-', "").to_uppercase();
        let c = challenge(&app, &u.login).await;
        let r = second_step(&app, &c, &typed).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {:?}", r.body);
        let c = challenge(&app, &u.login).await;
        second_step(&app, &c, &recovery[3])
            .await
            .assert_invalid_field("code");
        let state = app.get("/api/v1/me/second-factor", Some(&u.token)).await;
        assert_eq!(state.body["recovery_codes_left"], 9);

        // New recovery codes (a current code needed): the old ones stop working.
        app.post(
            "/api/v1/me/second-factor/recovery-codes",
            Some(&u.token),
            json!({ "code": "000000" }),
        )
        .await
        .assert_invalid_field("code");
        let r = app
            .post(
                "/api/v1/me/second-factor/recovery-codes",
                Some(&u.token),
                json!({ "code": second_factor_code(&u.login).await }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let fresh: Vec<String> = r.body["recovery_codes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(fresh.len(), 10);
        let c = challenge(&app, &u.login).await;
        second_step(&app, &c, &recovery[4])
            .await
            .assert_invalid_field("code");
        let r = second_step(&app, &c, &fresh[0]).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

        // Turned off (an ordinary user may): the password alone logs in again.
        let r = app
            .post(
                "/api/v1/me/second-factor/disable",
                Some(&u.token),
                json!({ "code": second_factor_code(&u.login).await }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
        let r = password_login(&app, &u.login).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(second_factor(&r.body["user"]), (false, false, false));

        let actions = audit_actions(&app, &sys).await;
        for action in [
            "user.second_factor.enabled",
            "user.second_factor.recovery_used",
            "user.second_factor.recovery_regenerated",
            "user.second_factor.disabled",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{backend:?}: {action} in {actions:?}"
            );
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn wrong_codes_count_under_the_lockout_and_kill_the_challenge() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let u = app.user("李锁定", None).await;
        app.enrol_second_factor(&u).await;
        // The password counts one attempt, four wrong codes four more: the fifth code is
        // refused by the lockout, the right one included, and so is the password.
        let c = challenge(&app, &u.login).await;
        for _ in 0..4 {
            second_step(&app, &c, "000000")
                .await
                .assert_invalid_field("code");
        }
        let r = second_step(&app, &c, &second_factor_code(&u.login).await).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{backend:?}: {:?}",
            r.body
        );
        assert!(r.headers.contains_key("retry-after"));
        let r = password_login(&app, &u.login).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
        app.stop().await;
    }

    // With a looser lockout, the challenge itself dies after five wrong codes.
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| c.lockout_max_failures = 50).await;
    let u = app.user("王五次", None).await;
    app.enrol_second_factor(&u).await;
    let c = challenge(&app, &u.login).await;
    for _ in 0..5 {
        second_step(&app, &c, "000000")
            .await
            .assert_invalid_field("code");
    }
    second_step(&app, &c, &second_factor_code(&u.login).await)
        .await
        .assert_invalid_field("challenge");
    let c = challenge(&app, &u.login).await;
    let r = second_step(&app, &c, &second_factor_code(&u.login).await).await;
    assert_eq!(r.status, StatusCode::OK, "a new challenge: {:?}", r.body);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_without_the_factor_is_an_ordinary_user_until_enrolled_and_reset_is_audited() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let sys = app.admin("system_admin", None).await;
        let security = app.admin("security_admin", None).await;
        let admin = bare_admin(&app, "region_admin", Some("511623")).await;
        let body = me(&app, &admin.token).await;
        assert_eq!(second_factor(&body), (false, true, false), "{body:?}");
        assert_eq!(body["roles"], json!(["user"]), "admin grants withheld");
        let r = app.get("/api/v1/moderation", Some(&admin.token)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend:?}: {:?}", r.body);
        // The pages say why, and where to go.
        let (status, html) = app.page(Some(&admin), None, "/me").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"second-factor-banner\""), "the banner");
        assert!(html.contains("href=\"/me/security\""));
        let (status, _) = app.page(Some(&admin), None, "/admin").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Enrolling upgrades this very session.
        app.enrol_second_factor(&admin).await;
        assert_eq!(
            second_factor(&me(&app, &admin.token).await),
            (true, true, true)
        );
        let r = app.get("/api/v1/moderation", Some(&admin.token)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {:?}", r.body);
        // An administrator cannot turn it off while it is required.
        let r = app
            .post(
                "/api/v1/me/second-factor/disable",
                Some(&admin.token),
                json!({ "code": second_factor_code(&admin.login).await }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

        // Only the security administrator resets another's factor.
        let region_admin = app.admin("region_admin", Some("511600")).await;
        let path = format!("/api/v1/admin/users/{}/second-factor/reset", admin.id);
        let r = app.post(&path, Some(&region_admin.token), json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
        let r = app.post(&path, Some(&security.token), json!({})).await;
        assert_eq!(
            r.status,
            StatusCode::NO_CONTENT,
            "{backend:?}: {:?}",
            r.body
        );
        let r = app.get("/api/v1/me", Some(&admin.token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the sessions ended");
        let r = app.post(&path, Some(&security.token), json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing left to reset");
        // The password alone logs in again, as an ordinary user who must enrol.
        let r = password_login(&app, &admin.login).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(second_factor(&r.body["user"]), (false, true, false));
        let actions = audit_actions(&app, &sys).await;
        assert!(
            actions.iter().any(|a| a == "user.second_factor.reset"),
            "{backend:?}: {actions:?}"
        );
        app.stop().await;
    }
}

/// The value of the hidden input `name` in `html`.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", CSRF)];
    all.extend_from_slice(fields);
    client()
        .post(app.url(path))
        .header("cookie", format!("kjy_csrf={CSRF}"))
        .form(&all)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn the_pages_ask_for_the_code_and_set_it_up() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let admin = app.admin("region_admin", Some("511623")).await;

        // The login page's second step.
        let r = post_form(
            &app,
            "/login",
            &[("login", admin.login.as_str()), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap_or_default().starts_with("kjy_session")),
            "no session cookie yet"
        );
        let html = r.text().await.unwrap_or_default();
        assert!(html.contains("id=\"second-factor-code\""), "{html}");
        let challenge = hidden(&html, "challenge");
        assert!(challenge.starts_with("kjc_"), "{challenge}");
        let r = post_form(
            &app,
            "/login/second-factor",
            &[("challenge", challenge.as_str()), ("code", "000000")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let code = second_factor_code(&admin.login).await;
        let r = post_form(
            &app,
            "/login/second-factor",
            &[("challenge", challenge.as_str()), ("code", code.as_str())],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(
            r.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/admin")
        );
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|c| c.to_str().ok())
            .find(|c| c.starts_with("kjy_session="))
            .unwrap_or_default()
            .to_owned();
        let token = cookie
            .trim_start_matches("kjy_session=")
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        let session = TestUser {
            token,
            ..admin.clone()
        };
        let (status, _) = app.page(Some(&session), None, "/admin").await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: an admin again");

        // /me/security: start shows the QR code and the key, confirm shows the codes once.
        let u = app.user("赵页面", None).await;
        let (status, html) = app.page(Some(&u), None, "/me/security").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("data-enabled=\"false\""), "{html}");
        let (status, html) = app
            .page(Some(&u), Some(&[][..]), "/me/security/start")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<svg"), "an inline QR code");
        assert!(
            !html.contains("data:"),
            "no data: URL (the CSP forbids them)"
        );
        let key = html
            .split_once("id=\"second-factor-secret\" class=\"mono\" value=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(v, _)| v.replace(' ', ""))
            .unwrap_or_default();
        let secret = kejiyun_core::auth::second_factor::secret_from_base32(&key)
            .unwrap_or_else(|e| panic!("key {key}: {e}"));
        let step = kejiyun_core::auth::second_factor::step_at(app.services().now());
        let code = kejiyun_core::auth::second_factor::code_for_step(&secret, step)
            .unwrap_or_else(|e| panic!("{e}"));
        let (status, html) = app
            .page(
                Some(&u),
                Some(&[("code", code.as_str())]),
                "/me/security/confirm",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert_eq!(html.matches("class=\"recovery-code\"").count(), 10);
        assert!(html.contains("data-enabled=\"true\""));
        let (_, html) = app.page(Some(&u), None, "/me/security").await;
        assert!(!html.contains("class=\"recovery-code\""), "shown once");
        let (_, html) = app.page(Some(&u), None, "/me/security?lang=en").await;
        assert!(html.contains("Authenticator codes"), "English");
        app.stop().await;
    }
}
