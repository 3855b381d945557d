//! Contests (大赛): `contests` (the spec; groups, rubric and award levels as JSON text; the
//! parent contest it nominates to; when its notice was published), `contest_entries` (with
//! status and reason, the round a nominated entry came from — unique per source entry, so a
//! winner is nominated once — and the region columns it counts in), `contest_judges` (one per
//! user and contest), `contest_conflicts`, `contest_assignments`, `contest_scores` (one per
//! judge and entry: a revision replaces the sheet), `contest_votes` (pairwise) and
//! `contest_awards` (one per entry).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CONTESTS: &str = "contests";
const ENTRIES: &str = "contest_entries";
const JUDGES: &str = "contest_judges";
const CONFLICTS: &str = "contest_conflicts";
const ASSIGNMENTS: &str = "contest_assignments";
const SCORES: &str = "contest_scores";
const VOTES: &str = "contest_votes";
const AWARDS: &str = "contest_awards";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, CONTESTS);
        t.col(big_pk_auto("id"))
            .col(string_len("name", 100))
            .col(integer("edition"))
            .col(string_len("kind", 32))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .col(text("group_names"))
            .col(big_integer("entries_open"))
            .col(big_integer("entries_close"))
            .col(big_integer("judging_open"))
            .col(big_integer("judging_close"))
            .col(big_integer("notice_open"))
            .col(big_integer("notice_close"))
            .col(text("rubric"))
            .col(text("award_levels"))
            .col(small_integer("min_judges_per_entry"))
            .col(string_len("scoring", 16))
            .col(small_integer("trim_each_side"))
            .col(big_integer_null("parent_contest_id"))
            .col(string_len_null("parent_region", 6))
            .col(big_integer("created_by"))
            .col(big_integer("created_at"))
            .col(big_integer_null("notice_published_at"))
            .foreign_key(&mut super::foreign_key(CONTESTS, "created_by", "users"))
            .foreign_key(&mut super::foreign_key(
                CONTESTS,
                "parent_contest_id",
                CONTESTS,
            ));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_contests_region_open",
                CONTESTS,
                &["region", "entries_open"],
            ))
            .await?;

        let mut t = super::table(manager, ENTRIES);
        t.col(big_pk_auto("id"))
            .col(big_integer("contest_id"))
            .col(string_len("group_name", 30))
            .col(string_len("title", 100))
            .col(text("summary"))
            .col(text("authors"))
            .col(string_len_null("tutor", 20))
            .col(string_len("school", 60))
            .col(string_len("status", 16))
            .col(string_len_null("status_reason", 200))
            .col(big_integer_null("from_contest_id"))
            .col(string_len_null("from_round_region", 6))
            .col(big_integer_null("from_entry_id"))
            .col(string_len_null("origin_award", 20))
            .col(big_integer("submitted_by"))
            .col(big_integer("submitted_at"))
            .col(big_integer_null("decided_at"))
            .col(big_integer_null("awarded_at"))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            .foreign_key(&mut super::foreign_key(ENTRIES, "contest_id", CONTESTS))
            .foreign_key(&mut super::foreign_key(
                ENTRIES,
                "from_contest_id",
                CONTESTS,
            ))
            .foreign_key(&mut super::foreign_key(ENTRIES, "from_entry_id", ENTRIES))
            .foreign_key(&mut super::foreign_key(ENTRIES, "submitted_by", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_contest_entries_contest",
                ENTRIES,
                &["contest_id"],
            ))
            .await?;
        manager
            .create_index(super::index(
                "ix_contest_entries_submitted",
                ENTRIES,
                &["region", "submitted_at"],
            ))
            .await?;
        manager
            .create_index(
                super::index("ux_contest_entries_from", ENTRIES, &["from_entry_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut t = super::table(manager, JUDGES);
        t.col(big_pk_auto("id"))
            .col(big_integer("contest_id"))
            .col(big_integer("user_id"))
            .col(string_len("organization", 60))
            .col(big_integer("invited_at"))
            .foreign_key(&mut super::foreign_key(JUDGES, "contest_id", CONTESTS))
            .foreign_key(&mut super::foreign_key(JUDGES, "user_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(
                super::index("ux_contest_judges", JUDGES, &["contest_id", "user_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut t = super::table(manager, CONFLICTS);
        t.col(big_pk_auto("id"))
            .col(big_integer("contest_id"))
            .col(big_integer("judge_id"))
            .col(big_integer_null("entry_id"))
            .col(string_len_null("school", 60))
            .col(string_len("kind", 16))
            .col(big_integer("declared_at"))
            .foreign_key(&mut super::foreign_key(CONFLICTS, "contest_id", CONTESTS))
            .foreign_key(&mut super::foreign_key(CONFLICTS, "judge_id", JUDGES))
            .foreign_key(&mut super::foreign_key(CONFLICTS, "entry_id", ENTRIES));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_contest_conflicts_contest",
                CONFLICTS,
                &["contest_id"],
            ))
            .await?;

        let mut t = super::table(manager, ASSIGNMENTS);
        t.col(big_integer("entry_id"))
            .col(big_integer("judge_id"))
            .col(big_integer("contest_id"))
            .primary_key(Index::create().col("entry_id").col("judge_id"))
            .foreign_key(&mut super::foreign_key(ASSIGNMENTS, "entry_id", ENTRIES))
            .foreign_key(&mut super::foreign_key(ASSIGNMENTS, "judge_id", JUDGES))
            .foreign_key(&mut super::foreign_key(ASSIGNMENTS, "contest_id", CONTESTS));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_contest_assignments_contest",
                ASSIGNMENTS,
                &["contest_id"],
            ))
            .await?;

        let mut t = super::table(manager, SCORES);
        t.col(big_pk_auto("id"))
            .col(big_integer("contest_id"))
            .col(big_integer("judge_id"))
            .col(big_integer("entry_id"))
            .col(text("points"))
            .col(text_null("comment"))
            .col(double("total"))
            .col(big_integer("updated_at"))
            .foreign_key(&mut super::foreign_key(SCORES, "contest_id", CONTESTS))
            .foreign_key(&mut super::foreign_key(SCORES, "judge_id", JUDGES))
            .foreign_key(&mut super::foreign_key(SCORES, "entry_id", ENTRIES));
        manager.create_table(t).await?;
        manager
            .create_index(
                super::index("ux_contest_scores", SCORES, &["judge_id", "entry_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(super::index(
                "ix_contest_scores_contest",
                SCORES,
                &["contest_id"],
            ))
            .await?;

        let mut t = super::table(manager, VOTES);
        t.col(big_pk_auto("id"))
            .col(big_integer("contest_id"))
            .col(big_integer("judge_id"))
            .col(big_integer("winner_id"))
            .col(big_integer("loser_id"))
            .col(big_integer("voted_at"))
            .foreign_key(&mut super::foreign_key(VOTES, "contest_id", CONTESTS))
            .foreign_key(&mut super::foreign_key(VOTES, "judge_id", JUDGES))
            .foreign_key(&mut super::foreign_key(VOTES, "winner_id", ENTRIES))
            .foreign_key(&mut super::foreign_key(VOTES, "loser_id", ENTRIES));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_contest_votes_contest",
                VOTES,
                &["contest_id"],
            ))
            .await?;

        let mut t = super::table(manager, AWARDS);
        t.col(big_integer("entry_id"))
            .col(big_integer("contest_id"))
            .col(string_len("level", 20))
            .col(big_integer("set_at"))
            .primary_key(Index::create().col("entry_id"))
            .foreign_key(&mut super::foreign_key(AWARDS, "entry_id", ENTRIES))
            .foreign_key(&mut super::foreign_key(AWARDS, "contest_id", CONTESTS));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_contest_awards_contest",
                AWARDS,
                &["contest_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AWARDS,
            VOTES,
            SCORES,
            ASSIGNMENTS,
            CONFLICTS,
            JUDGES,
            ENTRIES,
            CONTESTS,
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
