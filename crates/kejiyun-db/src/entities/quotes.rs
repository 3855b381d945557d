use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quotes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub need_id: i64,
    pub provider_id: i64,
    pub price_fen: i64,
    pub timeline_days: i32,
    pub method: String,
    pub service_id: Option<i64>,
    pub status: String,
    /// 1 while submitted, NULL afterwards (one submitted quote per provider and need).
    pub open_flag: Option<i64>,
    pub decline_reason: Option<String>,
    pub decline_note: Option<String>,
    pub deal_id: Option<i64>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
