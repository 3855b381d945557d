//! Time to first answer (专家首次回复用时) through HTTP: only answered questions count, by the
//! month and region they were asked in, rolled up the region tree, on the API and the dashboard.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{LINSHUI, cast, moderate};
use crate::api_questions::{ask, question_body};

#[tokio::test]
async fn the_median_wait_counts_answered_questions_by_month_and_region() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let asked = ask(&app, &c.farmer, question_body(LINSHUI)).await;
        assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
        let id = asked.body["id"].as_i64().unwrap_or_default();
        let approved = moderate(&app, &c.admin, "question", id, "approve", json!({})).await;
        assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
        ids.push(id);
    }
    let none = app
        .get(
            &format!("/api/v1/stats/first-answer?region={LINSHUI}"),
            None,
        )
        .await;
    assert_eq!(none.status, StatusCode::OK, "{:?}", none.body);
    assert!(
        none.body["overall"].is_null(),
        "nothing answered yet: {:?}",
        none.body
    );

    // One of the two is answered: it alone is in the figure.
    let answered = app
        .post(
            &format!("/api/v1/questions/{}/answers", ids[0]),
            Some(&c.expert.token),
            json!({"text": "建议先采集叶片送检，确认是否为黄龙病；确诊后及时挖除病株。"}),
        )
        .await;
    assert_eq!(answered.status, StatusCode::CREATED, "{:?}", answered.body);
    for region in [LINSHUI, "511600", "510000"] {
        let r = app
            .get(&format!("/api/v1/stats/first-answer?region={region}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(
            r.body["overall"]["answered_questions"], 1,
            "{region}: {:?}",
            r.body
        );
        assert_eq!(
            r.body["overall"]["median_minutes"], 0,
            "answered within the minute"
        );
        assert_eq!(r.body["by_month"].as_array().map(Vec::len), Some(1));
    }
    let city = app
        .get("/api/v1/stats/first-answer?region=511600", None)
        .await;
    let children = city.body["by_child_region"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let linshui = children
        .iter()
        .find(|c| c["region"]["code"] == LINSHUI)
        .unwrap_or_else(|| panic!("{children:?}"));
    assert_eq!(linshui["median"]["answered_questions"], 1);
    assert!(
        children.iter().filter(|c| c["median"].is_null()).count() >= 1,
        "counties without answers are listed with null"
    );
    let past = app
        .get(
            &format!("/api/v1/stats/first-answer?region={LINSHUI}&from=2020-01-01&to=2020-12-31"),
            None,
        )
        .await;
    assert!(
        past.body["overall"].is_null(),
        "asked outside the range: {:?}",
        past.body
    );
    let bad = app
        .get(
            "/api/v1/stats/first-answer?region=511623&from=2026-13-01",
            None,
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad.body
    );

    let (status, html) = app.page(None, None, &format!("/stats/{LINSHUI}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("id=\"first-answer-median\""),
        "the dashboard shows it"
    );
    app.stop().await;
}
