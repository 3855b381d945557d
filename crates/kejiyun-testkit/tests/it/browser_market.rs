//! The marketplace in headless Chromium, once per configured backend: a farmer on a phone goes
//! from the home page's 发布需求 through the guided form; the county official, at a desktop,
//! lands on the 工作台, follows its count to the queue and approves; a verified tech worker
//! quotes; the farmer sees the matches and accepts; the tech worker confirms the deal, and the
//! official sees it among the deals and on the county's dashboard.

use fantoccini::Locator;
use kejiyun_testkit::browser::{Browser, run_on_every_backend};
use kejiyun_testkit::{TestApp, phone};
use reqwest::StatusCode;
use serde_json::json;

/// The id in a path like `/needs/12`.
fn last_id(path: &str) -> anyhow::Result<i64> {
    path.rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no id in {path}"))
}

async fn scenario(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    // A farmer registers and posts a need through the guided form.
    let farmer = phone();
    b.register(app, &farmer, "李大伯", "511623").await?;

    // Home leads with 发布需求, on the phone's first screen.
    b.goto(&app.url("/")).await?;
    anyhow::ensure!(
        b.on_first_screen("#cta-need").await?,
        "发布需求 is below the phone's first screen"
    );
    b.click("#cta-need").await?;
    b.wait_for("#need-submit").await?;
    let title = format!("脐橙黄龙病防治技术咨询{}", &farmer[7..]);
    b.set_field("title", &title).await?;
    b.set_field(
        "problem",
        "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡，担心蔓延到整个果园。",
    )
    .await?;
    b.set_field("current_practice", "自己挖除病树，喷过几次杀虫剂防木虱")
        .await?;
    b.set_field("target", "控制住病情，三年内恢复正常产量")
        .await?;
    b.set_field("budget_yuan", "20000").await?;
    b.set_field("industry", "agriculture").await?;
    b.set_field("category", "fruit").await?;
    b.set_field("region", "511623").await?;
    b.click("#need-submit").await?;
    b.wait_for("#posting-status[data-status=\"pending\"]")
        .await?;
    let need_id = last_id(&b.current_path().await?)?;
    b.logout().await?;

    // The county official, at a desktop, lands on the 工作台 and follows the need count.
    let admin = app.admin("region_admin", Some("511623")).await;
    b.desktop_size().await?;
    b.login(app, &admin.login).await?;
    anyhow::ensure!(
        b.current_path().await? == "/admin",
        "the admin lands on the 工作台"
    );
    let waiting = b
        .wait_for("#wb-pending-need .wb-count")
        .await?
        .text()
        .await?;
    anyhow::ensure!(waiting.trim() == "1", "the 工作台 counts {waiting:?} needs");
    b.click("#wb-pending-need").await?;
    let approve = format!(
        "//li[contains(@class,'queue-item') and @data-kind='need' and @data-id='{need_id}']//button[contains(@class,'approve')]"
    );
    let button = b.client.find(Locator::XPath(&approve)).await?;
    b.tap(&button).await?;
    b.wait_for(".flash.notice").await?;
    // Published: the header search box finds it (the index follows within moments).
    let hit = format!(".search-hit a[href=\"/needs/{need_id}\"]");
    let mut found = false;
    for _ in 0..50 {
        b.goto(&app.url("/")).await?;
        b.client
            .find(Locator::Css("#site-q"))
            .await?
            .send_keys("脐橙黄龙病")
            .await?;
        b.click(".site-search button").await?;
        b.wait_for("#search-summary").await?;
        if b.client.find(Locator::Css(&hit)).await.is_ok() {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    anyhow::ensure!(found, "the published need is not found by the search box");
    b.logout().await?;
    b.phone_size().await?;

    // A verified tech worker (through the API) quotes on the need page.
    let (expert, tw_id) = app.applicant("王农艺师", "511623").await;
    let r = app
        .post(
            &format!("/api/v1/tech-workers/{tw_id}/verify"),
            Some(&admin.token),
            json!({}),
        )
        .await;
    anyhow::ensure!(r.status == StatusCode::OK, "verify: {:?}", r.body);
    b.login(app, &expert.login).await?;
    b.goto(&app.url(&format!("/needs/{need_id}"))).await?;
    b.set_field("price_yuan", "3000.50").await?;
    b.set_field("timeline_days", "30").await?;
    b.set_field("method", "上门诊断三次，取样送检，并出具书面防治方案")
        .await?;
    b.click("#quote-submit").await?;
    b.wait_for(".my-quote[data-status=\"submitted\"]").await?;
    b.logout().await?;

    // The farmer compares the quotes and accepts this one: a deal is proposed.
    b.login(app, &farmer).await?;
    // The badge counts the approval and the quote (on a phone: in the tab bar).
    let badge = b.wait_for("#tab-unread-badge").await?.text().await?;
    anyhow::ensure!(badge.trim() == "2", "unread badge shows {badge:?}");
    b.goto(&app.url(&format!("/needs/{need_id}"))).await?;
    // Its owner sees the matches box (the quoting tech worker is a match).
    b.wait_for("#matches").await?;
    b.click("tr.quote-row[data-id] button.accept").await?;
    b.wait_for("#deal-status[data-status=\"proposed\"]").await?;
    let deal_id = last_id(&b.current_path().await?)?;
    b.logout().await?;

    // The tech worker confirms the deal.
    b.login(app, &expert.login).await?;
    b.goto(&app.url(&format!("/deals/{deal_id}"))).await?;
    b.click("#deal-confirm").await?;
    b.wait_for("#deal-status[data-status=\"confirmed\"]")
        .await?;
    b.logout().await?;

    // The official sees it among the region's deals, and the county's figure moved.
    b.desktop_size().await?;
    b.login(app, &admin.login).await?;
    b.goto(&app.url("/admin/deals")).await?;
    b.wait_for(&format!(
        "tr.deal-row[data-id=\"{deal_id}\"][data-status=\"confirmed\"]"
    ))
    .await?;
    b.goto(&app.url("/stats/511623")).await?;
    let deals = b.wait_for("#card-deals .stat-value").await?.text().await?;
    anyhow::ensure!(
        deals.trim() == "1",
        "the dashboard's deals card shows {deals:?}"
    );
    b.phone_size().await?;
    Ok(())
}

#[tokio::test]
async fn farmer_need_quote_accept_confirm_in_chromium() {
    run_on_every_backend("browser market", 6000, scenario).await;
}
