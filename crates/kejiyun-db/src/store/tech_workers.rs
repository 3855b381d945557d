use async_trait::async_trait;
use kejiyun_core::accounts::IdCardNumber;
use kejiyun_core::ids::{TechWorkerId, UserId};
use kejiyun_core::moderation::ports::StatusChange;
use kejiyun_core::moderation::{ModerationKind, ModerationStatus};
use kejiyun_core::notifications::{self, ProfileRef};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::tech_workers::ports::{TechWorkerFilter, TechWorkerStore};
use kejiyun_core::tech_workers::{TechWorker, TechWorkerProfile};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::SeaStore;
use super::accounts::users_by_ids;
use super::moderation::{after_change, audit_change, lost_race};
use super::notifications as inbox;
use super::stats::{Counter, Watch};
use super::{
    begin_write, contains_pattern, corrupt, db_err, paged, parse_region, region_parts,
    scope_condition, status_of,
};
use crate::entities::{tech_workers, users};

const KIND: ModerationKind = ModerationKind::TechWorker;

fn to_domain(m: tech_workers::Model, display_name: String) -> StoreResult<TechWorker> {
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
                .map(|s| IdCardNumber::parse(s).map_err(|_| corrupt("id card", "***")))
                .transpose()?,
        },
        status: status_of(&m.status)?,
        reject_reason: m.reject_reason,
        created_at: Timestamp(m.created_at),
        updated_at: Timestamp(m.updated_at),
        verified_at: m.verified_at.map(Timestamp),
    })
}

/// The profile columns of a row, for inserts and updates alike.
fn profile_columns(p: &TechWorkerProfile) -> tech_workers::ActiveModel {
    let (region, city, province) = region_parts(p.service_region);
    tech_workers::ActiveModel {
        field: Set(p.field.clone()),
        title: Set(p.title.clone()),
        employer: Set(p.employer.clone()),
        expertise: Set(serde_json::to_string(&p.expertise).unwrap_or_else(|_| "[]".into())),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        bio: Set(p.bio.clone()),
        id_card: Set(p.id_card.as_ref().map(|c| c.as_str().to_owned())),
        ..Default::default()
    }
}

async fn with_names(
    db: &DatabaseConnection,
    rows: Vec<tech_workers::Model>,
) -> StoreResult<Vec<TechWorker>> {
    let names = users_by_ids(db, rows.iter().map(|r| r.user_id)).await?;
    rows.into_iter()
        .map(|r| {
            let name = names
                .get(&r.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default();
            to_domain(r, name)
        })
        .collect()
}

async fn title_of(db: &impl sea_orm::ConnectionTrait, user: i64) -> StoreResult<String> {
    Ok(users::Entity::find_by_id(user)
        .one(db)
        .await
        .map_err(db_err)?
        .map(|u| u.display_name)
        .unwrap_or_default())
}

pub(super) async fn create(
    db: &DatabaseConnection,
    user: UserId,
    profile: &TechWorkerProfile,
    status: ModerationStatus,
    at: Timestamp,
) -> StoreResult<TechWorkerId> {
    let txn = begin_write(db).await?;
    let mut row = profile_columns(profile);
    row.user_id = Set(user.0);
    row.status = Set(status.as_str().to_owned());
    row.reject_reason = Set(None);
    row.created_at = Set(at.micros());
    row.updated_at = Set(at.micros());
    row.verified_at = Set(None);
    let id = tech_workers::Entity::insert(row)
        .exec(&txn)
        .await
        .map_err(|e| match db_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict("您已提交过科技工作者申请".into()),
            other => other,
        })?
        .last_insert_id;
    Watch::created(Counter::TechWorker(id)).finish(&txn).await?;
    let title = title_of(&txn, user.0).await?;
    after_change(&txn, KIND, id, &title, profile.service_region, status, at).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(TechWorkerId(id))
}

pub(super) async fn get(
    db: &DatabaseConnection,
    id: TechWorkerId,
) -> StoreResult<Option<TechWorker>> {
    let rows = tech_workers::Entity::find_by_id(id.0)
        .all(db)
        .await
        .map_err(db_err)?;
    Ok(with_names(db, rows).await?.pop())
}

pub(super) async fn by_user(
    db: &DatabaseConnection,
    user: UserId,
) -> StoreResult<Option<TechWorker>> {
    let rows = tech_workers::Entity::find()
        .filter(tech_workers::Column::UserId.eq(user.0))
        .all(db)
        .await
        .map_err(db_err)?;
    Ok(with_names(db, rows).await?.pop())
}

/// The status columns a change sets.
fn status_columns(row: &mut tech_workers::ActiveModel, change: &StatusChange) {
    row.status = Set(change.to.as_str().to_owned());
    row.updated_at = Set(change.at.micros());
    row.reject_reason = Set(if change.to == ModerationStatus::Rejected {
        change.reason.clone()
    } else {
        None
    });
}

async fn apply(
    db: &DatabaseConnection,
    id: TechWorkerId,
    mut row: tech_workers::ActiveModel,
    change: StatusChange,
) -> StoreResult<()> {
    status_columns(&mut row, &change);
    let txn = begin_write(db).await?;
    let watch = Watch::start(&txn, &[Counter::TechWorker(id.0)]).await?;
    let mut update = tech_workers::Entity::update_many().set(row);
    if change.to == ModerationStatus::Published {
        // Verified once: a re-approval after an edit keeps the first verification date, so
        // past figures stay put.
        update = update.col_expr(
            tech_workers::Column::VerifiedAt,
            Func::coalesce([
                Expr::col(tech_workers::Column::VerifiedAt),
                Expr::val(change.at.micros()),
            ])
            .into(),
        );
    }
    let res = update
        .filter(tech_workers::Column::Id.eq(id.0))
        .filter(tech_workers::Column::Status.eq(change.from.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let current = tech_workers::Entity::find_by_id(id.0)
        .one(&txn)
        .await
        .map_err(db_err)?;
    let Some(current) = current else {
        return Err(lost_race(false));
    };
    if res.rows_affected == 0 {
        return Err(lost_race(true));
    }
    watch.finish(&txn).await?;
    let title = title_of(&txn, current.user_id).await?;
    let region = parse_region(&current.region)?;
    after_change(&txn, KIND, id.0, &title, region, change.to, change.at).await?;
    audit_change(&txn, &change).await?;
    // A moderation decision tells the owner, in the decision's transaction.
    let decided = notifications::profile_decision(
        UserId(current.user_id),
        &ProfileRef::TechWorker { id: id.0 },
        change.from,
        change.to,
        change.reason.as_deref(),
        change.at,
    );
    inbox::insert(&txn, decided.into_iter().collect()).await?;
    txn.commit().await.map_err(db_err)
}

pub(super) async fn update(
    db: &DatabaseConnection,
    id: TechWorkerId,
    profile: &TechWorkerProfile,
    change: StatusChange,
) -> StoreResult<()> {
    apply(db, id, profile_columns(profile), change).await
}

pub(super) async fn change_status(
    db: &DatabaseConnection,
    id: TechWorkerId,
    change: StatusChange,
) -> StoreResult<()> {
    apply(db, id, tech_workers::ActiveModel::default(), change).await
}

pub(super) async fn list(
    db: &DatabaseConnection,
    filter: &TechWorkerFilter,
    page: Page,
) -> StoreResult<Paged<TechWorker>> {
    let mut q = tech_workers::Entity::find().filter(scope_condition(
        &filter.scope,
        tech_workers::Column::Region,
        tech_workers::Column::RegionCity,
        tech_workers::Column::RegionProvince,
    ));
    if let Some(s) = filter.status {
        q = q.filter(tech_workers::Column::Status.eq(s.as_str()));
    }
    if let Some(term) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
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
        q = q.filter(any);
    }
    let total = q.clone().count(db).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(tech_workers::Column::UpdatedAt)
        .order_by_desc(tech_workers::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(db)
        .await
        .map_err(db_err)?;
    Ok(paged(with_names(db, rows).await?, total, page))
}

#[async_trait]
impl TechWorkerStore for SeaStore {
    async fn create_tech_worker(
        &self,
        user: UserId,
        profile: &TechWorkerProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<TechWorkerId> {
        retry!(create(&self.db, user, profile, status, at))
    }
    async fn tech_worker(&self, id: TechWorkerId) -> StoreResult<Option<TechWorker>> {
        get(&self.db, id).await
    }
    async fn tech_worker_by_user(&self, user: UserId) -> StoreResult<Option<TechWorker>> {
        by_user(&self.db, user).await
    }
    async fn update_tech_worker(
        &self,
        id: TechWorkerId,
        profile: &TechWorkerProfile,
        change: StatusChange,
    ) -> StoreResult<()> {
        retry!(update(&self.db, id, profile, change.clone()))
    }
    async fn list_tech_workers(
        &self,
        filter: &TechWorkerFilter,
        page: Page,
    ) -> StoreResult<Paged<TechWorker>> {
        list(&self.db, filter, page).await
    }
}
