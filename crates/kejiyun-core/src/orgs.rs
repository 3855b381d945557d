//! Organizations: associations, enterprise associations, societies, expert stations, agencies,
//! bases, 科普e站 operators, schools, enterprises and cooperatives.

use serde::{Deserialize, Serialize};

use crate::accounts::Phone;
use crate::ids::{OrgId, UserId};
use crate::moderation::{ModerationKind, ModerationStatus};
use crate::notifications::ProfileRef;
use crate::permissions::Actor;
use crate::ports::Store;
use crate::profiles::ProfileKind;
use crate::profiles::ports::ProfileStore;
use crate::regions::RegionCode;
use crate::text;
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgType {
    Association,
    EnterpriseAssociation,
    Society,
    RuralAssociation,
    ExpertStation,
    Agency,
    Base,
    Estation,
    School,
    Enterprise,
    Cooperative,
}

impl OrgType {
    pub const ALL: [Self; 11] = [
        Self::Association,
        Self::EnterpriseAssociation,
        Self::Society,
        Self::RuralAssociation,
        Self::ExpertStation,
        Self::Agency,
        Self::Base,
        Self::Estation,
        Self::School,
        Self::Enterprise,
        Self::Cooperative,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Association => "association",
            Self::EnterpriseAssociation => "enterprise_association",
            Self::Society => "society",
            Self::RuralAssociation => "rural_association",
            Self::ExpertStation => "expert_station",
            Self::Agency => "agency",
            Self::Base => "base",
            Self::Estation => "estation",
            Self::School => "school",
            Self::Enterprise => "enterprise",
            Self::Cooperative => "cooperative",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Association => "科协",
            Self::EnterpriseAssociation => "企业科协",
            Self::Society => "学会",
            Self::RuralAssociation => "农技协",
            Self::ExpertStation => "院士专家工作站",
            Self::Agency => "第三方服务机构",
            Self::Base => "科普共享基地",
            Self::Estation => "科普e站",
            Self::School => "学校",
            Self::Enterprise => "企业",
            Self::Cooperative => "合作社",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Association => "Association",
            Self::EnterpriseAssociation => "Enterprise association",
            Self::Society => "Society",
            Self::RuralAssociation => "Rural association",
            Self::ExpertStation => "Expert station",
            Self::Agency => "Service agency",
            Self::Base => "Popular-science base",
            Self::Estation => "Popular-science e-station",
            Self::School => "School",
            Self::Enterprise => "Enterprise",
            Self::Cooperative => "Cooperative",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| DomainError::invalid("org_type", "未知的组织类型"))
    }
}

/// 统一社会信用代码 (GB 32100-2015): 18 characters with a MOD 31 check character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

impl CreditCode {
    const CHARSET: &'static [u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim().to_uppercase();
        let bad = || DomainError::invalid("credit_code", "统一社会信用代码无效");
        let b = s.as_bytes();
        if b.len() != 18 {
            return Err(bad());
        }
        let value = |c: u8| Self::CHARSET.iter().position(|x| *x == c);
        let mut sum = 0u32;
        for (c, w) in b[..17].iter().zip(Self::WEIGHTS) {
            let v = u32::try_from(value(*c).ok_or_else(bad)?).map_err(|_| bad())?;
            sum += v * w;
        }
        let check = (31 - sum % 31) % 31;
        if Self::CHARSET[check as usize] != b[17] {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    pub name: String,
    pub org_type: String,
    pub region: String,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrgProfile {
    pub name: String,
    pub org_type: OrgType,
    pub region: RegionCode,
    pub credit_code: Option<CreditCode>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub contact_phone: Option<Phone>,
}

impl OrgProfile {
    pub fn parse(input: &OrgInput) -> Result<Self, DomainError> {
        Ok(Self {
            name: text::bounded("name", "组织名称", &input.name, 2, 100, false)?,
            org_type: OrgType::parse(input.org_type.trim())?,
            region: RegionCode::parse(&input.region)
                .map_err(|_| DomainError::invalid("region", "请选择有效的所在地区"))?,
            credit_code: match input.credit_code.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(s) => Some(CreditCode::parse(s)?),
            },
            address: text::optional("address", "地址", input.address.as_deref(), 200, false)?,
            description: text::optional(
                "description",
                "简介",
                input.description.as_deref(),
                5000,
                true,
            )?,
            contact_phone: match input.contact_phone.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(s) => {
                    Some(Phone::parse(s).map_err(|_| {
                        DomainError::invalid("contact_phone", "请输入 11 位联系电话")
                    })?)
                }
            },
        })
    }

    pub fn public_text(&self) -> Vec<&str> {
        let mut v = vec![self.name.as_str()];
        v.extend(self.address.as_deref());
        v.extend(self.description.as_deref());
        v
    }
}

#[derive(Debug, Clone)]
pub struct Org {
    pub id: OrgId,
    pub admin_user_id: UserId,
    pub profile: OrgProfile,
    pub status: ModerationStatus,
    pub reject_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub verified_at: Option<Timestamp>,
}

/// An organization is a verifiable profile: its registrant (the org admin) and the holders of
/// its org-admin grant edit it, its region's admins verify it.
impl ProfileKind for Org {
    type Id = OrgId;
    type Input = OrgInput;
    type Profile = OrgProfile;
    type Filter = Option<OrgType>;

    const KIND: ModerationKind = ModerationKind::Org;
    const REGION_FIELD: &'static str = "region";
    const TEXT_FIELD: &'static str = "description";
    const NOT_FOUND: &'static str = "组织不存在";
    const NOT_EDITOR: &'static str = "只有该组织的管理员可以修改";

    fn store(store: &dyn Store) -> &dyn ProfileStore<Org> {
        store
    }
    fn parse(input: &OrgInput) -> DomainResult<OrgProfile> {
        OrgProfile::parse(input)
    }
    fn region_of(profile: &OrgProfile) -> RegionCode {
        profile.region
    }
    fn public_text(profile: &OrgProfile) -> Vec<&str> {
        profile.public_text()
    }
    fn id(&self) -> OrgId {
        self.id
    }
    fn owner(&self) -> UserId {
        self.admin_user_id
    }
    fn profile(&self) -> &OrgProfile {
        &self.profile
    }
    fn status(&self) -> ModerationStatus {
        self.status
    }
    fn label(&self) -> &str {
        &self.profile.name
    }
    fn notice_ref(&self) -> ProfileRef {
        ProfileRef::Org {
            id: self.id.0,
            name: self.profile.name.clone(),
        }
    }
    fn edited_by(&self, actor: &Actor) -> bool {
        actor.user_id == self.admin_user_id || actor.manages_org(self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_code_check_character() {
        // Check characters computed by the GB 32100-2015 rule.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("91350100M000100Y44").is_err());
        assert!(CreditCode::parse("91350100M000100Y4").is_err());
        assert!(CreditCode::parse("91350100M000100YI3").is_err());
    }

    #[test]
    fn org_profile_parse() {
        let input = OrgInput {
            name: "邻水县柑橘产业协会".into(),
            org_type: "rural_association".into(),
            region: "511623".into(),
            contact_phone: Some("13800138000".into()),
            ..Default::default()
        };
        let p = OrgProfile::parse(&input).expect("valid");
        assert_eq!(p.org_type, OrgType::RuralAssociation);
        let mut bad = input.clone();
        bad.org_type = "gang".into();
        assert!(OrgProfile::parse(&bad).is_err());
        let mut bad = input;
        bad.region = "999999".into();
        assert!(OrgProfile::parse(&bad).is_err());
        for t in OrgType::ALL {
            assert_eq!(OrgType::parse(t.as_str()), Ok(t));
        }
    }
}
