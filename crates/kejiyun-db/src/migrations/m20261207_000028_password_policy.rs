//! Password profiles and the growing lockout (等保 2.0 level 3, 身份鉴别 a/b):
//! `users.password_changed_at` (an administrator's password expires by it; NULL: counted from
//! the account's creation), `password_history` (the hashes of replaced passwords, none of the
//! last few may come back), and the lock of a login name in `login_attempts` (`locked_until`,
//! and `lock_level`: locks since the last success, each next one twice as long).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const HISTORY: &str = "password_history";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(big_integer_null("password_changed_at"))
                    .to_owned(),
            )
            .await?;
        // Existing passwords count from now: an upgrade does not expire every administrator.
        manager
            .exec_stmt(
                Query::update()
                    .table("users")
                    .value("password_changed_at", migration_time())
                    .to_owned(),
            )
            .await?;
        let mut t = super::table(manager, HISTORY);
        t.col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(text("password_hash"))
            .col(big_integer("replaced_at"))
            .foreign_key(&mut super::foreign_key(HISTORY, "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_password_history_user",
                HISTORY,
                &["user_id", "id"],
            ))
            .await?;
        for column in [
            big_integer("lock_level").default(0).to_owned(),
            big_integer_null("locked_until"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("login_attempts")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["locked_until", "lock_level"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("login_attempts")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(HISTORY).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("password_changed_at")
                    .to_owned(),
            )
            .await
    }
}

/// The wall clock in microseconds: a migration runs outside the services and their clock.
#[expect(
    clippy::disallowed_methods,
    reason = "the migration's own time, not a use case's"
)]
fn migration_time() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| <i64 as TryFrom<u128>>::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
