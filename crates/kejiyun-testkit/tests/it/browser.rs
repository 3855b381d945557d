//! Headless Chromium (Debian's) through the real pages, once per configured backend: a person
//! registers, logs in, applies as a tech worker, and a region admin verifies them.

use fantoccini::Locator;
use kejiyun_testkit::browser::{Browser, skipped};
use kejiyun_testkit::{PASSWORD, TestApp, backends, phone};

async fn set_field(b: &Browser, name: &str, value: &str) -> anyhow::Result<()> {
    let el = b
        .client
        .find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await?;
    if el.tag_name().await? == "select" {
        el.select_by_value(value).await?;
    } else {
        el.clear().await?;
        el.send_keys(value).await?;
    }
    Ok(())
}

async fn login(b: &Browser, app: &TestApp, login: &str) -> anyhow::Result<()> {
    b.goto(&app.url("/login")).await?;
    set_field(b, "login", login).await?;
    set_field(b, "password", PASSWORD).await?;
    b.click("#login-submit").await?;
    b.wait_for("#logout").await?;
    Ok(())
}

async fn scenario(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    let me = phone();
    let name = format!("柑橘专家{}", &me[7..]);

    b.goto(&app.url("/register")).await?;
    set_field(b, "login", &me).await?;
    set_field(b, "password", PASSWORD).await?;
    set_field(b, "display_name", &name).await?;
    set_field(b, "region", "511623").await?;
    b.click("#register-submit").await?;
    b.wait_for("#logout").await?;
    anyhow::ensure!(
        b.current_path().await? == "/me",
        "registration lands on /me"
    );

    b.goto(&app.url("/me/tech-worker")).await?;
    set_field(b, "field", "果树栽培").await?;
    set_field(b, "title", "高级农艺师").await?;
    set_field(b, "employer", "邻水县农业农村局").await?;
    set_field(b, "expertise", "柑橘，脐橙、黄龙病防治").await?;
    set_field(b, "service_region", "511623").await?;
    b.click("#tw-submit").await?;
    b.wait_for("#tw-status[data-status=\"pending\"]").await?;

    b.click("#logout").await?;
    b.wait_for("a[href=\"/login\"]").await?;

    let admin = app.admin("region_admin", Some("511623")).await;
    login(b, app, &admin.login).await?;
    b.goto(&app.url("/admin")).await?;
    let approve = format!(
        "//li[contains(@class,'queue-item') and @data-kind='tech_worker'][contains(., '{name}')]//button[contains(@class,'approve')]"
    );
    b.client
        .find(Locator::XPath(&approve))
        .await?
        .click()
        .await?;
    b.wait_for(".queue-done, .flash").await.ok();
    b.click("#logout").await?;
    // Let the logout land before the next navigation, or it may overtake it.
    b.wait_for("a[href=\"/login\"]").await?;

    login(b, app, &me).await?;
    b.goto(&app.url("/me/tech-worker")).await?;
    b.wait_for("#tw-status[data-status=\"published\"]").await?;
    let list = app.get("/api/v1/tech-workers?region=511623", None).await;
    anyhow::ensure!(
        list.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| i["display_name"] == name.as_str()),
        "the verified tech worker is in the public directory"
    );
    Ok(())
}

#[tokio::test]
async fn register_apply_and_admin_verifies_in_chromium() {
    if skipped() {
        eprintln!("browser tests skipped (KEJIYUN_BROWSER_TESTS=skip)");
        return;
    }
    for backend in backends() {
        eprintln!("browser test: backend={}", backend.name());
        let app = TestApp::spawn_on(backend).await;
        let b = Browser::start().await.unwrap_or_else(|e| panic!("{e:#}"));
        let result = scenario(&app, &b).await;
        if result.is_err()
            && let Ok(src) = b.client.source().await
        {
            eprintln!(
                "page at failure ({}):\n{}",
                b.current_path().await.unwrap_or_default(),
                src.chars().take(4000).collect::<String>()
            );
        }
        b.close().await;
        app.stop().await;
        result.unwrap_or_else(|e| panic!("browser scenario on {}: {e:#}", backend.name()));
    }
}
