use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub edition: i32,
    pub kind: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub group_names: String,
    pub entries_open: i64,
    pub entries_close: i64,
    pub judging_open: i64,
    pub judging_close: i64,
    pub notice_open: i64,
    pub notice_close: i64,
    pub rubric: String,
    pub award_levels: String,
    pub min_judges_per_entry: i16,
    pub scoring: String,
    pub trim_each_side: i16,
    pub parent_contest_id: Option<i64>,
    pub parent_region: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
    pub notice_published_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
