//! The spreadsheet side of the import engine (`kejiyun_core::import`): a kind's template as
//! .xlsx, an uploaded .xlsx read into a `Sheet`, and the report's JSON shape. Every module's
//! import endpoint uses these three; the rules are the engine's.

use std::io::Cursor;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use kejiyun_core::import::{Column, RowError, RowReport, Sheet};
use kejiyun_core::{DomainError, DomainResult};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use serde::Serialize;
use utoipa::ToSchema;

/// The MIME type of .xlsx.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Reads the first worksheet of an .xlsx file as text cells.
pub fn read_sheet(bytes: &[u8]) -> DomainResult<Sheet> {
    let unreadable = || {
        DomainError::invalid(
            "file",
            "无法读取该文件：请上传用模板填写的 .xlsx 文件（Excel 2007 及以上，或 WPS 另存为 .xlsx）",
        )
    };
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    Ok(Sheet {
        rows: range
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect(),
    })
}

/// A template: the headers in row 1 (required ones marked ＊ in the hint), what to write in
/// row 2, every column formatted as text so that phone and ID numbers keep their digits.
pub fn template(sheet_name: &str, columns: &[Column]) -> Result<Vec<u8>, DomainError> {
    let internal = |e: rust_xlsxwriter::XlsxError| DomainError::Internal(e.to_string());
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet_name).map_err(internal)?;
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_align(FormatAlign::Center);
    let hint = Format::new().set_italic().set_font_color("#666666");
    for (i, c) in columns.iter().enumerate() {
        let col = u16::try_from(i).map_err(|e| DomainError::Internal(e.to_string()))?;
        ws.set_column_width(col, 18).map_err(internal)?;
        ws.set_column_format(col, &text).map_err(internal)?;
        ws.write_string_with_format(0, col, c.header, &bold)
            .map_err(internal)?;
        let note = if c.required {
            format!("（必填）{}", c.hint)
        } else {
            format!("（选填）{}", c.hint)
        };
        ws.write_string_with_format(1, col, note, &hint)
            .map_err(internal)?;
    }
    book.save_to_buffer().map_err(internal)
}

/// The hint row of a template is not data: it is dropped when it comes back unchanged.
pub fn drop_hint_row(sheet: &mut Sheet) {
    let is_hint = sheet.rows.get(1).is_some_and(|r| {
        r.iter()
            .all(|c| c.is_empty() || c.starts_with("（必填）") || c.starts_with("（选填）"))
    });
    if is_hint {
        sheet.rows.remove(1);
        // Keep the numbers people see in Excel: the header is row 1, the hint row 2, so the
        // first data row stays row 3 (an empty row stands in for the hint).
        sheet.rows.insert(1, Vec::new());
    }
}

/// Every import endpoint's query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` (the default): check every row and write nothing; `false`: import, all rows or
    /// none.
    pub dry_run: Option<bool>,
}

impl ImportParams {
    pub fn dry_run(&self) -> bool {
        self.dry_run.unwrap_or(true)
    }
}

/// An uploaded sheet as the import engine reads it: the first worksheet, the template's hint
/// row left out.
pub fn read_upload(bytes: &[u8]) -> DomainResult<Sheet> {
    let mut sheet = read_sheet(bytes)?;
    drop_hint_row(&mut sheet);
    Ok(sheet)
}

/// What an import answers, dry run or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// True: only checked, nothing written.
    pub dry_run: bool,
    /// Rows that would be (or were) imported.
    pub valid_rows: usize,
    /// Rows written: 0 on a dry run, and 0 whenever any row is bad (all or nothing).
    pub imported: usize,
    /// Every bad row, by its row number in the spreadsheet.
    pub errors: Vec<RowErrorDto>,
}

/// An import's 422, as documented: the report of its bad rows (nothing written), or the API
/// error when the file cannot be read at all (not an .xlsx, a required column missing).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportRefused {
    Report(ImportReport),
    Error(crate::error::ErrorBody),
}

impl ImportReport {
    /// The report of a dry run (200), an import (201) or an import refused for bad rows
    /// (422, nothing written), as every import endpoint answers.
    pub fn respond<T>(dry_run: bool, report: RowReport<T>, imported: usize) -> Response {
        let status = match (dry_run, report.is_clean()) {
            (true, _) => StatusCode::OK,
            (false, true) => StatusCode::CREATED,
            (false, false) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let body = Self {
            dry_run,
            valid_rows: report.rows.len(),
            imported,
            errors: report.errors.into_iter().map(RowErrorDto::from).collect(),
        };
        (status, crate::extract::ApiJson(body)).into_response()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorDto {
    pub row: usize,
    /// The column's header, when one cell is at fault.
    pub column: Option<String>,
    pub message: String,
}

impl From<RowError> for RowErrorDto {
    fn from(e: RowError) -> Self {
        Self {
            row: e.row,
            column: e.column.map(str::to_owned),
            message: e.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            header: "手机号",
            required: true,
            hint: "11 位手机号",
        },
        Column {
            header: "姓名",
            required: false,
            hint: "",
        },
    ];

    #[test]
    fn a_template_reads_back_as_its_headers_and_hint_row() {
        let bytes = template("报名名单", COLUMNS).unwrap_or_else(|e| panic!("{e}"));
        let mut sheet = read_sheet(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sheet.rows[0], vec!["手机号", "姓名"]);
        assert!(sheet.rows[1][0].starts_with("（必填）"));
        drop_hint_row(&mut sheet);
        assert!(sheet.rows[1].is_empty(), "the hint row is no data row");
    }

    #[test]
    fn a_file_that_is_not_xlsx_is_refused_with_a_message() {
        for bytes in [&b""[..], b"PK\x03\x04garbage", b"name,phone\n"] {
            assert!(matches!(
                read_sheet(bytes),
                Err(DomainError::Invalid { .. })
            ));
        }
    }
}
