//! One-time codes (验证码) for password reset and login by code. `one_time_codes` keeps each
//! code sent — its salted SHA-256 only — with its expiry, wrong attempts and use, and for a
//! day after, as the record the per-name sending limits count. `one_time_code_keys` has one
//! row per login name, which a request for a code locks, so concurrent requests take their
//! turn and the limits hold.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CODES: &str = "one_time_codes";
const KEYS: &str = "one_time_code_keys";
const CODES_INDEX: &str = "ix_one_time_codes_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut keys = super::table(manager, KEYS);
        keys.col(string_len("login_key", 254).primary_key())
            .col(big_integer("last_sent_at"));
        manager.create_table(keys).await?;

        let mut codes = super::table(manager, CODES);
        codes
            .col(big_pk_auto("id"))
            .col(string_len("login_key", 254))
            .col(string_len("purpose", 16))
            // None for a decoy: the login name has no account, nothing was sent.
            .col(big_integer_null("user_id"))
            .col(string_len("salt", 32))
            .col(string_len("code_hash", 64))
            .col(big_integer("created_at"))
            .col(big_integer("expires_at"))
            .col(integer("attempts"))
            .col(big_integer_null("used_at"))
            .foreign_key(
                ForeignKey::create()
                    .from(CODES, "user_id")
                    .to("users", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(codes).await?;
        // The newest code of a name and purpose; a name's codes for the limits.
        manager
            .create_index(super::index(
                CODES_INDEX,
                CODES,
                &["login_key", "purpose", "id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CODES).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(KEYS).to_owned())
            .await
    }
}
