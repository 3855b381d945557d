use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "achievements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub org_id: Option<i64>,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub maturity: String,
    pub ip_type: String,
    pub ip_number: Option<String>,
    pub holders: String,
    /// JSON array of transfer mode codes.
    pub transfer_modes: String,
    pub price_kind: String,
    pub price_fen: Option<i64>,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub status: String,
    pub reject_reason: Option<String>,
    pub close_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_published_at: Option<i64>,
    /// The title as last approved by moderation: what public views may show while an edit
    /// waits for review (`None`: never approved since it was introduced).
    pub public_title: Option<String>,
    /// The current text is the one moderation approved (cleared by an edit).
    pub text_reviewed: bool,
    pub expires_at: Option<i64>,
    pub closed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
