//! The in-site inbox: `notifications` (one row per recipient and event; `delivered_at` is the
//! sweeper's bookkeeping of e-mail/SMS copies) and each user's `notification_preferences`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn table(manager: &SchemaManager, name: &'static str) -> TableCreateStatement {
    let mut t = Table::create().table(name).to_owned();
    if manager.get_database_backend() == DbBackend::MySql {
        t.engine("InnoDB")
            .character_set("utf8mb4")
            .collate("utf8mb4_bin");
    }
    t
}

fn fk_user(from_table: &'static str, from_col: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to("users", "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create().name(name).table(table).to_owned();
    for c in cols {
        i.col(*c);
    }
    i
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table(manager, "notifications");
        t.col(big_pk_auto("id"))
            .col(big_integer("recipient_id"))
            .col(string_len("kind", 32))
            .col(string_len("title", 200))
            .col(text("body"))
            .col(string_len("link", 500))
            .col(big_integer("created_at"))
            .col(big_integer_null("read_at"))
            .col(big_integer_null("delivered_at"))
            .foreign_key(&mut fk_user("notifications", "recipient_id"));
        manager.create_table(t).await?;
        // The inbox, its unread filter and the badge's count: one range of this index.
        manager
            .create_index(index(
                "ix_notifications_inbox",
                "notifications",
                &["recipient_id", "read_at", "id"],
            ))
            .await?;
        // The sweeper looks for undelivered rows only.
        manager
            .create_index(index(
                "ix_notifications_delivery",
                "notifications",
                &["delivered_at", "recipient_id"],
            ))
            .await?;

        let mut p = table(manager, "notification_preferences");
        p.col(big_integer("user_id").primary_key())
            .col(string_len("preference", 16))
            .col(big_integer("updated_at"))
            .foreign_key(&mut fk_user("notification_preferences", "user_id"));
        manager.create_table(p).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["notification_preferences", "notifications"] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
