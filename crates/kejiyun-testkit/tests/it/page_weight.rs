//! Page weight: the home page, fetched like a browser does (`Accept-Encoding: br, gzip`) with
//! every stylesheet, script and image it references, stays within its budget; ECharts (1.1 MB)
//! and the dashboard's stylesheet are sent only by the pages that draw charts.

use std::collections::BTreeSet;

use kejiyun_testkit::{TestApp, client};
use regex::Regex;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING};

/// What the home page may cost a first visit, everything it loads included (bytes on the wire,
/// bodies as sent).
const HOME_BUDGET: usize = 150_000;

struct Fetched {
    /// The body as sent (compressed when the server compressed it).
    wire: usize,
    encoding: Option<String>,
    /// The body uncompressed (asked for again without `Accept-Encoding`), to find references.
    text: String,
}

async fn fetch(app: &TestApp, path: &str) -> Fetched {
    let url = app.url(path);
    let resp = client()
        .get(&url)
        .header(ACCEPT_ENCODING, "br, gzip")
        .header(ACCEPT, "text/html,text/css,*/*")
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
    let encoding = resp
        .headers()
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let wire = resp.bytes().await.map(|b| b.len()).unwrap_or_default();
    // reqwest here decompresses nothing: without Accept-Encoding the body comes plain.
    let plain = client()
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let text = plain.text().await.unwrap_or_default();
    Fetched {
        wire,
        encoding,
        text,
    }
}

/// The same-site resources a page or stylesheet references: `src`/`href` of scripts, styles,
/// icons and images, `url(…)` in CSS.
fn references(text: &str) -> BTreeSet<String> {
    let attr = Regex::new(r#"<(?:link|script|img|source)\b[^>]*?\s(?:href|src)="(/[^"]+)""#)
        .unwrap_or_else(|e| panic!("{e}"));
    let css = Regex::new(r#"url\(\s*['"]?(/[^'")]+)['"]?\s*\)"#).unwrap_or_else(|e| panic!("{e}"));
    attr.captures_iter(text)
        .chain(css.captures_iter(text))
        .filter_map(|c| c.get(1).map(|m| m.as_str().replace("&amp;", "&")))
        .collect()
}

#[tokio::test]
async fn the_home_page_with_everything_it_loads_stays_within_its_budget() {
    let app = TestApp::spawn().await;
    let home = fetch(&app, "/").await;
    assert_eq!(
        home.encoding.as_deref(),
        Some("br"),
        "pages are sent brotli-compressed"
    );
    let mut total = home.wire;
    let mut lines = vec![format!("/ {} B", home.wire)];
    let mut todo: Vec<String> = references(&home.text).into_iter().collect();
    let mut seen = BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let f = fetch(&app, &path).await;
        if path.contains(".css") {
            todo.extend(references(&f.text));
        }
        if path.ends_with(".css") || path.contains(".css?") || path.contains(".js") {
            assert!(
                f.encoding.is_some(),
                "{path} is text and should be sent compressed"
            );
        }
        total += f.wire;
        lines.push(format!("{path} {} B ({:?})", f.wire, f.encoding));
    }
    eprintln!("home page weight: {total} B\n  {}", lines.join("\n  "));
    assert!(!seen.is_empty(), "the home page references its stylesheet");
    assert!(
        total <= HOME_BUDGET,
        "the home page costs {total} B > {HOME_BUDGET} B:\n  {}",
        lines.join("\n  ")
    );
    app.stop().await;
}

#[tokio::test]
async fn echarts_and_the_dashboard_styles_only_on_pages_with_charts() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/regions/510000",
        "/services",
        "/needs",
        "/achievements",
        "/tech-workers",
        "/orgs",
        "/search?q=%E8%8B%B9%E6%9E%9C",
        "/login",
        "/register",
        "/stats/511600/records?metric=deals",
    ] {
        let page = fetch(&app, path).await;
        assert!(
            !page.text.contains("echarts"),
            "{path} loads ECharts but draws no chart"
        );
        assert!(
            !page.text.contains("stats.js"),
            "{path} loads the charts' script"
        );
        if !path.starts_with("/stats/") {
            assert!(
                !page.text.contains("stats.css"),
                "{path} loads the dashboard's stylesheet"
            );
        }
    }
    for path in ["/stats/511600", "/stats/511600/screen"] {
        let page = fetch(&app, path).await;
        assert!(
            page.text
                .contains("/static/vendor/echarts/echarts.min.js?v="),
            "{path}"
        );
        assert!(page.text.contains("/static/stats.css?v="), "{path}");
    }
    app.stop().await;
}
