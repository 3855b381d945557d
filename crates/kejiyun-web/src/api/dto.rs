//! The API's data transfer objects: the only types here that derive `Serialize`. Inputs deny
//! unknown fields (documented as `additionalProperties: false`).

use kejiyun_core::accounts::User;
use kejiyun_core::app::Services;
use kejiyun_core::audit::AuditEntry;
use kejiyun_core::auth::TokenInfo;
use kejiyun_core::auth::second_factor::SecondFactorStatus;
use kejiyun_core::moderation::QueueItem;
use kejiyun_core::orgs::Org;
use kejiyun_core::permissions::{Actor, Grant};
use kejiyun_core::regions::{Region, RegionCode};
use kejiyun_core::tech_workers::TechWorker;
use kejiyun_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::view;

fn ts(t: Timestamp) -> String {
    t.to_rfc3339()
}

/// A region as other objects refer to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionRef {
    /// Six-digit GB/T 2260 code.
    #[schema(example = "511623")]
    pub code: String,
    #[schema(example = "邻水县")]
    pub name: String,
    #[schema(example = "四川省 / 广安市 / 邻水县")]
    pub full_name: String,
}

impl RegionRef {
    pub fn new(s: &Services, code: RegionCode) -> Self {
        Self {
            code: code.to_string(),
            name: s
                .regions
                .get(code)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            full_name: s.regions.full_name(code),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDto {
    pub code: String,
    pub name: String,
    /// `province`, `city` or `county`.
    pub level: String,
    pub parent: Option<String>,
    pub full_name: String,
    pub children_count: u64,
}

impl RegionDto {
    pub fn new(s: &Services, r: &Region) -> Self {
        Self {
            code: r.code.to_string(),
            name: r.name.clone(),
            level: r.level().as_str().to_owned(),
            parent: r.parent.map(|p| p.to_string()),
            full_name: s.regions.full_name(r.code),
            children_count: s.regions.children(r.code).len() as u64,
        }
    }
}

/// `page` and `per_page` (1–100, default 20).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

macro_rules! list_type {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Items across all pages.
            pub total: u64,
            pub page: u32,
            pub per_page: u32,
        }

        impl $name {
            pub fn from_paged<T>(
                p: kejiyun_core::paging::Paged<T>,
                f: impl FnMut(T) -> $item,
            ) -> Self {
                let page = p.page;
                Self {
                    total: p.total,
                    items: p.items.into_iter().map(f).collect(),
                    page: page.page,
                    per_page: page.per_page,
                }
            }
        }
    };
}

/// Every list of the API has this shape (`{items, total, page, per_page}`).
pub(crate) use list_type;

list_type!(RegionList, RegionDto);
list_type!(TechWorkerList, TechWorkerDto);
list_type!(OrgList, OrgDto);
list_type!(QueueList, QueueItemDto);
list_type!(AuditList, AuditDto);
list_type!(AdminList, AdminDto);
list_type!(TokenList, TokenDto);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// An 11-digit mobile number or an e-mail address.
    #[schema(example = "13800138000")]
    pub login: String,
    /// The six-digit registration code sent to `login` (`POST /api/v1/auth/codes` with
    /// purpose `register`).
    #[schema(example = "123456")]
    pub code: String,
    /// 8–128 characters with letters and digits.
    pub password: String,
    #[schema(example = "张三")]
    pub display_name: String,
    /// Home region (six digits), optional.
    pub region: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// Asks for a one-time code (验证码).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The phone number (the code comes by SMS) or e-mail address (by e-mail).
    pub login: String,
    /// `password_reset` or `login`.
    pub purpose: String,
}

/// The answer to a request for a code: the same whether or not the login name has an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSent {
    /// Seconds the code can be used.
    pub expires_in_secs: i64,
    /// Seconds before another code may be asked for this login name.
    pub resend_after_secs: i64,
}

/// Sets a new password with a `password_reset` code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub login: String,
    /// The six digits received.
    pub code: String,
    /// At least 8 characters, letters and digits (the registration's rule).
    pub new_password: String,
}

/// Logs in with a `login` code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeLoginRequest {
    pub login: String,
    /// The six digits received.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token (the same secret as the session cookie).
    pub token: String,
    pub expires_at: String,
    pub user: MeDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedId {
    pub id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusDto {
    /// `draft`, `pending`, `published`, `rejected` or `closed`.
    pub status: String,
}

/// The caller's own account: personal data unmasked.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub id: i64,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub region: Option<RegionRef>,
    pub bio: Option<String>,
    /// `user`, `tech_worker`, `org_admin`, `region_admin`, `system_admin` …
    pub roles: Vec<String>,
    /// Regions the caller administers (empty for non-admins).
    pub admin_regions: Vec<RegionRef>,
    pub tech_worker_id: Option<i64>,
    pub org_ids: Vec<i64>,
    pub created_at: String,
    /// An administrator whose password is past its age (or must be changed after being made
    /// one): they act as an ordinary user until they change it (`POST /api/v1/me/password`).
    pub password_expired: bool,
    pub second_factor: SecondFactorDto,
}

/// The caller's second factor (动态口令).
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorDto {
    /// The account has a confirmed second factor.
    pub enabled: bool,
    /// The policy requires one of this account (an administrator): until this session passes
    /// it, the account acts as an ordinary user.
    pub required: bool,
    /// This session passed a second factor (at login, or by enrolling in it).
    pub satisfied: bool,
}

impl From<SecondFactorStatus> for SecondFactorDto {
    fn from(s: SecondFactorStatus) -> Self {
        Self {
            enabled: s.enabled,
            required: s.required,
            satisfied: s.satisfied,
        }
    }
}

impl MeDto {
    pub fn new(
        s: &Services,
        user: &User,
        actor: &Actor,
        tech_worker_id: Option<i64>,
        second_factor: SecondFactorStatus,
    ) -> Self {
        Self {
            second_factor: second_factor.into(),
            id: user.id.0,
            display_name: user.display_name.clone(),
            phone: user.phone.as_ref().map(|p| p.as_str().to_owned()),
            email: user.email.as_ref().map(|e| e.as_str().to_owned()),
            region: user.region.map(|r| RegionRef::new(s, r)),
            bio: user.bio.clone(),
            roles: actor
                .roles()
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            admin_regions: actor
                .grants
                .iter()
                .filter_map(|g| match g {
                    Grant::RegionAdmin(r) => Some(RegionRef::new(s, *r)),
                    _ => None,
                })
                .collect(),
            tech_worker_id,
            org_ids: actor
                .grants
                .iter()
                .filter_map(|g| match g {
                    Grant::OrgAdmin(o) => Some(o.0),
                    _ => None,
                })
                .collect(),
            created_at: ts(user.created_at),
            password_expired: false,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    pub display_name: String,
    pub region: Option<String>,
    pub bio: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TechWorkerRequest {
    /// 专业领域.
    #[schema(example = "果树栽培")]
    pub field: String,
    /// 职称.
    #[schema(example = "高级农艺师")]
    pub title: Option<String>,
    /// 工作单位.
    pub employer: String,
    /// 1–10 expertise tags.
    pub expertise: Vec<String>,
    /// Six-digit code of the region served.
    #[schema(example = "511623")]
    pub service_region: String,
    pub bio: Option<String>,
    /// Resident ID card number (18 characters), optional.
    pub id_card: Option<String>,
}

impl From<TechWorkerRequest> for kejiyun_core::tech_workers::TechWorkerInput {
    fn from(r: TechWorkerRequest) -> Self {
        Self {
            field: r.field,
            title: r.title,
            employer: r.employer,
            expertise: r.expertise,
            service_region: r.service_region,
            bio: r.bio,
            id_card: r.id_card,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TechWorkerDto {
    pub id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub field: String,
    pub title: Option<String>,
    pub employer: String,
    pub expertise: Vec<String>,
    pub service_region: RegionRef,
    pub bio: Option<String>,
    /// Masked (`511623********123X`) except to the owner; the region's admins read the full
    /// number through `GET /api/v1/tech-workers/{id}/id-card` (audited).
    pub id_card: Option<String>,
    pub status: String,
    /// Shown to the owner and admins only.
    pub reject_reason: Option<String>,
    pub created_at: String,
    pub verified_at: Option<String>,
}

impl TechWorkerDto {
    pub fn new(s: &Services, actor: Option<&Actor>, tw: TechWorker) -> Self {
        let region = Some(tw.profile.service_region);
        let privileged = kejiyun_core::permissions::sees_personal_data(actor, tw.user_id, region);
        Self {
            id: tw.id.0,
            user_id: tw.user_id.0,
            display_name: tw.display_name,
            id_card: tw
                .profile
                .id_card
                .as_ref()
                .map(|c| view::id_card(actor, tw.user_id, c)),
            field: tw.profile.field,
            title: tw.profile.title,
            employer: tw.profile.employer,
            expertise: tw.profile.expertise,
            service_region: RegionRef::new(s, tw.profile.service_region),
            bio: tw.profile.bio,
            status: tw.status.as_str().to_owned(),
            reject_reason: if privileged { tw.reject_reason } else { None },
            created_at: ts(tw.created_at),
            verified_at: tw.verified_at.map(ts),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Only this region's subtree (six digits).
    pub region: Option<String>,
    /// `published` (default, public); other statuses for admins, within their regions.
    pub status: Option<String>,
    /// Search text.
    pub q: Option<String>,
    /// Organization type (orgs only).
    pub org_type: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgRequest {
    #[schema(example = "邻水县柑橘产业协会")]
    pub name: String,
    /// One of `association`, `enterprise_association`, `society`, `rural_association`,
    /// `expert_station`, `agency`, `base`, `estation`, `school`, `enterprise`, `cooperative`.
    #[schema(example = "rural_association")]
    pub org_type: String,
    #[schema(example = "511623")]
    pub region: String,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub contact_phone: Option<String>,
}

impl From<OrgRequest> for kejiyun_core::orgs::OrgInput {
    fn from(r: OrgRequest) -> Self {
        Self {
            name: r.name,
            org_type: r.org_type,
            region: r.region,
            credit_code: r.credit_code,
            address: r.address,
            description: r.description,
            contact_phone: r.contact_phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub name: String,
    pub org_type: String,
    pub org_type_label: String,
    pub region: RegionRef,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    /// Masked except to the org's admin and the region's admins.
    pub contact_phone: Option<String>,
    pub status: String,
    pub reject_reason: Option<String>,
    pub admin_user_id: i64,
    pub created_at: String,
    pub verified_at: Option<String>,
}

impl OrgDto {
    pub fn new(s: &Services, actor: Option<&Actor>, org: Org) -> Self {
        let region = Some(org.profile.region);
        let privileged =
            kejiyun_core::permissions::sees_personal_data(actor, org.admin_user_id, region);
        Self {
            id: org.id.0,
            contact_phone: org
                .profile
                .contact_phone
                .as_ref()
                .map(|p| view::phone(actor, org.admin_user_id, region, p)),
            name: org.profile.name,
            org_type: org.profile.org_type.as_str().to_owned(),
            org_type_label: org.profile.org_type.label_zh().to_owned(),
            region: RegionRef::new(s, org.profile.region),
            credit_code: org.profile.credit_code.map(|c| c.as_str().to_owned()),
            address: org.profile.address,
            description: org.profile.description,
            status: org.status.as_str().to_owned(),
            reject_reason: if privileged { org.reject_reason } else { None },
            admin_user_id: org.admin_user_id.0,
            created_at: ts(org.created_at),
            verified_at: org.verified_at.map(ts),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemDto {
    /// `tech_worker` or `org`.
    pub kind: String,
    pub kind_label: String,
    pub item_id: i64,
    pub title: String,
    pub region: RegionRef,
    pub submitted_at: String,
}

impl QueueItemDto {
    pub fn new(s: &Services, q: QueueItem) -> Self {
        Self {
            kind: q.kind.as_str().to_owned(),
            kind_label: q.kind.label_zh().to_owned(),
            item_id: q.item_id,
            title: q.title,
            region: RegionRef::new(s, q.region),
            submitted_at: ts(q.submitted_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `tech_worker` or `org`.
    pub kind: Option<String>,
    pub region: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why (2–500 characters); shown to the applicant.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub region: Option<RegionRef>,
    /// The record before the change; null for a creation or a read.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after the change; null for a deletion.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl AuditDto {
    pub fn new(s: &Services, e: AuditEntry) -> Self {
        Self {
            id: e.id.0,
            at: ts(e.record.at),
            actor_id: e.record.actor.map(|a| a.0),
            actor_name: e.actor_name,
            action: e.record.action,
            target_kind: e.record.target_kind,
            target_id: e.record.target_id,
            region: e.record.region.map(|r| RegionRef::new(s, r)),
            before: e.record.before,
            after: e.record.after,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminDto {
    pub user_id: i64,
    pub display_name: String,
    pub role: String,
    pub region: Option<RegionRef>,
}

impl AdminDto {
    pub fn new(s: &Services, user: User, grant: Grant) -> Self {
        Self {
            user_id: user.id.0,
            display_name: user.display_name,
            role: grant.role().as_str().to_owned(),
            region: match grant {
                Grant::RegionAdmin(r) => Some(RegionRef::new(s, r)),
                _ => None,
            },
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAdminRequest {
    /// Phone or e-mail of the (new or existing) account.
    pub login: String,
    /// Required when the account does not exist yet.
    pub password: Option<String>,
    pub display_name: Option<String>,
    /// `region_admin` or `system_admin`.
    pub role: String,
    /// Required for `region_admin`.
    pub region: Option<String>,
}

/// The audit log's hash chain, checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditChainDto {
    /// No entry altered, removed or written past the chain.
    pub whole: bool,
    /// Entries whose hash was recomputed.
    pub checked: u64,
    /// Entries up to this sequence number were pruned (retention).
    pub pruned_seq: i64,
    /// The last entry checked.
    pub head_seq: i64,
    /// The first fault, in words.
    pub broken: Option<String>,
}

/// The administrator role to take away.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeAdminRequest {
    /// `region_admin` or `system_admin`.
    pub role: String,
    /// The region of a `region_admin` grant.
    pub region: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    #[schema(example = "县农业局数据同步")]
    pub name: String,
    /// 1–3650; omitted: never expires (until revoked).
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl From<TokenInfo> for TokenDto {
    fn from(t: TokenInfo) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            created_at: ts(t.created_at),
            expires_at: t.expires_at.map(ts),
            last_used_at: t.last_used_at.map(ts),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The secret, shown this once: send it as `Authorization: Bearer <token>`.
    pub token: String,
    pub info: TokenDto,
}
