//! Popular science (科普): `resources`, a posting table (the meta columns every posting table
//! has, so the posting engine writes it) with a resource's own content — its kind, summary,
//! an article's sanitized HTML, tags, the publishing organization, the cover and media
//! uploads — and `views`, its counted views; `resource_view_days`, the views counted per
//! resource and Asia/Shanghai day with the region and category they count in (what the
//! `resource_views` figure is recomputed from).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const RESOURCES: &str = "resources";
const VIEW_DAYS: &str = "resource_view_days";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, RESOURCES);
        t.col(big_pk_auto("id"))
            .col(big_integer("owner_id"))
            .col(big_integer_null("org_id"))
            .col(string_len("resource_kind", 16))
            .col(string_len("title", 100))
            .col(text("summary"))
            .col(text("body"))
            .col(string_len("category", 32))
            .col(text("tags"))
            .col(string_len_null("cover_upload_id", 32))
            .col(string_len_null("media_upload_id", 32))
            .col(big_integer("views").default(0))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            // The posting meta columns (as in every posting table).
            .col(string_len("status", 16))
            .col(text_null("reject_reason"))
            .col(string_len_null("close_reason", 32))
            .col(big_integer("created_at"))
            .col(big_integer("updated_at"))
            .col(big_integer_null("first_published_at"))
            .col(big_integer_null("expires_at"))
            .col(big_integer_null("closed_at"))
            .col(string_len_null("public_title", 100))
            .col(boolean("text_reviewed").default(false))
            .foreign_key(&mut super::foreign_key(RESOURCES, "owner_id", "users"))
            .foreign_key(&mut super::foreign_key(RESOURCES, "org_id", "orgs"))
            .foreign_key(&mut super::foreign_key(
                RESOURCES,
                "cover_upload_id",
                "uploads",
            ))
            .foreign_key(&mut super::foreign_key(
                RESOURCES,
                "media_upload_id",
                "uploads",
            ));
        manager.create_table(t).await?;
        for (name, cols) in [
            ("ix_resources_status_region", &["status", "region"][..]),
            ("ix_resources_owner", &["owner_id"][..]),
            ("ix_resources_org", &["org_id"][..]),
            (
                "ix_resources_status_updated",
                &["status", "updated_at", "id"][..],
            ),
            ("ix_resources_status_views", &["status", "views", "id"][..]),
        ] {
            manager
                .create_index(super::index(name, RESOURCES, cols))
                .await?;
        }

        let mut t = super::table(manager, VIEW_DAYS);
        t.col(big_integer("resource_id"))
            // Asia/Shanghai date, `YYYY-MM-DD`.
            .col(string_len("day", 10))
            .col(big_integer("views"))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(string_len("category", 32))
            // The day's first instant (Asia/Shanghai), for the statistics' time prefilter.
            .col(big_integer("counted_at"))
            .primary_key(Index::create().col("resource_id").col("day"))
            .foreign_key(&mut super::foreign_key(VIEW_DAYS, "resource_id", RESOURCES));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_resource_view_days_counted",
                VIEW_DAYS,
                &["counted_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [VIEW_DAYS, RESOURCES] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
