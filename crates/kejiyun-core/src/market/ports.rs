//! The marketplace's storage ports, one per kind of record (postings, inquiries, quotes, deals,
//! caseworker tickets), each implemented by `kejiyun-db` in the file of its queries. Every
//! method is one transaction: the queue row, the outbox row, the audit entry and the
//! notifications of a change commit with it.

use async_trait::async_trait;

use crate::audit::AuditRecord;
use crate::ids::{
    DealId, FollowUpId, InquiryId, MessageId, NeedId, OrgId, PostingId, QuoteId, TicketId, UserId,
};
use crate::market::categories::{Category, Scope};
use crate::market::deals::{Deal, DealOrigin, DealStatus, DealSubject, DealTerms, Evidence};
use crate::market::inquiries::{Inquiry, Message};
use crate::market::postings::{CloseReason, Posting, PostingContent, PostingKind};
use crate::market::quotes::{DeclineReason, Quote, QuoteDraft, QuoteStatus};
use crate::market::tickets::{FollowUpKind, LinkKind, Ticket, TicketOutcome, TicketStatus};
use crate::moderation::ModerationStatus;
use crate::moderation::ports::StatusChange;
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// Filters shared by the three posting lists.
#[derive(Debug, Clone, PartialEq)]
pub struct PostingFilter {
    /// Where the posting is located (its region lies in one of these subtrees).
    pub scope: RegionScope,
    /// `None`: any status (only used with `owner`).
    pub status: Option<ModerationStatus>,
    pub owner: Option<UserId>,
    /// Offered by this organization (services and achievements; other kinds: nothing).
    pub org: Option<OrgId>,
    pub category: Option<Category>,
    /// Substring of the title or main text.
    pub query: Option<String>,
    /// Services only: offered in this region (by scope reach: county / city / province /
    /// national).
    pub available_in: Option<RegionCode>,
    /// Services only: this scope.
    pub service_scope: Option<Scope>,
    /// Questions only: unanswered, and published at or before this time.
    pub unanswered_before: Option<Timestamp>,
    /// Resources only: of this kind (article, video …).
    pub resource_kind: Option<crate::popsci::ResourceKind>,
    /// Resources only: most counted views first (else most recently updated first).
    pub most_viewed: bool,
}

/// A status change of a posting: the moderation change plus what publication and closing set.
#[derive(Debug, Clone, PartialEq)]
pub struct PostingChange {
    pub change: StatusChange,
    /// Set when publishing (now + the confirmation interval).
    pub expires_at: Option<Timestamp>,
    /// Set when closing.
    pub close_reason: Option<CloseReason>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDeal {
    pub subject: DealSubject,
    pub requester: UserId,
    pub provider: UserId,
    pub terms: DealTerms,
    pub origin: DealOrigin,
    pub quote_id: Option<QuoteId>,
    pub inquiry_id: Option<InquiryId>,
    pub region: RegionCode,
    pub proposed_by: UserId,
    pub status: DealStatus,
    pub requester_confirmed_at: Option<Timestamp>,
    pub provider_confirmed_at: Option<Timestamp>,
    pub confirmed_at: Option<Timestamp>,
    pub recorded_by: Option<UserId>,
    /// An offline contract's file: its description and bytes, stored with the deal.
    pub evidence: Option<(Evidence, Vec<u8>)>,
    pub audit: Option<AuditRecord>,
    pub at: Timestamp,
}

/// A deal's state change; applies only if the deal still has `from` and the same confirmations
/// (optimistic concurrency, as for moderation).
#[derive(Debug, Clone, PartialEq)]
pub struct DealChange {
    pub from: DealStatus,
    pub from_requester_confirmed: bool,
    pub from_provider_confirmed: bool,
    pub to: DealStatus,
    pub requester_confirmed_at: Option<Timestamp>,
    pub provider_confirmed_at: Option<Timestamp>,
    pub confirmed_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    pub audit: Option<AuditRecord>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DealFilter {
    /// Region the deal counts in.
    pub scope: RegionScope,
    /// Deals where this user is a side.
    pub party: Option<UserId>,
    pub status: Option<DealStatus>,
    /// `Some(true)`: transfers only; `Some(false)`: non-achievement deals only.
    pub transfer: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketFilter {
    pub scope: RegionScope,
    pub staff: Option<UserId>,
    pub status: Option<TicketStatus>,
    pub need: Option<NeedId>,
}

/// The postings of one kind (`D`: services, needs, achievements, …), written once for every
/// kind by the store. New postings start as drafts.
#[async_trait]
pub trait PostingStore<D: PostingContent>: Send + Sync {
    /// A new draft; with `submit` (the draft → pending change) it enters the moderation queue
    /// in the same transaction.
    async fn create_posting(
        &self,
        owner: UserId,
        draft: &D,
        at: Timestamp,
        submit: Option<PostingChange>,
    ) -> StoreResult<PostingId<D>>;
    async fn posting(&self, id: PostingId<D>) -> StoreResult<Option<Posting<D>>>;
    /// Replaces the content and moves the status (`change.change.from` must match).
    async fn update_posting(
        &self,
        id: PostingId<D>,
        draft: &D,
        change: PostingChange,
    ) -> StoreResult<()>;
    /// One page, most recently updated first.
    async fn list_postings(
        &self,
        filter: &PostingFilter,
        page: Page,
    ) -> StoreResult<Paged<Posting<D>>>;
}

/// What every posting kind shares, addressed by kind at run time (moderation decisions and
/// expiry come by kind and id, so these take the `(PostingKind, i64)` pair, see `PostingId`).
#[async_trait]
pub trait PostingLifecycleStore: Send + Sync {
    /// Moves a posting's status: publishing sets `first_published_at` (once) and `expires_at`;
    /// closing records the reason and time. Queue, outbox and audit follow in the transaction.
    async fn change_posting_status(
        &self,
        kind: PostingKind,
        id: i64,
        change: PostingChange,
    ) -> StoreResult<()>;
    /// The owner confirms a published posting is still current: moves `expires_at`.
    async fn confirm_posting(
        &self,
        kind: PostingKind,
        id: i64,
        expires_at: Timestamp,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Published postings of `kind` whose `expires_at` is at or before `now` (at most `limit`).
    async fn expired_postings(
        &self,
        kind: PostingKind,
        now: Timestamp,
        limit: u64,
    ) -> StoreResult<Vec<i64>>;
    /// How many published postings of `kind` in `scope` expire after `after` and at or before
    /// `until` (the admin's 工作台: owners to remind before their postings close).
    async fn count_expiring(
        &self,
        kind: PostingKind,
        scope: &RegionScope,
        after: Timestamp,
        until: Timestamp,
    ) -> StoreResult<u64>;
}

/// Inquiry threads and their messages.
#[async_trait]
pub trait InquiryStore: Send + Sync {
    async fn find_inquiry(
        &self,
        kind: PostingKind,
        posting_id: i64,
        requester: UserId,
    ) -> StoreResult<Option<InquiryId>>;
    /// A new thread with its first message, written by `author` (either side: a requester
    /// contacting the owner, or a need's owner asking a quote's provider).
    #[expect(
        clippy::too_many_arguments,
        reason = "the thread's key, its sides and its first message"
    )]
    async fn create_inquiry(
        &self,
        kind: PostingKind,
        posting_id: i64,
        requester: UserId,
        owner: UserId,
        author: UserId,
        body: &str,
        at: Timestamp,
    ) -> StoreResult<InquiryId>;
    async fn add_message(
        &self,
        inquiry_id: InquiryId,
        author: UserId,
        body: &str,
        at: Timestamp,
    ) -> StoreResult<MessageId>;
    async fn inquiry(&self, id: InquiryId) -> StoreResult<Option<Inquiry>>;
    async fn messages(&self, inquiry_id: InquiryId) -> StoreResult<Vec<Message>>;
    /// Threads where `user` is either side, most recent activity first.
    async fn list_inquiries(&self, user: UserId, page: Page) -> StoreResult<Paged<Inquiry>>;
}

/// Quotes on needs.
#[async_trait]
pub trait QuoteStore: Send + Sync {
    /// Conflict if the provider already has a submitted quote on this need.
    async fn create_quote(
        &self,
        need_id: NeedId,
        provider: UserId,
        draft: &QuoteDraft,
        at: Timestamp,
    ) -> StoreResult<QuoteId>;
    async fn quote(&self, id: QuoteId) -> StoreResult<Option<Quote>>;
    async fn list_quotes(
        &self,
        need: Option<NeedId>,
        provider: Option<UserId>,
        page: Page,
    ) -> StoreResult<Paged<Quote>>;
    /// Moves a quote from `from` to `to`; accepting creates `deal` in the same transaction and
    /// returns its id.
    #[expect(
        clippy::too_many_arguments,
        reason = "one transactional decision with its parts"
    )]
    async fn decide_quote(
        &self,
        id: QuoteId,
        from: QuoteStatus,
        to: QuoteStatus,
        reason: Option<DeclineReason>,
        note: Option<String>,
        deal: Option<NewDeal>,
        at: Timestamp,
    ) -> StoreResult<Option<DealId>>;
}

#[async_trait]
pub trait DealStore: Send + Sync {
    async fn create_deal(&self, deal: NewDeal) -> StoreResult<DealId>;
    async fn deal(&self, id: DealId) -> StoreResult<Option<Deal>>;
    async fn change_deal(&self, id: DealId, change: DealChange) -> StoreResult<()>;
    async fn list_deals(&self, filter: &DealFilter, page: Page) -> StoreResult<Paged<Deal>>;
    async fn deal_evidence(&self, deal_id: DealId) -> StoreResult<Option<(Evidence, Vec<u8>)>>;
}

/// Caseworker tickets.
#[async_trait]
pub trait TicketStore: Send + Sync {
    /// Conflict if the need already has an open ticket.
    async fn open_ticket(
        &self,
        need_id: NeedId,
        staff: UserId,
        region: RegionCode,
        audit: AuditRecord,
    ) -> StoreResult<TicketId>;
    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>>;
    async fn add_follow_up(
        &self,
        ticket: TicketId,
        kind: FollowUpKind,
        note: &str,
        author: UserId,
        at: Timestamp,
    ) -> StoreResult<FollowUpId>;
    /// Idempotent: linking twice keeps one link (`kind` says what `target` is).
    async fn link_ticket(&self, ticket: TicketId, kind: LinkKind, target: i64) -> StoreResult<()>;
    /// Closes an open ticket (conflict if already closed).
    async fn close_ticket(
        &self,
        ticket: TicketId,
        outcome: TicketOutcome,
        note: Option<String>,
        audit: AuditRecord,
    ) -> StoreResult<()>;
    /// Tickets with their links and follow-ups, newest first.
    async fn list_tickets(&self, filter: &TicketFilter, page: Page) -> StoreResult<Paged<Ticket>>;
}
