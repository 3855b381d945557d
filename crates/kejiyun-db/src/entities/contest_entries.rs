use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contest_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contest_id: i64,
    pub group_name: String,
    pub title: String,
    pub summary: String,
    pub authors: String,
    pub tutor: Option<String>,
    pub school: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub from_contest_id: Option<i64>,
    pub from_round_region: Option<String>,
    pub from_entry_id: Option<i64>,
    pub origin_award: Option<String>,
    pub submitted_by: i64,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub awarded_at: Option<i64>,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
