use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_rollups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub region: String,
    pub parent: Option<String>,
    /// "d", "m" or "y".
    pub grain: String,
    /// `YYYYMMDD`, `YYYYMM` or `YYYY`.
    pub period: i32,
    /// Category code, "" for none, "*" for all categories.
    pub category: String,
    pub metric: String,
    pub value: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
