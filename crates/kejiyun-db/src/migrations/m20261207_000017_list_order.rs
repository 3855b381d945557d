//! Lists show postings most recently updated first. With only `(status, region)` and
//! `(status, expires_at)` to go on, the database read every posting of the status and sorted
//! them for each page; `(status, updated_at, id)` gives a page in list order, so a page reads
//! its own rows and stops.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table the posting engine lists (questions came after `POSTING_TABLES`' columns).
const LISTED: [&str; 4] = ["services", "needs", "achievements", "questions"];

fn index_name(table: &str) -> String {
    format!("ix_{table}_status_updated")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in LISTED {
            manager
                .create_index(
                    Index::create()
                        .name(index_name(table))
                        .table(Alias::new(table))
                        .col(Alias::new("status"))
                        .col(Alias::new("updated_at"))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in LISTED {
            manager
                .drop_index(
                    Index::drop()
                        .name(index_name(table))
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
