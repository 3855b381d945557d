//! A typed id per entity, so a user id can never be passed where an organization id is meant,
//! nor a need's id where a deal's is.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use crate::popsci::ResourceDraft;
use crate::questions::QuestionDraft;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        // Generic code (the profile engine) stores and reads ids as the rows' integer keys.
        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_id!(
    /// A registered person.
    UserId,
    /// A tech worker (科技工作者) profile.
    TechWorkerId,
    /// An organization.
    OrgId,
    /// A session or API token.
    TokenId,
    /// An audit log entry.
    AuditId,
);

typed_id!(
    /// An inquiry thread (对接) between the two sides of a posting.
    InquiryId,
    /// One message of an inquiry thread.
    MessageId,
    /// A provider's quote on a need.
    QuoteId,
    /// A deal (交易).
    DealId,
    /// A caseworker ticket (保姆单).
    TicketId,
    /// One follow-up entry of a ticket.
    FollowUpId,
);

typed_id!(
    /// An expert's answer (解答) to a question.
    AnswerId,
);

typed_id!(
    /// A training (培训).
    TrainingId,
    /// One session (场次) of a training.
    TrainingSessionId,
);

typed_id!(
    /// A contest (大赛) round: one edition of one kind, held by one region.
    ContestId,
    /// An entry (参赛作品) of a contest.
    EntryId,
    /// A judge (评委) of a contest.
    JudgeId,
);

typed_id!(
    /// A volunteer's profile (科技志愿者).
    VolunteerId,
    /// A volunteer team (志愿队伍): 支队, 大队 or 小队.
    TeamId,
    /// A volunteer service activity (志愿服务活动).
    ActivityId,
    /// One volunteer's place on an activity, with their check-in, check-out and hours.
    SignupId,
);

typed_id!(
    /// A visit slot (开放时段) of a popular-science sharing base.
    BaseSlotId,
    /// A group booking (团体预约) of a base's visit slot.
    BaseBookingId,
);

typed_id!(
    /// A registered 科普e站 screen.
    EstationId,
    /// A playlist of 科普e站 screens (a screen's own, or a region's).
    PlaylistId,
    /// An emergency override (紧急插播): one resource on every screen of a region, now.
    EmergencyId,
);

/// A posting's id, typed by its kind's content (`ServiceDraft`, `NeedDraft`, …): a need's id
/// cannot be passed where a service's is meant, and `postings().get(actor, id)` infers the kind.
/// The traits are written by hand so that they do not bound `D`; serde is transparent (the same
/// JSON and the same parse errors as a bare `i64`).
///
/// Where the kind is chosen at run time (the moderation queue, an inquiry on "a posting of kind
/// K", search documents, statistics, the kind-agnostic life-cycle store) the pair
/// `(PostingKind, i64)` stays: it is what those records store and route by (`posting_kind`,
/// `posting_id` columns, the queue's kind and item), and an enum of the three typed ids would
/// only be that pair with a `match` at each use; the typed id is made where the kind is matched.
pub struct PostingId<D>(pub i64, PhantomData<fn() -> D>);

impl<D> PostingId<D> {
    pub const fn new(id: i64) -> Self {
        Self(id, PhantomData)
    }
}

impl<D> Clone for PostingId<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D> Copy for PostingId<D> {}

impl<D> PartialEq for PostingId<D> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<D> Eq for PostingId<D> {}

impl<D> PartialOrd for PostingId<D> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<D> Ord for PostingId<D> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl<D> Hash for PostingId<D> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<D> fmt::Debug for PostingId<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PostingId").field(&self.0).finish()
    }
}

impl<D> fmt::Display for PostingId<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<D> Serialize for PostingId<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, D> Deserialize<'de> for PostingId<D> {
    fn deserialize<De: Deserializer<'de>>(d: De) -> Result<Self, De::Error> {
        i64::deserialize(d).map(Self::new)
    }
}

/// A service's (科技服务) id.
pub type ServiceId = PostingId<ServiceDraft>;
/// A need's (科技需求) id.
pub type NeedId = PostingId<NeedDraft>;
/// An achievement's (科技成果) id.
pub type AchievementId = PostingId<AchievementDraft>;
/// A question's (专家问诊) id.
pub type QuestionId = PostingId<QuestionDraft>;
pub type ResourceId = PostingId<ResourceDraft>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posting_ids_are_transparent() {
        let id = NeedId::new(42);
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some("42"));
        assert_eq!(serde_json::from_str::<NeedId>("42").ok(), Some(id));
        let typed = serde_json::from_str::<ServiceId>("\"x\"").map_err(|e| e.to_string());
        let bare = serde_json::from_str::<i64>("\"x\"").map_err(|e| e.to_string());
        assert_eq!(typed.err(), bare.err());
        assert_eq!(id.to_string(), "42");
        let deal = serde_json::from_str::<Option<DealId>>("7").ok().flatten();
        assert_eq!(deal, Some(DealId(7)));
    }
}
