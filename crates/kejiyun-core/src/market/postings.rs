//! Services (科技服务), needs (科技需求) and achievements (科技成果): validated drafts, the
//! meta every posting shares, closing reasons, and the need form's completeness score.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::categories::{Category, ContactPref, Industry, IpType, Maturity, Scope, TransferMode};
use super::money::{Fen, Price};
use super::ports::PostingStore;
use crate::DomainError;
use crate::ids::{OrgId, PostingId, UserId};
use crate::moderation::ModerationStatus;
use crate::ports::Store;
use crate::regions::RegionCode;
use crate::text;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostingKind {
    Service,
    Need,
    Achievement,
    /// A question to the experts (专家问诊): a posting kind of its own module, `questions`.
    Question,
    /// A popular-science resource (科普资源): a posting kind of its own module, `popsci`.
    Resource,
}

impl PostingKind {
    pub const ALL: [Self; 5] = [
        Self::Service,
        Self::Need,
        Self::Achievement,
        Self::Question,
        Self::Resource,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Need => "need",
            Self::Achievement => "achievement",
            Self::Question => "question",
            Self::Resource => "resource",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("kind", "未知的发布类型"))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Service => "科技服务",
            Self::Need => "科技需求",
            Self::Achievement => "科技成果",
            Self::Question => "问题",
            Self::Resource => "科普资源",
        }
    }

    /// Whether a published posting of this kind closes as expired unless its owner confirms it
    /// (a question stays open for answers, a resource stays readable: neither is an offer
    /// that goes stale).
    pub fn expires(self) -> bool {
        !matches!(self, Self::Question | Self::Resource)
    }

    /// Whether it is a marketplace offer or need, which inquiries, quotes and deals are about.
    pub fn traded(self) -> bool {
        matches!(self, Self::Service | Self::Need | Self::Achievement)
    }

    /// The moderation queue kind of this posting kind.
    pub fn moderation_kind(self) -> crate::moderation::ModerationKind {
        match self {
            Self::Service => crate::moderation::ModerationKind::Service,
            Self::Need => crate::moderation::ModerationKind::Need,
            Self::Achievement => crate::moderation::ModerationKind::Achievement,
            Self::Question => crate::moderation::ModerationKind::Question,
            Self::Resource => crate::moderation::ModerationKind::Resource,
        }
    }
}

/// Why a posting was closed (or expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    SolvedHere,
    SolvedElsewhere,
    Withdrawn,
    NoAnswer,
    Expired,
}

impl CloseReason {
    pub const ALL: [Self; 5] = [
        Self::SolvedHere,
        Self::SolvedElsewhere,
        Self::Withdrawn,
        Self::NoAnswer,
        Self::Expired,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SolvedHere => "solved_here",
            Self::SolvedElsewhere => "solved_elsewhere",
            Self::Withdrawn => "withdrawn",
            Self::NoAnswer => "no_answer",
            Self::Expired => "expired",
        }
    }

    /// Reasons an owner may give (expiry is the platform's).
    pub fn parse_by_owner(s: &str) -> Result<Self, DomainError> {
        match Self::ALL.into_iter().find(|r| r.code() == s.trim()) {
            Some(Self::Expired) | None => Err(DomainError::invalid(
                "reason",
                "关闭原因应为 solved_here、solved_elsewhere、withdrawn 或 no_answer",
            )),
            Some(r) => Ok(r),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SolvedHere => "已在本平台解决",
            Self::SolvedElsewhere => "已通过其他途径解决",
            Self::Withdrawn => "发布者撤回",
            Self::NoAnswer => "无人响应",
            Self::Expired => "到期未确认",
        }
    }
}

/// What every posting carries besides its id and content (the same for every kind, so the
/// paths that choose the kind at run time read it too; the typed id is on [`Posting`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PostingMeta {
    pub kind: PostingKind,
    pub owner: UserId,
    pub owner_name: String,
    /// The organization it is posted for, if any.
    pub org: Option<OrgId>,
    pub status: ModerationStatus,
    pub reject_reason: Option<String>,
    pub close_reason: Option<CloseReason>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set at the first approval and never moved: statistics count from it.
    pub first_published_at: Option<Timestamp>,
    /// The current text is the one moderation approved: set at each publication, cleared by
    /// each edit. A closed posting is public only while this holds.
    pub text_reviewed: bool,
    /// A published posting closes as expired at this time unless its owner confirms it.
    pub expires_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

/// The kind-specific part of a posting: its fields and their rules. The life cycle (draft →
/// pending → published | rejected → closed/expired), moderation, expiry, statistics and
/// notifications are written once for every kind (`app::market::Postings`, the store's
/// `PostingStore<D>`); a kind brings only this.
pub trait PostingContent: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    const KIND: PostingKind;
    /// Offered by a verified tech worker or organization (services, achievements), rather
    /// than asked for by anyone (needs).
    const PROVIDED: bool;
    /// Only services reach beyond their own county (`available_in` and `scope` filters).
    const HAS_REACH: bool = false;
    /// A region's admins may publish it in their region without an organization (an
    /// association's own popular-science resources).
    const ADMINS_PUBLISH: bool = false;
    /// What the form or the API sends.
    type Input: PostingInput<Draft = Self>;

    fn parse(input: &Self::Input) -> Result<Self, DomainError>;
    fn title(&self) -> &str;
    fn region(&self) -> RegionCode;
    /// The organization it is posted for, if any.
    fn org(&self) -> Option<OrgId> {
        None
    }
    /// The texts anyone may read: checked for banned words.
    fn public_text(&self) -> Vec<&str>;
    /// This kind's port in the whole database (the umbrella `Store` lists a
    /// `PostingStore<D>` per kind; the body is just `store`).
    fn rows(store: &dyn Store) -> &dyn PostingStore<Self>;
}

/// A form's or request's input, naming the kind it creates (so `create(&actor, &input, …)`
/// needs no type annotation).
pub trait PostingInput: Send + Sync {
    type Draft: PostingContent<Input = Self>;
}

/// A posting of one kind: its typed id, the shared meta and the kind's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Posting<D> {
    pub id: PostingId<D>,
    pub meta: PostingMeta,
    pub draft: D,
}

pub type Service = Posting<ServiceDraft>;
pub type Need = Posting<NeedDraft>;
pub type Achievement = Posting<AchievementDraft>;

pub(crate) fn tags(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for t in raw
        .iter()
        .flat_map(|t| t.split([',', '，', '、', ';', '；']))
    {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let t = text::bounded("tags", "标签", t, 1, 20, false)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > 10 {
        return Err(DomainError::invalid("tags", "标签最多 10 个"));
    }
    Ok(out)
}

fn region(field: &'static str, raw: &str) -> Result<RegionCode, DomainError> {
    RegionCode::parse(raw).map_err(|_| DomainError::invalid(field, "请选择有效的地区"))
}

fn org(raw: Option<i64>) -> Option<OrgId> {
    raw.map(OrgId)
}

#[derive(Debug, Clone, Default)]
pub struct ServiceInput {
    pub title: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub region: String,
    pub scope: String,
    pub price_kind: String,
    pub price_fen: Option<i64>,
    pub contact: String,
    pub org_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDraft {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub tags: Vec<String>,
    pub region: RegionCode,
    pub scope: Scope,
    pub price: Price,
    pub contact: ContactPref,
    pub org: Option<OrgId>,
}

impl ServiceDraft {
    pub fn parse(i: &ServiceInput) -> Result<Self, DomainError> {
        Ok(Self {
            title: text::bounded("title", "标题", &i.title, 4, 60, false)?,
            description: text::bounded("description", "服务内容", &i.description, 10, 5000, true)?,
            category: Category::parse(&i.category)?,
            tags: tags(&i.tags)?,
            region: region("region", &i.region)?,
            scope: Scope::parse(&i.scope)?,
            price: Price::parse(&i.price_kind, i.price_fen)?,
            contact: ContactPref::parse(if i.contact.trim().is_empty() {
                "message"
            } else {
                &i.contact
            })?,
            org: org(i.org_id),
        })
    }
}

impl PostingInput for ServiceInput {
    type Draft = ServiceDraft;
}

impl PostingContent for ServiceDraft {
    fn rows(store: &dyn Store) -> &dyn PostingStore<Self> {
        store
    }
    const KIND: PostingKind = PostingKind::Service;
    const PROVIDED: bool = true;
    const HAS_REACH: bool = true;
    type Input = ServiceInput;

    fn parse(input: &ServiceInput) -> Result<Self, DomainError> {
        Self::parse(input)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn region(&self) -> RegionCode {
        self.region
    }
    fn org(&self) -> Option<OrgId> {
        self.org
    }
    fn public_text(&self) -> Vec<&str> {
        let mut v = vec![self.title.as_str(), self.description.as_str()];
        v.extend(self.tags.iter().map(String::as_str));
        v
    }
}

#[derive(Debug, Clone, Default)]
pub struct NeedInput {
    pub title: String,
    /// 遇到的问题.
    pub problem: String,
    /// 目前的做法.
    pub current_practice: Option<String>,
    /// 希望达到的目标.
    pub target: Option<String>,
    pub budget_fen: Option<i64>,
    /// `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub industry: String,
    pub category: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NeedDraft {
    pub title: String,
    pub problem: String,
    pub current_practice: Option<String>,
    pub target: Option<String>,
    pub budget: Option<Fen>,
    pub deadline: Option<NaiveDate>,
    pub industry: Industry,
    pub category: Category,
    pub region: RegionCode,
}

impl NeedDraft {
    pub fn parse(i: &NeedInput) -> Result<Self, DomainError> {
        Ok(Self {
            title: text::bounded("title", "标题", &i.title, 4, 60, false)?,
            problem: text::bounded("problem", "遇到的问题", &i.problem, 10, 5000, true)?,
            current_practice: text::optional(
                "current_practice",
                "目前做法",
                i.current_practice.as_deref(),
                2000,
                true,
            )?,
            target: text::optional("target", "希望达到的目标", i.target.as_deref(), 2000, true)?,
            budget: i
                .budget_fen
                .map(|f| Fen::new("budget_fen", f))
                .transpose()?,
            deadline: match i.deadline.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(d) => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    DomainError::invalid("deadline", "截止日期格式应为 YYYY-MM-DD")
                })?),
            },
            industry: Industry::parse(&i.industry)?,
            category: Category::parse(&i.category)?,
            region: region("region", &i.region)?,
        })
    }
}

impl PostingInput for NeedInput {
    type Draft = NeedDraft;
}

impl PostingContent for NeedDraft {
    fn rows(store: &dyn Store) -> &dyn PostingStore<Self> {
        store
    }
    const KIND: PostingKind = PostingKind::Need;
    const PROVIDED: bool = false;
    type Input = NeedInput;

    fn parse(input: &NeedInput) -> Result<Self, DomainError> {
        Self::parse(input)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn region(&self) -> RegionCode {
        self.region
    }
    fn public_text(&self) -> Vec<&str> {
        let mut v = vec![self.title.as_str(), self.problem.as_str()];
        v.extend(self.current_practice.as_deref());
        v.extend(self.target.as_deref());
        v
    }
}

/// How complete a need is (0–100) and what would raise the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completeness {
    pub score: u8,
    /// Chinese hints, most valuable first.
    pub missing: Vec<&'static str>,
}

/// Scores a need as typed, before it is valid: providers answer well-described needs.
pub fn need_completeness(i: &NeedInput) -> Completeness {
    let len = |s: &str| s.trim().chars().count();
    let opt = |s: &Option<String>| s.as_deref().map_or(0, len);
    let checks: [(bool, u8, &'static str); 8] = [
        (
            len(&i.title) >= 6,
            10,
            "写一个具体的标题（至少 6 个字），如「脐橙黄龙病防治技术咨询」",
        ),
        (
            len(&i.problem) >= 30,
            25,
            "把遇到的问题写清楚（至少 30 个字）：现象、规模、持续多久",
        ),
        (
            opt(&i.current_practice) >= 10,
            15,
            "说明目前是怎么做的，试过哪些办法",
        ),
        (
            opt(&i.target) >= 10,
            15,
            "说明希望达到什么效果，如产量、成本或质量指标",
        ),
        (
            i.budget_fen.is_some_and(|b| b > 0),
            10,
            "填写预算，服务方更容易判断能否承接",
        ),
        (
            i.deadline.as_deref().is_some_and(|d| !d.trim().is_empty()),
            5,
            "填写希望解决的截止日期",
        ),
        (Category::parse(&i.category).is_ok(), 10, "选择需求所属分类"),
        (
            Industry::parse(&i.industry).is_ok() && RegionCode::parse(&i.region).is_ok(),
            10,
            "选择行业和所在地区",
        ),
    ];
    let score = checks.iter().filter(|c| c.0).map(|c| c.1).sum();
    let mut missing: Vec<_> = checks.iter().filter(|c| !c.0).collect();
    missing.sort_by_key(|c| std::cmp::Reverse(c.1));
    Completeness {
        score,
        missing: missing.into_iter().map(|c| c.2).collect(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct AchievementInput {
    pub title: String,
    /// 成果简介 (abstract).
    pub summary: String,
    /// 技术领域.
    pub category: String,
    pub maturity: String,
    pub ip_type: String,
    pub ip_number: Option<String>,
    /// 权利人.
    pub holders: String,
    pub transfer_modes: Vec<String>,
    pub price_kind: String,
    pub price_fen: Option<i64>,
    pub region: String,
    pub org_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AchievementDraft {
    pub title: String,
    pub summary: String,
    pub category: Category,
    pub maturity: Maturity,
    pub ip_type: IpType,
    pub ip_number: Option<String>,
    pub holders: String,
    pub transfer_modes: Vec<TransferMode>,
    pub price: Price,
    pub region: RegionCode,
    pub org: Option<OrgId>,
}

impl AchievementDraft {
    pub fn parse(i: &AchievementInput) -> Result<Self, DomainError> {
        let ip_type = IpType::parse(&i.ip_type)?;
        let ip_number = text::optional(
            "ip_number",
            "知识产权编号",
            i.ip_number.as_deref(),
            50,
            false,
        )?;
        if ip_type != IpType::None && ip_type != IpType::TradeSecret && ip_number.is_none() {
            return Err(DomainError::invalid("ip_number", "请填写专利号或登记号"));
        }
        let mut modes = Vec::new();
        for m in i.transfer_modes.iter().flat_map(|m| m.split(',')) {
            if m.trim().is_empty() {
                continue;
            }
            let m = TransferMode::parse(m)?;
            if !modes.contains(&m) {
                modes.push(m);
            }
        }
        if modes.is_empty() {
            return Err(DomainError::invalid(
                "transfer_modes",
                "请至少选择一种转化方式",
            ));
        }
        Ok(Self {
            title: text::bounded("title", "成果名称", &i.title, 4, 80, false)?,
            summary: text::bounded("summary", "成果简介", &i.summary, 20, 5000, true)?,
            category: Category::parse(&i.category)?,
            maturity: Maturity::parse(&i.maturity)?,
            ip_type,
            ip_number,
            holders: text::bounded("holders", "权利人", &i.holders, 2, 200, false)?,
            transfer_modes: modes,
            price: Price::parse(&i.price_kind, i.price_fen)?,
            region: region("region", &i.region)?,
            org: org(i.org_id),
        })
    }
}

impl PostingInput for AchievementInput {
    type Draft = AchievementDraft;
}

impl PostingContent for AchievementDraft {
    fn rows(store: &dyn Store) -> &dyn PostingStore<Self> {
        store
    }
    const KIND: PostingKind = PostingKind::Achievement;
    const PROVIDED: bool = true;
    type Input = AchievementInput;

    fn parse(input: &AchievementInput) -> Result<Self, DomainError> {
        Self::parse(input)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn region(&self) -> RegionCode {
        self.region
    }
    fn org(&self) -> Option<OrgId> {
        self.org
    }
    fn public_text(&self) -> Vec<&str> {
        vec![
            self.title.as_str(),
            self.summary.as_str(),
            self.holders.as_str(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need() -> NeedInput {
        NeedInput {
            title: "脐橙黄龙病防治技术咨询".into(),
            problem:
                "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡，担心蔓延到整个果园。"
                    .into(),
            current_practice: Some("自己挖除病树，喷过几次杀虫剂防木虱".into()),
            target: Some("控制住病情，三年内恢复正常产量".into()),
            budget_fen: Some(2_000_000),
            deadline: Some("2027-03-31".into()),
            industry: "agriculture".into(),
            category: "fruit".into(),
            region: "511623".into(),
        }
    }

    #[test]
    fn complete_need_scores_100() {
        let c = need_completeness(&need());
        assert_eq!(c.score, 100, "{:?}", c.missing);
        assert!(c.missing.is_empty());
        assert!(NeedDraft::parse(&need()).is_ok());
    }

    #[test]
    fn completeness_names_what_is_missing_first_by_value() {
        let mut i = need();
        i.problem = "果树生病了，怎么办才好呢？".into();
        i.budget_fen = None;
        let c = need_completeness(&i);
        assert_eq!(c.score, 65);
        assert!(c.missing[0].contains("问题"), "{:?}", c.missing);
        assert_eq!(need_completeness(&NeedInput::default()).score, 0);
    }

    #[test]
    fn need_validation() {
        let mut i = need();
        i.deadline = Some("2027/03/31".into());
        assert!(matches!(
            NeedDraft::parse(&i),
            Err(DomainError::Invalid {
                field: "deadline",
                ..
            })
        ));
        let mut i = need();
        i.budget_fen = Some(-1);
        assert!(NeedDraft::parse(&i).is_err());
        let mut i = need();
        i.category = "unknown".into();
        assert!(NeedDraft::parse(&i).is_err());
    }

    #[test]
    fn service_and_achievement_validation() {
        let s = ServiceInput {
            title: "柑橘病虫害诊断".into(),
            description: "上门诊断柑橘黄龙病、溃疡病等病害，提供防治方案。".into(),
            category: "fruit".into(),
            tags: vec!["柑橘,黄龙病".into()],
            region: "511623".into(),
            scope: "county".into(),
            price_kind: "negotiable".into(),
            ..Default::default()
        };
        let d = ServiceDraft::parse(&s).expect("valid");
        assert_eq!(d.tags, vec!["柑橘", "黄龙病"]);
        assert_eq!(d.contact, ContactPref::Message);
        let mut bad = s.clone();
        bad.scope = "galaxy".into();
        assert!(ServiceDraft::parse(&bad).is_err());

        let a = AchievementInput {
            title: "柑橘无病毒苗木繁育技术".into(),
            summary: "建立了柑橘无病毒苗木三级繁育体系，苗木脱毒率达 99% 以上。".into(),
            category: "fruit".into(),
            maturity: "industrial".into(),
            ip_type: "invention_patent".into(),
            ip_number: None,
            holders: "四川省某农业科学院".into(),
            transfer_modes: vec!["transfer,license".into()],
            price_kind: "amount".into(),
            price_fen: Some(50_000_000),
            region: "511623".into(),
            org_id: None,
        };
        assert!(matches!(
            AchievementDraft::parse(&a),
            Err(DomainError::Invalid {
                field: "ip_number",
                ..
            })
        ));
        let mut ok = a.clone();
        ok.ip_number = Some("ZL202010000000.0".into());
        let d = AchievementDraft::parse(&ok).expect("valid");
        assert_eq!(
            d.transfer_modes,
            vec![TransferMode::Transfer, TransferMode::License]
        );
        let mut bad = ok;
        bad.transfer_modes = vec![];
        assert!(AchievementDraft::parse(&bad).is_err());
    }

    #[test]
    fn close_reasons() {
        assert_eq!(
            CloseReason::parse_by_owner("solved_here"),
            Ok(CloseReason::SolvedHere)
        );
        assert!(CloseReason::parse_by_owner("expired").is_err());
        assert!(CloseReason::parse_by_owner("bored").is_err());
    }
}
