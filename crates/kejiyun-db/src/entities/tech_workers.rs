use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tech_workers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub field: String,
    pub title: Option<String>,
    pub employer: String,
    /// JSON array of tags.
    pub expertise: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub bio: Option<String>,
    /// Sealed (`personal_data::fields::TECH_WORKER_ID_CARD`).
    pub id_card: Option<String>,
    pub status: String,
    pub reject_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub verified_at: Option<i64>,
    /// The ID-card number's blind index.
    pub id_card_blind: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
