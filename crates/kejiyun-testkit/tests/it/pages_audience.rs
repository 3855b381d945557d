//! Each audience finds its work: the home page of the visitor's region (the switcher), the
//! admin's 工作台 and the notice of new queue items, the expert's profile with their services
//! and 咨询, the provider linked from a service, and the need's owner led to the quotes.

use kejiyun_testkit::{CSRF, TestApp, client};
use reqwest::StatusCode;

use crate::api_market_support::LINSHUI;
use crate::snapshot_api::{Recorder, world};

/// The first `href="PREFIX…"` in `html`, up to the closing quote.
fn first_href<'a>(html: &'a str, prefix: &str) -> Option<&'a str> {
    let start = html.find(&format!("href=\"{prefix}"))? + "href=\"".len();
    let len = html[start..].find('"')?;
    Some(&html[start..start + len])
}

#[tokio::test]
async fn every_audience_finds_its_work() {
    let app = TestApp::spawn().await;
    let w = world(&Recorder {
        app: &app,
        record: false,
    })
    .await;

    // A visitor sees the deployment's root; choosing 邻水县 is remembered for a year and home
    // then shows the county's needs, services and figures first.
    let (_, home) = app.page(None, None, "/").await;
    assert!(home.contains("id=\"home-region\">四川省<"), "{home}");
    let chosen = client()
        .post(app.url("/my-region"))
        .header("cookie", format!("kjy_csrf={CSRF}"))
        .form(&[("csrf_token", CSRF), ("code", LINSHUI)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    let cookie = chosen
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("kjy_region=511623;") && cookie.contains("Max-Age=31536000"));
    let home = client()
        .get(app.url("/"))
        .header("cookie", "kjy_region=511623")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(home.contains("id=\"home-region\">邻水县<"));
    assert!(home.contains("class=\"region-switch\" href=\"/regions/511623\""));
    assert!(
        home.contains(&format!("href=\"/needs/{}\"", w.need)),
        "latest needs"
    );
    assert!(home.contains(&format!("href=\"/services/{}\"", w.service)));
    assert!(home.contains("href=\"/stats/511623/records?metric=deals\""));
    // A code outside the deployment is refused with a message, not remembered.
    let (status, _) = app
        .page(None, Some(&[("code", "110101")]), "/my-region")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A farmer who gave a region at registration sees it without choosing.
    let (_, home) = app.page(Some(&w.farmer), None, "/").await;
    assert!(home.contains("id=\"home-region\">邻水县<"));

    // The admin's 工作台 counts what waits (the applicant's profile and organization), and the
    // admin was told of each new queue item through the inbox.
    let (_, desk) = app.page(Some(&w.admin), None, "/admin").await;
    assert!(desk.contains("id=\"wb-pending-tech_worker\" href=\"/admin?kind=tech_worker#queue\"><span class=\"wb-count\">1<"), "{desk}");
    assert!(desk.contains(
        "id=\"wb-pending-org\" href=\"/admin?kind=org#queue\"><span class=\"wb-count\">1<"
    ));
    assert!(desk.contains("id=\"wb-tickets\""));
    let inbox = app
        .get("/api/v1/notifications?per_page=100", Some(&w.admin.token))
        .await;
    let kinds: Vec<&str> = inbox.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"pending_review"), "{kinds:?}");
    // Nobody else hears of it.
    let inbox = app
        .get("/api/v1/notifications?per_page=100", Some(&w.farmer.token))
        .await;
    assert!(!inbox.text.contains("pending_review"));

    // The service page links its provider's profile, which lists their services and leads
    // 咨询 to a service's inquiry form.
    let (_, service) = app
        .page(None, None, &format!("/services/{}", w.service))
        .await;
    let profile = first_href(&service, "/tech-workers/")
        .unwrap_or_else(|| panic!("no provider link: {service}"))
        .to_owned();
    let (status, profile) = app.page(None, None, &profile).await;
    assert_eq!(status, StatusCode::OK);
    assert!(profile.contains(&format!("href=\"/services/{}\"", w.service)));
    assert!(
        profile.contains("id=\"consult\" href=\"/services/") && profile.contains("#inquire\""),
        "{profile}"
    );
    assert!(service.contains("id=\"inquire\"") || service.contains("/login?next="));
    // An organization's page has its shelf too (none offered yet: the way to post a need).
    let (_, org) = app.page(None, None, &format!("/orgs/{}", w.org)).await;
    assert!(org.contains("id=\"consult-need\""));

    // A provider's own page leads with the open needs their services match.
    let (_, mine) = app.page(Some(&w.expert), None, "/me/postings").await;
    let section = mine
        .find("id=\"matching-needs\"")
        .unwrap_or_else(|| panic!("{mine}"));
    assert!(mine[section..].contains(&format!("href=\"/needs/{}\"", w.need)));

    // The need's owner is led to the quotes: they come before the management box, and the
    // need's details fold away.
    let (_, need) = app
        .page(Some(&w.farmer), None, &format!("/needs/{}", w.need))
        .await;
    let quotes = need.find("id=\"quotes\"").unwrap_or(usize::MAX);
    let owner_box = need.find("class=\"card owner-box\"").unwrap_or(0);
    assert!(quotes < owner_box, "quotes first");
    assert!(need.contains("<details class=\"need-details\">"));
    app.stop().await;
}

/// The big screen's boundary map comes only from the operator, with its 审图号.
#[tokio::test]
async fn the_big_screen_map_is_the_operators_reviewed_file() {
    let app = TestApp::spawn().await;
    let (status, _) = app.page(None, None, "/stats/maps/511600.geojson").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, screen) = app.page(None, None, "/stats/511600/screen").await;
    assert!(!screen.contains("data-map="));
    let maps = app.data_dir.path().join("maps");
    std::fs::create_dir_all(&maps).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        maps.join("511600.geojson"),
        r#"{"type":"FeatureCollection","features":[]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (status, _) = app.page(None, None, "/stats/maps/511600.geojson").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no 审图号, no map");
    std::fs::write(maps.join("511600.txt"), "川S【2099】1号\n").unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = app.page(None, None, "/stats/maps/511600.geojson").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("FeatureCollection"));
    let (_, screen) = app.page(None, None, "/stats/511600/screen").await;
    assert!(screen.contains("data-map=\"/stats/maps/511600.geojson\""));
    assert!(screen.contains("审图号：川S【2099】1号"));
    let (status, _) = app
        .page(None, None, "/stats/maps/..%2F511600.geojson")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}
