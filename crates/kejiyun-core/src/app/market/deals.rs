use serde_json::json;

use crate::audit::AuditRecord;
use crate::ids::{AchievementId, DealId, InquiryId, NeedId, PostingId, ServiceId, UserId};
use crate::market::deals::{
    self, Deal, DealOrigin, DealStatus, DealSubject, DealTerms, Evidence, Side,
};
use crate::market::ports::{DealChange, DealFilter, NewDeal};
use crate::market::postings::PostingKind;
use crate::moderation::{self, ModerationStatus};
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, RegionScope};
use crate::regions::RegionCode;
use crate::{DomainError, DomainResult};

/// A deal proposed by one side: on an inquiry's posting (the inquiry's two sides are the
/// parties), or on postings whose owners are the parties (need + service, need + achievement).
#[derive(Debug, Clone, Default)]
pub struct DealInput {
    pub inquiry_id: Option<InquiryId>,
    pub need_id: Option<NeedId>,
    pub service_id: Option<ServiceId>,
    pub achievement_id: Option<AchievementId>,
    pub amount_fen: i64,
    pub deal_date: String,
    pub note: Option<String>,
}

/// An offline contract a region admin records: the parties come from the postings, or are
/// named by user id where a side has no posting.
#[derive(Debug, Clone, Default)]
pub struct OfflineDealInput {
    pub need_id: Option<NeedId>,
    pub service_id: Option<ServiceId>,
    pub achievement_id: Option<AchievementId>,
    pub requester_id: Option<i64>,
    pub provider_id: Option<i64>,
    pub amount_fen: i64,
    pub deal_date: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DealQuery {
    /// Only deals where the caller is a side (otherwise: admins, their regions).
    pub mine: bool,
    pub region: Option<RegionCode>,
    pub status: Option<DealStatus>,
    pub transfer: Option<bool>,
}

fn not_found() -> DomainError {
    DomainError::NotFound("交易不存在".into())
}

/// Every state change of a deal is audited (the figures officials report come from deals).
/// `target_id` is empty for a deal being created; the store fills in the new id.
pub(crate) fn deal_audit(
    actor: UserId,
    at: crate::time::Timestamp,
    action: &str,
    deal_id: Option<DealId>,
    region: RegionCode,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> AuditRecord {
    AuditRecord {
        actor: Some(actor),
        at,
        action: action.into(),
        target_kind: "deal".into(),
        target_id: deal_id.map(|d| d.to_string()).unwrap_or_default(),
        region: Some(region),
        before,
        after: Some(after),
    }
}

/// Who is who in a deal, and where it counts.
struct Resolved {
    subject: DealSubject,
    requester: UserId,
    provider: UserId,
    region: RegionCode,
    /// The regions of every posting the deal binds (the counting region among them).
    posting_regions: Vec<RegionCode>,
}

use_cases!(
    Deals,
    deals,
    "Deals: proposed, recorded offline, confirmed, cancelled"
);

impl Deals<'_> {
    /// A posting that exists and was published (deals are about public postings).
    async fn dealable(
        &self,
        kind: PostingKind,
        id: i64,
    ) -> DomainResult<(UserId, RegionCode, String)> {
        let (meta, region, title) = self.postings().posting_meta(kind, id).await?;
        if meta.first_published_at.is_none() || meta.status == ModerationStatus::Draft {
            return Err(DomainError::invalid(
                "subject",
                format!("{}尚未发布", kind.label_zh()),
            ));
        }
        Ok((meta.owner, region, title))
    }

    /// Parties and region from the postings: requester = the need's owner, provider = the
    /// service's or achievement's owner; the region is the need's, else the service's; a
    /// transfer counts in the achievement's region.
    async fn resolve_subject(
        &self,
        subject: DealSubject,
        requester: Option<UserId>,
        provider: Option<UserId>,
    ) -> DomainResult<Resolved> {
        let need = match subject.need {
            Some(id) => Some(self.dealable(PostingKind::Need, id.0).await?),
            None => None,
        };
        let service = match subject.service {
            Some(id) => Some(self.dealable(PostingKind::Service, id.0).await?),
            None => None,
        };
        let achievement = match subject.achievement {
            Some(id) => Some(self.dealable(PostingKind::Achievement, id.0).await?),
            None => None,
        };
        if service.is_some() && achievement.is_some() {
            return Err(DomainError::invalid(
                "subject",
                "一笔交易不能同时针对科技服务和科技成果",
            ));
        }
        let requester = need.as_ref().map(|n| n.0).or(requester);
        let provider = service
            .as_ref()
            .or(achievement.as_ref())
            .map(|p| p.0)
            .or(provider);
        let region = match (&achievement, &need, &service) {
            (Some(a), _, _) => a.1,
            (None, Some(n), _) => n.1,
            (None, None, Some(s)) => s.1,
            (None, None, None) => {
                return Err(DomainError::invalid(
                    "subject",
                    "请指定交易针对的需求、服务或成果",
                ));
            }
        };
        let posting_regions = [&need, &service, &achievement]
            .into_iter()
            .flatten()
            .map(|p| p.1)
            .collect();
        match (requester, provider) {
            (Some(r), Some(p)) if r != p => Ok(Resolved {
                subject,
                requester: r,
                provider: p,
                region,
                posting_regions,
            }),
            (Some(_), Some(_)) => Err(DomainError::invalid("subject", "交易双方不能是同一人")),
            _ => Err(DomainError::invalid("subject", "无法确定交易双方")),
        }
    }

    /// One side proposes a deal; their own confirmation is implied, the other side confirms.
    pub async fn propose_deal(&self, actor: &Actor, input: &DealInput) -> DomainResult<DealId> {
        let now = self.now();
        let terms = DealTerms::parse(
            input.amount_fen,
            &input.deal_date,
            input.note.as_deref(),
            now.shanghai_date(),
        )?;
        let mut subject = DealSubject {
            need: input.need_id,
            service: input.service_id,
            achievement: input.achievement_id,
        };
        let (mut requester, mut provider, mut origin) = (None, None, DealOrigin::Direct);
        if let Some(iid) = input.inquiry_id {
            let (inquiry, _) = self.inquiries().inquiry(actor, iid).await?;
            match inquiry.posting_kind {
                PostingKind::Need => {
                    subject.need = Some(PostingId::new(inquiry.posting_id));
                    provider = Some(inquiry.requester);
                }
                PostingKind::Service => {
                    subject.service = Some(PostingId::new(inquiry.posting_id));
                    requester = Some(inquiry.requester);
                }
                PostingKind::Achievement => {
                    subject.achievement = Some(PostingId::new(inquiry.posting_id));
                    requester = Some(inquiry.requester);
                }
                // No inquiry is ever started on a question or a resource (`start_inquiry`
                // refuses them).
                PostingKind::Question | PostingKind::Resource => {
                    return Err(DomainError::invalid("inquiry_id", "该内容不能发起交易"));
                }
            }
            origin = DealOrigin::Inquiry;
        }
        let r = self.resolve_subject(subject, requester, provider).await?;
        let side = if actor.user_id == r.requester {
            Side::Requester
        } else if actor.user_id == r.provider {
            Side::Provider
        } else {
            return Err(DomainError::Forbidden("只有交易一方可以发起交易".into()));
        };
        let audit = deal_audit(
            actor.user_id,
            now,
            "deal.propose",
            None,
            r.region,
            None,
            json!({
                "status": DealStatus::Proposed.code(),
                "amount_fen": terms.amount.fen(),
                "requester": r.requester.0,
                "provider": r.provider.0,
                "origin": origin.code(),
            }),
        );
        Ok(self
            .store
            .create_deal(NewDeal {
                subject: r.subject,
                requester: r.requester,
                provider: r.provider,
                terms,
                origin,
                quote_id: None,
                inquiry_id: input.inquiry_id,
                region: r.region,
                proposed_by: actor.user_id,
                status: DealStatus::Proposed,
                requester_confirmed_at: (side == Side::Requester).then_some(now),
                provider_confirmed_at: (side == Side::Provider).then_some(now),
                confirmed_at: None,
                recorded_by: None,
                evidence: None,
                audit: Some(audit),
                at: now,
            })
            .await?)
    }

    /// A region admin records an offline contract with its file as evidence; it counts at once.
    pub async fn record_offline_deal(
        &self,
        actor: &Actor,
        input: &OfflineDealInput,
        file_name: &str,
        file: Vec<u8>,
    ) -> DomainResult<DealId> {
        if file.is_empty() {
            return Err(DomainError::invalid("evidence", "请上传合同凭证"));
        }
        if file.len() > self.upload_limit_bytes {
            return Err(DomainError::invalid(
                "evidence",
                format!(
                    "文件不能超过 {} MB",
                    self.upload_limit_bytes / (1024 * 1024)
                ),
            ));
        }
        let content_type = deals::sniff_evidence(&file)?;
        let now = self.now();
        let terms = DealTerms::parse(
            input.amount_fen,
            &input.deal_date,
            input.note.as_deref(),
            now.shanghai_date(),
        )?;
        let subject = DealSubject {
            need: input.need_id,
            service: input.service_id,
            achievement: input.achievement_id,
        };
        let named = |id: Option<i64>| async move {
            match id {
                Some(id) => self
                    .store
                    .user(UserId(id))
                    .await?
                    .map(|u| Some(u.id))
                    .ok_or_else(|| DomainError::invalid("subject", format!("用户 {id} 不存在"))),
                None => Ok(None),
            }
        };
        let requester = named(input.requester_id).await?;
        let provider = named(input.provider_id).await?;
        let r = self.resolve_subject(subject, requester, provider).await?;
        // Not only where the deal counts: a confirmed deal is bound to every posting it names.
        let touched = std::iter::once(r.region).chain(r.posting_regions.iter().copied());
        if let Some(outside) = actor.first_not_administered(touched) {
            return Err(DomainError::Forbidden(format!(
                "您无权登记涉及{}的交易",
                self.regions.full_name(outside)
            )));
        }
        let digest = crate::auth::hash_token_bytes(&file);
        let evidence = Evidence {
            file_name: deals::evidence_name(file_name),
            content_type: content_type.into(),
            size: file.len() as u64,
            sha256: digest,
        };
        let audit = deal_audit(
            actor.user_id,
            now,
            "deal.record_offline",
            None,
            r.region,
            None,
            json!({
                "status": DealStatus::Confirmed.code(),
                "amount_fen": terms.amount.fen(),
                "deal_date": terms.deal_date.to_string(),
                "requester": r.requester.0,
                "provider": r.provider.0,
                "evidence_sha256": evidence.sha256,
            }),
        );
        Ok(self
            .store
            .create_deal(NewDeal {
                subject: r.subject,
                requester: r.requester,
                provider: r.provider,
                terms,
                origin: DealOrigin::Offline,
                quote_id: None,
                inquiry_id: None,
                region: r.region,
                proposed_by: actor.user_id,
                status: DealStatus::Confirmed,
                requester_confirmed_at: None,
                provider_confirmed_at: None,
                confirmed_at: Some(now),
                recorded_by: Some(actor.user_id),
                evidence: Some((evidence, file)),
                audit: Some(audit),
                at: now,
            })
            .await?)
    }

    /// The two sides and the admins of the deal's region see a deal.
    pub async fn deal(&self, actor: &Actor, id: DealId) -> DomainResult<Deal> {
        let d = self.store.deal(id).await?.ok_or_else(not_found)?;
        if d.side_of(actor.user_id).is_some() || actor.administers(d.region) {
            Ok(d)
        } else {
            Err(not_found())
        }
    }

    pub async fn deal_evidence(
        &self,
        actor: &Actor,
        id: DealId,
    ) -> DomainResult<(Evidence, Vec<u8>)> {
        self.deal(actor, id).await?;
        self.store
            .deal_evidence(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("该交易没有凭证文件".into()))
    }

    /// One side confirms; the deal counts once both have.
    pub async fn confirm_deal(&self, actor: &Actor, id: DealId) -> DomainResult<DealStatus> {
        let d = self.deal(actor, id).await?;
        let side = d
            .side_of(actor.user_id)
            .ok_or_else(|| DomainError::Forbidden("只有交易双方可以确认".into()))?;
        let (r0, p0) = (
            d.requester_confirmed_at.is_some(),
            d.provider_confirmed_at.is_some(),
        );
        let (to, r, p) = deals::confirm(d.status, r0, p0, side)?;
        let now = self.now();
        let stamp = |was: Option<crate::time::Timestamp>, is: bool| {
            if is { was.or(Some(now)) } else { None }
        };
        let audit = deal_audit(
            actor.user_id,
            now,
            "deal.confirm",
            Some(id),
            d.region,
            Some(
                json!({ "status": d.status.code(), "requester_confirmed": r0, "provider_confirmed": p0 }),
            ),
            json!({ "status": to.code(), "requester_confirmed": r, "provider_confirmed": p }),
        );
        self.store
            .change_deal(
                id,
                DealChange {
                    from: d.status,
                    from_requester_confirmed: r0,
                    from_provider_confirmed: p0,
                    to,
                    requester_confirmed_at: stamp(d.requester_confirmed_at, r),
                    provider_confirmed_at: stamp(d.provider_confirmed_at, p),
                    confirmed_at: (to == DealStatus::Confirmed).then_some(now),
                    cancel_reason: None,
                    audit: Some(audit),
                    at: now,
                },
            )
            .await?;
        Ok(to)
    }

    /// Cancels a deal with a reason: a side while it is proposed; a region admin at any time.
    pub async fn cancel_deal(&self, actor: &Actor, id: DealId, reason: &str) -> DomainResult<()> {
        let reason = moderation::reason(reason)?;
        let d = self.deal(actor, id).await?;
        let by_admin = actor.administers(d.region);
        if d.side_of(actor.user_id).is_none() && !by_admin {
            return Err(DomainError::Forbidden("无权取消该交易".into()));
        }
        let to = deals::cancel(d.status, by_admin)?;
        let now = self.now();
        let audit = deal_audit(
            actor.user_id,
            now,
            "deal.cancel",
            Some(id),
            d.region,
            Some(json!({ "status": d.status.code(), "amount_fen": d.terms.amount.fen() })),
            json!({ "status": to.code(), "reason": reason }),
        );
        self.store
            .change_deal(
                id,
                DealChange {
                    from: d.status,
                    from_requester_confirmed: d.requester_confirmed_at.is_some(),
                    from_provider_confirmed: d.provider_confirmed_at.is_some(),
                    to,
                    requester_confirmed_at: d.requester_confirmed_at,
                    provider_confirmed_at: d.provider_confirmed_at,
                    confirmed_at: d.confirmed_at,
                    cancel_reason: Some(reason),
                    audit: Some(audit),
                    at: now,
                },
            )
            .await?;
        Ok(())
    }

    pub async fn list_deals(
        &self,
        actor: &Actor,
        q: DealQuery,
        page: Page,
    ) -> DomainResult<Paged<Deal>> {
        let (scope, party) = if q.mine {
            (RegionScope::All, Some(actor.user_id))
        } else {
            let scope = actor.admin_scope();
            if scope.is_empty() {
                return Err(DomainError::Forbidden(
                    "只有管理员可以查看本地区的全部交易".into(),
                ));
            }
            (scope, None)
        };
        let scope = match q.region {
            Some(r) => scope.narrow(r),
            None => scope,
        };
        let filter = DealFilter {
            scope,
            party,
            status: q.status,
            transfer: q.transfer,
        };
        Ok(self.store.list_deals(&filter, page).await?)
    }
}
