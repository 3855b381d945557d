//! Contests (大赛) through HTTP on the real server, a county round end to end on the wall
//! clock: the county admin sets up a round nominating to the city's, pupils submit entries in
//! the entry window, the admin accepts and returns them, invites two judges; one declares a
//! conflict and is then neither shown the entry nor allowed to score it; the assignment,
//! scoring (revised), a pairwise vote, the ranking, the awards, the notice, and a winner
//! nominated into the city round — with the figures `contest_entries` / `awards`. Bad input (an
//! entry after the window, a score out of range, scoring a conflicted entry, more awards than
//! configured) is a Chinese 4xx that stores nothing.
//!
//! The server runs on the system clock, so the timeline is set a few seconds ahead and the
//! test waits for each window to open.

use std::time::Duration;

use kejiyun_core::time::Timestamp;
use kejiyun_testkit::{Reply, TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::LINSHUI;

const GUANG_AN: &str = "511600";

/// Seconds after the start: entries close (and judging opens), judging closes, the notice
/// opens and closes.
const ENTRIES: i64 = 12;
const JUDGING: i64 = 20;
const NOTICE_OPEN: i64 = 24;
const NOTICE_CLOSE: i64 = 25;

fn contest_body(region: &str, t0: Timestamp, parent: Option<i64>, city: bool) -> Value {
    let at = |s: i64| t0.plus_seconds(s).to_rfc3339();
    // The city round judges later: nominations arrive before.
    let shift = if city { 3600 } else { 0 };
    json!({
        "name": "四川省青少年科技创新大赛",
        "edition": "第36届",
        "kind": "youth_innovation",
        "region": region,
        "groups": ["小学", "初中"],
        "timeline": {
            "entries_open": at(-3600),
            "entries_close": at(ENTRIES + shift),
            "judging_open": at(ENTRIES + shift),
            "judging_close": at(JUDGING + shift),
            "notice_open": at(NOTICE_OPEN + shift),
            "notice_close": at(NOTICE_CLOSE + shift),
        },
        "rubric": [
            {"name": "创新性", "weight": 40, "min": 0, "max": 10},
            {"name": "科学性", "weight": 60, "min": 0, "max": 10},
        ],
        "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1}],
        "min_judges_per_entry": 1,
        "scoring": "mean",
        "parent": parent.map(|id| json!({"contest_id": id, "region": GUANG_AN})),
    })
}

fn entry_body(title: &str, school: &str) -> Value {
    json!({
        "title": title,
        "group": "初中",
        "summary": "用声音传感器测量教室噪声，超过阈值时亮灯提醒。",
        "authors": [{"name": "李明", "school": school, "grade": "初二"}],
        "tutor": "王老师",
        "school": school,
    })
}

fn message(r: &Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn id_of(r: &Reply) -> i64 {
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().unwrap_or_default()
}

async fn figures(app: &TestApp) -> (i64, i64) {
    let s = app
        .get(&format!("/api/v1/stats?region={LINSHUI}"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    (
        s.body["metrics"]["contest_entries"].as_i64().unwrap_or(-1),
        s.body["metrics"]["awards"].as_i64().unwrap_or(-1),
    )
}

/// Waits until `s` seconds after `t0` have passed (and a little more).
async fn until(app: &TestApp, t0: Timestamp, s: i64) {
    let wait = t0.plus_seconds(s).micros() - app.services().now().micros() + 300_000;
    if wait > 0 {
        tokio::time::sleep(Duration::from_micros(u64::try_from(wait).unwrap_or(0))).await;
    }
}

/// Asserts the step ran before `s` seconds after `t0`: the windows are real time.
fn before(app: &TestApp, t0: Timestamp, s: i64, what: &str) {
    assert!(
        app.services().now() < t0.plus_seconds(s),
        "{what} took too long for the test's timeline"
    );
}

async fn score(app: &TestApp, c: i64, e: i64, who: &TestUser, points: Value) -> Reply {
    app.put(
        &format!("/api/v1/contests/{c}/entries/{e}/score"),
        Some(&who.token),
        json!({"points": points, "comment": "思路清楚"}),
    )
    .await
}

#[tokio::test]
async fn a_county_round_end_to_end_with_conflicts_awards_and_nomination() {
    let app = TestApp::spawn().await;
    let county_admin = app.admin("region_admin", Some(LINSHUI)).await;
    let city_admin = app.admin("region_admin", Some(GUANG_AN)).await;
    let pupil = app.user("李明", Some(LINSHUI)).await;
    let judge_a = app.user("评委甲", Some(LINSHUI)).await;
    let judge_b = app.user("评委乙", Some(LINSHUI)).await;
    let t0 = app.services().now();

    // Set-up: the city round first (the county round nominates to it).
    let r = app
        .post(
            "/api/v1/contests",
            Some(&county_admin.token),
            contest_body(GUANG_AN, t0, None, true),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let city = id_of(
        &app.post(
            "/api/v1/contests",
            Some(&city_admin.token),
            contest_body(GUANG_AN, t0, None, true),
        )
        .await,
    );
    let county = id_of(
        &app.post(
            "/api/v1/contests",
            Some(&county_admin.token),
            contest_body(LINSHUI, t0, Some(city), false),
        )
        .await,
    );
    let c = app.get(&format!("/api/v1/contests/{county}"), None).await;
    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
    assert_eq!(c.body["phase"], "entries");
    assert_eq!(c.body["edition_label"], "第36届");
    assert_eq!(c.body["parent"]["contest_id"], city);

    // Entries in the window; a bad one stores nothing.
    let entries = format!("/api/v1/contests/{county}/entries");
    let mut bad = entry_body("教室噪声提醒器", "邻水县第一中学");
    bad["group"] = json!("高中");
    let r = app.post(&entries, Some(&pupil.token), bad).await;
    r.assert_invalid_field("group");
    assert!(message(&r).contains("组别"), "{:?}", r.body);
    let e1 = id_of(
        &app.post(
            &entries,
            Some(&pupil.token),
            entry_body("教室噪声提醒器", "邻水县第一中学"),
        )
        .await,
    );
    let e2 = id_of(
        &app.post(
            &entries,
            Some(&pupil.token),
            entry_body("节水灌溉控制器", "邻水县第二中学"),
        )
        .await,
    );
    let e3 = id_of(
        &app.post(
            &entries,
            Some(&pupil.token),
            entry_body("校园垃圾分类机器人", "邻水县第三中学"),
        )
        .await,
    );
    before(&app, t0, ENTRIES, "submitting");
    assert_eq!(figures(&app).await, (3, 0), "entries count on submission");

    // Review, judges, a declared conflict, the assignment.
    let entry = |e: i64| format!("/api/v1/contests/{county}/entries/{e}");
    for e in [e1, e2] {
        let r = app
            .post(
                &format!("{}/accept", entry(e)),
                Some(&county_admin.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "accepted");
    }
    let r = app
        .post(
            &format!("{}/return", entry(e3)),
            Some(&county_admin.token),
            json!({"reason": "缺少研究报告"}),
        )
        .await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["reason"].as_str()),
        (Some("returned"), Some("缺少研究报告"))
    );
    let mut corrected = entry_body("校园垃圾分类机器人", "邻水县第三中学");
    let r = app
        .put(&entry(e3), Some(&county_admin.token), corrected.clone())
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the entrant only: {:?}",
        r.body
    );
    corrected["summary"] = json!("附研究报告：识别准确率 92%。");
    let r = app
        .put(&entry(e3), Some(&pupil.token), corrected.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["reason"].as_str()),
        (Some("submitted"), None)
    );
    let twice = app.put(&entry(e3), Some(&pupil.token), corrected).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    assert!(message(&twice).contains("被退回"), "{:?}", twice.body);
    let by_pupil = app
        .post(
            &format!("{}/accept", entry(e3)),
            Some(&pupil.token),
            json!({}),
        )
        .await;
    assert_eq!(
        by_pupil.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        by_pupil.body
    );
    let judges = format!("/api/v1/contests/{county}/judges");
    for (u, org) in [(&judge_a, "广安市科协"), (&judge_b, "华蓥市科协")] {
        let r = app
            .post(
                &judges,
                Some(&county_admin.token),
                json!({"user_id": u.id, "organization": org}),
            )
            .await;
        id_of(&r);
    }
    let listed = app.get(&judges, Some(&county_admin.token)).await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(2),
        "{:?}",
        listed.body
    );
    let r = app
        .post(
            &format!("/api/v1/contests/{county}/conflicts"),
            Some(&judge_a.token),
            json!({"kind": "tutor", "entry_id": e2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/contests/{county}/assignment"),
            Some(&county_admin.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let assigned = r.body["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(assigned.len(), 2, "accepted entries only: {:?}", r.body);
    let judge_ids = app.get(&judges, Some(&county_admin.token)).await.body;
    let judge_a_id = judge_ids[0]["id"].as_i64().unwrap_or_default();
    let judge_b_id = judge_ids[1]["id"].as_i64().unwrap_or_default();
    for a in &assigned {
        if a["entry_id"] == e2 {
            assert_eq!(
                a["judge_ids"],
                json!([judge_b_id]),
                "never the conflicted judge"
            );
        }
    }
    // An edit giving the conflicted entry to judge A is refused.
    let edit = app
        .put(
            &format!("/api/v1/contests/{county}/assignment"),
            Some(&county_admin.token),
            json!({"entries": [
                {"entry_id": e1, "judge_ids": [judge_b_id]},
                {"entry_id": e2, "judge_ids": [judge_a_id]},
            ]}),
        )
        .await;
    edit.assert_invalid_field("assignment");
    assert!(message(&edit).contains("利益冲突"), "{:?}", edit.body);
    let mine = app
        .get(
            &format!("/api/v1/contests/{county}/judging"),
            Some(&judge_a.token),
        )
        .await;
    let shown: Vec<i64> = mine
        .body
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(shown, vec![e1], "{:?}", mine.body);
    let hidden = app.get(&entry(e2), Some(&judge_a.token)).await;
    assert_eq!(hidden.status, StatusCode::FORBIDDEN, "{:?}", hidden.body);
    assert!(message(&hidden).contains("利益冲突"), "{:?}", hidden.body);
    before(&app, t0, ENTRIES, "setting up the judging");

    // Judging: the entry window is closed; scores, a revision, bad scores refused.
    until(&app, t0, ENTRIES).await;
    let late = app
        .post(
            &entries,
            Some(&pupil.token),
            entry_body("迟到的作品", "邻水县第四中学"),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{:?}", late.body);
    assert!(message(&late).contains("报名已截止"), "{:?}", late.body);
    let all = app.get(&entries, Some(&county_admin.token)).await;
    assert_eq!(all.body.as_array().map(Vec::len), Some(3), "nothing stored");
    let r = score(&app, county, e1, &judge_a, json!([8, 8])).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = score(&app, county, e1, &judge_a, json!([10, 9])).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["points"],
        json!([10, 9]),
        "the revision replaces the sheet"
    );
    let r = score(&app, county, e1, &judge_a, json!([11, 9])).await;
    r.assert_invalid_field("scores");
    assert!(message(&r).contains("0–10"), "{:?}", r.body);
    let conflicted = score(&app, county, e2, &judge_a, json!([9, 9])).await;
    assert_eq!(
        conflicted.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        conflicted.body
    );
    assert!(
        message(&conflicted).contains("利益冲突"),
        "{:?}",
        conflicted.body
    );
    let r = score(&app, county, e2, &judge_b, json!([7, 8])).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let kept = app
        .get(&format!("{}/score", entry(e1)), Some(&judge_a.token))
        .await;
    assert_eq!(kept.body["points"], json!([10, 9]), "{:?}", kept.body);
    let none = app
        .get(&format!("{}/score", entry(e2)), Some(&judge_a.token))
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{:?}", none.body);
    let votes = format!("/api/v1/contests/{county}/votes");
    let v = app
        .post(
            &votes,
            Some(&judge_a.token),
            json!({"winner_id": e1, "loser_id": e2}),
        )
        .await;
    assert_eq!(v.status, StatusCode::FORBIDDEN, "{:?}", v.body);
    let v = app
        .post(
            &votes,
            Some(&judge_b.token),
            json!({"winner_id": e1, "loser_id": e2}),
        )
        .await;
    assert_eq!(v.status, StatusCode::NO_CONTENT, "{:?}", v.body);
    let ranking = app
        .get(
            &format!("/api/v1/contests/{county}/ranking"),
            Some(&county_admin.token),
        )
        .await;
    assert_eq!(ranking.status, StatusCode::OK, "{:?}", ranking.body);
    assert_eq!(
        ranking.body["scores"][0]["entry_id"], e1,
        "{:?}",
        ranking.body
    );
    assert_eq!(ranking.body["scores"][0]["rank"], 1);
    assert_eq!(ranking.body["scores"][1]["rank"], 2);
    assert_eq!(ranking.body["pairwise"][0]["entry_id"], e1);
    before(&app, t0, JUDGING, "judging");

    // Awards after judging: more than configured is refused; then the notice.
    until(&app, t0, JUDGING).await;
    let awards = format!("/api/v1/contests/{county}/awards");
    let too_many = app
        .put(
            &awards,
            Some(&county_admin.token),
            json!({"awards": [
                {"entry_id": e1, "level": "一等奖"},
                {"entry_id": e2, "level": "一等奖"},
            ]}),
        )
        .await;
    too_many.assert_invalid_field("awards");
    assert!(
        message(&too_many).contains("一等奖最多 1 项"),
        "{:?}",
        too_many.body
    );
    let stored = app.get(&awards, Some(&county_admin.token)).await;
    assert_eq!(stored.body, json!([]), "nothing stored");
    let hidden = app.get(&awards, None).await;
    assert_eq!(
        hidden.status,
        StatusCode::FORBIDDEN,
        "not public before the notice"
    );
    let set = app
        .put(
            &awards,
            Some(&county_admin.token),
            json!({"awards": [
                {"entry_id": e1, "level": "一等奖"},
                {"entry_id": e2, "level": "二等奖"},
            ]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(figures(&app).await, (3, 0), "awards count from the notice");
    let early = app
        .post(
            &format!("{}/nominate", entry(e1)),
            Some(&county_admin.token),
            json!({}),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);
    let notice = app
        .post(
            &format!("/api/v1/contests/{county}/notice"),
            Some(&county_admin.token),
            json!({}),
        )
        .await;
    assert_eq!(notice.status, StatusCode::OK, "{:?}", notice.body);
    assert!(notice.body["notice_published_at"].is_string());
    before(&app, t0, NOTICE_OPEN, "setting the awards");
    assert_eq!(figures(&app).await, (3, 2));
    let public = app.get(&awards, None).await;
    assert_eq!(
        public.body.as_array().map(Vec::len),
        Some(2),
        "{:?}",
        public.body
    );

    // After the notice period: the winner goes to the city round, once.
    until(&app, t0, NOTICE_CLOSE).await;
    let nominate = format!("{}/nominate", entry(e1));
    let n = id_of(
        &app.post(&nominate, Some(&county_admin.token), json!({}))
            .await,
    );
    let twice = app
        .post(&nominate, Some(&county_admin.token), json!({}))
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{:?}", twice.body);
    assert!(message(&twice).contains("已推荐"), "{:?}", twice.body);
    let in_city = app
        .get(
            &format!("/api/v1/contests/{city}/entries"),
            Some(&city_admin.token),
        )
        .await;
    assert_eq!(
        in_city.body.as_array().map(Vec::len),
        Some(1),
        "{:?}",
        in_city.body
    );
    let got = &in_city.body[0];
    assert_eq!(got["id"], n);
    assert_eq!(got["status"], "submitted");
    assert_eq!(got["title"], "教室噪声提醒器");
    assert_eq!(
        got["origin"],
        json!({"from_contest_id": county, "from_round_region": LINSHUI, "award": "一等奖"})
    );
    assert_eq!(
        figures(&app).await,
        (3, 2),
        "a nomination is not a new entry"
    );
    let city_figures = app
        .get(&format!("/api/v1/stats?region={GUANG_AN}"), None)
        .await;
    assert_eq!(city_figures.body["metrics"]["contest_entries"], 3);
}
