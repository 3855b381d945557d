//! Postings keep the title last approved by moderation (`public_title`, set on every
//! publication), so the public statistics drill-down never shows an owner's edit that is
//! still waiting for review. Published and closed postings start with their current title;
//! a posting in review again (or rejected) after an edit has none until it is approved.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMN: &str = "public_title";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::add_posting_column(manager, string_len_null(COLUMN, 100), |table| {
            Query::update()
                .table(table)
                .value(Alias::new(COLUMN), Expr::col(Alias::new("title")))
                .and_where(Expr::col(Alias::new("first_published_at")).is_not_null())
                .and_where(Expr::col(Alias::new("status")).is_in(["published", "closed"]))
                .to_owned()
        })
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_posting_column(manager, COLUMN).await
    }
}
