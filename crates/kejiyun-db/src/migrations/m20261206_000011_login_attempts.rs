//! The login lockout counts each attempt before its password is checked, in one row per login
//! name that concurrent attempts lock in turn (`login_failures` held one row per failure,
//! written after the check, so parallel guesses all read the same stale count).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "login_attempts";
const OLD: &str = "login_failures";
const OLD_INDEX: &str = "ix_login_failures_key_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, TABLE);
        t.col(string_len("login_key", 254).primary_key())
            .col(big_integer("attempts"))
            .col(big_integer("window_start"));
        manager.create_table(t).await?;
        // Failures recorded so far only ever locked for 15 minutes; they are not carried over.
        manager
            .drop_table(Table::drop().table(OLD).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, OLD);
        t.col(big_pk_auto("id"))
            .col(string_len("login_key", 254))
            .col(big_integer("at"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(OLD_INDEX, OLD, &["login_key", "at"]))
            .await?;
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
