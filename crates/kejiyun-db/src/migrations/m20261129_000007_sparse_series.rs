//! The stored day series change format: `days` holds sparse varints (a format byte, then
//! each non-zero day as the gap since the previous one and its value: see
//! `kejiyun_core::stats_series::Series::encode`) instead of 366 fixed i64. The rows of the old
//! form are removed here and `migrate` recomputes them from the base records, as it did when
//! the table was created.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn clear(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .exec_stmt(Query::delete().from_table("stat_series").to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        clear(manager).await
    }

    /// The rows of the new form cannot be read by the previous version: they are removed, and
    /// its `kejiyun stats rebuild` writes them again in the old form.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        clear(manager).await
    }
}
