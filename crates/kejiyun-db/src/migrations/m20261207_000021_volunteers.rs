//! Volunteers (科技志愿服务): `volunteers` (a user's real-name profile: the ID-card number only
//! as AEAD ciphertext, its keyed blind index — unique, so a second registration of the same
//! number is found — and its masked form for lists), `volunteer_teams` (支队 → 大队 → 小队
//! through `parent_id`, each with a leader), `volunteer_team_members` (a request to join and
//! the leader's decision), `volunteer_activities` (with `signed_up`, moved only by the
//! conditional update that keeps it within `capacity`, the check-in secret, and the
//! after-activity report), `volunteer_activity_photos` and `volunteer_signups` (one per
//! volunteer and activity: check-in, check-out, the computed and adjusted minutes and the
//! team leader's decision on them).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const VOLUNTEERS: &str = "volunteers";
const TEAMS: &str = "volunteer_teams";
const MEMBERS: &str = "volunteer_team_members";
const ACTIVITIES: &str = "volunteer_activities";
const PHOTOS: &str = "volunteer_activity_photos";
const SIGNUPS: &str = "volunteer_signups";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, VOLUNTEERS);
        t.col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(string_len("name", 32))
            .col(string_len("id_cipher", 120))
            .col(string_len("id_blind", 64))
            .col(string_len("id_masked", 18))
            .col(string_len("phone", 11))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(string_len("skills", 200))
            .col(string_len("availability", 100))
            .col(big_integer("registered_at"))
            .foreign_key(&mut super::foreign_key(VOLUNTEERS, "user_id", "users"));
        manager.create_table(t).await?;
        for (name, cols) in [
            ("ux_volunteers_user", &["user_id"][..]),
            ("ux_volunteers_id_blind", &["id_blind"][..]),
        ] {
            manager
                .create_index(super::index(name, VOLUNTEERS, cols).unique().to_owned())
                .await?;
        }
        manager
            .create_index(super::index(
                "ix_volunteers_region",
                VOLUNTEERS,
                &["region", "registered_at"],
            ))
            .await?;

        let mut t = super::table(manager, TEAMS);
        t.col(big_pk_auto("id"))
            .col(string_len("name", 60))
            .col(string_len("level", 16))
            .col(big_integer_null("parent_id"))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(big_integer("leader_id"))
            .col(string_len("description", 500))
            .col(big_integer("created_by"))
            .col(big_integer("created_at"))
            .foreign_key(&mut super::foreign_key(TEAMS, "parent_id", TEAMS))
            .foreign_key(&mut super::foreign_key(TEAMS, "leader_id", "users"))
            .foreign_key(&mut super::foreign_key(TEAMS, "created_by", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_volunteer_teams_region",
                TEAMS,
                &["region", "created_at"],
            ))
            .await?;

        let mut t = super::table(manager, MEMBERS);
        t.col(big_integer("team_id"))
            .col(big_integer("user_id"))
            .col(string_len("status", 10))
            .col(string_len_null("reason", 200))
            .col(big_integer("requested_at"))
            .col(big_integer_null("decided_at"))
            .col(big_integer_null("decided_by"))
            .primary_key(Index::create().col("team_id").col("user_id"))
            .foreign_key(&mut super::foreign_key(MEMBERS, "team_id", TEAMS))
            .foreign_key(&mut super::foreign_key(MEMBERS, "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_volunteer_team_members_user",
                MEMBERS,
                &["user_id"],
            ))
            .await?;

        let mut t = super::table(manager, ACTIVITIES);
        t.col(big_pk_auto("id"))
            .col(big_integer_null("team_id"))
            .col(string_len("kind", 32))
            .col(string_len("title", 60))
            .col(string_len("place", 100))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(big_integer("starts_at"))
            .col(big_integer("ends_at"))
            .col(integer("capacity"))
            .col(integer("signed_up").default(0))
            .col(string_len("skills", 200))
            .col(string_len("description", 1000))
            .col(string_len("checkin_secret", 64))
            .col(big_integer("created_by"))
            .col(big_integer("created_at"))
            .col(big_integer_null("reported_at"))
            .col(integer_null("people_served"))
            .col(integer_null("materials_distributed"))
            .col(integer_null("gifts"))
            .col(integer_null("questions_answered"))
            .col(string_len_null("report_note", 1000))
            .foreign_key(&mut super::foreign_key(ACTIVITIES, "team_id", TEAMS))
            .foreign_key(&mut super::foreign_key(ACTIVITIES, "created_by", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_volunteer_activities_region_start",
                ACTIVITIES,
                &["region", "starts_at"],
            ))
            .await?;

        let mut t = super::table(manager, PHOTOS);
        t.col(big_integer("activity_id"))
            // `uploads.id` is the 32-hex-digit `UploadId` (a bigint cannot reference it).
            .col(string_len("upload_id", 32))
            .col(small_integer("seq"))
            .primary_key(Index::create().col("activity_id").col("upload_id"))
            .foreign_key(&mut super::foreign_key(PHOTOS, "activity_id", ACTIVITIES))
            .foreign_key(&mut super::foreign_key(PHOTOS, "upload_id", "uploads"));
        manager.create_table(t).await?;

        let mut t = super::table(manager, SIGNUPS);
        t.col(big_pk_auto("id"))
            .col(big_integer("activity_id"))
            .col(big_integer("user_id"))
            .col(string_len("how", 8))
            .col(big_integer("signed_up_at"))
            .col(big_integer_null("checked_in_at"))
            .col(big_integer_null("checked_out_at"))
            .col(integer_null("minutes"))
            .col(integer_null("adjusted_minutes"))
            .col(string_len_null("adjust_reason", 200))
            .col(string_len_null("hours_status", 10))
            .col(string_len_null("hours_reason", 200))
            .col(big_integer_null("decided_by"))
            .col(big_integer_null("decided_at"))
            .foreign_key(&mut super::foreign_key(SIGNUPS, "activity_id", ACTIVITIES))
            .foreign_key(&mut super::foreign_key(SIGNUPS, "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(
                super::index("ux_volunteer_signups", SIGNUPS, &["activity_id", "user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(super::index(
                "ix_volunteer_signups_user",
                SIGNUPS,
                &["user_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [SIGNUPS, PHOTOS, ACTIVITIES, MEMBERS, TEAMS, VOLUNTEERS] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
