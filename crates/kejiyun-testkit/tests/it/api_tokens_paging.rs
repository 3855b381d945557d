//! The token list pages like every list: `page`/`per_page` are honoured and echoed.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn token_list_pages_newest_first() {
    let app = TestApp::spawn().await;
    let u = app.user("周八", None).await;
    for name in ["同步一", "同步二", "同步三"] {
        let r = app
            .post(
                "/api/v1/tokens",
                Some(&u.token),
                json!({ "name": name, "expires_in_days": 30 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let all = app.get("/api/v1/tokens", Some(&u.token)).await;
    assert_eq!(all.body["total"], 3);
    assert_eq!(all.body["per_page"], 20);
    assert_eq!(all.body["items"][0]["name"], "同步三");

    let second = app
        .get("/api/v1/tokens?page=2&per_page=2", Some(&u.token))
        .await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    assert_eq!(second.body["total"], 3);
    assert_eq!(second.body["page"], 2);
    assert_eq!(second.body["per_page"], 2);
    let names: Vec<_> = second.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("同步一")]);

    let bad = app.get("/api/v1/tokens?per_page=500", Some(&u.token)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}
