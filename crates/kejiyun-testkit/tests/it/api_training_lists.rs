//! A training's enrolment list (.xlsx through the import engine) and its certificate, over
//! HTTP: a dry run reports every bad row by its row number and writes nothing; an import with
//! a bad row enrolls nobody; a clean one enrolls everybody; a list longer than the places left
//! is refused whole. An attendee present at a session takes a certificate anyone can verify.

use kejiyun_testkit::{TestApp, TestUser, client};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::api_market_support::LINSHUI;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An .xlsx list: the template's headers, then one row per (name, login).
fn list(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let mut write = |r: u32, c: u16, v: &str| {
        ws.write_string(r, c, v)
            .unwrap_or_else(|e| panic!("xlsx: {e}"));
    };
    write(0, 0, "姓名");
    write(0, 1, "手机号或邮箱");
    for (i, (name, login)) in rows.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        write(r, 0, name);
        write(r, 1, login);
    }
    book.save_to_buffer()
        .unwrap_or_else(|e| panic!("xlsx: {e}"))
}

async fn import(
    app: &TestApp,
    who: &TestUser,
    id: i64,
    dry_run: bool,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let resp = client()
        .post(app.url(&format!(
            "/api/v1/trainings/{id}/enrolments/import?dry_run={dry_run}"
        )))
        .bearer_auth(&who.token)
        .header("content-type", XLSX)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("import: {e}"));
    let status = resp.status();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn enrolled(app: &TestApp, admin: &TestUser, id: i64) -> usize {
    let r = app
        .get(
            &format!("/api/v1/trainings/{id}/enrolments"),
            Some(&admin.token),
        )
        .await;
    r.body.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn an_enrolment_list_imports_all_or_nothing_and_attendance_earns_a_certificate() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let a = app.user("周大伯", Some(LINSHUI)).await;
    let b = app.user("王大姐", Some(LINSHUI)).await;
    let c = app.user("李叔", Some(LINSHUI)).await;
    let created = app
        .post(
            "/api/v1/trainings",
            Some(&admin.token),
            json!({
                "kind": "practical_tech", "title": "柑橘春季修剪实用技术培训", "region": LINSHUI,
                "place": "邻水县农业农村局", "capacity": 3, "audience": "柑橘种植户",
                "sessions": [
                    {"starts_at": "2026-06-10 09:00", "ends_at": "2026-06-10 12:00"},
                    {"starts_at": "2026-06-11 09:00", "ends_at": "2026-06-11 12:00"},
                ],
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap_or_default();

    // A dry run: every bad row by its number, nothing written.
    let bad = list(&[
        ("周大伯", &a.login),
        ("无名", "13900009999"),
        ("周大伯", &a.login),
        ("错号", "1380000"),
    ]);
    let (status, report) = import(&app, &admin, id, true, bad.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report:?}");
    assert_eq!(report["valid_rows"], 1);
    let rows: Vec<i64> = report["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["row"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(rows, vec![3, 4, 5], "{report:?}");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("尚未注册")
    );
    assert_eq!(enrolled(&app, &admin, id).await, 0);

    // The same list for real: nobody, and the report says why.
    let (status, report) = import(&app, &admin, id, false, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report:?}");
    assert_eq!(report["imported"], 0);
    assert_eq!(enrolled(&app, &admin, id).await, 0, "all or nothing");

    // Not the organizer, not a spreadsheet, more people than places: refused whole.
    let (status, _) = import(&app, &a, id, true, list(&[("王大姐", &b.login)])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = import(&app, &admin, id, true, b"name,phone\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:?}");
    let extra = app.user("赵婶", Some(LINSHUI)).await;
    let d = app.user("钱伯", Some(LINSHUI)).await;
    let four = list(&[
        ("a", &a.login),
        ("b", &b.login),
        ("c", &c.login),
        ("d", &d.login),
    ]);
    let (status, body) = import(&app, &admin, id, true, four).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body:?}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("剩余名额")
    );

    // A clean list: everybody, in one go; the same people again are reported as enrolled.
    let clean = list(&[("周大伯", &a.login), ("王大姐", &b.login)]);
    let (status, report) = import(&app, &admin, id, false, clean.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{report:?}");
    assert_eq!(report["imported"], 2);
    assert_eq!(enrolled(&app, &admin, id).await, 2);
    let (_, again) = import(&app, &admin, id, true, clean).await;
    assert_eq!(
        again["errors"].as_array().map(Vec::len),
        Some(2),
        "{again:?}"
    );
    let _ = extra;

    // The template and the organizer's page.
    let (status, headers, bytes) = app
        .get_bytes(
            "/api/v1/trainings/enrolment-template.xlsx",
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], XLSX);
    assert!(bytes.starts_with(b"PK"), "an .xlsx is a zip");
    let (status, html) = app
        .page(Some(&admin), None, &format!("/trainings/{id}/import"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"import-template\""));

    // The certificate: after attendance only; the same one when asked again; verifiable.
    let take = |who: &TestUser| {
        let path = format!("/api/v1/trainings/{id}/certificate");
        let token = who.token.clone();
        let app = &app;
        async move { app.post(&path, Some(&token), json!({})).await }
    };
    let r = take(&a).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("出勤")
    );
    let t = app.get(&format!("/api/v1/trainings/{id}"), None).await;
    let s1 = t.body["sessions"][0]["id"].as_i64().unwrap_or_default();
    let marked = app
        .put(
            &format!("/api/v1/trainings/{id}/sessions/{s1}/roll/{}", a.id),
            Some(&admin.token),
            json!({"present": true}),
        )
        .await;
    assert!(marked.status.is_success(), "{:?}", marked.body);
    let first = take(&a).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let code = first.body["certificate"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        take(&a).await.body["certificate"]["code"],
        code.as_str(),
        "the same one"
    );
    let verified = app.get(&format!("/api/v1/certificates/{code}"), None).await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    assert_eq!(verified.body["detail"], "出勤 1 次（共 2 次课）");
    assert_eq!(verified.body["issuer"], "邻水县科学技术协会");
    assert_eq!(verified.body["kind"], "training");
    let r = take(&b).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "enrolled but never present");
    app.stop().await;
}
