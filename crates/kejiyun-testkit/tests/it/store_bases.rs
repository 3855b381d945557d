//! The bases storage contract (`bases::ports::BaseStore`) on every configured backend: only
//! verified base orgs are listed, the profile round-trips and is replaced, bookings take their
//! places within the slot's capacity (eight groups racing for the last places: exactly as many
//! win as fit, and `booked` equals the sum of the live bookings), a decision or cancellation is
//! applied once and a decline or cancellation gives the places back. A base's photo and
//! resource lists round-trip in their order and are replaced whole with their audit entries
//! (eight admins replacing one list at once all succeed, one list wins whole); the resource's
//! bases are the verified ones linking it; the profile is saved with its audit entry.

use kejiyun_core::accounts::Phone;
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::audit::ports::AuditStore;
use kejiyun_core::bases::ports::{BaseStore, BookingChange, BookingFilter, NewBooking};
use kejiyun_core::bases::{BaseProfile, BaseRef, BaseType, BookingDraft, BookingStatus, SlotDraft};
use kejiyun_core::ids::{BaseBookingId, BaseSlotId, OrgId, ResourceId, UserId};
use kejiyun_core::market::ports::{PostingLifecycleStore, PostingStore};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::moderation::ports::ModerationStore;
use kejiyun_core::notifications;
use kejiyun_core::orgs::{Org, OrgProfile, OrgType};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::popsci::{ResourceDraft, ResourceInput};
use kejiyun_core::ports::StoreError;
use kejiyun_core::profiles::ports::ProfileStore;
use kejiyun_core::time::Timestamp;
use kejiyun_core::uploads::ports::{NewUpload, UploadStore};
use kejiyun_core::uploads::{Upload, UploadId, UploadKind};
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{code, fresh_store, must, posting_change, sh, status_change, user};

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

/// The audit entry of a base's edit.
fn audit(by: UserId, org: OrgId, action: &str) -> AuditRecord {
    AuditRecord {
        actor: Some(by),
        at: sh(2026, 6, 1, 10, 0, 0),
        action: action.into(),
        target_kind: "base".into(),
        target_id: org.to_string(),
        region: Some(code("511623")),
        before: None,
        after: None,
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
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        links(&store, &store.files(dir.path())).await;
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
            .save_base_profile(base, &profile("旧址"), &audit(admin, base, "base.profile"))
            .await,
    );
    must(
        store
            .save_base_profile(
                base,
                &profile("县城新区"),
                &audit(admin, base, "base.profile"),
            )
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

fn photo(owner: UserId, n: u8) -> NewUpload {
    let bytes = vec![0xff, 0xd8, 0xff, n, 1, 2, 3];
    NewUpload {
        upload: Upload {
            id: UploadId::random(),
            owner,
            kind: UploadKind::Image,
            mime: "image/jpeg".into(),
            size: bytes.len() as u64,
            width: Some(640),
            height: Some(480),
            sha256: format!("{n:064x}"),
            original_name: format!("展厅{n}.jpg"),
            has_thumb: true,
            created_at: Timestamp::from_micros(1_700_000_000_000_000 + i64::from(n)),
        },
        bytes,
        thumb: Some(vec![0xff, 0xd8, 0xff, n]),
    }
}

async fn published_resource(store: &SeaStore, owner: UserId, title: &str) -> ResourceId {
    let draft = must(
        ResourceDraft::parse(&ResourceInput {
            kind: "article".into(),
            title: title.into(),
            summary: "展厅里常年播放的科普内容，适合中小学生团体参观时观看。".into(),
            body: "<p>展厅介绍：机器人、天文和农业科技三个展厅，讲解员全程陪同。</p>".into(),
            category: "fruit".into(),
            region: "511623".into(),
            ..Default::default()
        })
        .map_err(|e| StoreError::Conflict(e.to_string())),
    );
    let at = sh(2026, 6, 1, 9, 0, 0);
    let submit = Some(posting_change(S::Draft, S::Pending, at, None));
    let id = must(store.create_posting(owner, &draft, at, submit).await);
    must(
        store
            .change_posting_status(
                PostingKind::Resource,
                id.0,
                posting_change(S::Pending, S::Published, at, None),
            )
            .await,
    );
    id
}

async fn audited(store: &SeaStore, action: &str) -> usize {
    let page = Page {
        page: 1,
        per_page: 100,
    };
    must(store.list_audit(&RegionScope::All, page).await)
        .items
        .iter()
        .filter(|e| e.record.action == action)
        .count()
}

async fn links(store: &SeaStore, files: &impl UploadStore) {
    let admin = user(store, "基地管理员").await;
    let base = org(
        store,
        admin,
        "邻水县青少年科技教育基地",
        OrgType::Base,
        true,
    )
    .await;
    let pending = org(store, admin, "待认证的基地", OrgType::Base, false).await;
    assert_eq!(
        audited(store, "base.profile").await,
        2,
        "the profile saves above"
    );

    // Photos: in their order, replaced whole, each replacement audited.
    let (a, b) = (photo(admin, 1), photo(admin, 2));
    must(files.save_upload(a.clone()).await);
    must(files.save_upload(b.clone()).await);
    assert!(must(store.base_photos(base).await).is_empty());
    let both = [b.upload.id.clone(), a.upload.id.clone()];
    must(
        store
            .set_base_photos(base, &both, &audit(admin, base, "base.photos"))
            .await,
    );
    assert_eq!(must(store.base_photos(base).await), both.to_vec());
    let one = [a.upload.id.clone()];
    must(
        store
            .set_base_photos(base, &one, &audit(admin, base, "base.photos"))
            .await,
    );
    assert_eq!(must(store.base_photos(base).await), one.to_vec());
    assert_eq!(audited(store, "base.photos").await, 2);

    // Resources: in their order; the resource lists the verified bases linking it.
    let r1 = published_resource(store, admin, "机器人展厅讲解视频").await;
    let r2 = published_resource(store, admin, "天文知识图解").await;
    must(
        store
            .set_base_resources(base, &[r2, r1], &audit(admin, base, "base.resources"))
            .await,
    );
    must(
        store
            .set_base_resources(pending, &[r1], &audit(admin, pending, "base.resources"))
            .await,
    );
    assert_eq!(must(store.base_resources(base).await), vec![r2, r1]);
    assert_eq!(must(store.base_resources(pending).await), vec![r1]);
    let using = must(store.bases_using(r1).await);
    assert_eq!(
        using,
        vec![BaseRef {
            org: base,
            name: "邻水县青少年科技教育基地".into(),
            region: code("511623"),
        }],
        "only the verified base"
    );
    assert_eq!(audited(store, "base.resources").await, 2);

    // Eight admins replace the list at once: none collides, one list wins whole.
    let lists: Vec<Vec<ResourceId>> = (0..8)
        .map(|i| if i % 2 == 0 { vec![r1, r2] } else { vec![r2] })
        .collect();
    let mut tasks = Vec::new();
    for l in lists.clone() {
        let st = store.clone();
        let record = audit(admin, base, "base.resources");
        tasks.push(tokio::spawn(async move {
            st.set_base_resources(base, &l, &record).await
        }));
    }
    for t in tasks {
        must(t.await.unwrap_or_else(|e| panic!("{e}")));
    }
    let now = must(store.base_resources(base).await);
    assert!(lists.contains(&now), "{now:?}");
    assert_eq!(audited(store, "base.resources").await, 10);

    must(
        store
            .set_base_resources(base, &[], &audit(admin, base, "base.resources"))
            .await,
    );
    assert!(must(store.bases_using(r1).await).is_empty());
    assert!(must(store.base_resources(base).await).is_empty());
}
