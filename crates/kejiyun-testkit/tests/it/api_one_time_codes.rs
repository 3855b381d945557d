//! Password reset and login by one-time code, over HTTP: the API and the pages. The codes are
//! read from what the server "sent" (`TestApp::sent`).

use kejiyun_testkit::{CSRF, PASSWORD, Reply, TestApp, TestUser, backends, client, phone};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

const NEW_PASSWORD: &str = "Neues2026pass";

async fn ask(app: &TestApp, login: &str, purpose: &str) -> Reply {
    app.post(
        "/api/v1/auth/codes",
        None,
        json!({ "login": login, "purpose": purpose }),
    )
    .await
}

async fn reset(app: &TestApp, login: &str, code: &str, password: &str) -> Reply {
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "login": login, "code": code, "new_password": password }),
    )
    .await
}

async fn code_login(app: &TestApp, login: &str, code: &str) -> Reply {
    app.post(
        "/api/v1/auth/code-login",
        None,
        json!({ "login": login, "code": code }),
    )
    .await
}

/// The code sent to `login` last.
fn code_of(app: &TestApp, login: &str) -> String {
    app.sent
        .last_code(login)
        .unwrap_or_else(|| panic!("no code was sent to {login}"))
}

/// A code that differs from `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap_or_default();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[track_caller]
fn assert_code_refused(r: &Reply, says: &str) {
    r.assert_invalid_field("code");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message}");
}

/// Forgot the password: a code by SMS, a new password; the old one and the old sessions are
/// refused, the new one works, the code cannot be used again, the audit log says it happened.
#[tokio::test]
async fn reset_flow_on_every_backend() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let u = app.user("忘了密码", Some("511623")).await;
        let r = ask(&app, &u.login, "password_reset").await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(r.body["expires_in_secs"], 600);
        assert_eq!(r.body["resend_after_secs"], 60);
        let sent = app.sent.to(&u.login);
        assert_eq!(sent.len(), 1);
        assert!(sent[0].subject.contains("重置密码"), "{:?}", sent[0]);
        let code = code_of(&app, &u.login);
        assert!(
            !sent[0].subject.contains(&code),
            "the subject (logged) holds no code"
        );

        // The password policy applies (and does not spend the code).
        let weak = reset(&app, &u.login, &code, "short").await;
        weak.assert_invalid_field("password");
        let r = reset(&app, &u.login, &code, NEW_PASSWORD).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

        let old = app.try_login(&u.login, PASSWORD).await;
        assert_eq!(
            old.status,
            StatusCode::UNAUTHORIZED,
            "the old password is refused"
        );
        let me = app.get("/api/v1/me", Some(&u.token)).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "the old session ended");
        let new = app.try_login(&u.login, NEW_PASSWORD).await;
        assert_eq!(new.status, StatusCode::OK, "{:?}", new.body);

        let again = reset(&app, &u.login, &code, "Another2026pass").await;
        assert_code_refused(&again, "已失效");

        let admin = app.admin("system_admin", None).await;
        let audit = app.get("/api/v1/audit", Some(&admin.token)).await;
        let entry = audit.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["action"] == "user.password_reset")
            .cloned()
            .unwrap_or_else(|| panic!("no audit entry: {:?}", audit.body));
        assert_eq!(entry["target_id"], u.id.to_string());
        assert_eq!(entry["after"]["channel"], "phone");
        eprintln!("one-time codes over HTTP: backend={} ok", backend.name());
        app.stop().await;
    }
}

#[tokio::test]
async fn login_by_code_gives_a_session_once() {
    let app = TestApp::spawn().await;
    let u = app.user("验证码登录", None).await;
    let r = ask(&app, &u.login, "login").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let code = code_of(&app, &u.login);
    let r = code_login(&app, &u.login, &code).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["user"]["id"], u.id);
    let cookie = r.headers["set-cookie"].to_str().unwrap_or_default();
    assert!(cookie.starts_with("kjy_session=kjy_"), "{cookie}");
    let token = r.body["token"].as_str().unwrap_or_default();
    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK);

    let again = code_login(&app, &u.login, &code).await;
    assert_code_refused(&again, "已失效");
    // A login code does not reset a password, nor the other way round.
    let r = reset(&app, &u.login, &code, NEW_PASSWORD).await;
    assert_code_refused(&r, "已失效");
    // An e-mail login gets its code by e-mail.
    let mail = format!("code{}@example.com", rand_suffix());
    // Made by the operator's path: a registration code would hold back the login code for
    // a minute (one code a minute per login name).
    app.services()
        .accounts()
        .create_account(kejiyun_core::app::RegisterInput {
            login: mail.clone(),
            password: PASSWORD.into(),
            display_name: "邮箱用户".into(),
            region: None,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ask(&app, &mail, "login").await;
    let (to, _) = app
        .sent
        .all()
        .into_iter()
        .last()
        .unwrap_or_else(|| panic!("nothing sent"));
    assert_eq!(to.email.as_deref(), Some(mail.as_str()));
    assert_eq!(to.phone, None, "only the channel typed");
    let r = code_login(&app, &mail, &code_of(&app, &mail)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    app.stop().await;
}

fn rand_suffix() -> u32 {
    phone()[3..].parse().unwrap_or_default()
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| c.one_time_code_ttl_secs = 1).await;
    let u = app.user("慢一步", None).await;
    ask(&app, &u.login, "password_reset").await;
    let code = code_of(&app, &u.login);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let r = reset(&app, &u.login, &code, NEW_PASSWORD).await;
    assert_code_refused(&r, "已过期");
    assert_eq!(
        app.try_login(&u.login, PASSWORD).await.status,
        StatusCode::OK,
        "the password is unchanged"
    );
    app.stop().await;
}

#[tokio::test]
async fn five_wrong_codes_void_it() {
    let app = TestApp::spawn().await;
    let u = app.user("手滑", None).await;
    ask(&app, &u.login, "password_reset").await;
    let code = code_of(&app, &u.login);
    for left in (1..=4).rev() {
        let r = reset(&app, &u.login, &wrong(&code), NEW_PASSWORD).await;
        assert_code_refused(&r, &format!("还可再试 {left} 次"));
    }
    let fifth = reset(&app, &u.login, &wrong(&code), NEW_PASSWORD).await;
    assert_code_refused(&fifth, "错误次数过多");
    let right = reset(&app, &u.login, &code, NEW_PASSWORD).await;
    assert_code_refused(&right, "已失效");
    // Malformed input is not an attempt.
    let r = reset(&app, &u.login, "12ab", NEW_PASSWORD).await;
    assert_code_refused(&r, "6 位数字");
    app.stop().await;
}

#[tokio::test]
async fn codes_are_rate_limited_per_login_name_with_a_chinese_429() {
    let app = TestApp::spawn().await;
    let u = app.user("心急", None).await;
    assert_eq!(
        ask(&app, &u.login, "password_reset").await.status,
        StatusCode::ACCEPTED
    );
    // Whatever the purpose, one a minute.
    let r = ask(&app, &u.login, "login").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    assert_eq!(r.error_code(), "too_many_requests");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("验证码发送过于频繁，请 "), "{message}");
    let wait: u64 = r.headers["retry-after"]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(app.sent.to(&u.login).len(), 1, "nothing more sent");
    // The first code still works.
    let r = reset(&app, &u.login, &code_of(&app, &u.login), NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn code_requests_are_limited_per_address() {
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| {
        c.code_rate_per_minute = 1;
        c.code_burst = 2;
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            ask(&app, &phone(), "login").await.status,
            StatusCode::ACCEPTED
        );
    }
    let r = ask(&app, &phone(), "login").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.error_code(), "too_many_requests");
    assert!(r.headers.contains_key("retry-after"));
    app.stop().await;
}

/// Asking for a code, a wrong entry and the limit answer the same with or without an account.
#[tokio::test]
async fn an_unknown_account_gets_the_same_answers() {
    let app = TestApp::spawn().await;
    let known = app.user("有账号", None).await;
    let unknown = phone();
    let (a, b) = (
        ask(&app, &known.login, "password_reset").await,
        ask(&app, &unknown, "password_reset").await,
    );
    assert_eq!((a.status, &a.text), (b.status, &b.text));
    assert!(app.sent.to(&unknown).is_empty(), "nothing sent to no one");
    let code = code_of(&app, &known.login);
    let (a, b) = (
        reset(&app, &known.login, &wrong(&code), NEW_PASSWORD).await,
        reset(&app, &unknown, &wrong(&code), NEW_PASSWORD).await,
    );
    assert_eq!((a.status, &a.text), (b.status, &b.text));
    assert_eq!(a.body["error"]["message"], "验证码错误，还可再试 4 次");
    let (a, b) = (
        ask(&app, &known.login, "password_reset").await,
        ask(&app, &unknown, "password_reset").await,
    );
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.status, b.status);
    assert_eq!(a.error_code(), b.error_code());
    // No account, no login, whatever the digits.
    let r = code_login(&app, &unknown, "000000").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The pages: the same page whoever asks (but for the login typed, shown back).
    let (sa, _, pa) = form(&app, "/forgot-password", &[("login", &known.login)]).await;
    let (sb, _, pb) = form(&app, "/forgot-password", &[("login", &unknown)]).await;
    assert_eq!(sa, sb);
    assert_eq!(pa.replace(&known.login, "*"), pb.replace(&unknown, "*"));
    app.stop().await;
}

/// A name locked by wrong passwords is locked for code login too; a password reset still
/// works for it, and lifts the lock.
#[tokio::test]
async fn the_lockout_covers_code_login_and_a_reset_lifts_it() {
    let app = TestApp::spawn().await;
    let lock = |login: String| {
        let app = &app;
        async move {
            for _ in 0..5 {
                app.try_login(&login, "Wrong2026pass").await;
            }
        }
    };
    let u = app.user("被锁", None).await;
    lock(u.login.clone()).await;
    ask(&app, &u.login, "login").await;
    let r = code_login(&app, &u.login, &code_of(&app, &u.login)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    assert_eq!(r.error_code(), "too_many_attempts");

    let v = app.user("锁了也能找回", None).await;
    lock(v.login.clone()).await;
    assert_eq!(
        app.try_login(&v.login, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    ask(&app, &v.login, "password_reset").await;
    let r = reset(&app, &v.login, &code_of(&app, &v.login), NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        app.try_login(&v.login, NEW_PASSWORD).await.status,
        StatusCode::OK,
        "the reset lifted the lock"
    );
    app.stop().await;
}

/// Posts a page form (with the CSRF cookie and field) as a visitor.
async fn form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", CSRF)];
    all.extend_from_slice(fields);
    let resp = client()
        .post(app.url(path))
        .header("cookie", format!("kjy_csrf={CSRF}"))
        .form(&all)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap_or_default())
}

#[tokio::test]
async fn the_pages_reset_a_password_and_log_in_by_code() {
    let app = TestApp::spawn().await;
    let u: TestUser = app.user("页面用户", None).await;
    let (status, login_page) = app.page(None, None, "/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        login_page.contains("href=\"/forgot-password\""),
        "{login_page}"
    );
    assert!(login_page.contains("短信验证码登录"));
    let (_, with_next) = app.page(None, None, "/login?next=%2Fme").await;
    assert!(
        with_next.contains("href=\"/login/code?next=%2Fme\""),
        "{with_next}"
    );

    // 忘记密码: ask, then enter the code and the new password twice.
    let (status, ask_page) = app.page(None, None, "/forgot-password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ask_page.contains("inputmode=\"tel\""), "{ask_page}");
    let (status, _, enter) = form(&app, "/forgot-password", &[("login", &u.login)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        enter.contains("如果该手机号或邮箱已注册，验证码已发送，10 分钟内有效"),
        "{enter}"
    );
    assert!(enter.contains("autocomplete=\"one-time-code\""));
    let code = code_of(&app, &u.login);
    let fields = |p2: &'static str| {
        vec![
            ("login", u.login.clone()),
            ("code", code.clone()),
            ("password", NEW_PASSWORD.to_owned()),
            ("password2", p2.to_owned()),
        ]
    };
    let mismatch = fields("Other2026pass");
    let mismatch: Vec<(&str, &str)> = mismatch.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = form(&app, "/forgot-password/reset", &mismatch).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("两次输入的新密码不一致"), "{page}");
    let ok = fields(NEW_PASSWORD);
    let ok: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, headers, _) = form(&app, "/forgot-password/reset", &ok).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/login?reset=done");
    let (_, done) = app.page(None, None, "/login?reset=done").await;
    assert!(done.contains("密码已重置"), "{done}");
    assert_eq!(
        app.try_login(&u.login, NEW_PASSWORD).await.status,
        StatusCode::OK
    );

    // 短信验证码登录: ask, enter; lands where the password login lands.
    let (status, _, enter) = form(
        &app,
        "/login/code/send",
        &[("login", &u.login), ("next", "")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "one code a minute");
    assert!(enter.contains("验证码发送过于频繁"), "{enter}");
    let other = app.user("另一位", None).await;
    let (status, _, enter) = form(&app, "/login/code/send", &[("login", &other.login)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(enter.contains("id=\"code-login-form\""), "{enter}");
    let code = code_of(&app, &other.login);
    let (status, _, page) = form(
        &app,
        "/login/code",
        &[("login", &other.login), ("code", &wrong(&code))],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("还可再试 4 次"), "{page}");
    let (status, headers, _) = form(
        &app,
        "/login/code",
        &[("login", &other.login), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/me/postings");
    let cookie = headers["set-cookie"].to_str().unwrap_or_default();
    assert!(cookie.starts_with("kjy_session=kjy_"), "{cookie}");

    // In English too.
    let resp = client()
        .get(app.url("/forgot-password"))
        .header("cookie", "kjy_lang=en")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("Reset your password"), "{html}");
    app.stop().await;
}
