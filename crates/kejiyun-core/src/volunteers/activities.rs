//! Volunteer service activities (志愿服务活动): a team's leader or a region admin holds one;
//! volunteers sign up within its capacity (or the organizer assigns them); they check in and
//! out with the rotating code ([`crate::rotating_code`]) shown on the organizer's screen; the
//! minutes between the two, within the activity's time, are their service hours, which the
//! organizer may adjust (with a reason) and the team's leader approves or declines (with a
//! reason; a decision is final and nothing is deleted). After the activity the organizer files
//! a report (people served, materials handed out, gifts, questions answered, photos), which
//! feeds the statistics on the activity's date and region.
//!
//! The rules are here; the use cases are in `app/volunteer_activities.rs`, the storage port in
//! `volunteers/activity_ports.rs`.

use serde::Serialize;

use super::{Skill, Team};
use crate::DomainError;
use crate::ids::{ActivityId, TeamId, UserId};
use crate::permissions::Actor;
use crate::regions::RegionCode;
use crate::text::{bounded, optional};
use crate::time::Timestamp;
use crate::trainings::parse_time;
use crate::uploads::UploadId;

/// How early before the start a volunteer may check in, in minutes.
pub const EARLY_CHECK_IN_MINUTES: i64 = 60;
/// How long after the end a volunteer may still check out, in minutes.
pub const LATE_CHECK_OUT_MINUTES: i64 = 120;
/// Photos one report may carry: as many as a question's (the upload engine's limit).
pub const MAX_PHOTOS: usize = crate::uploads::MAX_PHOTOS;
/// The longest activity, in days (a longer one is a typing mistake).
const MAX_DAYS: i64 = 7;

/// What kind of service an activity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 科普宣传
    Outreach,
    /// 技术指导（田间地头）
    FieldGuidance,
    /// 义诊咨询
    Consultation,
    /// 培训讲座
    Lecture,
    /// 应急救护
    Emergency,
    /// 其他
    Other,
}

impl ActivityKind {
    pub const ALL: [Self; 6] = [
        Self::Outreach,
        Self::FieldGuidance,
        Self::Consultation,
        Self::Lecture,
        Self::Emergency,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Outreach => "outreach",
            Self::FieldGuidance => "field_guidance",
            Self::Consultation => "consultation",
            Self::Lecture => "lecture",
            Self::Emergency => "emergency",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Outreach => "科普宣传",
            Self::FieldGuidance => "技术指导",
            Self::Consultation => "义诊咨询",
            Self::Lecture => "培训讲座",
            Self::Emergency => "应急救护",
            Self::Other => "其他",
        }
    }

    /// By code or by its Chinese name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label_zh() == s)
            .ok_or_else(|| DomainError::invalid("kind", format!("未知的活动类型：{s}")))
    }
}

/// An activity's fields as entered.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub team: Option<i64>,
    pub kind: String,
    pub title: String,
    pub place: String,
    pub region: String,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    pub skills: String,
    pub description: String,
}

/// An activity, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDraft {
    pub team: Option<TeamId>,
    pub kind: ActivityKind,
    pub title: String,
    pub place: String,
    pub region: RegionCode,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: u32,
    pub skills: Vec<Skill>,
    pub description: String,
}

impl ActivityDraft {
    pub fn parse(input: &ActivityInput) -> Result<Self, DomainError> {
        let kind = ActivityKind::parse(&input.kind)?;
        let title = bounded("title", "活动名称", &input.title, 2, 60, false)?;
        let place = bounded("place", "活动地点", &input.place, 1, 100, false)?;
        let region = RegionCode::parse(input.region.trim())
            .map_err(|_| DomainError::invalid("region", "请选择活动所在的县（区）"))?;
        let starts_at = parse_time("starts_at", &input.starts_at)?;
        let ends_at = parse_time("ends_at", &input.ends_at)?;
        if ends_at <= starts_at {
            return Err(DomainError::invalid("ends_at", "结束时间应晚于开始时间"));
        }
        if ends_at.micros() - starts_at.micros() > MAX_DAYS * 86_400_000_000 {
            return Err(DomainError::invalid(
                "ends_at",
                format!("一次活动最长 {MAX_DAYS} 天，请检查结束时间"),
            ));
        }
        if !(1..=10_000).contains(&input.capacity) {
            return Err(DomainError::invalid(
                "capacity",
                "招募人数应在 1 到 10000 之间",
            ));
        }
        let skills = Skill::parse_list(&input.skills)?;
        let description = bounded("description", "活动内容", &input.description, 0, 1000, true)?;
        Ok(Self {
            team: input.team.map(TeamId),
            kind,
            title,
            place,
            region,
            starts_at,
            ends_at,
            capacity: input.capacity as u32,
            skills,
            description,
        })
    }
}

/// Whether an activity of `draft` may be held by `actor` for `team` (the team as stored):
/// the team's leader or an admin of its region, in the team's region or below it; without a
/// team, an admin of the activity's region.
pub fn may_hold(actor: &Actor, draft: &ActivityDraft, team: Option<&Team>) -> bool {
    match team {
        Some(t) => t.managed_by(actor) && t.region.contains(draft.region),
        None => actor.administers(draft.region),
    }
}

/// The volunteer's check-in page with the code filled in: what the organizer's QR code holds.
pub fn check_in_path(id: ActivityId, code: &str) -> String {
    format!("/volunteers/activities/{id}/check-in?code={code}")
}

/// What the organizer filed after the activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityReport {
    pub people_served: u32,
    pub materials_distributed: u32,
    pub gifts: u32,
    pub questions_answered: u32,
    pub note: Option<String>,
    pub reported_at: Timestamp,
    pub photos: Vec<UploadId>,
}

/// A report's fields as entered.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub people_served: i64,
    pub materials_distributed: i64,
    pub gifts: i64,
    pub questions_answered: i64,
    pub note: Option<String>,
    pub photos: Vec<String>,
}

/// A report, checked (its photos still to be checked as uploads by the use case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDraft {
    pub people_served: u32,
    pub materials_distributed: u32,
    pub gifts: u32,
    pub questions_answered: u32,
    pub note: Option<String>,
    pub photos: Vec<UploadId>,
}

impl ReportDraft {
    pub fn parse(input: &ReportInput) -> Result<Self, DomainError> {
        let count = |field: &'static str, label: &str, v: i64| {
            u32::try_from(v)
                .ok()
                .filter(|v| *v <= 1_000_000)
                .ok_or_else(|| DomainError::invalid(field, format!("{label}应为 0 到 1000000")))
        };
        if input.photos.len() > MAX_PHOTOS {
            return Err(DomainError::invalid(
                "photos",
                format!("照片最多 {MAX_PHOTOS} 张"),
            ));
        }
        let mut photos: Vec<UploadId> = Vec::new();
        for raw in &input.photos {
            let id = UploadId::parse(raw.trim())
                .ok_or_else(|| DomainError::invalid("photos", "照片编号不正确，请重新上传"))?;
            if !photos.contains(&id) {
                photos.push(id);
            }
        }
        Ok(Self {
            people_served: count("people_served", "服务群众人次", input.people_served)?,
            materials_distributed: count(
                "materials_distributed",
                "发放资料份数",
                input.materials_distributed,
            )?,
            gifts: count("gifts", "发放物品件数", input.gifts)?,
            questions_answered: count(
                "questions_answered",
                "解答问题个数",
                input.questions_answered,
            )?,
            note: optional("note", "活动总结", input.note.as_deref(), 1000, true)?,
            photos,
        })
    }
}

/// An activity as stored, with its team's name and leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub id: ActivityId,
    pub team: Option<TeamId>,
    pub team_name: Option<String>,
    /// Who approves hours: the team's leader (or, without a team, the organizer).
    #[serde(skip)]
    pub team_leader: Option<UserId>,
    pub kind: ActivityKind,
    pub title: String,
    pub place: String,
    pub region: RegionCode,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: u32,
    pub signed_up: u32,
    pub skills: Vec<Skill>,
    pub description: String,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub report: Option<ActivityReport>,
    /// Approved service minutes of all its volunteers.
    pub approved_minutes: u64,
}

impl Activity {
    pub fn places_left(&self) -> u32 {
        self.capacity.saturating_sub(self.signed_up)
    }

    /// The organizer: who created it, its team's leader, or an admin of its region. They
    /// assign volunteers, show the check-in code, adjust hours and file the report.
    pub fn organized_by(&self, actor: &Actor) -> bool {
        actor.user_id == self.created_by
            || self.team_leader == Some(actor.user_id)
            || actor.administers(self.region)
    }

    /// Who decides on hours: the team's leader, or an admin of the region (and, for an
    /// activity without a team, its organizer).
    pub fn approves_hours(&self, actor: &Actor) -> bool {
        match self.team_leader {
            Some(leader) => actor.user_id == leader || actor.administers(self.region),
            None => self.organized_by(actor),
        }
    }

    /// Whether sign-ups are open at `now`: until the activity ends.
    pub fn open_for_sign_up(&self, now: Timestamp) -> Result<(), DomainError> {
        if now >= self.ends_at {
            return Err(DomainError::Conflict("活动已结束，不能再报名".into()));
        }
        Ok(())
    }

    /// Whether a check-in at `now` falls in the activity's window (an hour early, until the end).
    pub fn check_in_window(&self, now: Timestamp) -> Result<(), DomainError> {
        if now.micros() < self.starts_at.micros() - EARLY_CHECK_IN_MINUTES * 60_000_000 {
            return Err(DomainError::Conflict(format!(
                "活动开始前 {EARLY_CHECK_IN_MINUTES} 分钟才能签到"
            )));
        }
        if now >= self.ends_at {
            return Err(DomainError::Conflict("活动已结束，不能再签到".into()));
        }
        Ok(())
    }

    /// Whether a check-out at `now` is still in time (two hours after the end).
    pub fn check_out_window(&self, now: Timestamp) -> Result<(), DomainError> {
        if now.micros() > self.ends_at.micros() + LATE_CHECK_OUT_MINUTES * 60_000_000 {
            return Err(DomainError::Conflict(
                "签退时间已过，请联系组织者补录服务时长".into(),
            ));
        }
        Ok(())
    }

    /// Service minutes between a check-in and a check-out, counted within the activity's
    /// time only (arriving early or leaving late adds nothing), whole minutes rounded down.
    pub fn service_minutes(&self, checked_in: Timestamp, checked_out: Timestamp) -> u32 {
        let from = checked_in.micros().max(self.starts_at.micros());
        let to = checked_out.micros().min(self.ends_at.micros());
        u32::try_from(((to - from) / 60_000_000).max(0)).unwrap_or(u32::MAX)
    }

    /// The longest service an adjustment may record: the activity's length.
    pub fn max_minutes(&self) -> u32 {
        self.service_minutes(self.starts_at, self.ends_at)
    }
}

/// How a volunteer came on an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupHow {
    /// Signed up themselves.
    SelfSignup,
    /// Assigned by the organizer.
    Assigned,
}

impl SignupHow {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfSignup => "self",
            Self::Assigned => "assigned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "self" => Some(Self::SelfSignup),
            "assigned" => Some(Self::Assigned),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SelfSignup => "自主报名",
            Self::Assigned => "组织者指派",
        }
    }
}

/// Where a sign-up's hours stand. No status until the volunteer checks out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursStatus {
    Pending,
    Approved,
    Declined,
}

impl HoursStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pending => "待审核",
            Self::Approved => "已认定",
            Self::Declined => "未认定",
        }
    }
}

/// One volunteer on one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signup {
    pub activity: ActivityId,
    pub user: UserId,
    pub name: String,
    pub how: SignupHow,
    pub signed_up_at: Timestamp,
    pub checked_in_at: Option<Timestamp>,
    pub checked_out_at: Option<Timestamp>,
    /// Computed from check-in and check-out.
    pub minutes: Option<u32>,
    /// The organizer's correction, if any (it wins over `minutes`).
    pub adjusted_minutes: Option<u32>,
    pub adjust_reason: Option<String>,
    pub hours_status: Option<HoursStatus>,
    pub hours_reason: Option<String>,
    pub decided_at: Option<Timestamp>,
}

impl Signup {
    /// The minutes that count: the adjustment, else the computed figure.
    pub fn service_minutes(&self) -> Option<u32> {
        self.adjusted_minutes.or(self.minutes)
    }

    pub fn approved_minutes(&self) -> u32 {
        match self.hours_status {
            Some(HoursStatus::Approved) => self.service_minutes().unwrap_or(0),
            _ => 0,
        }
    }
}

/// An organizer's correction of someone's minutes: within the activity's length, with a
/// reason, and only while the hours are not decided.
pub fn adjustment(
    activity: &Activity,
    signup: &Signup,
    minutes: i64,
    reason: &str,
) -> Result<(u32, String), DomainError> {
    if matches!(
        signup.hours_status,
        Some(HoursStatus::Approved | HoursStatus::Declined)
    ) {
        return Err(DomainError::Conflict("服务时长已审核，不能再调整".into()));
    }
    let max = activity.max_minutes();
    let minutes = u32::try_from(minutes)
        .ok()
        .filter(|m| *m <= max)
        .ok_or_else(|| {
            DomainError::invalid("minutes", format!("服务时长应在 0 到 {max} 分钟之间"))
        })?;
    let reason = bounded("reason", "调整原因", reason, 2, 200, false)?;
    Ok((minutes, reason))
}

/// A decision on someone's hours: approve, or decline with a reason the volunteer reads.
pub fn hours_decision(
    signup: &Signup,
    approve: bool,
    reason: Option<&str>,
) -> Result<(HoursStatus, Option<String>), DomainError> {
    match signup.hours_status {
        None => {
            return Err(DomainError::Conflict(
                "该志愿者尚未签退，没有可审核的服务时长".into(),
            ));
        }
        Some(HoursStatus::Approved | HoursStatus::Declined) => {
            return Err(DomainError::Conflict("服务时长已审核过".into()));
        }
        Some(HoursStatus::Pending) => {}
    }
    if approve {
        return Ok((HoursStatus::Approved, None));
    }
    let reason = bounded(
        "reason",
        "不予认定的原因",
        reason.unwrap_or(""),
        2,
        200,
        false,
    )?;
    Ok((HoursStatus::Declined, Some(reason)))
}

/// Minutes as the certificate and pages show them: "3 小时 20 分钟".
pub fn hours_text(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} 分钟"),
        (h, 0) => format!("{h} 小时"),
        (h, m) => format!("{h} 小时 {m} 分钟"),
    }
}

/// One approved stint of service, as a volunteer's record lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRecord {
    pub activity: ActivityId,
    pub title: String,
    pub region: RegionCode,
    pub starts_at: Timestamp,
    pub signup: Signup,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ActivityInput {
        ActivityInput {
            team: Some(3),
            kind: "科普宣传".into(),
            title: " 柑橘冬季清园科普下乡 ".into(),
            place: "邻水县柑子镇文化广场".into(),
            region: "511623".into(),
            starts_at: "2026-12-12 09:00".into(),
            ends_at: "2026-12-12 12:00".into(),
            capacity: 20,
            skills: "种养植、科普讲解".into(),
            description: "现场讲解清园技术".into(),
        }
    }

    fn activity() -> Activity {
        let d = ActivityDraft::parse(&input()).expect("valid");
        Activity {
            id: ActivityId(1),
            team: d.team,
            team_name: Some("邻水县科技志愿服务支队".into()),
            team_leader: Some(UserId(7)),
            kind: d.kind,
            title: d.title,
            place: d.place,
            region: d.region,
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            capacity: d.capacity,
            signed_up: 0,
            skills: d.skills,
            description: d.description,
            created_by: UserId(5),
            created_at: d.starts_at,
            report: None,
            approved_minutes: 0,
        }
    }

    fn signup(status: Option<HoursStatus>) -> Signup {
        Signup {
            activity: ActivityId(1),
            user: UserId(9),
            name: "王小明".into(),
            how: SignupHow::SelfSignup,
            signed_up_at: Timestamp(0),
            checked_in_at: None,
            checked_out_at: None,
            minutes: Some(100),
            adjusted_minutes: None,
            adjust_reason: None,
            hours_status: status,
            hours_reason: None,
            decided_at: None,
        }
    }

    #[test]
    fn a_draft_is_trimmed_and_checked() {
        let d = ActivityDraft::parse(&input()).expect("valid");
        assert_eq!(d.title, "柑橘冬季清园科普下乡");
        assert_eq!(d.kind, ActivityKind::Outreach);
        assert_eq!(d.skills, vec![Skill::Farming, Skill::ScienceGuide]);
        let mut bad = input();
        bad.ends_at = "2026-12-12 08:00".into();
        assert!(ActivityDraft::parse(&bad).is_err());
        let mut bad = input();
        bad.capacity = 0;
        assert!(ActivityDraft::parse(&bad).is_err());
        let mut bad = input();
        bad.ends_at = "2026-12-30 08:00".into();
        assert!(ActivityDraft::parse(&bad).is_err());
    }

    #[test]
    fn minutes_count_within_the_activity_only() {
        let a = activity();
        let at = |h: i64, m: i64| Timestamp(a.starts_at.micros() + (h * 60 + m) * 60_000_000);
        // Early arrival and late departure add nothing: three hours at most.
        assert_eq!(a.service_minutes(at(-1, 0), at(4, 0)), 180);
        assert_eq!(a.service_minutes(at(0, 30), at(2, 0)), 90);
        assert_eq!(a.service_minutes(at(0, 30), at(0, 30)), 0);
        assert_eq!(a.max_minutes(), 180);
        assert!(a.check_in_window(at(-2, 0)).is_err());
        assert!(a.check_in_window(at(-0, -59)).is_ok());
        assert!(a.check_in_window(at(3, 0)).is_err());
        assert!(a.check_out_window(at(5, 0)).is_ok());
        assert!(a.check_out_window(at(5, 1)).is_err());
    }

    #[test]
    fn hours_are_adjusted_then_decided_once() {
        let a = activity();
        assert_eq!(
            adjustment(
                &a,
                &signup(Some(HoursStatus::Pending)),
                120,
                "中途离开帮忙搬运物资"
            )
            .expect("ok")
            .0,
            120
        );
        assert!(adjustment(&a, &signup(Some(HoursStatus::Pending)), 181, "多记一些").is_err());
        assert!(adjustment(&a, &signup(Some(HoursStatus::Approved)), 60, "改少一些").is_err());
        assert!(hours_decision(&signup(None), true, None).is_err());
        assert_eq!(
            hours_decision(&signup(Some(HoursStatus::Pending)), true, None).expect("ok"),
            (HoursStatus::Approved, None)
        );
        // Declining needs a reason, and a decided one stays decided.
        assert!(hours_decision(&signup(Some(HoursStatus::Pending)), false, None).is_err());
        assert!(hours_decision(&signup(Some(HoursStatus::Declined)), true, None).is_err());
        let mut s = signup(Some(HoursStatus::Approved));
        s.adjusted_minutes = Some(45);
        assert_eq!(s.approved_minutes(), 45);
    }

    #[test]
    fn who_organizes_and_who_approves() {
        let a = activity();
        let plain = |id: i64| Actor {
            user_id: UserId(id),
            grants: vec![],
        };
        assert!(a.organized_by(&plain(5)));
        assert!(a.organized_by(&plain(7)));
        assert!(!a.organized_by(&plain(9)));
        assert!(a.approves_hours(&plain(7)));
        // The organizer who is not the team's leader does not approve their own activity's hours.
        assert!(!a.approves_hours(&plain(5)));
    }

    #[test]
    fn hours_read_as_people_say_them() {
        assert_eq!(hours_text(45), "45 分钟");
        assert_eq!(hours_text(180), "3 小时");
        assert_eq!(hours_text(200), "3 小时 20 分钟");
    }
}
