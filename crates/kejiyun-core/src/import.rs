//! Spreadsheet import with a row-by-row report (批量导入), written once for every module that
//! takes a list from an organizer (a training's enrolment list now; volunteers and teams
//! next). A kind declares its columns and how one row becomes a value; the engine finds the
//! columns by their headers (any order, extra columns ignored), skips blank rows, refuses a
//! row twice in the file, and reports every bad row with its sheet row number and the reason.
//! The calling module checks what needs the database (an unknown phone, a full training) and
//! then writes all rows in one transaction, or none: a report with any error imports nothing.

use serde::Serialize;

use crate::{DomainError, DomainResult};

/// Most data rows one file may hold: beyond any county's list, and a bound on the work.
pub const MAX_ROWS: usize = 20_000;

/// One column of a kind's template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The header cell, as in the template (姓名, 手机号 …).
    pub header: &'static str,
    pub required: bool,
    /// What the template's second row says about it.
    pub hint: &'static str,
}

/// A sheet as read from the file: the cells' text, row by row, the first row the headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub rows: Vec<Vec<String>>,
}

/// Why one row cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The column's header, when one cell is at fault.
    pub column: Option<&'static str>,
    pub message: String,
}

impl RowError {
    pub fn new(row: usize, column: Option<&'static str>, message: impl Into<String>) -> Self {
        Self {
            row,
            column,
            message: message.into(),
        }
    }
}

/// The outcome of reading (and, by the module, checking) a file.
#[derive(Debug, Clone, PartialEq)]
pub struct RowReport<T> {
    /// Rows that passed, with their sheet row numbers.
    pub rows: Vec<(usize, T)>,
    pub errors: Vec<RowError>,
}

impl<T> RowReport<T> {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Moves a row that passed reading but failed a check of the module's to the errors.
    pub fn reject(&mut self, row: usize, column: Option<&'static str>, message: impl Into<String>) {
        self.rows.retain(|(r, _)| *r != row);
        self.errors.push(RowError::new(row, column, message));
        self.errors.sort_by_key(|e| e.row);
    }
}

/// One data row, its cells looked up by header.
pub struct Cells<'a> {
    row: usize,
    cells: &'a [String],
    index: &'a [(&'static str, Option<usize>)],
}

impl Cells<'_> {
    /// The row number as the spreadsheet shows it.
    pub fn row(&self) -> usize {
        self.row
    }

    /// The trimmed text under `header` (empty when the column is absent or the cell blank).
    pub fn get(&self, header: &str) -> &str {
        self.index
            .iter()
            .find(|(h, _)| *h == header)
            .and_then(|(_, i)| *i)
            .and_then(|i| self.cells.get(i))
            .map_or("", |s| s.trim())
    }

    /// An error about the cell under `header`.
    pub fn error(&self, header: &'static str, message: impl Into<String>) -> RowError {
        RowError::new(self.row, Some(header), message)
    }
}

/// What a module imports: its columns, and how one row becomes a value.
pub trait ImportKind {
    type Row;
    fn columns() -> &'static [Column];
    /// The row's value, or every reason it is bad. Required cells are checked before.
    fn parse_row(cells: &Cells<'_>) -> Result<Self::Row, Vec<RowError>>;
    /// What makes two rows the same (a phone, an ID number): the second is refused.
    fn key(row: &Self::Row) -> String;
}

/// Reads `sheet` as kind `K`. Refused whole (an error, not a report) when a required column
/// is missing, the file has no data rows, or more than [`MAX_ROWS`].
pub fn read<K: ImportKind>(sheet: &Sheet) -> DomainResult<RowReport<K::Row>> {
    let Some((header, data)) = sheet.rows.split_first() else {
        return Err(DomainError::invalid(
            "file",
            "文件是空的：请使用下载的模板填写",
        ));
    };
    let index: Vec<(&'static str, Option<usize>)> = K::columns()
        .iter()
        .map(|c| (c.header, header.iter().position(|h| h.trim() == c.header)))
        .collect();
    let missing: Vec<&str> = K::columns()
        .iter()
        .zip(&index)
        .filter(|(c, (_, i))| c.required && i.is_none())
        .map(|(c, _)| c.header)
        .collect();
    if !missing.is_empty() {
        return Err(DomainError::invalid(
            "file",
            format!("表头缺少必填列：{}（请使用下载的模板）", missing.join("、")),
        ));
    }
    let blank = |r: &Vec<String>| r.iter().all(|c| c.trim().is_empty());
    let filled = data.iter().filter(|r| !blank(r)).count();
    if filled == 0 {
        return Err(DomainError::invalid("file", "文件里没有数据行"));
    }
    if filled > MAX_ROWS {
        return Err(DomainError::invalid(
            "file",
            format!("一次最多导入 {MAX_ROWS} 行，本文件有 {filled} 行：请分成几个文件"),
        ));
    }
    let mut report = RowReport {
        rows: Vec::new(),
        errors: Vec::new(),
    };
    let mut seen = std::collections::HashMap::new();
    for (i, cells) in data.iter().enumerate() {
        if blank(cells) {
            continue;
        }
        let cells = Cells {
            row: i + 2,
            cells,
            index: &index,
        };
        let empty: Vec<RowError> = K::columns()
            .iter()
            .filter(|c| c.required && cells.get(c.header).is_empty())
            .map(|c| cells.error(c.header, format!("{}不能为空", c.header)))
            .collect();
        if !empty.is_empty() {
            report.errors.extend(empty);
            continue;
        }
        match K::parse_row(&cells) {
            Err(errors) => report.errors.extend(errors),
            Ok(value) => match seen.insert(K::key(&value), cells.row()) {
                Some(first) => report.errors.push(RowError::new(
                    cells.row(),
                    None,
                    format!("与第 {first} 行重复"),
                )),
                None => report.rows.push((cells.row(), value)),
            },
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct People;

    impl ImportKind for People {
        type Row = (String, u32);
        fn columns() -> &'static [Column] {
            &[
                Column {
                    header: "姓名",
                    required: true,
                    hint: "",
                },
                Column {
                    header: "年龄",
                    required: false,
                    hint: "",
                },
            ]
        }
        fn parse_row(cells: &Cells<'_>) -> Result<Self::Row, Vec<RowError>> {
            let age = match cells.get("年龄") {
                "" => 0,
                a => a
                    .parse()
                    .map_err(|_| vec![cells.error("年龄", "年龄须为整数")])?,
            };
            Ok((cells.get("姓名").to_owned(), age))
        }
        fn key(row: &Self::Row) -> String {
            row.0.clone()
        }
    }

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn rows_are_read_by_header_and_every_bad_row_is_reported_with_its_number() {
        let s = sheet(&[
            &["备注", "年龄", "姓名"],
            &["", "30", "张三"],
            &["", "", ""],
            &["", "三十", "李四"],
            &["", "", ""],
            &["x", "40", ""],
            &["", "41", " 张三 "],
            &["", "", "王五"],
        ]);
        let r = read::<People>(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.rows,
            vec![(2, ("张三".into(), 30)), (8, ("王五".into(), 0))]
        );
        let rows: Vec<(usize, Option<&str>)> = r.errors.iter().map(|e| (e.row, e.column)).collect();
        assert_eq!(rows, vec![(4, Some("年龄")), (6, Some("姓名")), (7, None)]);
        assert_eq!(r.errors[2].message, "与第 2 行重复");
        assert!(!r.is_clean());
    }

    #[test]
    fn a_file_without_the_required_columns_or_rows_is_refused_whole() {
        for s in [
            sheet(&[]),
            sheet(&[&["年龄"], &["3"]]),
            sheet(&[&["姓名", "年龄"]]),
            sheet(&[&["姓名", "年龄"], &["", ""]]),
        ] {
            assert!(matches!(
                read::<People>(&s),
                Err(DomainError::Invalid { .. })
            ));
        }
    }

    #[test]
    fn a_row_rejected_by_the_module_moves_to_the_errors_in_order() {
        let s = sheet(&[&["姓名"], &["甲"], &["乙"], &["丙"]]);
        let mut r = read::<People>(&s).unwrap_or_else(|e| panic!("{e}"));
        r.reject(3, Some("姓名"), "该用户不存在");
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.errors[0].row, 3);
    }
}
