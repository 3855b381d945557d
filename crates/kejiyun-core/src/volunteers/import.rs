//! The volunteers' and teams' sheets (志愿者名册, 志愿队伍名册) as kinds of the import engine.
//! A row is checked here on its own (ID-card check digit, phone, region code, skills, level);
//! what needs the database (a number registered already, an unknown region, a parent team
//! that does not exist) is checked by `Volunteers::import_*`, which writes all rows or none.

use crate::DomainError;
use crate::ids::UserId;
use crate::import::{Cells, Column, ImportKind, RowError};
use crate::volunteers::{TeamDraft, VolunteerDraft, VolunteerInput};

const NAME: &str = "姓名";
const ID_CARD: &str = "身份证号";
const PHONE: &str = "手机号";
const REGION: &str = "地区代码";
const SKILLS: &str = "技能";
const AVAILABILITY: &str = "可服务时间";

/// The volunteers' sheet: one person per row.
pub struct VolunteerSheet;

fn field_error(cells: &Cells<'_>, e: &DomainError) -> RowError {
    let column = match e {
        DomainError::Invalid { field, .. } => match *field {
            "name" => Some(NAME),
            "id_card" => Some(ID_CARD),
            "phone" => Some(PHONE),
            "region" => Some(REGION),
            "skills" => Some(SKILLS),
            "availability" => Some(AVAILABILITY),
            "level" => Some(LEVEL),
            "description" => Some(DESCRIPTION),
            _ => None,
        },
        _ => None,
    };
    let message = match e {
        DomainError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    };
    match column {
        Some(c) => cells.error(c, message),
        None => RowError::new(cells.row(), None, message),
    }
}

impl ImportKind for VolunteerSheet {
    type Row = VolunteerDraft;

    fn columns() -> &'static [Column] {
        &[
            Column {
                header: NAME,
                required: true,
                hint: "与身份证一致的姓名",
            },
            Column {
                header: ID_CARD,
                required: true,
                hint: "18 位，末位可为 X",
            },
            Column {
                header: PHONE,
                required: true,
                hint: "11 位手机号；未注册的将以此号开户，本人用验证码登录",
            },
            Column {
                header: REGION,
                required: true,
                hint: "六位行政区划代码，如 511623",
            },
            Column {
                header: SKILLS,
                required: true,
                hint: "种养植、畜牧兽医、营养健康、心理健康、法律、科普讲解、应急救护、信息技术、电商营销、教育辅导，用顿号分隔",
            },
            Column {
                header: AVAILABILITY,
                required: false,
                hint: "如：周末、农闲时",
            },
        ]
    }

    fn parse_row(cells: &Cells<'_>) -> Result<Self::Row, Vec<RowError>> {
        VolunteerDraft::parse(&VolunteerInput {
            name: cells.get(NAME),
            id_card: cells.get(ID_CARD),
            phone: cells.get(PHONE),
            region: cells.get(REGION),
            skills: cells.get(SKILLS),
            availability: cells.get(AVAILABILITY),
        })
        .map_err(|e| vec![field_error(cells, &e)])
    }

    /// The same person twice in one sheet: by ID-card number.
    fn key(row: &Self::Row) -> String {
        row.id_card.as_str().to_owned()
    }
}

const TEAM: &str = "队伍名称";
const LEVEL: &str = "层级";
const PARENT: &str = "上级队伍";
const LEADER: &str = "队长手机号";
const DESCRIPTION: &str = "简介";

/// The teams' sheet: one team per row; a parent named in the sheet may come on any row.
pub struct TeamSheet;

/// A team row: its draft (its leader still to be found by phone) and its parent's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub draft: TeamDraft,
    pub leader_phone: crate::accounts::Phone,
    pub parent: Option<String>,
}

impl ImportKind for TeamSheet {
    type Row = TeamRow;

    fn columns() -> &'static [Column] {
        &[
            Column {
                header: TEAM,
                required: true,
                hint: "如：邻水县科技志愿服务支队",
            },
            Column {
                header: LEVEL,
                required: true,
                hint: "支队、大队 或 小队",
            },
            Column {
                header: PARENT,
                required: false,
                hint: "上级队伍的名称（本表中或已登记的）；支队可不填",
            },
            Column {
                header: REGION,
                required: true,
                hint: "六位行政区划代码",
            },
            Column {
                header: LEADER,
                required: true,
                hint: "队长须已登记为志愿者",
            },
            Column {
                header: DESCRIPTION,
                required: false,
                hint: "",
            },
        ]
    }

    fn parse_row(cells: &Cells<'_>) -> Result<Self::Row, Vec<RowError>> {
        let mut errors = Vec::new();
        let leader_phone = crate::accounts::Phone::parse(cells.get(LEADER))
            .map_err(|_| errors.push(cells.error(LEADER, "手机号格式不对")))
            .ok();
        // The leader is found later; a placeholder id keeps the draft's checks in one place.
        let draft = TeamDraft::parse(
            cells.get(TEAM),
            cells.get(LEVEL),
            None,
            cells.get(REGION),
            UserId(0),
            cells.get(DESCRIPTION),
        )
        .map_err(|e| errors.push(field_error(cells, &e)))
        .ok();
        let parent = Some(cells.get(PARENT).trim().to_owned()).filter(|p| !p.is_empty());
        match (draft, leader_phone) {
            (Some(draft), Some(leader_phone)) if errors.is_empty() => Ok(TeamRow {
                draft,
                leader_phone,
                parent,
            }),
            _ => Err(errors),
        }
    }

    fn key(row: &Self::Row) -> String {
        row.draft.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Sheet, read};

    fn cells(r: &[&str]) -> Vec<String> {
        r.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn volunteer_rows_report_a_bad_id_number_and_a_repeated_person() {
        let sheet = Sheet {
            rows: vec![
                cells(&["姓名", "身份证号", "手机号", "地区代码", "技能"]),
                cells(&[
                    "王小明",
                    "11010519491231002X",
                    "13900000011",
                    "511623",
                    "法律",
                ]),
                cells(&[
                    "李四",
                    "110105194912310021",
                    "13900000012",
                    "511623",
                    "法律",
                ]),
                cells(&[
                    "王小明",
                    "11010519491231002x",
                    "13900000013",
                    "511623",
                    "法律",
                ]),
                cells(&[
                    "赵六",
                    "11010519491231002X",
                    "13900000014",
                    "511623",
                    "占卜",
                ]),
            ],
        };
        let r = read::<VolunteerSheet>(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.rows.len(), 1);
        let errors: Vec<(usize, Option<&str>)> =
            r.errors.iter().map(|e| (e.row, e.column)).collect();
        assert_eq!(
            errors,
            vec![(3, Some(ID_CARD)), (4, None), (5, Some(SKILLS))],
            "{:?}",
            r.errors
        );
    }

    #[test]
    fn team_rows_need_a_level_and_a_leader_phone() {
        let sheet = Sheet {
            rows: vec![
                cells(&["队伍名称", "层级", "上级队伍", "地区代码", "队长手机号"]),
                cells(&[
                    "邻水县科技志愿服务支队",
                    "支队",
                    "",
                    "511623",
                    "13900000011",
                ]),
                cells(&[
                    "农技大队",
                    "大队",
                    "邻水县科技志愿服务支队",
                    "511623",
                    "13900000012",
                ]),
                cells(&["某某队", "中队", "", "511623", "13900000013"]),
                cells(&["无队长", "小队", "农技大队", "511623", "139"]),
            ],
        };
        let r = read::<TeamSheet>(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.rows.len(), 2);
        assert_eq!(
            r.rows[1].1.parent.as_deref(),
            Some("邻水县科技志愿服务支队")
        );
        let errors: Vec<usize> = r.errors.iter().map(|e| e.row).collect();
        assert_eq!(errors, vec![4, 5], "{:?}", r.errors);
    }
}
