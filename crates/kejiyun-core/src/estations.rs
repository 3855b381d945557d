//! 科普e站 (popular-science e-stations): screens in public places — a village square, a
//! township hall, a school lobby — that loop popular-science resources. A region's admin or a
//! verified e-station operator registers a screen and gets its secret token once; the screen
//! opens the full-screen player with it (no login). What a screen plays is its *program*: the
//! playlists that reach it — its own first, then its county's, city's, province's — each with
//! optional time-of-day windows, and over all of them an emergency override (紧急插播) that a
//! region's admin puts on every screen of the region now. The player reports heartbeats and
//! plays; the plays are the proof of play (per item, screen and day), apart from web views.
//!
//! This file holds the rules; the use cases are in `app/estations.rs`, the port in
//! `estations/ports.rs`.

pub mod ports;
#[cfg(test)]
mod tests;

use chrono::{NaiveDate, Timelike};

use crate::DomainError;
use crate::ids::{EmergencyId, EstationId, OrgId, PlaylistId, ResourceId, UserId};
use crate::permissions::Actor;
use crate::regions::{RegionCode, RegionLevel};
use crate::text::bounded;
use crate::time::Timestamp;
use crate::trainings::parse_time;

/// A screen whose last heartbeat is at most this old is online (the player beats every 20 s).
pub const ONLINE_WITHIN_SECONDS: i64 = 90;
/// How long an image, article or document stays on the screen when its item says nothing.
pub const DEFAULT_SECONDS: u32 = 15;
/// The shortest and longest duration an item may ask for.
pub const MIN_SECONDS: u32 = 3;
pub const MAX_SECONDS: u32 = 3600;
pub const MAX_ITEMS: usize = 100;
pub const MAX_WINDOWS: usize = 8;
/// The most plays one heartbeat may carry (a player that was offline for long sends in turns).
pub const MAX_PLAYS_PER_REPORT: usize = 500;
/// Plays older than this are refused (a player's queue that old is a broken clock).
pub const MAX_PLAY_AGE_DAYS: i64 = 30;

/// A screen as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EstationInput {
    pub name: String,
    pub place: String,
    pub region: String,
    /// The operating organization (a verified 科普e站 operator); none for the association's own.
    pub operator: Option<i64>,
}

/// A validated screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstationDraft {
    pub name: String,
    /// Where it stands (村委会广场, 镇文化站一楼大厅).
    pub place: String,
    pub region: RegionCode,
    pub operator: Option<OrgId>,
}

impl EstationDraft {
    pub fn parse(input: &EstationInput) -> Result<Self, DomainError> {
        Ok(Self {
            name: bounded("name", "屏幕名称", &input.name, 2, 60, false)?,
            place: bounded("place", "安装地点", &input.place, 2, 120, false)?,
            region: RegionCode::parse(&input.region)
                .map_err(|_| DomainError::invalid("region", "地区代码应为六位数字"))?,
            operator: input.operator.map(OrgId),
        })
    }
}

/// A registered screen, with what its last heartbeat said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estation {
    pub id: EstationId,
    pub name: String,
    pub place: String,
    pub region: RegionCode,
    pub operator: Option<OrgId>,
    pub operator_name: Option<String>,
    /// False once the token is revoked (until a new one is issued).
    pub has_token: bool,
    pub registered_by: UserId,
    pub registered_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
    pub now_playing: Option<ResourceId>,
    pub now_playing_title: Option<String>,
}

impl Estation {
    pub fn is_online(&self, now: Timestamp) -> bool {
        self.last_seen_at
            .is_some_and(|t| now.micros() - t.micros() <= ONLINE_WITHIN_SECONDS * 1_000_000)
    }
}

/// Who manages a screen: the admins of its region, and the admins of its operator.
pub fn manages(actor: &Actor, region: RegionCode, operator: Option<OrgId>) -> bool {
    actor.administers(region) || operator.is_some_and(|o| actor.manages_org(o))
}

/// A time of day, in minutes after Beijing midnight.
pub fn minute_of_day(t: Timestamp) -> u16 {
    let local = t.to_utc() + chrono::Duration::hours(8);
    (local.hour() * 60 + local.minute()) as u16
}

/// A daily window in Beijing time, `start` inclusive, `end` exclusive; a window whose end is
/// before its start runs over midnight (22:00-06:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DailyWindow {
    pub start: u16,
    pub end: u16,
}

fn bad_windows() -> DomainError {
    DomainError::invalid(
        "windows",
        "播放时段格式应为 08:00-12:00，多个时段用逗号分开；留空表示全天",
    )
}

fn parse_minute(raw: &str) -> Option<u16> {
    let (h, m) = raw.trim().split_once([':', '：'])?;
    let (h, m): (u16, u16) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    // 24:00 is the end of the day.
    ((h < 24 && m < 60) || (h == 24 && m == 0)).then_some(h * 60 + m)
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl DailyWindow {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let (a, b) = raw
            .split_once(['-', '–', '~', '～', '至'])
            .ok_or_else(bad_windows)?;
        let start = parse_minute(a).ok_or_else(bad_windows)?;
        let end = parse_minute(b).ok_or_else(bad_windows)?;
        if start == end || start == 24 * 60 {
            return Err(bad_windows());
        }
        Ok(Self { start, end })
    }

    /// A list as a form holds it: `08:00-12:00, 14:00-18:00` (empty: all day).
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, DomainError> {
        let windows = raw
            .split([',', '，', ';', '；', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Self::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if windows.len() > MAX_WINDOWS {
            return Err(DomainError::invalid(
                "windows",
                format!("播放时段最多 {MAX_WINDOWS} 个"),
            ));
        }
        Ok(windows)
    }

    pub fn contains(self, minute: u16) -> bool {
        if self.start < self.end {
            self.start <= minute && minute < self.end
        } else {
            minute >= self.start || minute < self.end
        }
    }

    pub fn start_text(self) -> String {
        hhmm(self.start)
    }

    pub fn end_text(self) -> String {
        hhmm(self.end)
    }

    /// `08:00-12:00`
    pub fn text(self) -> String {
        format!("{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

/// The windows of a list as a form shows them again.
pub fn windows_text(windows: &[DailyWindow]) -> String {
    windows
        .iter()
        .map(|w| w.text())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whom a playlist reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaylistTarget {
    /// One screen (its own playlist).
    Estation(EstationId),
    /// Every screen in the region's subtree that has no playlist of its own for the time.
    Region(RegionCode),
}

/// One item as entered: a resource, and how long it stays on (video and audio: to the end
/// unless a duration is given).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlaylistItemInput {
    pub resource: i64,
    pub seconds: Option<u32>,
}

/// A playlist as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaylistInput {
    pub name: String,
    /// `08:00-12:00, 14:00-18:00`; empty for all day.
    pub windows: String,
    pub items: Vec<PlaylistItemInput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaylistItem {
    pub resource: ResourceId,
    pub seconds: Option<u32>,
}

/// A validated playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistDraft {
    pub name: String,
    pub windows: Vec<DailyWindow>,
    pub items: Vec<PlaylistItem>,
}

impl PlaylistDraft {
    pub fn parse(input: &PlaylistInput) -> Result<Self, DomainError> {
        let name = bounded("name", "播放列表名称", &input.name, 1, 60, false)?;
        let windows = DailyWindow::parse_list(&input.windows)?;
        if input.items.is_empty() {
            return Err(DomainError::invalid("items", "请至少添加一项科普资源"));
        }
        if input.items.len() > MAX_ITEMS {
            return Err(DomainError::invalid(
                "items",
                format!("一个播放列表最多 {MAX_ITEMS} 项"),
            ));
        }
        let items = input
            .items
            .iter()
            .map(|i| {
                if i.resource <= 0 {
                    return Err(DomainError::invalid("items", "资源编号应为正整数"));
                }
                if let Some(s) = i.seconds
                    && !(MIN_SECONDS..=MAX_SECONDS).contains(&s)
                {
                    return Err(DomainError::invalid(
                        "items",
                        format!("播放时长应在 {MIN_SECONDS} 到 {MAX_SECONDS} 秒之间"),
                    ));
                }
                Ok(PlaylistItem {
                    resource: ResourceId::new(i.resource),
                    seconds: i.seconds,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            name,
            windows,
            items,
        })
    }

    pub fn plays_at(&self, minute: u16) -> bool {
        self.windows.is_empty() || self.windows.iter().any(|w| w.contains(minute))
    }
}

/// A stored playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playlist {
    pub id: PlaylistId,
    pub target: PlaylistTarget,
    pub draft: PlaylistDraft,
    pub updated_at: Timestamp,
}

/// How far a playlist's target is from a screen: its own first, then the nearest region.
fn distance(target: PlaylistTarget) -> u8 {
    match target {
        PlaylistTarget::Estation(_) => 0,
        PlaylistTarget::Region(r) => match r.level() {
            RegionLevel::County => 1,
            RegionLevel::City => 2,
            RegionLevel::Province => 3,
        },
    }
}

/// The playlists that reach a screen, in the order the player tries them: its own, then its
/// county's, city's, province's; at one level, those with time windows before the all-day
/// one, so a 08:00-12:00 list wins in the morning and the all-day list fills the rest.
/// Lists of other screens and regions are dropped.
pub fn program_order(
    estation: EstationId,
    region: RegionCode,
    mut playlists: Vec<Playlist>,
) -> Vec<Playlist> {
    playlists.retain(|p| match p.target {
        PlaylistTarget::Estation(e) => e == estation,
        PlaylistTarget::Region(r) => r.contains(region),
    });
    playlists.sort_by_key(|p| (distance(p.target), p.draft.windows.is_empty(), p.id));
    playlists
}

/// The playlist a screen plays at `minute` (Beijing time): the first in program order whose
/// windows contain it. The player computes the same from the program it keeps.
pub fn playing_at(ordered: &[Playlist], minute: u16) -> Option<&Playlist> {
    ordered.iter().find(|p| p.draft.plays_at(minute))
}

/// An emergency override as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmergencyInput {
    pub region: String,
    pub resource: i64,
    /// Beijing time (or RFC 3339); empty: until cancelled.
    pub until: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmergencyDraft {
    pub region: RegionCode,
    pub resource: ResourceId,
    pub until: Option<Timestamp>,
}

impl EmergencyDraft {
    pub fn parse(input: &EmergencyInput, now: Timestamp) -> Result<Self, DomainError> {
        let region = RegionCode::parse(&input.region)
            .map_err(|_| DomainError::invalid("region", "地区代码应为六位数字"))?;
        if input.resource <= 0 {
            return Err(DomainError::invalid("resource", "请选择要插播的科普资源"));
        }
        let until = match input.until.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let t = parse_time("until", raw)?;
                if t <= now {
                    return Err(DomainError::invalid("until", "结束时间应在现在之后"));
                }
                Some(t)
            }
        };
        Ok(Self {
            region,
            resource: ResourceId::new(input.resource),
            until,
        })
    }
}

/// A stored emergency override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emergency {
    pub id: EmergencyId,
    pub region: RegionCode,
    pub resource: ResourceId,
    pub resource_title: String,
    pub starts_at: Timestamp,
    pub until: Option<Timestamp>,
    pub created_by: UserId,
    pub cancelled_at: Option<Timestamp>,
}

impl Emergency {
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.cancelled_at.is_none() && self.starts_at <= now && self.until.is_none_or(|u| now < u)
    }
}

/// The override a screen in `region` shows now: the newest active one whose region contains
/// it (a province's notice and a county's at once: the later one, which is the news).
pub fn emergency_for(
    region: RegionCode,
    emergencies: &[Emergency],
    now: Timestamp,
) -> Option<&Emergency> {
    emergencies
        .iter()
        .filter(|e| e.region.contains(region) && e.is_active(now))
        .max_by_key(|e| (e.starts_at, e.id))
}

/// The regions whose playlists and overrides can reach a screen in `region`: itself and its
/// ancestors.
pub fn region_chain(region: RegionCode) -> Vec<RegionCode> {
    let mut chain = vec![region];
    let mut at = region;
    while let Some(p) = at.parent() {
        chain.push(p);
        at = p;
    }
    chain
}

/// One play as the player reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlayInput {
    /// The player's own id of the play (so a report sent twice counts once).
    pub id: String,
    pub resource: i64,
    /// RFC 3339.
    pub started_at: String,
    pub seconds: f64,
}

/// A validated play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    pub key: String,
    pub resource: ResourceId,
    pub started_at: Timestamp,
    pub millis: i64,
    /// The Beijing day it started on (the day proof of play counts it on).
    pub day: NaiveDate,
}

impl Play {
    pub fn parse(input: &PlayInput, now: Timestamp) -> Result<Self, DomainError> {
        let key = input.id.trim();
        let key_ok = (8..=64).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !key_ok {
            return Err(DomainError::invalid(
                "plays",
                "播放记录编号应为 8 到 64 位字母、数字或连字符",
            ));
        }
        if input.resource <= 0 {
            return Err(DomainError::invalid(
                "plays",
                "播放记录的资源编号应为正整数",
            ));
        }
        let started_at = chrono::DateTime::parse_from_rfc3339(input.started_at.trim())
            .map(|t| Timestamp::from(t.with_timezone(&chrono::Utc)))
            .map_err(|_| DomainError::invalid("plays", "播放开始时间应为 RFC 3339 格式"))?;
        if started_at > now.plus_seconds(300) {
            return Err(DomainError::invalid(
                "plays",
                "播放开始时间晚于现在，请校准屏幕时钟",
            ));
        }
        if started_at < now.plus_seconds(-MAX_PLAY_AGE_DAYS * 86_400) {
            return Err(DomainError::invalid(
                "plays",
                format!("播放记录超过 {MAX_PLAY_AGE_DAYS} 天，不再接收"),
            ));
        }
        if !input.seconds.is_finite() || !(0.0..=86_400.0).contains(&input.seconds) {
            return Err(DomainError::invalid(
                "plays",
                "播放时长应在 0 到 86400 秒之间",
            ));
        }
        Ok(Self {
            key: key.to_owned(),
            resource: ResourceId::new(input.resource),
            started_at,
            millis: (input.seconds * 1000.0).round() as i64,
            day: started_at.shanghai_date(),
        })
    }
}

/// Proof of play: one screen's plays of one item on one Beijing day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayDay {
    pub day: NaiveDate,
    pub resource: ResourceId,
    pub title: String,
    pub plays: i64,
    /// Watch time in whole seconds (the sum of the plays' milliseconds, rounded down).
    pub seconds: i64,
}
