//! Safe uploads: the one engine every module that takes files uses (Expert Q&A photos now;
//! popular-science resources, volunteers' reports and contest entries later). The rules:
//!
//! - the type is decided by the **content** ([`sniff`], the leading bytes), never by the file
//!   name or the declared Content-Type; SVG, HTML, executables, archives and anything unknown
//!   are refused with a Chinese message;
//! - each kind has its size limit ([`UploadPolicy`], from the `[uploads]` configuration);
//! - images are decoded and re-encoded ([`images::process`]): EXIF and whatever was appended
//!   to the file (a polyglot) do not survive, and decoded dimensions are capped (bombs);
//! - a file is stored under a generated [`UploadId`], never under its name ([`relative_path`]);
//!   the original name is kept, sanitised ([`display_name`]), as metadata only.

pub mod images;
pub mod ports;

use std::fmt;

use crate::DomainError;
use crate::ids::UserId;
use crate::time::Timestamp;

/// What an upload is, decided from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadKind {
    Image,
    Pdf,
    Video,
    Audio,
    /// Office documents (docx, xlsx, pptx).
    Document,
}

impl UploadKind {
    pub const ALL: [Self; 5] = [
        Self::Image,
        Self::Pdf,
        Self::Video,
        Self::Audio,
        Self::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Pdf => "pdf",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Image => "图片",
            Self::Pdf => "PDF 文件",
            Self::Video => "视频",
            Self::Audio => "音频",
            Self::Document => "文档",
        }
    }
}

/// A format recognised by its leading bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
    Pdf,
    Mp4,
    WebM,
    Mp3,
    Ogg,
    Wav,
    Docx,
    Xlsx,
    Pptx,
}

impl Format {
    pub fn kind(self) -> UploadKind {
        match self {
            Self::Jpeg | Self::Png | Self::WebP | Self::Gif => UploadKind::Image,
            Self::Pdf => UploadKind::Pdf,
            Self::Mp4 | Self::WebM => UploadKind::Video,
            Self::Mp3 | Self::Ogg | Self::Wav => UploadKind::Audio,
            Self::Docx | Self::Xlsx | Self::Pptx => UploadKind::Document,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
            Self::Gif => "image/gif",
            Self::Pdf => "application/pdf",
            Self::Mp4 => "video/mp4",
            Self::WebM => "video/webm",
            Self::Mp3 => "audio/mpeg",
            Self::Ogg => "audio/ogg",
            Self::Wav => "audio/wav",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
        }
    }
}

/// The extension a stored file gets, from its (content-decided) MIME type; `bin` for
/// anything else. Only ever these fixed strings reach a path.
pub fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "audio/wav" => "wav",
        m if m.ends_with("wordprocessingml.document") => "docx",
        m if m.ends_with("spreadsheetml.sheet") => "xlsx",
        m if m.ends_with("presentationml.presentation") => "pptx",
        _ => "bin",
    }
}

const ALLOWED_IMAGES: &str = "请上传 JPEG、PNG、WebP 或 GIF 图片";

/// A refusal from [`sniff`] says what to upload instead: images, unless the form wanted
/// something else (a video, a PDF …).
fn hint_allowed(e: DomainError, allowed: &[UploadKind]) -> DomainError {
    match e {
        DomainError::Invalid { field, message } if allowed != [UploadKind::Image] => {
            let names: Vec<&str> = allowed.iter().map(|k| k.label_zh()).collect();
            let wanted = format!("请上传{}", names.join("、"));
            DomainError::Invalid {
                field,
                message: message.replace(ALLOWED_IMAGES, &wanted),
            }
        }
        other => other,
    }
}

fn refused(what: &str) -> DomainError {
    DomainError::invalid("file", format!("不接受{what}：{ALLOWED_IMAGES}"))
}

/// The format of `bytes` from their leading bytes, or a Chinese refusal naming what was
/// recognised (SVG, HTML, executable, archive) or that it is unknown.
pub fn sniff(bytes: &[u8]) -> Result<Format, DomainError> {
    let b = bytes;
    let at = |i: usize, sig: &[u8]| b.get(i..i + sig.len()) == Some(sig);
    let format = if at(0, &[0xff, 0xd8, 0xff]) {
        Format::Jpeg
    } else if at(0, &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Format::Png
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Format::Gif
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Format::WebP
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Format::Wav
    } else if at(0, b"%PDF-") {
        Format::Pdf
    } else if at(4, b"ftyp") {
        Format::Mp4
    } else if at(0, &[0x1a, 0x45, 0xdf, 0xa3]) {
        Format::WebM
    } else if at(0, b"OggS") {
        Format::Ogg
    } else if at(0, b"ID3") || mpeg_audio_frame(b) {
        Format::Mp3
    } else if at(0, b"PK\x03\x04") {
        return office(b);
    } else {
        return Err(unknown(b));
    };
    Ok(format)
}

/// An MPEG audio frame header: the 11 sync bits, then a version, layer, bitrate and sample
/// rate that are not reserved (eleven set bits alone match any run of 0xff bytes).
fn mpeg_audio_frame(b: &[u8]) -> bool {
    let [0xff, b1, b2, ..] = *b else {
        return false;
    };
    let sync = b1 & 0xe0 == 0xe0;
    let version = (b1 >> 3) & 0b11;
    let layer = (b1 >> 1) & 0b11;
    let bitrate = b2 >> 4;
    let rate = (b2 >> 2) & 0b11;
    sync && version != 0b01 && layer != 0 && bitrate != 0b1111 && rate != 0b11
}

/// An Office Open XML document (a ZIP whose parts are `word/…`, `xl/…` or `ppt/…`); any
/// other ZIP is an archive, refused.
fn office(b: &[u8]) -> Result<Format, DomainError> {
    let head = &b[..b.len().min(64 * 1024)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"[Content_Types].xml") {
        if has(b"word/") {
            return Ok(Format::Docx);
        }
        if has(b"xl/") {
            return Ok(Format::Xlsx);
        }
        if has(b"ppt/") {
            return Ok(Format::Pptx);
        }
    }
    Err(refused("压缩包（ZIP）"))
}

/// Why an unrecognised file is refused: what it looks like, where that is recognisable.
fn unknown(b: &[u8]) -> DomainError {
    if b.is_empty() {
        return DomainError::invalid("file", "文件是空的");
    }
    if b.starts_with(b"MZ") || b.starts_with(b"\x7fELF") {
        return refused("可执行文件");
    }
    if b.starts_with(b"Rar!") || b.starts_with(b"7z\xbc\xaf") || b.starts_with(&[0x1f, 0x8b]) {
        return refused("压缩包");
    }
    // Text: skip a byte-order mark and white space, then look at the first tag.
    let text = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b);
    let start = text
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head: Vec<u8> = text[start..text.len().min(start + 1024)].to_ascii_lowercase();
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if contains(b"<svg") {
        return refused("SVG 图片（其中可以含有脚本）");
    }
    if head.starts_with(b"<") {
        return refused("网页或 XML 文件");
    }
    refused("无法识别类型的文件")
}

/// Size limits per kind, and how large a decoded image may be.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadPolicy {
    pub image_max_bytes: usize,
    pub pdf_max_bytes: usize,
    pub video_max_bytes: usize,
    pub audio_max_bytes: usize,
    pub document_max_bytes: usize,
    /// Largest width or height of an image, in pixels (decompression bombs are refused before
    /// their pixels are allocated).
    pub image_max_side: u32,
    /// Largest width × height.
    pub image_max_pixels: u64,
    /// The thumbnail's longer side, in pixels.
    pub thumbnail_px: u32,
}

impl Default for UploadPolicy {
    fn default() -> Self {
        const MB: usize = 1024 * 1024;
        Self {
            image_max_bytes: 10 * MB,
            pdf_max_bytes: 20 * MB,
            video_max_bytes: 200 * MB,
            audio_max_bytes: 50 * MB,
            document_max_bytes: 20 * MB,
            image_max_side: 12_000,
            image_max_pixels: 50_000_000,
            thumbnail_px: 320,
        }
    }
}

impl UploadPolicy {
    pub fn max_bytes(&self, kind: UploadKind) -> usize {
        match kind {
            UploadKind::Image => self.image_max_bytes,
            UploadKind::Pdf => self.pdf_max_bytes,
            UploadKind::Video => self.video_max_bytes,
            UploadKind::Audio => self.audio_max_bytes,
            UploadKind::Document => self.document_max_bytes,
        }
    }

    /// The largest file any of `kinds` accepts (what an HTTP reader may read before sniffing).
    pub fn largest(&self, kinds: &[UploadKind]) -> usize {
        kinds.iter().map(|k| self.max_bytes(*k)).max().unwrap_or(0)
    }

    /// The format of `bytes` if it is one of `allowed` and within its kind's limit.
    pub fn check(&self, bytes: &[u8], allowed: &[UploadKind]) -> Result<Format, DomainError> {
        let format = sniff(bytes).map_err(|e| hint_allowed(e, allowed))?;
        let kind = format.kind();
        if !allowed.contains(&kind) {
            let names: Vec<&str> = allowed.iter().map(|k| k.label_zh()).collect();
            return Err(DomainError::invalid(
                "file",
                format!(
                    "这里不接受{}，只接受：{}",
                    kind.label_zh(),
                    names.join("、")
                ),
            ));
        }
        let max = self.max_bytes(kind);
        if bytes.len() > max {
            return Err(DomainError::TooLarge {
                field: "file",
                message: format!("{}不能超过 {}", kind.label_zh(), size_text(max)),
            });
        }
        Ok(format)
    }
}

/// `10 MB`, or KB below a megabyte.
pub fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// An upload's id: 32 lowercase hex digits (128 random bits), immutable; the file's name on
/// disk and in its URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UploadId(String);

impl UploadId {
    /// A fresh random id.
    pub fn random() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self(hex::encode(bytes))
    }

    /// Only the exact shape a generated id has: nothing else can reach a path.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a file lives below the data directory: `uploads/ab/abcdef….jpg` (the thumbnail
/// `uploads/ab/abcdef….thumb.jpg`); two hex digits of fan-out keep directories small.
pub fn relative_path(id: &UploadId, mime: &str, thumb: bool) -> String {
    let id = id.as_str();
    let ext = extension(mime);
    let variant = if thumb { ".thumb" } else { "" };
    format!("uploads/{}/{id}{variant}.{ext}", &id[..2])
}

/// The original file name as shown (metadata only, never a path): its last path component,
/// without control characters or characters that mean something in HTML or a header, at most
/// 100 characters; `文件` when nothing is left.
pub fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '\'' | '`' | ';'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "文件".into()
    } else {
        cleaned.to_owned()
    }
}

/// Percent-encodes a file name for `Content-Disposition: attachment; filename*=UTF-8''…`
/// (RFC 5987: only attr-chars stay as they are).
pub fn rfc5987(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An upload as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub id: UploadId,
    pub owner: UserId,
    pub kind: UploadKind,
    /// Of the stored file (an image's is that of its re-encoding).
    pub mime: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// SHA-256 of the stored file, hex.
    pub sha256: String,
    pub original_name: String,
    /// Images have one (same format as the image).
    pub has_thumb: bool,
    pub created_at: Timestamp,
}

/// Most photos a question or an answer carries.
pub const MAX_PHOTOS: usize = 6;

/// Photo ids as sent (API strings): each well-formed, no repeats, at most [`MAX_PHOTOS`].
pub fn photo_ids(raw: &[String]) -> Result<Vec<UploadId>, DomainError> {
    if raw.len() > MAX_PHOTOS {
        return Err(too_many_photos());
    }
    let mut ids = Vec::with_capacity(raw.len());
    for r in raw {
        let id = UploadId::parse(r.trim())
            .ok_or_else(|| DomainError::invalid("photo_ids", "图片编号无效"))?;
        if ids.contains(&id) {
            return Err(DomainError::invalid("photo_ids", "同一张图片不能重复添加"));
        }
        ids.push(id);
    }
    Ok(ids)
}

pub fn too_many_photos() -> DomainError {
    DomainError::invalid("photos", format!("最多只能添加 {MAX_PHOTOS} 张图片"))
}

#[cfg(test)]
mod tests;
