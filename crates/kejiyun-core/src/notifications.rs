//! The in-site inbox (站内信): what a notification is, the texts of the marketplace's events,
//! each user's delivery preference, and (in [`delivery`]) when outgoing e-mail/SMS copies go
//! out. The inbox always receives every notification; the preference only governs the copies.

pub mod delivery;
pub mod ports;

use crate::DomainError;
use crate::ids::{DealId, InquiryId, NeedId, UserId};
use crate::market::postings::PostingKind;
use crate::moderation::{ModerationKind, ModerationStatus};
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// Longest stored title and body (characters); longer texts are cut, never refused, because a
/// notification is written as a side effect of another change that must not fail for it.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 1000;
/// Most ids one "mark as read" request may name.
pub const MAX_READ_IDS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    PostingApproved,
    PostingRejected,
    /// A new inquiry thread, or a new message in one.
    NewInquiry,
    NewQuote,
    DealToConfirm,
    DealConfirmed,
    NewMatch,
    ActivityReminder,
    /// A tech worker profile or an organization was approved.
    ProfileApproved,
    ProfileRejected,
    /// Something entered the moderation queue of the recipient's region (admins).
    PendingReview,
    /// A published question was routed to the recipient, a tech worker (专家问诊).
    QuestionInvitation,
    /// Someone answered the recipient's question.
    NewAnswer,
    /// The asker accepted the recipient's answer.
    AnswerAccepted,
    /// A popular-science base confirmed the recipient's group booking.
    BookingConfirmed,
    /// A popular-science base declined the recipient's group booking.
    BookingDeclined,
}

impl NotificationKind {
    pub const ALL: [Self; 16] = [
        Self::PostingApproved,
        Self::PostingRejected,
        Self::NewInquiry,
        Self::NewQuote,
        Self::DealToConfirm,
        Self::DealConfirmed,
        Self::NewMatch,
        Self::ActivityReminder,
        Self::ProfileApproved,
        Self::ProfileRejected,
        Self::PendingReview,
        Self::QuestionInvitation,
        Self::NewAnswer,
        Self::AnswerAccepted,
        Self::BookingConfirmed,
        Self::BookingDeclined,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::PostingApproved => "posting_approved",
            Self::PostingRejected => "posting_rejected",
            Self::NewInquiry => "new_inquiry",
            Self::NewQuote => "new_quote",
            Self::DealToConfirm => "deal_to_confirm",
            Self::DealConfirmed => "deal_confirmed",
            Self::NewMatch => "new_match",
            Self::ActivityReminder => "activity_reminder",
            Self::ProfileApproved => "profile_approved",
            Self::ProfileRejected => "profile_rejected",
            Self::PendingReview => "pending_review",
            Self::QuestionInvitation => "question_invitation",
            Self::NewAnswer => "new_answer",
            Self::AnswerAccepted => "answer_accepted",
            Self::BookingConfirmed => "booking_confirmed",
            Self::BookingDeclined => "booking_declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PostingApproved => "审核通过",
            Self::PostingRejected => "审核驳回",
            Self::NewInquiry => "新的对接留言",
            Self::NewQuote => "新的报价",
            Self::DealToConfirm => "交易待确认",
            Self::DealConfirmed => "交易已成交",
            Self::NewMatch => "新的匹配",
            Self::ActivityReminder => "活动提醒",
            Self::ProfileApproved => "资料审核通过",
            Self::ProfileRejected => "资料审核驳回",
            Self::PendingReview => "新的待审核",
            Self::QuestionInvitation => "邀请解答",
            Self::NewAnswer => "新的回答",
            Self::AnswerAccepted => "回答被采纳",
            Self::BookingConfirmed => "预约已确认",
            Self::BookingDeclined => "预约被婉拒",
        }
    }
}

/// A notification about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub recipient: UserId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// A local path (`/needs/42`) the notification leads to.
    pub link: String,
    pub at: Timestamp,
}

impl NewNotification {
    /// Cuts the texts to the stored lengths and keeps the link local (`/` otherwise).
    pub fn new(
        recipient: UserId,
        kind: NotificationKind,
        title: &str,
        body: &str,
        link: &str,
        at: Timestamp,
    ) -> Self {
        Self {
            recipient,
            kind,
            title: cut(title, MAX_TITLE_CHARS),
            body: cut(body, MAX_BODY_CHARS),
            link: if is_local_path(link) {
                link.to_owned()
            } else {
                "/".to_owned()
            },
            at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub recipient: UserId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

impl Notification {
    pub fn is_unread(&self) -> bool {
        self.read_at.is_none()
    }
}

/// How a user wants copies of their notifications sent to their e-mail/phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NotificationPreference {
    /// Inbox only.
    None,
    /// One message per notification, as soon as the sweeper sees it.
    Realtime,
    /// One digest a day (08:00 Asia/Shanghai) of what is still unread.
    #[default]
    Daily,
    /// One digest a week (Monday 08:00 Asia/Shanghai).
    Weekly,
}

impl NotificationPreference {
    pub const ALL: [Self; 4] = [Self::None, Self::Realtime, Self::Daily, Self::Weekly];

    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Realtime => "realtime",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid(
                    "preference",
                    "通知方式应为 none（不发送）、realtime（实时）、daily（每日摘要）或 weekly（每周摘要）",
                )
            })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::None => "不发送",
            Self::Realtime => "实时发送",
            Self::Daily => "每日摘要",
            Self::Weekly => "每周摘要",
        }
    }
}

/// Which notifications a "mark as read" names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadSelection {
    Ids(Vec<i64>),
    All,
}

impl ReadSelection {
    /// Either `all` or a non-empty list of at most [`MAX_READ_IDS`] positive ids.
    pub fn parse(ids: Option<Vec<i64>>, all: bool) -> Result<Self, DomainError> {
        match (ids.filter(|v| !v.is_empty()), all) {
            (Some(_), true) => Err(DomainError::invalid(
                "ids",
                "请只选择一种方式：指定通知编号，或全部标为已读",
            )),
            (None, true) => Ok(Self::All),
            (None, false) => Err(DomainError::invalid(
                "ids",
                "请指定要标为已读的通知编号，或选择全部标为已读",
            )),
            (Some(mut ids), false) => {
                if ids.len() > MAX_READ_IDS {
                    return Err(DomainError::invalid(
                        "ids",
                        format!("一次最多标记 {MAX_READ_IDS} 条通知"),
                    ));
                }
                if ids.iter().any(|i| *i <= 0) {
                    return Err(DomainError::invalid("ids", "通知编号必须是正整数"));
                }
                ids.sort_unstable();
                ids.dedup();
                Ok(Self::Ids(ids))
            }
        }
    }
}

/// A local path: starts with one `/`, no scheme, no backslash, no control characters.
pub fn is_local_path(s: &str) -> bool {
    s.starts_with('/')
        && !s.starts_with("//")
        && s.len() <= 500
        && !s.chars().any(|c| c.is_control() || c == '\\')
}

fn cut(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The page of a posting (`/needs/42`).
pub fn posting_path(kind: PostingKind, id: i64) -> String {
    let plural = match kind {
        PostingKind::Service => "services",
        PostingKind::Need => "needs",
        PostingKind::Achievement => "achievements",
        PostingKind::Question => "questions",
        PostingKind::Resource => "resources",
    };
    format!("/{plural}/{id}")
}

/// A posting named in a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingRef {
    pub kind: PostingKind,
    pub id: i64,
    pub title: String,
}

// The texts of the marketplace's events. The stores call these inside the transaction of the
// change they describe, so the notification commits (or not) with it.

/// Tells a region admin that an item entered their moderation queue. Realtime or in the
/// daily/weekly digest, as the admin's notification preference says.
pub fn pending_review(
    admin: UserId,
    kind: ModerationKind,
    title: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        admin,
        NotificationKind::PendingReview,
        &format!("新的待审核{}：「{title}」", kind.label_zh()),
        "请在工作台的审核队列中处理。",
        &format!("/admin?kind={}#queue", kind.as_str()),
        at,
    )
}

/// Who is told of a new queue item in `region`: the admins of the nearest level that has any
/// (the county's own admins; else the city's; else the province's). Admins above still see
/// the item in their queue and badge, but are not told of every county's posting.
pub fn nearest_admins(region: RegionCode, admins: &[(UserId, RegionCode)]) -> Vec<UserId> {
    let mut level = Some(region);
    while let Some(code) = level {
        let here: Vec<UserId> = admins
            .iter()
            .filter(|(_, r)| *r == code)
            .map(|(u, _)| *u)
            .collect();
        if !here.is_empty() {
            return here;
        }
        level = code.parent();
    }
    Vec::new()
}

pub fn posting_approved(
    owner: UserId,
    kind: PostingKind,
    id: i64,
    title: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        owner,
        NotificationKind::PostingApproved,
        &format!("您的{}「{title}」已通过审核", kind.label_zh()),
        "已公开发布，其他用户现在可以查看并与您对接。",
        &posting_path(kind, id),
        at,
    )
}

/// A rejection's body: the reason, and what to do next.
fn rejection_body(reason: Option<&str>) -> String {
    match reason {
        Some(r) => format!("驳回理由：{r}。修改后可重新提交审核。"),
        None => "修改后可重新提交审核。".to_owned(),
    }
}

pub fn posting_rejected(
    owner: UserId,
    kind: PostingKind,
    id: i64,
    title: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> NewNotification {
    let body = rejection_body(reason);
    NewNotification::new(
        owner,
        NotificationKind::PostingRejected,
        &format!("您的{}「{title}」未通过审核", kind.label_zh()),
        &body,
        &posting_path(kind, id),
        at,
    )
}

/// What a profile decision is about: the user's tech worker profile, or an organization they
/// administer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileRef {
    TechWorker { id: i64 },
    Org { id: i64, name: String },
}

impl ProfileRef {
    fn described(&self) -> String {
        match self {
            Self::TechWorker { .. } => "科技工作者资料".to_owned(),
            Self::Org { name, .. } => format!("组织「{name}」的资料"),
        }
    }

    fn path(&self) -> String {
        match self {
            Self::TechWorker { id } => format!("/tech-workers/{id}"),
            Self::Org { id, .. } => format!("/orgs/{id}"),
        }
    }
}

/// What a moderation decision on a profile tells its owner: approval or rejection of a
/// pending profile; other status moves (withdrawal, an edit sent back to review) tell nobody.
pub fn profile_decision(
    owner: UserId,
    profile: &ProfileRef,
    from: ModerationStatus,
    to: ModerationStatus,
    reason: Option<&str>,
    at: Timestamp,
) -> Option<NewNotification> {
    match (from, to) {
        (ModerationStatus::Pending, ModerationStatus::Published) => {
            Some(profile_approved(owner, profile, at))
        }
        (ModerationStatus::Pending, ModerationStatus::Rejected) => {
            Some(profile_rejected(owner, profile, reason, at))
        }
        _ => None,
    }
}

pub fn profile_approved(owner: UserId, profile: &ProfileRef, at: Timestamp) -> NewNotification {
    let body = match profile {
        ProfileRef::TechWorker { .. } => "已公开展示，可以在供需对接中被需求方找到。",
        ProfileRef::Org { .. } => "已公开展示，组织的服务与数据已计入本地区统计。",
    };
    NewNotification::new(
        owner,
        NotificationKind::ProfileApproved,
        &format!("您的{}已通过审核", profile.described()),
        body,
        &profile.path(),
        at,
    )
}

pub fn profile_rejected(
    owner: UserId,
    profile: &ProfileRef,
    reason: Option<&str>,
    at: Timestamp,
) -> NewNotification {
    let body = rejection_body(reason);
    let path = match profile {
        ProfileRef::TechWorker { .. } => "/me/tech-worker".to_owned(),
        ProfileRef::Org { id, .. } => format!("/orgs/{id}/edit"),
    };
    NewNotification::new(
        owner,
        NotificationKind::ProfileRejected,
        &format!("您的{}未通过审核", profile.described()),
        &body,
        &path,
        at,
    )
}

/// A message in an inquiry thread, for the side that did not write it.
pub fn new_message(
    recipient: UserId,
    inquiry_id: InquiryId,
    posting_title: &str,
    author_name: &str,
    first: bool,
    at: Timestamp,
) -> NewNotification {
    let title = if first {
        format!("{author_name}就「{posting_title}」向您发起对接")
    } else {
        format!("{author_name}在「{posting_title}」的对接中给您留言")
    };
    NewNotification::new(
        recipient,
        NotificationKind::NewInquiry,
        &title,
        "请查看留言并回复。",
        &format!("/inquiries/{inquiry_id}"),
        at,
    )
}

pub fn new_quote(
    need_owner: UserId,
    need_id: NeedId,
    need_title: &str,
    provider_name: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        need_owner,
        NotificationKind::NewQuote,
        &format!("{provider_name}对您的需求「{need_title}」提交了报价"),
        "可在需求页面比较各方报价，接受或婉拒。",
        &posting_path(PostingKind::Need, need_id.0),
        at,
    )
}

/// A proposed deal, for a side that has not confirmed it yet.
pub fn deal_to_confirm(
    recipient: UserId,
    deal_id: DealId,
    subject_title: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        recipient,
        NotificationKind::DealToConfirm,
        &format!("「{subject_title}」的交易等待您确认"),
        "请核对交易金额和日期，确认或取消。",
        &format!("/deals/{deal_id}"),
        at,
    )
}

pub fn deal_confirmed(
    recipient: UserId,
    deal_id: DealId,
    subject_title: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        recipient,
        NotificationKind::DealConfirmed,
        &format!("「{subject_title}」的交易已成交"),
        "双方均已确认，交易已计入统计。",
        &format!("/deals/{deal_id}"),
        at,
    )
}

/// A published question was routed to the recipient (a tech worker), with the reasons.
pub fn question_invitation(
    expert: UserId,
    question: i64,
    title: &str,
    reasons: &[String],
    at: Timestamp,
) -> NewNotification {
    let why = if reasons.is_empty() {
        String::new()
    } else {
        format!("推荐理由：{}。", reasons.join("；"))
    };
    NewNotification::new(
        expert,
        NotificationKind::QuestionInvitation,
        &format!("邀请您解答问题「{title}」"),
        &format!("{why}您的专业与该问题相近，欢迎解答。"),
        &posting_path(PostingKind::Question, question),
        at,
    )
}

/// Someone answered the recipient's question.
pub fn new_answer(
    asker: UserId,
    question: i64,
    title: &str,
    expert_name: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        asker,
        NotificationKind::NewAnswer,
        &format!("您的问题「{title}」有了新的回答"),
        &format!("{expert_name} 回答了您的问题；若解决了您的问题，请采纳该回答。"),
        &posting_path(PostingKind::Question, question),
        at,
    )
}

/// The asker accepted the recipient's answer.
pub fn answer_accepted(
    expert: UserId,
    question: i64,
    title: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        expert,
        NotificationKind::AnswerAccepted,
        &format!("您对「{title}」的回答已被采纳"),
        "提问者采纳了您的回答，感谢您的解答。",
        &posting_path(PostingKind::Question, question),
        at,
    )
}

/// A base decided the recipient's group booking: confirmed, or declined with `reason`.
pub fn booking_decided(
    booker: UserId,
    base_name: &str,
    visit: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> NewNotification {
    let (kind, title, body) = match reason {
        None => (
            NotificationKind::BookingConfirmed,
            format!("「{base_name}」已确认您的团体预约"),
            format!("参观时间：{visit}。请按时到达。"),
        ),
        Some(r) => (
            NotificationKind::BookingDeclined,
            format!("「{base_name}」婉拒了您的团体预约"),
            format!("参观时间：{visit}。理由：{r}"),
        ),
    };
    NewNotification::new(booker, kind, &title, &body, "/me/base-bookings", at)
}

/// A newly published posting matches one of the recipient's own postings.
pub fn new_match(
    recipient: UserId,
    own: &PostingRef,
    matched: &PostingRef,
    link: &str,
    at: Timestamp,
) -> NewNotification {
    NewNotification::new(
        recipient,
        NotificationKind::NewMatch,
        &format!(
            "新发布的{}「{}」与您的{}「{}」匹配",
            matched.kind.label_zh(),
            matched.title,
            own.kind.label_zh(),
            own.title
        ),
        "去看看是否适合对接。",
        link,
        at,
    )
}

#[cfg(test)]
mod tests;
