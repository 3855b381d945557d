//! Image processing of an upload: decode (dimensions capped before any pixel is allocated),
//! turn upright as the camera's EXIF orientation says, and re-encode — JPEG, or PNG when the
//! image uses transparency. Only the pixels survive: EXIF (GPS position, camera serial),
//! comments, and anything appended after the image data (an HTML or script polyglot) are gone.
//! Pure computation on bytes, so it lives in the domain crate and is unit-tested directly.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::{Format, UploadPolicy};
use crate::DomainError;

/// A re-encoded image and its thumbnail (same format).
#[derive(Debug, Clone, PartialEq)]
pub struct Processed {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
}

const JPEG_QUALITY: u8 = 85;

fn broken() -> DomainError {
    DomainError::invalid("file", "图片已损坏或格式不受支持，无法读取")
}

fn too_large(policy: &UploadPolicy) -> DomainError {
    DomainError::invalid(
        "file",
        format!(
            "图片尺寸过大：宽、高均不能超过 {} 像素，总像素不能超过 {} 万",
            policy.image_max_side,
            policy.image_max_pixels / 10_000
        ),
    )
}

/// Decodes `bytes` (already sniffed as `format`) and re-encodes it with a thumbnail.
pub fn process(
    bytes: &[u8],
    format: Format,
    policy: &UploadPolicy,
) -> Result<Processed, DomainError> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::WebP => ImageFormat::WebP,
        Format::Gif => ImageFormat::Gif,
        _ => return Err(broken()),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(policy.image_max_side);
    limits.max_image_height = Some(policy.image_max_side);
    // Decoded RGBA pixels of the largest image allowed, plus room for the decoder's own.
    limits.max_alloc = Some(
        policy
            .image_max_pixels
            .saturating_mul(4)
            .saturating_add(64 << 20),
    );
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| refusal(&e, policy))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(broken());
    }
    if u64::from(w) * u64::from(h) > policy.image_max_pixels {
        return Err(too_large(policy));
    }
    // Phone cameras store the picture sideways and say so in EXIF; the EXIF is dropped, so
    // the turn is applied to the pixels.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| refusal(&e, policy))?;
    img.apply_orientation(orientation);
    // PNG only where transparency is used: an opaque RGBA image (many PNGs) is a photo as well.
    let alpha = img.color().has_alpha() && img.to_rgba8().pixels().any(|p| p[3] < 255);
    let side = policy.thumbnail_px.max(16);
    let thumb = if img.width() > side || img.height() > side {
        img.thumbnail(side, side)
    } else {
        img.clone()
    };
    let (width, height) = (img.width(), img.height());
    let (bytes, thumb, mime) = if alpha {
        (png(&img)?, png(&thumb)?, "image/png")
    } else {
        (jpeg(&img)?, jpeg(&thumb)?, "image/jpeg")
    };
    Ok(Processed {
        bytes,
        mime,
        width,
        height,
        thumb,
    })
}

fn refusal(e: &image::ImageError, policy: &UploadPolicy) -> DomainError {
    match e {
        image::ImageError::Limits(_) => too_large(policy),
        _ => broken(),
    }
}

fn jpeg(img: &DynamicImage) -> Result<Vec<u8>, DomainError> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img.to_rgb8())
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        .map_err(|e| DomainError::Internal(format!("jpeg encoding: {e}")))?;
    Ok(out)
}

fn png(img: &DynamicImage) -> Result<Vec<u8>, DomainError> {
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(img.to_rgba8())
        .write_with_encoder(PngEncoder::new(&mut out))
        .map_err(|e| DomainError::Internal(format!("png encoding: {e}")))?;
    Ok(out)
}
