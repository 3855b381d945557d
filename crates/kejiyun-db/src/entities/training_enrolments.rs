use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_enrolments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub training_id: i64,
    pub user_id: i64,
    pub enrolled_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
