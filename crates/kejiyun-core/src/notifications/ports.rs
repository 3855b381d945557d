//! The inbox's storage port. The marketplace's own notifications are written by the market's
//! stores inside the transaction of the change they describe; `notify` is for events that have
//! no such transaction (matches).

use async_trait::async_trait;

use crate::ids::UserId;
use crate::notifications::{NewNotification, Notification, NotificationPreference, ReadSelection};
use crate::paging::{Page, Paged};
use crate::ports::StoreResult;
use crate::time::Timestamp;

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Writes the notifications in one transaction.
    async fn notify(&self, items: Vec<NewNotification>) -> StoreResult<()>;
    /// `user`'s notifications, newest first.
    async fn inbox(
        &self,
        user: UserId,
        unread_only: bool,
        page: Page,
    ) -> StoreResult<Paged<Notification>>;
    async fn unread_count(&self, user: UserId) -> StoreResult<u64>;
    /// Marks `user`'s notifications read (those already read keep their time) and returns how
    /// many changed. `NotFound`, and nothing changes, if an id is not one of `user`'s.
    async fn mark_read(
        &self,
        user: UserId,
        which: &ReadSelection,
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// `None` until the user chooses.
    async fn preference(&self, user: UserId) -> StoreResult<Option<NotificationPreference>>;
    async fn set_preference(
        &self,
        user: UserId,
        preference: NotificationPreference,
        at: Timestamp,
    ) -> StoreResult<()>;

    // Delivery bookkeeping: a notification is undelivered until the sweeper has sent its copy
    // or settled it without one.
    /// Users with undelivered notifications, by id after `after`, with their preference.
    async fn undelivered_recipients(
        &self,
        after: Option<UserId>,
        limit: u64,
    ) -> StoreResult<Vec<(UserId, Option<NotificationPreference>)>>;
    /// `user`'s undelivered notifications, oldest first.
    async fn undelivered(&self, user: UserId, limit: u64) -> StoreResult<Vec<Notification>>;
    async fn mark_delivered(&self, ids: &[i64], at: Timestamp) -> StoreResult<()>;
}
