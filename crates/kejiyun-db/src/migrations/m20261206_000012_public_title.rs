//! Postings keep the title last approved by moderation (`public_title`, set on every
//! publication), so the public statistics drill-down never shows an owner's edit that is
//! still waiting for review. Published and closed postings start with their current title;
//! a posting in review again (or rejected) after an edit has none until it is approved.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 3] = ["services", "needs", "achievements"];
const COLUMN: &str = "public_title";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len_null(COLUMN, 100))
                        .to_owned(),
                )
                .await?;
            let backfill = Query::update()
                .table(table)
                .value(Alias::new(COLUMN), Expr::col(Alias::new("title")))
                .and_where(Expr::col(Alias::new("first_published_at")).is_not_null())
                .and_where(Expr::col(Alias::new("status")).is_in(["published", "closed"]))
                .to_owned();
            manager.exec_stmt(backfill).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(Table::alter().table(table).drop_column(COLUMN).to_owned())
                .await?;
        }
        Ok(())
    }
}
