//! Phones and tech workers' ID-card numbers sealed at rest (等保 2.0 level 3, 个人信息保护):
//! the columns that held them as typed now hold AEAD ciphertexts (wider), and the ones looked
//! up by value gain a keyed blind index — `users.phone_blind` (unique: one account per mobile,
//! the rule `users.phone`'s own unique key kept while it held plain numbers) and
//! `tech_workers.id_card_blind` (a number registered on another profile is found by it).
//!
//! A migration has no key, so it seals nothing: the store seals the plain values still in
//! these columns when the server starts (`SeaStore::seal_plain_personal_data`), and reads a
//! plain value meanwhile as it was.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A sealed short value: `v1:` and the hex of a 24-byte nonce, the value and a 16-byte tag.
const SEALED_LEN: u32 = 200;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, blind) in [("users", "phone_blind"), ("tech_workers", "id_card_blind")] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len_null(blind, 64))
                        .to_owned(),
                )
                .await?;
        }
        let mut unique = super::index("ux_users_phone_blind", "users", &["phone_blind"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager
            .create_index(super::index(
                "ix_tech_workers_id_card_blind",
                "tech_workers",
                &["id_card_blind"],
            ))
            .await?;
        // SQLite does not enforce a text column's length (nor can it alter one).
        if manager.get_database_backend() != DbBackend::Sqlite {
            for (table, column, nullable) in [
                ("users", "phone", true),
                ("tech_workers", "id_card", true),
                ("volunteers", "phone", false),
                ("base_bookings", "contact_phone", false),
            ] {
                let mut def = ColumnDef::new(Alias::new(column));
                def.string_len(SEALED_LEN);
                if nullable {
                    def.null();
                } else {
                    def.not_null();
                }
                manager
                    .alter_table(Table::alter().table(table).modify_column(def).to_owned())
                    .await?;
            }
        }
        Ok(())
    }

    /// Drops the blind indexes; the widened columns stay wide, and values already sealed stay
    /// sealed (the key opens them; an older build cannot).
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(super::drop_index("ux_users_phone_blind", "users"))
            .await?;
        manager
            .drop_index(super::drop_index(
                "ix_tech_workers_id_card_blind",
                "tech_workers",
            ))
            .await?;
        for (table, blind) in [("users", "phone_blind"), ("tech_workers", "id_card_blind")] {
            manager
                .alter_table(Table::alter().table(table).drop_column(blind).to_owned())
                .await?;
        }
        Ok(())
    }
}
