//! Statistics through HTTP: figures follow the records live, the drill-down lists exactly the
//! records behind a figure, and bad parameters are 4xx.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{
    accept_quote, assert_figures_exact, cancel_deal, confirm_deal, publish_short_need,
    quote_on_need,
};

#[tokio::test]
async fn figures_follow_records_and_drill_down_matches() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some("511600")).await;
    let before = app.get("/api/v1/stats?region=511600", None).await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
    for key in [
        "services_published",
        "needs_published",
        "deals",
        "deal_amount",
        "tech_workers",
        "transfers",
    ] {
        assert_eq!(before.body["metrics"][key], 0, "{key} starts at zero");
    }

    // A verified tech worker publishes a service; a farmer publishes a need; they deal.
    let (tw, tw_id) = app.applicant("王工", "511623").await;
    app.verify_tech_worker(&admin, tw_id).await;
    let farmer = app.user("周大伯", Some("511623")).await;
    let need_id = publish_short_need(&app, &farmer, &admin).await;
    let q = quote_on_need(&app, &tw, need_id, 123_456).await;
    assert_eq!(q.status, StatusCode::CREATED, "{:?}", q.body);
    let quote_id = q.body["id"].as_i64().unwrap_or_default();
    let accepted = accept_quote(&app, &farmer, quote_id).await;
    let deal_id = accepted.body["deal_id"].as_i64().unwrap_or_default();
    let mid = app.get("/api/v1/stats?region=511623", None).await;
    assert_eq!(
        mid.body["metrics"]["deals"], 0,
        "a proposed deal does not count yet"
    );
    confirm_deal(&app, &tw, deal_id).await;

    for region in ["511623", "511600", "510000"] {
        let s = app
            .get(&format!("/api/v1/stats?region={region}"), None)
            .await;
        assert_eq!(s.body["metrics"]["deals"], 1, "{region}");
        assert_eq!(s.body["metrics"]["deal_amount"], 123_456, "{region}");
        assert_eq!(s.body["metrics"]["needs_published"], 1, "{region}");
        assert_eq!(s.body["metrics"]["tech_workers"], 1, "{region}");
    }
    let other = app.get("/api/v1/stats?region=511621", None).await;
    assert_eq!(
        other.body["metrics"]["deals"], 0,
        "another county sees none"
    );

    let city = app.get("/api/v1/stats?region=511600", None).await;
    let linshui = city.body["by_child_region"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["key"] == "511623")
        .cloned()
        .unwrap_or_default();
    assert_eq!(linshui["label"], "邻水县");
    assert_eq!(linshui["values"]["deal_amount"], 123_456);
    let fruit = city.body["by_category"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["key"] == "fruit")
        .cloned()
        .unwrap_or_default();
    assert_eq!(fruit["label"], "果树园艺");
    assert_eq!(fruit["values"]["deal_amount"], 123_456);
    assert_eq!(fruit["values"]["needs_published"], 1);
    assert_eq!(city.body["by_month"].as_array().map(Vec::len), Some(1));

    let rec = app
        .get(
            "/api/v1/stats/records?metric=deal_amount&region=511600",
            None,
        )
        .await;
    assert_eq!(rec.status, StatusCode::OK, "{:?}", rec.body);
    assert_eq!(rec.body["total"], 1);
    assert_eq!(rec.body["sum"], 123_456, "the records add up to the figure");
    assert_eq!(rec.body["items"][0]["kind"], "deal");
    assert_eq!(rec.body["items"][0]["id"], deal_id);

    // Today only, and a range that ended before today: one day counts, the other nothing.
    let today = rec.body["items"][0]["day"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let one_day = app
        .get(
            &format!("/api/v1/stats?region=511600&from={today}&to={today}"),
            None,
        )
        .await;
    assert_eq!(one_day.body["metrics"]["deals"], 1);
    let past = app
        .get(
            "/api/v1/stats?region=511600&from=2020-01-01&to=2020-12-31",
            None,
        )
        .await;
    assert_eq!(past.body["metrics"]["deals"], 0);

    // Cancelling a confirmed deal (admins only) moves the figures back.
    let r = cancel_deal(&app, &admin, deal_id, "合同未履行").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let after = app.get("/api/v1/stats?region=510000", None).await;
    assert_eq!(after.body["metrics"]["deals"], 0);
    assert_eq!(after.body["metrics"]["deal_amount"], 0);

    assert_figures_exact(&app, "served = recomputed").await;
    app.stop().await;
}

#[tokio::test]
async fn bad_stats_parameters() {
    let app = TestApp::spawn().await;
    for (q, status) in [
        ("region=5116", StatusCode::UNPROCESSABLE_ENTITY),
        ("region=110101", StatusCode::NOT_FOUND),
        ("from=2026-13-01", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "from=2026-03-02&to=2026-03-01",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = app.get(&format!("/api/v1/stats?{q}"), None).await;
        assert_eq!(r.status, status, "{q}: {:?}", r.body);
        assert!(
            r.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let r = app.get("/api/v1/stats/records?metric=bogus", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/stats/metrics?per_page=100", None).await;
    assert!(r.body["items"].as_array().is_some_and(|m| {
        m.iter()
            .any(|x| x["key"] == "deal_amount" && x["amount"] == true)
    }));
    assert_eq!(
        r.body["total"].as_u64(),
        r.body["items"].as_array().map(|m| m.len() as u64)
    );
    let second = app
        .get("/api/v1/stats/metrics?page=2&per_page=2", None)
        .await;
    assert_eq!(second.body["page"], 2);
    assert_eq!(second.body["items"].as_array().map(Vec::len), Some(2));
    let r = app.get("/api/v1/stats", None).await;
    assert_eq!(r.body["region"]["code"], "510000", "the root by default");
    app.stop().await;
}

/// After its owner edits a published need (back to review, its page 404), the public
/// drill-down — API and page — still shows the title last approved, for the need and the deal
/// on it; the records still add up to the figure.
#[tokio::test]
async fn drill_down_shows_only_moderated_titles() {
    use crate::api_market_support::{LINSHUI, cast, confirmed_deal_on, need_body, with};
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let need = c.publish_farmers_need(&app).await;
    let approved = need_body(LINSHUI)["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let deal = confirmed_deal_on(&app, need, &c.farmer, &c.expert, 200_000).await;

    let unreviewed = "未经审核的新标题：脐橙黄龙病";
    let r = app
        .put(
            &format!("/api/v1/needs/{need}"),
            Some(&c.farmer.token),
            with(need_body(LINSHUI), "title", json!(unreviewed)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let page = app.get(&format!("/api/v1/needs/{need}"), None).await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "back in review: not public"
    );

    for (metric, id) in [("needs_published", need), ("deals", deal)] {
        let rec = app
            .get(
                &format!("/api/v1/stats/records?metric={metric}&region={LINSHUI}"),
                None,
            )
            .await;
        assert_eq!(rec.status, StatusCode::OK, "{:?}", rec.body);
        let items = rec.body["items"].as_array().cloned().unwrap_or_default();
        let item = items
            .iter()
            .find(|i| i["id"] == id)
            .cloned()
            .unwrap_or_default();
        assert_eq!(item["title"], approved.as_str(), "{metric}: {:?}", rec.body);
        assert!(!rec.body.to_string().contains(unreviewed), "{metric}");
        assert_eq!(
            rec.body["sum"], rec.body["total"],
            "{metric}: the records add up"
        );
        let html = app
            .client
            .get(app.url(&format!("/stats/{LINSHUI}/records?metric={metric}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        assert!(html.contains(&approved), "{metric} page");
        assert!(!html.contains(unreviewed), "{metric} page");
    }
    app.stop().await;
}
