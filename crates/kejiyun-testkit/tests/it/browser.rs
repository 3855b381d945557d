//! Headless Chromium (Debian's) through the real pages, once per configured backend: a person
//! registers, logs in, applies as a tech worker, and a region admin verifies them.

use fantoccini::Locator;
use kejiyun_testkit::browser::{Browser, run_on_every_backend};
use kejiyun_testkit::{TestApp, phone};

async fn scenario(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    let me = phone();
    let name = format!("柑橘专家{}", &me[7..]);

    b.register(app, &me, &name, "511623").await?;
    anyhow::ensure!(
        b.current_path().await? == "/me",
        "registration lands on /me"
    );

    b.goto(&app.url("/me/tech-worker")).await?;
    b.set_field("field", "果树栽培").await?;
    b.set_field("title", "高级农艺师").await?;
    b.set_field("employer", "邻水县农业农村局").await?;
    b.set_field("expertise", "柑橘，脐橙、黄龙病防治").await?;
    b.set_field("service_region", "511623").await?;
    b.click("#tw-submit").await?;
    b.wait_for("#tw-status[data-status=\"pending\"]").await?;

    b.logout().await?;

    let admin = app.admin("region_admin", Some("511623")).await;
    b.login(app, &admin.login).await?;
    b.goto(&app.url("/admin")).await?;
    let approve = format!(
        "//li[contains(@class,'queue-item') and @data-kind='tech_worker'][contains(., '{name}')]//button[contains(@class,'approve')]"
    );
    let button = b.client.find(Locator::XPath(&approve)).await?;
    b.tap(&button).await?;
    b.wait_for(".queue-done, .flash").await.ok();
    b.logout().await?;

    b.login(app, &me).await?;
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
    run_on_every_backend("browser", 4000, scenario).await;
}
