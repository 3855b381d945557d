//! Expert Q&A (专家问诊): `questions`, a posting table (the meta columns every posting table
//! has, so the posting engine writes it) with its answer side (`answer_state`, the first
//! answer's time, the circle invited so far and when the next is due); `question_answers`;
//! `answer_helpful` (one mark per user and answer); `question_invitations` (one per expert and
//! question).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const QUESTIONS: &str = "questions";
const ANSWERS: &str = "question_answers";
const HELPFUL: &str = "answer_helpful";
const INVITATIONS: &str = "question_invitations";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = super::table(manager, QUESTIONS);
        t.col(big_pk_auto("id"))
            .col(big_integer("owner_id"))
            .col(string_len("title", 100))
            .col(text("body"))
            .col(string_len("category", 32))
            .col(string_len("region", 6))
            .col(string_len_null("region_city", 6))
            .col(string_len("region_province", 6))
            // The posting meta columns (as in the marketplace's tables and migrations 12, 13).
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
            // The answer side.
            .col(string_len("answer_state", 16).default("open"))
            .col(big_integer_null("first_answered_at"))
            .col(big_integer_null("accepted_answer_id"))
            .col(small_integer("invite_round").default(0))
            .col(big_integer_null("next_widen_at"))
            .foreign_key(&mut super::foreign_key(QUESTIONS, "owner_id", "users"));
        manager.create_table(t).await?;
        for (name, cols) in [
            ("ix_questions_status_region", &["status", "region"][..]),
            ("ix_questions_owner", &["owner_id"][..]),
            ("ix_questions_status_expires", &["status", "expires_at"][..]),
            ("ix_questions_widen", &["answer_state", "next_widen_at"][..]),
        ] {
            manager
                .create_index(super::index(name, QUESTIONS, cols))
                .await?;
        }

        let mut t = super::table(manager, ANSWERS);
        t.col(big_pk_auto("id"))
            .col(big_integer("question_id"))
            .col(big_integer("author_id"))
            .col(text("body"))
            .col(boolean("accepted").default(false))
            .col(big_integer("created_at"))
            .foreign_key(&mut super::foreign_key(ANSWERS, "question_id", QUESTIONS))
            .foreign_key(&mut super::foreign_key(ANSWERS, "author_id", "users"));
        manager.create_table(t).await?;
        manager
            .create_index(super::index(
                "ix_question_answers_question",
                ANSWERS,
                &["question_id", "id"],
            ))
            .await?;
        manager
            .create_index(super::index(
                "ix_question_answers_author",
                ANSWERS,
                &["author_id"],
            ))
            .await?;

        let mut t = super::table(manager, HELPFUL);
        t.col(big_integer("answer_id"))
            .col(big_integer("user_id"))
            .col(big_integer("created_at"))
            .primary_key(Index::create().col("answer_id").col("user_id"))
            .foreign_key(&mut super::foreign_key(HELPFUL, "answer_id", ANSWERS))
            .foreign_key(&mut super::foreign_key(HELPFUL, "user_id", "users"));
        manager.create_table(t).await?;

        let mut t = super::table(manager, INVITATIONS);
        t.col(big_pk_auto("id"))
            .col(big_integer("question_id"))
            .col(big_integer("expert_id"))
            .col(big_integer("tech_worker_id"))
            .col(small_integer("round"))
            .col(text("reasons"))
            .col(big_integer("invited_at"))
            .foreign_key(&mut super::foreign_key(
                INVITATIONS,
                "question_id",
                QUESTIONS,
            ))
            .foreign_key(&mut super::foreign_key(INVITATIONS, "expert_id", "users"))
            .foreign_key(&mut super::foreign_key(
                INVITATIONS,
                "tech_worker_id",
                "tech_workers",
            ));
        manager.create_table(t).await?;
        manager
            .create_index(
                super::index(
                    "ux_question_invitations",
                    INVITATIONS,
                    &["question_id", "expert_id"],
                )
                .unique()
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [INVITATIONS, HELPFUL, ANSWERS, QUESTIONS] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
