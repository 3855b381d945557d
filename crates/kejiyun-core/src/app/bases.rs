//! Popular-science sharing bases (科普共享基地): the base's profile, its visit slots, and group
//! bookings with the base's decision and the booker's cancellation. The rules are in
//! `bases.rs`; these check who may act, then call the store once.

use serde_json::json;

use crate::audit::AuditRecord;
use crate::bases::ports::{BookingChange, BookingFilter, NewBooking};
use crate::bases::{
    Base, BaseProfile, BaseProfileInput, BaseRef, Booking, BookingDraft, BookingInput,
    MAX_BASE_PHOTOS, Slot, SlotDraft, SlotInput, added_photos, cancellation, decision, manages,
    photo_list, resource_list,
};
use crate::ids::{BaseBookingId, BaseSlotId, OrgId, ResourceId};
use crate::moderation::ModerationStatus;
use crate::notifications;
use crate::orgs::{Org, OrgType};
use crate::permissions::{Actor, RegionScope};
use crate::popsci::Resource;
use crate::profiles::ports::ProfileStore;
use crate::regions::RegionCode;
use crate::uploads::{Upload, UploadId, UploadKind, display_name};
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

/// A base's page: the org, its profile, its slots from now on, its photos and the published
/// resources it links (one withdrawn since is left out, not shown as a dead link).
#[derive(Debug, Clone, PartialEq)]
pub struct BasePage {
    pub base: Base,
    pub slots: Vec<Slot>,
    pub photos: Vec<Upload>,
    pub resources: Vec<Resource>,
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
        let photos = self.photos_of(org).await?;
        let resources = self.resources_of(org).await?;
        Ok(BasePage {
            base: Base {
                org,
                name: found.profile.name,
                region: found.profile.region,
                profile,
            },
            slots,
            photos,
            resources,
        })
    }

    /// The base's photos in their order, as uploads (for their thumbnails).
    async fn photos_of(&self, org: OrgId) -> DomainResult<Vec<Upload>> {
        let ids = self.store.base_photos(org).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found = self.files.uploads(&ids).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.iter().find(|u| &u.id == id).cloned())
            .collect())
    }

    /// The published resources the base links, in their order.
    async fn resources_of(&self, org: OrgId) -> DomainResult<Vec<Resource>> {
        let mut out = Vec::new();
        for id in self.store.base_resources(org).await? {
            if let Some(r) = self.resources().on_show(id).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    fn audit(
        &self,
        actor: &Actor,
        org: &Org,
        action: &str,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            actor: Some(actor.user_id),
            at: self.now(),
            action: action.into(),
            target_kind: "base".into(),
            target_id: org.id.to_string(),
            region: Some(org.profile.region),
            before: Some(before),
            after: Some(after),
        }
    }

    /// The base's admins (or the region's) set its photos: at most nine, in this order. Photos
    /// linked already stay whoever attached them; new ones must be images the actor uploaded
    /// (`POST /api/v1/uploads`). Audited (`base.photos`).
    pub async fn set_photos(
        &self,
        actor: &Actor,
        org: OrgId,
        ids: &[String],
    ) -> DomainResult<Vec<Upload>> {
        let found = self.managed(actor, org).await?;
        let wanted = photo_list(ids)?;
        let linked = self.photos_checked(actor, org, &wanted).await?;
        let audit = self.audit(
            actor,
            &found,
            "base.photos",
            json!({ "photos": linked }),
            json!({ "photos": wanted }),
        );
        self.store.set_base_photos(org, &wanted, &audit).await?;
        self.photos_of(org).await
    }

    /// Checks the photos of `wanted` not linked yet are images `actor` uploaded (someone
    /// else's, or an unknown id, is refused without saying which exists); returns those linked.
    async fn photos_checked(
        &self,
        actor: &Actor,
        org: OrgId,
        wanted: &[UploadId],
    ) -> DomainResult<Vec<UploadId>> {
        let linked = self.store.base_photos(org).await?;
        let added = added_photos(wanted, &linked);
        if !added.is_empty() {
            let uploads = self.files.uploads(&added).await?;
            for id in &added {
                let ok = uploads.iter().any(|u| {
                    &u.id == id && u.owner == actor.user_id && u.kind == UploadKind::Image
                });
                if !ok {
                    return Err(DomainError::invalid(
                        "photo_ids",
                        format!("图片 {id} 不存在或不是您上传的图片"),
                    ));
                }
            }
        }
        Ok(linked)
    }

    /// The manage page's photo form: the photos kept (upload ids) and new files, at most nine
    /// in all. Every new file is checked and re-encoded before the first is stored, and the
    /// base and the count before that, so a refused form stores nothing.
    pub async fn add_photos(
        &self,
        actor: &Actor,
        org: OrgId,
        keep: &[String],
        files: &[(&str, &[u8])],
    ) -> DomainResult<Vec<Upload>> {
        self.managed(actor, org).await?;
        if keep.len() + files.len() > MAX_BASE_PHOTOS {
            return Err(DomainError::invalid(
                "photos",
                format!("基地照片最多 {MAX_BASE_PHOTOS} 张"),
            ));
        }
        let kept = photo_list(keep)?;
        self.photos_checked(actor, org, &kept).await?;
        let mut prepared = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let new = self
                .uploads()
                .prepare(actor.user_id, name, bytes, &[UploadKind::Image])
                .map_err(|e| match e {
                    DomainError::Invalid { message, .. } => {
                        DomainError::invalid("photos", format!("{}：{message}", display_name(name)))
                    }
                    other => other,
                })?;
            prepared.push(new);
        }
        let mut ids: Vec<String> = keep.to_vec();
        for new in prepared {
            let stored: UploadId = self.uploads().store(new).await?.id;
            ids.push(stored.to_string());
        }
        self.set_photos(actor, org, &ids).await
    }

    /// The base's admins (or the region's) set the published resources it uses (at most 30,
    /// in this order). Audited (`base.resources`).
    pub async fn set_resources(
        &self,
        actor: &Actor,
        org: OrgId,
        ids: &[i64],
    ) -> DomainResult<Vec<Resource>> {
        let found = self.managed(actor, org).await?;
        let wanted = resource_list(ids)?;
        for id in &wanted {
            if self.resources().on_show(*id).await?.is_none() {
                return Err(DomainError::invalid(
                    "resource_ids",
                    format!("科普资源 {} 不存在或尚未发布", id.0),
                ));
            }
        }
        let linked = self.store.base_resources(org).await?;
        let ids_of = |v: &[ResourceId]| v.iter().map(|r| r.0).collect::<Vec<_>>();
        let audit = self.audit(
            actor,
            &found,
            "base.resources",
            json!({ "resources": ids_of(&linked) }),
            json!({ "resources": ids_of(&wanted) }),
        );
        self.store.set_base_resources(org, &wanted, &audit).await?;
        self.resources_of(org).await
    }

    /// The verified bases that use a published resource (public, as the resource is).
    pub async fn using(&self, resource: ResourceId) -> DomainResult<Vec<BaseRef>> {
        if self.resources().on_show(resource).await?.is_none() {
            return Err(DomainError::NotFound("科普资源不存在".into()));
        }
        Ok(self.store.bases_using(resource).await?)
    }

    /// The base's admins write its profile.
    pub async fn save_profile(
        &self,
        actor: &Actor,
        org: OrgId,
        input: &BaseProfileInput,
    ) -> DomainResult<BaseProfile> {
        let found = self.managed(actor, org).await?;
        let profile = BaseProfile::parse(input)?;
        self.banned_words.check("intro", &profile.public_text())?;
        let before = self.store.base_profile(org).await?;
        let audit = self.audit(
            actor,
            &found,
            "base.profile",
            before
                .as_ref()
                .map_or(serde_json::Value::Null, profile_json),
            profile_json(&profile),
        );
        self.store.save_base_profile(org, &profile, &audit).await?;
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

/// A profile as the audit trail keeps it: the phone masked, as the public sees it (the trail
/// is read by region admins, who need what changed, not the number).
fn profile_json(p: &BaseProfile) -> serde_json::Value {
    json!({
        "base_type": p.base_type.code(),
        "address": p.address,
        "open_hours": p.open_hours,
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone.masked(),
        "intro": p.intro,
    })
}

/// The capacity refusal (the store's too, when the places went meanwhile).
pub fn full(left: u32) -> DomainError {
    DomainError::Conflict(format!("名额不足：该时段只剩 {left} 个名额"))
}
