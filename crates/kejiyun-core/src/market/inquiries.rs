//! Inquiries (对接): a message thread between the two sides of a posting. Only they see it.

use super::postings::PostingKind;
use crate::DomainError;
use crate::ids::{InquiryId, MessageId, UserId};
use crate::text;
use crate::time::Timestamp;

pub fn message_body(raw: &str) -> Result<String, DomainError> {
    text::bounded("body", "留言内容", raw, 1, 2000, true)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inquiry {
    pub id: InquiryId,
    /// The posting, of a kind chosen at run time (see `PostingId`).
    pub posting_kind: PostingKind,
    pub posting_id: i64,
    pub posting_title: String,
    /// Who started the thread.
    pub requester: UserId,
    pub requester_name: String,
    /// The posting's owner.
    pub owner: UserId,
    pub owner_name: String,
    pub created_at: Timestamp,
    pub last_message_at: Timestamp,
    pub message_count: u64,
}

impl Inquiry {
    pub fn is_side(&self, user: UserId) -> bool {
        self.requester == user || self.owner == user
    }

    pub fn other_side(&self, user: UserId) -> UserId {
        if user == self.requester {
            self.owner
        } else {
            self.requester
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: MessageId,
    pub inquiry_id: InquiryId,
    pub author: UserId,
    pub author_name: String,
    pub body: String,
    pub created_at: Timestamp,
}
