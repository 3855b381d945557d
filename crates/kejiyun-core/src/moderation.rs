//! The moderation life cycle every posting type reuses:
//! draft → pending → published | rejected (with a reason) → edited → pending, and → closed.

pub mod ports;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::regions::RegionCode;
use crate::text;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationStatus {
    Draft,
    Pending,
    Published,
    Rejected,
    Closed,
}

impl ModerationStatus {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Pending,
        Self::Published,
        Self::Rejected,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Pending => "pending",
            Self::Published => "published",
            Self::Rejected => "rejected",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| DomainError::invalid("status", format!("未知状态：{s}")))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Pending => "待审核",
            Self::Published => "已通过",
            Self::Rejected => "已驳回",
            Self::Closed => "已关闭",
        }
    }
}

/// A reason given when rejecting or closing.
pub fn reason(raw: &str) -> Result<String, DomainError> {
    text::bounded("reason", "理由", raw, 2, 500, true)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModerationAction {
    /// The owner sends a draft (or a rejected, edited item) for review.
    Submit,
    /// A region admin publishes it.
    Approve,
    /// A region admin refuses it, saying why.
    Reject { reason: String },
    /// The owner changes the content; published or rejected content goes back to review.
    Edit,
    /// The owner withdraws it, or it ends.
    Close,
}

impl ModerationAction {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Reject { .. } => "reject",
            Self::Edit => "edit",
            Self::Close => "close",
        }
    }
}

/// The single transition function: the new status, or a conflict naming what is not allowed.
pub fn transition(
    from: ModerationStatus,
    action: &ModerationAction,
) -> Result<ModerationStatus, DomainError> {
    use ModerationAction as A;
    use ModerationStatus as S;
    let to = match (from, action) {
        (S::Draft | S::Rejected, A::Submit) => S::Pending,
        (S::Pending, A::Approve) => S::Published,
        (S::Pending, A::Reject { .. }) => S::Rejected,
        (S::Draft, A::Edit) => S::Draft,
        (S::Pending | S::Published | S::Rejected, A::Edit) => S::Pending,
        (S::Draft | S::Pending | S::Published | S::Rejected, A::Close) => S::Closed,
        _ => {
            return Err(DomainError::Conflict(format!(
                "当前状态为「{}」，不能执行该操作",
                from.label_zh()
            )));
        }
    };
    Ok(to)
}

/// What kinds of records go through the queue. Later modules add their kinds here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationKind {
    TechWorker,
    Org,
    Service,
    Need,
    Achievement,
    Question,
    Resource,
}

impl ModerationKind {
    pub const ALL: [Self; 7] = [
        Self::TechWorker,
        Self::Org,
        Self::Service,
        Self::Need,
        Self::Achievement,
        Self::Question,
        Self::Resource,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TechWorker => "tech_worker",
            Self::Org => "org",
            Self::Service => "service",
            Self::Need => "need",
            Self::Achievement => "achievement",
            Self::Question => "question",
            Self::Resource => "resource",
        }
    }

    /// The marketplace posting kind, for kinds that are postings.
    pub fn posting_kind(self) -> Option<crate::market::postings::PostingKind> {
        use crate::market::postings::PostingKind;
        match self {
            Self::Service => Some(PostingKind::Service),
            Self::Need => Some(PostingKind::Need),
            Self::Achievement => Some(PostingKind::Achievement),
            Self::Question => Some(PostingKind::Question),
            Self::Resource => Some(PostingKind::Resource),
            Self::TechWorker | Self::Org => None,
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                DomainError::NotFound(format!(
                    "未知的审核类型：{}",
                    s.chars().take(30).collect::<String>()
                ))
            })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::TechWorker => "科技工作者认证",
            Self::Org => "组织认证",
            Self::Service => "科技服务",
            Self::Need => "科技需求",
            Self::Achievement => "科技成果",
            Self::Question => "专家问诊",
            Self::Resource => "科普资源",
        }
    }
}

/// One entry of a region's moderation queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub kind: ModerationKind,
    pub item_id: i64,
    pub title: String,
    pub region: RegionCode,
    pub submitted_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ModerationAction as A;
    use ModerationStatus as S;

    fn all_actions() -> Vec<A> {
        vec![
            A::Submit,
            A::Approve,
            A::Reject {
                reason: "不符合要求".into(),
            },
            A::Edit,
            A::Close,
        ]
    }

    /// Every (status, action) pair: the allowed ones and where they lead; all others refused.
    #[test]
    fn full_transition_table() {
        let allowed = [
            (S::Draft, "submit", S::Pending),
            (S::Rejected, "submit", S::Pending),
            (S::Pending, "approve", S::Published),
            (S::Pending, "reject", S::Rejected),
            (S::Draft, "edit", S::Draft),
            (S::Pending, "edit", S::Pending),
            (S::Published, "edit", S::Pending),
            (S::Rejected, "edit", S::Pending),
            (S::Draft, "close", S::Closed),
            (S::Pending, "close", S::Closed),
            (S::Published, "close", S::Closed),
            (S::Rejected, "close", S::Closed),
        ];
        for from in S::ALL {
            for action in all_actions() {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action.name())
                    .map(|(_, _, to)| *to);
                match (transition(from, &action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} {action:?}"),
                    (Err(DomainError::Conflict(_)), None) => {}
                    (got, want) => panic!("{from:?} {action:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn reason_is_required() {
        assert!(reason(" ").is_err());
        assert!(reason("资料不全").is_ok());
    }

    #[test]
    fn names_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Ok(s));
        }
        for k in ModerationKind::ALL {
            assert_eq!(ModerationKind::parse(k.as_str()), Ok(k));
        }
    }
}
