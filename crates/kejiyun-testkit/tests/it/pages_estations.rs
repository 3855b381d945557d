//! The 科普e站 pages as a county admin uses them: the status page registers a screen from its
//! form and shows the player link once; the screen's page makes a playlist from the form (two
//! items in order, one with a duration, blank rows ignored) and shows proof of play; a bad
//! window goes back to the form in Chinese with nothing stored; an emergency starts and ends
//! from the forms; a farmer is refused; the player page and its service worker are served
//! without login, the worker with the scope it needs.

use kejiyun_testkit::{TestApp, client};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_estations::{image_resource, player, video_resource};
use crate::api_market_support::{LINSHUI, cast};

#[tokio::test]
async fn screens_playlists_and_emergencies_from_the_pages() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let image = image_resource(&app, &c.admin).await.to_string();
    let video = video_resource(&app, &c.admin).await.to_string();

    let (status, _) = app.page(Some(&c.farmer), None, "/estations").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = app.page(Some(&c.admin), None, "/estations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"estation-register\""), "{html}");
    assert!(html.contains("还没有登记屏幕"));

    let (status, html) = app
        .page(
            Some(&c.admin),
            Some(&[
                ("name", "柑子镇科普e站"),
                ("place", "柑子镇文化站"),
                ("region", LINSHUI),
            ]),
            "/estations",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token: String = html
        .split("id=\"estation-token\">")
        .nth(1)
        .map(|rest| rest.chars().take_while(|c| *c != '<').collect())
        .unwrap_or_default();
    assert!(token.starts_with("kjy_"), "{html}");
    assert!(html.contains(&format!("/estation/player#token={token}")));
    let listed = app.get("/api/v1/estations", Some(&c.admin.token)).await;
    let id = listed.body[0]["id"].as_i64().unwrap_or_default();
    let (_, html) = app.page(Some(&c.admin), None, "/estations").await;
    assert!(html.contains("柑子镇科普e站") && !html.contains(&token));

    // A playlist of the screen's own from the form; a bad window stores nothing.
    let (status, html) = app
        .page(
            Some(&c.admin),
            None,
            &format!("/estations/playlists/new?estation={id}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("柑橘修剪示意图"),
        "the resources to choose from"
    );
    let target = id.to_string();
    let form = |windows: &'static str| {
        vec![
            ("target_kind", "estation".to_owned()),
            ("target_value", target.clone()),
            ("name", "文化站白天".to_owned()),
            ("windows", windows.to_owned()),
            ("resource", video.clone()),
            ("seconds", String::new()),
            ("resource", String::new()),
            ("seconds", String::new()),
            ("resource", image.clone()),
            ("seconds", "9".to_owned()),
        ]
    };
    let bad = form("早上");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = app
        .page(Some(&c.admin), Some(&bad), "/estations/playlists")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("播放时段格式"), "{html}");
    let lists = app
        .get(
            &format!("/api/v1/estations/{id}/playlists"),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(lists.body, json!([]));
    let good = form("08:00-18:00");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = app
        .page(Some(&c.admin), Some(&good), "/estations/playlists")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let lists = app
        .get(
            &format!("/api/v1/estations/{id}/playlists"),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(lists.body[0]["windows"], json!(["08:00-18:00"]));
    assert_eq!(lists.body[0]["items"][0]["resource_id"].to_string(), video);
    assert_eq!(lists.body[0]["items"][0]["seconds"], json!(null));
    assert_eq!(lists.body[0]["items"][1]["resource_id"].to_string(), image);
    assert_eq!(lists.body[0]["items"][1]["seconds"], 9);
    let (status, html) = app
        .page(Some(&c.admin), None, &format!("/estations/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("文化站白天") && html.contains("这段时间没有播放记录"));

    // Plays show on the screen's page.
    let at = app.services().now().to_utc().to_rfc3339();
    let beat = json!({"now_playing": null, "plays": [
        {"id": "page-play-0001", "resource_id": image.parse::<i64>().unwrap_or(0), "started_at": at, "seconds": 9.0}]});
    let (status, _, _) = player(
        &app,
        reqwest::Method::POST,
        "/api/v1/estation/heartbeat",
        &token,
        Some(beat),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, html) = app
        .page(Some(&c.admin), None, &format!("/estations/{id}"))
        .await;
    assert!(html.contains("id=\"total-plays\">1<"), "{html}");
    assert!(html.contains("在线"));

    // An emergency from the form, ended from its button.
    let (status, _) = app
        .page(
            Some(&c.admin),
            Some(&[("region", LINSHUI), ("resource", &video), ("until", "")]),
            "/estations/emergencies",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, program, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(
        program["emergency"]["item"]["resource_id"].to_string(),
        video
    );
    let emergencies = app.get("/api/v1/emergencies", Some(&c.admin.token)).await;
    let e = emergencies.body[0]["id"].as_i64().unwrap_or_default();
    let (status, _) = app
        .page(
            Some(&c.admin),
            Some(&[]),
            &format!("/estations/emergencies/{e}/cancel"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The resource page names the screen.
    let (_, html) = app.page(None, None, &format!("/resources/{image}")).await;
    assert!(
        html.contains("在这些科普e站播放") && html.contains("柑子镇科普e站"),
        "{html}"
    );

    // Revoked from the page: the player is refused.
    let (status, _) = app
        .page(
            Some(&c.admin),
            Some(&[]),
            &format!("/estations/{id}/revoke"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = player(
        &app,
        reqwest::Method::GET,
        "/api/v1/estation/program",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The player and its worker, without login.
    let r = client().get(app.url("/estation/player")).send().await;
    let html = match r {
        Ok(r) => {
            assert_eq!(r.status(), StatusCode::OK);
            r.text().await.unwrap_or_default()
        }
        Err(e) => panic!("{e}"),
    };
    assert!(html.contains("data-program=\"/api/v1/estation/program\""));
    let sw = client()
        .get(app.url("/estation/sw.js"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sw.status(), StatusCode::OK);
    let ct = sw.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(ct.starts_with("text/javascript"), "{ct}");
}
