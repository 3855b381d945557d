use sea_orm::entity::prelude::*;

/// One row per login name that asked for a code: what a request locks.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "one_time_code_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub login_key: String,
    pub last_sent_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
