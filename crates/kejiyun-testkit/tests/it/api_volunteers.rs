//! Volunteers and teams through HTTP on the real server: registration with a checked ID-card
//! number (sealed in the database, masked in answers, the full number only for the person and
//! their region's admins and audited), a duplicate number refused, teams 支队 → 大队 with a
//! join request the leader decides, the leader changed by the region admin, the figures
//! `volunteers` / `teams` exact, the roster's export neutralising formulas, and the .xlsx
//! import: a dry run lists every bad row, a sheet with a bad row imports nothing.

use kejiyun_testkit::{TestApp, TestUser, client};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::api_market_support::{LINSHUI, YUECHI};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A valid GB 11643 number: a fixed birth date, `seq` as the sequence, then the check digit.
pub fn id_number(seq: u32) -> String {
    let body = format!("51162319800101{:03}", seq % 1000);
    let check = kejiyun_core::accounts::IdCardNumber::check_digit(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// Registers `who` as a volunteer in Linshui.
pub async fn register(app: &TestApp, who: &TestUser, name: &str, seq: u32) -> Value {
    let r = app
        .post(
            "/api/v1/volunteers",
            Some(&who.token),
            json!({
                "name": name, "id_card": id_number(seq), "phone": who.login,
                "region": LINSHUI, "skills": ["farming", "法律"], "availability": "周末",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn figures(app: &TestApp) -> (i64, i64) {
    let s = app
        .get(&format!("/api/v1/stats?region={LINSHUI}"), None)
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    (
        s.body["metrics"]["volunteers"].as_i64().unwrap_or(-1),
        s.body["metrics"]["teams"].as_i64().unwrap_or(-1),
    )
}

fn message(r: &kejiyun_testkit::Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn register_mask_reveal_with_audit_and_refuse_a_duplicate_number() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let other_admin = app.admin("region_admin", Some(YUECHI)).await;
    let farmer = app.user("王小明", Some(LINSHUI)).await;
    let second = app.user("李四", Some(LINSHUI)).await;

    // A wrong check digit, an unknown skill: Chinese 422, nothing stored.
    let mut bad = json!({
        "name": "王小明", "id_card": "110105194912310021", "phone": farmer.login,
        "region": LINSHUI, "skills": ["farming"],
    });
    let r = app
        .post("/api/v1/volunteers", Some(&farmer.token), bad.clone())
        .await;
    r.assert_invalid_field("id_card");
    assert!(message(&r).contains("身份证"), "{:?}", r.body);
    bad["id_card"] = json!(id_number(1));
    bad["skills"] = json!(["算命"]);
    app.post("/api/v1/volunteers", Some(&farmer.token), bad)
        .await
        .assert_invalid_field("skills");
    assert_eq!(figures(&app).await, (0, 0));

    let v = register(&app, &farmer, "王小明", 1).await;
    let id = v["id"].as_i64().unwrap_or(0);
    let full = id_number(1);
    assert_eq!(
        v["id_card"],
        json!(format!("{}********{}", &full[..6], &full[14..]))
    );
    assert_eq!(v["skills"][0]["code"], "farming");
    assert_eq!(figures(&app).await, (1, 0));

    // Registered already; the same number by someone else.
    let again = app
        .post(
            "/api/v1/volunteers",
            Some(&farmer.token),
            json!({"name": "王小明", "id_card": id_number(2), "phone": farmer.login,
                   "region": LINSHUI, "skills": ["law"]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    let dup = app
        .post(
            "/api/v1/volunteers",
            Some(&second.token),
            json!({"name": "李四", "id_card": full.to_lowercase(), "phone": second.login,
                   "region": LINSHUI, "skills": ["law"]}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{:?}", dup.body);
    assert!(message(&dup).contains("已登记"), "{:?}", dup.body);
    assert_eq!(figures(&app).await, (1, 0));

    // The full number: the person and their region's admin, audited; nobody else.
    let own = app
        .get(
            &format!("/api/v1/volunteers/{id}/id-card"),
            Some(&farmer.token),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
    assert_eq!(own.body["id_card"], json!(full));
    let (_, headers, _) = app
        .get_bytes(
            &format!("/api/v1/volunteers/{id}/id-card"),
            Some(&admin.token),
        )
        .await;
    assert!(
        headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"))
    );
    for outsider in [&other_admin, &second] {
        let r = app
            .get(
                &format!("/api/v1/volunteers/{id}/id-card"),
                Some(&outsider.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    let audit = app.get("/api/v1/audit", Some(&admin.token)).await;
    let reads = audit.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["action"] == "volunteer.id_card.read")
                .count()
        })
        .unwrap_or(0);
    assert_eq!(reads, 2, "{:?}", audit.body);

    // What the database holds is sealed: no digit run of the number in it.
    let sealed = app
        .services()
        .store
        .reveal_id_card(
            kejiyun_core::ids::VolunteerId(id),
            kejiyun_core::audit::AuditRecord {
                actor: None,
                at: app.services().now(),
                action: "test.read".into(),
                target_kind: "volunteer".into(),
                target_id: id.to_string(),
                region: None,
                before: None,
                after: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("stored"));
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(!sealed.contains(&full[6..14]), "{sealed}");

    // The admin's roster and export: masked numbers, formulas neutralised.
    let evil = app.user("钱七", Some(LINSHUI)).await;
    let r = app
        .post(
            "/api/v1/volunteers",
            Some(&evil.token),
            json!({"name": "钱七", "id_card": id_number(3), "phone": evil.login,
                   "region": LINSHUI, "skills": ["it"], "availability": "=HYPERLINK(\"http://x\")"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let list = app.get("/api/v1/volunteers", Some(&admin.token)).await;
    assert_eq!(list.body["total"], 2, "{:?}", list.body);
    let elsewhere = app
        .get(
            &format!("/api/v1/volunteers?region={LINSHUI}"),
            Some(&other_admin.token),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let (status, headers, csv) = app
        .get_bytes("/api/v1/volunteers/export?format=csv", Some(&admin.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("attachment"))
    );
    let csv = String::from_utf8_lossy(&csv);
    assert!(csv.contains("王小明"), "{csv}");
    assert!(
        !csv.contains(&full),
        "the full number never leaves in an export"
    );
    assert!(
        csv.contains("\"'=HYPERLINK("),
        "a formula stays text: {csv}"
    );
    let (status, _, xlsx) = app
        .get_bytes("/api/v1/volunteers/export?format=xlsx", Some(&admin.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"));
    app.stop().await;
}

#[tokio::test]
async fn teams_nest_and_the_leader_decides_who_joins() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let other_admin = app.admin("region_admin", Some(YUECHI)).await;
    let leader = app.user("张队长", Some(LINSHUI)).await;
    let member = app.user("刘志愿", Some(LINSHUI)).await;
    let outsider = app.user("路人", Some(LINSHUI)).await;
    let next_leader = app.user("陈新队长", Some(LINSHUI)).await;
    register(&app, &leader, "张队长", 11).await;
    register(&app, &member, "刘志愿", 12).await;
    register(&app, &next_leader, "陈新队长", 13).await;

    let team = |name: &str, level: &str, parent: Option<i64>, lead: &TestUser| {
        json!({"name": name, "level": level, "parent_id": parent, "region": LINSHUI,
               "leader_id": lead.id, "description": "农技服务"})
    };
    // Only the region's admin; the leader must be a volunteer.
    let r = app
        .post(
            "/api/v1/volunteer-teams",
            Some(&other_admin.token),
            team("邻水县科技志愿服务支队", "detachment", None, &leader),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    app.post(
        "/api/v1/volunteer-teams",
        Some(&admin.token),
        team("邻水县科技志愿服务支队", "detachment", None, &outsider),
    )
    .await
    .assert_invalid_field("leader");
    let top = app
        .post(
            "/api/v1/volunteer-teams",
            Some(&admin.token),
            team("邻水县科技志愿服务支队", "detachment", None, &leader),
        )
        .await;
    assert_eq!(top.status, StatusCode::CREATED, "{:?}", top.body);
    let top_id = top.body["id"].as_i64().unwrap_or(0);
    assert_eq!(top.body["members"], 1, "the leader is the first member");
    // A 小队 cannot sit under a 支队; a 大队 can.
    app.post(
        "/api/v1/volunteer-teams",
        Some(&admin.token),
        team("坛同镇小队", "squad", Some(top_id), &leader),
    )
    .await
    .assert_invalid_field("parent");
    let sub = app
        .post(
            "/api/v1/volunteer-teams",
            Some(&admin.token),
            team("农技服务大队", "brigade", Some(top_id), &leader),
        )
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{:?}", sub.body);
    let detail = app
        .get(&format!("/api/v1/volunteer-teams/{top_id}"), None)
        .await;
    assert_eq!(detail.body["sub_teams"][0]["name"], "农技服务大队");
    assert_eq!(figures(&app).await, (3, 2));

    // Join: not a volunteer → 409; asked twice → 409; declined needs a reason.
    let r = app
        .post(
            &format!("/api/v1/volunteer-teams/{top_id}/join"),
            Some(&outsider.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    let asked = app
        .post(
            &format!("/api/v1/volunteer-teams/{top_id}/join"),
            Some(&member.token),
            json!({}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:?}", asked.body);
    let twice = app
        .post(
            &format!("/api/v1/volunteer-teams/{top_id}/join"),
            Some(&member.token),
            json!({}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let decide = format!(
        "/api/v1/volunteer-teams/{top_id}/members/{}/decision",
        member.id
    );
    let r = app
        .post(&decide, Some(&member.token), json!({"approve": true}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only the leader decides");
    app.post(&decide, Some(&leader.token), json!({"approve": false}))
        .await
        .assert_invalid_field("reason");
    let r = app
        .post(&decide, Some(&leader.token), json!({"approve": true}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let again = app
        .post(&decide, Some(&leader.token), json!({"approve": true}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let mine = app
        .get("/api/v1/me/volunteer-teams", Some(&member.token))
        .await;
    assert_eq!(mine.body[0]["status"], "approved", "{:?}", mine.body);
    let members = app
        .get(&format!("/api/v1/volunteer-teams/{top_id}/members"), None)
        .await;
    assert_eq!(members.body.as_array().map_or(0, Vec::len), 2);

    // The region admin changes the leader (audited); another region's admin cannot.
    let path = format!("/api/v1/volunteer-teams/{top_id}/leader");
    let r = app
        .put(
            &path,
            Some(&other_admin.token),
            json!({"leader_id": next_leader.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .put(
            &path,
            Some(&admin.token),
            json!({"leader_id": next_leader.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["leader_name"], "陈新队长");
    assert_eq!(r.body["members"], 3);
    assert_eq!(figures(&app).await, (3, 2));
    app.stop().await;
}

fn sheet(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, u16::try_from(c).unwrap_or(0), *h)
            .unwrap_or_else(|e| panic!("xlsx: {e}"));
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(
                u32::try_from(r + 1).unwrap_or(0),
                u16::try_from(c).unwrap_or(0),
                v,
            )
            .unwrap_or_else(|e| panic!("xlsx: {e}"));
        }
    }
    book.save_to_buffer()
        .unwrap_or_else(|e| panic!("xlsx: {e}"))
}

async fn import(
    app: &TestApp,
    who: &TestUser,
    path: &str,
    dry_run: bool,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let resp = client()
        .post(app.url(&format!("{path}?dry_run={dry_run}")))
        .bearer_auth(&who.token)
        .header("content-type", XLSX)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("import: {e}"));
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn volunteers_and_teams_import_all_or_nothing_with_every_bad_row_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let farmer = app.user("周大伯", Some(LINSHUI)).await;
    let headers = [
        "姓名",
        "身份证号",
        "手机号",
        "地区代码",
        "技能",
        "可服务时间",
    ];
    let row = |name: &str, id: String, phone: &str, region: &str, skills: &str| {
        vec![
            name.to_owned(),
            id,
            phone.to_owned(),
            region.to_owned(),
            skills.to_owned(),
            "周末".to_owned(),
        ]
    };
    let good = vec![
        row("周大伯", id_number(21), &farmer.login, LINSHUI, "种养植"),
        row(
            "吴大姐",
            id_number(22),
            "13700000022",
            LINSHUI,
            "营养健康、法律",
        ),
    ];
    let mut bad = good.clone();
    bad.push(row(
        "错号",
        "110105194912310021".into(),
        "13700000023",
        LINSHUI,
        "法律",
    ));
    bad.push(row("外县", id_number(24), "13700000024", YUECHI, "法律"));
    bad.push(row("重复", id_number(21), "13700000025", LINSHUI, "法律"));
    bad.push(row(
        "无名地",
        id_number(26),
        "13700000026",
        "999999",
        "法律",
    ));

    let path = "/api/v1/volunteers/import";
    let (status, report) = import(&app, &admin, path, true, sheet(&headers, &bad)).await;
    assert_eq!(status, StatusCode::OK, "{report:?}");
    let rows: Vec<i64> = report["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["row"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(rows, vec![4, 5, 6, 7], "{report:?}");
    let (status, report) = import(&app, &admin, path, false, sheet(&headers, &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report:?}");
    assert_eq!(report["imported"], 0);
    assert_eq!(figures(&app).await, (0, 0), "nothing half-imported");
    let (status, _) = import(&app, &farmer, path, true, sheet(&headers, &good)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, report) = import(&app, &admin, path, false, sheet(&headers, &good)).await;
    assert_eq!(status, StatusCode::CREATED, "{report:?}");
    assert_eq!(report["imported"], 2);
    assert_eq!(figures(&app).await, (2, 0));
    // The existing account got the profile; the new phone got an account without a password.
    let me = app.get("/api/v1/volunteers/me", Some(&farmer.token)).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    let login = app.try_login("13700000022", "whatever-1").await;
    assert_ne!(login.status, StatusCode::OK);
    // Importing the same sheet again: every row is a duplicate.
    let (_, report) = import(&app, &admin, path, true, sheet(&headers, &good)).await;
    assert_eq!(
        report["errors"].as_array().map_or(0, Vec::len),
        2,
        "{report:?}"
    );

    // Teams: a parent later in the sheet still comes first; a bad leader names its row.
    let team_headers = ["队伍名称", "层级", "上级队伍", "地区代码", "队长手机号"];
    let t = |name: &str, level: &str, parent: &str, phone: &str| {
        vec![
            name.to_owned(),
            level.to_owned(),
            parent.to_owned(),
            LINSHUI.to_owned(),
            phone.to_owned(),
        ]
    };
    let teams_path = "/api/v1/volunteer-teams/import";
    let bad_teams = vec![
        t(
            "农技服务大队",
            "大队",
            "邻水县科技志愿服务支队",
            "13700000022",
        ),
        t("邻水县科技志愿服务支队", "支队", "", &farmer.login),
        t("无名小队", "小队", "不存在的大队", "13700000022"),
        t("外人小队", "小队", "农技服务大队", "13600000000"),
    ];
    let (status, report) = import(
        &app,
        &admin,
        teams_path,
        false,
        sheet(&team_headers, &bad_teams),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report:?}");
    let rows: Vec<i64> = report["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["row"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(rows, vec![4, 5], "{report:?}");
    assert_eq!(figures(&app).await, (2, 0));
    let (status, report) = import(
        &app,
        &admin,
        teams_path,
        false,
        sheet(&team_headers, &bad_teams[..2]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{report:?}");
    assert_eq!(figures(&app).await, (2, 2));
    let list = app
        .get(&format!("/api/v1/volunteer-teams?region={LINSHUI}"), None)
        .await;
    let brigade = list.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["name"] == "农技服务大队").cloned())
        .unwrap_or(Value::Null);
    assert!(brigade["parent_id"].as_i64().is_some(), "{:?}", list.body);
    app.stop().await;
}
