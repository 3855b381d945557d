//! The second factor (动态口令): `second_factors` keeps each user's TOTP secret (sealed with the
//! personal-data key, never in the clear), when a code confirmed it and the last step a code
//! was accepted for (replays are refused); `second_factor_recovery_codes` the recovery codes'
//! salted hashes and their use; `second_factor_challenges` the second step of a login (its
//! hash, login name, expiry, wrong codes, use). `auth_tokens.second_factor` says whether a
//! session passed the factor (existing rows: no).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const FACTORS: &str = "second_factors";
const CODES: &str = "second_factor_recovery_codes";
const CHALLENGES: &str = "second_factor_challenges";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, FACTORS);
        t.col(big_integer("user_id").primary_key())
            .col(string_len("secret_sealed", 200))
            .col(big_integer("created_at"))
            .col(big_integer_null("enabled_at"))
            .col(big_integer_null("last_step"))
            .foreign_key(&mut super::foreign_key(FACTORS, "user_id", "users"));
        manager.create_table(t).await?;

        let mut t = super::table(manager, CODES);
        t.col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(string_len("salt", 32))
            .col(string_len("code_hash", 64))
            .col(big_integer("created_at"))
            .col(big_integer_null("used_at"))
            .foreign_key(&mut super::foreign_key(CODES, "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_second_factor_recovery_codes_user",
                CODES,
                &["user_id"],
            ))
            .await?;

        let mut t = super::table(manager, CHALLENGES);
        t.col(big_pk_auto("id"))
            .col(string_len("challenge_hash", 64).unique_key())
            .col(big_integer("user_id"))
            .col(string_len("login_key", 254))
            .col(big_integer("created_at"))
            .col(big_integer("expires_at"))
            .col(integer("wrong"))
            .col(big_integer_null("used_at"))
            .foreign_key(&mut super::foreign_key(CHALLENGES, "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_second_factor_challenges_expires",
                CHALLENGES,
                &["expires_at"],
            ))
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table("auth_tokens")
                    .add_column(boolean("second_factor").default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("auth_tokens")
                    .drop_column("second_factor")
                    .to_owned(),
            )
            .await?;
        for t in [CHALLENGES, CODES, FACTORS] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
