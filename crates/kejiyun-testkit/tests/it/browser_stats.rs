//! The statistics dashboard in headless Chromium: the three ECharts charts render (CSP-safe,
//! from vendored files), and clicking the deals card opens the records behind the figure.

use fantoccini::Locator;
use kejiyun_testkit::TestApp;
use kejiyun_testkit::browser::{Browser, run_once, skipped};

use super::api_stats_export::confirmed_deal;

async fn scenario(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    let (deal_id, _) = confirmed_deal(app).await;
    b.goto(&app.url("/stats/511600")).await?;
    for id in ["chart-trend", "chart-ranking", "chart-category"] {
        b.wait_for(&format!("#{id}[data-rendered=\"1\"]")).await?;
        let canvas = b
            .client
            .find_all(Locator::Css(&format!("#{id} canvas")))
            .await?;
        anyhow::ensure!(!canvas.is_empty(), "{id} has no canvas");
    }
    let card = b.wait_for("#card-deals .stat-value").await?.text().await?;
    anyhow::ensure!(card.trim() == "1", "deals card shows {card}");
    let amount = b
        .wait_for("#card-deal_amount .stat-value")
        .await?
        .text()
        .await?;
    anyhow::ensure!(amount.trim() == "0.12", "deal amount card shows {amount}");

    b.click("#card-deals").await?;
    b.wait_for("#records-table").await?;
    anyhow::ensure!(
        b.current_path().await? == "/stats/511600/records",
        "on the drill-down page"
    );
    let sum = b.wait_for("#records-sum").await?.text().await?;
    anyhow::ensure!(sum.trim() == card.trim(), "figure {sum} vs card {card}");
    let link = b
        .client
        .find(Locator::Css(&format!(
            "#records-table a[href=\"/deals/{deal_id}\"]"
        )))
        .await;
    anyhow::ensure!(link.is_ok(), "the deal is listed");
    let rows = b.client.find_all(Locator::Css(".record-row")).await?;
    anyhow::ensure!(rows.len() == 1, "one record behind the figure");

    // The big screen draws the same charts.
    b.goto(&app.url("/stats/511600/screen")).await?;
    for id in ["chart-trend", "chart-ranking", "chart-category"] {
        b.wait_for(&format!("#{id}[data-rendered=\"1\"]")).await?;
    }
    Ok(())
}

#[tokio::test]
async fn dashboard_charts_render_and_drill_down_in_chromium() {
    run_once("dashboard", scenario).await;
}

/// Without JavaScript the pages carry every figure as HTML: cards, tables, the drill-down sum.
#[tokio::test]
async fn dashboard_pages_without_js() {
    let app = TestApp::spawn().await;
    let (deal_id, title) = confirmed_deal(&app).await;
    let page = |path: &'static str| {
        let app = &app;
        async move {
            let (status, _, body) = app.get_bytes(path, None).await;
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, headers, _) = app.get_bytes("/stats", None).await;
    assert_eq!(status, reqwest::StatusCode::SEE_OTHER);
    assert_eq!(
        headers[reqwest::header::LOCATION],
        "/stats/510000",
        "the root"
    );
    let (status, html) = page("/stats/511600").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    for needle in [
        "id=\"chart-trend\"",
        "id=\"chart-ranking\"",
        "id=\"chart-category\"",
        "id=\"ranking-table\"",
        "id=\"category-table\"",
        "邻水县",
        "果树园艺",
        "/static/vendor/echarts/echarts.min.js",
        "/api/v1/stats/export.xlsx?region=511600",
        "/api/v1/stats/export.csv?region=511600",
        ">0.12<",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    assert!(!html.contains("style="), "no inline styles (CSP)");
    let (status, html) = page("/stats/511600/records?metric=deal_amount").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(html.contains(&format!("href=\"/deals/{deal_id}\"")));
    assert!(html.contains(&title));
    assert!(html.contains("id=\"records-sum\">0.12<"), "{html}");
    assert!(html.contains("1,234.56"));
    let (status, html) = page("/stats/511600/screen").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(html.contains("data-refresh=\"60\"") && !html.contains("class=\"nav\""));
    let (status, _) = page("/stats/511600/records?metric=nope").await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = page("/stats/110000").await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
    let (status, html) = page("/stats/511600?from=2026-13-01").await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "a bad date is a message, not a failure"
    );
    assert!(html.contains("日期格式"));
    app.stop().await;
}
