//! Snapshots of the JSON of every `/api/v1` resource, recorded before a refactoring that
//! promises no change in behaviour: one scenario (a county admin, a farmer, tech workers, an
//! organization; postings through moderation, an inquiry, quotes, a deal, a caseworker ticket,
//! notifications, statistics, search and matching, the usual errors, and last a quote withdrawn
//! and a posting closed) whose every answer is compared byte for byte with
//! `tests/it/snapshots/api_*.snap`. The same snapshots hold on every configured backend. How to
//! review a change: see snapshot_support.rs.

use kejiyun_testkit::{Backend, Reply, TestApp, TestUser, backends, client};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_market_support::{
    LINSHUI, achievement_body, approve, cast, items, need_body, published, service_body, submitted,
    with,
};
use crate::api_search::{eventually, of, poll, q};
use crate::snapshot_support::assert_reply;

/// Sends the scenario's requests; with `record`, asserts the snapshot of each answer.
pub struct Recorder<'a> {
    pub app: &'a TestApp,
    pub record: bool,
}

impl Recorder<'_> {
    pub async fn send(
        &self,
        name: &str,
        method: Method,
        path: &str,
        who: Option<&TestUser>,
        body: Option<Value>,
    ) -> Reply {
        let token = who.map(|u| u.token.as_str());
        let reply = self
            .app
            .send_with(&client(), method.clone(), path, token, body)
            .await;
        if self.record {
            assert_reply(name, &format!("{method} {path}"), &reply);
        }
        reply
    }

    pub async fn get(&self, name: &str, path: &str, who: Option<&TestUser>) -> Reply {
        self.send(name, Method::GET, path, who, None).await
    }

    pub async fn post(&self, name: &str, path: &str, who: &TestUser, body: Value) -> Reply {
        self.send(name, Method::POST, path, Some(who), Some(body))
            .await
    }

    /// POSTs like [`Self::post`] (no snapshot when `name` is empty) and asserts the status.
    pub async fn expect(
        &self,
        name: &str,
        path: &str,
        who: &TestUser,
        body: Value,
        status: StatusCode,
    ) -> Reply {
        let reply = if name.is_empty() {
            self.app.post(path, Some(&who.token), body).await
        } else {
            self.post(name, path, who, body).await
        };
        assert_eq!(reply.status, status, "POST {path}: {}", reply.text);
        reply
    }
}

/// The number `key` of an answer (`id`, `deal_id`).
fn id(r: &Reply, key: &str) -> i64 {
    r.body[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key}: {}", r.text))
}

/// What the scenario made: the people and the records the snapshots are about.
pub struct World {
    pub admin: TestUser,
    pub farmer: TestUser,
    pub expert: TestUser,
    /// A user whose tech-worker application waits in the queue (no role yet).
    pub applicant: TestUser,
    pub service: i64,
    pub need: i64,
    pub achievement: i64,
    pub org: i64,
    pub deal: i64,
}

/// Builds the scenario through HTTP, in an order that makes every answer deterministic: the
/// service and the achievement are searchable before the need is published (its publication
/// notifies strong matches), and everything is searchable before any search or match.
pub async fn world(rec: &Recorder<'_>) -> World {
    let app = rec.app;
    let (ok, created) = (StatusCode::OK, StatusCode::CREATED);
    let c = cast(app).await;
    let rival = app.tech_worker("张工", LINSHUI).await;
    let (applicant, _) = app.applicant("赵技术员", LINSHUI).await;

    // An organization verified, another waiting in the queue.
    let org = json!({
        "name": "邻水县柑橘种植专业合作社", "org_type": "cooperative", "region": LINSHUI,
        "credit_code": "91350100M000100Y43", "description": "脐橙、柑橘标准化种植与统一销售"
    });
    let org = rec.expect("api_org_create", "/api/v1/orgs", &c.farmer, org, created);
    let org = id(&org.await, "id");
    let verify = format!("/api/v1/orgs/{org}/verify");
    rec.expect("api_org_verify", &verify, &c.admin, json!({}), ok)
        .await;
    let pending_org =
        json!({ "name": "邻水县农业技术推广站", "org_type": "agency", "region": LINSHUI });
    rec.expect("", "/api/v1/orgs", &applicant, pending_org, created)
        .await;

    // A service from draft to publication; the achievement published; a second service pending.
    let draft = service_body(LINSHUI, "county");
    let draft = rec.expect(
        "api_service_create",
        "/api/v1/services",
        &c.expert,
        draft,
        created,
    );
    let service = id(&draft.await, "id");
    let submit = format!("/api/v1/services/{service}/submit");
    rec.expect("api_service_submit", &submit, &c.expert, json!({}), ok)
        .await;
    let approve_it = format!("/api/v1/moderation/service/{service}/approve");
    rec.expect(
        "api_moderation_approve",
        &approve_it,
        &c.admin,
        json!({}),
        ok,
    )
    .await;
    let achievement = achievement_body(LINSHUI);
    let achievement = published(app, &c.admin, "achievements", &c.expert, achievement).await;
    let second = with(
        service_body(LINSHUI, "city"),
        "title",
        json!("柑橘溃疡病远程会诊"),
    );
    submitted(app, "services", &c.expert, second).await;
    eventually(&app.url(""), &q("柑橘"), |r| {
        of(r, "service") == [service] && of(r, "achievement") == [achievement]
    })
    .await;

    let need = with(need_body(LINSHUI), "submit", json!(true));
    let need = rec.expect("api_need_create", "/api/v1/needs", &c.farmer, need, created);
    let need = id(&need.await, "id");
    approve(app, &c.admin, "need", need).await;
    eventually(&app.url(""), &q("黄龙病"), |r| of(r, "need") == [need]).await;
    eventually(&app.url(""), &q("柑橘"), |r| {
        of(r, "tech_worker").len() == 2 && of(r, "org") == [org]
    })
    .await;

    // An inquiry thread, two quotes (one declined, one accepted), the deal confirmed.
    let inquiry = json!({
        "posting_kind": "service", "posting_id": service,
        "body": "李老师您好，我家 50 亩脐橙叶子发黄，能上门看看吗？"
    });
    let inquiry = rec.expect(
        "api_inquiry_create",
        "/api/v1/inquiries",
        &c.farmer,
        inquiry,
        created,
    );
    let messages = format!("/api/v1/inquiries/{}/messages", id(&inquiry.await, "id"));
    let reply = json!({ "body": "可以，本周六上午到您果园。" });
    rec.expect("api_inquiry_message", &messages, &c.expert, reply, created)
        .await;
    let quote = json!({
        "need_id": need, "price_fen": 300_000, "timeline_days": 30,
        "method": "上门诊断三次，出具书面防治方案并跟踪半年", "service_id": service
    });
    let quote = rec.expect(
        "api_quote_create",
        "/api/v1/quotes",
        &c.expert,
        quote,
        created,
    );
    let quote = id(&quote.await, "id");
    let rival_quote = json!({
        "need_id": need, "price_fen": 200_000, "timeline_days": 90,
        "method": "远程视频指导为主，必要时上门一次"
    });
    let rival_quote = rec.expect("", "/api/v1/quotes", &rival, rival_quote, created);
    let decline = format!("/api/v1/quotes/{}/decline", id(&rival_quote.await, "id"));
    let why = json!({ "reason": "too_slow", "note": "希望一个月内解决" });
    rec.expect("api_quote_decline", &decline, &c.farmer, why, ok)
        .await;
    let accept = format!("/api/v1/quotes/{quote}/accept");
    let accepted = rec.expect("api_quote_accept", &accept, &c.farmer, json!({}), ok);
    let deal = id(&accepted.await, "deal_id");
    let deal_path = format!("/api/v1/deals/{deal}");
    rec.get("api_deal_proposed", &deal_path, Some(&c.farmer))
        .await;
    let confirm = format!("{deal_path}/confirm");
    rec.expect("api_deal_confirm", &confirm, &c.expert, json!({}), ok)
        .await;
    // The provider's confirmed deal reaches the index (a reason of the need's matches: for
    // the service and for its tech worker).
    let matches = format!("/api/v1/needs/{need}/matches");
    poll(
        "the provider's deal in the need's matches",
        || async { app.get(&matches, Some(&c.farmer.token)).await.body },
        |r| r.to_string().matches("provider_deals").count() == 2,
    )
    .await;

    // The county's caseworker follows the need up: a call, the rival's inquiry on the need
    // and the deal linked, then closed.
    let ticket = json!({ "need_id": need });
    let ticket = rec.expect(
        "api_ticket_create",
        "/api/v1/tickets",
        &c.admin,
        ticket,
        created,
    );
    let ticket = format!("/api/v1/tickets/{}", id(&ticket.await, "id"));
    let call = json!({ "kind": "call", "note": "电话联系王大爷，了解果园发病情况" });
    let follow_ups = format!("{ticket}/follow-ups");
    rec.expect("api_ticket_follow_up", &follow_ups, &c.admin, call, created)
        .await;
    let ask = json!({
        "posting_kind": "need", "posting_id": need, "body": "我可以上门诊断，请问果园在哪个镇？"
    });
    let need_inquiry = rec.expect("", "/api/v1/inquiries", &rival, ask, created);
    let need_inquiry = id(&need_inquiry.await, "id");
    let links = format!("{ticket}/links");
    for (name, kind, target) in [
        ("api_ticket_link_inquiry", "inquiry", need_inquiry),
        ("api_ticket_link_deal", "deal", deal),
    ] {
        let link = json!({ "kind": kind, "target_id": target });
        rec.expect(name, &links, &c.admin, link, ok).await;
    }
    rec.get("api_ticket", &ticket, Some(&c.admin)).await;
    let close = json!({ "outcome": "deal_made", "note": "已与李农艺师成交" });
    let close_path = format!("{ticket}/close");
    rec.expect("api_ticket_close", &close_path, &c.admin, close, ok)
        .await;

    World {
        admin: c.admin,
        farmer: c.farmer,
        expert: c.expert,
        applicant,
        service,
        need,
        achievement,
        org,
        deal,
    }
}

/// The reads of every resource over the scenario's records, and the usual errors.
async fn reads(rec: &Recorder<'_>, w: &World) {
    let (farmer, expert, admin) = (Some(&w.farmer), Some(&w.expert), Some(&w.admin));
    let gets: Vec<(&str, String, Option<&TestUser>)> = vec![
        ("api_me", "/api/v1/me".into(), farmer),
        ("api_regions_search", "/api/v1/regions?q=邻水".into(), None),
        ("api_region", format!("/api/v1/regions/{LINSHUI}"), None),
        (
            "api_region_children",
            "/api/v1/regions/511600/children".into(),
            None,
        ),
        (
            "api_tech_workers",
            format!("/api/v1/tech-workers?region={LINSHUI}"),
            None,
        ),
        ("api_orgs", format!("/api/v1/orgs?region={LINSHUI}"), None),
        ("api_org", format!("/api/v1/orgs/{}", w.org), None),
        ("api_moderation_queue", "/api/v1/moderation".into(), admin),
        ("api_categories", "/api/v1/categories".into(), None),
        (
            "api_service",
            format!("/api/v1/services/{}", w.service),
            None,
        ),
        (
            "api_services",
            format!("/api/v1/services?region={LINSHUI}"),
            None,
        ),
        (
            "api_services_mine",
            "/api/v1/services?mine=true".into(),
            expert,
        ),
        ("api_need", format!("/api/v1/needs/{}", w.need), None),
        ("api_needs", format!("/api/v1/needs?region={LINSHUI}"), None),
        (
            "api_achievement",
            format!("/api/v1/achievements/{}", w.achievement),
            None,
        ),
        (
            "api_achievements",
            format!("/api/v1/achievements?region={LINSHUI}"),
            None,
        ),
        ("api_inquiries", "/api/v1/inquiries".into(), farmer),
        (
            "api_quotes",
            format!("/api/v1/quotes?need_id={}", w.need),
            farmer,
        ),
        ("api_quotes_mine", "/api/v1/quotes".into(), expert),
        ("api_deal", format!("/api/v1/deals/{}", w.deal), farmer),
        ("api_deals", "/api/v1/deals?mine=true".into(), farmer),
        (
            "api_deals_region",
            format!("/api/v1/deals?region={LINSHUI}"),
            admin,
        ),
        ("api_tickets", "/api/v1/tickets".into(), admin),
        (
            "api_notifications_farmer",
            "/api/v1/notifications".into(),
            farmer,
        ),
        (
            "api_notifications_expert",
            "/api/v1/notifications".into(),
            expert,
        ),
        (
            "api_notifications_unread",
            "/api/v1/notifications/unread-count".into(),
            farmer,
        ),
        (
            "api_notification_preferences",
            "/api/v1/me/notification-preferences".into(),
            farmer,
        ),
        ("api_stats", "/api/v1/stats?region=511600".into(), None),
        (
            "api_stats_county",
            format!("/api/v1/stats?region={LINSHUI}"),
            None,
        ),
        (
            "api_stats_past",
            "/api/v1/stats?region=511600&from=2020-01-01&to=2020-12-31".into(),
            None,
        ),
        ("api_stats_metrics", "/api/v1/stats/metrics".into(), None),
        (
            "api_stats_summary",
            "/api/v1/stats/summary?region=511600".into(),
            None,
        ),
        (
            "api_stats_records_deals",
            "/api/v1/stats/records?metric=deals&region=511600".into(),
            None,
        ),
        (
            "api_stats_records_amount",
            "/api/v1/stats/records?metric=deal_amount&region=511600".into(),
            None,
        ),
        (
            "api_stats_records_services",
            "/api/v1/stats/records?metric=services_published&region=511600".into(),
            None,
        ),
        ("api_search", format!("/api/v1/search?{}", q("柑橘")), None),
        (
            "api_search_needs",
            format!("/api/v1/search?{}&type=need", q("黄龙病")),
            None,
        ),
        (
            "api_search_people",
            format!("/api/v1/search?{}&type=tech_worker,org", q("柑橘")),
            None,
        ),
        (
            "api_need_matches",
            format!("/api/v1/needs/{}/matches", w.need),
            farmer,
        ),
        (
            "api_service_matches",
            format!("/api/v1/services/{}/matches", w.service),
            expert,
        ),
        (
            "api_achievement_matches",
            format!("/api/v1/achievements/{}/matches", w.achievement),
            expert,
        ),
        ("api_audit", "/api/v1/audit".into(), admin),
        // Errors: 401, 403, 404, 400.
        ("api_error_401_unauthenticated", "/api/v1/me".into(), None),
        (
            "api_error_403_moderation",
            "/api/v1/moderation".into(),
            farmer,
        ),
        (
            "api_error_404_service",
            "/api/v1/services/999999".into(),
            None,
        ),
        (
            "api_error_404_matches",
            "/api/v1/needs/999999/matches".into(),
            farmer,
        ),
        (
            "api_error_400_query",
            "/api/v1/services?page=x".into(),
            None,
        ),
        ("api_error_422_query", "/api/v1/services?q=%00".into(), None),
        (
            "api_error_422_metric",
            "/api/v1/stats/records?metric=weather".into(),
            None,
        ),
    ];
    for (name, path, who) in &gets {
        rec.get(name, path, *who).await;
    }

    // The inquiry thread and a quote, by id from their lists.
    let threads = rec
        .app
        .get("/api/v1/inquiries", Some(&w.farmer.token))
        .await;
    let thread = items(&threads.body)
        .iter()
        .find(|t| t["posting_kind"] == "service")
        .and_then(|t| t["id"].as_i64())
        .unwrap_or_default();
    rec.get(
        "api_inquiry",
        &format!("/api/v1/inquiries/{thread}"),
        farmer,
    )
    .await;
    let quotes = rec.app.get("/api/v1/quotes", Some(&w.expert.token)).await;
    let quote = items(&quotes.body)[0]["id"].as_i64().unwrap_or_default();
    rec.get("api_quote", &format!("/api/v1/quotes/{quote}"), expert)
        .await;
    let workers = rec.app.get("/api/v1/tech-workers?q=李农艺师", None).await;
    let worker = items(&workers.body)[0]["id"].as_i64().unwrap_or_default();
    rec.get(
        "api_tech_worker",
        &format!("/api/v1/tech-workers/{worker}"),
        None,
    )
    .await;

    // Writes that answer with the resource.
    rec.send(
        "api_me_update",
        Method::PATCH,
        "/api/v1/me",
        farmer,
        Some(json!({ "display_name": "王大爷", "region": LINSHUI, "bio": "种了 50 亩脐橙" })),
    )
    .await;
    let stranger = rec.app.user("路人", Some(LINSHUI)).await;
    let quote = json!({
        "need_id": w.need, "price_fen": 100_000, "timeline_days": 60, "method": "派技术员驻点指导一个月"
    });
    let resubmit = format!("/api/v1/services/{}/submit", w.service);
    let partial = with(need_body(LINSHUI), "budget_fen", Value::Null);
    let posts: Vec<(&str, &str, &TestUser, Value)> = vec![
        (
            "api_notifications_read",
            "/api/v1/notifications/read",
            &w.farmer,
            json!({ "all": true }),
        ),
        (
            "api_token_create",
            "/api/v1/tokens",
            &w.admin,
            json!({ "name": "县农业局数据同步", "expires_in_days": 30 }),
        ),
        (
            "api_need_completeness",
            "/api/v1/needs/completeness",
            &w.farmer,
            partial,
        ),
        (
            "api_error_403_quote",
            "/api/v1/quotes",
            &stranger,
            quote.clone(),
        ),
        // A user whose organization is not verified yet may not quote (403).
        (
            "api_quote_unverified_org",
            "/api/v1/quotes",
            &w.applicant,
            quote,
        ),
        ("api_error_409_submit", &resubmit, &w.expert, json!({})),
        (
            "api_error_422_unknown_field",
            "/api/v1/needs/completeness",
            &w.farmer,
            json!({ "colour": "red" }),
        ),
    ];
    for (name, path, who, body) in posts {
        rec.post(name, path, who, body).await;
    }
    rec.get("api_tokens", "/api/v1/tokens", admin).await;

    // Registration and login, and their errors (422 with the Chinese message, 401).
    let login = kejiyun_testkit::phone();
    let code = rec.app.registration_code(&login).await;
    let account = json!({ "login": login, "code": code, "password": kejiyun_testkit::PASSWORD, "display_name": "陈嫂", "region": LINSHUI });
    for (name, path, body) in [
        ("api_auth_register", "/api/v1/auth/register", account),
        (
            "api_auth_login",
            "/api/v1/auth/login",
            json!({ "login": login, "password": kejiyun_testkit::PASSWORD }),
        ),
        (
            "api_error_422_password",
            "/api/v1/auth/register",
            json!({ "login": kejiyun_testkit::phone(), "code": "123456", "password": "short", "display_name": "陈嫂" }),
        ),
        (
            "api_error_401_bad_credentials",
            "/api/v1/auth/login",
            json!({ "login": login, "password": "Wrong2026pass" }),
        ),
    ] {
        rec.send(name, Method::POST, path, None, Some(body)).await;
    }
    // One-time codes: asked for, used to log in; a reset without a code asked for. (Another
    // account: the registration's code holds the name's next code back for a minute.)
    let login = rec.app.user("陈嫂", Some(LINSHUI)).await.login;
    let ask = json!({ "login": login, "purpose": "login" });
    rec.send(
        "api_auth_codes",
        Method::POST,
        "/api/v1/auth/codes",
        None,
        Some(ask),
    )
    .await;
    let code = rec.app.sent.last_code(&login).unwrap_or_default();
    let by_code = json!({ "login": login, "code": code });
    let reset = json!({ "login": login, "code": "000000", "new_password": "Neues2026pass" });
    for (name, path, body) in [
        ("api_auth_code_login", "/api/v1/auth/code-login", by_code),
        ("api_error_422_code", "/api/v1/auth/password-reset", reset),
    ] {
        rec.send(name, Method::POST, path, None, Some(body)).await;
    }
    let bad_token = TestUser {
        id: 0,
        login: String::new(),
        token: "kjy_not_a_token_at_all".into(),
    };
    rec.get(
        "api_error_401_invalid_token",
        "/api/v1/me",
        Some(&bad_token),
    )
    .await;
    for (name, content_type, body) in [
        (
            "api_error_400_malformed_json",
            "application/json",
            &b"{\"login\": "[..],
        ),
        ("api_error_415_media_type", "text/plain", &b"login=x"[..]),
    ] {
        let login = "/api/v1/auth/login";
        let r = rec.app.post_raw(login, content_type, body.to_vec()).await;
        if rec.record {
            assert_reply(name, &format!("POST {login}"), &r);
        }
    }

    // Last, as they change what the reads above show: a quote withdrawn, a posting closed.
    let latecomer = rec.app.tech_worker("钱工", LINSHUI).await;
    let offer = json!({
        "need_id": w.need, "price_fen": 150_000, "timeline_days": 45, "method": "每月上门一次，连续三个月"
    });
    let offered = rec
        .app
        .post("/api/v1/quotes", Some(&latecomer.token), offer)
        .await;
    let quote = offered.body["id"].as_i64().unwrap_or_default();
    let withdraw = format!("/api/v1/quotes/{quote}/withdraw");
    rec.post("api_quote_withdraw", &withdraw, &latecomer, json!({}))
        .await;
    let achievement = format!("/api/v1/achievements/{}", w.achievement);
    let close = format!("{achievement}/close");
    let why = json!({ "reason": "solved_elsewhere" });
    rec.post("api_achievement_close", &close, &w.expert, why)
        .await;
    rec.get("api_achievement_closed", &achievement, expert)
        .await;
    questions(rec, w, &latecomer).await;
    resources(rec, w).await;
}

/// 科普资源: the county admin publishes an article (its markup sanitized), approved; listed,
/// then read (the list before the read, so neither shows a view counted in between).
async fn resources(rec: &Recorder<'_>, w: &World) {
    let article = json!({
        "kind": "article", "title": "柑橘冬季修剪要点", "category": "fruit", "region": LINSHUI,
        "summary": "冬季修剪的时间、先后顺序和剪后管理，适合果农阅读。",
        "body": "<h2>什么时候剪</h2><p onclick=\"x()\">采果后到春芽萌动前，避开霜冻天。</p><script>alert(1)</script>",
        "tags": ["柑橘", "修剪"], "submit": true
    });
    let created = rec.expect(
        "api_resource_create",
        "/api/v1/resources",
        &w.admin,
        article,
        StatusCode::CREATED,
    );
    let resource = id(&created.await, "id");
    approve(rec.app, &w.admin, "resource", resource).await;
    rec.get(
        "api_resources",
        &format!("/api/v1/resources?region={LINSHUI}"),
        None,
    )
    .await;
    rec.get(
        "api_resource_public",
        &format!("/api/v1/resources/{resource}"),
        None,
    )
    .await;
}

/// 专家问诊: asked, approved (routed to the county's three tech workers once all three are
/// searchable), answered, marked helpful, accepted; with its usual errors.
async fn questions(rec: &Recorder<'_>, w: &World, latecomer: &TestUser) {
    let (ok, created) = (StatusCode::OK, StatusCode::CREATED);
    let experts = format!("{}&type=tech_worker", q("柑橘"));
    eventually(&rec.app.url(""), &experts, |r| r["total"] == 3).await;
    let ask = json!({
        "title": "柑橘叶片发黄是不是黄龙病", "category": "fruit", "region": LINSHUI, "submit": true,
        "text": "家里十几棵柑橘树的叶片出现斑驳黄化，已经两个月了，施肥也不见好，担心是黄龙病。"
    });
    let asked = rec.expect(
        "api_question_create",
        "/api/v1/questions",
        &w.farmer,
        ask,
        created,
    );
    let question = id(&asked.await, "id");
    approve(rec.app, &w.admin, "question", question).await;
    let path = format!("/api/v1/questions/{question}");
    let text = json!({ "text": "建议先采集叶片送检，确认是否为黄龙病；确诊后及时挖除病株，并统一防治柑橘木虱。" });
    let answers = format!("{path}/answers");
    rec.expect(
        "api_error_403_answer",
        &answers,
        &w.farmer,
        text.clone(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let answer = rec.expect("api_question_answer", &answers, &w.expert, text, created);
    let answer = id(&answer.await, "id");
    let helpful = format!("{answers}/{answer}/helpful");
    rec.expect("api_answer_helpful", &helpful, latecomer, json!({}), ok)
        .await;
    rec.expect(
        "api_error_409_helpful",
        &helpful,
        latecomer,
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;
    let accept = format!("{answers}/{answer}/accept");
    rec.expect("api_answer_accept", &accept, &w.farmer, json!({}), ok)
        .await;
    rec.get("api_question", &path, Some(&w.farmer)).await;
    rec.get("api_question_public", &path, None).await;
    rec.get(
        "api_questions",
        &format!("/api/v1/questions?region={LINSHUI}"),
        None,
    )
    .await;
    let thread = rec.app.get(&path, None).await;
    let author = thread.body["answers"][0]["author_id"]
        .as_i64()
        .unwrap_or_default();
    rec.get(
        "api_user_answers",
        &format!("/api/v1/users/{author}/answers"),
        None,
    )
    .await;
}

async fn api_snapshots(backend: Backend) {
    if !backends().contains(&backend) {
        return;
    }
    let app = TestApp::spawn_on(backend).await;
    let rec = Recorder {
        app: &app,
        record: true,
    };
    let w = world(&rec).await;
    reads(&rec, &w).await;
    app.stop().await;
}

#[tokio::test]
async fn api_snapshots_sqlite() {
    api_snapshots(Backend::Sqlite).await;
}

#[tokio::test]
async fn api_snapshots_postgres() {
    api_snapshots(Backend::Postgres).await;
}

#[tokio::test]
async fn api_snapshots_mysql() {
    api_snapshots(Backend::Mysql).await;
}
