use super::*;
use kejiyun_core::ids::OrgId;
use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::market::money::Price;
use kejiyun_core::market::ports::PostingFilter;
use kejiyun_core::market::postings::CloseReason;

pub(super) async fn posting_life_cycle(store: &SeaStore, p: &People) {
    let draft = service("柑橘病虫害诊断", "511623", "county", "fruit");
    let id = store
        .create_posting(p.owner, &draft, t(1), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = PostingStore::<ServiceDraft>::posting(store, id)
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
        PostingStore::<ServiceDraft>::posting(store, PostingId::new(999_999))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );

    // Submit: into the queue of its region; search is told to drop it.
    store
        .change_posting_status(
            PostingKind::Service,
            id.0,
            moved(S::Draft, S::Pending, t(2)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(queued(store, ModerationKind::Service, id.0).await);
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
        ("service".into(), id.0, "delete".into())
    );

    // Approve with an audit entry: out of the queue, published, indexed.
    let mut approve = published(t(10), t(100));
    approve.change.audit = Some(audit("service.approve", &id.to_string(), "511623", t(10)));
    store
        .change_posting_status(PostingKind::Service, id.0, approve)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!queued(store, ModerationKind::Service, id.0).await);
    assert_eq!(
        last_outbox(store).await,
        ("service".into(), id.0, "upsert".into())
    );
    assert_eq!(
        audit_actions(store).await.first(),
        Some(&("service.approve".to_owned(), id.to_string()))
    );
    let s = PostingStore::<ServiceDraft>::posting(store, id)
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
            id.0,
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
            id.0,
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
        .update_posting(id, &edited, moved(S::Published, S::Pending, t(20)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stale = store
        .update_posting(id, &edited, moved(S::Published, S::Pending, t(21)))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert!(queued(store, ModerationKind::Service, id.0).await);
    let mut reject = moved(S::Pending, S::Rejected, t(25));
    reject.change.reason = Some("价格说明不清".into());
    store
        .change_posting_status(PostingKind::Service, id.0, reject)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = PostingStore::<ServiceDraft>::posting(store, id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(s.draft, edited);
    assert_eq!(
        (s.meta.status, s.meta.reject_reason.as_deref()),
        (S::Rejected, Some("价格说明不清"))
    );
    assert!(!queued(store, ModerationKind::Service, id.0).await);
    store
        .change_posting_status(
            PostingKind::Service,
            id.0,
            moved(S::Rejected, S::Pending, t(26)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .change_posting_status(PostingKind::Service, id.0, published(t(30), t(300)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = PostingStore::<ServiceDraft>::posting(store, id)
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
        .confirm_posting(PostingKind::Service, id.0, t(500), t(40))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = PostingStore::<ServiceDraft>::posting(store, id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert_eq!(
        (s.meta.status, s.meta.expires_at),
        (S::Published, Some(t(500)))
    );
    let draft_id = store
        .create_posting(p.owner, &need("待提交的需求", "511623"), t(41), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let not_published = store
        .confirm_posting(PostingKind::Need, draft_id.0, t(500), t(41))
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
        .change_posting_status(PostingKind::Service, id.0, close)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = PostingStore::<ServiceDraft>::posting(store, id)
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
        ("service".into(), id.0, "delete".into())
    );

    // Needs and achievements: every field round-trips, updates replace the content.
    let n = need("脐橙黄龙病防治技术咨询", "511623");
    let nid = store
        .create_posting(p.owner, &n, t(60), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = PostingStore::<NeedDraft>::posting(store, nid)
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
        .update_posting(nid, &n2, moved(S::Draft, S::Draft, t(61)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = PostingStore::<NeedDraft>::posting(store, nid)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("need found"));
    assert_eq!((got.draft, got.meta.updated_at), (n2, t(61)));
    let a = achievement("柑橘无病毒苗木繁育技术", "511623");
    let aid = store
        .create_posting(p.provider, &a, t(62), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = PostingStore::<AchievementDraft>::posting(store, aid)
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
        .update_posting(aid, &a2, moved(S::Draft, S::Draft, t(63)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = PostingStore::<AchievementDraft>::posting(store, aid)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("achievement found"));
    assert_eq!(got.draft, a2);
}

pub(super) fn filter() -> PostingFilter {
    PostingFilter {
        scope: RegionScope::All,
        status: Some(S::Published),
        owner: None,
        org: None,
        category: None,
        query: None,
        available_in: None,
        service_scope: None,
        unanswered_before: None,
        resource_kind: None,
        most_viewed: false,
    }
}

pub(super) async fn posting_lists_and_expiry(store: &SeaStore, p: &People) {
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
            .create_posting(p.owner, &service(title, region, scope, cat), t(1000), None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        publish(
            store,
            PostingKind::Service,
            id.0,
            t(1001 + i as i64),
            t(*expires),
        )
        .await;
        ids.push(id);
    }
    let draft = store
        .create_posting(
            p.provider,
            &service("草稿中的服务", "511623", "county", "fruit"),
            t(1010),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let list = |f: PostingFilter| async move {
        let got = PostingStore::<ServiceDraft>::list_postings(store, &f, page(1, 100))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut ids: Vec<PostingId<ServiceDraft>> = got.items.iter().map(|s| s.id).collect();
        assert_eq!(got.total, ids.len() as u64);
        ids.sort_unstable();
        ids
    };
    let sorted = |mut v: Vec<PostingId<ServiceDraft>>| {
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
    let first = PostingStore::<ServiceDraft>::list_postings(store, &filter(), page(1, 3))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let second = PostingStore::<ServiceDraft>::list_postings(store, &filter(), page(2, 3))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (first.total, first.items.len(), second.items.len()),
        (4, 3, 1)
    );
    assert_eq!(first.items[0].id, ids[3], "newest first");
    assert_eq!(first.items[0].meta.owner_name, "张农户");

    // Needs and achievements use the same filters.
    let n1 = store
        .create_posting(
            p.owner,
            &need("邻水脐橙黄龙病防治", "511623"),
            t(1100),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let n2 = store
        .create_posting(p.owner, &need("成都软件需求对接", "510104"), t(1100), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    publish(store, PostingKind::Need, n1.0, t(1101), t(150)).await;
    publish(store, PostingKind::Need, n2.0, t(1102), t(5000)).await;
    let needs = PostingStore::<NeedDraft>::list_postings(
        store,
        &PostingFilter {
            scope: within(&["511600"]),
            ..filter()
        },
        Page::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        needs.items.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![n1]
    );
    let needs = PostingStore::<NeedDraft>::list_postings(
        store,
        &PostingFilter {
            query: Some("软件".into()),
            ..filter()
        },
        Page::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        needs.items.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![n2]
    );
    let a1 = store
        .create_posting(
            p.provider,
            &achievement("柑橘脱毒苗木技术", "510104"),
            t(1100),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    publish(store, PostingKind::Achievement, a1.0, t(1103), t(100)).await;
    let achs = PostingStore::<AchievementDraft>::list_postings(
        store,
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
        achs.items.iter().map(|a| a.id).collect::<Vec<_>>(),
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
        vec![ids[3].0, ids[1].0]
    );
    assert_eq!(
        expired(PostingKind::Service, t(149), 10).await,
        vec![ids[3].0]
    );
    assert_eq!(
        expired(PostingKind::Service, t(10_000), 2).await,
        vec![ids[3].0, ids[1].0]
    );
    assert_eq!(expired(PostingKind::Need, t(150), 10).await, vec![n1.0]);
    assert_eq!(
        expired(PostingKind::Achievement, t(100), 10).await,
        vec![a1.0]
    );
    // The 工作台's count: published, expiring after `after` and at or before `until`, in scope.
    let expiring = |kind, scope, after, until| async move {
        store
            .count_expiring(kind, &scope, after, until)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(
        expiring(PostingKind::Service, RegionScope::All, t(120), t(200)).await,
        2
    );
    assert_eq!(
        expiring(PostingKind::Service, within(&["511600"]), t(100), t(400)).await,
        3
    );
    assert_eq!(
        expiring(PostingKind::Need, within(&["511600"]), t(0), t(150)).await,
        1
    );
    // No organization offers these; needs have no organization at all.
    assert!(
        list(PostingFilter {
            org: Some(OrgId(i64::MAX)),
            ..filter()
        })
        .await
        .is_empty()
    );
    let close = PostingChange {
        close_reason: Some(CloseReason::Expired),
        ..moved(S::Published, S::Closed, t(2000))
    };
    store
        .change_posting_status(PostingKind::Service, ids[3].0, close)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        expired(PostingKind::Service, t(10_000), 10).await,
        vec![ids[1].0, ids[0].0, ids[2].0],
        "closed postings no longer expire"
    );
    // Clean up for the later sections: confirm the rest far ahead.
    for (kind, id) in [
        (PostingKind::Service, ids[0].0),
        (PostingKind::Service, ids[1].0),
        (PostingKind::Service, ids[2].0),
        (PostingKind::Need, n1.0),
        (PostingKind::Achievement, a1.0),
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
