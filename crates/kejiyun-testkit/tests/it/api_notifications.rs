//! The in-site inbox through HTTP: marketplace events notify the right people, a user reads and
//! marks only their own notifications, preferences round-trip, bad input is a Chinese 4xx.

use std::sync::{Arc, Mutex};

use kejiyun_core::ids::UserId;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::notifications::PostingRef;
use kejiyun_core::notifications::delivery::{Contact, OutgoingMessage, Sender};
use kejiyun_core::time::{Clock, Timestamp};
use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{
    Cast, LINSHUI, accept_quote, cast, confirm_deal, inquire, items, published, reject,
    service_body, submitted, write_in_thread,
};

async fn inbox(app: &TestApp, who: &TestUser, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/notifications{query}"), Some(&who.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn unread(app: &TestApp, who: &TestUser) -> u64 {
    let r = app
        .get("/api/v1/notifications/unread-count", Some(&who.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["unread"]
        .as_u64()
        .unwrap_or_else(|| panic!("{:?}", r.body))
}

fn kinds(body: &Value) -> Vec<String> {
    items(body)
        .iter()
        .map(|n| n["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn is_chinese(message: &Value) -> bool {
    message
        .as_str()
        .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
}

#[tokio::test]
async fn approved_need_notifies_its_owner_who_marks_it_read() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let stranger = app.user("路人", Some(LINSHUI)).await;
    assert_eq!(unread(&app, &c.farmer).await, 0);

    let need = c.publish_farmers_need(&app).await;

    let body = inbox(&app, &c.farmer, "").await;
    assert_eq!(body["total"], 1, "{body:?}");
    assert_eq!(body["unread"], 1);
    let n = &items(&body)[0];
    assert_eq!(n["kind"], "posting_approved");
    assert_eq!(
        n["title"],
        "您的科技需求「脐橙黄龙病防治技术咨询」已通过审核"
    );
    assert_eq!(n["link"], format!("/needs/{need}"));
    assert!(n["read_at"].is_null());
    let id = n["id"].as_i64().unwrap_or_else(|| panic!("{n:?}"));
    assert_eq!(unread(&app, &c.farmer).await, 1);

    // Another user neither sees it nor can mark it: 404, as if it did not exist.
    assert_eq!(inbox(&app, &stranger, "").await["total"], 0);
    let r = app
        .post(
            "/api/v1/notifications/read",
            Some(&stranger.token),
            json!({ "ids": [id] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    assert!(is_chinese(&r.body["error"]["message"]), "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/notifications/read",
            Some(&c.farmer.token),
            json!({ "ids": [id, id + 1000] }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "one unknown id: nothing changes"
    );
    assert_eq!(unread(&app, &c.farmer).await, 1);

    let r = app
        .post(
            "/api/v1/notifications/read",
            Some(&c.farmer.token),
            json!({ "ids": [id] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["marked"], 1);
    assert_eq!(r.body["unread"], 0);
    assert_eq!(unread(&app, &c.farmer).await, 0);
    let body = inbox(&app, &c.farmer, "").await;
    assert!(items(&body)[0]["read_at"].is_string());
    assert_eq!(inbox(&app, &c.farmer, "?unread=true").await["total"], 0);
    // Marking again changes nothing and is no error.
    let r = app
        .post(
            "/api/v1/notifications/read",
            Some(&c.farmer.token),
            json!({ "all": true }),
        )
        .await;
    assert_eq!(r.body["marked"], 0, "{:?}", r.body);
    app.stop().await;
}

#[tokio::test]
async fn rejection_quote_inquiry_and_deal_notify_the_other_side() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;

    // Rejected, with the reason.
    let rejected = submitted(&app, "services", &c.expert, service_body(LINSHUI, "county")).await;
    let r = reject(&app, &c.admin, "service", rejected, "联系方式不完整").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let body = inbox(&app, &c.expert, "").await;
    let n = &items(&body)[0];
    assert_eq!(n["kind"], "posting_rejected");
    assert!(
        n["body"]
            .as_str()
            .unwrap_or_default()
            .contains("联系方式不完整"),
        "{n:?}"
    );

    let service = c.publish_experts_service(&app).await;
    let need = c.publish_farmers_need(&app).await;

    // An inquiry tells the owner; the reply tells the requester.
    let r = inquire(
        &app,
        &c.farmer,
        "service",
        service,
        "李老师您好，能上门看看吗？",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let thread = r.body["id"].as_i64().unwrap_or_default();
    let body = inbox(&app, &c.expert, "?unread=true").await;
    let n = &items(&body)[0];
    assert_eq!(n["kind"], "new_inquiry");
    assert_eq!(n["link"], format!("/inquiries/{thread}"));
    let r = write_in_thread(&app, &c.expert, thread, "可以，本周六上午到。").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        items(&inbox(&app, &c.farmer, "").await)[0]["kind"],
        "new_inquiry"
    );

    // A quote tells the need's owner; accepting it asks the provider to confirm the deal.
    let r = app
        .post(
            "/api/v1/quotes",
            Some(&c.expert.token),
            json!({ "need_id": need, "price_fen": 300_000, "timeline_days": 30, "method": "上门诊断三次，出具书面防治方案" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let quote = r.body["id"].as_i64().unwrap_or_default();
    let n = &items(&inbox(&app, &c.farmer, "").await)[0];
    assert_eq!(n["kind"], "new_quote");
    assert_eq!(n["link"], format!("/needs/{need}"));
    let r = accept_quote(&app, &c.farmer, quote).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let deal = r.body["deal_id"].as_i64().unwrap_or_default();
    let n = &items(&inbox(&app, &c.expert, "").await)[0];
    assert_eq!(n["kind"], "deal_to_confirm");
    assert_eq!(n["link"], format!("/deals/{deal}"));
    assert!(
        !kinds(&inbox(&app, &c.farmer, "").await).contains(&"deal_to_confirm".to_owned()),
        "the side that proposed it has nothing to confirm"
    );
    let r = confirm_deal(&app, &c.expert, deal).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    for who in [&c.farmer, &c.expert] {
        let n = &items(&inbox(&app, who, "").await)[0];
        assert_eq!(n["kind"], "deal_confirmed", "{n:?}");
        assert_eq!(n["title"], "「脐橙黄龙病防治技术咨询」的交易已成交");
    }

    // The matching engine's entry point.
    app.services()
        .notifications()
        .notify_new_match(
            UserId(c.expert.id),
            PostingRef {
                kind: PostingKind::Service,
                id: service,
                title: "柑橘黄龙病诊断与防治".into(),
            },
            PostingRef {
                kind: PostingKind::Need,
                id: need,
                title: "脐橙黄龙病防治技术咨询".into(),
            },
            &format!("/needs/{need}"),
        )
        .await
        .unwrap_or_else(|e| panic!("notify_new_match: {e}"));
    let n = &items(&inbox(&app, &c.expert, "").await)[0];
    assert_eq!(n["kind"], "new_match");
    assert_eq!(n["link"], format!("/needs/{need}"));

    // Mark all read; the count drops to zero.
    assert!(unread(&app, &c.expert).await >= 4);
    let r = app
        .post(
            "/api/v1/notifications/read",
            Some(&c.expert.token),
            json!({ "all": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["unread"], 0);
    assert_eq!(unread(&app, &c.expert).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn preferences_round_trip_and_bad_input_is_a_chinese_4xx() {
    let app = TestApp::spawn().await;
    let user = app.user("张三", Some(LINSHUI)).await;
    let path = "/api/v1/me/notification-preferences";

    let r = app.get(path, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.get("/api/v1/notifications", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = app.get(path, Some(&user.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["preference"], "daily", "the default");
    for p in ["weekly", "realtime", "none"] {
        let r = app
            .put(path, Some(&user.token), json!({ "preference": p }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["preference"], p);
        assert_eq!(app.get(path, Some(&user.token)).await.body["preference"], p);
    }

    let bad = [
        (
            app.put(path, Some(&user.token), json!({ "preference": "hourly" }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.put(
                path,
                Some(&user.token),
                json!({ "preference": "daily", "x": 1 }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.post("/api/v1/notifications/read", Some(&user.token), json!({}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.post(
                "/api/v1/notifications/read",
                Some(&user.token),
                json!({ "ids": [1], "all": true }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.post(
                "/api/v1/notifications/read",
                Some(&user.token),
                json!({ "ids": [0] }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.post(
                "/api/v1/notifications/read",
                Some(&user.token),
                json!({ "ids": "1" }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.get("/api/v1/notifications?unread=maybe", Some(&user.token))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            app.get("/api/v1/notifications?per_page=500", Some(&user.token))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (i, (r, status)) in bad.iter().enumerate() {
        assert_eq!(r.status, *status, "case {i}: {:?}", r.body);
        assert!(
            is_chinese(&r.body["error"]["message"]),
            "case {i}: {:?}",
            r.body
        );
    }
    assert_eq!(
        app.get(path, Some(&user.token)).await.body["preference"],
        "none",
        "unchanged"
    );
    app.stop().await;
}

#[tokio::test]
async fn inbox_page_shows_the_badge_and_marks_read() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let (_, html) = app.page(Some(&c.farmer), None, "/").await;
    assert!(
        !html.contains("unread-badge"),
        "no badge without notifications"
    );
    c.publish_farmers_need(&app).await;

    let (status, html) = app.page(Some(&c.farmer), None, "/me/notifications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"unread-badge\""), "{html}");
    assert!(html.contains("已通过审核"), "{html}");
    assert!(html.contains("站内通知"), "Chinese by default");
    let (status, _) = app
        .page(
            Some(&c.farmer),
            Some(&[("id", "999999")]),
            "/me/notifications/read",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .page(
            Some(&c.farmer),
            Some(&[("all", "1")]),
            "/me/notifications/read",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app
        .page(Some(&c.farmer), None, "/me/notifications?marked=1")
        .await;
    assert!(!html.contains("unread-badge"), "{html}");
    let (status, html) = app
        .page(
            Some(&c.farmer),
            Some(&[("preference", "weekly")]),
            "/me/notifications/preference",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let r = app
        .get("/api/v1/me/notification-preferences", Some(&c.farmer.token))
        .await;
    assert_eq!(r.body["preference"], "weekly");
    let (status, html) = app
        .page(
            Some(&c.farmer),
            Some(&[("preference", "hourly")]),
            "/me/notifications/preference",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("通知方式应为"), "{html}");

    // The OpenAPI document lists the routes.
    let doc = app.get("/api/v1/openapi.json", None).await;
    for p in [
        "/api/v1/notifications",
        "/api/v1/notifications/unread-count",
        "/api/v1/notifications/read",
        "/api/v1/me/notification-preferences",
    ] {
        assert!(
            doc.body["paths"][p].is_object(),
            "{p} missing from the OpenAPI document"
        );
    }
    app.stop().await;
}

/// A clock pinned where the test wants it.
struct Fixed(Timestamp);

impl Clock for Fixed {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// Records what would have been sent.
#[derive(Default)]
struct Recorder(Mutex<Vec<(i64, String)>>);

#[async_trait::async_trait]
impl Sender for Recorder {
    async fn send(&self, to: &Contact, message: &OutgoingMessage) -> Result<(), String> {
        self.0
            .lock()
            .unwrap_or_else(|e| panic!("{e}"))
            .push((to.user.map_or(0, |u| u.0), message.subject.clone()));
        Ok(())
    }
}

/// The expert wants real-time copies and has a service approved.
async fn realtime_expert_with_a_service(app: &TestApp, c: &Cast) {
    let r = app
        .put(
            "/api/v1/me/notification-preferences",
            Some(&c.expert.token),
            json!({ "preference": "realtime" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let service = service_body(LINSHUI, "county");
    published(app, &c.admin, "services", &c.expert, service).await;
}

#[tokio::test]
async fn sweeper_sends_realtime_copies_now_and_digests_at_eight() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    // The farmer keeps the default: a daily digest.
    c.publish_farmers_need(&app).await;
    realtime_expert_with_a_service(&app, &c).await;

    let now = app.services().now();
    let mut services = app.services().clone();
    let recorder = Recorder::default();
    let sent_to = |r: &Recorder| -> Vec<i64> {
        r.0.lock()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|(u, _)| *u)
            .collect()
    };

    // Now: the real-time copies go out (the expert's profile approval and service approval);
    // the digest waits for the next 08:00.
    services.clock = Arc::new(Fixed(now));
    let n = services
        .notifications()
        .deliver_notifications(&recorder)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 2);
    assert_eq!(sent_to(&recorder), vec![c.expert.id, c.expert.id]);
    let again = services
        .notifications()
        .deliver_notifications(&recorder)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, 0, "a copy goes out once");

    // Two days later, past 08:00 Asia/Shanghai: the farmer's digest.
    services.clock = Arc::new(Fixed(now.plus_seconds(2 * 86_400)));
    let n = services
        .notifications()
        .deliver_notifications(&recorder)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The farmer's digest, and the county admins' (told of the items that entered their
    // moderation queue: the need, the expert's application and service).
    let log = recorder.0.lock().unwrap_or_else(|e| panic!("{e}")).clone();
    let digests = &log[2..];
    assert_eq!(digests.len() as u64, n);
    assert!(
        digests
            .iter()
            .any(|(u, title)| *u == c.farmer.id && title == "科技云每日通知摘要：1 条未读"),
        "{digests:?}"
    );
    assert!(digests.iter().any(|(u, _)| *u == c.admin.id), "{digests:?}");
    assert!(
        digests.iter().all(|(u, _)| *u != c.expert.id),
        "the expert's copies went out in real time"
    );
    let again = services
        .notifications()
        .deliver_notifications(&recorder)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, 0);
    // The inbox is untouched by delivery.
    assert_eq!(unread(&app, &c.farmer).await, 1);
    app.stop().await;
}

/// Fails every send after the first `ok` ones.
struct FailsAfter {
    ok: usize,
    sent: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Sender for FailsAfter {
    async fn send(&self, _to: &Contact, message: &OutgoingMessage) -> Result<(), String> {
        let mut sent = self.sent.lock().unwrap_or_else(|e| panic!("{e}"));
        if sent.len() >= self.ok {
            return Err("SMS gateway timed out".into());
        }
        sent.push(message.subject.clone());
        Ok(())
    }
}

#[tokio::test]
async fn a_failed_send_is_retried_without_resending_what_went_out() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    realtime_expert_with_a_service(&app, &c).await;
    // Two unread notifications: the profile approval and the service approval.
    let flaky = FailsAfter {
        ok: 1,
        sent: Mutex::new(Vec::new()),
    };
    let services = app.services();
    let n = services
        .notifications()
        .deliver_notifications(&flaky)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 1, "the first went out, the second failed");
    let healed = FailsAfter {
        ok: usize::MAX,
        sent: Mutex::new(Vec::new()),
    };
    let n = services
        .notifications()
        .deliver_notifications(&healed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 1, "only the failed one is sent again");
    let first = flaky.sent.lock().unwrap_or_else(|e| panic!("{e}")).clone();
    let second = healed.sent.lock().unwrap_or_else(|e| panic!("{e}")).clone();
    assert_eq!(first.len() + second.len(), 2);
    assert_ne!(first, second, "{first:?} then {second:?}");
    app.stop().await;
}
