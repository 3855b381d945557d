//! 科普e站 screens through HTTP: a county admin registers a screen (the token shown once, only
//! its hash kept), sets a county playlist and the screen's own windowed one, and the player's
//! program follows (its own first within its window, the county's otherwise; an emergency over
//! everything; a withdrawn resource drops out); heartbeats carry plays that count once however
//! often they are sent, and proof of play sums them per day and item; a revoked token is a 401
//! in Chinese. Another county's admin and a farmer are refused; bad input stores nothing; a
//! duration written `8.0` is the integer 8 (JSON Schema counts it so).

use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, cast, moderate};
use crate::api_resources::{article_body, upload, video_body};

const IMAGE: &[u8] = include_bytes!("../../../kejiyun/demo_media/citrus-pruning.jpg");
const VIDEO: &[u8] = include_bytes!("../../../kejiyun/demo_media/hand-washing.mp4");

/// A player's request: the token in `X-Estation-Token`.
pub async fn player(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    etag: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let mut req = reqwest::Client::new()
        .request(method, app.url(path))
        .header("x-estation-token", token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    if let Some(e) = etag {
        req = req.header(IF_NONE_MATCH, e);
    }
    let res = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = res.status();
    let etag = res
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    (status, body, etag)
}

/// A published resource of the admin's; its id.
pub async fn published(app: &TestApp, admin: &TestUser, body: Value) -> i64 {
    let r = app
        .post("/api/v1/resources", Some(&admin.token), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    let ok = moderate(app, admin, "resource", id, "approve", json!({})).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    id
}

pub async fn image_resource(app: &TestApp, admin: &TestUser) -> i64 {
    let media = upload(app, admin, "柑橘.jpg", IMAGE).await;
    published(
        app,
        admin,
        json!({
            "kind": "image", "title": "柑橘修剪示意图",
            "summary": "冬季修剪前后对比，一图看懂疏枝和短截。",
            "category": "fruit", "region": LINSHUI, "media_id": media, "submit": true,
        }),
    )
    .await
}

pub async fn video_resource(app: &TestApp, admin: &TestUser) -> i64 {
    let media = upload(app, admin, "洗手.mp4", VIDEO).await;
    published(app, admin, video_body(&media)).await
}

fn item_ids(playlist: &Value) -> Vec<i64> {
    playlist["items"]
        .as_array()
        .map(|v| v.iter().filter_map(|i| i["resource_id"].as_i64()).collect())
        .unwrap_or_default()
}

/// Beijing "HH:MM" `minutes` from the server's now.
fn beijing_hhmm(app: &TestApp, minutes: i64) -> String {
    (app.services().now().to_utc()
        + chrono::Duration::hours(8)
        + chrono::Duration::minutes(minutes))
    .format("%H:%M")
    .to_string()
}

#[tokio::test]
async fn register_program_heartbeats_and_proof_of_play() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let other_admin = app.admin("region_admin", Some("511602")).await;
    let image = image_resource(&app, &c.admin).await;
    let video = video_resource(&app, &c.admin).await;
    let article = published(&app, &c.admin, article_body()).await;

    // Registration: only the region's admins; the token once.
    let screen =
        json!({"name": "柑子镇科普e站", "place": "柑子镇文化站一楼大厅", "region": LINSHUI});
    let r = app
        .post("/api/v1/estations", Some(&c.farmer.token), screen.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/estations",
            Some(&other_admin.token),
            screen.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let mut bad = screen.clone();
    bad["name"] = json!("");
    app.post("/api/v1/estations", Some(&c.admin.token), bad)
        .await
        .assert_invalid_field("name");
    let r = app
        .post("/api/v1/estations", Some(&c.admin.token), screen.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    let token = r.body["token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        r.body["player_url"],
        format!("/estation/player#token={token}")
    );
    let r = app
        .post("/api/v1/estations", Some(&c.admin.token), screen)
        .await;
    let second = r.body["id"].as_i64().unwrap_or_default();
    let listed = app.get("/api/v1/estations", Some(&c.admin.token)).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(2));
    assert_eq!(listed.body[0]["online"], false);
    assert!(
        !listed.text.contains(&token),
        "the token is never shown again"
    );
    let r = app
        .get(&format!("/api/v1/estations/{id}"), Some(&other_admin.token))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    // A bad token: 401 in Chinese.
    let (status, body, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        "kjy_nope",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "estation_token_invalid");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("令牌")
    );

    // No playlist yet: an empty program.
    let (status, body, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    assert_eq!(body["playlists"], json!([]));
    assert_eq!(body["estation"]["id"], id);

    // A county playlist, and the screen's own for the coming hour.
    let county = json!({"name": "冬季农技", "items": [
        {"resource_id": image, "seconds": 8.0}, {"resource_id": video, "seconds": null},
        {"resource_id": article}]});
    let r = app
        .post(
            &format!("/api/v1/regions/{LINSHUI}/playlists"),
            Some(&other_admin.token),
            county.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let mut unpublished = county.clone();
    unpublished["items"][0]["resource_id"] = json!(999_999);
    app.post(
        &format!("/api/v1/regions/{LINSHUI}/playlists"),
        Some(&c.admin.token),
        unpublished,
    )
    .await
    .assert_invalid_field("items");
    let mut bad_window = county.clone();
    bad_window["windows"] = json!("早上八点");
    app.post(
        &format!("/api/v1/regions/{LINSHUI}/playlists"),
        Some(&c.admin.token),
        bad_window,
    )
    .await
    .assert_invalid_field("windows");
    let r = app
        .post(
            &format!("/api/v1/regions/{LINSHUI}/playlists"),
            Some(&c.admin.token),
            county,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let county_list = r.body["id"].as_i64().unwrap_or_default();
    let window = format!("{}-{}", beijing_hhmm(&app, -5), beijing_hhmm(&app, 55));
    let r = app
        .post(
            &format!("/api/v1/estations/{id}/playlists"),
            Some(&c.admin.token),
            json!({"name": "晚间", "windows": window, "items": [{"resource_id": video, "seconds": 30}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let (_, program, etag) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        None,
    )
    .await;
    let lists = program["playlists"].as_array().cloned().unwrap_or_default();
    assert_eq!(lists.len(), 2, "{program:?}");
    assert_eq!(item_ids(&lists[0]), vec![video], "its own first");
    assert_eq!(lists[0]["windows"][0]["start"], beijing_hhmm(&app, -5));
    assert_eq!(item_ids(&lists[1]), vec![image, video, article]);
    let items = &lists[1]["items"];
    assert_eq!(items[0]["kind"], "image");
    assert_eq!(items[0]["seconds"], 8);
    assert!(
        items[0]["url"]
            .as_str()
            .unwrap_or_default()
            .starts_with("/files/")
    );
    assert_eq!(items[1]["seconds"], Value::Null, "a video plays to its end");
    assert_eq!(items[2]["seconds"], 15, "the default for an article");
    let html = items[2]["html"].as_str().unwrap_or_default();
    assert!(
        html.contains("病虫枝") && !html.contains("<script"),
        "{html}"
    );
    assert_eq!(
        etag.as_deref(),
        Some(format!("\"{}\"", program["version"].as_str().unwrap_or_default()).as_str())
    );
    let (status, _, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        etag.as_deref(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    // The other screen has only the county's.
    let second_token = app
        .post(
            &format!("/api/v1/estations/{second}/token"),
            Some(&c.admin.token),
            json!({}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, p2, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &second_token,
        None,
        None,
    )
    .await;
    assert_eq!(p2["playlists"].as_array().map(Vec::len), Some(1));

    // An edit changes the version; a withdrawn resource drops out.
    let r = app
        .put(
            &format!("/api/v1/playlists/{county_list}"),
            Some(&c.admin.token),
            json!({"name": "冬季农技", "items": [{"resource_id": image}, {"resource_id": article, "seconds": 20}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["region"], LINSHUI);
    let closed = app
        .post(
            &format!("/api/v1/resources/{article}/close"),
            Some(&c.admin.token),
            json!({"reason": "withdrawn"}),
        )
        .await;
    assert!(closed.status.is_success(), "{:?}", closed.body);
    let (status, p, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        etag.as_deref(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item_ids(&p["playlists"][1]), vec![image]);

    // An emergency over everything, on this county's screens only.
    let r = app
        .post(
            "/api/v1/emergencies",
            Some(&other_admin.token),
            json!({"region": LINSHUI, "resource_id": video}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/emergencies",
            Some(&c.admin.token),
            json!({"region": LINSHUI, "resource_id": video, "until": "2020-01-01 08:00"}),
        )
        .await;
    r.assert_invalid_field("until");
    let r = app
        .post(
            "/api/v1/emergencies",
            Some(&c.admin.token),
            json!({"region": LINSHUI, "resource_id": video}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let emergency = r.body["id"].as_i64().unwrap_or_default();
    let (_, p, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(p["emergency"]["item"]["resource_id"], video);
    let r = app
        .post(
            &format!("/api/v1/emergencies/{emergency}/cancel"),
            Some(&c.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .post(
            &format!("/api/v1/emergencies/{emergency}/cancel"),
            Some(&c.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    let (_, p, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(p["emergency"], Value::Null);

    // Heartbeats with plays: sent twice, counted once; a broken one is dropped, not fatal.
    let now = app.services().now().to_utc();
    let at = |s: i64| (now - chrono::Duration::seconds(s)).to_rfc3339();
    let plays = json!([
        {"id": "play-0001-aaaa", "resource_id": image, "started_at": at(60), "seconds": 8.0},
        {"id": "play-0002-bbbb", "resource_id": video, "started_at": at(50), "seconds": 4.5},
        {"id": "play-0003-cccc", "resource_id": image, "started_at": at(40), "seconds": 8.0},
    ]);
    let beat = json!({"now_playing": image, "plays": plays});
    let (status, body, _) = player(
        &app,
        reqwest::Method::POST,
        "/api/v1/estation/heartbeat",
        &token,
        Some(beat.clone()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    assert_eq!(body, json!({"recorded": 3, "rejected": 0}));
    let mut again = beat.clone();
    if let Some(v) = again["plays"].as_array_mut() {
        v.push(json!({"id": "x", "resource_id": image, "started_at": at(1), "seconds": 1.0}));
    }
    let (_, body, _) = player(
        &app,
        reqwest::Method::POST,
        "/api/v1/estation/heartbeat",
        &token,
        Some(again),
        None,
    )
    .await;
    assert_eq!(body, json!({"recorded": 0, "rejected": 1}));
    let screen = app
        .get(&format!("/api/v1/estations/{id}"), Some(&c.admin.token))
        .await;
    assert_eq!(screen.body["online"], true, "{:?}", screen.body);
    assert_eq!(screen.body["now_playing_id"], image);
    assert_eq!(screen.body["now_playing_title"], "柑橘修剪示意图");

    let plays = app
        .get(
            &format!("/api/v1/estations/{id}/plays"),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(plays.status, StatusCode::OK, "{:?}", plays.body);
    let days = plays.body["days"].as_array().cloned().unwrap_or_default();
    let of = |r: i64| {
        days.iter()
            .find(|d| d["resource_id"] == r)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(of(image)["plays"], 2);
    assert_eq!(of(image)["seconds"], 16);
    assert_eq!(of(video)["plays"], 1);
    assert_eq!(of(video)["seconds"], 4);
    let r = app
        .get(
            &format!("/api/v1/estations/{id}/plays?from=2026-13-01"),
            Some(&c.admin.token),
        )
        .await;
    r.assert_invalid_field("from");

    // The resource page's API names the screens that play it.
    let on = app
        .get(&format!("/api/v1/resources/{image}/estations"), None)
        .await;
    assert_eq!(on.status, StatusCode::OK, "{:?}", on.body);
    assert_eq!(on.body.as_array().map(Vec::len), Some(2), "{:?}", on.body);

    // Revoked: the player is refused; a new token works.
    let r = app
        .send_with(
            &kejiyun_testkit::client(),
            reqwest::Method::DELETE,
            &format!("/api/v1/estations/{id}/token"),
            Some(&c.admin.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let (status, _, _) = player(
        &app,
        reqwest::Method::POST,
        "/api/v1/estation/heartbeat",
        &token,
        Some(beat),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let listed = app.get("/api/v1/estations", Some(&c.admin.token)).await;
    assert!(
        listed
            .body
            .as_array()
            .is_some_and(|v| v.iter().any(|e| e["id"] == id && e["has_token"] == false))
    );
}
