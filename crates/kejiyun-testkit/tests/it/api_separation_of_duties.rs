//! 三员分立 (等保 2.0 level 3, 访问控制 d): the system, security and audit administrators are
//! three accounts; the security administrator alone gives and takes administrator roles (and
//! never the security or audit administrator's: the operator sets those on the server); the
//! audit administrator reads the whole log, checks its chain, and changes nothing. On every
//! backend, over HTTP and the pages.

use kejiyun_core::DomainError;
use kejiyun_core::app::AdminSpec;
use kejiyun_testkit::{PASSWORD, TestApp, TestUser, backends};
use reqwest::StatusCode;
use serde_json::json;

/// What the operator's `kejiyun admin create` answers for `login` and `role`.
async fn cli_grant(app: &TestApp, login: &str, role: &str) -> Result<(), DomainError> {
    app.services()
        .accounts()
        .create_admin(
            None,
            AdminSpec {
                login: login.into(),
                password: Some(PASSWORD.into()),
                display_name: None,
                role: role.into(),
                region: (role == "region_admin").then(|| "511623".into()),
            },
        )
        .await
        .map(|_| ())
}

async fn status_of(app: &TestApp, who: &TestUser, path: &str) -> StatusCode {
    app.get(path, Some(&who.token)).await.status
}

#[tokio::test]
async fn three_administrators_apart_on_every_backend() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let system = app.admin("system_admin", None).await;
        let security = app.admin("security_admin", None).await;
        let auditor = app.admin("audit_admin", None).await;
        let county = app.admin("region_admin", Some("511623")).await;

        // One account, one duty: the operator cannot combine them either.
        for (who, role) in [
            (&system, "audit_admin"),
            (&system, "security_admin"),
            (&security, "audit_admin"),
            (&auditor, "system_admin"),
            (&auditor, "region_admin"),
            (&county, "security_admin"),
        ] {
            let e = cli_grant(&app, &who.login, role)
                .await
                .expect_err(&format!("{backend:?}: {role} beside another duty"));
            assert!(
                matches!(&e, DomainError::Conflict(m) if m.contains("三员分立")),
                "{backend:?} {role}: {e}"
            );
        }

        // Only the security administrator manages administrators, and only region and system
        // admins; the audit administrator sees the list.
        let new_admin = json!({ "login": "kejiyun-new@admins.test", "password": PASSWORD,
                                "role": "region_admin", "region": "511623" });
        for who in [&system, &auditor, &county] {
            let r = app
                .post("/api/v1/admins", Some(&who.token), new_admin.clone())
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend:?}: {:?}", r.body);
        }
        for role in ["security_admin", "audit_admin"] {
            let r = app
                .post(
                    "/api/v1/admins",
                    Some(&security.token),
                    json!({ "login": "kejiyun-x@admins.test", "password": PASSWORD, "role": role }),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend:?} {role}");
        }
        let r = app
            .post("/api/v1/admins", Some(&security.token), new_admin)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?}: {:?}", r.body);
        let new_id = r.body["id"].as_i64().unwrap_or_default();
        // The auditor's account cannot be made a region admin through the web either.
        let r = app
            .post(
                "/api/v1/admins",
                Some(&security.token),
                json!({ "login": auditor.login, "role": "region_admin", "region": "511623" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend:?}: {:?}", r.body);
        for who in [&security, &auditor] {
            assert_eq!(status_of(&app, who, "/api/v1/admins").await, StatusCode::OK);
        }
        assert_eq!(
            status_of(&app, &system, "/api/v1/admins").await,
            StatusCode::FORBIDDEN
        );

        // Neither the security nor the audit administrator runs regions' business.
        for who in [&security, &auditor] {
            assert_eq!(
                status_of(&app, who, "/api/v1/moderation").await,
                StatusCode::FORBIDDEN,
                "{backend:?}"
            );
        }

        // The revoked admin loses the role at once; the account stays.
        let r = app
            .post(
                &format!("/api/v1/admins/{new_id}/revoke"),
                Some(&auditor.token),
                json!({ "role": "region_admin", "region": "511623" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend:?}");
        let r = app
            .post(
                &format!("/api/v1/admins/{new_id}/revoke"),
                Some(&security.token),
                json!({ "role": "region_admin", "region": "511623" }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NO_CONTENT,
            "{backend:?}: {:?}",
            r.body
        );
        let revoked = app.login("kejiyun-new@admins.test").await;
        assert_eq!(
            status_of(&app, &revoked, "/api/v1/moderation").await,
            StatusCode::FORBIDDEN
        );
        let again = app
            .post(
                &format!("/api/v1/admins/{new_id}/revoke"),
                Some(&security.token),
                json!({ "role": "region_admin", "region": "511623" }),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{backend:?}");

        // The auditor reads everything, the grants included, and checks the chain; the others
        // may not check it.
        let log = app
            .get("/api/v1/audit?per_page=100", Some(&auditor.token))
            .await;
        assert_eq!(log.status, StatusCode::OK);
        let actions: Vec<&str> = log.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(
            actions.contains(&"grant.add") && actions.contains(&"grant.revoke"),
            "{backend:?}: {actions:?}"
        );
        let chain = app.get("/api/v1/audit/verify", Some(&auditor.token)).await;
        assert_eq!(chain.status, StatusCode::OK, "{:?}", chain.body);
        assert_eq!(chain.body["whole"], true, "{backend:?}: {:?}", chain.body);
        assert!(chain.body["checked"].as_u64().unwrap_or_default() >= 2);
        for who in [&system, &security, &county] {
            assert_eq!(
                status_of(&app, who, "/api/v1/audit/verify").await,
                StatusCode::FORBIDDEN
            );
        }

        // The pages: each lands where its work is; the auditor's log has the check, the
        // security administrator's list the form.
        let (status, html) = app
            .page(Some(&auditor), None, "/admin/audit?verify=1")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"audit-verify\""), "{html}");
        assert!(html.contains("审计日志完整"), "{html}");
        let (_, html) = app.page(Some(&auditor), None, "/admin/admins").await;
        assert!(
            !html.contains("id=\"admin-submit\""),
            "the auditor only reads"
        );
        let (_, html) = app.page(Some(&security), None, "/admin/admins").await;
        assert!(html.contains("id=\"admin-submit\""), "{html}");
        let (status, _) = app.page(Some(&security), None, "/admin").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, html) = app.page(Some(&county), None, "/admin/audit").await;
        assert!(!html.contains("id=\"audit-verify\""));
        app.stop().await;
    }
}
