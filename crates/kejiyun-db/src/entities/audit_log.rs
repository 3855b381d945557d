use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub region: Option<String>,
    pub region_city: Option<String>,
    pub region_province: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    /// The entry's place in the hash chain (`kejiyun_core::audit::chain`); NULL only for a
    /// row inserted past the store.
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
