//! A sharing base's photos and linked resources: `base_photos` (upload ids, in their order) and
//! `base_resources` (the popular-science resources the base uses, in their order). Each list is
//! replaced whole by its editor, so `position` is just the order shown.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PHOTOS: &str = "base_photos";
const RESOURCES: &str = "base_resources";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, PHOTOS);
        t.col(big_integer("org_id"))
            .col(small_integer("position"))
            // `uploads.id` is the 32-hex-digit `UploadId` (a bigint cannot reference it).
            .col(string_len("upload_id", 32))
            .primary_key(Index::create().col("org_id").col("upload_id"))
            .foreign_key(&mut super::foreign_key(PHOTOS, "org_id", "orgs"))
            .foreign_key(&mut super::foreign_key(PHOTOS, "upload_id", "uploads"));
        manager.create_table(t).await?;

        let mut t = super::table(manager, RESOURCES);
        t.col(big_integer("org_id"))
            .col(small_integer("position"))
            .col(big_integer("resource_id"))
            .primary_key(Index::create().col("org_id").col("resource_id"))
            .foreign_key(&mut super::foreign_key(RESOURCES, "org_id", "orgs"))
            .foreign_key(&mut super::foreign_key(
                RESOURCES,
                "resource_id",
                "resources",
            ));
        manager.create_table(t).await?;
        // The resource's page lists the bases that use it.
        manager
            .create_index(super::index(
                "ix_base_resources_resource",
                RESOURCES,
                &["resource_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [RESOURCES, PHOTOS] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
