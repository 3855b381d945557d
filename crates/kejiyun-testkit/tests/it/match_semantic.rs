//! Semantic matching end to end, with the real model: a need written the way a farmer writes
//! it, sharing no word with the service that answers it, gets that service suggested (within
//! seconds of publication, "内容相近" saying why), ahead of an unrelated one; the vectors are
//! kept in the database, so a restarted server matches at once without computing them again.
//! Skipped (with a message) where the model file is missing, unless KEJIYUN_REQUIRE_MODEL=1.

use std::time::{Duration, Instant};

use kejiyun_core::search_ports::DocKind;
use kejiyun_testkit::{Backend, TestApp, TestDatabase};
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, cast, need_body, published, service_body, with};

/// Generous for a loaded 2-core CI machine: one embedding takes well under a second.
const PATIENCE: Duration = Duration::from_secs(30);

fn service(title: &str, description: &str, category: &str) -> Value {
    with(
        with(
            with(service_body(LINSHUI, "county"), "title", json!(title)),
            "description",
            json!(description),
        ),
        "category",
        json!(category),
    )
}

/// The matches of `need` (as its owner) once `ok` holds, or the last answer after PATIENCE.
async fn matches_when(app: &TestApp, need: i64, token: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let r = app
            .get(&format!("/api/v1/needs/{need}/matches"), Some(token))
            .await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{:?}", r.body);
        if ok(&r.body) || start.elapsed() > PATIENCE {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn service_ids(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|m| m["type"] == "service")
                .filter_map(|m| m["id"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

fn reason_codes(body: &Value, id: i64) -> Vec<String> {
    body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["id"] == id))
        .and_then(|m| m["reasons"].as_array())
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_need_without_shared_words_finds_its_service_by_meaning() {
    let Some(model) = kejiyun_embed::model_for_tests() else {
        return;
    };
    let db = TestDatabase::create(Backend::Sqlite).await;
    let model = model.display().to_string();
    let app = TestApp::spawn_with(db, |c| {
        c.semantic_matching = true;
        c.embedding_model = model;
    })
    .await;
    let c = cast(&app).await;
    let wilt = published(
        &app,
        &c.admin,
        "services",
        &c.expert,
        service(
            "花生青枯病诊断与综合防治",
            "针对花生青枯病：田间植株成片萎蔫、根茎维管束变褐发黑的地块，上门诊断，提供土壤消毒、轮作换茬和抗病品种方案。",
            "planting",
        ),
    )
    .await;
    let books = published(
        &app,
        &c.admin,
        "services",
        &c.expert,
        service(
            "小微企业代理记账与纳税申报",
            "为小微企业和个体工商户提供代理记账、纳税申报、财务报表编制服务。",
            "planting",
        ),
    )
    .await;
    let need = published(
        &app,
        &c.admin,
        "needs",
        &c.farmer,
        with(
            with(need_body(LINSHUI), "title", json!("地里的苗子一片片焉了")),
            "problem",
            json!("这几天地里的苗子一片一片地焉下去，拔起来看根都是黑的，不晓得得的啥子病，怕全部死完了。"),
        ),
    )
    .await;
    let body = matches_when(&app, need, &c.farmer.token, |b| {
        reason_codes(b, wilt).iter().any(|r| r == "similar_content")
    })
    .await;
    let found = service_ids(&body);
    assert!(found.contains(&wilt), "found by meaning: {body}");
    if let Some(p) = found.iter().position(|id| *id == books) {
        assert!(
            p > found
                .iter()
                .position(|id| *id == wilt)
                .unwrap_or(usize::MAX),
            "the bookkeeping service ranks below: {body}"
        );
    }
    let reasons = &body["items"][0]["reasons"];
    assert!(
        reasons.to_string().contains("内容相近"),
        "the reason says it in Chinese: {body}"
    );

    // The vectors are kept in the database (a second server, or this one restarted, reuses
    // them), each for the text it was computed from.
    let feed = app.services().search_feed.clone();
    for (kind, id) in [(DocKind::Service, wilt), (DocKind::Need, need)] {
        let v = feed
            .stored_vector(kind, id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("{kind:?} {id} has no stored vector"));
        assert_eq!(v.values.len(), kejiyun_core::search_ports::EMBEDDING_DIM);
    }
    let app = app.restart().await;
    let c_farmer = app.login(&c.farmer.login).await;
    let r = app
        .get(
            &format!("/api/v1/needs/{need}/matches"),
            Some(&c_farmer.token),
        )
        .await;
    assert!(
        reason_codes(&r.body, wilt)
            .iter()
            .any(|r| r == "similar_content"),
        "matched by meaning right after a restart: {:?}",
        r.body
    );
    app.stop().await;
}
