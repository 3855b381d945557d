use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub org_id: Option<i64>,
    /// `article`, `video`, `image`, `audio` or `document`.
    pub resource_kind: String,
    pub title: String,
    pub summary: String,
    /// An article's sanitized HTML; empty for other kinds.
    pub body: String,
    pub category: String,
    /// JSON array of strings.
    pub tags: String,
    pub cover_upload_id: Option<String>,
    pub media_upload_id: Option<String>,
    /// Counted views so far (flushed in batches).
    pub views: i64,
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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
