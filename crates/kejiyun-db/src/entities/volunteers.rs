use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub id_cipher: String,
    pub id_blind: String,
    pub id_masked: String,
    pub phone: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub skills: String,
    pub availability: String,
    pub registered_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
