//! Schema migrations, one file each (SeaORM names a migration after its file). The schema is
//! written once with the portable builder; the few backend-specific statements (MySQL table
//! charset, the audit log's append-only triggers) branch on the backend inside the file.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

mod m20261129_000001_foundation;
mod m20261129_000002_marketplace;
mod m20261129_000003_stats;
mod m20261129_000004_stat_rollups;
mod m20261129_000005_notifications;
mod m20261129_000006_stat_series;
mod m20261129_000007_sparse_series;
mod m20261129_000008_outbox_horizon;
mod m20261206_000009_health_probe;
mod m20261206_000010_stat_series_guard;
mod m20261206_000011_login_attempts;
mod m20261206_000012_public_title;
mod m20261206_000013_text_reviewed;
mod m20261206_000014_search_vectors;
mod m20261206_000015_one_time_codes;
mod m20261207_000016_questions;
mod m20261207_000017_list_order;
mod m20261207_000018_trainings;
mod m20261207_000019_uploads;
mod m20261207_000020_certificates;
mod m20261207_000021_volunteers;
mod m20261207_000022_resources;
mod m20261207_000023_bases;
mod m20261207_000024_estations;
mod m20261207_000025_base_links;
mod m20261207_000026_audit_chain;
mod m20261207_000027_second_factor;
mod m20261207_000028_password_policy;
mod m20261208_000029_sealed_phones;
mod m20261208_000030_contests;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_marketplace::Migration),
            Box::new(m20261129_000003_stats::Migration),
            Box::new(m20261129_000004_stat_rollups::Migration),
            Box::new(m20261129_000005_notifications::Migration),
            Box::new(m20261129_000006_stat_series::Migration),
            Box::new(m20261129_000007_sparse_series::Migration),
            Box::new(m20261129_000008_outbox_horizon::Migration),
            Box::new(m20261206_000009_health_probe::Migration),
            Box::new(m20261206_000010_stat_series_guard::Migration),
            Box::new(m20261206_000011_login_attempts::Migration),
            Box::new(m20261206_000012_public_title::Migration),
            Box::new(m20261206_000013_text_reviewed::Migration),
            Box::new(m20261206_000014_search_vectors::Migration),
            Box::new(m20261206_000015_one_time_codes::Migration),
            Box::new(m20261207_000016_questions::Migration),
            Box::new(m20261207_000017_list_order::Migration),
            Box::new(m20261207_000018_trainings::Migration),
            Box::new(m20261207_000019_uploads::Migration),
            Box::new(m20261207_000020_certificates::Migration),
            Box::new(m20261207_000021_volunteers::Migration),
            Box::new(m20261207_000022_resources::Migration),
            Box::new(m20261207_000023_bases::Migration),
            Box::new(m20261207_000024_estations::Migration),
            Box::new(m20261207_000025_base_links::Migration),
            Box::new(m20261207_000026_audit_chain::Migration),
            Box::new(m20261207_000027_second_factor::Migration),
            Box::new(m20261207_000028_password_policy::Migration),
            Box::new(m20261208_000029_sealed_phones::Migration),
            Box::new(m20261208_000030_contests::Migration),
        ]
    }
}

/// `CREATE TABLE name` with MySQL's engine and binary utf8mb4 collation (exact, case-sensitive
/// comparisons, as on the other backends). Migrations from 8 on use it; earlier ones keep
/// their own copy (they are history, not edited).
pub(crate) fn table(manager: &SchemaManager, name: &'static str) -> TableCreateStatement {
    let mut t = Table::create().table(name).to_owned();
    if manager.get_database_backend() == DbBackend::MySql {
        t.engine("InnoDB")
            .character_set("utf8mb4")
            .collate("utf8mb4_bin");
    }
    t
}

/// `CREATE INDEX name ON table (cols…)`.
pub(crate) fn index(name: &str, table: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create()
        .name(name)
        .table(table.to_owned())
        .to_owned();
    for c in cols {
        i.col(*c);
    }
    i
}

/// A foreign key `from_table.from_col` → `to_table.id` that refuses deleting the referenced row.
pub(crate) fn foreign_key(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// `DROP INDEX name ON table`.
pub(crate) fn drop_index(name: &str, table: &str) -> IndexDropStatement {
    Index::drop().name(name).table(table.to_owned()).to_owned()
}

/// The three marketplace posting tables, which gain their columns together. (`questions`,
/// migration 16, is a posting table too, created with every column up to then: a later column
/// of every posting table must be added to it as well.)
const POSTING_TABLES: [&str; 3] = ["services", "needs", "achievements"];

/// Adds `column` to each posting table and fills it with that table's `backfill`.
pub(crate) async fn add_posting_column(
    manager: &SchemaManager<'_>,
    column: ColumnDef,
    backfill: impl Fn(&'static str) -> UpdateStatement,
) -> Result<(), DbErr> {
    for table in POSTING_TABLES {
        manager
            .alter_table(
                Table::alter()
                    .table(table)
                    .add_column(column.clone())
                    .to_owned(),
            )
            .await?;
        manager.exec_stmt(backfill(table)).await?;
    }
    Ok(())
}

/// Drops `column` from each posting table.
pub(crate) async fn drop_posting_column(
    manager: &SchemaManager<'_>,
    column: &'static str,
) -> Result<(), DbErr> {
    for table in POSTING_TABLES {
        manager
            .alter_table(Table::alter().table(table).drop_column(column).to_owned())
            .await?;
    }
    Ok(())
}
