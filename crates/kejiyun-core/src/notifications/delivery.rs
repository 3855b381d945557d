//! Copies of notifications sent outside the site (e-mail/SMS): when they are due and what they
//! say. Pure functions of the preference, the time and the undelivered notifications, so the
//! sweeper only moves data and a fixed clock tests the schedule.

use async_trait::async_trait;
use chrono::{Datelike, Days, NaiveDate, TimeZone};
use chrono_tz::Asia::Shanghai;

use super::{Notification, NotificationPreference};
use crate::ids::UserId;
use crate::time::Timestamp;

/// Digests go out at this hour, Asia/Shanghai (weekly ones on Mondays).
pub const DIGEST_HOUR: u32 = 8;
/// Most notifications listed in one digest message (the rest are counted).
pub const DIGEST_MAX_ITEMS: usize = 20;

/// Where a message goes: the user's contact details as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// `None` for someone who has no account yet (a registration code).
    pub user: Option<UserId>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub subject: String,
    pub body: String,
}

/// The outgoing e-mail/SMS port. An error is logged, and the notifications of the failed
/// message (and of the user's later ones) are tried again at the next sweep; the inbox holds
/// them whatever happens.
#[async_trait]
pub trait Sender: Send + Sync {
    async fn send(&self, to: &Contact, message: &OutgoingMessage) -> Result<(), String>;
}

/// The default sender: writes the message to the log and sends nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogSender;

#[async_trait]
impl Sender for LogSender {
    async fn send(&self, to: &Contact, message: &OutgoingMessage) -> Result<(), String> {
        // Contact details are personal data: the log names the user and the channels only.
        tracing::info!(
            user = to.user.map_or(0, |u| u.0),
            email = to.email.is_some(),
            phone = to.phone.is_some(),
            subject = %message.subject,
            "notification message (log-only sender)"
        );
        Ok(())
    }
}

fn at_digest_hour(day: NaiveDate) -> Option<Timestamp> {
    let local = day.and_hms_opt(DIGEST_HOUR, 0, 0)?;
    // Asia/Shanghai has no daylight saving: every local time is unambiguous.
    Shanghai
        .from_local_datetime(&local)
        .single()
        .map(|t| Timestamp::from(t.to_utc()))
}

/// The most recent digest time at or before `now` for a digest preference (`None` for the
/// others): 08:00 Asia/Shanghai today or yesterday (daily), on this week's or last week's
/// Monday (weekly).
pub fn digest_slot(pref: NotificationPreference, now: Timestamp) -> Option<Timestamp> {
    let today = now.shanghai_date();
    let (day, period) = match pref {
        NotificationPreference::Daily => (today, 1),
        NotificationPreference::Weekly => (
            today.checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))?,
            7,
        ),
        NotificationPreference::None | NotificationPreference::Realtime => return None,
    };
    let slot = at_digest_hour(day)?;
    if slot <= now {
        Some(slot)
    } else {
        at_digest_hour(day.checked_sub_days(Days::new(period))?)
    }
}

/// The notifications of a user's digest at `now`: undelivered, still unread, and created
/// before the latest digest time (later ones wait for the next digest). Empty for the
/// non-digest preferences.
pub fn digest(
    pref: NotificationPreference,
    now: Timestamp,
    undelivered: &[Notification],
) -> Vec<&Notification> {
    let Some(slot) = digest_slot(pref, now) else {
        return Vec::new();
    };
    undelivered
        .iter()
        .filter(|n| n.created_at < slot && n.is_unread())
        .collect()
}

/// One message and the notifications it settles once it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub message: OutgoingMessage,
    pub settles: Vec<i64>,
}

/// What the sweeper does for one user: record `quiet` as delivered (settled without a
/// message: read already, or the user wants none), then send each message and record what it
/// settles as soon as it is sent — so a send that fails halfway does not send the earlier
/// messages again on the next sweep.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryPlan {
    pub quiet: Vec<i64>,
    pub messages: Vec<Delivery>,
}

impl DeliveryPlan {
    /// Every notification the plan settles once all its messages are sent, in id order.
    pub fn settled(&self) -> Vec<i64> {
        let mut all: Vec<i64> = self.quiet.clone();
        all.extend(self.messages.iter().flat_map(|d| d.settles.iter().copied()));
        all.sort_unstable();
        all
    }
}

pub fn plan_delivery(
    pref: NotificationPreference,
    now: Timestamp,
    undelivered: &[Notification],
) -> DeliveryPlan {
    match pref {
        NotificationPreference::None => DeliveryPlan {
            quiet: undelivered.iter().map(|n| n.id).collect(),
            messages: Vec::new(),
        },
        NotificationPreference::Realtime => DeliveryPlan {
            quiet: undelivered
                .iter()
                .filter(|n| !n.is_unread())
                .map(|n| n.id)
                .collect(),
            messages: undelivered
                .iter()
                .filter(|n| n.is_unread())
                .map(|n| Delivery {
                    message: OutgoingMessage {
                        subject: n.title.clone(),
                        body: format!("{}\n{}", n.body, n.link),
                    },
                    settles: vec![n.id],
                })
                .collect(),
        },
        NotificationPreference::Daily | NotificationPreference::Weekly => {
            let Some(slot) = digest_slot(pref, now) else {
                return DeliveryPlan::default();
            };
            let due: Vec<i64> = undelivered
                .iter()
                .filter(|n| n.created_at < slot)
                .map(|n| n.id)
                .collect();
            let items = digest(pref, now, undelivered);
            if items.is_empty() {
                DeliveryPlan {
                    quiet: due,
                    messages: Vec::new(),
                }
            } else {
                // The digest settles the read ones with it: they were due in the same slot.
                DeliveryPlan {
                    quiet: Vec::new(),
                    messages: vec![Delivery {
                        message: digest_message(pref, &items),
                        settles: due,
                    }],
                }
            }
        }
    }
}

fn digest_message(pref: NotificationPreference, items: &[&Notification]) -> OutgoingMessage {
    let period = if pref == NotificationPreference::Weekly {
        "每周"
    } else {
        "每日"
    };
    let mut body: Vec<String> = items
        .iter()
        .take(DIGEST_MAX_ITEMS)
        .map(|n| format!("· {}（{}）", n.title, n.link))
        .collect();
    if items.len() > DIGEST_MAX_ITEMS {
        body.push(format!(
            "……另有 {} 条，请到站内信查看",
            items.len() - DIGEST_MAX_ITEMS
        ));
    }
    body.push("全部通知：/me/notifications".to_owned());
    OutgoingMessage {
        subject: format!("科技云{period}通知摘要：{} 条未读", items.len()),
        body: body.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::notifications::NotificationKind;

    /// `yyyy-mm-dd hh:mm` in Asia/Shanghai.
    fn sh(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
        let local = NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap_or_else(|| panic!("bad date"));
        Timestamp::from(
            Shanghai
                .from_local_datetime(&local)
                .single()
                .unwrap_or_else(|| panic!("ambiguous"))
                .with_timezone(&Utc),
        )
    }

    fn note(id: i64, created_at: Timestamp, read: bool) -> Notification {
        Notification {
            id,
            recipient: UserId(1),
            kind: NotificationKind::NewQuote,
            title: format!("通知 {id}"),
            body: "正文".into(),
            link: format!("/needs/{id}"),
            created_at,
            read_at: read.then_some(created_at),
        }
    }

    #[test]
    fn daily_slot_is_eight_in_shanghai() {
        let p = NotificationPreference::Daily;
        // 2026-12-02 is a Wednesday.
        assert_eq!(
            digest_slot(p, sh(2026, 12, 2, 9, 0)),
            Some(sh(2026, 12, 2, 8, 0))
        );
        assert_eq!(
            digest_slot(p, sh(2026, 12, 2, 8, 0)),
            Some(sh(2026, 12, 2, 8, 0))
        );
        assert_eq!(
            digest_slot(p, sh(2026, 12, 2, 7, 59)),
            Some(sh(2026, 12, 1, 8, 0))
        );
        // 00:30 in Shanghai is still the previous day in UTC: the Shanghai date counts.
        assert_eq!(
            digest_slot(p, sh(2026, 12, 2, 0, 30)),
            Some(sh(2026, 12, 1, 8, 0))
        );
        assert_eq!(
            digest_slot(NotificationPreference::Realtime, sh(2026, 12, 2, 9, 0)),
            None
        );
        assert_eq!(
            digest_slot(NotificationPreference::None, sh(2026, 12, 2, 9, 0)),
            None
        );
    }

    #[test]
    fn weekly_slot_is_monday_morning() {
        let p = NotificationPreference::Weekly;
        // Monday 2026-11-30.
        assert_eq!(
            digest_slot(p, sh(2026, 12, 2, 9, 0)),
            Some(sh(2026, 11, 30, 8, 0))
        );
        assert_eq!(
            digest_slot(p, sh(2026, 11, 30, 8, 1)),
            Some(sh(2026, 11, 30, 8, 0))
        );
        assert_eq!(
            digest_slot(p, sh(2026, 11, 30, 7, 0)),
            Some(sh(2026, 11, 23, 8, 0))
        );
        assert_eq!(
            digest_slot(p, sh(2026, 12, 6, 23, 0)),
            Some(sh(2026, 11, 30, 8, 0))
        );
    }

    #[test]
    fn digest_holds_unread_notifications_before_the_slot() {
        let now = sh(2026, 12, 2, 9, 0);
        let items = vec![
            note(1, sh(2026, 12, 1, 10, 0), false),
            note(2, sh(2026, 12, 1, 11, 0), true),
            note(3, sh(2026, 12, 2, 8, 30), false),
        ];
        let d = digest(NotificationPreference::Daily, now, &items);
        assert_eq!(d.iter().map(|n| n.id).collect::<Vec<_>>(), vec![1]);
        let plan = plan_delivery(NotificationPreference::Daily, now, &items);
        assert_eq!(plan.messages.len(), 1);
        assert_eq!(
            plan.messages[0].message.subject,
            "科技云每日通知摘要：1 条未读"
        );
        assert!(plan.messages[0].message.body.contains("通知 1（/needs/1）"));
        // The read one is settled without being sent; the 08:30 one waits for tomorrow.
        assert_eq!(plan.settled(), vec![1, 2]);
        // Before the next slot nothing more is due.
        let later = plan_delivery(
            NotificationPreference::Daily,
            sh(2026, 12, 3, 7, 0),
            &items[2..],
        );
        assert_eq!(later, DeliveryPlan::default());
        let next = plan_delivery(
            NotificationPreference::Daily,
            sh(2026, 12, 3, 8, 0),
            &items[2..],
        );
        assert_eq!(next.settled(), vec![3]);
        assert_eq!(next.messages.len(), 1);
    }

    #[test]
    fn weekly_digest_waits_for_monday() {
        let items = vec![note(1, sh(2026, 12, 1, 10, 0), false)];
        let p = NotificationPreference::Weekly;
        assert_eq!(
            plan_delivery(p, sh(2026, 12, 6, 20, 0), &items),
            DeliveryPlan::default()
        );
        let plan = plan_delivery(p, sh(2026, 12, 7, 8, 5), &items);
        assert_eq!(plan.settled(), vec![1]);
        assert!(plan.messages[0].message.subject.contains("每周"));
    }

    #[test]
    fn realtime_and_none() {
        let now = sh(2026, 12, 2, 9, 0);
        let items = vec![note(1, now, false), note(2, now, true)];
        let rt = plan_delivery(NotificationPreference::Realtime, now, &items);
        assert_eq!(rt.messages.len(), 1);
        assert_eq!(rt.messages[0].message.subject, "通知 1");
        assert_eq!(rt.settled(), vec![1, 2]);
        let none = plan_delivery(NotificationPreference::None, now, &items);
        assert!(none.messages.is_empty());
        assert_eq!(none.settled(), vec![1, 2]);
    }

    #[test]
    fn long_digests_are_summarised() {
        let now = sh(2026, 12, 2, 9, 0);
        let items: Vec<_> = (1..=25)
            .map(|i| note(i, sh(2026, 12, 1, 9, 0), false))
            .collect();
        let plan = plan_delivery(NotificationPreference::Daily, now, &items);
        assert_eq!(plan.settled().len(), 25);
        assert!(
            plan.messages[0].message.body.contains("另有 5 条"),
            "{}",
            plan.messages[0].message.body
        );
    }
}
