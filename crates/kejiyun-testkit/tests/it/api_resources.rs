//! Popular-science resources (科普资源) through HTTP: the county admin uploads a video and
//! publishes it and an article, moderation publishes them, readers' views are counted once
//! per visitor and written within about a second, and the figures `resources` /
//! `resource_views` follow exactly. Bad input (a foreign or wrong-kind file, an unknown kind,
//! a farmer without standing) is a Chinese 4xx that stores nothing.

use kejiyun_testkit::{Part, TestApp, TestUser};
use reqwest::StatusCode;
use reqwest::header::RANGE;
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, assert_figures_exact, cast, items, moderate};
use crate::api_search::{eventually, of, poll, q};

/// A 4-second H.264 clip the demo ships (made for the project, CC0).
const VIDEO: &[u8] = include_bytes!("../../../kejiyun/demo_media/hand-washing.mp4");
/// An MP3 the demo ships.
const AUDIO: &[u8] = include_bytes!("../../../kejiyun/demo_media/pig-fever.mp3");

pub async fn upload(app: &TestApp, who: &TestUser, name: &str, bytes: &[u8]) -> String {
    let part = Part::file("file", name, "application/octet-stream", bytes.to_vec());
    let r = app
        .post_multipart("/api/v1/uploads", Some(&who.token), &[part])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

pub fn video_body(media: &str) -> Value {
    json!({
        "kind": "video",
        "title": "七步洗手法",
        "summary": "用动画演示七步洗手法，预防肠道传染病，适合村卫生室和学校播放。",
        "category": "medicine",
        "tags": ["健康", "洗手"],
        "region": LINSHUI,
        "media_id": media,
        "submit": true,
    })
}

pub fn article_body() -> Value {
    json!({
        "kind": "article",
        "title": "柑橘冬季修剪要点",
        "summary": "冬季修剪时间、方法和注意事项，适合果农阅读。",
        "body": "<h2>什么时候剪</h2><p>采果后到春芽萌动前。</p><script>alert(1)</script><p onclick=\"x()\">先剪病虫枝、枯枝，再疏密。</p>",
        "category": "fruit",
        "region": LINSHUI,
        "submit": true,
    })
}

async fn figures(app: &TestApp) -> (i64, i64) {
    let s = app
        .get(&format!("/api/v1/stats?region={LINSHUI}"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    (
        s.body["metrics"]["resources"].as_i64().unwrap_or(-1),
        s.body["metrics"]["resource_views"].as_i64().unwrap_or(-1),
    )
}

#[tokio::test]
async fn publish_read_and_count_views_with_exact_figures() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let video = upload(&app, &c.admin, "洗手.mp4", VIDEO).await;
    let audio = upload(&app, &c.admin, "猪瘟.mp3", AUDIO).await;
    let farmers = upload(&app, &c.farmer, "farmer.mp4", VIDEO).await;

    // Bad input: refused in Chinese, nothing stored.
    let r = app
        .post(
            "/api/v1/resources",
            Some(&c.farmer.token),
            video_body(&farmers),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a farmer: {:?}", r.body);
    let r = app
        .post(
            "/api/v1/resources",
            Some(&c.admin.token),
            video_body(&farmers),
        )
        .await;
    r.assert_invalid_field("media");
    let mut wrong_kind = video_body(&audio);
    wrong_kind["kind"] = json!("video");
    let r = app
        .post("/api/v1/resources", Some(&c.admin.token), wrong_kind)
        .await;
    r.assert_invalid_field("media");
    let mut no_file = video_body(&video);
    no_file["media_id"] = Value::Null;
    app.post("/api/v1/resources", Some(&c.admin.token), no_file)
        .await
        .assert_invalid_field("media");
    let mut flash = video_body(&video);
    flash["kind"] = json!("flash");
    app.post("/api/v1/resources", Some(&c.admin.token), flash)
        .await
        .assert_invalid_field("kind");
    let mine = app
        .get("/api/v1/resources?mine=true", Some(&c.admin.token))
        .await;
    assert_eq!(mine.body["total"], 0, "nothing stored: {:?}", mine.body);

    // Published through the queue.
    let mut ids = Vec::new();
    for body in [video_body(&video), article_body()] {
        let r = app
            .post("/api/v1/resources", Some(&c.admin.token), body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_i64().unwrap_or_default();
        let approved = moderate(&app, &c.admin, "resource", id, "approve", json!({})).await;
        assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
        ids.push(id);
    }
    let (video_id, article_id) = (ids[0], ids[1]);
    assert_eq!(figures(&app).await, (2, 0));

    // Searchable from the one search box, with its own filter; the article's text counts.
    let found = eventually(
        &app.url(""),
        &format!("{}&type=resource", q("洗手")),
        |r| r["total"].as_u64() == Some(1),
    )
    .await;
    assert_eq!(of(&found, "resource"), vec![video_id]);
    let found = eventually(
        &app.url(""),
        &format!("{}&type=resource", q("病虫枝")),
        |r| r["total"].as_u64() == Some(1),
    )
    .await;
    assert_eq!(of(&found, "resource"), vec![article_id]);

    let list = app.get("/api/v1/resources?kind=video", None).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["total"], 1);
    assert_eq!(items(&list.body)[0]["resource_kind"]["code"], "video");
    app.get("/api/v1/resources?sort=random", None)
        .await
        .assert_invalid_field("sort");

    // The article is stored sanitized.
    let a = app
        .get(&format!("/api/v1/resources/{article_id}"), None)
        .await;
    let body = a.body["body"].as_str().unwrap_or_default();
    assert!(body.contains("<h2>什么时候剪</h2>"), "{body}");
    assert!(
        !body.contains("script") && !body.contains("onclick"),
        "{body}"
    );

    // The video is served with byte ranges (a player can seek).
    let v = app
        .get(&format!("/api/v1/resources/{video_id}"), None)
        .await;
    let url = v.body["media"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(v.body["media"]["mime"], "video/mp4", "{:?}", v.body);
    let ranged = kejiyun_testkit::client()
        .get(app.url(&url))
        .header(RANGE, "bytes=0-99")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);

    // Views: the anonymous client read the video twice (one view) and the article once; the
    // farmer reads the video once more.
    app.get(&format!("/api/v1/resources/{video_id}"), None)
        .await;
    app.get(
        &format!("/api/v1/resources/{video_id}"),
        Some(&c.farmer.token),
    )
    .await;
    let counted = poll(
        "resource views written",
        || async {
            let r = app.get("/api/v1/resources?sort=views", None).await;
            r.body
        },
        |r| {
            let views: Vec<i64> = items(r)
                .iter()
                .map(|x| x["views"].as_i64().unwrap_or(0))
                .collect();
            views == vec![2, 1]
        },
    )
    .await;
    assert_eq!(items(&counted)[0]["id"], video_id, "most viewed first");
    assert_eq!(figures(&app).await, (2, 3));
    let records = app
        .get(
            &format!("/api/v1/stats/records?metric=resource_views&region={LINSHUI}"),
            None,
        )
        .await;
    assert_eq!(records.status, StatusCode::OK, "{:?}", records.body);
    assert_figures_exact(&app, "after views").await;
}

/// Views counted just before the server stops are written by its last flush: none is lost to
/// a graceful stop, and they are there after a restart.
#[tokio::test]
async fn a_stopping_server_writes_the_views_it_counted() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let mut body = article_body();
    body["title"] = json!("生猪发热先隔离");
    let r = app
        .post("/api/v1/resources", Some(&c.admin.token), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    let approved = moderate(&app, &c.admin, "resource", id, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    let path = format!("/api/v1/resources/{id}");
    app.get(&path, Some(&c.farmer.token)).await;
    app.get(&path, Some(&c.expert.token)).await;
    app.get(&path, None).await;
    let app = app.restart().await;
    let read = app.get(&path, None).await;
    assert_eq!(read.body["views"], 3, "{:?}", read.body);
    assert_figures_exact(&app, "after a restart").await;
}
