//! The statistics dashboard in headless Chromium: the three ECharts charts render (CSP-safe,
//! from vendored files), and clicking the deals card opens the records behind the figure; on
//! a phone (390×844) the first screen shows the key figures and no table widens the page; the
//! big screen draws the tile grid of the child regions.

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

    // The big screen draws the same charts, and the map of the city's counties.
    b.client.set_window_size(1920, 1200).await?;
    b.goto(&app.url("/stats/511600/screen")).await?;
    for id in [
        "chart-trend",
        "chart-ranking",
        "chart-category",
        "chart-grid",
    ] {
        b.wait_for(&format!("#{id}[data-rendered=\"1\"]")).await?;
    }
    // With the operator's reviewed boundary map (and its 审图号) the grid becomes a map.
    let maps = app.data_dir.path().join("maps");
    std::fs::create_dir_all(&maps)?;
    std::fs::write(maps.join("511600.geojson"), two_squares())?;
    std::fs::write(maps.join("511600.txt"), "川S【2099】1号")?;
    b.goto(&app.url("/stats/511600/screen")).await?;
    b.wait_for("#chart-grid[data-map-drawn=\"1\"]").await?;
    let note = b.wait_for("#map-approval").await?.text().await?;
    anyhow::ensure!(
        note.contains("川S【2099】1号"),
        "the 审图号 is shown: {note:?}"
    );
    b.set_field("metric", "services_published").await?;
    let url = b.client.current_url().await?;
    anyhow::ensure!(
        url.query() == Some("metric=services_published"),
        "the chosen figure is kept in the address: {url}"
    );
    Ok(())
}

/// Phone-sized checks of one page: how many key figures the first screen shows, and whether
/// anything makes the page wider than the screen.
async fn phone_layout(b: &Browser, url: &str) -> anyhow::Result<(u64, u64, u64)> {
    b.goto(url).await?;
    b.wait_for("#stats-dashboard").await?;
    let v = b
        .client
        .execute(
            r#"const h = window.innerHeight, w = window.innerWidth;
               const shown = [...document.querySelectorAll('.stat-card')].filter(c => {
                 const r = c.getBoundingClientRect();
                 return r.top >= 0 && r.bottom <= h && r.right <= w;
               }).length;
               return [shown, document.documentElement.scrollWidth, w];"#,
            vec![],
        )
        .await?;
    let n = |i: usize| v[i].as_u64().unwrap_or_default();
    Ok((n(0), n(1), n(2)))
}

async fn phone_scenario(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    confirmed_deal(app).await;
    // A 390×844 viewport: the window is that much taller than its viewport.
    b.client.set_window_size(390, 844).await?;
    let inner = b
        .client
        .execute("return window.innerHeight;", vec![])
        .await?
        .as_u64()
        .unwrap_or(844);
    let chrome = 844_u32.saturating_sub(u32::try_from(inner).unwrap_or(844));
    b.client.set_window_size(390, 844 + chrome).await?;
    for path in [
        "/stats/511600",
        "/stats/510000",
        "/stats/511623",
        "/stats/511600?lang=en",
        "/stats/510000?lang=zh",
    ] {
        let (shown, scroll_width, width) = phone_layout(b, &app.url(path)).await?;
        anyhow::ensure!(
            shown >= 4,
            "{path}: the first screen shows {shown} key figures"
        );
        anyhow::ensure!(
            scroll_width <= width,
            "{path}: the page is {scroll_width} px wide on a {width} px screen"
        );
    }
    // The charts fit too, once drawn (the ranking of Sichuan's 21 cities included).
    b.goto(&app.url("/stats/510000")).await?;
    for id in ["chart-trend", "chart-ranking", "chart-category"] {
        b.wait_for(&format!("#{id}[data-rendered=\"1\"]")).await?;
    }
    let wide = b
        .client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        wide == serde_json::Value::Bool(true),
        "charts widen the page"
    );
    b.goto(&app.url("/stats/511600/records?metric=deals"))
        .await?;
    b.wait_for("#records-table").await?;
    let fits = b
        .client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        fits == serde_json::Value::Bool(true),
        "the records table widens the page"
    );
    Ok(())
}

#[tokio::test]
async fn dashboard_on_a_phone_shows_key_figures_first_and_fits_the_screen() {
    if skipped() {
        eprintln!("browser tests skipped (KEJIYUN_BROWSER_TESTS=skip)");
        return;
    }
    let app = TestApp::spawn().await;
    let b = Browser::start().await.unwrap_or_else(|e| panic!("{e:#}"));
    let result = phone_scenario(&app, &b).await;
    if result.is_err() {
        b.print_page(3000).await;
    }
    b.close().await;
    app.stop().await;
    result.unwrap_or_else(|e| panic!("{e:#}"));
}

/// A made-up boundary file of two of 广安's counties (squares; test data only).
fn two_squares() -> String {
    let square = |code: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},30],[{x1},30],[{x1},31],[{x},31],[{x},30]]]}}}}"#,
            x1 = x + 1.0
        )
    };
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
        square("511621", 106.0),
        square("511623", 107.0)
    )
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
    // The charts' data comes with the page, labelled in its language; only the big screen
    // carries the map's tiles.
    let (_, html) = page("/stats/511600").await;
    assert!(html.contains("data-charts=\"{"), "the charts' data");
    assert!(!html.contains("&#34;grid&#34;"), "no map on the dashboard");
    let (_, en) = page("/stats/511600?lang=en").await;
    assert!(en.contains("Services published") && en.contains("Deal amount (10k yuan)"));
    assert!(
        !en.contains("发布科技服务"),
        "no Chinese metric names in English"
    );
    let (status, html) = page("/stats/511600/screen").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(html.contains("data-refresh=\"60\"") && !html.contains("class=\"nav\""));
    assert!(html.contains("id=\"chart-grid\"") && html.contains("&#34;grid&#34;"));
    assert!(
        html.contains("<option value=\"deals\" selected>"),
        "deals by default"
    );
    let (status, html) = page("/stats/511600/screen?metric=deal_amount").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(html.contains("<option value=\"deal_amount\" selected>"));
    let (status, _) = page("/stats/511600/screen?metric=nope").await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    // A county has no children: no map, a sentence instead.
    let (status, html) = page("/stats/511623/screen").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(!html.contains("id=\"chart-grid\""));
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
