//! Postings through HTTP: services, needs and achievements from draft to publication, the
//! moderation queue, rejection with a reason, editing, expiry confirmation, closing, scope reach,
//! and the permission and bad-input cases.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{
    LINSHUI, YUECHI, achievement_body, approve, cast, close_posting, confirm_posting, ids, items,
    need_body, published, reject, service_body, submit_posting, submitted, with,
};

#[tokio::test]
async fn service_draft_submit_queue_approve_public() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;

    // A draft: not queued, not public, visible to its owner.
    let r = app
        .post(
            "/api/v1/services",
            Some(&c.expert.token),
            service_body(LINSHUI, "county"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    let mine = app
        .get(&format!("/api/v1/services/{id}"), Some(&c.expert.token))
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{:?}", mine.body);
    assert_eq!(mine.body["status"], "draft");
    assert_eq!(mine.body["price"]["amount_fen"], 80_000);
    assert_eq!(mine.body["category"]["label"], "果树园艺");
    assert_eq!(mine.body["scope"]["label"], "本县");
    assert_eq!(mine.body["region"]["code"], LINSHUI);
    let anon = app.get(&format!("/api/v1/services/{id}"), None).await;
    assert_eq!(anon.status, StatusCode::NOT_FOUND, "drafts are private");
    let q = app
        .get("/api/v1/moderation?kind=service", Some(&c.admin.token))
        .await;
    assert!(!items(&q.body).iter().any(|i| i["item_id"] == id));

    // Submitted: pending in the county admin's queue.
    let r = submit_posting(&app, &c.expert, "services", id).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    let q = app
        .get("/api/v1/moderation?kind=service", Some(&c.admin.token))
        .await;
    assert_eq!(q.status, StatusCode::OK, "{:?}", q.body);
    let queued = items(&q.body)
        .into_iter()
        .find(|i| i["item_id"] == id)
        .unwrap_or_else(|| panic!("not queued: {:?}", q.body));
    assert_eq!(queued["kind"], "service");
    assert_eq!(queued["title"], "柑橘黄龙病诊断与防治");
    let again = submit_posting(&app, &c.expert, "services", id).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "already pending");

    approve(&app, &c.admin, "service", id).await;
    let public = app
        .get(&format!("/api/v1/services?region={LINSHUI}"), None)
        .await;
    assert_eq!(public.status, StatusCode::OK, "{:?}", public.body);
    assert!(ids(&public.body).contains(&id));
    let detail = app.get(&format!("/api/v1/services/{id}"), None).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.body["status"], "published");
    assert_eq!(detail.body["owner_name"], "李农艺师");
    assert!(detail.body["expires_at"].is_string());
    assert!(detail.body["first_published_at"].is_string());
    let by_category = app.get("/api/v1/services?category=tea", None).await;
    assert!(!ids(&by_category.body).contains(&id));
    let by_text = app.get("/api/v1/services?q=黄龙病", None).await;
    assert!(ids(&by_text.body).contains(&id), "{:?}", by_text.body);
    let q = app
        .get("/api/v1/moderation?kind=service", Some(&c.admin.token))
        .await;
    assert!(!items(&q.body).iter().any(|i| i["item_id"] == id));
    app.stop().await;
}

#[tokio::test]
async fn rejected_service_shows_reason_then_edit_and_resubmit() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = submitted(&app, "services", &c.expert, service_body(LINSHUI, "county")).await;
    let r = reject(&app, &c.admin, "service", id, "请写明收费标准和服务范围").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "rejected");

    let mine = app
        .get(&format!("/api/v1/services/{id}"), Some(&c.expert.token))
        .await;
    assert_eq!(mine.body["status"], "rejected");
    assert_eq!(mine.body["reject_reason"], "请写明收费标准和服务范围");
    let listed = app
        .get("/api/v1/services?mine=true", Some(&c.expert.token))
        .await;
    assert!(ids(&listed.body).contains(&id), "{:?}", listed.body);
    assert_eq!(
        app.get(&format!("/api/v1/services/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let edited = with(
        service_body(LINSHUI, "city"),
        "description",
        json!("上门诊断柑橘黄龙病、溃疡病，每次出诊 800 元，服务广安市各区县。"),
    );
    let r = app
        .put(
            &format!("/api/v1/services/{id}"),
            Some(&c.expert.token),
            edited,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["scope"]["code"], "city");
    assert_eq!(r.body["status"], "pending", "an edit resubmits");
    assert_eq!(
        r.body["reject_reason"],
        Value::Null,
        "the old reason is gone"
    );
    let q = app
        .get("/api/v1/moderation?kind=service", Some(&c.admin.token))
        .await;
    assert!(
        items(&q.body).iter().any(|i| i["item_id"] == id),
        "queued again"
    );
    let r = submit_posting(&app, &c.expert, "services", id).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "already pending");
    let mine = app
        .get(&format!("/api/v1/services/{id}"), Some(&c.expert.token))
        .await;
    assert_eq!(mine.body["status"], "pending");
    approve(&app, &c.admin, "service", id).await;
    let public = app.get(&format!("/api/v1/services/{id}"), None).await;
    assert_eq!(public.body["status"], "published");
    assert_eq!(
        public.body["reject_reason"],
        Value::Null,
        "visitors never see a reason"
    );
    app.stop().await;
}

#[tokio::test]
async fn need_completeness_and_publication() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;

    let empty = app
        .post("/api/v1/needs/completeness", None, json!({}))
        .await;
    assert_eq!(empty.status, StatusCode::OK, "{:?}", empty.body);
    assert_eq!(empty.body["score"], 0);
    assert_eq!(empty.body["missing"].as_array().map(Vec::len), Some(8));
    let full = app
        .post("/api/v1/needs/completeness", None, need_body(LINSHUI))
        .await;
    assert_eq!(full.body["score"], 100);
    assert_eq!(full.body["missing"], json!([]));
    let partial = with(
        with(
            need_body(LINSHUI),
            "problem",
            json!("果树生病了，怎么办才好呢？"),
        ),
        "budget_fen",
        Value::Null,
    );
    let partial = app.post("/api/v1/needs/completeness", None, partial).await;
    assert_eq!(partial.body["score"], 65);
    assert!(
        partial.body["missing"][0]
            .as_str()
            .unwrap_or_default()
            .contains("问题")
    );
    let unknown = app
        .post(
            "/api/v1/needs/completeness",
            None,
            json!({ "colour": "red" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let id = c.publish_farmers_need(&app).await;
    let public = app.get(&format!("/api/v1/needs/{id}"), None).await;
    assert_eq!(public.status, StatusCode::OK, "{:?}", public.body);
    assert_eq!(public.body["completeness"], 100);
    assert_eq!(public.body["budget_fen"], 2_000_000);
    assert_eq!(public.body["deadline"], "2027-03-31");
    assert_eq!(public.body["industry"]["label"], "农业");
    let list = app
        .get(
            &format!("/api/v1/needs?region={LINSHUI}&category=fruit"),
            None,
        )
        .await;
    assert!(ids(&list.body).contains(&id));
    app.stop().await;
}

#[tokio::test]
async fn achievement_publication() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let no_number = with(achievement_body(LINSHUI), "ip_number", Value::Null);
    let r = app
        .post("/api/v1/achievements", Some(&c.expert.token), no_number)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["field"], "ip_number");
    let r = app
        .post(
            "/api/v1/achievements",
            Some(&c.expert.token),
            with(achievement_body(LINSHUI), "maturity", json!("研发")),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "codes, not labels"
    );

    let id = c.publish_experts_achievement(&app).await;
    let a = app.get(&format!("/api/v1/achievements/{id}"), None).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    assert_eq!(a.body["maturity"]["label"], "产业化");
    assert_eq!(a.body["ip_type"]["code"], "invention_patent");
    assert_eq!(a.body["transfer_modes"][1]["label"], "许可");
    assert_eq!(a.body["price"]["amount_fen"], 50_000_000);
    let list = app.get("/api/v1/achievements?q=无病毒", None).await;
    assert!(ids(&list.body).contains(&id), "{:?}", list.body);
    app.stop().await;
}

#[tokio::test]
async fn confirm_extends_expiry_and_close_records_reason() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = c.publish_farmers_need(&app).await;
    let before = app.get(&format!("/api/v1/needs/{id}"), None).await;
    let before_expiry = before.body["expires_at"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(before_expiry.ends_with('Z'), "{before_expiry}");
    assert!(
        before_expiry.as_str()
            > before.body["first_published_at"]
                .as_str()
                .unwrap_or_default(),
        "expires after publication"
    );

    let r = confirm_posting(&app, &c.expert, "needs", id).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only the owner confirms");
    let r = confirm_posting(&app, &c.farmer, "needs", id).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let extended = r.body["expires_at"].as_str().unwrap_or_default().to_owned();
    assert!(extended >= before_expiry, "{extended} < {before_expiry}");
    let after = app.get(&format!("/api/v1/needs/{id}"), None).await;
    assert_eq!(after.body["expires_at"], extended.as_str());

    let r = close_posting(&app, &c.farmer, "needs", id, "expired").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "expiry is the platform's"
    );
    let r = close_posting(&app, &c.farmer, "needs", id, "solved_here").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "closed");
    let closed = app.get(&format!("/api/v1/needs/{id}"), None).await;
    assert_eq!(
        closed.status,
        StatusCode::OK,
        "once published stays readable"
    );
    assert_eq!(closed.body["close_reason"], "solved_here");
    assert_eq!(closed.body["close_reason_label"], "已在本平台解决");
    let r = confirm_posting(&app, &c.farmer, "needs", id).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a closed need is not confirmed"
    );
    let draft = app
        .post("/api/v1/needs", Some(&c.farmer.token), need_body(LINSHUI))
        .await;
    let draft = draft.body["id"].as_i64().unwrap_or_default();
    let r = confirm_posting(&app, &c.farmer, "needs", draft).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "drafts do not expire");
    app.stop().await;
}

#[tokio::test]
async fn scope_reach_of_services() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let county = c.publish_experts_service(&app).await;
    let national = published(
        &app,
        &c.admin,
        "services",
        &c.expert,
        with(
            service_body(LINSHUI, "national"),
            "title",
            json!("柑橘苗木远程诊断"),
        ),
    )
    .await;
    let elsewhere = app
        .get(&format!("/api/v1/services?available_in={YUECHI}"), None)
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{:?}", elsewhere.body);
    let found = ids(&elsewhere.body);
    assert!(
        !found.contains(&county),
        "a county service stays in its county"
    );
    assert!(
        found.contains(&national),
        "a national service reaches everywhere"
    );
    let chengdu = ids(&app
        .get("/api/v1/services?available_in=510104", None)
        .await
        .body);
    assert!(chengdu.contains(&national) && !chengdu.contains(&county));
    let home = ids(&app
        .get(&format!("/api/v1/services?available_in={LINSHUI}"), None)
        .await
        .body);
    assert!(home.contains(&county) && home.contains(&national));
    let only_county = ids(&app.get("/api/v1/services?scope=county", None).await.body);
    assert!(only_county.contains(&county) && !only_county.contains(&national));
    let bad = app.get("/api/v1/services?scope=galaxy", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app.get("/api/v1/services?available_in=12", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn only_providers_publish_services_and_achievements() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    for kind in ["services", "achievements"] {
        let body = if kind == "services" {
            service_body(LINSHUI, "county")
        } else {
            achievement_body(LINSHUI)
        };
        let r = app
            .post(
                &format!("/api/v1/{kind}"),
                Some(&c.farmer.token),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{kind}: {:?}", r.body);
        let r = app.post(&format!("/api/v1/{kind}"), None, body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let mine = app
            .get(&format!("/api/v1/{kind}?mine=true"), Some(&c.farmer.token))
            .await;
        assert_eq!(mine.body["total"], 0, "nothing written");
    }
    let r = app.get("/api/v1/services?mine=true", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.get("/api/v1/services?status=pending", None).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "unpublished lists are for admins"
    );
    app.stop().await;
}

#[tokio::test]
async fn other_people_and_other_counties_change_nothing() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let yuechi_admin = app.admin("region_admin", Some(YUECHI)).await;
    let rival = app.tech_worker("张工", LINSHUI).await;

    let pending = submitted(&app, "services", &c.expert, service_body(LINSHUI, "county")).await;
    for action in ["approve", "reject"] {
        let r = app
            .post(
                &format!("/api/v1/moderation/service/{pending}/{action}"),
                Some(&yuechi_admin.token),
                json!({ "reason": "不符合要求" }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{action}: a pending posting elsewhere is invisible: {:?}",
            r.body
        );
    }
    let r = app
        .get(
            &format!("/api/v1/services/{pending}"),
            Some(&c.expert.token),
        )
        .await;
    assert_eq!(r.body["status"], "pending", "unchanged");

    let id = c.publish_experts_service(&app).await;
    let before = app.get(&format!("/api/v1/services/{id}"), None).await;
    let hijack = with(
        service_body(LINSHUI, "national"),
        "title",
        json!("被篡改的标题"),
    );
    let r = app
        .put(
            &format!("/api/v1/services/{id}"),
            Some(&rival.token),
            hijack.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .put(
            &format!("/api/v1/services/{id}"),
            Some(&c.admin.token),
            hijack,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "admins do not edit content either"
    );
    for action in ["submit", "confirm"] {
        let r = app
            .post(
                &format!("/api/v1/services/{id}/{action}"),
                Some(&rival.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}: {:?}", r.body);
    }
    let r = close_posting(&app, &rival, "services", id, "withdrawn").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let after = app.get(&format!("/api/v1/services/{id}"), None).await;
    assert_eq!(after.body, before.body, "nothing changed");

    // Someone else's draft is not even visible.
    let draft = app
        .post("/api/v1/needs", Some(&c.farmer.token), need_body(LINSHUI))
        .await;
    let draft = draft.body["id"].as_i64().unwrap_or_default();
    let r = app
        .put(
            &format!("/api/v1/needs/{draft}"),
            Some(&rival.token),
            need_body(LINSHUI),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/api/v1/needs/{draft}"), Some(&yuechi_admin.token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "other county's admin");
    let r = app
        .get(&format!("/api/v1/needs/{draft}"), Some(&c.admin.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "the county's admin");
    app.stop().await;
}
