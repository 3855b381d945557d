//! The marketplace's data transfer objects. Inputs deny unknown fields; amounts are integer fen
//! (`*_fen`), times RFC 3339 UTC, dates `YYYY-MM-DD`, vocabulary values their codes with a
//! Chinese `*_label` beside them.

use kejiyun_core::app::Services;
use kejiyun_core::market::categories::Category;
use kejiyun_core::market::money::Price;
use kejiyun_core::market::postings::{
    Achievement, AchievementInput, Completeness, Need, NeedInput, PostingMeta, Service,
    ServiceInput, need_completeness,
};
use kejiyun_core::permissions::{Actor, sees_personal_data};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::api::dto::CreatedId;
use crate::api::dto::RegionRef;

pub(crate) use crate::api::dto::list_type;

pub(crate) fn ts(t: Timestamp) -> String {
    t.to_rfc3339()
}

list_type!(ServiceList, ServiceDto);
list_type!(NeedList, NeedDto);
list_type!(AchievementList, AchievementDto);
pub use super::trade_dto::*;

/// A code of a closed vocabulary with its Chinese label.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vocab {
    #[schema(example = "pilot")]
    pub code: String,
    #[schema(example = "中试")]
    pub label: String,
}

impl Vocab {
    pub fn new(code: &str, label: &str) -> Self {
        Self {
            code: code.to_owned(),
            label: label.to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDto {
    #[schema(example = "fruit")]
    pub code: String,
    #[schema(example = "果树园艺")]
    pub label: String,
    pub label_en: String,
    /// `agriculture`, `industry`, `medicine`, `services` or `other`.
    pub group: String,
}

impl From<Category> for CategoryDto {
    fn from(c: Category) -> Self {
        Self {
            code: c.code().into(),
            label: c.label_zh().into(),
            label_en: c.label_en().into(),
            group: c.group().into(),
        }
    }
}

/// The category catalogue and every closed vocabulary of the marketplace.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueDto {
    pub categories: Vec<CategoryDto>,
    /// How far a service reaches.
    pub scopes: Vec<Vocab>,
    pub industries: Vec<Vocab>,
    /// Achievement maturity (研发 / 小试 / 中试 / 产业化).
    pub maturities: Vec<Vocab>,
    pub ip_types: Vec<Vocab>,
    pub transfer_modes: Vec<Vocab>,
    pub contact_prefs: Vec<Vocab>,
    pub price_kinds: Vec<Vocab>,
    /// Why a posting closed; owners give any but `expired` (the platform's).
    pub close_reasons: Vec<Vocab>,
    /// Why a requester declined a quote.
    pub decline_reasons: Vec<Vocab>,
    pub follow_up_kinds: Vec<Vocab>,
    pub ticket_outcomes: Vec<Vocab>,
    pub posting_statuses: Vec<Vocab>,
    pub quote_statuses: Vec<Vocab>,
    pub deal_statuses: Vec<Vocab>,
    pub deal_origins: Vec<Vocab>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueParams {
    /// Only the categories of this group (`agriculture`, `industry`, `medicine`, `services`,
    /// `other`).
    pub group: Option<String>,
}

/// The status an action left a record in.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateDto {
    #[schema(example = "pending")]
    pub status: String,
    #[schema(example = "待审核")]
    pub status_label: String,
}

impl StateDto {
    pub fn new(code: &str, label: &str) -> Self {
        Self {
            status: code.into(),
            status_label: label.into(),
        }
    }
}

/// A posting's new expiry after its owner confirmed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpiryDto {
    pub expires_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// `solved_here`, `solved_elsewhere`, `withdrawn` or `no_answer`.
    #[schema(example = "solved_here")]
    pub reason: String,
}

/// Filters of the need and achievement lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostingParams {
    /// Located in this region's subtree (six digits).
    pub region: Option<String>,
    /// `published` (default, public); other statuses for admins within their regions, or with
    /// `mine`.
    pub status: Option<String>,
    /// A category code (see `GET /api/v1/categories`).
    pub category: Option<String>,
    /// Search text in the title and main text.
    pub q: Option<String>,
    /// `true`: only the caller's own postings, any status (login needed).
    pub mine: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Filters of the service list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceParams {
    pub region: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    pub mine: Option<bool>,
    /// Offered in this region (six digits), by scope: a county-scope service reaches its county
    /// only, a national one everywhere.
    pub available_in: Option<String>,
    /// `county`, `city`, `province` or `national`.
    pub scope: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Two request types with the same fields: the edit (`PUT`) body, and the create (`POST`) body
/// that may also ask to submit at once. A macro declares them (types, not a main-path function)
/// because the alternative, a create body that `#[serde(flatten)]`s the edit body, would stop
/// refusing unknown fields: serde's `deny_unknown_fields` does not work through `flatten`.
macro_rules! posting_requests {
    ($create:ident, $edit:ident, $input:ty, { $($(#[$m:meta])* $f:ident : $t:ty,)+ }) => {
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $edit {
            $($(#[$m])* pub $f: $t,)+
        }

        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $create {
            $($(#[$m])* pub $f: $t,)+
            /// `true`: send to the region's moderation queue at once; otherwise a draft.
            #[serde(default)]
            pub submit: bool,
        }

        impl $create {
            pub fn split(self) -> ($input, bool) {
                let edit = $edit { $($f: self.$f,)+ };
                (edit.into(), self.submit)
            }
        }
    };
}

pub(crate) use posting_requests;

posting_requests!(CreateServiceRequest, ServiceRequest, ServiceInput, {
    /// 4–60 characters.
    #[schema(example = "柑橘黄龙病诊断与防治")]
    title: String,
    /// 10–5000 characters.
    description: String,
    /// A category code.
    #[schema(example = "fruit")]
    category: String,
    /// Up to 10 tags of 1–20 characters (a tag may hold several, separated by `,` `，` `、`).
    #[serde(default)]
    tags: Vec<String>,
    /// Six-digit code of the region the service is posted in.
    #[schema(example = "511623")]
    region: String,
    /// `county`, `city`, `province` or `national`.
    #[schema(example = "county")]
    scope: String,
    /// `free`, `negotiable` or `amount`.
    #[schema(example = "amount")]
    price_kind: String,
    /// Integer fen, required with `amount` (0 – 1,000,000,000,000).
    #[schema(example = 50000)]
    price_fen: Option<i64>,
    /// `message` (default), `phone` or `both`.
    contact: Option<String>,
    /// Post for this verified organization the caller manages.
    org_id: Option<i64>,
});

impl From<ServiceRequest> for ServiceInput {
    fn from(r: ServiceRequest) -> Self {
        Self {
            title: r.title,
            description: r.description,
            category: r.category,
            tags: r.tags,
            region: r.region,
            scope: r.scope,
            price_kind: r.price_kind,
            price_fen: r.price_fen,
            contact: r.contact.unwrap_or_default(),
            org_id: r.org_id,
        }
    }
}

posting_requests!(CreateNeedRequest, NeedRequest, NeedInput, {
    /// 4–60 characters.
    #[schema(example = "脐橙黄龙病防治技术咨询")]
    title: String,
    /// 遇到的问题, 10–5000 characters.
    problem: String,
    /// 目前的做法, up to 2000 characters.
    current_practice: Option<String>,
    /// 希望达到的目标, up to 2000 characters.
    target: Option<String>,
    /// Integer fen.
    #[schema(example = 2000000)]
    budget_fen: Option<i64>,
    /// `YYYY-MM-DD`.
    #[schema(example = "2027-03-31")]
    deadline: Option<String>,
    /// `agriculture`, `industry`, `services`, `medicine` or `other`.
    #[schema(example = "agriculture")]
    industry: String,
    #[schema(example = "fruit")]
    category: String,
    #[schema(example = "511623")]
    region: String,
});

impl From<NeedRequest> for NeedInput {
    fn from(r: NeedRequest) -> Self {
        Self {
            title: r.title,
            problem: r.problem,
            current_practice: r.current_practice,
            target: r.target,
            budget_fen: r.budget_fen,
            deadline: r.deadline,
            industry: r.industry,
            category: r.category,
            region: r.region,
        }
    }
}

posting_requests!(CreateAchievementRequest, AchievementRequest, AchievementInput, {
    /// 4–80 characters.
    #[schema(example = "柑橘无病毒苗木繁育技术")]
    title: String,
    /// 成果简介, 20–5000 characters.
    summary: String,
    #[schema(example = "fruit")]
    category: String,
    /// `research`, `small_pilot`, `pilot` or `industrial`.
    #[schema(example = "industrial")]
    maturity: String,
    /// `invention_patent`, `utility_patent`, `design_patent`, `software_copyright`,
    /// `plant_variety`, `trade_secret` or `none`.
    #[schema(example = "invention_patent")]
    ip_type: String,
    /// Patent or registration number; required unless `none` or `trade_secret`.
    ip_number: Option<String>,
    /// 权利人.
    holders: String,
    /// One or more of `transfer`, `license`, `equity`, `co_develop`.
    transfer_modes: Vec<String>,
    /// `free`, `negotiable` or `amount`.
    price_kind: String,
    /// Integer fen, required with `amount`.
    price_fen: Option<i64>,
    #[schema(example = "511623")]
    region: String,
    org_id: Option<i64>,
});

impl From<AchievementRequest> for AchievementInput {
    fn from(r: AchievementRequest) -> Self {
        Self {
            title: r.title,
            summary: r.summary,
            category: r.category,
            maturity: r.maturity,
            ip_type: r.ip_type,
            ip_number: r.ip_number,
            holders: r.holders,
            transfer_modes: r.transfer_modes,
            price_kind: r.price_kind,
            price_fen: r.price_fen,
            region: r.region,
            org_id: r.org_id,
        }
    }
}

/// A need as typed so far: every field optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedDraftRequest {
    pub title: Option<String>,
    pub problem: Option<String>,
    pub current_practice: Option<String>,
    pub target: Option<String>,
    pub budget_fen: Option<i64>,
    pub deadline: Option<String>,
    pub industry: Option<String>,
    pub category: Option<String>,
    pub region: Option<String>,
}

impl From<NeedDraftRequest> for NeedInput {
    fn from(r: NeedDraftRequest) -> Self {
        Self {
            title: r.title.unwrap_or_default(),
            problem: r.problem.unwrap_or_default(),
            current_practice: r.current_practice,
            target: r.target,
            budget_fen: r.budget_fen,
            deadline: r.deadline,
            industry: r.industry.unwrap_or_default(),
            category: r.category.unwrap_or_default(),
            region: r.region.unwrap_or_default(),
        }
    }
}

/// How complete a need is (0–100) and what would raise the score, most valuable first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessDto {
    #[schema(example = 65)]
    pub score: u8,
    pub missing: Vec<String>,
}

impl From<Completeness> for CompletenessDto {
    fn from(c: Completeness) -> Self {
        Self {
            score: c.score,
            missing: c.missing.into_iter().map(str::to_owned).collect(),
        }
    }
}

/// A price: `free`, `negotiable`, or an amount in fen.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceDto {
    pub kind: String,
    pub amount_fen: Option<i64>,
    /// `免费`, `面议` or `1,234.50 元`.
    pub label: String,
}

impl From<Price> for PriceDto {
    fn from(p: Price) -> Self {
        Self {
            kind: p.kind().into(),
            amount_fen: p.amount().map(|f| f.fen()),
            label: p.label_zh(),
        }
    }
}

/// What every posting carries besides its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostingMetaDto {
    pub id: i64,
    /// `service`, `need` or `achievement`.
    pub kind: String,
    /// `draft`, `pending`, `published`, `rejected` or `closed`.
    pub status: String,
    pub status_label: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub org_id: Option<i64>,
    /// Shown to the owner and the region's admins only.
    pub reject_reason: Option<String>,
    pub close_reason: Option<String>,
    pub close_reason_label: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub first_published_at: Option<String>,
    /// A published posting closes as expired at this time unless its owner confirms it.
    pub expires_at: Option<String>,
    pub closed_at: Option<String>,
}

impl PostingMetaDto {
    pub(crate) fn new(actor: Option<&Actor>, id: i64, m: PostingMeta, region: RegionCode) -> Self {
        let privileged = sees_personal_data(actor, m.owner, Some(region));
        Self {
            id,
            kind: m.kind.code().into(),
            status: m.status.as_str().into(),
            status_label: m.status.label_zh().into(),
            owner_id: m.owner.0,
            owner_name: m.owner_name,
            org_id: m.org.map(|o| o.0),
            reject_reason: if privileged { m.reject_reason } else { None },
            close_reason: m.close_reason.map(|r| r.code().into()),
            close_reason_label: m.close_reason.map(|r| r.label_zh().into()),
            created_at: ts(m.created_at),
            updated_at: ts(m.updated_at),
            first_published_at: m.first_published_at.map(ts),
            expires_at: m.expires_at.map(ts),
            closed_at: m.closed_at.map(ts),
        }
    }
}

/// A 科技服务.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDto {
    #[serde(flatten)]
    pub meta: PostingMetaDto,
    pub title: String,
    pub description: String,
    pub category: CategoryDto,
    pub tags: Vec<String>,
    pub region: RegionRef,
    pub scope: Vocab,
    pub price: PriceDto,
    pub contact: Vocab,
}

impl ServiceDto {
    pub fn new(s: &Services, actor: Option<&Actor>, x: Service) -> Self {
        let d = x.draft;
        Self {
            meta: PostingMetaDto::new(actor, x.id.0, x.meta, d.region),
            title: d.title,
            description: d.description,
            category: d.category.into(),
            tags: d.tags,
            region: RegionRef::new(s, d.region),
            scope: Vocab::new(d.scope.code(), d.scope.label_zh()),
            price: d.price.into(),
            contact: Vocab::new(d.contact.code(), d.contact.label_zh()),
        }
    }
}

/// A 科技需求.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedDto {
    #[serde(flatten)]
    pub meta: PostingMetaDto,
    pub title: String,
    pub problem: String,
    pub current_practice: Option<String>,
    pub target: Option<String>,
    pub budget_fen: Option<i64>,
    /// `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub industry: Vocab,
    pub category: CategoryDto,
    pub region: RegionRef,
    /// The completeness score of the need as it stands (0–100).
    pub completeness: u8,
}

impl NeedDto {
    pub fn new(s: &Services, actor: Option<&Actor>, x: Need) -> Self {
        let d = x.draft;
        let score = need_completeness(&NeedInput {
            title: d.title.clone(),
            problem: d.problem.clone(),
            current_practice: d.current_practice.clone(),
            target: d.target.clone(),
            budget_fen: d.budget.map(|b| b.fen()),
            deadline: d.deadline.map(|d| d.to_string()),
            industry: d.industry.code().into(),
            category: d.category.code().into(),
            region: d.region.to_string(),
        })
        .score;
        Self {
            meta: PostingMetaDto::new(actor, x.id.0, x.meta, d.region),
            title: d.title,
            problem: d.problem,
            current_practice: d.current_practice,
            target: d.target,
            budget_fen: d.budget.map(|b| b.fen()),
            deadline: d.deadline.map(|d| d.format("%Y-%m-%d").to_string()),
            industry: Vocab::new(d.industry.code(), d.industry.label_zh()),
            category: d.category.into(),
            region: RegionRef::new(s, d.region),
            completeness: score,
        }
    }
}

/// A 科技成果.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchievementDto {
    #[serde(flatten)]
    pub meta: PostingMetaDto,
    pub title: String,
    pub summary: String,
    pub category: CategoryDto,
    pub maturity: Vocab,
    pub ip_type: Vocab,
    pub ip_number: Option<String>,
    pub holders: String,
    pub transfer_modes: Vec<Vocab>,
    pub price: PriceDto,
    pub region: RegionRef,
}

impl AchievementDto {
    pub fn new(s: &Services, actor: Option<&Actor>, x: Achievement) -> Self {
        let d = x.draft;
        Self {
            meta: PostingMetaDto::new(actor, x.id.0, x.meta, d.region),
            title: d.title,
            summary: d.summary,
            category: d.category.into(),
            maturity: Vocab::new(d.maturity.code(), d.maturity.label_zh()),
            ip_type: Vocab::new(d.ip_type.code(), d.ip_type.label_zh()),
            ip_number: d.ip_number,
            holders: d.holders,
            transfer_modes: d
                .transfer_modes
                .iter()
                .map(|m| Vocab::new(m.code(), m.label_zh()))
                .collect(),
            price: d.price.into(),
            region: RegionRef::new(s, d.region),
        }
    }
}
