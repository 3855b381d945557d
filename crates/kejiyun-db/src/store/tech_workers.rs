//! Tech workers' rows and their own port (`TechWorkerStore`: a user's application); their
//! life cycle is the profile engine's (`profiles.rs`).

use async_trait::async_trait;
use kejiyun_core::accounts::IdCardNumber;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::ids::{TechWorkerId, UserId};
use kejiyun_core::personal_data::fields;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::tech_workers::ports::TechWorkerStore;
use kejiyun_core::tech_workers::{TechWorker, TechWorkerProfile};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ExprTrait, QueryFilter, QuerySelect,
};

use super::SeaStore;
use super::accounts::users_by_ids;
use super::profiles::{Exclusive, Row, StoredProfile};
use super::sealing::Sealing;
use super::stats::Counter;
use super::{
    begin_write, contains_pattern, corrupt, db_err, parse_region, region_parts, status_of,
};
use crate::entities::{tech_workers, users};

fn to_domain(
    sealing: &Sealing,
    m: tech_workers::Model,
    display_name: String,
) -> StoreResult<TechWorker> {
    let expertise: Vec<String> =
        serde_json::from_str(&m.expertise).map_err(|_| corrupt("expertise", &m.expertise))?;
    Ok(TechWorker {
        id: TechWorkerId(m.id),
        user_id: UserId(m.user_id),
        display_name,
        profile: TechWorkerProfile {
            field: m.field,
            title: m.title,
            employer: m.employer,
            expertise,
            service_region: parse_region(&m.region)?,
            bio: m.bio,
            id_card: m
                .id_card
                .as_deref()
                .map(|stored| {
                    let plain = sealing.open(fields::TECH_WORKER_ID_CARD, stored)?;
                    IdCardNumber::parse(&plain).map_err(|_| corrupt("id card", "***"))
                })
                .transpose()?,
        },
        status: status_of(&m.status)?,
        reject_reason: m.reject_reason,
        created_at: Timestamp(m.created_at),
        updated_at: Timestamp(m.updated_at),
        verified_at: m.verified_at.map(Timestamp),
    })
}

impl StoredProfile for TechWorker {
    type Entity = tech_workers::Entity;

    const OWNER: tech_workers::Column = tech_workers::Column::UserId;
    const COUNTER: fn(i64) -> Counter = Counter::TechWorker;

    fn profile_columns(
        p: &TechWorkerProfile,
        sealing: &Sealing,
    ) -> StoreResult<tech_workers::ActiveModel> {
        let (region, city, province) = region_parts(p.service_region);
        let (id_card, id_card_blind) = p
            .id_card
            .as_ref()
            .map(|c| sealing.seal_indexed(fields::TECH_WORKER_ID_CARD, c.as_str()))
            .transpose()?
            .unzip();
        Ok(tech_workers::ActiveModel {
            field: Set(p.field.clone()),
            title: Set(p.title.clone()),
            employer: Set(p.employer.clone()),
            expertise: Set(serde_json::to_string(&p.expertise).unwrap_or_else(|_| "[]".into())),
            region: Set(region),
            region_city: Set(city),
            region_province: Set(province),
            bio: Set(p.bio.clone()),
            id_card: Set(id_card),
            id_card_blind: Set(id_card_blind),
            ..Default::default()
        })
    }

    /// One person, one tech worker: a number on another profile is refused.
    fn exclusive(p: &TechWorkerProfile, sealing: &Sealing) -> StoreResult<Option<Exclusive<Self>>> {
        let Some(card) = &p.id_card else {
            return Ok(None);
        };
        Ok(Some(Exclusive {
            column: tech_workers::Column::IdCardBlind,
            value: sealing.blind(fields::TECH_WORKER_ID_CARD, card.as_str())?,
            message: "该身份证号码已登记在另一位科技工作者名下",
        }))
    }

    /// A tech worker shows its owner's display name.
    async fn records<C: ConnectionTrait>(
        conn: &C,
        sealing: &Sealing,
        rows: Vec<Row<Self>>,
    ) -> StoreResult<Vec<TechWorker>> {
        let names = users_by_ids(conn, rows.iter().map(|r| r.user_id)).await?;
        rows.into_iter()
            .map(|r| {
                let name = names
                    .get(&r.user_id)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default();
                to_domain(sealing, r, name)
            })
            .collect()
    }

    fn own_condition(_: &()) -> Option<Condition> {
        None
    }

    /// The term matches the owner's name, the field, the employer or an expertise tag.
    async fn matching<C: ConnectionTrait>(db: &C, term: &str) -> StoreResult<Condition> {
        let user_ids: Vec<i64> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .filter(Expr::col(users::Column::DisplayName).like(contains_pattern(term)))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        let mut any = Condition::any()
            .add(Expr::col(tech_workers::Column::Field).like(contains_pattern(term)))
            .add(Expr::col(tech_workers::Column::Employer).like(contains_pattern(term)))
            .add(Expr::col(tech_workers::Column::Expertise).like(contains_pattern(term)));
        if !user_ids.is_empty() {
            any = any.add(tech_workers::Column::UserId.is_in(user_ids));
        }
        Ok(any)
    }

    fn duplicate(e: StoreError) -> StoreError {
        match e {
            StoreError::Conflict(_) => StoreError::Conflict("您已提交过科技工作者申请".into()),
            other => other,
        }
    }
}

#[async_trait]
impl TechWorkerStore for SeaStore {
    async fn tech_worker_by_user(&self, user: UserId) -> StoreResult<Option<TechWorker>> {
        let rows = tech_workers::Entity::find()
            .filter(tech_workers::Column::UserId.eq(user.0))
            .all(&self.reader)
            .await
            .map_err(db_err)?;
        Ok(TechWorker::records(&self.reader, &self.sealing, rows)
            .await?
            .pop())
    }
    async fn reveal_tech_worker_id_card(
        &self,
        id: TechWorkerId,
        audit: AuditRecord,
    ) -> StoreResult<Option<IdCardNumber>> {
        retry!(reveal_id_card(&self.db, &self.sealing, id, &audit))
    }
}

/// Reads a profile's sealed number and writes the reading's audit entry, in one transaction.
async fn reveal_id_card(
    db: &DatabaseConnection,
    sealing: &Sealing,
    id: TechWorkerId,
    audit: &AuditRecord,
) -> StoreResult<Option<IdCardNumber>> {
    let txn = begin_write(db).await?;
    let stored: Option<Option<String>> = tech_workers::Entity::find_by_id(id.0)
        .select_only()
        .column(tech_workers::Column::IdCard)
        .into_tuple()
        .one(&txn)
        .await
        .map_err(db_err)?;
    let Some(stored) = stored.flatten() else {
        return Ok(None);
    };
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)?;
    let plain = sealing.open(fields::TECH_WORKER_ID_CARD, &stored)?;
    IdCardNumber::parse(&plain)
        .map(Some)
        .map_err(|_| corrupt("id card", "***"))
}
