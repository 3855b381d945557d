use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "second_factor_challenges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub challenge_hash: String,
    pub user_id: i64,
    pub login_key: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub wrong: i32,
    pub used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
