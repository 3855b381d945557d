//! Caseworker tickets (保姆单) through HTTP: region staff take a need, log follow-ups, link the
//! inquiries and deals that came of it, and close it with an outcome; nobody else sees them.

use kejiyun_testkit::{Reply, TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{YUECHI, cast, ids, inquire, propose_deal};

/// `who` asks for a ticket on `need`.
async fn open_ticket(app: &TestApp, who: &TestUser, need: i64) -> Reply {
    app.post(
        "/api/v1/tickets",
        Some(&who.token),
        json!({ "need_id": need }),
    )
    .await
}

#[tokio::test]
async fn caseworker_ticket_follow_ups_links_close() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let yuechi_admin = app.admin("region_admin", Some(YUECHI)).await;
    let need = c.publish_farmers_need(&app).await;
    let other_need = c.publish_farmers_need(&app).await;
    let service = c.publish_experts_service(&app).await;

    let r = open_ticket(&app, &c.expert, need).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the owner or staff only");
    let r = open_ticket(&app, &yuechi_admin, need).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another county's staff");
    let r = open_ticket(&app, &c.admin, need).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let ticket = r.body["id"].as_i64().unwrap_or_default();
    let r = open_ticket(&app, &c.admin, need).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "one open ticket per need");

    for (kind, note) in [
        ("call", "电话联系王大爷，了解果园发病情况"),
        ("introduction", "引荐县农技站李农艺师上门诊断"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/tickets/{ticket}/follow-ups"),
                Some(&c.admin.token),
                json!({ "kind": kind, "note": note }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/follow-ups"),
            Some(&c.admin.token),
            json!({ "kind": "gossip", "note": "随便聊聊" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = inquire(
        &app,
        &c.expert,
        "need",
        need,
        "我可以上门诊断，请问果园在哪个镇？",
    )
    .await;
    let inquiry = r.body["id"].as_i64().unwrap_or_default();
    let r = propose_deal(&app, &c.farmer, json!({ "need_id": need, "service_id": service, "amount_fen": 80_000, "deal_date": "2025-06-30" })).await;
    let deal = r.body["id"].as_i64().unwrap_or_default();
    let r = propose_deal(&app, &c.farmer, json!({ "need_id": other_need, "service_id": service, "amount_fen": 80_000, "deal_date": "2025-06-30" })).await;
    let unrelated = r.body["id"].as_i64().unwrap_or_default();
    for (kind, target) in [("inquiry", inquiry), ("deal", deal), ("deal", deal)] {
        let r = app
            .post(
                &format!("/api/v1/tickets/{ticket}/links"),
                Some(&c.admin.token),
                json!({ "kind": kind, "target_id": target }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {:?}", r.body);
    }
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/links"),
            Some(&c.admin.token),
            json!({ "kind": "deal", "target_id": unrelated }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not about this need"
    );

    let t = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(&c.admin.token))
        .await;
    assert_eq!(t.status, StatusCode::OK, "{:?}", t.body);
    assert_eq!(t.body["status"], "open");
    assert_eq!(t.body["follow_ups"].as_array().map(Vec::len), Some(2));
    assert_eq!(t.body["follow_ups"][1]["kind"]["label"], "引荐专家或机构");
    assert_eq!(
        t.body["links"].as_array().map(Vec::len),
        Some(2),
        "linking is idempotent"
    );
    let r = app
        .get(
            &format!("/api/v1/tickets/{ticket}"),
            Some(&yuechi_admin.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(&c.farmer.token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let mine = app
        .get(
            "/api/v1/tickets?mine=true&status=open",
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(ids(&mine.body), vec![ticket], "{:?}", mine.body);
    let by_need = app
        .get(
            &format!("/api/v1/tickets?need_id={need}"),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(ids(&by_need.body), vec![ticket]);
    let r = app.get("/api/v1/tickets", Some(&c.farmer.token)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The need's owner may ask for the caseworker (offered beside weak matches); staff then
    // find that ticket open, and asking twice is one ticket.
    let r = open_ticket(&app, &c.farmer, other_need).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let asked = r.body["id"].as_i64().unwrap_or_default();
    let r = open_ticket(&app, &c.farmer, other_need).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let by_need = app
        .get(
            &format!("/api/v1/tickets?need_id={other_need}"),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(ids(&by_need.body), vec![asked]);
    let r = app.get("/api/v1/tickets", Some(&yuechi_admin.token)).await;
    assert!(!ids(&r.body).contains(&ticket));

    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/close"),
            Some(&c.admin.token),
            json!({ "outcome": "finished" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/close"),
            Some(&c.admin.token),
            json!({ "outcome": "deal_made", "note": "促成上门诊断服务一单" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "closed");
    let t = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(&c.admin.token))
        .await;
    assert_eq!(t.body["outcome"]["code"], "deal_made");
    assert_eq!(t.body["outcome_note"], "促成上门诊断服务一单");
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/follow-ups"),
            Some(&c.admin.token),
            json!({ "kind": "note", "note": "办结后补记" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "closed tickets take no follow-ups"
    );
    let open = app
        .get(
            "/api/v1/tickets?mine=true&status=open",
            Some(&c.admin.token),
        )
        .await;
    assert!(!ids(&open.body).contains(&ticket));
    app.stop().await;
}
