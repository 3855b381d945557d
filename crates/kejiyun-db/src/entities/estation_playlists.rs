use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "estation_playlists")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Set for a screen's own playlist (then `region` is none).
    pub estation_id: Option<i64>,
    /// Set for a region's playlist (then `estation_id` is none).
    pub region: Option<String>,
    pub name: String,
    /// `start-end` minutes after Beijing midnight, comma-separated; empty for all day.
    pub time_windows: String,
    pub updated_at: i64,
    pub updated_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
