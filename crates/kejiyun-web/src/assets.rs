//! Static files (stylesheet, scripts, icons), compiled into the binary with rust-embed: no
//! CDN, nothing fetched at run time. Pages link them as `/static/<path>?v=<hash>` ([`url`]): a
//! request naming the current content is cached for a year (`immutable`), since a new build
//! with other content links another `v`. Text files are sent gzip-compressed to clients that
//! accept it (ECharts shrinks from 1.1 MB to about 360 KB), compressed once per process.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flate2::Compression;
use flate2::write::GzEncoder;
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "static/"]
struct Assets;

pub fn service() -> Router {
    Router::new().route("/{*path}", get(serve))
}

/// The URL of a static file with its content's version, for pages to link.
pub fn url(path: &str) -> String {
    match version(path) {
        Some(v) => format!("/static/{path}?v={v}"),
        None => format!("/static/{path}"),
    }
}

/// The first 8 bytes of the file's SHA-256, in hex.
fn version(path: &str) -> Option<String> {
    let file = Assets::get(path)?;
    Some(
        file.metadata.sha256_hash()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Worth compressing: text (images and fonts are compressed already).
fn compressible(path: &str) -> bool {
    matches!(
        path.rsplit('.').next().unwrap_or_default(),
        "css" | "js" | "svg" | "txt"
    )
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// The gzip form of a file, compressed on first use and kept.
fn gzipped(path: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(done) = cache.lock()
        && let Some(z) = done.get(path)
    {
        return Some(z.clone());
    }
    let z = gzip(bytes)?;
    if let Ok(mut done) = cache.lock() {
        done.insert(path.to_owned(), z.clone());
    }
    Some(z)
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.trim().split(';');
            parts.next().is_some_and(|name| name.trim() == "gzip")
                && !parts.any(|q| q.trim().replace(' ', "") == "q=0")
        })
}

async fn serve(Path(path): Path<String>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let current = version(&path).is_some_and(|v| q.as_deref() == Some(&format!("v={v}")));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let kind = content_type(&path);
    if compressible(&path)
        && accepts_gzip(&headers)
        && let Some(z) = gzipped(&path, &file.data)
    {
        return (
            [
                (CONTENT_TYPE, kind),
                (CACHE_CONTROL, cache),
                (CONTENT_ENCODING, "gzip"),
                (VARY, "Accept-Encoding"),
            ],
            z,
        )
            .into_response();
    }
    (
        [
            (CONTENT_TYPE, kind),
            (CACHE_CONTROL, cache),
            (VARY, "Accept-Encoding"),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get(uri: &str, gzip: bool) -> Response {
        let mut req = Request::get(uri);
        if gzip {
            req = req.header(ACCEPT_ENCODING, "gzip, deflate, br");
        }
        service()
            .oneshot(req.body(Body::empty()).unwrap_or_default())
            .await
            .unwrap_or_else(|e| match e {})
    }

    #[tokio::test]
    async fn versioned_urls_are_cached_long_and_text_is_gzipped() {
        let url = url("app.css");
        assert!(url.starts_with("/static/app.css?v="), "{url}");
        let path = url.trim_start_matches("/static");
        let r = get(path, true).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
        assert!(
            r.headers()[CACHE_CONTROL]
                .to_str()
                .unwrap_or_default()
                .contains("immutable")
        );
        let plain = get("/app.css?v=stale", false).await;
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(plain.headers()[CACHE_CONTROL], "public, max-age=3600");
        assert_eq!(get("/nope.css", true).await.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn gzip_is_refused_when_the_client_says_q_0() {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT_ENCODING,
            "gzip;q=0, br".parse().unwrap_or_else(|_| unreachable!()),
        );
        assert!(!accepts_gzip(&h));
        h.insert(
            ACCEPT_ENCODING,
            "br, gzip".parse().unwrap_or_else(|_| unreachable!()),
        );
        assert!(accepts_gzip(&h));
    }
}
