//! The marketplace in headless Chromium, once per configured backend: a farmer posts a need
//! through the guided form, the county admin approves it, a verified tech worker quotes, the
//! farmer accepts, the tech worker confirms the deal, and the admin sees it among the deals.

use fantoccini::Locator;
use kejiyun_testkit::browser::{Browser, skipped};
use kejiyun_testkit::{PASSWORD, TestApp, backends, phone};
use reqwest::StatusCode;
use serde_json::json;

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

async fn logout(b: &Browser) -> anyhow::Result<()> {
    b.click("#logout").await?;
    b.wait_for("a[href=\"/login\"]").await?;
    Ok(())
}

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
    b.goto(&app.url("/register")).await?;
    set_field(b, "login", &farmer).await?;
    set_field(b, "password", PASSWORD).await?;
    set_field(b, "display_name", "李大伯").await?;
    set_field(b, "region", "511623").await?;
    b.click("#register-submit").await?;
    b.wait_for("#logout").await?;

    b.goto(&app.url("/needs/new")).await?;
    let title = format!("脐橙黄龙病防治技术咨询{}", &farmer[7..]);
    set_field(b, "title", &title).await?;
    set_field(
        b,
        "problem",
        "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡，担心蔓延到整个果园。",
    )
    .await?;
    set_field(b, "current_practice", "自己挖除病树，喷过几次杀虫剂防木虱").await?;
    set_field(b, "target", "控制住病情，三年内恢复正常产量").await?;
    set_field(b, "budget_yuan", "20000").await?;
    set_field(b, "industry", "agriculture").await?;
    set_field(b, "category", "fruit").await?;
    set_field(b, "region", "511623").await?;
    b.click("#need-submit").await?;
    b.wait_for("#posting-status[data-status=\"pending\"]")
        .await?;
    let need_id = last_id(&b.current_path().await?)?;
    logout(b).await?;

    // The county admin approves it from the queue.
    let admin = app.admin("region_admin", Some("511623")).await;
    login(b, app, &admin.login).await?;
    b.goto(&app.url("/admin?kind=need")).await?;
    let approve = format!(
        "//li[contains(@class,'queue-item') and @data-kind='need' and @data-id='{need_id}']//button[contains(@class,'approve')]"
    );
    b.client
        .find(Locator::XPath(&approve))
        .await?
        .click()
        .await?;
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
    logout(b).await?;

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
    login(b, app, &expert.login).await?;
    b.goto(&app.url(&format!("/needs/{need_id}"))).await?;
    set_field(b, "price_yuan", "3000.50").await?;
    set_field(b, "timeline_days", "30").await?;
    set_field(b, "method", "上门诊断三次，取样送检，并出具书面防治方案").await?;
    b.click("#quote-submit").await?;
    b.wait_for(".my-quote[data-status=\"submitted\"]").await?;
    logout(b).await?;

    // The farmer compares the quotes and accepts this one: a deal is proposed.
    login(b, app, &farmer).await?;
    // The header badge counts the approval and the quote.
    let badge = b.wait_for("#unread-badge").await?.text().await?;
    anyhow::ensure!(badge.trim() == "2", "unread badge shows {badge:?}");
    b.goto(&app.url(&format!("/needs/{need_id}"))).await?;
    // Its owner sees the matches box (the quoting tech worker is a match).
    b.wait_for("#matches").await?;
    b.click("tr.quote-row[data-id] button.accept").await?;
    b.wait_for("#deal-status[data-status=\"proposed\"]").await?;
    let deal_id = last_id(&b.current_path().await?)?;
    logout(b).await?;

    // The tech worker confirms the deal.
    login(b, app, &expert.login).await?;
    b.goto(&app.url(&format!("/deals/{deal_id}"))).await?;
    b.click("#deal-confirm").await?;
    b.wait_for("#deal-status[data-status=\"confirmed\"]")
        .await?;
    logout(b).await?;

    // The admin sees it among the region's deals.
    login(b, app, &admin.login).await?;
    b.goto(&app.url("/admin/deals")).await?;
    b.wait_for(&format!(
        "tr.deal-row[data-id=\"{deal_id}\"][data-status=\"confirmed\"]"
    ))
    .await?;
    Ok(())
}

#[tokio::test]
async fn farmer_need_quote_accept_confirm_in_chromium() {
    if skipped() {
        eprintln!("browser tests skipped (KEJIYUN_BROWSER_TESTS=skip)");
        return;
    }
    for backend in backends() {
        eprintln!("browser market test: backend={}", backend.name());
        let app = TestApp::spawn_on(backend).await;
        let b = Browser::start().await.unwrap_or_else(|e| panic!("{e:#}"));
        let result = scenario(&app, &b).await;
        if result.is_err()
            && let Ok(src) = b.client.source().await
        {
            eprintln!(
                "page at failure ({}):\n{}",
                b.current_path().await.unwrap_or_default(),
                src.chars().take(6000).collect::<String>()
            );
        }
        b.close().await;
        app.stop().await;
        result.unwrap_or_else(|e| panic!("browser market scenario on {}: {e:#}", backend.name()));
    }
}
