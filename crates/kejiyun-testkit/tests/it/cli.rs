use clap::Parser;
use kejiyun::cli::{Cli, run};
use kejiyun_testkit::{Backend, PASSWORD, TestApp, TestDatabase};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn admin_create_from_the_cli() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let url = db.url.clone();
    let args = [
        "kejiyun",
        "admin",
        "create",
        "--login",
        "linshui-admin@test.cn",
        "--password",
        PASSWORD,
        "--role",
        "region_admin",
        "--region",
        "511623",
        "--database-url",
        &url,
    ];
    run(Cli::parse_from(args))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    let bad = [
        "kejiyun",
        "admin",
        "create",
        "--login",
        "x@test.cn",
        "--password",
        PASSWORD,
        "--role",
        "root",
        "--database-url",
        &url,
    ];
    assert!(
        run(Cli::parse_from(bad)).await.is_err(),
        "unknown role refused"
    );
    let bad = [
        "kejiyun",
        "admin",
        "create",
        "--login",
        "x@test.cn",
        "--password",
        PASSWORD,
        "--role",
        "region_admin",
        "--region",
        "110101",
        "--database-url",
        &url,
    ];
    assert!(
        run(Cli::parse_from(bad)).await.is_err(),
        "region outside the deployment refused"
    );

    let app = TestApp::spawn_with(db, |_| {}).await;
    let admin = app.login("linshui-admin@test.cn").await;
    let me = app.get("/api/v1/me", Some(&admin.token)).await;
    assert_eq!(me.body["admin_regions"][0]["code"], "511623");
    let audit = app.get("/api/v1/audit", Some(&admin.token)).await;
    assert_eq!(audit.body["items"][0]["action"], "grant.add");
    assert_eq!(
        audit.body["items"][0]["actor_id"],
        serde_json::Value::Null,
        "the operator, not a user"
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "login": "x@test.cn", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "refused commands wrote nothing"
    );
    app.stop().await;
}
