//! `text_reviewed`: whether a posting's current text is the text moderation approved. Set at
//! every publication, cleared by every edit of the content. A closed posting is public only
//! while it holds: closing a posting whose edit still waits for review (or was rejected) must
//! not publish the unreviewed text on its page. Published and closed postings start reviewed
//! (a published posting's text is always the approved one; closed ones keep today's view).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 3] = ["services", "needs", "achievements"];
const COLUMN: &str = "text_reviewed";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(boolean(COLUMN).default(false))
                        .to_owned(),
                )
                .await?;
            let backfill = Query::update()
                .table(table)
                .value(Alias::new(COLUMN), true)
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
