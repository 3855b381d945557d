use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, RgbImage, RgbaImage};

use super::*;

fn policy() -> UploadPolicy {
    UploadPolicy::default()
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
        .expect("encode jpeg");
    out
}

fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    let a = if alpha { 128 } else { 255 };
    let img = RgbaImage::from_fn(w, h, |x, _| image::Rgba([(x % 256) as u8, 10, 20, a]));
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(img)
        .write_with_encoder(PngEncoder::new(&mut out))
        .expect("encode png");
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A JPEG with an APP1 EXIF segment (a minimal TIFF with no entries, then a marker text)
/// inserted right after SOI, the way cameras write it.
fn jpeg_with_exif(marker: &[u8]) -> Vec<u8> {
    let plain = jpeg(64, 48);
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(marker);
    let len = u16::try_from(payload.len() + 2).expect("small segment");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

fn invalid_message(r: Result<impl std::fmt::Debug, DomainError>) -> String {
    match r {
        Err(DomainError::Invalid { message, .. }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn check_and_process(bytes: &[u8]) -> Result<images::Processed, DomainError> {
    let p = policy();
    let format = p.check(bytes, &[UploadKind::Image])?;
    images::process(bytes, format, &p)
}

#[test]
fn the_kind_comes_from_the_content() {
    assert_eq!(sniff(&jpeg(4, 4)).ok(), Some(Format::Jpeg));
    assert_eq!(sniff(&png(4, 4, false)).ok(), Some(Format::Png));
    assert_eq!(sniff(b"GIF89a\x01\0\x01\0").ok(), Some(Format::Gif));
    assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").ok(), Some(Format::WebP));
    assert_eq!(sniff(b"%PDF-1.7\n").ok(), Some(Format::Pdf));
    assert_eq!(sniff(b"\0\0\0\x18ftypmp42").ok(), Some(Format::Mp4));
    assert_eq!(sniff(b"OggS\0\x02").ok(), Some(Format::Ogg));
    assert_eq!(sniff(b"ID3\x04\0").ok(), Some(Format::Mp3));
    let docx = b"PK\x03\x04\x14\0\0\0[Content_Types].xml....word/document.xml";
    assert_eq!(sniff(docx).ok(), Some(Format::Docx));
    assert_eq!(Format::Docx.kind(), UploadKind::Document);
}

#[test]
fn svg_is_refused_with_a_clear_message() {
    let svg = b"\xef\xbb\xbf  <?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let msg = invalid_message(sniff(svg));
    assert!(msg.contains("SVG"), "{msg}");
    let msg = invalid_message(sniff(b"<SVG onload=alert(1)>"));
    assert!(msg.contains("SVG"), "{msg}");
    let msg = invalid_message(sniff(b"<!doctype html><html>"));
    assert!(msg.contains("网页"), "{msg}");
}

#[test]
fn executables_and_archives_renamed_jpg_are_refused() {
    // The name is never looked at: only the bytes are.
    let msg = invalid_message(sniff(
        b"MZ\x90\0\x03\0\0\0This program cannot be run in DOS mode",
    ));
    assert!(msg.contains("可执行文件"), "{msg}");
    let msg = invalid_message(sniff(b"\x7fELF\x02\x01\x01"));
    assert!(msg.contains("可执行文件"), "{msg}");
    let msg = invalid_message(sniff(b"PK\x03\x04\x14\0\0\0evil.exe"));
    assert!(msg.contains("压缩包"), "{msg}");
    let msg = invalid_message(sniff(b"just some text"));
    assert!(msg.contains("无法识别"), "{msg}");
    let msg = invalid_message(sniff(b""));
    assert!(msg.contains("空"), "{msg}");
}

#[test]
fn only_allowed_kinds_within_their_limits_pass() {
    let p = UploadPolicy {
        image_max_bytes: 1000,
        ..policy()
    };
    let small = jpeg(4, 4);
    assert!(small.len() < 1000);
    assert_eq!(
        p.check(&small, &[UploadKind::Image]).ok(),
        Some(Format::Jpeg)
    );
    let big = jpeg(300, 300);
    assert!(big.len() > 1000);
    match p.check(&big, &[UploadKind::Image]) {
        Err(DomainError::TooLarge { message, .. }) => {
            assert!(message.contains("不能超过 1 KB"), "{message}");
        }
        other => panic!("expected a size refusal, got {other:?}"),
    }
    // A refusal says what this form takes, not images when it wants a video.
    let msg = invalid_message(p.check(b"<html>", &[UploadKind::Video]));
    assert!(msg.contains("请上传视频"), "{msg}");
    // Runs of 0xff are not an MP3 frame (reserved bitrate), a real frame header is.
    assert!(sniff(&[0xff; 64]).is_err());
    assert_eq!(sniff(&[0xff, 0xfb, 0x90, 0x64]).ok(), Some(Format::Mp3));
    let msg = invalid_message(p.check(b"%PDF-1.4", &[UploadKind::Image]));
    assert!(msg.contains("不接受PDF"), "{msg}");
    assert_eq!(
        p.largest(&[UploadKind::Image, UploadKind::Video]),
        p.video_max_bytes
    );
    assert_eq!(size_text(10 * 1024 * 1024), "10 MB");
}

#[test]
fn a_jpeg_comes_out_without_its_exif() {
    let input = jpeg_with_exif(b"GPS-SECRET-31.2N");
    assert!(contains(&input, b"Exif") && contains(&input, b"GPS-SECRET"));
    let out = check_and_process(&input).expect("processed");
    assert_eq!(out.mime, "image/jpeg");
    assert!(!contains(&out.bytes, b"Exif"));
    assert!(!contains(&out.bytes, b"GPS-SECRET"));
    assert_eq!((out.width, out.height), (64, 48));
    assert_eq!(sniff(&out.thumb).ok(), Some(Format::Jpeg));
}

#[test]
fn a_png_polyglot_is_re_encoded_without_its_tail() {
    let mut input = png(40, 30, false);
    input.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let out = check_and_process(&input).expect("processed");
    assert!(!contains(&out.bytes, b"<script"));
    assert!(!contains(&out.thumb, b"<script"));
    assert_ne!(out.bytes, input);
    // Opaque: JPEG; with transparency: PNG (the alpha channel is kept).
    assert_eq!(out.mime, "image/jpeg");
    let out = check_and_process(&png(40, 30, true)).expect("processed");
    assert_eq!(out.mime, "image/png");
}

#[test]
fn webp_and_gif_come_out_as_plain_images() {
    let rgba = RgbaImage::from_fn(30, 20, |x, _| image::Rgba([(x * 8) as u8, 40, 90, 255]));
    let mut webp = Vec::new();
    DynamicImage::ImageRgba8(rgba.clone())
        .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut webp))
        .expect("encode webp");
    let out = check_and_process(&webp).expect("webp processed");
    assert_eq!((out.mime, out.width, out.height), ("image/jpeg", 30, 20));
    // A GIF: its first frame.
    let mut gif = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut gif);
        let frames = [rgba.clone(), rgba].map(image::Frame::new);
        enc.encode_frames(frames).expect("encode gif");
    }
    assert_eq!(sniff(&gif).ok(), Some(Format::Gif));
    let out = check_and_process(&gif).expect("gif processed");
    assert_eq!((out.width, out.height), (30, 20));
    assert!(sniff(&out.bytes).is_ok_and(|f| f != Format::Gif));
}

#[test]
fn thumbnails_fit_the_configured_side() {
    let out = check_and_process(&jpeg(800, 400)).expect("processed");
    let thumb = image::load_from_memory(&out.thumb).expect("thumb decodes");
    assert_eq!((thumb.width(), thumb.height()), (320, 160));
    let out = check_and_process(&jpeg(100, 50)).expect("processed");
    let thumb = image::load_from_memory(&out.thumb).expect("thumb decodes");
    assert_eq!((thumb.width(), thumb.height()), (100, 50));
}

/// A PNG whose header claims `w` × `h` pixels (and no image data): a decompression bomb's
/// header, which must be refused before anything of that size is allocated.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    for chunk in [
        ihdr,
        b"IDAT\x78\x9c\x03\0\0\0\0\x01".to_vec(),
        b"IEND".to_vec(),
    ] {
        let len = u32::try_from(chunk.len() - 4).expect("small chunk");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn huge_dimensions_are_refused_before_decoding() {
    let msg = invalid_message(check_and_process(&png_header(100_000, 100_000)));
    assert!(msg.contains("图片尺寸过大"), "{msg}");
    // Each side within the cap, the product over it.
    let msg = invalid_message(check_and_process(&png_header(10_000, 10_000)));
    assert!(msg.contains("图片尺寸过大"), "{msg}");
    let msg = invalid_message(check_and_process(b"\xff\xd8\xff\xe0garbage"));
    assert!(msg.contains("损坏"), "{msg}");
}

#[test]
fn ids_and_paths_never_come_from_names() {
    let id = UploadId::random();
    assert_eq!(UploadId::parse(id.as_str()), Some(id.clone()));
    for bad in [
        "",
        "../etc/passwd",
        "ABCDEF0123456789abcdef0123456789",
        "a.jpg",
    ] {
        assert_eq!(UploadId::parse(bad), None, "{bad}");
    }
    let id = UploadId::parse("ab0123456789abcdef0123456789abcd").expect("id");
    assert_eq!(
        relative_path(&id, "image/jpeg", false),
        "uploads/ab/ab0123456789abcdef0123456789abcd.jpg"
    );
    assert_eq!(
        relative_path(&id, "image/png", true),
        "uploads/ab/ab0123456789abcdef0123456789abcd.thumb.png"
    );
    assert_eq!(extension("text/html"), "bin");
}

#[test]
fn original_names_are_sanitised_metadata() {
    assert_eq!(display_name("C:\\Users\\x\\照片 1.jpg"), "照片 1.jpg");
    assert_eq!(display_name("../../etc/passwd"), "passwd");
    assert_eq!(display_name("<script>\"a\".png"), "scripta.png");
    assert_eq!(display_name("..."), "文件");
    assert_eq!(display_name("a\r\nSet-Cookie: x"), "aSet-Cookie: x");
    assert_eq!(display_name(&"长".repeat(300)).chars().count(), 100);
    assert_eq!(rfc5987("报告 1.pdf"), "%E6%8A%A5%E5%91%8A%201.pdf");
}

#[test]
fn photo_ids_are_checked_for_shape_count_and_repeats() {
    let a = UploadId::random().to_string();
    let b = UploadId::random().to_string();
    assert_eq!(photo_ids(&[a.clone(), b.clone()]).map(|v| v.len()), Ok(2));
    assert!(photo_ids(&[a.clone(), a.clone()]).is_err());
    assert!(photo_ids(&["x".into()]).is_err());
    let seven: Vec<String> = (0..7).map(|_| UploadId::random().to_string()).collect();
    let msg = invalid_message(photo_ids(&seven));
    assert!(msg.contains("最多只能添加 6 张"), "{msg}");
}
