use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resource_view_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_id: i64,
    /// Asia/Shanghai date, `YYYY-MM-DD`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    pub views: i64,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub category: String,
    /// The day's first instant (Asia/Shanghai), in microseconds.
    pub counted_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
