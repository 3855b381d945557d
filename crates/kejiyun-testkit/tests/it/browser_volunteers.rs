//! A volunteer activity in headless Chromium, once per configured backend: the team's leader
//! holds it from the form at a desktop; a volunteer, on a phone, signs up on its page, checks in
//! with the rotating code read from the organizer's screen and checks out; the leader adjusts
//! and approves the hours on the page; the volunteer takes the certificate, and the public
//! `/verify/{code}` page confirms it.

use chrono::Duration;
use fantoccini::Locator;
use kejiyun_testkit::browser::{Browser, run_on_every_backend};
use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::LINSHUI;
use crate::api_volunteers::register;

/// Beijing time `offset_minutes` from the server's now, as a `datetime-local` input holds it.
fn local_time(app: &TestApp, offset_minutes: i64) -> String {
    (app.services().now().to_utc() + Duration::hours(8) + Duration::minutes(offset_minutes))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The code the organizer's screen shows now (the page as the organizer's browser gets it).
async fn code_on_screen(app: &TestApp, organizer: &TestUser, id: i64) -> anyhow::Result<String> {
    let (status, html) = app
        .page(
            Some(organizer),
            None,
            &format!("/volunteers/activities/{id}/code"),
        )
        .await;
    anyhow::ensure!(status == StatusCode::OK, "code screen: {status}");
    anyhow::ensure!(html.contains("<svg"), "no QR code on the screen");
    let code: String = html
        .split("id=\"checkin-code\">")
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    anyhow::ensure!(code.len() == 6, "the screen shows {code:?}");
    Ok(code)
}

/// Sets a `datetime-local` input (typing into one depends on the browser's locale).
async fn set_time(b: &Browser, name: &str, value: &str) -> anyhow::Result<()> {
    let el = b
        .client
        .find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await?;
    b.client
        .execute(
            "arguments[0].value = arguments[1];",
            vec![serde_json::to_value(el)?, json!(value)],
        )
        .await?;
    Ok(())
}

async fn scenario(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let leader = app.user("张队长", Some(LINSHUI)).await;
    let farmer = app.user("王小明", Some(LINSHUI)).await;
    register(app, &leader, "张队长", 61).await;
    register(app, &farmer, "王小明", 62).await;
    let r = app
        .post(
            "/api/v1/volunteer-teams",
            Some(&admin.token),
            json!({"name": "邻水县科技志愿服务支队", "level": "detachment",
                   "region": LINSHUI, "leader_id": leader.id}),
        )
        .await;
    anyhow::ensure!(r.status == StatusCode::CREATED, "team: {:?}", r.body);
    let team = r.body["id"].as_i64().unwrap_or(0).to_string();

    // The leader holds the activity from the form, at a desktop.
    b.desktop_size().await?;
    b.login(app, &leader.login).await?;
    b.goto(&app.url("/volunteers/activities")).await?;
    b.click("#new-activity").await?;
    b.wait_for("#activity-submit").await?;
    let title = "柑橘冬季清园田间指导";
    b.set_field("team_id", &team).await?;
    b.set_field("kind", "field_guidance").await?;
    b.set_field("title", title).await?;
    b.set_field("place", "邻水县柑子镇柑橘示范园").await?;
    b.set_field("region", LINSHUI).await?;
    set_time(b, "starts_at", &local_time(app, -10)).await?;
    set_time(b, "ends_at", &local_time(app, 170)).await?;
    b.set_field("capacity", "10").await?;
    b.click("input[name=\"skill_farming\"]").await?;
    b.click("#activity-submit").await?;
    b.wait_for(".activity-detail").await?;
    let path = b.current_path().await?;
    let id: i64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no id in {path}"))?;
    b.logout().await?;

    // The volunteer, on a phone, signs up, checks in and out with the screen's code.
    b.phone_size().await?;
    b.login(app, &farmer.login).await?;
    let page = app.url(&format!("/volunteers/activities/{id}"));
    b.goto(&page).await?;
    b.click("#signup-submit").await?;
    b.wait_for("#my-signup").await?;
    b.click("#open-check-in").await?;
    b.wait_for("#check-in-form").await?;
    let code = code_on_screen(app, &leader, id).await?;
    b.set_field("code", &code).await?;
    b.click("#check-in-submit").await?;
    b.wait_for("#checked-in-at").await?;
    let code = code_on_screen(app, &leader, id).await?;
    b.set_field("code", &code).await?;
    b.click("#check-out-submit").await?;
    b.wait_for("#checked-out-at").await?;
    let notice = b.wait_for("p.flash.notice").await?.text().await?;
    anyhow::ensure!(notice.contains("签退成功"), "after check-out: {notice:?}");
    b.logout().await?;

    // The leader adjusts the minutes (the volunteer helped before checking in) and approves.
    b.desktop_size().await?;
    b.login(app, &leader.login).await?;
    b.goto(&page).await?;
    let row = format!("tr.signup-row[data-user=\"{}\"]", farmer.id);
    b.wait_for(&format!("{row}[data-status=\"pending\"]"))
        .await?;
    let minutes = b
        .client
        .find(Locator::Css(&format!(
            "{row} .adjust-form input[name=\"minutes\"]"
        )))
        .await?;
    minutes.clear().await?;
    minutes.send_keys("120").await?;
    b.client
        .find(Locator::Css(&format!(
            "{row} .adjust-form input[name=\"reason\"]"
        )))
        .await?
        .send_keys("签到前已在现场帮忙搬运物资")
        .await?;
    b.click(&format!("{row} .adjust-form button.adjust"))
        .await?;
    b.wait_for("p.flash.notice[role=\"status\"]").await?;
    b.click(&format!("{row} button.approve")).await?;
    b.wait_for(&format!("{row}[data-status=\"approved\"]"))
        .await?;
    b.logout().await?;

    // The volunteer takes the certificate; the public page confirms it.
    b.phone_size().await?;
    b.login(app, &farmer.login).await?;
    b.goto(&page).await?;
    let hours = b.wait_for("#my-minutes").await?.text().await?;
    anyhow::ensure!(hours.contains("2 小时"), "the hours read {hours:?}");
    b.wait_for("#my-hours-status[data-status=\"approved\"]")
        .await?;
    b.click("#certificate-submit").await?;
    b.wait_for(".row.certificate").await?;
    anyhow::ensure!(
        b.current_path().await? == "/me/certificates",
        "the certificate button leads to the certificates"
    );
    let code = b
        .wait_for(".row.certificate .mono")
        .await?
        .text()
        .await?
        .trim()
        .to_owned();
    anyhow::ensure!(!code.is_empty(), "no certificate code");
    b.logout().await?;
    b.goto(&app.url(&format!("/verify/{code}"))).await?;
    b.wait_for("#verified-heading").await?;
    let facts = b.wait_for(".verified").await?.text().await?;
    anyhow::ensure!(
        facts.contains(title) && facts.contains("2 小时"),
        "the verify page shows {facts:?}"
    );
    Ok(())
}

#[tokio::test]
async fn volunteer_signs_up_checks_in_out_and_verifies_the_certificate_in_chromium() {
    run_on_every_backend("browser volunteers", 6000, scenario).await;
}
