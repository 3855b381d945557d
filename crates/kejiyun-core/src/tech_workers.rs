//! Tech workers (科技工作者): a user's verified professional profile. An application goes
//! through the moderation life cycle; the region admin of its service region decides.

pub mod ports;

use crate::accounts::IdCardNumber;
use crate::ids::{TechWorkerId, UserId};
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

pub const MAX_TAGS: usize = 10;

/// Unvalidated form/API input.
#[derive(Debug, Clone, Default)]
pub struct TechWorkerInput {
    pub field: String,
    pub title: Option<String>,
    pub employer: String,
    pub expertise: Vec<String>,
    pub service_region: String,
    pub bio: Option<String>,
    pub id_card: Option<String>,
}

/// A validated application.
#[derive(Debug, Clone, PartialEq)]
pub struct TechWorkerProfile {
    /// 领域, e.g. 农业/果树栽培.
    pub field: String,
    /// 职称, e.g. 高级农艺师.
    pub title: Option<String>,
    /// 工作单位.
    pub employer: String,
    /// 专长标签.
    pub expertise: Vec<String>,
    pub service_region: RegionCode,
    pub bio: Option<String>,
    pub id_card: Option<IdCardNumber>,
}

impl TechWorkerProfile {
    pub fn parse(input: &TechWorkerInput) -> Result<Self, DomainError> {
        let field = text::bounded("field", "专业领域", &input.field, 1, 50, false)?;
        let title = text::optional("title", "职称", input.title.as_deref(), 50, false)?;
        let employer = text::bounded("employer", "工作单位", &input.employer, 1, 100, false)?;
        let expertise = tags(&input.expertise)?;
        let service_region = RegionCode::parse(&input.service_region)
            .map_err(|_| DomainError::invalid("service_region", "请选择有效的服务地区"))?;
        let bio = text::optional("bio", "个人简介", input.bio.as_deref(), 2000, true)?;
        let id_card = match input.id_card.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(IdCardNumber::parse(s)?),
        };
        Ok(Self {
            field,
            title,
            employer,
            expertise,
            service_region,
            bio,
            id_card,
        })
    }

    /// Text that the banned-word check reads.
    pub fn public_text(&self) -> Vec<&str> {
        let mut v = vec![self.field.as_str(), self.employer.as_str()];
        v.extend(self.title.as_deref());
        v.extend(self.bio.as_deref());
        v.extend(self.expertise.iter().map(String::as_str));
        v
    }
}

/// Expertise tags: 1 to 10, each 1–20 characters, duplicates removed, order kept.
pub fn tags(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for t in raw
        .iter()
        .flat_map(|t| t.split([',', '，', '、', ';', '；']))
    {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let t = text::bounded("expertise", "专长标签", t, 1, 20, false)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.is_empty() {
        return Err(DomainError::invalid("expertise", "请至少填写一个专长标签"));
    }
    if out.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "expertise",
            format!("专长标签最多 {MAX_TAGS} 个"),
        ));
    }
    Ok(out)
}

/// A stored application/profile.
#[derive(Debug, Clone)]
pub struct TechWorker {
    pub id: TechWorkerId,
    pub user_id: UserId,
    pub display_name: String,
    pub profile: TechWorkerProfile,
    pub status: ModerationStatus,
    pub reject_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub verified_at: Option<Timestamp>,
}

/// A tech worker is a verifiable profile: only its owner edits it, the admins of its service
/// region verify it.
impl ProfileKind for TechWorker {
    type Id = TechWorkerId;
    type Input = TechWorkerInput;
    type Profile = TechWorkerProfile;
    type Filter = ();

    const KIND: ModerationKind = ModerationKind::TechWorker;
    const REGION_FIELD: &'static str = "service_region";
    const TEXT_FIELD: &'static str = "bio";
    const NOT_FOUND: &'static str = "科技工作者不存在";
    const NOT_EDITOR: &'static str = "只能修改自己的申请";

    fn store(store: &dyn Store) -> &dyn ProfileStore<TechWorker> {
        store
    }
    fn parse(input: &TechWorkerInput) -> DomainResult<TechWorkerProfile> {
        TechWorkerProfile::parse(input)
    }
    fn region_of(profile: &TechWorkerProfile) -> RegionCode {
        profile.service_region
    }
    fn public_text(profile: &TechWorkerProfile) -> Vec<&str> {
        profile.public_text()
    }
    fn id(&self) -> TechWorkerId {
        self.id
    }
    fn owner(&self) -> UserId {
        self.user_id
    }
    fn profile(&self) -> &TechWorkerProfile {
        &self.profile
    }
    fn status(&self) -> ModerationStatus {
        self.status
    }
    fn label(&self) -> &str {
        &self.display_name
    }
    fn notice_ref(&self) -> ProfileRef {
        ProfileRef::TechWorker { id: self.id.0 }
    }
    fn edited_by(&self, actor: &Actor) -> bool {
        actor.user_id == self.user_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TechWorkerInput {
        TechWorkerInput {
            field: "果树栽培".into(),
            title: Some("高级农艺师".into()),
            employer: "邻水县农业农村局".into(),
            expertise: vec!["柑橘, 脐橙、黄龙病防治".into()],
            service_region: "511623".into(),
            bio: None,
            id_card: Some(String::new()),
        }
    }

    #[test]
    fn parses_and_splits_tags() {
        let p = TechWorkerProfile::parse(&input()).expect("valid");
        assert_eq!(p.expertise, vec!["柑橘", "脐橙", "黄龙病防治"]);
        assert_eq!(p.id_card, None);
    }

    #[test]
    fn refuses_bad_fields() {
        let mut i = input();
        i.service_region = "5116".into();
        assert!(matches!(
            TechWorkerProfile::parse(&i),
            Err(DomainError::Invalid {
                field: "service_region",
                ..
            })
        ));
        let mut i = input();
        i.expertise = vec![];
        assert!(TechWorkerProfile::parse(&i).is_err());
        let mut i = input();
        i.expertise = (0..11).map(|n| format!("标签{n}")).collect();
        assert!(TechWorkerProfile::parse(&i).is_err());
        let mut i = input();
        i.employer = "单".repeat(101);
        assert!(TechWorkerProfile::parse(&i).is_err());
        let mut i = input();
        i.id_card = Some("123".into());
        assert!(TechWorkerProfile::parse(&i).is_err());
    }
}
