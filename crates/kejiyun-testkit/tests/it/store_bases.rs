//! The bases storage contract (`bases::ports::BaseStore`) on every configured backend: only
//! verified base orgs are listed, the profile round-trips and is replaced, bookings take their
//! places within the slot's capacity (eight groups racing for the last places: exactly as many
//! win as fit, and `booked` equals the sum of the live bookings), a decision or cancellation is
//! applied once and a decline or cancellation gives the places back.

use kejiyun_core::accounts::Phone;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::bases::ports::{BaseStore, BookingChange, BookingFilter, NewBooking};
use kejiyun_core::bases::{BaseProfile, BaseType, BookingDraft, BookingStatus, SlotDraft};
use kejiyun_core::ids::{BaseBookingId, BaseSlotId, OrgId, UserId};
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::moderation::ports::ModerationStore;
use kejiyun_core::notifications;
use kejiyun_core::orgs::{Org, OrgProfile, OrgType};
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::StoreError;
use kejiyun_core::profiles::ports::ProfileStore;
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{code, fresh_store, must, sh, status_change, user};

async fn org(store: &SeaStore, owner: UserId, name: &str, t: OrgType, verified: bool) -> OrgId {
    let p = OrgProfile {
        name: name.into(),
        org_type: t,
        region: code("511623"),
        credit_code: None,
        address: None,
        description: None,
        contact_phone: None,
    };
    let at = sh(2026, 6, 1, 9, 0, 0);
    let id = must(ProfileStore::<Org>::create_profile(store, owner, &p, S::Pending, at).await);
    if verified {
        must(
            store
                .change_status(
                    ModerationKind::Org,
                    id.0,
                    status_change(S::Pending, S::Published, at),
                )
                .await,
        );
    }
    id
}

fn profile(address: &str) -> BaseProfile {
    BaseProfile {
        base_type: BaseType::Venue,
        address: address.into(),
        open_hours: "周二至周日 9:00–17:00".into(),
        contact_name: "王老师".into(),
        contact_phone: Phone::parse("13800138000").unwrap_or_else(|e| panic!("{e}")),
        intro: Some("常设展厅八个".into()),
    }
}

async fn slot(store: &SeaStore, org: OrgId, by: UserId, capacity: u32) -> BaseSlotId {
    let draft = SlotDraft {
        starts_at: sh(2026, 7, 1, 9, 0, 0),
        ends_at: sh(2026, 7, 1, 11, 0, 0),
        capacity,
    };
    must(
        store
            .create_slot(org, &draft, by, sh(2026, 6, 2, 9, 0, 0))
            .await,
    )
}

fn booking(slot: BaseSlotId, booker: UserId, size: u32) -> NewBooking {
    NewBooking {
        slot,
        booker,
        draft: BookingDraft {
            group_name: format!("第{size}组"),
            group_size: size,
            contact_phone: Phone::parse("13900139000").unwrap_or_else(|e| panic!("{e}")),
            note: None,
        },
        at: sh(2026, 6, 3, 9, 0, 0),
    }
}

fn change(id: BaseBookingId, from: BookingStatus, to: BookingStatus) -> BookingChange {
    BookingChange {
        id,
        from,
        to,
        reason: (to == BookingStatus::Declined).then(|| "当天闭馆".to_owned()),
        at: sh(2026, 6, 4, 9, 0, 0),
        audit: None,
        notification: None,
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

async fn booked(store: &SeaStore, id: BaseSlotId) -> u32 {
    must(store.slot(id).await)
        .unwrap_or_else(|| panic!("slot"))
        .booked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn base_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store bases: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        last_places_under_concurrency(&store).await;
        db.cleanup().await;
    }
}

async fn contract(store: &SeaStore) {
    let admin = user(store, "科技馆").await;
    let base = org(store, admin, "邻水县科技馆", OrgType::Base, true).await;
    org(store, admin, "待认证基地", OrgType::Base, false).await;
    org(store, admin, "邻水县科协", OrgType::Association, true).await;

    // Only the verified base is listed, without a profile until one is written.
    let listed = must(
        store
            .bases(&RegionScope::Within(vec![code("511600")]))
            .await,
    );
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].org, listed[0].profile.is_none()), (base, true));
    must(
        store
            .save_base_profile(base, &profile("旧址"), admin, sh(2026, 6, 1, 10, 0, 0))
            .await,
    );
    must(
        store
            .save_base_profile(base, &profile("县城新区"), admin, sh(2026, 6, 1, 11, 0, 0))
            .await,
    );
    assert_eq!(
        must(store.base_profile(base).await),
        Some(profile("县城新区")),
        "replaced"
    );
    let listed = must(
        store
            .bases(&RegionScope::Within(vec![code("511623")]))
            .await,
    );
    assert_eq!(listed[0].profile, Some(profile("县城新区")));
    assert!(
        must(
            store
                .bases(&RegionScope::Within(vec![code("510100")]))
                .await
        )
        .is_empty(),
        "another city"
    );

    // Places are taken at booking time, never past the capacity.
    let s = slot(store, base, admin, 10).await;
    let (a, b) = (user(store, "实验小学").await, user(store, "第二中学").await);
    let first = must(store.book(&booking(s, a, 4)).await);
    let over = conflict(store.book(&booking(s, b, 7)).await, "7 of 6 left");
    assert!(over.contains("名额不足"), "{over}");
    assert_eq!(booked(store, s).await, 4, "a refused booking takes nothing");
    let second = must(store.book(&booking(s, b, 6)).await);
    assert_eq!(booked(store, s).await, 10);
    let one = must(store.booking(first).await).unwrap_or_else(|| panic!("booking"));
    assert_eq!(
        (one.status, one.group_size, one.booker, one.org),
        (BookingStatus::Pending, 4, a, base)
    );
    assert_eq!(one.base_name, "邻水县科技馆");
    assert_eq!(one.slot_starts_at, sh(2026, 7, 1, 9, 0, 0));
    let slots = must(store.slots(base, sh(2026, 6, 30, 0, 0, 0)).await);
    assert_eq!(slots.iter().map(|x| x.id).collect::<Vec<_>>(), vec![s]);
    assert!(must(store.slots(base, sh(2026, 7, 1, 11, 0, 0)).await).is_empty());

    // A decline gives the places back, with its audit entry and notice; decided once.
    let mut decline = change(first, BookingStatus::Pending, BookingStatus::Declined);
    decline.audit = Some(AuditRecord {
        actor: Some(admin),
        at: decline.at,
        action: "base_booking.decline".into(),
        target_kind: "base_booking".into(),
        target_id: first.to_string(),
        region: Some(code("511623")),
        before: None,
        after: None,
    });
    decline.notification = Some(notifications::booking_decided(
        a,
        "邻水县科技馆",
        "2026-07-01 09:00",
        Some("当天闭馆"),
        decline.at,
    ));
    must(store.change_booking(&decline).await);
    assert_eq!(booked(store, s).await, 6);
    let again = change(first, BookingStatus::Pending, BookingStatus::Confirmed);
    conflict(store.change_booking(&again).await, "decided twice");
    assert_eq!(booked(store, s).await, 6);
    let one = must(store.booking(first).await).unwrap_or_else(|| panic!("booking"));
    assert_eq!(
        (one.status, one.reason.as_deref()),
        (BookingStatus::Declined, Some("当天闭馆"))
    );

    // Confirmed keeps the places; the booker's cancellation gives them back, once.
    must(
        store
            .change_booking(&change(
                second,
                BookingStatus::Pending,
                BookingStatus::Confirmed,
            ))
            .await,
    );
    assert_eq!(booked(store, s).await, 6);
    let cancel = change(second, BookingStatus::Confirmed, BookingStatus::Cancelled);
    must(store.change_booking(&cancel).await);
    conflict(store.change_booking(&cancel).await, "cancelled twice");
    assert_eq!(booked(store, s).await, 0);

    assert_eq!(
        must(store.bookings(BookingFilter::Base(base)).await).len(),
        2
    );
    let mine = must(store.bookings(BookingFilter::Booker(b)).await);
    assert_eq!(
        mine.iter().map(|x| (x.id, x.status)).collect::<Vec<_>>(),
        vec![(second, BookingStatus::Cancelled)]
    );
}

/// Eight groups of two book at once when three such groups fit: exactly three win, the others
/// are told there are not enough places, and `booked` is the sum of the live bookings.
async fn last_places_under_concurrency(store: &SeaStore) {
    let admin = user(store, "青少年活动中心").await;
    let base = org(
        store,
        admin,
        "广安市青少年科技活动中心",
        OrgType::Base,
        true,
    )
    .await;
    let s = slot(store, base, admin, 10).await;
    let early = user(store, "先到的学校").await;
    must(store.book(&booking(s, early, 4)).await);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let u = user(store, &format!("抢名额{i}")).await;
        let st = store.clone();
        tasks.push(tokio::spawn(
            async move { st.book(&booking(s, u, 2)).await },
        ));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap_or_else(|e| panic!("task: {e}")) {
            Ok(_) => won += 1,
            Err(StoreError::Conflict(m)) => assert!(m.contains("名额不足"), "{m}"),
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(won, 3, "exactly as many as fit");
    let live: u32 = must(store.bookings(BookingFilter::Base(base)).await)
        .iter()
        .filter(|b| b.status.holds_places())
        .map(|b| b.group_size)
        .sum();
    assert_eq!(live, 10);
    assert_eq!(booked(store, s).await, live);
}
