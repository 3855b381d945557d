use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub admin_user_id: i64,
    pub name: String,
    pub org_type: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub contact_phone: Option<String>,
    pub status: String,
    pub reject_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub verified_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
