//! Popular-science sharing bases (科普共享基地): the base's profile, its visit slots, and group
//! bookings with the base's decision and the booker's cancellation. The rules are in
//! `bases.rs`; these check who may act, then call the store once.

use serde_json::json;

use crate::audit::AuditRecord;
use crate::bases::ports::{BookingChange, BookingFilter, NewBooking};
use crate::bases::{
    Base, BaseProfile, BaseProfileInput, Booking, BookingDraft, BookingInput, Slot, SlotDraft,
    SlotInput, cancellation, decision, manages,
};
use crate::ids::{BaseBookingId, BaseSlotId, OrgId};
use crate::moderation::ModerationStatus;
use crate::notifications;
use crate::orgs::{Org, OrgType};
use crate::permissions::{Actor, RegionScope};
use crate::profiles::ports::ProfileStore;
use crate::regions::RegionCode;
use crate::{DomainError, DomainResult};

use_cases!(
    Bases,
    bases,
    "Popular-science sharing bases: profiles, visit slots, group bookings and their decisions"
);

fn no_base() -> DomainError {
    DomainError::NotFound("科普共享基地不存在".into())
}

fn no_slot() -> DomainError {
    DomainError::NotFound("开放时段不存在".into())
}

fn no_booking() -> DomainError {
    DomainError::NotFound("预约不存在".into())
}

fn not_manager() -> DomainError {
    DomainError::Forbidden("只有该基地的管理员或所在地区的管理员可以管理".into())
}

/// A base's page: the org, its profile, its slots from now on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasePage {
    pub base: Base,
    pub slots: Vec<Slot>,
}

impl Bases<'_> {
    /// The org behind a base: verified and of the kind `base` (anything else is "not found",
    /// so an unverified application is not shown).
    async fn base_org(&self, org: OrgId) -> DomainResult<Org> {
        let found = ProfileStore::<Org>::find_profile(&*self.store, org)
            .await?
            .ok_or_else(no_base)?;
        if found.profile.org_type != OrgType::Base || found.status != ModerationStatus::Published {
            return Err(no_base());
        }
        Ok(found)
    }

    async fn managed(&self, actor: &Actor, org: OrgId) -> DomainResult<Org> {
        let found = self.base_org(org).await?;
        if !manages(actor, org, found.profile.region) {
            return Err(not_manager());
        }
        Ok(found)
    }

    /// Whether `actor` manages the base (sees the contact phone in full, the bookings).
    pub async fn manages(&self, actor: Option<&Actor>, org: OrgId) -> DomainResult<bool> {
        let found = self.base_org(org).await?;
        Ok(actor.is_some_and(|a| manages(a, org, found.profile.region)))
    }

    /// Verified bases in `region`'s subtree (default: the whole platform), by name.
    pub async fn list(&self, region: Option<RegionCode>) -> DomainResult<Vec<Base>> {
        let root = match region {
            Some(r) => self.visible_region(r)?.code,
            None => self.root,
        };
        Ok(self.store.bases(&RegionScope::Within(vec![root])).await?)
    }

    /// A base with its slots that have not ended yet, soonest first.
    pub async fn get(&self, org: OrgId) -> DomainResult<BasePage> {
        let found = self.base_org(org).await?;
        let profile = self.store.base_profile(org).await?;
        let slots = self.store.slots(org, self.now()).await?;
        Ok(BasePage {
            base: Base {
                org,
                name: found.profile.name,
                region: found.profile.region,
                profile,
            },
            slots,
        })
    }

    /// The base's admins write its profile.
    pub async fn save_profile(
        &self,
        actor: &Actor,
        org: OrgId,
        input: &BaseProfileInput,
    ) -> DomainResult<BaseProfile> {
        self.managed(actor, org).await?;
        let profile = BaseProfile::parse(input)?;
        self.banned_words.check("intro", &profile.public_text())?;
        self.store
            .save_base_profile(org, &profile, actor.user_id, self.now())
            .await?;
        Ok(profile)
    }

    /// The base's admins open a visit slot.
    pub async fn open_slot(
        &self,
        actor: &Actor,
        org: OrgId,
        input: &SlotInput,
    ) -> DomainResult<BaseSlotId> {
        self.managed(actor, org).await?;
        let now = self.now();
        let draft = SlotDraft::parse(input, now)?;
        Ok(self
            .store
            .create_slot(org, &draft, actor.user_id, now)
            .await?)
    }

    /// A logged-in user books a slot for a group: the places are taken now (pending the base's
    /// confirmation), never past the capacity.
    pub async fn book(
        &self,
        actor: &Actor,
        org: OrgId,
        slot: BaseSlotId,
        input: &BookingInput,
    ) -> DomainResult<BaseBookingId> {
        self.base_org(org).await?;
        let s = self
            .store
            .slot(slot)
            .await?
            .filter(|s| s.org == org)
            .ok_or_else(no_slot)?;
        let now = self.now();
        if s.starts_at <= now {
            return Err(DomainError::Conflict("该时段已开始，不能再预约".into()));
        }
        let draft = BookingDraft::parse(input, s.capacity)?;
        let texts: Vec<&str> = std::iter::once(draft.group_name.as_str())
            .chain(draft.note.as_deref())
            .collect();
        self.banned_words.check("group_name", &texts)?;
        // The store's conditional update is what decides; this check only spares a write and
        // says how many places are left.
        if draft.group_size > s.places_left() {
            return Err(full(s.places_left()));
        }
        Ok(self
            .store
            .book(&NewBooking {
                slot,
                booker: actor.user_id,
                draft,
                at: now,
            })
            .await?)
    }

    /// The bookings of a base's slots: for its admins.
    pub async fn bookings(&self, actor: &Actor, org: OrgId) -> DomainResult<Vec<Booking>> {
        self.managed(actor, org).await?;
        Ok(self.store.bookings(BookingFilter::Base(org)).await?)
    }

    /// The caller's own bookings.
    pub async fn mine(&self, actor: &Actor) -> DomainResult<Vec<Booking>> {
        Ok(self
            .store
            .bookings(BookingFilter::Booker(actor.user_id))
            .await?)
    }

    /// The base a booking is for (where a refused decision's page goes back to).
    pub async fn base_of_booking(&self, id: BaseBookingId) -> DomainResult<OrgId> {
        Ok(self.store.booking(id).await?.ok_or_else(no_booking)?.org)
    }

    /// The base's admins (or the region's) confirm a pending booking, or decline it with a
    /// reason (its places go back to the slot); audited, and the booker is told.
    pub async fn decide(
        &self,
        actor: &Actor,
        id: BaseBookingId,
        confirm: bool,
        reason: Option<&str>,
    ) -> DomainResult<Booking> {
        let b = self.store.booking(id).await?.ok_or_else(no_booking)?;
        let org = self.base_org(b.org).await?;
        if !manages(actor, b.org, org.profile.region) {
            return Err(not_manager());
        }
        let (to, reason) = decision(b.status, confirm, reason)?;
        let now = self.now();
        let audit = AuditRecord {
            actor: Some(actor.user_id),
            at: now,
            action: format!(
                "base_booking.{}",
                if confirm { "confirm" } else { "decline" }
            ),
            target_kind: "base_booking".into(),
            target_id: id.to_string(),
            region: Some(org.profile.region),
            before: Some(json!({ "status": b.status.code() })),
            after: Some(json!({ "status": to.code(), "reason": reason })),
        };
        let notification = notifications::booking_decided(
            b.booker,
            &b.base_name,
            &b.slot_starts_at.to_shanghai_display(),
            reason.as_deref(),
            now,
        );
        self.store
            .change_booking(&BookingChange {
                id,
                from: b.status,
                to,
                reason,
                at: now,
                audit: Some(audit),
                notification: Some(notification),
            })
            .await?;
        self.store.booking(id).await?.ok_or_else(no_booking)
    }

    /// The booker cancels their pending or confirmed booking before the visit; the places go
    /// back to the slot.
    pub async fn cancel(&self, actor: &Actor, id: BaseBookingId) -> DomainResult<Booking> {
        let b = self.store.booking(id).await?.ok_or_else(no_booking)?;
        if b.booker != actor.user_id {
            return Err(DomainError::Forbidden("只能取消自己的预约".into()));
        }
        let now = self.now();
        let to = cancellation(b.status, b.slot_starts_at, now)?;
        self.store
            .change_booking(&BookingChange {
                id,
                from: b.status,
                to,
                reason: None,
                at: now,
                audit: None,
                notification: None,
            })
            .await?;
        self.store.booking(id).await?.ok_or_else(no_booking)
    }
}

/// The capacity refusal (the store's too, when the places went meanwhile).
pub fn full(left: u32) -> DomainError {
    DomainError::Conflict(format!("名额不足：该时段只剩 {left} 个名额"))
}
