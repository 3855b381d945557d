use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trainings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub org_id: Option<i64>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: i32,
    pub enrolled: i32,
    pub audience: String,
    pub starts_at: i64,
    pub created_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
