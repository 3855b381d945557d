//! `health_probe`: one row that `/readyz` rewrites, so readiness proves that a write can
//! commit. A ping alone answers on a full disk or a read-only database while every write
//! fails.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "health_probe";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, TABLE);
        // One row (id 1): when readiness last wrote it (UTC microseconds).
        t.col(integer("id").primary_key())
            .col(big_integer("checked_at"));
        manager.create_table(t).await?;
        let first = Query::insert()
            .into_table(TABLE)
            .columns(["id", "checked_at"])
            .values([1.into(), 0i64.into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.exec_stmt(first).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
