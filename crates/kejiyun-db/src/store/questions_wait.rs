//! The time-to-first-answer figure's read: answered questions by region and first publication.

use async_trait::async_trait;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreResult;
use kejiyun_core::questions::FirstAnswer;
use kejiyun_core::questions::ports::FirstAnswerStore;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{SeaStore, db_err, parse_region, scope_condition};
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
