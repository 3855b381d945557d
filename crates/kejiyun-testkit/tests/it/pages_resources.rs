//! The popular-science pages as publishers, admins and readers use them: a county admin
//! publishes an article with a script in it from the form and another admin approves it from
//! the resource page's moderation form; the public list shows it, its page shows the article
//! without the script and counts the view. A video published from the form plays from a
//! `<video>` whose file answers byte ranges; a page disguised as a video, and a publisher who
//! may not publish, are refused in Chinese and store nothing. The owner edits without a new
//! file (the video stays) and withdraws.

use kejiyun_testkit::{Part, Reply, TestApp, TestUser, client};
use reqwest::StatusCode;

use crate::api_market_support::LINSHUI;

const MP4: &[u8] = include_bytes!("../../../kejiyun/demo_media/hand-washing.mp4");

/// Files in the data directory's uploads.
fn count_uploads(app: &TestApp) -> usize {
    let dir = app.data_dir.path().join("uploads");
    let mut n = 0;
    for d in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        n += std::fs::read_dir(d.path()).into_iter().flatten().count();
    }
    n
}

fn fields(kind: &str, title: &str, action: &str) -> Vec<Part> {
    vec![
        Part::text("kind", kind),
        Part::text("title", title),
        Part::text(
            "summary",
            "采果后到春芽萌动前修剪，先剪病虫枝和枯枝，再疏除过密枝。",
        ),
        Part::text("category", "fruit"),
        Part::text("tags", "柑橘，修剪"),
        Part::text("region", LINSHUI),
        Part::text("action", action),
    ]
}

fn video(name: &str, bytes: &[u8]) -> Part {
    Part::file("media", name, "video/mp4", bytes.to_vec())
}

/// The resource a form created (from its redirect), asserting the redirect.
fn created(r: &Reply) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.headers["location"].to_str().unwrap_or_default();
    location
        .trim_start_matches("/resources/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a resource: {location}"))
}

async fn approve(app: &TestApp, admin: &TestUser, id: i64) {
    let path = format!("/resources/{id}");
    let (status, html) = app.page(Some(admin), None, &path).await;
    assert_eq!(status, StatusCode::OK);
    let action = format!("/admin/moderation/resource/{id}/approve");
    assert!(html.contains(&action), "{html}");
    let (status, html) = app.page(Some(admin), Some(&[]), &action).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
}

/// The `src` of the page's `<video>`.
fn video_src(html: &str) -> String {
    let at = html
        .find("<video controls preload=\"metadata\" src=\"")
        .unwrap_or_else(|| panic!("no video: {html}"));
    let rest = &html[at..];
    let start = rest.find("src=\"").unwrap_or_default() + 5;
    let end = start + rest[start..].find('"').unwrap_or_default();
    rest[start..end].to_owned()
}

#[tokio::test]
async fn publish_moderate_read_and_play_resources_from_the_pages() {
    let app = TestApp::spawn().await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let reviewer = app.admin("region_admin", Some(LINSHUI)).await;
    let farmer = app.user("王大爷", Some(LINSHUI)).await;

    let (status, form) = app.page(Some(&admin), None, "/resources/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("enctype=\"multipart/form-data\""));
    assert!(form.contains("name=\"media\""));

    // An article with a script: submitted, pending, not public yet.
    let mut article = fields("article", "柑橘冬季修剪要点", "submit");
    article.push(Part::text(
        "body",
        "<p>修剪在采果后到春芽萌动前进行，先剪病虫枝、枯枝，再疏除过密的枝条。</p><script>alert('xss')</script>",
    ));
    let r = app.page_multipart(&admin, "/resources/new", &article).await;
    let id = created(&r);
    let path = format!("/resources/{id}");
    assert_eq!(app.page(None, None, &path).await.0, StatusCode::NOT_FOUND);
    let (_, list) = app.page(None, None, "/resources").await;
    assert!(!list.contains("柑橘冬季修剪要点"));
    let (_, mine) = app.page(Some(&admin), None, "/resources?mine=1").await;
    assert!(mine.contains("柑橘冬季修剪要点") && mine.contains("badge-pending"));

    // Approved from the page's moderation form: listed, shown without the script, counted.
    approve(&app, &reviewer, id).await;
    let (status, list) = app.page(None, None, "/resources").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(&format!("href=\"/resources/{id}\"")),
        "{list}"
    );
    assert!(list.contains("图文"));
    let (status, html) = app.page(None, None, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<p>修剪在采果后到春芽萌动前进行"), "{html}");
    assert!(!html.contains("alert("), "{html}");
    assert!(html.contains("<dd id=\"resource-views\">1</dd>"), "{html}");
    assert!(html.contains("<li>柑橘</li><li>修剪</li>"), "{html}");

    // A video: stored, published, played with byte ranges.
    let mut parts = fields("video", "正确洗手六步法", "submit");
    parts.push(video("hand-washing.mp4", MP4));
    let r = app.page_multipart(&admin, "/resources/new", &parts).await;
    let vid = created(&r);
    approve(&app, &reviewer, vid).await;
    let (status, html) = app.page(None, None, &format!("/resources/{vid}")).await;
    assert_eq!(status, StatusCode::OK);
    let src = video_src(&html);
    assert!(src.starts_with("/files/"), "{src}");
    let ranged = client()
        .get(app.url(&src))
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.headers()["content-type"], "video/mp4");
    let (_, videos) = app
        .page(None, None, "/resources?kind=video&sort=views")
        .await;
    assert!(videos.contains("正确洗手六步法") && !videos.contains("柑橘冬季修剪要点"));

    // A page disguised as a video, a video without its file, a farmer who may not publish:
    // refused in Chinese with the typed values kept, nothing stored.
    let files_before = count_uploads(&app);
    let mut fake = fields("video", "假冒的视频文件", "submit");
    fake.push(video("x.mp4", b"<html><script>alert(1)</script></html>"));
    let r = app.page_multipart(&admin, "/resources/new", &fake).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("x.mp4：不接受网页"), "{}", r.text);
    assert!(r.text.contains("value=\"假冒的视频文件\""));
    let r = app
        .page_multipart(
            &admin,
            "/resources/new",
            &fields("video", "没有文件的视频", "submit"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("请上传视频文件"), "{}", r.text);
    let mut theirs = fields("video", "农户自己拍的视频", "submit");
    theirs.push(video("a.mp4", MP4));
    let r = app.page_multipart(&farmer, "/resources/new", &theirs).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("可以发布科普资源"), "{}", r.text);
    assert_eq!(count_uploads(&app), files_before);
    let (_, mine) = app.page(Some(&admin), None, "/resources?mine=1").await;
    assert!(!mine.contains("假冒的视频文件") && !mine.contains("没有文件的视频"));

    // The owner edits the title without a new file (the video stays, back to review), then
    // withdraws it.
    let edit = format!("/resources/{vid}/edit");
    let r = app
        .page_multipart(
            &admin,
            &edit,
            &fields("video", "正确洗手六步法（新版）", "submit"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (_, html) = app
        .page(Some(&admin), None, &format!("/resources/{vid}"))
        .await;
    assert!(html.contains("正确洗手六步法（新版）") && html.contains("data-status=\"pending\""));
    assert_eq!(video_src(&html), src);
    let close = format!("/resources/{vid}/close");
    let (status, _) = app.page(Some(&admin), Some(&[]), &close).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app
        .page(Some(&admin), None, &format!("/resources/{vid}"))
        .await;
    assert!(html.contains("data-status=\"closed\""), "{html}");
    app.stop().await;
}

const MP3: &[u8] = include_bytes!("../../../kejiyun/demo_media/pig-fever.mp3");
const PDF: &[u8] = include_bytes!("../../../kejiyun/demo_media/kiwi-guide.pdf");
const JPG: &[u8] = include_bytes!("../../../kejiyun/demo_media/citrus-pruning.jpg");

#[tokio::test]
async fn audio_documents_covers_and_limits() {
    let db = kejiyun_testkit::TestDatabase::create(kejiyun_testkit::Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, |cfg| cfg.uploads.image_max_mb = 1).await;
    let admin = app.admin("region_admin", Some(LINSHUI)).await;
    let reviewer = app.admin("region_admin", Some(LINSHUI)).await;

    // Audio with a cover: the list shows the cover's thumbnail, the page a player.
    let mut parts = fields("audio", "生猪发热的早期识别", "submit");
    parts.push(Part::file(
        "media",
        "pig-fever.mp3",
        "audio/mpeg",
        MP3.to_vec(),
    ));
    parts.push(Part::file("cover", "cover.jpg", "image/jpeg", JPG.to_vec()));
    let audio = created(&app.page_multipart(&admin, "/resources/new", &parts).await);
    approve(&app, &reviewer, audio).await;
    let (_, list) = app.page(None, None, "/resources?kind=audio").await;
    assert!(list.contains("/thumb\""), "{list}");
    let (_, html) = app.page(None, None, &format!("/resources/{audio}")).await;
    assert!(
        html.contains("<audio controls preload=\"metadata\" src=\"/files/"),
        "{html}"
    );

    // A document: a link to open it, with its size.
    let mut parts = fields("document", "猕猴桃种植手册", "draft");
    parts.push(Part::file(
        "media",
        "kiwi-guide.pdf",
        "application/pdf",
        PDF.to_vec(),
    ));
    let doc = created(&app.page_multipart(&admin, "/resources/new", &parts).await);
    let (_, html) = app
        .page(Some(&admin), None, &format!("/resources/{doc}"))
        .await;
    assert!(html.contains("id=\"open-document\""), "{html}");
    assert!(html.contains("kiwi-guide.pdf · 2 KB"), "{html}");
    assert!(html.contains("action=\"/resources/") && html.contains("/submit\""));

    // A cover over the image limit: 413 in Chinese before anything is stored.
    let files_before = count_uploads(&app);
    let mut parts = fields("audio", "超大封面的音频", "submit");
    parts.push(Part::file(
        "media",
        "pig-fever.mp3",
        "audio/mpeg",
        MP3.to_vec(),
    ));
    parts.push(Part::file(
        "cover",
        "big.jpg",
        "image/jpeg",
        vec![0xff; 2 * 1024 * 1024],
    ));
    let r = app.page_multipart(&admin, "/resources/new", &parts).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert!(r.text.contains("封面图片不能超过 1 MB"), "{}", r.text);
    assert_eq!(count_uploads(&app), files_before);

    // In English.
    let r = client()
        .get(app.url("/resources?sort=views"))
        .header("cookie", "kjy_lang=en")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap_or_default();
    assert!(
        html.contains("Most viewed") && html.contains("Audio"),
        "{html}"
    );
    app.stop().await;
}
