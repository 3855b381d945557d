//! Served figures as day series (`kejiyun_core::stats_series`): `stat_series` holds, for every
//! region at every level, per category (and "*" for all), metric and year, one value per
//! Asia/Shanghai day of its subtree, packed as 366 little-endian i64 in `days` (and their sum
//! in `total`). It replaces
//! `stat_cells` (the county day cells) and `stat_rollups` (day / month / year roll-ups): a
//! range is a slice of a year's row, and a rebuild writes tens of thousands of rows instead of
//! millions. `migrate` recomputes the series from the base records once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::{m20261129_000003_stats, m20261129_000004_stat_rollups};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "stat_series";

fn index(name: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create().name(name).table(TABLE).to_owned();
    for c in cols {
        i.col(*c);
    }
    i
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create().table(TABLE).to_owned();
        if manager.get_database_backend() == DbBackend::MySql {
            t.engine("InnoDB")
                .character_set("utf8mb4")
                .collate("utf8mb4_bin");
        }
        t.col(big_pk_auto("id"))
            .col(string_len("region", 6))
            // The region one level up (NULL for a province): the child-region breakdown.
            .col(string_len_null("parent", 6))
            // A category code, "" for none, "*" for all categories.
            .col(string_len("category", 40))
            .col(string_len("metric", 40))
            // The Asia/Shanghai calendar year.
            .col(integer("year"))
            // The sum of `days`: whole-year ranges read this instead of the days.
            .col(big_integer("total"))
            .col(blob("days"));
        manager.create_table(t).await?;
        // Key order serves totals, months and categories: one range per region.
        manager
            .create_index(
                index(
                    "ux_stat_series_key",
                    &["region", "category", "metric", "year"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_stat_series_parent",
                &["parent", "category", "year"],
            ))
            .await?;
        for old in ["stat_rollups", "stat_cells"] {
            manager
                .drop_table(Table::drop().table(old).to_owned())
                .await?;
        }
        Ok(())
    }

    /// The old tables come back empty; the previous version's `kejiyun stats rebuild` refills
    /// them from the base records.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await?;
        m20261129_000003_stats::Migration.up(manager).await?;
        m20261129_000004_stat_rollups::Migration.up(manager).await
    }
}
