//! Quotes (报价): a provider's answer to a need with price, timeline and method. The requester
//! compares them, accepts one (which proposes a deal) or declines with a structured reason.

use super::money::Fen;
use crate::DomainError;
use crate::ids::{DealId, NeedId, QuoteId, ServiceId, UserId};
use crate::text;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteStatus {
    Submitted,
    Accepted,
    Declined,
    Withdrawn,
}

impl QuoteStatus {
    pub const ALL: [Self; 4] = [
        Self::Submitted,
        Self::Accepted,
        Self::Declined,
        Self::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submitted => "待回复",
            Self::Accepted => "已接受",
            Self::Declined => "已婉拒",
            Self::Withdrawn => "已撤回",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclineReason {
    TooExpensive,
    TooSlow,
    NotWhatWeNeed,
    ChoseAnother,
    Other,
}

impl DeclineReason {
    pub const ALL: [Self; 5] = [
        Self::TooExpensive,
        Self::TooSlow,
        Self::NotWhatWeNeed,
        Self::ChoseAnother,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::TooExpensive => "too_expensive",
            Self::TooSlow => "too_slow",
            Self::NotWhatWeNeed => "not_what_we_need",
            Self::ChoseAnother => "chose_another",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.code() == s.trim())
            .ok_or_else(|| DomainError::invalid("reason", "婉拒原因应为 too_expensive、too_slow、not_what_we_need、chose_another 或 other"))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::TooExpensive => "价格太高",
            Self::TooSlow => "周期太长",
            Self::NotWhatWeNeed => "方案不符合需求",
            Self::ChoseAnother => "已选择其他服务方",
            Self::Other => "其他原因",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct QuoteInput {
    pub price_fen: i64,
    pub timeline_days: u32,
    pub method: String,
    /// One of the provider's published services this quote offers, optional.
    pub service_id: Option<ServiceId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuoteDraft {
    pub price: Fen,
    pub timeline_days: u32,
    pub method: String,
    pub service_id: Option<ServiceId>,
}

impl QuoteDraft {
    pub fn parse(i: &QuoteInput) -> Result<Self, DomainError> {
        if !(1..=3650).contains(&i.timeline_days) {
            return Err(DomainError::invalid(
                "timeline_days",
                "周期须在 1 到 3650 天之间",
            ));
        }
        Ok(Self {
            price: Fen::new("price_fen", i.price_fen)?,
            timeline_days: i.timeline_days,
            method: text::bounded("method", "实施方案", &i.method, 10, 2000, true)?,
            service_id: i.service_id,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub id: QuoteId,
    pub need_id: NeedId,
    pub need_title: String,
    pub need_owner: UserId,
    pub provider: UserId,
    pub provider_name: String,
    pub draft: QuoteDraft,
    pub status: QuoteStatus,
    pub decline_reason: Option<DeclineReason>,
    pub decline_note: Option<String>,
    pub deal_id: Option<DealId>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

/// What a quote decision does to its status.
pub fn quote_transition(from: QuoteStatus, to: QuoteStatus) -> Result<QuoteStatus, DomainError> {
    match (from, to) {
        (
            QuoteStatus::Submitted,
            QuoteStatus::Accepted | QuoteStatus::Declined | QuoteStatus::Withdrawn,
        ) => Ok(to),
        _ => Err(DomainError::Conflict(format!(
            "报价当前为「{}」，不能改为「{}」",
            from.label_zh(),
            to.label_zh()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_submitted_quotes_are_decided() {
        for from in QuoteStatus::ALL {
            for to in QuoteStatus::ALL {
                let ok = from == QuoteStatus::Submitted && to != QuoteStatus::Submitted;
                assert_eq!(quote_transition(from, to).is_ok(), ok, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn quote_validation() {
        let ok = QuoteInput {
            price_fen: 300_000,
            timeline_days: 30,
            method: "上门诊断三次并出具书面防治方案".into(),
            service_id: None,
        };
        assert!(QuoteDraft::parse(&ok).is_ok());
        assert!(
            QuoteDraft::parse(&QuoteInput {
                timeline_days: 0,
                ..ok.clone()
            })
            .is_err()
        );
        assert!(
            QuoteDraft::parse(&QuoteInput {
                price_fen: -1,
                ..ok.clone()
            })
            .is_err()
        );
        assert!(
            QuoteDraft::parse(&QuoteInput {
                method: "看看".into(),
                ..ok
            })
            .is_err()
        );
        assert!(DeclineReason::parse("too_expensive").is_ok());
        assert!(DeclineReason::parse("meh").is_err());
    }
}
