//! Trainings (培训): a region admin or an organization's admin holds a training of one kind
//! (科技辅导员, 实用技术, …) with one or more sessions, a place or an online link, a capacity
//! and an audience; users enrol (never past the capacity); each session has an attendance roll,
//! ticked by the organizer or filled by attendees entering the session's rotating code
//! ([`crate::rotating_code`]). Each person present at each session is one person-time (人次):
//! the figure `training_attendance`; the training itself counts in `trainings`.
//!
//! This file holds the rules (parsing, who manages a training); the use cases are in
//! `app/trainings.rs`, the storage port in `trainings/ports.rs`.

pub mod import;
pub mod ports;

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Asia::Shanghai;

use crate::DomainError;
use crate::ids::{OrgId, TrainingId, TrainingSessionId, UserId};
use crate::permissions::{Actor, Grant};
use crate::regions::RegionCode;
use crate::text::bounded;
use crate::time::Timestamp;

/// Most sessions one training may have.
pub const MAX_SESSIONS: usize = 20;
/// Largest capacity (a stadium-size lecture is not a training).
pub const MAX_CAPACITY: u32 = 5000;

/// The kinds of training the associations hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrainingKind {
    /// 科技辅导员培训 (school science counselors).
    TechCounselor,
    /// 实用技术培训 (farming and trade skills).
    PracticalTech,
    /// 农技协带头人培训 (leaders of rural technical associations).
    AssociationLeader,
    /// 科普讲解培训 (science explainers).
    ScienceGuide,
    Other,
}

impl TrainingKind {
    pub const ALL: [Self; 5] = [
        Self::TechCounselor,
        Self::PracticalTech,
        Self::AssociationLeader,
        Self::ScienceGuide,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::TechCounselor => "tech_counselor",
            Self::PracticalTech => "practical_tech",
            Self::AssociationLeader => "association_leader",
            Self::ScienceGuide => "science_guide",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::TechCounselor => "科技辅导员",
            Self::PracticalTech => "实用技术",
            Self::AssociationLeader => "农技协带头人",
            Self::ScienceGuide => "科普讲解",
            Self::Other => "其他",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| DomainError::invalid("kind", "未知的培训类别"))
    }
}

/// One session as entered: start and end, as RFC 3339 or as Beijing time
/// (`2026-12-10T09:00`, `2026-12-10 09:00`, what a `datetime-local` field sends).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionInput {
    pub starts_at: String,
    pub ends_at: String,
}

/// A training as entered (form or JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingInput {
    pub kind: String,
    pub title: String,
    /// Six-digit region the training is held for (counted there).
    pub region: String,
    /// Held by this organization (its admin creates it); none: by the region's association.
    pub org: Option<i64>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: u32,
    pub audience: String,
    pub sessions: Vec<SessionInput>,
}

/// A session's time span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSpan {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// A validated training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingDraft {
    pub kind: TrainingKind,
    pub title: String,
    pub region: RegionCode,
    pub org: Option<OrgId>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: u32,
    pub audience: String,
    /// In time order.
    pub sessions: Vec<SessionSpan>,
}

fn optional(
    field: &'static str,
    label: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => bounded(field, label, s, 1, max, false).map(Some),
    }
}

/// A time as entered: RFC 3339, or Beijing time without an offset.
pub fn parse_time(field: &'static str, raw: &str) -> Result<Timestamp, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(DomainError::invalid(field, "请填写时间"));
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(Timestamp::from(t.with_timezone(&chrono::Utc)));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .and_then(|local| Shanghai.from_local_datetime(&local).single())
        .map(|t| Timestamp::from(t.with_timezone(&chrono::Utc)))
        .ok_or_else(|| {
            DomainError::invalid(field, "时间格式不对，应为 2026-12-10 09:00（北京时间）")
        })
}

impl TrainingDraft {
    pub fn parse(input: &TrainingInput) -> Result<Self, DomainError> {
        let kind = TrainingKind::parse(&input.kind)?;
        let title = bounded("title", "培训名称", &input.title, 1, 60, false)?;
        let region = RegionCode::parse(input.region.trim())
            .map_err(|_| DomainError::invalid("region", "地区代码应为六位数字"))?;
        let place = optional("place", "培训地点", input.place.as_deref(), 100)?;
        let online_url = optional("online_url", "线上链接", input.online_url.as_deref(), 300)?;
        if let Some(url) = &online_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(DomainError::invalid(
                "online_url",
                "线上链接应以 https:// 或 http:// 开头",
            ));
        }
        if place.is_none() && online_url.is_none() {
            return Err(DomainError::invalid("place", "请填写培训地点或线上链接"));
        }
        if input.capacity == 0 || input.capacity > MAX_CAPACITY {
            return Err(DomainError::invalid(
                "capacity",
                format!("名额应在 1 到 {MAX_CAPACITY} 人之间"),
            ));
        }
        let audience = bounded("audience", "培训对象", &input.audience, 1, 200, false)?;
        if input.sessions.is_empty() {
            return Err(DomainError::invalid("sessions", "请至少安排一场培训"));
        }
        if input.sessions.len() > MAX_SESSIONS {
            return Err(DomainError::invalid(
                "sessions",
                format!("一次培训最多 {MAX_SESSIONS} 场"),
            ));
        }
        let mut sessions = Vec::with_capacity(input.sessions.len());
        for s in &input.sessions {
            let starts_at = parse_time("starts_at", &s.starts_at)?;
            let ends_at = parse_time("ends_at", &s.ends_at)?;
            if ends_at <= starts_at {
                return Err(DomainError::invalid("ends_at", "结束时间必须晚于开始时间"));
            }
            sessions.push(SessionSpan { starts_at, ends_at });
        }
        sessions.sort_by_key(|s| s.starts_at);
        Ok(Self {
            kind,
            title,
            region,
            org: input.org.map(OrgId),
            place,
            online_url,
            capacity: input.capacity,
            audience,
            sessions,
        })
    }

    /// The first session's start: the training's date in the figures.
    pub fn starts_at(&self) -> Option<Timestamp> {
        self.sessions.first().map(|s| s.starts_at)
    }
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: TrainingSessionId,
    /// 1-based, in time order.
    pub seq: u32,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// People ticked present (person-times of this session).
    pub present: u32,
}

/// A stored training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub id: TrainingId,
    pub kind: TrainingKind,
    pub title: String,
    pub region: RegionCode,
    pub org: Option<OrgId>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: u32,
    pub enrolled: u32,
    pub audience: String,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub sessions: Vec<Session>,
}

impl Training {
    pub fn starts_at(&self) -> Option<Timestamp> {
        self.sessions.first().map(|s| s.starts_at)
    }

    pub fn places_left(&self) -> u32 {
        self.capacity.saturating_sub(self.enrolled)
    }

    /// Person-times so far.
    pub fn person_times(&self) -> u32 {
        self.sessions.iter().map(|s| s.present).sum()
    }

    pub fn session(&self, id: TrainingSessionId) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }
}

/// An enrolled user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub user: UserId,
    pub name: String,
    pub enrolled_at: Timestamp,
}

/// How someone was marked present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckIn {
    /// The organizer ticked them on the roll.
    Roll,
    /// They entered the session's rotating code.
    Code,
}

impl CheckIn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Roll => "roll",
            Self::Code => "code",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "roll" => Some(Self::Roll),
            "code" => Some(Self::Code),
            _ => None,
        }
    }
}

/// One line of a session's roll: an enrolled user, present or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollEntry {
    pub user: UserId,
    pub name: String,
    /// `None`: not present.
    pub check_in: Option<CheckIn>,
}

/// The attendee's check-in page for a session with `code` filled in (what the QR code on the
/// organizer's screen holds).
pub fn check_in_path(training: TrainingId, session: TrainingSessionId, code: &str) -> String {
    format!("/trainings/{training}/sessions/{session}/check-in?code={code}")
}

/// Whether `actor` may create a training held by `org` (if any) in `region`: the region's
/// admins (a county admin in their county subtree only), or the organization's admins.
pub fn may_hold(actor: &Actor, region: RegionCode, org: Option<OrgId>) -> bool {
    actor.administers(region) || org.is_some_and(|o| actor.grants.contains(&Grant::OrgAdmin(o)))
}

/// Whether `actor` manages `t` (edits its roll, sees who enrolled, shows its check-in code).
pub fn manages(actor: &Actor, t: &Training) -> bool {
    may_hold(actor, t.region, t.org)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TrainingInput {
        TrainingInput {
            kind: "practical_tech".into(),
            title: " 柑橘绿色防控实用技术培训 ".into(),
            region: "511623".into(),
            org: None,
            place: Some("邻水县农业农村局三楼会议室".into()),
            online_url: None,
            capacity: 40,
            audience: "种植大户、农技协会员".into(),
            sessions: vec![
                SessionInput {
                    starts_at: "2026-12-11 14:00".into(),
                    ends_at: "2026-12-11 17:00".into(),
                },
                SessionInput {
                    starts_at: "2026-12-10T09:00".into(),
                    ends_at: "2026-12-10T12:00".into(),
                },
            ],
        }
    }

    fn field(r: Result<TrainingDraft, DomainError>) -> &'static str {
        match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn trainings_parse_sorts_sessions_in_beijing_time() {
        let d = TrainingDraft::parse(&input()).expect("valid");
        assert_eq!(d.title, "柑橘绿色防控实用技术培训");
        assert_eq!(d.kind, TrainingKind::PracticalTech);
        assert_eq!(d.sessions.len(), 2);
        // 09:00 Beijing = 01:00 UTC.
        assert_eq!(
            d.starts_at().map(Timestamp::to_rfc3339).unwrap_or_default(),
            "2026-12-10T01:00:00Z"
        );
        assert_eq!(
            d.sessions[1].starts_at,
            parse_time("x", "2026-12-11T06:00:00Z").expect("rfc 3339")
        );
    }

    #[test]
    fn trainings_parse_refuses_bad_input_with_its_field() {
        let mut i = input();
        i.title = "  ".into();
        assert_eq!(field(TrainingDraft::parse(&i)), "title");
        let mut i = input();
        i.sessions[0].ends_at = "2026-12-11 13:00".into();
        assert_eq!(field(TrainingDraft::parse(&i)), "ends_at");
        let mut i = input();
        i.sessions[0].ends_at = i.sessions[0].starts_at.clone();
        assert_eq!(field(TrainingDraft::parse(&i)), "ends_at");
        let mut i = input();
        i.sessions.clear();
        assert_eq!(field(TrainingDraft::parse(&i)), "sessions");
        let mut i = input();
        i.capacity = 0;
        assert_eq!(field(TrainingDraft::parse(&i)), "capacity");
        let mut i = input();
        i.place = None;
        assert_eq!(field(TrainingDraft::parse(&i)), "place");
        i.online_url = Some("ftp://x".into());
        assert_eq!(field(TrainingDraft::parse(&i)), "online_url");
        i.online_url = Some("https://meeting.example.cn/123".into());
        assert!(TrainingDraft::parse(&i).is_ok(), "online only");
        let mut i = input();
        i.kind = "dance".into();
        assert_eq!(field(TrainingDraft::parse(&i)), "kind");
        let mut i = input();
        i.sessions[0].starts_at = "明天上午".into();
        assert_eq!(field(TrainingDraft::parse(&i)), "starts_at");
    }

    #[test]
    fn trainings_are_held_by_region_admins_in_their_subtree_or_the_org_admins() {
        let county = RegionCode::parse("511623").expect("code");
        let other = RegionCode::parse("510104").expect("code");
        let admin = Actor {
            user_id: UserId(1),
            grants: vec![Grant::RegionAdmin(county)],
        };
        assert!(may_hold(&admin, county, None));
        assert!(!may_hold(&admin, other, None));
        let org_admin = Actor {
            user_id: UserId(2),
            grants: vec![Grant::OrgAdmin(OrgId(9))],
        };
        assert!(may_hold(&org_admin, other, Some(OrgId(9))));
        assert!(!may_hold(&org_admin, other, Some(OrgId(8))));
        assert!(!may_hold(&org_admin, other, None));
        let user = Actor {
            user_id: UserId(3),
            grants: vec![],
        };
        assert!(!may_hold(&user, county, None));
    }

    #[test]
    fn trainings_kinds_round_trip() {
        for k in TrainingKind::ALL {
            assert_eq!(TrainingKind::parse(k.code()), Ok(k));
        }
    }
}
