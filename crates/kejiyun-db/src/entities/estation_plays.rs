use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "estation_plays")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub estation_id: i64,
    /// The player's own id of the play (unique per screen).
    pub play_key: String,
    pub resource_id: i64,
    pub started_at: i64,
    pub millis: i64,
    /// Asia/Shanghai date the play started on, `YYYY-MM-DD`.
    pub day: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
