//! A certificate as a one-page PDF (A4 landscape): the heading, the holder, what was done,
//! the issuer and date, and the verification code with a QR code to the public verify page.
//! Chinese text is set in Noto Sans SC (SIL OFL 1.1, fetched by `scripts/fetch-font`), subset
//! to the characters used, so a certificate is a few kilobytes.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kejiyun_core::certificates::Certificate;
use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};
use qrcode::QrCode;

/// The font file's name, in `<data_dir>/models/` (or the checkout's `models/`).
pub const FONT_FILE: &str = "NotoSansSC-Regular.ttf";

const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;

/// The font, read and parsed on the first certificate asked for (10 MB, about 20 ms), then
/// kept. A missing font is not cached, so fetching it takes effect without a restart.
pub struct CertificateFont {
    path: PathBuf,
    parsed: OnceLock<ParsedFont>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "证书字体文件 {0} 不存在：请管理员运行 scripts/fetch-font 下载（certificate font missing）"
    )]
    FontMissing(PathBuf),
    #[error("证书字体文件 {0} 无法读取或解析（certificate font unreadable）")]
    FontBroken(PathBuf),
}

impl CertificateFont {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            parsed: OnceLock::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parsed font (other one-page documents, such as the region summary, share it).
    pub(crate) fn get(&self) -> Result<&ParsedFont, PdfError> {
        if let Some(font) = self.parsed.get() {
            return Ok(font);
        }
        let bytes = std::fs::read(&self.path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PdfError::FontMissing(self.path.clone()),
            _ => PdfError::FontBroken(self.path.clone()),
        })?;
        let font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
            .ok_or_else(|| PdfError::FontBroken(self.path.clone()))?;
        Ok(self.parsed.get_or_init(|| font))
    }
}

/// Renders `cert`; `verify_url` is the absolute address of its verify page (the QR code).
pub fn render(
    font: &CertificateFont,
    cert: &Certificate,
    verify_url: &str,
) -> Result<Vec<u8>, PdfError> {
    let parsed = font.get()?;
    let c = &cert.of;
    let mut doc = PdfDocument::new(c.kind.label());
    let font_id = doc.add_font(parsed);
    let mut page = Page {
        ops: Vec::new(),
        font: font_id,
    };
    page.frame();
    page.centered(c.kind.label(), 34.0, 160.0);
    page.left(&format!("{} 同志：", c.holder_name), 18.0, 35.0, 130.0);
    let body = format!("参加了「{}」，{}。", c.title, c.detail);
    let mut y = 115.0;
    for line in wrap(&body, 42.0) {
        page.left(&line, 16.0, 45.0, y);
        y -= 10.0;
    }
    page.left("特发此证。", 16.0, 45.0, y);
    page.right(&c.issuer, 16.0, PAGE_W - 35.0, 58.0);
    page.right(
        &c.issued_at
            .shanghai_date()
            .format("%Y年%m月%d日")
            .to_string(),
        14.0,
        PAGE_W - 35.0,
        48.0,
    );
    page.left(
        &format!("证书编号：{}", cert.code.display()),
        11.0,
        65.0,
        34.0,
    );
    page.left("扫描二维码或访问以下地址核验：", 9.0, 65.0, 28.0);
    page.left(verify_url, 9.0, 65.0, 23.0);
    page.qr(verify_url, 25.0, 20.0, 34.0);
    let pdf = doc
        .with_pages(vec![PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), page.ops)])
        .save(&PdfSaveOptions::default(), &mut Vec::new());
    Ok(pdf)
}

/// Breaks `text` into lines of at most `width` ems (a Chinese character is one em, a Latin
/// letter or digit about half).
pub(crate) fn wrap(text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = em_width(c);
        if used + w > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0.0;
        }
        line.push(c);
        used += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn em_width(c: char) -> f32 {
    if c.is_ascii() { 0.55 } else { 1.0 }
}

pub(crate) fn text_width_mm(text: &str, size_pt: f32) -> f32 {
    let ems: f32 = text.chars().map(em_width).sum();
    ems * size_pt * 25.4 / 72.0
}

struct Page {
    ops: Vec<Op>,
    font: FontId,
}

impl Page {
    fn text(&mut self, text: &str, size: f32, x_mm: f32, y_mm: f32) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(self.font.clone()),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x_mm), Mm(y_mm)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn left(&mut self, text: &str, size: f32, x_mm: f32, y_mm: f32) {
        self.text(text, size, x_mm, y_mm);
    }

    fn right(&mut self, text: &str, size: f32, right_mm: f32, y_mm: f32) {
        self.text(text, size, right_mm - text_width_mm(text, size), y_mm);
    }

    fn centered(&mut self, text: &str, size: f32, y_mm: f32) {
        self.text(text, size, (PAGE_W - text_width_mm(text, size)) / 2.0, y_mm);
    }

    /// A double border in the associations' red.
    fn frame(&mut self) {
        let red = Color::Rgb(Rgb {
            r: 0.72,
            g: 0.11,
            b: 0.11,
            icc_profile: None,
        });
        self.ops.push(Op::SetOutlineColor { col: red });
        for (inset, thickness) in [(10.0, 2.5), (14.0, 0.8)] {
            self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
            let (x0, y0, x1, y1) = (inset, inset, PAGE_W - inset, PAGE_H - inset);
            let corner = |x: f32, y: f32| LinePoint {
                p: Point::new(Mm(x), Mm(y)),
                bezier: false,
            };
            self.ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        corner(x0, y0),
                        corner(x1, y0),
                        corner(x1, y1),
                        corner(x0, y1),
                    ],
                    is_closed: true,
                },
            });
        }
    }

    /// The QR code of `data`, `size_mm` square, its lower left corner at (`x_mm`, `y_mm`).
    fn qr(&mut self, data: &str, x_mm: f32, y_mm: f32, size_mm: f32) {
        let Ok(code) = QrCode::new(data.as_bytes()) else {
            return; // Too long to encode: the printed address and code still verify.
        };
        let n = code.width();
        let module = size_mm / n as f32;
        let black = Color::Rgb(Rgb {
            r: 0.0,
            g: 0.0,
            b: 0.0,
            icc_profile: None,
        });
        self.ops.push(Op::SetFillColor { col: black });
        let colors = code.to_colors();
        for (i, color) in colors.iter().enumerate() {
            if *color != qrcode::Color::Dark {
                continue;
            }
            let (col, row) = (i % n, i / n);
            let x = x_mm + col as f32 * module;
            // QR rows run top to bottom; PDF's y runs bottom to top.
            let y = y_mm + (n - 1 - row) as f32 * module;
            let mut rect = Rect::from_xywh(
                Mm(x).into(),
                Mm(y).into(),
                Mm(module).into(),
                Mm(module).into(),
            );
            rect.mode = Some(PaintMode::Fill);
            self.ops.push(Op::DrawRectangle { rectangle: rect });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_by_width_and_keeps_every_character() {
        let text = "参加了「柑橘黄龙病综合防控与绿色高效栽培技术培训班（第二期）」，出勤 3 次（共 3 次课）。";
        let lines = wrap(text, 20.0);
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|l| l.chars().map(em_width).sum::<f32>() <= 20.0)
        );
        assert_eq!(lines.concat(), text);
    }
}
