//! Popular-science sharing bases: [`BaseStore`] over `base_profiles`, `base_slots` and
//! `base_bookings` (migration 23), `base_photos` and `base_resources` (migration 25).
//!
//! Capacity under concurrency, as trainings' enrolment: a booking moves `booked` with one
//! conditional update (`booked + size <= capacity`) in the transaction that inserts it; of two
//! groups racing for the last places the second's update finds the row changed (PostgreSQL
//! re-evaluates the condition after the first commits, MySQL's update reads the latest row,
//! SQLite has one writer) and touches nothing. A decline or a cancellation moves the booking
//! conditionally on the status it read and gives its places back in the same transaction, so
//! a decision racing a cancellation gives them back once.
//!
//! A photo or resource list is replaced whole (delete, insert) with its audit entry, after
//! locking the base's org row, so two admins saving at once write one list after the other
//! rather than colliding on the primary key.

use std::collections::HashMap;

use async_trait::async_trait;
use kejiyun_core::accounts::Phone;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::bases::ports::{BaseStore, BookingChange, BookingFilter, NewBooking};
use kejiyun_core::bases::{
    Base, BaseProfile, BaseRef, BaseType, Booking, BookingStatus, Slot, SlotDraft,
};
use kejiyun_core::ids::{BaseBookingId, BaseSlotId, OrgId, ResourceId, UserId};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::orgs::OrgType;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::personal_data::fields;
use kejiyun_core::ports::{StoreError, StoreResult};
use kejiyun_core::time::Timestamp;
use kejiyun_core::uploads::UploadId;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::market::names;
use super::sealing::Sealing;
use super::{SeaStore, begin_read, begin_write, corrupt, db_err, parse_region, scope_condition};
use crate::entities::{
    base_bookings, base_photos, base_profiles, base_resources, base_slots, orgs,
};

/// Most bookings one list shows.
const LIST_LIMIT: u64 = 500;

fn full() -> StoreError {
    StoreError::Conflict("名额不足：该时段剩余名额少于团体人数".into())
}

fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn people(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn to_profile(r: base_profiles::Model) -> StoreResult<BaseProfile> {
    Ok(BaseProfile {
        base_type: BaseType::parse(&r.base_type).map_err(|_| corrupt("base type", &r.base_type))?,
        contact_phone: Phone::parse(&r.contact_phone)
            .map_err(|_| corrupt("contact phone", &r.contact_phone))?,
        address: r.address,
        open_hours: r.open_hours,
        contact_name: r.contact_name,
        intro: r.intro,
    })
}

fn to_slot(r: &base_slots::Model) -> Slot {
    Slot {
        id: BaseSlotId(r.id),
        org: OrgId(r.org_id),
        starts_at: Timestamp(r.starts_at),
        ends_at: Timestamp(r.ends_at),
        capacity: count(r.capacity),
        booked: count(r.booked),
    }
}

async fn bases(db: &DatabaseConnection, scope: &RegionScope) -> StoreResult<Vec<Base>> {
    use orgs::Column as O;
    let txn = begin_read(db).await?;
    let rows: Vec<(i64, String, String)> = orgs::Entity::find()
        .select_only()
        .columns([O::Id, O::Name, O::Region])
        .filter(O::OrgType.eq(OrgType::Base.as_str()))
        .filter(O::Status.eq(ModerationStatus::Published.as_str()))
        .filter(scope_condition(
            scope,
            O::Region,
            O::RegionCity,
            O::RegionProvince,
        ))
        .order_by_asc(O::Name)
        .order_by_asc(O::Id)
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    let mut profiles = HashMap::new();
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    for chunk in ids.chunks(1000) {
        for p in base_profiles::Entity::find()
            .filter(base_profiles::Column::OrgId.is_in(chunk.to_vec()))
            .all(&txn)
            .await
            .map_err(db_err)?
        {
            profiles.insert(p.org_id, to_profile(p)?);
        }
    }
    txn.commit().await.map_err(db_err)?;
    rows.into_iter()
        .map(|(id, name, region)| {
            Ok(Base {
                org: OrgId(id),
                name,
                region: parse_region(&region)?,
                profile: profiles.remove(&id),
            })
        })
        .collect()
}

async fn save_profile(
    db: &DatabaseConnection,
    org: OrgId,
    p: &BaseProfile,
    audit: &AuditRecord,
) -> StoreResult<()> {
    use base_profiles::Column as P;
    // The profile's editor is the audit entry's actor: only a user writes a base's profile.
    let by = audit.actor.ok_or(StoreError::NotFound)?;
    let at = audit.at;
    let txn = begin_write(db).await?;
    base_profiles::Entity::insert(base_profiles::ActiveModel {
        org_id: Set(org.0),
        base_type: Set(p.base_type.code().to_owned()),
        address: Set(p.address.clone()),
        open_hours: Set(p.open_hours.clone()),
        contact_name: Set(p.contact_name.clone()),
        contact_phone: Set(p.contact_phone.as_str().to_owned()),
        intro: Set(p.intro.clone()),
        updated_by: Set(by.0),
        updated_at: Set(at.micros()),
    })
    .on_conflict(
        OnConflict::column(P::OrgId)
            .update_columns([
                P::BaseType,
                P::Address,
                P::OpenHours,
                P::ContactName,
                P::ContactPhone,
                P::Intro,
                P::UpdatedBy,
                P::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await
    .map_err(db_err)?;
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

/// Position of the `i`th item of a list (lists are at most a few dozen long).
fn position(i: usize) -> i16 {
    i16::try_from(i).unwrap_or(i16::MAX)
}

/// Locks the base's org row for the rest of the transaction (a no-op on SQLite, whose writer
/// is alone), so replacements of one base's list run one after the other.
async fn lock_base<C: ConnectionTrait>(txn: &C, org: OrgId) -> StoreResult<()> {
    let found: Option<i64> = orgs::Entity::find_by_id(org.0)
        .select_only()
        .column(orgs::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .one(txn)
        .await
        .map_err(db_err)?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

/// Replaces one of a base's ordered lists (photos, linked resources) with `rows`, with its
/// audit entry, in one transaction; the base's row is locked first so two saves take turns.
async fn replace_list<E>(
    db: &DatabaseConnection,
    org: OrgId,
    org_column: E::Column,
    rows: Vec<E::ActiveModel>,
    audit: &AuditRecord,
) -> StoreResult<()>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let txn = begin_write(db).await?;
    lock_base(&txn, org).await?;
    E::delete_many()
        .filter(org_column.eq(org.0))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if !rows.is_empty() {
        E::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .map_err(db_err)?;
    }
    super::audit::insert(&txn, audit).await?;
    txn.commit().await.map_err(db_err)
}

async fn set_photos(
    db: &DatabaseConnection,
    org: OrgId,
    photos: &[UploadId],
    audit: &AuditRecord,
) -> StoreResult<()> {
    let rows = photos
        .iter()
        .enumerate()
        .map(|(i, p)| base_photos::ActiveModel {
            org_id: Set(org.0),
            position: Set(position(i)),
            upload_id: Set(p.as_str().to_owned()),
        })
        .collect();
    replace_list::<base_photos::Entity>(db, org, base_photos::Column::OrgId, rows, audit).await
}

async fn set_resources(
    db: &DatabaseConnection,
    org: OrgId,
    resources: &[ResourceId],
    audit: &AuditRecord,
) -> StoreResult<()> {
    let rows = resources
        .iter()
        .enumerate()
        .map(|(i, r)| base_resources::ActiveModel {
            org_id: Set(org.0),
            position: Set(position(i)),
            resource_id: Set(r.0),
        })
        .collect();
    replace_list::<base_resources::Entity>(db, org, base_resources::Column::OrgId, rows, audit)
        .await
}

async fn base_photos(db: &DatabaseConnection, org: OrgId) -> StoreResult<Vec<UploadId>> {
    use base_photos::Column as P;
    let rows: Vec<String> = base_photos::Entity::find()
        .select_only()
        .column(P::UploadId)
        .filter(P::OrgId.eq(org.0))
        .order_by_asc(P::Position)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| UploadId::parse(r).ok_or_else(|| corrupt("base photo", r)))
        .collect()
}

async fn base_resources(db: &DatabaseConnection, org: OrgId) -> StoreResult<Vec<ResourceId>> {
    use base_resources::Column as R;
    let rows: Vec<i64> = base_resources::Entity::find()
        .select_only()
        .column(R::ResourceId)
        .filter(R::OrgId.eq(org.0))
        .order_by_asc(R::Position)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    Ok(rows.into_iter().map(ResourceId::new).collect())
}

async fn bases_using(db: &DatabaseConnection, resource: ResourceId) -> StoreResult<Vec<BaseRef>> {
    use orgs::Column as O;
    let txn = begin_read(db).await?;
    let orgs_linking: Vec<i64> = base_resources::Entity::find()
        .select_only()
        .column(base_resources::Column::OrgId)
        .filter(base_resources::Column::ResourceId.eq(resource.0))
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db_err)?;
    let mut rows: Vec<(i64, String, String)> = Vec::new();
    for chunk in orgs_linking.chunks(1000) {
        let found: Vec<(i64, String, String)> = orgs::Entity::find()
            .select_only()
            .columns([O::Id, O::Name, O::Region])
            .filter(O::Id.is_in(chunk.to_vec()))
            .filter(O::OrgType.eq(OrgType::Base.as_str()))
            .filter(O::Status.eq(ModerationStatus::Published.as_str()))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db_err)?;
        rows.extend(found);
    }
    txn.commit().await.map_err(db_err)?;
    rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    rows.into_iter()
        .map(|(id, name, region)| {
            Ok(BaseRef {
                org: OrgId(id),
                name,
                region: parse_region(&region)?,
            })
        })
        .collect()
}

async fn create_slot(
    db: &DatabaseConnection,
    org: OrgId,
    s: &SlotDraft,
    by: UserId,
    at: Timestamp,
) -> StoreResult<BaseSlotId> {
    let txn = begin_write(db).await?;
    let id = base_slots::Entity::insert(base_slots::ActiveModel {
        org_id: Set(org.0),
        starts_at: Set(s.starts_at.micros()),
        ends_at: Set(s.ends_at.micros()),
        capacity: Set(people(s.capacity)),
        booked: Set(0),
        created_by: Set(by.0),
        created_at: Set(at.micros()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    txn.commit().await.map_err(db_err)?;
    Ok(BaseSlotId(id))
}

async fn book(
    db: &DatabaseConnection,
    sealing: &Sealing,
    b: &NewBooking,
) -> StoreResult<BaseBookingId> {
    use base_slots::Column as S;
    let size = people(b.draft.group_size);
    let txn = begin_write(db).await?;
    let res = base_slots::Entity::update_many()
        .col_expr(S::Booked, Expr::col(S::Booked).add(size))
        .filter(S::Id.eq(b.slot.0))
        .filter(Expr::col(S::Booked).add(size).lte(Expr::col(S::Capacity)))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        let exists = base_slots::Entity::find_by_id(b.slot.0)
            .one(&txn)
            .await
            .map_err(db_err)?;
        return Err(match exists {
            Some(_) => full(),
            None => StoreError::NotFound,
        });
    }
    let org: Option<i64> = base_slots::Entity::find_by_id(b.slot.0)
        .select_only()
        .column(S::OrgId)
        .into_tuple()
        .one(&txn)
        .await
        .map_err(db_err)?;
    let org = org.ok_or(StoreError::NotFound)?;
    let id = base_bookings::Entity::insert(base_bookings::ActiveModel {
        slot_id: Set(b.slot.0),
        org_id: Set(org),
        booker_id: Set(b.booker.0),
        group_name: Set(b.draft.group_name.clone()),
        group_size: Set(size),
        contact_phone: Set(sealing.seal(fields::BOOKING_PHONE, b.draft.contact_phone.as_str())?),
        note: Set(b.draft.note.clone()),
        status: Set(BookingStatus::Pending.code().to_owned()),
        reason: Set(None),
        created_at: Set(b.at.micros()),
        decided_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(db_err)?
    .last_insert_id;
    txn.commit().await.map_err(db_err)?;
    Ok(BaseBookingId(id))
}

/// Bookings as the domain has them, with their slot's times, the base's and booker's names.
async fn to_bookings<C: ConnectionTrait>(
    sealing: &Sealing,
    db: &C,
    rows: Vec<base_bookings::Model>,
) -> StoreResult<Vec<Booking>> {
    let mut slot_ids: Vec<i64> = rows.iter().map(|r| r.slot_id).collect();
    slot_ids.sort_unstable();
    slot_ids.dedup();
    let mut org_ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let mut slots = HashMap::new();
    let mut orgs_named = HashMap::new();
    for chunk in slot_ids.chunks(1000) {
        for s in base_slots::Entity::find()
            .filter(base_slots::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await
            .map_err(db_err)?
        {
            slots.insert(s.id, (s.starts_at, s.ends_at));
        }
    }
    for chunk in org_ids.chunks(1000) {
        let named: Vec<(i64, String)> = orgs::Entity::find()
            .select_only()
            .columns([orgs::Column::Id, orgs::Column::Name])
            .filter(orgs::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_err)?;
        orgs_named.extend(named);
    }
    let users = names(db, rows.iter().map(|r| r.booker_id)).await?;
    rows.into_iter()
        .map(|r| {
            let (starts, ends) = slots
                .get(&r.slot_id)
                .copied()
                .ok_or_else(|| corrupt("booking slot", &r.slot_id.to_string()))?;
            Ok(Booking {
                id: BaseBookingId(r.id),
                slot: BaseSlotId(r.slot_id),
                org: OrgId(r.org_id),
                base_name: orgs_named.get(&r.org_id).cloned().unwrap_or_default(),
                slot_starts_at: Timestamp(starts),
                slot_ends_at: Timestamp(ends),
                booker: UserId(r.booker_id),
                booker_name: users.get(&r.booker_id).cloned().unwrap_or_default(),
                group_size: count(r.group_size),
                contact_phone: Phone::parse(
                    &sealing.open(fields::BOOKING_PHONE, &r.contact_phone)?,
                )
                .map_err(|_| corrupt("contact phone", "***"))?,
                status: BookingStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("booking status", &r.status))?,
                created_at: Timestamp(r.created_at),
                decided_at: r.decided_at.map(Timestamp),
                group_name: r.group_name,
                note: r.note,
                reason: r.reason,
            })
        })
        .collect()
}

async fn booking(
    db: &DatabaseConnection,
    sealing: &Sealing,
    id: BaseBookingId,
) -> StoreResult<Option<Booking>> {
    let txn = begin_read(db).await?;
    let rows = base_bookings::Entity::find_by_id(id.0)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let out = to_bookings(sealing, &txn, rows).await?.pop();
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

async fn bookings(
    db: &DatabaseConnection,
    sealing: &Sealing,
    filter: BookingFilter,
) -> StoreResult<Vec<Booking>> {
    use base_bookings::Column as B;
    let q = match filter {
        BookingFilter::Base(org) => base_bookings::Entity::find().filter(B::OrgId.eq(org.0)),
        BookingFilter::Booker(u) => base_bookings::Entity::find().filter(B::BookerId.eq(u.0)),
    };
    let txn = begin_read(db).await?;
    let rows = q
        .order_by_desc(B::CreatedAt)
        .order_by_desc(B::Id)
        .limit(LIST_LIMIT)
        .all(&txn)
        .await
        .map_err(db_err)?;
    let out = to_bookings(sealing, &txn, rows).await?;
    txn.commit().await.map_err(db_err)?;
    Ok(out)
}

async fn change_booking(db: &DatabaseConnection, c: &BookingChange) -> StoreResult<()> {
    use base_bookings::Column as B;
    use base_slots::Column as S;
    let txn = begin_write(db).await?;
    let res = base_bookings::Entity::update_many()
        .col_expr(B::Status, Expr::value(c.to.code()))
        .col_expr(B::Reason, Expr::value(c.reason.clone()))
        .col_expr(B::DecidedAt, Expr::value(c.at.micros()))
        .filter(B::Id.eq(c.id.0))
        .filter(B::Status.eq(c.from.code()))
        .exec(&txn)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict(
            "该预约已被处理或取消，请刷新后再看".into(),
        ));
    }
    if c.from.holds_places() && !c.to.holds_places() {
        let row: Option<(i64, i32)> = base_bookings::Entity::find_by_id(c.id.0)
            .select_only()
            .columns([B::SlotId, B::GroupSize])
            .into_tuple()
            .one(&txn)
            .await
            .map_err(db_err)?;
        let (slot, size) = row.ok_or(StoreError::NotFound)?;
        base_slots::Entity::update_many()
            .col_expr(S::Booked, Expr::col(S::Booked).sub(size))
            .filter(S::Id.eq(slot))
            .exec(&txn)
            .await
            .map_err(db_err)?;
    }
    if let Some(audit) = &c.audit {
        super::audit::insert(&txn, audit).await?;
    }
    super::notifications::insert(&txn, c.notification.iter().cloned().collect()).await?;
    txn.commit().await.map_err(db_err)
}

#[async_trait]
impl BaseStore for SeaStore {
    async fn bases(&self, scope: &RegionScope) -> StoreResult<Vec<Base>> {
        bases(&self.db, scope).await
    }
    async fn base_profile(&self, org: OrgId) -> StoreResult<Option<BaseProfile>> {
        base_profiles::Entity::find_by_id(org.0)
            .one(&self.db)
            .await
            .map_err(db_err)?
            .map(to_profile)
            .transpose()
    }
    async fn save_base_profile(
        &self,
        org: OrgId,
        profile: &BaseProfile,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(save_profile(&self.db, org, profile, audit))
    }
    async fn base_photos(&self, org: OrgId) -> StoreResult<Vec<UploadId>> {
        base_photos(&self.db, org).await
    }
    async fn set_base_photos(
        &self,
        org: OrgId,
        photos: &[UploadId],
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(set_photos(&self.db, org, photos, audit))
    }
    async fn base_resources(&self, org: OrgId) -> StoreResult<Vec<ResourceId>> {
        base_resources(&self.db, org).await
    }
    async fn set_base_resources(
        &self,
        org: OrgId,
        resources: &[ResourceId],
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        retry!(set_resources(&self.db, org, resources, audit))
    }
    async fn bases_using(&self, resource: ResourceId) -> StoreResult<Vec<BaseRef>> {
        bases_using(&self.db, resource).await
    }
    async fn create_slot(
        &self,
        org: OrgId,
        slot: &SlotDraft,
        by: UserId,
        at: Timestamp,
    ) -> StoreResult<BaseSlotId> {
        retry!(create_slot(&self.db, org, slot, by, at))
    }
    async fn slot(&self, id: BaseSlotId) -> StoreResult<Option<Slot>> {
        Ok(base_slots::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(to_slot))
    }
    async fn slots(&self, org: OrgId, after: Timestamp) -> StoreResult<Vec<Slot>> {
        use base_slots::Column as S;
        let rows = base_slots::Entity::find()
            .filter(S::OrgId.eq(org.0))
            .filter(S::EndsAt.gt(after.micros()))
            .order_by_asc(S::StartsAt)
            .order_by_asc(S::Id)
            .limit(LIST_LIMIT)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.iter().map(to_slot).collect())
    }
    async fn book(&self, b: &NewBooking) -> StoreResult<BaseBookingId> {
        retry!(book(&self.db, &self.sealing, b))
    }
    async fn booking(&self, id: BaseBookingId) -> StoreResult<Option<Booking>> {
        booking(&self.db, &self.sealing, id).await
    }
    async fn bookings(&self, filter: BookingFilter) -> StoreResult<Vec<Booking>> {
        bookings(&self.db, &self.sealing, filter).await
    }
    async fn change_booking(&self, change: &BookingChange) -> StoreResult<()> {
        retry!(change_booking(&self.db, change))
    }
}
