//! Popular-science sharing bases (科普共享基地): `base_profiles` (one per base org, beside the
//! org record), `base_slots` (visit slots, with `booked`, moved only by the conditional update
//! that keeps it within `capacity` and by the give-back of a declined or cancelled booking) and
//! `base_bookings` (group bookings of a slot).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PROFILES: &str = "base_profiles";
const SLOTS: &str = "base_slots";
const BOOKINGS: &str = "base_bookings";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, PROFILES);
        t.col(big_integer("org_id").primary_key())
            .col(string_len("base_type", 16))
            .col(string_len("address", 200))
            .col(string_len("open_hours", 200))
            .col(string_len("contact_name", 32))
            .col(string_len("contact_phone", 11))
            .col(text_null("intro"))
            .col(big_integer("updated_by"))
            .col(big_integer("updated_at"))
            .foreign_key(&mut super::foreign_key(PROFILES, "org_id", "orgs"))
            .foreign_key(&mut super::foreign_key(PROFILES, "updated_by", "users"));
        manager.create_table(t).await?;

        let mut t = super::table(manager, SLOTS);
        t.col(big_pk_auto("id"))
            .col(big_integer("org_id"))
            .col(big_integer("starts_at"))
            .col(big_integer("ends_at"))
            .col(integer("capacity"))
            .col(integer("booked").default(0))
            .col(big_integer("created_by"))
            .col(big_integer("created_at"))
            .foreign_key(&mut super::foreign_key(SLOTS, "org_id", "orgs"))
            .foreign_key(&mut super::foreign_key(SLOTS, "created_by", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_base_slots_org_start",
                SLOTS,
                &["org_id", "starts_at"],
            ))
            .await?;

        let mut t = super::table(manager, BOOKINGS);
        t.col(big_pk_auto("id"))
            .col(big_integer("slot_id"))
            .col(big_integer("org_id"))
            .col(big_integer("booker_id"))
            .col(string_len("group_name", 60))
            .col(integer("group_size"))
            .col(string_len("contact_phone", 11))
            .col(text_null("note"))
            .col(string_len("status", 16))
            .col(string_len_null("reason", 200))
            .col(big_integer("created_at"))
            .col(big_integer_null("decided_at"))
            .foreign_key(&mut super::foreign_key(BOOKINGS, "slot_id", SLOTS))
            .foreign_key(&mut super::foreign_key(BOOKINGS, "org_id", "orgs"))
            .foreign_key(&mut super::foreign_key(BOOKINGS, "booker_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_base_bookings_org",
                BOOKINGS,
                &["org_id", "created_at"],
            ))
            .await?;
        manager
            .create_index(super::index(
                "ix_base_bookings_booker",
                BOOKINGS,
                &["booker_id", "created_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [BOOKINGS, SLOTS, PROFILES] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
