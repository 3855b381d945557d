use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "estation_emergencies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub resource_id: i64,
    pub starts_at: i64,
    /// When it ends by itself; none: until cancelled.
    pub ends_at: Option<i64>,
    pub created_by: i64,
    pub cancelled_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
