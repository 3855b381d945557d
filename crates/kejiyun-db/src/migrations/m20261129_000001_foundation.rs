use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A table with MySQL's charset pinned to utf8mb4, whatever the server's default is.
fn table(manager: &SchemaManager, name: &'static str) -> TableCreateStatement {
    let mut t = Table::create().table(name).to_owned();
    if manager.get_database_backend() == DbBackend::MySql {
        t.engine("InnoDB")
            .character_set("utf8mb4")
            .collate("utf8mb4_bin");
    }
    t
}

/// `region`, `region_city`, `region_province`: the three levels stored on every regional
/// row, so a subtree filter is an equality on one column on every backend.
fn region_cols(t: &mut TableCreateStatement, nullable: bool) {
    if nullable {
        t.col(string_len_null("region", 6));
    } else {
        t.col(string_len("region", 6));
    }
    t.col(string_len_null("region_city", 6));
    if nullable {
        t.col(string_len_null("region_province", 6));
    } else {
        t.col(string_len("region_province", 6));
    }
}

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
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
        manager
            .create_table(
                table(manager, "regions")
                    .col(string_len("code", 6).primary_key())
                    .col(string_len("name", 64))
                    .col(string_len_null("parent", 6))
                    .col(string_len("level", 10))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table(manager, "users")
                    .col(big_pk_auto("id"))
                    .col(string_len_null("phone", 20).unique_key())
                    .col(string_len_null("email", 254).unique_key())
                    .col(string_len("display_name", 64))
                    .col(string_len_null("region", 6))
                    .col(text_null("bio"))
                    .col(string_len("password_hash", 255))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .to_owned(),
            )
            .await?;

        let mut grants = table(manager, "user_grants");
        grants
            .col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(string_len("role", 32));
        region_cols(&mut grants, true);
        grants.col(big_integer("created_at")).foreign_key(&mut fk(
            "user_grants",
            "user_id",
            "users",
        ));
        manager.create_table(grants).await?;
        manager
            .create_index(
                index(
                    "ux_user_grants",
                    "user_grants",
                    &["user_id", "role", "region"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table(manager, "login_failures")
                    .col(big_pk_auto("id"))
                    .col(string_len("login_key", 254))
                    .col(big_integer("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_login_failures_key_at",
                "login_failures",
                &["login_key", "at"],
            ))
            .await?;

        manager
            .create_table(
                table(manager, "auth_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("kind", 16))
                    .col(string_len("name", 64))
                    .col(string_len("token_hash", 64).unique_key())
                    .col(big_integer("created_at"))
                    .col(big_integer_null("expires_at"))
                    .col(big_integer_null("last_used_at"))
                    .col(big_integer_null("revoked_at"))
                    .foreign_key(&mut fk("auth_tokens", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_auth_tokens_user",
                "auth_tokens",
                &["user_id", "kind"],
            ))
            .await?;

        let mut tw = table(manager, "tech_workers");
        tw.col(big_pk_auto("id"))
            .col(big_integer("user_id").unique_key())
            .col(string_len("field", 64))
            .col(string_len_null("title", 64))
            .col(string_len("employer", 128))
            .col(text("expertise"));
        region_cols(&mut tw, false);
        tw.col(text_null("bio"))
            .col(string_len_null("id_card", 18))
            .col(string_len("status", 16))
            .col(text_null("reject_reason"))
            .col(big_integer("created_at"))
            .col(big_integer("updated_at"))
            .col(big_integer_null("verified_at"))
            .foreign_key(&mut fk("tech_workers", "user_id", "users"));
        manager.create_table(tw).await?;
        manager
            .create_index(index(
                "ix_tech_workers_status_region",
                "tech_workers",
                &["status", "region"],
            ))
            .await?;

        let mut orgs = table(manager, "orgs");
        orgs.col(big_pk_auto("id"))
            .col(big_integer("admin_user_id"))
            .col(string_len("name", 128))
            .col(string_len("org_type", 32));
        region_cols(&mut orgs, false);
        orgs.col(string_len_null("credit_code", 18))
            .col(string_len_null("address", 255))
            .col(text_null("description"))
            .col(string_len_null("contact_phone", 20))
            .col(string_len("status", 16))
            .col(text_null("reject_reason"))
            .col(big_integer("created_at"))
            .col(big_integer("updated_at"))
            .col(big_integer_null("verified_at"))
            .foreign_key(&mut fk("orgs", "admin_user_id", "users"));
        manager.create_table(orgs).await?;
        manager
            .create_index(index(
                "ix_orgs_status_region",
                "orgs",
                &["status", "region"],
            ))
            .await?;

        let mut queue = table(manager, "moderation_queue");
        queue
            .col(big_pk_auto("id"))
            .col(string_len("kind", 32))
            .col(big_integer("item_id"))
            .col(string_len("title", 200));
        region_cols(&mut queue, false);
        queue.col(big_integer("submitted_at"));
        manager.create_table(queue).await?;
        manager
            .create_index(
                index(
                    "ux_moderation_queue_item",
                    "moderation_queue",
                    &["kind", "item_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        let mut audit = table(manager, "audit_log");
        audit
            .col(big_pk_auto("id"))
            .col(big_integer("at"))
            .col(big_integer_null("actor_user_id"))
            .col(string_len("action", 64))
            .col(string_len("target_kind", 32))
            .col(string_len("target_id", 64));
        region_cols(&mut audit, true);
        audit
            .col(text_null("before_json"))
            .col(text_null("after_json"));
        manager.create_table(audit).await?;
        manager
            .create_index(index("ix_audit_log_at", "audit_log", &["at"]))
            .await?;

        // Changes that search (and later statistics) must see, written in the same transaction
        // as the change; consumers read them in id order.
        manager
            .create_table(
                table(manager, "outbox")
                    .col(big_pk_auto("id"))
                    .col(big_integer("at"))
                    .col(string_len("kind", 32))
                    .col(big_integer("item_id"))
                    .col(string_len("op", 16))
                    .to_owned(),
            )
            .await?;

        // The audit log is append-only: the database itself refuses updates and deletes.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    ))
                    .await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            DbBackend::MySql => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log FOR EACH ROW \
                         SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only'"
                    ))
                    .await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "outbox",
            "audit_log",
            "moderation_queue",
            "orgs",
            "tech_workers",
            "auth_tokens",
            "login_failures",
            "user_grants",
            "users",
            "regions",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()")
                .await?;
        }
        Ok(())
    }
}
