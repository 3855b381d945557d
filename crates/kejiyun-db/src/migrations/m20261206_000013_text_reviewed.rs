//! `text_reviewed`: whether a posting's current text is the text moderation approved. Set at
//! every publication, cleared by every edit of the content. A closed posting is public only
//! while it holds: closing a posting whose edit still waits for review (or was rejected) must
//! not publish the unreviewed text on its page. Published and closed postings start reviewed
//! (a published posting's text is always the approved one; closed ones keep today's view).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMN: &str = "text_reviewed";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::add_posting_column(
            manager,
            boolean(COLUMN).default(false).to_owned(),
            |table| {
                Query::update()
                    .table(table)
                    .value(Alias::new(COLUMN), true)
                    .and_where(Expr::col(Alias::new("status")).is_in(["published", "closed"]))
                    .to_owned()
            },
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_posting_column(manager, COLUMN).await
    }
}
