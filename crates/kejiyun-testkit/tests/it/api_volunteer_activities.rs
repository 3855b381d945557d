//! Volunteer activities through HTTP on the real server: a team's leader holds one; a
//! volunteer signs up (a non-volunteer, a second sign-up refused); check-in and check-out by
//! the rotating code (a wrong code refused, the code only for the organizer); the organizer
//! adjusts the minutes, the leader approves them once; the report; `activities`,
//! `people_served`, `materials_distributed` and `service_hours` exact; the volunteer's record
//! and the certificates, per activity and per year, verified without login and an altered
//! code not found; the hours' export.

use chrono::Duration;
use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::LINSHUI;
use crate::api_volunteers::register;

/// Beijing time `offset_minutes` from the server's now, as forms write it.
pub fn beijing(app: &TestApp, offset_minutes: i64) -> String {
    (app.services().now().to_utc() + Duration::hours(8) + Duration::minutes(offset_minutes))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A team led by `leader` (a registered volunteer), created by the county admin.
pub async fn team(app: &TestApp, admin: &TestUser, leader: &TestUser) -> i64 {
    let r = app
        .post(
            "/api/v1/volunteer-teams",
            Some(&admin.token),
            json!({"name": format!("邻水县科技志愿服务支队{}", leader.id), "level": "detachment",
                   "region": LINSHUI, "leader_id": leader.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().unwrap_or(0)
}

/// An activity of `team` open for check-in now (started ten minutes ago, three hours long).
pub async fn activity(app: &TestApp, leader: &TestUser, team: i64, capacity: i64) -> i64 {
    let r = app
        .post(
            "/api/v1/volunteer-activities",
            Some(&leader.token),
            json!({"team_id": team, "kind": "field_guidance", "title": "柑橘冬季清园田间指导",
                   "place": "邻水县柑子镇柑橘示范园", "region": LINSHUI,
                   "starts_at": beijing(app, -10), "ends_at": beijing(app, 170), "capacity": capacity,
                   "skills": "种养植"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().unwrap_or(0)
}

/// The code on the organizer's screen now.
pub async fn code(app: &TestApp, organizer: &TestUser, id: i64) -> String {
    let r = app
        .get(
            &format!("/api/v1/volunteer-activities/{id}/code"),
            Some(&organizer.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["code"].as_str().unwrap_or_default().to_owned()
}

fn metric(s: &Value, name: &str) -> i64 {
    s["metrics"][name].as_i64().unwrap_or(-1)
}

async fn figures(app: &TestApp) -> [i64; 4] {
    let s = app
        .get(&format!("/api/v1/stats?region={LINSHUI}"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    [
        metric(&s.body, "activities"),
        metric(&s.body, "people_served"),
        metric(&s.body, "materials_distributed"),
        metric(&s.body, "service_hours"),
    ]
}

fn message(r: &kejiyun_testkit::Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn sign_up_check_in_out_hours_report_and_certificates() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let leader = app.user("张队长", Some(LINSHUI)).await;
    let farmer = app.user("王小明", Some(LINSHUI)).await;
    let passer = app.user("路人", Some(LINSHUI)).await;
    register(&app, &leader, "张队长", 21).await;
    register(&app, &farmer, "王小明", 22).await;
    let team = team(&app, &admin, &leader).await;

    // Bad input: Chinese 422s naming the field; a plain volunteer cannot hold one.
    let mut bad = json!({"team_id": team, "kind": "field_guidance", "title": "田间指导",
        "place": "示范园", "region": LINSHUI, "starts_at": beijing(&app, 60), "ends_at": beijing(&app, 30),
        "capacity": 5});
    app.post(
        "/api/v1/volunteer-activities",
        Some(&leader.token),
        bad.clone(),
    )
    .await
    .assert_invalid_field("ends_at");
    bad["ends_at"] = json!(beijing(&app, 120));
    bad["kind"] = json!("跳广场舞");
    app.post(
        "/api/v1/volunteer-activities",
        Some(&leader.token),
        bad.clone(),
    )
    .await
    .assert_invalid_field("kind");
    bad["kind"] = json!("outreach");
    let r = app
        .post("/api/v1/volunteer-activities", Some(&farmer.token), bad)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    let id = activity(&app, &leader, team, 5).await;
    let base = format!("/api/v1/volunteer-activities/{id}");
    let r = app.get(&base, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["kind_label"], "技术指导");
    assert_eq!(r.body["places_left"], 5);
    assert_eq!(r.body["organizer"], false);
    let listed = app
        .get(
            &format!("/api/v1/volunteer-activities?region={LINSHUI}&upcoming=true"),
            None,
        )
        .await;
    assert_eq!(listed.body["total"], 1, "{:?}", listed.body);

    // Sign-up: a volunteer once; someone without a profile is told to register first.
    let r = app
        .post(&format!("{base}/signup"), Some(&passer.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(message(&r).contains("登记为科技志愿者"), "{:?}", r.body);
    let r = app
        .post(&format!("{base}/signup"), Some(&farmer.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app
        .post(&format!("{base}/signup"), Some(&farmer.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);

    // The code is the organizer's; a wrong one is refused in Chinese.
    let r = app.get(&format!("{base}/code"), Some(&farmer.token)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let shown = code(&app, &leader, id).await;
    assert_eq!(shown.len(), 6);
    let wrong = format!(
        "{:06}",
        (shown.parse::<u32>().unwrap_or(0) + 500_001) % 1_000_000
    );
    let r = app
        .post(
            &format!("{base}/check-in"),
            Some(&farmer.token),
            json!({"code": wrong}),
        )
        .await;
    r.assert_invalid_field("code");
    assert!(message(&r).contains("签到码"), "{:?}", r.body);
    let r = app
        .post(
            &format!("{base}/check-in"),
            Some(&farmer.token),
            json!({"code": code(&app, &leader, id).await}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["changed"], true);
    let r = app
        .post(
            &format!("{base}/check-out"),
            Some(&farmer.token),
            json!({"code": code(&app, &leader, id).await}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["changed"], true);
    let mine = app.get(&base, Some(&farmer.token)).await;
    assert_eq!(mine.body["my_signup"]["hours_status"], "pending");

    // The organizer corrects the minutes (within the activity's length, with a reason); the
    // volunteer cannot approve; the leader approves once.
    let minutes = format!("{base}/signups/{}/minutes", farmer.id);
    let r = app
        .put(
            &minutes,
            Some(&leader.token),
            json!({"minutes": 1000, "reason": "多记"}),
        )
        .await;
    r.assert_invalid_field("minutes");
    let r = app
        .put(
            &minutes,
            Some(&leader.token),
            json!({"minutes": 150, "reason": "现场签到晚了，按实际到场时间补记"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["adjusted_minutes"], 150);
    let decision = format!("{base}/signups/{}/decision", farmer.id);
    let r = app
        .post(&decision, Some(&farmer.token), json!({"approve": true}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .post(&decision, Some(&leader.token), json!({"approve": false}))
        .await;
    r.assert_invalid_field("reason");
    let r = app
        .post(&decision, Some(&leader.token), json!({"approve": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["hours_status"], "approved");
    let r = app
        .post(&decision, Some(&leader.token), json!({"approve": true}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(figures(&app).await, [0, 0, 0, 150]);

    // The report: counted on the activity's day and region.
    let report = json!({"people_served": 80, "materials_distributed": 200, "gifts": 10,
                        "questions_answered": 35, "note": "解答清园问题 35 个"});
    let r = app
        .put(
            &format!("{base}/report"),
            Some(&farmer.token),
            report.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .put(&format!("{base}/report"), Some(&leader.token), report)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["report"]["questions_answered"], 35);
    assert_eq!(figures(&app).await, [1, 80, 200, 150]);

    // The volunteer's record and certificates.
    let r = app
        .get("/api/v1/me/volunteer-hours", Some(&farmer.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["approved_minutes"], 150);
    assert_eq!(r.body["approved_text"], "2 小时 30 分钟");
    let r = app
        .post(
            &format!("{base}/certificate"),
            Some(&farmer.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let verify = r.body["verify_url"].as_str().unwrap_or_default().to_owned();
    let code = verify.trim_start_matches("/verify/").to_owned();
    let v = app.get(&format!("/api/v1/certificates/{code}"), None).await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    assert_eq!(v.body["holder_name"], "王*明");
    assert_eq!(v.body["detail"], "服务时长 2 小时 30 分钟");
    assert_eq!(v.body["issuer"], "邻水县科学技术协会");
    let mut altered: Vec<char> = code.chars().collect();
    if let Some(c) = altered.iter_mut().find(|c| c.is_ascii_alphanumeric()) {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    let altered: String = altered.into_iter().collect();
    let v = app
        .get(&format!("/api/v1/certificates/{altered}"), None)
        .await;
    assert_eq!(v.status, StatusCode::NOT_FOUND, "{:?}", v.body);
    let year = kejiyun_core::app::year_of(app.services().now());
    let r = app
        .post(
            "/api/v1/me/volunteer-certificates",
            Some(&farmer.token),
            json!({"year": year}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["certificate"]["detail"],
        "参加志愿服务活动 1 次，服务时长 2 小时 30 分钟"
    );
    let r = app
        .post(
            "/api/v1/me/volunteer-certificates",
            Some(&passer.token),
            json!({"year": year}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/me/volunteer-certificates",
            Some(&farmer.token),
            json!({"year": i32::MAX}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);

    // The hours' export, for the organizer only.
    let (status, _, csv) = app
        .get_bytes(
            &format!("{base}/signups/export?format=csv"),
            Some(&leader.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8_lossy(&csv);
    assert!(csv.contains("王小明") && csv.contains("已认定"), "{csv}");
    let (status, _, _) = app
        .get_bytes(
            &format!("{base}/signups/export?format=csv"),
            Some(&farmer.token),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The region's activities with their figures, for its admins only.
    let (status, _, csv) = app
        .get_bytes(
            &format!("/api/v1/volunteer-activities/export?format=csv&region={LINSHUI}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8_lossy(&csv);
    assert!(
        csv.contains("柑橘冬季清园田间指导") && csv.contains(",80,200,10,35,150"),
        "{csv}"
    );
    let (status, _, _) = app
        .get_bytes(
            "/api/v1/volunteer-activities/export?format=csv",
            Some(&leader.token),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_organizer_assigns_within_the_capacity() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let leader = app.user("张队长", Some(LINSHUI)).await;
    let a = app.user("志愿甲", Some(LINSHUI)).await;
    let b = app.user("志愿乙", Some(LINSHUI)).await;
    register(&app, &leader, "张队长", 31).await;
    register(&app, &a, "志愿甲", 32).await;
    register(&app, &b, "志愿乙", 33).await;
    let team = team(&app, &admin, &leader).await;
    let id = activity(&app, &leader, team, 1).await;
    let assign = format!("/api/v1/volunteer-activities/{id}/assignments");
    let r = app
        .post(
            &assign,
            Some(&leader.token),
            json!({"phone": "13800000000"}),
        )
        .await;
    r.assert_invalid_field("phone");
    let r = app
        .post(&assign, Some(&leader.token), json!({"phone": a.login}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["how"], "assigned");
    let r = app
        .post(
            &format!("/api/v1/volunteer-activities/{id}/signup"),
            Some(&b.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(message(&r).contains("名额已满"), "{:?}", r.body);
    let r = app
        .get(
            &format!("/api/v1/volunteer-activities/{id}/signups"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body.as_array().map(Vec::len), Some(1));
}
