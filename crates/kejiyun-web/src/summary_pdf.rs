//! The region summary (县域科技服务概况) as a one-page A4 PDF: the title, the paragraph, the
//! figures in two columns and when they were computed. Set in the certificates' font
//! ([`CertificateFont`]), so it needs nothing more than `scripts/fetch-font`.

use printpdf::{
    FontId, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem,
};

use crate::certificate_pdf::{CertificateFont, PdfError, text_width_mm, wrap};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 20.0;
/// One point in millimetres.
const PT_MM: f32 = 25.4 / 72.0;

/// What the page shows, already worded (the page handler builds it from the summary).
#[derive(Debug, Clone)]
pub struct SummaryDoc {
    pub title: String,
    pub paragraph: String,
    /// Sections of `(label, figure)` rows, every figure of the summary.
    pub sections: Vec<(String, Vec<(String, String)>)>,
    /// Small print at the foot: when computed, where from.
    pub footer: Vec<String>,
}

struct Ops {
    ops: Vec<Op>,
    font: FontId,
}

impl Ops {
    fn text(&mut self, text: &str, size: f32, x_mm: f32, y_mm: f32) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(self.font.clone()),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(printpdf::Mm(x_mm), printpdf::Mm(y_mm)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn centered(&mut self, text: &str, size: f32, y_mm: f32) {
        let x = ((PAGE_W - text_width_mm(text, size)) / 2.0).max(MARGIN);
        self.text(text, size, x, y_mm);
    }

    fn right(&mut self, text: &str, size: f32, right_mm: f32, y_mm: f32) {
        self.text(text, size, right_mm - text_width_mm(text, size), y_mm);
    }

    /// One column of sections from `y_mm` down; returns where it ended.
    fn column(&mut self, sections: &[(String, Vec<(String, String)>)], x: f32, y_mm: f32) -> f32 {
        let width = (PAGE_W - 2.0 * MARGIN - 10.0) / 2.0;
        let mut y = y_mm;
        for (title, rows) in sections {
            self.text(title, 10.5, x, y);
            y -= 6.0;
            for (label, figure) in rows {
                self.text(label, 9.5, x + 3.0, y);
                self.right(figure, 9.5, x + width, y);
                y -= 5.0;
            }
            y -= 2.0;
        }
        y
    }
}

/// Renders the page (about 20 ms once the font is parsed; call it off the async threads).
pub fn render(font: &CertificateFont, doc: &SummaryDoc) -> Result<Vec<u8>, PdfError> {
    let parsed = font.get()?;
    let mut pdf = PdfDocument::new(&doc.title);
    let mut page = Ops {
        ops: Vec::new(),
        font: pdf.add_font(parsed),
    };
    let text_width = PAGE_W - 2.0 * MARGIN;
    let mut y = PAGE_H - MARGIN - 5.0;
    let title_size = 15.0;
    for line in wrap(&doc.title, text_width / (title_size * PT_MM)) {
        page.centered(&line, title_size, y);
        y -= 8.0;
    }
    y -= 4.0;
    // A Chinese paragraph opens with a two-character indent.
    let body_size = 11.0;
    let indented = format!("\u{3000}\u{3000}{}", doc.paragraph);
    for line in wrap(&indented, text_width / (body_size * PT_MM) - 0.5) {
        page.text(&line, body_size, MARGIN, y);
        y -= 6.5;
    }
    y -= 5.0;
    // Balance the two columns by rows: the first sections on the left until half are placed.
    let rows = |s: &(String, Vec<(String, String)>)| s.1.len() + 2;
    let total: usize = doc.sections.iter().map(rows).sum();
    let mut left = 0;
    let mut placed = 0;
    while left < doc.sections.len() && placed + rows(&doc.sections[left]) <= total.div_ceil(2) {
        placed += rows(&doc.sections[left]);
        left += 1;
    }
    let column_width = (text_width - 10.0) / 2.0;
    page.column(&doc.sections[..left], MARGIN, y);
    page.column(&doc.sections[left..], MARGIN + column_width + 10.0, y);
    let mut foot = MARGIN + 4.5 * doc.footer.len() as f32;
    for line in &doc.footer {
        page.text(line, 8.5, MARGIN, foot);
        foot -= 4.5;
    }
    Ok(pdf
        .with_pages(vec![PdfPage::new(
            printpdf::Mm(PAGE_W),
            printpdf::Mm(PAGE_H),
            page.ops,
        )])
        .save(&PdfSaveOptions::default(), &mut Vec::new()))
}
