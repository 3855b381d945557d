//! Static files (stylesheet, scripts, icons), compiled into the binary with rust-embed: no
//! CDN, nothing fetched at run time. Pages link them as `/static/<path>?v=<hash>` ([`url`]): a
//! request naming the current content is cached for a year (`immutable`), since a new build
//! with other content links another `v`. Text files are sent compressed to clients that accept
//! it — brotli when they can (ECharts: 1.1 MB, 368 KB gzipped, 299 KB in brotli), else gzip —
//! each compressed at the best setting once per process and kept; a large file's brotli form
//! is made in the background, and gzip is sent until it is ready.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::body::Bytes;
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

/// A static file's bytes (for a route that must serve one under another path).
pub fn content(path: &str) -> Option<Vec<u8>> {
    Assets::get(path).map(|f| f.data.into_owned())
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

/// A content coding a static file can be sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    fn compress(self, bytes: &[u8]) -> Option<Vec<u8>> {
        match self {
            Self::Brotli => {
                // Quality 11 with a 4 MB window: the smallest output; it is paid once per file
                // and process (about a second for ECharts), never per request.
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 11,
                    lgwin: 22,
                    ..Default::default()
                };
                let mut out = Vec::new();
                brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
                Some(out)
            }
            Self::Gzip => {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
                encoder.write_all(bytes).ok()?;
                encoder.finish().ok()
            }
        }
    }
}

/// Larger files are brotli-compressed in the background: quality 11 takes seconds for ECharts
/// (1.1 MB → 299 KB, against 368 KB gzipped), which no request should wait for.
const INLINE_LIMIT: usize = 256 * 1024;

enum Slot {
    /// Being compressed in the background.
    Pending,
    Done(Bytes),
}

type Cache = Mutex<HashMap<(String, Coding), Slot>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The compressed form of a file, compressed on first use and kept; `None` while a large
/// file's brotli form is still being made (the caller sends gzip meanwhile).
fn compressed(path: &str, coding: Coding, bytes: &[u8]) -> Option<Bytes> {
    let key = (path.to_owned(), coding);
    {
        let mut slots = cache().lock().ok()?;
        match slots.get(&key) {
            Some(Slot::Done(z)) => return Some(z.clone()),
            Some(Slot::Pending) => return None,
            None => {}
        }
        if coding == Coding::Brotli && bytes.len() > INLINE_LIMIT {
            slots.insert(key.clone(), Slot::Pending);
            let owned = bytes.to_vec();
            std::thread::spawn(move || {
                let z = coding.compress(&owned);
                if let Ok(mut slots) = cache().lock() {
                    match z {
                        Some(z) => slots.insert(key, Slot::Done(z.into())),
                        None => slots.remove(&key),
                    };
                }
            });
            return None;
        }
    }
    let z: Bytes = coding.compress(bytes)?.into();
    if let Ok(mut slots) = cache().lock() {
        slots.insert(key, Slot::Done(z.clone()));
    }
    Some(z)
}

/// Whether `Accept-Encoding` names `coding` without refusing it (`;q=0`).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.trim().split(';');
            parts
                .next()
                .is_some_and(|name| name.trim().eq_ignore_ascii_case(coding))
                && !parts.any(|q| {
                    let q = q.trim().replace(' ', "");
                    q.strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                        .is_some_and(|v| v <= 0.0)
                })
        })
}

/// The codings the client accepts, best first: brotli (smaller), then gzip.
fn preferred(headers: &HeaderMap) -> impl Iterator<Item = Coding> + '_ {
    [Coding::Brotli, Coding::Gzip]
        .into_iter()
        .filter(|c| accepts(headers, c.token()))
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
        && let Some((coding, z)) =
            preferred(&headers).find_map(|c| compressed(&path, c, &file.data).map(|z| (c, z)))
    {
        return (
            [
                (CONTENT_TYPE, kind),
                (CACHE_CONTROL, cache),
                (CONTENT_ENCODING, coding.token()),
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
    use std::io::Read;
    use tower::ServiceExt;

    async fn get(uri: &str, accept: Option<&str>) -> Response {
        let mut req = Request::get(uri);
        if let Some(a) = accept {
            req = req.header(ACCEPT_ENCODING, a);
        }
        service()
            .oneshot(req.body(Body::empty()).unwrap_or_default())
            .await
            .unwrap_or_else(|e| match e {})
    }

    async fn body(r: Response) -> Vec<u8> {
        axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default()
    }

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT_ENCODING,
            accept.parse().unwrap_or_else(|_| unreachable!()),
        );
        h
    }

    #[tokio::test]
    async fn versioned_urls_are_cached_long_and_text_is_compressed() {
        let url = url("app.css");
        assert!(url.starts_with("/static/app.css?v="), "{url}");
        let path = url.trim_start_matches("/static");
        let original = Assets::get("app.css").map(|f| f.data.into_owned());
        let original = original.unwrap_or_default();

        let r = get(path, Some("gzip, deflate, br")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CONTENT_ENCODING], "br", "brotli preferred");
        assert!(
            r.headers()[CACHE_CONTROL]
                .to_str()
                .unwrap_or_default()
                .contains("immutable")
        );
        let br = body(r).await;
        let mut plain = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut plain)
            .unwrap_or_default();
        assert_eq!(plain, original, "brotli round trip");

        let r = get(path, Some("gzip")).await;
        assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
        let gz = body(r).await;
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .unwrap_or_default();
        assert_eq!(plain, original, "gzip round trip");
        assert!(
            br.len() < gz.len(),
            "brotli {} vs gzip {}",
            br.len(),
            gz.len()
        );

        let plain = get("/app.css?v=stale", None).await;
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(plain.headers()[CACHE_CONTROL], "public, max-age=3600");
        assert_eq!(
            get("/nope.css", Some("br")).await.status(),
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn a_large_file_is_sent_gzipped_until_its_brotli_form_is_ready() {
        let url = url("vendor/echarts/echarts.min.js");
        let path = url.trim_start_matches("/static");
        let first = get(path, Some("br, gzip")).await;
        assert_eq!(
            first.headers()[CONTENT_ENCODING],
            "gzip",
            "no waiting for brotli"
        );
        let gz = body(first).await.len();
        let mut br = None;
        for _ in 0..600 {
            let r = get(path, Some("br, gzip")).await;
            if r.headers()[CONTENT_ENCODING] == "br" {
                br = Some(body(r).await.len());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let br = br.unwrap_or_else(|| panic!("no brotli form within a minute"));
        assert!(br < gz, "brotli {br} vs gzip {gz}");
    }

    #[test]
    fn a_coding_refused_with_q_0_is_not_used() {
        let best = |h: &HeaderMap| preferred(h).next();
        assert_eq!(best(&headers("gzip;q=0, br")), Some(Coding::Brotli));
        assert_eq!(best(&headers("br;q=0, gzip")), Some(Coding::Gzip));
        assert_eq!(best(&headers("br; q=0.0, gzip;q=0")), None);
        assert_eq!(
            best(&headers("gzip, deflate, br, zstd")),
            Some(Coding::Brotli)
        );
        assert_eq!(best(&headers("br;q=0.5")), Some(Coding::Brotli));
        assert_eq!(best(&headers("identity")), None);
        assert_eq!(best(&HeaderMap::new()), None);
        let all: Vec<Coding> = preferred(&headers("gzip, br")).collect();
        assert_eq!(
            all,
            [Coding::Brotli, Coding::Gzip],
            "brotli first whatever the order"
        );
    }
}
