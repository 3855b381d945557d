//! The upload engine through HTTP: an image uploaded through the API comes back re-encoded
//! (no EXIF), served with its type, `nosniff`, `Content-Disposition`, a long cache and byte
//! ranges (206); questions and answers carry photos through the API and the page forms; bad
//! files (SVG, a renamed executable, oversize), too many photos and someone else's upload are
//! a Chinese 4xx that stores nothing.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};
use kejiyun_testkit::{Part, Reply, TestApp, TestUser, client};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_market_support::{LINSHUI, cast, items, moderate};
use crate::api_questions::question_body;

/// A JPEG of `w` × `h` with an EXIF segment holding a marker text.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 60])
    });
    let mut plain = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut plain, 90))
        .unwrap_or_else(|e| panic!("{e}"));
    let payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0GPS-30.5N-106.9E";
    let len = u16::try_from(payload.len() + 2).unwrap_or(0);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xffThis program cannot be run in DOS mode.";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn upload(app: &TestApp, who: &TestUser, name: &str, bytes: Vec<u8>) -> Reply {
    // The declared type always says JPEG: only the content counts.
    let part = Part::file("file", name, "image/jpeg", bytes);
    app.post_multipart("/api/v1/uploads", Some(&who.token), &[part])
        .await
}

fn message(r: &Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Files in the data directory's uploads (images and thumbnails).
fn count_uploads(app: &TestApp) -> usize {
    let dir = app.data_dir.path().join("uploads");
    let mut n = 0;
    for d in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        n += std::fs::read_dir(d.path()).into_iter().flatten().count();
    }
    n
}

async fn my_questions(app: &TestApp, who: &TestUser) -> usize {
    let r = app
        .get("/api/v1/questions?mine=true", Some(&who.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    items(&r.body).len()
}

#[tokio::test]
async fn upload_serve_with_ranges_and_photos_on_questions() {
    let app = TestApp::spawn_with(
        kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await,
        |cfg| cfg.uploads.image_max_mb = 1,
    )
    .await;
    let c = cast(&app).await;
    let other = app.user("邻居", Some(LINSHUI)).await;

    // Upload: re-encoded, EXIF gone, the name kept as metadata.
    let original = photo(800, 600);
    let r = upload(&app, &c.farmer, "叶片 1.jpg", original.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(r.body["kind"], "image");
    assert_eq!(r.body["mime"], "image/jpeg");
    assert_eq!(
        (r.body["width"].as_u64(), r.body["height"].as_u64()),
        (Some(800), Some(600))
    );
    assert_eq!(r.body["original_name"], "叶片 1.jpg");
    assert_eq!(r.body["url"], format!("/files/{id}"));
    assert_eq!(r.body["thumb_url"], format!("/files/{id}/thumb"));
    let unauthenticated = app
        .post_multipart(
            "/api/v1/uploads",
            None,
            &[Part::file("file", "a.jpg", "image/jpeg", original.clone())],
        )
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);

    // Served: its type, nosniff, inline with the RFC 5987 name, immutable, no EXIF.
    let (status, h, body) = app.get_bytes(&format!("/files/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        h["content-disposition"],
        "inline; filename*=UTF-8''%E5%8F%B6%E7%89%87%201.jpg"
    );
    assert!(
        h["cache-control"]
            .to_str()
            .unwrap_or_default()
            .contains("immutable")
    );
    assert!(!contains(&body, b"Exif") && !contains(&body, b"GPS-30.5N"));
    assert_eq!(Some(body.len() as u64), r.body["size"].as_u64());

    // A byte range: 206 with Content-Range.
    let ranged = client()
        .get(app.url(&format!("/files/{id}")))
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        ranged.headers()["content-range"],
        format!("bytes 10-19/{}", body.len()).as_str()
    );
    assert_eq!(ranged.headers()["x-content-type-options"], "nosniff");
    let part = ranged.bytes().await.unwrap_or_default();
    assert_eq!(&part[..], &body[10..20]);

    // The thumbnail; unknown and malformed ids are 404.
    let (status, h, thumb) = app.get_bytes(&format!("/files/{id}/thumb"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], "image/jpeg");
    let t = image::load_from_memory(&thumb).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((t.width(), t.height()), (320, 240));
    for bad in [
        "/files/0123456789abcdef0123456789abcdef",
        "/files/..%2F..%2Fetc%2Fpasswd",
        "/files/x",
    ] {
        assert_eq!(
            app.get_bytes(bad, None).await.0,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }

    // Bad files: a clear Chinese 4xx, nothing stored.
    let files_before = count_uploads(&app);
    let svg = upload(&app, &c.farmer, "photo.jpg", SVG.to_vec()).await;
    assert_eq!(
        svg.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        svg.body
    );
    assert!(message(&svg).contains("SVG"), "{:?}", svg.body);
    let exe = upload(&app, &c.farmer, "photo.jpg", EXE.to_vec()).await;
    assert_eq!(
        exe.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        exe.body
    );
    assert!(message(&exe).contains("可执行文件"), "{:?}", exe.body);
    // A JPEG's signature and 2 MB after it: an image over the 1 MB image limit (the form
    // itself may be larger: video is accepted here too, up to its own limit).
    let mut oversize = vec![0xff, 0xd8, 0xff, 0xe0];
    oversize.resize(2 * 1024 * 1024, 0);
    let big = upload(&app, &c.farmer, "big.jpg", oversize).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", big.body);
    assert!(message(&big).contains("1 MB"), "{:?}", big.body);
    let none = app
        .post_multipart(
            "/api/v1/uploads",
            Some(&c.farmer.token),
            &[Part::text("x", "y")],
        )
        .await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        none.body
    );
    assert_eq!(count_uploads(&app), files_before);

    // A question with photos (API): the caller's own images only, at most six.
    let second = upload(&app, &c.farmer, "2.jpg", photo(64, 64)).await;
    let id2 = second.body["id"].as_str().unwrap_or_default().to_owned();
    let theirs = upload(&app, &other, "3.jpg", photo(64, 64)).await;
    let theirs = theirs.body["id"].as_str().unwrap_or_default().to_owned();
    let asked_before = my_questions(&app, &c.farmer).await;
    let mut body = question_body(LINSHUI);
    body["photo_ids"] = json!([theirs]);
    let r = app
        .post("/api/v1/questions", Some(&c.farmer.token), body.clone())
        .await;
    r.assert_invalid_field("photo_ids");
    assert!(message(&r).contains("不是您上传的"), "{:?}", r.body);
    body["photo_ids"] = json!([id, id2, id, id2, id, id2, id]);
    let r = app
        .post("/api/v1/questions", Some(&c.farmer.token), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(message(&r).contains("最多只能添加 6 张"), "{:?}", r.body);
    assert_eq!(my_questions(&app, &c.farmer).await, asked_before);
    body["photo_ids"] = json!([id2, id]);
    body["submit"] = json!(true);
    let r = app
        .post("/api/v1/questions", Some(&c.farmer.token), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let q = r.body["id"].as_i64().unwrap_or_default();
    let approved = moderate(&app, &c.admin, "question", q, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    let t = app.get(&format!("/api/v1/questions/{q}"), None).await;
    let photo_ids: Vec<&str> = t.body["photos"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(photo_ids, vec![id2.as_str(), id.as_str()], "{:?}", t.body);
    assert_eq!(
        t.body["photos"][0]["thumb_url"],
        format!("/files/{id2}/thumb")
    );

    // An answer with a photo (API), and one with someone else's (refused, no answer).
    let mine = upload(&app, &c.expert, "a.jpg", photo(50, 40)).await;
    let mine = mine.body["id"].as_str().unwrap_or_default().to_owned();
    let text = "建议先采集叶片送检，确认是否为黄龙病；确诊后及时挖除病株并统一防治木虱。";
    let path = format!("/api/v1/questions/{q}/answers");
    let r = app
        .post(
            &path,
            Some(&c.expert.token),
            json!({"text": text, "photo_ids": [id]}),
        )
        .await;
    r.assert_invalid_field("photo_ids");
    let r = app
        .post(
            &path,
            Some(&c.expert.token),
            json!({"text": text, "photo_ids": [mine]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let t = app.get(&format!("/api/v1/questions/{q}"), None).await;
    assert_eq!(
        t.body["answers"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        t.body
    );
    assert_eq!(t.body["answers"][0]["photos"][0]["id"], mine.as_str());

    // The answer form (multipart, from a phone's camera) takes photos too.
    let second_expert = app.tech_worker("赵研究员", LINSHUI).await;
    let parts = [
        Part::text("text", text),
        Part::file("photos", "IMG_0001.JPG", "image/jpeg", photo(120, 90)),
    ];
    let path = format!("/questions/{q}/answers");
    let r = app.page_multipart(&second_expert, &path, &parts).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

    // The page shows the thumbnails, each linking to its image.
    let (status, html) = app.page(None, None, &format!("/questions/{q}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("/thumb\"").count(), 4);
    for u in [&id2, &id, &mine] {
        assert!(
            html.contains(&format!(
                "<a href=\"/files/{u}\"><img src=\"/files/{u}/thumb\""
            )),
            "{u}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_ask_form_takes_photos_and_stores_nothing_for_a_bad_one() {
    let app = TestApp::spawn().await;
    let farmer = app.user("王大爷", Some(LINSHUI)).await;
    let (status, form) = app.page(Some(&farmer), None, "/questions/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("enctype=\"multipart/form-data\""));
    assert!(
        form.contains("type=\"file\" id=\"photos\" name=\"photos\" accept=\"image/*\" multiple")
    );

    let fields = |title: &str| {
        vec![
            Part::text("title", title),
            Part::text("text", "叶片出现斑驳黄化已经两个月了，施肥也不见好。"),
            Part::text("category", "fruit"),
            Part::text("region", LINSHUI),
            Part::text("action", "draft"),
        ]
    };
    let jpg = |name: &str, bytes: Vec<u8>| Part::file("photos", name, "image/jpeg", bytes);

    // One bad file among good ones, a bad text, too many photos: refused, nothing stored.
    let mut bad = fields("柑橘叶片发黄怎么办");
    bad.push(jpg("1.jpg", photo(40, 30)));
    bad.push(jpg("evil.jpg", SVG.to_vec()));
    let r = app.page_multipart(&farmer, "/questions/new", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("evil.jpg") && r.text.contains("SVG"));
    let mut short = fields("短");
    short.push(jpg("1.jpg", photo(40, 30)));
    let r = app.page_multipart(&farmer, "/questions/new", &short).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut seven = fields("柑橘叶片发黄怎么办");
    for i in 0..7 {
        seven.push(jpg(&format!("{i}.jpg"), photo(20, 20)));
    }
    let r = app.page_multipart(&farmer, "/questions/new", &seven).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("最多只能添加 6 张"));
    assert_eq!(count_uploads(&app), 0);
    assert_eq!(my_questions(&app, &farmer).await, 0);

    // Without the CSRF token: refused before any file is read.
    let (content_type, body) = kejiyun_testkit::multipart_body(&fields("柑橘叶片发黄怎么办"));
    let forged = client()
        .post(app.url("/questions/new"))
        .header("content-type", content_type)
        .header(
            "cookie",
            format!("kjy_session={}; kjy_csrf=x", farmer.token),
        )
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // A visitor (not logged in): refused before the body is read.
    let (content_type, body) = kejiyun_testkit::multipart_body(&fields("柑橘叶片发黄怎么办"));
    let visitor = client()
        .post(app.url("/questions/new"))
        .header("content-type", content_type)
        .header("cookie", format!("kjy_csrf={}", kejiyun_testkit::CSRF))
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(visitor.status(), StatusCode::UNAUTHORIZED);

    // Two photos: asked, shown as thumbnails.
    let mut good = fields("柑橘叶片发黄怎么办");
    good.push(jpg("1.jpg", photo(400, 300)));
    good.push(jpg("2.jpg", photo(30, 40)));
    let r = app.page_multipart(&farmer, "/questions/new", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.headers["location"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    let path = location.split('?').next().unwrap_or_default();
    let (status, html) = app.page(Some(&farmer), None, path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("/thumb\"").count(), 2, "{path}");
    assert_eq!(count_uploads(&app), 4);
    app.stop().await;
}
