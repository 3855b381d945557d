//! Served statistics: one row per (metric, Asia/Shanghai day, county-or-higher region,
//! category) cell, kept up to date in the transaction of every change of a counted record.
//! Each row carries the three region columns, so a roll-up over a region's subtree is one
//! equality on the column of its level, on every backend.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "stat_cells";

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
            .col(string_len("metric", 40))
            // YYYYMMDD of the Asia/Shanghai date.
            .col(integer("day"))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(string_len("category", 40).default(""))
            .col(big_integer("value"));
        manager.create_table(t).await?;
        manager
            .create_index(
                index(
                    "ux_stat_cells_cell",
                    &["metric", "day", "region", "category"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_stat_cells_province",
                &["region_province", "metric", "day"][..],
            ),
            ("ix_stat_cells_city", &["region_city", "metric", "day"][..]),
            ("ix_stat_cells_region", &["region", "metric", "day"][..]),
        ] {
            manager.create_index(index(name, cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
