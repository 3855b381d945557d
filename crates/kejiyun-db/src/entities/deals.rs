use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub need_id: Option<i64>,
    pub service_id: Option<i64>,
    pub achievement_id: Option<i64>,
    pub requester_id: i64,
    pub provider_id: i64,
    pub amount_fen: i64,
    /// `YYYY-MM-DD`.
    pub deal_date: String,
    pub note: Option<String>,
    pub origin: String,
    pub quote_id: Option<i64>,
    pub inquiry_id: Option<i64>,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub proposed_by: i64,
    pub status: String,
    pub requester_confirmed_at: Option<i64>,
    pub provider_confirmed_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub recorded_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
