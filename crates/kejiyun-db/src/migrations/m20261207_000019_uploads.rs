//! Uploads: `uploads`, one row per stored file (the file itself lives in the data directory
//! under its id; the row is written after the file); `question_photos` and `answer_photos`,
//! the photos of a question or an answer in their order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UPLOADS: &str = "uploads";
const QUESTION_PHOTOS: &str = "question_photos";
const ANSWER_PHOTOS: &str = "answer_photos";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, UPLOADS);
        t.col(string_len("id", 32).primary_key())
            .col(big_integer("owner_id"))
            .col(string_len("kind", 16))
            .col(string_len("mime", 100))
            .col(big_integer("byte_size"))
            .col(integer_null("width"))
            .col(integer_null("height"))
            .col(string_len("sha256", 64))
            .col(string_len("original_name", 255))
            .col(boolean("has_thumb").default(false))
            // UTC microseconds, as every time column.
            .col(big_integer("created_at"))
            .foreign_key(&mut super::foreign_key(UPLOADS, "owner_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index("ix_uploads_owner", UPLOADS, &["owner_id"]))
            .await?;

        for (table, owner_col, owner_table) in [
            (QUESTION_PHOTOS, "question_id", "questions"),
            (ANSWER_PHOTOS, "answer_id", "question_answers"),
        ] {
            let mut t = super::table(manager, table);
            t.col(big_integer(owner_col))
                .col(small_integer("position"))
                .col(string_len("upload_id", 32))
                .primary_key(Index::create().col(owner_col).col("position"))
                .foreign_key(&mut super::foreign_key(table, owner_col, owner_table))
                .foreign_key(&mut super::foreign_key(table, "upload_id", UPLOADS));
            manager.create_table(t).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [ANSWER_PHOTOS, QUESTION_PHOTOS, UPLOADS] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
