//! An organizer's enrolment list (报名名单) as a kind of the import engine: one person per row,
//! found by the phone number or e-mail they registered with.

use crate::accounts::Login;
use crate::import::{Cells, Column, ImportKind, RowError};

/// The column that names the person.
pub const LOGIN: &str = "手机号或邮箱";
const NAME: &str = "姓名";

pub struct EnrolmentList;

/// One row: who (their login), and the name the organizer wrote (for their own checking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRow {
    pub login: Login,
    pub name: String,
}

impl ImportKind for EnrolmentList {
    type Row = EnrolmentRow;

    fn columns() -> &'static [Column] {
        &[
            Column {
                header: LOGIN,
                required: true,
                hint: "学员注册科技云时用的手机号或邮箱",
            },
            Column {
                header: NAME,
                required: false,
                hint: "便于核对，不影响导入",
            },
        ]
    }

    fn parse_row(cells: &Cells<'_>) -> Result<Self::Row, Vec<RowError>> {
        let login = Login::parse(cells.get(LOGIN))
            .map_err(|_| vec![cells.error(LOGIN, "手机号或邮箱格式不对")])?;
        Ok(EnrolmentRow {
            login,
            name: cells.get(NAME).chars().take(50).collect(),
        })
    }

    fn key(row: &Self::Row) -> String {
        row.login.key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Sheet, read};

    #[test]
    fn rows_are_people_by_login_and_a_bad_or_repeated_login_is_reported() {
        let cells = |r: &[&str]| r.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let sheet = Sheet {
            rows: vec![
                cells(&["姓名", "手机号或邮箱"]),
                cells(&["王大爷", "13800001111"]),
                cells(&["李四", "1380000"]),
                cells(&["王大爷", "138 0000 1111"]),
                cells(&["赵六", "zhao@example.cn"]),
            ],
        };
        let r = read::<EnrolmentList>(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.rows.len(), 2);
        let errors: Vec<usize> = r.errors.iter().map(|e| e.row).collect();
        assert_eq!(errors, vec![3, 4], "{:?}", r.errors);
    }
}
