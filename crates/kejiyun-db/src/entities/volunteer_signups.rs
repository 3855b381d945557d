use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_signups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub activity_id: i64,
    pub user_id: i64,
    pub how: String,
    pub signed_up_at: i64,
    pub checked_in_at: Option<i64>,
    pub checked_out_at: Option<i64>,
    pub minutes: Option<i32>,
    pub adjusted_minutes: Option<i32>,
    pub adjust_reason: Option<String>,
    pub hours_status: Option<String>,
    pub hours_reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
