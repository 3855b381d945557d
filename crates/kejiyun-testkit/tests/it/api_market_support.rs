//! Fixtures of the marketplace API tests: postings in good Chinese, created and published
//! through HTTP.

use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// 邻水县 and 岳池县, both in 广安市 (四川省).
pub const LINSHUI: &str = "511623";
pub const YUECHI: &str = "511621";

pub fn service_body(region: &str, scope: &str) -> Value {
    json!({
        "title": "柑橘黄龙病诊断与防治",
        "description": "上门诊断柑橘黄龙病、溃疡病等病害，制定全年防治方案并跟踪指导。",
        "category": "fruit",
        "tags": ["柑橘", "黄龙病"],
        "region": region,
        "scope": scope,
        "price_kind": "amount",
        "price_fen": 80_000,
        "contact": "message",
    })
}

pub fn need_body(region: &str) -> Value {
    json!({
        "title": "脐橙黄龙病防治技术咨询",
        "problem": "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡，担心蔓延到整个果园。",
        "current_practice": "自己挖除病树，喷过几次杀虫剂防木虱",
        "target": "控制住病情，三年内恢复正常产量",
        "budget_fen": 2_000_000,
        "deadline": "2027-03-31",
        "industry": "agriculture",
        "category": "fruit",
        "region": region,
    })
}

pub fn achievement_body(region: &str) -> Value {
    json!({
        "title": "柑橘无病毒苗木繁育技术",
        "summary": "建立了柑橘无病毒苗木三级繁育体系，苗木脱毒率达 99% 以上，已在多个县推广。",
        "category": "fruit",
        "maturity": "industrial",
        "ip_type": "invention_patent",
        "ip_number": "ZL202010000000.0",
        "holders": "四川省某农业科学院",
        "transfer_modes": ["transfer", "license"],
        "price_kind": "amount",
        "price_fen": 50_000_000,
        "region": region,
    })
}

/// `body` with `key` set to `value`.
pub fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

/// Creates a posting of `kind` (`services`, `needs`, `achievements`) and submits it; returns
/// its id.
pub async fn submitted(app: &TestApp, kind: &str, owner: &TestUser, body: Value) -> i64 {
    let r = app
        .post(
            &format!("/api/v1/{kind}"),
            Some(&owner.token),
            with(body, "submit", json!(true)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "create {kind}: {:?}", r.body);
    r.body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id: {:?}", r.body))
}

/// Approves a queued posting as `admin`.
pub async fn approve(app: &TestApp, admin: &TestUser, kind: &str, id: i64) {
    let r = app
        .post(
            &format!("/api/v1/moderation/{kind}/{id}/approve"),
            Some(&admin.token),
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "approve {kind} {id}: {:?}",
        r.body
    );
    assert_eq!(r.body["status"], "published");
}

/// Creates, submits and publishes a posting; returns its id.
pub async fn published(
    app: &TestApp,
    admin: &TestUser,
    kind: &str,
    owner: &TestUser,
    body: Value,
) -> i64 {
    let id = submitted(app, kind, owner, body).await;
    let queue_kind = match kind {
        "services" => "service",
        "needs" => "need",
        _ => "achievement",
    };
    approve(app, admin, queue_kind, id).await;
    id
}

/// The `items` of a list answer.
pub fn items(r: &Value) -> Vec<Value> {
    r["items"].as_array().cloned().unwrap_or_default()
}

/// The ids in a list answer.
pub fn ids(r: &Value) -> Vec<i64> {
    items(r).iter().filter_map(|i| i["id"].as_i64()).collect()
}

/// The usual cast: the 邻水县 admin, a farmer and a verified tech worker there.
pub struct Cast {
    pub admin: TestUser,
    pub farmer: TestUser,
    pub expert: TestUser,
}

pub async fn cast(app: &TestApp) -> Cast {
    Cast {
        admin: app.admin("region_admin", Some(LINSHUI)).await,
        farmer: app.user("王大爷", Some(LINSHUI)).await,
        expert: app.tech_worker("李农艺师", LINSHUI).await,
    }
}

/// Every served figure equals the one recomputed from the records (what `kejiyun stats
/// verify` checks); `what` says which run, in the failure message.
pub async fn assert_figures_exact(app: &TestApp, what: &str) {
    let diffs = app
        .services()
        .stats()
        .verify_stats()
        .await
        .unwrap_or_else(|e| panic!("{what}: verify: {e}"));
    assert!(diffs.is_empty(), "{what}: figures differ: {diffs:?}");
}

/// `provider` quotes `price_fen` on `need`, its `requester` accepts, and the provider confirms:
/// a confirmed deal; returns its id.
pub async fn confirmed_deal_on(
    app: &TestApp,
    need: i64,
    requester: &TestUser,
    provider: &TestUser,
    price_fen: i64,
) -> i64 {
    let q = app
        .post("/api/v1/quotes", Some(&provider.token), json!({
            "need_id": need, "price_fen": price_fen, "timeline_days": 30, "method": "现场诊断并制定防治方案，跟踪一个生长季"
        }))
        .await;
    assert_eq!(q.status, StatusCode::CREATED, "{:?}", q.body);
    let quote = q.body["id"].as_i64().unwrap_or_default();
    let accepted = app
        .post(
            &format!("/api/v1/quotes/{quote}/accept"),
            Some(&requester.token),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let deal = accepted.body["deal_id"].as_i64().unwrap_or_default();
    let confirmed = app
        .post(
            &format!("/api/v1/deals/{deal}/confirm"),
            Some(&provider.token),
            json!({}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    deal
}
