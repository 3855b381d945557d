//! The stored day series change format: `days` holds sparse varints (a format byte, then
//! each non-zero day as the gap since the previous one and its value: see
//! `kejiyun_core::stats_series::Series::encode`) instead of 366 fixed i64. The rows of the old
//! form are removed here and `migrate` recomputes them from the base records, as it did when
//! the table was created.
//!
//! It also indexes the rows by (region, year): a report reads a region's rows of the years its
//! range meets, and through the unique key (region, category, metric, year) it had to visit
//! every year the region has to find them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "stat_series";
const REGION_YEAR: &str = "ix_stat_series_region_year";

async fn clear(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .exec_stmt(Query::delete().from_table(TABLE).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        clear(manager).await?;
        manager
            .create_index(super::index(REGION_YEAR, TABLE, &["region", "year"]))
            .await
    }

    /// The rows of the new form cannot be read by the previous version: they are removed, and
    /// its `kejiyun stats rebuild` writes them again in the old form.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(super::drop_index(REGION_YEAR, TABLE))
            .await?;
        clear(manager).await
    }
}
