use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "estations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub place: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub operator_org_id: Option<i64>,
    /// SHA-256 of the screen's token (hex); none once revoked.
    pub token_hash: Option<String>,
    pub registered_by: i64,
    pub registered_at: i64,
    pub last_seen_at: Option<i64>,
    pub now_playing_resource: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
