use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.body;
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.")
    );
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");

    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for p in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/codes",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/code-login",
        "/api/v1/me",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/regions/{code}/children",
        "/api/v1/tech-workers",
        "/api/v1/tech-workers/{id}/verify",
        "/api/v1/orgs",
        "/api/v1/moderation",
        "/api/v1/moderation/{kind}/{id}/approve",
        "/api/v1/tokens",
        "/api/v1/audit",
        "/api/v1/admins",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    // Every operation documents its responses, including at least one error answer.
    for (path, item) in &paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            assert!(!responses.is_empty(), "{method} {path} has no responses");
            assert!(
                responses.keys().any(|k| k.starts_with('4')),
                "{method} {path} documents no 4xx"
            );
        }
    }
    // Inputs refuse unknown properties.
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for input in [
        "RegisterRequest",
        "LoginRequest",
        "CodeRequest",
        "PasswordResetRequest",
        "CodeLoginRequest",
        "TechWorkerRequest",
        "OrgRequest",
        "RejectRequest",
        "CreateTokenRequest",
        "CreateAdminRequest",
        "ProfileRequest",
    ] {
        assert_eq!(
            schemas[input]["additionalProperties"],
            Value::Bool(false),
            "{input}"
        );
    }
    // The one-time code routes are summarised in Chinese.
    for (path, summary) in [
        ("/api/v1/auth/codes", "获取验证码"),
        ("/api/v1/auth/password-reset", "用验证码重置密码"),
        ("/api/v1/auth/code-login", "验证码登录"),
    ] {
        let got = paths[path]["post"]["summary"].as_str().unwrap_or_default();
        assert!(got.starts_with(summary), "{path}: {got}");
    }
    app.stop().await;
}
