//! The popular-science storage contract (`popsci::ports::ResourceStore` and the posting
//! engine's `PostingStore<ResourceDraft>`), on every configured backend: content round trip,
//! moderation through the engine, the kind filter and the most-viewed order, and counted views
//! written in batches — totals, day rows, the `resources` / `resource_views` figures equal to
//! what the records say, two servers flushing the same resource at once adding up exactly, a
//! batch for a deleted-meanwhile resource dropped.

use kejiyun_core::ids::PostingId;
use kejiyun_core::market::ports::{PostingFilter, PostingLifecycleStore, PostingStore};
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::paging::Page;
use kejiyun_core::permissions::RegionScope;
use kejiyun_core::popsci::ports::ResourceStore;
use kejiyun_core::popsci::views::ViewDelta;
use kejiyun_core::popsci::{ResourceDraft, ResourceInput, ResourceKind};
use kejiyun_core::ports::StoreError;
use kejiyun_core::stats::ports::{StatsRange, StatsRecordStore};
use kejiyun_core::stats::{Cell, Metric};
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::{code, date, fresh_store, must, posting_change, sh, user};
use crate::store_stats_check::{check_range, recomputed, whole};

fn article(title: &str) -> ResourceDraft {
    must(
        ResourceDraft::parse(&ResourceInput {
            kind: "article".into(),
            title: title.into(),
            summary: "冬季修剪时间、方法和注意事项，适合果农阅读。".into(),
            body: "<p>修剪在采果后到春芽萌动前进行。</p><script>alert(1)</script><p>先剪病虫枝、枯枝，再疏密。</p>".into(),
            category: "fruit".into(),
            tags: vec!["柑橘".into(), "修剪".into()],
            region: "511623".into(),
            ..Default::default()
        })
        .map_err(|e| StoreError::Conflict(e.to_string())),
    )
}

fn sum(cells: &std::collections::BTreeMap<Cell, i64>, m: Metric) -> i64 {
    cells
        .iter()
        .filter(|(c, _)| c.metric == m)
        .map(|(_, v)| v)
        .sum()
}

fn filter(kind: Option<ResourceKind>, most_viewed: bool) -> PostingFilter {
    PostingFilter {
        scope: RegionScope::Within(vec![code("510000")]),
        status: Some(S::Published),
        owner: None,
        org: None,
        category: None,
        query: None,
        available_in: None,
        service_scope: None,
        unanswered_before: None,
        resource_kind: kind,
        most_viewed,
    }
}

#[tokio::test]
async fn resource_store_contract_on_every_backend() {
    for backend in backends() {
        eprintln!("store resources: backend={}", backend.name());
        let (db, store) = fresh_store(backend).await;
        contract(&store).await;
        db.cleanup().await;
    }
}

async fn publish(
    store: &SeaStore,
    draft: &ResourceDraft,
    at: kejiyun_core::time::Timestamp,
) -> i64 {
    let owner = user(store, "县科协").await;
    let submit = Some(posting_change(S::Draft, S::Pending, at, None));
    let id = must(store.create_posting(owner, draft, at, submit).await);
    must(
        store
            .change_posting_status(
                PostingKind::Resource,
                id.0,
                posting_change(S::Pending, S::Published, at, None),
            )
            .await,
    );
    id.0
}

async fn contract(store: &SeaStore) {
    let at = sh(2026, 6, 1, 9, 0, 0);
    let draft = article("柑橘冬季修剪要点");
    assert!(!draft.body.contains("script"), "sanitized before storing");
    let first = publish(store, &draft, at).await;
    let read = must(PostingStore::<ResourceDraft>::posting(store, PostingId::new(first)).await)
        .unwrap_or_else(|| panic!("resource read back"));
    assert_eq!(read.draft, draft, "content round trip");
    assert_eq!(
        (read.meta.kind, read.meta.status),
        (PostingKind::Resource, S::Published)
    );
    let second = publish(store, &article("水稻病虫害识别手册"), at).await;
    assert_eq!(sum(&recomputed(store).await, Metric::Resources), 2);

    // Views: two days of one resource, then more of the first day.
    let d1 = date(2026, 6, 2);
    let d2 = date(2026, 6, 3);
    let delta = |resource, day, views| ViewDelta {
        resource,
        day,
        views,
    };
    must(
        store
            .add_resource_views(&[delta(first, d1, 3), delta(first, d2, 2)])
            .await,
    );
    must(store.add_resource_views(&[delta(first, d1, 1)]).await);
    let ids = [PostingId::new(first), PostingId::new(second)];
    let views = must(store.resource_views(&ids).await);
    assert_eq!(views.get(&ids[0]), Some(&6));
    assert_eq!(views.get(&ids[1]), Some(&0));
    let cells = recomputed(store).await;
    assert_eq!(sum(&cells, Metric::ResourceViews), 6);
    check_range(store, &cells, whole("510000")).await;
    let june2 = StatsRange {
        region: code("511600"),
        from: Some(d1),
        to: Some(d1),
    };
    check_range(store, &cells, june2).await;
    let records = must(store.metric_records(Metric::ResourceViews, june2).await);
    assert!(
        records
            .iter()
            .any(|r| r.id == first && r.kind == "resource" && r.title == "柑橘冬季修剪要点"),
        "drill-down names the resource: {records:?}"
    );

    // Two servers flushing the same resource and day at once add up exactly.
    let (five, seven) = ([delta(second, d2, 5)], [delta(second, d2, 7)]);
    let (a, b) = tokio::join!(
        store.add_resource_views(&five),
        store.add_resource_views(&seven),
    );
    must(a);
    must(b);
    let views = must(store.resource_views(&ids).await);
    assert_eq!(views.get(&ids[1]), Some(&12));
    let cells = recomputed(store).await;
    assert_eq!(sum(&cells, Metric::ResourceViews), 18);
    check_range(store, &cells, whole("510000")).await;

    // A resource that no longer exists: its views are dropped, the rest of the batch stays.
    must(
        store
            .add_resource_views(&[delta(first, d2, 1), delta(i64::MAX - 7, d2, 4)])
            .await,
    );
    assert_eq!(sum(&recomputed(store).await, Metric::ResourceViews), 19);

    // The most-viewed order and the kind filter.
    let listed = |kind, most_viewed| async move {
        must(
            PostingStore::<ResourceDraft>::list_postings(
                store,
                &filter(kind, most_viewed),
                Page::default(),
            )
            .await,
        )
        .items
        .iter()
        .map(|r| r.id.0)
        .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(None, true).await,
        vec![second, first],
        "12 views before 7"
    );
    assert_eq!(listed(None, false).await.len(), 2);
    assert!(listed(Some(ResourceKind::Video), false).await.is_empty());
    assert_eq!(listed(Some(ResourceKind::Article), true).await.len(), 2);
}
