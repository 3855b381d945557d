//! Popular-science sharing bases (科普共享基地): organizations of the kind `OrgType::Base`,
//! verified by their region's admins like every organization, with a base profile beside the
//! org record (type, address, open hours, contact, introduction), visit slots (开放时段) the
//! base's admins open, and group bookings (团体预约) of a slot by schools and groups: the places
//! are taken when the booking is made (never past the slot's capacity), the base confirms or
//! declines it once, and the booker may cancel before the slot starts.
//!
//! This file holds the rules; the use cases are in `app/bases.rs`, the port in `bases/ports.rs`.

pub mod ports;

use crate::DomainError;
use crate::accounts::Phone;
use crate::ids::{BaseBookingId, BaseSlotId, OrgId, ResourceId, UserId};
use crate::permissions::Actor;
use crate::regions::RegionCode;
use crate::text::{bounded, optional};
use crate::time::Timestamp;
use crate::trainings::parse_time;
use crate::uploads::UploadId;

/// Largest capacity of one slot (people).
pub const MAX_SLOT_CAPACITY: u32 = 2000;

/// Most photos on a base's profile.
pub const MAX_BASE_PHOTOS: usize = 9;

/// Most popular-science resources a base links.
pub const MAX_BASE_RESOURCES: usize = 30;

/// What kind of place a base is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// 场馆 (a science museum, a planetarium).
    Venue,
    /// 基地 (a farm, a research station open to visits).
    Base,
    /// 企业 (a factory or company open to visits).
    Enterprise,
    /// 学校 (a university laboratory, a school's science room).
    School,
    Other,
}

impl BaseType {
    pub const ALL: [Self; 5] = [
        Self::Venue,
        Self::Base,
        Self::Enterprise,
        Self::School,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Venue => "venue",
            Self::Base => "base",
            Self::Enterprise => "enterprise",
            Self::School => "school",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Venue => "场馆",
            Self::Base => "基地",
            Self::Enterprise => "企业",
            Self::School => "学校",
            Self::Other => "其他",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|t| t.code() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid(
                    "base_type",
                    "基地类型应为 venue（场馆）、base（基地）、enterprise（企业）、school（学校）或 other（其他）",
                )
            })
    }
}

/// A base profile as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseProfileInput {
    pub base_type: String,
    pub address: String,
    pub open_hours: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub intro: Option<String>,
}

/// A validated base profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseProfile {
    pub base_type: BaseType,
    pub address: String,
    /// Free text (周二至周日 9:00–17:00，节假日另行通知).
    pub open_hours: String,
    pub contact_name: String,
    pub contact_phone: Phone,
    pub intro: Option<String>,
}

impl BaseProfile {
    pub fn parse(input: &BaseProfileInput) -> Result<Self, DomainError> {
        Ok(Self {
            base_type: BaseType::parse(&input.base_type)?,
            address: bounded("address", "地址", &input.address, 2, 200, false)?,
            open_hours: bounded("open_hours", "开放时间", &input.open_hours, 2, 200, false)?,
            contact_name: bounded("contact_name", "联系人", &input.contact_name, 1, 32, false)?,
            contact_phone: Phone::parse(&input.contact_phone)
                .map_err(|_| DomainError::invalid("contact_phone", "请输入 11 位联系电话"))?,
            intro: optional("intro", "简介", input.intro.as_deref(), 1000, true)?,
        })
    }

    /// The texts the banned-word check reads.
    pub fn public_text(&self) -> Vec<&str> {
        let mut v = vec![
            self.address.as_str(),
            self.open_hours.as_str(),
            self.contact_name.as_str(),
        ];
        v.extend(self.intro.as_deref());
        v
    }
}

/// A verified base organization with its profile (none until its admin writes one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub org: OrgId,
    pub name: String,
    pub region: RegionCode,
    pub profile: Option<BaseProfile>,
}

/// A visit slot as entered: start and end in Beijing time (or RFC 3339), capacity in people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotInput {
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: u32,
}

/// A validated visit slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotDraft {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: u32,
}

impl SlotDraft {
    /// The slot must start after `now`: a base opens slots for visits to come.
    pub fn parse(input: &SlotInput, now: Timestamp) -> Result<Self, DomainError> {
        let starts_at = parse_time("starts_at", &input.starts_at)?;
        let ends_at = parse_time("ends_at", &input.ends_at)?;
        if ends_at <= starts_at {
            return Err(DomainError::invalid("ends_at", "结束时间必须晚于开始时间"));
        }
        if starts_at <= now {
            return Err(DomainError::invalid("starts_at", "开放时段应在现在之后"));
        }
        if input.capacity == 0 || input.capacity > MAX_SLOT_CAPACITY {
            return Err(DomainError::invalid(
                "capacity",
                format!("可接待人数应在 1 到 {MAX_SLOT_CAPACITY} 人之间"),
            ));
        }
        Ok(Self {
            starts_at,
            ends_at,
            capacity: input.capacity,
        })
    }
}

/// A stored visit slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub id: BaseSlotId,
    pub org: OrgId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: u32,
    /// People of pending and confirmed bookings.
    pub booked: u32,
}

impl Slot {
    pub fn places_left(&self) -> u32 {
        self.capacity.saturating_sub(self.booked)
    }
}

/// A group booking as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingInput {
    pub group_name: String,
    pub group_size: u32,
    pub contact_phone: String,
    pub note: Option<String>,
}

/// A validated group booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingDraft {
    pub group_name: String,
    pub group_size: u32,
    pub contact_phone: Phone,
    pub note: Option<String>,
}

impl BookingDraft {
    /// `capacity`: the slot's; a group larger than the whole slot is bad input, one larger
    /// than the places left is a conflict the store reports.
    pub fn parse(input: &BookingInput, capacity: u32) -> Result<Self, DomainError> {
        let group_name = bounded("group_name", "团体名称", &input.group_name, 2, 60, false)?;
        if input.group_size == 0 || input.group_size > capacity {
            return Err(DomainError::invalid(
                "group_size",
                format!("团体人数应在 1 到 {capacity} 人之间"),
            ));
        }
        Ok(Self {
            group_name,
            group_size: input.group_size,
            contact_phone: Phone::parse(&input.contact_phone)
                .map_err(|_| DomainError::invalid("contact_phone", "请输入 11 位联系电话"))?,
            note: optional("note", "备注", input.note.as_deref(), 500, true)?,
        })
    }
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingStatus {
    Pending,
    Confirmed,
    Declined,
    Cancelled,
}

impl BookingStatus {
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Confirmed,
        Self::Declined,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pending => "待确认",
            Self::Confirmed => "已确认",
            Self::Declined => "已婉拒",
            Self::Cancelled => "已取消",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    /// Whether the booking holds its places (pending or confirmed).
    pub fn holds_places(self) -> bool {
        matches!(self, Self::Pending | Self::Confirmed)
    }
}

/// The base's decision on a pending booking: confirmed, or declined with a reason. Decided
/// once: anything but a pending booking is a conflict.
pub fn decision(
    from: BookingStatus,
    confirm: bool,
    reason: Option<&str>,
) -> Result<(BookingStatus, Option<String>), DomainError> {
    if from != BookingStatus::Pending {
        return Err(DomainError::Conflict(format!(
            "该预约{}，不能再次处理",
            from.label_zh()
        )));
    }
    if confirm {
        return Ok((BookingStatus::Confirmed, None));
    }
    let reason = optional("reason", "婉拒理由", reason, 200, true)?
        .ok_or_else(|| DomainError::invalid("reason", "请填写婉拒理由"))?;
    Ok((BookingStatus::Declined, Some(reason)))
}

/// The booker cancels: a pending or confirmed booking, before its slot starts.
pub fn cancellation(
    from: BookingStatus,
    slot_starts_at: Timestamp,
    now: Timestamp,
) -> Result<BookingStatus, DomainError> {
    if !from.holds_places() {
        return Err(DomainError::Conflict(format!(
            "该预约{}，不能取消",
            from.label_zh()
        )));
    }
    if now >= slot_starts_at {
        return Err(DomainError::Conflict("参观已开始，不能再取消预约".into()));
    }
    Ok(BookingStatus::Cancelled)
}

/// A stored booking, with what its lists show of the slot and the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: BaseBookingId,
    pub slot: BaseSlotId,
    pub org: OrgId,
    pub base_name: String,
    pub slot_starts_at: Timestamp,
    pub slot_ends_at: Timestamp,
    pub booker: UserId,
    pub booker_name: String,
    pub group_name: String,
    pub group_size: u32,
    pub contact_phone: Phone,
    pub note: Option<String>,
    pub status: BookingStatus,
    /// Why it was declined.
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

/// Whether `actor` manages the base `org` in `region`: its org admins, or the region's
/// admins (who verified it). They edit the profile, open slots, decide bookings, and see the
/// contact phone in full.
pub fn manages(actor: &Actor, org: OrgId, region: RegionCode) -> bool {
    actor.manages_org(org) || actor.administers(region)
}

/// A base's photo list as sent (upload ids, in their order): each well-formed, none twice, at
/// most [`MAX_BASE_PHOTOS`]. Whose uploads they are is the use case's check.
pub fn photo_list(ids: &[String]) -> Result<Vec<UploadId>, DomainError> {
    if ids.len() > MAX_BASE_PHOTOS {
        return Err(DomainError::invalid(
            "photo_ids",
            format!("基地照片最多 {MAX_BASE_PHOTOS} 张"),
        ));
    }
    let mut out: Vec<UploadId> = Vec::with_capacity(ids.len());
    for raw in ids {
        let id = UploadId::parse(raw.trim())
            .ok_or_else(|| DomainError::invalid("photo_ids", format!("图片编号 {raw} 不正确")))?;
        if out.contains(&id) {
            return Err(DomainError::invalid("photo_ids", format!("图片 {id} 重复")));
        }
        out.push(id);
    }
    Ok(out)
}

/// A base's linked resources as sent, in their order: none twice, at most
/// [`MAX_BASE_RESOURCES`]. Whether each is published is the use case's check.
pub fn resource_list(ids: &[i64]) -> Result<Vec<ResourceId>, DomainError> {
    if ids.len() > MAX_BASE_RESOURCES {
        return Err(DomainError::invalid(
            "resource_ids",
            format!("关联的科普资源最多 {MAX_BASE_RESOURCES} 个"),
        ));
    }
    let mut out: Vec<ResourceId> = Vec::with_capacity(ids.len());
    for &raw in ids {
        let id = ResourceId::new(raw);
        if out.contains(&id) {
            return Err(DomainError::invalid(
                "resource_ids",
                format!("科普资源 {raw} 重复"),
            ));
        }
        out.push(id);
    }
    Ok(out)
}

/// The photos of `wanted` not linked already: only these must be the actor's own uploads, so
/// an admin keeps the photos another admin of the base attached.
pub fn added_photos(wanted: &[UploadId], linked: &[UploadId]) -> Vec<UploadId> {
    wanted
        .iter()
        .filter(|p| !linked.contains(p))
        .cloned()
        .collect()
}

/// A verified base that links a resource (what the resource's page lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseRef {
    pub org: OrgId,
    pub name: String,
    pub region: RegionCode,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::Grant;

    fn field<T: std::fmt::Debug>(r: Result<T, DomainError>) -> &'static str {
        match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    fn profile() -> BaseProfileInput {
        BaseProfileInput {
            base_type: "venue".into(),
            address: " 成都市青羊区人民中路一段 16 号 ".into(),
            open_hours: "周二至周日 9:00–17:00".into(),
            contact_name: "王老师".into(),
            contact_phone: "138-0013-8000".into(),
            intro: Some("四川科技馆，常设展厅八个。".into()),
        }
    }

    #[test]
    fn bases_profile_parse_rules() {
        let p = BaseProfile::parse(&profile()).expect("valid");
        assert_eq!(p.base_type, BaseType::Venue);
        assert_eq!(p.address, "成都市青羊区人民中路一段 16 号");
        assert_eq!(p.contact_phone.masked(), "138****8000");
        let mut i = profile();
        i.base_type = "zoo".into();
        assert_eq!(field(BaseProfile::parse(&i)), "base_type");
        let mut i = profile();
        i.contact_phone = "028-8888".into();
        assert_eq!(field(BaseProfile::parse(&i)), "contact_phone");
        let mut i = profile();
        i.open_hours = " ".into();
        assert_eq!(field(BaseProfile::parse(&i)), "open_hours");
        let mut i = profile();
        i.contact_name = String::new();
        assert_eq!(field(BaseProfile::parse(&i)), "contact_name");
        let mut i = profile();
        i.intro = Some("长".repeat(1001));
        assert_eq!(field(BaseProfile::parse(&i)), "intro");
        let mut i = profile();
        i.intro = Some("  ".into());
        assert_eq!(BaseProfile::parse(&i).map(|p| p.intro), Ok(None));
        for t in BaseType::ALL {
            assert_eq!(BaseType::parse(t.code()), Ok(t));
        }
    }

    #[test]
    fn bases_slot_parse_rules() {
        let now = parse_time("x", "2026-12-01 08:00").expect("time");
        let ok = SlotInput {
            starts_at: "2026-12-10 09:00".into(),
            ends_at: "2026-12-10 11:30".into(),
            capacity: 50,
        };
        let d = SlotDraft::parse(&ok, now).expect("valid");
        // 09:00 Beijing = 01:00 UTC.
        assert_eq!(d.starts_at.to_rfc3339(), "2026-12-10T01:00:00Z");
        let mut i = ok.clone();
        i.ends_at = i.starts_at.clone();
        assert_eq!(field(SlotDraft::parse(&i, now)), "ends_at");
        let mut i = ok.clone();
        i.capacity = 0;
        assert_eq!(field(SlotDraft::parse(&i, now)), "capacity");
        i.capacity = MAX_SLOT_CAPACITY + 1;
        assert_eq!(field(SlotDraft::parse(&i, now)), "capacity");
        let later = parse_time("x", "2026-12-10 09:00").expect("time");
        assert_eq!(field(SlotDraft::parse(&ok, later)), "starts_at");
        let mut i = ok;
        i.starts_at = "下周二".into();
        assert_eq!(field(SlotDraft::parse(&i, now)), "starts_at");
    }

    #[test]
    fn bases_booking_parse_keeps_the_group_within_the_capacity() {
        let ok = BookingInput {
            group_name: "邻水县实验小学五年级".into(),
            group_size: 40,
            contact_phone: "13900139000".into(),
            note: None,
        };
        assert_eq!(BookingDraft::parse(&ok, 40).map(|d| d.group_size), Ok(40));
        assert_eq!(field(BookingDraft::parse(&ok, 39)), "group_size");
        let mut i = ok.clone();
        i.group_size = 0;
        assert_eq!(field(BookingDraft::parse(&i, 40)), "group_size");
        let mut i = ok.clone();
        i.group_name = "五".into();
        assert_eq!(field(BookingDraft::parse(&i, 40)), "group_name");
        let mut i = ok;
        i.contact_phone = "12345".into();
        assert_eq!(field(BookingDraft::parse(&i, 40)), "contact_phone");
    }

    #[test]
    fn bases_bookings_are_decided_once_and_cancelled_before_the_visit() {
        use BookingStatus::*;
        assert_eq!(decision(Pending, true, None), Ok((Confirmed, None)));
        assert_eq!(
            decision(Pending, false, Some(" 当天闭馆 ")),
            Ok((Declined, Some("当天闭馆".into())))
        );
        assert_eq!(field(decision(Pending, false, None)), "reason");
        assert_eq!(field(decision(Pending, false, Some(" "))), "reason");
        for from in [Confirmed, Declined, Cancelled] {
            for confirm in [true, false] {
                assert!(matches!(
                    decision(from, confirm, Some("x")),
                    Err(DomainError::Conflict(_))
                ));
            }
        }
        let start = Timestamp(1_000_000);
        let before = Timestamp(999_999);
        assert_eq!(cancellation(Pending, start, before), Ok(Cancelled));
        assert_eq!(cancellation(Confirmed, start, before), Ok(Cancelled));
        for from in [Declined, Cancelled] {
            assert!(matches!(
                cancellation(from, start, before),
                Err(DomainError::Conflict(_))
            ));
        }
        assert!(matches!(
            cancellation(Pending, start, start),
            Err(DomainError::Conflict(_))
        ));
        for s in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(s.code()), Some(s));
        }
    }

    #[test]
    fn bases_are_managed_by_their_org_admins_and_the_region_admins() {
        let county = RegionCode::parse("511623").expect("code");
        let other = RegionCode::parse("510104").expect("code");
        let org_admin = Actor {
            user_id: UserId(1),
            grants: vec![Grant::OrgAdmin(OrgId(7))],
        };
        assert!(manages(&org_admin, OrgId(7), county));
        assert!(!manages(&org_admin, OrgId(8), county));
        let region_admin = Actor {
            user_id: UserId(2),
            grants: vec![Grant::RegionAdmin(county)],
        };
        assert!(manages(&region_admin, OrgId(8), county));
        assert!(!manages(&region_admin, OrgId(8), other));
        let user = Actor {
            user_id: UserId(3),
            grants: vec![],
        };
        assert!(!manages(&user, OrgId(7), county));
    }

    #[test]
    fn bases_photo_list_is_well_formed_unique_and_at_most_nine() {
        let id = |n: u8| format!("{n:032x}");
        let nine: Vec<String> = (1..=9).map(id).collect();
        assert_eq!(photo_list(&nine).map(|v| v.len()), Ok(9));
        assert_eq!(photo_list(&[]), Ok(vec![]));
        let ten: Vec<String> = (1..=10).map(id).collect();
        assert_eq!(field(photo_list(&ten)), "photo_ids");
        assert_eq!(field(photo_list(&[id(1), id(1)])), "photo_ids");
        assert_eq!(field(photo_list(&["../etc/passwd".into()])), "photo_ids");
    }

    #[test]
    fn bases_resource_list_is_unique_and_at_most_thirty() {
        let thirty: Vec<i64> = (1..=30).collect();
        assert_eq!(resource_list(&thirty).map(|v| v.len()), Ok(30));
        let more: Vec<i64> = (1..=31).collect();
        assert_eq!(field(resource_list(&more)), "resource_ids");
        assert_eq!(field(resource_list(&[3, 4, 3])), "resource_ids");
        assert_eq!(
            resource_list(&[5, 2]),
            Ok(vec![ResourceId::new(5), ResourceId::new(2)])
        );
    }

    #[test]
    fn bases_only_photos_not_linked_yet_are_added() {
        let a = UploadId::parse(&format!("{:032x}", 1)).expect("id");
        let b = UploadId::parse(&format!("{:032x}", 2)).expect("id");
        let linked = std::slice::from_ref(&a);
        assert_eq!(added_photos(&[a.clone(), b.clone()], linked), vec![b]);
        assert!(added_photos(linked, linked).is_empty());
    }
}
