//! Passwords and lockouts (等保 2.0 level 3, 身份鉴别 a/b), over HTTP on every backend: the
//! admin profile, changing a password (history, other sessions ended), an administrator's
//! expired password, the growing lockout and an administrator lifting it.

use std::sync::Arc;

use kejiyun_core::DomainError;
use kejiyun_core::time::ManualClock;
use kejiyun_testkit::{PASSWORD, TestApp, TestDatabase, TestUser, backends, phone};
use reqwest::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "Neues-2026pass";

async fn change(app: &TestApp, who: &TestUser, current: &str, new: &str) -> kejiyun_testkit::Reply {
    app.post(
        "/api/v1/me/password",
        Some(&who.token),
        json!({ "current_password": current, "new_password": new }),
    )
    .await
}

fn message(r: &kejiyun_testkit::Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn admin_profile_change_history_and_sessions_on_every_backend() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let security = app.admin("security_admin", None).await;

        // A new administrator needs three classes; everyone's rule still applies to them.
        let weak = app
            .post(
                "/api/v1/admins",
                Some(&security.token),
                json!({ "login": "weak-admin@test.cn", "password": "abcdefg12x", "role": "region_admin", "region": "511623" }),
            )
            .await;
        weak.assert_invalid_field("password");
        assert!(message(&weak).contains("至少三类"), "{}", message(&weak));
        // A farmer may keep a two-class password.
        let r = app
            .register(
                &phone(),
                json!({ "password": "abcdefg12x", "display_name": "农户" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

        // Changing: a wrong current password is refused and counted.
        let u = app.user("改密码", Some("511623")).await;
        let other = app.login(&u.login).await;
        let r = change(&app, &u, "Wrong-pass-1", NEW_PASSWORD).await;
        r.assert_invalid_field("current_password");
        // The current password itself is in the history.
        let r = change(&app, &u, PASSWORD, PASSWORD).await;
        r.assert_invalid_field("new_password");
        assert!(message(&r).contains("最近 5 次"), "{}", message(&r));
        let r = change(&app, &u, PASSWORD, NEW_PASSWORD).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
        // This session stays, the other one ended, the new password works.
        assert_eq!(
            app.get("/api/v1/me", Some(&u.token)).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.get("/api/v1/me", Some(&other.token)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.try_login(&u.login, PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.try_login(&u.login, NEW_PASSWORD).await.status,
            StatusCode::OK
        );
        // Going back to the old one: refused by the history.
        let r = change(&app, &u, NEW_PASSWORD, PASSWORD).await;
        r.assert_invalid_field("new_password");
        // Audited.
        let u_id = u.id.to_string();
        let auditor = app.admin("audit_admin", None).await;
        let audit = app
            .get("/api/v1/audit?per_page=100", Some(&auditor.token))
            .await;
        let entries = audit.body["items"].as_array().cloned().unwrap_or_default();
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == "user.password_changed" && e["target_id"] == u_id.as_str()),
            "{entries:?}"
        );

        // Five wrong current passwords: the name is locked, even for the right one.
        for _ in 0..5 {
            change(&app, &u, "Wrong-pass-1", "Other-2026pass").await;
        }
        let r = change(&app, &u, NEW_PASSWORD, "Other-2026pass").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
        app.stop().await;
    }
}

/// An administrator's password past its age: they still sign in, but act as an ordinary user
/// until they change it. A promoted account must change its password first too.
#[tokio::test]
async fn expired_admin_passwords_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let app = TestApp::spawn_with(db, |c| {
            c.admin_password_max_age_days = 1;
            // The day passes on a manual clock: no idle limit to end the session meanwhile.
            c.admin_session_idle_minutes = 0;
        })
        .await;
        let admin = app.admin("region_admin", Some("511623")).await;
        let clock = Arc::new(ManualClock::new(app.services().now()));
        let mut s = app.services().clone();
        s.clock = clock.clone();
        let actor = |s: kejiyun_core::app::Services, token: String| async move {
            // The server keeps what it read for a second (docs/decisions/0006).
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            s.accounts()
                .authenticate(&token)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .map(|(a, _)| a)
        };
        // Within the admin idle limit, so the session itself stays alive.
        clock.advance_seconds(20 * 60);
        let a = actor(s.clone(), admin.token.clone()).await;
        assert!(a.as_ref().is_some_and(|a| a.is_admin()), "fresh: {a:?}");
        // A new session (with its second factor, as the kit logs admins in).
        let t = app.login(&admin.login).await.token;
        clock.advance_seconds(86_400 + 60);
        let a = actor(s.clone(), t).await;
        assert!(
            a.as_ref().is_some_and(|a| !a.is_admin()),
            "signed in, not an admin: {a:?}"
        );
        assert!(
            s.passwords()
                .expired(kejiyun_core::ids::UserId(admin.id))
                .await
                .unwrap_or(false)
        );

        // Promoting an existing account: its password must be changed first (admin profile).
        let security = app.admin("security_admin", None).await;
        let u = app.user("新管理员", Some("511623")).await;
        let r = app
            .post(
                "/api/v1/admins",
                Some(&security.token),
                json!({ "login": u.login, "role": "region_admin", "region": "511623" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let me = app.get("/api/v1/me", Some(&u.token)).await;
        assert_eq!(me.body["password_expired"], true, "{:?}", me.body);
        assert!(
            !me.body["roles"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("region_admin")))
        );
        assert_eq!(
            app.get("/api/v1/admin/lockouts", Some(&u.token))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let (status, html) = app.page(Some(&u), None, "/me").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"password-expired\""), "the banner");
        assert!(html.contains("href=\"/me/password\""));
        // The admin profile applies to the change.
        let r = change(&app, &u, PASSWORD, "abcdefg12x").await;
        r.assert_invalid_field("new_password");
        assert!(message(&r).contains("至少三类"), "{}", message(&r));
        // Through the page form.
        let (status, _) = app
            .page(
                Some(&u),
                Some(&[
                    ("current_password", PASSWORD),
                    ("new_password", NEW_PASSWORD),
                    ("confirm_password", NEW_PASSWORD),
                ]),
                "/me/password",
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let me = app.get("/api/v1/me", Some(&u.token)).await;
        assert_eq!(me.body["password_expired"], false, "{:?}", me.body);
        // And, an administrator now, the second factor the policy requires.
        app.enrol_second_factor(&u).await;
        assert_eq!(
            app.get("/api/v1/admin/lockouts", Some(&u.token))
                .await
                .status,
            StatusCode::OK
        );
        app.stop().await;
    }
}

/// Five failures lock a name for 15 minutes; after that lock the next one lasts 30. An admin
/// of the account's region lifts it (audited), one of another region cannot; a success clears
/// the level.
#[tokio::test]
async fn growing_lockout_and_unlock_on_every_backend() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let u = app.user("被锁定", Some("511623")).await;
        let here = app.admin("region_admin", Some("511623")).await;
        let elsewhere = app.admin("region_admin", Some("511621")).await;
        let security = app.admin("security_admin", None).await;
        let clock = Arc::new(ManualClock::new(app.services().now()));
        let mut s = app.services().clone();
        s.clock = clock.clone();
        let lock_round = |s: kejiyun_core::app::Services, login: String| async move {
            for _ in 0..5 {
                let e = s.accounts().login(&login, "Wrong-pass-1").await.err();
                assert_eq!(e, Some(DomainError::BadCredentials));
            }
            s.accounts().login(&login, PASSWORD).await.err()
        };
        assert_eq!(
            lock_round(s.clone(), u.login.clone()).await,
            Some(DomainError::Locked { minutes: 15 })
        );
        clock.advance_seconds(14 * 60);
        assert!(matches!(
            s.accounts().login(&u.login, PASSWORD).await.err(),
            Some(DomainError::Locked { minutes: 1 })
        ));
        clock.advance_seconds(60);
        assert_eq!(
            lock_round(s.clone(), u.login.clone()).await,
            Some(DomainError::Locked { minutes: 30 }),
            "the second lock lasts twice as long"
        );

        // The lock (in the manual clock's future, so still running in real time) is listed.
        let list = app.get("/api/v1/admin/lockouts", Some(&here.token)).await;
        assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
        let items = list.body["items"].as_array().cloned().unwrap_or_default();
        let item = items
            .iter()
            .find(|i| i["user_id"] == u.id)
            .cloned()
            .unwrap_or_else(|| panic!("listed: {items:?}"));
        assert_eq!(item["level"], 2);
        let shown = item["login"].as_str().unwrap_or_default();
        assert!(
            shown.contains("****") && !shown.contains(&u.login),
            "{shown}"
        );
        let far = app
            .get("/api/v1/admin/lockouts", Some(&elsewhere.token))
            .await;
        assert!(
            !far.body["items"]
                .as_array()
                .is_some_and(|i| i.iter().any(|i| i["user_id"] == u.id)),
            "another region's admin does not see it"
        );
        assert_eq!(
            app.get("/api/v1/admin/lockouts", Some(&u.token))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // The page lists it too.
        let (status, html) = app.page(Some(&here), None, "/admin/lockouts").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(shown), "{html}");

        let r = app
            .post(
                "/api/v1/admin/lockouts/unlock",
                Some(&elsewhere.token),
                json!({ "user_id": u.id }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
        // A name without an account: the security administrator only.
        let nobody = phone();
        for _ in 0..6 {
            let _ = app.try_login(&nobody, "Wrong-pass-1").await;
        }
        let r = app
            .post(
                "/api/v1/admin/lockouts/unlock",
                Some(&here.token),
                json!({ "login": nobody }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
        let r = app
            .post(
                "/api/v1/admin/lockouts/unlock",
                Some(&security.token),
                json!({ "login": nobody }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

        // The region's admin unlocks through the page's button.
        let name_ref = item["name_ref"].as_str().unwrap_or_default();
        let (status, _) = app
            .page(
                Some(&here),
                Some(&[("name_ref", name_ref)]),
                "/admin/lockouts/unlock",
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let r = app
            .post(
                "/api/v1/admin/lockouts/unlock",
                Some(&here.token),
                json!({ "user_id": u.id }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "no longer locked");
        assert_eq!(
            app.try_login(&u.login, PASSWORD).await.status,
            StatusCode::OK
        );
        let u_id = u.id.to_string();
        let audit = app
            .get("/api/v1/audit?per_page=100", Some(&here.token))
            .await;
        let entries = audit.body["items"].as_array().cloned().unwrap_or_default();
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == "user.unlocked" && e["target_id"] == u_id.as_str()),
            "{entries:?}"
        );
        // Unlocked (and so the level forgotten): the next lock is the first again.
        assert_eq!(
            lock_round(s.clone(), u.login.clone()).await,
            Some(DomainError::Locked { minutes: 15 })
        );
        app.stop().await;
    }
}

/// A reset by code keeps to the account's rules too, but says so only to whoever holds the
/// code: a wrong code hears about the code, never about the password's history.
#[tokio::test]
async fn reset_by_code_keeps_the_history_on_every_backend() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let u = app.user("忘了密码", None).await;
        let ask = |login: String| {
            let app = &app;
            async move {
                let r = app
                    .post(
                        "/api/v1/auth/codes",
                        None,
                        json!({ "login": login, "purpose": "password_reset" }),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
                app.sent
                    .last_code(&login)
                    .unwrap_or_else(|| panic!("no code sent"))
            }
        };
        let reset = |code: String, password: &'static str| {
            let app = &app;
            let login = u.login.clone();
            async move {
                app.post(
                    "/api/v1/auth/password-reset",
                    None,
                    json!({ "login": login, "code": code, "new_password": password }),
                )
                .await
            }
        };
        let code = ask(u.login.clone()).await;
        let n: u32 = code.parse().unwrap_or_default();
        let wrong = format!("{:06}", (n + 1) % 1_000_000);
        let r = reset(wrong, PASSWORD).await;
        r.assert_invalid_field("code");
        let r = reset(code, PASSWORD).await;
        r.assert_invalid_field("password");
        assert!(message(&r).contains("最近 5 次"), "{}", message(&r));
        assert_eq!(
            app.try_login(&u.login, PASSWORD).await.status,
            StatusCode::OK
        );
        app.stop().await;
    }
}
