//! Trainings (培训): `trainings` (with `enrolled`, moved only by the conditional update that
//! keeps it within `capacity`), `training_sessions` (each with its check-in secret, and the
//! training's region codes: a session is the counted row of `training_attendance`),
//! `training_enrolments` (one per user and training) and `training_attendance` (one per person
//! present and session).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TRAININGS: &str = "trainings";
const SESSIONS: &str = "training_sessions";
const ENROLMENTS: &str = "training_enrolments";
const ATTENDANCE: &str = "training_attendance";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, TRAININGS);
        t.col(big_pk_auto("id"))
            .col(string_len("kind", 32))
            .col(string_len("title", 60))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(big_integer_null("org_id"))
            .col(string_len_null("place", 100))
            .col(string_len_null("online_url", 300))
            .col(integer("capacity"))
            .col(integer("enrolled").default(0))
            .col(string_len("audience", 200))
            .col(big_integer("starts_at"))
            .col(big_integer("created_by"))
            .col(big_integer("created_at"))
            .foreign_key(&mut super::foreign_key(TRAININGS, "created_by", "users"))
            .foreign_key(&mut super::foreign_key(TRAININGS, "org_id", "orgs"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_trainings_region_start",
                TRAININGS,
                &["region", "starts_at"],
            ))
            .await?;

        let mut t = super::table(manager, SESSIONS);
        t.col(big_pk_auto("id"))
            .col(big_integer("training_id"))
            .col(small_integer("seq"))
            .col(big_integer("starts_at"))
            .col(big_integer("ends_at"))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(string_len("checkin_secret", 64))
            .foreign_key(&mut super::foreign_key(SESSIONS, "training_id", TRAININGS));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_training_sessions_training",
                SESSIONS,
                &["training_id", "seq"],
            ))
            .await?;

        let mut t = super::table(manager, ENROLMENTS);
        t.col(big_pk_auto("id"))
            .col(big_integer("training_id"))
            .col(big_integer("user_id"))
            .col(big_integer("enrolled_at"))
            .foreign_key(&mut super::foreign_key(
                ENROLMENTS,
                "training_id",
                TRAININGS,
            ))
            .foreign_key(&mut super::foreign_key(ENROLMENTS, "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(
                super::index(
                    "ux_training_enrolments",
                    ENROLMENTS,
                    &["training_id", "user_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(super::index(
                "ix_training_enrolments_user",
                ENROLMENTS,
                &["user_id"],
            ))
            .await?;

        let mut t = super::table(manager, ATTENDANCE);
        t.col(big_integer("session_id"))
            .col(big_integer("user_id"))
            .col(big_integer("training_id"))
            .col(string_len("method", 8))
            .col(big_integer("checked_in_at"))
            .primary_key(Index::create().col("session_id").col("user_id"))
            .foreign_key(&mut super::foreign_key(ATTENDANCE, "session_id", SESSIONS))
            .foreign_key(&mut super::foreign_key(ATTENDANCE, "user_id", "users"))
            .foreign_key(&mut super::foreign_key(
                ATTENDANCE,
                "training_id",
                TRAININGS,
            ));
        manager.create_table(t).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [ATTENDANCE, ENROLMENTS, SESSIONS, TRAININGS] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
