//! The marketplace storage contract (`MarketStore`), run against every configured backend like
//! `store_contract.rs`: postings and their moderation, list filters, expiry, inquiries, quotes,
//! deals (with a binary evidence file and exact money sums) and caseworker tickets.

use kejiyun_core::accounts::{Login, NewUser};
use kejiyun_core::audit::AuditRecord;
use kejiyun_core::ids::UserId;
use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::market::deals::{DealOrigin, DealStatus, DealSubject, DealTerms, Evidence};
use kejiyun_core::market::money::{Fen, Price};
use kejiyun_core::market::postings::{
    AchievementDraft, AchievementInput, CloseReason, NeedDraft, NeedInput, PostingKind,
    ServiceDraft, ServiceInput,
};
use kejiyun_core::market::quotes::{DeclineReason, QuoteDraft, QuoteInput, QuoteStatus};
use kejiyun_core::market::tickets::{FollowUpKind, LinkKind, TicketOutcome, TicketStatus};
use kejiyun_core::market_ports::{
    DealChange, DealFilter, MarketStore, NewDeal, PostingChange, PostingFilter, TicketFilter,
};
use kejiyun_core::moderation::{ModerationKind, ModerationStatus as S};
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::ports::{StatusChange, Store, StoreError};
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::{TestDatabase, backends};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn t(secs: i64) -> Timestamp {
    Timestamp::from_micros(1_800_000_000_000_000 + secs * 1_000_000)
}

fn page(n: u32, per: u32) -> Page {
    Page {
        page: n,
        per_page: per,
    }
}

fn within(codes: &[&str]) -> RegionScope {
    RegionScope::Within(codes.iter().map(|c| code(c)).collect())
}

struct People {
    owner: UserId,
    provider: UserId,
    staff: UserId,
    stranger: UserId,
}

async fn user(store: &SeaStore, login: &str, name: &str) -> UserId {
    store
        .create_user(
            NewUser {
                login: Login::parse(login).unwrap_or_else(|e| panic!("{e}")),
                display_name: name.into(),
                region: Some(code("511623")),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            },
            t(0),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn service(title: &str, region: &str, scope: &str, category: &str) -> ServiceDraft {
    ServiceDraft::parse(&ServiceInput {
        title: title.into(),
        description: format!("{title}：上门诊断柑橘黄龙病、溃疡病等病害，提供书面防治方案。"),
        category: category.into(),
        tags: vec!["柑橘,黄龙病".into()],
        region: region.into(),
        scope: scope.into(),
        price_kind: "amount".into(),
        price_fen: Some(123_456),
        contact: "both".into(),
        org_id: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn need(title: &str, region: &str) -> NeedDraft {
    NeedDraft::parse(&NeedInput {
        title: title.into(),
        problem: "果园 50 亩脐橙近两年陆续出现叶片斑驳黄化，部分果树已经死亡。".into(),
        current_practice: Some("自己挖除病树，喷过几次杀虫剂".into()),
        target: Some("控制住病情，三年内恢复正常产量".into()),
        budget_fen: Some(2_000_000),
        deadline: Some("2027-03-31".into()),
        industry: "agriculture".into(),
        category: "fruit".into(),
        region: region.into(),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn achievement(title: &str, region: &str) -> AchievementDraft {
    AchievementDraft::parse(&AchievementInput {
        title: title.into(),
        summary: "建立了柑橘无病毒苗木三级繁育体系，苗木脱毒率达 99% 以上。".into(),
        category: "fruit".into(),
        maturity: "industrial".into(),
        ip_type: "invention_patent".into(),
        ip_number: Some("ZL202010000000.0".into()),
        holders: "四川省某农业科学院".into(),
        transfer_modes: vec!["transfer,license".into()],
        price_kind: "negotiable".into(),
        price_fen: None,
        region: region.into(),
        org_id: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn audit(action: &str, target_id: &str, region: &str, at: Timestamp) -> AuditRecord {
    AuditRecord {
        actor: None,
        at,
        action: action.into(),
        target_kind: "test".into(),
        target_id: target_id.into(),
        region: Some(code(region)),
        before: None,
        after: Some(serde_json::json!({ "说明": "中文" })),
    }
}

fn moved(from: S, to: S, at: Timestamp) -> PostingChange {
    PostingChange {
        change: StatusChange {
            from,
            to,
            reason: None,
            at,
            audit: None,
        },
        expires_at: None,
        close_reason: None,
    }
}

fn published(at: Timestamp, expires: Timestamp) -> PostingChange {
    PostingChange {
        expires_at: Some(expires),
        ..moved(S::Pending, S::Published, at)
    }
}

/// Draft → pending → published, as moderation does.
async fn publish(store: &SeaStore, kind: PostingKind, id: i64, at: Timestamp, expires: Timestamp) {
    store
        .change_posting_status(kind, id, moved(S::Draft, S::Pending, at))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .change_posting_status(kind, id, published(at, expires))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn last_outbox(store: &SeaStore) -> (String, i64, String) {
    kejiyun_db::testing::outbox(store)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .pop()
        .unwrap_or_else(|| panic!("an outbox row"))
}

async fn queued(store: &SeaStore, kind: ModerationKind, id: i64) -> bool {
    store
        .moderation_queue(&RegionScope::All, Some(kind), page(1, 100))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .iter()
        .any(|i| i.item_id == id)
}

async fn audit_actions(store: &SeaStore) -> Vec<(String, String)> {
    store
        .list_audit(&RegionScope::All, page(1, 100))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .into_iter()
        .map(|e| (e.record.action, e.record.target_id))
        .collect()
}

#[tokio::test]
async fn store_market_contract_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        eprintln!(
            "store market contract: backend={} url={}",
            backend.name(),
            kejiyun_db::redact(&db.url)
        );
        let store = kejiyun_db::connect(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        kejiyun_db::migrate(&store)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        kejiyun_db::migrate(&store)
            .await
            .unwrap_or_else(|e| panic!("migrate twice on {}: {e}", backend.name()));
        let people = People {
            owner: user(&store, "13900000001", "张农户").await,
            provider: user(&store, "13900000002", "李专家").await,
            staff: user(&store, "13900000003", "王科员").await,
            stranger: user(&store, "13900000004", "路人").await,
        };
        posting_life_cycle(&store, &people).await;
        posting_lists_and_expiry(&store, &people).await;
        let (need_id, service_id, achievement_id) = subjects(&store, &people).await;
        let inquiry = inquiries(&store, &people, need_id, service_id).await;
        quotes(&store, &people, need_id).await;
        let deal = deals(&store, &people, need_id, service_id, achievement_id).await;
        tickets(&store, &people, need_id, inquiry, deal).await;
        eprintln!("store market contract: backend={} ok", backend.name());
        db.cleanup().await;
    }
}

async fn posting_life_cycle(store: &SeaStore, p: &People) {
    let draft = service("柑橘病虫害诊断", "511623", "county", "fruit");
    let id = store
        .create_service(p.owner, &draft, t(1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = store
        .service(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("service found"));
    assert_eq!(s.draft, draft, "content round trip");
    assert_eq!(
        (s.meta.status, s.meta.owner, s.meta.owner_name.as_str()),
        (S::Draft, p.owner, "张农户")
    );
    assert_eq!(s.meta.kind, PostingKind::Service);
    assert_eq!((s.meta.created_at, s.meta.first_published_at), (t(1), None));
    assert!(
        store
            .service(999_999)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    // Submit: into the queue of its region; search is told to drop it.
    store
        .change_posting_status(PostingKind::Service, id, moved(S::Draft, S::Pending, t(2)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(queued(store, ModerationKind::Service, id).await);
    let q = store
        .moderation_queue(
            &within(&["511600"]),
            Some(ModerationKind::Service),
            Page::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        q.items.first().map(|i| i.title.as_str()),
        Some("柑橘病虫害诊断")
    );
    assert_eq!(
        last_outbox(store).await,
        ("service".into(), id, "delete".into())
    );

    // Approve with an audit entry: out of the queue, published, indexed.
    let mut approve = published(t(10), t(100));
    approve.change.audit = Some(audit("service.approve", &id.to_string(), "511623", t(10)));
    store
        .change_posting_status(PostingKind::Service, id, approve)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!queued(store, ModerationKind::Service, id).await);
    assert_eq!(
        last_outbox(store).await,
        ("service".into(), id, "upsert".into())
    );
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("service.approve".to_owned(), id.to_string()))
    );
    let s = store
        .service(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (s.meta.status, s.meta.first_published_at, s.meta.expires_at),
        (S::Published, Some(t(10)), Some(t(100)))
    );

    // A second, late decision loses; a missing posting is NotFound; nothing was written.
    let outbox_len = kejiyun_db::testing::outbox(store)
        .await
        .map(|o| o.len())
        .unwrap_or(0);
    let late = store
        .change_posting_status(
            PostingKind::Service,
            id,
            moved(S::Pending, S::Rejected, t(11)),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    let missing = store
        .change_posting_status(
            PostingKind::Need,
            999_999,
            moved(S::Draft, S::Pending, t(11)),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(
        kejiyun_db::testing::outbox(store)
            .await
            .map(|o| o.len())
            .unwrap_or(0),
        outbox_len
    );
    let via_store = store
        .change_status(
            ModerationKind::Service,
            id,
            StatusChange {
                from: S::Published,
                to: S::Closed,
                reason: None,
                at: t(11),
                audit: None,
            },
        )
        .await;
    assert!(
        matches!(via_store, Err(StoreError::Backend(_))),
        "{via_store:?}"
    );

    // The owner edits: new content, back to review; republishing keeps the first publication.
    let edited = service("柑橘病虫害诊断与防治", "511621", "city", "fruit");
    store
        .update_service(id, &edited, moved(S::Published, S::Pending, t(20)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stale = store
        .update_service(id, &edited, moved(S::Published, S::Pending, t(21)))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert!(queued(store, ModerationKind::Service, id).await);
    let mut reject = moved(S::Pending, S::Rejected, t(25));
    reject.change.reason = Some("价格说明不清".into());
    store
        .change_posting_status(PostingKind::Service, id, reject)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = store
        .service(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(s.draft, edited);
    assert_eq!(
        (s.meta.status, s.meta.reject_reason.as_deref()),
        (S::Rejected, Some("价格说明不清"))
    );
    assert!(!queued(store, ModerationKind::Service, id).await);
    store
        .change_posting_status(
            PostingKind::Service,
            id,
            moved(S::Rejected, S::Pending, t(26)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .change_posting_status(PostingKind::Service, id, published(t(30), t(300)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = store
        .service(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            s.meta.first_published_at,
            s.meta.expires_at,
            s.meta.reject_reason
        ),
        (Some(t(10)), Some(t(300)), None),
        "first publication is set once"
    );

    // The owner confirms: only a published posting, and only moves its expiry.
    store
        .confirm_posting(PostingKind::Service, id, t(500), t(40))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = store
        .service(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (s.meta.status, s.meta.expires_at),
        (S::Published, Some(t(500)))
    );
    let draft_id = store
        .create_need(p.owner, &need("待提交的需求", "511623"), t(41))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let not_published = store
        .confirm_posting(PostingKind::Need, draft_id, t(500), t(41))
        .await;
    assert!(
        matches!(not_published, Err(StoreError::Conflict(_))),
        "{not_published:?}"
    );
    let missing = store
        .confirm_posting(PostingKind::Achievement, 999_999, t(500), t(41))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    // Closing records why and when; search drops it.
    let close = PostingChange {
        close_reason: Some(CloseReason::SolvedHere),
        ..moved(S::Published, S::Closed, t(50))
    };
    store
        .change_posting_status(PostingKind::Service, id, close)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = store
        .service(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            s.meta.status,
            s.meta.close_reason,
            s.meta.closed_at,
            s.meta.first_published_at
        ),
        (
            S::Closed,
            Some(CloseReason::SolvedHere),
            Some(t(50)),
            Some(t(10))
        )
    );
    assert_eq!(
        last_outbox(store).await,
        ("service".into(), id, "delete".into())
    );

    // Needs and achievements: every field round-trips, updates replace the content.
    let n = need("脐橙黄龙病防治技术咨询", "511623");
    let nid = store
        .create_need(p.owner, &n, t(60))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = store
        .need(nid)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("need found"));
    assert_eq!(
        (got.draft, got.meta.kind, got.meta.org),
        (n.clone(), PostingKind::Need, None)
    );
    let mut n2 = n.clone();
    n2.deadline = None;
    n2.budget = None;
    n2.current_practice = None;
    store
        .update_need(nid, &n2, moved(S::Draft, S::Draft, t(61)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = store
        .need(nid)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("need found"));
    assert_eq!((got.draft, got.meta.updated_at), (n2, t(61)));
    let a = achievement("柑橘无病毒苗木繁育技术", "511623");
    let aid = store
        .create_achievement(p.provider, &a, t(62))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = store
        .achievement(aid)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("achievement found"));
    assert_eq!(
        (got.draft, got.meta.owner_name.as_str()),
        (a.clone(), "李专家")
    );
    let mut a2 = a;
    a2.title = "柑橘无病毒苗木繁育技术（二代）".into();
    a2.price = Price::Amount(Fen::new("p", 50_000_000).unwrap_or_else(|e| panic!("{e}")));
    store
        .update_achievement(aid, &a2, moved(S::Draft, S::Draft, t(63)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = store
        .achievement(aid)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("achievement found"));
    assert_eq!(got.draft, a2);
}

fn filter() -> PostingFilter {
    PostingFilter {
        scope: RegionScope::All,
        status: Some(S::Published),
        owner: None,
        category: None,
        query: None,
        available_in: None,
        service_scope: None,
    }
}

async fn posting_lists_and_expiry(store: &SeaStore, p: &People) {
    // Four published services of one owner in distinct places and reaches, one draft.
    let specs = [
        ("邻水县果树诊断服务", "511623", "county", "fruit", 200),
        ("岳池县生猪养殖指导", "511621", "city", "livestock", 150),
        ("锦江区软件开发外包", "510104", "province", "software", 400),
        (
            "全国 100%_纯 检测服务",
            "511623",
            "national",
            "testing",
            120,
        ),
    ];
    let mut ids = Vec::new();
    for (i, (title, region, scope, cat, expires)) in specs.iter().enumerate() {
        let id = store
            .create_service(p.owner, &service(title, region, scope, cat), t(1000))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        publish(
            store,
            PostingKind::Service,
            id,
            t(1001 + i as i64),
            t(*expires),
        )
        .await;
        ids.push(id);
    }
    let draft = store
        .create_service(
            p.provider,
            &service("草稿中的服务", "511623", "county", "fruit"),
            t(1010),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let list = |f: PostingFilter| async move {
        let got = store
            .list_services(&f, page(1, 100))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut ids: Vec<i64> = got.items.iter().map(|s| s.meta.id).collect();
        assert_eq!(got.total, ids.len() as u64);
        ids.sort_unstable();
        ids
    };
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };
    assert_eq!(list(filter()).await, sorted(ids.clone()));
    assert_eq!(
        list(PostingFilter {
            scope: within(&["511600"]),
            ..filter()
        })
        .await,
        sorted(vec![ids[0], ids[1], ids[3]]),
        "the city's subtree"
    );
    assert_eq!(
        list(PostingFilter {
            scope: within(&["511623", "510100"]),
            ..filter()
        })
        .await,
        sorted(vec![ids[0], ids[2], ids[3]])
    );
    assert!(
        list(PostingFilter {
            scope: RegionScope::Within(vec![]),
            ..filter()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        list(PostingFilter {
            status: None,
            owner: Some(p.provider),
            ..filter()
        })
        .await,
        vec![draft],
        "any status with an owner"
    );
    assert_eq!(
        list(PostingFilter {
            status: Some(S::Draft),
            ..filter()
        })
        .await,
        vec![draft]
    );
    let software = Category::parse("software").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        list(PostingFilter {
            category: Some(software),
            ..filter()
        })
        .await,
        vec![ids[2]]
    );
    let q = |s: &str| PostingFilter {
        query: Some(s.into()),
        ..filter()
    };
    assert_eq!(list(q("生猪")).await, vec![ids[1]], "title");
    assert_eq!(list(q("溃疡病")).await.len(), 4, "main text");
    assert_eq!(list(q("100%")).await, vec![ids[3]]);
    assert_eq!(list(q("%")).await, vec![ids[3]], "% matches literally");
    assert_eq!(list(q("_")).await, vec![ids[3]], "_ matches literally");
    assert_eq!(list(q("0%_纯")).await, vec![ids[3]]);
    assert!(list(q("1_0")).await.is_empty());
    assert!(list(q("\\")).await.is_empty());

    // Reach: county / city / province / national.
    let at = |place: &str| PostingFilter {
        available_in: Some(code(place)),
        ..filter()
    };
    assert_eq!(
        list(at("511623")).await,
        sorted(ids.clone()),
        "邻水: all four"
    );
    assert_eq!(
        list(at("511621")).await,
        sorted(vec![ids[1], ids[2], ids[3]]),
        "岳池: not the 邻水 county service"
    );
    assert_eq!(
        list(at("511602")).await,
        sorted(vec![ids[1], ids[2], ids[3]])
    );
    assert_eq!(
        list(at("510104")).await,
        sorted(vec![ids[2], ids[3]]),
        "成都"
    );
    assert_eq!(
        list(at("500101")).await,
        vec![ids[3]],
        "重庆: national only"
    );
    assert_eq!(
        list(PostingFilter {
            service_scope: Some(Scope::City),
            ..filter()
        })
        .await,
        vec![ids[1]]
    );
    assert_eq!(
        list(PostingFilter {
            service_scope: Some(Scope::National),
            available_in: Some(code("110101")),
            ..filter()
        })
        .await,
        vec![ids[3]]
    );

    // Paging: most recently changed first, the total across pages.
    let first = store
        .list_services(&filter(), page(1, 3))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let second = store
        .list_services(&filter(), page(2, 3))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (first.total, first.items.len(), second.items.len()),
        (4, 3, 1)
    );
    assert_eq!(first.items[0].meta.id, ids[3], "newest first");
    assert_eq!(first.items[0].meta.owner_name, "张农户");

    // Needs and achievements use the same filters.
    let n1 = store
        .create_need(p.owner, &need("邻水脐橙黄龙病防治", "511623"), t(1100))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let n2 = store
        .create_need(p.owner, &need("成都软件需求对接", "510104"), t(1100))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    publish(store, PostingKind::Need, n1, t(1101), t(150)).await;
    publish(store, PostingKind::Need, n2, t(1102), t(5000)).await;
    let needs = store
        .list_needs(
            &PostingFilter {
                scope: within(&["511600"]),
                ..filter()
            },
            Page::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        needs.items.iter().map(|n| n.meta.id).collect::<Vec<_>>(),
        vec![n1]
    );
    let needs = store
        .list_needs(
            &PostingFilter {
                query: Some("软件".into()),
                ..filter()
            },
            Page::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        needs.items.iter().map(|n| n.meta.id).collect::<Vec<_>>(),
        vec![n2]
    );
    let a1 = store
        .create_achievement(
            p.provider,
            &achievement("柑橘脱毒苗木技术", "510104"),
            t(1100),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    publish(store, PostingKind::Achievement, a1, t(1103), t(100)).await;
    let achs = store
        .list_achievements(
            &PostingFilter {
                scope: within(&["510000"]),
                query: Some("脱毒".into()),
                ..filter()
            },
            Page::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        achs.items.iter().map(|a| a.meta.id).collect::<Vec<_>>(),
        vec![a1]
    );
    assert_eq!(achs.items[0].draft.title, "柑橘脱毒苗木技术");

    // Expiry: published postings whose expiry is at or before now, oldest first.
    let expired = |kind, now, limit| async move {
        store
            .expired_postings(kind, now, limit)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(
        expired(PostingKind::Service, t(150), 10).await,
        vec![ids[3], ids[1]]
    );
    assert_eq!(
        expired(PostingKind::Service, t(149), 10).await,
        vec![ids[3]]
    );
    assert_eq!(
        expired(PostingKind::Service, t(10_000), 2).await,
        vec![ids[3], ids[1]]
    );
    assert_eq!(expired(PostingKind::Need, t(150), 10).await, vec![n1]);
    assert_eq!(
        expired(PostingKind::Achievement, t(100), 10).await,
        vec![a1]
    );
    let close = PostingChange {
        close_reason: Some(CloseReason::Expired),
        ..moved(S::Published, S::Closed, t(2000))
    };
    store
        .change_posting_status(PostingKind::Service, ids[3], close)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        expired(PostingKind::Service, t(10_000), 10).await,
        vec![ids[1], ids[0], ids[2]],
        "closed postings no longer expire"
    );
    // Clean up for the later sections: confirm the rest far ahead.
    for (kind, id) in [
        (PostingKind::Service, ids[0]),
        (PostingKind::Service, ids[1]),
        (PostingKind::Service, ids[2]),
        (PostingKind::Need, n1),
        (PostingKind::Achievement, a1),
    ] {
        store
            .confirm_posting(kind, id, t(1_000_000), t(2001))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(
        expired(PostingKind::Service, t(10_000), 10)
            .await
            .is_empty()
    );
}

/// A published need (owner), service (provider) and achievement (provider) in 邻水.
async fn subjects(store: &SeaStore, p: &People) -> (i64, i64, i64) {
    let n = store
        .create_need(p.owner, &need("邻水县脐橙园技术需求", "511623"), t(3000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = store
        .create_service(
            p.provider,
            &service("李专家柑橘服务", "511623", "city", "fruit"),
            t(3000),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let a = store
        .create_achievement(
            p.provider,
            &achievement("李专家的柑橘成果", "511623"),
            t(3000),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    publish(store, PostingKind::Need, n, t(3001), t(1_000_000)).await;
    publish(store, PostingKind::Service, s, t(3001), t(1_000_000)).await;
    publish(store, PostingKind::Achievement, a, t(3001), t(1_000_000)).await;
    (n, s, a)
}

/// Returns an inquiry on the need.
async fn inquiries(store: &SeaStore, p: &People, need_id: i64, service_id: i64) -> i64 {
    assert!(
        store
            .find_inquiry(PostingKind::Service, service_id, p.owner)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    let on_service = store
        .create_inquiry(
            PostingKind::Service,
            service_id,
            p.owner,
            p.provider,
            "请问能上门吗？",
            t(4000),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .find_inquiry(PostingKind::Service, service_id, p.owner)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        Some(on_service)
    );
    assert!(
        store
            .find_inquiry(PostingKind::Need, service_id, p.owner)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none(),
        "the kind is part of the thread's key"
    );
    let dup = store
        .create_inquiry(
            PostingKind::Service,
            service_id,
            p.owner,
            p.provider,
            "再问一次",
            t(4001),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let on_need = store
        .create_inquiry(
            PostingKind::Need,
            need_id,
            p.provider,
            p.owner,
            "我可以帮您解决",
            t(4010),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A reply on the older thread makes it the most recent.
    let m = store
        .add_message(on_service, p.provider, "可以，下周二上门。", t(4020))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(m > 0);
    let missing = store.add_message(999_999, p.owner, "x", t(4021)).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    let i = store
        .inquiry(on_service)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("inquiry found"));
    assert_eq!(
        (
            i.posting_kind,
            i.posting_id,
            i.posting_title.as_str(),
            i.requester_name.as_str(),
            i.owner_name.as_str(),
        ),
        (
            PostingKind::Service,
            service_id,
            "李专家柑橘服务",
            "张农户",
            "李专家"
        )
    );
    assert_eq!(
        (i.message_count, i.created_at, i.last_message_at),
        (2, t(4000), t(4020))
    );
    let msgs = store
        .messages(on_service)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        msgs.iter()
            .map(|m| (m.author_name.as_str(), m.body.as_str(), m.created_at))
            .collect::<Vec<_>>(),
        vec![
            ("张农户", "请问能上门吗？", t(4000)),
            ("李专家", "可以，下周二上门。", t(4020))
        ]
    );
    assert!(
        store
            .inquiry(999_999)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    for who in [p.owner, p.provider] {
        let l = store
            .list_inquiries(who, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            l.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![on_service, on_need],
            "either side, newest activity first"
        );
        assert_eq!(l.total, 2);
    }
    let need_thread = store
        .inquiry(on_need)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            need_thread.posting_title.as_str(),
            need_thread.message_count
        ),
        ("邻水县脐橙园技术需求", 1)
    );
    assert_eq!(
        store
            .list_inquiries(p.stranger, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total,
        0
    );
    on_need
}

fn quote_draft(price: i64) -> QuoteDraft {
    QuoteDraft::parse(&QuoteInput {
        price_fen: price,
        timeline_days: 30,
        method: "上门诊断三次并出具书面防治方案".into(),
        service_id: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn new_deal(p: &People, subject: DealSubject, amount: i64, region: &str, at: Timestamp) -> NewDeal {
    NewDeal {
        subject,
        requester: p.owner,
        provider: p.provider,
        terms: DealTerms {
            amount: Fen::new("amount_fen", amount).unwrap_or_else(|e| panic!("{e}")),
            deal_date: t(-86_400 * 30).shanghai_date(),
            note: Some("合同备注".into()),
        },
        origin: DealOrigin::Direct,
        quote_id: None,
        inquiry_id: None,
        region: code(region),
        proposed_by: p.owner,
        status: DealStatus::Proposed,
        requester_confirmed_at: Some(at),
        provider_confirmed_at: None,
        confirmed_at: None,
        recorded_by: None,
        evidence: None,
        audit: None,
        at,
    }
}

async fn quotes(store: &SeaStore, p: &People, need_id: i64) {
    let q1 = store
        .create_quote(need_id, p.provider, &quote_draft(300_000), t(5000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dup = store
        .create_quote(need_id, p.provider, &quote_draft(250_000), t(5001))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "one submitted quote: {dup:?}"
    );
    let q2 = store
        .create_quote(need_id, p.stranger, &quote_draft(280_000), t(5002))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let q = store
        .quote(q1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("quote found"));
    assert_eq!(
        (
            q.need_title.as_str(),
            q.need_owner,
            q.provider_name.as_str(),
            q.status
        ),
        (
            "邻水县脐橙园技术需求",
            p.owner,
            "李专家",
            QuoteStatus::Submitted
        )
    );
    assert_eq!(
        (q.draft, q.created_at, q.deal_id),
        (quote_draft(300_000), t(5000), None)
    );
    let ids = |need: Option<i64>, provider: Option<UserId>| async move {
        store
            .list_quotes(need, provider, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .items
            .into_iter()
            .map(|q| q.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(Some(need_id), None).await, vec![q2, q1], "newest first");
    assert_eq!(ids(None, Some(p.provider)).await, vec![q1]);
    assert_eq!(ids(Some(need_id), Some(p.stranger)).await, vec![q2]);
    assert!(ids(Some(999_999), None).await.is_empty());

    // Declining (no deal) frees the provider to quote again.
    let none = store
        .decide_quote(
            q2,
            QuoteStatus::Submitted,
            QuoteStatus::Declined,
            Some(DeclineReason::TooExpensive),
            Some("预算不够".into()),
            None,
            t(5010),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none, None);
    let q = store
        .quote(q2)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            q.status,
            q.decline_reason,
            q.decline_note.as_deref(),
            q.decided_at
        ),
        (
            QuoteStatus::Declined,
            Some(DeclineReason::TooExpensive),
            Some("预算不够"),
            Some(t(5010))
        )
    );
    let q3 = store
        .create_quote(need_id, p.stranger, &quote_draft(200_000), t(5011))
        .await
        .unwrap_or_else(|e| panic!("a new quote after a decision: {e}"));

    // Atomicity: a deal that cannot be written leaves the quote submitted.
    let deals_before = store
        .list_deals(&deal_filter(), Page::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .total;
    let subject = DealSubject {
        need: Some(need_id),
        service: None,
        achievement: None,
    };
    let mut broken = new_deal(p, subject, 300_000, "511623", t(5020));
    broken.provider = UserId(999_999);
    broken.quote_id = Some(q1);
    broken.origin = DealOrigin::Quote;
    let failed = store
        .decide_quote(
            q1,
            QuoteStatus::Submitted,
            QuoteStatus::Accepted,
            None,
            None,
            Some(broken),
            t(5020),
        )
        .await;
    assert!(failed.is_err(), "{failed:?}");
    let q = store
        .quote(q1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (q.status, q.deal_id, q.decided_at),
        (QuoteStatus::Submitted, None, None)
    );
    assert_eq!(
        store
            .list_deals(&deal_filter(), Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .total,
        deals_before
    );

    // Accepting writes the deal with it.
    let mut deal = new_deal(p, subject, 300_000, "511623", t(5030));
    deal.quote_id = Some(q1);
    deal.origin = DealOrigin::Quote;
    let deal_id = store
        .decide_quote(
            q1,
            QuoteStatus::Submitted,
            QuoteStatus::Accepted,
            None,
            None,
            Some(deal),
            t(5030),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a deal id"));
    let q = store
        .quote(q1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (q.status, q.deal_id, q.decided_at),
        (QuoteStatus::Accepted, Some(deal_id), Some(t(5030)))
    );
    let d = store
        .deal(deal_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("deal found"));
    assert_eq!(
        (d.quote_id, d.origin, d.status),
        (Some(q1), DealOrigin::Quote, DealStatus::Proposed)
    );
    assert_eq!(
        last_outbox(store).await,
        ("deal".into(), deal_id, "upsert".into())
    );
    let late = store
        .decide_quote(
            q1,
            QuoteStatus::Submitted,
            QuoteStatus::Withdrawn,
            None,
            None,
            None,
            t(5031),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    let missing = store
        .decide_quote(
            999_999,
            QuoteStatus::Submitted,
            QuoteStatus::Withdrawn,
            None,
            None,
            None,
            t(5031),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    store
        .decide_quote(
            q3,
            QuoteStatus::Submitted,
            QuoteStatus::Withdrawn,
            None,
            None,
            None,
            t(5032),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .quote(q3)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|q| q.status),
        Some(QuoteStatus::Withdrawn)
    );
}

fn deal_filter() -> DealFilter {
    DealFilter {
        scope: RegionScope::All,
        party: None,
        status: None,
        transfer: None,
    }
}

/// Bytes of every value, in an order that is not a simple ramp: ~200 KB.
fn blob() -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 0x1234_5678;
    while out.len() < 200 * 1024 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.push((x >> 24) as u8);
    }
    out.extend([0u8, 0, 0xff, 0xfe, b'\\', b'\'', b'"', 0]);
    out
}

/// Returns a deal on the need.
async fn deals(
    store: &SeaStore,
    p: &People,
    need_id: i64,
    service_id: i64,
    achievement_id: i64,
) -> i64 {
    // Direct: need + service, the requester's side confirmed.
    let subject = DealSubject {
        need: Some(need_id),
        service: Some(service_id),
        achievement: None,
    };
    let id = store
        .create_deal(new_deal(p, subject, 1_234_567, "511623", t(6000)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("deal found"));
    assert_eq!(d.subject, subject);
    assert_eq!(d.subject_title, "邻水县脐橙园技术需求", "the need's title");
    assert_eq!(
        (
            d.requester_name.as_str(),
            d.provider_name.as_str(),
            d.region,
            d.evidence.clone()
        ),
        ("张农户", "李专家", code("511623"), None)
    );
    assert_eq!(
        d.terms,
        new_deal(p, subject, 1_234_567, "511623", t(6000)).terms
    );
    assert_eq!(
        (
            d.requester_confirmed_at,
            d.provider_confirmed_at,
            d.confirmed_at,
            d.created_at
        ),
        (Some(t(6000)), None, None, t(6000))
    );
    assert_eq!(
        last_outbox(store).await,
        ("deal".into(), id, "upsert".into())
    );
    assert!(
        store
            .deal(999_999)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    // The provider confirms; a change computed from stale confirmations loses.
    let confirm = DealChange {
        from: DealStatus::Proposed,
        from_requester_confirmed: true,
        from_provider_confirmed: false,
        to: DealStatus::Confirmed,
        requester_confirmed_at: Some(t(6000)),
        provider_confirmed_at: Some(t(6010)),
        confirmed_at: Some(t(6010)),
        cancel_reason: None,
        audit: None,
        at: t(6010),
    };
    let stale = store
        .change_deal(
            id,
            DealChange {
                from_requester_confirmed: false,
                ..confirm.clone()
            },
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store
        .change_deal(id, confirm.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = store.change_deal(id, confirm.clone()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let missing = store.change_deal(999_999, confirm).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let d = store
        .deal(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (d.status, d.provider_confirmed_at, d.confirmed_at),
        (DealStatus::Confirmed, Some(t(6010)), Some(t(6010)))
    );

    // A transfer (achievement answering the need) and a service-only deal.
    let transfer_subject = DealSubject {
        need: Some(need_id),
        service: None,
        achievement: Some(achievement_id),
    };
    let transfer = store
        .create_deal(new_deal(p, transfer_subject, 50_000_000, "511623", t(6020)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(transfer)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        d.subject_title, "李专家的柑橘成果",
        "a transfer is titled by its achievement"
    );
    let service_subject = DealSubject {
        need: None,
        service: Some(service_id),
        achievement: None,
    };
    let service_only = store
        .create_deal(new_deal(p, service_subject, 80_000, "510104", t(6030)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(service_only)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(d.subject_title, "李专家柑橘服务");

    // An admin cancels the transfer with an audit entry.
    store
        .change_deal(
            transfer,
            DealChange {
                from: DealStatus::Proposed,
                from_requester_confirmed: true,
                from_provider_confirmed: false,
                to: DealStatus::Cancelled,
                requester_confirmed_at: Some(t(6020)),
                provider_confirmed_at: None,
                confirmed_at: None,
                cancel_reason: Some("双方协商取消".into()),
                audit: Some(audit(
                    "deal.cancel",
                    &transfer.to_string(),
                    "511623",
                    t(6040),
                )),
                at: t(6040),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = store
        .deal(transfer)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (d.status, d.cancel_reason.as_deref(), d.cancelled_at),
        (DealStatus::Cancelled, Some("双方协商取消"), Some(t(6040)))
    );
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("deal.cancel".to_owned(), transfer.to_string()))
    );

    // An offline contract with its file: the bytes come back exactly; the audit names the deal.
    let bytes = blob();
    let evidence = Evidence {
        file_name: "合同扫描件.pdf".into(),
        content_type: "application/pdf".into(),
        size: bytes.len() as u64,
        sha256: "ab".repeat(32),
    };
    let mut offline = new_deal(p, subject, 9_900, "511623", t(6050));
    offline.origin = DealOrigin::Offline;
    offline.status = DealStatus::Confirmed;
    offline.requester_confirmed_at = None;
    offline.confirmed_at = Some(t(6050));
    offline.recorded_by = Some(p.staff);
    offline.proposed_by = p.staff;
    offline.evidence = Some((evidence.clone(), bytes.clone()));
    offline.audit = Some(audit("deal.record_offline", "", "511623", t(6050)));
    let offline_id = store
        .create_deal(offline)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (got, content) = store
        .deal_evidence(offline_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("evidence stored"));
    assert_eq!(got, evidence);
    assert_eq!(content.len(), bytes.len());
    assert!(content == bytes, "evidence bytes differ");
    let d = store
        .deal(offline_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!((d.evidence, d.recorded_by), (Some(evidence), Some(p.staff)));
    assert!(
        store
            .deal_evidence(id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("deal.record_offline".to_owned(), offline_id.to_string()))
    );

    // Filters.
    let list = |f: DealFilter| async move {
        let mut ids: Vec<i64> = store
            .list_deals(&f, page(1, 100))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .items
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.sort_unstable();
        ids
    };
    let all = list(deal_filter()).await;
    assert!(
        all.contains(&id)
            && all.contains(&transfer)
            && all.contains(&service_only)
            && all.contains(&offline_id)
    );
    assert_eq!(
        list(DealFilter {
            transfer: Some(true),
            ..deal_filter()
        })
        .await,
        vec![transfer]
    );
    assert!(
        !list(DealFilter {
            transfer: Some(false),
            ..deal_filter()
        })
        .await
        .contains(&transfer)
    );
    assert_eq!(
        list(DealFilter {
            scope: within(&["510100"]),
            ..deal_filter()
        })
        .await,
        vec![service_only]
    );
    assert!(
        list(DealFilter {
            party: Some(p.stranger),
            ..deal_filter()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        list(DealFilter {
            party: Some(p.provider),
            ..deal_filter()
        })
        .await,
        all
    );
    assert_eq!(
        list(DealFilter {
            party: Some(p.owner),
            ..deal_filter()
        })
        .await,
        all
    );
    let mut confirmed = vec![id, offline_id];
    confirmed.sort_unstable();
    assert_eq!(
        list(DealFilter {
            status: Some(DealStatus::Confirmed),
            scope: within(&["511623"]),
            ..deal_filter()
        })
        .await,
        confirmed
    );
    let newest = store
        .list_deals(&deal_filter(), page(1, 1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (newest.items[0].id, newest.total),
        (offline_id, all.len() as u64)
    );

    // 253 amounts in one county sum to exactly 65792.06万元.
    let total: i64 = 6_579_206_000_000 / 100;
    let n = 253i64;
    let mut amounts: Vec<i64> = (0..n - 1).map(|i| total / n + i % 7).collect();
    amounts.push(total - amounts.iter().sum::<i64>());
    for (i, a) in amounts.iter().enumerate() {
        store
            .create_deal(new_deal(
                p,
                service_subject,
                *a,
                "511602",
                t(7000 + i as i64),
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut read = Vec::new();
    for pg in 1..=3 {
        let got = store
            .list_deals(
                &DealFilter {
                    scope: within(&["511602"]),
                    ..deal_filter()
                },
                page(pg, 100),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.total, 253);
        read.extend(got.items.into_iter().map(|d| d.terms.amount));
    }
    assert_eq!(read.len(), 253);
    let sum = Fen::sum(read).unwrap_or_else(|| panic!("no overflow"));
    assert_eq!((sum.fen(), sum.wan_yuan().as_str()), (total, "65792.06"));
    let big = store
        .create_deal(new_deal(p, service_subject, Fen::MAX, "511602", t(8000)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .deal(big)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|d| d.terms.amount.fen()),
        Some(Fen::MAX)
    );
    id
}

async fn tickets(store: &SeaStore, p: &People, need_id: i64, inquiry: i64, deal: i64) {
    let t1 = store
        .open_ticket(
            need_id,
            p.staff,
            code("511623"),
            audit("ticket.open", &need_id.to_string(), "511623", t(9000)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("ticket.open".to_owned(), need_id.to_string()))
    );
    let dup = store
        .open_ticket(
            need_id,
            p.stranger,
            code("511623"),
            audit("ticket.open", &need_id.to_string(), "511623", t(9001)),
        )
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "one open ticket per need: {dup:?}"
    );
    assert_eq!(
        audit_actions(store)
            .await
            .iter()
            .filter(|a| a.0 == "ticket.open")
            .count(),
        1,
        "the refused ticket wrote no audit entry"
    );

    let f1 = store
        .add_follow_up(t1, FollowUpKind::Call, "电话了解果园情况", p.staff, t(9010))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let f2 = store
        .add_follow_up(
            t1,
            FollowUpKind::Introduction,
            "引荐李专家",
            p.staff,
            t(9020),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(f2 > f1);
    let missing = store
        .add_follow_up(999_999, FollowUpKind::Note, "无", p.staff, t(9021))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    for _ in 0..2 {
        store
            .link_ticket(t1, LinkKind::Inquiry, inquiry)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    store
        .link_ticket(t1, LinkKind::Deal, deal)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let missing = store.link_ticket(999_999, LinkKind::Deal, deal).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    let tk = store
        .ticket(t1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("ticket found"));
    assert_eq!(
        (
            tk.need_title.as_str(),
            tk.staff_name.as_str(),
            tk.status,
            tk.opened_at,
            tk.region
        ),
        (
            "邻水县脐橙园技术需求",
            "王科员",
            TicketStatus::Open,
            t(9000),
            code("511623")
        )
    );
    assert_eq!(
        tk.links,
        vec![(LinkKind::Inquiry, inquiry), (LinkKind::Deal, deal)],
        "linking twice keeps one"
    );
    assert_eq!(
        tk.follow_ups
            .iter()
            .map(|f| (f.kind, f.note.as_str(), f.author_name.as_str(), f.at))
            .collect::<Vec<_>>(),
        vec![
            (FollowUpKind::Call, "电话了解果园情况", "王科员", t(9010)),
            (FollowUpKind::Introduction, "引荐李专家", "王科员", t(9020)),
        ]
    );
    assert!(
        store
            .ticket(999_999)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    store
        .close_ticket(
            t1,
            TicketOutcome::DealMade,
            Some("已促成交易".into()),
            audit("ticket.close", &t1.to_string(), "511623", t(9030)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = store
        .close_ticket(
            t1,
            TicketOutcome::Referred,
            None,
            audit("ticket.close", &t1.to_string(), "511623", t(9031)),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let missing = store
        .close_ticket(
            999_999,
            TicketOutcome::Referred,
            None,
            audit("ticket.close", "999999", "511623", t(9031)),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(
        audit_actions(store)
            .await
            .iter()
            .filter(|a| a.0 == "ticket.close")
            .count(),
        1
    );
    let tk = store
        .ticket(t1)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (
            tk.status,
            tk.outcome,
            tk.outcome_note.as_deref(),
            tk.closed_at
        ),
        (
            TicketStatus::Closed,
            Some(TicketOutcome::DealMade),
            Some("已促成交易"),
            Some(t(9030))
        )
    );

    // Closed, the need can be taken again; a ticket elsewhere for the lists.
    let t2 = store
        .open_ticket(
            need_id,
            p.stranger,
            code("511623"),
            audit("ticket.open", &need_id.to_string(), "511623", t(9040)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other_need = store
        .create_need(p.owner, &need("成都的另一个需求", "510104"), t(9041))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let t3 = store
        .open_ticket(
            other_need,
            p.staff,
            code("510104"),
            audit("ticket.open", &other_need.to_string(), "510104", t(9042)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let list = |f: TicketFilter| async move {
        let got = store
            .list_tickets(&f, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            got.items.iter().all(|t| t.follow_ups.is_empty()),
            "lists carry no follow-ups"
        );
        assert_eq!(got.total, got.items.len() as u64);
        got.items.into_iter().map(|t| t.id).collect::<Vec<_>>()
    };
    let all = TicketFilter {
        scope: RegionScope::All,
        staff: None,
        status: None,
        need: None,
    };
    assert_eq!(list(all.clone()).await, vec![t3, t2, t1], "newest first");
    assert_eq!(
        list(TicketFilter {
            scope: within(&["511600"]),
            ..all.clone()
        })
        .await,
        vec![t2, t1]
    );
    assert_eq!(
        list(TicketFilter {
            staff: Some(p.staff),
            ..all.clone()
        })
        .await,
        vec![t3, t1]
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Open),
            ..all.clone()
        })
        .await,
        vec![t3, t2]
    );
    assert_eq!(
        list(TicketFilter {
            need: Some(need_id),
            ..all.clone()
        })
        .await,
        vec![t2, t1]
    );
    assert!(
        list(TicketFilter {
            scope: RegionScope::Within(vec![]),
            ..all
        })
        .await
        .is_empty()
    );
}
