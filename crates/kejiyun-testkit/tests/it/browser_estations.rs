//! A 科普e站 screen in headless Chromium (SQLite: the player reads the same on every backend).
//! The county admin publishes a picture and a video, registers a screen and gives it a
//! playlist; the screen, opened with its link, plays the picture and then the video. The
//! server stops: the screen plays on from its service worker's Cache (the video's byte ranges
//! cut from the kept file), says it is offline and queues its plays. The server comes back on
//! the same port: the queued plays are reported and proof of play counts them. A bad token
//! stops the screen with the page's message.

use std::time::{Duration, Instant};

use kejiyun_testkit::browser::{self, Browser};
use kejiyun_testkit::{Part, TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, moderate};

/// A 640×400 JPEG the demo ships (made for the project, CC0).
const IMAGE: &[u8] = include_bytes!("../../../kejiyun/demo_media/citrus-pruning.jpg");
/// A 4-second H.264 clip the demo ships (made for the project, CC0).
const VIDEO: &[u8] = include_bytes!("../../../kejiyun/demo_media/hand-washing.mp4");

/// What the player exposes on `#estation-stage` for tests.
#[derive(Debug, Clone, Default)]
struct Stage {
    resource: Option<i64>,
    kind: String,
    played: i64,
    queued: i64,
    online: String,
}

async fn stage(b: &Browser) -> anyhow::Result<Stage> {
    let v = b
        .client
        .execute(
            "const s = document.getElementById('estation-stage'); \
             if (!s) { return null; } \
             return { resource: s.dataset.resourceId || null, kind: s.dataset.kind || '', \
                      played: s.dataset.played || '0', queued: s.dataset.queued || '0', \
                      online: s.dataset.online || '' };",
            vec![],
        )
        .await?;
    let num = |k: &str| v[k].as_str().and_then(|s| s.parse().ok());
    Ok(Stage {
        resource: num("resource"),
        kind: v["kind"].as_str().unwrap_or_default().to_owned(),
        played: num("played").unwrap_or(0),
        queued: num("queued").unwrap_or(0),
        online: v["online"].as_str().unwrap_or_default().to_owned(),
    })
}

/// Polls the stage until `ok` holds, for at most `secs` seconds.
async fn wait_stage(
    b: &Browser,
    secs: u64,
    what: &str,
    ok: impl Fn(&Stage) -> bool,
) -> anyhow::Result<Stage> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = stage(b).await?;
        if ok(&s) {
            return Ok(s);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "waited {secs} s for {what}; the stage: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The paths of the player's Cache (`/files/…`, the page, its script), and whether the
/// service worker controls the page.
async fn cached(b: &Browser) -> anyhow::Result<(Vec<String>, bool)> {
    let v = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             const controlled = !!(navigator.serviceWorker && navigator.serviceWorker.controller); \
             caches.open('kejiyun-estation-v1').then(c => c.keys()) \
               .then(k => done({ paths: k.map(r => new URL(r.url).pathname), controlled })) \
               .catch(e => done({ paths: [], controlled, error: String(e) }));",
            vec![],
        )
        .await?;
    let paths = v["paths"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Ok((paths, v["controlled"].as_bool().unwrap_or(false)))
}

async fn upload(app: &TestApp, who: &TestUser, name: &str, bytes: &[u8]) -> anyhow::Result<String> {
    let part = Part::file("file", name, "application/octet-stream", bytes.to_vec());
    let r = app
        .post_multipart("/api/v1/uploads", Some(&who.token), &[part])
        .await;
    anyhow::ensure!(
        r.status == StatusCode::CREATED,
        "upload {name}: {:?}",
        r.body
    );
    Ok(r.body["id"].as_str().unwrap_or_default().to_owned())
}

/// Creates, submits and approves a resource; its id.
async fn publish(app: &TestApp, admin: &TestUser, body: Value) -> anyhow::Result<i64> {
    let r = app
        .post("/api/v1/resources", Some(&admin.token), body)
        .await;
    anyhow::ensure!(r.status == StatusCode::CREATED, "resource: {:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    let approved = moderate(app, admin, "resource", id, "approve", json!({})).await;
    anyhow::ensure!(
        approved.status == StatusCode::OK,
        "approve: {:?}",
        approved.body
    );
    Ok(id)
}

/// What the admin set up: the screen and its two resources.
struct Screen {
    admin: TestUser,
    id: i64,
    player_url: String,
    image: i64,
    video: i64,
}

async fn set_up(app: &TestApp) -> anyhow::Result<Screen> {
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let jpg = upload(app, &admin, "柑橘修剪.jpg", IMAGE).await?;
    let mp4 = upload(app, &admin, "洗手.mp4", VIDEO).await?;
    let image = publish(
        app,
        &admin,
        json!({
            "kind": "image", "title": "柑橘冬季修剪示意图",
            "summary": "一张图看懂柑橘冬季修剪：先剪病虫枝、枯枝，再疏密，让树冠透光。",
            "category": "fruit", "tags": ["柑橘"], "region": LINSHUI,
            "media_id": jpg, "submit": true,
        }),
    )
    .await?;
    let video = publish(
        app,
        &admin,
        json!({
            "kind": "video", "title": "七步洗手法",
            "summary": "用动画演示七步洗手法，预防肠道传染病，适合村卫生室和学校播放。",
            "category": "medicine", "tags": ["健康"], "region": LINSHUI,
            "media_id": mp4, "submit": true,
        }),
    )
    .await?;
    let r = app
        .post(
            "/api/v1/estations",
            Some(&admin.token),
            json!({"name": "柑子镇文化广场大屏", "place": "柑子镇文化站一楼大厅", "region": LINSHUI}),
        )
        .await;
    anyhow::ensure!(r.status == StatusCode::CREATED, "estation: {:?}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    let token = r.body["token"].as_str().unwrap_or_default();
    let player_url = r.body["player_url"].as_str().unwrap_or_default().to_owned();
    anyhow::ensure!(
        !token.is_empty() && player_url.ends_with(&format!("#token={token}")),
        "the screen's link: {:?}",
        r.body
    );
    let r = app
        .post(
            &format!("/api/v1/estations/{id}/playlists"),
            Some(&admin.token),
            json!({"name": "日常轮播", "windows": "", "items": [
                {"resource_id": image, "seconds": 3},
                {"resource_id": video, "seconds": null},
            ]}),
        )
        .await;
    anyhow::ensure!(r.status == StatusCode::CREATED, "playlist: {:?}", r.body);
    Ok(Screen {
        admin,
        id,
        player_url,
        image,
        video,
    })
}

/// A revoked or mistyped token stops the screen with the page's message.
async fn bad_token(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    b.goto(&app.url("/estation/player#token=kjy_bad")).await?;
    let expected = b
        .wait_for("#estation-stage")
        .await?
        .attr("data-t-bad-token")
        .await?
        .unwrap_or_default();
    anyhow::ensure!(!expected.is_empty(), "the page has no data-t-bad-token");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let msg = b.wait_for("#estation-message").await?;
        let text = msg.text().await?;
        if msg.is_displayed().await? && text.contains(&expected) {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the bad token's message: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let s = stage(b).await?;
    anyhow::ensure!(s.kind.is_empty(), "a bad token plays nothing: {s:?}");
    Ok(())
}

/// Online: the picture, then the video; the token leaves the address bar; every file of the
/// program is in the Cache and the service worker controls the page.
async fn plays_online(app: &TestApp, b: &Browser, screen: &Screen) -> anyhow::Result<Stage> {
    b.goto("about:blank").await?;
    b.goto(&app.url(&screen.player_url)).await?;
    wait_stage(b, 20, "the picture", |s| {
        s.kind == "image" && s.resource == Some(screen.image)
    })
    .await?;
    let url = b.client.current_url().await?;
    anyhow::ensure!(
        url.fragment().is_none(),
        "the token stays in the address bar: {url}"
    );
    wait_stage(b, 15, "the video", |s| {
        s.kind == "video" && s.resource == Some(screen.video)
    })
    .await?;
    let s = wait_stage(b, 30, "a loop played and a heartbeat answered", |s| {
        s.played >= 2 && s.online == "1"
    })
    .await?;
    let files = [
        format!("/files/{}", program_file(app, screen, screen.image).await?),
        format!("/files/{}", program_file(app, screen, screen.video).await?),
    ];
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (paths, controlled) = cached(b).await?;
        if controlled && files.iter().all(|f| paths.contains(f)) {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the Cache holds {paths:?} (controlled: {controlled}), not {files:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(s)
}

/// The upload id behind `resource`'s `url` in the screen's program (as the player gets it).
async fn program_file(app: &TestApp, screen: &Screen, resource: i64) -> anyhow::Result<String> {
    let token = screen
        .player_url
        .rsplit("#token=")
        .next()
        .unwrap_or_default();
    let resp = kejiyun_testkit::client()
        .get(app.url("/api/v1/estation/program"))
        .header("X-Estation-Token", token)
        .send()
        .await?;
    anyhow::ensure!(
        resp.status() == StatusCode::OK,
        "program: {}",
        resp.status()
    );
    let program: Value = resp.json().await?;
    program["playlists"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["items"].as_array().cloned().unwrap_or_default())
        .find(|i| i["resource_id"].as_i64() == Some(resource))
        .and_then(|i| {
            i["url"]
                .as_str()
                .and_then(|u| u.strip_prefix("/files/"))
                .map(str::to_owned)
        })
        .ok_or_else(|| anyhow::anyhow!("resource {resource} not in the program: {program}"))
}

/// Offline: the screen plays on (the video from the Cache), says so and queues its plays.
async fn plays_offline(b: &Browser, screen: &Screen, before: &Stage) -> anyhow::Result<Stage> {
    wait_stage(b, 20, "the video, offline", |s| {
        s.kind == "video" && s.resource == Some(screen.video) && s.played > before.played
    })
    .await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t = b
            .client
            .execute(
                "const v = document.querySelector('#estation-stage video'); \
                 return v ? v.currentTime : -1;",
                vec![],
            )
            .await?;
        let t = t.as_f64().unwrap_or(-1.0);
        if t > 1.0 {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "offline, the video does not play (currentTime {t})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let s = wait_stage(b, 45, "offline plays queued", |s| {
        s.online == "0" && s.queued > 0 && s.played >= before.played + 3
    })
    .await?;
    let status = b.wait_for("#estation-message").await?;
    let offline = b
        .wait_for("#estation-stage")
        .await?
        .attr("data-t-offline")
        .await?
        .unwrap_or_default();
    let shown = status.text().await?;
    anyhow::ensure!(
        status.is_displayed().await? && shown.contains(&offline),
        "offline, the status line reads {shown:?}"
    );
    Ok(s)
}

/// Back online: the queue is sent and proof of play counts every play made offline.
async fn reported(
    app: &TestApp,
    b: &Browser,
    screen: &Screen,
    offline: &Stage,
) -> anyhow::Result<()> {
    let s = wait_stage(b, 45, "the queued plays sent", |s| {
        s.online == "1" && s.played - s.queued >= offline.played
    })
    .await?;
    let status = b.wait_for("#estation-message").await?;
    anyhow::ensure!(
        !status.is_displayed().await?,
        "back online, the status line still reads {:?}",
        status.text().await?
    );
    let today = app.services().now().shanghai_date();
    let from = today - chrono::Duration::days(1);
    let r = app
        .get(
            &format!(
                "/api/v1/estations/{}/plays?from={from}&to={today}",
                screen.id
            ),
            Some(&screen.admin.token),
        )
        .await;
    anyhow::ensure!(r.status == StatusCode::OK, "plays: {:?}", r.body);
    let days = r.body["days"].as_array().cloned().unwrap_or_default();
    let plays_of = |id: i64| -> i64 {
        days.iter()
            .filter(|d| d["resource_id"].as_i64() == Some(id))
            .map(|d| d["plays"].as_i64().unwrap_or(0))
            .sum()
    };
    let (image, video) = (plays_of(screen.image), plays_of(screen.video));
    anyhow::ensure!(
        image >= 2 && video >= 2,
        "plays of the picture {image}, of the video {video}: {:?}",
        r.body
    );
    anyhow::ensure!(
        image + video >= s.played - s.queued,
        "{} plays recorded, the screen finished {} and holds {}: {:?}",
        image + video,
        s.played,
        s.queued,
        r.body
    );
    Ok(())
}

/// Prints the page and closes the browser after `e` (the caller cleans up and panics).
async fn fail(b: Browser, e: anyhow::Error) -> anyhow::Error {
    b.print_page(4000).await;
    b.close().await;
    e
}

#[tokio::test]
async fn a_screen_plays_on_through_an_outage_and_reports_its_plays_in_chromium() {
    if browser::skipped() {
        eprintln!("browser tests skipped (KEJIYUN_BROWSER_TESTS=skip)");
        return;
    }
    let app = TestApp::spawn().await;
    let b = Browser::start().await.unwrap_or_else(|e| panic!("{e:#}"));
    let online = async {
        b.desktop_size().await?;
        let screen = set_up(&app).await?;
        bad_token(&app, &b).await?;
        let s = plays_online(&app, &b, &screen).await?;
        anyhow::Ok((screen, s))
    }
    .await;
    let (screen, before) = match online {
        Ok(v) => v,
        Err(e) => {
            app.stop().await;
            panic!("browser estations: {:#}", fail(b, e).await)
        }
    };
    let stopped = app.stop_server().await;
    let offline = match plays_offline(&b, &screen, &before).await {
        Ok(s) => s,
        Err(e) => {
            stopped.cleanup().await;
            panic!("browser estations, offline: {:#}", fail(b, e).await)
        }
    };
    let app = stopped.start_again().await;
    if let Err(e) = reported(&app, &b, &screen, &offline).await {
        app.stop().await;
        panic!("browser estations, back online: {:#}", fail(b, e).await)
    }
    b.close().await;
    app.stop().await;
}
