//! The volunteers' pages as their users see them: a farmer registers from the form (a wrong
//! check digit is shown in Chinese and the number is not echoed back), sees the masked number
//! and reveals it; the county admin creates a team from the form and sees the roster; the
//! farmer asks to join and the leader approves from the team's page; English pages read in
//! English.

use kejiyun_testkit::TestApp;
use reqwest::StatusCode;

use crate::api_market_support::LINSHUI;
use crate::api_volunteers::{id_number, register};

#[tokio::test]
async fn register_reveal_team_join_and_decide_from_the_pages() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let leader = app.user("张队长", Some(LINSHUI)).await;
    let farmer = app.user("周大伯", Some(LINSHUI)).await;
    register(&app, &leader, "张队长", 31).await;

    let (status, html) = app.page(None, None, "/volunteers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("科技志愿服务"));

    let (status, html) = app.page(Some(&farmer), None, "/volunteers/join").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"skill_farming\""), "{html}");
    let form = |id: &str| {
        vec![
            ("name", "周大伯".to_owned()),
            ("id_card", id.to_owned()),
            ("phone", farmer.login.clone()),
            ("region", LINSHUI.to_owned()),
            ("skill_farming", "on".to_owned()),
            ("skill_law", "on".to_owned()),
            ("availability", "农闲时".to_owned()),
        ]
    };
    let bad = form("511623198001010321");
    let fields: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = app
        .page(Some(&farmer), Some(&fields), "/volunteers/join")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("身份证号码无效"), "{html}");
    assert!(
        !html.contains("511623198001010321"),
        "the number is not echoed"
    );
    let number = id_number(32);
    let good = form(&number);
    let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = app
        .page(Some(&farmer), Some(&fields), "/volunteers/join")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html) = app.page(Some(&farmer), None, "/volunteers/me").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("种养植、法律"), "{html}");
    assert!(!html.contains(&number) && html.contains(&number[14..]));
    let (status, html) = app
        .page(Some(&farmer), Some(&[]), "/volunteers/me/id-card")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&number), "revealed on request");

    // The admin's team form (the leader by phone) and roster.
    let (status, _) = app
        .page(
            Some(&admin),
            Some(&[
                ("name", "邻水县科技志愿服务支队"),
                ("level", "detachment"),
                ("parent_id", ""),
                ("region", LINSHUI),
                ("leader_phone", &leader.login),
                ("description", ""),
            ]),
            "/volunteers/teams/new",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let teams = app.get("/api/v1/volunteer-teams", None).await;
    let team = teams.body["items"][0]["id"].as_i64().unwrap_or(0);
    let (status, html) = app.page(Some(&admin), None, "/volunteers/roster").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("周大伯") && !html.contains(&number));
    let (status, _) = app.page(Some(&farmer), None, "/volunteers/roster").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Join, then the leader approves from the team's page.
    let page = format!("/volunteers/teams/{team}");
    let (status, _) = app
        .page(Some(&farmer), Some(&[]), &format!("{page}/join"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.page(Some(&leader), None, &page).await;
    assert!(
        html.contains(&format!("{page}/members/{}", farmer.id)),
        "{html}"
    );
    let (status, _) = app
        .page(
            Some(&leader),
            Some(&[("decision", "approve"), ("reason", "")]),
            &format!("{page}/members/{}", farmer.id),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.page(Some(&farmer), None, &page).await;
    assert!(html.contains("已加入"), "{html}");
    let (_, html) = app.page(None, None, "/volunteers?lang=en").await;
    assert!(html.contains("Volunteer teams"), "{html}");
    app.stop().await;
}
