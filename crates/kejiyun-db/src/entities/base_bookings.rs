use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "base_bookings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slot_id: i64,
    pub org_id: i64,
    pub booker_id: i64,
    pub group_name: String,
    pub group_size: i32,
    pub contact_phone: String,
    pub note: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
