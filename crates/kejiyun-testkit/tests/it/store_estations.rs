//! The 科普e站 storage contract (`estations::ports::EstationStore`) on every configured backend:
//! screens with their token's hash (found by it, not once revoked, again once reissued),
//! listed by region scope or operator; playlists of a screen or a region round-tripping with
//! their windows and items in order, replaced in place (same id and target) and deleted; the
//! playlists reaching a screen (its own and its regions', no other's); overrides active,
//! ended and cancelled (once); heartbeats storing each play once (a report sent again, or
//! twice at once, adds nothing), proof of play per day and resource; the screens playing a
//! resource; the audit entry of every admin write.

use std::collections::BTreeSet;

use kejiyun_core::audit::AuditRecord;
use kejiyun_core::audit::ports::AuditStore;
use kejiyun_core::estations::ports::{EstationFilter, EstationStore};
use kejiyun_core::estations::{
    DailyWindow, EmergencyDraft, Estation, EstationDraft, Play, PlaylistDraft, PlaylistItem,
    PlaylistTarget, region_chain,
};
use kejiyun_core::ids::{EmergencyId, EstationId, OrgId, PlaylistId, ResourceId, UserId};
use kejiyun_core::market::ports::{PostingLifecycleStore, PostingStore};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::orgs::{Org, OrgProfile, OrgType};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::popsci::{ResourceDraft, ResourceInput};
use kejiyun_core::ports::StoreError;
use kejiyun_core::profiles::ports::ProfileStore;
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{code, fresh_store, must, posting_change, sh, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn estation_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store estations: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        crate::store_estation_plays::same_report_twice_at_once(&store).await;
        db.cleanup().await;
    }
}

/// A published article; its id.
pub async fn resource(store: &SeaStore, title: &str) -> ResourceId {
    let draft = must(
        ResourceDraft::parse(&ResourceInput {
            kind: "article".into(),
            title: title.into(),
            summary: "适合在村委会广场和文化站大屏播放的科普短文。".into(),
            body: "<p>修剪在采果后到春芽萌动前进行。</p><p>先剪病虫枝、枯枝，再疏密。</p>".into(),
            category: "fruit".into(),
            tags: vec!["科普".into()],
            region: "511623".into(),
            ..Default::default()
        })
        .map_err(|e| StoreError::Conflict(e.to_string())),
    );
    let at = sh(2026, 6, 1, 9, 0, 0);
    let owner = user(store, "县科协").await;
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

async fn operator(store: &SeaStore, owner: UserId, name: &str) -> OrgId {
    let p = OrgProfile {
        name: name.into(),
        org_type: OrgType::Estation,
        region: code("511600"),
        credit_code: None,
        address: None,
        description: None,
        contact_phone: None,
    };
    let at = sh(2026, 6, 1, 9, 0, 0);
    must(ProfileStore::<Org>::create_profile(store, owner, &p, S::Pending, at).await)
}

fn audit(actor: UserId, action: &str, kind: &str, id: &str, region: &str) -> AuditRecord {
    AuditRecord {
        actor: Some(actor),
        at: sh(2026, 6, 2, 9, 0, 0),
        action: action.into(),
        target_kind: kind.into(),
        target_id: id.into(),
        region: Some(code(region)),
        before: None,
        after: None,
    }
}

pub async fn screen(
    store: &SeaStore,
    by: UserId,
    name: &str,
    region: &str,
    operator: Option<OrgId>,
    token_hash: &str,
) -> EstationId {
    let draft = EstationDraft {
        name: name.into(),
        place: format!("{name}门口"),
        region: code(region),
        operator,
    };
    let record = audit(by, "estation.register", "estation", "new", region);
    must(
        store
            .create_estation(&draft, token_hash, by, sh(2026, 6, 2, 9, 0, 0), &record)
            .await,
    )
}

pub async fn get(store: &SeaStore, id: EstationId) -> Estation {
    must(store.estation(id).await).unwrap_or_else(|| panic!("estation {id}"))
}

fn ids(list: &[Estation]) -> Vec<EstationId> {
    list.iter().map(|e| e.id).collect()
}

pub fn hash(c: char) -> String {
    std::iter::repeat_n(c, 64).collect()
}

fn item(resource: ResourceId, seconds: Option<u32>) -> PlaylistItem {
    PlaylistItem { resource, seconds }
}

fn draft(name: &str, windows: &[(u16, u16)], items: Vec<PlaylistItem>) -> PlaylistDraft {
    PlaylistDraft {
        name: name.into(),
        windows: windows
            .iter()
            .map(|&(start, end)| DailyWindow { start, end })
            .collect(),
        items,
    }
}

async fn save(
    store: &SeaStore,
    by: UserId,
    id: Option<PlaylistId>,
    target: PlaylistTarget,
    d: &PlaylistDraft,
    at: Timestamp,
) -> Result<PlaylistId, StoreError> {
    let record = audit(
        by,
        if id.is_some() {
            "playlist.update"
        } else {
            "playlist.create"
        },
        "playlist",
        &id.map_or_else(|| "new".to_owned(), |i| i.to_string()),
        "511623",
    );
    store.save_playlist(id, target, d, at, &record).await
}

pub fn play(key: &str, resource: ResourceId, started_at: Timestamp, millis: i64) -> Play {
    Play {
        key: key.into(),
        resource,
        started_at,
        millis,
        day: started_at.shanghai_date(),
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{what}: expected a conflict, got {other:?}"),
    }
}

pub fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected not found, got {other:?}"),
    }
}

async fn contract(store: &SeaStore) {
    let admin = user(store, "县科协管理员").await;
    let r1 = resource(store, "柑橘冬季修剪要点").await;
    let r2 = resource(store, "防范电信诈骗十问").await;
    let r3 = resource(store, "地震避险常识").await;
    let op = operator(store, admin, "广安科普e站运营中心").await;

    // Screens: registered with their token's hash, found by it.
    let a = screen(store, admin, "村委会大屏", "511623", None, &hash('a')).await;
    let b = screen(store, admin, "镇文化站", "511621", Some(op), &hash('b')).await;
    let c = screen(store, admin, "锦江社区屏", "510104", None, &hash('c')).await;
    let got = get(store, a).await;
    assert_eq!(
        (
            got.name.as_str(),
            got.place.as_str(),
            got.region,
            got.operator,
            got.has_token
        ),
        ("村委会大屏", "村委会大屏门口", code("511623"), None, true)
    );
    assert_eq!(
        (got.registered_by, got.registered_at),
        (admin, sh(2026, 6, 2, 9, 0, 0))
    );
    assert_eq!(
        (got.last_seen_at, got.now_playing, got.now_playing_title),
        (None, None, None)
    );
    let got = get(store, b).await;
    assert_eq!(
        (got.operator, got.operator_name.as_deref()),
        (Some(op), Some("广安科普e站运营中心"))
    );
    let by_token = must(store.estation_by_token(&hash('a')).await).map(|e| e.id);
    assert_eq!(by_token, Some(a));
    assert!(must(store.estation_by_token(&hash('z')).await).is_none());
    let dup = EstationDraft {
        name: "重复令牌".into(),
        place: "某处".into(),
        region: code("511623"),
        operator: None,
    };
    let record = audit(admin, "estation.register", "estation", "new", "511623");
    conflict(
        store
            .create_estation(&dup, &hash('a'), admin, sh(2026, 6, 2, 9, 0, 0), &record)
            .await,
        "a token's hash is unique",
    );

    // Revoked: found by nothing; reissued: found by the new hash only.
    let record = audit(
        admin,
        "estation.revoke_token",
        "estation",
        &a.to_string(),
        "511623",
    );
    must(store.set_estation_token(a, None, &record).await);
    assert!(must(store.estation_by_token(&hash('a')).await).is_none());
    assert!(!get(store, a).await.has_token);
    let record = audit(
        admin,
        "estation.reissue_token",
        "estation",
        &a.to_string(),
        "511623",
    );
    must(store.set_estation_token(a, Some(&hash('d')), &record).await);
    assert_eq!(
        must(store.estation_by_token(&hash('d')).await).map(|e| e.id),
        Some(a)
    );
    assert!(must(store.estation_by_token(&hash('a')).await).is_none());
    assert!(get(store, a).await.has_token);
    not_found(
        store
            .set_estation_token(EstationId(999_999), None, &record)
            .await,
        "token of a missing screen",
    );

    // Lists: by region code, by scope or operator, each screen once.
    let list = |regions, operators| {
        let filter = EstationFilter { regions, operators };
        async move { ids(&must(store.estations(&filter).await)) }
    };
    assert_eq!(list(RegionScope::All, vec![]).await, vec![c, b, a]);
    assert_eq!(
        list(RegionScope::Within(vec![code("511600")]), vec![]).await,
        vec![b, a]
    );
    assert_eq!(
        list(RegionScope::Within(vec![code("510100")]), vec![op]).await,
        vec![c, b]
    );
    assert_eq!(
        list(RegionScope::Within(vec![code("511621")]), vec![op]).await,
        vec![b],
        "in both: once"
    );
    assert_eq!(
        list(RegionScope::Within(vec![code("510000")]), vec![]).await,
        vec![c, b, a]
    );
    assert_eq!(list(RegionScope::Within(vec![]), vec![op]).await, vec![b]);
    assert!(list(RegionScope::Within(vec![]), vec![]).await.is_empty());

    // Playlists: a screen's own and regions', round-tripping windows and items in order.
    let t0 = sh(2026, 6, 3, 9, 0, 0);
    let own_draft = draft(
        "早晚两档",
        &[(480, 720), (1320, 360)],
        vec![item(r1, Some(10)), item(r2, None), item(r1, Some(30))],
    );
    let own = must(
        save(
            store,
            admin,
            None,
            PlaylistTarget::Estation(a),
            &own_draft,
            t0,
        )
        .await,
    );
    let read = must(store.playlist(own).await).unwrap_or_else(|| panic!("playlist"));
    assert_eq!(
        (read.id, read.target, &read.draft, read.updated_at),
        (own, PlaylistTarget::Estation(a), &own_draft, t0)
    );
    let all_day = |name: &str, r| draft(name, &[], vec![item(r, None)]);
    let county = must(
        save(
            store,
            admin,
            None,
            PlaylistTarget::Region(code("511623")),
            &all_day("邻水县全天", r2),
            t0,
        )
        .await,
    );
    let city = must(
        save(
            store,
            admin,
            None,
            PlaylistTarget::Region(code("511600")),
            &all_day("广安市全天", r3),
            t0,
        )
        .await,
    );
    let other_screen = must(
        save(
            store,
            admin,
            None,
            PlaylistTarget::Estation(b),
            &all_day("文化站", r1),
            t0,
        )
        .await,
    );
    let other_county = must(
        save(
            store,
            admin,
            None,
            PlaylistTarget::Region(code("511621")),
            &all_day("岳池县全天", r1),
            t0,
        )
        .await,
    );
    let other_city = must(
        save(
            store,
            admin,
            None,
            PlaylistTarget::Region(code("510100")),
            &all_day("成都市全天", r3),
            t0,
        )
        .await,
    );
    let county_read = must(store.playlist(county).await).unwrap_or_else(|| panic!("county"));
    assert_eq!(
        (county_read.target, county_read.draft.windows.is_empty()),
        (PlaylistTarget::Region(code("511623")), true)
    );
    let reaching = must(
        store
            .playlists_reaching(a, &region_chain(code("511623")))
            .await,
    );
    assert_eq!(
        reaching.iter().map(|p| p.id).collect::<BTreeSet<_>>(),
        BTreeSet::from([own, county, city]),
        "its own and its regions', no other screen's or region's"
    );
    let own_read = reaching.iter().find(|p| p.id == own);
    assert_eq!(own_read.map(|p| &p.draft), Some(&own_draft));
    let of = |target| async move {
        must(store.playlists(target).await)
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(of(PlaylistTarget::Estation(a)).await, vec![own]);
    assert_eq!(of(PlaylistTarget::Estation(b)).await, vec![other_screen]);
    assert_eq!(of(PlaylistTarget::Region(code("511600"))).await, vec![city]);
    assert!(of(PlaylistTarget::Region(code("510000"))).await.is_empty());

    // Replaced: same id, same target (whatever target is passed), new content and items.
    let t1 = sh(2026, 6, 4, 9, 0, 0);
    let replaced = draft(
        "全天轮播",
        &[(0, 1440)],
        vec![item(r3, Some(20)), item(r1, None)],
    );
    let again = must(
        save(
            store,
            admin,
            Some(own),
            PlaylistTarget::Region(code("510000")),
            &replaced,
            t1,
        )
        .await,
    );
    assert_eq!(again, own);
    let read = must(store.playlist(own).await).unwrap_or_else(|| panic!("replaced"));
    assert_eq!(
        (read.target, &read.draft, read.updated_at),
        (PlaylistTarget::Estation(a), &replaced, t1)
    );
    assert!(of(PlaylistTarget::Region(code("510000"))).await.is_empty());
    not_found(
        save(
            store,
            admin,
            Some(PlaylistId(999_999)),
            PlaylistTarget::Estation(a),
            &replaced,
            t1,
        )
        .await,
        "replacing a missing playlist",
    );

    // Deleted with its items; a second delete finds nothing.
    let record = audit(
        admin,
        "playlist.delete",
        "playlist",
        &other_county.to_string(),
        "511621",
    );
    must(store.delete_playlist(other_county, &record).await);
    assert!(must(store.playlist(other_county).await).is_none());
    assert!(of(PlaylistTarget::Region(code("511621"))).await.is_empty());
    not_found(
        store.delete_playlist(other_county, &record).await,
        "deleted twice",
    );

    // The screens playing a resource: own playlists, and screens inside a region playlist's.
    let playing = |r| async move {
        must(store.estations_playing(r).await)
            .iter()
            .map(|e| e.id)
            .collect::<BTreeSet<_>>()
    };
    // r1: a's own (replaced) and b's own; 511621's playlist is gone.
    assert_eq!(playing(r1).await, BTreeSet::from([a, b]));
    // r2: only 邻水县's playlist now (a's own no longer holds it).
    assert_eq!(playing(r2).await, BTreeSet::from([a]));
    // r3: a's own, 广安市 (a and b) and 成都市 (c).
    assert_eq!(playing(r3).await, BTreeSet::from([a, b, c]));
    assert!(playing(ResourceId::new(999_999)).await.is_empty());
    let refs = must(store.estations_playing(r2).await);
    assert_eq!(
        (
            refs[0].name.as_str(),
            refs[0].place.as_str(),
            refs[0].region
        ),
        ("村委会大屏", "村委会大屏门口", code("511623"))
    );

    emergencies(store, admin, [r1, r2, r3]).await;
    crate::store_estation_plays::plays(store, a, b, [r1, r2]).await;

    // Every admin write left its entry; a creation's names the created row.
    let log = must(
        store
            .list_audit(
                &RegionScope::All,
                Page::new(Some(1), Some(100)).unwrap_or_default(),
            )
            .await,
    );
    let entries: BTreeSet<(String, String)> = log
        .items
        .iter()
        .map(|e| (e.record.action.clone(), e.record.target_id.clone()))
        .collect();
    for (action, target) in [
        ("estation.register", a.to_string()),
        ("estation.register", c.to_string()),
        ("estation.revoke_token", a.to_string()),
        ("estation.reissue_token", a.to_string()),
        ("playlist.create", own.to_string()),
        ("playlist.create", other_city.to_string()),
        ("playlist.update", own.to_string()),
        ("playlist.delete", other_county.to_string()),
    ] {
        assert!(
            entries.contains(&(action.to_owned(), target.clone())),
            "audit {action} {target}: {entries:?}"
        );
    }
    assert!(
        !entries.iter().any(|(_, t)| t == "new"),
        "creations name their row"
    );
}

async fn emergencies(store: &SeaStore, admin: UserId, [r1, r2, r3]: [ResourceId; 3]) {
    let t = sh(2026, 6, 5, 9, 0, 0);
    let start = |region: &str, resource, until: Option<Timestamp>, at: Timestamp| {
        let d = EmergencyDraft {
            region: code(region),
            resource,
            until,
        };
        let record = audit(admin, "emergency.start", "emergency", "new", region);
        async move { must(store.create_emergency(&d, admin, at, &record).await) }
    };
    let city = start("511600", r1, None, t).await;
    let county = start(
        "511623",
        r2,
        Some(t.plus_seconds(3600)),
        t.plus_seconds(600),
    )
    .await;
    let elsewhere = start("510100", r3, None, t.plus_seconds(700)).await;
    let cancelled = start("511623", r3, None, t.plus_seconds(800)).await;
    let record = audit(
        admin,
        "emergency.cancel",
        "emergency",
        &cancelled.to_string(),
        "511623",
    );
    let at = t.plus_seconds(900);
    must(store.cancel_emergency(cancelled, at, &record).await);
    let m = conflict(
        store.cancel_emergency(cancelled, at, &record).await,
        "cancelled twice",
    );
    assert!(!m.is_empty());
    not_found(
        store
            .cancel_emergency(EmergencyId(999_999), at, &record)
            .await,
        "cancelling a missing override",
    );

    let one = must(store.emergency(county).await).unwrap_or_else(|| panic!("emergency"));
    assert_eq!(
        (
            one.region,
            one.resource,
            one.resource_title.as_str(),
            one.starts_at,
            one.until,
            one.created_by,
            one.cancelled_at
        ),
        (
            code("511623"),
            r2,
            "防范电信诈骗十问",
            t.plus_seconds(600),
            Some(t.plus_seconds(3600)),
            admin,
            None
        )
    );
    let gone = must(store.emergency(cancelled).await).unwrap_or_else(|| panic!("cancelled"));
    assert_eq!(gone.cancelled_at, Some(at));
    assert!(must(store.emergency(EmergencyId(999_999)).await).is_none());

    let chain = region_chain(code("511623"));
    let active = |now| {
        let chain = chain.clone();
        async move {
            must(store.active_emergencies(&chain, now).await)
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(active(t.plus_seconds(1200)).await, vec![county, city]);
    assert_eq!(
        active(t.plus_seconds(3600)).await,
        vec![city],
        "over at its end"
    );
    assert!(
        must(store.active_emergencies(&[], t).await).is_empty(),
        "no regions"
    );

    let listed = |scope| async move {
        must(store.emergencies(&scope).await)
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(RegionScope::Within(vec![code("511600")])).await,
        vec![cancelled, county, city],
        "newest first, active or not"
    );
    assert_eq!(
        listed(RegionScope::All).await,
        vec![cancelled, elsewhere, county, city]
    );
    assert_eq!(
        listed(RegionScope::Within(vec![code("510104")])).await,
        Vec::<EmergencyId>::new()
    );
    let log = must(
        store
            .list_audit(
                &RegionScope::All,
                Page::new(Some(1), Some(100)).unwrap_or_default(),
            )
            .await,
    );
    for (action, id) in [
        ("emergency.start", city),
        ("emergency.start", county),
        ("emergency.cancel", cancelled),
    ] {
        assert!(
            log.items
                .iter()
                .any(|e| e.record.action == action && e.record.target_id == id.to_string()),
            "audit {action} {id}"
        );
    }
    let cancels = log
        .items
        .iter()
        .filter(|e| e.record.action == "emergency.cancel")
        .count();
    assert_eq!(cancels, 1, "a refused cancellation writes no entry");
}
