//! Trainings (培训) through HTTP on the real server: the county admin holds a training with two
//! sessions, users enrol up to the capacity, the organizer ticks the roll, an attendee checks
//! in with the rotating code from the organizer's screen — and the figures `trainings` /
//! `training_attendance` (person-times) follow exactly, with the records behind them. Bad
//! input is a Chinese 4xx that stores nothing; a county admin acts in their county only.

use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, YUECHI};

fn training_body(title: &str, capacity: u32) -> Value {
    json!({
        "kind": "practical_tech",
        "title": title,
        "region": LINSHUI,
        "place": "邻水县农业农村局三楼会议室",
        "capacity": capacity,
        "audience": "柑橘种植户",
        "sessions": [
            {"starts_at": "2026-06-10 09:00", "ends_at": "2026-06-10 12:00"},
            {"starts_at": "2026-06-11T06:00:00Z", "ends_at": "2026-06-11T09:00:00Z"},
        ],
    })
}

async fn figures(app: &TestApp) -> (i64, i64) {
    let s = app
        .get(&format!("/api/v1/stats?region={LINSHUI}"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    (
        s.body["metrics"]["trainings"].as_i64().unwrap_or(-1),
        s.body["metrics"]["training_attendance"]
            .as_i64()
            .unwrap_or(-1),
    )
}

fn message(r: &kejiyun_testkit::Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn enrol(app: &TestApp, id: i64, who: &TestUser) -> kejiyun_testkit::Reply {
    app.post(
        &format!("/api/v1/trainings/{id}/enrol"),
        Some(&who.token),
        json!({}),
    )
    .await
}

#[tokio::test]
async fn hold_enrol_roll_and_rotating_code_with_exact_person_times() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let other_admin = app.admin("region_admin", Some(YUECHI)).await;
    let farmer = app.user("周大伯", Some(LINSHUI)).await;
    let expert = app.user("王农艺师", Some(LINSHUI)).await;
    let late = app.user("迟到者", Some(LINSHUI)).await;

    // Bad input and the wrong people: refused in Chinese, nothing stored.
    let empty = app
        .post(
            "/api/v1/trainings",
            Some(&admin.token),
            training_body(" ", 2),
        )
        .await;
    empty.assert_invalid_field("title");
    let mut backwards = training_body("柑橘绿色防控实用技术培训", 2);
    backwards["sessions"][0]["ends_at"] = json!("2026-06-10 08:00");
    let r = app
        .post("/api/v1/trainings", Some(&admin.token), backwards)
        .await;
    r.assert_invalid_field("ends_at");
    assert!(message(&r).contains("结束时间"), "{:?}", r.body);
    let body = training_body("柑橘绿色防控实用技术培训", 2);
    let by_user = app
        .post("/api/v1/trainings", Some(&farmer.token), body.clone())
        .await;
    assert_eq!(by_user.status, StatusCode::FORBIDDEN, "{:?}", by_user.body);
    let elsewhere = app
        .post("/api/v1/trainings", Some(&other_admin.token), body.clone())
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::FORBIDDEN,
        "a county admin holds trainings in their county only: {:?}",
        elsewhere.body
    );
    let listed = app.get("/api/v1/trainings", None).await;
    assert_eq!(listed.body["total"], 0, "nothing stored: {:?}", listed.body);

    let created = app
        .post("/api/v1/trainings", Some(&admin.token), body)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap_or_default();
    let t = app.get(&format!("/api/v1/trainings/{id}"), None).await;
    assert_eq!(t.status, StatusCode::OK, "{:?}", t.body);
    assert_eq!(t.body["kind_label"], "实用技术");
    let sessions: Vec<i64> = t.body["sessions"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(sessions.len(), 2, "{:?}", t.body);
    let (s1, s2) = (sessions[0], sessions[1]);
    assert_eq!(figures(&app).await, (1, 0), "held: counted on its start");

    // Enrolment: twice is refused, past the capacity too.
    assert_eq!(enrol(&app, id, &farmer).await.status, StatusCode::OK);
    let twice = enrol(&app, id, &farmer).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    assert!(message(&twice).contains("已报名"), "{:?}", twice.body);
    let r = enrol(&app, id, &expert).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["places_left"], 0);
    let full = enrol(&app, id, &late).await;
    assert_eq!(full.status, StatusCode::CONFLICT, "{:?}", full.body);
    assert_eq!(message(&full), "培训名额已满");
    let list = app
        .get(
            &format!("/api/v1/trainings/{id}/enrolments"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(
        list.body.as_array().map(Vec::len),
        Some(2),
        "{:?}",
        list.body
    );
    let peek = app
        .get(
            &format!("/api/v1/trainings/{id}/enrolments"),
            Some(&farmer.token),
        )
        .await;
    assert_eq!(peek.status, StatusCode::FORBIDDEN);

    // The roll: enrolled people only, by the organizers only.
    let roll = |s: i64, u: &TestUser| format!("/api/v1/trainings/{id}/sessions/{s}/roll/{}", u.id);
    let not_enrolled = app
        .put(
            &roll(s1, &late),
            Some(&admin.token),
            json!({"present": true}),
        )
        .await;
    assert_eq!(
        not_enrolled.status,
        StatusCode::CONFLICT,
        "{:?}",
        not_enrolled.body
    );
    assert!(message(&not_enrolled).contains("未报名"));
    let foreign = app
        .put(
            &roll(s1, &expert),
            Some(&other_admin.token),
            json!({"present": true}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{:?}", foreign.body);
    let ticked = app
        .put(
            &roll(s1, &expert),
            Some(&admin.token),
            json!({"present": true}),
        )
        .await;
    assert_eq!(ticked.status, StatusCode::OK, "{:?}", ticked.body);
    assert_eq!(ticked.body["changed"], true);
    let again = app
        .put(
            &roll(s1, &expert),
            Some(&admin.token),
            json!({"present": true}),
        )
        .await;
    assert_eq!(again.body["changed"], false, "one person-time per session");

    // The rotating code: from the organizer's screen to the attendee's phone.
    let code_path = format!("/api/v1/trainings/{id}/sessions/{s2}/code");
    let denied = app.get(&code_path, Some(&farmer.token)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let shown = app.get(&code_path, Some(&admin.token)).await;
    assert_eq!(shown.status, StatusCode::OK, "{:?}", shown.body);
    let code = shown.body["code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(code.len(), 6);
    let check_in = format!("/api/v1/trainings/{id}/sessions/{s2}/check-in");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let bad = app
        .post(&check_in, Some(&farmer.token), json!({"code": wrong}))
        .await;
    bad.assert_invalid_field("code");
    assert!(message(&bad).contains("签到码错误"), "{:?}", bad.body);
    let stranger = app
        .post(&check_in, Some(&late.token), json!({"code": code}))
        .await;
    assert_eq!(
        stranger.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        stranger.body
    );
    let ok = app
        .post(&check_in, Some(&farmer.token), json!({"code": code}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["changed"], true);
    let roll2 = app
        .get(
            &format!("/api/v1/trainings/{id}/sessions/{s2}/roll"),
            Some(&admin.token),
        )
        .await;
    let present: Vec<(i64, String)> = roll2
        .body
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["present"] == true)
                .map(|r| {
                    (
                        r["user_id"].as_i64().unwrap_or_default(),
                        r["check_in"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(present, vec![(farmer.id, "code".to_owned())]);

    // Person-times: two sessions, one present each; the records behind the figure.
    assert_eq!(figures(&app).await, (1, 2));
    let records = app
        .get(
            &format!("/api/v1/stats/records?metric=training_attendance&region={LINSHUI}"),
            None,
        )
        .await;
    assert_eq!(records.status, StatusCode::OK, "{:?}", records.body);
    assert_eq!(records.body["total"], 2, "{:?}", records.body);
    assert_eq!(records.body["items"][0]["kind"], "training_session");
    let t = app.get(&format!("/api/v1/trainings/{id}"), None).await;
    assert_eq!(t.body["person_times"], 2);

    // The pages: the list, the organizer's screen with its QR code, the phone's check-in.
    let (status, html) = app.page(None, None, "/trainings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("柑橘绿色防控实用技术培训"));
    let screen = format!("/trainings/{id}/sessions/{s2}/code");
    let (status, html) = app.page(Some(&admin), None, &screen).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<svg") && html.contains("http-equiv=\"refresh\""));
    assert!(html.contains(&format!("/trainings/{id}/sessions/{s2}/check-in?code=")));
    let phone = format!("/trainings/{id}/sessions/{s2}/check-in?code=123456");
    let (status, html) = app.page(Some(&expert), None, &phone).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("value=\"123456\""),
        "the QR code's code is filled in"
    );
    let post = format!("/trainings/{id}/sessions/{s2}/check-in");
    let (status, html) = app
        .page(Some(&expert), Some(&[("code", wrong)]), &post)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("签到码错误"));
    let (status, _) = app
        .page(Some(&farmer), None, &format!("/trainings/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        figures(&app).await,
        (1, 2),
        "a refused check-in stores nothing"
    );
}
