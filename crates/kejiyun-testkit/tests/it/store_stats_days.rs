//! Served statistics on every configured backend: Asia/Shanghai day boundaries (23:59:59 and
//! 00:00:00 land on their own days), a one-day range, and breakdowns that add up.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use kejiyun_core::market::deals::DealStatus;
use kejiyun_core::market::ports::DealStore;
use kejiyun_core::market::postings::PostingKind;
use kejiyun_core::moderation::ModerationStatus as S;
use kejiyun_core::stats::Metric;
use kejiyun_core::stats::ports::{StatsRange, StatsSeriesStore};
use kejiyun_core::stats_series;
use kejiyun_core::time::Timestamp;
use kejiyun_db::SeaStore;
use kejiyun_testkit::backends;

use crate::store_stats::*;

#[tokio::test]
async fn shanghai_day_boundaries_and_breakdowns() {
    for backend in backends() {
        eprintln!("store stats: backend={} day boundaries", backend.name());
        let (db, store) = fresh_store(backend).await;
        let owner = user(&store, "张农户").await;
        let provider = user(&store, "李专家").await;
        let late = sh(2026, 11, 28, 23, 59, 59);
        let midnight = sh(2026, 11, 29, 0, 0, 0);
        let need_id = create(&store, PostingKind::Need, owner, ("511623", "tea"), late).await;
        publish(&store, PostingKind::Need, need_id, late).await;
        // A province-level posting (no city) and a city-level one.
        let svc = create(
            &store,
            PostingKind::Service,
            owner,
            ("510000", "legal"),
            late,
        )
        .await;
        publish(&store, PostingKind::Service, svc, midnight).await;
        let ach = (PostingKind::Achievement, ("511600", "fruit"));
        let ach = create(&store, ach.0, owner, ach.1, late).await;
        publish(&store, PostingKind::Achievement, ach, midnight).await;
        let on_need = subject(Some(need_id), None, None);
        let parties = (owner, provider);
        for (fen, at) in [(100_000, late), (20_000, midnight)] {
            must(
                store
                    .create_deal(offline(on_need, parties, fen, "511623", at))
                    .await,
            );
        }
        // Proposed on the 29th, confirmed in the last microsecond of the 30th.
        let c = new_deal(on_need, parties, 3_000, "511621", midnight);
        let c = must(store.create_deal(c).await);
        let last = Timestamp::from_micros(sh(2026, 12, 1, 0, 0, 0).micros() - 1);
        let proposed = must(store.deal(c).await).unwrap_or_else(|| panic!("deal {c}"));
        let confirm = deal_change(&proposed, DealStatus::Confirmed, last);
        must(store.change_deal(c, confirm).await);

        let day = |d: NaiveDate, region: &str| StatsRange {
            region: code(region),
            from: Some(d),
            to: Some(d),
        };
        let (d28, d29, d30) = (date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30));
        use Metric::{AchievementsPublished as Ach, DealAmount as Amount, Deals, NeedsPublished};
        expect_totals(
            &store,
            day(d28, "511623"),
            &[(NeedsPublished, 1), (Deals, 1), (Amount, 100_000)],
        )
        .await;
        expect_totals(&store, day(d29, "511623"), &[(Deals, 1), (Amount, 20_000)]).await;
        // Deal c counts in its own region (511621) on the 30th, inside 广安 (511600).
        expect_totals(&store, day(d30, "511623"), &[]).await;
        expect_totals(&store, day(d30, "511600"), &[(Deals, 1), (Amount, 3_000)]).await;
        let services = (Metric::ServicesPublished, 1);
        expect_totals(
            &store,
            day(d29, "510000"),
            &[services, (Ach, 1), (Deals, 1), (Amount, 20_000)],
        )
        .await;
        expect_totals(&store, day(date(2026, 12, 1), "510000"), &[]).await;

        let province = whole("510000");
        let children = served(&store, province).await.by_child;
        let keys: BTreeSet<&str> = children.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(keys, BTreeSet::from(["510000", "511600"]), "{children:?}");
        let city = whole("511600");
        let counties = served(&store, city).await.by_child;
        expect_row(&counties, "511621", Amount, 3_000);
        expect_row(&counties, "511623", Amount, 120_000);
        expect_row(&counties, "511600", Ach, 1);
        let months = served(&store, province).await.by_month;
        expect_row(&months, "202611", Amount, 123_000);
        let categories = served(&store, province).await.by_category;
        expect_row(&categories, "tea", Deals, 3);
        expect_row(&categories, "legal", Metric::ServicesPublished, 1);

        // Editing the need into another category moves its deals' figures with it.
        let change = posting_change(S::Published, S::Pending, midnight, None);
        let fruit = ("511623", "fruit");
        must(update(&store, PostingKind::Need, need_id, fruit, change).await);
        let categories = served(&store, province).await.by_category;
        expect_row(&categories, "fruit", Deals, 3);
        assert!(!categories.iter().any(|r| r.0 == "tea"), "{categories:?}");

        let expected = recomputed(&store).await;
        let series = stats_series::series_all(&expected);
        assert_eq!(must(store.served_series().await), series);
        for region in ["511623", "511600", "510000"] {
            for d in [d28, d29, d30] {
                check_range(&store, &expected, day(d, region)).await;
            }
        }
        eprintln!("store stats: backend={} day boundaries ok", backend.name());
        db.cleanup().await;
    }
}

async fn expect_totals(store: &SeaStore, range: StatsRange, want: &[(Metric, i64)]) {
    let want: BTreeMap<Metric, i64> = want.iter().copied().collect();
    assert_eq!(
        served(store, range).await.totals,
        want,
        "totals of {range:?}"
    );
}

fn expect_row(rows: &[(String, Metric, i64)], key: &str, metric: Metric, value: i64) {
    let found = rows
        .iter()
        .any(|(k, m, v)| k == key && *m == metric && *v == value);
    assert!(found, "({key}, {metric:?}, {value}) in {rows:?}");
}
