//! Inquiries, quotes, deals and caseworker tickets through HTTP: the flows end to end and who
//! may see and do what.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{
    LINSHUI, YUECHI, accept_quote, cancel_deal, cast, confirm_deal, decline_quote, get_deal, ids,
    inquire, items, propose_deal, withdraw_quote, write_in_thread,
};

#[tokio::test]
async fn inquiry_thread_between_two_sides_only() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let stranger = app.user("路人", Some(LINSHUI)).await;
    let service = c.publish_experts_service(&app).await;

    let r = inquire(
        &app,
        &c.farmer,
        "service",
        service,
        "李老师您好，我家 50 亩脐橙叶子发黄，能上门看看吗？",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let thread = r.body["id"].as_i64().unwrap_or_default();
    let r = write_in_thread(&app, &c.expert, thread, "可以，本周六上午到您果园。").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let again = inquire(&app, &c.farmer, "service", service, "好的，谢谢！").await;
    assert_eq!(again.body["id"], thread, "the same thread continues");

    for who in [&c.farmer, &c.expert] {
        let t = app
            .get(&format!("/api/v1/inquiries/{thread}"), Some(&who.token))
            .await;
        assert_eq!(t.status, StatusCode::OK, "{:?}", t.body);
        let bodies: Vec<_> = t.body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(bodies.len(), 3, "{bodies:?}");
        assert_eq!(bodies[1], "可以，本周六上午到您果园。");
        assert_eq!(t.body["posting_title"], "柑橘黄龙病诊断与防治");
        assert_eq!(t.body["requester_id"], c.farmer.id);
        assert_eq!(t.body["owner_id"], c.expert.id);
        let list = app.get("/api/v1/inquiries", Some(&who.token)).await;
        assert!(ids(&list.body).contains(&thread));
    }
    let t = app
        .get(
            &format!("/api/v1/inquiries/{thread}"),
            Some(&c.farmer.token),
        )
        .await;
    assert_eq!(t.body["messages"][0]["mine"], true);
    assert_eq!(t.body["messages"][1]["mine"], false);

    // A third user, and even the county admin, see nothing and write nothing.
    for outsider in [&stranger, &c.admin] {
        let r = app
            .get(
                &format!("/api/v1/inquiries/{thread}"),
                Some(&outsider.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = write_in_thread(&app, outsider, thread, "我也想插一句").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let list = app.get("/api/v1/inquiries", Some(&outsider.token)).await;
        assert!(!ids(&list.body).contains(&thread));
    }
    let t = app
        .get(
            &format!("/api/v1/inquiries/{thread}"),
            Some(&c.expert.token),
        )
        .await;
    assert_eq!(
        t.body["messages"].as_array().map(Vec::len),
        Some(3),
        "nothing added"
    );

    let r = inquire(&app, &c.expert, "service", service, "自己问自己").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not with oneself"
    );
    let r = inquire(&app, &c.farmer, "gadget", service, "你好").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["field"], "posting_kind");
    let r = app
        .post(
            &format!("/api/v1/inquiries/{thread}/messages"),
            Some(&c.farmer.token),
            json!({ "body": "长".repeat(2001) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn quotes_side_by_side_decline_accept_confirm() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let rival = app.tech_worker("张工", LINSHUI).await;
    let need = c.publish_farmers_need(&app).await;
    let service = c.publish_experts_service(&app).await;

    let r = app
        .post(
            "/api/v1/quotes",
            Some(&c.farmer.token),
            json!({ "need_id": need, "price_fen": 1, "timeline_days": 1, "method": "我自己给自己报个价吧" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "plain users do not quote");
    let r = app
        .post(
            "/api/v1/quotes",
            Some(&c.expert.token),
            json!({ "need_id": need, "price_fen": 300_000, "timeline_days": 30, "method": "上门诊断三次，出具书面防治方案并跟踪半年", "service_id": service }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let q1 = r.body["id"].as_i64().unwrap_or_default();
    let r = app
        .post(
            "/api/v1/quotes",
            Some(&rival.token),
            json!({ "need_id": need, "price_fen": 200_000, "timeline_days": 90, "method": "远程视频指导为主，必要时上门一次" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let q2 = r.body["id"].as_i64().unwrap_or_default();
    let r = app
        .post(
            "/api/v1/quotes",
            Some(&rival.token),
            json!({ "need_id": need, "price_fen": 100_000, "timeline_days": 90, "method": "再报一次价，看看会不会重复" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "one open quote per provider"
    );

    let side_by_side = app
        .get(
            &format!("/api/v1/quotes?need_id={need}"),
            Some(&c.farmer.token),
        )
        .await;
    assert_eq!(
        side_by_side.status,
        StatusCode::OK,
        "{:?}",
        side_by_side.body
    );
    assert_eq!(side_by_side.body["total"], 2);
    let mut prices: Vec<_> = items(&side_by_side.body)
        .iter()
        .map(|q| (q["price_fen"].as_i64(), q["timeline_days"].as_i64()))
        .collect();
    prices.sort();
    assert_eq!(
        prices,
        vec![(Some(200_000), Some(90)), (Some(300_000), Some(30))]
    );
    let own = app
        .get(
            &format!("/api/v1/quotes?need_id={need}"),
            Some(&rival.token),
        )
        .await;
    assert_eq!(
        ids(&own.body),
        vec![q2],
        "a provider sees their own quote only"
    );
    let mine = app.get("/api/v1/quotes", Some(&c.expert.token)).await;
    assert_eq!(ids(&mine.body), vec![q1]);
    let r = app
        .get(&format!("/api/v1/quotes/{q1}"), Some(&rival.token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not a rival's business");

    let r = decline_quote(&app, &c.farmer, q2, json!({ "reason": "meh" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = accept_quote(&app, &rival, q2).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only the requester accepts"
    );
    let r = decline_quote(
        &app,
        &c.farmer,
        q2,
        json!({ "reason": "too_slow", "note": "春梢期前必须处理完" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "declined");
    let declined = app
        .get(&format!("/api/v1/quotes/{q2}"), Some(&rival.token))
        .await;
    assert_eq!(declined.body["decline_reason"]["code"], "too_slow");
    assert_eq!(declined.body["decline_reason"]["label"], "周期太长");
    assert_eq!(declined.body["decline_note"], "春梢期前必须处理完");
    let r = withdraw_quote(&app, &rival, q2).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "already decided");

    let r = accept_quote(&app, &c.farmer, q1).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let deal = r.body["deal_id"].as_i64().unwrap_or_default();
    let r = accept_quote(&app, &c.farmer, q1).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "accepted once");
    let d = get_deal(&app, &c.expert, deal).await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    assert_eq!(d.body["status"], "proposed");
    assert_eq!(d.body["amount_fen"], 300_000);
    assert_eq!(d.body["origin"]["code"], "quote");
    assert_eq!(d.body["quote_id"], q1);
    assert_eq!(d.body["need_id"], need);
    assert_eq!(d.body["service_id"], service);
    assert_eq!(d.body["requester_id"], c.farmer.id);
    assert_eq!(d.body["provider_id"], c.expert.id);
    assert!(d.body["requester_confirmed_at"].is_string());
    assert!(d.body["provider_confirmed_at"].is_null());
    let q = app
        .get(&format!("/api/v1/quotes/{q1}"), Some(&c.farmer.token))
        .await;
    assert_eq!(q.body["status"], "accepted");
    assert_eq!(q.body["deal_id"], deal);

    let r = confirm_deal(&app, &c.farmer, deal).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the requester confirmed by accepting"
    );
    let r = confirm_deal(&app, &c.expert, deal).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "confirmed");
    let d = get_deal(&app, &c.admin, deal).await;
    assert_eq!(d.status, StatusCode::OK, "the county admin sees it");
    assert_eq!(d.body["status"], "confirmed");
    assert!(d.body["confirmed_at"].is_string());
    let listed = app
        .get(
            &format!("/api/v1/deals?region={LINSHUI}&status=confirmed"),
            Some(&c.admin.token),
        )
        .await;
    assert!(ids(&listed.body).contains(&deal), "{:?}", listed.body);
    let listed = app
        .get("/api/v1/deals?mine=true", Some(&c.farmer.token))
        .await;
    assert_eq!(ids(&listed.body), vec![deal]);
    app.stop().await;
}

#[tokio::test]
async fn deals_are_private_and_cancel_rules_hold() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let stranger = app.user("路人", Some(LINSHUI)).await;
    let yuechi_admin = app.admin("region_admin", Some(YUECHI)).await;
    let need = c.publish_farmers_need(&app).await;
    let service = c.publish_experts_service(&app).await;
    let propose = |amount: i64| json!({ "need_id": need, "service_id": service, "amount_fen": amount, "deal_date": "2025-06-30", "note": "口头约定，先付一半" });
    let r = propose_deal(&app, &stranger, propose(100_000)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only a side proposes");
    let r = propose_deal(&app, &c.expert, propose(100_000)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let d1 = r.body["id"].as_i64().unwrap_or_default();

    for outsider in [&stranger, &yuechi_admin] {
        let r = get_deal(&app, outsider, d1).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        for action in ["confirm", "cancel"] {
            let r = app
                .post(
                    &format!("/api/v1/deals/{d1}/{action}"),
                    Some(&outsider.token),
                    json!({ "reason": "看看能不能取消" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
        }
    }
    let r = app.get("/api/v1/deals", Some(&stranger.token)).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "region listings are for admins"
    );
    let r = app.get("/api/v1/deals", Some(&yuechi_admin.token)).await;
    assert!(
        !ids(&r.body).contains(&d1),
        "other county's admin does not list it"
    );
    let d = get_deal(&app, &c.farmer, d1).await;
    assert_eq!(d.body["status"], "proposed", "unchanged");
    assert_eq!(d.body["origin"]["code"], "direct");

    // A side cancels a proposed deal, with a reason.
    let r = cancel_deal(&app, &c.farmer, d1, " ").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let r = cancel_deal(&app, &c.farmer, d1, "价格没谈拢").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "cancelled");
    let r = cancel_deal(&app, &c.farmer, d1, "再取消一次").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = confirm_deal(&app, &c.farmer, d1).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a cancelled deal is not confirmed"
    );
    let d = get_deal(&app, &c.expert, d1).await;
    assert_eq!(d.body["cancel_reason"], "价格没谈拢");

    // A confirmed deal: only a region admin cancels it.
    let r = propose_deal(&app, &c.farmer, propose(150_000)).await;
    let d2 = r.body["id"].as_i64().unwrap_or_default();
    let r = confirm_deal(&app, &c.expert, d2).await;
    assert_eq!(r.body["status"], "confirmed", "{:?}", r.body);
    let r = cancel_deal(&app, &c.expert, d2, "我反悔了").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let d = get_deal(&app, &c.farmer, d2).await;
    assert_eq!(d.body["status"], "confirmed", "unchanged");
    let r = cancel_deal(&app, &c.admin, d2, "合同经核实为虚假登记").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let audit = app.get("/api/v1/audit", Some(&c.admin.token)).await;
    assert!(
        items(&audit.body)
            .iter()
            .any(|e| e["action"] == "deal.cancel"),
        "the admin's cancellation is audited"
    );
    app.stop().await;
}

#[tokio::test]
async fn transfer_through_an_inquiry_on_an_achievement() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let achievement = c.publish_experts_achievement(&app).await;
    let r = inquire(
        &app,
        &c.farmer,
        "achievement",
        achievement,
        "合作社想许可使用这项育苗技术，价格可以谈吗？",
    )
    .await;
    let inquiry = r.body["id"].as_i64().unwrap_or_default();
    let r = propose_deal(
        &app,
        &c.farmer,
        json!({ "inquiry_id": inquiry, "amount_fen": 30_000_000, "deal_date": "2025-12-01" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let deal = r.body["id"].as_i64().unwrap_or_default();
    let r = confirm_deal(&app, &c.expert, deal).await;
    assert_eq!(r.body["status"], "confirmed", "{:?}", r.body);
    let d = get_deal(&app, &c.farmer, deal).await;
    assert_eq!(d.body["transfer"], true);
    assert_eq!(d.body["achievement_id"], achievement);
    assert_eq!(d.body["origin"]["code"], "inquiry");
    assert_eq!(d.body["inquiry_id"], inquiry);
    let transfers = app
        .get("/api/v1/deals?transfer=true", Some(&c.admin.token))
        .await;
    assert_eq!(ids(&transfers.body), vec![deal]);
    let others = app
        .get("/api/v1/deals?transfer=false", Some(&c.admin.token))
        .await;
    assert!(!ids(&others.body).contains(&deal));
    app.stop().await;
}
