use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub title: String,
    pub body: String,
    pub category: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub status: String,
    pub reject_reason: Option<String>,
    pub close_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_published_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub public_title: Option<String>,
    pub text_reviewed: bool,
    /// `open`, `answered` or `resolved`.
    pub answer_state: String,
    pub first_answered_at: Option<i64>,
    pub accepted_answer_id: Option<i64>,
    /// The widest circle invited so far (0: none yet).
    pub invite_round: i16,
    pub next_widen_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
