//! Volunteers (科技志愿服务): a user registers a real-name volunteer profile (name, ID-card
//! number, phone, region, skills from a closed list, availability); teams (志愿队伍) belong to a
//! region and nest 支队 → 大队 → 小队; a volunteer asks to join a team and its leader approves or
//! declines; the region's admins create teams and change their leaders.
//!
//! The ID-card number is kept only sealed ([`crate::personal_data`]) with a blind index, so a
//! second registration of the same number is refused without decrypting anything; lists show
//! its masked form, and reading it in full is for the person and their region's admins, and
//! audited.
//!
//! This file holds the rules; the use cases are in `app/volunteers.rs`, the storage port in
//! `volunteers/ports.rs`, the import of volunteers and teams in `volunteers/import.rs`.

pub mod activities;
pub mod activity_ports;
pub mod import;
pub mod ports;

use serde::Serialize;

use crate::DomainError;
use crate::accounts::{IdCardNumber, Phone};
use crate::ids::{TeamId, UserId, VolunteerId};
use crate::permissions::Actor;
use crate::regions::RegionCode;
use crate::text::bounded;
use crate::time::Timestamp;

/// The field name the ID-card number is sealed and indexed under.
pub const ID_CARD_FIELD: &str = crate::personal_data::fields::VOLUNTEER_ID_CARD;

/// What volunteers offer: a closed list, so teams and activities can ask for a skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skill {
    /// 种养植
    Farming,
    /// 畜牧兽医
    Veterinary,
    /// 营养健康
    Nutrition,
    /// 心理健康
    MentalHealth,
    /// 法律
    Law,
    /// 科普讲解
    ScienceGuide,
    /// 应急救护
    FirstAid,
    /// 信息技术
    It,
    /// 电商营销
    Ecommerce,
    /// 教育辅导
    Tutoring,
}

impl Skill {
    pub const ALL: [Self; 10] = [
        Self::Farming,
        Self::Veterinary,
        Self::Nutrition,
        Self::MentalHealth,
        Self::Law,
        Self::ScienceGuide,
        Self::FirstAid,
        Self::It,
        Self::Ecommerce,
        Self::Tutoring,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Farming => "farming",
            Self::Veterinary => "veterinary",
            Self::Nutrition => "nutrition",
            Self::MentalHealth => "mental_health",
            Self::Law => "law",
            Self::ScienceGuide => "science_guide",
            Self::FirstAid => "first_aid",
            Self::It => "it",
            Self::Ecommerce => "ecommerce",
            Self::Tutoring => "tutoring",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Farming => "种养植",
            Self::Veterinary => "畜牧兽医",
            Self::Nutrition => "营养健康",
            Self::MentalHealth => "心理健康",
            Self::Law => "法律",
            Self::ScienceGuide => "科普讲解",
            Self::FirstAid => "应急救护",
            Self::It => "信息技术",
            Self::Ecommerce => "电商营销",
            Self::Tutoring => "教育辅导",
        }
    }

    /// By code or by its Chinese name (what an import sheet has).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label_zh() == s)
            .ok_or_else(|| DomainError::invalid("skills", format!("未知的技能：{s}")))
    }

    /// A list written with commas, 、 or spaces; at least one, no repeats kept.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, DomainError> {
        let mut out: Vec<Self> = Vec::new();
        for part in raw
            .split([',', '，', '、', ' ', ';', '；'])
            .filter(|p| !p.trim().is_empty())
        {
            let skill = Self::parse(part)?;
            if !out.contains(&skill) {
                out.push(skill);
            }
        }
        out.sort();
        Ok(out)
    }

    /// How skills are stored: their codes joined by commas.
    pub fn join_codes(skills: &[Self]) -> String {
        skills
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn join_labels(skills: &[Self]) -> String {
        skills
            .iter()
            .map(|s| s.label_zh())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// A volunteer profile as entered (by the person, or by an admin's import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerDraft {
    pub name: String,
    pub id_card: IdCardNumber,
    pub phone: Phone,
    pub region: RegionCode,
    pub skills: Vec<Skill>,
    pub availability: String,
}

/// A volunteer profile's raw fields.
#[derive(Debug, Clone, Default)]
pub struct VolunteerInput<'a> {
    pub name: &'a str,
    pub id_card: &'a str,
    pub phone: &'a str,
    pub region: &'a str,
    pub skills: &'a str,
    pub availability: &'a str,
}

impl VolunteerDraft {
    /// Checks every field; the region must be a county-level code or below a province (a
    /// volunteer serves somewhere real).
    pub fn parse(input: &VolunteerInput<'_>) -> Result<Self, DomainError> {
        let name = bounded("name", "姓名", input.name, 2, 20, false)?;
        let id_card = IdCardNumber::parse(input.id_card).map_err(|_| {
            DomainError::invalid("id_card", "身份证号码无效（请检查最后一位校验码）")
        })?;
        let phone = Phone::parse(input.phone)?;
        let region = RegionCode::parse(input.region.trim())
            .map_err(|_| DomainError::invalid("region", "地区代码无效"))?;
        let skills = Skill::parse_list(input.skills)?;
        if skills.is_empty() {
            return Err(DomainError::invalid("skills", "请至少选择一项技能"));
        }
        let availability = bounded(
            "availability",
            "可服务时间",
            input.availability,
            0,
            100,
            false,
        )?;
        Ok(Self {
            name,
            id_card,
            phone,
            region,
            skills,
            availability,
        })
    }
}

/// A registered volunteer as the store returns it: the ID-card number only masked (the full
/// number is read on purpose, through `Volunteers::id_card`, and audited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volunteer {
    pub id: VolunteerId,
    pub user: UserId,
    pub name: String,
    pub id_card_masked: String,
    pub phone: String,
    pub region: RegionCode,
    pub skills: Vec<Skill>,
    pub availability: String,
    pub registered_at: Timestamp,
}

/// The three levels of a volunteer team, largest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamLevel {
    /// 支队
    Detachment,
    /// 大队
    Brigade,
    /// 小队
    Squad,
}

impl TeamLevel {
    pub const ALL: [Self; 3] = [Self::Detachment, Self::Brigade, Self::Squad];

    pub fn code(self) -> &'static str {
        match self {
            Self::Detachment => "detachment",
            Self::Brigade => "brigade",
            Self::Squad => "squad",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Detachment => "支队",
            Self::Brigade => "大队",
            Self::Squad => "小队",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label_zh() == s)
            .ok_or_else(|| DomainError::invalid("level", "队伍层级应为 支队、大队 或 小队"))
    }

    /// The level a sub-team of this one has (a 小队 has none).
    pub fn child(self) -> Option<Self> {
        match self {
            Self::Detachment => Some(Self::Brigade),
            Self::Brigade => Some(Self::Squad),
            Self::Squad => None,
        }
    }
}

/// A team as entered by a region admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDraft {
    pub name: String,
    pub level: TeamLevel,
    pub parent: Option<TeamId>,
    pub region: RegionCode,
    pub leader: UserId,
    pub description: String,
}

impl TeamDraft {
    pub fn parse(
        name: &str,
        level: &str,
        parent: Option<TeamId>,
        region: &str,
        leader: UserId,
        description: &str,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            name: bounded("name", "队伍名称", name, 2, 60, false)?,
            level: TeamLevel::parse(level)?,
            parent,
            region: RegionCode::parse(region.trim())
                .map_err(|_| DomainError::invalid("region", "地区代码无效"))?,
            leader,
            description: bounded("description", "队伍简介", description, 0, 500, true)?,
        })
    }
}

/// Whether a team of `level` in `region` may sit under `parent` (its level and region):
/// one level down (支队 → 大队 → 小队), in the parent's region or below it.
pub fn fits_under(
    level: TeamLevel,
    region: RegionCode,
    parent_level: TeamLevel,
    parent_region: RegionCode,
) -> Result<(), DomainError> {
    if parent_level.child() != Some(level) {
        return Err(DomainError::invalid(
            "parent",
            format!(
                "{}下只能设{}",
                parent_level.label_zh(),
                parent_level
                    .child()
                    .map_or("（不能再设下级队伍）", TeamLevel::label_zh)
            ),
        ));
    }
    if !parent_region.contains(region) {
        return Err(DomainError::invalid(
            "region",
            "下级队伍须在上级队伍所在地区之内",
        ));
    }
    Ok(())
}

/// A team as stored, with its leader's name and its approved members' count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub level: TeamLevel,
    pub parent: Option<TeamId>,
    pub region: RegionCode,
    pub leader: UserId,
    pub leader_name: String,
    pub description: String,
    pub members: u32,
    pub created_at: Timestamp,
}

impl Team {
    /// Whether `actor` manages this team (decides on requests, organizes its activities): its
    /// leader or an admin of its region.
    pub fn managed_by(&self, actor: &Actor) -> bool {
        actor.user_id == self.leader || actor.administers(self.region)
    }
}

/// Where a request to join a team stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    Pending,
    Approved,
    Declined,
}

impl MembershipStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pending => "待审核",
            Self::Approved => "已加入",
            Self::Declined => "未通过",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        [Self::Pending, Self::Approved, Self::Declined]
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("status", "未知的入队状态"))
    }
}

/// A volunteer's request to join a team, and the decision on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub team: TeamId,
    pub team_name: String,
    pub user: UserId,
    pub name: String,
    pub status: MembershipStatus,
    pub reason: Option<String>,
    pub requested_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

/// A leader's decision on a request: approve, or decline with a reason the volunteer reads.
pub fn decision(
    approve: bool,
    reason: &str,
) -> Result<(MembershipStatus, Option<String>), DomainError> {
    if approve {
        return Ok((MembershipStatus::Approved, None));
    }
    let reason = bounded("reason", "未通过原因", reason, 2, 200, false)?;
    Ok((MembershipStatus::Declined, Some(reason)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(id_card: &'a str, skills: &'a str) -> VolunteerInput<'a> {
        VolunteerInput {
            name: "王小明",
            id_card,
            phone: "13900000011",
            region: "511623",
            skills,
            availability: "周末",
        }
    }

    #[test]
    fn a_profile_needs_a_valid_id_number_and_a_known_skill() {
        let ok = VolunteerDraft::parse(&input("11010519491231002X", "种养植、法律")).expect("ok");
        assert_eq!(ok.skills, vec![Skill::Farming, Skill::Law]);
        let bad = VolunteerDraft::parse(&input("110105194912310021", "法律")).expect_err("check");
        assert!(bad.to_string().contains("身份证"));
        let bad = VolunteerDraft::parse(&input("11010519491231002X", "算命")).expect_err("skill");
        assert!(bad.to_string().contains("算命"));
        assert!(VolunteerDraft::parse(&input("11010519491231002X", " ")).is_err());
    }

    #[test]
    fn skills_read_codes_and_names_in_any_separator_without_repeats() {
        let s = Skill::parse_list("law，种养植 law、it").expect("ok");
        assert_eq!(s, vec![Skill::Farming, Skill::Law, Skill::It]);
        assert_eq!(Skill::join_codes(&s), "farming,law,it");
        assert_eq!(Skill::parse_list(&Skill::join_codes(&s)).expect("ok"), s);
    }

    #[test]
    fn teams_nest_one_level_down_within_the_parent_region() {
        let county = RegionCode::parse("511623").expect("valid");
        let city = RegionCode::parse("511600").expect("valid");
        let other = RegionCode::parse("510100").expect("valid");
        assert!(fits_under(TeamLevel::Brigade, county, TeamLevel::Detachment, city).is_ok());
        assert!(fits_under(TeamLevel::Squad, county, TeamLevel::Detachment, city).is_err());
        assert!(fits_under(TeamLevel::Squad, county, TeamLevel::Squad, county).is_err());
        assert!(fits_under(TeamLevel::Brigade, other, TeamLevel::Detachment, city).is_err());
    }

    #[test]
    fn declining_needs_a_reason() {
        assert_eq!(
            decision(true, "").expect("ok"),
            (MembershipStatus::Approved, None)
        );
        assert!(decision(false, "").is_err());
        assert_eq!(
            decision(false, "不在本地").expect("ok").0,
            MembershipStatus::Declined
        );
    }
}
