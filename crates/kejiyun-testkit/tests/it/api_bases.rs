//! Popular-science sharing bases (科普共享基地) through HTTP on the real server: an organization
//! applies as a base and the county admin verifies it; its admin writes the profile and opens
//! a visit slot; a teacher books it for a class; a group larger than the places left is a 409
//! in Chinese that stores nothing; the admin confirms, the teacher's inbox has the notice; the
//! public sees the contact phone masked, the base's admin in full; a decline needs a reason and
//! gives the places back; the booker cancels. A base's admin sets its photos (their own
//! uploaded images) and the published resources it uses — someone else's upload, a PDF, an
//! unpublished resource or too many is a 422 in Chinese that stores nothing —, both shown on
//! the base's page and in its JSON, and the resource's page and `GET …/bases` list the base;
//! the manage page edits both (photos by multipart upload).

use kejiyun_testkit::{Part, TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, YUECHI, moderate};
use crate::api_resources::upload;

/// A photo the demo ships (made for the project, CC0).
const PHOTO: &[u8] = include_bytes!("../../../kejiyun/demo_media/citrus-pruning.jpg");
/// A PDF the demo ships: an upload, but not an image.
const PDF: &[u8] = include_bytes!("../../../kejiyun/demo_media/kiwi-guide.pdf");

fn message(r: &kejiyun_testkit::Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn profile() -> Value {
    json!({
        "base_type": "venue",
        "address": "邻水县鼎屏镇科技馆路 1 号",
        "open_hours": "周二至周日 9:00–17:00",
        "contact_name": "王老师",
        "contact_phone": "13800138000",
        "intro": "县科技馆，常设展厅四个。",
    })
}

async fn book(
    app: &TestApp,
    org: i64,
    slot: i64,
    who: &TestUser,
    size: u32,
) -> kejiyun_testkit::Reply {
    app.post(
        &format!("/api/v1/bases/{org}/slots/{slot}/bookings"),
        Some(&who.token),
        json!({
            "group_name": "邻水县实验小学五年级",
            "group_size": size,
            "contact_phone": "13900139000",
            "note": "含 3 名带队老师",
        }),
    )
    .await
}

async fn places_left(app: &TestApp, org: i64) -> i64 {
    let r = app.get(&format!("/api/v1/bases/{org}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["slots"][0]["places_left"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn a_base_opens_a_slot_and_a_teacher_books_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let other_admin = app.admin("region_admin", Some(YUECHI)).await;
    let owner = app.user("科技馆馆长", Some(LINSHUI)).await;
    let teacher = app.user("李老师", Some(LINSHUI)).await;
    let school = app.user("第二中学", Some(LINSHUI)).await;

    // The org applies as a base; until verified it is not a base anyone sees.
    let org = app
        .post(
            "/api/v1/orgs",
            Some(&owner.token),
            json!({ "name": "邻水县科技馆", "org_type": "base", "region": LINSHUI }),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{:?}", org.body);
    let org = org.body["id"].as_i64().unwrap_or_default();
    let hidden = app.get(&format!("/api/v1/bases/{org}"), None).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{:?}", hidden.body);
    let verified = app
        .post(
            &format!("/api/v1/orgs/{org}/verify"),
            Some(&admin.token),
            json!({}),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);

    // Its admin writes the profile; others may not.
    let path = format!("/api/v1/bases/{org}/profile");
    let by_teacher = app.put(&path, Some(&teacher.token), profile()).await;
    assert_eq!(
        by_teacher.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        by_teacher.body
    );
    let by_other = app.put(&path, Some(&other_admin.token), profile()).await;
    assert_eq!(
        by_other.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        by_other.body
    );
    let mut bad = profile();
    bad["base_type"] = json!("zoo");
    app.put(&path, Some(&owner.token), bad)
        .await
        .assert_invalid_field("base_type");
    let saved = app.put(&path, Some(&owner.token), profile()).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body["base_type_label"], "场馆");

    // The public sees the phone masked; the base's admin and the region's admin in full.
    let listed = app
        .get(&format!("/api/v1/bases?region={LINSHUI}"), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{:?}",
        listed.body
    );
    assert_eq!(listed.body[0]["profile"]["contact_phone"], "138****8000");
    let public = app.get(&format!("/api/v1/bases/{org}"), None).await;
    assert_eq!(
        public.body["base"]["profile"]["contact_phone"],
        "138****8000"
    );
    let seen = app
        .get(&format!("/api/v1/bases/{org}"), Some(&teacher.token))
        .await;
    assert_eq!(seen.body["base"]["profile"]["contact_phone"], "138****8000");
    for who in [&owner, &admin] {
        let full = app
            .get(&format!("/api/v1/bases/{org}"), Some(&who.token))
            .await;
        assert_eq!(full.body["base"]["profile"]["contact_phone"], "13800138000");
    }

    // A slot: only the base's admins open one; in the past or backwards is refused.
    let slots = format!("/api/v1/bases/{org}/slots");
    let slot_body =
        json!({ "starts_at": "2099-03-10 09:00", "ends_at": "2099-03-10 11:30", "capacity": 50 });
    let r = app
        .post(&slots, Some(&teacher.token), slot_body.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let past =
        json!({ "starts_at": "2020-03-10 09:00", "ends_at": "2020-03-10 11:30", "capacity": 50 });
    app.post(&slots, Some(&owner.token), past)
        .await
        .assert_invalid_field("starts_at");
    let slot = app.post(&slots, Some(&owner.token), slot_body).await;
    assert_eq!(slot.status, StatusCode::CREATED, "{:?}", slot.body);
    let slot = slot.body["id"].as_i64().unwrap_or_default();
    assert_eq!(places_left(&app, org).await, 50);

    // The teacher books 45 places; another school asking for 10 is refused, storing nothing.
    let booked = book(&app, org, slot, &teacher, 45).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
    let booking = booked.body["id"].as_i64().unwrap_or_default();
    assert_eq!(places_left(&app, org).await, 5);
    let over = book(&app, org, slot, &school, 10).await;
    assert_eq!(over.status, StatusCode::CONFLICT, "{:?}", over.body);
    assert!(message(&over).starts_with("名额不足："), "{:?}", over.body);
    assert_eq!(places_left(&app, org).await, 5);
    let mine = app
        .get("/api/v1/me/base-bookings", Some(&school.token))
        .await;
    assert_eq!(
        mine.body.as_array().map(Vec::len),
        Some(0),
        "{:?}",
        mine.body
    );
    book(&app, org, slot, &school, 0)
        .await
        .assert_invalid_field("group_size");
    let anonymous = app
        .post(
            &format!("/api/v1/bases/{org}/slots/{slot}/bookings"),
            None,
            json!({ "group_name": "某团体", "group_size": 1, "contact_phone": "13900139000" }),
        )
        .await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        anonymous.body
    );

    // The base's bookings: for its admins only.
    let list = format!("/api/v1/bases/{org}/bookings");
    let r = app.get(&list, Some(&teacher.token)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.get(&list, Some(&owner.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body[0]["status"], "pending");
    assert_eq!(r.body[0]["group_size"], 45);

    // The admin confirms, once; the teacher is told.
    let decide = format!("/api/v1/base-bookings/{booking}/decision");
    let r = app
        .post(&decide, Some(&teacher.token), json!({ "confirm": true }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .post(&decide, Some(&owner.token), json!({ "confirm": true }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "confirmed");
    let twice = app
        .post(
            &decide,
            Some(&owner.token),
            json!({ "confirm": false, "reason": "闭馆" }),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    let inbox = app.get("/api/v1/notifications", Some(&teacher.token)).await;
    assert_eq!(inbox.status, StatusCode::OK, "{:?}", inbox.body);
    let kinds: Vec<&str> = inbox.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"booking_confirmed"), "{:?}", inbox.body);

    // A decline needs a reason and gives the places back.
    let small = book(&app, org, slot, &school, 5).await;
    assert_eq!(small.status, StatusCode::CREATED, "{:?}", small.body);
    let small = small.body["id"].as_i64().unwrap_or_default();
    assert_eq!(places_left(&app, org).await, 0);
    let decide_small = format!("/api/v1/base-bookings/{small}/decision");
    app.post(
        &decide_small,
        Some(&admin.token),
        json!({ "confirm": false }),
    )
    .await
    .assert_invalid_field("reason");
    let r = app
        .post(
            &decide_small,
            Some(&admin.token),
            json!({ "confirm": false, "reason": "当天另有团体" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "declined");
    assert_eq!(places_left(&app, org).await, 5);

    // The booker cancels (nobody else may); the places come back.
    let cancel = format!("/api/v1/base-bookings/{booking}/cancel");
    let r = app.post(&cancel, Some(&school.token), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.post(&cancel, Some(&teacher.token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(places_left(&app, org).await, 50);
    let mine = app
        .get("/api/v1/me/base-bookings", Some(&teacher.token))
        .await;
    assert_eq!(mine.body[0]["status"], "cancelled", "{:?}", mine.body);
    assert_eq!(mine.body[0]["base_name"], "邻水县科技馆");
}

/// The pages: the list and a base's page (phone masked), the booking form (over capacity
/// re-rendered in Chinese), the manage page for the base's admins (full phone, decisions) and
/// the booker's list with cancel.
#[tokio::test]
async fn the_base_pages_book_decide_and_cancel() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let owner = app.user("科技馆馆长", Some(LINSHUI)).await;
    let teacher = app.user("李老师", Some(LINSHUI)).await;
    let org = app
        .post(
            "/api/v1/orgs",
            Some(&owner.token),
            json!({ "name": "邻水县科技馆", "org_type": "base", "region": LINSHUI }),
        )
        .await;
    let org = org.body["id"].as_i64().unwrap_or_default();
    let verify = format!("/api/v1/orgs/{org}/verify");
    assert_eq!(
        app.post(&verify, Some(&admin.token), json!({}))
            .await
            .status,
        StatusCode::OK
    );

    let (status, _) = app
        .page(Some(&teacher), None, &format!("/bases/{org}/manage"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let manage = format!("/bases/{org}/manage");
    let (status, html) = app
        .page(
            Some(&owner),
            Some(&[
                ("base_type", "venue"),
                ("address", "邻水县鼎屏镇科技馆路 1 号"),
                ("open_hours", "周二至周日 9:00–17:00"),
                ("contact_name", "王老师"),
                ("contact_phone", "123"),
                ("intro", ""),
            ]),
            &format!("/bases/{org}/profile"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("请输入 11 位联系电话"), "{html}");
    let (status, _) = app
        .page(
            Some(&owner),
            Some(&[
                ("base_type", "venue"),
                ("address", "邻水县鼎屏镇科技馆路 1 号"),
                ("open_hours", "周二至周日 9:00–17:00"),
                ("contact_name", "王老师"),
                ("contact_phone", "13800138000"),
                ("intro", "县科技馆"),
            ]),
            &format!("/bases/{org}/profile"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = app
        .page(
            Some(&owner),
            Some(&[
                ("starts_at", "2099-03-10T09:00"),
                ("ends_at", "2099-03-10T11:30"),
                ("capacity", "30"),
            ]),
            &format!("/bases/{org}/slots"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let base = app.get(&format!("/api/v1/bases/{org}"), None).await;
    let slot = base.body["slots"][0]["id"].as_i64().unwrap_or_default();

    let (status, html) = app.page(None, None, "/resources").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/bases\""), "a link to the bases");
    let (status, html) = app
        .page(None, None, &format!("/bases?region={LINSHUI}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("邻水县科技馆"), "{html}");
    let (status, html) = app.page(None, None, &format!("/bases/{org}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("138****8000") && !html.contains("13800138000"),
        "{html}"
    );

    let book = format!("/bases/{org}/slots/{slot}/book");
    let form = |size: &'static str| {
        [
            ("group_name", "邻水县实验小学五年级"),
            ("group_size", size),
            ("contact_phone", "13900139000"),
            ("note", ""),
        ]
    };
    let (status, html) = app.page(Some(&teacher), Some(&form("31")), &book).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, _) = app.page(Some(&teacher), Some(&form("30")), &book).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let other = app.user("第二中学", Some(LINSHUI)).await;
    let (status, html) = app.page(Some(&other), Some(&form("1")), &book).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("名额不足"), "{html}");

    let (status, html) = app.page(Some(&owner), None, &manage).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("13800138000") && html.contains("邻水县实验小学五年级"),
        "{html}"
    );
    let mine = app
        .get("/api/v1/me/base-bookings", Some(&teacher.token))
        .await;
    let booking = mine.body[0]["id"].as_i64().unwrap_or_default();
    let decide = format!("/base-bookings/{booking}/decision");
    let (status, html) = app
        .page(
            Some(&owner),
            Some(&[("confirm", "0"), ("reason", "")]),
            &decide,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("请填写婉拒理由"), "{html}");
    let (status, _) = app
        .page(
            Some(&owner),
            Some(&[("confirm", "1"), ("reason", "")]),
            &decide,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (status, html) = app.page(Some(&teacher), None, "/me/base-bookings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已确认"), "{html}");
    let cancel = format!("/base-bookings/{booking}/cancel");
    let (status, _) = app.page(Some(&teacher), Some(&[]), &cancel).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.page(Some(&teacher), None, "/me/base-bookings").await;
    assert!(html.contains("已取消"), "{html}");
}

/// A resource by `who`: published through the queue by `admin`, or left a draft.
async fn resource(
    app: &TestApp,
    who: &TestUser,
    admin: &TestUser,
    title: &str,
    publish: bool,
) -> i64 {
    let r = app
        .post(
            "/api/v1/resources",
            Some(&who.token),
            json!({
                "kind": "article",
                "title": title,
                "summary": "展厅里常年播放的科普内容，适合中小学生团体参观时观看。",
                "body": "<p>机器人、天文和农业科技三个展厅，讲解员全程陪同。</p>",
                "category": "fruit",
                "region": LINSHUI,
                "submit": publish,
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    if publish {
        let ok = moderate(app, admin, "resource", id, "approve", json!({})).await;
        assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    }
    id
}

async fn base_json(app: &TestApp, org: i64) -> Value {
    let r = app.get(&format!("/api/v1/bases/{org}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn ids_of(v: &Value, key: &str) -> Vec<Value> {
    v[key]
        .as_array()
        .map(|a| a.iter().map(|x| x["id"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_base_shows_its_photos_and_the_resources_it_uses() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let owner = app.user("科技馆馆长", Some(LINSHUI)).await;
    let stranger = app.user("路人", Some(LINSHUI)).await;
    let org = app
        .post(
            "/api/v1/orgs",
            Some(&owner.token),
            json!({ "name": "邻水县科技馆", "org_type": "base", "region": LINSHUI }),
        )
        .await;
    let org = org.body["id"].as_i64().unwrap_or_default();
    let verify = format!("/api/v1/orgs/{org}/verify");
    assert_eq!(
        app.post(&verify, Some(&admin.token), json!({}))
            .await
            .status,
        StatusCode::OK
    );

    // Photos: the caller's own images only, at most nine; a refused list stores nothing.
    let mine = upload(&app, &owner, "展厅.jpg", PHOTO).await;
    let theirs = upload(&app, &stranger, "别人的.jpg", PHOTO).await;
    let pdf = upload(&app, &owner, "指南.pdf", PDF).await;
    let photos = format!("/api/v1/bases/{org}/photos");
    let by_stranger = app
        .put(
            &photos,
            Some(&stranger.token),
            json!({ "photo_ids": [theirs] }),
        )
        .await;
    assert_eq!(
        by_stranger.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        by_stranger.body
    );
    for (ids, says) in [
        (json!([mine, theirs]), "不是您上传的图片"),
        (json!([pdf]), "不是您上传的图片"),
        (json!([mine, mine]), "重复"),
        (json!(vec![mine.clone(); 10]), "最多 9 张"),
        (json!(["not-an-id"]), "不正确"),
    ] {
        let r = app
            .put(&photos, Some(&owner.token), json!({ "photo_ids": ids }))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(message(&r).contains(says), "{:?}", r.body);
    }
    assert_eq!(
        ids_of(&base_json(&app, org).await, "photos"),
        Vec::<Value>::new()
    );
    let set = app
        .put(&photos, Some(&owner.token), json!({ "photo_ids": [mine] }))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let base = base_json(&app, org).await;
    assert_eq!(ids_of(&base, "photos"), vec![json!(mine)]);
    assert_eq!(base["photos"][0]["url"], json!(format!("/files/{mine}")));
    assert_eq!(
        base["photos"][0]["thumb_url"],
        json!(format!("/files/{mine}/thumb"))
    );

    // Resources: published ones only, at most thirty.
    let hall = resource(&app, &admin, &admin, "机器人展厅讲解视频", true).await;
    let stars = resource(&app, &admin, &admin, "天文知识图解", true).await;
    let draft = resource(&app, &admin, &admin, "尚未发布的草稿", false).await;
    let linked = format!("/api/v1/bases/{org}/resources");
    for (ids, says) in [
        (json!([hall, draft]), "尚未发布"),
        (json!([hall, 999_999]), "尚未发布"),
        (json!((1..=31).collect::<Vec<i64>>()), "最多 30 个"),
    ] {
        let r = app
            .put(&linked, Some(&owner.token), json!({ "resource_ids": ids }))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(message(&r).contains(says), "{:?}", r.body);
    }
    assert_eq!(
        ids_of(&base_json(&app, org).await, "resources"),
        Vec::<Value>::new()
    );
    let by_stranger = app
        .put(
            &linked,
            Some(&stranger.token),
            json!({ "resource_ids": [hall] }),
        )
        .await;
    assert_eq!(
        by_stranger.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        by_stranger.body
    );
    let set = app
        .put(
            &linked,
            Some(&owner.token),
            json!({ "resource_ids": [stars, hall] }),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let base = base_json(&app, org).await;
    assert_eq!(ids_of(&base, "resources"), vec![json!(stars), json!(hall)]);
    assert_eq!(base["resources"][1]["title"], json!("机器人展厅讲解视频"));
    assert_eq!(base["resources"][1]["kind"]["code"], json!("article"));
    assert_eq!(
        base["resources"][1]["url"],
        json!(format!("/resources/{hall}"))
    );

    // The resource lists the base; a draft's list is not found.
    let using = app
        .get(&format!("/api/v1/resources/{hall}/bases"), None)
        .await;
    assert_eq!(using.status, StatusCode::OK, "{:?}", using.body);
    assert_eq!(using.body[0]["org_id"], json!(org));
    assert_eq!(using.body[0]["name"], json!("邻水县科技馆"));
    assert_eq!(using.body[0]["url"], json!(format!("/bases/{org}")));
    let hidden = app
        .get(&format!("/api/v1/resources/{draft}/bases"), None)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{:?}", hidden.body);

    // The pages show both.
    let (status, html) = app.page(None, None, &format!("/bases/{org}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/files/{mine}\"")), "{html}");
    assert!(
        html.contains(&format!("src=\"/files/{mine}/thumb\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"/resources/{hall}\"")),
        "{html}"
    );
    let (status, html) = app.page(None, None, &format!("/resources/{hall}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("在这些科普共享基地使用"), "{html}");
    assert!(html.contains(&format!("href=\"/bases/{org}\"")), "{html}");

    // The manage page: a new photo after the one kept; a PDF is refused and stores nothing.
    let (status, html) = app
        .page(Some(&owner), None, &format!("/bases/{org}/manage"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"base-photos-form\""), "{html}");
    assert!(html.contains("天文知识图解"), "{html}");
    let form = format!("/bases/{org}/photos");
    let bad = app
        .page_multipart(
            &owner,
            &form,
            &[
                Part::text("keep", &mine),
                Part::file("photos", "指南.pdf", "application/pdf", PDF.to_vec()),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(
        ids_of(&base_json(&app, org).await, "photos"),
        vec![json!(mine)]
    );
    // Someone else's upload cannot be slipped in as a photo "kept".
    let foreign = app
        .page_multipart(
            &owner,
            &form,
            &[
                Part::text("keep", &theirs),
                Part::file("photos", "新展厅.jpg", "image/jpeg", PHOTO.to_vec()),
            ],
        )
        .await;
    assert_eq!(
        foreign.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        foreign.text
    );
    assert!(
        foreign.text.contains("不是您上传的图片"),
        "{}",
        foreign.text
    );
    assert_eq!(
        ids_of(&base_json(&app, org).await, "photos"),
        vec![json!(mine)]
    );
    let sent = app
        .page_multipart(
            &owner,
            &form,
            &[
                Part::text("keep", &mine),
                Part::file("photos", "新展厅.jpg", "image/jpeg", PHOTO.to_vec()),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let now = ids_of(&base_json(&app, org).await, "photos");
    assert_eq!((now.len(), &now[0]), (2, &json!(mine)));

    // The resource form: untick one, add one by id.
    let (status, html) = app
        .page(
            Some(&owner),
            Some(&[("resource", &hall.to_string()), ("ids", "abc")]),
            &format!("/bases/{org}/resources"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("科普资源编号 abc 不正确"), "{html}");
    let (status, _) = app
        .page(
            Some(&owner),
            Some(&[("resource", &hall.to_string()), ("ids", &stars.to_string())]),
            &format!("/bases/{org}/resources"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        ids_of(&base_json(&app, org).await, "resources"),
        vec![json!(hall), json!(stars)]
    );
}
