//! The requester asks a quote's provider a question: the thread between them on the need.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{ask_about_quote, moderate, quote_on_need, submit_short_need};

#[tokio::test]
async fn requester_asks_a_quote_provider() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some("511623")).await;
    let provider = app.tech_worker("王工", "511623").await;
    let farmer = app.user("周大伯", Some("511623")).await;
    let stranger = app.user("路人", Some("511623")).await;
    let need = submit_short_need(&app, &farmer).await;
    let need_id = need.body["id"].as_i64().unwrap_or_default();
    moderate(&app, &admin, "need", need_id, "approve", json!({})).await;
    let q = quote_on_need(&app, &provider, need_id, 300_000).await;
    assert_eq!(q.status, StatusCode::CREATED, "{:?}", q.body);
    let quote_id = q.body["id"].as_i64().unwrap_or_default();

    let r = ask_about_quote(&app, &farmer, quote_id, "请问价格包含补栽的苗木吗？").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let thread = r.body["id"].as_i64().unwrap_or_default();
    let seen = app
        .get(
            &format!("/api/v1/inquiries/{thread}"),
            Some(&provider.token),
        )
        .await;
    assert_eq!(
        seen.status,
        StatusCode::OK,
        "the provider sees the question: {:?}",
        seen.body
    );
    let text = seen.body.to_string();
    assert!(text.contains("请问价格包含补栽的苗木吗？"), "{text}");

    // A second question goes to the same thread; nobody else may ask or read.
    let again = ask_about_quote(&app, &farmer, quote_id, "苗木从哪里采购？").await;
    assert_eq!(again.body["id"], thread);
    let r = ask_about_quote(&app, &stranger, quote_id, "我也想问").await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{:?}",
        r.body
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/inquiries/{thread}"),
            Some(&stranger.token)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = ask_about_quote(&app, &farmer, quote_id, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}
