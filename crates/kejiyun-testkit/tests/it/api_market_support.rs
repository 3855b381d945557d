//! Fixtures of the marketplace API tests: postings in good Chinese, created and published
//! through HTTP; the usual cast; and the scenario steps the HTTP tests share, one request each
//! (inquiries, quotes, deals, moderation, closing a posting), answered as sent for the test to
//! assert on. Steps outside the marketplace (logging in, verifying a tech worker, readiness) are
//! on `TestApp`; browser steps on `kejiyun_testkit::browser::Browser`.

use kejiyun_testkit::{Reply, TestApp, TestUser};
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
    let r = moderate(app, admin, kind, id, "approve", json!({})).await;
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

impl Cast {
    /// The farmer's need in 邻水县 ([`need_body`]), published by the county admin; its id.
    pub async fn publish_farmers_need(&self, app: &TestApp) -> i64 {
        published(app, &self.admin, "needs", &self.farmer, need_body(LINSHUI)).await
    }

    /// The expert's county-wide service in 邻水县 ([`service_body`]), published by the county
    /// admin; its id.
    pub async fn publish_experts_service(&self, app: &TestApp) -> i64 {
        let body = service_body(LINSHUI, "county");
        published(app, &self.admin, "services", &self.expert, body).await
    }

    /// The expert's achievement in 邻水县 ([`achievement_body`]), published by the county admin;
    /// its id.
    pub async fn publish_experts_achievement(&self, app: &TestApp) -> i64 {
        let body = achievement_body(LINSHUI);
        published(app, &self.admin, "achievements", &self.expert, body).await
    }
}

// One request each, answered as sent (the caller asserts what it expects).

/// The title of [`submit_short_need`]'s need.
pub const SHORT_NEED_TITLE: &str = "脐橙黄龙病防治求助";

/// `farmer` creates and submits a short need in 邻水县 (title, problem, industry, category).
pub async fn submit_short_need(app: &TestApp, farmer: &TestUser) -> Reply {
    app.post(
        "/api/v1/needs",
        Some(&farmer.token),
        json!({
            "title": SHORT_NEED_TITLE, "problem": "果园里有二十多棵脐橙树叶片黄化，担心传染整个果园。",
            "industry": "agriculture", "category": "fruit", "region": "511623", "submit": true
        }),
    )
    .await
}

/// `farmer` submits the short need ([`submit_short_need`], asserted created) and `admin`
/// approves it (the approval's answer is not looked at); its id.
pub async fn publish_short_need(app: &TestApp, farmer: &TestUser, admin: &TestUser) -> i64 {
    let need = submit_short_need(app, farmer).await;
    assert_eq!(need.status, StatusCode::CREATED, "{:?}", need.body);
    let need_id = need.body["id"].as_i64().unwrap_or_default();
    moderate(app, admin, "need", need_id, "approve", json!({})).await;
    need_id
}

/// `admin` takes `decision` (`approve`, `reject`, …) with `body` on the queued `kind`
/// (`service`, `need`, `achievement`, `tech_worker`, …) `id`.
pub async fn moderate(
    app: &TestApp,
    admin: &TestUser,
    kind: &str,
    id: i64,
    decision: &str,
    body: Value,
) -> Reply {
    app.post(
        &format!("/api/v1/moderation/{kind}/{id}/{decision}"),
        Some(&admin.token),
        body,
    )
    .await
}

/// `admin` rejects the queued `kind` (`service`, `need`, `tech_worker`, …) `id` for `reason`.
pub async fn reject(app: &TestApp, admin: &TestUser, kind: &str, id: i64, reason: &str) -> Reply {
    moderate(app, admin, kind, id, "reject", json!({ "reason": reason })).await
}

/// `who` confirms that the posting of `kind` (`services`, `needs`, `achievements`) `id` is
/// still current (its owner does: the expiry moves on).
pub async fn confirm_posting(app: &TestApp, who: &TestUser, kind: &str, id: i64) -> Reply {
    app.post(
        &format!("/api/v1/{kind}/{id}/confirm"),
        Some(&who.token),
        json!({}),
    )
    .await
}

/// `owner` submits their posting of `kind` (`services`, `needs`, `achievements`) for review.
pub async fn submit_posting(app: &TestApp, owner: &TestUser, kind: &str, id: i64) -> Reply {
    app.post(
        &format!("/api/v1/{kind}/{id}/submit"),
        Some(&owner.token),
        json!({}),
    )
    .await
}

/// `who` closes the posting of `kind` (`services`, `needs`, `achievements`) `id` for `reason`.
pub async fn close_posting(
    app: &TestApp,
    who: &TestUser,
    kind: &str,
    id: i64,
    reason: &str,
) -> Reply {
    app.post(
        &format!("/api/v1/{kind}/{id}/close"),
        Some(&who.token),
        json!({ "reason": reason }),
    )
    .await
}

/// `who` writes `body` about the posting of `posting_kind` (`service`, `need`, `achievement`)
/// `posting_id`: a new inquiry thread, or the next message of theirs.
pub async fn inquire(
    app: &TestApp,
    who: &TestUser,
    posting_kind: &str,
    posting_id: i64,
    body: &str,
) -> Reply {
    app.post(
        "/api/v1/inquiries",
        Some(&who.token),
        json!({ "posting_kind": posting_kind, "posting_id": posting_id, "body": body }),
    )
    .await
}

/// `who` writes `body` in the inquiry thread `thread`.
pub async fn write_in_thread(app: &TestApp, who: &TestUser, thread: i64, body: &str) -> Reply {
    app.post(
        &format!("/api/v1/inquiries/{thread}/messages"),
        Some(&who.token),
        json!({ "body": body }),
    )
    .await
}

/// `provider` quotes `price_fen` on `need`, 30 days, the usual method.
pub async fn quote_on_need(app: &TestApp, provider: &TestUser, need: i64, price_fen: i64) -> Reply {
    app.post("/api/v1/quotes", Some(&provider.token), json!({
        "need_id": need, "price_fen": price_fen, "timeline_days": 30, "method": "现场诊断并制定防治方案，跟踪一个生长季"
    }))
    .await
}

/// `who` asks `body` about the quote `quote` (the requester asks its provider).
pub async fn ask_about_quote(app: &TestApp, who: &TestUser, quote: i64, body: &str) -> Reply {
    app.post(
        &format!("/api/v1/quotes/{quote}/messages"),
        Some(&who.token),
        json!({ "body": body }),
    )
    .await
}

/// `who` accepts the quote `quote` (the requester does: a deal is proposed).
pub async fn accept_quote(app: &TestApp, who: &TestUser, quote: i64) -> Reply {
    app.post(
        &format!("/api/v1/quotes/{quote}/accept"),
        Some(&who.token),
        json!({}),
    )
    .await
}

/// `who` declines the quote `quote` with `body` (`reason`, optional `note`).
pub async fn decline_quote(app: &TestApp, who: &TestUser, quote: i64, body: Value) -> Reply {
    app.post(
        &format!("/api/v1/quotes/{quote}/decline"),
        Some(&who.token),
        body,
    )
    .await
}

/// `who` withdraws the quote `quote` (its provider does).
pub async fn withdraw_quote(app: &TestApp, who: &TestUser, quote: i64) -> Reply {
    app.post(
        &format!("/api/v1/quotes/{quote}/withdraw"),
        Some(&who.token),
        json!({}),
    )
    .await
}

/// `who` proposes the deal `body` (postings, amount, date; or an inquiry).
pub async fn propose_deal(app: &TestApp, who: &TestUser, body: Value) -> Reply {
    app.post("/api/v1/deals", Some(&who.token), body).await
}

/// `who` confirms the deal `deal`.
pub async fn confirm_deal(app: &TestApp, who: &TestUser, deal: i64) -> Reply {
    app.post(
        &format!("/api/v1/deals/{deal}/confirm"),
        Some(&who.token),
        json!({}),
    )
    .await
}

/// `who` cancels the deal `deal` for `reason`.
pub async fn cancel_deal(app: &TestApp, who: &TestUser, deal: i64, reason: &str) -> Reply {
    app.post(
        &format!("/api/v1/deals/{deal}/cancel"),
        Some(&who.token),
        json!({ "reason": reason }),
    )
    .await
}

/// The deal `deal` as `who` sees it.
pub async fn get_deal(app: &TestApp, who: &TestUser, deal: i64) -> Reply {
    app.get(&format!("/api/v1/deals/{deal}"), Some(&who.token))
        .await
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
    let q = quote_on_need(app, provider, need, price_fen).await;
    assert_eq!(q.status, StatusCode::CREATED, "{:?}", q.body);
    let quote = q.body["id"].as_i64().unwrap_or_default();
    let accepted = accept_quote(app, requester, quote).await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let deal = accepted.body["deal_id"].as_i64().unwrap_or_default();
    let confirmed = confirm_deal(app, provider, deal).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    deal
}
