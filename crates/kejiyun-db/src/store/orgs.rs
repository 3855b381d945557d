use async_trait::async_trait;
use kejiyun_core::accounts::Phone;
use kejiyun_core::ids::{OrgId, UserId};
use kejiyun_core::moderation::ports::StatusChange;
use kejiyun_core::moderation::{ModerationKind, ModerationStatus};
use kejiyun_core::notifications::{self, ProfileRef};
use kejiyun_core::orgs::ports::{OrgFilter, OrgStore};
use kejiyun_core::orgs::{CreditCode, Org, OrgProfile, OrgType};
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::SeaStore;
use super::moderation::{after_change, audit_change, lost_race};
use super::notifications as inbox;
use super::stats::{Counter, Watch};
use super::{
    begin_write, contains_pattern, corrupt, db_err, paged, parse_region, region_parts,
    scope_condition, status_of,
};
use crate::entities::orgs;

const KIND: ModerationKind = ModerationKind::Org;

fn to_domain(m: orgs::Model) -> StoreResult<Org> {
    Ok(Org {
        id: OrgId(m.id),
        admin_user_id: UserId(m.admin_user_id),
        profile: OrgProfile {
            name: m.name,
            org_type: OrgType::parse(&m.org_type).map_err(|_| corrupt("org type", &m.org_type))?,
            region: parse_region(&m.region)?,
            credit_code: m
                .credit_code
                .as_deref()
                .map(|c| CreditCode::parse(c).map_err(|_| corrupt("credit code", c)))
                .transpose()?,
            address: m.address,
            description: m.description,
            contact_phone: m
                .contact_phone
                .as_deref()
                .map(|p| Phone::parse(p).map_err(|_| corrupt("contact phone", p)))
                .transpose()?,
        },
        status: status_of(&m.status)?,
        reject_reason: m.reject_reason,
        created_at: Timestamp(m.created_at),
        updated_at: Timestamp(m.updated_at),
        verified_at: m.verified_at.map(Timestamp),
    })
}

fn profile_columns(p: &OrgProfile) -> orgs::ActiveModel {
    let (region, city, province) = region_parts(p.region);
    orgs::ActiveModel {
        name: Set(p.name.clone()),
        org_type: Set(p.org_type.as_str().to_owned()),
        region: Set(region),
        region_city: Set(city),
        region_province: Set(province),
        credit_code: Set(p.credit_code.as_ref().map(|c| c.as_str().to_owned())),
        address: Set(p.address.clone()),
        description: Set(p.description.clone()),
        contact_phone: Set(p.contact_phone.as_ref().map(|c| c.as_str().to_owned())),
        ..Default::default()
    }
}

pub(super) async fn create(
    db: &DatabaseConnection,
    admin: UserId,
    profile: &OrgProfile,
    status: ModerationStatus,
    at: Timestamp,
) -> StoreResult<OrgId> {
    let txn = begin_write(db).await?;
    let mut row = profile_columns(profile);
    row.admin_user_id = Set(admin.0);
    row.status = Set(status.as_str().to_owned());
    row.reject_reason = Set(None);
    row.created_at = Set(at.micros());
    row.updated_at = Set(at.micros());
    row.verified_at = Set(None);
    let id = orgs::Entity::insert(row)
        .exec(&txn)
        .await
        .map_err(db_err)?
        .last_insert_id;
    Watch::created(Counter::Org(id)).finish(&txn).await?;
    after_change(&txn, KIND, id, &profile.name, profile.region, status, at).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(OrgId(id))
}

pub(super) async fn get(db: &DatabaseConnection, id: OrgId) -> StoreResult<Option<Org>> {
    orgs::Entity::find_by_id(id.0)
        .one(db)
        .await
        .map_err(db_err)?
        .map(to_domain)
        .transpose()
}

async fn apply(
    db: &DatabaseConnection,
    id: OrgId,
    mut row: orgs::ActiveModel,
    change: StatusChange,
) -> StoreResult<()> {
    row.status = Set(change.to.as_str().to_owned());
    row.updated_at = Set(change.at.micros());
    row.reject_reason = Set(if change.to == ModerationStatus::Rejected {
        change.reason.clone()
    } else {
        None
    });
    let txn = begin_write(db).await?;
    let watch = Watch::start(&txn, &[Counter::Org(id.0)]).await?;
    let mut update = orgs::Entity::update_many().set(row);
    if change.to == ModerationStatus::Published {
        // Verified once: a re-approval after an edit keeps the first verification date, so
        // past figures stay put.
        update = update.col_expr(
            orgs::Column::VerifiedAt,
            Func::coalesce([
                Expr::col(orgs::Column::VerifiedAt),
                Expr::val(change.at.micros()),
            ])
            .into(),
        );
    }
    let res = update
        .filter(orgs::Column::Id.eq(id.0))
        .filter(orgs::Column::Status.eq(change.from.as_str()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    let current = orgs::Entity::find_by_id(id.0)
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
    let region = parse_region(&current.region)?;
    after_change(
        &txn,
        KIND,
        id.0,
        &current.name,
        region,
        change.to,
        change.at,
    )
    .await?;
    audit_change(&txn, &change).await?;
    // A moderation decision tells the organization's administrator, in its transaction.
    let decided = notifications::profile_decision(
        UserId(current.admin_user_id),
        &ProfileRef::Org {
            id: id.0,
            name: current.name.clone(),
        },
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
    id: OrgId,
    profile: &OrgProfile,
    change: StatusChange,
) -> StoreResult<()> {
    apply(db, id, profile_columns(profile), change).await
}

pub(super) async fn change_status(
    db: &DatabaseConnection,
    id: OrgId,
    change: StatusChange,
) -> StoreResult<()> {
    apply(db, id, orgs::ActiveModel::default(), change).await
}

pub(super) async fn list(
    db: &DatabaseConnection,
    filter: &OrgFilter,
    page: Page,
) -> StoreResult<Paged<Org>> {
    let mut q = orgs::Entity::find().filter(scope_condition(
        &filter.scope,
        orgs::Column::Region,
        orgs::Column::RegionCity,
        orgs::Column::RegionProvince,
    ));
    if let Some(s) = filter.status {
        q = q.filter(orgs::Column::Status.eq(s.as_str()));
    }
    if let Some(t) = filter.org_type {
        q = q.filter(orgs::Column::OrgType.eq(t.as_str()));
    }
    if let Some(term) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        q = q.filter(
            Condition::any()
                .add(Expr::col(orgs::Column::Name).like(contains_pattern(term)))
                .add(Expr::col(orgs::Column::Description).like(contains_pattern(term))),
        );
    }
    let total = q.clone().count(db).await.map_err(db_err)?;
    let rows = q
        .order_by_desc(orgs::Column::UpdatedAt)
        .order_by_desc(orgs::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(db)
        .await
        .map_err(db_err)?;
    let items = rows
        .into_iter()
        .map(to_domain)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(paged(items, total, page))
}

#[async_trait]
impl OrgStore for SeaStore {
    async fn create_org(
        &self,
        admin: UserId,
        profile: &OrgProfile,
        status: ModerationStatus,
        at: Timestamp,
    ) -> StoreResult<OrgId> {
        retry!(create(&self.db, admin, profile, status, at))
    }
    async fn org(&self, id: OrgId) -> StoreResult<Option<Org>> {
        get(&self.db, id).await
    }
    async fn update_org(
        &self,
        id: OrgId,
        profile: &OrgProfile,
        change: StatusChange,
    ) -> StoreResult<()> {
        retry!(update(&self.db, id, profile, change.clone()))
    }
    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> StoreResult<Paged<Org>> {
        list(&self.db, filter, page).await
    }
}
