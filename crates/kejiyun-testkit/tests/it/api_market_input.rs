//! Bad input on the marketplace API: over-long text, unknown categories and fields, mistyped
//! amounts (a clear Chinese 4xx, nothing written); script tags and SQL stored and returned as
//! text; the category catalogue.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, cast, ids, need_body, published, service_body, with};

#[tokio::test]
async fn bad_input_is_refused_and_text_is_stored_verbatim() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let cases: Vec<(Value, &str)> = vec![
        (
            with(
                service_body(LINSHUI, "county"),
                "title",
                json!("柑".repeat(61)),
            ),
            "title",
        ),
        (
            with(
                service_body(LINSHUI, "county"),
                "description",
                json!("橘".repeat(5001)),
            ),
            "description",
        ),
        (
            with(
                service_body(LINSHUI, "county"),
                "category",
                json!("weapons"),
            ),
            "category",
        ),
        (
            with(service_body(LINSHUI, "county"), "region", json!("999999")),
            "region",
        ),
        (
            with(service_body(LINSHUI, "county"), "region", json!("110101")),
            "region",
        ),
        (
            with(
                service_body(LINSHUI, "county"),
                "price_kind",
                json!("cheap"),
            ),
            "price_kind",
        ),
        (
            with(service_body(LINSHUI, "county"), "price_fen", json!(-100)),
            "price_fen",
        ),
        (
            with(
                service_body(LINSHUI, "county"),
                "tags",
                json!([
                    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"
                ]),
            ),
            "tags",
        ),
    ];
    for (body, field) in cases {
        let r = app
            .post("/api/v1/services", Some(&c.expert.token), body)
            .await;
        r.assert_invalid_field(field);
        assert!(
            !r.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
    }
    for body in [
        with(service_body(LINSHUI, "county"), "price_fen", json!(12.5)),
        with(service_body(LINSHUI, "county"), "price_fen", json!("800")),
        with(service_body(LINSHUI, "county"), "colour", json!("red")),
        with(need_body(LINSHUI), "title", json!(42)),
    ] {
        let path = if body.get("problem").is_some() {
            "/api/v1/needs"
        } else {
            "/api/v1/services"
        };
        let r = app.post(path, Some(&c.expert.token), body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    }
    let r = app
        .post_raw(
            "/api/v1/needs/completeness",
            "application/json",
            b"{\"title\": ".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post_raw("/api/v1/needs/completeness", "text/plain", b"{}".to_vec())
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mine = app
        .get("/api/v1/services?mine=true", Some(&c.expert.token))
        .await;
    assert_eq!(mine.body["total"], 0, "nothing written");
    let mine = app
        .get("/api/v1/needs?mine=true", Some(&c.expert.token))
        .await;
    assert_eq!(mine.body["total"], 0, "nothing written");

    let nasty = "脐橙<script>alert('黄龙病')</script>；'; DROP TABLE needs; -- 还有 \" OR 1=1 的问题，叶片发黄已经两年了";
    let body = with(need_body(LINSHUI), "problem", json!(nasty));
    let id = published(&app, &c.admin, "needs", &c.farmer, body).await;
    let r = app.get(&format!("/api/v1/needs/{id}"), None).await;
    assert_eq!(r.body["problem"], nasty, "stored and returned as text");
    let search = app.get("/api/v1/needs?q=DROP TABLE", None).await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(ids(&search.body).contains(&id));
    let all = app.get("/api/v1/needs", None).await;
    assert!(ids(&all.body).contains(&id), "the table is still there");
    app.stop().await;
}

#[tokio::test]
async fn categories_and_vocabularies() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/categories", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let cats = r.body["categories"].as_array().cloned().unwrap_or_default();
    assert!(
        cats.iter()
            .any(|c| c["code"] == "fruit" && c["label"] == "果树园艺")
    );
    assert!(cats.len() > 20);
    for (key, code, label) in [
        ("scopes", "national", "全国"),
        ("maturities", "small_pilot", "小试"),
        ("transfer_modes", "equity", "作价入股"),
        ("decline_reasons", "too_expensive", "价格太高"),
        ("close_reasons", "no_answer", "无人响应"),
        ("follow_up_kinds", "visit", "上门走访"),
        ("ticket_outcomes", "deal_made", "促成交易"),
        ("ip_types", "plant_variety", "植物新品种权"),
        ("industries", "agriculture", "农业"),
        ("contact_prefs", "phone", "电话"),
    ] {
        let list = r.body[key].as_array().cloned().unwrap_or_default();
        assert!(
            list.iter()
                .any(|v| v["code"] == code && v["label"] == label),
            "{key}: {list:?}"
        );
    }
    let agri = app.get("/api/v1/categories?group=agriculture", None).await;
    let agri = agri.body["categories"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!agri.is_empty() && agri.iter().all(|c| c["group"] == "agriculture"));
    let bad = app.get("/api/v1/categories?group=weapons", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}
