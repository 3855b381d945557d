//! DTOs of inquiries, quotes, deals and tickets (re-exported by [`super::dto`]).

use kejiyun_core::app::Services;
use kejiyun_core::ids::{AchievementId, DealId, InquiryId, NeedId, PostingId, ServiceId};
use kejiyun_core::market::deals::{Deal, Evidence};
use kejiyun_core::market::inquiries::{Inquiry, Message};
use kejiyun_core::market::quotes::Quote;
use kejiyun_core::market::tickets::{FollowUp, Ticket};
use kejiyun_core::permissions::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{Vocab, list_type, ts};
use crate::api::dto::RegionRef;

list_type!(InquiryList, InquiryDto);
list_type!(QuoteList, QuoteDto);
list_type!(DealList, DealDto);
list_type!(TicketList, TicketDto);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryRequest {
    /// `service`, `need` or `achievement`.
    #[schema(example = "service")]
    pub posting_kind: String,
    pub posting_id: i64,
    /// The first message, 1–2000 characters.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// 1–2000 characters.
    pub body: String,
}

/// An inquiry thread's header.
#[derive(Debug, Serialize, ToSchema)]
pub struct InquiryDto {
    pub id: i64,
    pub posting_kind: String,
    pub posting_id: i64,
    pub posting_title: String,
    /// Who started the thread.
    pub requester_id: i64,
    pub requester_name: String,
    /// The posting's owner.
    pub owner_id: i64,
    pub owner_name: String,
    pub created_at: String,
    pub last_message_at: String,
    pub message_count: u64,
}

impl From<Inquiry> for InquiryDto {
    fn from(i: Inquiry) -> Self {
        Self {
            id: i.id.0,
            posting_kind: i.posting_kind.code().into(),
            posting_id: i.posting_id,
            posting_title: i.posting_title,
            requester_id: i.requester.0,
            requester_name: i.requester_name,
            owner_id: i.owner.0,
            owner_name: i.owner_name,
            created_at: ts(i.created_at),
            last_message_at: ts(i.last_message_at),
            message_count: i.message_count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    pub id: i64,
    pub author_id: i64,
    pub author_name: String,
    /// Plain text, exactly as written.
    pub body: String,
    pub created_at: String,
    /// Written by the caller.
    pub mine: bool,
}

impl MessageDto {
    pub fn new(actor: &Actor, m: Message) -> Self {
        Self {
            id: m.id.0,
            mine: m.author == actor.user_id,
            author_id: m.author.0,
            author_name: m.author_name,
            body: m.body,
            created_at: ts(m.created_at),
        }
    }
}

/// A thread with its messages, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InquiryThreadDto {
    #[serde(flatten)]
    pub inquiry: InquiryDto,
    pub messages: Vec<MessageDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteParams {
    /// The quotes on this need (all of them for its owner and the region's admins, the caller's
    /// own otherwise); without it, the caller's own quotes.
    #[param(value_type = Option<i64>)]
    pub need_id: Option<NeedId>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    #[schema(value_type = i64)]
    pub need_id: NeedId,
    /// Integer fen.
    #[schema(example = 300000)]
    pub price_fen: i64,
    /// 1–3650.
    #[schema(example = 30)]
    pub timeline_days: u32,
    /// 实施方案, 10–2000 characters.
    pub method: String,
    /// One of the caller's published services this quote offers.
    #[schema(value_type = Option<i64>)]
    pub service_id: Option<ServiceId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    /// `too_expensive`, `too_slow`, `not_what_we_need`, `chose_another` or `other`.
    #[schema(example = "too_expensive")]
    pub reason: String,
    /// Up to 500 characters.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteDto {
    pub id: i64,
    pub need_id: i64,
    pub need_title: String,
    pub need_owner_id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub price_fen: i64,
    pub timeline_days: u32,
    pub method: String,
    pub service_id: Option<i64>,
    /// `submitted`, `accepted`, `declined` or `withdrawn`.
    pub status: String,
    pub status_label: String,
    pub decline_reason: Option<Vocab>,
    pub decline_note: Option<String>,
    /// The deal its acceptance proposed.
    pub deal_id: Option<i64>,
    pub created_at: String,
    pub decided_at: Option<String>,
}

impl From<Quote> for QuoteDto {
    fn from(q: Quote) -> Self {
        Self {
            id: q.id.0,
            need_id: q.need_id.0,
            need_title: q.need_title,
            need_owner_id: q.need_owner.0,
            provider_id: q.provider.0,
            provider_name: q.provider_name,
            price_fen: q.draft.price.fen(),
            timeline_days: q.draft.timeline_days,
            method: q.draft.method,
            service_id: q.draft.service_id.map(|s| s.0),
            status: q.status.code().into(),
            status_label: q.status.label_zh().into(),
            decline_reason: q.decline_reason.map(|r| Vocab::new(r.code(), r.label_zh())),
            decline_note: q.decline_note,
            deal_id: q.deal_id.map(|d| d.0),
            created_at: ts(q.created_at),
            decided_at: q.decided_at.map(ts),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedDto {
    /// The proposed deal, waiting for the provider's confirmation.
    pub deal_id: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealParams {
    /// `true`: deals where the caller is a side; otherwise (admins) the deals of their regions.
    pub mine: Option<bool>,
    /// Counted in this region's subtree.
    pub region: Option<String>,
    /// `proposed`, `confirmed` or `cancelled`.
    pub status: Option<String>,
    /// `true`: transfers (deals on achievements) only; `false`: the others only.
    pub transfer: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealRequest {
    /// Propose on an inquiry's posting; its two sides are the parties.
    #[schema(value_type = Option<i64>)]
    pub inquiry_id: Option<InquiryId>,
    #[schema(value_type = Option<i64>)]
    pub need_id: Option<NeedId>,
    #[schema(value_type = Option<i64>)]
    pub service_id: Option<ServiceId>,
    #[schema(value_type = Option<i64>)]
    pub achievement_id: Option<AchievementId>,
    /// Integer fen, 0 – 1,000,000,000,000 (100亿元).
    #[schema(example = 1250000)]
    pub amount_fen: i64,
    /// Contract date `YYYY-MM-DD`, not in the future.
    #[schema(example = "2026-11-20")]
    pub deal_date: String,
    pub note: Option<String>,
}

impl From<DealRequest> for kejiyun_core::app::market::DealInput {
    fn from(r: DealRequest) -> Self {
        Self {
            inquiry_id: r.inquiry_id,
            need_id: r.need_id,
            service_id: r.service_id,
            achievement_id: r.achievement_id,
            amount_fen: r.amount_fen,
            deal_date: r.deal_date,
            note: r.note,
        }
    }
}

/// The `data` part of an offline deal upload (JSON).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflineDealData {
    pub need_id: Option<i64>,
    pub service_id: Option<i64>,
    pub achievement_id: Option<i64>,
    /// The demand side, where no need names it.
    pub requester_id: Option<i64>,
    /// The supply side, where no service or achievement names it.
    pub provider_id: Option<i64>,
    /// Integer fen.
    pub amount_fen: i64,
    /// `YYYY-MM-DD`.
    pub deal_date: String,
    pub note: Option<String>,
}

/// The ids are typed here, on the way into the core (the multipart part keeps plain numbers,
/// as it does for the parties' user ids).
impl From<OfflineDealData> for kejiyun_core::app::market::OfflineDealInput {
    fn from(r: OfflineDealData) -> Self {
        Self {
            need_id: r.need_id.map(PostingId::new),
            service_id: r.service_id.map(PostingId::new),
            achievement_id: r.achievement_id.map(PostingId::new),
            requester_id: r.requester_id,
            provider_id: r.provider_id,
            amount_fen: r.amount_fen,
            deal_date: r.deal_date,
            note: r.note,
        }
    }
}

/// `multipart/form-data` of `POST /api/v1/deals/offline`.
#[derive(Debug, ToSchema)]
#[expect(
    dead_code,
    reason = "describes the form in the OpenAPI document; the handler reads the parts"
)]
pub struct OfflineDealForm {
    /// A text part holding the JSON of `OfflineDealData`.
    pub data: OfflineDealData,
    /// The contract scan: PDF, PNG or JPEG, at most the configured upload limit.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub evidence: Vec<u8>,
}

/// A downloaded file: its raw bytes.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(dead_code, reason = "describes the download in the OpenAPI document")]
pub struct FileBytes(Vec<u8>);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why (2–500 characters).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceDto {
    pub file_name: String,
    /// `application/pdf`, `image/png` or `image/jpeg` (from the file's bytes).
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    /// Where to download it.
    pub url: String,
}

impl EvidenceDto {
    fn new(deal_id: DealId, e: Evidence) -> Self {
        Self {
            file_name: e.file_name,
            content_type: e.content_type,
            size: e.size,
            sha256: e.sha256,
            url: format!("/api/v1/deals/{deal_id}/evidence"),
        }
    }
}

/// A deal (交易); a transfer (成果转化) when its subject is an achievement.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealDto {
    pub id: i64,
    pub need_id: Option<i64>,
    pub service_id: Option<i64>,
    pub achievement_id: Option<i64>,
    pub subject_title: String,
    /// A deal on an achievement.
    pub transfer: bool,
    pub requester_id: i64,
    pub requester_name: String,
    pub provider_id: i64,
    pub provider_name: String,
    /// Integer fen.
    pub amount_fen: i64,
    /// `YYYY-MM-DD`.
    pub deal_date: String,
    pub note: Option<String>,
    /// `quote`, `inquiry`, `direct` or `offline`.
    pub origin: Vocab,
    pub quote_id: Option<i64>,
    pub inquiry_id: Option<i64>,
    /// `proposed`, `confirmed` or `cancelled`.
    pub status: String,
    pub status_label: String,
    pub requester_confirmed_at: Option<String>,
    pub provider_confirmed_at: Option<String>,
    pub confirmed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    /// Where the deal counts.
    pub region: RegionRef,
    pub proposed_by: i64,
    /// The admin who recorded an offline contract.
    pub recorded_by: Option<i64>,
    pub evidence: Option<EvidenceDto>,
    pub created_at: String,
}

impl DealDto {
    pub fn new(s: &Services, d: Deal) -> Self {
        Self {
            id: d.id.0,
            need_id: d.subject.need.map(|n| n.0),
            service_id: d.subject.service.map(|s| s.0),
            achievement_id: d.subject.achievement.map(|a| a.0),
            transfer: d.subject.is_transfer(),
            subject_title: d.subject_title,
            requester_id: d.requester.0,
            requester_name: d.requester_name,
            provider_id: d.provider.0,
            provider_name: d.provider_name,
            amount_fen: d.terms.amount.fen(),
            deal_date: d.terms.deal_date.format("%Y-%m-%d").to_string(),
            note: d.terms.note,
            origin: Vocab::new(d.origin.code(), d.origin.label_zh()),
            quote_id: d.quote_id.map(|q| q.0),
            inquiry_id: d.inquiry_id.map(|i| i.0),
            status: d.status.code().into(),
            status_label: d.status.label_zh().into(),
            requester_confirmed_at: d.requester_confirmed_at.map(ts),
            provider_confirmed_at: d.provider_confirmed_at.map(ts),
            confirmed_at: d.confirmed_at.map(ts),
            cancelled_at: d.cancelled_at.map(ts),
            cancel_reason: d.cancel_reason,
            region: RegionRef::new(s, d.region),
            proposed_by: d.proposed_by.0,
            recorded_by: d.recorded_by.map(|u| u.0),
            evidence: d.evidence.map(|e| EvidenceDto::new(d.id, e)),
            created_at: ts(d.created_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketParams {
    /// `true`: only the caller's own tickets.
    pub mine: Option<bool>,
    /// `open` or `closed`.
    pub status: Option<String>,
    #[param(value_type = Option<i64>)]
    pub need_id: Option<NeedId>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    #[schema(value_type = i64)]
    pub need_id: NeedId,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    /// `call`, `visit`, `introduction` or `note`.
    #[schema(example = "visit")]
    pub kind: String,
    /// 2–2000 characters.
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// `inquiry` or `deal`.
    pub kind: String,
    pub target_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkDto {
    /// `inquiry` or `deal`.
    pub kind: String,
    pub target_id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseTicketRequest {
    /// `deal_made`, `referred`, `no_solution` or `withdrawn`.
    #[schema(example = "deal_made")]
    pub outcome: String,
    /// Up to 1000 characters.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpDto {
    pub id: i64,
    pub kind: Vocab,
    pub note: String,
    pub author_id: i64,
    pub author_name: String,
    pub at: String,
}

impl From<FollowUp> for FollowUpDto {
    fn from(f: FollowUp) -> Self {
        Self {
            id: f.id.0,
            kind: Vocab::new(f.kind.code(), f.kind.label_zh()),
            note: f.note,
            author_id: f.author.0,
            author_name: f.author_name,
            at: ts(f.at),
        }
    }
}

/// A caseworker ticket (保姆单). Lists carry no follow-ups; the detail does.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    pub id: i64,
    pub need_id: i64,
    pub need_title: String,
    pub region: RegionRef,
    pub staff_id: i64,
    pub staff_name: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_label: String,
    pub outcome: Option<Vocab>,
    pub outcome_note: Option<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub follow_ups: Vec<FollowUpDto>,
    pub links: Vec<LinkDto>,
}

impl TicketDto {
    pub fn new(s: &Services, t: Ticket) -> Self {
        Self {
            id: t.id.0,
            need_id: t.need_id.0,
            need_title: t.need_title,
            region: RegionRef::new(s, t.region),
            staff_id: t.staff.0,
            staff_name: t.staff_name,
            status: t.status.code().into(),
            status_label: t.status.label_zh().into(),
            outcome: t.outcome.map(|o| Vocab::new(o.code(), o.label_zh())),
            outcome_note: t.outcome_note,
            opened_at: ts(t.opened_at),
            closed_at: t.closed_at.map(ts),
            follow_ups: t.follow_ups.into_iter().map(Into::into).collect(),
            links: t
                .links
                .into_iter()
                .map(|(k, id)| LinkDto {
                    kind: k.code().into(),
                    target_id: id,
                })
                .collect(),
        }
    }
}
