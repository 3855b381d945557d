//! The rotating-code screen's engine, shared by every check-in with a code (培训场次, 志愿服务活动):
//! the absolute URL a phone scanning the screen opens, and that URL as a QR code.

use axum::http::HeaderMap;

/// The absolute URL of `path` as the organizer's browser reached this server (a phone scanning
/// the QR code needs the host; behind a proxy, its `X-Forwarded-Proto` says the scheme).
pub(super) fn absolute(headers: &HeaderMap, path: &str) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()))
    };
    match header("host") {
        Some(host) => {
            let scheme = match header("x-forwarded-proto") {
                Some("https") => "https",
                _ => "http",
            };
            format!("{scheme}://{host}{path}")
        }
        None => path.to_owned(),
    }
}

/// The QR code of `text` as an inline SVG (empty if it cannot be encoded).
pub(super) fn qr_svg(text: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(c) => {
            let svg = c
                .render::<svg::Color<'_>>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build();
            // Inline in HTML: the XML declaration is not wanted.
            match svg.find("<svg") {
                Some(at) => svg[at..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_urls_follow_the_host_and_the_proxy() {
        let mut h = HeaderMap::new();
        assert_eq!(absolute(&h, "/x?code=1"), "/x?code=1");
        h.insert("host", "kjy.example:8080".parse().expect("header"));
        assert_eq!(absolute(&h, "/x"), "http://kjy.example:8080/x");
        h.insert("x-forwarded-proto", "https".parse().expect("header"));
        assert_eq!(absolute(&h, "/x"), "https://kjy.example:8080/x");
    }

    #[test]
    fn the_qr_code_is_inline_svg() {
        let svg = qr_svg("http://kjy.example/volunteers/activities/1/check-in?code=123456");
        assert!(svg.starts_with("<svg"), "{svg:.40}");
    }
}
