//! The certificate engine's one table: `certificates`, one row per issued certificate (a
//! training's, a volunteer's), found by its verification code; at most one per holder, kind
//! and subject.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CERTIFICATES: &str = "certificates";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, CERTIFICATES);
        t.col(big_pk_auto("id"))
            .col(string_len("code", 16))
            .col(string_len("kind", 16))
            .col(string_len("subject", 64))
            .col(big_integer("holder_id"))
            .col(string_len("holder_name", 50))
            .col(string_len("title", 200))
            .col(string_len("detail", 200))
            .col(string_len("issuer", 100))
            .col(string_len("region", 6))
            .col(big_integer("issued_at"))
            .foreign_key(&mut super::foreign_key(CERTIFICATES, "holder_id", "users"));
        manager.create_table(t).await?;
        for (name, cols) in [
            ("ux_certificates_code", &["code"][..]),
            (
                "ux_certificates_subject",
                &["holder_id", "kind", "subject"][..],
            ),
        ] {
            manager
                .create_index(super::index(name, CERTIFICATES, cols).unique().to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CERTIFICATES).to_owned())
            .await
    }
}
