//! The region summary (县域科技服务概况) through HTTP: its numbers are `/api/v1/stats`'s for
//! the same region and range, a city's includes its counties', the page shows the paragraph,
//! the PDF is a PDF, and bad parameters are refused in Chinese.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{
    accept_quote, confirm_deal, moderate, publish_short_need, quote_on_need,
};

/// The summary's figures by metric key, each metric checked to appear once.
fn summary_values(body: &Value) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for section in body["sections"].as_array().into_iter().flatten() {
        for clause in section["clauses"].as_array().into_iter().flatten() {
            let key = clause["metric"].as_str().unwrap_or_default().to_owned();
            assert!(
                out.insert(key.clone(), clause["value"].clone()).is_none(),
                "{key} twice"
            );
        }
    }
    out
}

async fn assert_same_as_stats(app: &TestApp, query: &str) -> Value {
    let stats = app.get(&format!("/api/v1/stats?{query}"), None).await;
    assert_eq!(stats.status, StatusCode::OK, "{:?}", stats.body);
    let summary = app
        .get(&format!("/api/v1/stats/summary?{query}"), None)
        .await;
    assert_eq!(summary.status, StatusCode::OK, "{:?}", summary.body);
    let metrics = stats.body["metrics"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(!metrics.is_empty());
    assert_eq!(summary_values(&summary.body), metrics, "{query}");
    assert_eq!(summary.body["region"], stats.body["region"]);
    summary.body
}

#[tokio::test]
async fn the_summary_says_the_stats_figures() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some("511600")).await;
    // 邻水县: a verified tech worker, a need and a confirmed deal of ¥1,234.56.
    let (tw, tw_id) = app.applicant("王工", "511623").await;
    app.verify_tech_worker(&admin, tw_id).await;
    let farmer = app.user("周大伯", Some("511623")).await;
    let need_id = publish_short_need(&app, &farmer, &admin).await;
    let q = quote_on_need(&app, &tw, need_id, 123_456).await;
    assert_eq!(q.status, StatusCode::CREATED, "{:?}", q.body);
    let accepted = accept_quote(&app, &farmer, q.body["id"].as_i64().unwrap_or_default()).await;
    confirm_deal(
        &app,
        &tw,
        accepted.body["deal_id"].as_i64().unwrap_or_default(),
    )
    .await;
    // 岳池县, in the same city: one more need.
    let other = app.user("李大姐", Some("511621")).await;
    let need = app
        .post(
            "/api/v1/needs",
            Some(&other.token),
            json!({
                "title": "水稻稻瘟病防治求助", "problem": "稻田里叶片出现褐色病斑，想请专家看看怎么防治。",
                "industry": "agriculture", "category": "planting", "region": "511621", "submit": true
            }),
        )
        .await;
    assert_eq!(need.status, StatusCode::CREATED, "{:?}", need.body);
    let other_need = need.body["id"].as_i64().unwrap_or_default();
    moderate(&app, &admin, "need", other_need, "approve", json!({})).await;

    let county = assert_same_as_stats(&app, "region=511623").await;
    let city = assert_same_as_stats(&app, "region=511600").await;
    assert_same_as_stats(&app, "region=510000").await;
    assert_same_as_stats(&app, "region=511600&from=2020-01-01&to=2020-12-31").await;
    let (cv, tv) = (summary_values(&county), summary_values(&city));
    assert_eq!(cv["needs_published"], 1);
    assert_eq!(
        tv["needs_published"], 2,
        "the city's includes both counties'"
    );
    assert_eq!(cv["deal_amount"], 123_456);
    assert_eq!(tv["deal_amount"], cv["deal_amount"]);

    let paragraph = county["paragraph"].as_str().unwrap_or_default().to_owned();
    assert!(paragraph.contains("邻水县"), "{paragraph}");
    for clause in [
        "发布科技需求1项",
        "达成交易1项",
        "交易金额0.12万元",
        "入驻科技工作者1人",
    ] {
        assert!(paragraph.contains(clause), "{clause}: {paragraph}");
    }
    assert!(
        !paragraph.contains("成果转化"),
        "zeros are left out: {paragraph}"
    );
    assert!(
        city["paragraph"]
            .as_str()
            .is_some_and(|p| p.contains("广安市") && p.contains("发布科技需求2项"))
    );
    let today = county["computed_at"].as_str().unwrap_or_default();
    assert!(!today.is_empty());

    // One day's range: the same numbers as the stats of that day.
    let stats = app
        .get("/api/v1/stats/records?metric=deals&region=511623", None)
        .await;
    let day = stats.body["items"][0]["day"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let one_day = assert_same_as_stats(&app, &format!("region=511600&from={day}&to={day}")).await;
    assert_eq!(one_day["from"], day.as_str());

    // The page: the paragraph, every figure's drill-down, linked from the dashboard.
    let (status, html) = app.page(None, None, "/stats/511623/summary").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&paragraph), "the page shows the paragraph");
    assert!(html.contains("邻水县科技服务概况（截至"));
    assert!(html.contains("/stats/511623/records?metric=deal_amount"));
    assert!(html.contains("/stats/511623/summary.pdf"));
    let (_, dashboard) = app.page(None, None, "/stats/511623").await;
    assert!(dashboard.contains("/stats/511623/summary"));
    let (status, _) = app.page(None, None, "/stats/110101/summary").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "outside the deployment");

    // The PDF.
    let (status, headers, bytes) = app.get_bytes("/stats/511623/summary.pdf", None).await;
    if crate::api_certificates::font_present() {
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.starts_with(b"%PDF"), "a PDF");
        assert_eq!(headers["content-type"], "application/pdf");
        let disposition = headers["content-disposition"].to_str().unwrap_or_default();
        assert!(
            disposition.starts_with("attachment; filename*=UTF-8''")
                && disposition.ends_with("%E6%A6%82%E5%86%B5.pdf"),
            "{disposition}"
        );
    } else {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }
    let (status, _, _) = app
        .get_bytes("/stats/511623/summary.pdf?from=2026-13-01", None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a file never covers another range"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_summary_parameters_are_refused_in_chinese() {
    let app = TestApp::spawn().await;
    for (q, status) in [
        ("region=5116", StatusCode::UNPROCESSABLE_ENTITY),
        ("region=110101", StatusCode::NOT_FOUND),
        (
            "region=511600&from=2026-13-01",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "from=2026-03-02&to=2026-03-01",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = app.get(&format!("/api/v1/stats/summary?{q}"), None).await;
        assert_eq!(r.status, status, "{q}: {:?}", r.body);
        let stats = app.get(&format!("/api/v1/stats?{q}"), None).await;
        assert_eq!(stats.status, status, "as /api/v1/stats: {q}");
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{q}: {message}"
        );
    }
    app.stop().await;
}
