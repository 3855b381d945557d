use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Sealed (`personal_data::fields::USER_PHONE`); a plain number until the next start seals it.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub display_name: String,
    pub region: Option<String>,
    pub bio: Option<String>,
    pub password_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// NULL: counted from `created_at`; 0: must be changed.
    pub password_changed_at: Option<i64>,
    /// The phone's blind index (unique).
    pub phone_blind: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
