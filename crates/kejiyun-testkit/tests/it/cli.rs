use clap::Parser;
use kejiyun::cli::{Cli, run};
use kejiyun_testkit::{Backend, PASSWORD, TestApp, TestDatabase};
use reqwest::StatusCode;

/// Runs `kejiyun admin create` for `login` (password [`PASSWORD`]) as `role`, of `region` if
/// given, on the database at `url`.
async fn admin_create(
    login: &str,
    role: &str,
    region: Option<&str>,
    url: &str,
) -> anyhow::Result<()> {
    let mut args = vec![
        "kejiyun",
        "admin",
        "create",
        "--login",
        login,
        "--password",
        PASSWORD,
        "--role",
        role,
    ];
    if let Some(region) = region {
        args.extend(["--region", region]);
    }
    // Its own data directory: the command's files (the personal-data key) stay out of the tree.
    let dir = tempfile::tempdir()?;
    let dir_arg = dir.path().to_string_lossy().into_owned();
    args.extend(["--database-url", url, "--data-dir", &dir_arg]);
    run(Cli::parse_from(args)).await
}

#[tokio::test]
async fn admin_create_from_the_cli() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let url = db.url.clone();
    admin_create(
        "linshui-admin@test.cn",
        "region_admin",
        Some("511623"),
        &url,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));

    assert!(
        admin_create("x@test.cn", "root", None, &url).await.is_err(),
        "unknown role refused"
    );
    assert!(
        admin_create("x@test.cn", "region_admin", Some("110101"), &url)
            .await
            .is_err(),
        "region outside the deployment refused"
    );

    let app = TestApp::spawn_with(db, |_| {}).await;
    let admin = app.login("linshui-admin@test.cn").await;
    // An administrator acts as one once the required second factor is set up.
    app.enrol_second_factor(&admin).await;
    let me = app.get("/api/v1/me", Some(&admin.token)).await;
    assert_eq!(me.body["admin_regions"][0]["code"], "511623");
    let audit = app.get("/api/v1/audit", Some(&admin.token)).await;
    // Newest first: the enrolment just now, then the CLI's grant.
    let items = audit.body["items"].as_array().cloned().unwrap_or_default();
    let grant = items
        .iter()
        .find(|e| e["action"] == "grant.add")
        .unwrap_or_else(|| panic!("no grant.add in {items:?}"));
    assert_eq!(
        grant["actor_id"],
        serde_json::Value::Null,
        "the operator, not a user"
    );
    let r = app.try_login("x@test.cn", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "refused commands wrote nothing"
    );
    app.stop().await;
}
