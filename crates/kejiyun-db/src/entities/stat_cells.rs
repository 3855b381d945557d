use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_cells")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub metric: String,
    /// `YYYYMMDD` of the Asia/Shanghai date.
    pub day: i32,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    /// Category code, or "" for records without one.
    pub category: String,
    pub value: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
