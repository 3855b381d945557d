//! Pre-aggregated served figures: `stat_rollups` holds, for every region at every level, its
//! subtree's sums per day, month and year, per category and over all categories ("*"), kept in
//! the same transaction as `stat_cells` (`kejiyun_core::stats_rollup::rollups_of`). The read
//! side reads only this table, so a province's year is a few rows, not every county's days.
//! `stat_cells`' region indexes served the old GROUP BY reads and only slow writers now.
//! `migrate` backfills the roll-ups from the cells once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "stat_rollups";
const CELLS: &str = "stat_cells";
const CELL_INDEXES: [(&str, [&str; 3]); 3] = [
    (
        "ix_stat_cells_province",
        ["region_province", "metric", "day"],
    ),
    ("ix_stat_cells_city", ["region_city", "metric", "day"]),
    ("ix_stat_cells_region", ["region", "metric", "day"]),
];

fn index(table: &'static str, name: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create().name(name).table(table).to_owned();
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
            // "d", "m" or "y".
            .col(string_len("grain", 1))
            // YYYYMMDD, YYYYMM or YYYY of the Asia/Shanghai date.
            .col(integer("period"))
            // A category code, "" for none, "*" for all categories.
            .col(string_len("category", 40))
            .col(string_len("metric", 40))
            .col(big_integer("value"));
        manager.create_table(t).await?;
        // Key order serves totals and the category breakdown with one range per span.
        let key = ["region", "grain", "period", "category", "metric"];
        manager
            .create_index(
                index(TABLE, "ux_stat_rollups_key", &key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let by_parent = ["parent", "category", "grain", "period"];
        manager
            .create_index(index(TABLE, "ix_stat_rollups_parent", &by_parent))
            .await?;
        for (name, _) in CELL_INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(CELLS).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in CELL_INDEXES {
            manager.create_index(index(CELLS, name, &cols)).await?;
        }
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
