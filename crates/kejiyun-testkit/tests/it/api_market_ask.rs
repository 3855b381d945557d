//! The requester asks a quote's provider a question: the thread between them on the need.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn requester_asks_a_quote_provider() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some("511623")).await;
    let provider = app.tech_worker("王工", "511623").await;
    let farmer = app.user("周大伯", Some("511623")).await;
    let stranger = app.user("路人", Some("511623")).await;
    let need = app
        .post("/api/v1/needs", Some(&farmer.token), json!({
            "title": "脐橙黄龙病防治求助", "problem": "果园里有二十多棵脐橙树叶片黄化，担心传染整个果园。",
            "industry": "agriculture", "category": "fruit", "region": "511623", "submit": true
        }))
        .await;
    let need_id = need.body["id"].as_i64().unwrap_or_default();
    app.post(
        &format!("/api/v1/moderation/need/{need_id}/approve"),
        Some(&admin.token),
        json!({}),
    )
    .await;
    let q = app
        .post("/api/v1/quotes", Some(&provider.token), json!({
            "need_id": need_id, "price_fen": 300_000, "timeline_days": 30, "method": "现场诊断并制定防治方案，跟踪一个生长季"
        }))
        .await;
    assert_eq!(q.status, StatusCode::CREATED, "{:?}", q.body);
    let quote_id = q.body["id"].as_i64().unwrap_or_default();

    let r = app
        .post(
            &format!("/api/v1/quotes/{quote_id}/messages"),
            Some(&farmer.token),
            json!({ "body": "请问价格包含补栽的苗木吗？" }),
        )
        .await;
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
    let again = app
        .post(
            &format!("/api/v1/quotes/{quote_id}/messages"),
            Some(&farmer.token),
            json!({ "body": "苗木从哪里采购？" }),
        )
        .await;
    assert_eq!(again.body["id"], thread);
    let r = app
        .post(
            &format!("/api/v1/quotes/{quote_id}/messages"),
            Some(&stranger.token),
            json!({ "body": "我也想问" }),
        )
        .await;
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
    let r = app
        .post(
            &format!("/api/v1/quotes/{quote_id}/messages"),
            Some(&farmer.token),
            json!({ "body": "" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}
