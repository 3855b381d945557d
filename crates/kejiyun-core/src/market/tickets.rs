//! Caseworker tickets (科服保姆 / 保姆单): region staff take a need, log follow-ups, link the
//! inquiries and deals that came of it, and close it with an outcome.

use crate::DomainError;
use crate::ids::{FollowUpId, NeedId, TicketId, UserId};
use crate::regions::RegionCode;
use crate::text;
use crate::time::Timestamp;

macro_rules! codes {
    ($name:ident, $field:literal, $what:literal, [$($variant:ident = $code:literal, $zh:literal;)+]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $(Self::$variant => $zh),+ }
            }

            pub fn parse(s: &str) -> Result<Self, DomainError> {
                match s.trim() {
                    $($code => Ok(Self::$variant),)+
                    _ => Err(DomainError::invalid($field, concat!("无效的", $what))),
                }
            }
        }
    };
}

codes!(TicketStatus, "status", "保姆单状态", [
    Open = "open", "跟进中";
    Closed = "closed", "已办结";
]);

codes!(TicketOutcome, "outcome", "办结结果", [
    DealMade = "deal_made", "促成交易";
    Referred = "referred", "已转介其他渠道";
    NoSolution = "no_solution", "暂无解决方案";
    Withdrawn = "withdrawn", "需求方撤回";
]);

codes!(FollowUpKind, "kind", "跟进方式", [
    Call = "call", "电话沟通";
    Visit = "visit", "上门走访";
    Introduction = "introduction", "引荐专家或机构";
    Note = "note", "备注";
]);

codes!(LinkKind, "kind", "关联类型", [
    Inquiry = "inquiry", "对接";
    Deal = "deal", "交易";
]);

pub fn follow_up_note(raw: &str) -> Result<String, DomainError> {
    text::bounded("note", "跟进记录", raw, 2, 2000, true)
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub kind: FollowUpKind,
    pub note: String,
    pub author: UserId,
    pub author_name: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub id: TicketId,
    pub need_id: NeedId,
    pub need_title: String,
    pub region: RegionCode,
    pub staff: UserId,
    pub staff_name: String,
    pub status: TicketStatus,
    pub outcome: Option<TicketOutcome>,
    pub outcome_note: Option<String>,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub follow_ups: Vec<FollowUp>,
    /// (kind, id) of linked inquiries and deals (`LinkKind` says which typed id the `i64` is:
    /// the links are one list in one table, chosen by kind at run time).
    pub links: Vec<(LinkKind, i64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies() {
        assert_eq!(
            TicketOutcome::parse("deal_made"),
            Ok(TicketOutcome::DealMade)
        );
        assert!(TicketOutcome::parse("done").is_err());
        assert_eq!(
            FollowUpKind::parse("visit").map(FollowUpKind::label_zh),
            Ok("上门走访")
        );
        assert!(follow_up_note("x").is_err());
    }
}
