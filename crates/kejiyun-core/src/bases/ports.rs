//! The storage port of bases: the profile beside the org record, visit slots, and group
//! bookings whose places are taken within the slot's capacity by one conditional update in
//! the transaction that inserts the booking. Every method is one transaction.

use async_trait::async_trait;

use super::{Base, BaseProfile, BaseRef, Booking, BookingDraft, BookingStatus, Slot, SlotDraft};
use crate::audit::AuditRecord;
use crate::ids::{BaseBookingId, BaseSlotId, OrgId, ResourceId, UserId};
use crate::notifications::NewNotification;
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::time::Timestamp;
use crate::uploads::UploadId;

/// A booking to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking {
    pub slot: BaseSlotId,
    pub booker: UserId,
    pub draft: BookingDraft,
    pub at: Timestamp,
}

/// Which bookings a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingFilter {
    /// Every booking of the base's slots.
    Base(OrgId),
    /// The user's own.
    Booker(UserId),
}

/// A decision or a cancellation: the status it moves from and to, with what commits with it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingChange {
    pub id: BaseBookingId,
    pub from: BookingStatus,
    pub to: BookingStatus,
    pub reason: Option<String>,
    pub at: Timestamp,
    /// The decision's audit entry (none for the booker's cancellation).
    pub audit: Option<AuditRecord>,
    /// The booker's inbox notice.
    pub notification: Option<NewNotification>,
}

#[async_trait]
pub trait BaseStore: Send + Sync {
    /// Verified (published) organizations of the kind `base` in `scope`, with their profile,
    /// by name.
    async fn bases(&self, scope: &RegionScope) -> StoreResult<Vec<Base>>;
    async fn base_profile(&self, org: OrgId) -> StoreResult<Option<BaseProfile>>;
    /// Writes (or replaces) the base's profile, with its audit entry.
    async fn save_base_profile(
        &self,
        org: OrgId,
        profile: &BaseProfile,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// The base's photos, in their order.
    async fn base_photos(&self, org: OrgId) -> StoreResult<Vec<UploadId>>;
    /// Replaces the base's photo list (in this order), with its audit entry.
    async fn set_base_photos(
        &self,
        org: OrgId,
        photos: &[UploadId],
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// The resources the base links, in their order (whatever their status now: the use case
    /// shows the published ones).
    async fn base_resources(&self, org: OrgId) -> StoreResult<Vec<ResourceId>>;
    /// Replaces the base's linked resources (in this order), with its audit entry.
    async fn set_base_resources(
        &self,
        org: OrgId,
        resources: &[ResourceId],
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// The verified bases that link `resource`, by name.
    async fn bases_using(&self, resource: ResourceId) -> StoreResult<Vec<BaseRef>>;
    async fn create_slot(
        &self,
        org: OrgId,
        slot: &SlotDraft,
        by: UserId,
        at: Timestamp,
    ) -> StoreResult<BaseSlotId>;
    async fn slot(&self, id: BaseSlotId) -> StoreResult<Option<Slot>>;
    /// The base's slots that end after `after`, soonest first.
    async fn slots(&self, org: OrgId, after: Timestamp) -> StoreResult<Vec<Slot>>;
    /// Takes the places and inserts the booking, in one transaction: conflict (名额不足) when
    /// fewer places are left than the group's size, whoever took them meanwhile.
    async fn book(&self, b: &NewBooking) -> StoreResult<BaseBookingId>;
    async fn booking(&self, id: BaseBookingId) -> StoreResult<Option<Booking>>;
    /// Newest first (at most 500).
    async fn bookings(&self, filter: BookingFilter) -> StoreResult<Vec<Booking>>;
    /// Moves the booking `from` → `to` (conflict if it is no longer `from`); when `to` no
    /// longer holds places, gives them back to the slot in the same transaction, with the
    /// audit entry and the notification.
    async fn change_booking(&self, change: &BookingChange) -> StoreResult<()>;
}
