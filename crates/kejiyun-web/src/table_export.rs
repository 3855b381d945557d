//! The table export engine (名册导出), written once for every list an admin downloads
//! (volunteers, service hours, activities, …): a [`Table`] of text and number cells becomes
//! CSV (UTF-8 with a BOM, for Excel) or .xlsx, and in both a text cell that a spreadsheet
//! would run as a formula (starting with `=`, `+`, `-`, `@`, TAB or CR) is neutralised with a
//! leading `'`: a name like `=HYPERLINK(…)` typed into a form stays text in the admin's Excel.

use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::error::ApiError;
use kejiyun_core::DomainError;

/// One cell: text (neutralised on the way out) or a whole number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(i64),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Self::Number(n)
    }
}

/// A sheet to export: its name (the file's and the sheet's), headers and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file name without extension, ASCII (`volunteers-511623`).
    pub file: String,
    /// The sheet's name (≤ 31 characters).
    pub sheet: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// A file to save (exports, templates, certificates): never rendered in place, never sniffed.
pub fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        body,
    )
        .into_response()
}

/// Text a spreadsheet shows as text, never runs: a leading `'` before a formula trigger.
pub fn neutral(raw: &str) -> String {
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    }
}

/// A CSV cell: neutralised, then quoted where CSV needs it.
pub fn csv_cell(raw: &str) -> String {
    let neutral = neutral(raw);
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

impl Table {
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let line = |cells: Vec<String>| cells.join(",") + "\r\n";
        out.push_str(&line(self.headers.iter().map(|h| csv_cell(h)).collect()));
        for row in &self.rows {
            out.push_str(&line(
                row.iter()
                    .map(|c| match c {
                        Cell::Text(t) => csv_cell(t),
                        Cell::Number(n) => n.to_string(),
                    })
                    .collect(),
            ));
        }
        out
    }

    pub fn to_xlsx(&self) -> Result<Vec<u8>, ApiError> {
        self.write_xlsx()
            .map_err(|e| ApiError::from(DomainError::Internal(format!("xlsx export: {e}"))))
    }

    fn write_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(self.sheet.chars().take(31).collect::<String>())?;
        let bold = Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, c, *h, &bold)?;
            ws.set_column_width(c, 16)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, neutral(t))?,
                    #[allow(clippy::cast_precision_loss)] // counts and minutes, far below 2^53
                    Cell::Number(n) => ws.write_number(r, c, *n as f64)?,
                };
            }
        }
        book.save_to_buffer()
    }

    /// The download: `format` is `csv` or `xlsx`.
    pub fn download(&self, format: &str) -> Result<Response, ApiError> {
        match format {
            "csv" => Ok(attachment(
                "text/csv; charset=utf-8",
                format!("{}.csv", self.file),
                self.to_csv().into_bytes(),
            )),
            "xlsx" => Ok(attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{}.xlsx", self.file),
                self.to_xlsx()?,
            )),
            _ => Err(ApiError::from(DomainError::invalid(
                "format",
                "导出格式应为 csv 或 xlsx",
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_are_neutralised_in_csv_and_xlsx() {
        let t = Table {
            file: "t".into(),
            sheet: "志愿者".into(),
            headers: vec!["姓名", "分钟"],
            rows: vec![
                vec!["=HYPERLINK(\"http://x\")".into(), Cell::Number(90)],
                vec!["-1+1".into(), Cell::Number(-5)],
                vec!["张三, \"老张\"".into(), Cell::Number(0)],
            ],
        };
        let csv = t.to_csv();
        assert!(csv.starts_with('\u{feff}'));
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\",90\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("'-1+1,-5\r\n"),
            "a number cell stays a number: {csv}"
        );
        assert!(csv.contains("\"张三, \"\"老张\"\"\",0"));
        let xlsx = t.to_xlsx().unwrap_or_else(|_| panic!("xlsx"));
        assert!(xlsx.starts_with(b"PK"));
    }
}
