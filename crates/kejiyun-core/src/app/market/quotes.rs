use crate::ids::{DealId, NeedId, QuoteId};
use crate::market::deals::{DealOrigin, DealStatus, DealSubject, DealTerms};
use crate::market::ports::NewDeal;
use crate::market::postings::{NeedDraft, PostingContent, ServiceDraft};
use crate::market::quotes::{
    DeclineReason, Quote, QuoteDraft, QuoteInput, QuoteStatus, quote_transition,
};
use crate::moderation::ModerationStatus;
use crate::orgs::Org;
use crate::paging::{Page, Paged};
use crate::permissions::{Actor, Grant};
use crate::profiles::ports::ProfileStore;
use crate::{DomainError, DomainResult, text};

fn not_found() -> DomainError {
    DomainError::NotFound("报价不存在".into())
}

use_cases!(Quotes, quotes, "Quotes on needs");

impl Quotes<'_> {
    /// A verified tech worker, or the admin of a verified organization: an organization's
    /// admin grant counts from its registration, so its status is read too.
    async fn verified_provider(&self, actor: &Actor) -> DomainResult<bool> {
        for grant in &actor.grants {
            match grant {
                Grant::TechWorker => return Ok(true),
                Grant::OrgAdmin(id) => {
                    let org = ProfileStore::<Org>::find_profile(&*self.store, *id).await?;
                    if org.is_some_and(|o| o.status == ModerationStatus::Published) {
                        return Ok(true);
                    }
                }
                _ => {}
            }
        }
        Ok(false)
    }

    /// A verified tech worker or organization answers a published need with a quote.
    pub async fn submit_quote(
        &self,
        actor: &Actor,
        need_id: NeedId,
        input: &QuoteInput,
    ) -> DomainResult<QuoteId> {
        if !self.verified_provider(actor).await? {
            return Err(DomainError::Forbidden(
                "只有已认证的科技工作者或组织可以报价".into(),
            ));
        }
        let draft = QuoteDraft::parse(input)?;
        self.banned_words.check("method", &[&draft.method])?;
        let need = self
            .postings()
            .get::<NeedDraft>(Some(actor), need_id)
            .await?;
        if need.meta.status != ModerationStatus::Published {
            return Err(DomainError::Conflict("该需求未在发布中，不能报价".into()));
        }
        if need.meta.owner == actor.user_id {
            return Err(DomainError::invalid("need_id", "不能给自己的需求报价"));
        }
        if let Some(sid) = draft.service_id {
            let s = ServiceDraft::rows(&*self.store).posting(sid).await?;
            let own = s.is_some_and(|s| {
                s.meta.owner == actor.user_id && s.meta.status == ModerationStatus::Published
            });
            if !own {
                return Err(DomainError::invalid(
                    "service_id",
                    "只能关联自己已发布的科技服务",
                ));
            }
        }
        Ok(self
            .store
            .create_quote(need_id, actor.user_id, &draft, self.now())
            .await?)
    }

    /// The quotes on a need: all of them for its owner and the region's admins, the caller's
    /// own for a provider.
    pub async fn quotes_for_need(
        &self,
        actor: &Actor,
        need_id: NeedId,
        page: Page,
    ) -> DomainResult<Paged<Quote>> {
        let need = self
            .postings()
            .get::<NeedDraft>(Some(actor), need_id)
            .await?;
        let all = need.meta.owner == actor.user_id || actor.administers(need.draft.region);
        let provider = (!all).then_some(actor.user_id);
        Ok(self
            .store
            .list_quotes(Some(need_id), provider, page)
            .await?)
    }

    pub async fn my_quotes(&self, actor: &Actor, page: Page) -> DomainResult<Paged<Quote>> {
        Ok(self
            .store
            .list_quotes(None, Some(actor.user_id), page)
            .await?)
    }

    pub async fn quote(&self, actor: &Actor, id: QuoteId) -> DomainResult<Quote> {
        let q = self.store.quote(id).await?.ok_or_else(not_found)?;
        let need_region = NeedDraft::rows(&*self.store)
            .posting(q.need_id)
            .await?
            .map(|n| n.draft.region);
        let sees = q.provider == actor.user_id
            || q.need_owner == actor.user_id
            || need_region.is_some_and(|r| actor.administers(r));
        if sees { Ok(q) } else { Err(not_found()) }
    }

    async fn own_need_quote(&self, actor: &Actor, id: QuoteId) -> DomainResult<Quote> {
        let q = self.quote(actor, id).await?;
        if q.need_owner != actor.user_id {
            return Err(DomainError::Forbidden("只有需求发布者可以处理报价".into()));
        }
        Ok(q)
    }

    /// The requester accepts a quote: a deal is proposed on its terms (the requester's side
    /// confirmed), waiting for the provider's confirmation. Returns the deal id.
    pub async fn accept_quote(&self, actor: &Actor, id: QuoteId) -> DomainResult<DealId> {
        let q = self.own_need_quote(actor, id).await?;
        quote_transition(q.status, QuoteStatus::Accepted)?;
        let need = self
            .postings()
            .get::<NeedDraft>(Some(actor), q.need_id)
            .await?;
        let now = self.now();
        let audit = super::deals::deal_audit(
            actor.user_id,
            now,
            "deal.propose",
            None,
            need.draft.region,
            None,
            serde_json::json!({
                "status": DealStatus::Proposed.code(),
                "amount_fen": q.draft.price.fen(),
                "requester": actor.user_id.0,
                "provider": q.provider.0,
                "origin": DealOrigin::Quote.code(),
                "quote": q.id,
            }),
        );
        let deal = NewDeal {
            subject: DealSubject {
                need: Some(q.need_id),
                service: q.draft.service_id,
                achievement: None,
            },
            requester: actor.user_id,
            provider: q.provider,
            terms: DealTerms {
                amount: q.draft.price,
                deal_date: now.shanghai_date(),
                note: Some(format!(
                    "报价 #{}：{} 天，{}",
                    q.id,
                    q.draft.timeline_days,
                    q.draft.method.chars().take(200).collect::<String>()
                )),
            },
            origin: DealOrigin::Quote,
            quote_id: Some(q.id),
            inquiry_id: None,
            region: need.draft.region,
            proposed_by: actor.user_id,
            status: DealStatus::Proposed,
            requester_confirmed_at: Some(now),
            provider_confirmed_at: None,
            confirmed_at: None,
            recorded_by: None,
            evidence: None,
            audit: Some(audit),
            at: now,
        };
        let deal_id = self
            .store
            .decide_quote(
                id,
                q.status,
                QuoteStatus::Accepted,
                None,
                None,
                Some(deal),
                now,
            )
            .await?;
        deal_id.ok_or_else(|| DomainError::Internal("accepted quote without a deal".into()))
    }

    pub async fn decline_quote(
        &self,
        actor: &Actor,
        id: QuoteId,
        reason: &str,
        note: Option<&str>,
    ) -> DomainResult<()> {
        let reason = DeclineReason::parse(reason)?;
        let note = text::optional("note", "说明", note, 500, true)?;
        let q = self.own_need_quote(actor, id).await?;
        quote_transition(q.status, QuoteStatus::Declined)?;
        self.store
            .decide_quote(
                id,
                q.status,
                QuoteStatus::Declined,
                Some(reason),
                note,
                None,
                self.now(),
            )
            .await?;
        Ok(())
    }

    pub async fn withdraw_quote(&self, actor: &Actor, id: QuoteId) -> DomainResult<()> {
        let q = self.quote(actor, id).await?;
        if q.provider != actor.user_id {
            return Err(DomainError::Forbidden("只有报价人可以撤回报价".into()));
        }
        quote_transition(q.status, QuoteStatus::Withdrawn)?;
        self.store
            .decide_quote(
                id,
                q.status,
                QuoteStatus::Withdrawn,
                None,
                None,
                None,
                self.now(),
            )
            .await?;
        Ok(())
    }
}
