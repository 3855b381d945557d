//! Certificates over HTTP: anyone verifies a code (page and API, the name masked); a forged
//! or altered code is "not found"; the holder (only) downloads the PDF, set in the shipped
//! CJK font with the code and a QR code; without the font the download says what to do.

use kejiyun_core::certificates::{CertificateKind, NewCertificate};
use kejiyun_core::ids::UserId;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use kejiyun_testkit::{TestApp, TestUser};
use reqwest::StatusCode;

/// Issues a training certificate to `holder` through the engine, as a module does once the
/// holder has earned it; returns its code as printed.
async fn issue(app: &TestApp, holder: &TestUser, subject: &str) -> String {
    let cert = app
        .services()
        .certificates()
        .issue(&NewCertificate {
            kind: CertificateKind::Training,
            subject: subject.into(),
            holder: UserId(holder.id),
            holder_name: "王小明".into(),
            title: "柑橘黄龙病综合防控技术培训班".into(),
            detail: "出勤 2 次（共 2 次课）".into(),
            issuer: "邻水县科学技术协会".into(),
            region: RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}")),
            issued_at: Timestamp::from_micros(1_796_000_000_000_000),
        })
        .await
        .unwrap_or_else(|e| panic!("issue: {e}"));
    cert.code.display()
}

/// Another code that differs from `code` in its last symbol (so its check symbol is wrong).
fn altered(code: &str) -> String {
    let mut s: Vec<char> = code.chars().collect();
    let last = s.len() - 1;
    s[last] = if s[last] == 'A' { 'B' } else { 'A' };
    s.into_iter().collect()
}

pub fn font_present() -> bool {
    let font = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/NotoSansSC-Regular.ttf"
    );
    if std::path::Path::new(font).exists() {
        return true;
    }
    assert!(
        std::env::var("KEJIYUN_REQUIRE_MODEL").as_deref() != Ok("1"),
        "the certificate font is missing: run scripts/fetch-font"
    );
    eprintln!("skipping the PDF checks: no font (scripts/fetch-font)");
    false
}

#[tokio::test]
async fn anyone_verifies_a_code_and_only_the_holder_downloads_the_pdf() {
    let app = TestApp::spawn().await;
    let holder = app.user("王小明", Some("511623")).await;
    let stranger = app.user("路人", None).await;
    let code = issue(&app, &holder, "training:1").await;
    assert_eq!(
        issue(&app, &holder, "training:1").await,
        code,
        "asked again: the same one"
    );

    // The API, without login: as issued, the name masked.
    let r = app.get(&format!("/api/v1/certificates/{code}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["holder_name"], "王*明");
    assert_eq!(r.body["kind_label"], "培训证书");
    assert_eq!(r.body["detail"], "出勤 2 次（共 2 次课）");
    let typed = code.to_lowercase().replace('-', "");
    let r = app
        .get(&format!("/api/v1/certificates/{typed}"), None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "typed without dashes, in lower case"
    );

    // Altered or made up: not found, in Chinese.
    for bad in [
        altered(&code),
        "0000-0000-0000-0000".into(),
        "假证书".into(),
    ] {
        let r = app.get(&format!("/api/v1/certificates/{bad}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}: {:?}", r.body);
        let msg = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("未找到该证书"), "{msg}");
    }

    // The page the QR code opens.
    let (status, html) = app.page(None, None, &format!("/verify/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("证书真实有效") && html.contains("王*明"),
        "{html}"
    );
    assert!(
        !html.contains("王小明"),
        "the full name is never on the public page"
    );
    let (status, html) = app
        .page(None, None, &format!("/verify/{}", altered(&code)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("未找到该证书"));
    let r = app.get(&format!("/verify?code={code}"), None).await;
    assert!(
        r.status.is_redirection() || r.status == StatusCode::OK,
        "{}",
        r.status
    );

    // The holder's list and PDF; nobody else's.
    let mine = app
        .get("/api/v1/me/certificates", Some(&holder.token))
        .await;
    assert_eq!(
        mine.body["items"][0]["certificate"]["code"],
        code.as_str(),
        "{:?}",
        mine.body
    );
    assert_eq!(
        mine.body["items"][0]["certificate"]["holder_name"],
        "王小明"
    );
    let none = app
        .get("/api/v1/me/certificates", Some(&stranger.token))
        .await;
    assert_eq!(none.body["items"].as_array().map(Vec::len), Some(0));
    let (status, html) = app.page(Some(&holder), None, "/me/certificates").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&code), "{html}");

    let pdf = format!("/api/v1/certificates/{code}/pdf");
    let (status, _, _) = app.get_bytes(&pdf, Some(&stranger.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "someone else's certificate");
    let (status, _, _) = app.get_bytes(&pdf, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    if font_present() {
        let (status, headers, bytes) = app.get_bytes(&pdf, Some(&holder.token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(
            bytes.len() < 200_000,
            "the font is subset, not embedded whole: {} bytes",
            bytes.len()
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("NotoSansSC"), "the CJK font is embedded");
    }
    app.stop().await;
}

#[tokio::test]
async fn without_the_font_the_download_says_what_to_do() {
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |c| {
        c.certificate_font = "/nonexistent/NotoSansSC-Regular.ttf".into();
    })
    .await;
    let holder = app.user("王小明", None).await;
    let code = issue(&app, &holder, "training:9").await;
    let r = app
        .get(
            &format!("/api/v1/certificates/{code}/pdf"),
            Some(&holder.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.body);
    let msg = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("scripts/fetch-font"), "{msg}");
    app.stop().await;
}
