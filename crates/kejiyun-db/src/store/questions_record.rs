//! What questions' history tells: the time-to-first-answer figure (answered questions by region
//! and first publication) and experts' track record for routing (accepted answers by category).

use async_trait::async_trait;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::questions::FirstAnswer;
use std::collections::HashMap;

use kejiyun_core::ids::UserId;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::questions::ports::{AcceptedAnswerStore, FirstAnswerStore};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{SeaStore, db_err, parse_region, scope_condition};
use crate::entities::question_answers::{self, Column as A};
use crate::entities::questions::{self, Column as Q};

#[async_trait]
impl FirstAnswerStore for SeaStore {
    async fn first_answers(
        &self,
        region: RegionCode,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<Vec<FirstAnswer>> {
        let mut q = questions::Entity::find()
            .select_only()
            .columns([Q::Region, Q::FirstPublishedAt, Q::FirstAnsweredAt])
            .filter(scope_condition(
                &RegionScope::Within(vec![region]),
                Q::Region,
                Q::RegionCity,
                Q::RegionProvince,
            ))
            .filter(Q::FirstPublishedAt.is_not_null())
            .filter(Q::FirstAnsweredAt.is_not_null());
        if let Some(from) = from {
            q = q.filter(Q::FirstPublishedAt.gte(from.micros()));
        }
        if let Some(to) = to {
            q = q.filter(Q::FirstPublishedAt.lt(to.micros()));
        }
        let rows: Vec<(String, Option<i64>, Option<i64>)> =
            q.into_tuple().all(&self.reader).await.map_err(db_err)?;
        rows.into_iter()
            .filter_map(|(region, published, answered)| Some((region, published?, answered?)))
            .map(|(region, published, answered)| {
                Ok(FirstAnswer {
                    region: parse_region(&region)?,
                    published_at: Timestamp(published),
                    answered_at: Timestamp(answered),
                })
            })
            .collect()
    }
}

#[async_trait]
impl AcceptedAnswerStore for SeaStore {
    async fn accepted_answers_in(
        &self,
        experts: &[UserId],
        category: &str,
    ) -> StoreResult<HashMap<UserId, u32>> {
        if experts.is_empty() {
            return Ok(HashMap::new());
        }
        let authors: Vec<i64> = experts.iter().map(|u| u.0).collect();
        // One row per accepted answer (at most one per question), counted here: a routing
        // ranks at most a few hundred experts.
        let rows: Vec<i64> = question_answers::Entity::find()
            .select_only()
            .column(A::AuthorId)
            .filter(A::Accepted.eq(true))
            .filter(A::AuthorId.is_in(authors))
            .filter(
                A::QuestionId.in_subquery(
                    Query::select()
                        .column(Q::Id)
                        .from(questions::Entity)
                        .and_where(Q::Category.eq(category))
                        .and_where(Q::Status.eq(ModerationStatus::Published.as_str()))
                        .to_owned(),
                ),
            )
            .into_tuple()
            .all(&self.reader)
            .await
            .map_err(db_err)?;
        let mut counts = HashMap::new();
        for author in rows {
            *counts.entry(UserId(author)).or_insert(0) += 1;
        }
        Ok(counts)
    }
}
