//! The volunteer activities' pages as their users see them: the team's leader holds one from
//! the form (a mistake shown in Chinese with its field marked); a volunteer signs up on its
//! page; the organizer's code screen shows the 6-digit code and its QR code; the volunteer
//! checks in (a wrong code: 422 in Chinese) and out with the code; the leader adjusts the
//! minutes and approves them; the volunteer takes the activity's and the year's certificates
//! and sees the record on `/volunteers/me`; the organizer files the report.

use chrono::Duration;
use kejiyun_testkit::{CSRF, Part, TestApp, TestUser};
use reqwest::StatusCode;

use crate::api_market_support::LINSHUI;

/// A small JPEG, as a phone would send.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 85,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    out
}
use crate::api_volunteer_activities::{code as current_code, team};
use crate::api_volunteers::register;

/// Beijing time `offset_minutes` from the server's now, as a `datetime-local` input sends it.
fn local_time(app: &TestApp, offset_minutes: i64) -> String {
    (app.services().now().to_utc() + Duration::hours(8) + Duration::minutes(offset_minutes))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A form as the page posts it, with its CSRF token; the status and the redirect's target.
async fn post_form(
    app: &TestApp,
    who: &TestUser,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", CSRF)];
    all.extend_from_slice(fields);
    let resp = kejiyun_testkit::client()
        .post(app.url(path))
        .header(
            "cookie",
            format!("kjy_session={}; kjy_csrf={CSRF}", who.token),
        )
        .form(&all)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = resp.text().await.unwrap_or_default();
    (status, location, text)
}

/// A 6-digit code that is not `code`.
fn wrong(code: &str) -> &'static str {
    if code == "000000" { "999999" } else { "000000" }
}

#[tokio::test]
async fn hold_sign_up_check_in_out_approve_certificate_and_report_from_the_pages() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let leader = app.user("张队长", Some(LINSHUI)).await;
    let farmer = app.user("王小明", Some(LINSHUI)).await;
    let passer = app.user("路人甲", Some(LINSHUI)).await;
    register(&app, &leader, "张队长", 51).await;
    register(&app, &farmer, "王小明", 52).await;
    let team = team(&app, &admin, &leader).await;
    let team_s = team.to_string();

    // The form: kinds, skills as on the join form, times as datetime-local.
    let (status, html) = app
        .page(
            Some(&leader),
            None,
            &format!("/volunteers/activities/new?team={team}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"skill_farming\""), "{html}");
    assert!(html.contains("type=\"datetime-local\""), "{html}");
    assert!(html.contains("value=\"field_guidance\""), "{html}");
    assert!(
        html.contains(&format!("value=\"{team}\"")),
        "the team is prefilled"
    );

    let starts = local_time(&app, -10);
    let title = "柑橘冬季清园田间指导";
    let form = |ends: &str| {
        vec![
            ("team_id", team_s.clone()),
            ("kind", "field_guidance".to_owned()),
            ("title", title.to_owned()),
            ("place", "邻水县柑子镇柑橘示范园".to_owned()),
            ("region", LINSHUI.to_owned()),
            ("starts_at", starts.clone()),
            ("ends_at", ends.to_owned()),
            ("capacity", "10".to_owned()),
            ("skill_farming", "on".to_owned()),
            ("description", "现场讲解清园技术".to_owned()),
        ]
    };
    // The end before the start: the form again, in Chinese, the field marked, values kept.
    let bad = form(&local_time(&app, -30));
    let fields: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = app
        .page(Some(&leader), Some(&fields), "/volunteers/activities/new")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("结束时间应晚于开始时间"), "{html}");
    let ends_input = html
        .split("name=\"ends_at\"")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_default();
    assert!(ends_input.contains("aria-invalid=\"true\""), "{html}");
    assert!(html.contains(title), "the title is kept");
    // A plain volunteer may not hold one: the 403 page, in Chinese.
    let good = form(&local_time(&app, 170));
    let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = app
        .page(Some(&farmer), Some(&fields), "/volunteers/activities/new")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("只有队长"), "{html}");
    let (status, location, _) =
        post_form(&app, &leader, "/volunteers/activities/new", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/volunteers/activities/") && location.ends_with("?done=created"),
        "{location}"
    );
    let id: i64 = location
        .trim_start_matches("/volunteers/activities/")
        .trim_end_matches("?done=created")
        .parse()
        .unwrap_or(0);
    assert!(id > 0, "{location}");
    let page = format!("/volunteers/activities/{id}");

    // Listed, also among the upcoming ones; the page says it was published.
    for list in [
        "/volunteers/activities",
        "/volunteers/activities?upcoming=1",
    ] {
        let (status, html) = app.page(None, None, list).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("href=\"{page}\"")), "{list}: {html}");
    }
    let (_, html) = app
        .page(Some(&leader), None, &format!("{page}?done=created"))
        .await;
    assert!(html.contains("志愿服务活动已发布"), "{html}");
    assert!(
        html.contains(&format!("{page}/code")),
        "the organizer's screen link"
    );
    assert!(
        html.contains(&format!(
            "/api/v1/volunteer-activities/{id}/signups/export?format=xlsx"
        )),
        "{html}"
    );

    // Sign-up: the button, then the caller's own status; someone without a profile is told.
    let (_, html) = app.page(Some(&farmer), None, &page).await;
    assert!(html.contains("id=\"signup-submit\""), "{html}");
    let (status, location, _) = post_form(&app, &farmer, &format!("{page}/signup"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{page}?done=signed_up"));
    let (_, html) = app.page(Some(&farmer), None, &location).await;
    assert!(
        html.contains("报名成功") && html.contains("id=\"my-signup\""),
        "{html}"
    );
    assert!(!html.contains("id=\"signup-submit\""), "{html}");
    assert!(html.contains(&format!("{page}/check-in")), "{html}");
    let (_, html) = app.page(Some(&passer), None, &page).await;
    assert!(html.contains("id=\"join-first\""), "{html}");
    let (status, html) = app
        .page(Some(&passer), Some(&[]), &format!("{page}/signup"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("请先登记为科技志愿者"), "{html}");

    // The organizer's screen: the code and its QR code; nobody else's.
    let (status, html) = app.page(Some(&leader), None, &format!("{page}/code")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"), "{html}");
    assert!(html.contains("http-equiv=\"refresh\""), "{html}");
    let shown = html
        .split("id=\"checkin-code\">")
        .nth(1)
        .and_then(|rest| rest.get(..6))
        .unwrap_or_default()
        .to_owned();
    assert!(
        shown.len() == 6 && shown.bytes().all(|b| b.is_ascii_digit()),
        "{shown:?}"
    );
    assert!(html.contains(&format!("{page}/check-in?code=")), "{html}");
    let (status, _) = app.page(Some(&farmer), None, &format!("{page}/code")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Check-in: arriving from the QR code fills the code in; a wrong one is refused in Chinese.
    let (status, html) = app
        .page(Some(&farmer), None, &format!("{page}/check-in?code=123456"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"123456\""), "{html}");
    assert!(
        html.contains("id=\"check-in-submit\"") && html.contains("id=\"check-out-submit\""),
        "{html}"
    );
    let code = current_code(&app, &leader, id).await;
    let (status, html) = app
        .page(
            Some(&farmer),
            Some(&[("code", wrong(&code)), ("action", "in")]),
            &format!("{page}/check-in"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("签到码错误或已过期"), "{html}");
    let (status, html) = app
        .page(
            Some(&farmer),
            Some(&[("code", &code), ("action", "in")]),
            &format!("{page}/check-in"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("签到成功") && html.contains("id=\"checked-in-at\""),
        "{html}"
    );
    let code = current_code(&app, &leader, id).await;
    let (status, html) = app
        .page(
            Some(&farmer),
            Some(&[("code", &code), ("action", "out")]),
            &format!("{page}/check-in"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("签退成功") && html.contains("待队长认定"),
        "{html}"
    );
    // Someone not signed up cannot check in: the 403 page.
    let (status, html) = app
        .page(
            Some(&passer),
            Some(&[("code", &code), ("action", "in")]),
            &format!("{page}/check-in"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");

    // The leader sees the row, adjusts the minutes (a bad figure shown in Chinese) and approves.
    let (_, html) = app.page(Some(&leader), None, &page).await;
    let row = format!("data-user=\"{}\" data-status=\"pending\"", farmer.id);
    assert!(html.contains(&row), "{html}");
    let minutes = format!("{page}/signups/{}/minutes", farmer.id);
    let (status, html) = app
        .page(
            Some(&leader),
            Some(&[("minutes", "100000"), ("reason", "现场帮忙搬运物资")]),
            &minutes,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("服务时长应在 0 到"), "{html}");
    let (status, _) = app
        .page(
            Some(&farmer),
            Some(&[("minutes", "90"), ("reason", "我自己改一下")]),
            &minutes,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, location, _) = post_form(
        &app,
        &leader,
        &minutes,
        &[("minutes", "90"), ("reason", "签到前已在现场帮忙搬运物资")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{page}?done=adjusted"));
    let decision = format!("{page}/signups/{}/decision", farmer.id);
    let (status, _) = app
        .page(
            Some(&farmer),
            Some(&[("decision", "approve"), ("reason", "")]),
            &decision,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Declining needs a reason.
    let (status, html) = app
        .page(
            Some(&leader),
            Some(&[("decision", "decline"), ("reason", "")]),
            &decision,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, location, _) = post_form(
        &app,
        &leader,
        &decision,
        &[("decision", "approve"), ("reason", "")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{page}?done=approved"));
    let (status, html) = app
        .page(
            Some(&leader),
            Some(&[("decision", "approve"), ("reason", "")]),
            &decision,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once: {html}");

    // The volunteer sees the approved hours and takes the certificate.
    let (_, html) = app.page(Some(&farmer), None, &page).await;
    assert!(html.contains("1 小时 30 分钟"), "{html}");
    assert!(html.contains("data-status=\"approved\">已认定"), "{html}");
    assert!(html.contains("id=\"certificate-submit\""), "{html}");
    let (status, location, _) = post_form(&app, &farmer, &format!("{page}/certificate"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/me/certificates");
    let (status, _) = app
        .page(Some(&passer), Some(&[]), &format!("{page}/certificate"))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no approved hours, no certificate"
    );

    // The record on /volunteers/me and the year's certificate.
    let (_, html) = app.page(Some(&farmer), None, "/volunteers/me").await;
    assert!(html.contains("id=\"service-record\""), "{html}");
    assert!(
        html.contains(title) && html.contains("1 小时 30 分钟"),
        "{html}"
    );
    let year = kejiyun_core::app::year_of(app.services().now()).to_string();
    assert!(
        html.contains(&format!("<option value=\"{year}\">")),
        "{html}"
    );
    let (status, location, _) = post_form(
        &app,
        &farmer,
        "/volunteers/certificates/year",
        &[("year", &year)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/me/certificates");
    let (status, _) = app
        .page(
            Some(&farmer),
            Some(&[("year", "2001")]),
            "/volunteers/certificates/year",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .page(
            Some(&farmer),
            Some(&[("year", "去年")]),
            "/volunteers/certificates/year",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, html) = app.page(Some(&farmer), None, "/me/certificates").await;
    assert_eq!(
        html.matches("class=\"row certificate\"").count(),
        2,
        "{html}"
    );
    assert!(
        html.contains(title) && html.contains("年度科技志愿服务"),
        "{html}"
    );

    // The report (multipart, with a photo): a bad figure shown in Chinese and no photo
    // stored, then filed with its photo and shown on the page.
    let report = format!("{page}/report");
    let fields = |people: &'static str| {
        vec![
            Part::text("people_served", people),
            Part::text("materials_distributed", "200"),
            Part::text("gifts", "50"),
            Part::text("questions_answered", "35"),
            Part::text("note", "群众反映清园技术很实用"),
            Part::file("photos", "现场.jpg", "image/jpeg", photo()),
        ]
    };
    let r = app.page_multipart(&leader, &report, &fields("-3")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("服务群众人次应为"), "{}", r.text);
    let r = app.page_multipart(&farmer, &report, &fields("1")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app.page_multipart(&leader, &report, &fields("120")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
        format!("{page}?done=reported")
    );
    let filed = app
        .get(&format!("/api/v1/volunteer-activities/{id}"), None)
        .await;
    assert_eq!(
        filed.body["report"]["photos"].as_array().map(Vec::len),
        Some(1),
        "one photo, the refused tries stored none: {:?}",
        filed.body
    );
    let (_, html) = app.page(None, None, &page).await;
    assert!(
        html.contains("id=\"report-people-served\">120<"),
        "the report is public: {html}"
    );
    assert!(html.contains("群众反映清园技术很实用"), "{html}");
    let r = app
        .get(&format!("/api/v1/volunteer-activities/{id}"), None)
        .await;
    assert_eq!(r.body["report"]["people_served"], 120, "{:?}", r.body);

    // The county admin finds the export of the county's activities on the list; a volunteer
    // does not.
    let (_, html) = app.page(Some(&admin), None, "/volunteers/activities").await;
    assert!(
        html.contains("/api/v1/volunteer-activities/export?format=xlsx"),
        "{html}"
    );
    let (_, html) = app
        .page(Some(&farmer), None, "/volunteers/activities")
        .await;
    assert!(
        !html.contains("/api/v1/volunteer-activities/export"),
        "{html}"
    );

    // English pages read in English.
    let (_, html) = app.page(None, None, "/volunteers/activities?lang=en").await;
    assert!(html.contains("Volunteer activities"), "{html}");
    app.stop().await;
}
