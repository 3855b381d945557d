//! Deals (交易): proposed by either side (from a quote, an inquiry or directly) or recorded by a
//! region admin from an offline contract; counted once both sides (or an admin) confirm. A deal
//! on an achievement is a transfer (成果转化).

use chrono::NaiveDate;

use super::money::Fen;
use crate::DomainError;
use crate::ids::{AchievementId, DealId, InquiryId, NeedId, QuoteId, ServiceId, UserId};
use crate::regions::RegionCode;
use crate::text;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DealStatus {
    Proposed,
    Confirmed,
    Cancelled,
}

impl DealStatus {
    pub const ALL: [Self; 3] = [Self::Proposed, Self::Confirmed, Self::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.code() == s)
            .ok_or_else(|| {
                DomainError::invalid("status", "交易状态应为 proposed、confirmed 或 cancelled")
            })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Proposed => "待确认",
            Self::Confirmed => "已成交",
            Self::Cancelled => "已取消",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DealOrigin {
    Quote,
    Inquiry,
    Direct,
    Offline,
}

impl DealOrigin {
    pub const ALL: [Self; 4] = [Self::Quote, Self::Inquiry, Self::Direct, Self::Offline];

    pub fn code(self) -> &'static str {
        match self {
            Self::Quote => "quote",
            Self::Inquiry => "inquiry",
            Self::Direct => "direct",
            Self::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Quote => "报价成交",
            Self::Inquiry => "对接成交",
            Self::Direct => "直接发起",
            Self::Offline => "线下合同登记",
        }
    }
}

/// The two sides of a deal: the demand side and the supply side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Requester,
    Provider,
}

/// What the deal is about: a need (answered by a service or not), a service, or an achievement
/// (a transfer, possibly answering a need).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DealSubject {
    pub need: Option<NeedId>,
    pub service: Option<ServiceId>,
    pub achievement: Option<AchievementId>,
}

impl DealSubject {
    pub fn is_transfer(&self) -> bool {
        self.achievement.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DealTerms {
    pub amount: Fen,
    /// Contract date (informational; statistics date a deal by its confirmation).
    pub deal_date: NaiveDate,
    pub note: Option<String>,
}

impl DealTerms {
    /// `today` is Asia/Shanghai's date: a contract cannot be dated in the future.
    pub fn parse(
        amount_fen: i64,
        deal_date: &str,
        note: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, DomainError> {
        let date = NaiveDate::parse_from_str(deal_date.trim(), "%Y-%m-%d")
            .map_err(|_| DomainError::invalid("deal_date", "成交日期格式应为 YYYY-MM-DD"))?;
        let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
        if date > today || date < earliest {
            return Err(DomainError::invalid(
                "deal_date",
                "成交日期须在 2000-01-01 到今天之间",
            ));
        }
        Ok(Self {
            amount: Fen::new("amount_fen", amount_fen)?,
            deal_date: date,
            note: text::optional("note", "备注", note, 1000, true)?,
        })
    }
}

/// An uploaded contract scan or photo recorded with an offline deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

/// Accepts PDF, PNG and JPEG only, by their leading bytes (the declared type is not trusted).
pub fn sniff_evidence(bytes: &[u8]) -> Result<&'static str, DomainError> {
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Ok("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Ok("image/jpeg")
    } else {
        Err(DomainError::invalid(
            "evidence",
            "合同凭证须为 PDF、PNG 或 JPEG 文件",
        ))
    }
}

/// A safe display name for an uploaded file.
pub fn evidence_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "凭证".into()
    } else {
        cleaned
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    pub id: DealId,
    pub subject: DealSubject,
    /// Title of the main subject posting.
    pub subject_title: String,
    pub requester: UserId,
    pub requester_name: String,
    pub provider: UserId,
    pub provider_name: String,
    pub terms: DealTerms,
    pub origin: DealOrigin,
    pub quote_id: Option<QuoteId>,
    pub inquiry_id: Option<InquiryId>,
    pub status: DealStatus,
    pub requester_confirmed_at: Option<Timestamp>,
    pub provider_confirmed_at: Option<Timestamp>,
    pub confirmed_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    /// The region the deal counts in: the need's, else the service's; a transfer's achievement's.
    pub region: RegionCode,
    pub proposed_by: UserId,
    /// The admin who recorded an offline contract.
    pub recorded_by: Option<UserId>,
    pub evidence: Option<Evidence>,
    pub created_at: Timestamp,
}

impl Deal {
    pub fn side_of(&self, user: UserId) -> Option<Side> {
        if user == self.requester {
            Some(Side::Requester)
        } else if user == self.provider {
            Some(Side::Provider)
        } else {
            None
        }
    }
}

/// One side confirms a proposed deal; it is confirmed once both have.
pub fn confirm(
    status: DealStatus,
    requester_confirmed: bool,
    provider_confirmed: bool,
    side: Side,
) -> Result<(DealStatus, bool, bool), DomainError> {
    if status != DealStatus::Proposed {
        return Err(DomainError::Conflict(format!(
            "交易当前为「{}」，无需确认",
            status.label_zh()
        )));
    }
    let (r, p) = match side {
        Side::Requester if requester_confirmed => {
            return Err(DomainError::Conflict("您已确认过该交易".into()));
        }
        Side::Provider if provider_confirmed => {
            return Err(DomainError::Conflict("您已确认过该交易".into()));
        }
        Side::Requester => (true, provider_confirmed),
        Side::Provider => (requester_confirmed, true),
    };
    let to = if r && p {
        DealStatus::Confirmed
    } else {
        DealStatus::Proposed
    };
    Ok((to, r, p))
}

/// Cancelling: either side (or an admin) while proposed; only a region admin once confirmed
/// (it moves the statistics, so it is an administrative act).
pub fn cancel(status: DealStatus, by_admin: bool) -> Result<DealStatus, DomainError> {
    match (status, by_admin) {
        (DealStatus::Proposed, _) | (DealStatus::Confirmed, true) => Ok(DealStatus::Cancelled),
        (DealStatus::Confirmed, false) => Err(DomainError::Forbidden(
            "已成交的交易只能由地区管理员取消".into(),
        )),
        (DealStatus::Cancelled, _) => Err(DomainError::Conflict("交易已取消".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_confirm() {
        let (s, r, p) =
            confirm(DealStatus::Proposed, true, false, Side::Provider).expect("allowed");
        assert_eq!((s, r, p), (DealStatus::Confirmed, true, true));
        let (s, r, p) =
            confirm(DealStatus::Proposed, false, false, Side::Requester).expect("allowed");
        assert_eq!((s, r, p), (DealStatus::Proposed, true, false));
        assert!(
            confirm(DealStatus::Proposed, true, false, Side::Requester).is_err(),
            "twice"
        );
        assert!(confirm(DealStatus::Confirmed, true, true, Side::Provider).is_err());
        assert!(confirm(DealStatus::Cancelled, true, false, Side::Provider).is_err());
    }

    #[test]
    fn cancellation_rules() {
        assert_eq!(
            cancel(DealStatus::Proposed, false),
            Ok(DealStatus::Cancelled)
        );
        assert_eq!(
            cancel(DealStatus::Proposed, true),
            Ok(DealStatus::Cancelled)
        );
        assert_eq!(
            cancel(DealStatus::Confirmed, true),
            Ok(DealStatus::Cancelled)
        );
        assert!(matches!(
            cancel(DealStatus::Confirmed, false),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            cancel(DealStatus::Cancelled, true),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn terms() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        assert!(DealTerms::parse(100, "2026-11-29", None, today).is_ok());
        assert!(
            DealTerms::parse(100, "2026-11-30", None, today).is_err(),
            "future"
        );
        assert!(DealTerms::parse(100, "29/11/2026", None, today).is_err());
        assert!(DealTerms::parse(-1, "2026-11-01", None, today).is_err());
        assert!(DealTerms::parse(Fen::MAX + 1, "2026-11-01", None, today).is_err());
    }

    #[test]
    fn evidence_types() {
        assert_eq!(sniff_evidence(b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(sniff_evidence(&[0xff, 0xd8, 0xff, 0xe0]), Ok("image/jpeg"));
        assert!(sniff_evidence(b"MZ\x90\x00 exe").is_err());
        assert!(sniff_evidence(b"<html>").is_err());
        assert_eq!(evidence_name("C:\\合同\\扫描件.pdf"), "扫描件.pdf");
        assert_eq!(evidence_name("../../etc/passwd"), "passwd");
        assert_eq!(evidence_name(""), "凭证");
    }
}
