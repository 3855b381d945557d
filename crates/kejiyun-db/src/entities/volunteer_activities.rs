use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub team_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub place: String,
    pub region: String,
    pub region_city: Option<String>,
    pub region_province: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i32,
    pub signed_up: i32,
    pub skills: String,
    pub description: String,
    pub checkin_secret: String,
    pub created_by: i64,
    pub created_at: i64,
    pub reported_at: Option<i64>,
    pub people_served: Option<i32>,
    pub materials_distributed: Option<i32>,
    pub gifts: Option<i32>,
    pub questions_answered: Option<i32>,
    pub report_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
