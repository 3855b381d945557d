//! `search_vectors`: each published record's sentence embedding for semantic matching, kept in
//! the database so that a rebuilt search index or a second server never computes it again (one
//! embedding takes about 60 ms: a province's postings take hours). Keyed by the outbox kind
//! and the record's id; `text_hash` says which text (and model) the vector was computed from,
//! so a vector of an edited text is recomputed rather than reused.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "search_vectors";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, TABLE);
        t.col(string_len("kind", 16))
            .col(big_integer("record_id"))
            .col(big_integer("text_hash"))
            .col(double("scale"))
            // 384 int8 components: far below the 64 KB of MySQL's BLOB.
            .col(blob("vector"))
            .primary_key(Index::create().col("kind").col("record_id"));
        manager.create_table(t).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
