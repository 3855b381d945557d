//! The moderation life cycle through HTTP: apply → reject with reason → edit → pending →
//! approve, with audit entries; organizations likewise.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{moderate, reject};

#[tokio::test]
async fn tech_worker_reject_edit_resubmit_approve() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some("511623")).await;
    let (owner, id) = app.applicant("李工", "511623").await;

    let again = app
        .post(
            "/api/v1/tech-workers",
            Some(&owner.token),
            json!({
                "field": "x", "employer": "y", "expertise": ["z"], "service_region": "511623"
            }),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "one application per person"
    );

    let r = reject(&app, &admin, "tech_worker", id, " ").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let r = reject(&app, &admin, "tech_worker", id, "请补充职称证明").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "rejected");
    let r = moderate(&app, &admin, "tech_worker", id, "approve", json!({})).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a rejected item is not pending"
    );

    let mine = app
        .get(&format!("/api/v1/tech-workers/{id}"), Some(&owner.token))
        .await;
    assert_eq!(mine.body["status"], "rejected");
    assert_eq!(mine.body["reject_reason"], "请补充职称证明");
    let public = app.get("/api/v1/tech-workers?region=511623", None).await;
    assert!(
        public.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|i| i["id"] != id),
        "not public"
    );

    let r = app
        .put(
            &format!("/api/v1/tech-workers/{id}"),
            Some(&owner.token),
            json!({
                "field": "果树栽培", "title": "高级农艺师", "employer": "县农业农村局",
                "expertise": ["柑橘", "脐橙"], "service_region": "511623"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["reject_reason"], serde_json::Value::Null);

    let r = moderate(&app, &admin, "tech_worker", id, "approve", json!({})).await;
    assert_eq!(r.body["status"], "published");
    let public = app.get(&format!("/api/v1/tech-workers/{id}"), None).await;
    assert_eq!(public.body["title"], "高级农艺师");
    // Each decision reached the applicant's inbox, newest first, with the reason.
    let inbox = app.get("/api/v1/notifications", Some(&owner.token)).await;
    let kinds: Vec<_> = inbox.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        vec![json!("profile_approved"), json!("profile_rejected")],
        "{:?}",
        inbox.body
    );
    assert_eq!(
        inbox.body["items"][0]["link"],
        format!("/tech-workers/{id}")
    );
    let rejected = inbox.body["items"][1]["body"].as_str().unwrap_or_default();
    assert!(rejected.contains("请补充职称证明"), "{rejected}");
    let me = app.get("/api/v1/me", Some(&owner.token)).await;
    assert!(
        me.body["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r == "tech_worker")
    );

    let audit = app.get("/api/v1/audit", Some(&admin.token)).await;
    let actions: Vec<_> = audit.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(actions[0], "tech_worker.approve");
    assert!(actions.contains(&json!("tech_worker.reject")));
    let first = &audit.body["items"][0];
    assert_eq!(first["before"]["status"], "pending");
    assert_eq!(first["after"]["status"], "published");
    assert_eq!(first["actor_id"], admin.id);
    app.stop().await;
}

#[tokio::test]
async fn organizations_register_verify_and_edit() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some("511600")).await;
    let owner = app.user("合作社负责人", Some("511621")).await;
    let r = app
        .post(
            "/api/v1/orgs",
            Some(&owner.token),
            json!({
                "name": "岳池县生猪养殖合作社", "org_type": "cooperative", "region": "511621",
                "credit_code": "91350100M000100Y43", "description": "标准化养殖"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();

    let bad = app
        .post(
            "/api/v1/orgs",
            Some(&owner.token),
            json!({ "name": "某公司", "org_type": "gang", "region": "511621" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app
        .post("/api/v1/orgs", Some(&owner.token), json!({ "name": "某公司", "org_type": "enterprise", "region": "511621", "credit_code": "123" }))
        .await;
    assert_eq!(bad.body["error"]["field"], "credit_code");

    assert_eq!(
        app.get(&format!("/api/v1/orgs/{id}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            &format!("/api/v1/orgs/{id}/verify"),
            Some(&admin.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let public = app
        .get("/api/v1/orgs?org_type=cooperative&region=511621", None)
        .await;
    assert_eq!(public.body["total"], 1);
    assert_eq!(public.body["items"][0]["org_type_label"], "合作社");
    let inbox = app.get("/api/v1/notifications", Some(&owner.token)).await;
    assert_eq!(
        inbox.body["items"][0]["kind"], "profile_approved",
        "{:?}",
        inbox.body
    );
    assert_eq!(inbox.body["items"][0]["link"], format!("/orgs/{id}"));

    let me = app.get("/api/v1/me", Some(&owner.token)).await;
    assert_eq!(me.body["org_ids"], json!([id]));
    let edit = json!({ "name": "岳池县生猪养殖专业合作社", "org_type": "cooperative", "region": "511621", "description": "生态养殖" });
    let stranger = app.user("路人", None).await;
    assert_eq!(
        app.put(
            &format!("/api/v1/orgs/{id}"),
            Some(&stranger.token),
            edit.clone()
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .put(&format!("/api/v1/orgs/{id}"), Some(&owner.token), edit)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["status"], "pending",
        "an edited page goes back to review"
    );

    let banned = app
        .post("/api/v1/orgs", Some(&owner.token), json!({ "name": "某公司", "org_type": "enterprise", "region": "511621", "description": "提供代开发票服务" }))
        .await;
    assert_eq!(banned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        banned.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("敏感词")
    );
    app.stop().await;
}
