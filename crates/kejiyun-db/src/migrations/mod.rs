//! Schema migrations, one file each (SeaORM names a migration after its file). The schema is
//! written once with the portable builder; the few backend-specific statements (MySQL table
//! charset, the audit log's append-only triggers) branch on the backend inside the file.

use sea_orm_migration::prelude::*;

mod m20261129_000001_foundation;
mod m20261129_000002_marketplace;
mod m20261129_000003_stats;
mod m20261129_000004_stat_rollups;
mod m20261129_000005_notifications;
mod m20261129_000006_stat_series;
mod m20261129_000007_sparse_series;

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
        ]
    }
}
