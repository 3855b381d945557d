//! The inbox's storage contract (`NotificationStore`) on every configured backend, and the
//! marketplace's notifications committing (or not) with the change they describe.

use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::accounts::{Login, NewUser};
use kejiyun_core::ids::UserId;
use kejiyun_core::market::ports::{PostingChange, PostingLifecycleStore, PostingStore};
use kejiyun_core::market::postings::{NeedDraft, NeedInput, PostingKind};
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::moderation::ports::StatusChange;
use kejiyun_core::notifications::ports::NotificationStore;
use kejiyun_core::notifications::{
    NewNotification, NotificationKind, NotificationPreference as P, ReadSelection,
};
use kejiyun_core::paging::Page;
use kejiyun_core::ports::{HealthStore, StoreError};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::{TestDatabase, backends};

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

fn page(n: u32, per: u32) -> Page {
    Page {
        page: n,
        per_page: per,
    }
}

async fn user(store: &SeaStore, login: &str, name: &str) -> UserId {
    store
        .create_user(
            NewUser {
                login: Login::parse(login).unwrap_or_else(|e| panic!("{e}")),
                display_name: name.into(),
                region: RegionCode::parse("511623").ok(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            },
            t(0),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn note(to: UserId, title: &str, at: Timestamp) -> NewNotification {
    NewNotification::new(
        to,
        NotificationKind::NewQuote,
        title,
        "正文：中文与 emoji 🍊",
        "/needs/1",
        at,
    )
}

#[tokio::test]
async fn store_notifications_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        eprintln!(
            "store notifications: backend={} url={}",
            backend.name(),
            kejiyun_db::redact(&db.url)
        );
        let store = db.migrated_store().await;
        assert_eq!(store.backend_name(), backend.name());
        inbox_and_read(&store).await;
        preferences_and_delivery(&store).await;
        written_with_the_moderation_decision(&store).await;
        eprintln!("store notifications: backend={} ok", backend.name());
        db.cleanup().await;
    }
}

async fn inbox_and_read(store: &SeaStore) {
    let a = user(store, "13700000001", "甲").await;
    let b = user(store, "13700000002", "乙").await;
    let items: Vec<_> = (1..=5)
        .map(|i| note(a, &format!("通知{i}"), t(i)))
        .collect();
    store
        .notify(
            items
                .into_iter()
                .chain([note(b, "乙的通知", t(9))])
                .collect(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let unknown = store.notify(vec![note(UserId(999_999), "x", t(1))]).await;
    assert!(
        matches!(unknown, Err(StoreError::Conflict(_))),
        "{unknown:?}"
    );

    let p1 = store
        .inbox(a, false, page(1, 2))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p1.total, 5);
    let titles: Vec<_> = p1.items.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["通知5", "通知4"], "newest first");
    assert_eq!(p1.items[0].body, "正文：中文与 emoji 🍊");
    assert_eq!(p1.items[0].kind, NotificationKind::NewQuote);
    assert_eq!(p1.items[0].created_at, t(5));
    let p3 = store
        .inbox(a, false, page(3, 2))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p3.items.len(), 1);
    assert_eq!(store.unread_count(a).await, Ok(5));
    assert_eq!(store.unread_count(b).await, Ok(1));

    let id5 = p1.items[0].id;
    let id4 = p1.items[1].id;
    let b_id = store
        .inbox(b, false, page(1, 10))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items[0]
        .id;
    // Someone else's id: not found, and nothing changes.
    let r = store
        .mark_read(a, &ReadSelection::Ids(vec![id5, b_id]), t(20))
        .await;
    assert_eq!(r, Err(StoreError::NotFound));
    assert_eq!(store.unread_count(a).await, Ok(5));
    assert_eq!(store.unread_count(b).await, Ok(1));

    assert_eq!(
        store
            .mark_read(a, &ReadSelection::Ids(vec![id5, id4]), t(20))
            .await,
        Ok(2)
    );
    assert_eq!(
        store
            .mark_read(a, &ReadSelection::Ids(vec![id5]), t(21))
            .await,
        Ok(0)
    );
    let read = store
        .inbox(a, false, page(1, 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        read.items[0].read_at,
        Some(t(20)),
        "the first reading time stays"
    );
    let unread = store
        .inbox(a, true, page(1, 10))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unread.total, 3);
    assert!(unread.items.iter().all(|n| n.read_at.is_none()));
    assert_eq!(store.mark_read(a, &ReadSelection::All, t(22)).await, Ok(3));
    assert_eq!(store.unread_count(a).await, Ok(0));
    assert_eq!(store.unread_count(b).await, Ok(1), "only the caller's");
}

async fn preferences_and_delivery(store: &SeaStore) {
    let c = user(store, "13700000003", "丙").await;
    let d = user(store, "13700000004", "丁").await;
    assert_eq!(store.preference(c).await, Ok(None));
    store
        .set_preference(c, P::Weekly, t(1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .set_preference(c, P::Realtime, t(2))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.preference(c).await, Ok(Some(P::Realtime)));
    assert_eq!(store.preference(d).await, Ok(None));

    // Everything written so far (earlier users included) is undelivered.
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let batch = store
            .undelivered_recipients(after, 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let Some(last) = batch.last() else { break };
        after = Some(last.0);
        all.extend(batch);
    }
    let ids: Vec<_> = all.iter().map(|(u, _)| *u).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "in id order, one page at a time");
    assert!(!ids.contains(&c));

    store
        .notify(vec![
            note(c, "丙1", t(30)),
            note(c, "丙2", t(31)),
            note(d, "丁1", t(32)),
        ])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rs = store
        .undelivered_recipients(Some(UserId(c.0 - 1)), 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rs, vec![(c, Some(P::Realtime)), (d, None)]);
    let pending = store
        .undelivered(c, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        pending.iter().map(|n| n.title.as_str()).collect::<Vec<_>>(),
        ["丙1", "丙2"]
    );
    store
        .mark_delivered(&[pending[0].id], t(40))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let left = store
        .undelivered(c, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.len(), 1);
    store
        .mark_delivered(&[left[0].id], t(41))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rs = store
        .undelivered_recipients(Some(UserId(c.0 - 1)), 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rs, vec![(d, None)]);
    // Delivery does not touch the inbox's read state.
    assert_eq!(store.unread_count(c).await, Ok(2));
}

fn decision(from: S, to: S, reason: Option<&str>, at: Timestamp) -> PostingChange {
    PostingChange {
        change: StatusChange {
            from,
            to,
            reason: reason.map(Into::into),
            at,
            audit: None,
        },
        expires_at: None,
        close_reason: None,
    }
}

async fn written_with_the_moderation_decision(store: &SeaStore) {
    let owner = user(store, "13700000005", "戊").await;
    let draft = NeedDraft::parse(&NeedInput {
        title: "脐橙黄龙病防治技术咨询".into(),
        problem: "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡。".into(),
        current_practice: None,
        target: None,
        budget_fen: None,
        deadline: None,
        industry: "agriculture".into(),
        category: "fruit".into(),
        region: "511623".into(),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let id = store
        .create_posting(owner, &draft, t(1), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let change = |from, to, reason| {
        store.change_posting_status(PostingKind::Need, id.0, decision(from, to, reason, t(2)))
    };
    change(S::Draft, S::Pending, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store.unread_count(owner).await,
        Ok(0),
        "submitting notifies nobody"
    );
    change(S::Pending, S::Rejected, Some("请补充果园位置"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A second decision on the same pending state loses the race: no second notification.
    let lost = change(S::Pending, S::Published, None).await;
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    let inbox = store
        .inbox(owner, false, page(1, 10))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(inbox.total, 1);
    let n = &inbox.items[0];
    assert_eq!(n.kind, NotificationKind::PostingRejected);
    assert_eq!(n.link, format!("/needs/{id}"));
    assert!(n.body.contains("请补充果园位置"), "{}", n.body);
    change(S::Rejected, S::Pending, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    change(S::Pending, S::Published, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let inbox = store
        .inbox(owner, true, page(1, 10))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(inbox.items[0].kind, NotificationKind::PostingApproved);
    assert_eq!(inbox.total, 2);
}
