//! 科普e站 screens: `estations` (a screen with its token's SHA-256 — unique, none once revoked —
//! and what its last heartbeat said), `estation_playlists` (aimed at one screen or at one
//! region: exactly one of `estation_id` and `region` is set; daily windows as
//! `start-end` minutes after Beijing midnight, comma-separated, empty for all day),
//! `estation_playlist_items` (in `position` order, replaced whole with their playlist),
//! `estation_emergencies` (overrides of a region's screens, `cancelled_at` set once) and
//! `estation_plays` (proof of play: unique on the screen and the player's own key of the
//! play, so a report sent twice stores each play once; `day` the Beijing date `YYYY-MM-DD`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ESTATIONS: &str = "estations";
const PLAYLISTS: &str = "estation_playlists";
const ITEMS: &str = "estation_playlist_items";
const EMERGENCIES: &str = "estation_emergencies";
const PLAYS: &str = "estation_plays";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, ESTATIONS);
        t.col(big_pk_auto("id"))
            .col(string_len("name", 60))
            .col(string_len("place", 120))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(big_integer_null("operator_org_id"))
            .col(string_len_null("token_hash", 64))
            .col(big_integer("registered_by"))
            .col(big_integer("registered_at"))
            .col(big_integer_null("last_seen_at"))
            // What the player said it shows: no foreign key, a heartbeat is never refused
            // for it.
            .col(big_integer_null("now_playing_resource"))
            .foreign_key(&mut super::foreign_key(
                ESTATIONS,
                "operator_org_id",
                "orgs",
            ))
            .foreign_key(&mut super::foreign_key(ESTATIONS, "registered_by", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(
                super::index("ux_estations_token_hash", ESTATIONS, &["token_hash"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_estations_region", &["region", "name"][..]),
            ("ix_estations_region_city", &["region_city"][..]),
            ("ix_estations_region_province", &["region_province"][..]),
            ("ix_estations_operator", &["operator_org_id"][..]),
        ] {
            manager
                .create_index(super::index(name, ESTATIONS, cols))
                .await?;
        }

        let mut t = super::table(manager, PLAYLISTS);
        t.col(big_pk_auto("id"))
            .col(big_integer_null("estation_id"))
            .col(string_len_null("region", 6))
            .col(string_len("name", 60))
            .col(string_len("time_windows", 200))
            .col(big_integer("updated_at"))
            .col(big_integer_null("updated_by"))
            .foreign_key(&mut super::foreign_key(PLAYLISTS, "estation_id", ESTATIONS))
            .foreign_key(&mut super::foreign_key(PLAYLISTS, "updated_by", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_estation_playlists_estation",
                PLAYLISTS,
                &["estation_id"],
            ))
            .await?;
        manager
            .create_index(super::index(
                "ix_estation_playlists_region",
                PLAYLISTS,
                &["region"],
            ))
            .await?;

        let mut t = super::table(manager, ITEMS);
        t.col(big_integer("playlist_id"))
            .col(integer("position"))
            .col(big_integer("resource_id"))
            .col(integer_null("seconds"))
            .primary_key(Index::create().col("playlist_id").col("position"))
            .foreign_key(&mut super::foreign_key(ITEMS, "playlist_id", PLAYLISTS))
            .foreign_key(&mut super::foreign_key(ITEMS, "resource_id", "resources"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_estation_playlist_items_resource",
                ITEMS,
                &["resource_id"],
            ))
            .await?;

        let mut t = super::table(manager, EMERGENCIES);
        t.col(big_pk_auto("id"))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(big_integer("resource_id"))
            .col(big_integer("starts_at"))
            .col(big_integer_null("ends_at"))
            .col(big_integer("created_by"))
            .col(big_integer_null("cancelled_at"))
            .foreign_key(&mut super::foreign_key(
                EMERGENCIES,
                "resource_id",
                "resources",
            ))
            .foreign_key(&mut super::foreign_key(EMERGENCIES, "created_by", "users"));
        manager.create_table(t).await?;
        for (name, cols) in [
            (
                "ix_estation_emergencies_region",
                &["region", "starts_at"][..],
            ),
            ("ix_estation_emergencies_starts", &["starts_at"][..]),
        ] {
            manager
                .create_index(super::index(name, EMERGENCIES, cols))
                .await?;
        }

        let mut t = super::table(manager, PLAYS);
        t.col(big_pk_auto("id"))
            .col(big_integer("estation_id"))
            .col(string_len("play_key", 64))
            // As the player reported it: no foreign key, a report is never refused for it.
            .col(big_integer("resource_id"))
            .col(big_integer("started_at"))
            .col(big_integer("millis"))
            .col(string_len("day", 10))
            .foreign_key(&mut super::foreign_key(PLAYS, "estation_id", ESTATIONS));
        manager.create_table(t).await?;
        manager
            .create_index(
                super::index("ux_estation_plays_key", PLAYS, &["estation_id", "play_key"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(super::index(
                "ix_estation_plays_day",
                PLAYS,
                &["estation_id", "day", "resource_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [PLAYS, EMERGENCIES, ITEMS, PLAYLISTS, ESTATIONS] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
