//! The permission matrix: each role × own region / other region / parent region, on every
//! configured backend. A refused action answers 403 and changes nothing.

use kejiyun_testkit::{TestApp, TestUser, backends};
use reqwest::StatusCode;
use serde_json::json;

/// An 18-character ID number with a correct check digit.
pub fn id_card(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

struct Roles {
    county_own: TestUser,
    county_other: TestUser,
    city_parent: TestUser,
    province: TestUser,
    system: TestUser,
    user: TestUser,
    tech_worker: TestUser,
    org_admin: TestUser,
}

async fn roles(app: &TestApp) -> Roles {
    let city_parent = app.admin("region_admin", Some("511600")).await;
    let (tech_worker, tw_id) = app.applicant("已认证专家", "511602").await;
    let r = app.verify_tech_worker(&city_parent, tw_id).await;
    assert_eq!(r.status, StatusCode::OK);
    let org_admin = app.user("组织管理员", Some("511623")).await;
    let r = app
        .post(
            "/api/v1/orgs",
            Some(&org_admin.token),
            json!({
                "name": "邻水县测试合作社", "org_type": "cooperative", "region": "511623"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    Roles {
        county_own: app.admin("region_admin", Some("511623")).await,
        county_other: app.admin("region_admin", Some("511621")).await,
        city_parent,
        province: app.admin("region_admin", Some("510000")).await,
        system: app.admin("system_admin", None).await,
        user: app.user("普通用户", Some("511623")).await,
        tech_worker,
        org_admin,
    }
}

#[tokio::test]
async fn verification_matrix_on_every_backend() {
    for backend in backends() {
        eprintln!("permission matrix: backend={}", backend.name());
        let app = TestApp::spawn_on(backend).await;
        let r = roles(&app).await;
        let cases: [(&str, &TestUser, bool); 8] = [
            ("admin of 邻水县 (own county)", &r.county_own, true),
            ("admin of 岳池县 (other county)", &r.county_other, false),
            ("admin of 广安市 (parent city)", &r.city_parent, true),
            ("admin of 四川省 (province)", &r.province, true),
            ("system admin", &r.system, true),
            ("plain user", &r.user, false),
            ("tech worker", &r.tech_worker, false),
            ("org admin", &r.org_admin, false),
        ];
        for (who, actor, allowed) in cases {
            let (owner, id) = app.applicant("申请人", "511623").await;
            let resp = app.verify_tech_worker(actor, id).await;
            let after = app
                .get(&format!("/api/v1/tech-workers/{id}"), Some(&owner.token))
                .await;
            if allowed {
                assert_eq!(
                    resp.status,
                    StatusCode::OK,
                    "{who} on {}: {:?}",
                    backend.name(),
                    resp.body
                );
                assert_eq!(after.body["status"], "published", "{who}");
            } else {
                // 404 where the caller may not even see the pending application, 403 otherwise.
                assert!(
                    matches!(resp.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                    "{who} on {}: {} {:?}",
                    backend.name(),
                    resp.status,
                    resp.body
                );
                assert_eq!(after.body["status"], "pending", "{who}: nothing changed");
            }
            // Rejection follows the same rule.
            let (owner, id) = app.applicant("申请人", "511623").await;
            let resp = app
                .post(
                    &format!("/api/v1/tech-workers/{id}/reject"),
                    Some(&actor.token),
                    json!({ "reason": "资料不完整" }),
                )
                .await;
            let after = app
                .get(&format!("/api/v1/tech-workers/{id}"), Some(&owner.token))
                .await;
            let want = if allowed { "rejected" } else { "pending" };
            assert_eq!(after.body["status"], want, "{who} reject: {:?}", resp.body);
        }

        // Queues: each admin sees their subtree only.
        let (_, id) = app.applicant("排队者", "511623").await;
        let in_queue = |body: &serde_json::Value| {
            body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|i| i["item_id"] == id && i["kind"] == "tech_worker")
        };
        assert!(in_queue(
            &app.get("/api/v1/moderation", Some(&r.county_own.token))
                .await
                .body
        ));
        assert!(in_queue(
            &app.get(
                "/api/v1/moderation?per_page=100",
                Some(&r.city_parent.token)
            )
            .await
            .body
        ));
        assert!(!in_queue(
            &app.get(
                "/api/v1/moderation?per_page=100",
                Some(&r.county_other.token)
            )
            .await
            .body
        ));
        let q = app.get("/api/v1/moderation", Some(&r.user.token)).await;
        assert_eq!(q.status, StatusCode::FORBIDDEN);
        let q = app.get("/api/v1/moderation", None).await;
        assert_eq!(q.status, StatusCode::UNAUTHORIZED);

        // Unpublished directory listings: admins within their scope only.
        let pending = app
            .get(
                "/api/v1/tech-workers?status=pending&region=511623",
                Some(&r.county_other.token),
            )
            .await;
        assert_eq!(pending.status, StatusCode::OK);
        assert_eq!(
            pending.body["total"], 0,
            "other county's admin sees none of 邻水县's pending"
        );
        let pending = app
            .get(
                "/api/v1/tech-workers?status=pending",
                Some(&r.county_own.token),
            )
            .await;
        assert!(pending.body["total"].as_u64().unwrap_or(0) >= 1);
        let pending = app
            .get("/api/v1/tech-workers?status=pending", Some(&r.user.token))
            .await;
        assert_eq!(pending.status, StatusCode::FORBIDDEN);

        // Audit log: scoped like the queue.
        let own = app
            .get("/api/v1/audit?per_page=100", Some(&r.county_own.token))
            .await;
        assert_eq!(own.status, StatusCode::OK);
        let other = app
            .get("/api/v1/audit?per_page=100", Some(&r.county_other.token))
            .await;
        let regions_seen: Vec<_> = other.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["region"]["code"].clone())
            .collect();
        assert!(
            regions_seen.iter().all(|c| c == "511621"),
            "{regions_seen:?}"
        );
        assert_eq!(
            app.get("/api/v1/audit", Some(&r.user.token)).await.status,
            StatusCode::FORBIDDEN
        );

        // Creating admins: the security administrator only (三员分立), not even a system admin.
        let body = json!({ "login": "new-admin@test.cn", "password": "Admin2026x", "role": "region_admin", "region": "511623" });
        for who in [&r.city_parent, &r.system] {
            assert_eq!(
                app.post("/api/v1/admins", Some(&who.token), body.clone())
                    .await
                    .status,
                StatusCode::FORBIDDEN
            );
        }
        let security = app.admin("security_admin", None).await;
        assert_eq!(
            app.post("/api/v1/admins", Some(&security.token), body)
                .await
                .status,
            StatusCode::CREATED
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn personal_data_is_masked_except_for_owner_and_region_admins() {
    let app = TestApp::spawn().await;
    let owner = app.user("持证人", Some("511623")).await;
    let card = id_card("51162319800101123");
    let r = app
        .post(
            "/api/v1/tech-workers",
            Some(&owner.token),
            json!({
                "field": "生猪养殖", "employer": "邻水县畜牧站", "expertise": ["生猪"],
                "service_region": "511623", "id_card": card
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    let masked = format!("{}********{}", &card[..6], &card[14..]);

    let own_admin = app.admin("region_admin", Some("511623")).await;
    let city_admin = app.admin("region_admin", Some("511600")).await;
    let other_admin = app.admin("region_admin", Some("511621")).await;
    let path = format!("/api/v1/tech-workers/{id}");
    assert_eq!(
        app.get(&path, Some(&owner.token)).await.body["id_card"],
        card
    );
    // The region's admins see it masked, and read it in full through an audited reveal.
    assert_eq!(
        app.get(&path, Some(&own_admin.token)).await.body["id_card"],
        masked
    );
    assert_eq!(
        app.get(&path, Some(&city_admin.token)).await.body["id_card"],
        masked
    );
    let reveal = format!("{path}/id-card");
    for who in [&owner, &own_admin, &city_admin] {
        let r = app.get(&reveal, Some(&who.token)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["id_card"], card);
    }
    let reads = |body: &serde_json::Value| {
        body["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["action"] == "tech_worker.id_card.read")
                    .count()
            })
            .unwrap_or(0)
    };
    let audit = app.get("/api/v1/audit", Some(&own_admin.token)).await;
    assert_eq!(
        reads(&audit.body),
        2,
        "the admins' readings, not the owner's: {:?}",
        audit.body
    );
    // Not published yet: others cannot even see it.
    assert_eq!(
        app.get(&path, Some(&other_admin.token)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);

    app.post(&format!("{path}/verify"), Some(&own_admin.token), json!({}))
        .await;
    assert_eq!(
        app.get(&path, Some(&other_admin.token)).await.body["id_card"],
        masked
    );
    assert_eq!(app.get(&path, None).await.body["id_card"], masked);
    assert_eq!(
        app.get(&reveal, Some(&other_admin.token)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&reveal, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The page: masked, with a reveal button for the region's admin; the reveal shows it.
    let profile_page = format!("/tech-workers/{id}");
    let (_, page) = app.page(Some(&own_admin), None, &profile_page).await;
    assert!(
        page.contains(&masked) && !page.contains(&card),
        "masked on the page"
    );
    assert!(page.contains("reveal-id-card"), "a reveal button");
    let (status, page) = app
        .page(
            Some(&own_admin),
            Some(&[]),
            &format!("{profile_page}/id-card"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&card), "the reveal shows the number");
    let audit = app.get("/api/v1/audit", Some(&own_admin.token)).await;
    assert_eq!(reads(&audit.body), 3, "the page's reveal is audited too");
    let stranger = app.user("路人", None).await;
    assert_eq!(
        app.get(&path, Some(&stranger.token)).await.body["id_card"],
        masked
    );
    let listed = app.get("/api/v1/tech-workers?region=511623", None).await;
    assert!(
        listed.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|i| i["id_card"] != card)
    );

    // An org's contact phone likewise.
    let phone = kejiyun_testkit::phone();
    let r = app
        .post("/api/v1/orgs", Some(&owner.token), json!({
            "name": "邻水县生猪协会", "org_type": "rural_association", "region": "511623", "contact_phone": phone
        }))
        .await;
    let org = r.body["id"].as_i64().unwrap_or_default();
    app.post(
        &format!("/api/v1/orgs/{org}/verify"),
        Some(&own_admin.token),
        json!({}),
    )
    .await;
    let shown = app.get(&format!("/api/v1/orgs/{org}"), None).await;
    assert_eq!(
        shown.body["contact_phone"],
        format!("{}****{}", &phone[..3], &phone[7..])
    );
    let shown = app
        .get(&format!("/api/v1/orgs/{org}"), Some(&owner.token))
        .await;
    assert_eq!(shown.body["contact_phone"], phone);
    app.stop().await;
}

#[tokio::test]
async fn only_the_owner_edits() {
    let app = TestApp::spawn().await;
    let (owner, id) = app.applicant("本人", "511623").await;
    let other = app.user("他人", Some("511623")).await;
    let admin = app.admin("region_admin", Some("511623")).await;
    let body = json!({ "field": "改写", "employer": "别人的单位", "expertise": ["x"], "service_region": "511623" });
    let r = app
        .put(
            &format!("/api/v1/tech-workers/{id}"),
            Some(&other.token),
            body.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "a pending application is invisible to others: {:?}",
        r.body
    );
    let r = app
        .put(
            &format!("/api/v1/tech-workers/{id}"),
            Some(&admin.token),
            body.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the admin sees it but may not edit it: {:?}",
        r.body
    );
    let r = app
        .get(&format!("/api/v1/tech-workers/{id}"), Some(&owner.token))
        .await;
    assert_eq!(r.body["field"], "果树栽培", "unchanged");
    app.stop().await;
}
