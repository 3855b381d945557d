//! The inbox: a user reads and marks only their own notifications (another user's id is "not
//! found", never "forbidden", so ids reveal nothing); delivery preferences; the sweeper's
//! delivery of e-mail/SMS copies; and the entry point for match notifications.

use crate::ids::UserId;
use crate::notifications::delivery::{Contact, Sender, plan_delivery};
use crate::notifications::{
    self, Notification, NotificationPreference, PostingRef, ReadSelection, is_local_path,
};
use crate::paging::{Page, Paged};
use crate::permissions::Actor;
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

/// Recipients (and notifications per recipient) the sweeper handles per store call.
const DELIVERY_BATCH: u64 = 200;

use_cases!(
    Notifications,
    notifications,
    "The inbox and the delivery of its copies"
);

impl Notifications<'_> {
    pub async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        page: Page,
    ) -> DomainResult<Paged<Notification>> {
        Ok(self.store.inbox(actor.user_id, unread_only, page).await?)
    }

    pub async fn unread_notifications(&self, actor: &Actor) -> DomainResult<u64> {
        Ok(self.store.unread_count(actor.user_id).await?)
    }

    /// Marks the caller's notifications read; returns how many were unread.
    pub async fn mark_notifications_read(
        &self,
        actor: &Actor,
        which: ReadSelection,
    ) -> DomainResult<u64> {
        self.store
            .mark_read(actor.user_id, &which, self.now())
            .await
            .map_err(|e| match DomainError::from(e) {
                DomainError::NotFound(_) => DomainError::NotFound("通知不存在".into()),
                other => other,
            })
    }

    /// The caller's delivery preference (the default until they choose).
    pub async fn notification_preference(
        &self,
        actor: &Actor,
    ) -> DomainResult<NotificationPreference> {
        Ok(self
            .store
            .preference(actor.user_id)
            .await?
            .unwrap_or_default())
    }

    pub async fn set_notification_preference(
        &self,
        actor: &Actor,
        preference: NotificationPreference,
    ) -> DomainResult<()> {
        Ok(self
            .store
            .set_preference(actor.user_id, preference, self.now())
            .await?)
    }

    /// Tells `recipient` that a newly published posting (`matched`) matches their own posting
    /// (`own`); `link` is the local path the notification opens (usually `matched`'s page).
    /// For the matching engine, which calls it after the publication has committed.
    pub async fn notify_new_match(
        &self,
        recipient: UserId,
        own: PostingRef,
        matched: PostingRef,
        link: &str,
    ) -> DomainResult<()> {
        if !is_local_path(link) {
            return Err(DomainError::invalid("link", "通知链接必须是站内路径"));
        }
        let n = notifications::new_match(recipient, &own, &matched, link, self.now());
        Ok(self.store.notify(vec![n]).await?)
    }

    /// Sends what is due through `sender` (real-time copies, daily/weekly digests) and records
    /// it as delivered; returns how many messages were sent. A failed send is logged and the
    /// notifications stay undelivered, so the next sweep tries again.
    pub async fn deliver_notifications(&self, sender: &dyn Sender) -> DomainResult<u64> {
        let now = self.now();
        let mut sent = 0u64;
        let mut after = None;
        loop {
            let batch = self
                .store
                .undelivered_recipients(after, DELIVERY_BATCH)
                .await?;
            let Some((last, _)) = batch.last() else {
                break;
            };
            after = Some(*last);
            for (user, pref) in batch {
                sent += self
                    .deliver_to(sender, user, pref.unwrap_or_default(), now)
                    .await?;
            }
        }
        Ok(sent)
    }

    async fn deliver_to(
        &self,
        sender: &dyn Sender,
        user: UserId,
        pref: NotificationPreference,
        now: Timestamp,
    ) -> DomainResult<u64> {
        let pending = self.store.undelivered(user, DELIVERY_BATCH).await?;
        let plan = plan_delivery(pref, now, &pending);
        if !plan.quiet.is_empty() {
            self.store.mark_delivered(&plan.quiet, now).await?;
        }
        if plan.messages.is_empty() {
            return Ok(0);
        }
        let Some(u) = self.store.user(user).await? else {
            // The account is gone: nothing to send to, settle so it is not looked at again.
            self.store.mark_delivered(&plan.settled(), now).await?;
            return Ok(0);
        };
        let contact = Contact {
            user: Some(user),
            name: u.display_name,
            email: u.email.map(|e| e.as_str().to_owned()),
            phone: u.phone.map(|p| p.as_str().to_owned()),
        };
        let mut sent = 0;
        for d in &plan.messages {
            if let Err(e) = sender.send(&contact, &d.message).await {
                tracing::warn!(user = user.0, error = %e, "sending a notification failed");
                return Ok(sent);
            }
            // Recorded per message: a later failure must not send this one again.
            self.store.mark_delivered(&d.settles, now).await?;
            sent += 1;
        }
        Ok(sent)
    }
}
