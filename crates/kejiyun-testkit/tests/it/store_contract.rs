//! The storage contract, run against every configured backend (SQLite always; PostgreSQL and
//! MySQL/MariaDB when `KEJIYUN_TEST_POSTGRES_URL` / `KEJIYUN_TEST_MYSQL_URL` are set). Each
//! run prints the backend it used, so a wrong variable cannot hide.

use kejiyun_core::accounts::ports::AccountStore;
use kejiyun_core::accounts::{Login, NewUser, ProfileUpdate};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::audit::ports::AuditStore;
use kejiyun_core::auth::ports::AuthStore;
use kejiyun_core::auth::{
    LockoutPolicy, LoginAttempts, NewToken, TokenKind, hash_token, new_token_secret,
};
use kejiyun_core::ids::UserId;
use kejiyun_core::moderation::ports::{ModerationStore, StatusChange};
use kejiyun_core::moderation::{ModerationKind, ModerationStatus as S};
use kejiyun_core::orgs::{Org, OrgProfile, OrgType};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::{Grant, RegionScope};
use kejiyun_core::ports::{HealthStore, StoreError};
use kejiyun_core::profiles::ports::{ProfileFilter, ProfileStore};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::tech_workers::ports::TechWorkerStore;
use kejiyun_core::tech_workers::{TechWorker, TechWorkerProfile};
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::{TestDatabase, backends};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

fn new_user(login: &str, name: &str) -> NewUser {
    NewUser {
        login: Login::parse(login).unwrap_or_else(|e| panic!("{e}")),
        display_name: name.into(),
        region: Some(code("511623")),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
    }
}

fn profile(region: &str, field: &str) -> TechWorkerProfile {
    TechWorkerProfile {
        field: field.into(),
        title: Some("农艺师".into()),
        employer: "县农业农村局".into(),
        expertise: vec!["柑橘".into(), "黄龙病防治".into()],
        service_region: code(region),
        bio: Some("多年基层推广经验".into()),
        id_card: None,
    }
}

fn audit(action: &str, region: &str) -> AuditRecord {
    AuditRecord {
        actor: None,
        at: t(5),
        action: action.into(),
        target_kind: "test".into(),
        target_id: "1".into(),
        region: Some(code(region)),
        before: Some(serde_json::json!({ "status": "pending" })),
        after: Some(serde_json::json!({ "status": "published", "说明": "中文" })),
    }
}

fn change(from: S, to: S, reason: Option<&str>, audit_record: Option<AuditRecord>) -> StatusChange {
    StatusChange {
        from,
        to,
        reason: reason.map(Into::into),
        at: t(10),
        audit: audit_record,
    }
}

#[tokio::test]
async fn store_contract_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        eprintln!(
            "store contract: backend={} url={}",
            backend.name(),
            kejiyun_db::redact(&db.url)
        );
        let store = db.migrated_store().await;
        kejiyun_db::migrate(&store)
            .await
            .unwrap_or_else(|e| panic!("migrate twice on {}: {e}", backend.name()));
        assert_eq!(store.backend_name(), backend.name());
        accounts(&store).await;
        tokens_and_throttling(&store).await;
        tech_workers_and_queue(&store).await;
        orgs_and_scopes(&store).await;
        audit_is_append_only(&store).await;
        eprintln!("store contract: backend={} ok", backend.name());
        db.cleanup().await;
    }
}

async fn accounts(store: &SeaStore) {
    let id = store
        .create_user(new_user("13800000001", "张三"), t(0))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dup = store
        .create_user(new_user("13800000001", "李四"), t(0))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let by_mail = store
        .create_user(new_user("a@b.cn", "邮箱用户"), t(0))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(id, by_mail);

    let u = store
        .user_by_login(&Login::parse("13800000001").unwrap_or_else(|e| panic!("{e}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let u = u.unwrap_or_else(|| panic!("user found by phone"));
    assert_eq!(u.display_name, "张三");
    assert_eq!(u.region, Some(code("511623")));
    assert!(
        store
            .user_by_login(&Login::parse("13800000009").unwrap_or_else(|e| panic!("{e}")))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    let long_bio = "长".repeat(1000);
    store
        .update_profile(
            id,
            ProfileUpdate {
                display_name: "张三丰".into(),
                region: Some(code("511621")),
                bio: Some(long_bio.clone()),
            },
            t(1),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let u = store
        .user(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("user"));
    assert_eq!(
        (u.display_name.as_str(), u.region, u.bio.as_deref()),
        ("张三丰", Some(code("511621")), Some(long_bio.as_str()))
    );
    assert!(matches!(
        store
            .update_profile(
                UserId(999_999),
                ProfileUpdate {
                    display_name: "x".into(),
                    region: None,
                    bio: None
                },
                t(1)
            )
            .await,
        Err(StoreError::NotFound)
    ));

    assert!(
        store
            .grants(id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
    store
        .add_grant(
            id,
            Grant::RegionAdmin(code("511623")),
            audit("grant.add", "511623"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .add_grant(
            id,
            Grant::RegionAdmin(code("511600")),
            audit("grant.add", "511600"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let grants = store.grants(id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        grants,
        vec![
            Grant::RegionAdmin(code("511623")),
            Grant::RegionAdmin(code("511600"))
        ]
    );
    // 三员分立, kept by the store too: a separated duty never joins another admin role.
    for duty in [Grant::SystemAdmin, Grant::SecurityAdmin, Grant::AuditAdmin] {
        let mixed = store
            .add_grant(id, duty, audit("grant.add", "510000"))
            .await;
        assert!(
            matches!(&mixed, Err(StoreError::Conflict(m)) if m.contains("三员分立")),
            "{duty:?}: {mixed:?}"
        );
    }
    let dup = store
        .add_grant(
            id,
            Grant::RegionAdmin(code("511623")),
            audit("grant.add", "511623"),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let admins = store
        .list_admins(Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(admins.total, 2);
}

async fn tokens_and_throttling(store: &SeaStore) {
    let user = store
        .create_user(new_user("13800000002", "令牌用户"), t(0))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (secret, hash) = new_token_secret();
    let id = store
        .create_token(NewToken {
            user_id: user,
            kind: TokenKind::Session,
            name: "session".into(),
            token_hash: hash.clone(),
            created_at: t(0),
            expires_at: Some(t(100)),
            second_factor: false,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let live = store
        .token_by_hash(&hash_token(&secret), t(50))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(live.map(|i| (i.id, i.user_id)), Some((id, user)));
    assert!(
        store
            .token_by_hash(&hash, t(100))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none(),
        "expired"
    );
    let (_, api_hash) = new_token_secret();
    let api = store
        .create_token(NewToken {
            user_id: user,
            kind: TokenKind::Api,
            name: "同步".into(),
            token_hash: api_hash.clone(),
            created_at: t(0),
            expires_at: None,
            second_factor: false,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .list_tokens(user, TokenKind::Api)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .len(),
        1
    );
    assert!(
        !store
            .revoke_token(UserId(999_999), api, t(1))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        "only the owner revokes"
    );
    assert!(
        store
            .revoke_token(user, api, t(1))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    );
    assert!(
        !store
            .revoke_token(user, api, t(2))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        "once"
    );
    assert!(
        store
            .token_by_hash(&api_hash, t(3))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    login_attempts(store).await;
}

/// A lockout counting over `secs` that never locks (the locks are `api_passwords`'s).
fn window(secs: i64) -> LockoutPolicy {
    LockoutPolicy {
        max_failures: 1000,
        window_secs: secs,
        ..LockoutPolicy::default()
    }
}

/// The lockout's count: one more per attempt, a new window once the old one is over, per key,
/// and forgotten on success.
async fn login_attempts(store: &SeaStore) {
    let count = |key: &'static str, now: i64, window_start: i64| async move {
        store
            .count_login_attempt(key, t(now), &window(now - window_start))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    for n in 1..=3u64 {
        let a = count("13800000002", 10 + n as i64, 0).await;
        assert_eq!(
            a,
            LoginAttempts {
                count: n,
                since: t(11),
                level: 0,
                locked_until: None,
            }
        );
    }
    assert_eq!(count("other@x.cn", 12, 0).await.count, 1, "per key");
    // The window began at t(11): at or before the window start it is over.
    assert_eq!(
        count("13800000002", 20, 11).await,
        LoginAttempts {
            count: 1,
            since: t(20),
            level: 0,
            locked_until: None,
        }
    );
    store
        .clear_login_attempts("13800000002")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count("13800000002", 21, 0).await.count, 1, "cleared");
    assert_eq!(
        count("other@x.cn", 22, 0).await.count,
        2,
        "the other key kept"
    );
}

/// 40 attempts on one login name at once, each in its own task and connection: every count
/// from 1 to 40 is seen exactly once (the count is taken atomically, so the lockout's limit
/// holds against parallel guesses).
#[tokio::test]
async fn login_attempts_are_counted_atomically_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.migrated_store().await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let store = store.clone();
            set.spawn(async move {
                store
                    .count_login_attempt("13900000040", t(100), &window(100))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .count
            });
        }
        let mut seen = Vec::new();
        while let Some(n) = set.join_next().await {
            seen.push(n.unwrap_or_else(|e| panic!("{e}")));
        }
        seen.sort_unstable();
        assert_eq!(seen, (1..=40).collect::<Vec<u64>>(), "{}", backend.name());
        eprintln!("login attempts: backend={} atomic", backend.name());
        db.cleanup().await;
    }
}

async fn tech_workers_and_queue(store: &SeaStore) {
    let a = store
        .create_user(new_user("13800000003", "王工"), t(0))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let b = store
        .create_user(new_user("13800000004", "李工"), t(0))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ta = ProfileStore::<TechWorker>::create_profile(
        store,
        a,
        &profile("511623", "果树栽培"),
        S::Pending,
        t(1),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let tb = ProfileStore::<TechWorker>::create_profile(
        store,
        b,
        &profile("511621", "生猪养殖"),
        S::Pending,
        t(2),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let dup = ProfileStore::<TechWorker>::create_profile(
        store,
        a,
        &profile("511623", "x"),
        S::Pending,
        t(3),
    )
    .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "one profile per user: {dup:?}"
    );

    let got = ProfileStore::<TechWorker>::find_profile(store, ta)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (got.display_name.as_str(), got.status),
        ("王工", S::Pending)
    );
    assert_eq!(got.profile.expertise, vec!["柑橘", "黄龙病防治"]);
    assert_eq!(
        store
            .tech_worker_by_user(b)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|t| t.id),
        Some(tb)
    );

    let city = RegionScope::Within(vec![code("511600")]);
    let linshui = RegionScope::Within(vec![code("511623")]);
    let q = store
        .moderation_queue(&city, None, Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.total, 2);
    assert_eq!(q.items[0].item_id, ta.0, "oldest first");
    let q = store
        .moderation_queue(&linshui, Some(ModerationKind::TechWorker), Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        q.items.iter().map(|i| i.item_id).collect::<Vec<_>>(),
        vec![ta.0]
    );
    let nothing = store
        .moderation_queue(&RegionScope::Within(vec![]), None, Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(nothing.total, 0, "an empty scope sees nothing");
    let elsewhere = store
        .moderation_queue(
            &RegionScope::Within(vec![code("510100")]),
            None,
            Page::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(elsewhere.total, 0);

    // Approve with its audit entry, in one transaction; a second decision loses the race.
    store
        .change_status(
            ModerationKind::TechWorker,
            ta.0,
            change(
                S::Pending,
                S::Published,
                None,
                Some(audit("tech_worker.approve", "511623")),
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let late = store
        .change_status(
            ModerationKind::TechWorker,
            ta.0,
            change(S::Pending, S::Rejected, Some("迟到"), None),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    let missing = store
        .change_status(
            ModerationKind::TechWorker,
            999_999,
            change(S::Pending, S::Published, None, None),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let got = ProfileStore::<TechWorker>::find_profile(store, ta)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!((got.status, got.verified_at), (S::Published, Some(t(10))));
    assert!(
        store
            .grants(a)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .contains(&Grant::TechWorker)
    );
    assert_eq!(
        store
            .moderation_queue(&city, None, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total,
        1
    );

    store
        .change_status(
            ModerationKind::TechWorker,
            tb.0,
            change(S::Pending, S::Rejected, Some("资料不全"), None),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = ProfileStore::<TechWorker>::find_profile(store, tb)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (got.status, got.reject_reason.as_deref()),
        (S::Rejected, Some("资料不全"))
    );
    ProfileStore::<TechWorker>::edit_profile(
        store,
        tb,
        &profile("511621", "生猪健康养殖"),
        change(S::Rejected, S::Pending, None, None),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let got = ProfileStore::<TechWorker>::find_profile(store, tb)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (got.status, got.reject_reason, got.profile.field.as_str()),
        (S::Pending, None, "生猪健康养殖")
    );
    assert_eq!(
        store
            .moderation_queue(&city, None, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total,
        1,
        "back in the queue"
    );

    let published = |scope: RegionScope, query: Option<&str>| ProfileFilter {
        scope,
        status: Some(S::Published),
        query: query.map(Into::into),
        own: (),
    };
    let all = ProfileStore::<TechWorker>::list_profiles(
        store,
        &published(RegionScope::Within(vec![code("510000")]), None),
        Page::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.total, 1);
    for (q, n) in [("柑橘", 1), ("王工", 1), ("生猪", 0), ("100%", 0), ("_", 0)] {
        let r = ProfileStore::<TechWorker>::list_profiles(
            store,
            &published(city.clone(), Some(q)),
            Page::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.total, n, "query {q:?}");
    }
    let other = ProfileStore::<TechWorker>::list_profiles(
        store,
        &published(RegionScope::Within(vec![code("511621")]), None),
        Page::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(other.total, 0);

    let outbox = kejiyun_db::testing::outbox(store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ta_ops: Vec<_> = outbox
        .iter()
        .filter(|(k, id, _)| k == "tech_worker" && *id == ta.0)
        .map(|(_, _, op)| op.as_str())
        .collect();
    assert_eq!(ta_ops, ["delete", "upsert"], "search sees the publication");
}

async fn orgs_and_scopes(store: &SeaStore) {
    let owner = store
        .create_user(new_user("13800000005", "社长"), t(0))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let prof = |name: &str, region: &str, t: OrgType| OrgProfile {
        name: name.into(),
        org_type: t,
        region: code(region),
        credit_code: None,
        address: Some("县城".into()),
        description: Some("简介".into()),
        contact_phone: None,
    };
    let county = ProfileStore::<Org>::create_profile(
        store,
        owner,
        &prof("邻水县科协", "511623", OrgType::Association),
        S::Pending,
        t(1),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let city = ProfileStore::<Org>::create_profile(
        store,
        owner,
        &prof("广安市农技协", "511600", OrgType::RuralAssociation),
        S::Pending,
        t(1),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    for id in [county, city] {
        store
            .change_status(
                ModerationKind::Org,
                id.0,
                change(S::Pending, S::Published, None, None),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let filter = |scope, org_type| ProfileFilter {
        scope,
        status: Some(S::Published),
        query: None,
        own: org_type,
    };
    let n = |scope: &str| RegionScope::Within(vec![code(scope)]);
    let count = |f: ProfileFilter<Option<OrgType>>| async move {
        ProfileStore::<Org>::list_profiles(store, &f, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total
    };
    assert_eq!(
        count(filter(n("511600"), None)).await,
        2,
        "a city-level org is in the city's subtree"
    );
    assert_eq!(count(filter(n("511623"), None)).await, 1);
    assert_eq!(
        count(filter(n("510000"), Some(OrgType::RuralAssociation))).await,
        1
    );
    assert_eq!(
        count(filter(
            RegionScope::Within(vec![code("511623"), code("511621")]),
            None
        ))
        .await,
        1
    );
    let grants = store.grants(owner).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(grants.contains(&Grant::OrgAdmin(county)) && grants.contains(&Grant::OrgAdmin(city)));
    ProfileStore::<Org>::edit_profile(
        store,
        county,
        &prof("邻水县科学技术协会", "511623", OrgType::Association),
        change(S::Published, S::Pending, None, None),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let got = ProfileStore::<Org>::find_profile(store, county)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (got.profile.name.as_str(), got.status),
        ("邻水县科学技术协会", S::Pending)
    );
}

async fn audit_is_append_only(store: &SeaStore) {
    let entries = store
        .list_audit(&RegionScope::All, Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(entries.total >= 3);
    let newest = &entries.items[0].record;
    assert_eq!(newest.action, "tech_worker.approve");
    assert_eq!(
        newest.after.as_ref().map(|a| a["说明"].clone()),
        Some(serde_json::json!("中文"))
    );
    let scoped = store
        .list_audit(&RegionScope::Within(vec![code("511621")]), Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scoped.total, 0);
    assert!(
        kejiyun_db::testing::audit_log_rejects_tampering(store).await,
        "UPDATE/DELETE on audit_log must fail"
    );
    let after = store
        .list_audit(&RegionScope::All, Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.total, entries.total);
}
