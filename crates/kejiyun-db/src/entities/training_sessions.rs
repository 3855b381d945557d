use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub training_id: i64,
    pub seq: i16,
    pub starts_at: i64,
    pub ends_at: i64,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub checkin_secret: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
