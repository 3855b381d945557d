//! The marketplace: services, needs and achievements (postings), inquiries with their messages,
//! quotes, deals with their evidence files, and caseworker tickets.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

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

/// `region`, `region_city`, `region_province`: the three levels stored on every regional row.
fn region_cols(t: &mut TableCreateStatement) {
    t.col(string_len("region", 6))
        .col(string_len_null("region_city", 6))
        .col(string_len("region_province", 6));
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

/// What every posting carries besides its content: status, moderation and life-cycle times.
fn posting_meta_cols(t: &mut TableCreateStatement) {
    t.col(string_len("status", 16))
        .col(text_null("reject_reason"))
        .col(string_len_null("close_reason", 32))
        .col(big_integer("created_at"))
        .col(big_integer("updated_at"))
        .col(big_integer_null("first_published_at"))
        .col(big_integer_null("expires_at"))
        .col(big_integer_null("closed_at"));
}

/// The list indexes every posting table has.
async fn posting_indexes(manager: &SchemaManager<'_>, t: &'static str) -> Result<(), DbErr> {
    let names: [(&'static str, &[&'static str]); 3] = match t {
        "services" => [
            ("ix_services_status_region", &["status", "region"]),
            ("ix_services_owner", &["owner_id"]),
            ("ix_services_status_expires", &["status", "expires_at"]),
        ],
        "needs" => [
            ("ix_needs_status_region", &["status", "region"]),
            ("ix_needs_owner", &["owner_id"]),
            ("ix_needs_status_expires", &["status", "expires_at"]),
        ],
        _ => [
            ("ix_achievements_status_region", &["status", "region"]),
            ("ix_achievements_owner", &["owner_id"]),
            ("ix_achievements_status_expires", &["status", "expires_at"]),
        ],
    };
    for (name, cols) in names {
        manager.create_index(index(name, t, cols)).await?;
    }
    Ok(())
}

/// The evidence file's bytes: `blob` is only 64 KB on MySQL, hence LONGBLOB there; BYTEA on
/// PostgreSQL and BLOB on SQLite.
fn content_col(manager: &SchemaManager) -> ColumnDef {
    let mut c = ColumnDef::new("content");
    if manager.get_database_backend() == DbBackend::MySql {
        c.custom("LONGBLOB");
    } else {
        c.blob();
    }
    c.not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table(manager, "services");
        t.col(big_pk_auto("id"))
            .col(big_integer("owner_id"))
            .col(big_integer_null("org_id"))
            .col(string_len("title", 100))
            .col(text("description"))
            .col(string_len("category", 32))
            .col(text("tags"));
        region_cols(&mut t);
        t.col(string_len("scope", 16))
            .col(string_len("price_kind", 16))
            .col(big_integer_null("price_fen"))
            .col(string_len("contact", 16));
        posting_meta_cols(&mut t);
        t.foreign_key(&mut fk("services", "owner_id", "users"))
            .foreign_key(&mut fk("services", "org_id", "orgs"));
        manager.create_table(t).await?;
        posting_indexes(manager, "services").await?;

        let mut t = table(manager, "needs");
        t.col(big_pk_auto("id"))
            .col(big_integer("owner_id"))
            .col(string_len("title", 100))
            .col(text("problem"))
            .col(text_null("current_practice"))
            .col(text_null("target"))
            .col(big_integer_null("budget_fen"))
            .col(string_len_null("deadline", 10))
            .col(string_len("industry", 32))
            .col(string_len("category", 32));
        region_cols(&mut t);
        posting_meta_cols(&mut t);
        t.foreign_key(&mut fk("needs", "owner_id", "users"));
        manager.create_table(t).await?;
        posting_indexes(manager, "needs").await?;

        let mut t = table(manager, "achievements");
        t.col(big_pk_auto("id"))
            .col(big_integer("owner_id"))
            .col(big_integer_null("org_id"))
            .col(string_len("title", 100))
            .col(text("summary"))
            .col(string_len("category", 32))
            .col(string_len("maturity", 32))
            .col(string_len("ip_type", 32))
            .col(string_len_null("ip_number", 64))
            .col(string_len("holders", 255))
            .col(string_len("transfer_modes", 128))
            .col(string_len("price_kind", 16))
            .col(big_integer_null("price_fen"));
        region_cols(&mut t);
        posting_meta_cols(&mut t);
        t.foreign_key(&mut fk("achievements", "owner_id", "users"))
            .foreign_key(&mut fk("achievements", "org_id", "orgs"));
        manager.create_table(t).await?;
        posting_indexes(manager, "achievements").await?;

        // Inquiries point at a posting of any kind, so `posting_id` has no foreign key.
        manager
            .create_table(
                table(manager, "inquiries")
                    .col(big_pk_auto("id"))
                    .col(string_len("posting_kind", 16))
                    .col(big_integer("posting_id"))
                    .col(big_integer("requester_id"))
                    .col(big_integer("owner_id"))
                    .col(big_integer("created_at"))
                    .col(big_integer("last_message_at"))
                    .col(big_integer("message_count"))
                    .foreign_key(&mut fk("inquiries", "requester_id", "users"))
                    .foreign_key(&mut fk("inquiries", "owner_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_inquiries_thread",
                    "inquiries",
                    &["posting_kind", "posting_id", "requester_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_inquiries_requester",
                "inquiries",
                &["requester_id", "last_message_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_inquiries_owner",
                "inquiries",
                &["owner_id", "last_message_at"],
            ))
            .await?;

        manager
            .create_table(
                table(manager, "inquiry_messages")
                    .col(big_pk_auto("id"))
                    .col(big_integer("inquiry_id"))
                    .col(big_integer("author_id"))
                    .col(text("body"))
                    .col(big_integer("created_at"))
                    .foreign_key(&mut fk("inquiry_messages", "inquiry_id", "inquiries"))
                    .foreign_key(&mut fk("inquiry_messages", "author_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_inquiry_messages_inquiry",
                "inquiry_messages",
                &["inquiry_id", "id"],
            ))
            .await?;

        // `open_flag` is 1 while the quote is submitted and NULL afterwards: the unique index
        // over (need, provider, open_flag) allows one submitted quote per provider and need on
        // every backend (NULLs never collide), where a partial index would not be portable.
        // `deal_id` has no foreign key: deals reference quotes, not the other way round.
        manager
            .create_table(
                table(manager, "quotes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("need_id"))
                    .col(big_integer("provider_id"))
                    .col(big_integer("price_fen"))
                    .col(integer("timeline_days"))
                    .col(text("method"))
                    .col(big_integer_null("service_id"))
                    .col(string_len("status", 16))
                    .col(big_integer_null("open_flag"))
                    .col(string_len_null("decline_reason", 32))
                    .col(text_null("decline_note"))
                    .col(big_integer_null("deal_id"))
                    .col(big_integer("created_at"))
                    .col(big_integer_null("decided_at"))
                    .foreign_key(&mut fk("quotes", "need_id", "needs"))
                    .foreign_key(&mut fk("quotes", "provider_id", "users"))
                    .foreign_key(&mut fk("quotes", "service_id", "services"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_quotes_open",
                    "quotes",
                    &["need_id", "provider_id", "open_flag"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_quotes_provider", "quotes", &["provider_id"]))
            .await?;

        let mut t = table(manager, "deals");
        t.col(big_pk_auto("id"))
            .col(big_integer_null("need_id"))
            .col(big_integer_null("service_id"))
            .col(big_integer_null("achievement_id"))
            .col(big_integer("requester_id"))
            .col(big_integer("provider_id"))
            .col(big_integer("amount_fen"))
            .col(string_len("deal_date", 10))
            .col(text_null("note"))
            .col(string_len("origin", 16))
            .col(big_integer_null("quote_id").unique_key())
            .col(big_integer_null("inquiry_id"));
        region_cols(&mut t);
        t.col(big_integer("proposed_by"))
            .col(string_len("status", 16))
            .col(big_integer_null("requester_confirmed_at"))
            .col(big_integer_null("provider_confirmed_at"))
            .col(big_integer_null("confirmed_at"))
            .col(big_integer_null("cancelled_at"))
            .col(text_null("cancel_reason"))
            .col(big_integer_null("recorded_by"))
            .col(big_integer("created_at"))
            .col(big_integer("updated_at"))
            .foreign_key(&mut fk("deals", "need_id", "needs"))
            .foreign_key(&mut fk("deals", "service_id", "services"))
            .foreign_key(&mut fk("deals", "achievement_id", "achievements"))
            .foreign_key(&mut fk("deals", "requester_id", "users"))
            .foreign_key(&mut fk("deals", "provider_id", "users"))
            .foreign_key(&mut fk("deals", "quote_id", "quotes"))
            .foreign_key(&mut fk("deals", "inquiry_id", "inquiries"))
            .foreign_key(&mut fk("deals", "proposed_by", "users"))
            .foreign_key(&mut fk("deals", "recorded_by", "users"));
        manager.create_table(t).await?;
        for (name, cols) in [
            ("ix_deals_status_region", &["status", "region"][..]),
            ("ix_deals_requester", &["requester_id"][..]),
            ("ix_deals_provider", &["provider_id"][..]),
            ("ix_deals_need", &["need_id"][..]),
            ("ix_deals_achievement", &["achievement_id"][..]),
        ] {
            manager.create_index(index(name, "deals", cols)).await?;
        }

        manager
            .create_table(
                table(manager, "deal_evidence")
                    .col(big_integer("deal_id").primary_key())
                    .col(string_len("file_name", 255))
                    .col(string_len("content_type", 64))
                    .col(big_integer("size"))
                    .col(string_len("sha256", 64))
                    .col(content_col(manager))
                    .foreign_key(&mut fk("deal_evidence", "deal_id", "deals"))
                    .to_owned(),
            )
            .await?;

        // `open_flag` as for quotes: one open ticket per need.
        let mut t = table(manager, "tickets");
        t.col(big_pk_auto("id"))
            .col(big_integer("need_id"))
            .col(big_integer("staff_id"));
        region_cols(&mut t);
        t.col(string_len("status", 16))
            .col(big_integer_null("open_flag"))
            .col(string_len_null("outcome", 32))
            .col(text_null("outcome_note"))
            .col(big_integer("opened_at"))
            .col(big_integer_null("closed_at"))
            .foreign_key(&mut fk("tickets", "need_id", "needs"))
            .foreign_key(&mut fk("tickets", "staff_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(
                index("ux_tickets_open", "tickets", &["need_id", "open_flag"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_tickets_status_region",
                "tickets",
                &["status", "region"],
            ))
            .await?;
        manager
            .create_index(index("ix_tickets_staff", "tickets", &["staff_id"]))
            .await?;

        manager
            .create_table(
                table(manager, "ticket_follow_ups")
                    .col(big_pk_auto("id"))
                    .col(big_integer("ticket_id"))
                    .col(string_len("kind", 16))
                    .col(text("note"))
                    .col(big_integer("author_id"))
                    .col(big_integer("at"))
                    .foreign_key(&mut fk("ticket_follow_ups", "ticket_id", "tickets"))
                    .foreign_key(&mut fk("ticket_follow_ups", "author_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_ticket_follow_ups_ticket",
                "ticket_follow_ups",
                &["ticket_id"],
            ))
            .await?;

        // A link points at an inquiry or a deal (by `kind`), so `target_id` has no foreign key.
        manager
            .create_table(
                table(manager, "ticket_links")
                    .col(big_pk_auto("id"))
                    .col(big_integer("ticket_id"))
                    .col(string_len("kind", 16))
                    .col(big_integer("target_id"))
                    .foreign_key(&mut fk("ticket_links", "ticket_id", "tickets"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_ticket_links",
                    "ticket_links",
                    &["ticket_id", "kind", "target_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "ticket_links",
            "ticket_follow_ups",
            "tickets",
            "deal_evidence",
            "deals",
            "quotes",
            "inquiry_messages",
            "inquiries",
            "achievements",
            "needs",
            "services",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
