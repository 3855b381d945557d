use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_series")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub region: String,
    pub parent: Option<String>,
    /// Category code, "" for none, "*" for all categories.
    pub category: String,
    pub metric: String,
    /// Asia/Shanghai calendar year.
    pub year: i32,
    /// The sum of `days`.
    pub total: i64,
    /// The year's days, sparse (`kejiyun_core::stats_series::Series::encode`).
    #[sea_orm(column_type = "Blob")]
    pub days: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
