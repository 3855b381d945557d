//! The outbox is pruned: rows older than the retention are deleted, and `outbox_horizon`
//! remembers the highest id deleted, so a search index whose position is below it (a server
//! that was down longer than the retention, an index restored from an old backup) knows it
//! missed rows and rebuilds itself instead of silently lacking them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "outbox_horizon";
const OUTBOX_AT: &str = "ix_outbox_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, TABLE);
        // One row (id 1): the highest outbox id pruned, 0 before any pruning.
        t.col(integer("id").primary_key())
            .col(big_integer("pruned_through"));
        manager.create_table(t).await?;
        let first = Query::insert()
            .into_table(TABLE)
            .columns(["id", "pruned_through"])
            .values([1.into(), 0i64.into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        manager.exec_stmt(first).await?;
        // Pruning looks for the newest row older than the retention.
        manager
            .create_index(super::index(OUTBOX_AT, "outbox", &["at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(super::drop_index(OUTBOX_AT, "outbox"))
            .await?;
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
