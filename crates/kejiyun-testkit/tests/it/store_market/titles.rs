//! Public drill-down shows only moderated titles: after the owner edits a published posting
//! (back to review), the counted records still carry the title last approved — for the posting
//! and the deals on it — and take the new one only once it is approved.

use kejiyun_core::stats::Metric;
use kejiyun_core::stats::ports::{CountedRecord, StatsRange, StatsRecordStore};

use super::trade::new_deal;
use super::*;

async fn titles(store: &SeaStore, metric: Metric) -> Vec<(i64, String)> {
    let range = StatsRange {
        region: code("511623"),
        from: None,
        to: None,
    };
    store
        .metric_records(metric, range)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r: CountedRecord| (r.id, r.title))
        .collect()
}

#[tokio::test]
async fn drill_down_shows_only_moderated_titles_on_every_backend() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.migrated_store().await;
        let p = People {
            owner: user(&store, "13900000011", "张农户").await,
            provider: user(&store, "13900000012", "李专家").await,
            staff: user(&store, "13900000013", "王科员").await,
            stranger: user(&store, "13900000014", "路人").await,
        };
        let approved = "邻水县脐橙园技术需求";
        let need_id = store
            .create_posting(p.owner, &need(approved, "511623"), t(1), None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        publish(&store, PostingKind::Need, need_id.0, t(10), t(100_000)).await;
        let service_id = store
            .create_posting(
                p.provider,
                &service("柑橘病虫害诊断", "511623", "county", "fruit"),
                t(1),
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        publish(
            &store,
            PostingKind::Service,
            service_id.0,
            t(10),
            t(100_000),
        )
        .await;
        let subject = DealSubject {
            need: Some(need_id),
            service: Some(service_id),
            achievement: None,
        };
        let deal = NewDeal {
            status: DealStatus::Confirmed,
            confirmed_at: Some(t(20)),
            ..new_deal(&p, subject, 100_000, "511623", t(20))
        };
        let deal_id = store
            .create_deal(deal)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            titles(&store, Metric::NeedsPublished)
                .await
                .contains(&(need_id.0, approved.into()))
        );
        assert!(
            titles(&store, Metric::Deals)
                .await
                .contains(&(deal_id.0, approved.into()))
        );

        // The owner edits: back to review, with a title nobody has approved.
        let unreviewed = "未经审核的新标题";
        store
            .update_posting(
                need_id,
                &need(unreviewed, "511623"),
                moved(S::Published, S::Pending, t(30)),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let needs = titles(&store, Metric::NeedsPublished).await;
        assert!(
            needs.contains(&(need_id.0, approved.into())),
            "{}: {needs:?}",
            backend.name()
        );
        let deals = titles(&store, Metric::Deals).await;
        assert!(
            deals.contains(&(deal_id.0, approved.into())),
            "{}: {deals:?}",
            backend.name()
        );
        for (_, title) in needs.iter().chain(&deals) {
            assert!(!title.contains(unreviewed), "{}: {title}", backend.name());
        }
        // Rejected: still the approved title. Approved: the new one.
        store
            .change_posting_status(
                PostingKind::Need,
                need_id.0,
                moved(S::Pending, S::Rejected, t(40)),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            titles(&store, Metric::NeedsPublished)
                .await
                .contains(&(need_id.0, approved.into()))
        );
        store
            .change_posting_status(
                PostingKind::Need,
                need_id.0,
                moved(S::Rejected, S::Pending, t(50)),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .change_posting_status(PostingKind::Need, need_id.0, published(t(60), t(100_000)))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            titles(&store, Metric::NeedsPublished)
                .await
                .contains(&(need_id.0, unreviewed.into()))
        );
        assert!(
            titles(&store, Metric::Deals)
                .await
                .contains(&(deal_id.0, unreviewed.into()))
        );
        // A posting counted before approved titles were kept, and in review since: a label.
        kejiyun_db::testing::execute(
            &store,
            &format!("UPDATE needs SET public_title = NULL WHERE id = {need_id}"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            titles(&store, Metric::NeedsPublished)
                .await
                .contains(&(need_id.0, "（内容审核中）".into()))
        );
        eprintln!("drill-down titles: backend={} ok", backend.name());
        db.cleanup().await;
    }
}
