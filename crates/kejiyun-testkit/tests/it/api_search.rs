//! Search and matching over HTTP: a published posting becomes searchable (and a closed one
//! disappears) without any call but the write; filters; hostile input; matches with scope
//! rules and permissions; two servers on one PostgreSQL each following the outbox.

use std::time::{Duration, Instant};

use kejiyun_testkit::{Backend, backends};
use kejiyun_testkit::{TestApp, TestUser, client, server_config};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_market_support::{
    LINSHUI, YUECHI, cast, close_posting, published, service_body, with,
};

/// Generous: the index follows within a second (see `kejiyun bench search`); a loaded CI
/// machine must not make this test flaky.
const PATIENCE: Duration = Duration::from_secs(10);

async fn search(app_url: &str, query: &str) -> Value {
    let r = client()
        .get(format!("{app_url}/api/v1/search?{query}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("search: {}", e.without_url()));
    assert_eq!(r.status(), StatusCode::OK, "{query:.60}");
    r.json().await.unwrap_or_else(|e| panic!("json: {e}"))
}

/// Polls the search until `ok` holds; panics after [`PATIENCE`].
pub async fn eventually(app_url: &str, query: &str, ok: impl Fn(&Value) -> bool) -> Value {
    poll(&format!("search {query}"), || search(app_url, query), ok).await
}

/// Fetches `what` until `ok` holds of the answer (the index follows the writes a moment
/// later); panics after [`PATIENCE`].
pub async fn poll<F: Future<Output = Value>>(
    what: &str,
    fetch: impl Fn() -> F,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let r = fetch().await;
        if ok(&r) {
            return r;
        }
        assert!(start.elapsed() < PATIENCE, "{what} never satisfied: {r}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Ids of the results of one type (ids are per table: a service and a need may share one).
pub fn of(r: &Value, kind: &str) -> Vec<i64> {
    r["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| i["type"] == kind)
                .filter_map(|i| i["id"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

pub fn q(text: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", text)
        .finish()
}

#[tokio::test]
async fn published_postings_are_found_and_closed_ones_disappear() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let base = app.url("");
    let service = c.publish_experts_service(&app).await;
    let need = c.publish_farmers_need(&app).await;

    let r = eventually(&base, &q("黄龙病"), |r| {
        of(r, "service").contains(&service) && of(r, "need").contains(&need)
    })
    .await;
    let hit = &r["items"][0];
    assert!(
        hit["title_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<b>"),
        "{hit}"
    );
    assert!(
        r["terms"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("黄龙病")))
    );
    assert_eq!(hit["region"]["code"].as_str().map(str::len), Some(6));

    // Filters: type, region subtree, category.
    let only_needs = search(&base, &format!("{}&type=need", q("黄龙病"))).await;
    assert_eq!(of(&only_needs, "need"), [need]);
    assert!(of(&only_needs, "service").is_empty());
    let elsewhere = search(&base, &format!("{}&region={YUECHI}", q("黄龙病"))).await;
    assert_eq!(elsewhere["total"], 0, "{elsewhere}");
    let city = search(
        &base,
        &format!("{}&region=511600&category=fruit", q("柑橘")),
    )
    .await;
    assert!(of(&city, "service").contains(&service), "{city}");
    let other_category = search(&base, &format!("{}&category=tea", q("柑橘"))).await;
    assert_eq!(other_category["total"], 0);
    // One character, and an empty box (newest first).
    assert!(of(&search(&base, &q("橘")).await, "service").contains(&service));
    assert!(search(&base, "q=").await["total"].as_u64() >= Some(2));

    // Closing removes it from the index.
    let r = close_posting(&app, &c.expert, "services", service, "withdrawn").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    eventually(&base, &q("黄龙病"), |r| {
        !of(r, "service").contains(&service)
    })
    .await;
}

#[tokio::test]
async fn bad_search_input_is_answered_or_refused_never_a_crash() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    // 10,000 characters (a URL of CJK that long would exceed what HTTP clients send).
    let long = format!("{}{}", "柑橘黄龙病防治".repeat(300), "x".repeat(7_900));
    // Invalid UTF-8 in the query string is decoded lossily: answered, not refused.
    assert!(search(&base, "q=%FF%FE%C3").await["items"].is_array());
    for text in [
        "",
        "   ",
        "\"unbalanced",
        "title:x AND (y OR",
        "+-&&||!(){}[]^\"~*?:\\/",
        "😀🍊🚜",
        "5G",
        "GMP",
        long.as_str(),
    ] {
        let r = search(&base, &q(text)).await;
        assert!(r["items"].is_array(), "{text:.20}");
    }
    for (query, status) in [
        ("type=weapon", StatusCode::UNPROCESSABLE_ENTITY),
        ("region=51", StatusCode::UNPROCESSABLE_ENTITY),
        ("region=999999", StatusCode::UNPROCESSABLE_ENTITY),
        ("category=nope", StatusCode::UNPROCESSABLE_ENTITY),
        ("page=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("per_page=1000", StatusCode::UNPROCESSABLE_ENTITY),
        ("page=abc", StatusCode::BAD_REQUEST),
    ] {
        let r = app.get(&format!("/api/v1/search?{query}"), None).await;
        assert_eq!(r.status, status, "{query}: {:?}", r.body);
        assert!(
            r.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{query}: {:?}",
            r.body
        );
    }
    // The search page answers the same inputs.
    for text in ["", "\"((", "😀", long.as_str()] {
        let r = client()
            .get(format!("{base}/search?{}", q(text)))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}", e.without_url()));
        assert_eq!(r.status(), StatusCode::OK, "{text:.20}");
    }
}

async fn matches(app: &TestApp, path: &str, who: Option<&TestUser>) -> (StatusCode, Value) {
    let r = app.get(path, who.map(|u| u.token.as_str())).await;
    (r.status, r.body)
}

#[tokio::test]
async fn matches_respect_scope_and_permissions_and_say_why() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let city_admin = app.admin("region_admin", Some("511600")).await;
    let yuechi_expert = app.tech_worker("岳池专家", YUECHI).await;
    let here = c.publish_experts_service(&app).await;
    let there_county = published(
        &app,
        &city_admin,
        "services",
        &yuechi_expert,
        service_body(YUECHI, "county"),
    )
    .await;
    let there_national = published(
        &app,
        &city_admin,
        "services",
        &yuechi_expert,
        with(
            service_body(YUECHI, "national"),
            "title",
            json!("全国柑橘黄龙病远程诊断"),
        ),
    )
    .await;
    // The index follows the writes; once the services are in, the need is published.
    eventually(&app.url(""), &q("黄龙病"), |r| {
        of(r, "service").len() == 3
    })
    .await;
    let need = c.publish_farmers_need(&app).await;
    eventually(&app.url(""), &q("黄龙病"), |r| of(r, "need") == [need]).await;

    // Publishing it told both sides of the strong match.
    let news = |u: &TestUser| {
        let token = u.token.clone();
        let app = &app;
        async move {
            let r = app.get("/api/v1/notifications", Some(&token)).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            r.body["items"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter(|n| n["kind"] == "new_match")
                        .filter_map(|n| n["link"].as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    assert!(
        news(&c.expert).await.contains(&format!("/needs/{need}")),
        "provider told"
    );
    assert!(
        news(&c.farmer).await.contains(&format!("/services/{here}")),
        "need owner told"
    );
    assert!(
        !news(&yuechi_expert)
            .await
            .contains(&format!("/needs/{need}"))
            || news(&c.farmer)
                .await
                .contains(&format!("/services/{there_national}")),
        "only reachable services are matches"
    );

    let path = format!("/api/v1/needs/{need}/matches");
    let (status, body) = matches(&app, &path, Some(&c.farmer)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found = of(&body, "service");
    assert!(
        found.contains(&here),
        "county service of the need's county: {body}"
    );
    assert!(found.contains(&there_national), "national service: {body}");
    assert!(
        !found.contains(&there_county),
        "another county's county-scope service: {body}"
    );
    let first = &body["items"][0];
    let codes: Vec<&str> = first["reasons"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        codes.contains(&"terms") && codes.contains(&"same_category"),
        "{first}"
    );
    assert!(
        first["reasons"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("匹配词"))
    );

    // The region's admins see them too; others do not.
    assert_eq!(matches(&app, &path, Some(&c.admin)).await.0, StatusCode::OK);
    assert_eq!(
        matches(&app, &path, Some(&c.expert)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(matches(&app, &path, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        matches(&app, "/api/v1/needs/999999/matches", Some(&c.farmer))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The other direction: a service sees the needs it reaches.
    let (status, body) = matches(
        &app,
        &format!("/api/v1/services/{here}/matches"),
        Some(&c.expert),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(of(&body, "need"), [need]);
    let (_, body) = matches(
        &app,
        &format!("/api/v1/services/{there_county}/matches"),
        Some(&yuechi_expert),
    )
    .await;
    assert!(
        of(&body, "need").is_empty(),
        "a county service never reaches another county: {body}"
    );

    // The need's page shows its owner the matches box.
    let page = app
        .send_with(
            &client(),
            Method::GET,
            &format!("/needs/{need}"),
            Some(&c.farmer.token),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn two_servers_on_one_postgres_each_follow_the_outbox() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("two-server search test skipped: no PostgreSQL configured");
        return;
    }
    let a = TestApp::spawn_on(Backend::Postgres).await;
    let b_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = server_config(b_dir.path(), &a.db.url);
    let b = kejiyun::server::spawn(&config, false)
        .await
        .unwrap_or_else(|e| panic!("second server: {e:#}"));
    let c = cast(&a).await;
    let service = published(
        &a,
        &c.admin,
        "services",
        &c.expert,
        service_body(LINSHUI, "county"),
    )
    .await;
    // Published through A, found through B (and A).
    eventually(&b.url(), &q("黄龙病"), |r| {
        of(r, "service").contains(&service)
    })
    .await;
    eventually(&a.url(""), &q("黄龙病"), |r| {
        of(r, "service").contains(&service)
    })
    .await;
    let r = a
        .post(
            &format!("/api/v1/services/{service}/close"),
            Some(&c.expert.token),
            json!({ "reason": "withdrawn" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    eventually(&b.url(), &q("黄龙病"), |r| {
        !of(r, "service").contains(&service)
    })
    .await;
    b.stop().await;
}

#[tokio::test]
async fn reindex_rebuilds_and_a_garbled_index_is_rebuilt_at_start() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let service = c.publish_experts_service(&app).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data_dir = dir.path().to_string_lossy().into_owned();
    let args = [
        "kejiyun",
        "reindex",
        "--data-dir",
        &data_dir,
        "--database-url",
        &app.db.url,
    ];
    kejiyun::cli::run(<kejiyun::cli::Cli as clap::Parser>::parse_from(args))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let index_dir = dir.path().join("search-index");
    let files: Vec<_> = std::fs::read_dir(&index_dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .collect();
    assert!(!files.is_empty(), "reindex wrote an index");
    for f in files {
        std::fs::write(f.path(), b"not an index").unwrap_or_else(|e| panic!("{e}"));
    }
    let config = server_config(dir.path(), &app.db.url);
    let b = kejiyun::server::spawn(&config, false)
        .await
        .unwrap_or_else(|e| panic!("a garbled index must not stop the server: {e:#}"));
    let r = search(&b.url(), &q("黄龙病")).await;
    assert!(
        of(&r, "service").contains(&service),
        "rebuilt at start: {r}"
    );
    b.stop().await;
}

#[tokio::test]
async fn freshness_bench_runs() {
    let report = kejiyun::bench_freshness::run(3, None, None)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((report.found.len(), report.gone.len()), (3, 3));
    let table = report.markdown();
    assert!(table.contains("published → searchable"), "{table}");
}
