use async_trait::async_trait;
use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::accounts::{Email, Login, NewUser, Phone, ProfileUpdate, Role, User};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::ids::{OrgId, UserId};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::paging::{Page, Paged};
use kejiyun_core::permissions::{Grant, separation_conflict};
use kejiyun_core::personal_data::fields;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::{Expr, Query, UnionType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::sealing::Sealing;
use super::{
    SeaStore, audit, begin_read, begin_write, corrupt, db_err, paged, parse_region, region_parts,
};
use crate::entities::{orgs, tech_workers, user_grants, users};

pub(super) fn to_user(sealing: &Sealing, m: users::Model) -> StoreResult<User> {
    let phone = match m.phone.as_deref() {
        Some(stored) => {
            let p = sealing.open(fields::USER_PHONE, stored)?;
            Some(Phone::parse(&p).map_err(|_| corrupt("phone", "***"))?)
        }
        None => None,
    };
    Ok(User {
        id: UserId(m.id),
        phone,
        email: m
            .email
            .as_deref()
            .map(|e| Email::parse(e).map_err(|_| corrupt("email", e)))
            .transpose()?,
        display_name: m.display_name,
        region: m.region.as_deref().map(parse_region).transpose()?,
        bio: m.bio,
        password_hash: m.password_hash,
        created_at: Timestamp(m.created_at),
    })
}

/// The sealed phone and its blind index, for a new account's row.
pub(super) fn sealed_phone(sealing: &Sealing, phone: &Phone) -> StoreResult<(String, String)> {
    sealing.seal_indexed(fields::USER_PHONE, phone.as_str())
}

pub(super) async fn create_user(
    db: &DatabaseConnection,
    sealing: &Sealing,
    user: NewUser,
    at: Timestamp,
) -> StoreResult<UserId> {
    let (phone, email) = match &user.login {
        Login::Phone(p) => (Some(sealed_phone(sealing, p)?), None),
        Login::Email(e) => (None, Some(e.as_str().to_owned())),
    };
    let (phone, phone_blind) = phone.unzip();
    let row = users::ActiveModel {
        phone: Set(phone),
        phone_blind: Set(phone_blind),
        email: Set(email),
        display_name: Set(user.display_name),
        region: Set(user.region.map(|r| r.to_string())),
        bio: Set(None),
        password_hash: Set(user.password_hash),
        created_at: Set(at.micros()),
        updated_at: Set(at.micros()),
        ..Default::default()
    };
    let res = users::Entity::insert(row).exec(db).await.map_err(db_err)?;
    Ok(UserId(res.last_insert_id))
}

pub(super) async fn user(
    db: &DatabaseConnection,
    sealing: &Sealing,
    id: UserId,
) -> StoreResult<Option<User>> {
    users::Entity::find_by_id(id.0)
        .one(db)
        .await
        .map_err(db_err)?
        .map(|m| to_user(sealing, m))
        .transpose()
}

pub(super) async fn users_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> StoreResult<std::collections::HashMap<i64, users::Model>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// The condition "this account's phone is `phone`", by its blind index.
pub(super) fn phone_is(sealing: &Sealing, phone: &Phone) -> StoreResult<sea_orm::Condition> {
    let blind = sealing.blind(fields::USER_PHONE, phone.as_str())?;
    Ok(sea_orm::Condition::all().add(users::Column::PhoneBlind.eq(blind)))
}

pub(super) async fn user_by_login(
    db: &DatabaseConnection,
    sealing: &Sealing,
    login: &Login,
) -> StoreResult<Option<User>> {
    let q = match login {
        Login::Phone(p) => users::Entity::find().filter(phone_is(sealing, p)?),
        Login::Email(e) => users::Entity::find().filter(users::Column::Email.eq(e.as_str())),
    };
    q.one(db)
        .await
        .map_err(db_err)?
        .map(|m| to_user(sealing, m))
        .transpose()
}

pub(super) async fn update_profile(
    db: &DatabaseConnection,
    id: UserId,
    update: ProfileUpdate,
    at: Timestamp,
) -> StoreResult<()> {
    let row = users::ActiveModel {
        id: Set(id.0),
        display_name: Set(update.display_name),
        region: Set(update.region.map(|r| r.to_string())),
        bio: Set(update.bio),
        updated_at: Set(at.micros()),
        ..Default::default()
    };
    let res = users::Entity::update_many()
        .set(row)
        .filter(users::Column::Id.eq(id.0))
        .exec(db)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn to_grant(role: &str, region: Option<&str>) -> StoreResult<Grant> {
    let parsed = Role::parse(role).map_err(|_| corrupt("role", role))?;
    Ok(match parsed {
        Role::SystemAdmin => Grant::SystemAdmin,
        Role::SecurityAdmin => Grant::SecurityAdmin,
        Role::AuditAdmin => Grant::AuditAdmin,
        Role::RegionAdmin => {
            let r = region.ok_or_else(|| corrupt("grant region", "null"))?;
            Grant::RegionAdmin(parse_region(r)?)
        }
        Role::TechWorker => Grant::TechWorker,
        _ => return Err(corrupt("granted role", role)),
    })
}

/// Where a row of [`grants`]' statement comes from.
const GRANTED: &str = "g";
const VERIFIED_TECH_WORKER: &str = "t";
const ORG_ADMIN: &str = "o";

/// A user's grants: those granted (in the order given), `TechWorker` if their tech-worker
/// profile is verified, and `OrgAdmin` for each organization they administer that is not
/// closed. One statement (three selects in a UNION ALL): it runs on every logged-in request.
pub(super) async fn grants(db: &DatabaseConnection, id: UserId) -> StoreResult<Vec<Grant>> {
    let literal = |text: &str| Expr::cust(format!("'{text}'"));
    let mut statement = Query::select()
        .column(user_grants::Column::Id)
        .expr_as(literal(GRANTED), "src")
        .column(user_grants::Column::Role)
        .column(user_grants::Column::Region)
        .from(user_grants::Entity)
        .and_where(user_grants::Column::UserId.eq(id.0))
        .to_owned();
    statement
        .union(
            UnionType::All,
            Query::select()
                .column(tech_workers::Column::Id)
                .expr(literal(VERIFIED_TECH_WORKER))
                .expr(literal(Role::TechWorker.as_str()))
                .expr(Expr::cust("NULL"))
                .from(tech_workers::Entity)
                .and_where(tech_workers::Column::UserId.eq(id.0))
                .and_where(tech_workers::Column::Status.eq(ModerationStatus::Published.as_str()))
                .to_owned(),
        )
        .union(
            UnionType::All,
            Query::select()
                .column(orgs::Column::Id)
                .expr(literal(ORG_ADMIN))
                .expr(literal(Role::OrgAdmin.as_str()))
                .expr(Expr::cust("NULL"))
                .from(orgs::Entity)
                .and_where(orgs::Column::AdminUserId.eq(id.0))
                .and_where(orgs::Column::Status.ne(ModerationStatus::Closed.as_str()))
                .to_owned(),
        );
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(backend.build(&statement))
        .await
        .map_err(db_err)?;
    let mut granted = Vec::new();
    let mut verified = false;
    let mut orgs = Vec::new();
    for row in rows {
        let row_id: i64 = row.try_get_by_index(0).map_err(db_err)?;
        let src: String = row.try_get_by_index(1).map_err(db_err)?;
        match src.as_str() {
            GRANTED => {
                let role: String = row.try_get_by_index(2).map_err(db_err)?;
                let region: Option<String> = row.try_get_by_index(3).map_err(db_err)?;
                granted.push((row_id, to_grant(&role, region.as_deref())?));
            }
            VERIFIED_TECH_WORKER => verified = true,
            _ => orgs.push(row_id),
        }
    }
    granted.sort_by_key(|(row_id, _)| *row_id);
    orgs.sort_unstable();
    let mut out: Vec<Grant> = granted.into_iter().map(|(_, g)| g).collect();
    if verified && !out.contains(&Grant::TechWorker) {
        out.push(Grant::TechWorker);
    }
    out.extend(orgs.into_iter().map(|o| Grant::OrgAdmin(OrgId(o))));
    Ok(out)
}

/// The grant's role and region columns; org admins are derived, never granted.
fn grant_columns(
    grant: Grant,
) -> StoreResult<(&'static str, Option<kejiyun_core::regions::RegionCode>)> {
    match grant {
        Grant::RegionAdmin(r) => Ok((Role::RegionAdmin.as_str(), Some(r))),
        Grant::SystemAdmin | Grant::SecurityAdmin | Grant::AuditAdmin | Grant::TechWorker => {
            Ok((grant.role().as_str(), None))
        }
        Grant::OrgAdmin(_) => Err(StoreError::Backend(
            "org admins are derived, not granted".into(),
        )),
    }
}

/// The user's granted roles, read with the user's row locked (`FOR UPDATE` on PostgreSQL and
/// MySQL; SQLite's writer is alone), so two grants to one account take turns and the
/// separation of duties is judged on what is really there.
async fn granted_locked<C: ConnectionTrait>(txn: &C, user: UserId) -> StoreResult<Vec<Grant>> {
    let found: Option<i64> = users::Entity::find_by_id(user.0)
        .select_only()
        .column(users::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    found.ok_or(StoreError::NotFound)?;
    user_grants::Entity::find()
        .filter(user_grants::Column::UserId.eq(user.0))
        .all(txn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|g| to_grant(&g.role, g.region.as_deref()))
        .collect()
}

pub(super) async fn add_grant(
    db: &DatabaseConnection,
    user: UserId,
    grant: Grant,
    record: AuditRecord,
) -> StoreResult<()> {
    let (role, region) = grant_columns(grant)?;
    let parts = region.map(region_parts);
    let txn = begin_write(db).await?;
    let held = granted_locked(&txn, user).await?;
    if let Some(other) = separation_conflict(&held, grant) {
        return Err(StoreError::Conflict(format!(
            "三员分立：该账户已是{}，不能再担任{}",
            other.label_zh(),
            grant.role().label_zh()
        )));
    }
    // The same grant again fails on the unique index: `Conflict`, as before.
    user_grants::Entity::insert(user_grants::ActiveModel {
        user_id: Set(user.0),
        role: Set(role.to_owned()),
        region: Set(parts.as_ref().map(|p| p.0.clone())),
        region_city: Set(parts.as_ref().and_then(|p| p.1.clone())),
        region_province: Set(parts.as_ref().map(|p| p.2.clone())),
        created_at: Set(record.at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?;
    audit::insert(&txn, &record).await?;
    txn.commit().await.map_err(db_err)
}

/// Takes a granted role away, with its audit entry; `NotFound` if the account does not hold it.
pub(super) async fn revoke_grant(
    db: &DatabaseConnection,
    user: UserId,
    grant: Grant,
    record: AuditRecord,
) -> StoreResult<()> {
    let (role, region) = grant_columns(grant)?;
    let txn = begin_write(db).await?;
    let mut q = user_grants::Entity::delete_many()
        .filter(user_grants::Column::UserId.eq(user.0))
        .filter(user_grants::Column::Role.eq(role));
    q = match region {
        Some(r) => q.filter(user_grants::Column::Region.eq(region_parts(r).0)),
        None => q.filter(user_grants::Column::Region.is_null()),
    };
    let res = q.exec(&txn).await.map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::insert(&txn, &record).await?;
    txn.commit().await.map_err(db_err)
}

pub(super) async fn list_admins(
    db: &DatabaseConnection,
    sealing: &Sealing,
    page: Page,
) -> StoreResult<Paged<(User, Grant)>> {
    // The total, the page and the names they refer to are read from one snapshot.
    let txn = begin_read(db).await?;
    let q = user_grants::Entity::find().filter(user_grants::Column::Role.is_in([
        Role::RegionAdmin.as_str(),
        Role::SystemAdmin.as_str(),
        Role::SecurityAdmin.as_str(),
        Role::AuditAdmin.as_str(),
    ]));
    let total = q.clone().count(&txn).await.map_err(db_err)?;
    let rows = q
        .order_by_asc(user_grants::Column::Region)
        .order_by_asc(user_grants::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(&txn)
        .await
        .map_err(db_err)?;
    let mut people = users_by_ids(&txn, rows.iter().map(|g| g.user_id)).await?;
    let mut items = Vec::new();
    for g in rows {
        if let Some(u) = people.remove(&g.user_id) {
            let grant = to_grant(&g.role, g.region.as_deref())?;
            items.push((to_user(sealing, u.clone())?, grant));
            people.insert(g.user_id, u);
        }
    }
    txn.commit().await.map_err(db_err)?;
    Ok(paged(items, total, page))
}

#[async_trait]
impl AccountStore for SeaStore {
    async fn create_user(&self, user: NewUser, at: Timestamp) -> StoreResult<UserId> {
        retry!(create_user(&self.db, &self.sealing, user.clone(), at))
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        user(&self.reader, &self.sealing, id).await
    }
    async fn user_by_login(&self, login: &Login) -> StoreResult<Option<User>> {
        user_by_login(&self.reader, &self.sealing, login).await
    }
    async fn update_profile(
        &self,
        id: UserId,
        update: ProfileUpdate,
        at: Timestamp,
    ) -> StoreResult<()> {
        retry!(update_profile(&self.db, id, update.clone(), at))
    }
    async fn grants(&self, id: UserId) -> StoreResult<Vec<Grant>> {
        // Asked on every logged-in request; a grant changes only by a write.
        self.cache
            .get_or_load(format!("grants|{}", id.0), || grants(&self.reader, id))
            .await
    }
    async fn add_grant(&self, user: UserId, grant: Grant, audit: AuditRecord) -> StoreResult<()> {
        retry!(add_grant(&self.db, user, grant, audit.clone()))
    }
    async fn revoke_grant(
        &self,
        user: UserId,
        grant: Grant,
        audit: AuditRecord,
    ) -> StoreResult<()> {
        retry!(revoke_grant(&self.db, user, grant, audit.clone()))
    }
    async fn list_admins(&self, page: Page) -> StoreResult<Paged<(User, Grant)>> {
        list_admins(&self.reader, &self.sealing, page).await
    }
}
