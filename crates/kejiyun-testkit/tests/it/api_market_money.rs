//! Money and uploads: sums of many deal amounts are exact to the fen; bad amounts are refused
//! with nothing written; offline contracts with their evidence file (type judged by the bytes,
//! size limited, downloaded byte-exact); the new paths in the OpenAPI document.

use kejiyun_testkit::{Backend, Part, Reply, TestApp, TestDatabase, TestUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{
    Cast, LINSHUI, YUECHI, cast, get_deal, ids, items, need_body, propose_deal, published,
    service_body,
};

/// A published need of the farmer and a published service of the expert.
async fn subject(app: &TestApp, c: &Cast) -> (i64, i64) {
    let need = c.publish_farmers_need(app).await;
    let service = c.publish_experts_service(app).await;
    (need, service)
}

/// Every deal of the admin's regions, all pages.
async fn all_deals(app: &TestApp, admin: &TestUser) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let r = app
            .get(
                &format!("/api/v1/deals?region={LINSHUI}&per_page=100&page={page}"),
                Some(&admin.token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let batch = items(&r.body);
        if batch.is_empty() {
            break;
        }
        out.extend(batch);
    }
    out
}

#[tokio::test]
async fn sums_of_many_amounts_are_exact() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let (need, service) = subject(&app, &c).await;
    // 253 deals summing to 65792.06万元 = 65,792,060,000 fen, with odd fen everywhere.
    let total: i64 = 65_792_060_000;
    let n = 253i64;
    let mut amounts: Vec<i64> = (0..n - 1)
        .map(|i| total / n + (i * 7919) % 1000 - 500)
        .collect();
    let so_far: i64 = amounts.iter().sum();
    amounts.push(total - so_far);
    for amount in &amounts {
        let r = propose_deal(&app, &c.farmer, json!({ "need_id": need, "service_id": service, "amount_fen": amount, "deal_date": "2025-06-30" })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{amount}: {:?}", r.body);
    }
    let listed = all_deals(&app, &c.admin).await;
    assert_eq!(listed.len(), 253);
    let sum: i64 = listed.iter().filter_map(|d| d["amount_fen"].as_i64()).sum();
    assert_eq!(sum, total, "exact to the fen");
    let mut got: Vec<i64> = listed
        .iter()
        .filter_map(|d| d["amount_fen"].as_i64())
        .collect();
    got.sort_unstable();
    amounts.sort_unstable();
    assert_eq!(got, amounts, "every amount as given");
    let first = app
        .get(
            "/api/v1/deals?mine=true&per_page=100",
            Some(&c.expert.token),
        )
        .await;
    assert_eq!(first.body["total"], 253);
    assert_eq!(first.body["per_page"], 100);
    app.stop().await;
}

#[tokio::test]
async fn bad_amounts_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let (need, service) = subject(&app, &c).await;
    let deal = |amount: Value| json!({ "need_id": need, "service_id": service, "amount_fen": amount, "deal_date": "2025-06-30" });
    let over_ceiling = 1_000_000_000_000i64 + 1;
    for (amount, why) in [
        (json!(-1), "negative"),
        (json!(12.5), "fractional in JSON"),
        (json!(over_ceiling), "above 100亿元"),
        (json!(1e30), "absurd"),
        (json!(i64::MAX), "absurd"),
        (json!("12345"), "a string"),
        (json!(null), "missing"),
    ] {
        let r = propose_deal(&app, &c.farmer, deal(amount)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {:?}",
            r.body
        );
        assert!(
            !r.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
    }
    let r = propose_deal(&app, &c.farmer, json!({ "need_id": need, "service_id": service, "amount_fen": 100, "deal_date": "2999-01-01" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a future date");
    assert_eq!(r.body["error"]["field"], "deal_date");
    let raw = format!(
        "{{\"need_id\": {need}, \"service_id\": {service}, \"amount_fen\": 12,5, \"deal_date\": \"2025-06-30\"}}"
    );
    let resp = app
        .client
        .post(app.url("/api/v1/deals"))
        .bearer_auth(&c.farmer.token)
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap_or_else(|e| panic!("request: {e}"));
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "malformed JSON");
    for (body, why) in [
        (
            json!({ "need_id": need, "price_fen": -300, "timeline_days": 30, "method": "上门诊断三次并出具方案" }),
            "negative quote",
        ),
        (
            json!({ "need_id": need, "price_fen": 300.01, "timeline_days": 30, "method": "上门诊断三次并出具方案" }),
            "fractional quote",
        ),
        (
            json!({ "need_id": need, "price_fen": over_ceiling, "timeline_days": 30, "method": "上门诊断三次并出具方案" }),
            "absurd quote",
        ),
    ] {
        let r = app
            .post("/api/v1/quotes", Some(&c.expert.token), body)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {:?}",
            r.body
        );
    }
    let r = app
        .post(
            "/api/v1/needs",
            Some(&c.farmer.token),
            crate::api_market_support::with(need_body(LINSHUI), "budget_fen", json!(-5)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["field"], "budget_fen");

    assert!(
        all_deals(&app, &c.admin).await.is_empty(),
        "no deal written"
    );
    let quotes = app.get("/api/v1/quotes", Some(&c.expert.token)).await;
    assert_eq!(quotes.body["total"], 0, "no quote written");
    let needs = app
        .get("/api/v1/needs?mine=true", Some(&c.farmer.token))
        .await;
    assert_eq!(needs.body["total"], 1, "only the published need");
    app.stop().await;
}

/// A small but real-looking PDF whose bytes cover every value 0–255.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    let mut i: u32 = 0;
    while bytes.len() < len.saturating_sub(6) {
        bytes.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
        bytes.push((i % 256) as u8);
        i += 1;
    }
    bytes.extend_from_slice(b"%%EOF\n");
    bytes.truncate(len.max(16));
    bytes
}

/// `who` (or a visitor) records an offline contract: `parts` are its data and evidence.
async fn record_offline_deal(app: &TestApp, who: Option<&TestUser>, parts: &[Part]) -> Reply {
    app.post_multipart(
        "/api/v1/deals/offline",
        who.map(|u| u.token.as_str()),
        parts,
    )
    .await
}

fn offline_data(need: i64, service: i64, amount: i64) -> String {
    json!({ "need_id": need, "service_id": service, "amount_fen": amount, "deal_date": "2025-11-20", "note": "线下签订技术服务合同" })
        .to_string()
}

#[tokio::test]
async fn offline_contract_with_evidence() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let yuechi_admin = app.admin("region_admin", Some(YUECHI)).await;
    let (need, service) = subject(&app, &c).await;
    // Bigger than the 1 MB general body limit: this route has its own limit.
    let file = pdf(1_500_000);
    // The contract's data and its evidence, as every attempt below sends them.
    let contract = || {
        vec![
            Part::text("data", &offline_data(need, service, 12_345_678)),
            Part::file(
                "evidence",
                "技术服务合同（扫描件）.pdf",
                "application/pdf",
                file.clone(),
            ),
        ]
    };

    let r = record_offline_deal(&app, Some(&yuechi_admin), &contract()).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "another county: {:?}",
        r.body
    );
    let r = record_offline_deal(&app, Some(&c.farmer), &contract()).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "not an admin: {:?}",
        r.body
    );
    let r = record_offline_deal(&app, None, &contract()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        all_deals(&app, &c.admin).await.is_empty(),
        "nothing recorded"
    );

    let r = record_offline_deal(&app, Some(&c.admin), &contract()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let deal = r.body["id"].as_i64().unwrap_or_default();
    let d = get_deal(&app, &c.farmer, deal).await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    assert_eq!(
        d.body["status"], "confirmed",
        "an offline contract counts at once"
    );
    assert_eq!(d.body["origin"]["code"], "offline");
    assert_eq!(d.body["amount_fen"], 12_345_678);
    assert_eq!(d.body["recorded_by"], c.admin.id);
    assert_eq!(d.body["requester_id"], c.farmer.id);
    assert_eq!(d.body["provider_id"], c.expert.id);
    assert_eq!(d.body["evidence"]["content_type"], "application/pdf");
    assert_eq!(d.body["evidence"]["size"], 1_500_000);
    assert_eq!(
        d.body["evidence"]["file_name"],
        "技术服务合同（扫描件）.pdf"
    );
    let url = d.body["evidence"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(url, format!("/api/v1/deals/{deal}/evidence"));

    for who in [&c.admin, &c.farmer, &c.expert] {
        let (status, headers, bytes) = app.get_bytes(&url, Some(&who.token)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            bytes == file,
            "byte-exact ({} vs {} bytes)",
            bytes.len(),
            file.len()
        );
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-type"), "application/pdf");
        assert_eq!(header("x-content-type-options"), "nosniff");
        let disposition = header("content-disposition");
        assert!(
            disposition.starts_with("attachment; filename*=UTF-8''"),
            "{disposition}"
        );
        assert!(disposition.ends_with(".pdf"), "{disposition}");
        assert!(
            disposition.contains("%E6%8A%80%E6%9C%AF"),
            "技术 percent-encoded: {disposition}"
        );
    }
    let stranger = app.user("路人", Some(LINSHUI)).await;
    for outsider in [&stranger, &yuechi_admin] {
        let (status, _, bytes) = app.get_bytes(&url, Some(&outsider.token)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!bytes.starts_with(b"%PDF"));
    }
    let (status, _, _) = app.get_bytes(&url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let audit = app.get("/api/v1/audit", Some(&c.admin.token)).await;
    assert!(
        items(&audit.body)
            .iter()
            .any(|e| e["action"] == "deal.record_offline")
    );
    let listed = all_deals(&app, &c.admin).await;
    assert_eq!(listed.len(), 1);
    let yuechi = app.get("/api/v1/deals", Some(&yuechi_admin.token)).await;
    assert!(!ids(&yuechi.body).contains(&deal));

    // A PNG works too; its type comes from the bytes, not the name.
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        &[7u8; 500][..],
    ]
    .concat();
    let r = record_offline_deal(
        &app,
        Some(&c.admin),
        &[
            Part::text("data", &offline_data(need, service, 1)),
            Part::file("evidence", "photo.jpg", "image/jpeg", png),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let png_deal = r.body["id"].as_i64().unwrap_or_default();
    let (_, headers, _) = app
        .get_bytes(
            &format!("/api/v1/deals/{png_deal}/evidence"),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    let d = get_deal(&app, &c.admin, deal).await;
    assert!(d.body["evidence"].is_object());
    let (need2, _) = (need, service);
    let r = propose_deal(&app, &c.farmer, json!({ "need_id": need2, "service_id": service, "amount_fen": 5, "deal_date": "2025-06-30" })).await;
    let direct = r.body["id"].as_i64().unwrap_or_default();
    let (status, _, _) = app
        .get_bytes(
            &format!("/api/v1/deals/{direct}/evidence"),
            Some(&c.farmer.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a deal without a file");
    app.stop().await;
}

/// Every posting an offline contract binds must be in the recording admin's regions, not only
/// the one the deal counts in: 邻水县's admin may not bind 岳池县's need to a 邻水县
/// achievement (the deal would count in 邻水县), nor a 岳池县 service to a 邻水县 need.
#[tokio::test]
async fn offline_contract_binds_only_postings_of_the_admins_regions() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let yuechi_admin = app.admin("region_admin", Some(YUECHI)).await;
    let yuechi_farmer = app.user("岳池农户", Some(YUECHI)).await;
    let yuechi_expert = app.tech_worker("岳池农技员", YUECHI).await;
    let own_achievement = c.publish_experts_achievement(&app).await;
    let own_need = c.publish_farmers_need(&app).await;
    let their_need = published(
        &app,
        &yuechi_admin,
        "needs",
        &yuechi_farmer,
        need_body(YUECHI),
    )
    .await;
    let their_service = published(
        &app,
        &yuechi_admin,
        "services",
        &yuechi_expert,
        service_body(YUECHI, "county"),
    )
    .await;
    let attempts = [
        json!({ "need_id": their_need, "achievement_id": own_achievement, "amount_fen": 100_000, "deal_date": "2025-11-20" }),
        json!({ "need_id": own_need, "service_id": their_service, "amount_fen": 100_000, "deal_date": "2025-11-20" }),
    ];
    for data in attempts {
        let r = record_offline_deal(
            &app,
            Some(&c.admin),
            &[
                Part::text("data", &data.to_string()),
                Part::file("evidence", "合同.pdf", "application/pdf", pdf(2_000)),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{data}: {:?}", r.body);
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("岳池县"), "names the region: {message}");
    }
    assert!(
        all_deals(&app, &c.admin).await.is_empty(),
        "nothing recorded"
    );
    let r = app
        .get(
            &format!("/api/v1/deals?region={YUECHI}"),
            Some(&yuechi_admin.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(
        items(&r.body).is_empty(),
        "nothing recorded in 岳池县 either"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_and_nothing_is_half_written() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |cfg| cfg.upload_limit_bytes = 64 * 1024).await;
    let c = cast(&app).await;
    let (need, service) = subject(&app, &c).await;
    let data = offline_data(need, service, 500_000);
    let post = |parts: Vec<Part>| {
        let (app, admin) = (&app, &c.admin);
        async move { record_offline_deal(app, Some(admin), &parts).await }
    };

    let exe = [&b"MZ\x90\x00\x03\x00\x00\x00"[..], &[0u8; 400][..]].concat();
    let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec();
    for (name, ct, bytes, why) in [
        (
            "setup.exe",
            "application/x-msdownload",
            exe.clone(),
            "an .exe",
        ),
        ("合同.pdf", "application/pdf", exe, "an .exe named .pdf"),
        ("合同.html", "text/html", html.clone(), "HTML"),
        ("合同.pdf", "application/pdf", html, "HTML named .pdf"),
        ("合同.pdf", "application/pdf", Vec::new(), "empty"),
    ] {
        let r = post(vec![
            Part::text("data", &data),
            Part::file("evidence", name, ct, bytes),
        ])
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {:?}",
            r.body
        );
        assert_eq!(r.body["error"]["field"], "evidence", "{why}");
    }

    // Over the limit: just above it (the handler's check) and far above (refused while reading).
    for size in [64 * 1024 + 1, 300 * 1024] {
        let r = post(vec![
            Part::text("data", &data),
            Part::file("evidence", "合同.pdf", "application/pdf", pdf(size)),
        ])
        .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{size}: {:?}",
            r.body
        );
        assert_eq!(r.error_code(), "payload_too_large");
    }

    let pdf_ok = pdf(10_000);
    let cases: Vec<(Vec<Part>, StatusCode, &str)> = vec![
        (
            vec![Part::file("evidence", "合同.pdf", "application/pdf", pdf_ok.clone())],
            StatusCode::UNPROCESSABLE_ENTITY,
            "no data",
        ),
        (vec![Part::text("data", &data)], StatusCode::UNPROCESSABLE_ENTITY, "no file"),
        (
            vec![
                Part::text("data", &offline_data(need, service, -1)),
                Part::file("evidence", "合同.pdf", "application/pdf", pdf_ok.clone()),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "negative amount",
        ),
        (
            vec![
                Part::text(
                    "data",
                    &json!({ "need_id": need, "service_id": service, "amount_fen": 12.5, "deal_date": "2025-11-20" }).to_string(),
                ),
                Part::file("evidence", "合同.pdf", "application/pdf", pdf_ok.clone()),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "fractional amount",
        ),
        (
            vec![
                Part::text(
                    "data",
                    &json!({ "need_id": need, "service_id": service, "amount_fen": 100, "deal_date": "2025-11-20", "evil": true }).to_string(),
                ),
                Part::file("evidence", "合同.pdf", "application/pdf", pdf_ok.clone()),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field in data",
        ),
        (
            vec![
                Part::text("data", "{\"amount_fen\": 100,"),
                Part::file("evidence", "合同.pdf", "application/pdf", pdf_ok.clone()),
            ],
            StatusCode::BAD_REQUEST,
            "malformed data JSON",
        ),
        (
            vec![
                Part::text("data", &data),
                Part::file("evidence", "合同.pdf", "application/pdf", pdf_ok.clone()),
                Part::text("extra", "x"),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown part",
        ),
    ];
    for (parts, status, why) in cases {
        let r = post(parts).await;
        assert_eq!(r.status, status, "{why}: {:?}", r.body);
    }
    let r = app
        .client
        .post(app.url("/api/v1/deals/offline"))
        .bearer_auth(&c.admin.token)
        .json(&json!({ "data": data }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("request: {e}"));
    assert_eq!(
        r.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "JSON is not a form"
    );

    assert!(
        all_deals(&app, &c.admin).await.is_empty(),
        "nothing written"
    );
    let audit = app.get("/api/v1/audit", Some(&c.admin.token)).await;
    assert!(
        !items(&audit.body)
            .iter()
            .any(|e| e["action"] == "deal.record_offline")
    );

    // Within the limit it works on this server too.
    let r = post(vec![
        Part::text("data", &data),
        Part::file("evidence", "合同.pdf", "application/pdf", pdf(60 * 1024)),
    ])
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(all_deals(&app, &c.admin).await.len(), 1);
    app.stop().await;
}
