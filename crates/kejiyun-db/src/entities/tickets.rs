use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub need_id: i64,
    pub staff_id: i64,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub status: String,
    /// 1 while open, NULL once closed (one open ticket per need).
    pub open_flag: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
